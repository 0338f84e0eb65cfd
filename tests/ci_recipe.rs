#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The CI recipes work as written.
//!
//! `examples/ci/github-actions.yml` and the workflow `escalate init` writes
//! are parsed, and their `run:` steps are executed in order, with the bash
//! GitHub uses, against throwaway git repositories: the shipped matrix
//! committed on `main` (the base branch, as `origin/main`) and a change on a
//! second commit, as in a pull request. Only the installation step and the
//! `uses:` actions are left out; `escalate` is the binary under test, first
//! on `PATH`. The pre-commit hooks run their entries the same way. Also here:
//! every command's `--help` carries an example, and `--version` names the
//! matrix schema it reads.

use assert_cmd::Command;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tempfile::TempDir;

/// When the base version's portal was published and committed.
const BASE_DATE: &str = "2026-11-20T10:00:00+01:00";
/// When the change was published and committed.
const CHANGE_DATE: &str = "2026-11-23T15:30:00+01:00";

#[derive(Debug, Deserialize)]
struct Workflow {
    #[serde(default)]
    env: BTreeMap<String, String>,
    defaults: Option<Defaults>,
    jobs: BTreeMap<String, Job>,
}

#[derive(Debug, Deserialize)]
struct Defaults {
    run: RunDefaults,
}

#[derive(Debug, Deserialize)]
struct RunDefaults {
    shell: String,
}

#[derive(Debug, Deserialize)]
struct Job {
    #[serde(default)]
    env: BTreeMap<String, String>,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
struct Step {
    name: Option<String>,
    uses: Option<String>,
    run: Option<String>,
    #[serde(rename = "if")]
    condition: Option<String>,
    #[serde(default)]
    env: BTreeMap<String, String>,
}

/// What happened to one `run:` step.
#[derive(Debug)]
struct StepRun {
    name: String,
    /// The exit code; `None` when the step was skipped after a failure.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_workflow(path: &Path) -> Workflow {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `${{ ... }}` as GitHub evaluates it for a pull request into `main`.
fn expression(inner: &str) -> String {
    match inner.trim() {
        "github.base_ref" => "main".into(),
        "github.event_name" => "pull_request".into(),
        other => panic!("the recipe test does not know the expression `{other}`"),
    }
}

fn expand(value: &str) -> String {
    let mut out = String::new();
    let mut rest = value;
    while let Some(start) = rest.find("${{") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find("}}").unwrap() + start;
        out.push_str(&expression(&rest[start + 3..end]));
        rest = &rest[end + 2..];
    }
    out.push_str(rest);
    out
}

/// Whether a step runs, for a pull request, after earlier steps failed or not.
fn runs(condition: Option<&str>, failed: bool) -> bool {
    let Some(condition) = condition else {
        return !failed;
    };
    let inner = condition
        .trim()
        .trim_start_matches("${{")
        .trim_end_matches("}}")
        .trim();
    match inner {
        "always()" | "!cancelled()" => true,
        "github.event_name == 'pull_request'" => !failed,
        other => panic!("the recipe test does not know the condition `{other}`"),
    }
}

fn escalate_dir() -> PathBuf {
    Path::new(env!("CARGO_BIN_EXE_escalate"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn path_with_escalate() -> std::ffi::OsString {
    let mut paths = vec![escalate_dir()];
    paths.extend(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    ));
    std::env::join_paths(paths).unwrap()
}

/// Runs the workflow's `run:` steps in order in `repo`, as GitHub runs them
/// for a pull request into `main`; `skip` names the steps left out (they must
/// exist). Returns the steps and the job summary.
fn run_workflow(path: &Path, repo: &Path, skip: &[&str]) -> (Vec<StepRun>, String) {
    let workflow = read_workflow(path);
    let shell = workflow.defaults.as_ref().map(|d| d.run.shell.as_str());
    assert_eq!(
        shell,
        Some("bash"),
        "the recipe should run its steps with bash -eo pipefail"
    );
    assert_eq!(workflow.jobs.len(), 1, "one job");
    let job = workflow.jobs.values().next().unwrap();
    let summary = repo.join("..").join("step-summary.md");
    std::fs::write(&summary, "").unwrap();
    let mut skipped = Vec::new();
    let mut results = Vec::new();
    let mut failed = false;
    for step in &job.steps {
        let Some(script) = &step.run else {
            assert!(step.uses.is_some(), "a step without run: or uses:");
            continue;
        };
        let name = step.name.clone().expect("every run: step has a name");
        if skip.contains(&name.as_str()) {
            skipped.push(name);
            continue;
        }
        assert!(
            script.contains("escalate "),
            "step `{name}` does not run escalate"
        );
        if !runs(step.condition.as_deref(), failed) {
            results.push(StepRun {
                name,
                code: None,
                stdout: String::new(),
                stderr: String::new(),
            });
            continue;
        }
        let mut cmd = std::process::Command::new("bash");
        cmd.args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
            .current_dir(repo)
            .env("PATH", path_with_escalate())
            .env("CI", "true")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_BASE_REF", "main")
            .env("GITHUB_STEP_SUMMARY", &summary)
            .env_remove("ESCALATE_NOW")
            .env_remove("ESCALATE_MATRIX");
        for (key, value) in workflow.env.iter().chain(&job.env).chain(&step.env) {
            cmd.env(key, expand(value));
        }
        let out = cmd.output().unwrap();
        let code = out.status.code().unwrap();
        failed |= code != 0;
        results.push(StepRun {
            name,
            code: Some(code),
            stdout: String::from_utf8(out.stdout).unwrap(),
            stderr: String::from_utf8(out.stderr).unwrap(),
        });
    }
    assert_eq!(skipped, skip, "steps to skip not found in the workflow");
    (results, std::fs::read_to_string(&summary).unwrap())
}

fn describe(steps: &[StepRun]) -> String {
    steps
        .iter()
        .map(|s| {
            format!(
                "--- {} -> {:?}\nstdout:\n{}\nstderr:\n{}",
                s.name, s.code, s.stdout, s.stderr
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn codes(steps: &[StepRun]) -> Vec<(&str, Option<i32>)> {
    steps.iter().map(|s| (s.name.as_str(), s.code)).collect()
}

fn git(repo: &Path, args: &[&str], date: &str) {
    let out = std::process::Command::new("git")
        .args([
            "-c",
            "user.name=Governance Office",
            "-c",
            "user.email=governance@example.org",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(repo)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn escalate(repo: &Path, now: &str, args: &[&str]) {
    Command::cargo_bin("escalate")
        .unwrap()
        .current_dir(repo)
        .env_remove("ESCALATE_MATRIX")
        .env("NO_COLOR", "1")
        .args(["--now", now])
        .args(args)
        .assert()
        .success();
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

/// Replaces the first match of a regular expression in a file.
fn edit(path: &Path, pattern: &str, replace: impl Fn(&regex::Captures<'_>) -> String) {
    let text = std::fs::read_to_string(path).unwrap();
    let re = regex::Regex::new(pattern).unwrap();
    let captures = re
        .captures(&text)
        .unwrap_or_else(|| panic!("{} has no match for {pattern}", path.display()));
    let whole = captures.get(0).unwrap();
    let new = format!(
        "{}{}{}",
        &text[..whole.start()],
        replace(&captures),
        &text[whole.end()..]
    );
    std::fs::write(path, new).unwrap();
}

/// Bumps the manifest version in the matrix folder; returns the new version.
fn bump(matrix: &Path, major: bool) -> String {
    let file = ["manifest.toml", "matrix.toml", "matrix.yaml"]
        .iter()
        .map(|f| matrix.join(f))
        .find(|p| p.exists())
        .unwrap();
    let pattern = r#"(?m)^(\s*version\s*[=:]\s*)"(\d+)\.(\d+)\.(\d+)""#;
    let text = std::fs::read_to_string(&file).unwrap();
    let captures = regex::Regex::new(pattern).unwrap().captures(&text).unwrap();
    let (a, b, c): (u32, u32, u32) = (
        captures[2].parse().unwrap(),
        captures[3].parse().unwrap(),
        captures[4].parse().unwrap(),
    );
    let version = if major {
        format!("{}.0.0", a + 1)
    } else {
        format!("{a}.{b}.{}", c + 1)
    };
    edit(&file, pattern, |c| format!("{}\"{version}\"", &c[1]));
    version
}

/// Rewords the first tier's `when_to_escalate` (an info-level change).
fn reword(matrix: &Path, file: &str) {
    edit(
        &matrix.join(file),
        r#"(when_to_escalate\s*[=:]\s*"?)"#,
        |c| format!("{}Attach a screenshot. ", &c[1]),
    );
}

/// A repository with the shipped matrix and its published portal committed
/// on `main` (also `origin/main`), checked out on a new branch `change`.
fn shipped_repo() -> (TempDir, PathBuf) {
    let tmp = TempDir::new().unwrap();
    let repo = tmp.path().join("repo");
    std::fs::create_dir(&repo).unwrap();
    copy_dir(&root().join("matrix"), &repo.join("matrix"));
    git(&repo, &["init", "-q"], BASE_DATE);
    escalate(
        &repo,
        BASE_DATE,
        &[
            "--matrix", "matrix", "publish", "--output", "portal", "--mkdocs",
        ],
    );
    git(&repo, &["add", "-A"], BASE_DATE);
    git(
        &repo,
        &["commit", "-q", "-m", "The shipped matrix"],
        BASE_DATE,
    );
    git(
        &repo,
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
        BASE_DATE,
    );
    git(&repo, &["checkout", "-q", "-b", "change"], BASE_DATE);
    (tmp, repo)
}

fn commit_change(repo: &Path, message: &str, publish: bool) {
    if publish {
        escalate(
            repo,
            CHANGE_DATE,
            &[
                "--matrix", "matrix", "publish", "--output", "portal", "--mkdocs",
            ],
        );
    }
    git(repo, &["add", "-A"], CHANGE_DATE);
    git(repo, &["commit", "-q", "-m", message], CHANGE_DATE);
}

fn example_workflow() -> PathBuf {
    root().join("examples/ci/github-actions.yml")
}

const EXAMPLE_STEPS: &[&str] = &[
    "Validate",
    "Routing tests",
    "Change log",
    "No breaking change without review",
    "Portal is up to date",
];

#[test]
fn example_workflow_passes_on_a_compatible_change() {
    let (_tmp, repo) = shipped_repo();
    let version = bump(&repo.join("matrix"), false);
    reword(&repo.join("matrix"), "tiers.toml");
    commit_change(
        &repo,
        "Tier 1: ask for a screenshot before escalating",
        true,
    );

    let (steps, summary) = run_workflow(&example_workflow(), &repo, &["Install escalate"]);
    assert_eq!(
        codes(&steps),
        EXAMPLE_STEPS
            .iter()
            .map(|s| (*s, Some(0)))
            .collect::<Vec<_>>(),
        "{}",
        describe(&steps)
    );
    let junit = std::fs::read_to_string(repo.join("routing-tests.xml")).unwrap();
    assert!(junit.starts_with("<?xml"), "{junit}");
    assert!(junit.contains("<testsuite"), "{junit}");
    assert!(!junit.contains("<failure"), "{junit}");
    assert!(
        summary.starts_with(&format!("## {version} ")),
        "the job summary is the change log:\n{summary}"
    );
    assert!(summary.contains("Tier 1: ask for a screenshot before escalating"));
    assert!(summary.contains("### Rationale"), "{summary}");
}

#[test]
fn example_workflow_stops_a_breaking_change_after_posting_the_change_log() {
    let (_tmp, repo) = shipped_repo();
    bump(&repo.join("matrix"), true);
    // Removing an escalation step is breaking.
    edit(
        &repo.join("matrix/severities.toml"),
        r"(?m)^\[\[severity\.escalation\]\]\n(?:[^\n\[][^\n]*\n)+",
        |_| String::new(),
    );
    commit_change(&repo, "Drop the first escalation step", true);

    let (steps, summary) = run_workflow(&example_workflow(), &repo, &["Install escalate"]);
    assert_eq!(
        codes(&steps),
        vec![
            ("Validate", Some(0)),
            ("Routing tests", Some(0)),
            ("Change log", Some(0)),
            ("No breaking change without review", Some(1)),
            ("Portal is up to date", None),
        ],
        "{}",
        describe(&steps)
    );
    let gate = &steps[3];
    assert!(
        gate.stdout.contains("::error ") && gate.stdout.contains("escalation-step-removed"),
        "{}",
        gate.stdout
    );
    assert!(summary.contains("reaking"), "{summary}");
}

#[test]
fn example_workflow_fails_when_the_portal_was_not_republished() {
    let (_tmp, repo) = shipped_repo();
    bump(&repo.join("matrix"), false);
    reword(&repo.join("matrix"), "tiers.toml");
    commit_change(&repo, "Reword tier 1, forget the portal", false);

    let (steps, _) = run_workflow(&example_workflow(), &repo, &["Install escalate"]);
    let last = steps.last().unwrap();
    assert_eq!(last.name, "Portal is up to date");
    assert_eq!(last.code, Some(1), "{}", describe(&steps));
    assert!(
        steps[..steps.len() - 1].iter().all(|s| s.code == Some(0)),
        "{}",
        describe(&steps)
    );
}

#[test]
fn init_workflow_passes_on_the_scaffold_and_a_change() {
    let tmp = TempDir::new().unwrap();
    let repo = tmp.path().join("office");
    Command::cargo_bin("escalate")
        .unwrap()
        .current_dir(tmp.path())
        .env_remove("ESCALATE_NOW")
        .args(["init", "office"])
        .assert()
        .success();
    git(&repo, &["init", "-q"], BASE_DATE);
    git(&repo, &["add", "-A"], BASE_DATE);
    git(
        &repo,
        &["commit", "-q", "-m", "Escalation matrix 0.1.0"],
        BASE_DATE,
    );
    git(
        &repo,
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
        BASE_DATE,
    );
    git(&repo, &["checkout", "-q", "-b", "change"], BASE_DATE);
    let version = bump(&repo.join("matrix"), false);
    assert_eq!(version, "0.1.1");
    reword(&repo.join("matrix"), "matrix.toml");
    commit_change(&repo, "Tier 1: ask for a screenshot", false);

    let (steps, summary) = run_workflow(
        &repo.join(".github/workflows/escalate.yml"),
        &repo,
        &["Install escalate"],
    );
    assert_eq!(
        codes(&steps),
        vec![
            ("Validate", Some(0)),
            ("Routing tests", Some(0)),
            ("Change log", Some(0)),
            ("No breaking change without review", Some(0)),
            ("Portal pages", Some(0)),
        ],
        "{}",
        describe(&steps)
    );
    assert!(summary.starts_with("## 0.1.1 "), "{summary}");
    assert!(repo.join("portal/mkdocs.yml").is_file());
    assert!(repo.join("routing-tests.xml").is_file());
}

#[derive(Debug, Deserialize)]
struct Hook {
    id: String,
    entry: String,
    language: String,
    files: String,
    pass_filenames: bool,
}

/// Runs a hook's entry (plus `args`) in `repo` as pre-commit would, with
/// `pass_filenames: false`.
fn run_hook(repo: &Path, hook: &Hook, args: &str) -> std::process::Output {
    std::process::Command::new("bash")
        .args(["-c", &format!("{} {args}", hook.entry)])
        .current_dir(repo)
        .env("PATH", path_with_escalate())
        .env("NO_COLOR", "1")
        .env_remove("ESCALATE_NOW")
        .env_remove("ESCALATE_MATRIX")
        .output()
        .unwrap()
}

#[test]
fn pre_commit_hooks_run_validate_and_test() {
    let text = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<Hook> = serde_saphyr::from_str(&text).unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "escalate-validate",
            "escalate-test",
            "escalate-validate-system",
            "escalate-test-system"
        ]
    );
    let (_tmp, repo) = shipped_repo();
    for hook in &hooks {
        assert!(matches!(hook.language.as_str(), "rust" | "system"));
        assert!(
            !hook.pass_filenames,
            "{}: escalate reads the whole folder",
            hook.id
        );
        let files = regex::Regex::new(&hook.files).unwrap();
        for path in ["matrix/tiers.toml", "matrix/tests/smoke.toml", "m/x.yaml"] {
            assert!(files.is_match(path), "{} skips {path}", hook.id);
        }
        assert!(!files.is_match("README.md"));
        let out = run_hook(&repo, hook, "");
        assert!(
            out.status.success(),
            "{}: {}{}",
            hook.id,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        // The folder named in `args`, as the comment in the file says.
        let out = run_hook(&repo, hook, "--matrix matrix");
        assert!(out.status.success(), "{}", hook.id);
    }
    // A broken matrix stops the commit.
    edit(
        &repo.join("matrix/tiers.toml"),
        r#"owner = "[^"]+""#,
        |_| "owner = \"nobody-at-all\"".into(),
    );
    let out = run_hook(&repo, &hooks[0], "");
    assert_eq!(out.status.code(), Some(1));
}

#[derive(Debug, Deserialize)]
struct PreCommitConfig {
    repos: Vec<PreCommitRepo>,
}

#[derive(Debug, Deserialize)]
struct PreCommitRepo {
    repo: String,
    hooks: Vec<Hook>,
}

#[test]
fn init_pre_commit_config_runs_validate_and_test() {
    let tmp = TempDir::new().unwrap();
    Command::cargo_bin("escalate")
        .unwrap()
        .current_dir(tmp.path())
        .args(["init"])
        .assert()
        .success();
    let text = std::fs::read_to_string(tmp.path().join(".pre-commit-config.yaml")).unwrap();
    let config: PreCommitConfig = serde_saphyr::from_str(&text).unwrap();
    assert_eq!(config.repos.len(), 1);
    assert_eq!(config.repos[0].repo, "local");
    let hooks = &config.repos[0].hooks;
    assert_eq!(hooks.len(), 2);
    for hook in hooks {
        assert_eq!(hook.language, "system");
        let files = regex::Regex::new(&hook.files).unwrap();
        assert!(files.is_match("matrix/matrix.toml"));
        assert!(files.is_match("matrix/tests/routing.yaml"));
        assert!(!files.is_match("README.md"));
        let out = run_hook(tmp.path(), hook, "");
        assert!(
            out.status.success(),
            "{}: {}{}",
            hook.id,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

#[test]
fn every_command_help_carries_an_example() {
    use clap::CommandFactory;
    let cli = escalate::cli::Cli::command();
    let mut names = Vec::new();
    for sub in cli.get_subcommands() {
        let name = sub.get_name();
        names.push(name.to_string());
        let after = sub
            .get_after_help()
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            after.contains("Example") && after.contains(&format!("escalate {name}")),
            "`escalate {name} --help` has no example:\n{after}"
        );
    }
    for name in ["validate", "route", "test", "init", "review"] {
        assert!(names.iter().any(|n| n == name), "no `{name}` command");
    }
    // And it is printed.
    let out = Command::cargo_bin("escalate")
        .unwrap()
        .args(["review", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.contains("Examples:\n  escalate review"), "{help}");
}

#[test]
fn version_names_the_tool_and_the_matrix_schema() {
    let out = Command::cargo_bin("escalate")
        .unwrap()
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("escalate {} (matrix schema 1)\n", env!("CARGO_PKG_VERSION"))
    );
}

/// The installation step builds a pinned commit (escalate has no release
/// tags: the recipes once installed `--tag v0.1.0`, which does not exist),
/// and stops with a message naming a repository variable that is not set.
#[test]
fn the_recipes_install_a_pinned_commit() {
    for path in [
        example_workflow(),
        root().join("src/init/templates/workflow.yml"),
    ] {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("--tag"), "{}", path.display());
        assert!(
            text.contains("key: escalate-${{ vars.ESCALATE_REV }}-${{ runner.os }}"),
            "{}: the cache is keyed on the commit",
            path.display()
        );
        let workflow = read_workflow(&path);
        let job = workflow.jobs.values().next().unwrap();
        let step = job
            .steps
            .iter()
            .find(|s| s.name.as_deref() == Some("Install escalate"))
            .unwrap();
        let script = step.run.as_deref().unwrap();
        assert!(
            script.contains(
                "cargo install --locked --git \"$ESCALATE_GIT\" --rev \"$ESCALATE_REV\" escalate"
            ),
            "{script}"
        );
        assert_eq!(step.env["ESCALATE_GIT"], "${{ vars.ESCALATE_GIT }}");
        assert_eq!(step.env["ESCALATE_REV"], "${{ vars.ESCALATE_REV }}");
        // Unset variables (empty, as GitHub passes them): a clear stop,
        // before cargo runs.
        for (git, rev, missing) in [
            ("", "", "ESCALATE_GIT"),
            ("https://example.org/escalate.git", "", "ESCALATE_REV"),
        ] {
            let out = std::process::Command::new("bash")
                .args(["--noprofile", "--norc", "-eo", "pipefail", "-c", script])
                .env("PATH", "/usr/bin:/bin")
                .env("ESCALATE_GIT", git)
                .env("ESCALATE_REV", rev)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "{}", path.display());
            let stderr = String::from_utf8(out.stderr).unwrap();
            assert!(
                stderr.contains(&format!("{missing}: set the repository variable {missing}")),
                "{stderr}"
            );
        }
    }
    for path in [
        root().join("README.md"),
        root().join(".pre-commit-hooks.yaml"),
    ] {
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains("rev: v0."), "{}", path.display());
    }
}
