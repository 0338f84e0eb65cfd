#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The cache of loaded matrices end to end: a run served from the cache
//! prints exactly what a run without it prints, a changed file or a damaged
//! entry never changes a result, and `--no-cache` / `ESCALATE_NO_CACHE`
//! leave the cache alone.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const NOW: &str = "2030-01-01T00:00:00Z";
const AT: &str = "2026-03-06T10:00:00+01:00";

/// A copy of the shipped matrix (with its tests) in a temporary folder.
fn matrix_copy(dir: &Path) -> PathBuf {
    let target = dir.join("matrix");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("matrix"),
        &target,
    );
    target
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn escalate(cache_home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.env_remove("ESCALATE_MATRIX")
        .env_remove("ESCALATE_NO_CACHE")
        .env("XDG_CACHE_HOME", cache_home)
        .env("NO_COLOR", "1")
        .args(["--now", NOW]);
    cmd
}

/// Exit code, stdout and stderr of one run.
fn run(cmd: &mut Command) -> (Option<i32>, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn entries(cache_home: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(cache_home.join("escalate"))
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

const ROUTE: &[&str] = &[
    "route",
    "--format",
    "json",
    "--explain",
    "--at",
    AT,
    "Payroll flow fails since 9:00 and exposes employee bank details of anna@example.org",
];

#[test]
fn cached_runs_print_what_uncached_runs_print() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("cache");
    let matrix = matrix_copy(dir.path());
    for args in [
        ROUTE,
        &["validate"][..],
        &["validate", "--format", "json"][..],
        &["test"][..],
    ] {
        let plain = run(escalate(&home)
            .arg("--no-cache")
            .arg("--matrix")
            .arg(&matrix)
            .args(args));
        // The first run writes the entry, the second reads it.
        for _ in 0..2 {
            let cached = run(escalate(&home).arg("--matrix").arg(&matrix).args(args));
            assert_eq!(cached, plain, "{args:?}");
        }
        assert_eq!(entries(&home).len(), 1);
    }
    // The shipped matrix is valid with warnings at this date: a hit prints them too.
    let (_, stdout, stderr) = run(escalate(&home).arg("--matrix").arg(&matrix).arg("validate"));
    assert!(
        stdout.contains("warning") || stderr.contains("warning"),
        "{stdout}{stderr}"
    );
}

#[test]
fn a_changed_matrix_file_changes_the_route() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("cache");
    let matrix = matrix_copy(dir.path());
    let route = |home: &Path| {
        let (code, out, err) = run(escalate(home).arg("--matrix").arg(&matrix).args(ROUTE));
        assert_eq!(code, Some(0), "{err}");
        let value: serde_json::Value = serde_json::from_str(&out).unwrap();
        value["severity"]["id"].as_str().unwrap().to_string()
    };
    let before = route(&home);
    assert_eq!(route(&home), before);
    // Rename the severity everywhere: a stale entry would still say the old id.
    let renamed = format!("{before}-renamed");
    for entry in walk(&matrix) {
        let text = std::fs::read_to_string(&entry).unwrap();
        let changed = text.replace(&format!("\"{before}\""), &format!("\"{renamed}\""));
        std::fs::write(&entry, changed).unwrap();
    }
    assert_eq!(route(&home), renamed);
    assert_eq!(route(&dir.path().join("fresh-cache")), renamed);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "toml" || e == "yaml") {
            out.push(path);
        }
    }
    out
}

#[test]
fn a_damaged_entry_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("cache");
    let matrix = matrix_copy(dir.path());
    let plain = run(escalate(&home)
        .arg("--no-cache")
        .arg("--matrix")
        .arg(&matrix)
        .args(ROUTE));
    run(escalate(&home).arg("--matrix").arg(&matrix).args(ROUTE));
    let entry = entries(&home).pop().unwrap();
    let good = std::fs::read(&entry).unwrap();
    let mut flipped = good.clone();
    let middle = flipped.len() / 2;
    flipped[middle] ^= 0x01;
    for damaged in [b"not a cache".to_vec(), good[..100].to_vec(), flipped] {
        std::fs::write(&entry, damaged).unwrap();
        let cached = run(escalate(&home).arg("--matrix").arg(&matrix).args(ROUTE));
        assert_eq!(cached, plain);
        // Rewritten whole by that run.
        assert_eq!(std::fs::read(&entry).unwrap(), good);
    }
}

#[test]
fn no_cache_leaves_the_cache_alone() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("cache");
    let matrix = matrix_copy(dir.path());
    let (code, _, _) = run(escalate(&home)
        .arg("--no-cache")
        .arg("--matrix")
        .arg(&matrix)
        .args(ROUTE));
    assert_eq!(code, Some(0));
    let (code, _, _) = run(escalate(&home)
        .env("ESCALATE_NO_CACHE", "1")
        .arg("--matrix")
        .arg(&matrix)
        .args(ROUTE));
    assert_eq!(code, Some(0));
    let (code, _, _) = run(escalate(&home)
        .env("ESCALATE_NO_CACHE", "false")
        .arg("--matrix")
        .arg(&matrix)
        .args(ROUTE));
    assert_eq!(code, Some(0));
    assert_eq!(entries(&home).len(), 1);
    std::fs::remove_dir_all(home.join("escalate")).unwrap();
    // And the matrix folder never holds a cache.
    run(escalate(&home).arg("--matrix").arg(&matrix).args(ROUTE));
    assert_eq!(entries(&home).len(), 1);
    assert!(
        walk(&matrix)
            .iter()
            .all(|p| !p.to_string_lossy().contains("cache"))
    );
}

#[test]
fn load_findings_are_printed_every_time() {
    let dir = tempfile::tempdir().unwrap();
    let home = dir.path().join("cache");
    let matrix = matrix_copy(dir.path());
    std::fs::write(
        matrix.join("extra.toml"),
        "[[term]]\nid = \"t-x\"\nterm = \"X\"\nmeaning = \"x\"\nbusiness_impact = \"x\"\nspelling = 1\n",
    )
    .unwrap();
    let plain = run(escalate(&home)
        .arg("--no-cache")
        .arg("--matrix")
        .arg(&matrix)
        .arg("validate"));
    assert!(
        plain.1.contains("spelling") || plain.2.contains("spelling"),
        "{plain:?}"
    );
    for _ in 0..2 {
        assert_eq!(
            run(escalate(&home).arg("--matrix").arg(&matrix).arg("validate")),
            plain
        );
    }
    assert!(entries(&home).is_empty());
}
