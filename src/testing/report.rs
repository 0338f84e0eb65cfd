//! Test results as a test runner prints them: human, JSON, `JUnit` XML and
//! GitHub annotations. Every format ends with the same counts.

use super::CaseResult;
use quick_xml::Writer;
use quick_xml::events::BytesText;
use serde::Serialize;
use std::fmt::Write as _;

/// Output formats of `escalate test`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per case, details for failures, a summary line.
    Human,
    /// One JSON document.
    Json,
    /// `JUnit` XML, for CI systems that show test cases natively.
    Junit,
    /// GitHub Actions annotations for failures, then the summary line.
    Github,
}

/// `N passed, N failed`.
pub fn summary_line(results: &[CaseResult]) -> String {
    let passed = results.iter().filter(|r| r.passed).count();
    format!("{passed} passed, {} failed", results.len() - passed)
}

/// The explanation of an actual route, for failure output.
fn explanation(result: &CaseResult) -> String {
    let Some(route) = &result.route else {
        return String::new();
    };
    let mut out = String::new();
    let e = &route.explanation;
    if e.matched.is_empty() {
        let _ = writeln!(out, "    no rule matched: fallback route");
    }
    for m in &e.matched {
        let _ = writeln!(
            out,
            "    rule {} (precedence {}) matched {}",
            m.id,
            m.precedence,
            if m.words.is_empty() {
                m.dimensions.join(", ")
            } else {
                m.words
                    .iter()
                    .map(|w| format!("\"{w}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        );
    }
    for (dim, v) in &route.dimensions {
        let _ = writeln!(out, "    {dim} = {} ({})", v.level, v.source);
    }
    if let Some(t) = &e.tie_break {
        let _ = writeln!(out, "    tie-break: {t}");
    }
    out
}

fn failure_text(result: &CaseResult) -> String {
    let mut out = String::new();
    if let Some(error) = &result.error {
        let _ = writeln!(out, "    error: {error}");
        return out;
    }
    for d in &result.differences {
        let _ = writeln!(
            out,
            "    {}: expected {}, got {}",
            d.field, d.expected, d.actual
        );
    }
    out.push_str(&explanation(result));
    out
}

/// Human output.
pub fn human(results: &[CaseResult], coverage: Option<(usize, usize)>) -> String {
    let mut out = format!(
        "running {} routing test{}\n",
        results.len(),
        if results.len() == 1 { "" } else { "s" }
    );
    for r in results {
        let _ = writeln!(
            out,
            "test {} ... {}",
            r.id,
            if r.passed { "ok" } else { "FAILED" }
        );
    }
    let failed: Vec<&CaseResult> = results.iter().filter(|r| !r.passed).collect();
    if !failed.is_empty() {
        out.push_str("\nfailures:\n");
        for r in failed {
            let _ = writeln!(out, "\n  {} ({})", r.id, r.location);
            out.push_str(&failure_text(r));
        }
    }
    if let Some((exercised, total)) = coverage {
        let _ = writeln!(out, "\nrules exercised: {exercised}/{total}");
    }
    let _ = writeln!(out, "\n{}", summary_line(results));
    out
}

#[derive(Serialize)]
struct JsonCase<'a> {
    id: &'a str,
    location: &'a str,
    passed: bool,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    differences: &'a [super::Difference],
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    rules: Vec<String>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    passed: usize,
    failed: usize,
    cases: Vec<JsonCase<'a>>,
}

/// JSON output.
pub fn json(results: &[CaseResult]) -> String {
    let passed = results.iter().filter(|r| r.passed).count();
    let report = JsonReport {
        passed,
        failed: results.len() - passed,
        cases: results
            .iter()
            .map(|r| JsonCase {
                id: &r.id,
                location: &r.location,
                passed: r.passed,
                differences: &r.differences,
                error: r.error.as_deref(),
                rules: r.rules(),
            })
            .collect(),
    };
    serde_json::to_string_pretty(&report).unwrap_or_default() + "\n"
}

/// `JUnit` XML output (one `testsuite` named after the matrix).
pub fn junit(results: &[CaseResult], suite_name: &str) -> std::io::Result<String> {
    let failed = results.iter().filter(|r| !r.passed).count();
    let time: f64 = results.iter().map(|r| r.seconds).sum();
    let mut writer = Writer::new_with_indent(Vec::new(), b' ', 2);
    writer.write_event(quick_xml::events::Event::Decl(
        quick_xml::events::BytesDecl::new("1.0", Some("UTF-8"), None),
    ))?;
    let tests = results.len().to_string();
    let failures = failed.to_string();
    let total_time = format!("{time:.6}");
    writer
        .create_element("testsuites")
        .with_attribute(("name", "escalate test"))
        .with_attribute(("tests", tests.as_str()))
        .with_attribute(("failures", failures.as_str()))
        .write_inner_content(|w| {
            w.create_element("testsuite")
                .with_attribute(("name", suite_name))
                .with_attribute(("tests", tests.as_str()))
                .with_attribute(("failures", failures.as_str()))
                .with_attribute(("errors", "0"))
                .with_attribute(("skipped", "0"))
                .with_attribute(("time", total_time.as_str()))
                .write_inner_content(|w| {
                    for r in results {
                        let time = format!("{:.6}", r.seconds);
                        let case = w
                            .create_element("testcase")
                            .with_attribute(("name", r.id.as_str()))
                            .with_attribute(("classname", suite_name))
                            .with_attribute((
                                "file",
                                r.position.as_ref().map_or("", |p| p.0.as_str()),
                            ))
                            .with_attribute(("time", time.as_str()));
                        if r.passed {
                            case.write_empty()?;
                        } else {
                            let message = r.error.clone().unwrap_or_else(|| {
                                r.differences
                                    .iter()
                                    .map(|d| d.field.as_str())
                                    .collect::<Vec<_>>()
                                    .join(", ")
                                    + " differ"
                            });
                            let body = failure_text(r);
                            case.write_inner_content(|w| {
                                w.create_element("failure")
                                    .with_attribute(("message", message.as_str()))
                                    .with_attribute(("type", "route-mismatch"))
                                    .write_text_content(BytesText::new(&body))?;
                                Ok(())
                            })?;
                        }
                    }
                    Ok(())
                })?;
            Ok(())
        })?;
    let mut text = String::from_utf8(writer.into_inner()).map_err(std::io::Error::other)?;
    text.push('\n');
    Ok(text)
}

/// GitHub Actions annotations for failures, then the summary.
pub fn github(results: &[CaseResult]) -> String {
    let mut out = String::new();
    for r in results.iter().filter(|r| !r.passed) {
        let location = r
            .position
            .as_ref()
            .map(|(file, line)| {
                format!(
                    "file={},line={line},",
                    crate::validate::github_escape(file, true)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "::error {location}title={}::{}",
            crate::validate::github_escape(&format!("routing test {}", r.id), true),
            crate::validate::github_escape(failure_text(r).trim_end(), false)
        );
    }
    let _ = writeln!(out, "{}", summary_line(results));
    out
}
