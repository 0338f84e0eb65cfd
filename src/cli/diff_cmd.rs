//! `escalate diff`.

use super::{CliError, Context, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Io};
use crate::diff::render::{self, Format};
use crate::diff::select::{self, Request};
use crate::diff::{DiffError, Level};
use clap::Args;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Which versions to compare; shared by `diff` and `changelog`.
#[derive(Debug, Args)]
pub struct VersionArgs {
    /// Revisions: OLD..NEW, OLD...NEW (from their common ancestor), or OLD
    /// (against the working tree) [default: the latest tag against the working tree]
    #[arg(value_name = "RANGE")]
    pub range: Option<String>,
    /// The old version: a folder or file, a git revision, or REV:PATH (a
    /// matrix elsewhere in that revision)
    #[arg(long, value_name = "PATH|REV")]
    pub old: Option<String>,
    /// The new version, like --old [default: the matrix in the working tree]
    #[arg(long, value_name = "PATH|REV", requires = "old")]
    pub new: Option<String>,
}

impl VersionArgs {
    pub(super) fn request<'a>(&'a self, ctx: &Context, matrix: &'a std::path::Path) -> Request<'a> {
        Request {
            matrix,
            range: self.range.as_deref(),
            old: self.old.as_deref(),
            new: self.new.as_deref(),
            today: ctx.now.date_naive(),
        }
    }
}

/// Arguments of `escalate diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    #[command(flatten)]
    /// The versions.
    pub versions: VersionArgs,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 when a change at this level or above is present (for CI gates)
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub fail_on: Option<Level>,
    /// List every change kind with its level and a description, and exit
    #[arg(long)]
    pub list_kinds: bool,
}

/// The matrix path in the working tree: `--matrix`, else `./matrix`.
pub(super) fn matrix_path(ctx: &Context) -> PathBuf {
    ctx.matrix
        .clone()
        .unwrap_or_else(|| PathBuf::from("matrix"))
}

/// Writes a diff error (with a version's diagnostics) to standard error;
/// returns exit code 2.
pub(super) fn report_error(
    ctx: &Context,
    error: &DiffError,
    io: &mut Io<'_>,
) -> Result<u8, CliError> {
    let mut text = String::new();
    if let DiffError::Invalid {
        matrix, findings, ..
    } = error
    {
        text.push_str(&crate::validate::to_human(
            findings,
            &matrix.sources,
            ctx.color,
            super::terminal_width(),
        ));
    }
    let _ = write!(text, "escalate: {error}");
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        if !matches!(error, DiffError::Git(_)) {
            let _ = write!(text, ": {cause}");
        }
        source = cause.source();
    }
    text.push('\n');
    if let Some(help) = error.help() {
        let _ = writeln!(text, "  help: {help}");
    }
    io.err
        .write_all(text.as_bytes())
        .map_err(CliError::io("writing to standard error"))?;
    Ok(EXIT_ERROR)
}

pub(super) fn run(ctx: &Context, args: &DiffArgs, io: &mut Io<'_>) -> Result<u8, CliError> {
    let write_err = CliError::io("writing the report");
    if args.list_kinds {
        io.out
            .write_all(render::kinds().as_bytes())
            .map_err(write_err)?;
        return Ok(EXIT_OK);
    }
    let matrix = matrix_path(ctx);
    let selection = match select::select(&args.versions.request(ctx, &matrix)) {
        Ok(selection) => selection,
        Err(error) => return report_error(ctx, &error, io),
    };
    let report = crate::diff::compare_versions(&selection.old, &selection.new, ctx.now);
    let text = match args.format {
        Format::Human => render::human(&report),
        Format::Json => render::json(&report),
        Format::Markdown => render::markdown(&report),
        Format::Github => render::github(&report),
    };
    io.out.write_all(text.as_bytes()).map_err(write_err)?;
    Ok(match args.fail_on {
        Some(level) if report.has_at_least(level) => EXIT_FINDINGS,
        _ => EXIT_OK,
    })
}
