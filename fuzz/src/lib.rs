//! What every fuzz target does with a matrix once it has one: validate it,
//! render the findings in every format and, when it is valid, route with it
//! and publish it. A crash anywhere in that pipeline is a finding.

use chrono::{DateTime, NaiveDate, Utc};
use escalate::matrix::{self, Matrix, Origin};
use escalate::route::{Facts, Incident, Router, render};
use escalate::validate::{self, checks};

/// The fixed "today" of every run, so that a crash reproduces.
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default()
}

/// A fixed instant on `today`.
pub fn now() -> DateTime<Utc> {
    today().and_hms_opt(12, 0, 0).unwrap_or_default().and_utc()
}

/// The smallest valid matrix, in TOML (`tests/fixtures/minimal/`).
pub const MINIMAL_TOML: &[(&str, &[u8])] = &[
    (
        "matrix/calendars.toml",
        include_bytes!("../../tests/fixtures/minimal/calendars.toml"),
    ),
    (
        "matrix/fallback.toml",
        include_bytes!("../../tests/fixtures/minimal/fallback.toml"),
    ),
    (
        "matrix/manifest.toml",
        include_bytes!("../../tests/fixtures/minimal/manifest.toml"),
    ),
    (
        "matrix/people.toml",
        include_bytes!("../../tests/fixtures/minimal/people.toml"),
    ),
    (
        "matrix/severities.toml",
        include_bytes!("../../tests/fixtures/minimal/severities.toml"),
    ),
    (
        "matrix/tiers.toml",
        include_bytes!("../../tests/fixtures/minimal/tiers.toml"),
    ),
];

/// The same in YAML (`tests/fixtures/minimal-yaml/`).
pub const MINIMAL_YAML: &[(&str, &[u8])] = &[
    (
        "matrix/calendars.yaml",
        include_bytes!("../../tests/fixtures/minimal-yaml/calendars.yaml"),
    ),
    (
        "matrix/fallback.yaml",
        include_bytes!("../../tests/fixtures/minimal-yaml/fallback.yaml"),
    ),
    (
        "matrix/manifest.yaml",
        include_bytes!("../../tests/fixtures/minimal-yaml/manifest.yaml"),
    ),
    (
        "matrix/people.yaml",
        include_bytes!("../../tests/fixtures/minimal-yaml/people.yaml"),
    ),
    (
        "matrix/severities.yaml",
        include_bytes!("../../tests/fixtures/minimal-yaml/severities.yaml"),
    ),
    (
        "matrix/tiers.yaml",
        include_bytes!("../../tests/fixtures/minimal-yaml/tiers.yaml"),
    ),
];

/// One fragment, first on its own, then added to a minimal valid matrix, so
/// that a fragment that completes the matrix reaches routing and publishing.
pub fn exercise_fragment(name: &str, data: &[u8], base: &[(&str, &[u8])]) {
    exercise_files(vec![(name.to_string(), data.to_vec())]);
    let mut files: Vec<(String, Vec<u8>)> = base
        .iter()
        .map(|(n, b)| ((*n).to_string(), b.to_vec()))
        .collect();
    files.push((name.to_string(), data.to_vec()));
    exercise_files(files);
}

/// Loads named files in memory and runs the whole pipeline on them.
pub fn exercise_files(files: Vec<(String, Vec<u8>)>) {
    let (matrix, findings) = matrix::load_files(Origin::Memory("fuzz".into()), files);
    exercise_matrix(&matrix, findings);
}

/// Validates, renders the findings, and routes and publishes a valid matrix.
pub fn exercise_matrix(matrix: &Matrix, mut findings: Vec<validate::diagnostic::Finding>) {
    let mut checked = checks::check(matrix, today());
    findings.append(&mut checked.findings);
    validate::sort(&mut findings, &matrix.sources);
    // Every finding's place must be renderable in every format.
    let _ = validate::to_json(&findings, &matrix.sources, checked.unread_files);
    let _ = validate::to_github(&findings, &matrix.sources);
    let _ = validate::to_human(&findings, &matrix.sources, false, 100);
    let _ = validate::summary(matrix, matrix.sources.len(), &findings);
    checked.findings = findings;
    if checked.has_errors() {
        assert!(
            Router::new(matrix, &checked).is_err(),
            "a router was built for a matrix with errors"
        );
        return;
    }
    let _ = escalate::publish::render(matrix, &checked, &escalate::publish::Options::new(now()));
    let Ok(router) = Router::new(matrix, &checked) else {
        return;
    };
    for description in [
        "",
        "Payroll flow fails and exposes employee bank details",
        "x",
    ] {
        route_one(&router, description, now(), Facts::default());
    }
}

/// Routes one incident and renders the result in every format.
pub fn route_one(router: &Router<'_>, description: &str, at: DateTime<Utc>, facts: Facts) {
    let incident = Incident {
        description: description.to_string(),
        opened_at: at,
        facts,
        redact: true,
    };
    if let Ok(route) = router.route(&incident) {
        let _ = serde_json::to_string(&route);
        let _ = render::markdown(&route);
        let _ = render::explain(&route);
        let _ = render::human(
            &route,
            render::HumanOptions {
                color: false,
                explain: true,
                now: at,
                width: Some(100),
            },
        );
    }
}
