//! Criterion bench of EVTX reading, on the first 40 files of `evtx-attack-samples` (read from
//! `$DETWIKI_SHARED`, else `../shared` beside the repo; without them it says so and measures
//! nothing): the `evtx` crate rendering every record as JSON (what a tool that takes fields
//! from that crate must do) versus detwiki's reader giving every record's fields (straight
//! from BinXML where planned, else through that JSON), no rules. Single thread.
//! `cargo bench -p detwiki-engine --bench evtx`

use criterion::{Criterion, criterion_main};
use detwiki_engine::read::{InputKind, collect_inputs, read_input};

#[path = "../examples/support/mod.rs"]
mod support;

fn bench(c: &mut Criterion) {
    let Some(dir) = detwiki_testdata::require("events/evtx-attack-samples") else { return };
    let (mut inputs, _) = collect_inputs(&[dir]);
    inputs.retain(|i| i.kind == InputKind::Evtx);
    inputs.truncate(40);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let mut g = c.benchmark_group("evtx 40 sample files, 1 thread");
    g.sample_size(20);
    g.bench_function("evtx crate: records rendered as JSON", |b| {
        b.iter(|| {
            inputs
                .iter()
                .map(|i| {
                    let mut p = evtx::EvtxParser::from_path(&i.path)
                        .expect("evtx")
                        .with_configuration(evtx::ParserSettings::new().num_threads(1));
                    p.records_json_bytes().filter(Result::is_ok).count()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("detwiki: records read into events", |b| {
        b.iter(|| pool.install(|| inputs.iter().map(|i| read_input(i, &support::Noop)).sum::<u64>()))
    });
    g.finish();
}

fn benches() {
    let mut c = Criterion::default().configure_from_args();
    bench(&mut c);
}

criterion_main!(benches);
