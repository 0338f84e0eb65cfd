//! Rendering the shipped matrix as portal pages, in memory.
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used)]

use chrono::{DateTime, Utc};
use criterion::{Criterion, black_box, criterion_group, criterion_main};
use escalate::matrix::{self, Origin};
use escalate::publish::{self, Options};
use escalate::validate::checks::check;

fn shipped() -> matrix::Matrix {
    let files = matrix::shipped::FILES
        .iter()
        .map(|(name, text)| ((*name).to_string(), text.as_bytes().to_vec()))
        .collect();
    matrix::load_files(Origin::Shipped, files).0
}

fn bench(c: &mut Criterion) {
    let now: DateTime<Utc> = DateTime::parse_from_rfc3339("2026-12-03T12:00:00Z")
        .unwrap()
        .into();
    let m = shipped();
    let checked = check(&m, now.date_naive());
    let options = Options::new(now);
    c.bench_function("publish/render shipped matrix", |b| {
        b.iter(|| publish::render(black_box(&m), black_box(&checked), &options));
    });
    let mut single = Options::new(now);
    single.single_file = true;
    single.mkdocs = true;
    c.bench_function("publish/render shipped matrix, single file", |b| {
        b.iter(|| publish::render(black_box(&m), black_box(&checked), &single));
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
