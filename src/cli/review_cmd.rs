//! `escalate review`.

use super::{CliError, Context, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Io};
use crate::review::{self, Format, SuiteOutcome};
use clap::Args;

/// Arguments of `escalate review`.
#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 when anything is due for review (for a scheduled CI job)
    #[arg(long)]
    pub fail_on_overdue: bool,
}

pub(super) fn run(ctx: &Context, args: &ReviewArgs, io: &mut Io<'_>) -> Result<u8, CliError> {
    let (mut matrix, findings) = ctx.load(io)?;
    let checked = ctx.check(&matrix, findings);
    if checked.has_errors() {
        super::report_matrix_errors(ctx, &matrix, &checked, io, "nothing was reviewed")?;
        return Ok(EXIT_ERROR);
    }
    let suite = Context::load_suite(&mut matrix, None);
    let (suite_findings, coverage) =
        crate::testing::suite_findings(&matrix, &checked, &suite, ctx.now);
    let review = review::review(
        &matrix,
        &checked,
        SuiteOutcome {
            findings: &suite_findings,
            coverage,
        },
        ctx.now,
    );
    io.out
        .write_all(review::render(&review, args.format).as_bytes())
        .map_err(CliError::io("writing the review"))?;
    Ok(if args.fail_on_overdue && !review.is_clear() {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}
