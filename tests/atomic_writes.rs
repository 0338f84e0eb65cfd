#![allow(clippy::unwrap_used, clippy::expect_used)]
// Each writer reports how many of its kills landed mid-write.
#![allow(clippy::print_stderr)]
//! Every write the tool makes is atomic: a process killed mid-write leaves
//! each file it was replacing either as it was or as it was meant to be,
//! never half-written, and no half-written file where pages are looked for.
//!
//! For each writer (`publish`, `publish --inject`, `changelog --output`,
//! `init --force`) the test first records the files before and after a
//! complete run, then runs the same command again and again from the
//! "before" state and kills it with SIGKILL:
//!
//! - at evenly spread delays from the start of the process to a little past
//!   the time a complete run takes (so some kills land before, during and
//!   after the writes);
//! - the moment one of its temporary files shows up in the output folder,
//!   which is as "mid-write" as a kill can be made from outside.
//!
//! After every kill each file must be byte for byte its old or its new
//! version; anything else in the folder must be a hidden temporary file of
//! the writer (which the next run ignores), and the next complete run must
//! succeed and write exactly the new files.
//!
//! The matrices are generated (5,000 contacts, so that the contacts page is
//! close to 1 MB and takes a while to write) by the same generator as the
//! benchmarks, with two seeds: version A and version B.

#[allow(dead_code)]
#[path = "../examples/gen_matrix/generator.rs"]
mod generator;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const NOW: &str = "2026-12-03T12:00:00Z";

/// Kills at spread delays per writer (from the start to 1.1 times a full run).
const DELAYED_KILLS: u32 = 30;
/// Kills the moment a temporary file appears, per writer.
const MID_WRITE_KILLS: u32 = 5;

fn escalate(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("escalate"));
    cmd.current_dir(dir)
        .env_remove("ESCALATE_MATRIX")
        .env("NO_COLOR", "1")
        .args(["--now", NOW, "--color", "never"])
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

/// Runs a command to its end; panics unless it succeeds.
fn complete(dir: &Path, args: &[&str]) -> Duration {
    let started = Instant::now();
    let status = escalate(dir, args).status().unwrap();
    assert!(status.success(), "escalate {args:?}: {status}");
    started.elapsed()
}

/// Every file below `dir`, by path relative to it, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let relative = path
                    .strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                out.insert(relative, std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn restore(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).unwrap();
    for (path, bytes) in files {
        let full = dir.join(path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(full, bytes).unwrap();
    }
}

fn file_name(path: &str) -> &str {
    path.rsplit('/').next().unwrap_or(path)
}

/// Whether any file below `dir` has a name starting with `prefix`.
fn has_temp(dir: &Path, prefix: &str) -> bool {
    let mut stack = vec![dir.to_path_buf()];
    while let Some(folder) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&folder) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            if name.to_string_lossy().starts_with(prefix) {
                return true;
            }
            if entry.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(entry.path());
            }
        }
    }
    false
}

enum Kill {
    After(Duration),
    /// As soon as a temporary file shows up.
    MidWrite,
}

/// Starts the command and kills it (SIGKILL); returns whether it was still
/// running when killed and whether a temporary file was left.
fn run_and_kill(
    dir: &Path,
    args: &[&str],
    watch: &Path,
    prefix: &str,
    kill: &Kill,
) -> (bool, bool) {
    let mut child = escalate(dir, args).spawn().unwrap();
    match kill {
        Kill::After(delay) => std::thread::sleep(*delay),
        Kill::MidWrite => {
            let deadline = Instant::now() + Duration::from_secs(60);
            while Instant::now() < deadline
                && !has_temp(watch, prefix)
                && child.try_wait().unwrap().is_none()
            {
                std::hint::spin_loop();
            }
        }
    }
    let running = child.try_wait().unwrap().is_none();
    let _ = child.kill();
    let _ = child.wait();
    (running, has_temp(watch, prefix))
}

/// What one writer is checked on.
struct Writer<'a> {
    name: &'a str,
    /// Where the command runs.
    cwd: &'a Path,
    args: &'a [&'a str],
    /// The folder the command writes into, and the state it starts from.
    out: &'a Path,
    before: BTreeMap<String, Vec<u8>>,
    /// Name prefix of the writer's temporary files.
    temp_prefix: &'a str,
}

/// After a kill: every file is its old or its new version; the rest are
/// hidden temporary files.
fn check_state(w: &Writer<'_>, after: &BTreeMap<String, Vec<u8>>, what: &str) -> usize {
    let now = snapshot(w.out);
    let mut temps = 0;
    for (path, bytes) in &now {
        if file_name(path).starts_with(w.temp_prefix) {
            assert!(
                file_name(path).starts_with('.'),
                "{what}: a visible temporary file {path}"
            );
            temps += 1;
            continue;
        }
        let old = w.before.get(path);
        let new = after.get(path);
        assert!(
            old.is_some() || new.is_some(),
            "{what}: {path} is neither an old nor a new file"
        );
        assert!(
            Some(bytes) == old || Some(bytes) == new,
            "{what}: {path} is neither its old nor its new version ({} bytes; old {:?}, new {:?})",
            bytes.len(),
            old.map(Vec::len),
            new.map(Vec::len)
        );
    }
    // Nothing that existed before went missing.
    for path in w.before.keys() {
        assert!(
            now.contains_key(path) || !after.contains_key(path),
            "{what}: {path} disappeared"
        );
    }
    temps
}

/// The whole procedure for one writer.
fn kill_repeatedly(w: &Writer<'_>) {
    restore(w.out, &w.before);
    let full = complete(w.cwd, w.args);
    let after = snapshot(w.out);
    assert_ne!(after, w.before, "{}: the command changes nothing", w.name);
    let span = full.mul_f64(1.1);
    let mut kills: Vec<Kill> = (0..DELAYED_KILLS)
        .map(|i| Kill::After(span.mul_f64(f64::from(i) / f64::from(DELAYED_KILLS))))
        .collect();
    kills.extend((0..MID_WRITE_KILLS).map(|_| Kill::MidWrite));
    let (mut running, mut mid_write) = (0u32, 0u32);
    for (i, kill) in kills.iter().enumerate() {
        restore(w.out, &w.before);
        let what = match kill {
            Kill::After(delay) => format!("{} killed after {delay:?}", w.name),
            Kill::MidWrite => format!("{} killed mid-write", w.name),
        };
        let (was_running, left_temp) = run_and_kill(w.cwd, w.args, w.out, w.temp_prefix, kill);
        running += u32::from(was_running);
        mid_write += u32::from(left_temp);
        check_state(w, &after, &what);
        // The next complete run recovers: exactly the new files, plus at
        // most the temporary files the killed run left.
        if i % 10 == 9 || matches!(kill, Kill::MidWrite) {
            complete(w.cwd, w.args);
            let now: BTreeMap<String, Vec<u8>> = snapshot(w.out)
                .into_iter()
                .filter(|(p, _)| !file_name(p).starts_with(w.temp_prefix))
                .collect();
            assert_eq!(
                now.keys().collect::<Vec<_>>(),
                after.keys().collect::<Vec<_>>(),
                "{what}: then a complete run"
            );
            assert!(
                now == after,
                "{what}: then a complete run writes other bytes"
            );
        }
    }
    eprintln!(
        "{}: {} kills ({running} while running, {mid_write} leaving a temporary file, i.e. mid-write); a full run takes {full:?}",
        w.name,
        kills.len()
    );
    assert!(
        running >= DELAYED_KILLS / 2,
        "{}: most kills must hit a running process",
        w.name
    );
}

struct Setup {
    tmp: tempfile::TempDir,
}

impl Setup {
    /// Two versions of a large generated matrix, `a/` and `b/`.
    fn new() -> Self {
        let tmp = tempfile::tempdir().unwrap();
        for (name, seed) in [("a", 1), ("b", 2)] {
            let params = generator::Params {
                contacts: 5_000,
                rules: 1_000,
                seed,
                format: generator::Format::Toml,
            };
            generator::generate(&params)
                .write_to(&tmp.path().join(name))
                .unwrap();
        }
        Setup { tmp }
    }

    fn path(&self) -> &Path {
        self.tmp.path()
    }
}

#[cfg(unix)]
#[test]
fn publish_killed_mid_write_leaves_old_or_new_pages() {
    let s = Setup::new();
    let out = s.path().join("portal");
    // The portal as version A published it.
    complete(
        s.path(),
        &["publish", "--matrix", "a", "--output", "portal"],
    );
    let before = snapshot(&out);
    assert!(before["contacts.md"].len() > 500_000);
    kill_repeatedly(&Writer {
        name: "publish",
        cwd: s.path(),
        args: &["publish", "--matrix", "b", "--output", "portal"],
        out: &out,
        before,
        temp_prefix: ".escalate-tmp-",
    });
}

#[cfg(unix)]
#[test]
fn publish_inject_killed_mid_write_leaves_the_old_or_new_page() {
    let s = Setup::new();
    let out = s.path().join("docs");
    let page = "# Support\n\nOur own words, kept byte for byte.\n\n<!-- escalate:begin contacts -->\n<!-- escalate:end contacts -->\n\nMore of our own words.\n";
    let before = BTreeMap::from([("support.md".to_string(), page.as_bytes().to_vec())]);
    kill_repeatedly(&Writer {
        name: "publish --inject",
        cwd: s.path(),
        args: &["publish", "--matrix", "b", "--inject", "docs/support.md"],
        out: &out,
        before,
        temp_prefix: ".escalate-tmp-",
    });
}

#[cfg(unix)]
#[test]
fn changelog_output_killed_mid_write_leaves_the_old_or_new_file() {
    let s = Setup::new();
    let out = s.path().join("log");
    let before = BTreeMap::from([(
        "CHANGES.md".to_string(),
        b"# Matrix change log\n\nThe previous content, which must survive.\n".to_vec(),
    )]);
    kill_repeatedly(&Writer {
        name: "changelog --output",
        cwd: s.path(),
        args: &[
            "changelog",
            "--old",
            "a",
            "--new",
            "b",
            "--output",
            "log/CHANGES.md",
            "--force",
        ],
        out: &out,
        before,
        temp_prefix: ".escalate-changelog-",
    });
}

#[cfg(unix)]
#[test]
fn init_force_killed_mid_write_leaves_old_or_new_files() {
    let s = Setup::new();
    let reference = s.path().join("reference");
    complete(s.path(), &["init", "reference"]);
    // Every file of the scaffold exists with other contents.
    let before: BTreeMap<String, Vec<u8>> = snapshot(&reference)
        .into_keys()
        .map(|path| {
            let old = format!("an older {path}\n").into_bytes();
            (path, old)
        })
        .collect();
    assert!(before.len() > 5, "{before:?}");
    let out = s.path().join("repo");
    kill_repeatedly(&Writer {
        name: "init --force",
        cwd: s.path(),
        args: &["init", "repo", "--force"],
        out: &out,
        before,
        temp_prefix: ".escalate-tmp-",
    });
}

/// The temporary files a killed run leaves are hidden and ignored by the
/// next run, which would otherwise refuse to write into a folder holding
/// files it did not generate.
#[cfg(unix)]
#[test]
fn a_left_over_temporary_file_does_not_block_the_next_publish() {
    let s = Setup::new();
    let out = s.path().join("portal");
    complete(
        s.path(),
        &["publish", "--matrix", "a", "--output", "portal"],
    );
    std::fs::write(out.join(".escalate-tmp-AbC123"), "half a page").unwrap();
    complete(
        s.path(),
        &["publish", "--matrix", "b", "--output", "portal"],
    );
    assert!(
        out.join(".escalate-tmp-AbC123").exists(),
        "left alone, not taken for a page"
    );
}
