#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `escalate test`: the shipped suite passes, a broken rule turns the right
//! cases red with the right diff, and every output format holds up.

use assert_cmd::Command;
use quick_xml::XmlVersion;
use quick_xml::events::Event;
use serde_json::Value;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-12-03T12:00:00Z";

const CASES: &str = r#"
[[case]]
id = "flow-timeout"
description = "My scheduled flow failed three nights in a row with a timeout"
opened_at = "2026-03-06T10:00:00+01:00"
[case.expect]
tier = "tier2"
severity = "sev3"
rules = { includes = ["automation-flow"] }
acknowledge_by = "2026-03-06T15:00:00+01:00"

[[case]]
id = "webhook-lost"
description = "Webhook from the ticketing system is not received by our automation anymore"
[case.expect]
tier = "tier2"

[[case]]
id = "login"
description = "Can't log in"
[case.expect]
tier = "tier1"
notify = { excludes = ["security-office"] }
"#;

fn escalate(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.current_dir(dir)
        .env_remove("ESCALATE_MATRIX")
        .env("NO_COLOR", "1")
        .args(["--now", NOW]);
    cmd
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The shipped matrix with our own three cases in its tests/ folder.
fn fixture() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let matrix = dir.path().join("matrix");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("matrix"),
        &matrix,
    );
    std::fs::remove_dir_all(matrix.join("tests")).unwrap();
    std::fs::create_dir(matrix.join("tests")).unwrap();
    std::fs::write(matrix.join("tests/cases.toml"), CASES).unwrap();
    (dir, matrix)
}

fn json(cmd: &mut Command) -> (i32, Value) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap(),
        serde_json::from_slice(&out.stdout).unwrap(),
    )
}

#[test]
fn the_shipped_suite_passes() {
    let out = escalate(Path::new(env!("CARGO_MANIFEST_DIR")))
        .arg("test")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(out.status.success(), "{text}");
    let summary = text.lines().last().unwrap();
    assert!(summary.ends_with(" passed, 0 failed"), "{summary}");
    let passed: usize = summary.split_whitespace().next().unwrap().parse().unwrap();
    assert!(passed >= 40, "the shipped suite has only {passed} cases");
}

#[test]
fn a_broken_rule_turns_exactly_its_cases_red() {
    let (dir, matrix) = fixture();
    let (code, report) = json(escalate(dir.path()).args(["test", "--format", "json"]));
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["passed"], 3);

    // Break the automation rule: flows now go to tier 1.
    let rules = matrix.join("rules.toml");
    let text = std::fs::read_to_string(&rules).unwrap();
    let start = text.find("id = \"automation-flow\"").unwrap();
    let tier_at = start + text[start..].find("then.tier = \"tier2\"").unwrap();
    let broken = format!(
        "{}then.tier = \"tier1\"{}",
        &text[..tier_at],
        &text[tier_at + "then.tier = \"tier2\"".len()..]
    );
    std::fs::write(&rules, broken).unwrap();

    let (code, report) = json(escalate(dir.path()).args(["test", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(report["passed"], 1);
    assert_eq!(report["failed"], 2);
    let cases = report["cases"].as_array().unwrap();
    let by_id = |id: &str| cases.iter().find(|c| c["id"] == id).unwrap().clone();
    assert_eq!(by_id("login")["passed"], true);
    for id in ["flow-timeout", "webhook-lost"] {
        let case = by_id(id);
        assert_eq!(case["passed"], false, "{case}");
        let diffs = case["differences"].as_array().unwrap();
        let tier = diffs.iter().find(|d| d["field"] == "tier").unwrap();
        assert_eq!(tier["expected"], "tier2");
        assert_eq!(tier["actual"], "tier1");
    }
    // The tier-1 targets differ too: sev3 still, same calendar, so the due time holds.
    assert_eq!(
        by_id("flow-timeout")["differences"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    // Human output shows the diff and the explanation of the actual route.
    let out = escalate(dir.path()).arg("test").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("test flow-timeout ... FAILED"), "{text}");
    assert!(text.contains("tier: expected tier2, got tier1"), "{text}");
    assert!(
        text.contains("rule automation-flow (precedence 20) matched"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("1 passed, 2 failed"), "{text}");
}

#[test]
fn junit_output_is_valid_xml_with_one_testcase_per_case() {
    let (dir, matrix) = fixture();
    std::fs::write(
        matrix.join("tests/cases.toml"),
        CASES.replace("tier = \"tier1\"\nnotify", "tier = \"tier3\"\nnotify"),
    )
    .unwrap();
    let out = escalate(dir.path())
        .args(["test", "--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let mut reader = quick_xml::Reader::from_reader(out.stdout.as_slice());
    let mut buf = Vec::new();
    let (mut testcases, mut failures, mut suites) = (Vec::new(), 0, 0);
    loop {
        match reader.read_event_into(&mut buf).unwrap() {
            Event::Start(e) | Event::Empty(e) => match e.name().into_inner() {
                "testsuite" => {
                    suites += 1;
                    let tests = e.try_get_attribute("tests").unwrap().unwrap();
                    assert_eq!(
                        tests.normalized_value(XmlVersion::Implicit1_0).unwrap(),
                        "3"
                    );
                }
                "testcase" => {
                    let name = e.try_get_attribute("name").unwrap().unwrap();
                    testcases.push(
                        name.normalized_value(XmlVersion::Implicit1_0)
                            .unwrap()
                            .to_string(),
                    );
                }
                "failure" => failures += 1,
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    assert_eq!(suites, 1);
    assert_eq!(testcases, ["flow-timeout", "webhook-lost", "login"]);
    assert_eq!(failures, 1);
}

#[test]
fn filter_github_and_exit_codes() {
    let (dir, matrix) = fixture();
    let out = escalate(dir.path())
        .args(["test", "--filter", "login"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("test login ... ok") && !text.contains("flow-timeout"),
        "{text}"
    );
    assert!(text.trim_end().ends_with("1 passed, 0 failed"));

    std::fs::write(
        matrix.join("tests/cases.toml"),
        CASES.replace("tier = \"tier1\"", "tier = \"tier2\""),
    )
    .unwrap();
    let out = escalate(dir.path())
        .args(["test", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let annotation = text.lines().find(|l| l.starts_with("::error ")).unwrap();
    assert!(
        annotation.contains("file=") && annotation.contains("line="),
        "{annotation}"
    );
    assert!(
        annotation.contains("tier: expected tier2, got tier1"),
        "{annotation}"
    );

    // A broken matrix is reported with validate's diagnostics, exit 2.
    std::fs::write(matrix.join("broken.toml"), "[[tier]]\nid = \"tier1\"\nname = \"dup\"\nowner = \"maker-support\"\nbackup = \"service-desk\"\n").unwrap();
    escalate(dir.path())
        .arg("test")
        .assert()
        .code(2)
        .stderr(predicates::str::contains("duplicate-id"));
}

#[test]
fn validate_reports_test_problems_and_coverage() {
    let (dir, matrix) = fixture();
    std::fs::write(
        matrix.join("tests/bad.toml"),
        "[[case]]\nid = \"x\"\ndescription = \"y\"\n[case.expect]\ntier = \"tier9\"\n",
    )
    .unwrap();
    std::fs::write(matrix.join("tests/broken.yaml"), "case: [\n").unwrap();
    let out = escalate(dir.path()).arg("validate").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("test-file-invalid"), "{text}");
    assert!(text.contains("unknown tier `tier9`"), "{text}");
    assert!(text.contains("untested-rule"), "{text}");
    assert!(text.contains("rules exercised: "), "{text}");
    // Warnings only: still valid.
    assert_eq!(out.status.code(), Some(0), "{text}");
}

#[test]
fn a_typo_in_an_expectation_fails_the_case() {
    // Regression: `tierr = "tier3"` was ignored and the case reported ok.
    let (dir, matrix) = fixture();
    std::fs::write(
        matrix.join("tests/cases.toml"),
        "[[case]]\nid = \"typo\"\ndescription = \"Can't log in\"\n[case.expect]\ntierr = \"tier3\"\n",
    )
    .unwrap();
    let out = escalate(dir.path()).arg("test").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("test typo ... FAILED"), "{text}");
    // The failure points at the unknown key itself (line 5, column 1), not
    // at the case's id (line 2).
    assert!(
        text.contains(
            "  typo (matrix/tests/cases.toml:5:1)\n    error: unknown key `tierr` in a test case (did you mean `tier`?)\n"
        ),
        "{text}"
    );
    assert!(text.trim_end().ends_with("0 passed, 1 failed"), "{text}");
    // A failing case, as the README says: exit 1, not an input error.
    assert_eq!(out.status.code(), Some(1));

    let (code, report) = json(escalate(dir.path()).args(["test", "--format", "json"]));
    assert_eq!(code, 1);
    assert_eq!(
        report["cases"][0]["location"],
        "matrix/tests/cases.toml:5:1"
    );
    let out = escalate(dir.path())
        .args(["test", "--format", "github"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("::error file=matrix/tests/cases.toml,line=5,title=routing test typo::"),
        "{text}"
    );
}

#[test]
fn a_test_file_that_cannot_be_read_is_an_input_error() {
    // The cases in it are lost, so the report is incomplete: exit 2, even
    // though every case that was read passes.
    let (dir, matrix) = fixture();
    for (name, text) in [
        ("broken.yaml", "case: [\n"),
        ("broken.toml", "[[case]]\nid = \"x\n"),
        ("cases-typo.toml", "[[cases]]\nid = \"x\"\n"),
        (
            "no-description.toml",
            "[[case]]\nid = \"x\"\n[case.expect]\ntier = \"tier1\"\n",
        ),
    ] {
        std::fs::write(matrix.join("tests").join(name), text).unwrap();
        let out = escalate(dir.path()).arg("test").output().unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stdout.trim_end().ends_with("3 passed, 0 failed"),
            "{name}: {stdout}"
        );
        assert!(stderr.contains("test-file-invalid"), "{name}: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{name}");
        std::fs::remove_file(matrix.join("tests").join(name)).unwrap();
    }
}

#[test]
fn no_case_to_run_is_not_a_pass() {
    let (dir, matrix) = fixture();
    let out = escalate(dir.path())
        .args(["test", "--filter", "no-such-case"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "escalate: no test case id contains `no-such-case`\n"
    );

    std::fs::remove_file(matrix.join("tests/cases.toml")).unwrap();
    let out = escalate(dir.path()).arg("test").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "escalate: no routing test to run: matrix/tests holds no [[case]]; add a .toml or .yaml file of [[case]] entries there\n"
    );
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .ends_with("0 passed, 0 failed\n")
    );

    std::fs::remove_dir(matrix.join("tests")).unwrap();
    let out = escalate(dir.path())
        .args(["test", "--format", "junit"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "escalate: no routing test to run: matrix/tests does not exist; add a .toml or .yaml file of [[case]] entries there\n"
    );
    // The report is still written, for CI that reads it.
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("tests=\"0\"")
    );
}

#[test]
fn validate_says_when_there_are_no_routing_tests() {
    let (dir, matrix) = fixture();
    std::fs::remove_dir_all(matrix.join("tests")).unwrap();
    let out = escalate(dir.path())
        .args(["validate", "--matrix", "matrix"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        "rules exercised: 0/17 (no routing tests: matrix/tests does not exist; add a .toml or \
         .yaml file of [[case]] entries there)\n\
         Citizen Developer Support Escalation Matrix 1.0.0 (9 files): valid\n"
    );

    // A folder whose only file does not parse: the warning, and the line.
    std::fs::create_dir(matrix.join("tests")).unwrap();
    std::fs::write(matrix.join("tests/broken.yaml"), "case: [\n").unwrap();
    let out = escalate(dir.path())
        .args(["validate", "--matrix", "matrix"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(
            "\nrules exercised: 0/17 (no routing tests: none could be read (see the \
             test-file-invalid findings))\n"
        ),
        "{text}"
    );

    // A single-file matrix has no tests/ folder.
    let out = escalate(dir.path())
        .args(["validate", "--matrix"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/small-matrix.toml"))
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "rules exercised: 0/6 (no routing tests: a single-file matrix has no tests/ folder; \
             keep the matrix in a folder with a tests/ folder, or name one with `escalate test \
             --tests DIR`)\n"
        ),
        "{text}"
    );
}
