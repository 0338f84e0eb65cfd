//! Generates a large, realistic escalation matrix for benchmarks and scale
//! tests.
//!
//! ```sh
//! cargo run --release --example gen_matrix -- --contacts 10000 --rules 2000
//! cargo run --release --example gen_matrix -- --contacts 1000 --rules 200 \
//!     --seed 7 --format yaml --out /tmp/matrix
//! escalate validate --matrix target/generated/c10000-r2000
//! ```
//!
//! The same arguments always write the same bytes. The default output folder
//! is `target/generated/c{N}-r{M}` (`-yaml` appended for YAML); an existing
//! folder is emptied of matrix files first, so that a smaller run does not
//! leave stale fragments behind.

// Shared with benches/ and tests/ through `#[path]`; each uses a different part.
#[allow(dead_code)]
mod generator;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

const USAGE: &str =
    "usage: gen_matrix --contacts N --rules M [--seed S] [--format toml|yaml] [--out DIR]";

fn main() -> ExitCode {
    let (params, out) = match generator::parse_args(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "gen_matrix: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let out = out.map_or_else(
        || {
            let suffix = match params.format {
                generator::Format::Toml => "",
                generator::Format::Yaml => "-yaml",
            };
            Path::new("target/generated")
                .join(format!("c{}-r{}{suffix}", params.contacts, params.rules))
        },
        PathBuf::from,
    );
    let generated = generator::generate(&params);
    if let Err(error) = clear(&out).and_then(|()| generated.write_to(&out)) {
        let _ = writeln!(
            std::io::stderr(),
            "gen_matrix: cannot write {}: {error}",
            out.display()
        );
        return ExitCode::from(2);
    }
    let _ = writeln!(
        std::io::stdout(),
        "wrote {} files ({} KiB) to {}",
        generated.files.len(),
        generated.total_bytes() / 1024,
        out.display()
    );
    ExitCode::SUCCESS
}

/// Removes generated fragments (`*.toml`, `*.yaml`) below `dir`, keeping
/// anything else.
fn clear(dir: &Path) -> std::io::Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            clear(&path)?;
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "yaml")
        ) {
            std::fs::remove_file(&path)?;
        }
    }
    Ok(())
}
