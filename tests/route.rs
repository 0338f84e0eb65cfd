#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `escalate route` end to end: the shipped matrix against the governance
//! office's expected routes, the JSON contract, redaction, batch and audit.

use assert_cmd::Command;
use chrono::{DateTime, NaiveDate, Utc};
use escalate::matrix::load_path;
use escalate::route::{Facts, Incident, Router};
use escalate::validate::checks::check;
use serde_json::Value;
use std::path::Path;

const AT: &str = "2026-03-06T10:00:00+01:00";
const NOW: &str = "2026-12-03T12:00:00Z";

fn escalate() -> Command {
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("ESCALATE_MATRIX")
        .env("NO_COLOR", "1")
        .args(["--now", NOW]);
    cmd
}

fn route_json(args: &[&str]) -> Value {
    let out = escalate()
        .arg("route")
        .args(args)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn ids(value: &Value) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_dev_incident_routes_as_the_governance_office_expects() {
    let (matrix, findings) = load_path(Path::new("matrix")).unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    let checked = check(&matrix, NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    assert!(!checked.has_errors(), "{:?}", checked.findings);
    let router = Router::new(&matrix, &checked).unwrap();
    let opened: DateTime<Utc> = DateTime::parse_from_rfc3339(AT).unwrap().into();
    let mut failures = Vec::new();
    let cases = std::fs::read_to_string("tests/data/incidents-dev.jsonl").unwrap();
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        let incident = Incident {
            description: case["description"].as_str().unwrap().to_string(),
            opened_at: opened,
            facts: Facts::default(),
            redact: true,
        };
        let route = router.route(&incident).unwrap();
        let security = route.notify.iter().any(|p| p.id == "security-office");
        let mut wrong = Vec::new();
        if route.tier.id != case["tier"].as_str().unwrap() {
            wrong.push(format!(
                "tier {} (expected {})",
                route.tier.id, case["tier"]
            ));
        }
        if security != case["security"].as_bool().unwrap() {
            wrong.push(format!(
                "security office notified: {security} (expected {})",
                case["security"]
            ));
        }
        if let Some(severity) = case["severity"].as_str()
            && route.severity.id != severity
        {
            wrong.push(format!(
                "severity {} (expected {severity})",
                route.severity.id
            ));
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{}: {} (rules {:?})",
                case["id"],
                wrong.join(", "),
                route.explanation.rules
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `route --batch` writes each route with `sonic-rs`, everything else with
/// `serde_json`: the JSON contract holds only if both give the same bytes, for
/// every dev incident and for text that needs escaping (quotes, backslashes,
/// control characters, line and paragraph separators, characters beyond the
/// basic plane, invalid-looking escapes).
#[test]
fn the_batch_writer_and_serde_json_write_the_same_bytes() {
    let (matrix, _) = load_path(Path::new("matrix")).unwrap();
    let checked = check(&matrix, NaiveDate::from_ymd_opt(2026, 12, 3).unwrap());
    let router = Router::new(&matrix, &checked).unwrap();
    let opened: DateTime<Utc> = DateTime::parse_from_rfc3339(AT).unwrap().into();
    let cases = std::fs::read_to_string("tests/data/incidents-dev.jsonl").unwrap();
    let mut descriptions: Vec<String> = cases
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["description"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    descriptions.extend(
        [
            "Can't log in: \"quoted\" C:\\path\\to\\app",
            "Flow fails\u{0}\u{1}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\u{7f} after the change",
            "Sync broke \u{2028}\u{2029} for Zoë, 東京 and 🚀 users \\u0041",
            "Payroll flow exposes bank details of ana@example.org, +44 20 7946 0958",
        ]
        .map(str::to_string),
    );
    for redact in [true, false] {
        for description in &descriptions {
            let route = router
                .route(&Incident {
                    description: description.clone(),
                    opened_at: opened,
                    facts: Facts::default(),
                    redact,
                })
                .unwrap();
            let expected = serde_json::to_string(&route).unwrap();
            let written = sonic_rs::to_string(&route).unwrap();
            assert_eq!(written, expected, "{description:?}");
        }
    }
}

/// `route` drops the teams and contacts no route can name before it builds
/// its router: every route on the pruned matrix is the route on the whole
/// one, for every dev incident, with each severity and tier forced too (so
/// that every tier's owner, backup and escalation steps are shown).
#[test]
fn routes_on_a_matrix_without_unnamed_parties_are_the_same() {
    let mut files: Vec<(String, Vec<u8>)> = escalate::matrix::shipped::FILES
        .iter()
        .map(|(name, text)| ((*name).to_string(), text.as_bytes().to_vec()))
        .collect();
    files.push((
        "extra-people.toml".into(),
        b"[[contact]]\nid = \"nobody-names-me\"\nname = \"Unnamed\"\nteam = \"governance-office\"\nverified = \"2026-11-20\"\n\n[contact.channels]\nemail = \"unnamed@example.org\"\n".to_vec(),
    ));
    let origin = || escalate::matrix::Origin::Memory("test".into());
    let (whole, findings) = escalate::matrix::load_files(origin(), files.clone());
    assert!(
        !findings
            .iter()
            .any(|f| f.severity == escalate::validate::diagnostic::Severity::Error),
        "{findings:?}"
    );
    let (mut pruned, _) = escalate::matrix::load_files(origin(), files);
    let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
    let checked_whole = check(&whole, today);
    let checked_pruned = check(&pruned, today);
    assert!(!checked_whole.has_errors(), "{:?}", checked_whole.findings);
    escalate::route::retain_routed_parties(&mut pruned);
    assert!(pruned.parties.len() < whole.parties.len());
    assert!(pruned.party("nobody-names-me").is_none());
    assert!(pruned.party("governance-lead").is_some());
    let whole_router = Router::new(&whole, &checked_whole).unwrap();
    let pruned_router = Router::new(&pruned, &checked_pruned).unwrap();
    let opened: DateTime<Utc> = DateTime::parse_from_rfc3339(AT).unwrap().into();
    let cases = std::fs::read_to_string("tests/data/incidents-dev.jsonl").unwrap();
    let mut facts = vec![Facts::default()];
    for severity in &whole.severities {
        for tier in &whole.tiers {
            facts.push(Facts {
                severity: Some(severity.id.value.clone()),
                tier: Some(tier.id.value.clone()),
                ..Facts::default()
            });
        }
    }
    let mut routed = 0;
    for line in cases.lines().filter(|l| !l.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).unwrap();
        for facts in &facts {
            let incident = Incident {
                description: case["description"].as_str().unwrap().to_string(),
                opened_at: opened,
                facts: facts.clone(),
                redact: true,
            };
            let expected = serde_json::to_value(whole_router.route(&incident).unwrap()).unwrap();
            let got = serde_json::to_value(pruned_router.route(&incident).unwrap()).unwrap();
            assert_eq!(got, expected, "{}", incident.description);
            routed += 1;
        }
    }
    assert!(routed > 100);
}

#[test]
fn json_contract_holds() {
    let v = route_json(&[
        "Payroll flow fails since 9:00 and exposes employee bank details",
        "--at",
        AT,
    ]);
    assert_eq!(v["severity"]["id"], "sev1");
    assert_eq!(v["tier"]["id"], "tier3");
    assert_eq!(v["owner"]["id"], "platform-cce");
    assert_eq!(v["backup"]["id"], "platform-architect");
    let notify = ids(&v["notify"]);
    assert!(
        notify.contains(&"security-office".to_string()),
        "{notify:?}"
    );
    assert!(notify.contains(&"exec-sponsor".to_string()), "{notify:?}");
    // sev1 runs around the clock: one real hour after 10:00 Berlin time.
    assert_eq!(
        v["deadlines"]["acknowledge_by"],
        "2026-03-06T11:00:00+01:00"
    );
    assert_eq!(v["deadlines"]["assess_by"], "2026-03-06T12:00:00+01:00");
    assert_eq!(v["deadlines"]["resolve_by"], "2026-03-07T10:00:00+01:00");
    assert_eq!(v["escalation"][0]["at"], "2026-03-06T10:30:00+01:00");
    assert_eq!(v["explanation"]["rules"][0], "automation-flow");
    assert!(
        ids(&Value::Array(
            v["explanation"]["rules"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| serde_json::json!({"id": r}))
                .collect()
        ))
        .contains(&"security-incident".to_string())
    );
    assert_eq!(v["fallback"], false);
    assert_eq!(v["matrix"]["version"], "1.0.0");
    assert!(v["matrix"].get("commit").is_some());
}

#[test]
fn business_hours_due_times_skip_the_weekend_and_holidays() {
    // sev3 on Berlin office hours (08-12, 13-17): acknowledge 4h.
    let v = route_json(&["Can't log in", "--at", "2026-03-06T16:00:00+01:00"]);
    assert_eq!(v["severity"]["id"], "sev3");
    assert_eq!(v["deadlines"]["clock"], "business-hours");
    // 1h on Friday, 3h on Monday from 08:00 -> 11:00.
    assert_eq!(
        v["deadlines"]["acknowledge_by"],
        "2026-03-09T11:00:00+01:00"
    );
    // Christmas Day and Boxing Day 2026 are holidays (Friday and Saturday).
    let v = route_json(&["Can't log in", "--at", "2026-12-24T11:00:00+01:00"]);
    // Thursday 24th: 11-12 (1h), the afternoon is excluded; then Monday 28th 08:00 + 3h.
    assert_eq!(
        v["deadlines"]["acknowledge_by"],
        "2026-12-28T11:00:00+01:00"
    );
}

#[test]
fn nothing_matched_means_fallback_with_low_confidence() {
    let v = route_json(&[
        "The coffee machine on floor 3 makes a strange noise",
        "--at",
        AT,
    ]);
    assert_eq!(v["fallback"], true);
    assert_eq!(v["confidence"], "low");
    assert_eq!(v["tier"]["id"], "tier1");
    assert_eq!(v["severity"]["id"], "sev4");
    assert_eq!(v["explanation"]["rules"].as_array().unwrap().len(), 0);
}

#[test]
fn given_facts_win_over_inference() {
    let v = route_json(&["Password reset link expired", "--at", AT]);
    assert_eq!(v["severity"]["id"], "sev3");
    let v = route_json(&[
        "Password reset link expired",
        "--at",
        AT,
        "--scope",
        "organisation",
    ]);
    assert_eq!(v["dimensions"]["scope"]["source"], "given");
    assert_eq!(v["severity"]["id"], "sev2");
    let v = route_json(&[
        "Password reset link expired",
        "--at",
        AT,
        "--set",
        "data=regulated",
    ]);
    assert!(ids(&v["notify"]).contains(&"security-office".to_string()));
    let v = route_json(&[
        "Password reset link expired",
        "--at",
        AT,
        "--severity",
        "sev1",
        "--tier",
        "tier2",
    ]);
    assert_eq!(v["severity"]["id"], "sev1");
    assert_eq!(v["tier"]["id"], "tier2");
}

#[test]
fn dimensions_are_inferred_from_phrases() {
    let v = route_json(&[
        "Everyone in the whole company gets an error in the expense app",
        "--at",
        AT,
    ]);
    assert_eq!(v["dimensions"]["scope"]["level"], "organisation");
    assert_eq!(v["dimensions"]["scope"]["source"], "inferred");
    assert_eq!(v["severity"]["id"], "sev1");
    let v = route_json(&["New app stores the SSN of applicants", "--at", AT]);
    assert_eq!(v["dimensions"]["data"]["level"], "regulated");
}

#[test]
fn unknown_levels_and_empty_descriptions_are_usage_errors() {
    escalate()
        .args(["route", "x", "--data", "secret"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains(
            "unknown level `secret` for dimension `data`",
        ));
    escalate()
        .args(["route", "   "])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("empty"));
    escalate()
        .args(["route", "x", "--at", "yesterday"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("RFC 3339"));
}

#[test]
fn description_from_standard_input() {
    let out = escalate()
        .args(["route", "-", "--format", "json", "--at", AT])
        .write_stdin("Salesforce connector returns 429 too many requests\n")
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tier"]["id"], "tier2");
}

#[test]
fn sensitive_details_are_redacted_in_every_format() {
    let text =
        "Flow emails jane.doe@example.com and calls +49 30 1234567, card 4111 1111 1111 1111";
    for format in ["human", "json", "markdown"] {
        let out = escalate()
            .args(["route", text, "--explain", "--at", AT, "--format", format])
            .output()
            .unwrap();
        let stdout = String::from_utf8(out.stdout).unwrap();
        assert!(
            !stdout.contains("jane.doe@example.com"),
            "{format}: {stdout}"
        );
        assert!(!stdout.contains("1234567"), "{format}: {stdout}");
        assert!(!stdout.contains("4111"), "{format}: {stdout}");
    }
    let v = route_json(&[text, "--at", AT]);
    assert!(v["description"].as_str().unwrap().contains("[email]"));
    let v = route_json(&[text, "--at", AT, "--no-redact"]);
    assert!(
        v["description"]
            .as_str()
            .unwrap()
            .contains("jane.doe@example.com")
    );
}

#[test]
fn human_output_shows_the_route() {
    let out = escalate()
        .args([
            "route",
            "Webhook is not received by our automation anymore",
            "--at",
            AT,
            "--explain",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "Severity",
        "Tier 2",
        "Owner",
        "Backup",
        "Acknowledge by",
        "Script:",
        "Why:",
        "winning rule",
    ] {
        assert!(text.contains(needle), "missing {needle}: {text}");
    }
    assert!(!text.contains('\u{1b}'), "NO_COLOR must disable colour");
}

#[test]
fn markdown_is_a_ticket_block() {
    let out = escalate()
        .args(["route", "Can't log in", "--at", AT, "--format", "markdown"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("### Escalation: "), "{text}");
    assert!(text.contains("| Acknowledge by |"));
}

#[test]
fn batch_keeps_order_and_survives_bad_lines() {
    let input = format!(
        "{}\n{}\nnot json\n{}\n",
        r#"{"id": "a", "description": "Can't log in", "opened_at": "2026-03-06T10:00:00+01:00"}"#,
        r#"{"id": "b", "description": "Webhook not received", "facts": {"data": "regulated"}}"#,
        r#"{"id": "c", "description": "x", "opened_at": "tomorrow"}"#,
    );
    let out = escalate()
        .args(["route", "--batch", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    // Every line is answered; two could not be routed, which the exit code
    // and standard error say.
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "escalate: 2 line(s) of - could not be routed; their records say why\n"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let raw: Vec<&str> = text.lines().collect();
    // Error records have the shape of routed ones: `id` only when the line
    // gave one, then `line` (regression: `line` came first, with `"id": null`).
    assert!(raw[2].starts_with(r#"{"line":3,"error":"#), "{}", raw[2]);
    assert!(
        raw[3].starts_with(r#"{"id":"c","line":4,"error":"#),
        "{}",
        raw[3]
    );
    let lines: Vec<Value> = raw
        .iter()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[0]["id"], "a");
    assert_eq!(lines[0]["tier"]["id"], "tier1");
    assert_eq!(lines[1]["id"], "b");
    assert!(ids(&lines[1]["notify"]).contains(&"security-office".to_string()));
    assert_eq!(lines[2]["line"], 3);
    // One position, the batch's own (regression: serde_json's "at line 1
    // column 2" used to follow it).
    assert_eq!(
        lines[2]["error"]["message"],
        "line 3, column 2: expected ident"
    );
    assert_eq!(lines[3]["id"], "c");
    assert!(
        lines[3]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("RFC 3339")
    );
}

#[test]
fn batch_record_is_id_and_line_then_the_route() {
    let at = "2026-03-06T10:00:00+01:00";
    let input = format!(
        "{}\n{}\n{}\n",
        r#"{"id": {"ticket": 7}, "description": "Can't log in", "opened_at": "2026-03-06T10:00:00+01:00"}"#,
        r#"{"description": "Can't log in"}"#,
        r#"{"id": 9, "description": "  "}"#,
    );
    let out = escalate()
        .args(["route", "--at", at, "--batch", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the empty description is an error"
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(
        lines[0].starts_with(r#"{"id":{"ticket":7},"line":1,"description":"#),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].starts_with(r#"{"line":2,"description":"#),
        "{}",
        lines[1]
    );
    // Past `id` and `line`, each record is the route `--format json` gives.
    let single = escalate()
        .args(["route", "--at", at, "--format", "json", "Can't log in"])
        .output()
        .unwrap();
    let single: Value = serde_json::from_slice(&single.stdout).unwrap();
    for (line, number) in [(lines[0], 1), (lines[1], 2)] {
        let mut record: Value = serde_json::from_str(line).unwrap();
        let fields = record.as_object_mut().unwrap();
        assert_eq!(fields.remove("line"), Some(Value::from(number)));
        fields.remove("id");
        assert_eq!(record, single, "line {number}");
    }
    // A line that parses but says nothing is an error record with its id.
    let error: Value = serde_json::from_str(lines[2]).unwrap();
    assert_eq!(error["id"], 9);
    assert_eq!(
        error["error"]["message"],
        "line 3: the description is empty"
    );
}

/// Without `--at` or `--now` the incident opens now, to the second
/// (regression: around-the-clock due times carried the clock's nanoseconds).
#[test]
fn due_times_from_now_are_whole_seconds() {
    let out = Command::cargo_bin("escalate")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("ESCALATE_MATRIX")
        .args(["route", "--format", "json", "--severity", "sev1"])
        .arg("Security incident: data exposed")
        .output()
        .unwrap();
    assert!(out.status.success());
    let route: Value = serde_json::from_slice(&out.stdout).unwrap();
    for field in [
        "acknowledge_by",
        "assess_by",
        "resolve_by",
        "next_update_by",
    ] {
        let time = route["deadlines"][field].as_str().unwrap();
        assert_eq!(time.len(), 25, "{field}: {time}");
        assert!(!time.contains('.'), "{field}: {time}");
    }
    let opened = route["opened_at"].as_str().unwrap();
    assert!(!opened.contains('.'), "{opened}");
}

/// Everyone a responder must reach comes with a way to reach them (found by
/// a new-user trial: the notify list gave names only, the ticket block one
/// channel of the owner).
#[test]
fn human_and_markdown_views_give_channels_for_everyone_to_reach() {
    let description = "Payroll flow fails since 9:00 and exposes employee bank details";
    let shown = |format: &str| {
        let out = escalate()
            .args(["route", "--at", AT, "--format", format, description])
            .output()
            .unwrap();
        String::from_utf8(out.stdout).unwrap()
    };
    let human = shown("human");
    assert!(
        human.contains("Information Security Office (security-office): chat #security-office"),
        "{human}"
    );
    let markdown = shown("markdown");
    assert!(
        markdown.contains("(`security-office`): chat #security-office"),
        "{markdown}"
    );
    let owner = markdown
        .lines()
        .find(|l| l.starts_with("| Owner |"))
        .unwrap();
    assert!(
        owner.contains("pager platform-cce-oncall") && owner.contains("queue PLATFORM-CCE"),
        "{owner}"
    );
}

#[test]
fn shipped_matrix_is_used_outside_a_matrix_folder() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.current_dir(dir.path())
        .env_remove("ESCALATE_MATRIX")
        .args(["route", "Can't log in", "--format", "json"])
        .assert()
        .success()
        .stderr(predicates::str::contains("using the shipped matrix"));
}

#[test]
fn audit_log_survives_fifty_concurrent_writers() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    let binary = assert_cmd::cargo::cargo_bin("escalate");
    let children: Vec<_> = (0..50)
        .map(|i| {
            std::process::Command::new(&binary)
                .current_dir(env!("CARGO_MANIFEST_DIR"))
                .env_remove("ESCALATE_MATRIX")
                .args([
                    "route",
                    &format!("Flow {i} failed, mail ops{i}@example.org"),
                    "--format",
                    "json",
                ])
                .args(["--audit-log", log.to_str().unwrap(), "--requester", "ci"])
                .stdout(std::process::Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 50);
    let mut seen = std::collections::BTreeSet::new();
    for line in lines {
        let v: Value = serde_json::from_str(line).unwrap();
        assert_eq!(v["requester"], "ci");
        assert_eq!(v["redacted"], true);
        assert_eq!(v["decision"]["tier"], "tier2");
        let description = v["description"].as_str().unwrap();
        assert!(
            description.contains("[email]") && !description.contains("@example.org"),
            "{description}"
        );
        seen.insert(description.to_string());
    }
    assert_eq!(seen.len(), 50);
}

/// A record written with `--no-redact` says so (found by a new-user trial:
/// nothing marked that it may hold what redaction would have masked).
#[test]
fn audit_records_written_without_redaction_say_so() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("audit.jsonl");
    for extra in [None, Some("--no-redact")] {
        escalate()
            .args([
                "route",
                "Flow failed, mail ana@example.org",
                "--format",
                "json",
            ])
            .args(["--audit-log", log.to_str().unwrap(), "--requester", "ci"])
            .args(extra)
            .assert()
            .success();
    }
    let text = std::fs::read_to_string(&log).unwrap();
    let records: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["redacted"], true);
    assert_eq!(records[0]["description"], "Flow failed, mail [email]");
    assert_eq!(records[1]["redacted"], false);
    assert_eq!(
        records[1]["description"],
        "Flow failed, mail ana@example.org"
    );
}

#[test]
fn batch_error_lines_keep_the_id_and_reject_empty_descriptions() {
    // Regression: a line with an unknown field lost its id, and an empty
    // description was routed as a normal fallback result.
    let input = "{\"id\":\"x1\",\"description\":\"Cannot log in\",\"tier\":\"tier1\"}\n{\"id\":\"x2\",\"description\":\"\"}\n";
    let out = escalate()
        .args(["route", "--batch", "-"])
        .write_stdin(input)
        .output()
        .unwrap();
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["id"], "x1");
    assert!(
        lines[0]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown field `tier`")
    );
    assert_eq!(lines[1]["id"], "x2");
    assert!(
        lines[1]["error"]["message"]
            .as_str()
            .unwrap()
            .contains("empty")
    );
}

#[test]
fn a_batch_record_is_the_single_route_with_id_and_line_first() {
    // The batch writer serialises each route directly; the record must stay the
    // `route --format json` object, key order included, after `id` and `line`.
    let description = "Payroll flow fails since 9:00 and exposes employee bank details";
    let at = "2026-03-06T10:00:00+01:00";
    let single = escalate()
        .args(["route", "--format", "json", "--at", at, description])
        .output()
        .unwrap();
    assert!(single.status.success());
    let single: Value = serde_json::from_slice(&single.stdout).unwrap();
    let line = serde_json::json!({ "id": 7, "description": description }).to_string();
    let batch = escalate()
        .args(["route", "--batch", "-", "--at", at])
        .write_stdin(format!("{line}\n"))
        .output()
        .unwrap();
    assert!(batch.status.success());
    let record: Value = serde_json::from_slice(&batch.stdout).unwrap();
    let record = record.as_object().unwrap();
    let keys: Vec<&String> = record.keys().collect();
    assert_eq!(keys[..2], ["id", "line"]);
    assert_eq!(record["id"], 7);
    assert_eq!(record["line"], 1);
    let rest: serde_json::Map<String, Value> = record
        .iter()
        .skip(2)
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let single = single.as_object().unwrap();
    assert_eq!(
        rest.keys().collect::<Vec<_>>(),
        single.keys().collect::<Vec<_>>()
    );
    assert_eq!(&rest, single);
}
