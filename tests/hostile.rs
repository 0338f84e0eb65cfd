#![allow(clippy::unwrap_used, clippy::expect_used)]
//! A corpus of hostile inputs, each with the exact outcome it must have.
//!
//! `tests/diagnostics.rs` has one case per diagnostic code; this file takes
//! the other view: the inputs a hostile or unlucky user hands the tool
//! (empty files, byte-order marks, CRLF, bad bytes, binaries, a 50 MB file,
//! 10,000 levels of nesting, alias bombs, links out of the folder and in
//! loops, folders where files belong, unreadable folders, duplicate keys,
//! time zones and dates that do not exist, an inverted window, regular
//! expressions that would explode elsewhere) and checks the exact codes,
//! messages and places, or the exact error line, that each gives, and that
//! each finishes quickly.
//!
//! Small inputs are committed under `tests/fixtures/hostile/` (byte for byte:
//! see the `.gitattributes` there); large ones, links, pipes and folders are
//! made at test time in a temporary folder. Each case copies the minimal
//! valid matrix (`tests/fixtures/minimal/` or `minimal-yaml/`) into
//! `TMP/matrix`, adds the hostile part and runs the `escalate` binary in
//! `TMP` with `--matrix matrix`, so that paths in the output are stable.

use assert_cmd::Command;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const NOW: &str = "2026-12-03T12:00:00Z";

/// Every command must end well within this; a limit that does not hold
/// shows up as a hang, which fails the test instead.
const TIMEOUT: Duration = Duration::from_secs(60);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn escalate(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("escalate").unwrap();
    cmd.current_dir(dir)
        .env_remove("ESCALATE_MATRIX")
        .env("NO_COLOR", "1")
        .env("COLUMNS", "100")
        .args(["--now", NOW, "--color", "never"])
        .timeout(TIMEOUT);
    cmd
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Base {
    Toml,
    Yaml,
    /// No files: the case makes the whole folder.
    Nothing,
}

fn copy_files(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
    }
}

/// `TMP/matrix` with the minimal matrix and the files of
/// `tests/fixtures/hostile/<fixture>/` (which replace files of the same name).
fn matrix(base: Base, fixture: Option<&str>) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("matrix");
    std::fs::create_dir(&dir).unwrap();
    match base {
        Base::Toml => copy_files(&fixtures().join("minimal"), &dir),
        Base::Yaml => copy_files(&fixtures().join("minimal-yaml"), &dir),
        Base::Nothing => {}
    }
    if let Some(fixture) = fixture {
        copy_files(&fixtures().join("hostile").join(fixture), &dir);
    }
    tmp
}

fn write(path: &Path, bytes: impl AsRef<[u8]>) {
    std::fs::write(path, bytes).unwrap();
}

/// One finding of the JSON report: code, message and `file:line:column`
/// (empty for a finding about the whole matrix).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Found {
    code: String,
    message: String,
    at: String,
}

fn found(code: &str, message: &str, at: &str) -> Found {
    Found {
        code: code.into(),
        message: message.into(),
        at: at.into(),
    }
}

/// What `escalate validate` said: exit code, findings in report order, the
/// human output and how long the slower of the two runs took.
struct Validated {
    exit: i32,
    findings: Vec<Found>,
    json: Value,
    human: String,
    took: Duration,
}

fn validate_at(dir: &Path, matrix: &str) -> Validated {
    let started = Instant::now();
    let out = escalate(dir)
        .args(["validate", "--matrix", matrix, "--format", "json"])
        .output()
        .unwrap();
    let mut took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.is_empty(), "unexpected standard error: {stderr}");
    let json: Value = serde_json::from_slice(&out.stdout).unwrap();
    let findings = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Found {
            code: f["code"].as_str().unwrap().into(),
            message: f["message"].as_str().unwrap().into(),
            at: match (f["file"].as_str(), f["line"].as_u64(), f["column"].as_u64()) {
                (Some(file), Some(line), Some(column)) => format!("{file}:{line}:{column}"),
                _ => String::new(),
            },
        })
        .collect();
    let started = Instant::now();
    let human = escalate(dir)
        .args(["validate", "--matrix", matrix])
        .output()
        .unwrap();
    took = took.max(started.elapsed());
    assert_eq!(human.status.code(), out.status.code(), "formats disagree");
    Validated {
        exit: out.status.code().unwrap(),
        findings,
        json,
        human: String::from_utf8(human.stdout).unwrap(),
        took,
    }
}

fn validate(tmp: &tempfile::TempDir) -> Validated {
    validate_at(tmp.path(), "matrix")
}

/// Exactly these findings, in this order, and this exit code.
#[track_caller]
fn assert_findings(v: &Validated, exit: i32, expected: &[Found]) {
    assert_eq!(
        v.findings, expected,
        "findings differ; human output:\n{}",
        v.human
    );
    assert_eq!(v.exit, exit, "exit code; human output:\n{}", v.human);
    assert!(
        v.took < Duration::from_secs(30),
        "took {:?}; a hostile input must be refused quickly",
        v.took
    );
}

/// The help text of the `index`th finding.
fn help(v: &Validated, index: usize) -> &str {
    v.json["findings"][index]["help"].as_str().unwrap_or("")
}

/// The human output with long lines shortened, for snapshots.
fn shortened(human: &str) -> String {
    human
        .lines()
        .map(|l| {
            let count = l.chars().count();
            if count <= 160 {
                format!("{l}\n")
            } else {
                format!(
                    "{}… ({count} characters)\n",
                    l.chars().take(100).collect::<String>()
                )
            }
        })
        .collect()
}

#[track_caller]
fn snapshot(name: &str, v: &Validated) {
    insta::with_settings!({ omit_expression => true, prepend_module_to_snapshot => true }, {
        insta::assert_snapshot!(name, format!("exit code: {}\n\n{}", v.exit, shortened(&v.human)));
    });
}

// ------------------------------------------------------------ empty files

/// Empty files, a file of comments and a bare `---` are empty fragments:
/// they add nothing and break nothing.
#[test]
fn empty_files_are_empty_fragments() {
    let tmp = matrix(Base::Toml, Some("empty"));
    let v = validate(&tmp);
    assert_findings(&v, 0, &[]);
}

/// An empty file on its own is a matrix that lacks everything.
#[test]
fn an_empty_file_alone_lacks_every_section() {
    let tmp = matrix(Base::Nothing, Some("empty"));
    let v = validate_at(tmp.path(), "matrix/empty.toml");
    assert_findings(
        &v,
        1,
        &[
            found("missing-fallback", "the matrix has no [fallback] route", ""),
            found("missing-manifest", "no file holds the [manifest] table", ""),
            found(
                "missing-section",
                "the matrix defines no severity levels",
                "",
            ),
            found("missing-section", "the matrix defines no tiers", ""),
        ],
    );
}

// ------------------------------------------------------------ byte-order mark

/// A UTF-8 byte-order mark is dropped; positions are those an editor shows.
#[test]
fn a_byte_order_mark_is_dropped_and_positions_stay_right() {
    let tmp = matrix(Base::Toml, Some("bom"));
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[found(
            "invalid-version",
            "version `1.0` is not a semantic version",
            "matrix/manifest.toml:7:11",
        )],
    );
    snapshot("bom-toml", &v);
    let tmp = matrix(Base::Yaml, Some("bom-yaml"));
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[found(
            "invalid-version",
            "version `1.0` is not a semantic version",
            "matrix/manifest.yaml:5:12",
        )],
    );
}

// ------------------------------------------------------------ CRLF line endings

/// CRLF files read like LF files: same positions, no `\r` in messages.
#[test]
fn crlf_line_endings_keep_positions() {
    for (base, fixture, at) in [
        (Base::Toml, "crlf", "matrix/manifest.toml:7:11"),
        (Base::Yaml, "crlf-yaml", "matrix/manifest.yaml:5:12"),
    ] {
        let tmp = matrix(base, Some(fixture));
        let v = validate(&tmp);
        assert_findings(
            &v,
            1,
            &[found(
                "invalid-version",
                "version `1.0` is not a semantic version",
                at,
            )],
        );
        assert!(!v.human.contains('\r'), "{:?}", v.human);
        if base == Base::Toml {
            snapshot("crlf-toml", &v);
        }
    }
}

/// Regression: a TOML multi-line string in a CRLF file kept its `\r`, which
/// ended up in the script that `route` prints and in published pages.
#[test]
fn crlf_multi_line_strings_do_not_leak_carriage_returns() {
    for (base, fixture) in [
        (Base::Toml, "crlf-script"),
        (Base::Yaml, "crlf-script-yaml"),
    ] {
        let tmp = matrix(base, Some(fixture));
        let v = validate(&tmp);
        assert_findings(&v, 0, &[]);
        let out = escalate(tmp.path())
            .args(["route", "--matrix", "matrix", "--format", "json"])
            .args(["--at", "2026-12-03T10:00:00Z", "Something odd happened"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let route: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            route["script"]["text"],
            "Front line takes this.\nReach Support Team by email support@example.org."
        );
    }
}

// ------------------------------------------------------------ invalid UTF-8 and binaries

/// UTF-16 (as Windows Notepad may save), a multi-byte character cut off at
/// the end, and an overlong encoding: each points at its first bad byte.
#[test]
fn invalid_utf8_points_at_the_first_bad_byte() {
    let tmp = matrix(Base::Toml, Some("invalid-utf8"));
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[
            found(
                "invalid-encoding",
                "matrix/notes.toml is not UTF-8 text (invalid byte at offset 0)",
                "matrix/notes.toml:1:1",
            ),
            found(
                "invalid-encoding",
                "matrix/overlong.toml is not UTF-8 text (invalid byte at offset 32)",
                "matrix/overlong.toml:1:33",
            ),
            found(
                "invalid-encoding",
                "matrix/truncated.yaml is not UTF-8 text (invalid byte at offset 32)",
                "matrix/truncated.yaml:3:14",
            ),
        ],
    );
    assert_eq!(help(&v, 0), "save the file as UTF-8");
}

/// A binary file with a matrix file's name: bad bytes are an encoding
/// error; NUL bytes are valid UTF-8 and so a syntax error. A binary file
/// without a matrix extension is not read at all.
#[test]
fn binary_files() {
    let tmp = matrix(Base::Toml, Some("binary"));
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[
            found(
                "invalid-encoding",
                "matrix/logo.toml is not UTF-8 text (invalid byte at offset 0)",
                "matrix/logo.toml:1:1",
            ),
            found(
                "syntax-error",
                "invalid unquoted key, expected letters, numbers, `-`, `_`",
                "matrix/zeros.toml:1:1",
            ),
            found(
                "syntax-error",
                "key with no value, expected `=`",
                "matrix/zeros.toml:1:5",
            ),
            found(
                "syntax-error",
                "unexpected character: `\\u{0}'",
                "matrix/zeros.yaml:1:1",
            ),
        ],
    );
    snapshot("binary", &v);
}

// ------------------------------------------------------------ a 50 MB file

/// 50,000,000 bytes of comments: refused by its size, before it is read.
#[test]
fn a_50_mb_file_is_refused_by_its_size() {
    let tmp = matrix(Base::Toml, None);
    let line = format!("# {}\n", "x".repeat(97));
    let text = line.repeat(500_000);
    assert_eq!(text.len(), 50_000_000);
    write(&tmp.path().join("matrix/huge.toml"), &text);
    write(&tmp.path().join("matrix/huge.yaml"), &text);
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[
            found(
                "limit-exceeded",
                "matrix/huge.toml is 47 MiB; matrix files are limited to 32 MiB",
                "",
            ),
            found(
                "limit-exceeded",
                "matrix/huge.yaml is 47 MiB; matrix files are limited to 32 MiB",
                "",
            ),
        ],
    );
    // Named on its own, the same.
    let v = validate_at(tmp.path(), "matrix/huge.toml");
    assert_eq!(
        v.findings[0],
        found(
            "limit-exceeded",
            "matrix/huge.toml is 47 MiB; matrix files are limited to 32 MiB",
            ""
        )
    );
}

/// Regression: a file whose size says nothing (a device) was read to the
/// end, and /dev/zero has none; now reading stops one byte past the limit.
#[cfg(target_os = "linux")]
#[test]
fn a_device_that_never_ends_is_cut_at_the_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let v = validate_at(tmp.path(), "/dev/zero");
    assert_eq!(
        v.findings[0],
        found("limit-exceeded", "/dev/zero is larger than 32 MiB", "")
    );
    assert_eq!(v.exit, 1);
}

/// In memory, the same limit.
#[test]
fn load_files_refuses_more_than_32_mib() {
    let bytes = vec![b'#'; 33 * 1024 * 1024];
    let (_, findings) = escalate::matrix::load_files(
        escalate::matrix::Origin::Memory("test".into()),
        vec![("big.toml".into(), bytes)],
    );
    assert_eq!(findings.len(), 1);
    assert_eq!(findings[0].code.name(), "limit-exceeded");
    assert_eq!(findings[0].message, "big.toml is larger than 32 MiB");
}

// ------------------------------------------------------------ 10,000 levels of nesting

const TOO_DEEP: &str =
    "lists and tables are nested more than 64 levels deep; a matrix file never needs that";

/// Nesting the existing cases do not write: inline tables in TOML, flow
/// mappings and compact block lists (`- - - 1`) in YAML, each 10,000 deep,
/// and 2,000 levels of indented YAML mappings (10,000 would not fit in the
/// size limit). Each is one finding at the level that crosses the limit.
#[test]
fn ten_thousand_levels_of_nesting() {
    let tmp = matrix(Base::Toml, None);
    let dir = tmp.path().join("matrix");
    let n = 10_000;
    write(
        &dir.join("inline.toml"),
        format!("deep = {}1{}\n", "{a = ".repeat(n), "}".repeat(n)),
    );
    write(
        &dir.join("flow.yaml"),
        format!("deep: {}1{}\n", "{a: ".repeat(n), "}".repeat(n)),
    );
    write(
        &dir.join("compact.yaml"),
        format!("deep:\n{}1\n", "- ".repeat(n)),
    );
    let mut block = String::new();
    for level in 0..2_000 {
        writeln!(block, "{}a:", " ".repeat(level)).unwrap();
    }
    writeln!(block, "{}a: 1", " ".repeat(2_000)).unwrap();
    write(&dir.join("block.yaml"), block);
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[
            found("limit-exceeded", TOO_DEEP, "matrix/block.yaml:65:65"),
            found("limit-exceeded", TOO_DEEP, "matrix/compact.yaml:2:127"),
            found("limit-exceeded", TOO_DEEP, "matrix/flow.yaml:1:259"),
            found("limit-exceeded", TOO_DEEP, "matrix/inline.toml:1:408"),
        ],
    );
    snapshot("nesting", &v);
}

/// Regression: every TOML table header past the parser's depth limit gave
/// the same finding again (21 for this file); now one per file.
#[test]
fn deep_toml_table_headers_are_one_finding() {
    let tmp = matrix(Base::Toml, None);
    let mut text = String::new();
    for depth in 1..=100 {
        writeln!(text, "[{}]", vec!["a"; depth].join(".")).unwrap();
    }
    write(&tmp.path().join("matrix/tables.toml"), text);
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[found("limit-exceeded", TOO_DEEP, "matrix/tables.toml:1:1")],
    );
}

// ------------------------------------------------------------ YAML alias bombs

const ALIASES: &str = "aliases (`*name`) expand to more than 100000 values; a matrix file may reuse an anchor, not multiply it";

/// Beyond the billion laughs of lists (tests/diagnostics.rs): the same with
/// mappings, one anchor of 10,000 items aliased 10,000 times (quadratic, not
/// exponential), and merge keys. Each stops at the alias that crosses the
/// limit.
#[test]
fn yaml_alias_bombs() {
    let tmp = matrix(Base::Yaml, None);
    let dir = tmp.path().join("matrix");
    let mut maps = String::from(
        "a0: &a0 {k0: lol, k1: lol, k2: lol, k3: lol, k4: lol, k5: lol, k6: lol, k7: lol, k8: lol, k9: lol}\n",
    );
    for i in 1..10 {
        let refs: Vec<String> = (0..10).map(|j| format!("k{j}: *a{}", i - 1)).collect();
        writeln!(maps, "a{i}: &a{i} {{{}}}", refs.join(", ")).unwrap();
    }
    write(&dir.join("maps.yaml"), maps);
    write(
        &dir.join("wide.yaml"),
        format!(
            "big: &big [{}]\nrefs: [{}]\n",
            vec!["x"; 10_000].join(", "),
            vec!["*big"; 10_000].join(", ")
        ),
    );
    let mut merge =
        String::from("m0: &m0 {a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7, h: 8, i: 9, j: 10}\n");
    for i in 1..10 {
        let refs = vec![format!("*m{}", i - 1); 10].join(", ");
        writeln!(merge, "m{i}: &m{i}\n  <<: [{refs}]\n  k{i}: {i}").unwrap();
    }
    write(&dir.join("merge.yaml"), merge);
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[
            found("limit-exceeded", ALIASES, "matrix/maps.yaml:5:41"),
            // Where the reader is replaying the anchor when the count runs out.
            found("limit-exceeded", ALIASES, "matrix/merge.yaml:1:31"),
            found("limit-exceeded", ALIASES, "matrix/wide.yaml:2:62"),
        ],
    );
    snapshot("alias-bombs", &v);
}

// ------------------------------------------------------------ links

/// Links out of the matrix folder, beyond those of tests/diagnostics.rs: an
/// absolute link to a system file, a link from a sub-folder that climbs out
/// with `../..`, and a link to the folder that holds the matrix.
#[cfg(unix)]
#[test]
fn links_out_of_the_matrix_folder_are_not_followed() {
    use std::os::unix::fs::symlink;
    let tmp = matrix(Base::Toml, None);
    let dir = tmp.path().join("matrix");
    write(
        &tmp.path().join("outside.yaml"),
        "manifest: {name: outside}\n",
    );
    symlink("/etc/passwd", dir.join("passwd.toml")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    symlink("../../outside.yaml", dir.join("sub/up.yaml")).unwrap();
    symlink("..", dir.join("parent")).unwrap();
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[
            found(
                "outside-matrix",
                "matrix/parent is a link to .., outside the matrix folder; it is not read",
                "",
            ),
            found(
                "outside-matrix",
                "matrix/passwd.toml is a link to /etc/passwd, outside the matrix folder; it is not read",
                "",
            ),
            found(
                "outside-matrix",
                "matrix/sub/up.yaml is a link to ../../outside.yaml, outside the matrix folder; it is not read",
                "",
            ),
        ],
    );
    assert_eq!(
        help(&v, 0),
        "copy the file into the matrix folder instead of linking to it"
    );
}

/// Regression: a link to a folder inside the matrix was followed, so a link
/// to the matrix folder itself read every file 40 times (until the system's
/// limit on links in a path), and two such links never finished (2^40
/// paths). A folder inside the matrix is now read once, where it is.
#[cfg(unix)]
#[test]
fn links_in_a_loop_read_each_folder_once() {
    use std::os::unix::fs::symlink;
    let tmp = matrix(Base::Toml, None);
    let dir = tmp.path().join("matrix");
    std::fs::create_dir(dir.join("more")).unwrap();
    write(
        &dir.join("more/scripts.toml"),
        "[[script]]\nid = \"intake\"\nname = \"Intake\"\ntext = \"Hello.\"\n",
    );
    write(
        &dir.join("fallback.toml"),
        "[fallback]\ntier = \"tier1\"\nseverity = \"sev1\"\nscript = \"intake\"\n",
    );
    symlink(".", dir.join("self")).unwrap();
    symlink(".", dir.join("again")).unwrap();
    symlink("..", dir.join("more/up")).unwrap();
    symlink("more", dir.join("more-again")).unwrap();
    let v = validate(&tmp);
    assert_findings(&v, 0, &[]);
    assert_eq!(v.json["findings"], Value::Array(Vec::new()));
    assert!(
        v.human.contains("(7 files)"),
        "each file read once: {}",
        v.human
    );
}

// ------------------------------------------------------------ folders without matrix files

/// An empty folder, and one whose only matrix files sit in `tests/` (the
/// routing tests) and a hidden folder: no matrix files, and nothing else
/// (no missing manifest, sections or fallback that would only repeat it).
#[test]
fn a_folder_with_no_matrix_files() {
    let expected = [found(
        "no-matrix-files",
        "matrix holds no .toml, .yaml or .yml file",
        "",
    )];
    let tmp = matrix(Base::Nothing, None);
    let v = validate(&tmp);
    assert_findings(&v, 2, &expected);
    assert_eq!(
        help(&v, 0),
        "point --matrix at the folder that holds the matrix files"
    );

    let tmp = matrix(Base::Nothing, None);
    let dir = tmp.path().join("matrix");
    std::fs::create_dir(dir.join("tests")).unwrap();
    std::fs::create_dir(dir.join(".git")).unwrap();
    std::fs::copy(
        fixtures().join("minimal/tiers.toml"),
        dir.join(".git/tiers.toml"),
    )
    .unwrap();
    write(&dir.join("tests/smoke.toml"), "");
    write(&dir.join("README.md"), "The matrix lives elsewhere.\n");
    let v = validate(&tmp);
    assert_findings(&v, 2, &expected);
}

// ------------------------------------------------------------ a file that is a folder, a pipe

/// A folder with a matrix file's name is a sub-folder like any other: its
/// files are read and it adds no finding of its own.
#[test]
fn a_folder_named_like_a_matrix_file_is_a_sub_folder() {
    let tmp = matrix(Base::Toml, None);
    let dir = tmp.path().join("matrix");
    std::fs::create_dir(dir.join("rules.toml")).unwrap();
    std::fs::create_dir(dir.join("empty.yaml")).unwrap();
    std::fs::rename(dir.join("tiers.toml"), dir.join("rules.toml/tiers.toml")).unwrap();
    let v = validate(&tmp);
    assert_findings(&v, 0, &[]);
}

/// A matrix path that runs through a file.
#[test]
fn a_matrix_path_through_a_file_cannot_be_read() {
    let tmp = matrix(Base::Toml, None);
    let out = escalate(tmp.path())
        .args(["validate", "--matrix", "matrix/tiers.toml/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "escalate: cannot read matrix at matrix/tiers.toml/: Not a directory (os error 20)\n"
    );
}

/// Regression: a named pipe with a matrix file's name made `validate` wait
/// for a writer forever. Pipes, sockets and devices found in a matrix folder
/// are now refused.
#[cfg(unix)]
#[test]
fn a_named_pipe_in_the_matrix_folder_is_refused_not_waited_for() {
    let tmp = matrix(Base::Toml, None);
    let status = std::process::Command::new("mkfifo")
        .arg(tmp.path().join("matrix/pipe.toml"))
        .status()
        .unwrap();
    assert!(status.success(), "mkfifo failed");
    let v = validate(&tmp);
    assert_findings(
        &v,
        2,
        &[found(
            "unreadable-file",
            "matrix/pipe.toml is not a regular file (a pipe, socket or device); it is not read",
            "",
        )],
    );
    assert_eq!(help(&v, 0), "matrix files are plain text files");
}

/// Where a command expects a file and finds a folder, it says so once.
///
/// Regression: each of these printed its cause twice ("Is a directory (os
/// error 21): Is a directory (os error 21)").
#[test]
fn a_folder_where_a_file_belongs() {
    let tmp = matrix(Base::Toml, None);
    for folder in ["batch.jsonl", "audit.log", "page.md", "changes.md"] {
        std::fs::create_dir(tmp.path().join(folder)).unwrap();
    }
    let cases: [(&[&str], &str); 4] = [
        (
            &["route", "--matrix", "matrix", "--batch", "batch.jsonl"],
            "escalate: reading batch.jsonl line 1: Is a directory (os error 21)\n",
        ),
        (
            &[
                "route",
                "--matrix",
                "matrix",
                "--audit-log",
                "audit.log",
                "x",
            ],
            "escalate: appending to the audit log audit.log: Is a directory (os error 21)\n",
        ),
        (
            &["publish", "--matrix", "matrix", "--inject", "page.md"],
            "escalate: reading page.md: Is a directory (os error 21)\n",
        ),
        (
            &[
                "changelog",
                "--old",
                "matrix",
                "--new",
                "matrix",
                "--output",
                "changes.md",
            ],
            "escalate: writing changes.md: Is a directory (os error 21)\n",
        ),
    ];
    for (args, stderr) in cases {
        let out = escalate(tmp.path()).args(args).output().unwrap();
        assert_eq!(
            String::from_utf8_lossy(&out.stderr),
            stderr,
            "escalate {args:?}"
        );
        assert_eq!(out.status.code(), Some(2), "escalate {args:?}");
    }
    // The failed changelog left no temporary file behind.
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

// ------------------------------------------------------------ unreadable folders and files

/// Whether this process runs as root, for whom permission bits do not hold.
#[cfg(unix)]
fn running_as_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// `escalate` as a user that permission bits apply to: as root, run it as
/// `nobody` through `setpriv` (util-linux); why not, when that is impossible.
#[cfg(unix)]
fn escalate_unprivileged(dir: &Path) -> Result<Command, String> {
    if !running_as_root() {
        return Ok(escalate(dir));
    }
    let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .ok_or("running as root, and setpriv (util-linux) is missing")?;
    let as_nobody = |dir: &Path| {
        let mut cmd = Command::new(setpriv);
        cmd.current_dir(dir)
            .env_remove("ESCALATE_MATRIX")
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(assert_cmd::cargo::cargo_bin("escalate"))
            .timeout(TIMEOUT);
        cmd
    };
    // The binary must be reachable for nobody (a build below a private
    // home folder is not).
    let probe = as_nobody(Path::new("/")).arg("--version").output();
    if !probe.as_ref().is_ok_and(|out| out.status.success()) {
        return Err(format!(
            "running as root, and nobody cannot run {}",
            assert_cmd::cargo::cargo_bin("escalate").display()
        ));
    }
    let mut cmd = as_nobody(dir);
    cmd.args(["--now", NOW, "--color", "never"]);
    Ok(cmd)
}

/// An unreadable matrix folder, sub-folder and file, as a user that the
/// permissions apply to. Root ignores permission bits, so as root the
/// binary runs as `nobody`; where that is impossible the test says why and
/// checks nothing.
#[cfg(unix)]
#[test]
fn unreadable_folders_and_files() {
    use std::os::unix::fs::PermissionsExt as _;
    let tmp = matrix(Base::Toml, None);
    let dir = tmp.path().join("matrix");
    if let Err(why) = escalate_unprivileged(tmp.path()) {
        eprintln!("skipped: {why}, so permission bits cannot be tested");
        return;
    }
    // Others (nobody) may enter the temporary folder and read the matrix.
    let mode = |path: &Path, mode: u32| {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
    };
    mode(tmp.path(), 0o755);
    mode(&dir, 0o755);
    for entry in std::fs::read_dir(&dir).unwrap() {
        mode(&entry.unwrap().path(), 0o644);
    }
    let run = |args: &[&str]| {
        let out = escalate_unprivileged(tmp.path())
            .unwrap()
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code().unwrap(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    // The setup works: the matrix is valid for that user.
    assert_eq!(run(&["validate", "--matrix", "matrix"]).0, 0);

    mode(&dir, 0o000);
    let (exit, _, stderr) = run(&["validate", "--matrix", "matrix"]);
    assert_eq!(
        stderr,
        "escalate: cannot read matrix at matrix: Permission denied (os error 13)\n"
    );
    assert_eq!(exit, 2);
    mode(&dir, 0o755);

    std::fs::create_dir(dir.join("sub")).unwrap();
    mode(&dir.join("sub"), 0o000);
    let (exit, _, stderr) = run(&["validate", "--matrix", "matrix"]);
    assert_eq!(
        stderr,
        "escalate: cannot read matrix at matrix/sub: Permission denied (os error 13)\n"
    );
    assert_eq!(exit, 2);
    mode(&dir.join("sub"), 0o755);

    mode(&dir.join("tiers.toml"), 0o000);
    let (exit, stdout, _) = run(&["validate", "--matrix", "matrix", "--format", "json"]);
    let report: Value = serde_json::from_str(&stdout).unwrap();
    let codes: Vec<(&str, &str)> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    // Only the cause: no "no tiers" or unknown `tier1` for the unread file.
    assert_eq!(
        codes,
        [(
            "unreadable-file",
            "matrix/tiers.toml: Permission denied (os error 13)"
        )]
    );
    assert_eq!(exit, 2);
    mode(&dir.join("tiers.toml"), 0o644);
}

// ------------------------------------------------------------ duplicate keys

/// A key written bare and quoted is the same key, in both formats.
#[test]
fn duplicate_keys_written_differently() {
    for (base, fixture, file) in [
        (Base::Toml, "duplicate-keys", "glossary.toml"),
        (Base::Yaml, "duplicate-keys-yaml", "glossary.yaml"),
    ] {
        let tmp = matrix(base, Some(fixture));
        let v = validate(&tmp);
        let column = if base == Base::Toml { 1 } else { 5 };
        assert_findings(
            &v,
            1,
            &[found(
                "duplicate-key",
                "key `id` is written twice in the same table",
                &format!("matrix/{file}:3:{column}"),
            )],
        );
        let related = &v.json["findings"][0]["related"][0];
        assert_eq!(related["line"], 2, "the first place: {related}");
        assert_eq!(related["label"], "first written here");
    }
}

/// Regressions: each duplicate key (up to 20) re-parsed the whole file to
/// find the first place, so a file of several MiB full of duplicates took
/// twenty parses (the re-parses now stop at 16 MiB in all); and the human
/// output scanned the file from its start for every finding, quadratic in
/// the findings (20,000 took 12 s in a release build, now 0.3 s).
#[test]
fn thousands_of_duplicate_keys_are_reported_quickly() {
    let tmp = matrix(Base::Toml, None);
    let mut text = String::from(
        "[[term]]\nid = \"x\"\nterm = \"t\"\nmeaning = \"m\"\nbusiness_impact = \"b\"\n",
    );
    text.push_str(&"id = \"x\"\n".repeat(50_000));
    write(&tmp.path().join("matrix/glossary.toml"), &text);
    let v = validate(&tmp);
    assert_eq!(v.findings.len(), 50_000);
    assert!(v.findings.iter().all(|f| f.code == "duplicate-key"));
    assert_eq!(v.findings[0].at, "matrix/glossary.toml:6:1");
    assert_eq!(v.findings[49_999].at, "matrix/glossary.toml:50005:1");
    assert!(v.took < Duration::from_secs(30), "took {:?}", v.took);
}

// ------------------------------------------------------------ calendars

/// Zones that do not exist: a made-up region, a UTC offset, and a real zone
/// in the wrong case (IANA names are case-sensitive).
#[test]
fn time_zones_that_do_not_exist() {
    let tmp = matrix(Base::Toml, Some("time-zones"));
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[
            found(
                "invalid-time-zone",
                "`Mars/Olympus_Mons` is not an IANA time zone",
                "matrix/calendars.toml:4:13",
            ),
            found(
                "invalid-time-zone",
                "`UTC+2` is not an IANA time zone",
                "matrix/manifest.toml:10:13",
            ),
            found(
                "invalid-time-zone",
                "`europe/berlin` is not an IANA time zone",
                "matrix/more-people.toml:5:13",
            ),
        ],
    );
    snapshot("time-zones", &v);
}

/// 30 February as a holiday and as the start of a closure (quoted), as a
/// TOML date literal (which the TOML reader itself refuses), and in YAML.
#[test]
fn a_holiday_on_30_february() {
    let tmp = matrix(Base::Toml, Some("february-30"));
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[
            found(
                "invalid-date",
                "holiday `2026-02-30` is not a date",
                "matrix/calendars.toml:12:8",
            ),
            found(
                "invalid-date",
                "`2026-02-30T10:00` is not a local date-time",
                "matrix/calendars.toml:16:9",
            ),
        ],
    );
    snapshot("february-30", &v);

    // The calendar file cannot be read at all; the reference to its
    // calendar from another file is not reported as unknown on top.
    let tmp = matrix(Base::Toml, Some("february-30-literal"));
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[found(
            "syntax-error",
            "invalid date, expected day between 01 and 28",
            "matrix/calendars.toml:12:8",
        )],
    );
    assert_eq!(v.json["unread_files"], 1);

    let tmp = matrix(Base::Yaml, Some("february-30-yaml"));
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[found(
            "invalid-date",
            "holiday `2026-02-30` is not a date",
            "matrix/calendars.yaml:10:15",
        )],
    );
}

/// 17:00 to 09:00 without `overnight = true` is inverted, not overnight;
/// being the calendar's only window, it leaves no working time.
#[test]
fn a_window_from_17_to_9_not_marked_overnight() {
    for (base, fixture, at) in [
        (Base::Toml, "window-17-09", "matrix/calendars.toml:9:7"),
        (
            Base::Yaml,
            "window-17-09-yaml",
            "matrix/calendars.yaml:8:14",
        ),
    ] {
        let tmp = matrix(base, Some(fixture));
        let v = validate(&tmp);
        let calendar = at.split(':').next().unwrap();
        assert_findings(
            &v,
            1,
            &[
                found(
                    "no-working-time",
                    "calendar `office-hours` has no working time in the week",
                    &format!("{calendar}:2:{}", if base == Base::Toml { 6 } else { 9 }),
                ),
                found(
                    "invalid-window",
                    "window 17:00-09:00 ends before it starts",
                    at,
                ),
            ],
        );
        assert_eq!(
            help(&v, 1),
            "for a window that runs past midnight add `overnight = true`; write end of day as 24:00"
        );
    }
}

// ------------------------------------------------------------ regular expressions

/// The regex crate never backtracks: matching is linear in the text, so the
/// classic catastrophic patterns are harmless. What it bounds instead is
/// the size of the compiled program; validation compiles each pattern with a
/// 1 MiB limit, and a huge counted repetition is refused.
#[test]
fn a_regular_expression_that_would_compile_to_gigabytes_is_refused() {
    let tmp = matrix(Base::Toml, Some("regex-huge"));
    let v = validate(&tmp);
    assert_findings(
        &v,
        1,
        &[found(
            "invalid-regex",
            "rule `huge`: the regular expression does not compile",
            "matrix/rules.toml:4:15",
        )],
    );
    assert_eq!(
        help(&v, 0),
        "Compiled regex exceeds size limit of 1048576 bytes."
    );
    snapshot("regex-huge", &v);
}

/// `(a+)+$` and friends against a million characters built to make a
/// backtracking engine take forever: accepted by validation, and routing
/// finishes in well under a second of matching (the bound here is loose for
/// debug builds).
#[test]
fn exponential_patterns_run_in_linear_time() {
    let tmp = matrix(Base::Toml, Some("regex-nested"));
    let v = validate(&tmp);
    assert_findings(&v, 0, &[]);
    for (text, fallback) in [
        // `(a+)+$` almost matches, then fails at the end.
        (format!("{}!", "a".repeat(1_000_000)), true),
        // `(x+x+)+y` without the y.
        (format!("{}!", "x".repeat(1_000_000)), true),
        // `^(([a-z])+.)+[A-Z]([a-z])+$` ending in a digit.
        (format!("{}1", "ab".repeat(500_000)), true),
        // And one that matches.
        (format!("{}y", "x".repeat(1_000_000)), false),
    ] {
        let started = Instant::now();
        let out = escalate(tmp.path())
            .args(["route", "--matrix", "matrix", "--format", "json"])
            .args(["--at", "2026-12-03T10:00:00Z", "-"])
            .write_stdin(text)
            .output()
            .unwrap();
        let took = started.elapsed();
        assert_eq!(out.status.code(), Some(0));
        let route: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(route["fallback"], fallback);
        assert!(took < Duration::from_secs(10), "took {took:?}");
    }
}

/// Regression: explaining a route looked up the text of each matched phrase
/// by collecting every token of the description, once per match, so a long
/// description full of matches took quadratic time (minutes for 1 MB).
#[test]
fn a_long_description_full_of_matches_routes_in_linear_time() {
    let text = vec!["password leaked, data exposed"; 40_000].join(" ");
    let started = Instant::now();
    let out = escalate(Path::new(env!("CARGO_MANIFEST_DIR")))
        .args(["route", "--matrix", "matrix", "--format", "json"])
        .args(["--at", "2026-12-03T10:00:00Z", "-"])
        .write_stdin(text)
        .output()
        .unwrap();
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0));
    let route: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(route["fallback"], false);
    assert!(took < Duration::from_secs(20), "took {took:?}");
}
