#![allow(missing_docs)] // criterion_group!/criterion_main! generate undocumented items

//! Hot paths of the Sigma core: reading a rule file, parsing a condition.
//! Run: `cargo bench -p detwiki-sigma`.

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};

fn fixtures() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut texts: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/fixtures/valid")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .map(|p| std::fs::read_to_string(p).expect("fixture"))
        .collect();
    texts.sort();
    texts
}

fn parse_rules(c: &mut Criterion) {
    let texts = fixtures();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.bench_function("rule_files", |b| {
        b.iter(|| {
            for t in &texts {
                std::hint::black_box(detwiki_sigma::parse_str(t));
            }
        })
    });
    g.finish();
}

fn parse_conditions(c: &mut Criterion) {
    let conds = [
        "selection",
        "selection and not 1 of filter_main_* and not 1 of filter_optional_*",
        "(sel_a or sel_b) and not (filter_a and filter_b) or all of sel_*",
    ];
    c.bench_function("condition", |b| {
        b.iter(|| {
            for s in conds {
                std::hint::black_box(detwiki_sigma::condition::parse_condition(s, 0).ok());
            }
        })
    });
}

criterion_group!(benches, parse_rules, parse_conditions);
criterion_main!(benches);
