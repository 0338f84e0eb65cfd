#![allow(clippy::unwrap_used, clippy::expect_used)]
//! `escalate diff` and `escalate changelog` on real git repositories built in
//! temporary folders with pinned commit dates: several versions and tags, a
//! renamed and a split matrix file, a relaxed target, a private phone
//! number, folders outside git, a shallow clone and the error cases.

use assert_cmd::Command;
use git2::{IndexAddOption, Oid, Repository, Signature, Time};
use serde_json::Value;
use std::path::{Path, PathBuf};

const NOW: &str = "2026-12-03T12:00:00Z";
const OLD_PHONE: &str = "5550 1000";
const NEW_PHONE: &str = "5550 7777";

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/diff/matrix")
}

fn escalate(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.current_dir(dir)
        .env_remove("ESCALATE_MATRIX")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args(["--now", NOW]);
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

/// Replaces text in a file; the text must be there.
fn edit(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replacen(from, to, 1)).unwrap();
}

struct History {
    dir: tempfile::TempDir,
    repo: Repository,
    start: Oid,
}

impl History {
    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn matrix(&self) -> PathBuf {
        self.path().join("matrix")
    }

    /// Commits the whole working tree (additions, changes, deletions).
    fn commit(&self, message: &str, author: &str, seconds: i64) -> Oid {
        let mut index = self.repo.index().unwrap();
        index.add_all(["*"], IndexAddOption::DEFAULT, None).unwrap();
        index.update_all(["*"], None).unwrap();
        index.write().unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        let email = format!(
            "{}@example.org",
            author.split(' ').next().unwrap().to_lowercase()
        );
        let signature = Signature::new(author, &email, &Time::new(seconds, 60)).unwrap();
        let parents: Vec<git2::Commit<'_>> = self
            .repo
            .head()
            .ok()
            .map(|h| h.peel_to_commit().unwrap())
            .into_iter()
            .collect();
        let parents: Vec<&git2::Commit<'_>> = parents.iter().collect();
        self.repo
            .commit(
                Some("HEAD"),
                &signature,
                &signature,
                message,
                &tree,
                &parents,
            )
            .unwrap()
    }

    fn tag(&self, name: &str, id: Oid, annotated: bool) {
        let object = self.repo.find_object(id, None).unwrap();
        if annotated {
            let tagger = Signature::new(
                "Dana Governance",
                "dana@example.org",
                &Time::new(1_767_600_000, 60),
            )
            .unwrap();
            self.repo
                .tag(name, &object, &tagger, &format!("Matrix {name}"), false)
                .unwrap();
        } else {
            self.repo.tag_lightweight(name, &object, false).unwrap();
        }
    }

    /// A broken version on a side branch; the working tree stays as it is.
    fn broken_branch(&self, base: Oid) {
        let head = self.repo.find_commit(base).unwrap();
        let tiers = self.matrix().join("support/tiers.toml");
        let good = std::fs::read_to_string(&tiers).unwrap();
        edit(&tiers, "owner = \"maker-support\"", "owner = \"nobody\"");
        let mut index = self.repo.index().unwrap();
        index
            .add_path(Path::new("matrix/support/tiers.toml"))
            .unwrap();
        let tree = self.repo.find_tree(index.write_tree().unwrap()).unwrap();
        let signature = Signature::new(
            "Dana Governance",
            "dana@example.org",
            &Time::new(1_772_400_000, 60),
        )
        .unwrap();
        self.repo
            .commit(
                Some("refs/heads/broken"),
                &signature,
                &signature,
                "Break a tier",
                &tree,
                &[&head],
            )
            .unwrap();
        std::fs::write(&tiers, good).unwrap();
        index.read_tree(&head.tree().unwrap()).unwrap();
        index.write().unwrap();
    }
}

/// The repository every test starts from:
///
/// - `start`: a README only (no matrix yet);
/// - `v1.0.0` (annotated): the matrix;
/// - `reorganised`: `tiers.toml` moved to `support/`, two severities split
///   into their own file (no semantic change);
/// - Tier 2 handed to the platform team, a holiday, version 1.1.0; then a
///   README change, tagged `v1.1.0`;
/// - `v2.0.0` (annotated): Severity 2 resolution relaxed for Tier 2, a new
///   phone number for the service desk, a new private pager for the
///   sponsor, a new contact, version 2.0.0;
/// - branch `broken`: an owner nobody defines.
fn history() -> History {
    let dir = tempfile::tempdir().unwrap();
    let repo = Repository::init(dir.path()).unwrap();
    let mut h = History {
        dir,
        repo,
        start: Oid::zero(),
    };
    let root = h.path().to_path_buf();
    std::fs::write(root.join("README.md"), "# Governance\n").unwrap();
    h.start = h.commit(
        "Start the governance repository",
        "Dana Governance",
        1_767_340_800,
    );
    copy_dir(&fixture(), &h.matrix());
    let v1 = h.commit(
        "Add the escalation matrix\n\nFirst version, reviewed by the governance board.",
        "Dana Governance",
        1_767_600_000,
    );
    h.tag("v1.0.0", v1, true);

    let m = h.matrix();
    std::fs::create_dir_all(m.join("support")).unwrap();
    std::fs::rename(m.join("tiers.toml"), m.join("support/tiers.toml")).unwrap();
    let severities = std::fs::read_to_string(m.join("severities.toml")).unwrap();
    let cut = severities.find("[[severity]]\nid = \"sev3\"").unwrap();
    std::fs::write(m.join("severities.toml"), &severities[..cut]).unwrap();
    std::fs::write(m.join("support/low-severities.toml"), &severities[cut..]).unwrap();
    let reorganised = h.commit(
        "Move tiers and low severities into support/",
        "Dana Governance",
        1_768_900_000,
    );
    h.tag("reorganised", reorganised, false);

    edit(
        &m.join("support/tiers.toml"),
        "owner = \"automation-team\"",
        "owner = \"platform-cce\"",
    );
    edit(
        &m.join("calendars.toml"),
        "[[calendar.exclusion]]",
        "[[calendar.holiday]]\ndate = \"2027-10-31\"\nname = \"Reformation Day\"\n\n[[calendar.exclusion]]",
    );
    edit(
        &m.join("manifest.toml"),
        "version = \"1.0.0\"",
        "version = \"1.1.0\"",
    );
    h.commit(
        "Give Tier 2 to the platform team during the SAP migration\n\n\
         The automation team works on the SAP migration until June.\n\
         Approved by the governance board on 2026-01-30.",
        "Robin Governance",
        1_770_000_000,
    );
    std::fs::write(
        root.join("README.md"),
        "# Governance\n\nThe escalation matrix lives in matrix/.\n",
    )
    .unwrap();
    let v11 = h.commit("Describe the repository", "Dana Governance", 1_770_100_000);
    h.tag("v1.1.0", v11, false);

    edit(
        &m.join("severities.toml"),
        "resolve = \"2bd\"\nupdate_every = \"4h\"\n",
        "resolve = \"2bd\"\nupdate_every = \"4h\"\n\n[[severity.override]]\ntier = \"tier2\"\nresolve = \"4bd\"\n",
    );
    edit(
        &m.join("people.toml"),
        &format!("+49 30 {OLD_PHONE}"),
        &format!("+49 30 {NEW_PHONE}"),
    );
    edit(
        &m.join("people.toml"),
        "pager = \"cdo-escalation\"",
        "pager = \"cdo-escalation-night\"",
    );
    let contact = "\n[[contact]]\nid = \"sap-liaison\"\nname = \"Avery Liaison\"\nrole = \"SAP migration liaison\"\n\
                   team = \"platform-cce\"\nverified = \"2026-11-01\"\n\n[contact.channels]\nemail = \"avery.liaison@example.org\"\n";
    let people = std::fs::read_to_string(m.join("people.toml")).unwrap() + contact;
    std::fs::write(m.join("people.toml"), people).unwrap();
    edit(
        &m.join("manifest.toml"),
        "version = \"1.1.0\"",
        "version = \"2.0.0\"",
    );
    let v2 = h.commit(
        "Relax Severity 2 resolution for Tier 2; new service desk number\n\n\
         Tier 2 is short-staffed during the SAP migration.",
        "Robin Governance",
        1_772_300_000,
    );
    h.tag("v2.0.0", v2, true);

    h.broken_branch(v2);
    h
}

#[test]
fn relaxed_target_is_breaking_and_gates_ci() {
    let h = history();
    let (code, out, err) = run(
        h.path(),
        &["diff", "v1.1.0..v2.0.0", "--fail-on", "breaking"],
    );
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("sla-target-relaxed"), "{out}");
    // In the units the matrix writes (`2bd`, `4bd`), not in hours (found by
    // a new-user trial: it read `16h -> 32h`).
    assert!(
        out.contains("severity[sev2].targets[tier2].resolve: 2bd -> 4bd (business-hours)\n"),
        "{out}"
    );
    let (code, _, _) = run(
        h.path(),
        &["diff", "v1.0.0..v1.1.0", "--fail-on", "breaking"],
    );
    assert_eq!(code, 0);
    let (code, _, _) = run(
        h.path(),
        &["diff", "v1.0.0..v1.1.0", "--fail-on", "notable"],
    );
    assert_eq!(code, 1);
    let (code, _, _) = run(h.path(), &["diff", "v1.0.0..v1.1.0"]);
    assert_eq!(code, 0);
}

#[test]
fn diff_formats_snapshot() {
    let h = history();
    let (code, human, err) = run(h.path(), &["diff", "v1.1.0..v2.0.0"]);
    assert_eq!(code, 0, "{err}");
    insta::assert_snapshot!("diff_human", human);
    let (_, markdown, _) = run(
        h.path(),
        &["diff", "v1.1.0..v2.0.0", "--format", "markdown"],
    );
    insta::assert_snapshot!("diff_markdown", markdown);
    let (_, json, _) = run(h.path(), &["diff", "v1.1.0..v2.0.0", "--format", "json"]);
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["summary"]["required_bump"], "major");
    insta::assert_snapshot!("diff_json", json);
    let (_, human, _) = run(h.path(), &["diff", "v1.0.0..v1.1.0"]);
    insta::assert_snapshot!("diff_human_owner_change", human);
}

#[test]
fn renamed_and_split_files_change_nothing() {
    let h = history();
    let (code, out, err) = run(
        h.path(),
        &["diff", "v1.0.0..reorganised", "--fail-on", "info"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("No changes."), "{out}");
    let (_, json, _) = run(
        h.path(),
        &["diff", "v1.0.0..reorganised", "--format", "json"],
    );
    let value: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["changes"], Value::Array(Vec::new()));
    assert_eq!(value["summary"]["cases"], 5);
}

#[test]
fn private_channels_never_appear() {
    let h = history();
    let mut outputs = Vec::new();
    for format in ["human", "json", "markdown", "github"] {
        let (_, out, _) = run(h.path(), &["diff", "v1.1.0..v2.0.0", "--format", format]);
        outputs.push((format, out));
    }
    let (_, changelog, _) = run(h.path(), &["changelog", "v1.1.0..v2.0.0"]);
    outputs.push(("changelog", changelog));
    let (_, all, _) = run(h.path(), &["changelog", "--all"]);
    outputs.push(("changelog --all", all));
    for (format, out) in outputs {
        for secret in [OLD_PHONE, NEW_PHONE, "cdo-escalation"] {
            assert!(!out.contains(secret), "{format} shows {secret}:\n{out}");
        }
        assert!(out.contains("phone changed"), "{format}:\n{out}");
        assert!(out.contains("pager changed"), "{format}:\n{out}");
    }
}

#[test]
fn default_range_is_the_latest_tag_against_the_working_tree() {
    let h = history();
    let (code, out, _) = run(h.path(), &["diff"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Matrix v2.0.0 -> working tree (version 2.0.0)\nNo changes."),
        "{out}"
    );
    edit(
        &h.matrix().join("support/tiers.toml"),
        "queue = \"MAKER-SUPPORT\"",
        "queue = \"MAKER-HELP\"",
    );
    let (code, out, _) = run(h.path(), &["diff", "--fail-on", "info"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("channel-changed"), "{out}");
    assert!(
        out.contains("tier[tier1].channels.queue: MAKER-SUPPORT -> MAKER-HELP"),
        "{out}"
    );
    assert!(
        out.contains("version-bump-missing  manifest.version: the matrix has info changes but the version is still 2.0.0: a patch bump is required (2.0.1)"),
        "{out}"
    );
}

#[test]
fn a_bump_smaller_than_the_changes_require_is_a_finding() {
    let h = history();
    let m = h.matrix();
    edit(
        &m.join("severities.toml"),
        "resolve = \"4bd\"",
        "resolve = \"5bd\"",
    );
    edit(
        &m.join("manifest.toml"),
        "version = \"2.0.0\"",
        "version = \"2.1.0\"",
    );
    let (code, out, _) = run(
        h.path(),
        &[
            "diff",
            "v2.0.0",
            "--format",
            "json",
            "--fail-on",
            "breaking",
        ],
    );
    assert_eq!(code, 1);
    let value: Value = serde_json::from_str(&out).unwrap();
    let finding = value["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "version-bump-missing")
        .unwrap();
    assert_eq!(finding["level"], "breaking");
    assert_eq!(
        finding["detail"],
        "2.0.0 -> 2.1.0 is a minor bump; breaking changes require a major bump (3.0.0)"
    );
    assert_eq!(finding["location"]["file"], "matrix/manifest.toml");
    // A big enough bump is no finding.
    edit(
        &m.join("manifest.toml"),
        "version = \"2.1.0\"",
        "version = \"3.0.0\"",
    );
    let (_, out, _) = run(h.path(), &["diff", "v2.0.0"]);
    assert!(!out.contains("version-bump-missing"), "{out}");
}

#[test]
fn github_annotations_point_at_repository_paths() {
    let h = history();
    let (_, out, _) = run(h.path(), &["diff", "v1.1.0..v2.0.0", "--format", "github"]);
    let relaxed = out
        .lines()
        .find(|l| l.contains("sla-target-relaxed"))
        .unwrap();
    assert!(
        relaxed.starts_with(
            "::error file=matrix/severities.toml,line=53,title=sla-target-relaxed (breaking)::"
        ),
        "{relaxed}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("::warning ") && l.contains("contact-added")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.starts_with("::notice ") && l.contains("channel-changed")),
        "{out}"
    );
}

#[test]
fn revisions_and_paths_can_be_named_separately() {
    let h = history();
    let (code, out, err) = run(
        h.path(),
        &[
            "diff",
            "--old",
            "v1.0.0:matrix",
            "--new",
            "reorganised:matrix",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("No changes."), "{out}");
    let (code, out, err) = run(h.path(), &["diff", "--old", "v1.1.0"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.starts_with("Matrix v1.1.0 -> working tree (version 1.1.0 -> 2.0.0)"),
        "{out}"
    );
    let (code, out, _) = run(h.path(), &["diff", "v1.1.0...v2.0.0"]);
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Matrix v1.1.0 (merge base) -> v2.0.0"),
        "{out}"
    );
}

/// The minimal fixture in two folders, outside any repository.
fn folders() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let minimal = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/minimal");
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    copy_dir(&minimal, &old);
    copy_dir(&minimal, &new);
    (dir, old, new)
}

#[test]
fn folders_compare_without_git() {
    let (dir, old, new) = folders();
    std::fs::write(
        old.join("more-tiers.toml"),
        "[[tier]]\nid = \"tier2\"\nname = \"Second line\"\nowner = \"support-team\"\nbackup = \"backup-person\"\n",
    )
    .unwrap();
    edit(
        &old.join("tiers.toml"),
        "name = \"Front line\"",
        "name = \"Front line\"\nescalates_to = \"tier2\"",
    );
    // Around the clock instead of office hours: 1h of working time -> 1h
    // real time is clearly tighter; 16 working hours -> 24h is not clear.
    edit(
        &new.join("severities.toml"),
        "calendar = \"office-hours\"\n",
        "",
    );
    edit(
        &new.join("severities.toml"),
        "resolve = \"2bd\"",
        "resolve = \"24h\"",
    );
    let (code, out, err) = run(
        dir.path(),
        &[
            "diff",
            "--old",
            "old",
            "--new",
            "new",
            "--fail-on",
            "breaking",
        ],
    );
    assert_eq!(code, 1, "{out}{err}");
    insta::assert_snapshot!("diff_folders", out);
    let (code, out, _) = run(dir.path(), &["changelog", "--old", "old", "--new", "new"]);
    assert_eq!(code, 0);
    insta::assert_snapshot!("changelog_folders", out);
}

#[test]
fn changelog_snapshot() {
    let h = history();
    let (code, out, err) = run(h.path(), &["changelog", "v1.1.0..v2.0.0"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Robin Governance"), "{out}");
    insta::assert_snapshot!("changelog_v2", out);
    let (_, out, _) = run(h.path(), &["changelog", "v1.0.0..v1.1.0"]);
    assert!(
        !out.contains("Describe the repository"),
        "a commit that did not touch the matrix:\n{out}"
    );
    insta::assert_snapshot!("changelog_v1_1", out);
}

#[test]
fn changelog_all_has_one_section_per_version_tag() {
    let h = history();
    let (code, out, err) = run(h.path(), &["changelog", "--all"]);
    assert_eq!(code, 0, "{err}");
    let headings: Vec<&str> = out.lines().filter(|l| l.starts_with("## ")).collect();
    assert_eq!(
        headings,
        [
            "## 2.0.0 (2026-02-28)",
            "## 1.1.0 (2026-02-03)",
            "## 1.0.0 (2026-01-05)"
        ]
    );
    insta::assert_snapshot!("changelog_all", out);
}

#[test]
fn changelog_output_prepends_and_keeps_the_rest() {
    let h = history();
    let file = h.path().join("MATRIX-CHANGELOG.md");
    let rest = "## 1.1.0 (2026-02-03)\n\nHand-written notes, kept as they are.  \n\n## 1.0.0\n\n- First.\n";
    let existing =
        format!("# Matrix change log\n\nEvery change to the escalation matrix.\n\n{rest}");
    std::fs::write(&file, &existing).unwrap();
    let (code, _, err) = run(
        h.path(),
        &[
            "changelog",
            "v1.1.0..v2.0.0",
            "--output",
            "MATRIX-CHANGELOG.md",
            "--prepend",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let written = std::fs::read_to_string(&file).unwrap();
    let (_, section, _) = run(h.path(), &["changelog", "v1.1.0..v2.0.0"]);
    assert_eq!(
        written,
        format!(
            "# Matrix change log\n\nEvery change to the escalation matrix.\n\n{section}\n{rest}"
        )
    );
    // The same section twice is refused, and nothing is written.
    let (code, _, err) = run(
        h.path(),
        &[
            "changelog",
            "v1.1.0..v2.0.0",
            "--output",
            "MATRIX-CHANGELOG.md",
            "--prepend",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("already has a section `## 2.0.0 (2026-02-28)`"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);
    // Without --prepend an existing file is kept unless --force is given
    // (regression: it was replaced, hand-written notes and all).
    let (code, _, err) = run(
        h.path(),
        &["changelog", "--all", "--output", "MATRIX-CHANGELOG.md"],
    );
    assert_eq!(code, 2);
    assert!(
        err.contains("MATRIX-CHANGELOG.md already exists; nothing was written"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), written);
    // With --force it is replaced; no temporary file is left behind.
    let (code, _, _) = run(
        h.path(),
        &[
            "changelog",
            "--all",
            "--output",
            "MATRIX-CHANGELOG.md",
            "--force",
        ],
    );
    assert_eq!(code, 0);
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .starts_with("# Change log: Citizen Developer Support Escalation Matrix\n")
    );
    let leftovers: Vec<_> = std::fs::read_dir(h.path())
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().starts_with(".escalate"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn unknown_revision_is_a_clear_error() {
    let h = history();
    let (code, out, err) = run(h.path(), &["diff", "v9.9.9..v2.0.0"]);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert!(
        err.contains("escalate: revision `v9.9.9` does not exist"),
        "{err}"
    );
    assert!(
        err.contains("help: give a tag, branch or commit that exists"),
        "{err}"
    );
}

#[test]
fn a_revision_without_the_matrix_is_a_clear_error() {
    let h = history();
    let range = format!("{}..v1.0.0", h.start);
    let (code, _, err) = run(h.path(), &["diff", &range]);
    assert_eq!(code, 2);
    assert!(
        err.contains(&format!(
            "the matrix does not exist at {}: there is no `matrix` in that revision",
            h.start
        )),
        "{err}"
    );
}

#[test]
fn a_revision_that_does_not_load_shows_its_diagnostics() {
    let h = history();
    let (code, _, err) = run(h.path(), &["diff", "v2.0.0..broken"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown-reference"), "{err}");
    assert!(err.contains("broken:matrix/support/tiers.toml"), "{err}");
    assert!(
        err.contains("escalate: the matrix at broken does not load: 1 error"),
        "{err}"
    );
}

#[test]
fn a_repository_without_commits_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    Repository::init(dir.path()).unwrap();
    copy_dir(&fixture(), &dir.path().join("matrix"));
    let (code, _, err) = run(dir.path(), &["diff"]);
    assert_eq!(code, 2);
    assert!(err.contains("has no commits yet"), "{err}");
    assert!(err.contains("help: commit the matrix first"), "{err}");
}

#[test]
fn outside_git_says_how_to_compare_folders() {
    let (dir, _, _) = folders();
    std::fs::rename(dir.path().join("new"), dir.path().join("matrix")).unwrap();
    let (code, _, err) = run(dir.path(), &["diff"]);
    assert_eq!(code, 2);
    assert!(err.contains("is not inside a git repository"), "{err}");
    assert!(err.contains("--old PATH --new PATH"), "{err}");
}

#[test]
fn a_shallow_clone_says_how_to_fetch_more_history() {
    let h = history();
    let clone = tempfile::tempdir().unwrap();
    let url = format!("file://{}", h.path().display());
    let status = std::process::Command::new("git")
        .args([
            "clone", "--quiet", "--depth", "1", "--branch", "v2.0.0", &url,
        ])
        .arg(clone.path().join("repo"))
        .status();
    let Ok(status) = status else {
        eprintln!("git is not installed: skipping the shallow clone test");
        return;
    };
    assert!(status.success());
    let repo = clone.path().join("repo");
    let (code, _, err) = run(&repo, &["diff", "v1.0.0..HEAD"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("revision `v1.0.0` does not exist in this shallow clone"),
        "{err}"
    );
    assert!(err.contains("git fetch --unshallow"), "{err}");
    assert!(err.contains("git fetch --deepen=N"), "{err}");
    let (code, _, err) = run(&repo, &["diff", "HEAD~1"]);
    assert_eq!(code, 2);
    assert!(err.contains("git fetch --unshallow"), "{err}");
    // What the clone has still compares.
    let (code, out, err) = run(&repo, &["diff"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("No changes."), "{out}");
}

#[test]
fn list_kinds_names_every_kind_once() {
    let (code, out, _) = run(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        &["diff", "--list-kinds"],
    );
    assert_eq!(code, 0);
    assert!(
        out.lines().any(|l| l
            .split_whitespace()
            .take(2)
            .eq(["sla-target-relaxed", "breaking"])),
        "{out}"
    );
    for kind in [
        "sla-target-relaxed",
        "tier-removed",
        "owner-changed",
        "rule-precedence-changed",
        "contact-added",
        "routing-impact",
    ] {
        assert!(out.contains(kind), "{kind}:\n{out}");
    }
    let names: Vec<&str> = out
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let unique: std::collections::BTreeSet<&&str> = names.iter().collect();
    assert_eq!(unique.len(), names.len());
}

#[test]
fn range_and_old_new_do_not_mix() {
    let h = history();
    let (code, _, err) = run(h.path(), &["diff", "v1.0.0..v2.0.0", "--old", "v1.0.0"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("give either a revision range or --old/--new"),
        "{err}"
    );
    let (code, _, err) = run(h.path(), &["diff", "--old", "no-such-folder"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("`no-such-folder` is neither a folder or file nor a git revision"),
        "{err}"
    );
}

/// Replaces the first `from` after `anchor` in a file.
fn edit_after(path: &Path, anchor: &str, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    let start = text
        .find(anchor)
        .unwrap_or_else(|| panic!("{} lacks {anchor:?}", path.display()));
    let offset = text[start..]
        .find(from)
        .unwrap_or_else(|| panic!("no {from:?} after {anchor:?}"))
        + start;
    let edited = format!("{}{to}{}", &text[..offset], &text[offset + from.len()..]);
    std::fs::write(path, edited).unwrap();
}

/// One edit of each kind in a copy of the fixture.
fn edit_every_kind(new: &Path) {
    let file = |name: &str| new.join(name);
    edit_after(
        &file("rules.toml"),
        "id = \"data-mapping\"",
        "precedence = 20",
        "precedence = 32",
    );
    edit(
        &file("rules.toml"),
        "\"robot\", \"rpa\", \"bot\",",
        "\"robot\", \"rpa\", \"bot\", \"power automate\",",
    );
    edit_after(
        &file("rules.toml"),
        "id = \"platform-outage\"",
        "then.severity = \"sev2\"",
        "then.severity = \"sev1\"",
    );
    edit(
        &file("rules.toml"),
        "then.notify = [\"governance-lead\"]",
        "then.notify = [\"governance-lead\", \"governance-office\"]",
    );
    edit(
        &file("rules.toml"),
        "terms = [\"log in\", \"logon\",",
        "terms = [\"log in\", \"log on\", \"logon\",",
    );
    edit(
        &file("severities.toml"),
        "[[severity.escalation]]\nafter = \"1h\"\nunless = \"acknowledged\"\naction = \"call\"\nnotify = [\"next-tier\", \"governance-lead\"]\n\n",
        "",
    );
    edit(
        &file("severities.toml"),
        "after = \"1h30m\"",
        "after = \"1h45m\"",
    );
    edit(
        &file("calendars.toml"),
        "end = \"17:00\"",
        "end = \"16:00\"",
    );
    edit(
        &file("calendars.toml"),
        "[[calendar.holiday]]\ndate = \"2027-03-26\"\nname = \"Good Friday\"\n\n",
        "",
    );
    edit(
        &file("calendars.toml"),
        "[[calendar.exclusion]]\nstart = \"2026-12-31T12:00\"\nend = \"2026-12-31T17:00\"\nreason = \"New Year's Eve afternoon: offices closed\"\n",
        "",
    );
    edit_after(
        &file("decisions.toml"),
        "id = \"regulated-data\"",
        "min_severity = \"sev3\"",
        "min_severity = \"sev2\"",
    );
    edit(
        &file("decisions.toml"),
        "\"personal data\", \"personal information\",",
        "\"personal data\", \"medical record\", \"personal information\",",
    );
    edit(
        &file("glossary.toml"),
        "A ready-made link between the no-code platform",
        "A ready-made, vendor-supported link between the no-code platform",
    );
    edit(
        &file("scripts.toml"),
        "Thank you. We could not classify",
        "Thank you for reporting this. We could not classify",
    );
    edit(
        &file("manifest.toml"),
        "severity = \"sev4\"\nscript = \"general-intake\"",
        "severity = \"sev3\"\nscript = \"general-intake\"",
    );
    edit(
        &file("manifest.toml"),
        "last_reviewed = \"2026-10-01\"",
        "last_reviewed = \"2026-11-15\"",
    );
    edit_after(
        &file("people.toml"),
        "id = \"governance-lead\"",
        "verified = \"2026-10-01\"",
        "private = [\"chat\"]\nverified = \"2026-10-01\"",
    );
    edit(
        &file("people.toml"),
        "email = \"maker-support@example.org\"",
        "email = \"makers@example.org\"",
    );
    edit(
        &file("tiers.toml"),
        "backup = \"platform-architect\"",
        "backup = \"platform-lead\"",
    );
}

#[test]
fn every_kind_of_entity_is_compared() {
    let dir = tempfile::tempdir().unwrap();
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    copy_dir(&fixture(), &old);
    copy_dir(&fixture(), &new);
    edit_every_kind(&new);
    let (code, json, err) = run(
        dir.path(),
        &["diff", "--old", "old", "--new", "new", "--format", "json"],
    );
    assert_eq!(code, 0, "{err}");
    let value: Value = serde_json::from_str(&json).unwrap();
    let found: std::collections::BTreeSet<String> = value["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}",
                c["kind"].as_str().unwrap(),
                c["path"].as_str().unwrap()
            )
        })
        .collect();
    for expected in [
        "rule-precedence-changed rule[data-mapping].precedence",
        "rule-condition-changed rule[automation-flow].when.any",
        "rule-outcome-changed rule[platform-outage].then.severity",
        "notify-added rule[major-outage].notify[governance-office]",
        "phrases-changed synonyms[sign-in].terms",
        "phrases-changed dimension[data].level[regulated].phrases",
        "escalation-step-removed severity[sev1].escalation[2]",
        "escalation-step-delayed severity[sev2].escalation[1].after",
        "business-hours-changed calendar[business-hours].window",
        "holiday-removed calendar[business-hours].holiday[2027-03-26]",
        "exclusion-removed calendar[business-hours].exclusion[2026-12-31T12:00..2026-12-31T17:00]",
        "decision-changed decision[regulated-data].min_severity",
        "term-changed term[connector].meaning",
        "script-changed script[general-intake].text",
        "fallback-changed fallback.severity",
        "review-changed manifest.last_reviewed",
        "privacy-changed contact[governance-lead].private[chat]",
        "channel-changed team[maker-support].channels.email",
        "backup-changed tier[tier3].backup",
        "version-bump-missing manifest.version",
    ] {
        assert!(
            found.contains(expected),
            "missing {expected}:\n{}",
            found.iter().cloned().collect::<Vec<_>>().join("\n")
        );
    }
    let (_, human, _) = run(dir.path(), &["diff", "--old", "old", "--new", "new"]);
    insta::assert_snapshot!("diff_every_kind", human);
    let (_, changelog, _) = run(dir.path(), &["changelog", "--old", "old", "--new", "new"]);
    insta::assert_snapshot!("changelog_every_kind", changelog);
}

/// Targets read in the matrix's own units; a new spelling of the same time
/// is no change, the same spelling with another meaning shows both.
#[test]
fn targets_read_in_the_units_the_matrix_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("matrix");
    copy_dir(&shipped, &tmp.path().join("old"));
    copy_dir(&shipped, &tmp.path().join("new"));
    let severities = tmp.path().join("new/severities.toml");
    let text = std::fs::read_to_string(&severities).unwrap();
    let sev2 = text.find("resolve = \"2bd\"").unwrap();
    let respelled = format!("{}resolve = \"16h\"{}", &text[..sev2], &text[sev2 + 15..]);
    std::fs::write(&severities, &respelled).unwrap();
    let (code, out, err) = run(tmp.path(), &["diff", "--old", "old", "--new", "new"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("No changes."), "{out}");

    let relaxed = format!("{}resolve = \"3bd\"{}", &text[..sev2], &text[sev2 + 15..]);
    std::fs::write(&severities, relaxed).unwrap();
    let (_, out, _) = run(tmp.path(), &["diff", "--old", "old", "--new", "new"]);
    assert!(
        out.contains(
            "  sla-target-relaxed    severity[sev2].targets.resolve: 2bd -> 3bd (business-hours)\n"
        ),
        "{out}"
    );
    let (_, out, _) = run(tmp.path(), &["changelog", "--old", "old", "--new", "new"]);
    assert!(
        out.contains(
            "- Severity 2, all tiers: resolution target relaxed from 2 business days to 3.\n"
        ),
        "{out}"
    );

    std::fs::write(&severities, &text).unwrap();
    let manifest = tmp.path().join("new/manifest.toml");
    let m = std::fs::read_to_string(&manifest).unwrap();
    std::fs::write(
        &manifest,
        m.replace("business_day = \"8h\"", "business_day = \"10h\""),
    )
    .unwrap();
    let (_, out, _) = run(tmp.path(), &["diff", "--old", "old", "--new", "new"]);
    assert!(
        out.contains("severity[sev2].targets.resolve: 2bd = 16h -> 2bd = 20h (business-hours)\n"),
        "{out}"
    );
}

/// A tier cannot lose its backup between two compared versions: the new
/// version is invalid and the diff says why. Hence no `backup-removed` kind.
#[test]
fn a_removed_backup_stops_the_diff_with_its_error() {
    let tmp = tempfile::tempdir().unwrap();
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("matrix");
    copy_dir(&shipped, &tmp.path().join("old"));
    copy_dir(&shipped, &tmp.path().join("new"));
    edit(
        &tmp.path().join("new/tiers.toml"),
        "backup = \"service-desk\"\n",
        "",
    );
    let (code, out, err) = run(tmp.path(), &["diff", "--old", "old", "--new", "new"]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("missing-backup"), "{err}");
    assert!(err.contains("tier `tier1` has no backup"), "{err}");

    let (_, kinds, _) = run(tmp.path(), &["diff", "--list-kinds"]);
    assert!(kinds.contains("backup-changed"), "{kinds}");
    assert!(!kinds.contains("backup-removed"), "{kinds}");
    assert!(!kinds.contains("backup-added"), "{kinds}");
}
