#![allow(clippy::unwrap_used, clippy::expect_used)]
//! Every diagnostic code of `escalate validate`, each on a small broken matrix.
//!
//! A case copies the minimal valid matrix (`tests/fixtures/minimal/` in TOML,
//! `tests/fixtures/minimal-yaml/` in YAML) into a temporary folder and adds
//! or replaces files from `tests/fixtures/diagnostics/<code>/<variant>/`, or
//! writes them at test time (huge files, deep nesting, links, bad bytes).
//! It then runs the `escalate` binary in that folder with
//! `--matrix matrix`, so that paths in the output are stable, and:
//!
//! - checks that exactly the expected findings come out, each pointing at
//!   the expected token (and, for duplicates, at the first place too);
//! - snapshots the human and the JSON output (`tests/snapshots/`);
//! - for a `toml[-x]` and `yaml[-x]` pair, checks that both give the same
//!   codes, messages, help and labels, at the same tokens of their own files.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

const NOW: &str = "2026-12-03T12:00:00Z";

/// Codes that belong to `escalate test` and are covered by its own tests.
const OTHER_FEATURE: &[&str] = &["test-file-invalid", "untested-rule"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn escalate(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.current_dir(dir)
        .env_remove("ESCALATE_MATRIX")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args(["--now", NOW, "--color", "never"])
        // A limit that does not hold shows up as a hang: fail instead.
        .timeout(Duration::from_secs(30));
    cmd
}

/// What one finding must look like.
#[derive(Debug, Clone, Copy)]
struct Expect {
    code: &'static str,
    /// File stem and the token the position points at; `None` for a finding
    /// about the matrix as a whole.
    at: Option<(&'static str, &'static str)>,
    /// Exact line and column, where the token says too little.
    line_col: Option<(u64, u64)>,
    /// The other place (file stem, token), for duplicates and shadowing.
    related: Option<(&'static str, &'static str)>,
}

const fn at(code: &'static str, file: &'static str, token: &'static str) -> Expect {
    Expect {
        code,
        at: Some((file, token)),
        line_col: None,
        related: None,
    }
}

const fn global(code: &'static str) -> Expect {
    Expect {
        code,
        at: None,
        line_col: None,
        related: None,
    }
}

impl Expect {
    const fn line_col(mut self, line: u64, column: u64) -> Self {
        self.line_col = Some((line, column));
        self
    }

    const fn related(mut self, file: &'static str, token: &'static str) -> Self {
        self.related = Some((file, token));
        self
    }
}

/// Writes extra files into the matrix folder; the argument is `toml` or `yaml`.
type Make = fn(&Path, &str);

/// One broken matrix per variant, all giving the same findings.
struct Case {
    code: &'static str,
    /// `toml…` variants start from the TOML base, `yaml…` from the YAML one.
    variants: &'static [&'static str],
    /// Writes the broken part at test time instead of reading a fixture.
    make: Option<Make>,
    expect: &'static [Expect],
    /// Exit code of `escalate validate`.
    exit: i32,
    /// Whether `toml[-x]` and `yaml[-x]` must give the same findings at the same tokens.
    paired: bool,
}

const fn fixture(
    code: &'static str,
    variants: &'static [&'static str],
    expect: &'static [Expect],
) -> Case {
    Case {
        code,
        variants,
        make: None,
        expect,
        exit: 1,
        paired: true,
    }
}

const BOTH: &[&str] = &["toml", "yaml"];

const CASES: &[Case] = &[
    // Reading files.
    Case {
        code: "unreadable-file",
        variants: &["toml"],
        make: Some(make_dangling_link),
        expect: &[global("unreadable-file")],
        exit: 2,
        paired: true,
    },
    Case {
        code: "no-matrix-files",
        variants: &["toml"],
        make: Some(make_no_matrix_files),
        // Nothing was read: the missing manifest, sections and fallback
        // would only repeat that.
        expect: &[global("no-matrix-files")],
        exit: 2,
        paired: true,
    },
    Case {
        code: "limit-exceeded",
        variants: &["toml-huge", "yaml-huge"],
        make: Some(make_huge_file),
        expect: &[global("limit-exceeded")],
        exit: 1,
        paired: true,
    },
    Case {
        code: "limit-exceeded",
        variants: &["toml-nested-tables"],
        make: Some(make_nested_tables),
        expect: &[at("limit-exceeded", "deep", "[ x1").line_col(1, 1)],
        exit: 1,
        paired: true,
    },
    Case {
        code: "limit-exceeded",
        variants: &["toml-nested-lists", "yaml-nested-lists"],
        make: Some(make_nested_lists),
        // Each parser stops at its own depth (TOML 80, YAML about 250), inside the brackets.
        expect: &[at("limit-exceeded", "deep", "[ x…")],
        exit: 1,
        paired: false,
    },
    Case {
        code: "limit-exceeded",
        variants: &["toml-just-too-deep", "yaml-just-too-deep"],
        make: Some(make_just_too_deep),
        // The 64th bracket, in both formats.
        expect: &[at("limit-exceeded", "deep", "[ x6")],
        exit: 1,
        paired: true,
    },
    Case {
        code: "limit-exceeded",
        variants: &["yaml-alias-bomb"],
        make: Some(make_alias_bomb),
        // Stops at the alias that crosses the limit, long before the last line.
        expect: &[at("limit-exceeded", "bomb", "*a3")],
        exit: 1,
        paired: true,
    },
    Case {
        code: "invalid-encoding",
        variants: BOTH,
        make: Some(make_invalid_utf8),
        // Points at the bad byte (shown as U+FFFD here).
        expect: &[at("invalid-encoding", "broken", "\u{fffd} owner")],
        exit: 1,
        paired: true,
    },
    Case {
        code: "outside-matrix",
        variants: &["toml"],
        make: Some(make_outside_links),
        expect: &[global("outside-matrix"), global("outside-matrix")],
        exit: 1,
        paired: true,
    },
    // Parsing.
    fixture(
        "syntax-error",
        &["toml"],
        &[at("syntax-error", "broken", "").line_col(3, 49)],
    ),
    fixture(
        "syntax-error",
        &["yaml"],
        &[at("syntax-error", "broken", "").line_col(6, 9)],
    ),
    fixture(
        "syntax-error",
        &["yaml-tabs"],
        &[at("syntax-error", "broken", "\tname").line_col(5, 1)],
    ),
    fixture(
        "duplicate-key",
        BOTH,
        &[at("duplicate-key", "broken", "tier").related("broken", "tier")],
    ),
    fixture(
        "duplicate-key",
        &["toml-table"],
        &[at("duplicate-key", "fallback", "fallback").related("fallback", "fallback")],
    ),
    fixture(
        "unknown-key",
        BOTH,
        &[
            at("unknown-key", "broken", "precedense"),
            at("unknown-key", "broken", "rules"),
        ],
    ),
    fixture("wrong-type", BOTH, &[at("wrong-type", "broken", "high")]),
    fixture(
        "wrong-type",
        &["toml-boolean", "yaml-boolean"],
        // The calendar cannot be read; the severity's reference to it is not
        // reported again as unknown (regression: one mistake used to cascade).
        &[at("wrong-type", "calendars", "yes")],
    ),
    // Ids and references.
    fixture(
        "invalid-id",
        BOTH,
        &[at("invalid-id", "broken", "Password_Reset")],
    ),
    fixture(
        "duplicate-id",
        BOTH,
        &[
            at("duplicate-id", "broken", "password-reset").related("broken", "password-reset"),
            at("duplicate-id", "tiers", "tier1").related("broken", "tier1"),
        ],
    ),
    fixture(
        "unknown-reference",
        BOTH,
        &[at("unknown-reference", "broken", "tier-1")],
    ),
    // Required parts.
    fixture(
        "missing-manifest",
        BOTH,
        // Without a manifest nothing names the sponsor any more.
        &[
            global("missing-manifest"),
            at("unused-entity", "people", "exec-sponsor"),
        ],
    ),
    fixture(
        "missing-section",
        BOTH,
        // The fallback names a severity, and nothing uses the calendar any more.
        &[
            global("missing-section"),
            at("unknown-reference", "fallback", "sev1"),
            at("unused-entity", "calendars", "office-hours"),
        ],
    ),
    fixture("missing-fallback", BOTH, &[global("missing-fallback")]),
    fixture(
        "duplicate-singleton",
        BOTH,
        &[at("duplicate-singleton", "other-fallback", "fallback").related("fallback", "tier1")],
    ),
    // Values.
    fixture(
        "invalid-version",
        BOTH,
        &[at("invalid-version", "manifest", "1.0")],
    ),
    fixture(
        "invalid-date",
        BOTH,
        &[at("invalid-date", "manifest", "2026-11-31")],
    ),
    fixture(
        "invalid-time-zone",
        BOTH,
        &[at("invalid-time-zone", "manifest", "Europe/Berlim")],
    ),
    fixture(
        "invalid-duration",
        BOTH,
        &[
            at("invalid-duration", "severities", "90"),
            at("invalid-duration", "severities", "2d"),
        ],
    ),
    fixture(
        "zero-duration",
        BOTH,
        &[at("zero-duration", "severities", "0m")],
    ),
    // Targets and escalation.
    fixture(
        "target-order",
        BOTH,
        &[at("target-order", "severities", "30m")],
    ),
    fixture(
        "target-inversion",
        BOTH,
        &[at("target-inversion", "severities", "1h")],
    ),
    fixture("severity-rank", BOTH, &[at("severity-rank", "sev3", "3")]),
    fixture(
        "escalation-too-late",
        BOTH,
        &[at("escalation-too-late", "severities", "1h30m")],
    ),
    fixture(
        "escalation-cycle",
        BOTH,
        &[at("escalation-cycle", "more-tiers", "tier2")],
    ),
    fixture(
        "missing-backup",
        BOTH,
        &[
            at("missing-backup", "more-tiers", "tier2"),
            at("missing-backup", "more-tiers", "support-team"),
        ],
    ),
    // Calendars.
    fixture(
        "invalid-window",
        BOTH,
        &[at("invalid-window", "calendars", "09:00")],
    ),
    fixture(
        "no-working-time",
        BOTH,
        &[at("no-working-time", "calendars", "office-hours")],
    ),
    // Rules, decisions and scripts.
    fixture(
        "invalid-regex",
        BOTH,
        &[at("invalid-regex", "rules", "password (reset|change")],
    ),
    fixture(
        "invalid-comparison",
        BOTH,
        &[at("invalid-comparison", "decisions", "at least everyone")],
    ),
    fixture("empty-phrase", BOTH, &[at("empty-phrase", "rules", "?!")]),
    fixture(
        "rule-without-condition",
        BOTH,
        &[at("rule-without-condition", "rules", "everything")],
    ),
    fixture(
        "unknown-placeholder",
        BOTH,
        &[at("unknown-placeholder", "scripts", "{requester}")],
    ),
    Case {
        exit: 0,
        ..fixture(
            "shadowed-rule",
            BOTH,
            &[at("shadowed-rule", "rules", "password-reset").related("rules", "sign-in")],
        )
    },
    // People.
    fixture(
        "unknown-channel",
        BOTH,
        &[at("unknown-channel", "people", "fax")],
    ),
    fixture(
        "contact-without-channel",
        BOTH,
        &[at("contact-without-channel", "people", "exec-sponsor")],
    ),
    // Reviews and housekeeping (warnings: exit 0).
    Case {
        exit: 0,
        ..fixture(
            "review-overdue",
            BOTH,
            &[at("review-overdue", "manifest", "2026-06-01")],
        )
    },
    Case {
        exit: 0,
        ..fixture(
            "contact-stale",
            BOTH,
            &[
                at("contact-stale", "people", "backup-person"),
                at("contact-stale", "people", "2025-06-30"),
            ],
        )
    },
    Case {
        exit: 0,
        ..fixture(
            "unused-entity",
            BOTH,
            &[
                at("unused-entity", "extras", "weekend-hours"),
                at("unused-entity", "extras", "password-help"),
                at("unused-entity", "extras", "former-colleague"),
            ],
        )
    },
];

// ------------------------------------------------------------ broken parts made at test time

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::write(path, bytes).unwrap();
}

#[cfg(unix)]
fn make_dangling_link(dir: &Path, ext: &str) {
    std::os::unix::fs::symlink(format!("missing.{ext}"), dir.join(format!("broken.{ext}")))
        .unwrap();
}

#[cfg(not(unix))]
fn make_dangling_link(_: &Path, _: &str) {}

fn make_no_matrix_files(dir: &Path, _: &str) {
    for entry in std::fs::read_dir(dir).unwrap() {
        std::fs::remove_file(entry.unwrap().path()).unwrap();
    }
    write(&dir.join("README.md"), "The matrix lives elsewhere.\n");
}

/// A 40 MiB file: refused by its size, before it is read (it is sparse).
fn make_huge_file(dir: &Path, ext: &str) {
    let file = std::fs::File::create(dir.join(format!("huge.{ext}"))).unwrap();
    file.set_len(40 * 1024 * 1024).unwrap();
}

/// 10,000 nested tables in one header.
fn make_nested_tables(dir: &Path, _: &str) {
    write(
        &dir.join("deep.toml"),
        format!("[{}]\nx = 1\n", vec!["a"; 10_000].join(".")),
    );
}

/// A list in a list, 10,000 deep, one bracket a line.
fn make_nested_lists(dir: &Path, ext: &str) {
    let sep = if ext == "toml" { " =" } else { ":" };
    let text = format!(
        "deep{sep} [\n{} 1\n{}",
        " [\n".repeat(9_999),
        " ]\n".repeat(10_000)
    );
    write(&dir.join(format!("deep.{ext}")), text);
}

/// 70 levels: below what the parsers allow, above what a matrix may use.
fn make_just_too_deep(dir: &Path, ext: &str) {
    let sep = if ext == "toml" { " =" } else { ":" };
    let text = format!("deep{sep} {}1{}\n", "[".repeat(69), "]".repeat(69));
    write(&dir.join(format!("deep.{ext}")), text);
}

/// The billion laughs: nine levels of ten aliases each.
fn make_alias_bomb(dir: &Path, _: &str) {
    let mut text = String::from("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..9 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        writeln!(text, "a{i}: &a{i} [{refs}]").unwrap();
    }
    write(&dir.join("bomb.yaml"), text);
}

/// Latin-1 bytes in an otherwise valid file.
fn make_invalid_utf8(dir: &Path, ext: &str) {
    let text: &[u8] = if ext == "toml" {
        b"[[contact]]\nid = \"cafe-owner\"\nname = \"Caf\xe9 owner\"\n"
    } else {
        b"contact:\n  - id: cafe-owner\n    name: Caf\xe9 owner\n"
    };
    write(&dir.join(format!("broken.{ext}")), text);
}

/// A file and a folder linked from outside the matrix folder.
#[cfg(unix)]
fn make_outside_links(dir: &Path, ext: &str) {
    let elsewhere = dir.parent().unwrap().join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    write(
        &elsewhere.join(format!("shared.{ext}")),
        "# not part of the matrix\n",
    );
    std::os::unix::fs::symlink(
        format!("../elsewhere/shared.{ext}"),
        dir.join(format!("shared.{ext}")),
    )
    .unwrap();
    std::os::unix::fs::symlink("../elsewhere", dir.join("more")).unwrap();
}

#[cfg(not(unix))]
fn make_outside_links(_: &Path, _: &str) {}

// ------------------------------------------------------------ running a case

/// `toml` or `yaml`: the format a variant is written in.
fn format_of(variant: &str) -> &'static str {
    if variant.starts_with("yaml") {
        "yaml"
    } else {
        "toml"
    }
}

fn copy_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

/// A temporary folder holding `matrix/`: the minimal matrix plus the case's broken part.
fn build(case: &Case, variant: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let matrix = tmp.path().join("matrix");
    std::fs::create_dir(&matrix).unwrap();
    let base = if format_of(variant) == "yaml" {
        "minimal-yaml"
    } else {
        "minimal"
    };
    copy_files(&fixtures().join(base), &matrix);
    match case.make {
        Some(make) => make(&matrix, format_of(variant)),
        None => copy_files(
            &fixtures().join("diagnostics").join(case.code).join(variant),
            &matrix,
        ),
    }
    tmp
}

/// Runs `escalate validate` with a format; returns the exit code and standard output.
fn validate(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = escalate(dir)
        .arg("validate")
        .args(["--matrix", "matrix"])
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "unexpected standard error: {stderr}");
    (out.status.code().unwrap(), stdout)
}

/// The text a finding points at: the rest of its line, one opening quote
/// dropped, up to the end of the token (a closing quote, `=`, `:`, `,`, `]`
/// or `}`; a colon only before a space, so `17:30` stays whole). A `{placeholder}` keeps its braces; a run of opening brackets
/// is written `[ xN`.
fn token_at(dir: &Path, file: &str, line: u64, column: u64) -> String {
    let text = std::fs::read(dir.join(file)).unwrap();
    let text = String::from_utf8_lossy(&text);
    let line = text
        .split('\n')
        .nth(usize::try_from(line).unwrap() - 1)
        .unwrap_or("");
    let rest: String = line
        .chars()
        .skip(usize::try_from(column).unwrap() - 1)
        .collect();
    if rest.starts_with('{') {
        return rest
            .find('}')
            .map_or(rest.clone(), |i| rest[..=i].to_string());
    }
    if rest.starts_with('[') {
        return format!("[ x{}", rest.chars().take_while(|c| *c == '[').count());
    }
    let rest = rest.strip_prefix(['"', '\'']).unwrap_or(&rest);
    let mut token = String::new();
    let mut chars = rest.chars().peekable();
    while let Some(c) = chars.next() {
        let key_end = c == ':' && chars.peek().is_none_or(|n| n.is_whitespace());
        if key_end || matches!(c, '"' | '\'' | '=' | ',' | ']' | '}') {
            break;
        }
        token.push(c);
    }
    token.trim_end().to_string()
}

/// Whether a token is the expected one; `…` at the end of the expected token
/// accepts any rest.
fn token_matches(expected: &str, actual: &str) -> bool {
    match expected.strip_suffix('…') {
        Some(prefix) => actual.starts_with(prefix),
        None => expected == actual,
    }
}

/// A finding of the JSON report, with the token it points at.
#[derive(Debug, Clone)]
struct Seen {
    code: String,
    severity: String,
    message: String,
    help: Option<String>,
    /// File stem (`broken` for `matrix/broken.toml`).
    file: Option<String>,
    token: Option<String>,
    line: Option<u64>,
    column: Option<u64>,
    related: Vec<SeenRelated>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct SeenRelated {
    file: String,
    token: String,
    label: String,
    line: u64,
}

fn stem(path: &str) -> String {
    Path::new(path)
        .file_stem()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

fn text(value: &Value) -> Option<String> {
    value.as_str().map(str::to_string)
}

fn seen(dir: &Path, report: &Value) -> Vec<Seen> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let file = text(&f["file"]);
            let (line, column) = (f["line"].as_u64(), f["column"].as_u64());
            let token = match (&file, line, column) {
                (Some(file), Some(line), Some(column)) => Some(token_at(dir, file, line, column)),
                _ => None,
            };
            let related = f["related"]
                .as_array()
                .map(|items| {
                    items
                        .iter()
                        .map(|r| {
                            let file = r["file"].as_str().unwrap();
                            let line = r["line"].as_u64().unwrap();
                            SeenRelated {
                                file: stem(file),
                                token: token_at(dir, file, line, r["column"].as_u64().unwrap()),
                                label: text(&r["label"]).unwrap(),
                                line,
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            Seen {
                code: text(&f["code"]).unwrap(),
                severity: text(&f["severity"]).unwrap(),
                message: text(&f["message"]).unwrap(),
                help: text(&f["help"]),
                file: file.as_deref().map(stem),
                token,
                line,
                column,
                related,
            }
        })
        .collect()
}

fn matches(expect: &Expect, seen: &Seen) -> bool {
    expect.code == seen.code
        && match expect.at {
            None => seen.file.is_none(),
            Some((file, token)) => {
                seen.file.as_deref() == Some(file)
                    && token_matches(token, seen.token.as_deref().unwrap_or(""))
            }
        }
        && expect
            .line_col
            .is_none_or(|(line, column)| seen.line == Some(line) && seen.column == Some(column))
        && expect.related.is_none_or(|(file, token)| {
            seen.related
                .iter()
                .any(|r| r.file == file && token_matches(token, &r.token))
        })
}

/// Exactly the expected findings, each matched once.
fn check_expected(label: &str, expect: &[Expect], seen: &[Seen], human: &str) {
    let mut left: Vec<&Seen> = seen.iter().collect();
    for e in expect {
        match left.iter().position(|s| matches(e, s)) {
            Some(i) => {
                left.remove(i);
            }
            None => panic!("{label}: no finding matches {e:?}\nfindings: {seen:#?}\n{human}"),
        }
    }
    assert!(
        left.is_empty(),
        "{label}: unexpected findings {left:#?}\n{human}"
    );
    for s in seen {
        // Severity follows the code.
        let warning = [
            "review-overdue",
            "contact-stale",
            "unused-entity",
            "shadowed-rule",
        ]
        .contains(&s.code.as_str());
        assert_eq!(
            s.severity,
            if warning { "warning" } else { "error" },
            "{label}: {s:?}"
        );
        // A duplicate points at the second place and names the first, earlier one.
        for r in &s.related {
            if s.code.starts_with("duplicate-") && Some(&r.file) == s.file.as_ref() {
                assert!(
                    r.line < s.line.unwrap(),
                    "{label}: the first place comes first: {s:?}"
                );
            }
        }
    }
}

/// What a TOML finding and its YAML twin must share: everything but line and column.
type Shared = (
    String,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Vec<(String, String, String)>,
);

fn shared(seen: &[Seen]) -> Vec<Shared> {
    let mut out: Vec<Shared> = seen
        .iter()
        .map(|s| {
            (
                s.code.clone(),
                s.severity.clone(),
                // A message may name its own file.
                s.message.replace(".yaml", ".toml"),
                s.help.clone(),
                s.file.clone(),
                s.token.clone(),
                s.related
                    .iter()
                    .map(|r| (r.file.clone(), r.token.clone(), r.label.clone()))
                    .collect(),
            )
        })
        .collect();
    out.sort();
    out
}

/// A line of at most 160 characters, for snapshots.
fn shorten(line: &str) -> String {
    let count = line.chars().count();
    if count <= 160 {
        return line.to_string();
    }
    let start: String = line.chars().take(100).collect();
    format!("{start}… ({count} characters)")
}

fn run_code(code: &str) {
    let cases: Vec<&Case> = CASES.iter().filter(|c| c.code == code).collect();
    assert!(!cases.is_empty(), "no case for {code}");
    for case in cases {
        let mut by_variant: Vec<(&str, Vec<Seen>)> = Vec::new();
        for variant in case.variants {
            let label = format!("{code}/{variant}");
            let tmp = build(case, variant);
            let (exit, json) = validate(tmp.path(), &["--format", "json"]);
            let (human_exit, human) = validate(tmp.path(), &["--format", "human"]);
            assert_eq!(exit, case.exit, "{label}: exit code\n{human}");
            assert_eq!(
                human_exit, exit,
                "{label}: the format changes the exit code"
            );
            let report: Value = serde_json::from_str(&json).unwrap();
            let found = seen(tmp.path(), &report);
            check_expected(&label, case.expect, &found, &human);
            // Source lines of 10,000 brackets say nothing more than their start.
            let human: String = human.lines().map(|l| shorten(l) + "\n").collect();
            let fixture = match case.make {
                Some(_) => "made by the test".to_string(),
                None => format!("tests/fixtures/diagnostics/{code}/{variant}"),
            };
            insta::with_settings!({
                description => format!("escalate validate on the minimal matrix plus {fixture}"),
                omit_expression => true,
            }, {
                insta::assert_snapshot!(
                    format!("{code}-{variant}"),
                    format!("exit code: {exit}\n\n--- human ---\n{human}\n--- json ---\n{json}")
                );
            });
            by_variant.push((variant, found));
        }
        for (variant, toml) in by_variant.iter().filter(|_| case.paired) {
            let Some(suffix) = variant.strip_prefix("toml") else {
                continue;
            };
            let twin = format!("yaml{suffix}");
            if let Some((_, yaml)) = by_variant.iter().find(|(v, _)| *v == twin) {
                assert_eq!(
                    shared(toml),
                    shared(yaml),
                    "{code}: {variant} and {twin} differ"
                );
            }
        }
    }
}

macro_rules! code_tests {
    ($($name:ident => $code:literal,)*) => {
        $(
            #[test]
            fn $name() {
                run_code($code);
            }
        )*

        /// Codes with a test above (plus the link cases below).
        const TESTED: &[&str] = &[$($code,)* "unreadable-file", "outside-matrix"];
    };
}

code_tests! {
    no_matrix_files => "no-matrix-files",
    limit_exceeded => "limit-exceeded",
    invalid_encoding => "invalid-encoding",
    syntax_error => "syntax-error",
    duplicate_key => "duplicate-key",
    unknown_key => "unknown-key",
    wrong_type => "wrong-type",
    invalid_id => "invalid-id",
    duplicate_id => "duplicate-id",
    unknown_reference => "unknown-reference",
    missing_manifest => "missing-manifest",
    missing_section => "missing-section",
    missing_fallback => "missing-fallback",
    duplicate_singleton => "duplicate-singleton",
    invalid_version => "invalid-version",
    invalid_date => "invalid-date",
    invalid_time_zone => "invalid-time-zone",
    invalid_duration => "invalid-duration",
    zero_duration => "zero-duration",
    target_order => "target-order",
    target_inversion => "target-inversion",
    severity_rank => "severity-rank",
    escalation_too_late => "escalation-too-late",
    escalation_cycle => "escalation-cycle",
    missing_backup => "missing-backup",
    invalid_window => "invalid-window",
    no_working_time => "no-working-time",
    invalid_regex => "invalid-regex",
    invalid_comparison => "invalid-comparison",
    empty_phrase => "empty-phrase",
    rule_without_condition => "rule-without-condition",
    unknown_placeholder => "unknown-placeholder",
    unknown_channel => "unknown-channel",
    contact_without_channel => "contact-without-channel",
    shadowed_rule => "shadowed-rule",
    review_overdue => "review-overdue",
    contact_stale => "contact-stale",
    unused_entity => "unused-entity",
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    run_code("unreadable-file");
}

#[cfg(unix)]
#[test]
fn outside_matrix() {
    run_code("outside-matrix");
}

// ------------------------------------------------------------ the code list

fn code_names() -> Vec<&'static str> {
    escalate::validate::diagnostic::Code::ALL
        .iter()
        .map(|c| c.name())
        .collect()
}

#[test]
fn every_code_has_a_case_except_the_test_runners() {
    for name in code_names() {
        if OTHER_FEATURE.contains(&name) {
            assert!(!TESTED.contains(&name), "{name} belongs to `escalate test`");
            continue;
        }
        assert!(TESTED.contains(&name), "no test for {name}");
        assert!(
            CASES
                .iter()
                .any(|c| c.code == name && c.expect.iter().any(|e| e.code == name)),
            "no case expects {name}"
        );
    }
    for name in TESTED {
        assert!(code_names().contains(name), "{name} is not a code");
    }
}

#[test]
fn every_fixture_belongs_to_a_case() {
    let root = fixtures().join("diagnostics");
    let mut used = BTreeSet::new();
    for case in CASES.iter().filter(|c| c.make.is_none()) {
        for variant in case.variants {
            let dir = root.join(case.code).join(variant);
            assert!(dir.is_dir(), "missing fixture {}", dir.display());
            used.insert(dir);
        }
    }
    for code in std::fs::read_dir(&root).unwrap() {
        for variant in std::fs::read_dir(code.unwrap().path()).unwrap() {
            let dir = variant.unwrap().path();
            assert!(
                used.contains(&dir),
                "fixture {} is not used by any case",
                dir.display()
            );
        }
    }
}

#[test]
fn code_names_are_unique_kebab_case_and_listed() {
    let names = code_names();
    let unique: BTreeSet<_> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "duplicate code names");
    for name in &names {
        let kebab = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && !name.starts_with('-')
            && !name.ends_with('-')
            && !name.contains("--");
        assert!(kebab, "{name} is not kebab-case");
    }
    let out = escalate(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(["validate", "--list-codes"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let listed: Vec<String> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect();
    assert_eq!(listed, names, "--list-codes lists every code, in order");
}

// ------------------------------------------------------------ exit codes and formats

#[test]
fn the_shipped_matrix_is_valid() {
    let (exit, out) = validate(Path::new(env!("CARGO_MANIFEST_DIR")), &["--format", "json"]);
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["errors"], 0, "{out}");
    assert_eq!(exit, 0);
}

#[test]
fn findings_exit_1() {
    let case = CASES.iter().find(|c| c.code == "invalid-id").unwrap();
    let tmp = build(case, "toml");
    assert_eq!(validate(tmp.path(), &[]).0, 1);
}

#[test]
fn a_path_that_does_not_exist_exits_2() {
    let tmp = tempfile::tempdir().unwrap();
    let out = escalate(tmp.path())
        .args(["validate", "--matrix", "no-such-folder"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "escalate: cannot read matrix at no-such-folder: No such file or directory (os error 2)\n"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn deny_warnings_turns_warnings_into_exit_1() {
    let case = CASES.iter().find(|c| c.code == "review-overdue").unwrap();
    let tmp = build(case, "toml");
    assert_eq!(validate(tmp.path(), &[]).0, 0);
    assert_eq!(validate(tmp.path(), &["--deny-warnings"]).0, 1);
    let valid = tempfile::tempdir().unwrap();
    std::fs::create_dir(valid.path().join("matrix")).unwrap();
    copy_files(&fixtures().join("minimal"), &valid.path().join("matrix"));
    assert_eq!(validate(valid.path(), &["--deny-warnings"]).0, 0);
}

#[test]
fn github_format_annotates_each_finding_with_its_place() {
    let case = CASES.iter().find(|c| c.code == "duplicate-id").unwrap();
    let tmp = build(case, "yaml");
    let (exit, out) = validate(tmp.path(), &["--format", "github"]);
    assert_eq!(exit, 1);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    for line in lines {
        assert!(line.starts_with("::error file="), "{line}");
        assert!(line.contains(",line=") && line.contains(",col="), "{line}");
        assert!(line.contains("title=duplicate-id::"), "{line}");
    }
    insta::assert_snapshot!("github-duplicate-id", out);
}

// ------------------------------------------------------------ the minimal matrices and YAML traps

fn load(
    dir: &Path,
) -> (
    escalate::matrix::Matrix,
    Vec<escalate::validate::diagnostic::Finding>,
) {
    let (matrix, mut findings) = escalate::matrix::load_path(dir).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    findings.extend(escalate::validate::checks::check(&matrix, today).findings);
    (matrix, findings)
}

#[test]
fn the_minimal_matrices_are_valid_and_mean_the_same() {
    let (toml, toml_findings) = load(&fixtures().join("minimal"));
    let (yaml, yaml_findings) = load(&fixtures().join("minimal-yaml"));
    assert!(toml_findings.is_empty(), "{toml_findings:#?}");
    assert!(yaml_findings.is_empty(), "{yaml_findings:#?}");
    assert_eq!(
        serde_json::to_value(&toml).unwrap(),
        serde_json::to_value(&yaml).unwrap()
    );
}

#[test]
fn yaml_words_and_times_that_look_like_booleans_or_numbers_stay_text() {
    let tmp = tempfile::tempdir().unwrap();
    copy_files(&fixtures().join("minimal-yaml"), tmp.path());
    write(
        &tmp.path().join("tiers.yaml"),
        "tier:\n  - id: tier1\n    name: NO\n    scope: [yes, on, off, No, 0800]\n    when_to_escalate: off\n    owner: support-team\n    backup: backup-person\n",
    );
    write(
        &tmp.path().join("calendars.yaml"),
        "calendar:\n  - id: office-hours\n    name: on\n    time_zone: Europe/Berlin\n    window:\n      - days: [mon-fri]\n        start: 08:30\n        end: 17:30\n",
    );
    let (matrix, findings) = load(tmp.path());
    assert!(findings.is_empty(), "{findings:#?}");
    let tier = matrix.tier("tier1").unwrap();
    assert_eq!(tier.name, "NO");
    assert_eq!(tier.scope, ["yes", "on", "off", "No", "0800"]);
    assert_eq!(tier.when_to_escalate, "off");
    let calendar = matrix.calendar("office-hours").unwrap();
    assert_eq!(calendar.name, "on");
    // Sexagesimal in YAML 1.1 (17:30 = 1050); a time here.
    assert_eq!(calendar.windows[0].start.value, "08:30");
    assert_eq!(calendar.windows[0].end.value, "17:30");
}

#[test]
fn thousands_of_syntax_errors_show_the_first_ten() {
    let tmp = tempfile::tempdir().unwrap();
    let matrix = tmp.path().join("matrix");
    std::fs::create_dir(&matrix).unwrap();
    copy_files(&fixtures().join("minimal"), &matrix);
    write(&matrix.join("broken.toml"), "]\n".repeat(5_000));
    let (exit, json) = validate(tmp.path(), &["--format", "json"]);
    assert_eq!(exit, 1);
    let report: Value = serde_json::from_str(&json).unwrap();
    let found = seen(tmp.path(), &report);
    assert_eq!(found.len(), 11, "{json}");
    assert!(
        found
            .iter()
            .all(|f| f.code == "syntax-error" && f.file.as_deref() == Some("broken"))
    );
    let last = found.last().unwrap();
    assert!(
        last.message
            .ends_with("more syntax errors from here on are not shown"),
        "{}",
        last.message
    );
    let (_, human) = validate(tmp.path(), &[]);
    assert_eq!(human.matches("syntax-error").count(), 11);
}

// ------------------------------------------------------------ no cascades from an unread file

/// A syntax error in one file of the shipped matrix: the tiers written
/// there would look unknown in every rule, override, fallback and routing
/// test. Only the syntax error is reported, with a note on what was
/// skipped; routing on it shows the same. (Found by a new-user trial: 19
/// errors and 122 warnings buried the one that mattered.)
#[test]
fn a_file_that_does_not_parse_is_reported_without_its_consequences() {
    let tmp = tempfile::tempdir().unwrap();
    let matrix = tmp.path().join("matrix");
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("matrix");
    for sub in ["", "tests"] {
        std::fs::create_dir_all(matrix.join(sub)).unwrap();
        for entry in std::fs::read_dir(shipped.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            if path.is_file() {
                std::fs::copy(&path, matrix.join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    let tiers = std::fs::read_to_string(matrix.join("tiers.toml")).unwrap();
    write(
        &matrix.join("tiers.toml"),
        tiers.replacen("id = \"tier2\"", "id = \"tier2", 1),
    );
    let note = "note: 1 matrix file was not read (see above), so the checks that need the \
                whole matrix were skipped (references, required sections, unused entries, \
                severity ranks, ids in routing tests); fix it and run again\n";

    let (exit, human) = validate(tmp.path(), &[]);
    assert_eq!(exit, 1);
    assert_eq!(
        human,
        format!(
            "syntax-error\n\n  × invalid basic string, expected `\"`\n    ╭─[matrix/tiers.toml:24:12]\n 23 │ [[tier]]\n 24 │ id = \"tier2\n    ·            ▲\n    ·            ╰── here\n 25 │ name = \"Tier 2 - Automation and Integration\"\n    ╰────\n\n{note}Citizen Developer Support Escalation Matrix 1.0.0 (9 files): 1 error, 0 warnings\n"
        )
    );
    let (_, json) = validate(tmp.path(), &["--format", "json"]);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["unread_files"], 1);
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["syntax-error"]);

    let out = escalate(tmp.path())
        .args(["--matrix", "matrix", "route", "Flow fails"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.starts_with("syntax-error\n"), "{stderr}");
    assert!(
        stderr.ends_with(&format!(
            "{note}escalate: the matrix has 1 error; nothing was routed\n"
        )),
        "{stderr}"
    );
    assert_eq!(stderr.matches('×').count(), 1, "{stderr}");

    // Fixed, the whole-matrix checks run again: a wrong reference elsewhere
    // now shows.
    let rules = std::fs::read_to_string(matrix.join("rules.toml")).unwrap();
    write(&matrix.join("tiers.toml"), tiers);
    write(
        &matrix.join("rules.toml"),
        rules.replacen("then.tier = \"tier3\"", "then.tier = \"tier9\"", 1),
    );
    let (exit, json) = validate(tmp.path(), &["--format", "json"]);
    assert_eq!(exit, 1);
    let report: Value = serde_json::from_str(&json).unwrap();
    assert!(report.get("unread_files").is_none(), "{json}");
    assert_eq!(report["findings"][0]["code"], "unknown-reference", "{json}");
}
