//! What the engine's benchmark and profiling examples share: loading a rules
//! folder, a sink that counts hits, and an event handler that does nothing.

// Each example uses only part of this.
#![allow(dead_code)]

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};

use detwiki_engine::read::{EventHandler, Input, Position, ReadProblem};
use detwiki_engine::ruleset::{Options, Ruleset, RulesetBuilder};
use detwiki_engine::{Event, Hit, HitSink};

/// Every `.yml`/`.yaml` rule under `dir`, compiled with the default options but for one: each
/// route's prefilter is built at its first event (`prefilter_after: 0`), not its ninth. These
/// examples measure scanning once the ruleset is warm (best of several passes over the same
/// files); with the default, a route that sees one event per pass would still be evaluated
/// without its prefilter in the ninth pass. `hunt_startup` measures a cold start as the CLI runs it.
pub fn load_rules(dir: &Path) -> Ruleset {
    let mut b = RulesetBuilder::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            b.add("rules", p, &detwiki_sigma::parse_str(&text).documents, &|_| true);
        }
    }
    b.build(&Options { prefilter_after: 0, ..Options::default() })
}

/// Counts hits; prints read problems.
#[derive(Default)]
pub struct Count(pub AtomicU64);

impl HitSink for Count {
    fn hits(&self, hits: &mut Vec<Hit>) {
        self.0.fetch_add(hits.len() as u64, Ordering::Relaxed);
    }
    fn problem(&self, p: ReadProblem) {
        eprintln!("{p}");
    }
}

/// Reads and flattens events, and does nothing with them.
pub struct Noop;

impl EventHandler for Noop {
    type State = ();
    fn state(&self) {}
    fn event(&self, _: &mut (), _: &Input, _: Position, _: &Event) {}
    fn batch_done(&self, _: &mut (), _: u64, _: u64) {}
    fn problem(&self, _: Option<u64>, _: ReadProblem) {}
}
