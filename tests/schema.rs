#![allow(clippy::unwrap_used, clippy::expect_used)]
//! The JSON Schemas of `escalate schema`: the committed copies in `schema/`
//! are current, every shipped and example matrix file and every shipped
//! routing test file validates against them (with an independent JSON Schema
//! validator), the files name the schema in their editor directive, and the
//! schema rejects what the loader rejects (unknown keys, wrong types, missing
//! keys), so it is not trivially permissive.

use escalate::matrix::{Origin, load_files};
use escalate::schema::{
    MATRIX_SCHEMA_PATH, TESTS_SCHEMA_PATH, json_schema, matrix_schema, tests_json_schema,
    tests_schema,
};
use jsonschema::Validator;
use serde_json::Value;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files of a folder (not its sub-folders) with one of these extensions, sorted.
fn files_in(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && p.extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| extensions.contains(&e))
        })
        .collect();
    files.sort();
    files
}

/// Every matrix file that ships or serves as an example.
fn matrix_files() -> Vec<PathBuf> {
    let root = root();
    let mut files = files_in(&root.join("matrix"), &["toml", "yaml", "yml"]);
    files.push(root.join("examples/small-matrix.toml"));
    files.extend(files_in(
        &root.join("examples/yaml-matrix"),
        &["toml", "yaml", "yml"],
    ));
    assert!(files.len() >= 10, "too few matrix files found: {files:?}");
    files
}

/// Every shipped routing test file.
fn test_files() -> Vec<PathBuf> {
    let files = files_in(&root().join("matrix/tests"), &["toml", "yaml", "yml"]);
    assert!(!files.is_empty(), "no routing test files in matrix/tests");
    files
}

fn is_toml(name: &str) -> bool {
    Path::new(name)
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("toml"))
}

/// A TOML value as JSON. Dates and times become their text, as the loader
/// reads them (a matrix quotes them anyway).
fn toml_to_json(value: toml::Value) -> Value {
    match value {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => Value::from(f),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(items) => Value::Array(items.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(table) => Value::Object(
            table
                .into_iter()
                .map(|(k, v)| (k, toml_to_json(v)))
                .collect(),
        ),
    }
}

/// A TOML or YAML document (by the name's extension) as JSON.
fn parse(name: &str, text: &str) -> Value {
    if is_toml(name) {
        let table: toml::Table =
            toml::from_str(text).unwrap_or_else(|e| panic!("{name} is not TOML: {e}"));
        toml_to_json(toml::Value::Table(table))
    } else {
        serde_saphyr::from_str::<Value>(text).unwrap_or_else(|e| panic!("{name} is not YAML: {e}"))
    }
}

fn validator(schema: &Value) -> Validator {
    jsonschema::validator_for(schema).expect("the schema compiles")
}

/// Every way `instance` breaks the schema, one per line (empty when valid).
fn violations(validator: &Validator, instance: &Value) -> String {
    let mut text = String::new();
    for error in validator.iter_errors(instance) {
        let _ = writeln!(text, "  at `{}`: {error}", error.instance_path());
    }
    text
}

fn check_files(schema: &Value, files: &[PathBuf]) {
    let validator = validator(schema);
    let mut problems = String::new();
    for path in files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).unwrap();
        let found = violations(&validator, &parse(&name, &text));
        if !found.is_empty() {
            let _ = write!(problems, "{name}:\n{found}");
        }
    }
    assert!(
        problems.is_empty(),
        "files that do not match the schema:\n{problems}"
    );
}

#[test]
fn committed_schemas_are_current() {
    for (path, generated, command) in [
        (MATRIX_SCHEMA_PATH, json_schema(), "cargo run -- schema"),
        (
            TESTS_SCHEMA_PATH,
            tests_json_schema(),
            "cargo run -- schema --tests",
        ),
    ] {
        let committed = std::fs::read_to_string(root().join(path)).unwrap_or_default();
        assert!(
            committed == generated,
            "{path} is not what `escalate schema` generates from the types in src/: \
             regenerate it with `{command} > {path}` and commit the result"
        );
    }
}

#[test]
fn schemas_are_valid_draft_7() {
    for schema in [matrix_schema(), tests_schema()] {
        assert_eq!(
            schema["$schema"], "http://json-schema.org/draft-07/schema#",
            "editors support draft 7 best"
        );
        jsonschema::meta::validate(&schema).unwrap();
        validator(&schema);
    }
}

#[test]
fn every_shipped_and_example_matrix_file_matches_the_schema() {
    check_files(&matrix_schema(), &matrix_files());
}

#[test]
fn every_shipped_routing_test_file_matches_the_tests_schema() {
    check_files(&tests_schema(), &test_files());
}

#[test]
fn the_schema_describes_every_section_the_loader_reads() {
    let schema = matrix_schema();
    let properties = schema["properties"].as_object().unwrap();
    let names: Vec<&str> = properties.keys().map(String::as_str).collect();
    assert_eq!(names, escalate::matrix::schema::SECTIONS);
    assert_eq!(schema["additionalProperties"], false);
    assert!(
        schema.get("required").is_none(),
        "every section is optional"
    );
    for single in ["manifest", "fallback"] {
        let reference = properties[single]["$ref"].as_str().unwrap();
        let name = reference.trim_start_matches("#/definitions/");
        assert_eq!(schema["definitions"][name]["type"], "object", "{single}");
    }
    for (name, section) in properties {
        if !["manifest", "fallback"].contains(&name.as_str()) {
            assert_eq!(section["type"], "array", "{name}");
        }
    }
}

/// The editor directive on the first line of a file: where it points.
fn directive(path: &Path) -> Option<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let first = text.lines().next()?;
    let target = if is_toml(&path.display().to_string()) {
        first.strip_prefix("#:schema ")?
    } else {
        first.strip_prefix("# yaml-language-server: $schema=")?
    };
    Some(target.trim().to_string())
}

#[test]
fn every_file_names_its_schema_in_an_editor_directive() {
    let root = root();
    let mut problems = String::new();
    for (files, schema) in [
        (matrix_files(), MATRIX_SCHEMA_PATH),
        (test_files(), TESTS_SCHEMA_PATH),
    ] {
        let expected = root.join(schema).canonicalize().unwrap();
        for path in files {
            let shown = path.strip_prefix(&root).unwrap_or(&path).display();
            match directive(&path) {
                None => {
                    let _ = writeln!(
                        problems,
                        "{shown}: the first line is not a schema directive \
                         (`#:schema PATH` in TOML, `# yaml-language-server: $schema=PATH` in YAML)"
                    );
                }
                Some(target) => {
                    let resolved = path.parent().unwrap().join(&target).canonicalize().ok();
                    if resolved.as_ref() != Some(&expected) {
                        let _ = writeln!(
                            problems,
                            "{shown}: the directive points at `{target}`, not at {schema}"
                        );
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{problems}");
}

/// Documents the loader rejects, with the code it reports: the schema must
/// reject each of them too.
const REJECTED_MATRIX_FILES: &[(&str, &str, &str)] = &[
    (
        "unknown-section.toml",
        "[[tiers]]\nid = \"tier1\"\nname = \"Tier 1\"\nowner = \"desk\"\n",
        "unknown-key",
    ),
    (
        "unknown-key-in-entity.toml",
        "[[tier]]\nid = \"tier1\"\nname = \"Tier 1\"\nowner = \"desk\"\nownr = \"desk\"\n",
        "unknown-key",
    ),
    (
        "unknown-key-nested.toml",
        "[[severity]]\nid = \"sev1\"\nname = \"Critical\"\nrank = 1\n\
         [severity.targets]\nacknowledge = \"15m\"\nassess = \"1h\"\nresolve = \"4h\"\n\
         update_every = \"30m\"\nacknowlege = \"10m\"\n",
        "unknown-key",
    ),
    (
        "unknown-key-in-manifest.toml",
        "[manifest]\nname = \"M\"\nversion = \"1.0.0\"\nowner = \"o\"\nsponsor = \"s\"\n\
         time_zone = \"UTC\"\nreview_every = \"90d\"\nlast_reviewed = \"2026-01-01\"\n\
         revieved_by = \"someone\"\n",
        "unknown-key",
    ),
    (
        "rank-as-text.toml",
        "[[severity]]\nid = \"sev1\"\nname = \"Critical\"\nrank = \"one\"\n\
         [severity.targets]\nacknowledge = \"15m\"\nassess = \"1h\"\nresolve = \"4h\"\n\
         update_every = \"30m\"\n",
        "wrong-type",
    ),
    (
        "overnight-as-text.toml",
        "[[calendar]]\nid = \"c\"\nname = \"C\"\ntime_zone = \"UTC\"\n\
         [[calendar.window]]\ndays = [\"mon-fri\"]\nstart = \"22:00\"\nend = \"06:00\"\n\
         overnight = \"yes\"\n",
        "wrong-type",
    ),
    (
        "missing-owner.toml",
        "[[tier]]\nid = \"tier1\"\nname = \"Tier 1\"\n",
        "wrong-type",
    ),
    (
        "unknown-rule-kind.toml",
        "[[rule]]\nid = \"r\"\nsummary = \"S\"\nkind = \"overide\"\n\
         [rule.when]\nany = [\"x\"]\n[rule.then]\ntier = \"tier1\"\n",
        "wrong-type",
    ),
    (
        "section-as-single-table.toml",
        "[tier]\nid = \"tier1\"\nname = \"Tier 1\"\nowner = \"desk\"\n",
        "wrong-type",
    ),
    (
        "manifest-as-list.toml",
        "[[manifest]]\nname = \"M\"\n",
        "wrong-type",
    ),
    (
        "unknown-key.yaml",
        "tier:\n  - id: tier1\n    name: Tier 1\n    owner: desk\n    colour: red\n",
        "unknown-key",
    ),
    (
        "terms-not-a-list.yaml",
        "synonyms:\n  - id: sign-in\n    terms: sign in\n",
        "wrong-type",
    ),
];

#[test]
fn the_schema_rejects_what_the_loader_rejects() {
    let validator = validator(&matrix_schema());
    for (name, text, code) in REJECTED_MATRIX_FILES {
        let (_, findings) = load_files(
            Origin::Memory("test".to_string()),
            vec![((*name).to_string(), text.as_bytes().to_vec())],
        );
        assert!(
            findings.iter().any(|f| f.code.name() == *code),
            "{name}: the loader should report {code}; it reported {:?}",
            findings.iter().map(|f| f.code.name()).collect::<Vec<_>>()
        );
        assert!(
            !validator.is_valid(&parse(name, text)),
            "{name}: the schema accepts a file the loader rejects ({code})"
        );
    }
}

#[test]
fn the_schema_accepts_a_small_valid_fragment() {
    // The counterpart of the rejections: the same shapes, written correctly.
    let text = "[[tier]]\nid = \"tier1\"\nname = \"Tier 1\"\nowner = \"desk\"\n\
                [tier.channels]\nqueue = \"DESK\"\n\
                [[synonyms]]\nid = \"sign-in\"\nterms = [\"sign in\", \"log in\"]\n";
    let validator = validator(&matrix_schema());
    assert_eq!(violations(&validator, &parse("ok.toml", text)), "");
    assert_eq!(violations(&validator, &parse("empty.yaml", "{}")), "");
}

#[test]
fn the_tests_schema_rejects_unknown_keys_and_wrong_types() {
    let validator = validator(&tests_schema());
    let good = "[[case]]\nid = \"c\"\ndescription = \"Cannot sign in\"\n\
                [case.expect]\ntier = \"tier1\"\nnotify = { includes = [\"desk\"] }\n";
    assert_eq!(violations(&validator, &parse("good.toml", good)), "");
    for (name, text) in [
        (
            "unknown-top-key.toml",
            "[[cases]]\nid = \"c\"\ndescription = \"d\"\n[cases.expect]\n",
        ),
        (
            "typo-in-expectation.toml",
            "[[case]]\nid = \"c\"\ndescription = \"d\"\n[case.expect]\nteir = \"tier1\"\n",
        ),
        (
            "fallback-as-text.toml",
            "[[case]]\nid = \"c\"\ndescription = \"d\"\n[case.expect]\nfallback = \"yes\"\n",
        ),
        (
            "missing-expect.toml",
            "[[case]]\nid = \"c\"\ndescription = \"d\"\n",
        ),
    ] {
        assert!(
            !validator.is_valid(&parse(name, text)),
            "{name}: the tests schema accepts it"
        );
    }
}

#[test]
fn the_command_prints_the_schemas() {
    let dir = tempfile::tempdir().unwrap();
    for (args, expected) in [
        (&["schema"][..], json_schema()),
        (&["schema", "--tests"][..], tests_json_schema()),
    ] {
        let output = assert_cmd::Command::cargo_bin("escalate")
            .unwrap()
            .current_dir(dir.path())
            .env_remove("ESCALATE_MATRIX")
            .args(args)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{args:?}");
        assert_eq!(String::from_utf8(output.stdout).unwrap(), expected);
        assert!(
            output.stderr.is_empty(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}
