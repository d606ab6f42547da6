//! Profiling harness for `hunt_vs_parse`: each side wrapped in one non-inlined
//! function (`run_parse`, `run_read`, `run_hunt`, `run_flatten`, `run_match`), so
//! that callgrind can count its instructions alone, whatever the machine's load:
//!
//! ```text
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='hunt_profile::run_hunt' \
//!     target/release/examples/hunt_profile RULES EVTX_DIR hunt 2     # then Ir / (2 × 8,255)
//! ```
//!
//! `hunt_profile RULES EVTX_DIR MODE N` with MODE one of `parse`, `read`, `hunt` (single
//! thread, N passes), `flatten` / `match` (over the records rendered to JSON once, in memory),
//! `hits` (the sorted hit list, for checking that a change keeps it), or
//! `hunt_profile EVENTS.jsonl - dump 0` (every flattened field, same purpose).
mod support;

use std::path::{Path, PathBuf};
use std::time::Instant;

use detwiki_engine::read::{InputKind, ReadProblem, collect_inputs};
use detwiki_engine::ruleset::{Options, RulesetBuilder};
use detwiki_engine::{Hit, HitSink};
use support::{Count, Noop};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 5 {
        eprintln!("usage: hunt_profile RULES_DIR EVTX_DIR parse|read|hunt|flatten|match|hits N");
        eprintln!("       hunt_profile EVENTS.jsonl - dump 0");
        std::process::exit(2);
    }
    let mode = args[3].as_str();
    let n: usize = args[4].parse().unwrap();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    let (inputs, _) = collect_inputs(&[PathBuf::from(&args[2])]);
    let inputs: Vec<_> = inputs.into_iter().filter(|i| i.kind == InputKind::Evtx).collect();
    let needs_rules = matches!(mode, "hunt" | "match" | "hits");
    let rs = if needs_rules {
        support::load_rules(Path::new(&args[1]))
    } else {
        RulesetBuilder::new().build(&Options::default())
    };
    let mut jsons: Vec<Vec<u8>> = Vec::new();
    if matches!(mode, "flatten" | "match") {
        for i in &inputs {
            let mut p = evtx::EvtxParser::from_path(&i.path)
                .unwrap()
                .with_configuration(evtx::ParserSettings::new().num_threads(1));
            for r in p.records_json_bytes().flatten() {
                jsons.push(r.data);
            }
        }
        let total: usize = jsons.iter().map(Vec::len).sum();
        eprintln!("{} records, avg json {} bytes", jsons.len(), total / jsons.len());
    }
    let mut events = Vec::new();
    if mode == "match" {
        for j in &jsons {
            let mut e = detwiki_engine::Event::new();
            detwiki_engine::json::flatten(j, &mut e).unwrap();
            events.push(e);
        }
    }
    if mode == "dump" {
        use std::io::Write;
        let mut o = std::io::BufWriter::new(std::io::stdout().lock());
        let mut e = detwiki_engine::Event::new();
        for j in std::fs::read(&args[1]).unwrap().split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            match detwiki_engine::json::flatten(j, &mut e) {
                Ok(()) => {
                    for (n, v) in e.fields() {
                        writeln!(o, "{n:?}\t{:?}\t{:?}\t{:?}", v.raw, v.lower, v.kind).unwrap();
                    }
                    writeln!(o, "--").unwrap();
                }
                Err(_) => writeln!(o, "ERR").unwrap(),
            }
        }
        return;
    }
    if mode == "hits" {
        struct Keep(std::sync::Mutex<Vec<String>>);
        impl HitSink for Keep {
            fn hits(&self, hits: &mut Vec<Hit>) {
                let mut v = self.0.lock().unwrap();
                for h in hits.iter() {
                    v.push(format!("{:?}", h));
                }
            }
            fn problem(&self, p: ReadProblem) {
                self.0.lock().unwrap().push(format!("PROBLEM {p}"));
            }
        }
        let k = Keep(Default::default());
        detwiki_engine::hunt(&rs, &inputs, &k);
        let mut v = k.0.into_inner().unwrap();
        v.sort();
        for l in v {
            println!("{l}");
        }
        return;
    }
    let t = Instant::now();
    let mut out = 0u64;
    for _ in 0..n {
        out += match mode {
            "parse" => pool.install(|| run_parse(&inputs)),
            "read" => pool.install(|| run_read(&inputs)),
            "hunt" => pool.install(|| run_hunt(&rs, &inputs)),
            "flatten" => run_flatten(&jsons),
            "match" => {
                let mut sc = rs.scratch();
                let h = run_match(&rs, &events, &mut sc);
                let s = sc.stats;
                eprintln!(
                    "routed {:.1} evaluated {:.1} needle hits {:.1}",
                    s.routed as f64 / s.events as f64,
                    s.evaluated as f64 / s.events as f64,
                    s.needle_hits as f64 / s.events as f64
                );
                h
            }
            _ => panic!(),
        };
    }
    let dt = t.elapsed().as_secs_f64() / n as f64;
    eprintln!("{mode}: {:.4} s/iter, {:.2} us/event, out {}", dt, dt * 1e6 / 8255.0, out / n as u64);
}

#[inline(never)]
fn run_flatten(jsons: &[Vec<u8>]) -> u64 {
    let mut e = detwiki_engine::Event::new();
    jsons
        .iter()
        .map(|j| {
            detwiki_engine::json::flatten(j, &mut e).unwrap();
            e.len() as u64
        })
        .sum()
}

#[inline(never)]
fn run_match(
    rs: &detwiki_engine::Ruleset,
    events: &[detwiki_engine::Event],
    sc: &mut detwiki_engine::ruleset::Scratch,
) -> u64 {
    let mut h = 0;
    for e in events {
        rs.matches(e, sc, |_| h += 1);
    }
    h
}

#[inline(never)]
fn run_parse(inputs: &[detwiki_engine::read::Input]) -> u64 {
    inputs
        .iter()
        .map(|i| {
            let mut p = evtx::EvtxParser::from_path(&i.path)
                .unwrap()
                .with_configuration(evtx::ParserSettings::new().num_threads(1));
            p.records_json_bytes().filter(Result::is_ok).count() as u64
        })
        .sum::<u64>()
}
#[inline(never)]
fn run_read(inputs: &[detwiki_engine::read::Input]) -> u64 {
    inputs.iter().map(|i| detwiki_engine::read::read_input(i, &Noop)).sum::<u64>()
}

#[inline(never)]
fn run_hunt(rs: &detwiki_engine::Ruleset, inputs: &[detwiki_engine::read::Input]) -> u64 {
    let s = Count::default();
    detwiki_engine::hunt(rs, inputs, &s).hits
}
