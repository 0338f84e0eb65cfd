#![allow(clippy::expect_used)]
#![allow(missing_docs)] // criterion_group! generates an undocumented public function
//! Loading and validating large generated matrices, as `escalate validate`
//! does: read the fragment files from disk, parse, deserialize, check.
//!
//! The matrices come from the same generator as
//! `cargo run --example gen_matrix` (shared through `#[path]`), written to a
//! temporary folder during setup. Target: the 10,000-contact, 2,000-rule
//! matrix loads and validates in under 250 ms.
//!
//! Besides `load+check`, the group measures `load` and `check` alone, so a
//! missed target shows where the time goes.

#[allow(dead_code)]
#[path = "../examples/gen_matrix/generator.rs"]
mod generator;

use chrono::NaiveDate;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use escalate::matrix;
use escalate::validate::checks;
use escalate::validate::diagnostic::Severity;
use std::hint::black_box;
use std::io::Write as _;
use std::time::Duration;

const SIZES: &[(usize, usize)] = &[(1_000, 200), (10_000, 2_000)];

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 3).unwrap_or_default()
}

fn bench_validate(c: &mut Criterion) {
    let mut group = c.benchmark_group("validate");
    group
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    let formats = [generator::Format::Toml, generator::Format::Yaml];
    for &(contacts, rules) in SIZES {
        for format in formats {
            let generated = generator::generate(&generator::Params {
                contacts,
                rules,
                seed: 42,
                format,
            });
            let dir = tempfile::tempdir().expect("a temporary folder");
            generated.write_to(dir.path()).expect("writing the matrix");
            let path = dir.path().to_path_buf();

            // Setup check: the matrix is valid, and say what it warns about.
            let (loaded, load_findings) = matrix::load_path(&path).expect("loading");
            let checked = checks::check(&loaded, today());
            let errors = load_findings
                .iter()
                .chain(&checked.findings)
                .filter(|f| f.severity == Severity::Error)
                .count();
            assert_eq!(errors, 0, "the generated matrix must be valid");
            let _ = writeln!(
                std::io::stderr(),
                "c{contacts}-r{rules} {}: {} files, {} KiB, {} warnings",
                format.extension(),
                generated.files.len(),
                generated.total_bytes() / 1024,
                checked.findings.len()
            );

            let label = format!("c{contacts}-r{rules}-{}", format.extension());
            group.throughput(Throughput::Bytes(
                u64::try_from(generated.total_bytes()).unwrap_or(0),
            ));
            group.bench_function(BenchmarkId::new("load+check", &label), |b| {
                b.iter(|| {
                    let (m, findings) = matrix::load_path(black_box(&path)).expect("loading");
                    let checked = checks::check(&m, today());
                    (m, findings, checked)
                });
            });
            // The breakdown, for the larger TOML matrix only, to keep the run short.
            if contacts == 10_000 && format == generator::Format::Toml {
                group.bench_function(BenchmarkId::new("load", &label), |b| {
                    b.iter(|| matrix::load_path(black_box(&path)).expect("loading"));
                });
                group.bench_function(BenchmarkId::new("check", &label), |b| {
                    b.iter(|| checks::check(black_box(&loaded), today()));
                });
                let input = generated.as_load_input();
                group.bench_function(BenchmarkId::new("load-from-memory", &label), |b| {
                    b.iter_batched(
                        || input.clone(),
                        |files| matrix::load_files(matrix::Origin::Memory("bench".into()), files),
                        criterion::BatchSize::LargeInput,
                    );
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, bench_validate);
criterion_main!(benches);
