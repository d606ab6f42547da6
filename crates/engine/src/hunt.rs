//! Hunting: every input read once, every event matched against the ruleset,
//! hits handed to a [`HitSink`] as they are found (memory stays flat however
//! large the input).

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::prelude::*;

use crate::correlate::Observation;
use crate::event::Event;
use crate::read::{self, EventHandler, Input, Position, ReadProblem};
use crate::ruleset::{Ruleset, Scratch};

pub use crate::hit::{Hit, make_hit};

/// Where hits and problems go; called from many threads.
pub trait HitSink: Sync {
    /// Hits of one batch of events.
    fn hits(&self, hits: &mut Vec<Hit>);
    /// A part of an input that could not be read.
    fn problem(&self, problem: ReadProblem);
    /// Progress: `bytes` more read, `events` more matched.
    fn progress(&self, _bytes: u64, _events: u64) {}
}

/// Totals of a hunt.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Inputs read.
    pub files: u64,
    /// Events read.
    pub events: u64,
    /// Hits found.
    pub hits: u64,
    /// Problems reported.
    pub problems: u64,
}

/// Run `ruleset` over `inputs` on the current rayon pool. Correlation rules are evaluated
/// after the last input (see [`crate::correlate`]); their hits come last.
pub fn hunt(ruleset: &Ruleset, inputs: &[Input], sink: &dyn HitSink) -> Totals {
    let pool = Mutex::new(Vec::new());
    let h = Handler {
        ruleset,
        sink,
        inputs,
        hits: AtomicU64::new(0),
        problems: AtomicU64::new(0),
        pool: &pool,
        observations: Mutex::new((Vec::new(), HashMap::new())),
    };
    let events: u64 = inputs.par_iter().map(|input| read::read_input(input, &h)).sum();
    let corr = &ruleset.correlations;
    if !corr.is_empty() {
        let (observations, untimed) = h.observations.into_inner().unwrap_or_else(|e| e.into_inner());
        for (c, n) in untimed {
            let rule = &ruleset.rules[corr.rule_of(c) as usize];
            h.problems.fetch_add(1, Ordering::Relaxed);
            sink.problem(ReadProblem {
                path: rule.path.clone(),
                location: None,
                message: format!(
                    "correlation `{}`: {n} matches of the rules it refers to have no readable time \
                     (TimeCreated_SystemTime, @timestamp, timestamp, UtcTime) and are left out",
                    rule.title
                ),
            });
        }
        let mut found = corr.evaluate(observations);
        h.hits.fetch_add(found.len() as u64, Ordering::Relaxed);
        if !found.is_empty() {
            sink.hits(&mut found);
        }
    }
    Totals {
        files: inputs.len() as u64,
        events,
        hits: h.hits.load(Ordering::Relaxed),
        problems: h.problems.load(Ordering::Relaxed),
    }
}

struct Handler<'a> {
    ruleset: &'a Ruleset,
    sink: &'a dyn HitSink,
    inputs: &'a [Input],
    hits: AtomicU64,
    problems: AtomicU64,
    /// Scratch states, reused across chunks: rayon asks for a fresh state per
    /// split, and a state's buffers are sized by the ruleset.
    pool: &'a Mutex<Vec<Inner>>,
    /// Matches of rules that correlations refer to; per correlation, those without a time.
    observations: Mutex<(Vec<Observation>, HashMap<usize, u64>)>,
}

/// Per-thread state of a hunt, given back to the pool when dropped.
pub struct State<'a> {
    pool: &'a Mutex<Vec<Inner>>,
    inner: Inner,
}

/// The buffers of a [`State`].
pub struct Inner {
    scratch: Scratch,
    hits: Vec<Hit>,
    matched: Vec<u32>,
    events: u64,
    observed: Vec<Result<Observation, usize>>,
}

impl Drop for State<'_> {
    fn drop(&mut self) {
        let inner = std::mem::replace(
            &mut self.inner,
            Inner {
                scratch: Scratch::default(),
                hits: Vec::new(),
                matched: Vec::new(),
                events: 0,
                observed: Vec::new(),
            },
        );
        if let Ok(mut p) = self.pool.lock() {
            p.push(inner);
        }
    }
}

impl<'a> EventHandler for Handler<'a> {
    type State = State<'a>;

    fn state(&self) -> State<'a> {
        let pooled = self.pool.lock().ok().and_then(|mut p| p.pop());
        let inner = pooled.unwrap_or_else(|| Inner {
            scratch: self.ruleset.scratch(),
            hits: Vec::new(),
            matched: Vec::new(),
            events: 0,
            observed: Vec::new(),
        });
        State { pool: self.pool, inner }
    }

    fn event(&self, st: &mut State<'a>, input: &Input, at: Position, ev: &Event) {
        let st = &mut st.inner;
        st.events += 1;
        st.matched.clear();
        let matched = &mut st.matched;
        self.ruleset.matches(ev, &mut st.scratch, |i| matched.push(i));
        if st.matched.is_empty() {
            return;
        }
        let index = self.inputs.iter().position(|i| std::ptr::eq(i, input)).unwrap_or(usize::MAX);
        let corr = &self.ruleset.correlations;
        for &i in &st.matched {
            let m = self.ruleset.explain_indexed(i, ev, &st.scratch);
            let hit = make_hit(m.rule, index, at, ev, m.fields);
            if corr.is_empty() {
                st.hits.push(hit);
                continue;
            }
            corr.observe(i, m.rule, ev, &hit, &mut st.observed);
            if corr.outputs(m.rule) {
                st.hits.push(hit);
            }
        }
    }

    fn batch_done(&self, st: &mut State<'a>, bytes: u64) {
        let st = &mut st.inner;
        if !st.observed.is_empty()
            && let Ok(mut o) = self.observations.lock()
        {
            let (list, untimed) = &mut *o;
            for x in st.observed.drain(..) {
                match x {
                    Ok(obs) => list.push(obs),
                    Err(c) => *untimed.entry(c).or_insert(0) += 1,
                }
            }
        }
        self.sink.progress(bytes, st.events);
        st.events = 0;
        if !st.hits.is_empty() {
            self.hits.fetch_add(st.hits.len() as u64, Ordering::Relaxed);
            self.sink.hits(&mut st.hits);
            st.hits.clear();
        }
    }

    fn problem(&self, problem: ReadProblem) {
        self.problems.fetch_add(1, Ordering::Relaxed);
        self.sink.problem(problem);
    }
}
