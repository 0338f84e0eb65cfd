//! The matrix shipped with the tool, compiled into the binary so that an
//! installed `escalate` works anywhere.

/// The shipped matrix files, as (path, text). A test checks that this list
/// matches the files in `matrix/`.
pub const FILES: &[(&str, &str)] = &[
    ("matrix/calendars.toml", include_str!("../../matrix/calendars.toml")),
    ("matrix/decisions.toml", include_str!("../../matrix/decisions.toml")),
    ("matrix/glossary.toml", include_str!("../../matrix/glossary.toml")),
    ("matrix/manifest.toml", include_str!("../../matrix/manifest.toml")),
    ("matrix/people.toml", include_str!("../../matrix/people.toml")),
    ("matrix/rules.toml", include_str!("../../matrix/rules.toml")),
    ("matrix/scripts.toml", include_str!("../../matrix/scripts.toml")),
    ("matrix/severities.toml", include_str!("../../matrix/severities.toml")),
    ("matrix/tiers.toml", include_str!("../../matrix/tiers.toml")),
];

/// The shipped routing tests (`matrix/tests/`), as (path, text).
pub const TESTS: &[(&str, &str)] = &[];
