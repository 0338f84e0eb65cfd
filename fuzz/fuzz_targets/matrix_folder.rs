//! A whole matrix folder of random files: random names and extensions
//! (matrix files, other files, hidden files, a `tests/` folder), random
//! contents or shipped matrix files, sub-folders, and symbolic links inside
//! the folder, out of it, dangling and in loops. The folder goes through
//! `load_path`, validate and (when valid) route and publish.
#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use std::path::{Path, PathBuf};

const NAMES: &[&str] = &[
    "manifest.toml",
    "tiers.yaml",
    "rules.yml",
    "people.TOML",
    "notes.txt",
    "tests",
    "sub",
    "rules",
    ".hidden.toml",
    "a b.toml",
    "ünï.yaml",
    "x.toml.bak",
    "deep",
    "calendars.toml",
    "severities.yaml",
];

#[derive(Arbitrary, Debug)]
enum Kind {
    /// A file with these bytes.
    File(Vec<u8>),
    /// A copy of one of the shipped matrix files.
    Shipped(u8),
    /// A folder.
    Dir,
    /// A link to a folder of the matrix (the root or an ancestor makes a loop).
    LinkToDir(u8),
    /// A link to a file or folder outside the matrix folder.
    LinkOutside(bool),
    /// A link to nothing.
    Dangling,
    /// A link to itself.
    SelfLink,
}

#[derive(Arbitrary, Debug)]
struct Entry {
    /// Which folder made so far it goes into.
    dir: u8,
    name: u8,
    kind: Kind,
}

fn base() -> PathBuf {
    std::env::temp_dir().join(format!("escalate-fuzz-folder-{}", std::process::id()))
}

fn build(base: &Path, entries: &[Entry]) -> PathBuf {
    let _ = std::fs::remove_dir_all(base);
    let root = base.join("matrix");
    let outside = base.join("outside");
    let _ = std::fs::create_dir_all(&root);
    let _ = std::fs::create_dir_all(&outside);
    let _ = std::fs::write(
        outside.join("shared.toml"),
        "[manifest]\nname = \"outside\"\n",
    );
    let mut dirs = vec![root.clone()];
    let shipped = escalate::matrix::shipped::FILES;
    for entry in entries.iter().take(24) {
        let dir = dirs[usize::from(entry.dir) % dirs.len()].clone();
        let path = dir.join(NAMES[usize::from(entry.name) % NAMES.len()]);
        if std::fs::symlink_metadata(&path).is_ok() {
            continue;
        }
        match &entry.kind {
            Kind::File(bytes) => {
                let _ = std::fs::write(&path, bytes);
            }
            Kind::Shipped(i) => {
                if !shipped.is_empty() {
                    let (_, text) = shipped[usize::from(*i) % shipped.len()];
                    let _ = std::fs::write(&path, text);
                }
            }
            Kind::Dir => {
                if std::fs::create_dir(&path).is_ok() {
                    dirs.push(path);
                }
            }
            Kind::LinkToDir(i) => {
                let target = dirs[usize::from(*i) % dirs.len()].clone();
                let _ = std::os::unix::fs::symlink(target, &path);
            }
            Kind::LinkOutside(file) => {
                let target = if *file {
                    outside.join("shared.toml")
                } else {
                    outside.clone()
                };
                let _ = std::os::unix::fs::symlink(target, &path);
            }
            Kind::Dangling => {
                let _ = std::os::unix::fs::symlink(base.join("nowhere"), &path);
            }
            Kind::SelfLink => {
                let _ = std::os::unix::fs::symlink(&path, &path);
            }
        }
    }
    root
}

fuzz_target!(|entries: Vec<Entry>| {
    let base = base();
    let root = build(&base, &entries);
    if let Ok((matrix, findings)) = escalate::matrix::load_path(&root) {
        escalate_fuzz::exercise_matrix(&matrix, findings);
    }
    let _ = std::fs::remove_dir_all(&base);
});
