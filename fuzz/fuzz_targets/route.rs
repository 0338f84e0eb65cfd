//! Routing a random description (any bytes, read as UTF-8 with replacement)
//! with random facts, forced severity or tier, and an opening instant anywhere
//! in chrono's range, on the shipped matrix; then every output format.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Utc};
use escalate::matrix::{self, Matrix, Origin};
use escalate::route::{Facts, Router};
use escalate::validate::checks::{self, Checked};
use escalate::validate::diagnostic::Finding;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

#[derive(Arbitrary, Debug)]
enum Pick {
    /// An id the matrix knows, by position.
    Known(u8),
    /// Any text.
    Text(String),
}

#[derive(Arbitrary, Debug)]
struct Input {
    description: Vec<u8>,
    facts: Vec<(Pick, Pick)>,
    severity: Option<Pick>,
    tier: Option<Pick>,
    opened_at: i64,
    near_now: bool,
}

fn router() -> &'static Router<'static> {
    // The matrix and its check live in statics of their own: a router need
    // not keep a reference to the check, and memory only a leaked box points
    // to is reported by LeakSanitizer as a leak of the harness.
    static MATRIX: OnceLock<(Matrix, Vec<Finding>)> = OnceLock::new();
    static CHECKED: OnceLock<Checked> = OnceLock::new();
    static ROUTER: OnceLock<Router<'static>> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let (matrix, findings) = MATRIX.get_or_init(|| {
            let files = matrix::shipped::FILES
                .iter()
                .map(|(name, text)| ((*name).to_string(), text.as_bytes().to_vec()))
                .collect();
            matrix::load_files(Origin::Shipped, files)
        });
        let checked = CHECKED.get_or_init(|| {
            let mut checked = checks::check(matrix, escalate_fuzz::today());
            checked.findings.extend(findings.iter().cloned());
            checked
        });
        match Router::new(matrix, checked) {
            Ok(router) => router,
            Err(error) => panic!("the shipped matrix does not route: {error}"),
        }
    })
}

fn pick(p: &Pick, known: &[String]) -> String {
    match p {
        Pick::Known(i) if !known.is_empty() => known[usize::from(*i) % known.len()].clone(),
        Pick::Known(_) => String::new(),
        Pick::Text(text) => text.clone(),
    }
}

fuzz_target!(|input: Input| {
    let router = router();
    let m = router.matrix();
    let dimensions: Vec<String> = m.dimensions.iter().map(|d| d.id.value.clone()).collect();
    let levels: Vec<String> = m
        .dimensions
        .iter()
        .flat_map(|d| d.levels.iter().map(|l| l.id.value.clone()))
        .collect();
    let severities: Vec<String> = m.severities.iter().map(|s| s.id.value.clone()).collect();
    let tiers: Vec<String> = m.tiers.iter().map(|t| t.id.value.clone()).collect();
    let mut facts = Facts::default();
    for (dimension, level) in input.facts.iter().take(8) {
        facts
            .dimensions
            .insert(pick(dimension, &dimensions), pick(level, &levels));
    }
    facts.severity = input.severity.as_ref().map(|p| pick(p, &severities));
    facts.tier = input.tier.as_ref().map(|p| pick(p, &tiers));
    let at = if input.near_now {
        // Within about 68 years of the fixed now: where real incidents are.
        escalate_fuzz::now() + chrono::Duration::seconds(i64::from(input.opened_at as i32))
    } else {
        DateTime::from_timestamp(input.opened_at, 0).unwrap_or(if input.opened_at < 0 {
            DateTime::<Utc>::MIN_UTC
        } else {
            DateTime::<Utc>::MAX_UTC
        })
    };
    let description = String::from_utf8_lossy(&input.description);
    escalate_fuzz::route_one(router, &description, at, facts);
});
