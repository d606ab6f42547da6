//! Benchmark (a): hunting versus only parsing, same files, same `evtx` crate,
//! same thread count, in one process. Prints both throughputs and the ratio.
//!
//! `hunt_vs_parse RULES_DIR EVTX_DIR [THREADS] [RUNS]`
//!
//! - parse: every record of every file rendered to JSON by the `evtx` crate
//!   (`EvtxParser::records_json_bytes`, what `evtx_dump` does), files in parallel;
//! - hunt: `detwiki_engine::hunt` with every rule (rules are loaded and
//!   compiled once, before the clock starts; that time is printed apart).
//!
//! Each side runs RUNS times (default 5), alternating; the best run counts.

mod support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use detwiki_engine::read::{InputKind, collect_inputs};
use rayon::prelude::*;
use support::{Count, Noop};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: hunt_vs_parse RULES_DIR EVTX_DIR [THREADS] [RUNS]");
        std::process::exit(2);
    }
    let threads: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(0);
    let runs: usize = args.get(4).and_then(|s| s.parse().ok()).unwrap_or(5);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    let threads = pool.current_num_threads();

    let t = Instant::now();
    let rs = support::load_rules(Path::new(&args[1]));
    let load = t.elapsed().as_secs_f64();

    let (inputs, _) = collect_inputs(&[PathBuf::from(&args[2])]);
    let inputs: Vec<_> = inputs.into_iter().filter(|i| i.kind == InputKind::Evtx).collect();
    let bytes: u64 = inputs.iter().map(|i| i.size).sum();

    let parse = || {
        inputs
            .par_iter()
            .map(|i| {
                let mut p = evtx::EvtxParser::from_path(&i.path)
                    .expect("evtx")
                    .with_configuration(evtx::ParserSettings::new().num_threads(1));
                p.records_json_bytes().filter(Result::is_ok).count() as u64
            })
            .sum::<u64>()
    };
    let read_only = || inputs.par_iter().map(|i| detwiki_engine::read::read_input(i, &Noop)).sum::<u64>();
    let mut best_read = f64::MAX;
    let (mut best_parse, mut best_hunt) = (f64::MAX, f64::MAX);
    let (mut events_parse, mut events_hunt, mut hits) = (0, 0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        events_parse = pool.install(parse);
        best_parse = best_parse.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        pool.install(read_only);
        best_read = best_read.min(t.elapsed().as_secs_f64());
        let sink = Count::default();
        let t = Instant::now();
        let totals = pool.install(|| detwiki_engine::hunt(&rs, &inputs, &sink));
        best_hunt = best_hunt.min(t.elapsed().as_secs_f64());
        events_hunt = totals.events;
        hits = totals.hits;
    }
    println!(
        "input: {} EVTX files, {:.1} MB; rules: {} loaded ({} instances, {} prefiltered), {} skipped, load+compile {:.2} s; threads: {threads}; best of {runs}",
        inputs.len(),
        bytes as f64 / 1e6,
        rs.rules.len(),
        rs.instance_count(),
        rs.prefiltered_count(),
        rs.skipped.len(),
        load
    );
    println!(
        "parse only: {events_parse} events in {best_parse:.3} s = {:.0} events/s, {:.1} MB/s",
        events_parse as f64 / best_parse,
        bytes as f64 / 1e6 / best_parse
    );
    println!("read+flatten (no rules): {best_read:.3} s");
    println!(
        "hunt:       {events_hunt} events in {best_hunt:.3} s = {:.0} events/s, {:.1} MB/s, {hits} hits",
        events_hunt as f64 / best_hunt,
        bytes as f64 / 1e6 / best_hunt
    );
    println!("ratio hunt/parse: {:.2}x (target <= 1.2x, issue 15)", best_hunt / best_parse);
}
