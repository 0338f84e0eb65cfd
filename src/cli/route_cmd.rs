//! `escalate route`.

use super::{CliError, Context, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, Io};
use crate::audit::{self, AuditRecord};
use crate::matrix::Matrix;
use crate::route::render::{self, HumanOptions};
use crate::route::{Facts, Incident, Route, Router};
use chrono::{DateTime, Utc};
use clap::{Args, ValueEnum};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

/// Output formats of `route`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RouteFormat {
    /// A compact table.
    Human,
    /// The stable JSON contract.
    Json,
    /// A block to paste into a ticket.
    Markdown,
}

/// Arguments of `escalate route`.
#[derive(Debug, Args)]
pub struct RouteArgs {
    /// What happened, in your own words; `-` reads standard input
    #[arg(value_name = "DESCRIPTION", required_unless_present = "batch")]
    pub description: Option<String>,
    /// Route many incidents: JSON Lines, `-` for standard input
    #[arg(long, value_name = "FILE", conflicts_with = "description")]
    pub batch: Option<String>,
    /// Data sensitivity level (overrides what the text implies)
    #[arg(long, value_name = "LEVEL")]
    pub data: Option<String>,
    /// Impact scope level
    #[arg(long, value_name = "LEVEL")]
    pub scope: Option<String>,
    /// Required approvals level
    #[arg(long, value_name = "LEVEL")]
    pub approval: Option<String>,
    /// Any dimension: DIMENSION=LEVEL (repeatable)
    #[arg(long = "set", value_name = "DIMENSION=LEVEL")]
    pub set: Vec<String>,
    /// Force the severity
    #[arg(long, value_name = "ID")]
    pub severity: Option<String>,
    /// Force the tier
    #[arg(long, value_name = "ID")]
    pub tier: Option<String>,
    /// When the incident was opened (RFC 3339) [default: now]
    #[arg(long, value_name = "TIME")]
    pub at: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = RouteFormat::Human)]
    pub format: RouteFormat,
    /// Explain the decision: rules, matched words, dimensions, tie-breaks
    #[arg(long)]
    pub explain: bool,
    /// Echo the description as typed, without masking emails, phone and card numbers
    #[arg(long)]
    pub no_redact: bool,
    /// Append one JSON line per decision to this file
    #[arg(long, value_name = "FILE")]
    pub audit_log: Option<PathBuf>,
    /// Who asks, for the audit log [default: git user.name, else $USER]
    #[arg(long, value_name = "NAME")]
    pub requester: Option<String>,
}

pub(super) fn run(ctx: &Context, args: &RouteArgs, io: &mut Io<'_>) -> Result<u8, CliError> {
    let path = ctx.matrix_path();
    // The commit comes from git, not from the files' contents: look it up
    // while the matrix loads (libgit2 reads the whole index to tell whether
    // the matrix is dirty).
    let commit = path
        .clone()
        .map(|path| std::thread::spawn(move || audit::commit_at(&path)));
    let (mut matrix, findings) = ctx.load_from(path, io)?;
    let checked = ctx.check(&matrix, findings);
    if checked.has_errors() {
        super::report_matrix_errors(ctx, &matrix, &checked, io, "nothing was routed")?;
        return Ok(EXIT_ERROR);
    }
    // Nothing below reports on the matrix files, so their text (kept for
    // diagnostics only) goes before the phrase index is built, when memory peaks.
    matrix.sources.release_texts();
    // Nor does it need the teams and contacts no route can name (most of
    // a large matrix's contacts).
    crate::route::retain_routed_parties(&mut matrix);
    let router = Router::new(&matrix, &checked)?;
    let commit = commit.and_then(|thread| thread.join().ok().flatten());
    let audit_path = args.audit_log.clone().or_else(|| {
        matrix
            .manifest
            .as_ref()
            .and_then(|m| m.audit_log.clone())
            .map(PathBuf::from)
    });
    // Only the audit log names the requester (git's config is read for it).
    let requester = match (&audit_path, &args.requester) {
        (None, _) => String::new(),
        (Some(_), Some(name)) => name.clone(),
        (Some(_), None) => audit::default_requester(),
    };

    if let Some(batch) = &args.batch {
        return run_batch(
            ctx,
            args,
            io,
            &router,
            batch,
            commit.as_deref(),
            audit_path.as_deref(),
            &requester,
        );
    }

    let description = match args.description.as_deref() {
        Some("-") => {
            let mut text = String::new();
            io.input
                .read_to_string(&mut text)
                .map_err(CliError::io("reading the description from standard input"))?;
            text.trim().to_string()
        }
        Some(text) => text.to_string(),
        None => String::new(),
    };
    if description.trim().is_empty() {
        return Err(CliError::Usage(
            "the description is empty: say what happened".into(),
        ));
    }
    let facts = facts_from_args(args)?;
    let opened_at = match &args.at {
        Some(at) => parse_time(at).map_err(CliError::Usage)?,
        None => ctx.now,
    };
    let incident = Incident {
        description,
        opened_at,
        facts,
        redact: !args.no_redact,
    };
    let mut route = router.route(&incident)?;
    route.matrix.commit.clone_from(&commit);
    if let Some(path) = &audit_path {
        write_audit(path, &requester, &incident, &route, ctx.now, &matrix)?;
    }
    let text = match args.format {
        RouteFormat::Json => serde_json::to_string_pretty(&route).unwrap_or_default() + "\n",
        RouteFormat::Markdown => render::markdown(&route),
        RouteFormat::Human => render::human(
            &route,
            HumanOptions {
                color: ctx.color,
                explain: args.explain,
                now: ctx.now,
                width: u16::try_from(super::terminal_width()).ok(),
            },
        ),
    };
    io.out
        .write_all(text.as_bytes())
        .map_err(CliError::io("writing the route"))?;
    // The process ends right after this: freeing the matrix, its checks and
    // the router allocation by allocation would take longer than routing.
    std::mem::forget(router);
    std::mem::forget(checked);
    std::mem::forget(matrix);
    Ok(EXIT_OK)
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("`{text}` is not an RFC 3339 time ({e}); write for example 2026-03-06T17:30:00+01:00"))
}

fn facts_from_args(args: &RouteArgs) -> Result<Facts, CliError> {
    let mut dimensions = BTreeMap::new();
    for (name, value) in [
        ("data", &args.data),
        ("scope", &args.scope),
        ("approval", &args.approval),
    ] {
        if let Some(v) = value {
            dimensions.insert(name.to_string(), v.clone());
        }
    }
    for pair in &args.set {
        let (dim, level) = pair.split_once('=').ok_or_else(|| {
            CliError::Usage(format!(
                "--set {pair}: write DIMENSION=LEVEL, for example --set data=regulated"
            ))
        })?;
        dimensions.insert(dim.trim().to_string(), level.trim().to_string());
    }
    Ok(Facts {
        dimensions,
        severity: args.severity.clone(),
        tier: args.tier.clone(),
    })
}

/// One line of a batch file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct BatchLine {
    #[serde(default)]
    id: Option<serde_json::Value>,
    description: String,
    #[serde(default)]
    opened_at: Option<String>,
    #[serde(default)]
    facts: Facts,
}

/// Reads one batch line; on failure returns the line's id (when it has
/// one) and the message, so the error record still names the incident.
fn parse_batch_line(
    number: usize,
    line: &str,
) -> Result<BatchLine, (Option<serde_json::Value>, String)> {
    // The common case, a well-formed line, is read in one pass; any error is
    // worked out again below, where the message names the line and keeps the
    // incident's id.
    if let Ok(entry) = serde_json::from_str::<BatchLine>(line)
        && !entry.description.trim().is_empty()
    {
        return Ok(entry);
    }
    let value: serde_json::Value = serde_json::from_str(line).map_err(|e| {
        // serde_json counts lines within the one line it was given; say only
        // the batch's line and the column.
        let text = e.to_string();
        let own = format!(" at line {} column {}", e.line(), e.column());
        let message = text.strip_suffix(&own).unwrap_or(&text);
        (
            None,
            format!("line {number}, column {}: {message}", e.column()),
        )
    })?;
    let id = value.get("id").cloned();
    let entry: BatchLine =
        serde_json::from_value(value).map_err(|e| (id.clone(), format!("line {number}: {e}")))?;
    if entry.description.trim().is_empty() {
        return Err((id, format!("line {number}: the description is empty")));
    }
    Ok(entry)
}

/// Writes one routed line of a batch: `id` (when the line has one) and `line`,
/// then the route's own fields in their documented order.
///
/// The route is written into `scratch` as a JSON object and copied after the
/// two leading fields without its opening brace, which is what a flattened
/// record would give, without serde's slower path for flattened fields.
fn write_batch_record(
    out: &mut impl Write,
    scratch: &mut Vec<u8>,
    id: Option<&serde_json::Value>,
    line: usize,
    route: &Route,
) -> Result<(), serde_json::Error> {
    scratch.clear();
    // sonic-rs writes the same bytes as serde_json (tested) and scans strings
    // for characters to escape many bytes at a time: a batch record is about
    // 2 KB of text, and escaping it byte by byte was a third of a line's cost.
    sonic_rs::to_writer(&mut *scratch, route)
        .map_err(|e| serde_json::Error::io(std::io::Error::other(e)))?;
    out.write_all(b"{").map_err(serde_json::Error::io)?;
    if let Some(id) = id {
        out.write_all(b"\"id\":").map_err(serde_json::Error::io)?;
        serde_json::to_writer(&mut *out, id)?;
        out.write_all(b",").map_err(serde_json::Error::io)?;
    }
    write!(out, "\"line\":{line},").map_err(serde_json::Error::io)?;
    // `route` is written as an object: its fields follow without its own
    // opening brace.
    out.write_all(scratch.get(1..).unwrap_or_default())
        .map_err(serde_json::Error::io)?;
    out.write_all(b"\n").map_err(serde_json::Error::io)
}

#[allow(clippy::too_many_arguments)]
fn run_batch(
    ctx: &Context,
    args: &RouteArgs,
    io: &mut Io<'_>,
    router: &Router<'_>,
    source: &str,
    commit: Option<&str>,
    audit_path: Option<&std::path::Path>,
    requester: &str,
) -> Result<u8, CliError> {
    let reader: Box<dyn BufRead + '_> = if source == "-" {
        Box::new(BufReader::new(&mut *io.input))
    } else {
        let file =
            std::fs::File::open(source).map_err(CliError::io(format!("opening {source}")))?;
        Box::new(BufReader::new(file))
    };
    let redact = !args.no_redact;
    // `--at` is the opening time of every line that does not give its own.
    let default_opened = match &args.at {
        Some(at) => parse_time(at).map_err(CliError::Usage)?,
        None => ctx.now,
    };
    let mut out = std::io::BufWriter::new(&mut *io.out);
    let mut scratch = Vec::with_capacity(8 << 10);
    let mut failed = 0usize;
    for (index, line) in reader.lines().enumerate() {
        let number = index + 1;
        let line = line.map_err(CliError::io(format!("reading {source} line {number}")))?;
        if line.trim().is_empty() {
            continue;
        }
        let outcome = parse_batch_line(number, &line).and_then(|entry| {
            let opened_at = match entry.opened_at.as_deref().map(parse_time) {
                Some(Err(message)) => return Err((entry.id, message)),
                Some(Ok(t)) => t,
                None => default_opened,
            };
            let incident = Incident {
                description: entry.description,
                opened_at,
                facts: entry.facts,
                redact,
            };
            match router.route(&incident) {
                Ok(route) => Ok((entry.id, incident, route)),
                Err(e) => Err((entry.id, e.to_string())),
            }
        });
        let written = match outcome {
            Ok((id, incident, mut route)) => {
                route.matrix.commit = commit.map(str::to_string);
                if let Some(path) = audit_path {
                    write_audit(path, requester, &incident, &route, ctx.now, router.matrix())?;
                }
                // `id` and `line` first, then the route in its documented order.
                write_batch_record(&mut out, &mut scratch, id.as_ref(), number, &route)
            }
            Err((id, message)) => {
                failed += 1;
                // The same shape as a routed line: `id` when the line gave one,
                // then `line`, then what happened.
                let mut record = serde_json::Map::new();
                if let Some(id) = id {
                    record.insert("id".into(), id);
                }
                record.insert("line".into(), number.into());
                record.insert("error".into(), serde_json::json!({ "message": message }));
                serde_json::to_writer(&mut out, &record)
                    .and_then(|()| out.write_all(b"\n").map_err(serde_json::Error::io))
            }
        };
        written.map_err(|e| CliError::Io {
            context: "writing a batch result".into(),
            source: e.into(),
        })?;
    }
    out.flush().map_err(CliError::io("writing batch results"))?;
    drop(out);
    if failed > 0 {
        writeln!(
            io.err,
            "escalate: {failed} line(s) of {source} could not be routed; their records say why"
        )
        .map_err(CliError::io("writing to standard error"))?;
        return Ok(EXIT_FINDINGS);
    }
    Ok(EXIT_OK)
}

fn write_audit(
    path: &std::path::Path,
    requester: &str,
    incident: &Incident,
    route: &Route,
    now: DateTime<Utc>,
    matrix: &Matrix,
) -> Result<(), CliError> {
    let record = AuditRecord::new(now, requester, incident, route, matrix);
    audit::append(path, &record).map_err(CliError::io(format!(
        "appending to the audit log {}",
        path.display()
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_needs_an_equals_sign() {
        let args = RouteArgs {
            description: Some("x".into()),
            batch: None,
            data: Some("regulated".into()),
            scope: None,
            approval: None,
            set: vec!["scope=team".into()],
            severity: None,
            tier: None,
            at: None,
            format: RouteFormat::Json,
            explain: false,
            no_redact: false,
            audit_log: None,
            requester: None,
        };
        let facts = facts_from_args(&args).unwrap();
        assert_eq!(
            facts.dimensions.get("data").map(String::as_str),
            Some("regulated")
        );
        assert_eq!(
            facts.dimensions.get("scope").map(String::as_str),
            Some("team")
        );
        let bad = RouteArgs {
            set: vec!["scope".into()],
            ..args
        };
        assert!(facts_from_args(&bad).is_err());
    }

    #[test]
    fn times_must_carry_an_offset() {
        assert!(parse_time("2026-03-06T17:30:00+01:00").is_ok());
        assert!(parse_time("2026-03-06 17:30").is_err());
    }
}
