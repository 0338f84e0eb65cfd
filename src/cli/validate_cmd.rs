//! `escalate validate`.

use super::{CliError, Context, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Io};
use crate::validate::diagnostic::{Code, Severity};
use crate::validate::{self, Format};
use clap::Args;
use std::fmt::Write as _;

/// Arguments of `escalate validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 on warnings too
    #[arg(long)]
    pub deny_warnings: bool,
    /// List every diagnostic code with a one-line description, and exit
    #[arg(long)]
    pub list_codes: bool,
}

pub(super) fn run(ctx: &Context, args: &ValidateArgs, io: &mut Io<'_>) -> Result<u8, CliError> {
    let write_err = CliError::io("writing the report");
    if args.list_codes {
        let mut text = String::new();
        for code in Code::ALL {
            let _ = writeln!(
                text,
                "{:<24} {:<7} {}",
                code.name(),
                code.severity(),
                code.description()
            );
        }
        io.out.write_all(text.as_bytes()).map_err(write_err)?;
        return Ok(EXIT_OK);
    }
    let (mut matrix, findings) = ctx.load(io)?;
    let mut checked = ctx.check(&matrix, findings);
    let matrix_files = matrix.sources.len();
    let suite = Context::load_suite(&mut matrix, None);
    let (suite_findings, coverage) =
        crate::testing::suite_findings(&matrix, &checked, &suite, ctx.now);
    checked.findings.extend(suite_findings);
    validate::sort(&mut checked.findings, &matrix.sources);
    let findings = &checked.findings;
    let text = match args.format {
        Format::Json => validate::to_json(findings, &matrix.sources, checked.unread_files),
        Format::Github => validate::to_github(findings, &matrix.sources),
        Format::Human => {
            let mut text = validate::to_human(
                findings,
                &matrix.sources,
                ctx.color,
                super::terminal_width(),
            );
            if let Some(note) = validate::unread_note(checked.unread_files) {
                text.push_str(&note);
                text.push('\n');
            }
            if let Some((exercised, total)) = coverage {
                let _ = writeln!(text, "rules exercised: {exercised}/{total}");
            } else if suite.cases.is_empty() && !checked.has_errors() {
                let _ = writeln!(
                    text,
                    "rules exercised: 0/{} (no routing tests: {})",
                    matrix.rules.len(),
                    Context::no_cases_reason(&matrix, None, &suite)
                );
            }
            text.push_str(&validate::summary(&matrix, matrix_files, findings));
            text.push('\n');
            text
        }
    };
    io.out.write_all(text.as_bytes()).map_err(write_err)?;
    let unreadable = findings.iter().any(|f| {
        matches!(f.code, Code::Unreadable | Code::NoMatrixFiles) && f.severity == Severity::Error
    });
    let (errors, warnings) = validate::counts(findings);
    Ok(if unreadable {
        EXIT_ERROR
    } else if errors > 0 || (args.deny_warnings && warnings > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
