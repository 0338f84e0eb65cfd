//! The `escalate` command: parses arguments and hands over to the library.

use clap::Parser;
use escalate::cli::{self, Cli, Io};
use std::io::Write as _;
use std::process::ExitCode;

fn main() -> ExitCode {
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
