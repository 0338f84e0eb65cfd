#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `escalate init`: the scaffold passes `validate` (without a warning),
//! `test` and `review` at once, in TOML and in YAML, and both mean the same;
//! existing files are never overwritten without `--force`; writes are atomic.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

const NOW: &str = "2026-12-03T12:00:00Z";

const FILES_TOML: &[&str] = &[
    "matrix/matrix.toml",
    "matrix/tests/routing.toml",
    "schema/escalate-matrix.schema.json",
    "schema/escalate-tests.schema.json",
    ".github/workflows/escalate.yml",
    ".pre-commit-config.yaml",
    "README.md",
];

fn escalate(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.current_dir(dir)
        .env_remove("ESCALATE_MATRIX")
        .env_remove("ESCALATE_NOW")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100");
    cmd
}

/// Runs a command; returns (exit code, stdout, stderr).
fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = escalate(dir).args(args).output().unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Every file under `dir`, relative, sorted.
fn files(dir: &Path) -> Vec<String> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                let relative = path.strip_prefix(base).unwrap();
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn sorted(paths: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = paths.iter().map(ToString::to_string).collect();
    out.sort();
    out
}

/// Scaffolds `office` in a new temporary folder; returns both.
fn scaffold(args: &[&str]) -> (TempDir, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let mut all = vec!["init", "office"];
    all.extend_from_slice(args);
    let (code, _, err) = run(tmp.path(), &all);
    assert_eq!(code, 0, "{err}");
    let dir = tmp.path().join("office");
    (tmp, dir)
}

/// validate (warnings denied), test and review all pass, on today's date.
fn assert_passes_at_once(dir: &Path) {
    let (code, out, err) = run(dir, &["validate", "--deny-warnings"]);
    assert_eq!(code, 0, "validate:\n{out}{err}");
    assert!(out.contains("rules exercised: 4/4"), "{out}");
    assert!(out.contains("valid"), "{out}");
    assert!(err.is_empty(), "{err}");
    let (code, out, err) = run(dir, &["test"]);
    assert_eq!(code, 0, "test:\n{out}{err}");
    assert!(out.contains("6 passed, 0 failed"), "{out}");
    let (code, out, err) = run(dir, &["review", "--fail-on-overdue"]);
    assert_eq!(code, 0, "review:\n{out}{err}");
    assert!(out.contains("Nothing is due for review."), "{out}");
}

#[test]
fn toml_scaffold_passes_validate_test_and_review_at_once() {
    let (_tmp, dir) = scaffold(&[]);
    assert_eq!(files(&dir), sorted(FILES_TOML));
    assert_passes_at_once(&dir);
}

#[test]
fn yaml_scaffold_passes_validate_test_and_review_at_once() {
    let (_tmp, dir) = scaffold(&["--yaml"]);
    let expected: Vec<String> = FILES_TOML
        .iter()
        .map(|f| {
            f.replace("matrix.toml", "matrix.yaml")
                .replace("routing.toml", "routing.yaml")
        })
        .collect();
    let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
    assert_eq!(files(&dir), sorted(&expected));
    assert_passes_at_once(&dir);
}

#[test]
fn toml_and_yaml_scaffolds_mean_the_same() {
    let (tmp, toml) = scaffold(&[]);
    let yaml = tmp.path().join("yaml-office");
    let (code, _, err) = run(tmp.path(), &["init", "yaml-office", "--yaml"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(
        tmp.path(),
        &[
            "diff",
            "--old",
            toml.join("matrix").to_str().unwrap(),
            "--new",
            yaml.join("matrix").to_str().unwrap(),
            "--format",
            "json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json["changes"], serde_json::json!([]), "{out}");
}

#[test]
fn files_name_their_schema_and_the_schema_is_there() {
    for (args, matrix, tests) in [
        (&[][..], "matrix/matrix.toml", "matrix/tests/routing.toml"),
        (
            &["--yaml"][..],
            "matrix/matrix.yaml",
            "matrix/tests/routing.yaml",
        ),
    ] {
        let (_tmp, dir) = scaffold(args);
        for (file, schema) in [
            (matrix, "escalate-matrix.schema.json"),
            (tests, "escalate-tests.schema.json"),
        ] {
            let text = std::fs::read_to_string(dir.join(file)).unwrap();
            let first = text.lines().next().unwrap();
            let toml = Path::new(file).extension().is_some_and(|e| e == "toml");
            let target = if toml {
                first.strip_prefix("#:schema ")
            } else {
                first.strip_prefix("# yaml-language-server: $schema=")
            }
            .unwrap_or_else(|| panic!("{file} starts with {first:?}"));
            assert!(target.ends_with(schema), "{file}: {target}");
            let resolved = dir.join(file).parent().unwrap().join(target);
            assert!(
                resolved.is_file(),
                "{file}: {} is missing",
                resolved.display()
            );
        }
        let (_, schema, _) = run(&dir, &["schema"]);
        assert_eq!(
            std::fs::read_to_string(dir.join("schema/escalate-matrix.schema.json")).unwrap(),
            schema
        );
        let (_, schema, _) = run(&dir, &["schema", "--tests"]);
        assert_eq!(
            std::fs::read_to_string(dir.join("schema/escalate-tests.schema.json")).unwrap(),
            schema
        );
    }
}

#[test]
fn dates_are_the_day_of_the_scaffold() {
    let tmp = TempDir::new().unwrap();
    let (code, out, err) = run(tmp.path(), &["--now", NOW, "init", "office"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("init_output", out);
    let matrix = std::fs::read_to_string(tmp.path().join("office/matrix/matrix.toml")).unwrap();
    assert!(matrix.contains("last_reviewed = \"2026-12-03\""));
    assert_eq!(matrix.matches("verified = \"2026-12-03\"").count(), 8);
    let holidays: Vec<&str> = matrix
        .lines()
        .filter_map(|l| l.strip_prefix("date = "))
        .collect();
    assert_eq!(
        holidays,
        [
            "\"2026-12-25\"",
            "\"2026-12-26\"",
            "\"2027-01-01\"",
            "\"2027-12-25\"",
            "\"2027-12-26\""
        ]
    );
    let dir = tmp.path().join("office");
    let (code, out, _) = run(&dir, &["--now", NOW, "validate", "--deny-warnings"]);
    assert_eq!(code, 0, "{out}");
    // A year later the review says what is due.
    let (code, out, _) = run(
        &dir,
        &[
            "--now",
            "2027-12-10T09:00:00Z",
            "review",
            "--fail-on-overdue",
        ],
    );
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("OVERDUE"), "{out}");
    assert!(out.contains("calendar `office-hours`"), "{out}");
}

#[test]
fn default_folder_is_the_current_one() {
    let tmp = TempDir::new().unwrap();
    let (code, out, err) = run(tmp.path(), &["init"]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("cd "), "{out}");
    assert_eq!(files(tmp.path()), sorted(FILES_TOML));
    assert_passes_at_once(tmp.path());
}

#[test]
fn refuses_to_overwrite_without_force() {
    let (tmp, dir) = scaffold(&[]);
    let readme = dir.join("README.md");
    std::fs::write(&readme, "# Our own README\n").unwrap();
    std::fs::remove_file(dir.join(".pre-commit-config.yaml")).unwrap();

    let (code, out, err) = run(tmp.path(), &["init", "office"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.is_empty(), "{out}");
    assert!(
        err.contains("refusing to overwrite 6 existing files"),
        "{err}"
    );
    assert!(err.contains("README.md"), "{err}");
    assert!(err.contains("--force"), "{err}");
    // Nothing was written: the README is ours, the missing file still missing.
    assert_eq!(
        std::fs::read_to_string(&readme).unwrap(),
        "# Our own README\n"
    );
    assert!(!dir.join(".pre-commit-config.yaml").exists());

    // One existing file is enough to refuse.
    let other = tmp.path().join("other");
    std::fs::create_dir_all(other.join("matrix")).unwrap();
    std::fs::write(other.join("matrix/matrix.toml"), "# mine\n").unwrap();
    std::fs::write(other.join("notes.txt"), "unrelated\n").unwrap();
    let (code, _, err) = run(tmp.path(), &["init", "other"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("refusing to overwrite 1 existing file in other (matrix/matrix.toml)"),
        "{err}"
    );
    assert_eq!(files(&other), ["matrix/matrix.toml", "notes.txt"]);

    // With --force the scaffold is written again, other files stay.
    let (code, out, err) = run(tmp.path(), &["init", "office", "--force"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("README.md"), "{out}");
    assert!(out.contains("(overwritten)"), "{out}");
    assert_ne!(
        std::fs::read_to_string(&readme).unwrap(),
        "# Our own README\n"
    );
    assert_eq!(files(&dir), sorted(FILES_TOML));
    assert_passes_at_once(&dir);
}

#[test]
fn a_scaffold_into_a_folder_with_other_files_keeps_them() {
    let tmp = TempDir::new().unwrap();
    std::fs::write(tmp.path().join("notes.txt"), "unrelated\n").unwrap();
    let (code, _, err) = run(tmp.path(), &["init"]);
    assert_eq!(code, 0, "{err}");
    let mut expected = sorted(FILES_TOML);
    expected.push("notes.txt".into());
    expected.sort();
    assert_eq!(files(tmp.path()), expected);
}

#[test]
fn writes_leave_no_temporary_files() {
    let (_tmp, dir) = scaffold(&["--yaml"]);
    let (_code, _, _) = run(
        dir.parent().unwrap(),
        &["init", "office", "--yaml", "--force"],
    );
    for file in files(&dir) {
        assert!(!file.contains(".escalate-tmp-"), "{file}");
    }
    assert_eq!(files(&dir).len(), FILES_TOML.len());
}

#[cfg(unix)]
#[test]
fn an_unwritable_folder_is_an_error_not_a_panic() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = TempDir::new().unwrap();
    let locked = tmp.path().join("locked");
    std::fs::create_dir(&locked).unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o500)).unwrap();
    // Root may write anyway; then there is nothing to test.
    if std::fs::write(locked.join("probe"), "").is_ok() {
        return;
    }
    let (code, _, err) = run(tmp.path(), &["init", "locked"]);
    assert_eq!(code, 2);
    assert!(err.starts_with("escalate: "), "{err}");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o700)).unwrap();
}

#[test]
fn help_shows_an_example() {
    let (code, out, _) = run(Path::new("."), &["init", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("Examples:\n  escalate init"), "{out}");
}

/// A TOML or YAML file as JSON (the scaffold quotes its dates).
fn as_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap();
    if path.extension().is_some_and(|e| e == "toml") {
        serde_json::to_value(toml::from_str::<toml::Table>(&text).unwrap()).unwrap()
    } else {
        serde_saphyr::from_str(&text).unwrap()
    }
}

#[test]
fn scaffold_files_match_the_schemas_it_writes() {
    for args in [&[][..], &["--yaml"][..]] {
        let (_tmp, dir) = scaffold(args);
        let ext = if args.is_empty() { "toml" } else { "yaml" };
        for (file, schema) in [
            (
                format!("matrix/matrix.{ext}"),
                "escalate-matrix.schema.json",
            ),
            (
                format!("matrix/tests/routing.{ext}"),
                "escalate-tests.schema.json",
            ),
        ] {
            let schema: serde_json::Value = serde_json::from_str(
                &std::fs::read_to_string(dir.join("schema").join(schema)).unwrap(),
            )
            .unwrap();
            let validator = jsonschema::validator_for(&schema).unwrap();
            let instance = as_json(&dir.join(&file));
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| format!("at `{}`: {e}", e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{file}:\n{}", errors.join("\n"));
        }
    }
}
