#![allow(clippy::expect_used)]
#![allow(missing_docs)] // criterion_group! generates an undocumented public function
//! Routing benchmarks.
//!
//! * `route-process`: one description routed end to end by the release
//!   binary as a separate process (start-up, matrix load, validation,
//!   routing, JSON output), on the matrix compiled into the binary and on
//!   the `matrix/` folder of this repository.
//! * `route-batch`: 1,000 varied descriptions through one `Router` built
//!   once, on the shipped matrix and on generated 1,000-rule and
//!   10,000-rule matrices; `route` is the decision with everything it
//!   prints, `route+json` adds writing each as a JSON line (what
//!   `route --batch` does per line). Targets: 200,000 incidents/s on one
//!   core for 1,000 rules; the 10,000-rule case at most 1.5x slower.

#[allow(dead_code)]
#[path = "../examples/gen_matrix/generator.rs"]
mod generator;

use chrono::{DateTime, NaiveDate, Utc};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use escalate::matrix::{self, Matrix, Origin};
use escalate::route::{Facts, Incident, Router};
use escalate::validate::checks;
use std::hint::black_box;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

const DESCRIPTION: &str = "Payroll flow fails since 9:00 and exposes employee bank details";

fn opened_at() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-12-03T10:00:00+01:00")
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_default()
}

fn note(text: &str) {
    let _ = writeln!(std::io::stderr(), "{text}");
}

/// The release binary: cargo builds it for benchmarks and says where;
/// otherwise `target/release/escalate` if a release build exists.
fn binary() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    option_env!("CARGO_BIN_EXE_escalate")
        .map(PathBuf::from)
        .into_iter()
        .chain([root.join("target/release/escalate")])
        .find(|p| p.is_file())
}

fn bench_process(c: &mut Criterion) {
    let Some(bin) = binary() else {
        note("route-process: skipped: no escalate binary (run `cargo build --release` first)");
        return;
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // An empty working directory: no ./matrix there, so the binary falls
    // back to the matrix compiled into it.
    let empty = tempfile::tempdir().expect("a temporary folder");
    let run = |cwd: &Path, matrix: Option<&Path>| {
        let mut cmd = Command::new(&bin);
        cmd.current_dir(cwd)
            .env_remove("ESCALATE_MATRIX")
            .env("NO_COLOR", "1");
        if let Some(m) = matrix {
            cmd.arg("--matrix").arg(m);
        }
        cmd.args([
            "route",
            "--format",
            "json",
            "--at",
            "2026-12-03T10:00:00+01:00",
            DESCRIPTION,
        ]);
        let out = cmd.output().expect("running escalate");
        assert!(
            out.status.success(),
            "escalate route failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout.len()
    };
    // Fail early and clearly if the binary cannot route.
    run(empty.path(), None);
    run(root, Some(&root.join("matrix")));

    let mut group = c.benchmark_group("route-process");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    group.bench_function("shipped-builtin", |b| b.iter(|| run(empty.path(), None)));
    group.bench_function("matrix-folder", |b| {
        b.iter(|| run(root, Some(&root.join("matrix"))));
    });
    group.finish();
}

fn incidents(descriptions: Vec<String>) -> Vec<Incident> {
    descriptions
        .into_iter()
        .map(|description| Incident {
            description,
            opened_at: opened_at(),
            facts: Facts::default(),
            // As the CLI does unless --no-redact is given.
            redact: true,
        })
        .collect()
}

fn bench_batch(c: &mut Criterion) {
    let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default();
    let mut cases: Vec<(String, Matrix, Vec<Incident>)> = Vec::new();

    let shipped = matrix::shipped::FILES
        .iter()
        .map(|(name, text)| ((*name).to_string(), text.as_bytes().to_vec()))
        .collect();
    let (shipped, _) = matrix::load_files(Origin::Shipped, shipped);
    // Descriptions for the shipped matrix: a generated matrix's phrases mean
    // nothing to it, so reuse everyday wording that its rules do cover.
    let everyday = [
        "New starter cannot sign in, MFA keeps looping",
        "Flow copying orders failed three nights in a row",
        "Customer emails visible to guests on the portal",
        "The CSV import swaps day and month for all users",
        "How do I share my app with my team?",
        "Salesforce connector returns 429 too many requests",
        "Payroll flow fails since 9:00 and exposes employee bank details",
        "Printer on floor 3 is jammed",
    ];
    let shipped_descriptions = (0..1000)
        .map(|i| everyday[i % everyday.len()].to_string())
        .collect();
    cases.push(("shipped".into(), shipped, incidents(shipped_descriptions)));

    for rules in [1_000, 10_000] {
        let generated = generator::generate(&generator::Params {
            contacts: 1_000,
            rules,
            seed: 42,
            format: generator::Format::Toml,
        });
        let (m, findings) =
            matrix::load_files(Origin::Memory("bench".into()), generated.as_load_input());
        assert!(
            findings.is_empty(),
            "the generated matrix must load cleanly"
        );
        let descriptions = generator::descriptions(&generated, 1000, 7);
        cases.push((format!("c1000-r{rules}"), m, incidents(descriptions)));
    }

    let mut group = c.benchmark_group("route-batch");
    group
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    for (label, m, batch) in &cases {
        let checked = checks::check(m, today);
        let router = Router::new(m, &checked).expect("a valid matrix");
        // Setup check and a profile of the batch: how many fall back.
        let results: Vec<_> = batch
            .iter()
            .map(|i| router.route(i).expect("routing"))
            .collect();
        let fallbacks = results.iter().filter(|r| r.fallback).count();
        let touched: Vec<usize> = results
            .iter()
            .map(|r| r.explanation.matched.len() + r.explanation.rejected.len())
            .collect();
        let (max, at) = touched
            .iter()
            .enumerate()
            .map(|(i, n)| (*n, i))
            .max()
            .unwrap_or_default();
        note(&format!(
            "route-batch {label}: {} rules, {} incidents, {fallbacks} fall back, \
             {:.1} rules matched or considered per incident (max {max}: {:?})",
            m.rules.len(),
            batch.len(),
            f64::from(u32::try_from(touched.iter().sum::<usize>()).unwrap_or(u32::MAX))
                / f64::from(u32::try_from(batch.len()).unwrap_or(1)),
            batch
                .get(at)
                .map(|i| i.description.as_str())
                .unwrap_or_default()
        ));
        group.throughput(Throughput::Elements(
            u64::try_from(batch.len()).unwrap_or(0),
        ));
        group.bench_with_input(BenchmarkId::new("route", label), batch, |b, batch| {
            b.iter(|| {
                for incident in batch {
                    black_box(router.route(black_box(incident)).expect("routing"));
                }
            });
        });
        // What `route --batch` does per line besides reading it: route, then write
        // the JSON record.
        group.bench_with_input(BenchmarkId::new("route+json", label), batch, |b, batch| {
            let mut out = Vec::with_capacity(1 << 20);
            b.iter(|| {
                out.clear();
                for incident in batch {
                    let route = router.route(black_box(incident)).expect("routing");
                    // As `route --batch` writes a record (src/cli/route_cmd.rs).
                    sonic_rs::to_writer(&mut out, &route).expect("writing JSON");
                    out.push(b'\n');
                }
                black_box(out.len())
            });
        });
    }
    group.finish();
}

criterion_group!(benches, bench_batch, bench_process);
criterion_main!(benches);
