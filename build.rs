//! Embeds the shipped matrix (`matrix/`) and its routing tests
//! (`matrix/tests/`) in the binary, so the file list can never drift from
//! the folder.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn files(dir: &Path, skip_tests: bool, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        if path.is_dir() {
            if !(skip_tests && name == "tests") {
                files(&path, false, out);
            }
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "yaml" | "yml")
        ) {
            out.push(path);
        }
    }
}

fn list(name: &str, doc: &str, root: &Path, paths: &[PathBuf]) -> String {
    let mut text = format!("/// {doc}\npub const {name}: &[(&str, &str)] = &[\n");
    for path in paths {
        let relative = path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/");
        let _ = writeln!(
            text,
            "    ({relative:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    text.push_str("];\n");
    text
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_else(|_| ".".into()));
    let matrix = root.join("matrix");
    println!("cargo:rerun-if-changed=matrix");
    let mut matrix_files = Vec::new();
    files(&matrix, true, &mut matrix_files);
    matrix_files.sort();
    let mut test_files = Vec::new();
    files(&matrix.join("tests"), false, &mut test_files);
    test_files.sort();
    for path in matrix_files.iter().chain(&test_files) {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    let text = list(
        "FILES",
        "The shipped matrix files, as (path, text).",
        &root,
        &matrix_files,
    ) + &list(
        "TESTS",
        "The shipped routing tests, as (path, text).",
        &root,
        &test_files,
    );
    let out =
        PathBuf::from(std::env::var("OUT_DIR").unwrap_or_else(|_| ".".into())).join("shipped.rs");
    if let Err(e) = std::fs::write(&out, text) {
        println!("cargo:warning=cannot write {}: {e}", out.display());
    }
}
