#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The shipped matrix, the examples and the generator stay in step: the YAML
//! example means the same as `matrix/`, every example validates, the list of
//! shipped files matches `matrix/`, and generated matrices are valid and
//! reproducible.

#[allow(dead_code)]
#[path = "../examples/gen_matrix/generator.rs"]
mod generator;

use chrono::NaiveDate;
use escalate::matrix::{self, Matrix, Origin, shipped};
use escalate::validate::checks;
use escalate::validate::diagnostic::{Finding, Severity};
use std::path::{Path, PathBuf};

/// The day the examples are checked against, so that review dates do not
/// turn into warnings as the calendar moves on.
fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).unwrap()
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn describe(findings: &[Finding]) -> String {
    findings
        .iter()
        .map(|f| format!("  {:?} {:?}: {}", f.severity, f.code, f.message))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Loads a matrix and asserts that loading found nothing.
fn load(path: &Path) -> Matrix {
    let (matrix, findings) = matrix::load_path(path).unwrap();
    assert!(
        findings.is_empty(),
        "{} did not load cleanly:\n{}",
        path.display(),
        describe(&findings)
    );
    matrix
}

/// Asserts that checking a matrix finds no error; returns the warnings.
fn assert_valid(name: &str, matrix: &Matrix) -> Vec<Finding> {
    let checked = checks::check(matrix, today());
    let errors: Vec<Finding> = checked
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Error)
        .cloned()
        .collect();
    assert!(
        errors.is_empty(),
        "{name} has errors:\n{}",
        describe(&errors)
    );
    checked.findings
}

fn model(matrix: &Matrix) -> serde_json::Value {
    serde_json::to_value(matrix).unwrap()
}

/// Points at the first difference of two JSON values, for a readable failure.
fn first_difference(a: &serde_json::Value, b: &serde_json::Value, path: &str) -> Option<String> {
    use serde_json::Value;
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for key in x.keys().chain(y.keys()) {
                let (va, vb) = (x.get(key), y.get(key));
                match (va, vb) {
                    (Some(va), Some(vb)) => {
                        if let Some(d) = first_difference(va, vb, &format!("{path}.{key}")) {
                            return Some(d);
                        }
                    }
                    _ => return Some(format!("{path}.{key}: {va:?} vs {vb:?}")),
                }
            }
            None
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(va, vb, &format!("{path}[{i}]")) {
                    return Some(d);
                }
            }
            (x.len() != y.len()).then(|| format!("{path}: {} vs {} entries", x.len(), y.len()))
        }
        _ => (a != b).then(|| format!("{path}: {a} vs {b}")),
    }
}

fn assert_same_model(what: &str, a: &Matrix, b: &Matrix) {
    let (ma, mb) = (model(a), model(b));
    if let Some(difference) = first_difference(&ma, &mb, "matrix") {
        panic!("{what}: the models differ at {difference}");
    }
}

#[test]
fn yaml_example_means_the_same_as_the_shipped_matrix() {
    let toml = load(&root().join("matrix"));
    let yaml = load(&root().join("examples/yaml-matrix"));
    assert!(
        yaml.sources.iter().all(|s| s.language() == "yaml"),
        "the YAML example holds a file that is not YAML"
    );
    assert_eq!(
        toml.sources.len(),
        yaml.sources.len(),
        "same number of fragments"
    );
    assert!(!toml.rules.is_empty() && !toml.parties.is_empty());
    assert_same_model("matrix/ vs examples/yaml-matrix/", &toml, &yaml);
}

#[test]
fn yaml_example_files_mirror_the_shipped_files() {
    let mut toml: Vec<String> = std::fs::read_dir(root().join("matrix"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".toml").map(str::to_string))
        .collect();
    let mut yaml: Vec<String> = std::fs::read_dir(root().join("examples/yaml-matrix"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".yaml").map(str::to_string))
        .collect();
    toml.sort();
    yaml.sort();
    assert_eq!(toml, yaml);
    for name in &yaml {
        let text =
            std::fs::read_to_string(root().join(format!("examples/yaml-matrix/{name}.yaml")))
                .unwrap();
        assert_eq!(
            text.lines().next(),
            Some("# yaml-language-server: $schema=../../schema/escalate-matrix.schema.json"),
            "{name}.yaml must start with the schema comment"
        );
    }
}

#[test]
fn every_example_validates() {
    let examples = [
        "matrix",
        "examples/yaml-matrix",
        "examples/small-matrix.toml",
    ];
    for name in examples {
        let matrix = load(&root().join(name));
        assert!(
            matrix.manifest.is_some() && matrix.fallback.is_some(),
            "{name}"
        );
        assert_valid(name, &matrix);
    }
}

#[test]
fn small_example_is_small_and_complete() {
    let matrix = load(&root().join("examples/small-matrix.toml"));
    assert_eq!(matrix.sources.len(), 1);
    assert_eq!(matrix.tiers.len(), 3);
    assert_eq!(matrix.severities.len(), 3);
    assert_eq!(matrix.calendars.len(), 1);
    assert_eq!(matrix.calendars[0].time_zone.value, "America/New_York");
    assert!(!matrix.calendars[0].holidays.is_empty());
    assert!(
        matrix
            .rules
            .iter()
            .any(|r| r.kind == escalate::matrix::schema::RuleKind::Override)
    );
    let warnings = assert_valid("examples/small-matrix.toml", &matrix);
    assert!(
        warnings.is_empty(),
        "the teaching example should not warn:\n{}",
        describe(&warnings)
    );
}

#[test]
fn shipped_file_list_matches_the_matrix_folder() {
    let mut on_disk = Vec::new();
    collect(&root().join("matrix"), &root(), true, &mut on_disk);
    on_disk.sort();
    let mut listed: Vec<String> = shipped::FILES
        .iter()
        .map(|(name, _)| (*name).to_string())
        .collect();
    listed.sort();
    assert_eq!(
        listed, on_disk,
        "src/matrix/shipped.rs must list exactly the files in matrix/"
    );
    for (name, text) in shipped::FILES {
        let disk = std::fs::read_to_string(root().join(name)).unwrap();
        assert_eq!(
            *text, disk,
            "{name}: the compiled-in text is stale; rebuild"
        );
    }

    let files = shipped::FILES
        .iter()
        .map(|(name, text)| ((*name).to_string(), text.as_bytes().to_vec()))
        .collect();
    let (compiled, findings) = matrix::load_files(Origin::Shipped, files);
    assert!(findings.is_empty(), "{}", describe(&findings));
    let folder = load(&root().join("matrix"));
    assert_same_model("shipped FILES vs matrix/", &compiled, &folder);
}

/// Matrix files below `dir` as `matrix/...` paths, the way the loader sees
/// a folder (hidden entries and the top-level `tests/` folder skipped).
fn collect(dir: &Path, root: &Path, top: bool, out: &mut Vec<String>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with('.') || (top && name == "tests") {
            continue;
        }
        if path.is_dir() {
            collect(&path, root, false, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("toml" | "yaml" | "yml")
        ) {
            let relative = path.strip_prefix(root).unwrap();
            out.push(relative.to_string_lossy().replace('\\', "/"));
        }
    }
}

fn generated(format: generator::Format, seed: u64) -> generator::Generated {
    generator::generate(&generator::Params {
        contacts: 1200,
        rules: 150,
        seed,
        format,
    })
}

fn load_generated(generated: &generator::Generated) -> Matrix {
    let (matrix, findings) = matrix::load_files(
        Origin::Memory("generated".into()),
        generated.as_load_input(),
    );
    assert!(findings.is_empty(), "{}", describe(&findings));
    matrix
}

#[test]
fn generated_matrices_validate_in_both_formats() {
    let toml = generated(generator::Format::Toml, 7);
    let yaml = generated(generator::Format::Yaml, 7);
    // Contacts are split per 1,000: two contact files for 1,200.
    assert_eq!(
        toml.files
            .iter()
            .filter(|(n, _)| n.contains("contacts-"))
            .count(),
        2
    );
    let (mt, my) = (load_generated(&toml), load_generated(&yaml));
    assert_eq!(mt.rules.len(), 150);
    assert_eq!(mt.parties.iter().filter(|p| !p.is_team).count(), 1200);
    assert_same_model("generated TOML vs YAML", &mt, &my);
    assert_valid("generated matrix", &mt);
}

#[test]
fn generator_is_deterministic() {
    let a = generated(generator::Format::Toml, 11);
    let b = generated(generator::Format::Toml, 11);
    let c = generated(generator::Format::Toml, 12);
    assert_eq!(a.files, b.files, "the same seed must give the same bytes");
    assert_ne!(a.files, c.files, "another seed gives another matrix");
    assert_eq!(
        generator::descriptions(&a, 50, 1),
        generator::descriptions(&b, 50, 1)
    );
}

#[test]
fn generated_phrases_mostly_differ() {
    let g = generator::generate(&generator::Params {
        contacts: 100,
        rules: 2000,
        seed: 42,
        format: generator::Format::Toml,
    });
    let all: Vec<&String> = g.rule_phrases.iter().flatten().collect();
    let mut unique = all.clone();
    unique.sort();
    unique.dedup();
    assert!(all.len() > 2000 * 2, "2 to 8 phrases per rule");
    assert!(
        unique.len() * 100 >= all.len() * 90,
        "{} of {} phrases are distinct",
        unique.len(),
        all.len()
    );
}
