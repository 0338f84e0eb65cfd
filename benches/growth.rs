#![allow(clippy::expect_used)]
#![allow(missing_docs)] // criterion_group! generates an undocumented public function
//! How each cost grows with the size of the matrix (issue #7).
//!
//! Generated matrices (the `gen_matrix` generator, shared through `#[path]`,
//! TOML, seed 42), in process, no disk:
//!
//! * `growth-load-contacts`: load (`matrix::load_files` from memory) and
//!   check (`validate::checks::check`), and the check alone, at 1,000,
//!   10,000 and 50,000 contacts with 200 rules.
//! * `growth-load-rules`: the same at 200, 2,000 and 10,000 rules with
//!   1,000 contacts.
//! * `growth-route`: one description, with the `Router` built for it
//!   (`build+route`) and with a `Router` built beforehand (`route`), at
//!   200, 2,000 and 10,000 rules with 1,000 contacts.
//! * `growth-diff`: two versions (`generator::generate_changed`: 5 % of the
//!   contacts and rules changed, removed or added, version 2.0.0), loaded
//!   and validated beforehand, with 50 routing test cases: the entity diff
//!   (`diff::compare::diff`) and everything `escalate diff` does after
//!   loading (`diff::compare_versions`: entity diff, routing impact of the
//!   cases through both matrices, version check). At 1,000/200,
//!   10,000/2,000 and 50,000/10,000 contacts/rules.
//! * `growth-publish`: `publish::render` of the portal pages at the same
//!   three sizes.
//!
//! Each benchmark's throughput is its size in elements (contacts, rules,
//! or contacts + rules), which `benches/growth.sh` reads to compute the
//! growth exponent between consecutive sizes. Short runs on purpose (10
//! samples, flat sampling): the grid takes a few minutes.

#[allow(dead_code)]
#[path = "../examples/gen_matrix/generator.rs"]
mod generator;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::measurement::WallTime;
use criterion::{
    BatchSize, BenchmarkGroup, BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group,
    criterion_main,
};
use escalate::diff::{MatrixVersion, compare, compare_versions};
use escalate::matrix::{self, Matrix, Origin};
use escalate::publish::{self, Options};
use escalate::route::{Facts, Incident, Router};
use escalate::validate::checks;
use escalate::validate::diagnostic::Severity;
use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

/// Contact counts of the contacts series, at [`FIXED_RULES`] rules.
const CONTACTS: [usize; 3] = [1_000, 10_000, 50_000];
const FIXED_RULES: usize = 200;
/// Rule counts of the rules series, at [`FIXED_CONTACTS`] contacts.
const RULES: [usize; 3] = [200, 2_000, 10_000];
const FIXED_CONTACTS: usize = 1_000;
/// (contacts, rules) of the series where both grow.
const SCALES: [(usize, usize); 3] = [(1_000, 200), (10_000, 2_000), (50_000, 10_000)];
/// Percentage of contacts and rules the second version of a diff changes.
const CHANGED_PERCENT: usize = 5;
/// Routing test cases of both versions of a diff.
const CASES: usize = 50;

/// The start of the one description routed, in the generated matrices'
/// vocabulary (a system, an object, a component, a symptom), with scope and
/// data hints; the last rule's first phrase follows, so that it routes at
/// every size.
const DESCRIPTION: &str = "Since this morning the invoice approval flow in sap is stuck \
     and the expense report export is missing; it affects several users and the file \
     contains bank details.";

fn now() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-03T10:00:00+01:00")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default()
}

fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

fn elements(n: usize) -> Throughput {
    Throughput::Elements(u64::try_from(n).unwrap_or(u64::MAX))
}

fn group<'c>(c: &'c mut Criterion, name: &str) -> BenchmarkGroup<'c, WallTime> {
    let mut group = c.benchmark_group(name);
    group
        .sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2));
    group
}

fn generate(contacts: usize, rules: usize) -> generator::Generated {
    generator::generate(&generator::Params {
        contacts,
        rules,
        seed: 42,
        format: generator::Format::Toml,
    })
}

/// Loads and checks a generated matrix; fails on any error.
fn load(files: Vec<(String, Vec<u8>)>) -> (Matrix, checks::Checked) {
    let (m, findings) = matrix::load_files(Origin::Memory("bench".into()), files);
    let checked = checks::check(&m, today());
    let errors = findings
        .iter()
        .chain(&checked.findings)
        .filter(|f| f.severity == Severity::Error)
        .count();
    assert_eq!(errors, 0, "the generated matrix must be valid");
    (m, checked)
}

/// `load+check` and `check` of one matrix, `n` being the varied size.
fn bench_load_one(
    group: &mut BenchmarkGroup<'_, WallTime>,
    n: usize,
    contacts: usize,
    rules: usize,
) {
    let generated = generate(contacts, rules);
    let input = generated.as_load_input();
    let (m, checked) = load(input.clone());
    note(&format!(
        "c{contacts}-r{rules}: {} files, {} KiB, {} warnings",
        generated.files.len(),
        generated.total_bytes() / 1024,
        checked.findings.len()
    ));
    group.throughput(elements(n));
    group.bench_function(BenchmarkId::new("load+check", n), |b| {
        b.iter_batched(
            || input.clone(),
            |files| {
                let (m, findings) = matrix::load_files(Origin::Memory("bench".into()), files);
                let checked = checks::check(&m, today());
                (m, findings, checked)
            },
            BatchSize::PerIteration,
        );
    });
    group.bench_function(BenchmarkId::new("check", n), |b| {
        b.iter(|| checks::check(black_box(&m), today()));
    });
}

fn bench_load(c: &mut Criterion) {
    let mut contacts_group = group(c, "growth-load-contacts");
    for contacts in CONTACTS {
        bench_load_one(&mut contacts_group, contacts, contacts, FIXED_RULES);
    }
    contacts_group.finish();
    let mut rules_group = group(c, "growth-load-rules");
    for rules in RULES {
        bench_load_one(&mut rules_group, rules, FIXED_CONTACTS, rules);
    }
    rules_group.finish();
}

fn bench_route(c: &mut Criterion) {
    let mut group = group(c, "growth-route");
    for rules in RULES {
        let generated = generate(FIXED_CONTACTS, rules);
        let last = generated
            .rule_phrases
            .last()
            .and_then(|p| p.first())
            .expect("a rule with a phrase");
        let incident = Incident {
            description: format!("{DESCRIPTION} Also the {last} is not working."),
            opened_at: now(),
            facts: Facts::default(),
            // As the CLI does unless --no-redact is given.
            redact: true,
        };
        let (m, checked) = load(generated.as_load_input());
        let router = Router::new(&m, &checked).expect("a valid matrix");
        let route = router.route(&incident).expect("routing");
        note(&format!(
            "growth-route r{rules}: {} rules matched, {} considered and rejected, fallback {}",
            route.explanation.matched.len(),
            route.explanation.rejected.len(),
            route.fallback
        ));
        group.throughput(elements(rules));
        group.bench_function(BenchmarkId::new("build+route", rules), |b| {
            b.iter(|| {
                let router = Router::new(black_box(&m), &checked).expect("a valid matrix");
                router.route(black_box(&incident)).expect("routing")
            });
        });
        group.bench_function(BenchmarkId::new("route", rules), |b| {
            b.iter(|| router.route(black_box(&incident)).expect("routing"));
        });
    }
    group.finish();
}

fn bench_diff(c: &mut Criterion) {
    let mut group = group(c, "growth-diff");
    for (contacts, rules) in SCALES {
        let params = generator::Params {
            contacts,
            rules,
            seed: 42,
            format: generator::Format::Toml,
        };
        let v1 = generator::generate(&params);
        let v2 = generator::generate_changed(&params, CHANGED_PERCENT);
        let tests = vec![(
            "tests/generated.toml".to_string(),
            generator::test_file(&v1, CASES, 7),
        )];
        let old = MatrixVersion::from_files("v1", v1.as_load_input(), tests.clone(), today())
            .expect("the first version must be valid");
        let new = MatrixVersion::from_files("v2", v2.as_load_input(), tests, today())
            .expect("the second version must be valid");
        assert_eq!(old.suite.cases.len(), CASES, "every test case loads");
        let report = compare_versions(&old, &new, now());
        let (breaking, notable, info) = report.counts();
        note(&format!(
            "growth-diff c{contacts}-r{rules}: {} changes ({breaking} breaking, {notable} notable, \
             {info} info), {} cases routed",
            report.changes.len(),
            report.cases
        ));
        let id = format!("c{contacts}-r{rules}");
        group.throughput(elements(contacts + rules));
        group.bench_function(BenchmarkId::new("entities", &id), |b| {
            b.iter(|| {
                compare::diff(
                    black_box(&old.matrix),
                    &old.checked,
                    black_box(&new.matrix),
                    &new.checked,
                )
            });
        });
        group.bench_function(BenchmarkId::new("compare-versions", &id), |b| {
            b.iter(|| compare_versions(black_box(&old), black_box(&new), now()));
        });
    }
    group.finish();
}

fn bench_publish(c: &mut Criterion) {
    let options = Options::new(now());
    let mut group = group(c, "growth-publish");
    for (contacts, rules) in SCALES {
        let (m, checked) = load(generate(contacts, rules).as_load_input());
        let site = publish::render(&m, &checked, &options);
        note(&format!(
            "growth-publish c{contacts}-r{rules}: {} files, {} KiB",
            site.files.len(),
            site.files.iter().map(|f| f.contents.len()).sum::<usize>() / 1024
        ));
        group.throughput(elements(contacts + rules));
        group.bench_function(
            BenchmarkId::new("render", format!("c{contacts}-r{rules}")),
            |b| b.iter(|| publish::render(black_box(&m), black_box(&checked), &options)),
        );
    }
    group.finish();
}

criterion_group!(benches, bench_load, bench_route, bench_diff, bench_publish);
criterion_main!(benches);
