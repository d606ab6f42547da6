//! Indicators: what a rule compares, as rows of field + kind + values, with
//! values normalised the way Sigma compares them so that equal indicators of
//! different rules meet in one corpus count.
//!
//! - A plain `'*\tscon.exe'` is the same indicator as `|endswith: '\tscon.exe'`,
//!   and `'*x*'` the same as `|contains: x`: modifiers and wildcards are folded
//!   into one pattern, then classified.
//! - Values compare case-insensitively unless `|cased` (regexes and field
//!   references as written).
//! - A value counts once per rule however often the rule repeats it.
//! - Predicates of identifiers that the condition only uses under `not` are
//!   exclusions, kept apart from what the rule looks for.

use std::collections::BTreeMap;
use std::sync::Arc;

use detwiki_sigma::condition::Condition;
use detwiki_sigma::modifier::{Modifier, ModifierClass};
use detwiki_sigma::value::{Part, SigmaString};
use detwiki_sigma::{Detection, FieldPredicate, SearchBody, Value, ValueKind};
use serde::Serialize;
use serde_json::value::RawValue;

/// The comparison an indicator makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Equal to the value.
    Eq,
    /// Contains the value (`|contains`, or `*value*`).
    Match,
    /// Starts with the value.
    StartsWith,
    /// Ends with the value.
    EndsWith,
    /// Any other wildcard pattern (shown in Sigma syntax).
    Wildcard,
    /// Regular expression.
    Regex,
    /// Inside the network.
    Cidr,
    /// The field exists (`true`) or not (`false`).
    Exists,
    /// The field is null or missing.
    Null,
    /// Numeric less-than.
    Lt,
    /// Numeric less-or-equal.
    Lte,
    /// Numeric greater-than.
    Gt,
    /// Numeric greater-or-equal.
    Gte,
    /// Not equal.
    Neq,
    /// Equal to another field.
    Fieldref,
    /// A time part (minute … year) of a timestamp.
    TimePart,
    /// A field-less value searched anywhere in the event.
    Keyword,
    /// In a named list defined outside the rules (Sublime's `$free_email_providers`): the
    /// value is the list's name.
    InList,
    /// The value is a whole term of the field's text (Kusto `has`: term matching, not a
    /// substring).
    HasTerm,
}

impl Kind {
    /// The name used in JSON and on pages.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Eq => "eq",
            Kind::Match => "match",
            Kind::StartsWith => "starts_with",
            Kind::EndsWith => "ends_with",
            Kind::Wildcard => "wildcard",
            Kind::Regex => "regex",
            Kind::Cidr => "cidr",
            Kind::Exists => "exists",
            Kind::Null => "null",
            Kind::Lt => "lt",
            Kind::Lte => "lte",
            Kind::Gt => "gt",
            Kind::Gte => "gte",
            Kind::Neq => "neq",
            Kind::Fieldref => "fieldref",
            Kind::TimePart => "time_part",
            Kind::Keyword => "keyword",
            Kind::InList => "in_list",
            Kind::HasTerm => "has_term",
        }
    }
}

/// What identifies an indicator across the catalog (everything but the value).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct RowKey {
    /// The field (`None` for keywords).
    pub field: Option<String>,
    /// The comparison.
    pub kind: Kind,
    /// Encodings applied before comparing (base64offset, wide, windash …), in chain order.
    pub transforms: Vec<&'static str>,
    /// Case-sensitive (`|cased`).
    pub cased: bool,
    /// Inside a `not` term: what the rule excludes.
    pub exclusion: bool,
}

/// One indicator value with its corpus count (filled in by the catalog).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndicatorValue {
    /// The value as shown (escapes resolved; wildcard patterns in Sigma syntax).
    pub value: String,
    /// Rules of the whole catalog (this one included) with the same indicator.
    pub corpus_count: usize,
    /// The same count per corpus.
    /// (Shared by every rule with this indicator.)
    pub by_corpus: CorpusCounts,
    /// Ids of those rules.
    /// (Shared by every rule with this indicator.)
    pub rules: RuleIds,
    /// The comparison key (normalised value).
    #[serde(skip)]
    pub norm: String,
    /// Position of this indicator in the catalog's indicator index.
    #[serde(skip)]
    pub key_id: usize,
}

/// A value shared by every rule with one indicator, with its JSON rendered once.
///
/// The catalog JSON repeats an indicator's rule ids and per-corpus counts in
/// every rule that has it (the id lists alone are 10 MB of the 41 MB on
/// SigmaHQ); writing the rendered JSON is a copy, not a re-encoding. It
/// serialises as `T` does with `serde_json` (as raw JSON); it derefs to `T`
/// for everything else. The default is the empty `T`, with nothing allocated.
#[derive(Clone)]
pub struct Prerendered<T: 'static>(Option<Arc<(T, Box<RawValue>)>>);

/// The ids of the rules that share one indicator.
pub type RuleIds = Prerendered<Vec<Arc<str>>>;

/// Rule counts per corpus name of one indicator (shared by indicators with the same counts too).
pub type CorpusCounts = Prerendered<BTreeMap<Arc<str>, usize>>;

/// A type with a shared empty value, which an unset [`Prerendered`] stands for.
pub trait EmptyValue: 'static {
    /// The empty value.
    fn empty() -> &'static Self;
}

impl EmptyValue for Vec<Arc<str>> {
    fn empty() -> &'static Self {
        static EMPTY: Vec<Arc<str>> = Vec::new();
        &EMPTY
    }
}

impl EmptyValue for BTreeMap<Arc<str>, usize> {
    fn empty() -> &'static Self {
        static EMPTY: BTreeMap<Arc<str>, usize> = BTreeMap::new();
        &EMPTY
    }
}

impl<T: Serialize> Prerendered<T> {
    /// `value`, rendered once.
    pub fn new(value: T) -> Self {
        let json = serde_json::to_string(&value).expect("ids and counts always serialise");
        let raw = RawValue::from_string(json).expect("serde_json output is valid JSON");
        Prerendered(Some(Arc::new((value, raw))))
    }
}

impl<T: EmptyValue> Default for Prerendered<T> {
    fn default() -> Self {
        Prerendered(None)
    }
}

impl<T: EmptyValue> std::ops::Deref for Prerendered<T> {
    type Target = T;
    fn deref(&self) -> &T {
        match &self.0 {
            Some(x) => &x.0,
            None => T::empty(),
        }
    }
}

impl<T: EmptyValue + PartialEq> PartialEq for Prerendered<T> {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl<T: EmptyValue + std::fmt::Debug> std::fmt::Debug for Prerendered<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        (**self).fmt(f)
    }
}

impl<T: EmptyValue + Serialize> Serialize for Prerendered<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            Some(x) => x.1.serialize(s),
            None => T::empty().serialize(s),
        }
    }
}

/// A row of the Indicators table.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct IndicatorRow {
    /// Field, kind, transforms, case and polarity.
    #[serde(flatten)]
    pub key: RowKey,
    /// The values, in rule order, each once.
    pub values: Vec<IndicatorValue>,
    /// The fields as the rule wrote them, when the field vocabulary renamed them
    /// (`process.name` for `Image`); empty for Sigma rules.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub original_fields: Vec<String>,
}

/// Which identifiers the conditions use only under `not`.
pub fn negative_identifiers(detection: &Detection) -> Vec<(String, bool)> {
    let names: Vec<&str> = detection.identifiers.iter().map(|i| i.name.as_str()).collect();
    let mut seen: Vec<(String, bool, bool)> = Vec::new(); // name, positive, negative
    fn walk(c: &Condition, negated: bool, names: &[&str], out: &mut Vec<(String, bool, bool)>) {
        let mut mark = |n: &str| match out.iter_mut().find(|(x, _, _)| x == n) {
            Some(e) => {
                if negated {
                    e.2 = true
                } else {
                    e.1 = true
                }
            }
            None => out.push((n.to_string(), !negated, negated)),
        };
        match c {
            Condition::Or(v) | Condition::And(v) => v.iter().for_each(|x| walk(x, negated, names, out)),
            Condition::Not(x) => walk(x, !negated, names, out),
            Condition::Identifier { name, .. } => mark(name),
            Condition::Quantified { target, .. } => {
                for n in Condition::resolve(target, names) {
                    mark(n);
                }
            }
        }
    }
    for cond in &detection.conditions {
        if let Some(root) = &cond.parsed {
            walk(root, false, &names, &mut seen);
        }
    }
    seen.into_iter().map(|(n, pos, neg)| (n, neg && !pos)).collect()
}

/// Indicator rows of a detection, in the order the rule writes them.
pub fn extract(detection: &Detection) -> Vec<IndicatorRow> {
    let polarity = negative_identifiers(detection);
    let mut rows: Vec<IndicatorRow> = Vec::new();
    // (row, normalised value) pairs already added: rules like vulnerable-driver lists carry
    // thousands of values, so membership is hashed, not scanned.
    let mut seen: std::collections::HashSet<(usize, String)> = std::collections::HashSet::new();
    for ident in &detection.identifiers {
        let Some(exclusion) = polarity.iter().find(|(n, _)| *n == ident.name).map(|(_, e)| *e) else {
            continue; // unused identifiers do not affect what the rule matches
        };
        let mut add = |key: RowKey, value: String, norm: String| {
            let at = match rows.iter().position(|r| r.key == key) {
                Some(i) => i,
                None => {
                    rows.push(IndicatorRow { key, values: Vec::new(), original_fields: Vec::new() });
                    rows.len() - 1
                }
            };
            if seen.insert((at, norm.clone())) {
                rows[at].values.push(IndicatorValue {
                    value,
                    corpus_count: 0,
                    by_corpus: Default::default(),
                    rules: Default::default(),
                    norm,
                    key_id: usize::MAX,
                });
            }
        };
        let mut predicates: Vec<&FieldPredicate> = Vec::new();
        match &ident.body {
            SearchBody::Fields(g) => predicates.extend(&g.predicates),
            SearchBody::AnyOf(gs) => gs.iter().for_each(|g| predicates.extend(&g.predicates)),
            SearchBody::Keywords(values) => {
                for v in values {
                    let (_, shown, norm) = classify(&[], v);
                    let key =
                        RowKey { field: None, kind: Kind::Keyword, transforms: Vec::new(), cased: false, exclusion };
                    add(key, shown, norm);
                }
            }
        }
        for p in predicates {
            let transforms: Vec<&'static str> = p
                .modifiers
                .iter()
                .filter(|m| {
                    matches!(m.class(), ModifierClass::Base64 | ModifierClass::Encoding | ModifierClass::Windash)
                })
                .map(|m| m.as_str())
                .collect();
            let cased = p.has(Modifier::Cased);
            for v in &p.values {
                let (kind, shown, norm) = classify(&p.modifiers, v);
                let kind = if p.field.is_none() { Kind::Keyword } else { kind };
                let key = RowKey { field: p.field.clone(), kind, transforms: transforms.clone(), cased, exclusion };
                add(key, shown, norm);
            }
        }
    }
    rows
}

fn lower(s: &str, cased: bool) -> String {
    if cased { s.to_string() } else { s.to_lowercase() }
}

/// Kind, shown value and comparison key of one value under its modifiers.
pub fn classify(modifiers: &[Modifier], v: &Value) -> (Kind, String, String) {
    let has = |m: Modifier| modifiers.contains(&m);
    let cased = has(Modifier::Cased);
    let class = |c: ModifierClass| modifiers.iter().find(|m| m.class() == c).copied();
    match &v.kind {
        ValueKind::Null => (Kind::Null, "null".into(), "null".into()),
        ValueKind::Regex(r) => (Kind::Regex, r.clone(), r.clone()),
        ValueKind::Cidr(c) => (Kind::Cidr, c.clone(), c.to_lowercase()),
        ValueKind::FieldRef(f) => (Kind::Fieldref, f.clone(), f.clone()),
        ValueKind::Bool(b) if has(Modifier::Exists) => (Kind::Exists, b.to_string(), b.to_string()),
        _ if class(ModifierClass::Compare).is_some() => {
            let kind = match class(ModifierClass::Compare) {
                Some(Modifier::Lt) => Kind::Lt,
                Some(Modifier::Lte) => Kind::Lte,
                Some(Modifier::Gt) => Kind::Gt,
                _ => Kind::Gte,
            };
            (kind, v.text.clone(), v.text.clone())
        }
        _ if class(ModifierClass::TimePart).is_some() => {
            let part = class(ModifierClass::TimePart).map_or("", |m| m.as_str());
            (Kind::TimePart, format!("{part} {}", v.text), format!("{part} {}", v.text))
        }
        ValueKind::String(s) => {
            let (kind, shown) = pattern_kind(s, modifiers);
            let kind = if has(Modifier::Neq) { Kind::Neq } else { kind };
            let norm = lower(&shown, cased);
            (kind, shown, norm)
        }
        // Numbers and booleans compare as their text.
        _ => {
            let s = SigmaString::literal(&v.text);
            let (kind, shown) = pattern_kind(&s, modifiers);
            let kind = if has(Modifier::Neq) { Kind::Neq } else { kind };
            let norm = lower(&shown, cased);
            (kind, shown, norm)
        }
    }
}

/// Fold position modifiers into the pattern, then classify it.
fn pattern_kind(s: &SigmaString, modifiers: &[Modifier]) -> (Kind, String) {
    let mut p = s.clone();
    if modifiers.contains(&Modifier::Contains) {
        p.prepend_any();
        p.append_any();
    } else if modifiers.contains(&Modifier::StartsWith) {
        p.append_any();
    } else if modifiers.contains(&Modifier::EndsWith) {
        p.prepend_any();
    }
    match p.parts.as_slice() {
        [] => (Kind::Eq, String::new()),
        [Part::Literal(l)] => (Kind::Eq, l.clone()),
        [Part::AnyChars, Part::Literal(l), Part::AnyChars] => (Kind::Match, l.clone()),
        [Part::Literal(l), Part::AnyChars] => (Kind::StartsWith, l.clone()),
        [Part::AnyChars, Part::Literal(l)] => (Kind::EndsWith, l.clone()),
        _ => (Kind::Wildcard, p.to_string()),
    }
}

/// Add `value` (normalised as `norm`) to the row of `key` in `rows`, the row made on first use;
/// `original` is the field as the rule wrote it, kept beside the row when it differs from the
/// key's canonical field. Each normalised value is kept once a row. The other languages' front
/// ends (`lang/*`) build their rows with it.
pub fn add_value(rows: &mut Vec<IndicatorRow>, key: RowKey, original: Option<&str>, value: String, norm: String) {
    let at = match rows.iter().position(|r| r.key == key) {
        Some(i) => i,
        None => {
            rows.push(IndicatorRow { key, values: Vec::new(), original_fields: Vec::new() });
            rows.len() - 1
        }
    };
    let row = &mut rows[at];
    if let Some(f) = original
        && row.key.field.as_deref() != Some(f)
        && !row.original_fields.iter().any(|o| o == f)
    {
        row.original_fields.push(f.to_string());
    }
    if !row.values.iter().any(|x| x.norm == norm) {
        row.values.push(IndicatorValue {
            value,
            corpus_count: 0,
            by_corpus: Default::default(),
            rules: Default::default(),
            norm,
            key_id: usize::MAX,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(yaml: &str) -> Vec<IndicatorRow> {
        let f = detwiki_sigma::parse_str(yaml);
        assert!(!f.has_errors(), "{:?}", f.diagnostics);
        let detwiki_sigma::Document::Rule(r) = &f.documents[0] else { panic!() };
        extract(&r.detection)
    }

    fn rule(detection: &str) -> String {
        format!("title: t\nlogsource:\n  product: windows\ndetection:\n{detection}")
    }

    #[test]
    fn wildcard_forms_equal_modifier_forms() {
        let a = rows(&rule("  sel:\n    Image: '*\\tscon.exe'\n    User: '*AUTHORI*'\n  condition: sel\n"));
        let b =
            rows(&rule("  sel:\n    Image|endswith: '\\tscon.exe'\n    User|contains: 'authori'\n  condition: sel\n"));
        assert_eq!(a[0].key, b[0].key);
        assert_eq!(a[0].key.kind, Kind::EndsWith);
        assert_eq!(a[0].values[0].norm, b[0].values[0].norm);
        assert_eq!(a[1].key.kind, Kind::Match);
        assert_eq!(a[1].values[0].norm, b[1].values[0].norm, "case-insensitive");
    }

    #[test]
    fn cased_values_keep_case_and_differ() {
        let a = rows(&rule("  sel:\n    X|cased: 'AbC'\n  condition: sel\n"));
        assert!(a[0].key.cased);
        assert_eq!(a[0].values[0].norm, "AbC");
    }

    #[test]
    fn repeated_values_count_once_and_filters_are_exclusions() {
        let r = rows(&rule(
            "  sel:\n    - Image|endswith: '\\a.exe'\n    - Image: '*\\A.EXE'\n  filter:\n    Image|startswith: 'C:\\Windows\\'\n  condition: sel and not filter\n",
        ));
        assert_eq!(r.len(), 2);
        assert_eq!(r[0].values.len(), 1);
        assert!(!r[0].key.exclusion);
        assert!(r[1].key.exclusion);
        assert_eq!(r[1].key.kind, Kind::StartsWith);
    }

    #[test]
    fn other_kinds() {
        let r = rows(&rule(
            "  sel:\n    A|re: '^x'\n    B|cidr: 10.0.0.0/8\n    C|exists: true\n    D|gte: 5\n    E|fieldref: F\n    G: null\n    H|contains: 'a*b'\n    I|base64offset|contains: 'IEX'\n  kw:\n    - 'evil'\n  condition: sel or kw\n",
        ));
        let kinds: Vec<Kind> = r.iter().map(|r| r.key.kind).collect();
        use Kind::*;
        assert_eq!(kinds, vec![Regex, Cidr, Exists, Gte, Fieldref, Null, Wildcard, Match, Keyword]);
        assert_eq!(r[6].values[0].value, "*a*b*");
        assert_eq!(r[7].key.transforms, vec!["base64offset"]);
    }
}
