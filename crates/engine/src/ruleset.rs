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

use std::borrow::Cow;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use aho_corasick::Anchored;
use aho_corasick::MatchKind;
use aho_corasick::automaton::Automaton;
use detwiki_sigma::{
    CorrelationRule, Detection, Diagnostic, Document, FilterRule, Level, LogSource, Rule, SearchBody, SigmaFile,
    ValueKind,
};
use detwiki_taxonomy::logsource::{self, EventSource, Lookup};

use crate::compile::{CompileError, CompiledDetection, Cond, FieldTable, Placeholders, Pred, compile_detection};
use crate::correlate::Correlations;
use crate::event::{Event, FieldKey, FieldValue, Fields, lowercase};
use crate::matcher::{Matcher, WordBuild};
use crate::pipeline::Pipelines;

/// Shortest literal worth prefiltering on (bytes).
pub const MIN_NEEDLE: usize = 3;

/// What the output says about a rule.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    /// `id`.
    pub id: Option<String>,
    /// `title`.
    pub title: String,
    /// `name` (what correlation rules may refer to it by).
    pub name: Option<String>,
    /// `level`.
    pub level: Option<Level>,
    /// `tags`.
    pub tags: Vec<String>,
    /// The corpus the rule comes from.
    pub corpus: String,
    /// The rule file.
    pub path: PathBuf,
    /// The logsource, as `product:windows category:process_creation`.
    pub logsource: String,
}

/// A rule (or filter) that is not used, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    /// The rule.
    pub rule: RuleInfo,
    /// Why.
    pub reason: SkipReason,
}

/// Why a rule is not used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// Its file has error findings (listed here, as `lint` reports them): what was parsed may
    /// be broader than what was written (a misspelt modifier's predicate is left out), so
    /// none of the file's rules run.
    #[error("errors in file")]
    FileErrors(Arc<[Diagnostic]>),
    /// The logsource has no known event mapping.
    #[error("logsource `{0}` has no known event mapping")]
    NoMapping(String),
    /// The logsource is known to have no event mapping.
    #[error("logsource `{0}` cannot be mapped to events: {1}")]
    Unmappable(String, String),
    /// The detection does not compile.
    #[error("{0}")]
    Compile(CompileError),
    /// A meta filter that does not compile (the rules it names run unfiltered).
    #[error("filter does not compile: {0}")]
    Filter(CompileError),
    /// A correlation rule that cannot be evaluated (see [`crate::correlate`]).
    #[error("correlation not evaluated: {0}")]
    Correlation(String),
}

impl SkipReason {
    /// A short stable key for summaries.
    pub fn key(&self) -> &'static str {
        match self {
            SkipReason::FileErrors(_) => "errors-in-file",
            SkipReason::NoMapping(_) => "no-logsource-mapping",
            SkipReason::Unmappable(..) => "unmappable-logsource",
            SkipReason::Compile(CompileError::UnresolvedPlaceholder(_)) => "unresolved-placeholder",
            SkipReason::Compile(CompileError::Pipeline(_)) => "pipeline-failure",
            SkipReason::Compile(_) => "does-not-compile",
            SkipReason::Filter(_) => "filter-does-not-compile",
            SkipReason::Correlation(_) => "correlation",
        }
    }
}

/// How to build a [`Ruleset`].
#[derive(Clone, Debug)]
pub struct Options {
    /// Route events by logsource (default); `false` = every rule sees every event.
    pub routing: bool,
    /// Values for `|expand` placeholders.
    pub placeholders: Placeholders,
    /// Use the literal prefilter (default; off only for testing).
    pub prefilter: bool,
    /// Processing pipelines applied to every rule (and meta filter) before it is compiled.
    pub pipelines: Pipelines,
}

impl Default for Options {
    fn default() -> Self {
        Options { routing: true, placeholders: Placeholders::new(), prefilter: true, pipelines: Pipelines::default() }
    }
}

/// Collects rules and filters from parsed files.
#[derive(Default)]
pub struct RulesetBuilder {
    rules: Vec<(RuleInfo, Rule)>,
    filters: Vec<(RuleInfo, FilterRule)>,
    correlations: Vec<(RuleInfo, CorrelationRule)>,
    /// Left out by `keep`, unless a selected correlation refers to them.
    held_rules: Vec<(RuleInfo, Rule)>,
    held_correlations: Vec<(RuleInfo, CorrelationRule)>,
    /// Documents of files with errors: reported, never run.
    broken: Vec<Skipped>,
    /// Documents of files with errors that `keep` left out (reported only when a selected
    /// correlation refers to them).
    held_broken: Vec<Skipped>,
}

/// One rule compiled for one event source.
#[derive(Debug)]
struct Instance {
    rule: u32,
    det: CompiledDetection,
    /// Extra conditions of the event source: field → accepted values (lower-cased).
    pre: Vec<(FieldKey, Vec<String>)>,
    /// True when the prefilter guards this instance.
    filtered: bool,
}

#[derive(Debug, Default)]
struct Route {
    any: Vec<u32>,
    by_id: HashMap<u32, Vec<u32>, WordBuild>,
    /// Prefilter for events whose id has no instances of its own (channel-wide instances only).
    prefilter_any: Option<Prefilter>,
    /// Prefilter per event id: channel-wide instances and the id's own.
    prefilter_by_id: HashMap<u32, Prefilter, WordBuild>,
}

/// A literal of the prefilter: the field it must occur in (`None`: any field) and the text.
type Needle = (Option<u32>, String);

/// The literal automata of one route: which of its instances may match an event.
#[derive(Debug)]
struct Prefilter {
    /// The route's instances, in evaluation order; "positions" index this list.
    order: Vec<u32>,
    /// Positions of the instances without a literal set (always evaluated).
    always: Vec<u32>,
    /// Per field with literals: the field id and its automaton.
    fields: Vec<(u32, Scan)>,
    /// Literals of keywords, searched in every value.
    any: Option<Scan>,
    /// Per literal (numbered across all automata): positions of the instances that need it.
    needle_positions: Vec<Vec<u32>>,
}

/// One automaton; its pattern `k` is literal `base + k` of the prefilter.
#[derive(Debug)]
struct Scan {
    ac: Literals,
    base: u32,
}

impl Prefilter {
    /// Build for instances `order` (evaluation order), whose literal sets are
    /// `sets[id]` (`None` = not filtered).
    fn build(order: Vec<u32>, sets: &[Option<Vec<Needle>>]) -> Prefilter {
        // Per field (None = keywords): literal texts and, per literal, the positions needing it.
        type Group<'t> = (Option<u32>, Vec<&'t str>, Vec<Vec<u32>>);
        let mut groups: Vec<Group<'_>> = Vec::new();
        let mut index: HashMap<(Option<u32>, &str), (usize, usize)> = HashMap::new();
        let mut always = Vec::new();
        for (pos, &id) in order.iter().enumerate() {
            let pos = pos as u32;
            let Some(set) = &sets[id as usize] else {
                always.push(pos);
                continue;
            };
            for (field, text) in set {
                let (g, k) = *index.entry((*field, text.as_str())).or_insert_with(|| {
                    let g = match groups.iter().position(|(f, ..)| f == field) {
                        Some(g) => g,
                        None => {
                            groups.push((*field, Vec::new(), Vec::new()));
                            groups.len() - 1
                        }
                    };
                    groups[g].1.push(text);
                    groups[g].2.push(Vec::new());
                    (g, groups[g].1.len() - 1)
                });
                let list = &mut groups[g].2[k];
                if list.last() != Some(&pos) {
                    list.push(pos);
                }
            }
        }
        let mut pf = Prefilter { order, always, fields: Vec::new(), any: None, needle_positions: Vec::new() };
        for (field, texts, positions) in groups {
            let base = pf.needle_positions.len() as u32;
            let Some(ac) = Literals::build(&texts) else {
                // Cannot build (size limits): evaluate these instances always.
                pf.always.extend(positions.into_iter().flatten());
                continue;
            };
            pf.needle_positions.extend(positions);
            match field {
                Some(f) => pf.fields.push((f, Scan { ac, base })),
                None => pf.any = Some(Scan { ac, base }),
            }
        }
        pf.always.sort_unstable();
        pf.always.dedup();
        pf
    }
}

/// An Aho-Corasick automaton (standard semantics, unanchored, no prefilter), stepped
/// byte by byte: every occurrence of every literal is reported, overlapping ones too.
#[derive(Debug)]
enum Literals {
    Dfa(aho_corasick::dfa::DFA),
    Nfa(aho_corasick::nfa::contiguous::NFA),
}

impl Literals {
    /// A DFA when small enough, else a contiguous NFA; `None` if neither builds.
    fn build(texts: &[&str]) -> Option<Literals> {
        // A DFA has a row per trie state (at most one per literal byte); skip building one
        // that would surely be too big, which costs more than the NFA it falls back to.
        let bytes: usize = texts.iter().map(|t| t.len()).sum();
        let dfa = (bytes <= DFA_LITERAL_BYTES)
            .then(|| {
                aho_corasick::dfa::Builder::new().match_kind(MatchKind::Standard).prefilter(false).build(texts).ok()
            })
            .flatten()
            .filter(|a| a.memory_usage() <= DFA_BYTES);
        match dfa {
            Some(d) => Some(Literals::Dfa(d)),
            None => aho_corasick::nfa::contiguous::Builder::new()
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(texts)
                .ok()
                .map(Literals::Nfa),
        }
    }

    /// Call `found(pattern)` for every occurrence of a literal in `text`.
    #[inline]
    fn scan(&self, text: &[u8], found: impl FnMut(usize)) {
        match self {
            Literals::Dfa(a) => scan(a, text, found),
            Literals::Nfa(a) => scan(a, text, found),
        }
    }
}

#[inline]
fn scan<A: Automaton>(a: &A, text: &[u8], mut found: impl FnMut(usize)) {
    let Ok(mut sid) = a.start_state(Anchored::No) else { return };
    for &b in text {
        sid = a.next_state(Anchored::No, sid, b);
        if a.is_special(sid) {
            if a.is_dead(sid) {
                return;
            }
            for i in 0..a.match_len(sid) {
                found(a.match_pattern(sid, i).as_usize());
            }
        }
    }
}

/// Largest prefilter DFA (bytes); bigger literal sets use Aho-Corasick's NFA.
const DFA_BYTES: usize = 4 << 20;

/// Literal sets longer than this (bytes, summed) go straight to the NFA.
const DFA_LITERAL_BYTES: usize = 16 << 10;

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
    all: Vec<u32>,
    /// The prefilter without routing (all instances).
    prefilter_all: Option<Prefilter>,
    /// Most literals of any prefilter (sizes the scratch).
    max_needles: usize,
    /// Most instances of any prefilter (sizes the scratch).
    max_order: usize,
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
    /// Prefilter literal occurrences found.
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

fn info(corpus: &str, path: &std::path::Path, meta: &detwiki_sigma::Metadata, ls: Option<&LogSource>) -> RuleInfo {
    RuleInfo {
        id: meta.id.as_ref().map(|s| s.value.clone()),
        title: meta.title.as_ref().map_or_else(String::new, |s| s.value.clone()),
        name: meta.name.as_ref().map(|s| s.value.clone()),
        level: meta.level.as_ref().map(|l| l.value),
        tags: meta.tags.iter().map(|t| t.value.clone()).collect(),
        corpus: corpus.to_string(),
        path: path.to_path_buf(),
        logsource: ls.map_or_else(String::new, logsource_text),
    }
}

fn logsource_text(ls: &LogSource) -> String {
    let mut parts = Vec::new();
    for (k, v) in [("product", &ls.product), ("category", &ls.category), ("service", &ls.service)] {
        if let Some(v) = v {
            parts.push(format!("{k}:{v}"));
        }
    }
    parts.join(" ")
}

impl RulesetBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one parsed file. A file with an error finding runs none of its rules: each of its
    /// documents (that `keep` selects; filters always) is reported in [`Ruleset::skipped`] as
    /// [`SkipReason::FileErrors`] with the file's error findings, and a file that gave no
    /// document at all (its YAML does not read) is reported once, under its path. A file
    /// without errors is added as by [`RulesetBuilder::add`].
    pub fn add_file(
        &mut self,
        corpus: &str,
        path: &std::path::Path,
        file: &SigmaFile,
        keep: &dyn Fn(&detwiki_sigma::Metadata) -> bool,
    ) {
        if !file.has_errors() {
            self.add(corpus, path, &file.documents, keep);
            return;
        }
        let errors: Arc<[Diagnostic]> = file.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        let skipped = |info: RuleInfo| Skipped { rule: info, reason: SkipReason::FileErrors(errors.clone()) };
        if file.documents.is_empty() {
            let info = RuleInfo {
                id: None,
                title: String::new(),
                name: None,
                level: None,
                tags: Vec::new(),
                corpus: corpus.to_string(),
                path: path.to_path_buf(),
                logsource: String::new(),
            };
            self.broken.push(skipped(info));
            return;
        }
        for d in &file.documents {
            let (meta, ls) = match d {
                Document::Rule(r) => (&r.meta, Some(&r.logsource)),
                Document::Filter(f) => (&f.meta, f.logsource.as_ref()),
                Document::Correlation(c) => (&c.meta, None),
            };
            let entry = skipped(info(corpus, path, meta, ls));
            if matches!(d, Document::Filter(_)) || keep(meta) {
                self.broken.push(entry);
            } else {
                self.held_broken.push(entry);
            }
        }
    }

    /// Add the documents of one parsed file, which must have no error finding (see
    /// [`RulesetBuilder::add_file`], which checks). `keep` selects rules and correlation rules (by
    /// `--rule`, level, tags); a rule it leaves out is still loaded when a selected
    /// correlation refers to it (then it gives hits only through the correlation, unless that
    /// says `generate: true`).
    pub fn add(
        &mut self,
        corpus: &str,
        path: &std::path::Path,
        docs: &[Document],
        keep: &dyn Fn(&detwiki_sigma::Metadata) -> bool,
    ) {
        for d in docs {
            match d {
                Document::Rule(r) => {
                    let entry = (info(corpus, path, &r.meta, Some(&r.logsource)), (**r).clone());
                    if keep(&r.meta) { self.rules.push(entry) } else { self.held_rules.push(entry) }
                }
                Document::Filter(f) => {
                    self.filters.push((info(corpus, path, &f.meta, f.logsource.as_ref()), (**f).clone()));
                }
                Document::Correlation(c) => {
                    let entry = (info(corpus, path, &c.meta, None), (**c).clone());
                    if keep(&c.meta) { self.correlations.push(entry) } else { self.held_correlations.push(entry) }
                }
            }
        }
    }

    /// Bring back the rules and correlations that `keep` left out and a selected correlation
    /// refers to (through other correlations too).
    fn pull_referenced(&mut self) {
        let mut wanted: Vec<String> =
            self.correlations.iter().flat_map(|(_, c)| c.rules.iter().map(|r| r.value.clone())).collect();
        let named = |i: &RuleInfo, w: &str| i.id.as_deref() == Some(w) || i.name.as_deref() == Some(w);
        while let Some(w) = wanted.pop() {
            if let Some(k) = self.held_correlations.iter().position(|(i, _)| named(i, &w)) {
                let (i, c) = self.held_correlations.swap_remove(k);
                wanted.extend(c.rules.iter().map(|r| r.value.clone()));
                self.correlations.push((i, c));
            }
            while let Some(k) = self.held_rules.iter().position(|(i, _)| named(i, &w)) {
                let entry = self.held_rules.swap_remove(k);
                self.rules.push(entry);
            }
            while let Some(k) = self.held_broken.iter().position(|s| named(&s.rule, &w)) {
                let entry = self.held_broken.swap_remove(k);
                self.broken.push(entry);
            }
        }
    }

    /// Compile everything.
    pub fn build(mut self, opts: &Options) -> Ruleset {
        self.pull_referenced();
        let mut set = Ruleset {
            rules: Vec::new(),
            skipped: std::mem::take(&mut self.broken),
            instances: Vec::new(),
            routing: opts.routing,
            routes: HashMap::default(),
            all: Vec::new(),
            prefilter_all: None,
            max_needles: 0,
            max_order: 0,
            fields: FieldTable::default(),
            channel_fields: vec!["Channel".into()],
            event_id_fields: vec!["EventID".into()],
            route_field_ids: (Vec::new(), Vec::new()),
            correlations: Correlations::default(),
        };
        let pipelines = &opts.pipelines;
        let mut bad_filters = vec![false; self.filters.len()];
        // Per instance: its event source and its rule as written (to name correlation fields).
        let mut origin: Vec<(Option<&'static EventSource>, usize)> = Vec::new();
        for (raw_index, (info, raw)) in self.rules.iter().enumerate() {
            // The rule as the pipelines rewrite it decides the routing (change_logsource).
            let processed =
                if pipelines.is_empty() { Ok(Cow::Borrowed(raw)) } else { pipelines.apply(raw).map(Cow::Owned) };
            let rule: Cow<'_, Rule> = match processed {
                Ok(r) => r,
                Err(e) => {
                    let reason = SkipReason::Compile(CompileError::Pipeline(e));
                    set.skipped.push(Skipped { rule: info.clone(), reason });
                    continue;
                }
            };
            let sources: Vec<Option<&'static EventSource>> = if opts.routing {
                let ls = &rule.logsource;
                match logsource::lookup(ls.product.as_deref(), ls.category.as_deref(), ls.service.as_deref()) {
                    Lookup::Mapped(m) => m.events.iter().map(Some).collect(),
                    Lookup::Unmapped(u) => {
                        let reason = SkipReason::Unmappable(info.logsource.clone(), u.reason.to_string());
                        set.skipped.push(Skipped { rule: info.clone(), reason });
                        continue;
                    }
                    Lookup::Unknown => {
                        let reason = SkipReason::NoMapping(info.logsource.clone());
                        set.skipped.push(Skipped { rule: info.clone(), reason });
                        continue;
                    }
                }
            } else {
                vec![None]
            };
            let filters: Vec<usize> = (0..self.filters.len())
                .filter(|&i| filter_applies(&self.filters[i].1, &self.filters[i].0, raw, info))
                .collect();
            let rule_index = set.rules.len() as u32;
            let mut instances = Vec::new();
            let mut failed = None;
            for src in sources {
                // Without pipelines the taxonomy's field names are applied while compiling; with
                // them, first (Sigma name → the event source's name), then the pipelines, so
                // that a pipeline sees e.g. 4688's `NewProcessName` and maps it for its log shape.
                let taxonomy_map = |f: &str| src.map_or(f, |s| s.provider_field(f)).to_string();
                let identity = |f: &str| f.to_string();
                let map: &dyn Fn(&str) -> String = if pipelines.is_empty() { &taxonomy_map } else { &identity };
                let for_source = |r: &Rule| -> Result<Detection, CompileError> {
                    let renamed = renamed_for_source(r, src);
                    pipelines.apply(&renamed).map(|r| r.detection).map_err(CompileError::Pipeline)
                };
                let compiled = match src {
                    _ if pipelines.is_empty() => Ok(Cow::Borrowed(&raw.detection)),
                    // No field names of its own: the rule processed once serves.
                    Some(s) if !s.field_map.is_empty() => for_source(raw).map(Cow::Owned),
                    _ => Ok(Cow::Borrowed(&rule.detection)),
                }
                .and_then(|d| compile_detection(&d, map, &opts.placeholders, &mut set.fields));
                let mut det = match compiled {
                    Ok(d) => d,
                    Err(e) => {
                        failed = Some(e);
                        break;
                    }
                };
                for &fi in &filters {
                    // A filter is rewritten as part of the rule it applies to (its metadata and logsource).
                    let as_rule = || Rule { detection: self.filters[fi].1.detection.clone(), ..raw.clone() };
                    let fdet = if pipelines.is_empty() {
                        Ok(Cow::Borrowed(&self.filters[fi].1.detection))
                    } else {
                        for_source(&as_rule()).map(Cow::Owned)
                    };
                    match fdet.and_then(|d| compile_detection(&d, map, &opts.placeholders, &mut set.fields)) {
                        Ok(f) => {
                            let shift = det.searches.len() as u32;
                            det.cond = Cond::And(vec![det.cond, f.cond.shifted(shift)]);
                            det.searches.extend(f.searches);
                        }
                        Err(e) => {
                            if !bad_filters[fi] {
                                bad_filters[fi] = true;
                                let reason = SkipReason::Filter(e);
                                set.skipped.push(Skipped { rule: self.filters[fi].0.clone(), reason });
                            }
                        }
                    }
                }
                let pipeline_name = |f: &str| {
                    if pipelines.is_empty() { f.to_string() } else { pipelines.map_name(raw, f) }
                };
                let pre = src.map_or_else(Vec::new, |s| {
                    s.conditions
                        .iter()
                        .map(|(f, vs)| {
                            (set.fields.intern(&pipeline_name(f)), vs.iter().map(|v| lowercase(v)).collect())
                        })
                        .collect()
                });
                if !pipelines.is_empty() && src.is_some() {
                    for (name, list) in [("Channel", &mut set.channel_fields), ("EventID", &mut set.event_id_fields)] {
                        let mapped = pipeline_name(name);
                        if !list.contains(&mapped) {
                            list.push(mapped);
                        }
                    }
                }
                instances.push((src, Instance { rule: rule_index, det, pre, filtered: false }));
            }
            if let Some(e) = failed {
                set.skipped.push(Skipped { rule: info.clone(), reason: SkipReason::Compile(e) });
                continue;
            }
            set.rules.push(info.clone());
            for (src, inst) in instances {
                let id = set.instances.len() as u32;
                origin.push((src, raw_index));
                set.instances.push(inst);
                set.all.push(id);
                if let Some(src) = src {
                    let route = set.routes.entry(lowercase(src.channel)).or_default();
                    match src.event_id {
                        Some(eid) => route.by_id.entry(eid).or_default().push(id),
                        None => route.any.push(id),
                    }
                }
            }
        }
        set.correlations = Correlations::compile(self.correlations, &mut set.rules, &mut set.skipped);
        // A correlation's fields as each instance of a rule it refers to names them: the event
        // source's names (4688's `NewProcessName` for `Image`), then the pipelines'.
        let rules = &self.rules;
        let instance_rules: Vec<u32> = set.instances.iter().map(|i| i.rule).collect();
        set.correlations.name_fields(&instance_rules, &|instance, field| {
            let (src, raw) = origin[instance as usize];
            let name = src.map_or(field, |s| s.provider_field(field));
            if pipelines.is_empty() { name.to_string() } else { pipelines.map_name(&rules[raw].1, name) }
        });
        if opts.prefilter {
            set.build_prefilter();
        }
        let ids = |names: &[String], t: &mut FieldTable| names.iter().map(|n| t.intern(n).id).collect();
        set.route_field_ids = (ids(&set.channel_fields, &mut set.fields), ids(&set.event_id_fields, &mut set.fields));
        set
    }
}

/// `rule` with its field names (and field references) as event source `src` names them.
fn renamed_for_source(rule: &Rule, src: Option<&EventSource>) -> Rule {
    let mut r = rule.clone();
    let Some(src) = src.filter(|s| !s.field_map.is_empty()) else { return r };
    for id in &mut r.detection.identifiers {
        let groups: Vec<&mut detwiki_sigma::FieldGroup> = match &mut id.body {
            SearchBody::Fields(g) => vec![g],
            SearchBody::AnyOf(gs) => gs.iter_mut().collect(),
            SearchBody::Keywords(_) => Vec::new(),
        };
        for p in groups.into_iter().flat_map(|g| g.predicates.iter_mut()) {
            if let Some(f) = &p.field {
                p.field = Some(src.provider_field(f).to_string());
            }
            for v in &mut p.values {
                if let ValueKind::FieldRef(f) = &v.kind {
                    v.kind = ValueKind::FieldRef(src.provider_field(f).to_string());
                }
            }
        }
    }
    r
}

fn filter_applies(f: &FilterRule, finfo: &RuleInfo, rule: &Rule, rinfo: &RuleInfo) -> bool {
    if f.rules.is_empty() {
        // No rule list: every rule of the same logsource.
        return f.logsource.as_ref().is_some_and(|ls| {
            ls.product == rule.logsource.product
                && ls.category == rule.logsource.category
                && ls.service == rule.logsource.service
        });
    }
    let _ = finfo;
    let name = rule.meta.name.as_ref().map(|n| n.value.as_str());
    f.rules.iter().any(|r| Some(r.value.as_str()) == rinfo.id.as_deref() || Some(r.value.as_str()) == name)
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

    /// Number of instances guarded by the prefilter.
    pub fn prefiltered_count(&self) -> usize {
        self.instances.iter().filter(|i| i.filtered).count()
    }

    fn build_prefilter(&mut self) {
        let sets: Vec<Option<Vec<Needle>>> =
            self.instances.iter().map(|inst| cond_needles(&inst.det.cond, &inst.det)).collect();
        let mut built = Vec::new();
        if self.routing {
            for route in self.routes.values_mut() {
                let any = Prefilter::build(route.any.clone(), &sets);
                for (id, list) in &route.by_id {
                    let order = route.any.iter().chain(list).copied().collect();
                    let p = Prefilter::build(order, &sets);
                    built.push((p.needle_positions.len(), p.order.len()));
                    route.prefilter_by_id.insert(*id, p);
                }
                built.push((any.needle_positions.len(), any.order.len()));
                route.prefilter_any = Some(any);
            }
        } else {
            let p = Prefilter::build(self.all.clone(), &sets);
            built.push((p.needle_positions.len(), p.order.len()));
            self.prefilter_all = Some(p);
        }
        self.max_needles = built.iter().map(|b| b.0).max().unwrap_or(0);
        self.max_order = built.iter().map(|b| b.1).max().unwrap_or(0);
        for (inst, set) in self.instances.iter_mut().zip(&sets) {
            inst.filtered = set.is_some();
        }
    }

    /// Fresh scratch for one thread.
    pub fn scratch(&self) -> Scratch {
        Scratch {
            marks: vec![0; self.max_order],
            needle_marks: vec![0; self.max_needles],
            generation: 0,
            candidates: Vec::new(),
            channel: String::new(),
            index: FieldIndex::default(),
            stats: MatchStats::default(),
        }
    }

    /// The instances an event is routed to (channel-wide, this event id) and their prefilter.
    fn routed<'a>(&'a self, ev: &Event, scratch: &mut Scratch) -> (&'a [u32], &'a [u32], Option<&'a Prefilter>) {
        if !self.routing {
            return (&self.all, &[], self.prefilter_all.as_ref());
        }
        let Some(ch) = self.channel_fields.iter().find_map(|f| ev.get(f)) else { return (&[], &[], None) };
        scratch.channel.clear();
        scratch.channel.push_str(ch.lower);
        let Some(route) = self.routes.get(scratch.channel.as_str()) else { return (&[], &[], None) };
        let id = self.event_id_fields.iter().find_map(|f| ev.get(f)).and_then(|v| v.raw.trim().parse::<u32>().ok());
        match id.and_then(|id| route.by_id.get(&id).map(|l| (id, l))) {
            Some((id, list)) => (&route.any, list, route.prefilter_by_id.get(&id)),
            None => (&route.any, &[], route.prefilter_any.as_ref()),
        }
    }

    /// [`Ruleset::routed`] through the field index (built for `ev`).
    fn routed_indexed<'a>(&'a self, ev: &Event, index: &FieldIndex) -> (&'a [u32], &'a [u32], Option<&'a Prefilter>) {
        if !self.routing {
            return (&self.all, &[], self.prefilter_all.as_ref());
        }
        let view = Indexed { ev, index };
        let (channel, event_id) = &self.route_field_ids;
        let Some(ch) = channel.iter().find_map(|&f| view.values_by_id(f).next()) else { return (&[], &[], None) };
        let Some(route) = self.routes.get(ch.lower) else { return (&[], &[], None) };
        let id =
            event_id.iter().find_map(|&f| view.values_by_id(f).next()).and_then(|v| v.raw.trim().parse::<u32>().ok());
        match id.and_then(|id| route.by_id.get(&id).map(|l| (id, l))) {
            Some((id, list)) => (&route.any, list, route.prefilter_by_id.get(&id)),
            None => (&route.any, &[], route.prefilter_any.as_ref()),
        }
    }

    /// Call `on_match(instance)` for every instance that matches `ev`.
    pub fn matches(&self, ev: &Event, scratch: &mut Scratch, mut on_match: impl FnMut(u32)) {
        scratch.index.build(ev, &self.fields);
        let (a, b, prefilter) = self.routed_indexed(ev, &scratch.index);
        scratch.stats.events += 1;
        scratch.stats.routed += (a.len() + b.len()) as u64;
        if a.is_empty() && b.is_empty() {
            return;
        }
        let Some(pf) = prefilter else {
            // No prefilter (turned off): every routed instance.
            for &i in a.iter().chain(b) {
                if self.eval_instance(i, ev, scratch) {
                    on_match(i);
                }
            }
            return;
        };
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
            let Scratch { marks, needle_marks, index, stats, .. } = &mut *scratch;
            let mut found = |scan: &Scan, text: &str| {
                scan.ac.scan(text.as_bytes(), |k| {
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
                });
            };
            let view = Indexed { ev, index };
            for (field, scan) in &pf.fields {
                for v in view.values_by_id(*field) {
                    if !v.lower.is_empty() {
                        found(scan, v.lower);
                    }
                }
            }
            if let Some(scan) = &pf.any {
                found(scan, ev.lower_text());
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
        inst.det.eval(&view)
    }

    /// Evaluate without routing shortcuts or prefilter: every instance routed to
    /// the event, evaluated directly (the reference for tests).
    pub fn matches_naive(&self, ev: &Event, scratch: &mut Scratch, mut on_match: impl FnMut(u32)) {
        let (a, b, _) = self.routed(ev, scratch);
        for &i in a.iter().chain(b) {
            let inst = &self.instances[i as usize];
            if inst.pre.iter().all(|(f, vs)| Fields::values(ev, f).any(|v| vs.iter().any(|x| x == v.lower)))
                && inst.det.eval_naive(ev)
            {
                on_match(i);
            }
        }
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

/// Per-thread index of an event's fields by [`FieldTable`] id, rebuilt for
/// each event that reaches rule evaluation (stamped, never cleared). The field
/// ids of an event's slots depend only on its list of names, which events of
/// one kind share: they are kept per list (up to [`MAX_SHAPES`]), so that most
/// events are indexed without looking a single name up.
#[derive(Debug, Default)]
struct FieldIndex {
    /// Per field id: 1 + first slot with that exact name (0 = none).
    first: Vec<u32>,
    /// Per field id: 1 + first slot whose name, without spaces, is it.
    alias: Vec<u32>,
    stamp: Vec<u32>,
    /// Per slot: 1 + next slot of the same chain.
    next: Vec<u32>,
    generation: u32,
    key: String,
    /// Slot ids of recently seen name lists, by hash of the names.
    shapes: HashMap<u64, Shape, WordBuild>,
    /// The field table the shapes were computed with (address, size).
    shapes_of: (usize, usize),
}

/// Most name lists a [`FieldIndex`] remembers (then it starts again).
const MAX_SHAPES: usize = 1024;

/// Per slot of events with this list of names: (exact id, id without spaces), [`NO_ID`] for none.
#[derive(Debug)]
struct Shape {
    names: String,
    ends: Vec<u32>,
    ids: Vec<(u32, u32)>,
}

const NO_ID: u32 = u32::MAX;

impl Shape {
    fn is_of(&self, ev: &Event) -> bool {
        self.names == ev.names_text()
            && self.ends.len() == ev.len()
            && (0..ev.len()).all(|i| self.ends[i] == ev.name_end(i))
    }
}

impl FieldIndex {
    fn build(&mut self, ev: &Event, table: &FieldTable) {
        if self.first.len() < table.len() {
            self.first.resize(table.len(), 0);
            self.alias.resize(table.len(), 0);
            self.stamp.resize(table.len(), 0);
        }
        self.generation = self.generation.wrapping_add(1);
        if self.generation == 0 {
            self.stamp.iter_mut().for_each(|s| *s = 0);
            self.generation = 1;
        }
        let g = self.generation;
        self.next.clear();
        self.next.resize(ev.len(), 0);
        let of = (std::ptr::from_ref(table) as usize, table.len());
        if self.shapes_of != of || self.shapes.len() >= MAX_SHAPES {
            self.shapes.clear();
            self.shapes_of = of;
        }
        let hash = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = WordBuild.build_hasher();
            h.write(ev.names_text().as_bytes());
            h.write_usize(ev.len());
            h.finish()
        };
        if !self.shapes.get(&hash).is_some_and(|s| s.is_of(ev)) {
            let shape = self.shape(ev, table);
            self.shapes.insert(hash, shape);
        }
        let FieldIndex { first, alias, stamp, next, shapes, .. } = self;
        let Some(shape) = shapes.get(&hash) else { return };
        // Backwards, so that chains are in event order.
        for (i, &(exact, spaceless)) in shape.ids.iter().enumerate().rev() {
            for (id, is_alias) in [(exact, false), (spaceless, true)] {
                if id == NO_ID {
                    continue;
                }
                let id = id as usize;
                if stamp[id] != g {
                    stamp[id] = g;
                    first[id] = 0;
                    alias[id] = 0;
                }
                let head = if is_alias { &mut alias[id] } else { &mut first[id] };
                // An alias slot is never also in the exact chain (its name has spaces).
                next[i] = *head;
                *head = i as u32 + 1;
            }
        }
    }

    /// The field ids of `ev`'s slots, looked up by name.
    fn shape(&mut self, ev: &Event, table: &FieldTable) -> Shape {
        let spaced = ev.has_spaced_names();
        let mut ids = Vec::with_capacity(ev.len());
        for i in 0..ev.len() {
            let name = ev.name_at(i);
            let exact = table.get(name).unwrap_or(NO_ID);
            let mut spaceless = NO_ID;
            if spaced && name.contains(' ') {
                self.key.clear();
                self.key.extend(name.chars().filter(|&c| c != ' '));
                spaceless = table.get(&self.key).unwrap_or(NO_ID);
            }
            ids.push((exact, spaceless));
        }
        Shape { names: ev.names_text().to_string(), ends: (0..ev.len()).map(|i| ev.name_end(i)).collect(), ids }
    }
}

/// An event seen through its [`FieldIndex`].
struct Indexed<'a> {
    ev: &'a Event,
    index: &'a FieldIndex,
}

impl<'e> Indexed<'e> {
    /// The values of field `id`, as [`Fields::values`] gives them.
    fn values_by_id(&self, id: u32) -> impl Iterator<Item = FieldValue<'e>> + 'e {
        let id = id as usize;
        let ix = self.index;
        let ev = self.ev;
        let mut at = match ix.stamp.get(id) {
            Some(&s) if s == ix.generation => {
                if ix.first[id] != 0 {
                    ix.first[id]
                } else {
                    ix.alias[id]
                }
            }
            _ => 0,
        };
        std::iter::from_fn(move || {
            if at == 0 {
                return None;
            }
            let slot = at as usize - 1;
            at = ix.next[slot];
            Some(ev.value_at(slot))
        })
    }
}

impl Fields for Indexed<'_> {
    fn event(&self) -> &Event {
        self.ev
    }

    fn values<'a>(&'a self, key: &'a FieldKey) -> impl Iterator<Item = FieldValue<'a>> + 'a {
        self.values_by_id(key.id)
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

/// Literals (with the field they must occur in) of which an event must contain
/// one for `cond` to hold; `None` = no such set.
fn cond_needles(cond: &Cond, det: &CompiledDetection) -> Option<Vec<Needle>> {
    match cond {
        Cond::And(xs) => best(xs.iter().filter_map(|x| cond_needles(x, det))),
        Cond::Or(xs) => union(xs.iter().map(|x| cond_needles(x, det))),
        Cond::AtLeast(_, xs) => union(xs.iter().map(|&i| search_needles(det, i))),
        Cond::Search(i) => search_needles(det, *i),
        Cond::Not(_) | Cond::Const(true) => None,
        Cond::Const(false) => Some(Vec::new()),
    }
}

fn search_needles(det: &CompiledDetection, i: u32) -> Option<Vec<Needle>> {
    let s = &det.searches[i as usize];
    union(s.groups.iter().map(|g| best(g.iter().filter_map(pred_needles))))
}

/// A predicate's literals, tied to its field: its values are only ever compared
/// with that field's values ([`Fields::values`]), or with every value for keywords.
fn pred_needles(p: &Pred) -> Option<Vec<Needle>> {
    let field = p.field.as_ref().map(|k| k.id);
    let value = |alts: &Vec<Matcher>| union(alts.iter().map(|m| matcher_needle(m, field)));
    if p.all { best(p.values.iter().filter_map(value)) } else { union(p.values.iter().map(value)) }
}

fn matcher_needle(m: &Matcher, field: Option<u32>) -> Option<Vec<Needle>> {
    let texts = match m {
        Matcher::Str(s) => s.needle().filter(|n| useful_needle(n)).map(|n| vec![n]),
        Matcher::Re(r) => regex_needles(r.as_str()),
        _ => None,
    };
    texts.map(|ts| ts.into_iter().map(|t| (field, t)).collect())
}

/// Long enough to be selective: 3 bytes, or any non-ASCII character (rare in logs).
fn useful_needle(n: &str) -> bool {
    n.len() >= MIN_NEEDLE || !n.is_ascii()
}

/// Literals of which every match of the regex contains one, lower-cased; `None`
/// when there is no such finite set of useful literals. `i`/`m`/`s` flags are
/// inline in the pattern text. The most selective of: the prefix or suffix
/// literals of the whole pattern (regex-syntax's extractor), and, recursively,
/// those of any part every match must contain (a tail or an element of a
/// concatenation, a group, a repetition of at least one; an alternation gives
/// the union of its branches' sets). So `(?i)\.exe\s+[^"]{0,64}werfaultsecure\.exe`
/// is guarded by (part of) `werfaultsecure.exe`, not by `.exe`.
fn regex_needles(pattern: &str) -> Option<Vec<String>> {
    let hir = regex_syntax::Parser::new().parse(pattern).ok()?;
    let mut budget = REGEX_NEEDLE_BUDGET;
    required_literals(&hir, &mut budget)
}

/// Most sub-expressions [`regex_needles`] looks into, per pattern.
const REGEX_NEEDLE_BUDGET: u32 = 64;

fn required_literals(hir: &regex_syntax::hir::Hir, budget: &mut u32) -> Option<Vec<String>> {
    use regex_syntax::hir::HirKind;
    use regex_syntax::hir::literal::ExtractKind;
    if *budget == 0 {
        return None;
    }
    *budget -= 1;
    let mut sets: Vec<Vec<String>> =
        [ExtractKind::Prefix, ExtractKind::Suffix].into_iter().filter_map(|k| extracted(hir, k)).collect();
    match hir.kind() {
        HirKind::Capture(c) => sets.extend(required_literals(&c.sub, budget)),
        HirKind::Repetition(r) if r.min > 0 => sets.extend(required_literals(&r.sub, budget)),
        HirKind::Concat(xs) => {
            // Every match contains a match of each tail of the concatenation (its
            // prefix literals: `(?i)werfault` is a run of one-letter classes) and of each element.
            for i in 1..xs.len() {
                if *budget == 0 {
                    break;
                }
                *budget -= 1;
                let tail = regex_syntax::hir::Hir::concat(xs[i..].to_vec());
                sets.extend(extracted(&tail, ExtractKind::Prefix));
            }
            for x in xs {
                sets.extend(required_literals(x, budget));
            }
        }
        HirKind::Alternation(xs) => {
            let branches: Vec<Option<Vec<String>>> = xs.iter().map(|x| required_literals(x, budget)).collect();
            sets.extend(union(branches.into_iter()));
        }
        _ => {}
    }
    sets.into_iter()
        .filter(|s| !s.is_empty())
        .max_by_key(|s| (s.iter().map(String::len).min().unwrap_or(0), std::cmp::Reverse(s.len())))
}

/// The prefix or suffix literals of `hir`, lower-cased, if finite and all useful.
fn extracted(hir: &regex_syntax::hir::Hir, kind: regex_syntax::hir::literal::ExtractKind) -> Option<Vec<String>> {
    let mut ex = regex_syntax::hir::literal::Extractor::new();
    ex.kind(kind);
    let seq = ex.extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for l in lits {
        let s = std::str::from_utf8(l.as_bytes()).ok().filter(|s| useful_needle(s))?;
        let s = lowercase(s);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Some(out)
}

fn union<T: PartialEq>(sets: impl Iterator<Item = Option<Vec<T>>>) -> Option<Vec<T>> {
    let mut out: Vec<T> = Vec::new();
    for s in sets {
        for n in s? {
            if !out.contains(&n) {
                out.push(n);
            }
        }
    }
    Some(out)
}

/// The most selective of several sufficient sets: longest shortest literal, then fewest.
fn best(sets: impl Iterator<Item = Vec<Needle>>) -> Option<Vec<Needle>> {
    sets.max_by_key(|s| (s.iter().map(|n| n.1.len()).min().unwrap_or(usize::MAX), std::cmp::Reverse(s.len())))
}

#[cfg(test)]
mod tests {
    use super::regex_needles;

    #[test]
    fn regex_literals_from_the_most_selective_part() {
        let werfault = regex_needles(r#"(?i)\.exe["']?\s+[^"]{0,64}werfaultsecure\.exe["']?\s+\d{2,10}"#).unwrap();
        assert!(werfault.iter().all(|l| l.len() >= 4 && "werfaultsecure.exe".contains(l.as_str())), "{werfault:?}");
        assert_eq!(regex_needles(r"(?:abc|xyz)\d+").unwrap(), ["abc", "xyz"]);
        assert_eq!(regex_needles(r"\d+(?:foo|barbaz)\d+").unwrap(), ["foo", "barbaz"]);
        assert_eq!(regex_needles(r"a?\d+(?:xy)+hello"), Some(vec!["xyhello".to_string()]));
        assert_eq!(regex_needles(r"\d+(?:foo|b)\d+"), None);
        assert_eq!(regex_needles(r"(?:abc)?\d+"), None);
    }

    #[test]
    fn a_file_with_errors_runs_none_of_its_rules() {
        use super::{Options, RulesetBuilder, SkipReason};
        let typo = detwiki_sigma::parse_str(
            "title: Typo\nid: 22222222-2222-4222-8222-222222222222\nlogsource:\n  product: windows\n  \
             category: process_creation\ndetection:\n  sel:\n    Image|endswith: '.exe'\n    \
             CommandLine|contians: 'x'\n  condition: sel\n",
        );
        let unreadable = detwiki_sigma::parse_str("title: [unclosed\n");
        let good = detwiki_sigma::parse_str(
            "title: Good\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  \
             sel:\n    Image|endswith: '.exe'\n  condition: sel\n",
        );
        let mut b = RulesetBuilder::new();
        b.add_file("t", "typo.yml".as_ref(), &typo, &|_| true);
        b.add_file("t", "unreadable.yml".as_ref(), &unreadable, &|_| true);
        b.add_file("t", "good.yml".as_ref(), &good, &|_| true);
        let set = b.build(&Options::default());
        assert_eq!(set.rules.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Good"]);
        assert_eq!(set.skipped.len(), 2);
        let SkipReason::FileErrors(errors) = &set.skipped[0].reason else { panic!("{:?}", set.skipped[0]) };
        assert_eq!(set.skipped[0].rule.title, "Typo");
        assert_eq!(errors.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["unknown-modifier"]);
        assert_eq!(set.skipped[1].rule.path, std::path::Path::new("unreadable.yml"));
        assert_eq!(set.skipped[1].reason.key(), "errors-in-file");
        // A rule of a broken file that the selection leaves out is not reported.
        let mut b = RulesetBuilder::new();
        b.add_file("t", "typo.yml".as_ref(), &typo, &|_| false);
        b.add_file("t", "good.yml".as_ref(), &good, &|_| true);
        assert!(b.build(&Options::default()).skipped.is_empty());
    }

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
