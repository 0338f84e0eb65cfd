//! `escalate schema`: the JSON Schema of the matrix files (or, with
//! `--tests`, of the routing test files), generated from the same types the
//! loader reads, so it cannot drift.

use super::{CliError, EXIT_OK, Io};
use clap::Args;

/// Arguments of `escalate schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Print the schema of the routing test files (tests/*.toml) instead
    #[arg(long)]
    pub tests: bool,
}

pub(super) fn run(args: &SchemaArgs, io: &mut Io<'_>) -> Result<u8, CliError> {
    let text = if args.tests {
        crate::schema::tests_json_schema()
    } else {
        crate::schema::json_schema()
    };
    io.out
        .write_all(text.as_bytes())
        .map_err(CliError::io("writing the schema"))?;
    Ok(EXIT_OK)
}
