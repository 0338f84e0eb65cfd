//! Diff reports (human, JSON, Markdown, GitHub annotations) and change logs.
//!
//! Every output is deterministic: changes come sorted (see [`super::sort`])
//! and the only dates are commit dates.

use super::git::CommitNote;
use super::{Change, ChangeKind, CommitInfo, Level, MatrixVersion, Report, Section};
use serde::Serialize;
use std::fmt::Write as _;

/// Output formats of `diff`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One line per change, grouped by level.
    Human,
    /// One JSON document.
    Json,
    /// A Markdown table, for a pull request comment.
    Markdown,
    /// GitHub Actions annotations.
    Github,
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn counts_line(report: &Report) -> String {
    let (breaking, notable, info) = report.counts();
    format!("{breaking} breaking, {notable} notable, {info} info")
}

fn impact_line(report: &Report) -> Option<String> {
    if report.cases == 0 {
        return None;
    }
    let changed = report
        .changes
        .iter()
        .filter(|c| c.kind == ChangeKind::RoutingImpact)
        .count();
    Some(format!(
        "{changed} of {} {}",
        plural(report.cases, "test case", "test cases"),
        if changed == 1 {
            "routes differently"
        } else {
            "route differently"
        }
    ))
}

fn version_text(report: &Report) -> String {
    if report.old_version == report.new_version {
        format!("version {}", report.new_version)
    } else {
        format!("version {} -> {}", report.old_version, report.new_version)
    }
}

/// One line per change, most serious first, grouped by level.
pub fn human(report: &Report) -> String {
    let mut out = format!(
        "Matrix {} -> {} ({})\n",
        report.old_label,
        report.new_label,
        version_text(report)
    );
    if report.changes.is_empty() {
        out.push_str("No changes.\n");
        if let Some(line) = impact_line(report) {
            let _ = writeln!(out, "{line}.");
        }
        return out;
    }
    let mut summary = counts_line(report);
    if let Some(line) = impact_line(report) {
        let _ = write!(summary, "; {line}");
    }
    let _ = writeln!(out, "{summary}");
    let width = report
        .changes
        .iter()
        .map(|c| c.kind.name().len())
        .max()
        .unwrap_or(0);
    for level in Level::ALL {
        let changes: Vec<&Change> = report.changes.iter().filter(|c| c.level == level).collect();
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{level}");
        for c in changes {
            let _ = writeln!(out, "  {:<width$}  {}: {}", c.kind.name(), c.path, c.detail);
        }
    }
    out
}

#[derive(Serialize)]
struct JsonSide<'a> {
    label: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    commit: Option<&'a CommitInfo>,
}

#[derive(Serialize)]
struct JsonSummary {
    breaking: usize,
    notable: usize,
    info: usize,
    cases: usize,
    cases_changed: usize,
    required_bump: Option<&'static str>,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    old: JsonSide<'a>,
    new: JsonSide<'a>,
    summary: JsonSummary,
    changes: &'a [Change],
}

/// One JSON document: both sides, counts and every change.
pub fn json(report: &Report) -> String {
    let (breaking, notable, info) = report.counts();
    let doc = JsonReport {
        old: JsonSide {
            label: &report.old_label,
            version: &report.old_version,
            commit: report.old_commit.as_ref(),
        },
        new: JsonSide {
            label: &report.new_label,
            version: &report.new_version,
            commit: report.new_commit.as_ref(),
        },
        summary: JsonSummary {
            breaking,
            notable,
            info,
            cases: report.cases,
            cases_changed: report
                .changes
                .iter()
                .filter(|c| c.kind == ChangeKind::RoutingImpact)
                .count(),
            required_bump: super::highest_level(&report.changes).map(Level::required_bump),
        },
        changes: &report.changes,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
        .replace('\n', " ")
        .replace('<', "&lt;")
}

/// A Markdown table, for a pull request comment.
pub fn markdown(report: &Report) -> String {
    let mut out = format!(
        "### Matrix changes: {} → {}\n\n",
        cell(&report.old_label),
        cell(&report.new_label)
    );
    let (breaking, _, _) = report.counts();
    let counts = if breaking > 0 {
        counts_line(report).replacen(
            &format!("{breaking} breaking"),
            &format!("**{breaking} breaking**"),
            1,
        )
    } else {
        counts_line(report)
    };
    let mut summary = vec![version_text(report).replace("->", "→"), counts];
    summary.extend(impact_line(report));
    let _ = writeln!(out, "{}\n", summary.join(" · "));
    if report.changes.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    out.push_str("| Level | Kind | Entry | Change |\n|---|---|---|---|\n");
    for c in &report.changes {
        let level = if c.level == Level::Breaking {
            format!("**{}**", c.level)
        } else {
            c.level.to_string()
        };
        let _ = writeln!(
            out,
            "| {level} | `{}` | `{}` | {} |",
            c.kind,
            cell(&c.path),
            cell(&c.detail)
        );
    }
    out
}

/// GitHub Actions annotations: breaking changes as errors, notable as
/// warnings, the rest as notices, on the line of the new version's entry.
pub fn github(report: &Report) -> String {
    let mut out = String::new();
    for c in &report.changes {
        let command = match c.level {
            Level::Breaking => "error",
            Level::Notable => "warning",
            Level::Info => "notice",
        };
        let mut props = Vec::new();
        if let Some(at) = &c.location {
            // `v1.4.0:matrix/tiers.toml` -> `matrix/tiers.toml`: annotations want repository paths.
            let file = at.file.split_once(':').map_or(at.file.as_str(), |(_, p)| p);
            props.push(format!(
                "file={}",
                crate::validate::github_escape(file, true)
            ));
            props.push(format!("line={}", at.line));
        }
        props.push(format!(
            "title={}",
            crate::validate::github_escape(&format!("{} ({})", c.kind, c.level), true)
        ));
        let message = format!("{}: {}\n{}", c.path, c.detail, c.summary);
        let _ = writeln!(
            out,
            "::{command} {}::{}",
            props.join(","),
            crate::validate::github_escape(&message, false)
        );
    }
    out
}

/// Every change kind with its level and description.
pub fn kinds() -> String {
    let width = ChangeKind::ALL
        .iter()
        .map(|k| k.name().len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    for kind in ChangeKind::ALL {
        let _ = writeln!(
            out,
            "{:<width$}  {:<8}  {}",
            kind.name(),
            kind.level().name(),
            kind.description()
        );
    }
    out
}

/// What a change log section needs besides the report.
#[derive(Debug, Clone, Default)]
pub struct Rationale<'a> {
    /// The commits of the range that touched the matrix, newest first;
    /// `None` when the versions are not both in git.
    pub commits: Option<&'a [CommitNote]>,
    /// Whether the new side has uncommitted changes.
    pub uncommitted: bool,
    /// Whether the repository is a shallow clone.
    pub shallow: bool,
}

/// Routing test cases listed in a change log section; `escalate diff` lists all.
const IMPACT_LIMIT: usize = 10;

fn sentence(text: &str) -> String {
    let text = text.trim().replace('<', "&lt;");
    if text.ends_with(['.', '!', '?']) {
        text
    } else {
        format!("{text}.")
    }
}

fn heading(version: &str, commit: Option<&CommitInfo>) -> String {
    match commit {
        Some(c) => format!("## {version} ({})", c.date),
        None => format!("## {version}"),
    }
}

/// The heading line a section for this report starts with.
pub fn section_heading(report: &Report) -> String {
    heading(&report.new_version, report.new_commit.as_ref())
}

fn rationale(out: &mut String, rationale: &Rationale<'_>) {
    out.push_str("\n### Rationale\n\n");
    let mut any = false;
    if rationale.uncommitted {
        out.push_str("- Uncommitted changes in the working tree (no commit message yet).\n");
        any = true;
    }
    match rationale.commits {
        None => {
            out.push_str("- The versions were compared as folders; there is no commit history.\n");
            return;
        }
        Some(commits) => {
            for c in commits {
                // Commit messages are free text: mask what must not be published.
                let subject = crate::redact::redact(&c.subject).text;
                let _ = writeln!(
                    out,
                    "- {} (`{}`, {}, {})",
                    sentence(&subject).trim_end_matches('.'),
                    c.short,
                    c.author,
                    c.date
                );
                if !c.body.is_empty() {
                    out.push('\n');
                    for line in c.body.lines() {
                        if line.trim().is_empty() {
                            out.push('\n');
                        } else {
                            let line = crate::redact::redact(line.trim_end()).text;
                            let _ = writeln!(out, "  {}", line.replace('<', "&lt;"));
                        }
                    }
                    out.push('\n');
                }
                any = true;
            }
        }
    }
    if !any {
        out.push_str("- No commit in this range changed the matrix.\n");
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    if rationale.shallow {
        out.push_str("\n_This is a shallow clone: older commits may be missing._\n");
    }
}

/// A change log section for people: the version heading, a summary line,
/// breaking changes first, then the other changes by kind of entity, then
/// the rationale.
pub fn changelog_section(report: &Report, why: &Rationale<'_>) -> String {
    let mut out = section_heading(report);
    out.push_str("\n\n");
    let changes: Vec<&Change> = report
        .changes
        .iter()
        .filter(|c| {
            !matches!(
                c.kind,
                ChangeKind::VersionChanged | ChangeKind::VersionBumpMissing
            )
        })
        .collect();
    let count = |level: Level| changes.iter().filter(|c| c.level == level).count();
    let (breaking, notable, info) = (
        count(Level::Breaking),
        count(Level::Notable),
        count(Level::Info),
    );
    if changes.is_empty() {
        let _ = writeln!(
            out,
            "No changes to the matrix since {}.",
            report.old_version
        );
    } else {
        let mut parts = Vec::new();
        if breaking > 0 {
            parts.push(plural(breaking, "breaking change", "breaking changes"));
        }
        if notable > 0 {
            parts.push(plural(notable, "notable change", "notable changes"));
        }
        if info > 0 {
            parts.push(plural(info, "minor change", "minor changes"));
        }
        let _ = writeln!(
            out,
            "Changes since {}: {}.",
            report.old_version,
            super::words::sentence(&parts)
        );
    }
    if breaking > 0 {
        out.push_str("\n### Breaking changes\n\n");
        for c in changes.iter().filter(|c| c.level == Level::Breaking) {
            let _ = writeln!(out, "- {}", sentence(&c.summary));
        }
    }
    for section in Section::ALL {
        let items: Vec<&&Change> = changes
            .iter()
            .filter(|c| c.section == section && c.level != Level::Breaking)
            .collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n### {}\n", section.title());
        let limit = if section == Section::Impact {
            IMPACT_LIMIT
        } else {
            usize::MAX
        };
        if section == Section::Impact {
            let _ = writeln!(
                out,
                "{} of {} routing tests now route differently.\n",
                items.len(),
                report.cases
            );
        }
        for c in items.iter().take(limit) {
            let _ = writeln!(out, "- {}", sentence(&c.summary));
        }
        if items.len() > limit {
            let _ = writeln!(
                out,
                "- And {} more (see `escalate diff`).",
                items.len() - limit
            );
        }
    }
    rationale(&mut out, why);
    out
}

/// The section of the first version: what the matrix holds.
pub fn changelog_initial(version: &MatrixVersion, why: &Rationale<'_>) -> String {
    let m = &version.matrix;
    let mut out = heading(version.version(), version.commit.as_ref());
    out.push_str("\n\n");
    let parts = [
        plural(m.severities.len(), "severity level", "severity levels"),
        plural(m.tiers.len(), "tier", "tiers"),
        plural(m.parties.len(), "team or contact", "teams and contacts"),
        plural(m.calendars.len(), "calendar", "calendars"),
        plural(
            m.dimensions.len(),
            "decision dimension",
            "decision dimensions",
        ),
        plural(m.rules.len(), "routing rule", "routing rules"),
        plural(m.scripts.len(), "script", "scripts"),
    ];
    let _ = writeln!(
        out,
        "First version of the matrix: {}.",
        super::words::sentence(&parts)
    );
    rationale(&mut out, why);
    out
}

/// A whole change log: a title and the sections, newest first.
pub fn changelog_document(name: &str, sections: &[String]) -> String {
    let mut out = format!("# Change log: {name}\n");
    for section in sections {
        out.push('\n');
        out.push_str(section);
    }
    out
}

/// Inserts a section into an existing change log: after a leading `# Title`
/// block (before the first `## ` heading), else at the top. The rest of the
/// text is kept byte for byte.
pub fn prepend(existing: &str, section: &str) -> String {
    let body = existing.strip_prefix('\u{feff}').unwrap_or(existing);
    let bom = &existing[..existing.len() - body.len()];
    if !body.starts_with("# ") {
        return format!("{bom}{section}\n{body}");
    }
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        if line.starts_with("## ") {
            let (head, rest) = body.split_at(offset);
            return format!("{bom}{head}{section}\n{rest}");
        }
        offset += line.len();
    }
    let separator = if body.ends_with("\n\n") {
        ""
    } else if body.ends_with('\n') {
        "\n"
    } else {
        "\n\n"
    };
    format!("{bom}{body}{separator}{section}")
}

/// Whether a change log already has a section with this heading line.
/// Sections are the same when their headings name the same version, with
/// or without a date after it (`## 2.0.1` and `## 2.0.1 (2026-12-03)`).
pub fn has_heading(existing: &str, heading: &str) -> bool {
    fn version(line: &str) -> Option<&str> {
        line.trim_end()
            .strip_prefix("## ")?
            .split_whitespace()
            .next()
    }
    let Some(wanted) = version(heading) else {
        return existing.lines().any(|l| l.trim_end() == heading);
    };
    existing.lines().any(|l| version(l) == Some(wanted))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_messages_in_the_rationale_are_redacted() {
        // Regression: a phone number and an email in a commit message were
        // published in the change log as written.
        let commits = [crate::diff::git::CommitNote {
            short: "abc1234".into(),
            author: "Robin".into(),
            date: "2026-12-03".into(),
            subject: "Security office phone now +49 30 5550 2222".into(),
            body: "Ask jane.doe@example.org for details.".into(),
        }];
        let mut out = String::new();
        rationale(
            &mut out,
            &Rationale {
                commits: Some(&commits),
                uncommitted: false,
                shallow: false,
            },
        );
        assert!(
            !out.contains("5550 2222") && !out.contains("jane.doe@example.org"),
            "{out}"
        );
        assert!(out.contains("[phone]") && out.contains("[email]"), "{out}");
    }

    #[test]
    fn a_section_for_the_same_version_is_found_with_or_without_a_date() {
        // Regression: `## 2.0.1` was prepended again above `## 2.0.1 (2026-12-03)`.
        let existing = "# Changes\n\n## 2.0.1 (2026-12-03)\n\n- Fix.\n";
        assert!(has_heading(existing, "## 2.0.1"));
        assert!(has_heading(existing, "## 2.0.1 (2026-12-04)"));
        assert!(!has_heading(existing, "## 2.0.10"));
    }

    #[test]
    fn prepend_keeps_the_rest() {
        let existing = "# Changes\n\nIntro.\n\n## 1.0.0\n\n- First.\n";
        let out = prepend(existing, "## 1.1.0\n\n- Second.\n");
        assert_eq!(
            out,
            "# Changes\n\nIntro.\n\n## 1.1.0\n\n- Second.\n\n## 1.0.0\n\n- First.\n"
        );
        assert!(out.ends_with(&existing["# Changes\n\nIntro.\n\n".len()..]));
        assert_eq!(
            prepend("## 1.0.0\n", "## 1.1.0\n"),
            "## 1.1.0\n\n## 1.0.0\n"
        );
        assert_eq!(prepend("# Title\n", "## 1.1.0\n"), "# Title\n\n## 1.1.0\n");
        assert!(has_heading(
            "# T\n\n## 1.1.0 (2026-01-01)\n",
            "## 1.1.0 (2026-01-01)"
        ));
    }
}
