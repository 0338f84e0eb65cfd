//! Unit tests for the matrix cache.

use super::{Cache, Status};
use crate::matrix;
use std::path::{Path, PathBuf};

fn shipped_copy(dir: &Path) -> PathBuf {
    let folder = dir.join("matrix");
    for (name, text) in matrix::shipped::FILES {
        let path = folder.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    folder
}

fn entries(cache: &Cache) -> Vec<PathBuf> {
    std::fs::read_dir(cache.dir())
        .map(|d| d.map(|e| e.unwrap().path()).collect())
        .unwrap_or_default()
}

/// Everything the cache must carry over, positions and sources included.
fn snapshot(m: &matrix::Matrix) -> String {
    let sources: Vec<_> = m
        .sources
        .iter()
        .map(|s| {
            (
                s.path.clone(),
                s.text().to_string(),
                s.line_starts().to_vec(),
            )
        })
        .collect();
    format!("{m:?}\n{sources:?}")
}

#[test]
fn a_hit_gives_the_matrix_the_loader_gives() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    for folder in [
        shipped_copy(dir.path()),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/yaml-matrix"),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/small-matrix.toml"),
    ] {
        let (plain, findings) = matrix::load_path(&folder).unwrap();
        assert!(findings.is_empty(), "{folder:?}: {findings:?}");
        let (first, _, status) = cache.load_path(&folder).unwrap();
        assert_eq!(status, Status::Stored, "{folder:?}");
        let (second, found, status) = cache.load_path(&folder).unwrap();
        assert_eq!(status, Status::Hit, "{folder:?}");
        assert!(found.is_empty());
        assert_eq!(snapshot(&plain), snapshot(&first));
        assert_eq!(snapshot(&plain), snapshot(&second), "{folder:?}");
        assert!(!plain.rules.is_empty() || !plain.parties.is_empty());
    }
    assert_eq!(entries(&cache).len(), 3);
}

#[test]
fn a_changed_file_is_read_again() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let folder = shipped_copy(dir.path());
    cache.load_path(&folder).unwrap();
    let (name, text) = matrix::shipped::FILES
        .iter()
        .find(|(_, text)| text.contains("summary = \""))
        .unwrap();
    let changed = text.replacen("summary = \"", "summary = \"Changed: ", 1);
    std::fs::write(folder.join(name), &changed).unwrap();
    let (m, _, status) = cache.load_path(&folder).unwrap();
    assert_eq!(status, Status::Stored);
    let (plain, _) = matrix::load_path(&folder).unwrap();
    assert_eq!(snapshot(&m), snapshot(&plain));
    assert!(snapshot(&m).contains("Changed: "));
    // One entry per matrix path: the old one was replaced.
    assert_eq!(entries(&cache).len(), 1);
    // A new file counts too.
    std::fs::write(
        folder.join("more.toml"),
        "[[term]]\nid = \"t-x\"\nterm = \"X\"\nmeaning = \"x\"\nbusiness_impact = \"x\"\n",
    )
    .unwrap();
    let (m, _, status) = cache.load_path(&folder).unwrap();
    assert_eq!(status, Status::Stored);
    assert!(m.terms.iter().any(|t| t.id.value == "t-x"));
}

#[test]
fn a_damaged_entry_is_ignored_and_rewritten() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let folder = shipped_copy(dir.path());
    let (plain, _) = matrix::load_path(&folder).unwrap();
    cache.load_path(&folder).unwrap();
    let entry = entries(&cache).pop().unwrap();
    let good = std::fs::read(&entry).unwrap();
    let mut flipped = good.clone();
    let last = flipped.len() - 10;
    flipped[last] ^= 0x20;
    let mut wrong_key = good.clone();
    wrong_key[20] ^= 1;
    for damaged in [
        Vec::new(),
        b"garbage".to_vec(),
        good[..good.len() / 2].to_vec(),
        flipped,
        wrong_key,
    ] {
        std::fs::write(&entry, &damaged).unwrap();
        let (m, _, status) = cache.load_path(&folder).unwrap();
        assert_eq!(status, Status::Stored);
        assert_eq!(snapshot(&m), snapshot(&plain));
        assert_eq!(std::fs::read(&entry).unwrap(), good);
    }
}

#[test]
fn loads_with_findings_are_not_stored() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let folder = shipped_copy(dir.path());
    std::fs::write(
        folder.join("odd.toml"),
        "[[term]]\nid = \"t-x\"\nunknown_key = 1\n",
    )
    .unwrap();
    let (_, findings, status) = cache.load_path(&folder).unwrap();
    assert!(!findings.is_empty());
    assert_eq!(status, Status::Loaded);
    let (_, again, status) = cache.load_path(&folder).unwrap();
    assert_eq!(status, Status::Loaded);
    assert_eq!(format!("{findings:?}"), format!("{again:?}"));
    assert!(entries(&cache).is_empty());
}

#[cfg(unix)]
#[test]
fn folders_with_links_are_loaded_normally() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let folder = shipped_copy(dir.path());
    std::os::unix::fs::symlink(dir.path().join("elsewhere.toml"), folder.join("link.toml"))
        .unwrap();
    let (_, _, status) = cache.load_path(&folder).unwrap();
    assert_eq!(status, Status::Loaded);
    assert!(entries(&cache).is_empty());
}

#[test]
fn a_missing_path_fails_as_the_loader_does() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let missing = dir.path().join("nope");
    let cached = cache.load_path(&missing).unwrap_err().to_string();
    let plain = matrix::load_path(&missing).unwrap_err().to_string();
    assert_eq!(cached, plain);
}

#[test]
fn old_entries_are_pruned() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    std::fs::create_dir_all(cache.dir()).unwrap();
    for i in 0..40 {
        std::fs::write(cache.dir().join(format!("matrix-{i:02}.bin")), "x").unwrap();
    }
    std::fs::write(cache.dir().join("other"), "kept").unwrap();
    let folder = shipped_copy(dir.path());
    assert_eq!(cache.load_path(&folder).unwrap().2, Status::Stored);
    let left = entries(&cache);
    assert_eq!(left.len(), super::MAX_ENTRIES + 1);
    assert!(left.iter().any(|p| p.ends_with("other")));
    assert_eq!(cache.load_path(&folder).unwrap().2, Status::Hit);
}

#[test]
fn byte_order_marks_and_crlf_are_read_as_the_loader_reads_them() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let folder = shipped_copy(dir.path());
    let (name, text) = matrix::shipped::FILES[0];
    let windows = format!("\u{feff}{}", text.replace('\n', "\r\n"));
    std::fs::write(folder.join(name), windows).unwrap();
    let (plain, findings) = matrix::load_path(&folder).unwrap();
    assert!(findings.is_empty());
    assert_eq!(cache.load_path(&folder).unwrap().2, Status::Stored);
    let (hit, _, status) = cache.load_path(&folder).unwrap();
    assert_eq!(status, Status::Hit);
    assert_eq!(snapshot(&hit), snapshot(&plain));
    assert!(!hit.sources.iter().any(|s| s.text().contains('\r')));
}

#[test]
fn an_unwritable_cache_only_costs_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    // The cache folder's place is taken by a file: nothing can be written.
    let blocked = dir.path().join("blocked");
    std::fs::write(&blocked, "not a folder").unwrap();
    let cache = Cache::new(blocked.join("escalate"));
    let folder = shipped_copy(dir.path());
    let (plain, _) = matrix::load_path(&folder).unwrap();
    for _ in 0..2 {
        let (m, findings, status) = cache.load_path(&folder).unwrap();
        assert_eq!(status, Status::Loaded);
        assert!(findings.is_empty());
        assert_eq!(snapshot(&m), snapshot(&plain));
    }
}

#[test]
fn matrices_over_the_size_limit_are_loaded_normally() {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let folder = shipped_copy(dir.path());
    // A valid file of comments takes the folder just past the limit.
    let shipped: u64 = matrix::shipped::FILES
        .iter()
        .map(|(_, text)| text.len() as u64)
        .sum();
    let filler = usize::try_from(super::MAX_CACHED_BYTES + 1 - shipped).unwrap();
    let line = "# padding to reach the cache size limit\n";
    let text: String = line.repeat(filler / line.len() + 1);
    std::fs::write(folder.join("zz-padding.toml"), text).unwrap();
    let (plain, findings) = matrix::load_path(&folder).unwrap();
    assert!(findings.is_empty(), "{findings:?}");
    for _ in 0..2 {
        let (loaded, _, status) = cache.load_path(&folder).unwrap();
        assert_eq!(status, Status::Loaded);
        assert_eq!(snapshot(&plain), snapshot(&loaded));
    }
    assert!(entries(&cache).is_empty());
    // Without the padding the same folder is cached.
    std::fs::remove_file(folder.join("zz-padding.toml")).unwrap();
    let (_, _, status) = cache.load_path(&folder).unwrap();
    assert_eq!(status, Status::Stored);
}
