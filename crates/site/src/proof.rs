//! Proof from real logs: what the rules did on sample events (`detwiki build --events`,
//! `detwiki serve --events`).
//!
//! ```text
//! sample logs ──detwiki hunt's engine and readers (the CLI)──▶ Samples ──▶ a rule page's "Seen in sample data"
//!                                                                   ├──▶ "Fires together" under its Neighbors
//!                                                                   ├──▶ samples/ (a page per sample file, an index)
//!                                                                   └──▶ the rule's JSON, sample JSON, search
//! ```
//!
//! The site runs no engine: [`Samples`] is plain data that the CLI fills from a hunt over the
//! same rules as the catalog's (the catalog's parse, compiled as `detwiki hunt` compiles it), so
//! the counts on every page are those `detwiki hunt` reports for the same events. This module
//! also groups the rules that read exactly the same events ([`SameEvents`]: the page that the
//! Neighbors line "N other rules read exactly the same events" links to).

use std::collections::{BTreeMap, HashMap, HashSet};

use detwiki_catalog::stages::PredTree;
use detwiki_catalog::{Catalog, RuleEntry};
use serde::Serialize;
use serde_json::{Value, json};

use crate::paths;
use crate::templates::{a, counted_noun, esc, num};
use crate::views::Ctx;

/// Matching events a rule page shows (the rule's JSON has the same ones).
pub const MAX_EXAMPLES: usize = 5;
/// Fields of one event a rule page shows.
pub const MAX_FIELDS: usize = 40;
/// Characters of one field value a rule page shows.
pub const MAX_VALUE_CHARS: usize = 300;
/// Bytes of a rule page's event field tables; the events after that show their matched fields only.
pub const MAX_FIELD_TABLE_BYTES: usize = 12 * 1024;
/// Co-firing: two hits on the same host this close in time fire together (seconds).
pub const WINDOW_SECONDS: i128 = 60;
/// Rules a rule page lists under "Fires together".
pub const MAX_FIRES_TOGETHER: usize = 10;

/// What the rules did on the sample events.
#[derive(Clone, Debug, Default)]
pub struct Samples {
    /// The sample files, in the order they were read.
    pub files: Vec<SampleFile>,
    /// Per rule of the catalog (same positions as [`Catalog::rules`]).
    pub rules: Vec<RuleSamples>,
    /// Events read.
    pub events: u64,
    /// Hits found (correlation hits included).
    pub hits: u64,
}

/// One sample file.
#[derive(Clone, Debug, Default)]
pub struct SampleFile {
    /// Its path as shown (relative to the `--events` path it was found under).
    pub name: String,
    /// Its page (site-relative), set by [`Samples::finish`].
    pub url: String,
    /// Its JSON (site-relative).
    pub json_url: String,
    /// Events read.
    pub events: u64,
    /// Its events by provider, channel and event id, most first.
    pub event_ids: Vec<EventCount>,
    /// The rules that fired on it (positions in the catalog) with their hits, most first.
    pub rules: Vec<(usize, u64)>,
    /// What could not be read of it.
    pub problems: Vec<String>,
}

/// Events of one provider/channel/event id in a sample file.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct EventCount {
    /// `Provider_Name` (empty when the events have none).
    pub provider: String,
    /// `Channel`.
    pub channel: String,
    /// `EventID`.
    pub event_id: String,
    /// Events.
    pub count: u64,
}

/// Whether the engine ran a rule.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum RunStatus {
    /// It ran over every sample event.
    #[default]
    Ran,
    /// The engine left it out, and why (`detwiki hunt` skips it the same way).
    Skipped(String),
    /// A meta filter: it runs inside the rules it names.
    Filter,
    /// A rule of a language the engine does not run (`Elastic`).
    NoEngine(String),
    /// It ran, but its matches only feed a correlation rule (no `generate: true`): like `hunt`, it
    /// reports no hit of its own.
    Correlated,
}

/// What one rule did on the samples.
#[derive(Clone, Debug, Default)]
pub struct RuleSamples {
    /// Whether it ran.
    pub status: RunStatus,
    /// Its hits.
    pub hits: u64,
    /// The sample files it fired on (positions in [`Samples::files`]) with its hits there.
    pub files: Vec<(usize, u64)>,
    /// Its first hits, in the order `hunt` reports them (at most [`MAX_EXAMPLES`]).
    pub examples: Vec<Example>,
    /// The rules whose hits fall on the same events or near them, ranked.
    pub together: Vec<CoFire>,
}

/// One matching event.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Example {
    /// The sample file (position in [`Samples::files`]).
    pub file: usize,
    /// EVTX record id.
    pub record_id: Option<u64>,
    /// JSON line.
    pub line: Option<u64>,
    /// Event time.
    pub timestamp: Option<String>,
    /// `Computer`.
    pub computer: Option<String>,
    /// `Channel`.
    pub channel: Option<String>,
    /// `EventID`.
    pub event_id: Option<String>,
    /// The fields and values that made the rule match (the engine's explanation).
    pub matched: Vec<(String, String)>,
    /// Every field of the event (empty for a correlation hit, which is no single event).
    pub fields: Vec<(String, String)>,
}

/// A rule that fires together with another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CoFire {
    /// The other rule (position in the catalog).
    pub rule: usize,
    /// Hits of this rule on an event the other rule also fired on.
    pub same_event: u64,
    /// Hits of this rule with a hit of the other on the same event, or within
    /// [`WINDOW_SECONDS`] on the same host.
    pub nearby: u64,
}

/// One hit, as co-firing sees it.
#[derive(Clone, Debug)]
pub struct HitPoint {
    /// The rule (position in the catalog).
    pub rule: usize,
    /// The event: sample file and position in it (record id or line).
    pub event: (usize, u64),
    /// `Computer`.
    pub computer: Option<String>,
    /// Event time, nanoseconds since 1970.
    pub time: Option<i128>,
}

/// Per rule, the rules that fire with it, ranked (most nearby hits, then on the same event, then
/// position), at most [`MAX_FIRES_TOGETHER`]. A hit counts once per other rule: on the same
/// event, or within [`WINDOW_SECONDS`] on the same host (events without a time or host count on
/// the same event only).
pub fn fires_together(points: &[HitPoint], rules: usize) -> Vec<Vec<CoFire>> {
    let mut pairs: HashMap<(usize, usize), (u64, u64)> = HashMap::new();
    // Per hit: the other rules on its event.
    let mut by_event: HashMap<(usize, u64), Vec<usize>> = HashMap::new();
    for p in points {
        by_event.entry(p.event).or_default().push(p.rule);
    }
    let mut near: Vec<HashSet<usize>> = vec![HashSet::new(); points.len()];
    for (k, p) in points.iter().enumerate() {
        for &other in &by_event[&p.event] {
            if other != p.rule {
                pairs.entry((p.rule, other)).or_default().0 += 1;
                near[k].insert(other);
            }
        }
    }
    // Per host, hits by time: a window of WINDOW_SECONDS either side, rules counted in it.
    let mut by_host: HashMap<&str, Vec<(i128, usize)>> = HashMap::new();
    for (k, p) in points.iter().enumerate() {
        if let (Some(c), Some(t)) = (p.computer.as_deref(), p.time) {
            by_host.entry(c).or_default().push((t, k));
        }
    }
    let window = WINDOW_SECONDS * 1_000_000_000;
    for hits in by_host.values_mut() {
        hits.sort_unstable();
        let (mut lo, mut hi) = (0, 0);
        let mut count: HashMap<usize, usize> = HashMap::new();
        for i in 0..hits.len() {
            let t = hits[i].0;
            while hi < hits.len() && hits[hi].0 <= t + window {
                *count.entry(points[hits[hi].1].rule).or_default() += 1;
                hi += 1;
            }
            while hits[lo].0 < t - window {
                let r = points[hits[lo].1].rule;
                if let Some(n) = count.get_mut(&r) {
                    *n -= 1;
                    if *n == 0 {
                        count.remove(&r);
                    }
                }
                lo += 1;
            }
            let k = hits[i].1;
            let me = points[k].rule;
            near[k].extend(count.keys().copied().filter(|&r| r != me));
        }
    }
    for (k, others) in near.iter().enumerate() {
        for &o in others {
            pairs.entry((points[k].rule, o)).or_default().1 += 1;
        }
    }
    let mut out: Vec<Vec<CoFire>> = vec![Vec::new(); rules];
    for ((a, b), (same_event, nearby)) in pairs {
        if let Some(list) = out.get_mut(a) {
            list.push(CoFire { rule: b, same_event, nearby });
        }
    }
    for list in &mut out {
        list.sort_by(|x, y| (y.nearby, y.same_event, x.rule).cmp(&(x.nearby, x.same_event, y.rule)));
        list.truncate(MAX_FIRES_TOGETHER);
    }
    out
}

impl Samples {
    /// Give each sample file its page (`samples/<name>/index.html`: the path made a slug, unique
    /// over the files' names, so that names with spaces, `&` or `/` make safe URLs), and sort each
    /// file's event counts and rules (most first).
    pub fn finish(&mut self) {
        let names: Vec<String> = self.files.iter().map(|f| f.name.clone()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        sorted.dedup();
        let mut slugs = paths::unique_slugs(sorted.iter());
        // `samples/index.json` and `samples/never-fired/` are the index's: a file named so moves aside.
        let mut taken: HashSet<String> = slugs.values().cloned().collect();
        for name in &sorted {
            let slug = &slugs[name];
            if slug == "index" || slug == "never-fired" {
                let mut other = format!("{slug}-file");
                while !taken.insert(other.clone()) {
                    other.push('_');
                }
                slugs.insert(name.clone(), other);
            }
        }
        for f in &mut self.files {
            let slug = crate::html::pct(&slugs[&f.name]);
            f.url = format!("samples/{slug}/index.html");
            f.json_url = format!("samples/{slug}.json");
            f.event_ids.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.cmp(b)));
            f.rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        }
    }

    /// The sample files no rule fired on.
    pub fn undetected(&self) -> Vec<usize> {
        (0..self.files.len()).filter(|&k| self.files[k].rules.is_empty()).collect()
    }

    /// The rules that ran and never fired.
    pub fn never_fired(&self) -> Vec<usize> {
        (0..self.rules.len()).filter(|&i| self.rules[i].status == RunStatus::Ran && self.rules[i].hits == 0).collect()
    }

    /// Rules that fired at least once.
    pub fn fired(&self) -> usize {
        self.rules.iter().filter(|r| r.hits > 0).count()
    }

    /// The sample pages for search: (title, url, rules that fired on it).
    pub fn search_pages(&self) -> Vec<(String, String, usize)> {
        let mut v: Vec<(String, String, usize)> =
            self.files.iter().map(|f| (f.name.clone(), f.url.clone(), f.rules.len())).collect();
        v.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
        v
    }
}

// ------------------------------------------------------------------------------------------
// A page of rules (a technique's): which of them fired.

/// What a page's rules did on the samples: "N of its M rules fired on the sample data", and a
/// mark per rule for its rules table.
#[derive(Clone, Debug, Default, Serialize)]
pub struct RulesSeen {
    /// Rules the engine ran over every sample event (the `M` of "N of its M rules fired").
    pub ran: usize,
    /// Rules of those that fired at least once.
    pub fired: usize,
    /// Their hits.
    pub hits: u64,
    /// Rules of languages the engine does not run, per language (`Elastic`), counted apart.
    pub no_engine: BTreeMap<String, usize>,
    /// Rules the engine left out (`hunt` skips them the same way).
    pub skipped: usize,
    /// Filters and rules whose matches only feed a correlation: no hits of their own.
    pub no_own_hits: usize,
    /// The rules that fired, most hits first: page URL and hits.
    pub rules: Vec<FiredRule>,
    /// Per rule of the page (position in the catalog): its mark in the rules table.
    #[serde(skip)]
    pub marks: HashMap<usize, Mark>,
}

/// A rule that fired, in a page's JSON.
#[derive(Clone, Debug, Serialize)]
pub struct FiredRule {
    /// Its id.
    pub id: String,
    /// Its title.
    pub title: String,
    /// Its page.
    pub url: String,
    /// Its hits.
    pub hits: u64,
}

/// A rule's mark in a rules table with sample data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mark {
    /// It ran: its hits (0: never fired).
    Hits(u64),
    /// Not run: no engine for its language.
    NoEngine(String),
    /// Not run on its own (skipped, a filter, or it only feeds a correlation).
    NotRun,
}

/// What `rules` did on the samples.
pub fn rules_seen(ctx: &Ctx<'_>, s: &Samples, rules: &[usize]) -> RulesSeen {
    let mut seen = RulesSeen::default();
    for &i in rules {
        let Some(rs) = s.rules.get(i) else { continue };
        let mark = match &rs.status {
            RunStatus::Ran => {
                seen.ran += 1;
                if rs.hits > 0 {
                    seen.fired += 1;
                    seen.hits += rs.hits;
                    let r = &ctx.cat.rules[i];
                    let (id, title) = (r.id.clone(), r.title.clone());
                    seen.rules.push(FiredRule { id, title, url: ctx.rule_urls[i].clone(), hits: rs.hits });
                }
                Mark::Hits(rs.hits)
            }
            RunStatus::NoEngine(lang) => {
                *seen.no_engine.entry(lang.clone()).or_default() += 1;
                Mark::NoEngine(lang.clone())
            }
            RunStatus::Skipped(_) => {
                seen.skipped += 1;
                Mark::NotRun
            }
            RunStatus::Filter | RunStatus::Correlated => {
                seen.no_own_hits += 1;
                Mark::NotRun
            }
        };
        seen.marks.insert(i, mark);
    }
    seen.rules.sort_by(|a, b| b.hits.cmp(&a.hits).then_with(|| a.url.cmp(&b.url)));
    seen
}

/// A page's "Seen in sample data" summary: `N of its M rules fired on the sample data (H hits)`,
/// then the rules not run, each kind apart.
pub fn rules_seen_html(out: &mut String, seen: &RulesSeen, root: &str) {
    out.push_str(
        "\n<section id=\"samples\" aria-labelledby=\"h-samples\">\n<h2 id=\"h-samples\">Seen in sample data</h2>\n<p>",
    );
    if seen.ran == 0 {
        out.push_str("None of its rules ran on the ");
    } else {
        out.push_str("<strong>");
        num(out, seen.fired);
        out.push_str(" of its ");
        counted_noun(out, seen.ran, "rule", "rules");
        out.push_str("</strong> fired on the ");
    }
    a(out, root, "samples/index.html", "sample data");
    if seen.fired > 0 {
        out.push_str(" (");
        counted_noun(out, seen.hits as usize, "hit", "hits");
        out.push(')');
    }
    out.push('.');
    if seen.ran > seen.fired {
        out.push(' ');
        num(out, seen.ran - seen.fired);
        out.push_str(" never fired (");
        a(out, root, "samples/never-fired/index.html", "all rules never exercised");
        out.push_str(").");
    }
    out.push_str("</p>");
    let mut apart: Vec<String> = Vec::new();
    for (lang, n) in &seen.no_engine {
        let rules = if *n == 1 { "rule" } else { "rules" };
        apart.push(format!("{n} {lang} {rules}: no engine for {lang} rules yet"));
    }
    if seen.skipped > 0 {
        apart.push(format!("{} skipped by the engine", seen.skipped));
    }
    if seen.no_own_hits > 0 {
        apart.push(format!("{} with no hits of their own (filters, or feeding a correlation)", seen.no_own_hits));
    }
    if !apart.is_empty() {
        out.push_str("\n<p class=\"note\">Not run: ");
        esc(out, &apart.join("; "));
        out.push_str(".</p>");
    }
    out.push_str("\n</section>");
}

// ------------------------------------------------------------------------------------------
// Rules that read exactly the same events.

/// Groups of two rules or more that read exactly the same events (as the catalog's
/// `neighbors.same_events` counts them), each with a page.
#[derive(Debug, Default)]
pub struct SameEvents {
    /// Per rule: its group, when it is in one.
    pub group_of: Vec<Option<usize>>,
    /// The groups: their rules (positions in the catalog), events, page.
    pub groups: Vec<SameEventsGroup>,
}

/// Rules reading the same events.
#[derive(Debug)]
pub struct SameEventsGroup {
    /// The rules.
    pub rules: Vec<usize>,
    /// The events, as (channel, event id).
    pub events: Vec<(String, Option<u32>)>,
    /// The page (site-relative).
    pub url: String,
}

impl SameEvents {
    /// The groups of `cat`.
    pub fn new(cat: &Catalog) -> SameEvents {
        let mut by_events: BTreeMap<Vec<(String, Option<u32>)>, Vec<usize>> = BTreeMap::new();
        for (i, r) in cat.rules.iter().enumerate() {
            if r.events.is_empty() {
                continue;
            }
            let mut key: Vec<(String, Option<u32>)> =
                r.events.iter().map(|e| (e.channel.clone(), e.event_id)).collect();
            key.sort();
            key.dedup();
            by_events.entry(key).or_default().push(i);
        }
        let mut out = SameEvents { group_of: vec![None; cat.rules.len()], groups: Vec::new() };
        let mut taken = HashSet::new();
        for (events, rules) in by_events.into_iter().filter(|(_, r)| r.len() > 1) {
            let name: Vec<String> =
                events.iter().map(|(c, id)| id.map_or_else(|| c.clone(), |n| format!("{c} {n}"))).collect();
            let base = paths::slugify(&name.join(" "));
            let mut slug = base.clone();
            let mut n = 2;
            while !taken.insert(slug.clone()) {
                slug = format!("{base}-{n}");
                n += 1;
            }
            let g = out.groups.len();
            for &i in &rules {
                out.group_of[i] = Some(g);
            }
            out.groups.push(SameEventsGroup {
                rules,
                events,
                url: format!("same-events/{}/index.html", crate::html::pct(&slug)),
            });
        }
        out
    }

    /// The page of rule `i`'s group.
    pub fn url_of(&self, i: usize) -> Option<&str> {
        self.group_of.get(i).copied().flatten().map(|g| self.groups[g].url.as_str())
    }
}

/// The title of a same-events page: `Rules on Sysmon 1, Security 4688`.
pub fn same_events_title(g: &SameEventsGroup) -> String {
    let names: Vec<String> =
        g.events.iter().map(|(c, id)| id.map_or_else(|| format!("any event of {c}"), |n| format!("{c} {n}"))).collect();
    format!("Rules reading exactly {}", names.join(", "))
}

// ------------------------------------------------------------------------------------------
// Matched predicates, in the page's stage vocabulary.

/// A predicate of a stage that a matched field answers to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchedPredicate {
    /// The event field.
    pub field: String,
    /// Its value in the event.
    pub value: String,
    /// The stages' predicates on that field (`Stage 1 selection: TargetObject|contains: '…'`);
    /// empty when the rule names the field otherwise (the taxonomy mapped it, or a keyword).
    /// At most 3: of many, those whose values the event's value holds.
    pub predicates: Vec<StagePredicate>,
    /// Predicates on the field left out of `predicates`.
    pub more: usize,
}

/// A predicate as the rule page's "Stages and Predicates" names it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StagePredicate {
    /// Stage number.
    pub stage: usize,
    /// The stage's label (`selection`, `1 of selection_*`).
    pub label: String,
    /// The search identifier.
    pub identifier: String,
    /// The predicate in Sigma syntax (`Image|endswith: '\whoami.exe'`).
    pub text: String,
}

fn collect_preds<'t>(t: &'t PredTree, out: &mut Vec<(Option<&'t str>, &'t PredTree)>) {
    match t {
        PredTree::And { items } | PredTree::Or { items } => items.iter().for_each(|i| collect_preds(i, out)),
        PredTree::Not { .. } => {}
        PredTree::Pred { key, .. } => out.push((key.split('|').next(), t)),
        PredTree::Keyword { .. } => out.push((None, t)),
    }
}

/// Values of a predicate a page names; a longer list is named by its count and the values the
/// event's value holds.
const MAX_PRED_VALUES: usize = 3;

fn unquote(v: &str) -> &str {
    v.strip_prefix('\'').and_then(|x| x.strip_suffix('\'')).unwrap_or(v)
}

/// Whether `seen` holds one of the predicate's values (case-insensitive, wildcards at the ends dropped).
fn pred_seen(t: &PredTree, seen: &str) -> bool {
    let values: &[String] = match t {
        PredTree::Pred { values, .. } => values,
        PredTree::Keyword { value } => std::slice::from_ref(value),
        _ => return false,
    };
    let seen = seen.to_lowercase();
    values.iter().any(|v| {
        let v = unquote(v).to_lowercase();
        let v = v.trim_matches('*');
        !v.is_empty() && seen.contains(v)
    })
}

/// A predicate in Sigma syntax, for the event value `seen`: a long list of values is shown as
/// its count and the (at most 3) values found in `seen`.
fn pred_text(t: &PredTree, seen: &str) -> String {
    match t {
        PredTree::Pred { key, values } if values.len() == 1 => format!("{key}: {}", values[0]),
        PredTree::Pred { key, values } if values.len() <= MAX_PRED_VALUES => format!("{key}: [{}]", values.join(", ")),
        PredTree::Pred { key, values } => {
            let seen = seen.to_lowercase();
            let found: Vec<&str> = values
                .iter()
                .filter(|v| {
                    let v = unquote(v).to_lowercase();
                    !v.is_empty() && seen.contains(v.trim_matches('*'))
                })
                .take(MAX_PRED_VALUES)
                .map(String::as_str)
                .collect();
            if found.is_empty() {
                format!("{key}: one of {} values", values.len())
            } else {
                format!("{key}: one of {} values, here {}", values.len(), found.join(", "))
            }
        }
        PredTree::Keyword { value } => format!("keyword {value}"),
        _ => String::new(),
    }
}

/// The engine's matched fields named as the rule page's stages name them: each field with the
/// predicates on it in the positive stages (those whose label does not start with `not`).
pub fn matched_predicates(r: &RuleEntry, matched: &[(String, String)]) -> Vec<MatchedPredicate> {
    let mut preds: Vec<(usize, &str, &str, Option<&str>, &PredTree)> = Vec::new();
    for s in r.stages.iter().filter(|s| s.stage > 0 && !s.label.trim_start().starts_with("not ")) {
        for id in &s.identifiers {
            let mut v = Vec::new();
            collect_preds(&id.tree, &mut v);
            preds.extend(v.into_iter().map(|(f, t)| (s.stage, s.label.as_str(), id.name.as_str(), f, t)));
        }
    }
    matched
        .iter()
        .map(|(field, value)| {
            let mut on: Vec<_> = preds.iter().filter(|p| p.3.is_some_and(|f| f.eq_ignore_ascii_case(field))).collect();
            if on.is_empty() {
                // A keyword matches any field.
                on = preds.iter().filter(|p| p.3.is_none()).collect();
            }
            let total = on.len();
            if total > MAX_PRED_VALUES {
                // Of many (a list written as one predicate per value), those the value holds.
                let seen: Vec<_> = on.iter().copied().filter(|p| pred_seen(p.4, value)).collect();
                if !seen.is_empty() {
                    on = seen;
                }
                on.truncate(MAX_PRED_VALUES);
            }
            let mut predicates: Vec<StagePredicate> = on
                .iter()
                .map(|p| StagePredicate {
                    stage: p.0,
                    label: p.1.into(),
                    identifier: p.2.into(),
                    text: pred_text(p.4, value),
                })
                .collect();
            predicates.dedup();
            MatchedPredicate { field: field.clone(), value: value.clone(), more: total - on.len(), predicates }
        })
        .collect()
}

// ------------------------------------------------------------------------------------------
// JSON.

fn example_json(s: &Samples, r: &RuleEntry, e: &Example) -> Value {
    let file = s.files.get(e.file);
    json!({
        "file": file.map(|f| f.name.as_str()),
        "sample_url": file.map(|f| f.url.as_str()),
        "record_id": e.record_id,
        "line": e.line,
        "timestamp": e.timestamp,
        "computer": e.computer,
        "channel": e.channel,
        "event_id": e.event_id,
        "matched": matched_predicates(r, &e.matched),
        "fields": e.fields.iter().map(|(k, v)| json!([k, v])).collect::<Vec<_>>(),
    })
}

fn status_json(st: &RunStatus) -> (&'static str, Option<&str>) {
    match st {
        RunStatus::Ran => ("ran", None),
        RunStatus::Skipped(why) => ("skipped", Some(why)),
        RunStatus::Filter => ("filter", None),
        RunStatus::NoEngine(lang) => ("no-engine", Some(lang)),
        RunStatus::Correlated => ("correlated", None),
    }
}

/// What a rule's JSON says of the samples: status, hits, files, first events with their matched
/// predicates, co-firing rules.
pub fn rule_json(ctx: &Ctx<'_>, s: &Samples, i: usize) -> Value {
    let Some(rs) = s.rules.get(i) else { return Value::Null };
    let r = &ctx.cat.rules[i];
    let (status, why) = status_json(&rs.status);
    json!({
        "status": status,
        "reason": why,
        "hits": rs.hits,
        "files": rs.files.iter().map(|&(f, n)| json!({
            "file": s.files[f].name, "url": s.files[f].url, "hits": n
        })).collect::<Vec<_>>(),
        "events": rs.examples.iter().map(|e| example_json(s, r, e)).collect::<Vec<_>>(),
        "fires_together": rs.together.iter().map(|c| {
            let o = &ctx.cat.rules[c.rule];
            json!({"id": o.id, "title": o.title, "url": ctx.rule_urls[c.rule], "same_event": c.same_event, "nearby": c.nearby})
        }).collect::<Vec<_>>(),
    })
}

/// A sample file's JSON.
pub fn sample_json(ctx: &Ctx<'_>, s: &Samples, k: usize) -> Value {
    let f = &s.files[k];
    json!({
        "file": f.name,
        "events": f.events,
        "hits": f.rules.iter().map(|r| r.1).sum::<u64>(),
        "event_ids": f.event_ids,
        "rules": f.rules.iter().map(|&(i, n)| {
            let r = &ctx.cat.rules[i];
            json!({"id": r.id, "title": r.title, "url": ctx.rule_urls[i], "level": r.level.map(|l| l.as_str()), "hits": n})
        }).collect::<Vec<_>>(),
        "problems": f.problems,
    })
}

/// The samples index's JSON.
pub fn index_json(ctx: &Ctx<'_>, s: &Samples) -> Value {
    json!({
        "events": s.events,
        "hits": s.hits,
        "rules_fired": s.fired(),
        "files": s.files.iter().map(|f| json!({
            "file": f.name, "url": f.url, "json": f.json_url, "events": f.events,
            "rules": f.rules.len(), "hits": f.rules.iter().map(|r| r.1).sum::<u64>(),
        })).collect::<Vec<_>>(),
        "never_fired": s.never_fired().into_iter().map(|i| &ctx.cat.rules[i].id).collect::<Vec<_>>(),
        "undetected": s.undetected().into_iter().map(|k| &s.files[k].name).collect::<Vec<_>>(),
    })
}

// ------------------------------------------------------------------------------------------
// HTML.

fn cut(s: &str, max: usize) -> (&str, bool) {
    match s.char_indices().nth(max) {
        Some((at, _)) => (&s[..at], true),
        None => (s, false),
    }
}

fn where_of(out: &mut String, s: &Samples, e: &Example, root: &str) {
    if let Some(f) = s.files.get(e.file) {
        a(out, root, &f.url, &f.name);
    }
    if let Some(n) = e.record_id {
        out.push_str(", record ");
        out.push_str(itoa::Buffer::new().format(n));
    } else if let Some(n) = e.line {
        out.push_str(", line ");
        out.push_str(itoa::Buffer::new().format(n));
    }
    if let Some(id) = &e.event_id {
        out.push_str(", event ID ");
        esc(out, id);
    }
    if let Some(c) = &e.channel {
        out.push_str(" (");
        esc(out, c);
        out.push(')');
    }
    if let Some(t) = &e.timestamp {
        out.push_str(", ");
        esc(out, t);
    }
    if let Some(c) = &e.computer {
        out.push_str(" on ");
        esc(out, c);
    }
}

/// A rule page's "Seen in sample data" section (rule `i`), links after `root`.
pub fn rule_section(out: &mut String, ctx: &Ctx<'_>, s: &Samples, i: usize, root: &str) {
    let Some(rs) = s.rules.get(i) else { return };
    let r = &ctx.cat.rules[i];
    out.push_str(
        "\n\n<section id=\"samples\" aria-labelledby=\"h-samples\">\n<h2 id=\"h-samples\">Seen in sample data</h2>\n<p>",
    );
    match &rs.status {
        RunStatus::NoEngine(lang) => {
            out.push_str("No engine for ");
            esc(out, lang);
            out.push_str(" rules yet: this rule was not run on the ");
            a(out, root, "samples/index.html", "sample data");
            out.push_str(".</p>\n</section>");
            return;
        }
        RunStatus::Filter => {
            out.push_str(
                "A filter is not run on its own: it changes the rules it names, whose pages show their hits on the ",
            );
            a(out, root, "samples/index.html", "sample data");
            out.push_str(".</p>\n</section>");
            return;
        }
        RunStatus::Skipped(why) => {
            out.push_str("Not run on the ");
            a(out, root, "samples/index.html", "sample data");
            out.push_str(": <code>detwiki hunt</code> skips this rule (");
            esc(out, why);
            out.push_str(").</p>\n</section>");
            return;
        }
        RunStatus::Correlated => {
            out.push_str(
                "Its matches feed a correlation rule and, as in <code>detwiki hunt</code>, give no hit of their own \
                 (<code>generate: true</code> in the correlation would report them): see the correlation rule's \
                 hits in the ",
            );
            a(out, root, "samples/index.html", "sample data");
            out.push_str(".</p>\n</section>");
            return;
        }
        RunStatus::Ran => {}
    }
    if rs.hits == 0 {
        out.push_str("Never fired on the ");
        a(out, root, "samples/index.html", "sample data");
        out.push_str(" (");
        counted_noun(out, s.files.len(), "file", "files");
        out.push_str(", ");
        counted_noun(out, s.events as usize, "event", "events");
        out.push_str(").</p>\n</section>");
        return;
    }
    out.push_str("<strong>");
    counted_noun(out, rs.hits as usize, "hit", "hits");
    out.push_str("</strong> in ");
    counted_noun(out, rs.files.len(), "file", "files");
    out.push_str(" of the ");
    a(out, root, "samples/index.html", "sample data");
    out.push_str(" (");
    counted_noun(out, s.events as usize, "event", "events");
    out.push_str(" in ");
    counted_noun(out, s.files.len(), "file", "files");
    out.push_str(").</p>\n<div class=\"tablewrap\"><table class=\"counted\">\n<thead><tr><th scope=\"col\">Sample file</th><th scope=\"col\" class=\"num\">Hits</th></tr></thead>\n<tbody>");
    for &(f, n) in &rs.files {
        out.push_str("\n<tr><td>");
        a(out, root, &s.files[f].url, &s.files[f].name);
        out.push_str("</td><td class=\"num\">");
        out.push_str(itoa::Buffer::new().format(n));
        out.push_str("</td></tr>");
    }
    out.push_str("\n</tbody></table></div>");
    if rs.examples.is_empty() {
        out.push_str("\n</section>");
        return;
    }
    out.push_str("\n<h3>");
    if rs.examples.len() as u64 == rs.hits {
        out.push_str("The matching events");
    } else {
        out.push_str("The first ");
        num(out, rs.examples.len());
        out.push_str(" matching events");
    }
    out.push_str("</h3>");
    let start = out.len();
    for (k, e) in rs.examples.iter().enumerate() {
        out.push_str("\n<div class=\"sample-hit\">\n<p class=\"where\">");
        num(out, k + 1);
        out.push_str(". ");
        where_of(out, s, e, root);
        out.push_str("</p>\n<p>Matched predicates:</p>\n<ul class=\"matched\">");
        let matched = matched_predicates(r, &e.matched);
        for m in &matched {
            out.push_str("\n<li>");
            if m.predicates.is_empty() {
                out.push_str("<span class=\"muted\">");
                esc(out, if e.fields.is_empty() { "correlated on" } else { "through the field mapping" });
                out.push_str("</span> ");
            }
            for (pi, p) in m.predicates.iter().enumerate() {
                if pi > 0 {
                    out.push_str(" or ");
                }
                out.push_str("Stage ");
                num(out, p.stage);
                out.push_str(" <code>");
                esc(out, &p.label);
                out.push_str("</code>");
                if p.identifier != p.label {
                    out.push_str(" › <code>");
                    esc(out, &p.identifier);
                    out.push_str("</code>");
                }
                out.push_str(": <code>");
                esc(out, &p.text);
                out.push_str("</code>");
            }
            if m.more > 0 {
                out.push_str(" <span class=\"muted\">(and ");
                num(out, m.more);
                out.push_str(" more on this field)</span>");
            }
            out.push_str(" ← <code>");
            esc(out, &m.field);
            out.push_str("</code> = <code class=\"val\">");
            let (v, more) = cut(&m.value, MAX_VALUE_CHARS);
            esc(out, v);
            if more {
                out.push('…');
            }
            out.push_str("</code></li>");
        }
        if matched.is_empty() {
            out.push_str(
                "\n<li class=\"muted\">(the engine names no field: the rule's condition holds without one)</li>",
            );
        }
        out.push_str("\n</ul>");
        if !e.fields.is_empty() {
            if out.len() - start > MAX_FIELD_TABLE_BYTES {
                out.push_str("\n<p class=\"muted\">Its other fields are in the ");
                a(out, root, &paths::rule_json_url(r), "rule's JSON");
                out.push_str(".</p>");
            } else {
                out.push_str(if k == 0 { "\n<details open>" } else { "\n<details>" });
                out.push_str("<summary>Event fields (");
                num(out, e.fields.len());
                out.push_str(")</summary>\n<div class=\"tablewrap\"><table class=\"fields\">\n<tbody>");
                for (name, value) in e.fields.iter().take(MAX_FIELDS) {
                    let hit = e.matched.iter().any(|(n, _)| n == name);
                    out.push_str(if hit {
                        "\n<tr class=\"hit\"><th scope=\"row\">"
                    } else {
                        "\n<tr><th scope=\"row\">"
                    });
                    esc(out, name);
                    out.push_str("</th><td><code class=\"val\">");
                    let (v, more) = cut(value, MAX_VALUE_CHARS);
                    esc(out, v);
                    if more {
                        out.push('…');
                    }
                    out.push_str("</code></td></tr>");
                }
                out.push_str("\n</tbody></table></div>");
                if e.fields.len() > MAX_FIELDS {
                    out.push_str("\n<p class=\"muted\">… ");
                    num(out, e.fields.len() - MAX_FIELDS);
                    out.push_str(" more fields in the ");
                    a(out, root, &paths::rule_json_url(r), "rule's JSON");
                    out.push_str(".</p>");
                }
                out.push_str("\n</details>");
            }
        }
        out.push_str("\n</div>");
    }
    out.push_str("\n</section>");
}

/// The "Fires together" part of a rule page's Neighbors.
pub fn fires_together_html(out: &mut String, ctx: &Ctx<'_>, s: &Samples, i: usize, root: &str) {
    let Some(rs) = s.rules.get(i) else { return };
    out.push_str("\n<h3 id=\"fires-together\">Fires together</h3>");
    if rs.together.is_empty() {
        out.push_str("\n<p class=\"none\">");
        out.push_str(if rs.hits == 0 {
            "No hit in the sample data."
        } else {
            "No other rule fired on the same events, or within a minute on the same host."
        });
        out.push_str("</p>");
        return;
    }
    out.push_str("\n<p class=\"note\">Rules that fired on the same sample events as this one, or within ");
    out.push_str(itoa::Buffer::new().format(WINDOW_SECONDS));
    out.push_str(
        " s on the same host: how many of this rule's hits had one of theirs nearby.</p>\n<ul class=\"together\">",
    );
    for c in &rs.together {
        out.push_str("\n<li>");
        a(out, root, &ctx.rule_urls[c.rule], &ctx.cat.rules[c.rule].title);
        out.push_str(" <span class=\"muted\">(");
        out.push_str(itoa::Buffer::new().format(c.nearby));
        out.push_str(" of ");
        counted_noun(out, rs.hits as usize, "hit", "hits");
        if c.same_event > 0 {
            out.push_str(", ");
            out.push_str(itoa::Buffer::new().format(c.same_event));
            out.push_str(" on the same event");
        }
        out.push_str(")</span></li>");
    }
    out.push_str("\n</ul>");
}

fn crumbs(out: &mut String, root: &str, here: Option<&str>) {
    out.push_str("\n<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol>\n<li>");
    a(out, root, "index.html", "Detection wiki");
    out.push_str("</li>");
    if here.is_some() {
        out.push_str("\n<li>");
        a(out, root, "samples/index.html", "Sample data");
        out.push_str("</li>");
    }
    out.push_str("\n</ol></nav>");
}

fn rule_hits_table(out: &mut String, ctx: &Ctx<'_>, rules: &[(usize, u64)], root: &str) {
    out.push_str("\n<div class=\"tablewrap\"><table class=\"rules\">\n<thead><tr><th scope=\"col\">Rule</th><th scope=\"col\">Level</th><th scope=\"col\" class=\"num\">Hits</th></tr></thead>\n<tbody>");
    for &(i, n) in rules {
        out.push_str("\n<tr><td>");
        a(out, root, &ctx.rule_urls[i], &ctx.cat.rules[i].title);
        out.push_str("</td><td>");
        esc(out, ctx.cat.rules[i].level.map_or("", |l| l.as_str()));
        out.push_str("</td><td class=\"num\">");
        out.push_str(itoa::Buffer::new().format(n));
        out.push_str("</td></tr>");
    }
    out.push_str("\n</tbody></table></div>");
}

/// The page of sample file `k`.
pub fn sample_page(out: &mut String, ctx: &Ctx<'_>, s: &Samples, k: usize, root: &str) {
    let f = &s.files[k];
    crumbs(out, root, Some(&f.name));
    out.push_str("\n<h1><span class=\"kind\">Sample</span> ");
    esc(out, &f.name);
    out.push_str("</h1>\n<dl class=\"facts\">\n<div><dt>Events</dt><dd>");
    out.push_str(itoa::Buffer::new().format(f.events));
    out.push_str("</dd></div>\n<div><dt>Hits</dt><dd>");
    out.push_str(itoa::Buffer::new().format(f.rules.iter().map(|r| r.1).sum::<u64>()));
    out.push_str("</dd></div>\n<div><dt>Rules fired</dt><dd>");
    num(out, f.rules.len());
    out.push_str("</dd></div>\n<div><dt>JSON</dt><dd>");
    a(out, root, &f.json_url, "this page as JSON");
    out.push_str("</dd></div>\n</dl>");
    if !f.problems.is_empty() {
        out.push_str("\n<section id=\"problems\">\n<h2>Read problems</h2>\n<ul>");
        for p in &f.problems {
            out.push_str("\n<li>");
            esc(out, p);
            out.push_str("</li>");
        }
        out.push_str("\n</ul>\n</section>");
    }
    out.push_str("\n<section id=\"rules-fired\">\n<h2>Rules that fired</h2>");
    if f.rules.is_empty() {
        out.push_str("\n<p class=\"none\">No rule fired on this file.</p>");
    } else {
        rule_hits_table(out, ctx, &f.rules, root);
    }
    out.push_str("\n</section>\n<section id=\"sample-events\">\n<h2>Events by provider and event ID</h2>");
    if f.event_ids.is_empty() {
        out.push_str("\n<p class=\"none\">No event was read.</p>");
    } else {
        out.push_str("\n<div class=\"tablewrap\"><table>\n<thead><tr><th scope=\"col\">Provider</th><th scope=\"col\">Channel</th><th scope=\"col\">Event ID</th><th scope=\"col\" class=\"num\">Events</th></tr></thead>\n<tbody>");
        for e in &f.event_ids {
            out.push_str("\n<tr><td>");
            esc(out, &e.provider);
            out.push_str("</td><td>");
            esc(out, &e.channel);
            out.push_str("</td><td>");
            match event_page(ctx, e) {
                Some(url) => a(out, root, url, &e.event_id),
                None => esc(out, &e.event_id),
            }
            out.push_str("</td><td class=\"num\">");
            out.push_str(itoa::Buffer::new().format(e.count));
            out.push_str("</td></tr>");
        }
        out.push_str("\n</tbody></table></div>");
    }
    out.push_str("\n</section>\n");
}

/// The event page of an event count, when the catalog has one (by channel and event id).
fn event_page<'c>(ctx: &Ctx<'c>, e: &EventCount) -> Option<&'c String> {
    let id: u32 = e.event_id.trim().parse().ok()?;
    let derived: &'c crate::views::Derived = ctx.derived;
    ctx.cat
        .index
        .events
        .iter()
        .find(|(_, ev)| ev.event_id == Some(id) && ev.channel.eq_ignore_ascii_case(&e.channel))
        .and_then(|(key, _)| derived.paths.events.get(key))
}

/// The index of the sample files.
pub fn index_page(out: &mut String, s: &Samples, root: &str) {
    crumbs(out, root, None);
    out.push_str("\n<h1><span class=\"kind\">Sample data</span> What the rules found</h1>\n<p>");
    counted_noun(out, s.events as usize, "event", "events");
    out.push_str(" in ");
    counted_noun(out, s.files.len(), "file", "files");
    out.push_str(", run through the same engine as <code>detwiki hunt</code>: ");
    counted_noun(out, s.hits as usize, "hit", "hits");
    out.push_str(" from ");
    counted_noun(out, s.fired(), "rule", "rules");
    out.push_str(".</p>");
    let undetected = s.undetected();
    let never = s.never_fired();
    out.push_str("\n<ul>\n<li><a href=\"#files\">Sample files</a></li>\n<li><a href=\"#undetected\">Samples no rule detects</a> (");
    num(out, undetected.len());
    out.push_str(")</li>\n<li>");
    a(out, root, "samples/never-fired/index.html", "Rules never exercised by any sample");
    out.push_str(" (");
    num(out, never.len());
    out.push_str(")</li>\n</ul>\n<section id=\"files\">\n<h2>Sample files</h2>\n<div class=\"tablewrap\"><table>\n<thead><tr><th scope=\"col\">File</th><th scope=\"col\" class=\"num\">Events</th><th scope=\"col\" class=\"num\">Rules fired</th><th scope=\"col\" class=\"num\">Hits</th></tr></thead>\n<tbody>");
    for f in &s.files {
        out.push_str("\n<tr><td>");
        a(out, root, &f.url, &f.name);
        out.push_str("</td><td class=\"num\">");
        out.push_str(itoa::Buffer::new().format(f.events));
        out.push_str("</td><td class=\"num\">");
        num(out, f.rules.len());
        out.push_str("</td><td class=\"num\">");
        out.push_str(itoa::Buffer::new().format(f.rules.iter().map(|r| r.1).sum::<u64>()));
        out.push_str("</td></tr>");
    }
    out.push_str("\n</tbody></table></div>\n</section>\n<section id=\"undetected\">\n<h2>Samples no rule detects</h2>");
    if undetected.is_empty() {
        out.push_str("\n<p class=\"none\">Every sample file has at least one hit.</p>");
    } else {
        out.push_str("\n<ul>");
        for k in undetected {
            out.push_str("\n<li>");
            a(out, root, &s.files[k].url, &s.files[k].name);
            out.push_str(" <span class=\"muted\">(");
            counted_noun(out, s.files[k].events as usize, "event", "events");
            out.push_str(")</span></li>");
        }
        out.push_str("\n</ul>");
    }
    out.push_str("\n</section>\n");
}

/// The list of rules that ran and never fired, by corpus (a rules page), with a note on the
/// rules that did not run.
pub fn never_fired_intro(s: &Samples) -> String {
    let skipped = s.rules.iter().filter(|r| matches!(r.status, RunStatus::Skipped(_))).count();
    let other = s.rules.iter().filter(|r| matches!(r.status, RunStatus::NoEngine(_))).count();
    format!(
        "{} ran over the sample data without a hit; {} skipped by the engine and {} of languages it does not run are not listed.",
        if s.never_fired().len() == 1 { "1 rule".to_string() } else { format!("{} rules", s.never_fired().len()) },
        skipped,
        other
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(rule: usize, event: (usize, u64), computer: &str, secs: i128) -> HitPoint {
        HitPoint { rule, event, computer: Some(computer.into()), time: Some(secs * 1_000_000_000) }
    }

    #[test]
    fn a_long_list_of_values_is_named_by_its_count_and_the_values_seen() {
        let values: Vec<String> = (0..500).map(|i| format!("'H{i:04}'")).collect();
        let t = PredTree::Pred { key: "Hashes|contains".into(), values };
        assert_eq!(pred_text(&t, "SHA1=x,MD5=h0042"), "Hashes|contains: one of 500 values, here 'H0042'");
        assert_eq!(pred_text(&t, "none"), "Hashes|contains: one of 500 values");
        let short =
            PredTree::Pred { key: "Image|endswith".into(), values: vec!["'\\a.exe'".into(), "'\\b.exe'".into()] };
        assert_eq!(pred_text(&short, ""), "Image|endswith: ['\\a.exe', '\\b.exe']");
    }

    #[test]
    fn sample_pages_do_not_take_the_index_places() {
        let mut s = Samples::default();
        for name in ["index", "never fired", "a/b & c.evtx", "A B C.evtx"] {
            s.files.push(SampleFile { name: name.into(), ..SampleFile::default() });
        }
        s.finish();
        let urls: Vec<&str> = s.files.iter().map(|f| f.url.as_str()).collect();
        assert_eq!(
            urls,
            [
                "samples/index-file/index.html",
                "samples/never-fired-file/index.html",
                "samples/a-b-c-evtx-2/index.html",
                "samples/a-b-c-evtx/index.html"
            ]
        );
        assert_eq!(s.files[0].json_url, "samples/index-file.json");
    }

    #[test]
    fn rules_fire_together_on_the_same_event_or_within_a_minute_on_the_same_host() {
        let points = [
            p(0, (0, 1), "a", 100),
            p(1, (0, 1), "a", 100),
            p(2, (0, 2), "a", 150),
            p(3, (0, 3), "b", 150),
            p(2, (1, 9), "a", 1000),
            HitPoint { rule: 4, event: (0, 1), computer: None, time: None },
        ];
        let t = fires_together(&points, 5);
        // Rule 0: rule 1 and 4 on its event, rule 2 50 s later on host a; not rule 3 (host b).
        assert_eq!(
            t[0],
            [
                CoFire { rule: 1, same_event: 1, nearby: 1 },
                CoFire { rule: 4, same_event: 1, nearby: 1 },
                CoFire { rule: 2, same_event: 0, nearby: 1 }
            ]
        );
        // Rule 2's second hit (1000 s) is alone.
        assert_eq!(t[2], [CoFire { rule: 0, same_event: 0, nearby: 1 }, CoFire { rule: 1, same_event: 0, nearby: 1 }]);
        assert!(t[3].is_empty());
    }
}
