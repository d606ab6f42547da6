//! A set of compiled rules, routed by logsource and guarded by a literal prefilter.
//!
//! Each rule is compiled once per event source its logsource stands for in
//! the taxonomy (`windows/process_creation` ⇒ Sysmon 1, and Security 4688 with
//! 4688's field names): an *instance*. Instances are indexed by channel and
//! event id, so an event only meets the instances of its own kind. A rule whose
//! logsource has no known mapping is reported in [`Ruleset::skipped`], never
//! applied to every event; `routing: false` applies every rule to every event.
//!
//! The prefilter: for each instance, a set of lower-cased literals, each tied to
//! the field it must occur in (or to any field, for keywords), such that the
//! instance cannot match an event in which none of them occurs (an AND needs
//! one predicate's literals, an OR all branches'; a `not` gives nothing). Each
//! route has one Aho-Corasick automaton per field its instances name, run over
//! that field's values only, and one over every value for keyword literals;
//! only the instances whose literals were seen (and those without a literal
//! set) are evaluated, in route order.
//!
//! A route's prefilter, and the literal sets it is made of, are built when that route (channel
//! and event id) has met [`PREFILTER_AFTER`] events, once for all threads; its first events are
//! evaluated instance by instance. A hunt over a handful of files pays only for the routes its
//! events take, and only for the prefilters of those that see more than a few events; the heavy
//! parts of matchers (regexes, substring automata) wait for the events that reach them (see
//! [`crate::matcher`]).
//!
//! The module is split by job: `build` compiles rules into instances and routes,
//! `prefilter` builds and runs the literal automata,
//! `routing` finds an event's route and indexes its fields.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use crate::compile::{CompiledDetection, FieldTable, Placeholders, Pred};
use crate::correlate::Correlations;
use crate::event::{Event, FieldKey, Fields};
use crate::matcher::{EarlyUses, LazyRegex, WordBuild};
use crate::pipeline::Pipelines;

mod build;
mod prefilter;
mod routing;

pub use build::RulesetBuilder;
pub use prefilter::MIN_NEEDLE;
use prefilter::{Needle, Prefilter, Scan};
use routing::{FieldIndex, Indexed};

pub use crate::rules::{RuleInfo, SkipReason, Skipped};

/// How to build a [`Ruleset`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Route events by logsource (default); `false` = every rule sees every event.
    pub routing: bool,
    /// Values for `|expand` placeholders.
    pub placeholders: Placeholders,
    /// Use the literal prefilter (default; off only for testing).
    pub prefilter: bool,
    /// Events a list of instances (a route) meets, evaluated instance by instance, before its
    /// prefilter is built ([`PREFILTER_AFTER`] by default; 0 = from its first event).
    pub prefilter_after: u32,
    /// Processing pipelines applied to every rule (and meta filter) before it is compiled.
    pub pipelines: Pipelines,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            routing: true,
            placeholders: Placeholders::new(),
            prefilter: true,
            prefilter_after: PREFILTER_AFTER,
            pipelines: Pipelines::default(),
        }
    }
}

/// How many events a list of instances (a route) meets before its prefilter is built: until
/// then its instances are evaluated one by one. Building a route's prefilter (its instances'
/// literal sets, then an automaton per field) costs about what evaluating its instances on a
/// few dozen events does (SigmaHQ `rules/`: Sysmon 1's prefilter takes 130 M instructions; one
/// event evaluated instance by instance, 1–10 M, most of it for the matchers the first events
/// build). A route that sees many events pays for a few more evaluations; one that sees a few
/// saves the whole build — a handful of EVTX files, where start-up is all the user waits for.
/// Measured on SigmaHQ `rules/` (bench/README.md): one small EVTX file 0.13 → 0.12 s, the 8,255
/// events of evtx-attack-samples on one thread 0.30 → 0.29 s; 32 made the second 0.31 s.
pub const PREFILTER_AFTER: u32 = 8;

/// One rule compiled for one event source.
#[derive(Debug)]
struct Instance {
    rule: u32,
    det: CompiledDetection,
    /// Extra conditions of the event source: field → accepted values (lower-cased).
    pre: Vec<(FieldKey, Vec<String>)>,
    /// The literals of which an event must hold one to match (`None`: no such set; the
    /// prefilter does not guard this instance), computed when a prefilter first needs them.
    needles: OnceLock<Option<Vec<Needle>>>,
    /// Its regexes: built when first used; one that cannot be built makes the instance match
    /// nothing (as if the rule had not compiled), see [`Ruleset::unbuilt_regexes`].
    regexes: Vec<Arc<LazyRegex>>,
}

impl Instance {
    /// True when every regex of the instance is (or can now be) built.
    fn regexes_built(&self) -> bool {
        self.regexes.iter().all(|r| r.regex().is_ok())
    }
}

/// A regex of a rule that could not be built when first used (the rule gave no hits).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnbuiltRegex {
    /// Index into [`Ruleset::rules`].
    pub rule: u32,
    /// The pattern.
    pub pattern: String,
    /// Why (the `regex` crate's message).
    pub error: String,
}

#[derive(Debug, Default)]
struct Route {
    /// The channel-wide instances (no event id of their own).
    any: Guarded,
    /// Per event id: its own instances.
    by_id: HashMap<u32, Guarded, WordBuild>,
}

/// A list of instances (in evaluation order) and its prefilter, built once the list has met
/// [`Options::prefilter_after`] events.
#[derive(Debug, Default)]
struct Guarded {
    list: Vec<u32>,
    prefilter: OnceLock<Prefilter>,
    /// Events the list met before its prefilter was built.
    met: EarlyUses,
}

/// Compiled rules ready to match events.
#[derive(Debug)]
pub struct Ruleset {
    /// Rules in use, in load order.
    pub rules: Vec<RuleInfo>,
    /// Rules not in use, and why.
    pub skipped: Vec<Skipped>,
    instances: Vec<Instance>,
    routing: bool,
    routes: HashMap<String, Route, WordBuild>,
    /// Every instance (what each event meets without routing).
    all: Guarded,
    /// Use the literal prefilter ([`Options::prefilter`]).
    prefilter: bool,
    /// [`Options::prefilter_after`].
    prefilter_after: u32,
    /// The literal automata of the prefilters built so far, shared between prefilters with
    /// the same literals (Sysmon 1 and Security 4688 hold the same process_creation rules).
    automata: prefilter::Automata,
    fields: FieldTable,
    /// Where events keep their channel and event id: `Channel` / `EventID`, then the names
    /// pipelines map them to (`winlog.channel`, `event.code` …).
    channel_fields: Vec<String>,
    event_id_fields: Vec<String>,
    /// Their ids in the field table.
    route_field_ids: (Vec<u32>, Vec<u32>),
    /// The correlation rules (their [`RuleInfo`]s follow the detection rules in `rules`).
    pub(crate) correlations: Correlations,
}

/// Per-thread scratch for [`Ruleset::matches`].
#[derive(Debug, Default)]
pub struct Scratch {
    /// Per position of the current route: generation when it became a candidate.
    marks: Vec<u32>,
    needle_marks: Vec<u32>,
    generation: u32,
    candidates: Vec<u32>,
    channel: String,
    index: FieldIndex,
    /// Literal scans of values seen before.
    memo: prefilter::ScanMemo,
    /// Counters, for tuning: events seen, instances routed to them, instances evaluated.
    pub stats: MatchStats,
}

/// Counters kept by [`Scratch`].
#[derive(Clone, Copy, Debug, Default)]
pub struct MatchStats {
    /// Events matched.
    pub events: u64,
    /// Instances the routing gave them.
    pub routed: u64,
    /// Instances evaluated after the prefilter.
    pub evaluated: u64,
    /// Prefilter literals found (occurrences; a value scanned before counts each literal once).
    pub needle_hits: u64,
}

/// A rule that matched an event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMatch {
    /// Index into [`Ruleset::rules`].
    pub rule: u32,
    /// The fields and values that made the positive searches match.
    pub fields: Vec<(String, String)>,
}

impl Ruleset {
    /// Number of compiled (rule, event source) instances.
    pub fn instance_count(&self) -> usize {
        self.instances.len()
    }

    /// The fields the router reads an event's channel from, in order (`Channel`, then names pipelines map it to).
    pub fn channel_fields(&self) -> &[String] {
        &self.channel_fields
    }

    /// The fields the router reads an event's id from, in order.
    pub fn event_id_fields(&self) -> &[String] {
        &self.event_id_fields
    }

    /// Number of instances the prefilter can guard (those with a literal set; computes every
    /// instance's set).
    pub fn prefiltered_count(&self) -> usize {
        (0..self.instances.len() as u32).filter(|&i| self.needles_of(i).is_some()).count()
    }

    /// The literal set of instance `i` (computed on first use).
    fn needles_of(&self, i: u32) -> Option<&[Needle]> {
        let inst = &self.instances[i as usize];
        inst.needles.get_or_init(|| prefilter::instance_needles(&inst.det)).as_deref()
    }

    /// The prefilter of `g` for an event that meets it: `None` with the prefilter off, or
    /// while `g` has met fewer than [`Options::prefilter_after`] events (evaluate every
    /// instance); built on the event after that.
    fn guard<'a>(&'a self, g: &'a Guarded) -> Option<&'a Prefilter> {
        if !self.prefilter {
            return None;
        }
        if let Some(pf) = g.prefilter.get() {
            return Some(pf);
        }
        if g.met.early(self.prefilter_after) {
            return None;
        }
        Some(g.prefilter.get_or_init(|| self.prefilter_of(g.list.clone())))
    }

    /// The prefilter of the instances `order` (in evaluation order).
    fn prefilter_of(&self, order: Vec<u32>) -> Prefilter {
        self.needles_on_all_cores(&order);
        Prefilter::build(order, |i| self.needles_of(i), &self.automata)
    }

    /// Compute the literal sets of `order`'s instances not computed yet on every core: a
    /// route's first event waits for them (regex literal extraction is most of a small hunt's
    /// time). Scoped threads, not rayon: this runs while the route's prefilter is being
    /// initialised, where a rayon join could pick up a task that waits for that very
    /// prefilter. A thread that cannot be started leaves its share to [`Ruleset::needles_of`].
    fn needles_on_all_cores(&self, order: &[u32]) {
        /// Fewer instances than this a thread are not worth a thread.
        const PER_THREAD: usize = 64;
        let todo: Vec<u32> =
            order.iter().copied().filter(|&i| self.instances[i as usize].needles.get().is_none()).collect();
        let threads = prefilter::cores().min(todo.len() / PER_THREAD);
        if threads < 2 {
            return;
        }
        prefilter::on_threads(threads, |t| {
            for &i in todo.iter().skip(t).step_by(threads) {
                self.needles_of(i);
            }
        });
    }

    /// Fresh scratch for one thread (it grows with the prefilters it meets).
    pub fn scratch(&self) -> Scratch {
        Scratch {
            marks: Vec::new(),
            needle_marks: Vec::new(),
            generation: 0,
            candidates: Vec::new(),
            channel: String::new(),
            index: FieldIndex::default(),
            memo: prefilter::ScanMemo::default(),
            stats: MatchStats::default(),
        }
    }

    /// Call `on_match(instance)` for every instance that matches `ev`.
    pub fn matches(&self, ev: &Event, scratch: &mut Scratch, mut on_match: impl FnMut(u32)) {
        scratch.index.build(ev, &self.fields);
        let [(a, pa), (b, pb)] = self.routed_indexed(ev, &scratch.index);
        scratch.stats.events += 1;
        scratch.stats.routed += (a.len() + b.len()) as u64;
        // Channel-wide instances first, then the event id's: route order. A list without its
        // prefilter (off, or not built yet) has every instance evaluated, in the same order.
        for (list, pf) in [(a, pa), (b, pb)] {
            match pf {
                Some(pf) => self.prefiltered(pf, ev, scratch, &mut on_match),
                None => {
                    for &i in list {
                        if self.eval_instance(i, ev, scratch) {
                            on_match(i);
                        }
                    }
                }
            }
        }
    }

    /// The instances of `pf` whose literals occur in `ev` (and those without literals),
    /// evaluated in order.
    fn prefiltered(&self, pf: &Prefilter, ev: &Event, scratch: &mut Scratch, on_match: &mut impl FnMut(u32)) {
        if pf.order.is_empty() {
            return;
        }
        if scratch.marks.len() < pf.order.len() {
            scratch.marks.resize(pf.order.len(), 0);
        }
        if scratch.needle_marks.len() < pf.needle_positions.len() {
            scratch.needle_marks.resize(pf.needle_positions.len(), 0);
        }
        scratch.generation = scratch.generation.wrapping_add(1);
        if scratch.generation == 0 {
            scratch.marks.iter_mut().for_each(|m| *m = 0);
            scratch.needle_marks.iter_mut().for_each(|m| *m = 0);
            scratch.generation = 1;
        }
        let g = scratch.generation;
        let mut candidates = std::mem::take(&mut scratch.candidates);
        candidates.clear();
        candidates.extend_from_slice(&pf.always);
        {
            let Scratch { marks, needle_marks, index, stats, memo, .. } = &mut *scratch;
            let mut found = |scan: &Scan, k: usize| {
                stats.needle_hits += 1;
                let n = scan.base as usize + k;
                if needle_marks[n] != g {
                    needle_marks[n] = g;
                    for &p in &pf.needle_positions[n] {
                        if marks[p as usize] != g {
                            marks[p as usize] = g;
                            candidates.push(p);
                        }
                    }
                }
            };
            let view = Indexed { ev, index };
            for (field, scan) in &pf.fields {
                for v in view.values_by_id(*field) {
                    if !v.lower.is_empty() {
                        memo.scan(&scan.ac, v.lower.as_bytes(), |k| found(scan, k));
                    }
                }
            }
            // Every value of the event at once: rarely the same text twice.
            if let Some(scan) = &pf.any {
                scan.ac.scan(ev.lower_text().as_bytes(), |k| found(scan, k));
            }
        }
        candidates.sort_unstable();
        for &p in &candidates {
            let i = pf.order[p as usize];
            if self.eval_instance(i, ev, scratch) {
                on_match(i);
            }
        }
        scratch.candidates = candidates;
    }

    /// The event source's conditions and the detection of instance `i` (the index is built).
    fn eval_instance(&self, i: u32, ev: &Event, scratch: &mut Scratch) -> bool {
        let inst = &self.instances[i as usize];
        let view = Indexed { ev, index: &scratch.index };
        if !inst.pre.iter().all(|(f, vs)| view.values(f).any(|v| vs.iter().any(|x| x == v.lower))) {
            return false;
        }
        scratch.stats.evaluated += 1;
        inst.det.eval(&view) && inst.regexes_built()
    }

    /// The regexes that could not be built when first used, by rule (each once). A regex is
    /// checked when its rule is compiled and built when an event first reaches it; only the
    /// `regex` crate's size limit can fail there, and the rule then gives no hits.
    pub fn unbuilt_regexes(&self) -> Vec<UnbuiltRegex> {
        let mut out: Vec<UnbuiltRegex> = Vec::new();
        for inst in &self.instances {
            for r in &inst.regexes {
                let Some(error) = r.build_error() else { continue };
                let x = UnbuiltRegex { rule: inst.rule, pattern: r.as_str().to_string(), error: error.to_string() };
                if !out.contains(&x) {
                    out.push(x);
                }
            }
        }
        out
    }

    /// Evaluate without routing shortcuts or prefilter: every instance routed to
    /// the event, evaluated directly (the reference for tests).
    pub fn matches_naive(&self, ev: &Event, scratch: &mut Scratch, mut on_match: impl FnMut(u32)) {
        let (a, b) = self.routed(ev, scratch);
        for &i in a.iter().chain(b) {
            let inst = &self.instances[i as usize];
            if inst.pre.iter().all(|(f, vs)| Fields::values(ev, f).any(|v| vs.iter().any(|x| x == v.lower)))
                && inst.det.eval_naive(ev)
                && inst.regexes_built()
            {
                on_match(i);
            }
        }
    }

    /// Whether rule `rule`'s own hits are reported: not those of a rule that a correlation refers
    /// to without `generate: true` (its matches only feed the correlation).
    pub fn reports_hits(&self, rule: u32) -> bool {
        self.correlations.outputs(rule)
    }

    /// The rule of an instance.
    pub fn rule_of(&self, instance: u32) -> u32 {
        self.instances[instance as usize].rule
    }

    /// Describe a match: the rule and the fields that made it.
    pub fn explain(&self, instance: u32, ev: &Event) -> RuleMatch {
        self.explain_in(instance, ev)
    }

    /// [`Ruleset::explain`] through the field index that `scratch` holds for `ev`:
    /// only right after [`Ruleset::matches`] was called with both.
    pub(crate) fn explain_indexed(&self, instance: u32, ev: &Event, scratch: &Scratch) -> RuleMatch {
        self.explain_in(instance, &Indexed { ev, index: &scratch.index })
    }

    fn explain_in<F: Fields>(&self, instance: u32, ev: &F) -> RuleMatch {
        let inst = &self.instances[instance as usize];
        let mut positive = Vec::new();
        inst.det.cond.positive_searches(&mut positive);
        let mut fields: Vec<(String, String)> = Vec::new();
        for s in positive {
            let search = &inst.det.searches[s as usize];
            let Some(group) = search.groups.iter().find(|g| g.iter().all(|p| p.eval_naive(ev))) else { continue };
            for p in group {
                explain_pred(p, ev, &mut fields);
            }
        }
        RuleMatch { rule: inst.rule, fields }
    }
}

fn explain_pred<F: Fields>(p: &Pred, ev: &F, out: &mut Vec<(String, String)>) {
    let mut push = |name: &str, value: &str| {
        if !out.iter().any(|(n, v)| n == name && v == value) {
            out.push((name.to_string(), value.to_string()));
        }
    };
    match &p.field {
        Some(f) => {
            for v in Fields::values(ev, f) {
                if !v.is_null() && p.values.iter().flatten().any(|m| m.matches_value(ev, &v)) {
                    push(&f.name, v.raw);
                }
            }
        }
        None => {
            for (n, v) in ev.event().fields() {
                if !v.is_null() && p.values.iter().flatten().any(|m| m.matches_value(ev, &v)) {
                    push(n, v.raw);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn event_values_lowered_in_one_pass_match_push() {
        use crate::event::{Event, Kind};
        let (mut a, mut b) = (Event::new(), Event::new());
        for (n, v) in [("Image", r"C:\Windows\CMD.EXE"), ("Name", "ÄÖÜ"), ("Empty", "")] {
            a.push(n, v, Kind::Str);
            b.push_raw(n, v, Kind::Str);
        }
        b.lower_pending();
        assert_eq!(a.fields().collect::<Vec<_>>(), b.fields().collect::<Vec<_>>());
        assert_eq!(a.lower_text(), b.lower_text());
    }
}
