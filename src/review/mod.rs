//! `escalate review`: what is due for review.
//!
//! Four things go stale in a matrix: the matrix itself (past its review
//! cadence), teams and contacts (not verified within the cadence), rules (no
//! routing test exercises them) and calendars (their listed holidays run out
//! soon). The first three are what `escalate validate` already reports as
//! `review-overdue`, `contact-stale` and `untested-rule`; this module gathers
//! those findings into one list a governance office can work through, and
//! adds the calendars from [`crate::calendar::Calendar::upcoming_holidays`].

use crate::matrix::Matrix;
use crate::matrix::duration::DurationSpec;
use crate::matrix::node::Span;
use crate::matrix::schema::{FileId, parse_date};
use crate::validate::checks::Checked;
use crate::validate::diagnostic::{Code, Finding};
use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use std::fmt::Write as _;

/// How far ahead the listed holidays of a calendar must reach, in days.
pub const HOLIDAY_HORIZON_DAYS: i64 = 90;

/// Output formats of `review`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// A short list for a terminal.
    Human,
    /// One JSON document.
    Json,
    /// A Markdown checklist, for an issue or a pull request.
    Markdown,
}

/// A place in a matrix file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The file, as loaded.
    pub file: String,
    /// The line, from 1.
    pub line: usize,
    /// The column, from 1.
    pub column: usize,
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// The review of the matrix as a whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MatrixReview {
    /// The matrix's name.
    pub name: String,
    /// Its version.
    pub version: String,
    /// `last_reviewed`, as written.
    pub last_reviewed: String,
    /// `review_every`, as written.
    pub review_every: String,
    /// When the next review is due, when both dates can be read.
    pub due: Option<NaiveDate>,
    /// Whether the review is overdue (a `review-overdue` finding).
    pub overdue: bool,
    /// The message of the finding, when overdue.
    pub message: Option<String>,
    /// Where `last_reviewed` is written.
    pub location: Option<Location>,
}

/// A team or contact not verified within the review cadence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactDue {
    /// The id.
    pub id: String,
    /// `team` or `contact`.
    pub kind: &'static str,
    /// The display name.
    pub name: String,
    /// `verified`, as written; `None` when never verified.
    pub verified: Option<String>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Where.
    pub location: Option<Location>,
}

/// A rule no routing test exercises.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleDue {
    /// The id.
    pub id: String,
    /// What the rule is for.
    pub summary: String,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Where.
    pub location: Option<Location>,
}

/// A calendar whose listed holidays run out within [`HOLIDAY_HORIZON_DAYS`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarDue {
    /// The id.
    pub id: String,
    /// The display name.
    pub name: String,
    /// The last holiday listed on or after today; `None` when there is none.
    pub last_holiday: Option<NaiveDate>,
    /// What is wrong, in a sentence.
    pub message: String,
    /// Where.
    pub location: Option<Location>,
}

/// Rule coverage by the routing tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// Rules some case applied.
    pub exercised: usize,
    /// All rules.
    pub total: usize,
}

/// Everything due for review.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Review {
    /// The day of the review.
    pub today: NaiveDate,
    /// How many items are due.
    pub due: usize,
    /// The matrix review (absent without a manifest).
    pub matrix: Option<MatrixReview>,
    /// Teams and contacts to verify.
    pub contacts: Vec<ContactDue>,
    /// Rules no test exercises.
    pub untested_rules: Vec<RuleDue>,
    /// Rule coverage, when the routing tests ran.
    pub coverage: Option<Coverage>,
    /// Calendars whose holidays run out.
    pub calendars: Vec<CalendarDue>,
}

impl Review {
    /// Whether nothing is due.
    pub fn is_clear(&self) -> bool {
        self.due == 0
    }
}

/// What the routing tests said, from [`crate::testing::suite_findings`].
#[derive(Debug, Clone, Copy)]
pub struct SuiteOutcome<'a> {
    /// The findings about the suite (`untested-rule` among them).
    pub findings: &'a [Finding],
    /// Rule coverage, `None` when no case ran.
    pub coverage: Option<(usize, usize)>,
}

/// Gathers what is due on the day of `now`, from the findings of
/// [`crate::validate::checks::check`] (in `checked`) and of the suite.
pub fn review(
    matrix: &Matrix,
    checked: &Checked,
    suite: SuiteOutcome<'_>,
    now: DateTime<Utc>,
) -> Review {
    let mut out = Review {
        today: now.date_naive(),
        due: 0,
        matrix: matrix_review(matrix, checked),
        contacts: stale_contacts(matrix, checked),
        untested_rules: untested_rules(matrix, suite),
        coverage: suite
            .coverage
            .map(|(exercised, total)| Coverage { exercised, total }),
        calendars: calendars_running_out(matrix, checked, now),
    };
    out.due = usize::from(out.matrix.as_ref().is_some_and(|m| m.overdue))
        + out.contacts.len()
        + out.untested_rules.len()
        + out.calendars.len();
    out
}

fn locate(matrix: &Matrix, file: FileId, span: Span) -> Option<Location> {
    let source = matrix.sources.get(file)?;
    let (line, column) = source.line_col(span.start);
    Some(Location {
        file: source.path.clone(),
        line,
        column,
    })
}

fn matrix_review(matrix: &Matrix, checked: &Checked) -> Option<MatrixReview> {
    let m = matrix.manifest.as_ref()?;
    let overdue = checked
        .findings
        .iter()
        .find(|f| f.code == Code::ReviewOverdue);
    let days = DurationSpec::parse(&m.review_every.value)
        .ok()
        .map(|spec| spec.total_minutes(checked.business_day_minutes) / (24 * 60))
        .and_then(|d| i64::try_from(d).ok());
    let due = parse_date(&m.last_reviewed.value)
        .zip(days)
        .and_then(|(last, days)| last.checked_add_signed(chrono::Duration::days(days)));
    Some(MatrixReview {
        name: m.name.clone(),
        version: m.version.value.clone(),
        last_reviewed: m.last_reviewed.value.clone(),
        review_every: m.review_every.value.clone(),
        due,
        overdue: overdue.is_some(),
        message: overdue.map(|f| f.message.clone()),
        location: locate(matrix, m.origin, m.last_reviewed.span),
    })
}

/// The parties of the `contact-stale` findings, in matrix order.
fn stale_contacts(matrix: &Matrix, checked: &Checked) -> Vec<ContactDue> {
    let stale: Vec<&Finding> = checked
        .findings
        .iter()
        .filter(|f| f.code == Code::ContactStale)
        .collect();
    matrix
        .parties
        .iter()
        .filter_map(|party| {
            let finding = stale.iter().find(|f| {
                f.file == Some(party.origin)
                    && (f.span == party.id.span
                        || party.verified.as_ref().is_some_and(|v| v.span == f.span))
            })?;
            Some(ContactDue {
                id: party.id.value.clone(),
                kind: if party.is_team { "team" } else { "contact" },
                name: party.name.clone(),
                verified: party.verified.as_ref().map(|v| v.value.clone()),
                message: finding.message.clone(),
                location: locate(matrix, party.origin, finding.span),
            })
        })
        .collect()
}

/// The rules of the `untested-rule` findings, in matrix order; every rule
/// when no case ran.
fn untested_rules(matrix: &Matrix, suite: SuiteOutcome<'_>) -> Vec<RuleDue> {
    let untested: Vec<&Finding> = suite
        .findings
        .iter()
        .filter(|f| f.code == Code::UntestedRule)
        .collect();
    matrix
        .rules
        .iter()
        .filter_map(|rule| {
            let message = if suite.coverage.is_some() {
                untested
                    .iter()
                    .find(|f| f.file == Some(rule.origin) && f.span == rule.id.span)?
                    .message
                    .clone()
            } else {
                format!(
                    "no routing test exercises rule `{}`: the matrix has no routing tests",
                    rule.id.value
                )
            };
            Some(RuleDue {
                id: rule.id.value.clone(),
                summary: rule.summary.clone(),
                message,
                location: locate(matrix, rule.origin, rule.id.span),
            })
        })
        .collect()
}

/// Calendars whose last listed holiday is less than
/// [`HOLIDAY_HORIZON_DAYS`] ahead of today (in the calendar's zone).
fn calendars_running_out(
    matrix: &Matrix,
    checked: &Checked,
    now: DateTime<Utc>,
) -> Vec<CalendarDue> {
    matrix
        .calendars
        .iter()
        .filter_map(|spec| {
            let calendar = checked.calendars.get(&spec.id.value)?;
            let today = calendar.local_date(now).unwrap_or(now.date_naive());
            let horizon = today + chrono::Duration::days(HOLIDAY_HORIZON_DAYS);
            let last = calendar.upcoming_holidays(today).last();
            if last.is_some_and(|d| d >= horizon) {
                return None;
            }
            let message = match last {
                Some(last) => format!(
                    "calendar `{}` lists holidays only until {last}, less than {HOLIDAY_HORIZON_DAYS} days ahead",
                    spec.id.value
                ),
                None => format!("calendar `{}` lists no upcoming holidays", spec.id.value),
            };
            Some(CalendarDue {
                id: spec.id.value.clone(),
                name: spec.name.clone(),
                last_holiday: last,
                message,
                location: locate(matrix, spec.origin, spec.id.span),
            })
        })
        .collect()
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn days_between(from: NaiveDate, to: NaiveDate) -> String {
    let days = (to - from).num_days();
    let n = days.unsigned_abs();
    let unit = if n == 1 { "day" } else { "days" };
    match days {
        0 => "today".to_string(),
        d if d > 0 => format!("in {n} {unit}"),
        _ => format!("{n} {unit} ago"),
    }
}

fn at(location: Option<&Location>) -> String {
    location.map(|l| format!(" ({l})")).unwrap_or_default()
}

/// The review as a short list for a terminal.
pub fn to_human(review: &Review) -> String {
    let mut out = String::new();
    let today = review.today;
    match &review.matrix {
        Some(m) => {
            let _ = writeln!(out, "Review of {} {} on {today}", m.name, m.version);
            let _ = write!(out, "\nMatrix review: ");
            match m.due {
                Some(due) if m.overdue => {
                    let _ = write!(out, "OVERDUE since {due} ({})", days_between(today, due));
                }
                Some(due) => {
                    let _ = write!(out, "next due {due} ({})", days_between(today, due));
                }
                None => out.push_str("due date unknown"),
            }
            let _ = writeln!(
                out,
                ", last reviewed {}, every {}{}",
                m.last_reviewed,
                m.review_every,
                at(m.location.as_ref())
            );
        }
        None => {
            let _ = writeln!(out, "Review on {today}\n\nMatrix review: no manifest");
        }
    }
    let _ = writeln!(
        out,
        "\nContacts not verified within the cadence: {}",
        review.contacts.len()
    );
    for c in &review.contacts {
        let _ = writeln!(
            out,
            "  {} `{}` {}: {}{}",
            c.kind,
            c.id,
            c.name,
            c.verified.as_deref().map_or_else(
                || "never verified".to_string(),
                |v| format!("last verified {v}")
            ),
            at(c.location.as_ref())
        );
    }
    let coverage = review.coverage.map_or_else(
        || " (no routing tests ran)".to_string(),
        |c| format!(" (rules exercised: {}/{})", c.exercised, c.total),
    );
    let _ = writeln!(
        out,
        "\nRules no test exercises: {}{coverage}",
        review.untested_rules.len()
    );
    for r in &review.untested_rules {
        let _ = writeln!(
            out,
            "  rule `{}`: {}{}",
            r.id,
            r.summary,
            at(r.location.as_ref())
        );
    }
    let _ = writeln!(
        out,
        "\nCalendars whose holidays run out within {HOLIDAY_HORIZON_DAYS} days: {}",
        review.calendars.len()
    );
    for c in &review.calendars {
        let until = c.last_holiday.map_or_else(
            || "no upcoming holidays".to_string(),
            |d| format!("last holiday {d}"),
        );
        let _ = writeln!(
            out,
            "  calendar `{}` {}: {until}{}",
            c.id,
            c.name,
            at(c.location.as_ref())
        );
    }
    out.push('\n');
    if review.is_clear() {
        out.push_str("Nothing is due for review.\n");
    } else {
        let _ = writeln!(
            out,
            "{} due for review.",
            plural(review.due, "item", "items")
        );
    }
    out
}

/// The review as one JSON document (stable field names, matrix order).
pub fn to_json(review: &Review) -> String {
    let mut text = serde_json::to_string_pretty(review).unwrap_or_else(|e| {
        // Serialising plain strings, numbers and dates cannot fail; say so if it ever does.
        format!("{{\"error\": {:?}}}", e.to_string())
    });
    text.push('\n');
    text
}

fn md(text: &str) -> String {
    crate::publish::markdown::text(text)
}

fn md_at(location: Option<&Location>) -> String {
    location
        .map(|l| format!(" ({})", crate::publish::markdown::code(&l.to_string())))
        .unwrap_or_default()
}

/// The review as a Markdown checklist, for an issue or a pull request.
pub fn to_markdown(review: &Review) -> String {
    let mut out = String::new();
    let today = review.today;
    match &review.matrix {
        Some(m) => {
            let _ = writeln!(out, "## Review of {} {}\n", md(&m.name), m.version);
        }
        None => out.push_str("## Matrix review\n\n"),
    }
    if review.is_clear() {
        let _ = writeln!(out, "Nothing is due for review on {today}.");
    } else {
        let _ = writeln!(
            out,
            "{} due for review on {today}.",
            plural(review.due, "item", "items")
        );
    }
    if let Some(m) = &review.matrix {
        out.push_str("\n### Matrix\n\n");
        let check = if m.overdue { "[ ]" } else { "[x]" };
        let due = m.due.map_or_else(
            || "due date unknown".to_string(),
            |d| {
                if m.overdue {
                    format!("overdue since {d}")
                } else {
                    format!("next due {d}")
                }
            },
        );
        let _ = writeln!(
            out,
            "- {check} Review the matrix: {due}; last reviewed {}, every {}{}",
            md(&m.last_reviewed),
            md(&m.review_every),
            md_at(m.location.as_ref())
        );
    }
    if !review.contacts.is_empty() {
        out.push_str("\n### Contacts to verify\n\n");
        for c in &review.contacts {
            let verified = c.verified.as_deref().map_or_else(
                || "never verified".to_string(),
                |v| format!("last verified {}", md(v)),
            );
            let _ = writeln!(
                out,
                "- [ ] {} `{}` {}: {verified}{}",
                c.kind,
                c.id,
                md(&c.name),
                md_at(c.location.as_ref())
            );
        }
    }
    if !review.untested_rules.is_empty() {
        out.push_str("\n### Rules without a routing test\n\n");
        for r in &review.untested_rules {
            let _ = writeln!(
                out,
                "- [ ] `{}`: {}{}",
                r.id,
                md(&r.summary),
                md_at(r.location.as_ref())
            );
        }
    }
    if let Some(c) = review.coverage {
        let _ = writeln!(
            out,
            "\nRules exercised by the routing tests: {}/{}.",
            c.exercised, c.total
        );
    }
    if !review.calendars.is_empty() {
        let _ = writeln!(
            out,
            "\n### Calendars whose holidays run out within {HOLIDAY_HORIZON_DAYS} days\n"
        );
        for c in &review.calendars {
            let until = c.last_holiday.map_or_else(
                || "no upcoming holidays".to_string(),
                |d| format!("last holiday {d}"),
            );
            let _ = writeln!(
                out,
                "- [ ] `{}` {}: {until}; add the coming holidays{}",
                c.id,
                md(&c.name),
                md_at(c.location.as_ref())
            );
        }
    }
    out
}

/// Renders the review in a format.
pub fn render(review: &Review, format: Format) -> String {
    match format {
        Format::Human => to_human(review),
        Format::Json => to_json(review),
        Format::Markdown => to_markdown(review),
    }
}
