//! Hunting: every input read once, every event matched against the ruleset,
//! hits handed to a [`HitSink`] as they are found (memory stays flat however
//! large the input).
//!
//! Inputs are read in parallel, and each input in parallel by batch (EVTX chunk, batch of
//! JSON lines); yet the sink sees hits and read problems in the order of the input: by
//! input, then batch, then position in the batch, whatever the number of threads. What a
//! batch gives waits, in a reorder buffer, only until the batches before it are done: the
//! buffer holds hits and problems, never events. Correlation hits come after the last input,
//! in an order of their own that does not depend on threads either.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::iter::{ParallelBridge, ParallelIterator};

use crate::correlate::Observation;
use crate::event::Event;
use crate::read::{self, EventHandler, Input, Position, ReadProblem};
use crate::ruleset::{Ruleset, Scratch};

pub use crate::hit::{Hit, make_hit};

/// Where hits and problems go. [`hunt`] calls it from many threads, one call at a time, in the
/// order of the input (see the module documentation).
pub trait HitSink: Sync {
    /// Hits of one batch of events.
    fn hits(&self, hits: &mut Vec<Hit>);
    /// A part of an input that could not be read.
    fn problem(&self, problem: ReadProblem);
    /// Progress: `bytes` more read, `events` more matched (as batches end, in any order).
    fn progress(&self, _bytes: u64, _events: u64) {}
    /// Every event read, with the hits it gave (most give none), from the worker thread that
    /// read it and before those hits reach [`HitSink::hits`] — in no particular order across
    /// batches. For a sink that describes the events themselves (counts by event id, the fields
    /// of matched events); the event lives only for the call. Correlation hits never come here.
    fn event(&self, _input: usize, _at: Position, _event: &Event, _hits: &[Hit]) {}
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

/// Run `ruleset` over `inputs` on the current rayon pool. Hits and problems reach `sink` in
/// the order of the inputs; correlation rules are evaluated after the last input (see
/// [`crate::correlate`]), and their hits come last.
pub fn hunt(ruleset: &Ruleset, inputs: &[Input], sink: &dyn HitSink) -> Totals {
    let pool = Mutex::new(Vec::new());
    let h = Handler {
        ruleset,
        sink,
        hits: AtomicU64::new(0),
        problems: AtomicU64::new(0),
        pool: &pool,
        observations: Mutex::new((Vec::new(), BTreeMap::new())),
        order: Mutex::new(Order { current: 0, inputs: (0..inputs.len()).map(|_| InputOrder::default()).collect() }),
    };
    // Inputs are taken in order (so that few wait for the one before them to be done).
    let events: u64 = inputs
        .iter()
        .enumerate()
        .par_bridge()
        .map(|(index, input)| {
            let events = read::read_input(input, &ForInput { h: &h, index });
            h.with_order(|o| o.finish(index, sink));
            events
        })
        .sum();
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
    hits: AtomicU64,
    problems: AtomicU64,
    /// Scratch states, reused across chunks: rayon asks for a fresh state per
    /// split, and a state's buffers are sized by the ruleset.
    pool: &'a Mutex<Vec<Inner>>,
    /// Matches of rules that correlations refer to; per correlation, those without a time.
    observations: Mutex<(Vec<Observation>, BTreeMap<usize, u64>)>,
    /// What the batches gave, on its way to the sink in the order of the input.
    order: Mutex<Order>,
}

impl Handler<'_> {
    fn with_order(&self, f: impl FnOnce(&mut Order)) {
        let mut order = self.order.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut order);
    }
}

/// The reorder buffer: per input, what its batches gave, until it is the sink's turn.
struct Order {
    /// The input whose batches go to the sink as they are done (in order); those after it wait.
    current: usize,
    inputs: Vec<InputOrder>,
}

#[derive(Default)]
struct InputOrder {
    /// The batches before this one are done.
    next: u64,
    /// What the done batches gave (those that gave something), while an input before this
    /// one is not finished.
    waiting: Vec<Output>,
    /// Batches from `next` on that are done or have reported a problem, by number.
    pending: BTreeMap<u64, Output>,
    /// Problems of the input as a whole: after its batches.
    last: Vec<ReadProblem>,
    /// Read to the end.
    finished: bool,
}

/// What a batch gave.
#[derive(Default)]
struct Output {
    hits: Vec<Hit>,
    problems: Vec<ReadProblem>,
    done: bool,
}

impl Output {
    fn emit(mut self, sink: &dyn HitSink) {
        for p in self.problems {
            sink.problem(p);
        }
        if !self.hits.is_empty() {
            sink.hits(&mut self.hits);
        }
    }
}

impl Order {
    /// A problem of `input` in batch `batch` (`None`: of the input as a whole).
    fn problem(&mut self, input: usize, batch: Option<u64>, problem: ReadProblem, sink: &dyn HitSink) {
        let io = &mut self.inputs[input];
        match batch {
            None => io.last.push(problem),
            Some(b) if b >= io.next => io.pending.entry(b).or_default().problems.push(problem),
            // A batch that is done already (a reader does not do that): in order as far as can be.
            Some(_) => self.pass(input, Output { problems: vec![problem], ..Output::default() }, sink),
        }
    }

    /// Batch `batch` of `input` is done with `hits` (taken, or handed to the sink).
    fn batch_done(&mut self, input: usize, batch: u64, hits: &mut Vec<Hit>, sink: &dyn HitSink) {
        let io = &mut self.inputs[input];
        if input == self.current && batch == io.next && !io.pending.contains_key(&batch) {
            // Its turn, and nothing before it in the batch: straight to the sink.
            io.next += 1;
            if !hits.is_empty() {
                sink.hits(hits);
                hits.clear();
            }
        } else {
            let out = io.pending.entry(batch).or_default();
            out.hits = std::mem::take(hits);
            out.done = true;
        }
        loop {
            let io = &mut self.inputs[input];
            let next = io.next;
            let out = match io.pending.first_entry() {
                Some(entry) if *entry.key() == next && entry.get().done => entry.remove(),
                _ => break,
            };
            io.next += 1;
            self.pass(input, out, sink);
        }
    }

    /// `input` is read to the end.
    fn finish(&mut self, input: usize, sink: &dyn HitSink) {
        // Every batch is done now (a batch number a reader skipped is not waited for).
        let pending = std::mem::take(&mut self.inputs[input].pending);
        for out in pending.into_values() {
            self.pass(input, out, sink);
        }
        self.inputs[input].finished = true;
        while let Some(io) = self.inputs.get_mut(self.current) {
            for out in io.waiting.drain(..) {
                out.emit(sink);
            }
            if !io.finished {
                break;
            }
            for p in io.last.drain(..) {
                sink.problem(p);
            }
            self.current += 1;
        }
    }

    /// What a batch of `input` gave, in its order: to the sink when it is `input`'s turn.
    fn pass(&mut self, input: usize, out: Output, sink: &dyn HitSink) {
        if input == self.current {
            out.emit(sink);
        } else if !out.hits.is_empty() || !out.problems.is_empty() {
            self.inputs[input].waiting.push(out);
        }
    }
}

/// The handler of one input.
struct ForInput<'h, 'a> {
    h: &'h Handler<'a>,
    index: usize,
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

impl<'a> EventHandler for ForInput<'_, 'a> {
    type State = State<'a>;

    fn state(&self) -> State<'a> {
        let h = self.h;
        let pooled = h.pool.lock().ok().and_then(|mut p| p.pop());
        let inner = pooled.unwrap_or_else(|| Inner {
            scratch: h.ruleset.scratch(),
            hits: Vec::new(),
            matched: Vec::new(),
            events: 0,
            observed: Vec::new(),
        });
        State { pool: h.pool, inner }
    }

    fn event(&self, st: &mut State<'a>, _input: &Input, at: Position, ev: &Event) {
        let h = self.h;
        let st = &mut st.inner;
        st.events += 1;
        st.matched.clear();
        let matched = &mut st.matched;
        h.ruleset.matches(ev, &mut st.scratch, |i| matched.push(i));
        let before = st.hits.len();
        if st.matched.is_empty() {
            h.sink.event(self.index, at, ev, &[]);
            return;
        }
        let corr = &h.ruleset.correlations;
        for &i in &st.matched {
            let m = h.ruleset.explain_indexed(i, ev, &st.scratch);
            let hit = make_hit(m.rule, self.index, at, ev, m.fields);
            if corr.is_empty() {
                st.hits.push(hit);
                continue;
            }
            corr.observe(i, m.rule, ev, &hit, &mut st.observed);
            if corr.outputs(m.rule) {
                st.hits.push(hit);
            }
        }
        h.sink.event(self.index, at, ev, &st.hits[before..]);
    }

    fn batch_done(&self, st: &mut State<'a>, batch: u64, bytes: u64) {
        let h = self.h;
        let st = &mut st.inner;
        if !st.observed.is_empty()
            && let Ok(mut o) = h.observations.lock()
        {
            let (list, untimed) = &mut *o;
            for x in st.observed.drain(..) {
                match x {
                    Ok(obs) => list.push(obs),
                    Err(c) => *untimed.entry(c).or_insert(0) += 1,
                }
            }
        }
        h.sink.progress(bytes, st.events);
        st.events = 0;
        h.hits.fetch_add(st.hits.len() as u64, Ordering::Relaxed);
        h.with_order(|o| o.batch_done(self.index, batch, &mut st.hits, h.sink));
    }

    fn problem(&self, batch: Option<u64>, problem: ReadProblem) {
        self.h.problems.fetch_add(1, Ordering::Relaxed);
        self.h.with_order(|o| o.problem(self.index, batch, problem, self.h.sink));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records what reaches it, in order: `h<input>.<line>` for hits, `p<text>` for problems.
    #[derive(Default)]
    struct Log(Mutex<Vec<String>>);

    impl HitSink for Log {
        fn hits(&self, hits: &mut Vec<Hit>) {
            let mut log = self.0.lock().unwrap();
            log.extend(hits.iter().map(|h| format!("h{}.{}", h.input, h.line.unwrap_or(0))));
        }
        fn problem(&self, problem: ReadProblem) {
            self.0.lock().unwrap().push(format!("p{}", problem.message));
        }
    }

    fn hit(input: usize, line: u64) -> Hit {
        make_hit(0, input, Position { record: None, line: Some(line) }, &Event::new(), Vec::new())
    }

    fn problem(text: &str) -> ReadProblem {
        ReadProblem { path: "x".into(), location: None, message: text.into() }
    }

    /// Batches done out of order, inputs finished out of order, problems of batches and of
    /// whole inputs: the sink sees input order, batch order, and a batch's problems first.
    #[test]
    fn the_reorder_buffer_gives_input_order() {
        let sink = Log::default();
        let mut o = Order { current: 0, inputs: (0..3).map(|_| InputOrder::default()).collect() };
        let seen = |sink: &Log| sink.0.lock().unwrap().join(" ");
        o.batch_done(1, 0, &mut vec![hit(1, 1)], &sink);
        o.batch_done(0, 1, &mut vec![hit(0, 20), hit(0, 21)], &sink);
        o.problem(0, Some(2), problem("0/2"), &sink);
        o.problem(0, None, problem("0/whole"), &sink);
        assert_eq!(seen(&sink), "", "batch 0 of input 0 is not done");
        let mut first = vec![hit(0, 1)];
        o.batch_done(0, 0, &mut first, &sink);
        assert!(first.is_empty(), "given to the sink");
        assert_eq!(seen(&sink), "h0.1 h0.20 h0.21");
        o.batch_done(2, 0, &mut vec![hit(2, 1)], &sink);
        o.finish(2, &sink);
        o.batch_done(0, 2, &mut vec![hit(0, 30)], &sink);
        assert_eq!(seen(&sink), "h0.1 h0.20 h0.21 p0/2 h0.30");
        o.finish(0, &sink);
        assert_eq!(seen(&sink), "h0.1 h0.20 h0.21 p0/2 h0.30 p0/whole h1.1");
        // Input 1 is the current one now: its batches go straight through.
        o.batch_done(1, 1, &mut vec![hit(1, 9)], &sink);
        assert_eq!(seen(&sink), "h0.1 h0.20 h0.21 p0/2 h0.30 p0/whole h1.1 h1.9");
        o.finish(1, &sink);
        assert_eq!(seen(&sink), "h0.1 h0.20 h0.21 p0/2 h0.30 p0/whole h1.1 h1.9 h2.1");
        assert_eq!(o.current, 3);
        assert!(o.inputs.iter().all(|i| i.waiting.is_empty() && i.pending.is_empty() && i.last.is_empty()));
    }
}
