//! Corpus-wide indexes: corpus counts of every indicator value, rules per
//! tactic, technique, event, logsource, field and author, duplicate groups
//! and neighbors. Rule references are positions in [`crate::Catalog::rules`].

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use rayon::prelude::*;

use detwiki_sigma::condition::{Condition, Quantifier};
use detwiki_sigma::{Detection, DocumentKind, FieldGroup, FieldPredicate, Level, Modifier, SearchBody, Status};
use serde::Serialize;

use crate::indicators::{CorpusCounts, Kind, RowKey, RuleIds, classify};
use crate::{LogsourceRef, Neighbor, RuleEntry};

/// Rules under one tactic.
#[derive(Clone, Debug, Serialize)]
pub struct TacticIndex {
    /// Name as shown.
    pub name: String,
    /// Rule positions.
    pub rules: Vec<usize>,
}

/// Rules under one technique.
#[derive(Clone, Debug, Serialize)]
pub struct TechniqueIndex {
    /// Full name.
    pub name: String,
    /// Tactic ids under which the rules place it.
    pub tactics: Vec<String>,
    /// Rule positions.
    pub rules: Vec<usize>,
}

/// Rules reading one event.
#[derive(Clone, Debug, Serialize)]
pub struct EventIndex {
    /// Provider.
    pub provider: String,
    /// Channel or stream.
    pub channel: String,
    /// Event id.
    pub event_id: Option<u32>,
    /// Title.
    pub title: String,
    /// Rule positions.
    pub rules: Vec<usize>,
}

/// Rules sharing one indicator value.
#[derive(Clone, Debug, Serialize)]
pub struct IndicatorIndex {
    /// Field, kind, transforms, case, polarity.
    #[serde(flatten)]
    pub key: RowKey,
    /// The value as shown (from the first rule that has it).
    pub value: String,
    /// The comparison key (normalised value), as in [`crate::IndicatorValue::norm`]:
    /// with `key` it identifies the indicator, so pages can link a rule's value to it.
    #[serde(skip)]
    pub norm: String,
    /// Rule positions.
    pub rules: Vec<usize>,
}

/// All indexes.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Index {
    /// Tactic id → rules.
    pub tactics: BTreeMap<String, TacticIndex>,
    /// Technique id → rules.
    pub techniques: BTreeMap<String, TechniqueIndex>,
    /// `provider|channel|event id` → rules.
    pub events: BTreeMap<String, EventIndex>,
    /// Logsource label (`windows/process_creation`) → rules.
    pub logsources: BTreeMap<String, Vec<usize>>,
    /// Field → rules using it (positive or exclusion).
    pub fields: BTreeMap<String, Vec<usize>>,
    /// Author → rules (authors split on commas).
    pub authors: BTreeMap<String, Vec<usize>>,
    /// Every indicator value, most shared first.
    pub indicators: Vec<IndicatorIndex>,
    /// Groups of rules with equivalent matching logic.
    pub duplicates: Vec<Vec<usize>>,
    /// Rule counts by level, status, product, corpus.
    pub counts: BTreeMap<&'static str, BTreeMap<String, usize>>,
}

fn push(v: &mut Vec<usize>, i: usize) {
    if v.last() != Some(&i) {
        v.push(i);
    }
}

/// Build the indexes and fill every rule's corpus counts, duplicates, neighbors and related titles.
pub fn build(rules: &mut [RuleEntry], corpus_names: &[String]) -> Index {
    // The per-rule indexes and the indicator index only read the rules: build them side by side.
    let rules_ro: &[RuleEntry] = rules;
    let (mut ix, tables) = rayon::join(|| rule_maps(rules_ro), || indicator_tables(rules_ro, corpus_names));
    let IndicatorTables { value_ids, sorted_pos, shared, indicators } = tables;
    ix.indicators = indicators;
    // Every rule's values get their shared counts, in parallel (`value_ids` is in rule order).
    let mut offsets = Vec::with_capacity(rules.len());
    let mut at = 0;
    for r in rules.iter() {
        offsets.push(at);
        at += r.indicators.iter().map(|row| row.values.len()).sum::<usize>();
    }
    rules.par_iter_mut().zip(offsets).for_each(|(r, mut at)| {
        for row in &mut r.indicators {
            for v in &mut row.values {
                let id = value_ids[at] as usize;
                at += 1;
                let (ids_of, per) = &shared[id];
                v.key_id = sorted_pos[id];
                v.corpus_count = ids_of.len();
                v.rules = ids_of.clone();
                v.by_corpus = per.clone();
            }
        }
    });
    duplicates_and_neighbors(rules, &mut ix);
    resolve_related(rules);
    ix
}

/// The indicator index and what each rule's values need from it.
struct IndicatorTables {
    /// The interned id of every value of every rule, in rule/row/value order.
    value_ids: Vec<u32>,
    /// Position in `indicators` of each interned id.
    sorted_pos: Vec<usize>,
    /// Per interned id: the ids of the rules having it (rendered once) and their count per corpus.
    shared: Vec<(RuleIds, CorpusCounts)>,
    /// Every indicator, most shared first (then by row key and value).
    indicators: Vec<IndicatorIndex>,
}

fn indicator_tables(rules: &[RuleEntry], corpus_names: &[String]) -> IndicatorTables {
    let Interned { ids: value_ids, firsts, lists, row_keys } = intern(rules);
    // Rank the (few) distinct row keys once, so the sort compares numbers, then values.
    let mut by_key: Vec<u32> = (0..row_keys.len() as u32).collect();
    by_key.sort_unstable_by(|&a, &b| row_keys[a as usize].cmp(row_keys[b as usize]));
    let mut rank = vec![0u32; row_keys.len()];
    for (r, &k) in by_key.iter().enumerate() {
        rank[k as usize] = r as u32;
    }
    let value_of = |id: usize| {
        let f = &firsts[id];
        &rules[f.rule].indicators[f.row].values[f.value]
    };
    let mut order: Vec<(std::cmp::Reverse<usize>, u32, &str, u32)> = (0..lists.len())
        .map(|id| {
            (std::cmp::Reverse(lists[id].len()), rank[firsts[id].key as usize], value_of(id).value.as_str(), id as u32)
        })
        .collect();
    order.par_sort_unstable();
    let mut sorted_pos = vec![0; lists.len()];
    for (pos, o) in order.iter().enumerate() {
        sorted_pos[o.3 as usize] = pos;
    }
    // One id list (rendered once) and per-corpus count per indicator, shared by every rule that has it.
    let ids: Vec<Arc<str>> = rules.iter().map(|r| Arc::from(r.id.as_str())).collect();
    let names: Vec<Arc<str>> = corpus_names.iter().map(|n| Arc::from(n.as_str())).collect();
    // The per-corpus counts take few distinct values ({"sigma": 1} most of all): share those too.
    let mut per_corpus: HashMap<Vec<u32>, CorpusCounts> = HashMap::new();
    let mut counts = vec![0u32; names.len()];
    let per: Vec<CorpusCounts> = lists
        .iter()
        .map(|list| {
            counts.iter_mut().for_each(|c| *c = 0);
            for &i in list {
                counts[rules[i].corpus_index] += 1;
            }
            if let Some(p) = per_corpus.get(counts.as_slice()) {
                return p.clone();
            }
            let map = counts.iter().zip(&names).filter(|(n, _)| **n > 0).map(|(n, c)| (c.clone(), *n as usize));
            let p = CorpusCounts::new(map.collect());
            per_corpus.insert(counts.clone(), p.clone());
            p
        })
        .collect();
    let shared = lists
        .par_iter()
        .zip(per)
        .map(|(list, per)| (RuleIds::new(list.iter().map(|&i| ids[i].clone()).collect()), per))
        .collect();
    let mut lists = lists;
    let sorted_lists: Vec<Vec<usize>> = order.iter().map(|o| std::mem::take(&mut lists[o.3 as usize])).collect();
    let indicators = order
        .par_iter()
        .zip(sorted_lists)
        .map(|(o, rules_of)| {
            let id = o.3 as usize;
            let v = value_of(id);
            IndicatorIndex {
                key: row_keys[firsts[id].key as usize].clone(),
                value: v.value.clone(),
                norm: v.norm.clone(),
                rules: rules_of,
            }
        })
        .collect();
    IndicatorTables { value_ids, sorted_pos, shared, indicators }
}

/// Where an interned value first occurs.
struct First {
    rule: usize,
    row: usize,
    value: usize,
    /// Its row key's interned id.
    key: u32,
}

/// Indicator values interned across the catalog.
struct Interned<'a> {
    /// The interned id of every value of every rule, in rule/row/value order.
    ids: Vec<u32>,
    /// Where each interned value first occurs.
    firsts: Vec<First>,
    /// The rules having each interned value, in rule order.
    lists: Vec<Vec<usize>>,
    /// The distinct row keys.
    row_keys: Vec<&'a RowKey>,
}

/// Intern (row key, normalised value) pairs in rule order; the first rule with a value gives its display form.
fn intern(rules: &[RuleEntry]) -> Interned<'_> {
    type Fast = foldhash::fast::RandomState;
    let total: usize = rules.iter().flat_map(|r| &r.indicators).map(|row| row.values.len()).sum();
    let mut keys: HashMap<&RowKey, u32, Fast> = HashMap::default();
    let mut map: HashMap<(u32, &str), u32, Fast> = HashMap::with_capacity_and_hasher(total, Default::default());
    let mut out =
        Interned { ids: Vec::with_capacity(total), firsts: Vec::new(), lists: Vec::new(), row_keys: Vec::new() };
    for (i, r) in rules.iter().enumerate() {
        for (ri, row) in r.indicators.iter().enumerate() {
            let key = *keys.entry(&row.key).or_insert_with(|| {
                out.row_keys.push(&row.key);
                (out.row_keys.len() - 1) as u32
            });
            for (vi, v) in row.values.iter().enumerate() {
                let id = *map.entry((key, v.norm.as_str())).or_insert_with(|| {
                    out.firsts.push(First { rule: i, row: ri, value: vi, key });
                    out.lists.push(Vec::new());
                    (out.lists.len() - 1) as u32
                });
                out.ids.push(id);
                push(&mut out.lists[id as usize], i);
            }
        }
    }
    out
}

/// Rules per tactic, technique, event, logsource, author and field, and the counts.
fn rule_maps(rules: &[RuleEntry]) -> Index {
    /// `map[key]`, cloning the key only the first time it is seen.
    fn slot<'m, V: Default>(map: &'m mut BTreeMap<String, V>, key: &str) -> &'m mut V {
        if !map.contains_key(key) {
            map.insert(key.to_string(), V::default());
        }
        map.get_mut(key).expect("just inserted")
    }
    let mut ix = Index::default();
    let mut key = String::new();
    for (i, r) in rules.iter().enumerate() {
        for row in &r.attack {
            if !ix.tactics.contains_key(&row.tactic_id) {
                let t = TacticIndex { name: row.tactic.clone(), rules: Vec::new() };
                ix.tactics.insert(row.tactic_id.clone(), t);
            }
            push(&mut ix.tactics.get_mut(&row.tactic_id).expect("inserted").rules, i);
            for tech in &row.techniques {
                if !ix.techniques.contains_key(&tech.id) {
                    let t = TechniqueIndex { name: tech.name.clone(), tactics: Vec::new(), rules: Vec::new() };
                    ix.techniques.insert(tech.id.clone(), t);
                }
                let e = ix.techniques.get_mut(&tech.id).expect("inserted");
                if !e.tactics.contains(&row.tactic_id) {
                    e.tactics.push(row.tactic_id.clone());
                }
                push(&mut e.rules, i);
            }
        }
        for e in &r.events {
            key.clear();
            let _ = write!(key, "{}|{}|", e.provider, e.channel);
            if let Some(n) = e.event_id {
                let _ = write!(key, "{n}");
            }
            if !ix.events.contains_key(&key) {
                let entry = EventIndex {
                    provider: e.provider.clone(),
                    channel: e.channel.clone(),
                    event_id: e.event_id,
                    title: e.title.clone(),
                    rules: Vec::new(),
                };
                ix.events.insert(key.clone(), entry);
            }
            push(&mut ix.events.get_mut(&key).expect("inserted").rules, i);
        }
        if r.kind == DocumentKind::Rule {
            push(slot(&mut ix.logsources, &r.logsource.label()), i);
        }
        for a in r.author.iter().flat_map(|a| a.split(',')).map(str::trim).filter(|a| !a.is_empty()) {
            push(slot(&mut ix.authors, a), i);
        }
        for row in &r.indicators {
            if let Some(f) = &row.key.field {
                push(slot(&mut ix.fields, f), i);
            }
        }
        let product = r.logsource.product.as_deref().unwrap_or("none");
        let counts = [
            ("level", r.level.map_or("none", Level::as_str)),
            ("status", r.status.map_or("none", Status::as_str)),
            ("product", product),
            ("corpus", r.corpus.as_str()),
            ("kind", r.kind.as_str()),
        ];
        for (name, value) in counts {
            *slot(ix.counts.entry(name).or_default(), value) += 1;
        }
    }
    ix
}

fn resolve_related(rules: &mut [RuleEntry]) {
    let by_id: HashMap<&str, usize> = rules.iter().enumerate().map(|(i, r)| (r.id.as_str(), i)).collect();
    let found: Vec<(usize, usize, String, String)> = rules
        .iter()
        .enumerate()
        .flat_map(|(i, r)| r.related.iter().enumerate().map(move |(k, rel)| (i, k, rel)))
        .filter_map(|(i, k, rel)| {
            let t = &rules[*by_id.get(rel.id.as_str())?];
            Some((i, k, t.title.clone(), format!("{}/{}", t.corpus, t.slug)))
        })
        .collect();
    for (i, k, title, slug) in found {
        rules[i].related[k].title = Some(title);
        rules[i].related[k].slug = Some(slug);
    }
}

fn duplicates_and_neighbors(rules: &mut [RuleEntry], ix: &mut Index) {
    let sigs: Vec<Option<(LogsourceRef, u128)>> = rules
        .par_iter()
        .map(|r| {
            r.logic.map(|sig| {
                let lower = |p: &Option<String>| p.as_ref().map(|p| p.to_lowercase());
                let ls = &r.logsource;
                (
                    LogsourceRef {
                        product: lower(&ls.product),
                        category: lower(&ls.category),
                        service: lower(&ls.service),
                    },
                    sig,
                )
            })
        })
        .collect();
    let mut groups: HashMap<(LogsourceRef, u128), Vec<usize>> = HashMap::new();
    for (i, sig) in sigs.into_iter().enumerate() {
        if let Some(sig) = sig {
            groups.entry(sig).or_default().push(i);
        }
    }
    ix.duplicates = groups.into_values().filter(|g| g.len() > 1).collect();
    ix.duplicates.sort();
    for g in &ix.duplicates {
        for &i in g {
            rules[i].neighbors.duplicates = g.iter().filter(|&&j| j != i).map(|&j| rules[j].id.clone()).collect();
        }
    }
    // Rules on exactly the same events, ranked by shared positive indicator values.
    let mut by_events: HashMap<Vec<(String, Option<u32>)>, Vec<usize>> = HashMap::new();
    for (i, r) in rules.iter().enumerate() {
        if r.events.is_empty() {
            continue;
        }
        let mut key: Vec<(String, Option<u32>)> = r.events.iter().map(|e| (e.channel.clone(), e.event_id)).collect();
        key.sort();
        by_events.entry(key).or_default().push(i);
    }
    let mut group_of = vec![usize::MAX; rules.len()];
    let groups: Vec<Vec<usize>> = by_events.into_values().collect();
    for (g, members) in groups.iter().enumerate() {
        for &i in members {
            group_of[i] = g;
        }
    }
    let rules_ro: &[RuleEntry] = rules;
    let lists = &ix.indicators;
    let closest: Vec<Vec<Neighbor>> = (0..rules_ro.len())
        .into_par_iter()
        .map_init(Scratch::default, |s, i| closest_to(rules_ro, i, lists, &group_of, s))
        .collect();
    for (i, c) in closest.into_iter().enumerate() {
        rules[i].neighbors.closest = c;
        rules[i].neighbors.same_events =
            if group_of[i] == usize::MAX { 0 } else { groups[group_of[i]].len().saturating_sub(1) };
    }
}

/// Counts per rule, reset after each use: cheaper than a map per rule.
#[derive(Default)]
struct Scratch {
    counts: Vec<u32>,
    touched: Vec<usize>,
}

/// The (at most 10) rules on the same events sharing the most positive indicator values with rule `i`.
fn closest_to(
    rules: &[RuleEntry],
    i: usize,
    lists: &[IndicatorIndex],
    group_of: &[usize],
    s: &mut Scratch,
) -> Vec<Neighbor> {
    if group_of[i] == usize::MAX {
        return Vec::new();
    }
    s.counts.resize(rules.len(), 0);
    for row in rules[i].indicators.iter().filter(|row| !row.key.exclusion) {
        for v in &row.values {
            // Values shared by very many rules say little about closeness.
            if v.corpus_count > 200 {
                continue;
            }
            for &j in &lists[v.key_id].rules {
                if j != i && group_of[j] == group_of[i] {
                    if s.counts[j] == 0 {
                        s.touched.push(j);
                    }
                    s.counts[j] += 1;
                }
            }
        }
    }
    let mut list: Vec<(usize, u32)> = s.touched.drain(..).map(|j| (j, std::mem::take(&mut s.counts[j]))).collect();
    list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| rules[a.0].id.cmp(&rules[b.0].id)));
    list.into_iter()
        .take(10)
        .map(|(j, n)| Neighbor { id: rules[j].id.clone(), shared_indicators: n as usize })
        .collect()
}

/// A canonical hash of a detection's matching logic: identifier names and
/// ordering do not matter, values compare as Sigma compares them. Two
/// detections with the same logic have the same signature; different logic
/// gives a different one but for a 128-bit hash collision.
pub fn signature(d: &Detection) -> Option<u128> {
    let names: Vec<&str> = d.identifiers.iter().map(|i| i.name.as_str()).collect();
    let mut terms: Vec<u128> = Vec::new();
    for c in &d.conditions {
        terms.push(canon_condition(c.parsed.as_ref()?, d, &names));
    }
    Some(join(b"or", terms))
}

/// A 128-bit hash of `value` (two independent 64-bit hashes).
fn hash128(value: impl std::hash::Hash) -> u128 {
    use std::hash::BuildHasher;
    const A: foldhash::quality::FixedState = foldhash::quality::FixedState::with_seed(0x5167_6d61_2d63_616e);
    const B: foldhash::quality::FixedState = foldhash::quality::FixedState::with_seed(0x6465_7477_696b_6921);
    (u128::from(A.hash_one(&value)) << 64) | u128::from(B.hash_one(&value))
}

/// Order and repetition do not matter: one item stands for itself.
fn join(op: &[u8], mut items: Vec<u128>) -> u128 {
    items.sort_unstable();
    items.dedup();
    if items.len() == 1 { items[0] } else { hash128((op, items)) }
}

fn canon_condition(c: &Condition, d: &Detection, names: &[&str]) -> u128 {
    match c {
        Condition::Or(v) => join(b"or", v.iter().map(|x| canon_condition(x, d, names)).collect()),
        Condition::And(v) => join(b"and", v.iter().map(|x| canon_condition(x, d, names)).collect()),
        Condition::Not(x) => hash128((b"not", canon_condition(x, d, names))),
        Condition::Identifier { name, .. } => d.identifier(name).map_or_else(|| hash128((b"?", name)), canon_body),
        Condition::Quantified { quantifier, target, .. } => {
            let members: Vec<u128> =
                Condition::resolve(target, names).into_iter().filter_map(|n| d.identifier(n)).map(canon_body).collect();
            match quantifier {
                Quantifier::All => join(b"and", members),
                Quantifier::Count(n) => {
                    let mut m = members;
                    m.sort_unstable();
                    hash128((b"of", *n, m))
                }
                _ => join(b"or", members),
            }
        }
    }
}

fn canon_body(i: &detwiki_sigma::SearchIdentifier) -> u128 {
    match &i.body {
        SearchBody::Fields(g) => canon_group(g),
        SearchBody::AnyOf(gs) => join(b"or", gs.iter().map(canon_group).collect()),
        SearchBody::Keywords(vs) => join(
            b"or",
            vs.iter()
                .map(|v| {
                    let (_, _, norm) = classify(&[], v);
                    hash128((b"kw", norm))
                })
                .collect(),
        ),
    }
}

fn canon_group(g: &FieldGroup) -> u128 {
    join(b"and", g.predicates.iter().map(canon_predicate).collect())
}

fn canon_predicate(p: &FieldPredicate) -> u128 {
    let field = p.field.as_deref().unwrap_or("");
    let extra: Vec<&str> = p
        .modifiers
        .iter()
        .filter(|m| !matches!(m, Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith | Modifier::All))
        .map(|m| m.as_str())
        .collect();
    let values: Vec<u128> = p
        .values
        .iter()
        .map(|v| {
            let (kind, _, norm) = classify(&p.modifiers, v);
            let kind = if p.field.is_none() { Kind::Keyword } else { kind };
            hash128((field, kind.as_str(), &extra, norm))
        })
        .collect();
    join(if p.has(Modifier::All) { b"and" } else { b"or" }, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(detection: &str) -> u128 {
        let f = detwiki_sigma::parse_str(&format!("title: t\nlogsource:\n  product: windows\ndetection:\n{detection}"));
        let detwiki_sigma::Document::Rule(r) = &f.documents[0] else { panic!() };
        signature(&r.detection).unwrap()
    }

    #[test]
    fn equivalent_logic_has_one_signature() {
        let a = sig("  sel:\n    Image|endswith: '\\x.exe'\n    CommandLine|contains: 'evil'\n  condition: sel\n");
        let b = sig(
            "  selection_img:\n    Image: '*\\X.EXE'\n  selection_cli:\n    CommandLine: '*EVIL*'\n  condition: all of selection_*\n",
        );
        assert_eq!(a, b);
        let c = sig("  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\n");
        assert_ne!(a, c);
    }
}
