//! The `escalate` command: parses arguments and hands over to the library.

use clap::Parser;
use escalate::cli::{self, Cli, Io};
use std::io::Write as _;
use std::process::ExitCode;

/// Fixes glibc's threshold above which a block gets a mapping of its own, at
/// 1 MiB.
///
/// By default glibc raises that threshold to the size of every mapped block
/// that is freed, up to 32 MiB; blocks below it then come from the main heap,
/// where they stay resident after use. Loading the largest generated matrix
/// frees blocks of 2 to 4 MB on the way, and whether what follows stays
/// resident depended on the address-space layout: `route` peaked at 61.6 to
/// 66.3 MiB from run to run. With the threshold fixed it peaks at 58 to 60
/// MiB every time (`benches/memory.sh`, README "Peak memory").
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[allow(unsafe_code)]
fn fix_allocator_threshold() {
    // SAFETY: `mallopt` only sets an allocator parameter; it is called once,
    // before any other thread exists, and takes no pointers.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 1 << 20);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn fix_allocator_threshold() {}

fn main() -> ExitCode {
    fix_allocator_threshold();
    let cli = Cli::parse();
    let terminal = cli::stdout_is_terminal();
    let (mut out, mut err, mut input) = (
        std::io::stdout().lock(),
        std::io::stderr(),
        std::io::stdin().lock(),
    );
    let mut io = Io {
        out: &mut out,
        err: &mut err,
        input: &mut input,
        out_is_terminal: terminal,
    };
    match cli::run(cli, &mut io) {
        Ok(code) => ExitCode::from(code),
        Err(error) => {
            let report = anyhow::Error::new(error);
            // Broken pipes (`escalate route ... | head`) are not worth a message.
            let broken_pipe = report
                .chain()
                .filter_map(|e| e.downcast_ref::<std::io::Error>())
                .any(|e| e.kind() == std::io::ErrorKind::BrokenPipe);
            if !broken_pipe {
                // The causes, each once: many errors already show their cause
                // in their own message ("reading X: Is a directory").
                let mut message = report.to_string();
                for cause in report.chain().skip(1) {
                    let cause = cause.to_string();
                    if !message.contains(&cause) {
                        message = format!("{message}: {cause}");
                    }
                }
                let _ = writeln!(std::io::stderr(), "escalate: {message}");
            }
            ExitCode::from(cli::EXIT_ERROR)
        }
    }
}
