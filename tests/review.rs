#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `escalate review`: the matrix past its cadence, contacts not verified
//! within it, rules no test exercises and calendars whose holidays run out
//! within 90 days, in three formats, on a pinned date; `--fail-on-overdue`.
//!
//! The fixture is the `escalate init` scaffold of 2026-12-03 (so that the
//! snapshots do not move when the shipped matrix changes), aged and edited.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// The day of the scaffold.
const SCAFFOLDED: &str = "2026-12-03T12:00:00Z";
/// Ten months later: everything is due.
const LATER: &str = "2027-10-15T09:00:00Z";

fn escalate(dir: &Path, now: &str) -> Command {
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.current_dir(dir)
        .env_remove("ESCALATE_MATRIX")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args(["--now", now]);
    cmd
}

/// Runs a command; returns (exit code, stdout, stderr).
fn run(dir: &Path, now: &str, args: &[&str]) -> (i32, String, String) {
    let out = escalate(dir, now).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// The scaffold of 2026-12-03 in a temporary folder (the matrix is `matrix/`).
fn scaffold() -> (TempDir, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let (code, _, err) = run(tmp.path(), SCAFFOLDED, &["init"]);
    assert_eq!(code, 0, "{err}");
    let dir = tmp.path().to_path_buf();
    (tmp, dir)
}

/// Replaces text in a file; the text must be there.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{} lacks {from:?}", path.display());
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

/// The scaffold with one rule untested and one contact never verified.
fn aged() -> (TempDir, PathBuf) {
    let (tmp, dir) = scaffold();
    let tests = dir.join("matrix/tests/routing.toml");
    let text = std::fs::read_to_string(&tests).unwrap();
    let start = text.find("[[case]]\nid = \"platform-down\"").unwrap();
    let end = text.find("[[case]]\nid = \"security-exposure\"").unwrap();
    std::fs::write(&tests, format!("{}{}", &text[..start], &text[end..])).unwrap();
    edit(
        &dir.join("matrix/matrix.toml"),
        "role = \"Tier 3 backup\"\nteam = \"platform-team\"\nverified = \"2026-12-03\"\n",
        "role = \"Tier 3 backup\"\nteam = \"platform-team\"\n",
    );
    (tmp, dir)
}

#[test]
fn nothing_is_due_on_the_day_of_the_scaffold() {
    let (_tmp, dir) = scaffold();
    let (code, out, err) = run(&dir, SCAFFOLDED, &["review", "--fail-on-overdue"]);
    assert_eq!(code, 0, "{out}{err}");
    insta::assert_snapshot!("review_clear_human", out);
    let (code, out, _) = run(&dir, SCAFFOLDED, &["review", "--format", "markdown"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("review_clear_markdown", out);
}

#[test]
fn everything_due_human() {
    let (_tmp, dir) = aged();
    let (code, out, err) = run(&dir, LATER, &["review"]);
    assert_eq!(
        code, 0,
        "without --fail-on-overdue the review exits 0\n{err}"
    );
    insta::assert_snapshot!("review_due_human", out);
}

#[test]
fn everything_due_markdown() {
    let (_tmp, dir) = aged();
    let (code, out, _) = run(&dir, LATER, &["review", "--format", "markdown"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("review_due_markdown", out);
}

#[test]
fn everything_due_json() {
    let (_tmp, dir) = aged();
    let (code, out, _) = run(&dir, LATER, &["review", "--format", "json"]);
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&out).unwrap();
    insta::assert_json_snapshot!("review_due_json", json);
    // 1 matrix + 8 contacts + 1 rule + 1 calendar.
    assert_eq!(json["due"], 11);
    assert_eq!(json["matrix"]["overdue"], true);
    assert_eq!(json["matrix"]["due"], "2027-03-03");
    let never = json["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["id"] == "platform-backup")
        .unwrap();
    assert_eq!(never["verified"], Value::Null);
    assert_eq!(json["untested_rules"][0]["id"], "platform-outage");
    assert_eq!(
        json["coverage"],
        serde_json::json!({"exercised": 3, "total": 4})
    );
    assert_eq!(json["calendars"][0]["last_holiday"], "2027-12-26");
}

#[test]
fn fail_on_overdue_exits_1_when_anything_is_due() {
    let (_tmp, dir) = aged();
    for format in ["human", "json", "markdown"] {
        let (code, out, _) = run(
            &dir,
            LATER,
            &["review", "--fail-on-overdue", "--format", format],
        );
        assert_eq!(code, 1, "{format}: {out}");
    }
    // Only an untested rule, on the day of the scaffold, is enough.
    let (code, out, _) = run(&dir, SCAFFOLDED, &["review", "--fail-on-overdue"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("2 items due for review."), "{out}");
}

#[test]
fn each_kind_of_item_on_its_own() {
    let (_tmp, dir) = scaffold();
    // The matrix review falls due the day after its due date, as in validate.
    let (code, out, _) = run(
        &dir,
        "2027-03-03T12:00:00Z",
        &["review", "--format", "json"],
    );
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["due"], 0, "{out}");
    let (_, out, _) = run(
        &dir,
        "2027-03-04T12:00:00Z",
        &["review", "--format", "json"],
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["matrix"]["overdue"], true, "{out}");
    assert_eq!(json["contacts"].as_array().unwrap().len(), 8, "{out}");

    // Holidays: due once the last one is less than 90 days ahead.
    let (_, out, _) = run(
        &dir,
        "2027-09-27T12:00:00Z",
        &["review", "--format", "json"],
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["calendars"], serde_json::json!([]), "{out}");
    let (_, out, _) = run(
        &dir,
        "2027-09-28T12:00:00Z",
        &["review", "--format", "json"],
    );
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["calendars"][0]["id"], "office-hours", "{out}");

    // A calendar without any holiday is due at once.
    let matrix = dir.join("matrix/matrix.toml");
    let text = std::fs::read_to_string(&matrix).unwrap();
    let kept: String = text
        .split("\n\n")
        .filter(|block| !block.starts_with("[[calendar.holiday]]"))
        .collect::<Vec<_>>()
        .join("\n\n");
    std::fs::write(&matrix, kept).unwrap();
    let (code, out, _) = run(&dir, SCAFFOLDED, &["review", "--fail-on-overdue"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("calendar `office-hours` Office hours: no upcoming holidays"),
        "{out}"
    );
}

#[test]
fn a_matrix_without_routing_tests_has_every_rule_untested() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, _) = run(
        root,
        "2026-12-03T12:00:00Z",
        &[
            "--matrix",
            "examples/small-matrix.toml",
            "review",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0);
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["coverage"], Value::Null);
    let rules = json["untested_rules"].as_array().unwrap();
    assert!(!rules.is_empty());
    assert!(
        rules[0]["message"]
            .as_str()
            .unwrap()
            .ends_with("the matrix has no routing tests")
    );
}

#[test]
fn an_invalid_matrix_is_not_reviewed() {
    let (_tmp, dir) = scaffold();
    edit(
        &dir.join("matrix/matrix.toml"),
        "owner = \"automation-team\"",
        "owner = \"nobody\"",
    );
    let (code, out, err) = run(&dir, SCAFFOLDED, &["review"]);
    assert_eq!(code, 2);
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("nothing was reviewed"), "{err}");
}

#[test]
fn the_shipped_matrix_can_be_reviewed() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) = run(
        root,
        "2026-12-03T12:00:00Z",
        &["--matrix", "matrix", "review", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let json: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["today"], "2026-12-03");
    assert_eq!(json["matrix"]["overdue"], false);
    assert!(json["coverage"]["total"].as_u64().unwrap() > 0);
}

#[test]
fn help_shows_an_example() {
    let (code, out, _) = run(Path::new("."), SCAFFOLDED, &["review", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--fail-on-overdue"), "{out}");
    assert!(out.contains("Examples:\n  escalate review"), "{out}");
}

/// Regression: a date without a time said only "premature end of input".
#[test]
fn a_now_that_is_not_a_time_says_what_to_write() {
    let (_dir, root) = scaffold();
    let (code, _, err) = run(&root, "2027-06-01", &["review"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--now `2027-06-01` is not an RFC 3339 time")
            && err.contains("for example 2026-03-06T17:30:00+01:00"),
        "{err}"
    );
}
