//! `detwiki hunt`: load the corpora, compile the rules once, read every input
//! in parallel, print hits as they come (jsonl, csv) or per rule (table), and
//! a summary on stderr.
//!
//! Rules whose file has errors are never run: they are reported as skipped (one warning line
//! per file, lint's rendering with `--verbose`).
//!
//! Exit codes: 0 the run completed with no hit; 1 it completed with hits;
//! 2 usage error (also `--strict` with a skipped rule); 3 it could not run (no input
//! readable, output failed).

use std::collections::{BTreeMap, HashMap};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Instant;

use anyhow::Context;
use detwiki_diagnostics::{Diagnostic, SourceFile, SourceMap};
use detwiki_engine::compile::CompileError;
use detwiki_engine::read::{Input, InputKind, ReadProblem, collect_inputs};
use detwiki_engine::ruleset::{Options, RuleInfo, Ruleset, RulesetBuilder, SkipReason};
use detwiki_engine::{Hit, HitSink, Pipelines, Totals};
use detwiki_sigma::{Level, Limits, Metadata};
use indicatif::ProgressBar;

use crate::Outcome;
use crate::args::{HuntArgs, HuntFormat, LevelArg};
use detwiki_catalog::{CorpusSpec, load};
use rayon::prelude::*;

/// Run `hunt`: success (no hit), found (hits), usage, or failed (no event readable, output).
pub fn run(args: &HuntArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    if args.list_pipelines {
        let mut out = std::io::stdout().lock();
        let written = detwiki_engine::pipeline::BUILTINS
            .iter()
            .try_for_each(|(name, what, _)| writeln!(out, "{name:<12}  {what}"))
            .and_then(|()| out.flush());
        return crate::output::written(written, Outcome::Success);
    }
    let Some(ruleset) = load_rules(args)? else { return Ok(Outcome::Usage) };
    // Not freed: the process ends after the hunt, and freeing the compiled rules (thousands
    // of matchers, automata and their strings) one by one costs the user time for nothing.
    let ruleset = std::mem::ManuallyDrop::new(ruleset);
    let (inputs, walk_problems) = collect_inputs(&args.inputs);
    for p in &walk_problems {
        eprintln!("error: {p}");
    }
    for i in inputs.iter().filter(|i| i.kind == InputKind::Empty) {
        eprintln!("note: {}: empty file: no events", i.path.display());
    }
    if inputs.is_empty() {
        eprintln!("error: no input to read (EVTX, JSON lines, or `-`)");
        return Ok(Outcome::Usage);
    }
    let format =
        args.format.unwrap_or(if std::io::stdout().is_terminal() { HuntFormat::Table } else { HuntFormat::Jsonl });
    let total_bytes: u64 = inputs.iter().map(|i| i.size).sum();
    let bar = crate::progress::bar(
        args.quiet,
        Some(total_bytes),
        "{spinner} {bytes}/{total_bytes} {wide_bar} {msg} {elapsed}",
    );
    let sink = Sink::new(format, &ruleset, &inputs, bar.clone())?;
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(args.threads.unwrap_or(0))
        .build()
        .context("starting worker threads")?;
    let totals = pool.install(|| detwiki_engine::hunt(&ruleset, &inputs, &sink));
    bar.finish_and_clear();
    let failed_output = sink.finish(&ruleset)?;
    let unbuilt = report_unbuilt(&ruleset);
    let seconds = started.elapsed().as_secs_f64();
    if !args.quiet {
        print_summary(&ruleset, &totals, &sink, seconds);
    }
    if failed_output {
        return Ok(Outcome::Failed);
    }
    if args.strict && unbuilt > 0 {
        eprintln!("error: --strict: {unbuilt} rules could not be run (see the warnings above)");
        return Ok(Outcome::Usage);
    }
    if totals.events == 0 && totals.problems > 0 {
        eprintln!("error: no event could be read (see the warnings above)");
        return Ok(Outcome::Failed);
    }
    Ok(if totals.hits > 0 { Outcome::Found } else { Outcome::Success })
}

/// Load and compile the rules; `None` after a usage error was printed.
fn load_rules(args: &HuntArgs) -> anyhow::Result<Option<Ruleset>> {
    let placeholders = match &args.placeholders {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            match detwiki_engine::load_placeholders(&text) {
                Ok(v) => v,
                Err(mut e) => {
                    let mut sources = SourceMap::new();
                    let id = sources.add(p.display().to_string(), text.as_str());
                    e.message.insert_str(0, "--placeholders: ");
                    crate::render::eprint([&e.in_file(id)], &sources);
                    return Ok(None);
                }
            }
        }
        None => Default::default(),
    };
    let Some(pipelines) = load_pipelines(args)? else { return Ok(None) };
    let mut builder = RulesetBuilder::new();
    let mut texts = HashMap::new();
    let keep = |m: &Metadata| keep_rule(args, m);
    for arg in &args.corpora {
        let spec = match CorpusSpec::parse(arg) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("error: --corpus {arg}: {e}");
                return Ok(None);
            }
        };
        let mut paths = Vec::new();
        let mut errors = Vec::new();
        for root in &spec.paths {
            if let Some(msg) = crate::catalog::log_file_message(arg, root, true) {
                eprintln!("error: {msg}");
                return Ok(None);
            }
            load::collect(root, &mut paths, &mut errors);
        }
        if let Some(e) = errors.first() {
            eprintln!("error: --corpus {arg}: {}: {}", e.path.display(), e.message);
            return Ok(None);
        }
        if paths.is_empty() {
            for root in spec.paths.iter().filter(|p| p.is_dir()) {
                eprintln!("error: {}", crate::catalog::no_rules_message(arg, root, true));
            }
            return Ok(None);
        }
        // Each file read, parsed and added to a builder of its own on every core, then merged
        // in order.
        let limits = Limits::default();
        let parts: Vec<(RulesetBuilder, Option<(PathBuf, String)>)> = paths
            .into_par_iter()
            .map(|p| {
                let file = load::read_one(0, &p, p.clone(), &limits);
                // A file with errors runs none of its rules (the builder says so); its text is
                // kept to show the errors as `lint` does.
                let text = file.parsed.has_errors().then(|| (file.path.clone(), file.text));
                let mut part = RulesetBuilder::new();
                part.add_parsed(&spec.name, &file.path, file.parsed, &keep);
                (part, text)
            })
            .collect();
        for (part, text) in parts {
            builder.merge(part);
            texts.extend(text);
        }
    }
    let opts = Options { routing: !args.no_routing, placeholders, pipelines, ..Options::default() };
    let ruleset = builder.build(&opts);
    report_skipped(args, &ruleset, &texts);
    if args.strict && !ruleset.skipped.is_empty() {
        if !args.verbose {
            list_skipped(&ruleset);
        }
        eprintln!(
            "error: --strict: {} selected rules would be skipped ({}); nothing was run",
            ruleset.skipped.len(),
            skip_reasons(&ruleset)
        );
        return Ok(None);
    }
    if ruleset.rules.is_empty() {
        eprintln!("error: no rule to run ({} skipped)", ruleset.skipped.len());
        return Ok(None);
    }
    Ok(Some(ruleset))
}

/// What the user sees of skipped rules before the run: for each rule file with errors, one
/// warning line (or, with `--verbose`, its errors as `lint` shows them); with `--verbose`, every
/// skipped rule and the placeholders without values.
fn report_skipped(args: &HuntArgs, ruleset: &Ruleset, texts: &HashMap<PathBuf, String>) {
    let mut seen = std::collections::HashSet::new();
    for s in &ruleset.skipped {
        let SkipReason::FileErrors(errors) = &s.reason else { continue };
        if !seen.insert(&s.rule.path) {
            continue;
        }
        let path = &s.rule.path;
        let text = texts.get(path).map_or("", String::as_str);
        let n = errors.len();
        let plural = if n == 1 { "" } else { "s" };
        if args.verbose {
            eprintln!("warning: skipped {}: {n} error{plural}; none of its rules run:", path.display());
            let mut sources = SourceMap::new();
            let id = sources.add(path.display().to_string(), text);
            let shown: Vec<Diagnostic> = errors.iter().map(|d| d.clone().in_file(id)).collect();
            crate::render::eprint(&shown, &sources);
        } else {
            let source = SourceFile::new(path.display().to_string(), text);
            let mut places: Vec<String> = errors
                .iter()
                .take(3)
                .map(|d| match d.span {
                    Some(sp) if sp.start <= text.len() => {
                        let lc = source.line_col(sp.start);
                        format!("{} at {}:{}", d.code, lc.line, lc.column)
                    }
                    _ => d.code.to_string(),
                })
                .collect();
            if n > 3 {
                places.push("…".into());
            }
            eprintln!(
                "warning: skipped {}: {n} error{plural} ({}); run lint on it, or hunt --verbose, for details",
                path.display(),
                places.join(", ")
            );
        }
    }
    if args.verbose {
        list_skipped(ruleset);
        let mut missing: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &ruleset.skipped {
            if let SkipReason::Compile(CompileError::UnresolvedPlaceholder(name)) = &s.reason {
                *missing.entry(name).or_default() += 1;
            }
        }
        if !missing.is_empty() {
            let names: Vec<String> =
                missing.iter().map(|(n, k)| format!("%{n}% ({k} rule{})", if *k == 1 { "" } else { "s" })).collect();
            eprintln!("placeholders without values: {}; give them with --placeholders FILE", names.join(", "));
        }
    }
}

/// Rules that gave no hits because a regex of theirs could not be built when an event first
/// reached it (the `regex` crate's size limit; the pattern itself was checked at load): one
/// warning each. Returns their number.
fn report_unbuilt(ruleset: &Ruleset) -> usize {
    let unbuilt = ruleset.unbuilt_regexes();
    for u in &unbuilt {
        let r = &ruleset.rules[u.rule as usize];
        let id = r.id.as_deref().map_or_else(String::new, |id| format!(" [{id}]"));
        eprintln!(
            "warning: {}: rule `{}`{id} was not run: its regex `{}` cannot be built ({}); simplify the pattern",
            r.path.display(),
            r.title,
            u.pattern,
            u.error
        );
    }
    unbuilt.len()
}

/// One line per skipped rule: where it is, what it is, why it is skipped.
fn list_skipped(ruleset: &Ruleset) {
    for s in &ruleset.skipped {
        let r = &s.rule;
        let what = match (r.title.as_str(), &r.id) {
            ("", None) => "(no rule could be read)".to_string(),
            (t, Some(id)) => format!("{t} [{id}]"),
            (t, None) => t.to_string(),
        };
        eprintln!("skipped: {}: {}: {what}: {}", r.corpus, r.path.display(), s.reason);
    }
}

/// `2 errors-in-file, 1 no-logsource-mapping`.
fn skip_reasons(ruleset: &Ruleset) -> String {
    let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &ruleset.skipped {
        *reasons.entry(s.reason.key()).or_default() += 1;
    }
    let why: Vec<String> = reasons.iter().map(|(k, n)| format!("{n} {k}")).collect();
    if why.is_empty() { "none".to_string() } else { why.join(", ") }
}

/// Read `--pipeline` files and built-in names; `None` after the problems were printed.
fn load_pipelines(args: &HuntArgs) -> anyhow::Result<Option<Pipelines>> {
    use detwiki_engine::pipeline::{BUILTINS, load};
    let mut out = Vec::new();
    let mut failed = false;
    for spec in &args.pipelines {
        let path = std::path::Path::new(spec);
        let (text, origin) = if path.exists() {
            let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
            (std::borrow::Cow::Owned(text), path.display().to_string())
        } else if let Some((name, _, yaml)) = BUILTINS.iter().find(|(n, _, _)| n == spec) {
            (std::borrow::Cow::Borrowed(*yaml), format!("builtin:{name}"))
        } else {
            let names: Vec<&str> = BUILTINS.iter().map(|(n, _, _)| *n).collect();
            eprintln!(
                "error: --pipeline {spec}: no such file, nor a built-in pipeline (built-ins: {})",
                names.join(", ")
            );
            failed = true;
            continue;
        };
        // Shown as lint shows findings: file:line:col, the line with a caret, the help.
        let mut sources = SourceMap::new();
        let id = sources.add(origin.as_str(), &*text);
        let show = |diagnostics: &[Diagnostic]| {
            let located: Vec<Diagnostic> = diagnostics.iter().map(|d| d.clone().in_file(id)).collect();
            crate::render::eprint(&located, &sources);
        };
        match load(&text, &origin) {
            Ok(p) => {
                if !args.quiet {
                    show(&p.warnings);
                }
                out.push(p);
            }
            Err(errors) => {
                show(&errors);
                failed = true;
            }
        }
    }
    Ok((!failed).then(|| Pipelines::new(out)))
}

fn keep_rule(args: &HuntArgs, meta: &Metadata) -> bool {
    if !args.rules.is_empty() {
        let id = meta.id.as_ref().map(|s| s.value.as_str());
        let name = meta.name.as_ref().map(|s| s.value.as_str());
        if !args.rules.iter().any(|x| Some(x.as_str()) == id || Some(x.as_str()) == name) {
            return false;
        }
    }
    if let Some(min) = args.min_level {
        let level = meta.level.as_ref().map(|l| l.value);
        if level.is_none_or(|l| level_rank(l) < min as usize) {
            return false;
        }
    }
    if !args.tags.is_empty() && !meta.tags.iter().any(|t| args.tags.iter().any(|x| x.eq_ignore_ascii_case(&t.value))) {
        return false;
    }
    true
}

fn level_rank(l: Level) -> usize {
    l as usize
}

const _: () = assert!(LevelArg::Critical as usize == Level::Critical as usize);

/// Where hits go: written as they come (jsonl, csv) or counted (table).
struct Sink<'a> {
    format: HuntFormat,
    ruleset: &'a Ruleset,
    inputs: &'a [Input],
    out: Mutex<Output>,
    bar: ProgressBar,
    events: std::sync::atomic::AtomicU64,
}

struct Output {
    writer: std::io::BufWriter<std::io::Stdout>,
    per_rule: Vec<u64>,
    error: Option<std::io::Error>,
}

impl<'a> Sink<'a> {
    fn new(format: HuntFormat, ruleset: &'a Ruleset, inputs: &'a [Input], bar: ProgressBar) -> anyhow::Result<Self> {
        let mut writer = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout());
        if format == HuntFormat::Csv {
            writeln!(
                writer,
                "rule_id,title,level,corpus,timestamp,computer,channel,event_id,record_id,line,file,fields"
            )
            .context("writing output")?;
        }
        let out = Output { writer, per_rule: vec![0; ruleset.rules.len()], error: None };
        Ok(Sink { format, ruleset, inputs, out: Mutex::new(out), bar, events: Default::default() })
    }

    /// Flush; print the table. Returns true when writing failed.
    fn finish(&self, ruleset: &Ruleset) -> anyhow::Result<bool> {
        let mut out = self.out.lock().map_err(|_| anyhow::anyhow!("output lock poisoned"))?;
        if self.format == HuntFormat::Table {
            let per_rule = out.per_rule.clone();
            let r = write_table(&mut out.writer, ruleset, &per_rule);
            if let Err(e) = r {
                out.error.get_or_insert(e);
            }
        }
        if let Err(e) = out.writer.flush() {
            out.error.get_or_insert(e);
        }
        if let Some(e) = &out.error {
            // A closed pipe (`| head`) is not a failure of the hunt.
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("error: writing output: {e}");
                return Ok(true);
            }
        }
        Ok(false)
    }

    fn per_rule(&self) -> Vec<u64> {
        self.out.lock().map(|o| o.per_rule.clone()).unwrap_or_default()
    }
}

impl HitSink for Sink<'_> {
    fn hits(&self, hits: &mut Vec<Hit>) {
        let Ok(mut out) = self.out.lock() else { return };
        for h in hits.iter() {
            out.per_rule[h.rule as usize] += 1;
            if out.error.is_some() {
                continue;
            }
            let rule = &self.ruleset.rules[h.rule as usize];
            let file = self.inputs.get(h.input).map(|i| &i.path);
            let r = match self.format {
                HuntFormat::Table => Ok(()),
                HuntFormat::Jsonl => write_jsonl(&mut out.writer, rule, h, file),
                HuntFormat::Csv => write_csv(&mut out.writer, rule, h, file),
            };
            if let Err(e) = r {
                out.error = Some(e);
            }
        }
    }

    fn problem(&self, problem: ReadProblem) {
        // A bad line, record or file is skipped; a cut or missing chunk's message already says
        // what was read and what is lost.
        let says_what_is_lost = ["lost", "missing", " are read"].iter().any(|w| problem.message.contains(w));
        let note = if says_what_is_lost { "" } else { " (skipped)" };
        self.bar.suspend(|| eprintln!("warning: {problem}{note}"));
    }

    fn progress(&self, bytes: u64, events: u64) {
        let total = self.events.fetch_add(events, std::sync::atomic::Ordering::Relaxed) + events;
        self.bar.inc(bytes);
        self.bar.set_message(format!("{total} events"));
    }
}

/// JSON-lines wire format, one object per hit:
/// `{"rule_id", "title", "level", "corpus", "timestamp", "computer", "channel",
/// "event_id", "record_id", "line", "file", "fields": {name: value}}`; absent
/// values are `null`. Serialised straight from the hit (no `serde_json::Value` built per hit).
fn write_jsonl(w: &mut impl Write, rule: &RuleInfo, h: &Hit, file: Option<&PathBuf>) -> std::io::Result<()> {
    let hit = JsonHit {
        rule_id: rule.id.as_deref(),
        title: &rule.title,
        level: rule.level.map(Level::as_str),
        corpus: &rule.corpus,
        timestamp: h.timestamp.as_deref(),
        computer: h.computer.as_deref(),
        channel: h.channel.as_deref(),
        event_id: h.event_id.as_deref().map(EventIdJson::of),
        record_id: h.record_id,
        line: h.line,
        file: file.map(|p| p.display().to_string()),
        fields: FieldsJson(&h.fields),
    };
    serde_json::to_writer(&mut *w, &hit)?;
    w.write_all(b"\n")
}

/// One JSON-lines hit, its keys in wire order.
#[derive(serde::Serialize)]
struct JsonHit<'a> {
    rule_id: Option<&'a str>,
    title: &'a str,
    level: Option<&'static str>,
    corpus: &'a str,
    timestamp: Option<&'a str>,
    computer: Option<&'a str>,
    channel: Option<&'a str>,
    event_id: Option<EventIdJson<'a>>,
    record_id: Option<u64>,
    line: Option<u64>,
    file: Option<String>,
    fields: FieldsJson<'a>,
}

/// An event id as JSON: a number, like `record_id` (the text as written when it is not one).
#[derive(serde::Serialize)]
#[serde(untagged)]
enum EventIdJson<'a> {
    Number(u64),
    Text(&'a str),
}

impl<'a> EventIdJson<'a> {
    fn of(id: &'a str) -> Self {
        id.trim().parse::<u64>().map_or(EventIdJson::Text(id), EventIdJson::Number)
    }
}

/// The matched fields as one JSON object (the `fields` of a JSON-lines hit): a name once, at
/// its first place, with its last value.
struct FieldsJson<'a>(&'a [(String, String)]);

impl serde::Serialize for FieldsJson<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let fields = self.0;
        let first = |i: usize| !fields[..i].iter().any(|(n, _)| *n == fields[i].0);
        let mut map = s.serialize_map(None)?;
        for (i, (name, _)) in fields.iter().enumerate().filter(|&(i, _)| first(i)) {
            let last = fields[i..].iter().rev().find(|(n, _)| n == name).map_or("", |(_, v)| v.as_str());
            map.serialize_entry(name, last)?;
        }
        map.end()
    }
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
}

fn write_csv(w: &mut impl Write, rule: &RuleInfo, h: &Hit, file: Option<&PathBuf>) -> std::io::Result<()> {
    // The fields column is itself JSON (an object, as in JSON lines): values may hold any text.
    let fields = serde_json::to_string(&FieldsJson(&h.fields)).unwrap_or_default();
    let cols = [
        rule.id.clone().unwrap_or_default(),
        rule.title.clone(),
        rule.level.map_or("", Level::as_str).to_string(),
        rule.corpus.clone(),
        h.timestamp.clone().unwrap_or_default(),
        h.computer.clone().unwrap_or_default(),
        h.channel.clone().unwrap_or_default(),
        h.event_id.clone().unwrap_or_default(),
        h.record_id.map(|r| r.to_string()).unwrap_or_default(),
        h.line.map(|r| r.to_string()).unwrap_or_default(),
        file.map(|p| p.display().to_string()).unwrap_or_default(),
        fields,
    ];
    let row: Vec<String> = cols.iter().map(|c| csv_field(c)).collect();
    writeln!(w, "{}", row.join(","))
}

fn write_table(w: &mut impl Write, ruleset: &Ruleset, per_rule: &[u64]) -> std::io::Result<()> {
    let mut rows: Vec<(u64, &RuleInfo)> =
        per_rule.iter().zip(&ruleset.rules).filter(|(n, _)| **n > 0).map(|(n, r)| (*n, r)).collect();
    rows.sort_by(|a, b| {
        (b.1.level, b.0, &a.1.title).cmp(&(a.1.level, a.0, &b.1.title)).then_with(|| a.1.id.cmp(&b.1.id))
    });
    writeln!(w, "{:>7}  {:<13}  {:<36}  TITLE", "HITS", "LEVEL", "RULE ID")?;
    for (n, r) in &rows {
        let level = r.level.map_or("-", Level::as_str);
        writeln!(w, "{n:>7}  {level:<13}  {:<36}  {}", r.id.as_deref().unwrap_or("-"), r.title)?;
    }
    let total: u64 = rows.iter().map(|(n, _)| n).sum();
    writeln!(w, "{total:>7}  hits from {} rules", rows.len())
}

fn print_summary(ruleset: &Ruleset, t: &Totals, sink: &Sink<'_>, seconds: f64) {
    let firing = sink.per_rule().iter().filter(|n| **n > 0).count();
    use crate::render::counted;
    eprintln!(
        "hunt: {}, {} in {:.2} s ({:.0} events/s); rules: {} loaded, {} skipped ({}); {} from {}; {}",
        counted(t.files as usize, "file", "files"),
        counted(t.events as usize, "event", "events"),
        seconds,
        t.events as f64 / seconds.max(1e-9),
        ruleset.rules.len(),
        ruleset.skipped.len(),
        skip_reasons(ruleset),
        counted(t.hits as usize, "hit", "hits"),
        counted(firing, "rule", "rules"),
        counted(t.problems as usize, "read problem", "read problems"),
    );
}
