#![allow(clippy::expect_used)]
#![allow(missing_docs)] // criterion_group! generates an undocumented public function
//! `escalate diff` between two tags in a repository with 10,000 commits.
//!
//! The setup writes the history straight into a fresh repository with git2
//! (blobs, trees and commits; no index, no checkout): the frozen test
//! matrix, then 10,000 commits that mostly change a small notes file and
//! every 2,500th of which changes the matrix. Tags: `v1.0.0` on the first
//! commit, `v1.9.0` ten commits before the end, `v2.0.0` on the last.
//!
//! * `diff-between-tags`: load both tags from the object database,
//!   validate, compare, route the test cases through both matrices, check
//!   the version; 10 and 10,000 commits apart. The cost must not grow with
//!   the history between the tags: only two trees are read.
//! * `changelog-rationale`: for reference, the walk over the range that
//!   collects the commits that touched the matrix (this one is linear in
//!   the history, by nature).

use chrono::{DateTime, Utc};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use escalate::diff::compare_versions;
use escalate::diff::git::MatrixRepo;
use git2::{FileMode, Oid, Repository, Signature, Time};
use std::hint::black_box;
use std::io::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

const COMMITS: usize = 10_000;

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// Reads a folder into (relative path, bytes), sorted.
fn read_dir(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    for entry in std::fs::read_dir(dir).expect("fixture folder") {
        let path = entry.expect("fixture entry").path();
        if path.is_dir() {
            read_dir(root, &path, out);
        } else {
            let relative = path
                .strip_prefix(root)
                .expect("inside")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((relative, std::fs::read(&path).expect("fixture file")));
        }
    }
    out.sort();
}

/// Writes a tree of files (paths with `/`) and returns its id.
fn write_tree(repo: &Repository, files: &[(String, Vec<u8>)]) -> Oid {
    let mut builder = repo.treebuilder(None).expect("tree builder");
    let mut folders: std::collections::BTreeMap<&str, Vec<(String, Vec<u8>)>> =
        std::collections::BTreeMap::new();
    for (path, bytes) in files {
        if let Some((folder, rest)) = path.split_once('/') {
            folders
                .entry(folder)
                .or_default()
                .push((rest.to_string(), bytes.clone()));
        } else {
            let blob = repo.blob(bytes).expect("blob");
            builder
                .insert(path, blob, FileMode::Blob.into())
                .expect("insert blob");
        }
    }
    for (folder, inner) in folders {
        let id = write_tree(repo, &inner);
        builder
            .insert(folder, id, FileMode::Tree.into())
            .expect("insert tree");
    }
    builder.write().expect("write tree")
}

fn replace(files: &mut [(String, Vec<u8>)], path: &str, from: &str, to: &str) {
    let file = files
        .iter_mut()
        .find(|(p, _)| p == path)
        .expect("file to edit");
    let text = String::from_utf8(file.1.clone()).expect("utf-8");
    assert!(text.contains(from), "{path} lacks {from}");
    file.1 = text.replacen(from, to, 1).into_bytes();
}

/// Builds the repository; returns its folder.
fn setup() -> tempfile::TempDir {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("temporary folder");
    let repo = Repository::init(dir.path()).expect("init");
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/matrix");
    let mut matrix = Vec::new();
    read_dir(&fixture, &fixture, &mut matrix);
    let mut matrix_tree = write_tree(&repo, &matrix);
    let mut parent: Option<Oid> = None;
    let mut commit = |repo: &Repository, matrix_tree: Oid, i: usize, message: &str| -> Oid {
        let mut root = repo.treebuilder(None).expect("root tree");
        root.insert("matrix", matrix_tree, FileMode::Tree.into())
            .expect("matrix");
        let notes = repo.blob(format!("note {i}\n").as_bytes()).expect("notes");
        root.insert("notes.txt", notes, FileMode::Blob.into())
            .expect("notes");
        let tree = repo
            .find_tree(root.write().expect("write root"))
            .expect("root");
        let seconds = 1_767_600_000 + i64::try_from(i).expect("small") * 600;
        let signature =
            Signature::new("Bench Author", "bench@example.org", &Time::new(seconds, 60))
                .expect("signature");
        let parents: Vec<git2::Commit<'_>> = parent
            .map(|p| repo.find_commit(p).expect("parent"))
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        let id = repo
            .commit(None, &signature, &signature, message, &tree, &parents)
            .expect("commit");
        parent = Some(id);
        id
    };
    let tag = |repo: &Repository, name: &str, id: Oid| {
        let object = repo.find_object(id, None).expect("commit object");
        repo.tag_lightweight(name, &object, false).expect("tag");
    };
    let first = commit(&repo, matrix_tree, 0, "Add the matrix");
    tag(&repo, "v1.0.0", first);
    let holidays = ["2027-10-31", "2027-11-01", "2027-12-24", "2027-12-31"];
    for i in 1..=COMMITS {
        if i % 2_500 == 0 {
            let date = holidays[i / 2_500 - 1];
            replace(
                &mut matrix,
                "calendars.toml",
                "[[calendar.exclusion]]",
                &format!("[[calendar.holiday]]\ndate = \"{date}\"\n\n[[calendar.exclusion]]"),
            );
            if i == COMMITS {
                replace(
                    &mut matrix,
                    "tiers.toml",
                    "owner = \"automation-team\"",
                    "owner = \"platform-cce\"",
                );
                replace(
                    &mut matrix,
                    "manifest.toml",
                    "version = \"1.0.0\"",
                    "version = \"2.0.0\"",
                );
            }
            matrix_tree = write_tree(&repo, &matrix);
        }
        let id = commit(&repo, matrix_tree, i, &format!("Change {i}"));
        if i == COMMITS - 10 {
            tag(&repo, "v1.9.0", id);
        }
    }
    let last = parent.expect("commits");
    tag(&repo, "v2.0.0", last);
    repo.reference("refs/heads/main", last, true, "bench")
        .expect("branch");
    repo.set_head("refs/heads/main").expect("head");
    note(&format!(
        "diff bench: {} commits written in {:.1}s",
        COMMITS + 1,
        started.elapsed().as_secs_f64()
    ));
    dir
}

fn bench_diff(c: &mut Criterion) {
    let dir = setup();
    let today = now().date_naive();
    let mut group = c.benchmark_group("diff-between-tags");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (old, apart) in [("v1.9.0", 10), ("v1.0.0", COMMITS)] {
        group.bench_with_input(BenchmarkId::new("commits-apart", apart), &old, |b, old| {
            b.iter(|| {
                let repo = MatrixRepo::open(dir.path(), "matrix").expect("repository");
                let old_id = repo.resolve(old).expect("old tag");
                let new_id = repo.resolve("v2.0.0").expect("new tag");
                let old = repo.load(old_id, old, None, today).expect("old version");
                let new = repo
                    .load(new_id, "v2.0.0", None, today)
                    .expect("new version");
                black_box(compare_versions(&old, &new, now()))
            });
        });
    }
    group.finish();
    let mut group = c.benchmark_group("changelog-rationale");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    group.bench_function("10000-commits", |b| {
        let repo = MatrixRepo::open(dir.path(), "matrix").expect("repository");
        let old = repo.resolve("v1.0.0").expect("old tag");
        let new = repo.resolve("v2.0.0").expect("new tag");
        b.iter(|| black_box(repo.rationale(Some(old), new, None).expect("rationale")));
    });
    group.finish();
}

criterion_group!(benches, bench_diff);
criterion_main!(benches);
