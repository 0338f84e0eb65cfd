//! `escalate init`.

use super::{CliError, Context, EXIT_OK, Io};
use crate::init::{self, InitError, Options};
use clap::Args;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Arguments of `escalate init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// The folder of the new matrix repository (created when missing)
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Write the matrix and its routing tests as YAML instead of TOML
    #[arg(long)]
    pub yaml: bool,
    /// Overwrite files that exist already
    #[arg(long)]
    pub force: bool,
}

pub(super) fn run(ctx: &Context, args: &InitArgs, io: &mut Io<'_>) -> Result<u8, CliError> {
    let files = init::scaffold(&Options {
        yaml: args.yaml,
        today: ctx.now.date_naive(),
    });
    let report = init::write(&args.dir, &files, args.force).map_err(|e| match e {
        InitError::Write(e) => CliError::Publish(e),
        e @ InitError::Exists { .. } => CliError::Usage(e.to_string()),
    })?;
    let mut text = String::new();
    let _ = writeln!(
        text,
        "Created a new escalation matrix repository in {}:",
        args.dir.display()
    );
    let width = files.iter().map(|f| f.path.len()).max().unwrap_or(0);
    for file in &files {
        let note = if report.overwritten.contains(&file.path) {
            " (overwritten)"
        } else {
            ""
        };
        let _ = writeln!(text, "  {:<width$}  {}{note}", file.path, file.what);
    }
    text.push_str("\nNext:\n");
    if args.dir != Path::new(".") {
        let _ = writeln!(text, "  cd {}", args.dir.display());
    }
    text.push_str(
        "  escalate validate && escalate test   # both pass as written\n\
         \x20 git init && git add . && git commit -m \"Escalation matrix 0.1.0\"\n\
         \x20 git tag v0.1.0                       # what `escalate diff` and `changelog` compare with\n\
         Then replace the example names, channels, hours and holidays with your own.\n",
    );
    io.out
        .write_all(text.as_bytes())
        .map_err(CliError::io("writing to standard output"))?;
    Ok(EXIT_OK)
}
