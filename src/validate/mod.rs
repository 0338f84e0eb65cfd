//! `escalate validate`: every problem of a matrix, in one run.
//!
//! Loading reports syntax, unknown keys, wrong types and duplicate keys;
//! [`checks`] reports everything that needs the whole matrix. Output is
//! sorted and deterministic in every format.

pub mod checks;
pub mod diagnostic;

use crate::matrix::{Matrix, Sources};
use diagnostic::{Finding, Report, Severity};
use serde::Serialize;
use std::fmt::Write as _;

/// Output formats of `validate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Diagnostics with the source line underlined.
    Human,
    /// One JSON document.
    Json,
    /// GitHub Actions annotations.
    Github,
}

/// Sorts findings into their documented order: file, position, code.
pub fn sort(findings: &mut [Finding], sources: &Sources) {
    findings.sort_by(|a, b| a.sort_key(sources).cmp(&b.sort_key(sources)));
}

/// Counts of errors and warnings.
pub fn counts(findings: &[Finding]) -> (usize, usize) {
    let errors = findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, findings.len() - errors)
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    code: &'static str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    file: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    label: &'a str,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    valid: bool,
    errors: usize,
    warnings: usize,
    /// Files not read; while any is, the whole-matrix checks were withheld.
    #[serde(skip_serializing_if = "is_zero")]
    unread_files: usize,
    findings: Vec<JsonFinding<'a>>,
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn position<'a>(
    cache: &mut diagnostic::SourceCache<'a>,
    file: Option<usize>,
    offset: usize,
) -> (Option<&'a str>, Option<(usize, usize)>) {
    match file.and_then(|f| cache.position(f, offset)) {
        Some((path, place)) => (Some(path), Some(place)),
        None => (None, None),
    }
}

/// Findings as one JSON document (already sorted by the caller);
/// `unread_files` as in [`checks::Checked::unread_files`].
pub fn to_json(findings: &[Finding], sources: &Sources, unread_files: usize) -> String {
    let (errors, warnings) = counts(findings);
    // Findings come sorted by file: one file's text at a time is held.
    let mut cache = diagnostic::SourceCache::new(sources);
    let report = JsonReport {
        valid: errors == 0,
        errors,
        warnings,
        unread_files,
        findings: findings
            .iter()
            .map(|f| {
                let (file, pos) = position(&mut cache, f.file, f.span.start);
                JsonFinding {
                    code: f.code.name(),
                    severity: f.severity,
                    message: &f.message,
                    file,
                    line: pos.map(|p| p.0),
                    column: pos.map(|p| p.1),
                    help: f.help.as_deref(),
                    related: f
                        .related
                        .iter()
                        .filter_map(|r| {
                            let (file, (line, column)) = cache.position(r.file, r.span.start)?;
                            Some(JsonRelated {
                                file,
                                line,
                                column,
                                label: &r.label,
                            })
                        })
                        .collect(),
                }
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

/// Escapes text for a GitHub Actions workflow command: the message, or
/// (with `property`) a property value such as `file=` or `title=`.
pub fn github_escape(text: &str, property: bool) -> String {
    let mut out = text
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    if property {
        out = out.replace(':', "%3A").replace(',', "%2C");
    }
    out
}

/// Findings as GitHub Actions workflow commands.
pub fn to_github(findings: &[Finding], sources: &Sources) -> String {
    let mut out = String::new();
    let mut cache = diagnostic::SourceCache::new(sources);
    for f in findings {
        let kind = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let (file, pos) = position(&mut cache, f.file, f.span.start);
        let mut props = vec![format!("title={}", github_escape(f.code.name(), true))];
        if let (Some(file), Some((line, col))) = (file, pos) {
            props.insert(0, format!("col={col}"));
            props.insert(0, format!("line={line}"));
            props.insert(0, format!("file={}", github_escape(file, true)));
        }
        let mut message = f.message.clone();
        if let Some(help) = &f.help {
            let _ = write!(message, "\nhelp: {help}");
        }
        let _ = writeln!(
            out,
            "::{kind} {}::{}",
            props.join(","),
            github_escape(&message, false)
        );
    }
    out
}

/// Findings rendered by miette, with source lines underlined.
pub fn to_human(findings: &[Finding], sources: &Sources, color: bool, width: usize) -> String {
    let theme = if color {
        miette::GraphicalTheme::unicode()
    } else {
        miette::GraphicalTheme::unicode_nocolor()
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    // Findings come sorted by file: one file's text at a time is held.
    let mut cache = diagnostic::SourceCache::new(sources);
    for f in findings {
        let report = Report::cached(f, &mut cache);
        if handler.render_report(&mut out, &report).is_err() {
            let _ = writeln!(out, "{}: {}", f.code.name(), f.message);
        }
        out.push('\n');
    }
    out
}

/// What was withheld while matrix files are unread (see
/// [`checks::check_loaded`]), or `None` when every file was read.
pub fn unread_note(unread_files: usize) -> Option<String> {
    (unread_files > 0).then(|| {
        let (files, them) = if unread_files == 1 {
            ("1 matrix file was".to_string(), "it")
        } else {
            (format!("{unread_files} matrix files were"), "them")
        };
        format!(
            "note: {files} not read (see above), so the checks that need the whole \
             matrix were skipped (references, required sections, unused entries, \
             severity ranks, ids in routing tests); fix {them} and run again"
        )
    })
}

/// The closing summary line.
pub fn summary(matrix: &Matrix, files: usize, findings: &[Finding]) -> String {
    let (errors, warnings) = counts(findings);
    // Without a manifest (missing, or in a file that could not be read) there
    // is no name or version to show; `Matrix::version`'s 0.0.0 would read as one.
    let what = format!(
        "{} ({files} file{})",
        matrix.manifest.as_ref().map_or_else(
            || "matrix without a manifest".to_string(),
            |m| format!("{} {}", m.name, m.version.value)
        ),
        if files == 1 { "" } else { "s" }
    );
    match (errors, warnings) {
        (0, 0) => format!("{what}: valid"),
        (0, w) => format!("{what}: valid with {w} warning{}", plural(w)),
        (e, w) => format!("{what}: {e} error{}, {w} warning{}", plural(e), plural(w)),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
