#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `escalate publish`: golden pages for the shipped matrix and the YAML
//! example, determinism, privacy, escaping, the owned output folder, `--check`
//! and `--inject`.

use assert_cmd::Command;
use chrono::{DateTime, NaiveDate, Utc};
use escalate::matrix::{self, Matrix, Origin, load_path};
use escalate::publish::output::{self, MANIFEST, WriteOptions};
use escalate::publish::{self, Options, PageId, PublishError, Site};
use escalate::validate::checks::{Checked, check};
use std::path::{Path, PathBuf};

const NOW: &str = "2026-12-03T12:00:00Z";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(NOW)
        .unwrap()
        .with_timezone(&Utc)
}

fn today() -> NaiveDate {
    now().date_naive()
}

fn load(path: &str) -> (Matrix, Checked) {
    let (matrix, findings) = load_path(Path::new(path)).unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    let checked = check(&matrix, today());
    assert!(!checked.has_errors(), "{:?}", checked.findings);
    (matrix, checked)
}

fn render(path: &str, options: &Options) -> Site {
    let (matrix, checked) = load(path);
    publish::render(&matrix, &checked, options)
}

fn escalate() -> Command {
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("ESCALATE_MATRIX")
        .env("NO_COLOR", "1")
        .args(["--now", NOW]);
    cmd
}

fn snapshot_site(prefix: &str, site: &Site) {
    let mut settings = insta::Settings::clone_current();
    settings.set_omit_expression(true);
    settings.bind(|| {
        for file in &site.files {
            let name = format!("{prefix}__{}", file.path.replace(['/', '.'], "_"));
            insta::assert_snapshot!(name, file.contents);
        }
    });
}

// ---------------------------------------------------------------- golden files

#[test]
fn golden_pages_of_the_shipped_matrix() {
    let site = render("matrix", &Options::new(now()));
    let paths: Vec<&str> = site.files.iter().map(|f| f.path.as_str()).collect();
    let mut expected: Vec<&str> = PageId::ALL.iter().map(|p| p.file_name()).collect();
    expected.push(publish::NAV_SNIPPET);
    assert_eq!(paths, expected);
    snapshot_site("shipped", &site);
}

#[test]
fn golden_pages_of_the_yaml_example() {
    let site = render("examples/yaml-matrix", &Options::new(now()));
    snapshot_site("yaml_example", &site);
}

#[test]
fn golden_mkdocs_and_single_file_layouts() {
    let mut options = Options::new(now());
    options.mkdocs = true;
    let site = render("matrix", &options);
    let paths: Vec<&str> = site.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths[0], "mkdocs.yml");
    assert!(
        paths[1..].iter().all(|p| p.starts_with("docs/")),
        "{paths:?}"
    );
    insta::assert_snapshot!(
        "shipped_mkdocs_yml",
        site.get("mkdocs.yml").unwrap().contents
    );

    options.single_file = true;
    let single = render("matrix", &options);
    let paths: Vec<&str> = single.files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["mkdocs.yml", "docs/index.md"]);
    let page = &single.get("docs/index.md").unwrap().contents;
    // Every page is a level-2 section of the one page, in navigation order.
    let mut at = 0;
    for p in PageId::ALL {
        let heading = format!("\n## {}\n", p.title());
        let found = page[at..]
            .find(&heading)
            .unwrap_or_else(|| panic!("{heading:?} missing or out of order"));
        at += found + 1;
    }
    assert_eq!(page.lines().filter(|l| l.starts_with("# ")).count(), 1);
}

// ---------------------------------------------------------------- content

#[test]
fn output_is_deterministic_and_does_not_depend_on_where_the_matrix_came_from() {
    let options = Options::new(now());
    let a = render("matrix", &options);
    let b = render("matrix", &options);
    assert_eq!(a, b);
    let files = matrix::shipped::FILES
        .iter()
        .map(|(name, text)| ((*name).to_string(), text.as_bytes().to_vec()))
        .collect();
    let (shipped, _) = matrix::load_files(Origin::Shipped, files);
    let checked = check(&shipped, today());
    assert_eq!(publish::render(&shipped, &checked, &options), a);
    for file in &a.files {
        let tool = format!("escalate {}", env!("CARGO_PKG_VERSION"));
        assert!(
            !file.contents.contains(&tool),
            "{} names the tool version",
            file.path
        );
        assert!(
            !file.contents.contains("2026-12-03"),
            "{} carries today's date",
            file.path
        );
        assert!(
            file.contents.ends_with('\n') && !file.contents.ends_with("\n\n"),
            "{}",
            file.path
        );
    }
}

#[test]
fn stamp_is_opt_in() {
    let mut options = Options::new(now());
    options.stamp = true;
    let site = render("matrix", &options);
    let overview = &site.get("index.md").unwrap().contents;
    assert!(overview.contains(&format!(
        "by escalate {} on 2026-12-03",
        env!("CARGO_PKG_VERSION")
    )));
}

#[test]
fn sla_table_names_the_calendar_and_zone_or_around_the_clock() {
    let site = render("matrix", &Options::new(now()));
    let sla = &site.get("sla.md").unwrap().contents;
    assert!(
        sla.contains("| Severity | Tier | Acknowledge | Assess | Resolve | Update every | Clock |")
    );
    assert!(sla.contains(
        "| Severity 1 - Critical | Tier 1 - Maker Support Desk | 1 hour | 2 hours | 24 hours | 1 hour | around the clock |"
    ));
    assert!(sla.contains("| Severity 3 - Moderate | Tier 3 - Platform Specialists | 4 hours | 1 business day | **10 business days** |"));
    assert!(sla.contains("business hours: Berlin office hours (`Europe/Berlin`)"));
    // 4 severities x 3 tiers.
    assert_eq!(
        sla.lines()
            .filter(|l| l.starts_with("| Severity ") && !l.starts_with("| Severity |"))
            .count(),
        12
    );
}

#[test]
fn upcoming_holidays_follow_the_date() {
    let site = render("matrix", &Options::new(now()));
    let sla = &site.get("sla.md").unwrap().contents;
    assert!(sla.contains("| Fri 2026-12-25 | Christmas Day |"));
    let later = DateTime::parse_from_rfc3339("2027-06-01T00:00:00Z")
        .unwrap()
        .with_timezone(&Utc);
    let (matrix, _) = load("matrix");
    let checked = check(&matrix, later.date_naive());
    let site = publish::render(&matrix, &checked, &Options::new(later));
    let sla = &site.get("sla.md").unwrap().contents;
    assert!(!sla.contains("2026-12-25"));
    assert!(
        !sla.contains("Whit Monday"),
        "2027-05-17 is past on 2027-06-01"
    );
    assert!(sla.contains("| Sun 2027-10-03 | German Unity Day |"));
    assert!(!sla.contains("Upcoming closures"), "both closures are past");
}

#[test]
fn flow_is_a_mermaid_flowchart_with_the_security_path() {
    let site = render("matrix", &Options::new(now()));
    let flow = &site.get("flow.md").unwrap().contents;
    assert!(flow.contains("```mermaid\nflowchart TD\n"));
    for line in [
        "    request --> t_tier1",
        "    t_tier1 -->|\"escalate\"| t_tier2",
        "    t_tier2 -->|\"escalate\"| t_tier3",
        "    r_security_incident --> t_tier3",
        "    r_security_incident -.->|\"inform\"| p_security_office",
        "    r_security_incident -.->|\"inform\"| p_exec_sponsor",
        "        s_sev1 -->|\"not acknowledged after 30 minutes: page\"| x_backup",
    ] {
        assert!(flow.contains(line), "missing {line:?}");
    }
}

#[test]
fn private_fields_never_appear_unless_asked() {
    let (matrix, checked) = load("matrix");
    let private: Vec<String> = matrix
        .parties
        .iter()
        .flat_map(|p| {
            p.channels
                .iter()
                .filter(|(n, _)| p.is_private(n))
                .map(|(_, v)| v.to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(private.iter().any(|v| v.starts_with("+49")), "{private:?}");
    assert!(
        private.contains(&"cdo-escalation".to_string()),
        "the sponsor's pager is listed as private"
    );
    let mut options = Options::new(now());
    for single_file in [false, true] {
        options.single_file = single_file;
        let site = publish::render(&matrix, &checked, &options);
        for file in &site.files {
            for value in &private {
                assert!(
                    !file.contents.contains(value.as_str()),
                    "{value} leaked into {}",
                    file.path
                );
            }
        }
        for page in PageId::ALL {
            let text = publish::render_page(&matrix, &checked, &options, page, false);
            assert!(
                private.iter().all(|v| !text.contains(v.as_str())),
                "{page:?}"
            );
        }
    }
    options.single_file = false;
    options.include_private = true;
    let site = publish::render(&matrix, &checked, &options);
    let contacts = &site.get("contacts.md").unwrap().contents;
    assert!(contacts.contains("phone `+49 30 5550 2000` (private)"));
    assert!(contacts.contains("pager `cdo-escalation` (private)"));
    assert!(contacts.contains("**This page includes private channels**"));
}

/// A small matrix whose text tries every kind of markup.
const HOSTILE: &str = r##"
[manifest]
name = "Ops *matrix* <b>bold</b>"
version = "1.0.0"
owner = "support-team"
sponsor = "exec-sponsor"
time_zone = "Europe/Berlin"
review_every = "90d"
last_reviewed = "2026-11-01"
how_to_ask = "# Call | us <script>alert(1)</script>"

[[severity]]
id = "sev1"
name = "Critical | [link](x)"
rank = 1
summary = "1. not a list"

[severity.targets]
acknowledge = "1h"
assess = "2h"
resolve = "1d"
update_every = "1h"

[[tier]]
id = "tier1"
name = "Front \"line\" <i>"
owner = "support-team"
backup = "exec-sponsor"

[[team]]
id = "support-team"
name = "Support_Team`s"
verified = "2026-11-01"

[team.channels]
email = "support@example.org"
chat = "#a|b"

[[contact]]
id = "exec-sponsor"
name = "Sam Sponsor"
verified = "2026-11-01"

[contact.channels]
email = "sam@example.org"

[fallback]
tier = "tier1"
severity = "sev1"
"##;

#[test]
fn matrix_text_cannot_inject_markup() {
    let (matrix, findings) = matrix::load_files(
        Origin::Memory("hostile".into()),
        vec![("m.toml".into(), HOSTILE.as_bytes().to_vec())],
    );
    assert!(findings.is_empty(), "{findings:?}");
    let checked = check(&matrix, today());
    assert!(!checked.has_errors(), "{:?}", checked.findings);
    let site = publish::render(&matrix, &checked, &Options::new(now()));
    let all: String = site.files.iter().map(|f| f.contents.as_str()).collect();
    for raw in [
        "<script>",
        "<b>",
        "<i>",
        "[link](x)",
        "*matrix*",
        "| [link]",
    ] {
        assert!(!all.contains(raw), "{raw} is not escaped");
    }
    let overview = &site.get("index.md").unwrap().contents;
    assert!(
        overview.contains("\\# Call \\| us &lt;script&gt;alert(1)&lt;/script&gt;"),
        "{overview}"
    );
    let severities = &site.get("severities.md").unwrap().contents;
    assert!(
        severities.contains("## Critical \\| \\[link\\](x)"),
        "{severities}"
    );
    assert!(severities.contains("\n1\\. not a list\n"), "{severities}");
    let contacts = &site.get("contacts.md").unwrap().contents;
    assert!(contacts.contains("| Support\\_Team\\`s |"), "{contacts}");
    assert!(contacts.contains("chat `#a\\|b`"), "{contacts}");
    let flow = &site.get("flow.md").unwrap().contents;
    assert!(
        flow.contains("t_tier1[\"Front #quot;line#quot; #lt;i#gt;<br/>"),
        "{flow}"
    );
    assert!(site.get("mkdocs-nav.yml").is_some());
}

/// A phone number typed into prose (when to escalate, how to ask, a script) is masked on every
/// page, with or without `--include-private`; addresses meant to be read stay.
/// Regression: the hand-off used to be published as written.
#[test]
fn phone_numbers_typed_into_prose_are_masked() {
    let with_phones = HOSTILE
        .replace(
            "how_to_ask = \"# Call | us <script>alert(1)</script>\"",
            "how_to_ask = \"Mail help@example.org or call +49 30 5550 1999\"",
        )
        .replace(
            "backup = \"exec-sponsor\"",
            "backup = \"exec-sponsor\"\nwhen_to_escalate = \"Call the duty phone (555) 123-4567 first\"",
        )
        .replace(
            "[fallback]",
            "[[script]]\nid = \"triage\"\nname = \"Triage\"\ntext = \"Emergency line: +49 40 9876 5432.\"\n\n[fallback]",
        );
    let (matrix, findings) = matrix::load_files(
        Origin::Memory("phones".into()),
        vec![("m.toml".into(), with_phones.as_bytes().to_vec())],
    );
    assert!(findings.is_empty(), "{findings:?}");
    let checked = check(&matrix, today());
    assert!(!checked.has_errors(), "{:?}", checked.findings);
    let mut options = Options::new(now());
    for include_private in [false, true] {
        options.include_private = include_private;
        let site = publish::render(&matrix, &checked, &options);
        let all: String = site.files.iter().map(|f| f.contents.as_str()).collect();
        for number in ["5550 1999", "123-4567", "9876 5432"] {
            assert!(!all.contains(number), "{number} leaked");
        }
        let overview = &site.get("index.md").unwrap().contents;
        assert!(
            overview.contains("Mail help@example.org or call \\[phone\\]"),
            "{overview}"
        );
        let tiers = &site.get("tiers.md").unwrap().contents;
        assert!(
            tiers.contains("Call the duty phone \\[phone\\] first"),
            "{tiers}"
        );
        // A script is shown as written, in a code block, so without escapes.
        let scripts = &site.get("scripts.md").unwrap().contents;
        assert!(scripts.contains("Emergency line: [phone]."), "{scripts}");
    }
}

// ---------------------------------------------------------------- output folder

fn write(dir: &Path, site: &Site, force: bool) -> Result<output::WriteReport, PublishError> {
    output::write(
        dir,
        site,
        &WriteOptions {
            force,
            matrix: Some(PathBuf::from("matrix")),
            ignore_dir: None,
        },
    )
}

#[test]
fn writes_pages_and_a_manifest_then_leaves_unchanged_files_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("portal");
    let site = render("matrix", &Options::new(now()));
    let report = write(&dir, &site, false).unwrap();
    assert_eq!(report.written.len(), site.files.len() + 1);
    for file in &site.files {
        assert_eq!(
            std::fs::read_to_string(dir.join(&file.path)).unwrap(),
            file.contents
        );
    }
    let manifest = std::fs::read_to_string(dir.join(MANIFEST)).unwrap();
    assert_eq!(output::parse_manifest(&manifest).len(), site.files.len());
    assert!(manifest.contains("\nsla.md\n"));
    let again = write(&dir, &site, false).unwrap();
    assert!(again.written.is_empty(), "{again:?}");
    assert_eq!(again.unchanged.len(), site.files.len() + 1);
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".escalate-tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(dir.join("index.md"))
            .unwrap()
            .permissions()
            .mode();
        assert_ne!(
            mode & 0o044,
            0,
            "pages are readable by others (mode {mode:o})"
        );
    }
}

#[test]
fn refuses_a_folder_with_files_it_did_not_generate_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("notes.md"), "mine").unwrap();
    let site = render("matrix", &Options::new(now()));
    let err = write(tmp.path(), &site, false).unwrap_err();
    assert!(
        matches!(&err, PublishError::Foreign { files, .. } if files == &["notes.md".to_string()]),
        "{err}"
    );
    assert!(
        err.to_string()
            .contains("did not generate (notes.md); use an empty folder, or --force"),
        "{err}"
    );
    assert!(!tmp.path().join("index.md").exists(), "nothing written");
    write(tmp.path(), &site, true).unwrap();
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("notes.md")).unwrap(),
        "mine"
    );
    assert!(tmp.path().join("index.md").exists());
}

#[test]
fn refuses_an_output_folder_inside_the_matrix_folder() {
    let site = render("matrix", &Options::new(now()));
    for dir in ["matrix", "matrix/portal", "matrix/../matrix/x"] {
        let err = write(Path::new(dir), &site, true).unwrap_err();
        assert!(
            matches!(err, PublishError::InsideMatrix { .. }),
            "{dir}: {err}"
        );
    }
    assert!(!Path::new("matrix/portal").exists());
    escalate()
        .args(["--matrix", "matrix", "publish", "--output", "matrix/portal"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("inside the matrix folder"));
}

#[test]
fn removes_pages_it_no_longer_generates() {
    let tmp = tempfile::tempdir().unwrap();
    let mut options = Options::new(now());
    options.mkdocs = true;
    write(tmp.path(), &render("matrix", &options), false).unwrap();
    assert!(tmp.path().join("docs/sla.md").exists());
    options.mkdocs = false;
    options.single_file = true;
    let report = write(tmp.path(), &render("matrix", &options), false).unwrap();
    assert!(
        report.removed.contains(&"docs/sla.md".to_string()),
        "{report:?}"
    );
    assert!(
        !tmp.path().join("docs").exists(),
        "the emptied docs/ folder is removed"
    );
    let mut names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [MANIFEST, "index.md", "mkdocs-nav.yml"]);
}

// ---------------------------------------------------------------- --check

#[test]
fn check_reports_stale_files_as_a_unified_diff_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("portal");
    let dir_s = dir.to_str().unwrap();
    // Nothing there yet: everything is stale, and check creates nothing.
    escalate()
        .args(["publish", "--output", dir_s, "--check"])
        .assert()
        .code(1);
    assert!(!dir.exists());
    escalate()
        .args(["publish", "--output", dir_s])
        .assert()
        .success()
        .stdout(predicates::str::contains("11 written"));
    escalate()
        .args(["publish", "--output", dir_s, "--check"])
        .assert()
        .success()
        .stdout(predicates::str::contains("up to date"));
    let sla = dir.join("sla.md");
    let edited = std::fs::read_to_string(&sla).unwrap().replace(
        "| 1 hour | 2 hours | 24 hours |",
        "| 2 hours | 2 hours | 24 hours |",
    );
    std::fs::write(&sla, &edited).unwrap();
    std::fs::remove_file(dir.join("tiers.md")).unwrap();
    let out = escalate()
        .args(["publish", "--output", dir_s, "--check"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8(out.stdout).unwrap();
    assert!(diff.contains("--- a/sla.md\n+++ b/sla.md\n@@ "), "{diff}");
    assert!(
        diff.contains("\n-| Severity 1 - Critical | Tier 1 - Maker Support Desk | 2 hours |"),
        "{diff}"
    );
    assert!(
        diff.contains("\n+| Severity 1 - Critical | Tier 1 - Maker Support Desk | 1 hour |"),
        "{diff}"
    );
    assert!(diff.contains("--- /dev/null\n+++ b/tiers.md\n"), "{diff}");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("2 files in") && stderr.contains("(sla.md, tiers.md)"),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(&sla).unwrap(),
        edited,
        "check writes nothing"
    );
    assert!(!dir.join("tiers.md").exists());
}

// ---------------------------------------------------------------- --inject

#[test]
fn inject_replaces_only_the_marked_sections() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("support.md");
    let before = "# How we support makers\n\nOur own words.\n\n<!-- escalate:begin sla -->\nOLD-CONTENT-42\n<!-- escalate:end sla -->\n\nMore of our words.\n\n<!-- escalate:begin quick-reference -->\n<!-- escalate:end quick-reference -->\n";
    std::fs::write(&page, before).unwrap();
    let p = page.to_str().unwrap();
    escalate()
        .args(["publish", "--inject", p, "--check"])
        .assert()
        .code(1);
    assert_eq!(
        std::fs::read_to_string(&page).unwrap(),
        before,
        "check writes nothing"
    );
    escalate()
        .args(["publish", "--inject", p])
        .assert()
        .success();
    let after = std::fs::read_to_string(&page).unwrap();
    assert!(after.starts_with("# How we support makers\n\nOur own words.\n\n<!-- escalate:begin sla -->\n\n## Response and resolution targets\n"));
    assert!(after.contains("\n<!-- escalate:end sla -->\n\nMore of our words.\n\n<!-- escalate:begin quick-reference -->\n\n## Quick reference\n\n### Who do I call for what\n"));
    assert!(after.ends_with("\n\n<!-- escalate:end quick-reference -->\n"));
    assert!(!after.contains("OLD-CONTENT-42"));
    assert!(
        !after.contains("](sla.md)"),
        "no links to pages that are not there"
    );
    escalate()
        .args(["publish", "--inject", p, "--check"])
        .assert()
        .success();
    escalate()
        .args(["publish", "--inject", p])
        .assert()
        .success()
        .stdout(predicates::str::contains("up to date"));
    assert_eq!(std::fs::read_to_string(&page).unwrap(), after);
}

#[test]
fn inject_errors_name_the_file_and_line() {
    let tmp = tempfile::tempdir().unwrap();
    let page = tmp.path().join("p.md");
    let cases = [
        (
            "a\n<!-- escalate:begin sla -->\nb\n",
            ":2: `escalate:begin sla` has no matching `<!-- escalate:end sla -->` after it",
        ),
        (
            "<!-- escalate:end sla -->\n<!-- escalate:begin sla -->\n",
            ":1: misordered markers: `escalate:end sla` comes before `escalate:begin sla` at line 2",
        ),
        (
            "x\n<!-- escalate:end flow -->\n",
            ":2: `escalate:end flow` has no `<!-- escalate:begin flow -->` before it",
        ),
        (
            "<!-- escalate:begin sla -->\n<!-- escalate:end sla -->\n<!-- escalate:begin sla -->\n<!-- escalate:end sla -->\n",
            ":3: duplicated marker `escalate:begin sla` (the first is at line 1)",
        ),
        (
            "<!-- escalate:begin slas -->\n<!-- escalate:end slas -->\n",
            ":1: unknown page `slas`; the pages are overview, severities,",
        ),
        (
            "no markers\n",
            ":1: no `<!-- escalate:begin PAGE -->` marker found",
        ),
    ];
    for (text, message) in cases {
        std::fs::write(&page, text).unwrap();
        let out = escalate()
            .args(["publish", "--inject", page.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{text:?}");
        let stderr = String::from_utf8(out.stderr).unwrap();
        assert!(
            stderr.contains(&format!("{}{message}", page.display())),
            "{text:?}: {stderr}"
        );
        assert_eq!(
            std::fs::read_to_string(&page).unwrap(),
            text,
            "nothing written"
        );
    }
}

#[test]
fn usage_errors() {
    escalate().args(["publish"]).assert().code(2);
    escalate()
        .args(["publish", "--output", "x", "--inject", "y"])
        .assert()
        .code(2);
    escalate()
        .args(["publish", "--inject", "y", "--single-file"])
        .assert()
        .code(2);
}
