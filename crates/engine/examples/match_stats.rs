//! Prefilter statistics over JSON lines: how many rule instances each event is
//! routed to, how many survive the literal prefilter, and the time per event.
//!
//! `match_stats RULES_DIR EVENTS.jsonl`

mod support;

use std::path::Path;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rs = support::load_rules(Path::new(&args[1]));
    let text = std::fs::read(&args[2]).expect("events");
    let mut events = Vec::new();
    for line in text.split(|&c| c == b'\n').filter(|l| !l.is_empty()) {
        let mut e = detwiki_engine::Event::new();
        if detwiki_engine::json::flatten(line, &mut e).is_ok() {
            events.push(e);
        }
    }
    let lines: Vec<&[u8]> = text.split(|&c| c == b'\n').filter(|l| !l.is_empty()).collect();
    let mut e = detwiki_engine::Event::new();
    let t = Instant::now();
    for _ in 0..10 {
        for l in &lines {
            detwiki_engine::json::flatten(l, &mut e).ok();
        }
    }
    println!("flatten: {:.2} us/event", t.elapsed().as_secs_f64() * 1e6 / 10.0 / lines.len() as f64);
    let t = Instant::now();
    for _ in 0..10 {
        for l in &lines {
            let v: serde_json::Value = serde_json::from_slice(l).unwrap();
            std::hint::black_box(v);
        }
    }
    println!("serde_json::Value: {:.2} us/event", t.elapsed().as_secs_f64() * 1e6 / 10.0 / lines.len() as f64);
    let mut scratch = rs.scratch();
    let mut hits = 0;
    let t = Instant::now();
    for _ in 0..10 {
        for e in &events {
            rs.matches(e, &mut scratch, |_| hits += 1);
        }
    }
    let dt = t.elapsed().as_secs_f64() / 10.0;
    let s = scratch.stats;
    println!(
        "{} events: {:.2} us/event; per event: routed {:.1}, evaluated {:.1}, needle hits {:.1}; hits {}",
        events.len(),
        dt * 1e6 / events.len() as f64,
        s.routed as f64 / s.events as f64,
        s.evaluated as f64 / s.events as f64,
        s.needle_hits as f64 / s.events as f64,
        hits / 10
    );
}
