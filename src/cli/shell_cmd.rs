//! `escalate completions SHELL` and `escalate man`: generated from the
//! same clap definitions as the parser, so they cannot drift.

use super::{Cli, CliError, EXIT_OK, Io};
use clap::{Args, CommandFactory};

/// Arguments of `escalate completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

pub(super) fn completions(args: &CompletionsArgs, io: &mut Io<'_>) -> Result<u8, CliError> {
    let mut command = Cli::command();
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut command, "escalate", &mut buffer);
    io.out
        .write_all(&buffer)
        .map_err(CliError::io("writing completions"))?;
    Ok(EXIT_OK)
}

pub(super) fn man(io: &mut Io<'_>) -> Result<u8, CliError> {
    let command = Cli::command();
    let mut buffer = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut buffer)
        .map_err(CliError::io("rendering the man page"))?;
    io.out
        .write_all(&buffer)
        .map_err(CliError::io("writing the man page"))?;
    Ok(EXIT_OK)
}
