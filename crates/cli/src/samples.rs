//! `--events` of `build` and `serve`: the catalog's rules run over sample logs by `hunt`'s engine
//! and readers, into the site's [`Samples`] (each rule page's "Seen in sample data", the sample
//! pages, "Fires together").
//!
//! The rules are the catalog's own parse, compiled as `hunt` compiles a corpus (every file of
//! the catalog through [`RulesetBuilder::add_file`], default options: routing, prefilter, no
//! placeholders or pipelines), so a rule page's count is what `detwiki hunt --corpus … PATHS`
//! reports for that rule. Inputs are what `hunt` reads ([`collect_inputs`]: EVTX, JSON lines,
//! JSON arrays, `.gz`, folders), with its problem reporting: a path that does not exist is an
//! error line, a part of an input that cannot be read a warning naming the file; neither stops
//! the build. No input at all is a usage error; inputs of which no event could be read, a failure.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use detwiki_catalog::Catalog;
use detwiki_engine::event::Event;
use detwiki_engine::read::{Input, InputKind, Position, ReadProblem, collect_inputs};
use detwiki_engine::ruleset::{Ruleset, RulesetBuilder};
use detwiki_engine::{Hit, HitSink};
use detwiki_sigma::DocumentKind;
use detwiki_site::proof::{EventCount, Example, HitPoint, MAX_EXAMPLES, RuleSamples, RunStatus, SampleFile, Samples};

use crate::Outcome;

/// Run the catalog's rules over `paths` (`--events`). `Err` carries the outcome of an input
/// error, already explained on stderr. `names` renames inputs on pages (the embedded demo
/// events, read from a temporary file).
pub fn run(cat: &Catalog, paths: &[PathBuf], quiet: bool) -> Result<Samples, Outcome> {
    run_named(cat, paths, quiet, &HashMap::new())
}

fn run_named(
    cat: &Catalog,
    paths: &[PathBuf],
    quiet: bool,
    names: &HashMap<PathBuf, String>,
) -> Result<Samples, Outcome> {
    let (inputs, walk_problems) = collect_inputs(paths);
    for p in &walk_problems {
        eprintln!("error: --events: {p}");
    }
    for i in inputs.iter().filter(|i| i.kind == InputKind::Empty) {
        eprintln!("note: {}: empty file: no events", i.path.display());
    }
    if let Some(i) = inputs.iter().find(|i| i.kind == InputKind::Stdin) {
        eprintln!("error: --events {}: build and serve read files and folders, not stdin", i.path.display());
        return Err(Outcome::Usage);
    }
    if inputs.is_empty() {
        eprintln!("error: --events: no input to read ({})", detwiki_engine::read::WHAT_HUNT_READS);
        return Err(Outcome::Usage);
    }
    let ruleset = compile(cat);
    let to_catalog = catalog_positions(cat, &ruleset);
    let correlation: Vec<bool> =
        to_catalog.iter().map(|at| at.is_some_and(|i| cat.rules[i].kind == DocumentKind::Correlation)).collect();
    let sink = Collect::new(&ruleset, &inputs, &to_catalog, &correlation);
    let totals = detwiki_engine::hunt(&ruleset, &inputs, &sink);
    if totals.events == 0 && totals.problems > 0 {
        eprintln!("error: --events: no event could be read (see the warnings above)");
        return Err(Outcome::Failed);
    }
    let samples = sink.finish(cat, &ruleset, paths, names, totals.events);
    if !quiet {
        let skipped = samples.rules.iter().filter(|r| matches!(r.status, RunStatus::Skipped(_))).count();
        eprintln!(
            "events: {}, {}: {} from {}; {} not run (their pages say why); {}",
            crate::render::counted(inputs.len(), "file", "files"),
            crate::render::counted(totals.events as usize, "event", "events"),
            crate::render::counted(totals.hits as usize, "hit", "hits"),
            crate::render::counted(samples.fired(), "rule", "rules"),
            crate::render::counted(skipped, "rule", "rules"),
            crate::render::counted(totals.problems as usize, "read problem", "read problems"),
        );
    }
    Ok(samples)
}

/// The embedded demo's sample events ([`detwiki_site::demo::EVENTS`]), run over `cat`: written
/// to a temporary folder for the engine's readers, named on pages as in the demo.
pub fn run_demo(cat: &Catalog, quiet: bool) -> Result<Samples, Outcome> {
    let dir = std::env::temp_dir().join(format!("detwiki-demo-events-{}", std::process::id()));
    let written = std::fs::create_dir_all(&dir).and_then(|()| {
        let mut names = HashMap::new();
        for (name, text) in detwiki_site::demo::EVENTS {
            let path = dir.join(name);
            std::fs::write(&path, text)?;
            names.insert(path, (*name).to_string());
        }
        Ok(names)
    });
    let result = match written {
        Ok(names) => run_named(cat, std::slice::from_ref(&dir), quiet, &names),
        Err(e) => {
            eprintln!("warning: the demo's sample events could not be written to {}: {e}", dir.display());
            Err(Outcome::Failed)
        }
    };
    let _ = std::fs::remove_dir_all(&dir);
    result
}

/// The catalog's rules compiled as `hunt` compiles them.
fn compile(cat: &Catalog) -> Ruleset {
    let mut builder = RulesetBuilder::new();
    for f in &cat.files {
        let corpus = cat.corpora.get(f.corpus).map_or("", |c| c.name.as_str());
        builder.add_file(corpus, &f.path, &f.parsed, &|_| true);
    }
    builder.build(&detwiki_engine::Options::default())
}

/// Per rule of the ruleset, its position in the catalog (by file, id and title).
fn catalog_positions(cat: &Catalog, ruleset: &Ruleset) -> Vec<Option<usize>> {
    let mut by_key: HashMap<(&Path, &str), Vec<usize>> = HashMap::new();
    for (i, r) in cat.rules.iter().enumerate() {
        if let Some(f) = cat.files.get(r.file) {
            by_key.entry((f.path.as_path(), r.title.as_str())).or_default().push(i);
        }
    }
    let find = |info: &detwiki_engine::ruleset::RuleInfo| -> Option<usize> {
        let candidates = by_key.get(&(info.path.as_path(), info.title.as_str()))?;
        candidates
            .iter()
            .copied()
            .find(|&i| info.id.as_deref().is_none_or(|id| cat.rules[i].id == id))
            .or_else(|| candidates.first().copied())
    };
    ruleset.rules.iter().map(find).collect()
}

/// A rule's first events, by (input, position in it).
type FirstEvents = Mutex<Vec<((usize, u64), Example)>>;
/// An input's events by (provider, channel, event id).
type EventIds = Mutex<HashMap<(String, String, String), u64>>;

/// What the hunt gave, gathered for the pages.
struct Collect<'a> {
    /// Per ruleset rule: a correlation rule (its hits are no single event).
    correlation: &'a [bool],
    inputs: &'a [Input],
    to_catalog: &'a [Option<usize>],
    /// Per ruleset rule: hits, and per input.
    counts: Mutex<Counts>,
    /// Per ruleset rule: its first events by (input, position).
    examples: Vec<FirstEvents>,
    /// Per input: events by provider, channel, event id.
    event_ids: Vec<EventIds>,
    /// Per input: events read.
    events: Vec<std::sync::atomic::AtomicU64>,
    /// Per input: what could not be read.
    problems: Mutex<Vec<(PathBuf, String)>>,
}

#[derive(Default)]
struct Counts {
    hits: Vec<u64>,
    per_input: HashMap<(usize, usize), u64>,
    points: Vec<HitPoint>,
    /// Correlation hits (no single event): their first ones, in the order they came.
    correlation_examples: HashMap<usize, Vec<Example>>,
}

fn first(ev: &Event, names: &[&str]) -> String {
    names.iter().find_map(|n| ev.get(n).filter(|v| !v.is_null()).map(|v| v.raw.to_string())).unwrap_or_default()
}

fn example(input: usize, h: &Hit, fields: Vec<(String, String)>) -> Example {
    Example {
        file: input,
        record_id: h.record_id,
        line: h.line,
        timestamp: h.timestamp.clone(),
        computer: h.computer.clone(),
        channel: h.channel.clone(),
        event_id: h.event_id.clone(),
        matched: h.fields.clone(),
        fields,
    }
}

impl<'a> Collect<'a> {
    fn new(
        ruleset: &'a Ruleset,
        inputs: &'a [Input],
        to_catalog: &'a [Option<usize>],
        correlation: &'a [bool],
    ) -> Self {
        Collect {
            correlation,
            inputs,
            to_catalog,
            counts: Mutex::new(Counts { hits: vec![0; ruleset.rules.len()], ..Counts::default() }),
            examples: ruleset.rules.iter().map(|_| Mutex::new(Vec::new())).collect(),
            event_ids: inputs.iter().map(|_| Mutex::new(HashMap::new())).collect(),
            events: inputs.iter().map(|_| Default::default()).collect(),
            problems: Mutex::new(Vec::new()),
        }
    }

    fn finish(
        self,
        cat: &Catalog,
        ruleset: &Ruleset,
        roots: &[PathBuf],
        names: &HashMap<PathBuf, String>,
        events: u64,
    ) -> Samples {
        let counts = self.counts.into_inner().unwrap_or_else(|e| e.into_inner());
        let problems = self.problems.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut files: Vec<SampleFile> = self
            .inputs
            .iter()
            .enumerate()
            .map(|(k, input)| SampleFile {
                name: names.get(&input.path).cloned().unwrap_or_else(|| shown_name(&input.path, roots)),
                events: self.events[k].load(std::sync::atomic::Ordering::Relaxed),
                event_ids: std::mem::take(&mut *self.event_ids[k].lock().unwrap_or_else(|e| e.into_inner()))
                    .into_iter()
                    .map(|((provider, channel, event_id), count)| EventCount { provider, channel, event_id, count })
                    .collect(),
                problems: problems.iter().filter(|(p, _)| p == &input.path).map(|(_, m)| m.clone()).collect(),
                ..SampleFile::default()
            })
            .collect();
        let mut rules: Vec<RuleSamples> = cat
            .rules
            .iter()
            .map(|r| RuleSamples {
                status: if r.language != detwiki_catalog::lang::SIGMA.name {
                    RunStatus::NoEngine(
                        detwiki_catalog::lang::by_name(r.language).map_or(r.language, |l| l.title).into(),
                    )
                } else if r.kind == DocumentKind::Filter {
                    RunStatus::Filter
                } else {
                    RunStatus::Skipped("it was not compiled".into())
                },
                ..RuleSamples::default()
            })
            .collect();
        // Why the engine left rules out (a catalog rule is found by file and title).
        for s in &ruleset.skipped {
            let at = cat.rules.iter().position(|r| {
                cat.files.get(r.file).is_some_and(|f| f.path == s.rule.path)
                    && r.title == s.rule.title
                    && s.rule.id.as_deref().is_none_or(|id| id == r.id)
            });
            if let Some(i) = at
                && rules[i].status != RunStatus::Filter
            {
                rules[i].status = RunStatus::Skipped(s.reason.to_string());
            }
        }
        for (ri, at) in self.to_catalog.iter().enumerate() {
            let Some(i) = *at else { continue };
            let rs = &mut rules[i];
            rs.status = if ruleset.reports_hits(ri as u32) { RunStatus::Ran } else { RunStatus::Correlated };
            rs.hits += counts.hits[ri];
            let mut ex = std::mem::take(&mut *self.examples[ri].lock().unwrap_or_else(|e| e.into_inner()));
            rs.examples.extend(ex.drain(..).map(|(_, e)| e));
            if let Some(c) = counts.correlation_examples.get(&ri) {
                rs.examples.extend(c.iter().cloned());
            }
            rs.examples.truncate(MAX_EXAMPLES);
        }
        for (&(ri, input), &n) in &counts.per_input {
            if let Some(i) = self.to_catalog[ri] {
                rules[i].files.push((input, n));
                files[input].rules.push((i, n));
            }
        }
        for r in &mut rules {
            r.files.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
        let points: Vec<HitPoint> = counts
            .points
            .into_iter()
            .filter_map(|mut p| {
                p.rule = self.to_catalog[p.rule]?;
                Some(p)
            })
            .collect();
        for (i, together) in detwiki_site::proof::fires_together(&points, cat.rules.len()).into_iter().enumerate() {
            rules[i].together = together;
        }
        let hits = counts.hits.iter().sum();
        let mut samples = Samples { files, rules, events, hits };
        samples.finish();
        samples
    }
}

/// An input as pages name it: its path under the `--events` folder it was found in (the file
/// name for a file given itself).
fn shown_name(path: &Path, roots: &[PathBuf]) -> String {
    for root in roots.iter().filter(|r| r.is_dir()) {
        if let Ok(rel) = path.strip_prefix(root) {
            return rel.to_string_lossy().replace('\\', "/");
        }
    }
    path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned())
}

impl HitSink for Collect<'_> {
    fn hits(&self, hits: &mut Vec<Hit>) {
        let Ok(mut c) = self.counts.lock() else { return };
        for h in hits.iter() {
            let r = h.rule as usize;
            c.hits[r] += 1;
            *c.per_input.entry((r, h.input)).or_default() += 1;
            if self.correlation.get(r).copied().unwrap_or(false) {
                let list = c.correlation_examples.entry(r).or_default();
                if list.len() < MAX_EXAMPLES {
                    list.push(example(h.input, h, Vec::new()));
                }
                continue;
            }
            c.points.push(HitPoint {
                rule: r,
                event: (h.input, h.line.or(h.record_id).unwrap_or(0)),
                computer: h.computer.clone(),
                time: h.timestamp.as_deref().and_then(detwiki_engine::correlate::parse_time),
            });
        }
    }

    fn problem(&self, problem: ReadProblem) {
        let says_what_is_lost = ["lost", "missing", " are read"].iter().any(|w| problem.message.contains(w));
        let note = if says_what_is_lost { "" } else { " (skipped)" };
        eprintln!("warning: --events: {problem}{note}");
        if let Ok(mut p) = self.problems.lock() {
            let at = problem.location.as_deref().map_or_else(String::new, |l| format!("{l}: "));
            p.push((problem.path.clone(), format!("{at}{}", problem.message)));
        }
    }

    fn event(&self, input: usize, at: Position, ev: &Event, hits: &[Hit]) {
        self.events[input].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let key = (
            first(ev, &["Provider_Name", "winlog.provider_name", "event.provider"]),
            first(ev, &["Channel", "winlog.channel"]),
            first(ev, &["EventID", "winlog.event_id", "event.code"]),
        );
        if let Ok(mut m) = self.event_ids[input].lock() {
            *m.entry(key).or_default() += 1;
        }
        let pos = (input, at.line.or(at.record).unwrap_or(0));
        for h in hits {
            let Some(slot) = self.examples.get(h.rule as usize) else { continue };
            let Ok(mut list) = slot.lock() else { continue };
            if list.len() >= MAX_EXAMPLES && list.last().is_some_and(|(k, _)| *k <= pos) {
                continue;
            }
            let fields = ev.fields().map(|(n, v)| (n.to_string(), v.raw.to_string())).collect();
            let at = list.partition_point(|(k, _)| *k <= pos);
            list.insert(at, (pos, example(input, h, fields)));
            list.truncate(MAX_EXAMPLES);
        }
    }
}
