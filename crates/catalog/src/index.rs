//! Corpus-wide indexes: corpus counts of every indicator value, rules per
//! tactic, technique, event, logsource, field and author, duplicate groups
//! and neighbors. Rule references are positions in [`crate::Catalog::rules`].

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use rayon::prelude::*;

use detwiki_sigma::condition::{Condition, Quantifier};
use detwiki_sigma::{Detection, Document, FieldGroup, FieldPredicate, Modifier, SearchBody};
use serde::Serialize;

use crate::indicators::{Kind, RowKey, classify};
use crate::{Neighbor, RuleEntry, SourceFile};

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
pub fn build(rules: &mut [RuleEntry], files: &[Arc<SourceFile>], corpus_names: &[String]) -> Index {
    let mut ix = Index::default();
    // Interned indicators: row key → value → position in `lists`.
    let mut interned: HashMap<RowKey, HashMap<String, usize>> = HashMap::new();
    let mut lists: Vec<(RowKey, String, String, Vec<usize>)> = Vec::new();
    for (i, r) in rules.iter_mut().enumerate() {
        for row in &mut r.indicators {
            let values = match interned.get_mut(&row.key) {
                Some(v) => v,
                None => interned.entry(row.key.clone()).or_default(),
            };
            for v in &mut row.values {
                let id = match values.get(&v.norm) {
                    Some(&id) => id,
                    None => {
                        values.insert(v.norm.clone(), lists.len());
                        lists.push((row.key.clone(), v.value.clone(), v.norm.clone(), Vec::new()));
                        lists.len() - 1
                    }
                };
                v.key_id = id;
                push(&mut lists[id].3, i);
            }
        }
    }
    for (i, r) in rules.iter().enumerate() {
        for row in &r.attack {
            let t = ix
                .tactics
                .entry(row.tactic_id.clone())
                .or_insert_with(|| TacticIndex { name: row.tactic.clone(), rules: Vec::new() });
            push(&mut t.rules, i);
            for tech in &row.techniques {
                let e = ix.techniques.entry(tech.id.clone()).or_insert_with(|| TechniqueIndex {
                    name: tech.name.clone(),
                    tactics: Vec::new(),
                    rules: Vec::new(),
                });
                if !e.tactics.contains(&row.tactic_id) {
                    e.tactics.push(row.tactic_id.clone());
                }
                push(&mut e.rules, i);
            }
        }
        for e in &r.events {
            let key = format!("{}|{}|{}", e.provider, e.channel, e.event_id.map_or(String::new(), |n| n.to_string()));
            let entry = ix.events.entry(key).or_insert_with(|| EventIndex {
                provider: e.provider.clone(),
                channel: e.channel.clone(),
                event_id: e.event_id,
                title: e.title.clone(),
                rules: Vec::new(),
            });
            push(&mut entry.rules, i);
        }
        if r.kind == "rule" {
            push(ix.logsources.entry(r.logsource.label()).or_default(), i);
        }
        for a in r.author.iter().flat_map(|a| a.split(',')).map(str::trim).filter(|a| !a.is_empty()) {
            push(ix.authors.entry(a.to_string()).or_default(), i);
        }
        for row in &r.indicators {
            if let Some(f) = &row.key.field
                && ix.fields.get(f).is_none_or(|v| v.last() != Some(&i))
            {
                push(ix.fields.entry(f.clone()).or_default(), i);
            }
        }
        for (name, value) in [("level", r.level), ("status", r.status)] {
            *ix.counts.entry(name).or_default().entry(value.unwrap_or("none").to_string()).or_default() += 1;
        }
        let product = r.logsource.product.clone().unwrap_or_else(|| "none".into());
        *ix.counts.entry("product").or_default().entry(product).or_default() += 1;
        *ix.counts.entry("corpus").or_default().entry(r.corpus.clone()).or_default() += 1;
        *ix.counts.entry("kind").or_default().entry(r.kind.to_string()).or_default() += 1;
    }
    // Corpus counts on every rule's values (ids and corpus names shared, not copied).
    let ids: Vec<Arc<str>> = rules.iter().map(|r| Arc::from(r.id.as_str())).collect();
    let names: Vec<Arc<str>> = corpus_names.iter().map(|n| Arc::from(n.as_str())).collect();
    let corpus_of: Vec<usize> = rules.iter().map(|r| r.corpus_index).collect();
    // The index lists indicators most shared first; `key_id` becomes the position in that order.
    let mut order: Vec<usize> = (0..lists.len()).collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&lists[a], &lists[b]);
        b.3.len().cmp(&a.3.len()).then_with(|| (&a.0, &a.1).cmp(&(&b.0, &b.1)))
    });
    let mut sorted_pos = vec![0; lists.len()];
    for (pos, &id) in order.iter().enumerate() {
        sorted_pos[id] = pos;
    }
    // One id list and per-corpus count per indicator, shared by every rule that has it.
    type Shared = (Arc<[Arc<str>]>, Arc<BTreeMap<Arc<str>, usize>>);
    let mut shared: Vec<Option<Shared>> = vec![None; lists.len()];
    for r in rules.iter_mut() {
        for row in &mut r.indicators {
            for v in &mut row.values {
                let list = &lists[v.key_id].3;
                let (ids_of, per) = shared[v.key_id].get_or_insert_with(|| {
                    let mut per: BTreeMap<Arc<str>, usize> = BTreeMap::new();
                    for &i in list {
                        *per.entry(names[corpus_of[i]].clone()).or_default() += 1;
                    }
                    (list.iter().map(|&i| ids[i].clone()).collect(), Arc::new(per))
                });
                v.corpus_count = list.len();
                v.rules = ids_of.clone();
                v.by_corpus = per.clone();
            }
        }
    }
    ix.indicators = order
        .iter()
        .map(|&id| {
            let (key, value, norm, rules) = &lists[id];
            IndicatorIndex { key: key.clone(), value: value.clone(), norm: norm.clone(), rules: rules.clone() }
        })
        .collect();
    let member_lists: Vec<Vec<usize>> = lists.into_iter().map(|(_, _, _, r)| r).collect();
    duplicates_and_neighbors(rules, files, &member_lists, &mut ix);
    for r in rules.iter_mut() {
        for row in &mut r.indicators {
            for v in &mut row.values {
                v.key_id = sorted_pos[v.key_id];
            }
        }
    }
    resolve_related(rules);
    ix
}

fn resolve_related(rules: &mut [RuleEntry]) {
    let by_id: HashMap<String, (String, String)> =
        rules.iter().map(|r| (r.id.clone(), (r.title.clone(), format!("{}/{}", r.corpus, r.slug)))).collect();
    for r in rules.iter_mut() {
        for rel in &mut r.related {
            if let Some((t, s)) = by_id.get(&rel.id) {
                rel.title = Some(t.clone());
                rel.slug = Some(s.clone());
            }
        }
    }
}

fn duplicates_and_neighbors(rules: &mut [RuleEntry], files: &[Arc<SourceFile>], lists: &[Vec<usize>], ix: &mut Index) {
    // Equivalent matching logic: same logsource and the same canonical condition.
    let sigs: Vec<Option<String>> = rules
        .par_iter()
        .map(|r| match &files[r.file].parsed.documents[r.doc] {
            Document::Rule(rule) => signature(&rule.detection)
                .map(|sig| format!("{}\u{0}{sig}", format!("{:?}", r.logsource).to_lowercase())),
            _ => None,
        })
        .collect();
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
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
    let closest: Vec<Vec<Neighbor>> =
        (0..rules_ro.len()).into_par_iter().map(|i| closest_to(rules_ro, i, lists, &group_of)).collect();
    for (i, c) in closest.into_iter().enumerate() {
        rules[i].neighbors.closest = c;
        rules[i].neighbors.same_events =
            if group_of[i] == usize::MAX { 0 } else { groups[group_of[i]].len().saturating_sub(1) };
    }
}

/// The (at most 10) rules on the same events sharing the most positive indicator values with rule `i`.
fn closest_to(rules: &[RuleEntry], i: usize, lists: &[Vec<usize>], group_of: &[usize]) -> Vec<Neighbor> {
    let r = &rules[i];
    {
        if group_of[i] == usize::MAX {
            return Vec::new();
        }
        let mut shared: HashMap<usize, usize> = HashMap::new();
        for row in r.indicators.iter().filter(|row| !row.key.exclusion) {
            for v in &row.values {
                // Values shared by very many rules say little about closeness.
                if v.corpus_count > 200 {
                    continue;
                }
                for &j in &lists[v.key_id] {
                    if j != i && group_of[j] == group_of[i] {
                        *shared.entry(j).or_default() += 1;
                    }
                }
            }
        }
        let mut list: Vec<(usize, usize)> = shared.into_iter().collect();
        list.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| rules[a.0].id.cmp(&rules[b.0].id)));
        list.into_iter().take(10).map(|(j, n)| Neighbor { id: rules[j].id.clone(), shared_indicators: n }).collect()
    }
}

/// A canonical text of a detection's matching logic: identifier names and
/// ordering do not matter, values compare as Sigma compares them.
pub fn signature(d: &Detection) -> Option<String> {
    let names: Vec<&str> = d.identifiers.iter().map(|i| i.name.as_str()).collect();
    let mut terms: Vec<String> = Vec::new();
    for c in &d.conditions {
        terms.push(canon_condition(c.parsed.as_ref()?, d, &names));
    }
    Some(join("or", terms))
}

fn join(op: &str, mut items: Vec<String>) -> String {
    items.sort();
    items.dedup();
    if items.len() == 1 { items.remove(0) } else { format!("{op}({})", items.join(",")) }
}

fn canon_condition(c: &Condition, d: &Detection, names: &[&str]) -> String {
    match c {
        Condition::Or(v) => join("or", v.iter().map(|x| canon_condition(x, d, names)).collect()),
        Condition::And(v) => join("and", v.iter().map(|x| canon_condition(x, d, names)).collect()),
        Condition::Not(x) => format!("not({})", canon_condition(x, d, names)),
        Condition::Identifier { name, .. } => d.identifier(name).map_or_else(|| format!("?{name}"), canon_body),
        Condition::Quantified { quantifier, target, .. } => {
            let members: Vec<String> =
                Condition::resolve(target, names).into_iter().filter_map(|n| d.identifier(n)).map(canon_body).collect();
            match quantifier {
                Quantifier::All => join("and", members),
                Quantifier::Count(n) => format!("{n}of({})", {
                    let mut m = members;
                    m.sort();
                    m.join(",")
                }),
                _ => join("or", members),
            }
        }
    }
}

fn canon_body(i: &detwiki_sigma::SearchIdentifier) -> String {
    match &i.body {
        SearchBody::Fields(g) => canon_group(g),
        SearchBody::AnyOf(gs) => join("or", gs.iter().map(canon_group).collect()),
        SearchBody::Keywords(vs) => join(
            "or",
            vs.iter()
                .map(|v| {
                    let (_, _, norm) = classify(&[], v);
                    format!("kw:{norm}")
                })
                .collect(),
        ),
    }
}

fn canon_group(g: &FieldGroup) -> String {
    join("and", g.predicates.iter().map(canon_predicate).collect())
}

fn canon_predicate(p: &FieldPredicate) -> String {
    let field = p.field.as_deref().unwrap_or("");
    let extra: Vec<&str> = p
        .modifiers
        .iter()
        .filter(|m| !matches!(m, Modifier::Contains | Modifier::StartsWith | Modifier::EndsWith | Modifier::All))
        .map(|m| m.as_str())
        .collect();
    let values: Vec<String> = p
        .values
        .iter()
        .map(|v| {
            let (kind, _, norm) = classify(&p.modifiers, v);
            let kind = if p.field.is_none() { Kind::Keyword } else { kind };
            format!("{field}|{}|{}={norm}", kind.as_str(), extra.join("|"))
        })
        .collect();
    join(if p.has(Modifier::All) { "and" } else { "or" }, values)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sig(detection: &str) -> String {
        let f = detwiki_sigma::parse_str(&format!("title: t\nlogsource:\n  product: windows\ndetection:\n{detection}"));
        let Document::Rule(r) = &f.documents[0] else { panic!() };
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
