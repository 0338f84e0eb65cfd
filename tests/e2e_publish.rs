#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
//! `escalate publish` proven on real tools: the published folder builds with
//! `MkDocs` in strict mode, and headless Chromium renders the SLA table as a
//! table and carries the Mermaid flowchart. A screenshot of the overview is
//! kept under `target/test-artifacts/`.
//!
//! The tools are installed by `.ci/run` (`pip install mkdocs
//! pymdown-extensions`, `apt-get install chromium`). When one is missing this
//! test fails, it never skips.

use assert_cmd::Command as Escalate;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

const NOW: &str = "2026-12-03T12:00:00Z";

/// Runs a command with a deadline; the output, or a panic naming the command.
fn run(cmd: &mut Command, timeout: Duration) -> Output {
    let shown = format!("{cmd:?}");
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {shown}: {e}"));
    // Drain the pipes on threads so that a chatty child never blocks.
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stdout, &mut v).ok();
        v
    });
    let err = std::thread::spawn(move || {
        let mut v = Vec::new();
        std::io::Read::read_to_end(&mut stderr, &mut v).ok();
        v
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if start.elapsed() > timeout {
            child.kill().ok();
            child.wait().ok();
            panic!("{shown} did not finish within {timeout:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out.join().unwrap(),
        stderr: err.join().unwrap(),
    }
}

/// How to run `MkDocs`: `mkdocs` on the PATH, else `python3 -m mkdocs`; with
/// pymdown-extensions importable. Panics with the install command otherwise.
fn mkdocs() -> Vec<String> {
    let candidates: [&[&str]; 2] = [&["mkdocs"], &["python3", "-m", "mkdocs"]];
    for c in candidates {
        let ok = Command::new(c[0])
            .args(&c[1..])
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return c.iter().map(ToString::to_string).collect();
        }
    }
    panic!(
        "MkDocs is missing: the end-to-end publish test needs it (and must not skip). \
         Install it with `pip install mkdocs pymdown-extensions` (.ci/run does)."
    );
}

fn chromium() -> String {
    for name in ["chromium", "chromium-browser"] {
        let ok = Command::new(name)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            return name.to_string();
        }
    }
    panic!(
        "Chromium is missing: the end-to-end publish test needs it (and must not skip). \
         Install it with `apt-get install -y chromium` (.ci/run does)."
    );
}

fn chromium_cmd(browser: &str, profile: &Path) -> Command {
    let mut cmd = Command::new(browser);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

fn dump_dom(browser: &str, page: &Path) -> String {
    let profile = tempfile::tempdir().unwrap();
    let out = run(
        chromium_cmd(browser, profile.path())
            .arg("--dump-dom")
            .arg(format!("file://{}", page.display())),
        Duration::from_secs(120),
    );
    assert!(
        out.status.success(),
        "chromium --dump-dom failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn publish(args: &[&str]) {
    let out = Escalate::cargo_bin("escalate")
        .unwrap()
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("ESCALATE_MATRIX")
        .args(["--now", NOW, "--matrix", "matrix", "publish"])
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "publish failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn mkdocs_build(mkdocs: &[String], config: &Path, site: &Path) {
    let out = run(
        Command::new(&mkdocs[0])
            .args(&mkdocs[1..])
            .args(["build", "--strict", "--config-file"])
            .arg(config)
            .arg("--site-dir")
            .arg(site),
        Duration::from_secs(300),
    );
    assert!(
        out.status.success(),
        "mkdocs build --strict failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn artifacts() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .parent()
        .unwrap()
        .join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn published_portal_builds_with_mkdocs_and_renders_in_chromium() {
    let mkdocs = mkdocs();
    let browser = chromium();
    let tmp = tempfile::tempdir().unwrap();
    let portal = tmp.path().join("portal");
    let site = tmp.path().join("site");
    publish(&["--output", portal.to_str().unwrap(), "--mkdocs"]);
    mkdocs_build(&mkdocs, &portal.join("mkdocs.yml"), &site);

    // Every page was built, under its own name.
    for page in [
        "index",
        "severities",
        "tiers",
        "sla",
        "decisions",
        "flow",
        "scripts",
        "quick-reference",
        "contacts",
    ] {
        assert!(
            site.join(format!("{page}.html")).is_file(),
            "{page}.html was not built"
        );
    }

    // The built HTML carries the flowchart as a Mermaid block, not as highlighted code.
    let flow_html = std::fs::read_to_string(site.join("flow.html")).unwrap();
    let mermaid = flow_html
        .find("class=\"mermaid\"")
        .unwrap_or_else(|| panic!("no mermaid block in flow.html:\n{flow_html}"));
    assert!(
        flow_html[mermaid..].contains("flowchart TD"),
        "the mermaid block is not a flowchart"
    );
    assert!(
        flow_html[mermaid..].contains("r_security_incident"),
        "the security path is missing"
    );

    // Chromium renders the SLA table as a table, with the SLA headers.
    let dom = dump_dom(&browser, &site.join("sla.html"));
    let table = dom
        .find("<table")
        .unwrap_or_else(|| panic!("no <table> in the rendered SLA page:\n{dom}"));
    let head = &dom[table
        ..dom[table..]
            .find("</thead>")
            .map_or(dom.len(), |e| table + e)];
    for header in [
        "Severity",
        "Tier",
        "Acknowledge",
        "Assess",
        "Resolve",
        "Update every",
        "Clock",
    ] {
        assert!(
            head.contains(&format!(">{header}</th>")),
            "SLA header {header} missing in {head}"
        );
    }
    assert!(
        dom.contains("<td>Severity 1 - Critical</td>"),
        "SLA rows missing"
    );
    assert!(
        dom.contains("<strong>10 business days</strong>"),
        "override not shown in bold"
    );

    // ... and keeps the flowchart in the rendered page.
    let dom = dump_dom(&browser, &site.join("flow.html"));
    assert!(
        dom.contains("<pre class=\"mermaid\"><code>flowchart TD"),
        "the rendered flow page does not carry the Mermaid flowchart"
    );

    // A screenshot of the overview, kept as a test artifact.
    let shot = artifacts().join("publish-overview.png");
    let _ = std::fs::remove_file(&shot);
    let profile = tempfile::tempdir().unwrap();
    let out = run(
        chromium_cmd(&browser, profile.path())
            .arg(format!("--screenshot={}", shot.display()))
            .arg("--window-size=1280,2000")
            .arg(format!("file://{}", site.join("index.html").display())),
        Duration::from_secs(120),
    );
    assert!(
        out.status.success(),
        "chromium --screenshot failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let png =
        std::fs::read(&shot).unwrap_or_else(|e| panic!("no screenshot at {}: {e}", shot.display()));
    assert!(
        png.starts_with(b"\x89PNG\r\n\x1a\n"),
        "the screenshot is not a PNG"
    );
    assert!(
        png.len() > 20_000,
        "the screenshot is suspiciously small ({} bytes)",
        png.len()
    );
    eprintln!("screenshot of the overview: {}", shot.display());
}

#[test]
fn single_file_portal_builds_with_mkdocs() {
    let mkdocs = mkdocs();
    let tmp = tempfile::tempdir().unwrap();
    let portal = tmp.path().join("portal");
    let site = tmp.path().join("site");
    publish(&[
        "--output",
        portal.to_str().unwrap(),
        "--mkdocs",
        "--single-file",
    ]);
    mkdocs_build(&mkdocs, &portal.join("mkdocs.yml"), &site);
    let html = std::fs::read_to_string(site.join("index.html")).unwrap();
    assert!(html.contains("<table"), "no table in the single page");
    assert!(
        html.contains("<pre class=\"mermaid\"><code>flowchart TD"),
        "no flowchart in the single page"
    );
}
