//! JSON Schemas of the matrix files and the routing test files, for editors.
//!
//! Both are generated from the same Rust types that the loader reads
//! ([`crate::matrix::schema`] and [`crate::testing::Case`]) with `schemars`,
//! so they cannot drift from what `escalate validate` accepts. `escalate
//! schema` prints them; the repository keeps copies in `schema/`, which the
//! shipped files name in their first line (taplo's `#:schema` directive for
//! TOML, the `yaml-language-server` comment for YAML).
//!
//! The schemas follow JSON Schema draft 7, which editors support best. Every
//! table is closed (`additionalProperties: false`): the loader reports any key
//! it does not know as an error, so the schema does too.

use crate::matrix::schema::{
    CalendarSpec, Decision, Dimension, Fallback, Manifest, Party, Rule, Script, Severity, Synonyms,
    Term, Tier,
};
use crate::testing::Case;
use schemars::generate::{SchemaGenerator, SchemaSettings};
use schemars::{JsonSchema, Schema};
use serde_json::{Map, Value};

/// Where the repository keeps the matrix file schema, relative to its root.
pub const MATRIX_SCHEMA_PATH: &str = "schema/escalate-matrix.schema.json";

/// Where the repository keeps the routing test file schema, relative to its root.
pub const TESTS_SCHEMA_PATH: &str = "schema/escalate-tests.schema.json";

/// How a section of a matrix file is described in the schema.
struct Section {
    /// The key, as in [`crate::matrix::schema::SECTIONS`].
    name: &'static str,
    /// What the section holds, for the description of a list section
    /// (singletons are described by their type's own documentation).
    description: &'static str,
    /// The schema of the section's value.
    schema: fn(&mut SchemaGenerator, &'static str) -> Schema,
}

/// A singleton section: one table of type `T`.
fn single<T: JsonSchema>(generator: &mut SchemaGenerator, _description: &'static str) -> Schema {
    generator.subschema_for::<T>()
}

/// A list section: a list of entities of type `T` (`[[name]]` in TOML).
fn list<T: JsonSchema>(generator: &mut SchemaGenerator, description: &'static str) -> Schema {
    let items = generator.subschema_for::<T>();
    schemars::json_schema!({
        "description": description,
        "type": "array",
        "items": items,
    })
}

/// The sections of a matrix file, in the order of
/// [`crate::matrix::schema::SECTIONS`].
const MATRIX_SECTIONS: &[Section] = &[
    Section {
        name: "manifest",
        description: "",
        schema: single::<Manifest>,
    },
    Section {
        name: "severity",
        description: "Severity levels with their SLA targets and escalation steps ([[severity]]).",
        schema: list::<Severity>,
    },
    Section {
        name: "tier",
        description: "Support tiers ([[tier]]).",
        schema: list::<Tier>,
    },
    Section {
        name: "team",
        description: "Teams ([[team]]).",
        schema: list::<Party>,
    },
    Section {
        name: "contact",
        description: "People ([[contact]]).",
        schema: list::<Party>,
    },
    Section {
        name: "calendar",
        description: "Business-hours calendars ([[calendar]]).",
        schema: list::<CalendarSpec>,
    },
    Section {
        name: "dimension",
        description: "Ordered decision dimensions: data sensitivity, impact scope, approvals ([[dimension]]).",
        schema: list::<Dimension>,
    },
    Section {
        name: "rule",
        description: "Routing rules ([[rule]]).",
        schema: list::<Rule>,
    },
    Section {
        name: "decision",
        description: "Rows of the decision matrix: facts that set a severity floor ([[decision]]).",
        schema: list::<Decision>,
    },
    Section {
        name: "script",
        description: "Escalation scripts for front-line responders ([[script]]).",
        schema: list::<Script>,
    },
    Section {
        name: "term",
        description: "Glossary entries ([[term]]).",
        schema: list::<Term>,
    },
    Section {
        name: "synonyms",
        description: "Words that mean the same when matching descriptions ([[synonyms]]).",
        schema: list::<Synonyms>,
    },
    Section {
        name: "fallback",
        description: "",
        schema: single::<Fallback>,
    },
];

/// The keys of a matrix file that the schema describes, in order (the same
/// as [`crate::matrix::schema::SECTIONS`]).
pub fn matrix_sections() -> impl Iterator<Item = &'static str> {
    MATRIX_SECTIONS.iter().map(|s| s.name)
}

/// The JSON Schema of a matrix file (a fragment: every section optional), as
/// a JSON value.
pub fn matrix_schema() -> Value {
    let mut generator = SchemaSettings::draft07().into_generator();
    let mut properties = Map::new();
    for section in MATRIX_SECTIONS {
        let schema = (section.schema)(&mut generator, section.description);
        properties.insert(section.name.to_string(), schema.to_value());
    }
    root(
        &mut generator,
        "escalate matrix file",
        "One file of an escalate escalation matrix (TOML or YAML). A matrix folder holds \
         any number of such fragments; every section may appear in any file, and each \
         list section is a list of entities with a kebab-case `id`. `manifest` and \
         `fallback` are single tables and are defined once in the whole matrix.",
        properties,
    )
}

/// The JSON Schema of a routing test file (a `tests/` file of a matrix
/// folder), as a JSON value.
pub fn tests_schema() -> Value {
    let mut generator = SchemaSettings::draft07().into_generator();
    let items = generator.subschema_for::<Case>();
    let mut properties = Map::new();
    properties.insert(
        "case".to_string(),
        serde_json::json!({
            "description": "Routing test cases ([[case]]): an incident description and what its route must show; only what a case states is checked.",
            "type": "array",
            "items": items.to_value(),
        }),
    );
    root(
        &mut generator,
        "escalate routing test file",
        "A routing test file of an escalate matrix (a file in the matrix folder's `tests/`, \
         TOML or YAML), run by `escalate test`.",
        properties,
    )
}

/// The JSON Schema of a matrix file, as pretty-printed JSON ending in a
/// newline: the content of `schema/escalate-matrix.schema.json`.
pub fn json_schema() -> String {
    format!("{:#}\n", matrix_schema())
}

/// The JSON Schema of a routing test file, as pretty-printed JSON ending in
/// a newline: the content of `schema/escalate-tests.schema.json`.
pub fn tests_json_schema() -> String {
    format!("{:#}\n", tests_schema())
}

/// A closed root object with these properties and every definition the
/// generator collected (sorted by name, so the output is stable).
fn root(
    generator: &mut SchemaGenerator,
    title: &str,
    description: &str,
    properties: Map<String, Value>,
) -> Value {
    let mut definitions: Vec<(String, Value)> =
        generator.take_definitions(true).into_iter().collect();
    definitions.sort_by(|a, b| a.0.cmp(&b.0));
    let meta_schema = generator
        .settings()
        .meta_schema
        .as_deref()
        .unwrap_or("http://json-schema.org/draft-07/schema#")
        .to_string();
    let mut schema = Map::new();
    schema.insert("$schema".to_string(), Value::String(meta_schema));
    schema.insert("title".to_string(), Value::String(title.to_string()));
    schema.insert(
        "description".to_string(),
        Value::String(description.to_string()),
    );
    schema.insert("type".to_string(), Value::String("object".to_string()));
    schema.insert("properties".to_string(), Value::Object(properties));
    schema.insert("additionalProperties".to_string(), Value::Bool(false));
    schema.insert(
        "definitions".to_string(),
        Value::Object(definitions.into_iter().collect()),
    );
    let mut schema = Value::Object(schema);
    tidy(&mut schema);
    schema
}

/// Keywords whose value maps names to schemas.
const SCHEMA_MAPS: &[&str] = &["properties", "definitions", "$defs", "patternProperties"];

/// Keywords whose value is data, not a schema.
const DATA_KEYWORDS: &[&str] = &["default", "examples", "const", "enum", "required"];

/// Finishes a generated schema, in every schema object it holds:
///
/// - every object schema that lists its `properties` and says nothing about
///   other keys gets `additionalProperties: false`. The loader reports every
///   key it does not know as an error (`unknown-key`), so no table of a
///   matrix or test file is open; maps with free keys (`when`, `dimensions`,
///   `facts`) have no `properties` and keep their `additionalProperties`;
/// - a `default` of `null`, and `null` members of a default table, go: TOML
///   has no null, and an absent key is what they mean.
fn tidy(schema: &mut Value) {
    let Value::Object(map) = schema else {
        return;
    };
    if map.contains_key("properties") && !map.contains_key("additionalProperties") {
        map.insert("additionalProperties".to_string(), Value::Bool(false));
    }
    match map.get_mut("default") {
        Some(Value::Null) => {
            map.remove("default");
        }
        Some(Value::Object(members)) => members.retain(|_, v| !v.is_null()),
        _ => {}
    }
    for (key, value) in map.iter_mut() {
        if SCHEMA_MAPS.contains(&key.as_str()) {
            if let Value::Object(named) = value {
                named.values_mut().for_each(tidy);
            }
        } else if !DATA_KEYWORDS.contains(&key.as_str()) {
            match value {
                Value::Array(items) => items.iter_mut().for_each(tidy),
                other => tidy(other),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matrix::schema::SECTIONS;

    #[test]
    fn sections_are_the_loaders() {
        assert_eq!(matrix_sections().collect::<Vec<_>>(), SECTIONS);
    }

    #[test]
    fn output_is_deterministic() {
        assert_eq!(json_schema(), json_schema());
        assert_eq!(tests_json_schema(), tests_json_schema());
    }
}
