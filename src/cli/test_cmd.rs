//! `escalate test`.

use super::{CliError, Context, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Io};
use crate::route::Router;
use crate::testing::{self, report};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `escalate test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// Run only cases whose id contains this text
    #[arg(long, value_name = "TEXT")]
    pub filter: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = report::Format::Human)]
    pub format: report::Format,
    /// The folder of test files [default: the matrix folder's tests/]
    #[arg(long, value_name = "DIR")]
    pub tests: Option<PathBuf>,
}

pub(super) fn run(ctx: &Context, args: &TestArgs, io: &mut Io<'_>) -> Result<u8, CliError> {
    let (mut matrix, findings) = ctx.load(io)?;
    let checked = ctx.check(&matrix, findings);
    if checked.has_errors() {
        super::report_matrix_errors(ctx, &matrix, &checked, io, "no test was run")?;
        return Ok(EXIT_ERROR);
    }
    let suite = Context::load_suite(&mut matrix, args.tests.as_deref());
    let router = Router::new(&matrix, &checked)?;
    let mut problems = suite.findings.clone();
    problems.extend(suite.check_references(&matrix, checked.unread_files == 0));
    if !problems.is_empty() {
        let text = crate::validate::to_human(
            &problems,
            &matrix.sources,
            ctx.color,
            super::terminal_width(),
        );
        io.err
            .write_all(text.as_bytes())
            .map_err(CliError::io("writing to standard error"))?;
    }
    let results = testing::run(
        &suite,
        &matrix.sources,
        &router,
        args.filter.as_deref(),
        ctx.now,
    );
    if results.is_empty() {
        // Nothing ran: that is not a pass (a wrong folder or filter would
        // otherwise turn CI green).
        let message = match &args.filter {
            Some(filter) if !suite.cases.is_empty() => {
                format!("no test case id contains `{filter}`")
            }
            _ => format!(
                "no routing test to run: {}",
                Context::no_cases_reason(&matrix, args.tests.as_deref(), &suite)
            ),
        };
        writeln!(io.err, "escalate: {message}")
            .map_err(CliError::io("writing to standard error"))?;
    }
    let (untested, total) = testing::coverage(&matrix, &results);
    let coverage = args
        .filter
        .is_none()
        .then_some((total - untested.len(), total));
    let text = match args.format {
        report::Format::Human => report::human(&results, coverage),
        report::Format::Json => report::json(&results),
        report::Format::Github => report::github(&results),
        report::Format::Junit => report::junit(
            &results,
            matrix
                .manifest
                .as_ref()
                .map_or("escalation matrix", |m| m.name.as_str()),
        )
        .map_err(CliError::io("writing JUnit XML"))?,
    };
    io.out
        .write_all(text.as_bytes())
        .map_err(CliError::io("writing the results"))?;
    // A test file that could not be read leaves the suite incomplete, and
    // no case at all proves nothing: both are input errors. An unknown key
    // in a case fails that case, like a wrong expectation.
    Ok(if suite.malformed > 0 || results.is_empty() {
        EXIT_ERROR
    } else if results.iter().all(|r| r.passed) {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}
