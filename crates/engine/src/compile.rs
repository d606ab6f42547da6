//! Rules → matchers: a detection compiles once into searches and a condition
//! tree (Sigma specification v2.1, "Detection", "Condition", "Value Modifiers").
//!
//! Modifiers are applied in the order written, as pySigma does: `windash`
//! expands dashes, `utf16*`/`wide` choose the byte encoding that `base64` /
//! `base64offset` then encode, `contains`/`startswith`/`endswith` add
//! wildcards. `expand` substitutes placeholders from [`Placeholders`]; a
//! placeholder without values makes the rule fail to compile (the
//! specification says such a rule must not be used).

use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use detwiki_sigma::condition::{Condition, Quantifier};
use detwiki_sigma::value::{Part, SigmaString};
use detwiki_sigma::{Detection, FieldGroup, FieldPredicate, Modifier, SearchBody, ValueKind};

use crate::event::{FieldKey, Fields, lowercase};
use crate::matcher::{
    CmpOp, Contains, Glob, GlobPart, LazyRegex, Matcher, RefKind, RegexFlags, StrKind, StrMatch, StrSet, TimePart,
    WordBuild,
};

/// Placeholder values for `|expand` (`--placeholders FILE`): name → values.
pub type Placeholders = BTreeMap<String, Vec<String>>;

/// Why a detection could not be compiled.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CompileError {
    /// A `%name%` placeholder with no values configured.
    #[error("placeholder `%{0}%` has no values (give them with --placeholders)")]
    UnresolvedPlaceholder(String),
    /// The condition did not parse.
    #[error("the condition does not parse")]
    BadCondition,
    /// The detection has no condition.
    #[error("the detection has no condition")]
    NoCondition,
    /// The condition names an identifier that does not exist.
    #[error("the condition names `{0}`, which is not defined")]
    UnknownIdentifier(String),
    /// A regular expression the `regex` crate rejects.
    #[error("regex `{0}` does not compile: {1}")]
    BadRegex(String, String),
    /// A value that cannot be used with its modifiers.
    #[error("value `{0}` cannot be used with its modifiers: {1}")]
    BadValue(String, String),
    /// A processing pipeline rejected the rule (`rule_failure`, a missing variable …).
    #[error("pipeline: {0}")]
    Pipeline(String),
    /// Too many windash / placeholder expansions.
    #[error("value `{0}` expands to more than {MAX_EXPANSIONS} alternatives")]
    TooManyExpansions(String),
}

/// Cap on the alternatives one value may expand to.
pub const MAX_EXPANSIONS: usize = 4096;

/// Field names interned to small ids, for the indexed field lookup.
#[derive(Clone, Debug, Default)]
pub struct FieldTable {
    map: std::collections::HashMap<Box<str>, u32, WordBuild>,
}

impl FieldTable {
    /// The key of `name`, adding it if new.
    pub fn intern(&mut self, name: &str) -> FieldKey {
        let next = self.map.len() as u32;
        let id = *self.map.entry(name.into()).or_insert(next);
        FieldKey { name: name.into(), id }
    }

    /// The id of `name`, adding it if new.
    pub fn id(&mut self, name: &str) -> u32 {
        match self.map.get(name) {
            Some(&id) => id,
            None => self.intern(name).id,
        }
    }

    /// The id of `name`, if some rule uses it.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.map.get(name).copied()
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// True when no name is interned.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Regexes by pattern and flags (see [`CompiledDetection::share_regexes`]).
pub type RegexCache = std::collections::HashMap<(Box<str>, RegexFlags), std::sync::Arc<LazyRegex>, WordBuild>;

/// Lists of at least this many strings are matched as a [`StrSet`].
pub const STR_SET_MIN: usize = 4;

/// A predicate: one field (or none: keywords) and its values.
#[derive(Debug)]
pub struct Pred {
    /// The field as the event names it; `None` = any field.
    pub field: Option<FieldKey>,
    /// Every value must match (`|all`) instead of any.
    pub all: bool,
    /// The values; each is a set of alternatives (windash, base64offset …), any of which matches.
    pub values: Vec<Vec<Matcher>>,
    /// The same values for OR lists of many strings: a [`StrSet`] plus the other matchers.
    fast: Option<Box<(StrSet, Vec<Matcher>)>>,
    /// Has a regex: evaluated after the other predicates of its group (see [`Search::eval`]).
    costly: bool,
}

impl Pred {
    fn new(field: Option<FieldKey>, all: bool, values: Vec<Vec<Matcher>>, cased: bool) -> Self {
        let strings = values.iter().flatten().filter(|m| matches!(m, Matcher::Str(_))).count();
        let fast = (!all && strings >= STR_SET_MIN).then(|| {
            let (mut strs, mut others) = (Vec::new(), Vec::new());
            for m in values.iter().flatten().cloned() {
                match m {
                    Matcher::Str(s) => strs.push(s),
                    m => others.push(m),
                }
            }
            Box::new((StrSet::new(strs, cased), others))
        });
        let costly = values.iter().flatten().any(|m| matches!(m, Matcher::Re(_)));
        Pred { field, all, values, fast, costly }
    }

    /// True if the predicate holds on `ev`.
    pub fn eval<F: Fields>(&self, ev: &F) -> bool {
        let Some((set, others)) = self.fast.as_deref() else { return self.eval_naive(ev) };
        let hit = match &self.field {
            Some(k) => ev.values(k).any(|v| !v.is_null() && set.is_match(&v)),
            None => ev.event().fields().any(|(_, v)| !v.is_null() && set.is_match(&v)),
        };
        hit || others.iter().any(|m| match &self.field {
            Some(k) => m.matches_field(ev, k),
            None => m.matches_any(ev),
        })
    }

    /// The same, value by value (the reference for the fast path).
    pub fn eval_naive<F: Fields>(&self, ev: &F) -> bool {
        let alt = |alts: &Vec<Matcher>| match &self.field {
            Some(f) => alts.iter().any(|m| m.matches_field(ev, f)),
            None => alts.iter().any(|m| m.matches_any(ev)),
        };
        if self.all { self.values.iter().all(alt) } else { self.values.iter().any(alt) }
    }
}

/// A search identifier: an OR of AND-groups of predicates.
#[derive(Debug)]
pub struct Search {
    /// The identifier.
    pub name: Box<str>,
    /// The groups (OR); each group's predicates must all hold.
    pub groups: Vec<Vec<Pred>>,
}

impl Search {
    /// True if the search matches `ev`. A group's predicates with a regex are evaluated after
    /// its others: a regex is built when first evaluated, and most events that reach a rule
    /// fail one of its plain comparisons, so most of its regexes are never built.
    pub fn eval<F: Fields>(&self, ev: &F) -> bool {
        self.groups
            .iter()
            .any(|g| g.iter().all(|p| p.costly || p.eval(ev)) && g.iter().all(|p| !p.costly || p.eval(ev)))
    }

    /// The same without fast paths.
    pub fn eval_naive<F: Fields>(&self, ev: &F) -> bool {
        self.groups.iter().any(|g| g.iter().all(|p| p.eval_naive(ev)))
    }
}

/// A compiled condition over search indexes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cond {
    /// All hold.
    And(Vec<Cond>),
    /// One holds.
    Or(Vec<Cond>),
    /// Does not hold.
    Not(Box<Cond>),
    /// Search number n matches.
    Search(u32),
    /// At least n of the searches match (`N of`).
    AtLeast(u32, Vec<u32>),
    /// A constant (`1 of` an empty set is false).
    Const(bool),
}

impl Cond {
    /// Evaluate with `search(i)` telling whether search i matches.
    pub fn eval(&self, search: &mut impl FnMut(u32) -> bool) -> bool {
        match self {
            Cond::And(xs) => xs.iter().all(|x| x.eval(search)),
            Cond::Or(xs) => xs.iter().any(|x| x.eval(search)),
            Cond::Not(x) => !x.eval(search),
            Cond::Search(i) => search(*i),
            Cond::AtLeast(n, xs) => {
                let mut k = 0;
                for i in xs {
                    if search(*i) {
                        k += 1;
                        if k >= *n {
                            return true;
                        }
                    }
                }
                false
            }
            Cond::Const(b) => *b,
        }
    }

    /// Searches that count positively (not under a `not`), in order.
    pub fn positive_searches(&self, out: &mut Vec<u32>) {
        self.walk(true, out);
    }

    fn walk(&self, positive: bool, out: &mut Vec<u32>) {
        match self {
            Cond::And(xs) | Cond::Or(xs) => xs.iter().for_each(|x| x.walk(positive, out)),
            Cond::Not(x) => x.walk(!positive, out),
            Cond::Search(i) if positive && !out.contains(i) => out.push(*i),
            Cond::AtLeast(_, xs) if positive => {
                for i in xs {
                    if !out.contains(i) {
                        out.push(*i);
                    }
                }
            }
            _ => {}
        }
    }

    /// Shift every search index by `by` (to append a filter's searches to a rule's).
    pub fn shifted(&self, by: u32) -> Cond {
        match self {
            Cond::And(xs) => Cond::And(xs.iter().map(|x| x.shifted(by)).collect()),
            Cond::Or(xs) => Cond::Or(xs.iter().map(|x| x.shifted(by)).collect()),
            Cond::Not(x) => Cond::Not(Box::new(x.shifted(by))),
            Cond::Search(i) => Cond::Search(i + by),
            Cond::AtLeast(n, xs) => Cond::AtLeast(*n, xs.iter().map(|i| i + by).collect()),
            Cond::Const(b) => Cond::Const(*b),
        }
    }
}

/// A compiled detection: searches and the condition over them.
#[derive(Debug)]
pub struct CompiledDetection {
    /// Search identifiers, in file order.
    pub searches: Vec<Search>,
    /// The condition (several conditions are OR'ed).
    pub cond: Cond,
}

impl CompiledDetection {
    /// True if the detection matches `ev`.
    pub fn eval<F: Fields>(&self, ev: &F) -> bool {
        self.cond.eval(&mut |i| self.searches[i as usize].eval(ev))
    }

    /// The same without fast paths.
    pub fn eval_naive<F: Fields>(&self, ev: &F) -> bool {
        self.cond.eval(&mut |i| self.searches[i as usize].eval_naive(ev))
    }

    /// Give every field it names (compared or referred to) the id `id(name)` returns, in the
    /// order compiling names them: per predicate, its values' field references, then its field.
    pub fn rename_fields(&mut self, id: &mut impl FnMut(&str) -> u32) {
        for p in self.searches.iter_mut().flat_map(|s| s.groups.iter_mut().flatten()) {
            let fast = p.fast.as_deref_mut().map(|f| &mut f.1);
            for m in p.values.iter_mut().flatten().chain(fast.into_iter().flatten()) {
                if let Matcher::FieldRef { other, .. } = m {
                    other.id = id(&other.name);
                }
            }
            if let Some(f) = &mut p.field {
                f.id = id(&f.name);
            }
        }
    }

    /// Make every regex the one `shared` holds for its pattern and flags (adding it if new):
    /// a rule compiled for two event sources, or two rules with the same pattern, then build
    /// and keep one regex.
    pub fn share_regexes(&mut self, shared: &mut RegexCache) {
        for p in self.searches.iter_mut().flat_map(|s| s.groups.iter_mut().flatten()) {
            let fast = p.fast.as_deref_mut().map(|f| &mut f.1);
            for m in p.values.iter_mut().flatten().chain(fast.into_iter().flatten()) {
                if let Matcher::Re(r) = m {
                    let key = (Box::<str>::from(r.as_str()), r.flags());
                    *r = shared.entry(key).or_insert_with(|| r.clone()).clone();
                }
            }
        }
    }

    /// Every regex of the detection (shared with it).
    pub fn regexes(&self) -> Vec<std::sync::Arc<LazyRegex>> {
        let all = self.searches.iter().flat_map(|s| s.groups.iter().flatten()).flat_map(|p| p.values.iter().flatten());
        all.filter_map(|m| match m {
            Matcher::Re(r) => Some(r.clone()),
            _ => None,
        })
        .collect()
    }
}

/// Compile a detection. `map_field` turns a rule's field name into the event's
/// (taxonomy field maps, pipelines).
pub fn compile_detection(
    det: &Detection,
    map_field: &dyn Fn(&str) -> String,
    placeholders: &Placeholders,
    table: &mut FieldTable,
) -> Result<CompiledDetection, CompileError> {
    let mut searches = Vec::with_capacity(det.identifiers.len());
    for id in &det.identifiers {
        let groups = match &id.body {
            SearchBody::Fields(g) => vec![compile_group(g, map_field, placeholders, table)?],
            SearchBody::AnyOf(gs) => {
                gs.iter().map(|g| compile_group(g, map_field, placeholders, table)).collect::<Result<_, _>>()?
            }
            SearchBody::Keywords(values) => {
                let p = FieldPredicate {
                    field: None,
                    modifiers: Vec::new(),
                    values: values.clone(),
                    is_list: true,
                    key_span: id.span,
                };
                vec![vec![compile_pred(&p, map_field, placeholders, table)?]]
            }
        };
        searches.push(Search { name: id.name.as_str().into(), groups });
    }
    if det.conditions.is_empty() {
        return Err(CompileError::NoCondition);
    }
    let names: Vec<&str> = det.identifiers.iter().map(|i| i.name.as_str()).collect();
    let mut conds = Vec::new();
    for c in &det.conditions {
        let parsed = c.parsed.as_ref().ok_or(CompileError::BadCondition)?;
        conds.push(compile_cond(parsed, &names)?);
    }
    let cond = if conds.len() == 1 { conds.pop().unwrap_or(Cond::Const(false)) } else { Cond::Or(conds) };
    Ok(CompiledDetection { searches, cond })
}

fn compile_cond(c: &Condition, names: &[&str]) -> Result<Cond, CompileError> {
    let index = |n: &str| names.iter().position(|x| *x == n).map(|i| i as u32);
    Ok(match c {
        Condition::Or(xs) => Cond::Or(xs.iter().map(|x| compile_cond(x, names)).collect::<Result<_, _>>()?),
        Condition::And(xs) => Cond::And(xs.iter().map(|x| compile_cond(x, names)).collect::<Result<_, _>>()?),
        Condition::Not(x) => Cond::Not(Box::new(compile_cond(x, names)?)),
        Condition::Identifier { name, .. } => {
            Cond::Search(index(name).ok_or_else(|| CompileError::UnknownIdentifier(name.clone()))?)
        }
        Condition::Quantified { quantifier, target, .. } => {
            let ids: Vec<u32> = Condition::resolve(target, names).into_iter().filter_map(index).collect();
            if ids.is_empty() {
                return Ok(Cond::Const(false));
            }
            let leaves = || ids.iter().map(|i| Cond::Search(*i)).collect();
            match quantifier {
                Quantifier::One | Quantifier::Any => Cond::Or(leaves()),
                Quantifier::All => Cond::And(leaves()),
                Quantifier::Count(n) => Cond::AtLeast(*n, ids),
            }
        }
    })
}

fn compile_group(
    g: &FieldGroup,
    map_field: &dyn Fn(&str) -> String,
    placeholders: &Placeholders,
    table: &mut FieldTable,
) -> Result<Vec<Pred>, CompileError> {
    g.predicates.iter().map(|p| compile_pred(p, map_field, placeholders, table)).collect()
}

/// Compile one `Field|mods: values` predicate.
pub fn compile_pred(
    p: &FieldPredicate,
    map_field: &dyn Fn(&str) -> String,
    placeholders: &Placeholders,
    table: &mut FieldTable,
) -> Result<Pred, CompileError> {
    let has = |m: Modifier| p.modifiers.contains(&m);
    let cased = has(Modifier::Cased);
    let mut values = Vec::with_capacity(p.values.len());
    for v in &p.values {
        values.push(compile_value(p, &v.kind, &v.text, cased, map_field, placeholders, table)?);
    }
    let field = p.field.as_deref().map(|f| table.intern(&map_field(f)));
    Ok(Pred::new(field, has(Modifier::All), values, cased))
}

fn compile_value(
    p: &FieldPredicate,
    kind: &ValueKind,
    text: &str,
    cased: bool,
    map_field: &dyn Fn(&str) -> String,
    placeholders: &Placeholders,
    table: &mut FieldTable,
) -> Result<Vec<Matcher>, CompileError> {
    let has = |m: Modifier| p.modifiers.contains(&m);
    let keyword = p.field.is_none();
    if has(Modifier::Exists) {
        return Ok(vec![Matcher::Exists(!matches!(kind, ValueKind::Bool(false)))]);
    }
    let s = match kind {
        ValueKind::Null => return Ok(vec![Matcher::Null]),
        ValueKind::Regex(re) => {
            let flags = RegexFlags {
                case_insensitive: has(Modifier::ReI),
                multi_line: has(Modifier::ReM),
                dot_matches_new_line: has(Modifier::ReS),
            };
            let r = LazyRegex::new(re, flags).map_err(|e| CompileError::BadRegex(re.clone(), e))?;
            return Ok(vec![Matcher::Re(std::sync::Arc::new(r))]);
        }
        ValueKind::Cidr(c) => {
            let net = c
                .trim()
                .parse::<ipnet::IpNet>()
                .or_else(|_| c.trim().parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                .map_err(|e| CompileError::BadValue(c.clone(), e.to_string()))?;
            return Ok(vec![Matcher::Cidr(net)]);
        }
        ValueKind::FieldRef(other) => {
            let kind = if has(Modifier::Contains) {
                RefKind::Contains
            } else if has(Modifier::StartsWith) {
                RefKind::Prefix
            } else if has(Modifier::EndsWith) {
                RefKind::Suffix
            } else {
                RefKind::Eq
            };
            return Ok(vec![Matcher::FieldRef { other: table.intern(&map_field(other)), kind, cased }]);
        }
        ValueKind::Int(_) | ValueKind::Float(_) if numeric_op(p).is_some() => {
            let x = match kind {
                ValueKind::Int(i) => *i as f64,
                ValueKind::Float(f) => *f,
                _ => 0.0,
            };
            return Ok(vec![Matcher::Cmp(numeric_op(p).unwrap_or(CmpOp::Lt), x)]);
        }
        ValueKind::Int(i) if time_part(p).is_some() => {
            return Ok(vec![Matcher::Time(time_part(p).unwrap_or(TimePart::Year), *i)]);
        }
        ValueKind::String(s) => s.clone(),
        ValueKind::Int(i) => SigmaString::literal(&i.to_string()),
        ValueKind::Float(_) => SigmaString::literal(text),
        ValueKind::Bool(b) => SigmaString::literal(if *b { "true" } else { "false" }),
    };
    let mut strings = expand_placeholders(s, placeholders)?;
    let mut encoding: Option<Modifier> = None;
    for m in &p.modifiers {
        strings = match m {
            Modifier::Windash => flat_map_limited(strings, text, windash)?,
            Modifier::Utf16le | Modifier::Utf16be | Modifier::Utf16 | Modifier::Wide => {
                encoding = Some(*m);
                strings
            }
            Modifier::Base64 | Modifier::Base64Offset => {
                let offsets = *m == Modifier::Base64Offset;
                let mut out = Vec::new();
                for s in &strings {
                    let lit = s.as_literal().ok_or_else(|| {
                        CompileError::BadValue(text.into(), "wildcards cannot be base64-encoded".into())
                    })?;
                    let bytes = encode(lit, encoding);
                    if offsets {
                        out.extend(base64_offsets(&bytes).into_iter().map(|e| SigmaString::literal(&e)));
                    } else {
                        out.push(SigmaString::literal(&STANDARD.encode(&bytes)));
                    }
                }
                out
            }
            Modifier::Contains => map(strings, |s| {
                s.prepend_any();
                s.append_any();
            }),
            Modifier::StartsWith => map(strings, SigmaString::append_any),
            Modifier::EndsWith => map(strings, SigmaString::prepend_any),
            _ => strings,
        };
    }
    // Keywords (and field-less `|mod` keys) are searched anywhere in values.
    if keyword && !has(Modifier::StartsWith) && !has(Modifier::EndsWith) {
        strings = map(strings, |s| {
            s.prepend_any();
            s.append_any();
        });
    }
    let neq = has(Modifier::Neq);
    Ok(strings
        .into_iter()
        .map(|s| {
            let m = str_match(&s, cased);
            if neq { Matcher::Neq(m) } else { Matcher::Str(m) }
        })
        .collect())
}

fn map(mut v: Vec<SigmaString>, f: impl Fn(&mut SigmaString)) -> Vec<SigmaString> {
    v.iter_mut().for_each(f);
    v
}

fn flat_map_limited(
    v: Vec<SigmaString>,
    text: &str,
    f: impl Fn(&SigmaString) -> Vec<SigmaString>,
) -> Result<Vec<SigmaString>, CompileError> {
    let mut out = Vec::new();
    for s in &v {
        out.extend(f(s));
        if out.len() > MAX_EXPANSIONS {
            return Err(CompileError::TooManyExpansions(text.into()));
        }
    }
    Ok(out)
}

fn numeric_op(p: &FieldPredicate) -> Option<CmpOp> {
    p.modifiers.iter().find_map(|m| match m {
        Modifier::Lt => Some(CmpOp::Lt),
        Modifier::Lte => Some(CmpOp::Lte),
        Modifier::Gt => Some(CmpOp::Gt),
        Modifier::Gte => Some(CmpOp::Gte),
        _ => None,
    })
}

fn time_part(p: &FieldPredicate) -> Option<TimePart> {
    p.modifiers.iter().find_map(|m| match m {
        Modifier::Minute => Some(TimePart::Minute),
        Modifier::Hour => Some(TimePart::Hour),
        Modifier::Day => Some(TimePart::Day),
        Modifier::Week => Some(TimePart::Week),
        Modifier::Month => Some(TimePart::Month),
        Modifier::Year => Some(TimePart::Year),
        _ => None,
    })
}

/// Substitute `%name%` placeholders: every combination of their values.
pub fn expand_placeholders(s: SigmaString, placeholders: &Placeholders) -> Result<Vec<SigmaString>, CompileError> {
    if s.placeholders().next().is_none() {
        return Ok(vec![s]);
    }
    let mut out = vec![SigmaString::default()];
    for part in &s.parts {
        match part {
            Part::Placeholder(name) => {
                let values = placeholders
                    .get(name)
                    .filter(|v| !v.is_empty())
                    .ok_or_else(|| CompileError::UnresolvedPlaceholder(name.clone()))?;
                let mut next = Vec::with_capacity(out.len() * values.len());
                for prefix in &out {
                    for v in values {
                        let mut x = prefix.clone();
                        x.parts.extend(SigmaString::parse(v, false).parts);
                        next.push(x);
                    }
                }
                if next.len() > MAX_EXPANSIONS {
                    return Err(CompileError::TooManyExpansions(name.clone()));
                }
                out = next;
            }
            other => out.iter_mut().for_each(|x| x.parts.push(other.clone())),
        }
    }
    Ok(out.into_iter().map(normalize).collect())
}

/// Merge adjacent literals and stars.
fn normalize(s: SigmaString) -> SigmaString {
    let mut out = SigmaString::default();
    for p in s.parts {
        match (out.parts.last_mut(), p) {
            (Some(Part::Literal(a)), Part::Literal(b)) => a.push_str(&b),
            (Some(Part::AnyChars), Part::AnyChars) => {}
            (_, Part::Literal(b)) if b.is_empty() => {}
            (_, p) => out.parts.push(p),
        }
    }
    out
}

/// The dash characters `windash` expands to (Sigma specification; pySigma).
pub const WINDASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// `windash`: every `-` or `/` that starts a word after a non-word character
/// (pySigma's `\B[-/]\b`) becomes each of [`WINDASHES`]; all combinations.
pub fn windash(s: &SigmaString) -> Vec<SigmaString> {
    let mut out = vec![SigmaString::default()];
    let word = |c: char| c.is_alphanumeric() || c == '_';
    for part in &s.parts {
        let Part::Literal(lit) = part else {
            out.iter_mut().for_each(|x| x.parts.push(part.clone()));
            continue;
        };
        let chars: Vec<char> = lit.chars().collect();
        let mut pieces: Vec<Vec<String>> = vec![vec![String::new()]];
        for (i, &c) in chars.iter().enumerate() {
            // At the start of a literal the character before is the string's start
            // or a wildcard: not a word character (as far as we can tell).
            let before_word = i > 0 && word(chars[i - 1]);
            let after_word = chars.get(i + 1).is_some_and(|&n| word(n));
            if (c == '-' || c == '/') && !before_word && after_word {
                pieces.push(WINDASHES.iter().map(|d| d.to_string()).collect());
                pieces.push(vec![String::new()]);
            } else if let Some(last) = pieces.last_mut() {
                last.iter_mut().for_each(|x| x.push(c));
            }
        }
        let mut combos = vec![String::new()];
        for alts in &pieces {
            combos = combos.iter().flat_map(|pre| alts.iter().map(move |a| format!("{pre}{a}"))).collect();
        }
        out = out
            .iter()
            .flat_map(|pre| {
                combos.iter().map(move |c| {
                    let mut x = pre.clone();
                    x.parts.push(Part::Literal(c.clone()));
                    x
                })
            })
            .collect();
    }
    out.into_iter().map(normalize).collect()
}

fn encode(s: &str, encoding: Option<Modifier>) -> Vec<u8> {
    match encoding {
        Some(Modifier::Utf16le | Modifier::Wide) => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        Some(Modifier::Utf16be) => s.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        Some(Modifier::Utf16) => [0xFF, 0xFE].into_iter().chain(s.encode_utf16().flat_map(u16::to_le_bytes)).collect(),
        _ => s.as_bytes().to_vec(),
    }
}

/// The three `base64offset` forms of `bytes`, as pySigma computes them:
/// encode with 0, 1, 2 leading bytes and cut off the characters that depend
/// on the unknown neighbours (`start_offsets = (0, 2, 3)`,
/// `end_offsets = (None, -3, -2)` indexed by `(len + i) % 3`).
pub fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    const END: [usize; 3] = [0, 3, 2];
    (0..3)
        .map(|i| {
            let mut padded = vec![b' '; i];
            padded.extend_from_slice(bytes);
            let enc = STANDARD.encode(&padded);
            let cut = END[(bytes.len() + i) % 3];
            let end = enc.len().saturating_sub(cut);
            enc.get(START[i]..end.max(START[i])).unwrap_or("").to_string()
        })
        .collect()
}

/// The string comparison for a Sigma string (lower-cased unless `cased`).
pub fn str_match(s: &SigmaString, cased: bool) -> StrMatch {
    let norm = normalize(s.clone());
    let low = |t: &str| -> Box<str> { if cased { t.into() } else { lowercase(t).into() } };
    let kind = match norm.parts.as_slice() {
        [] => StrKind::Exact("".into()),
        [Part::Literal(a)] => StrKind::Exact(low(a)),
        [Part::Literal(a), Part::AnyChars] => StrKind::Prefix(low(a)),
        [Part::AnyChars, Part::Literal(a)] => StrKind::Suffix(low(a)),
        [Part::AnyChars, Part::Literal(a), Part::AnyChars] => StrKind::Contains(Contains::new(&low(a))),
        [Part::AnyChars] => StrKind::Any,
        parts => StrKind::Glob(Box::new(Glob::new(
            parts
                .iter()
                .map(|p| match p {
                    Part::Literal(a) => GlobPart::Lit(low(a)),
                    Part::AnyChars => GlobPart::Star,
                    Part::OneChar => GlobPart::One,
                    // Unresolved placeholders never reach here (expand_placeholders).
                    Part::Placeholder(n) => GlobPart::Lit(low(&format!("%{n}%"))),
                })
                .collect(),
        ))),
    };
    StrMatch { kind, cased }
}

/// Read a placeholders file: a YAML mapping of placeholder name to a value or
/// a list of values (the shape of pySigma's `value_placeholders`).
///
/// `Err`: the first problem, a `placeholders-…` [`Diagnostic`](detwiki_sigma::Diagnostic) in no
/// file (the caller knows which file it read).
pub fn load_placeholders(text: &str) -> Result<Placeholders, detwiki_sigma::Diagnostic> {
    use detwiki_sigma::yaml::{NodeKind, parse_documents};
    use detwiki_sigma::{Code, Diagnostic};
    let err = |code, span, message: String, help: &str| Diagnostic::new(code, message, span).with_help(help);
    let shape = |span, message: String| err(Code::PlaceholdersInvalidType, Some(span), message, SHAPE);
    const SHAPE: &str = "write `name: [value, …]` or `name: value`, one placeholder a line";
    let docs = parse_documents(text, &detwiki_sigma::Limits::default()).map_err(|e| {
        err(Code::PlaceholdersYaml, e.span(), format!("YAML: {e}"), "fix the YAML syntax at this position")
    })?;
    let mut out = Placeholders::new();
    for doc in docs {
        let Some(root) = doc.root else { continue };
        let map = root.as_map().ok_or_else(|| {
            shape(root.span, format!("a placeholders file is a mapping of name: [values], found {}", root.describe()))
        })?;
        for (k, v) in map {
            let name = k
                .as_str()
                .ok_or_else(|| shape(k.span, format!("placeholder names are strings, found {}", k.describe())))?
                .to_string();
            let value = |i: &detwiki_sigma::yaml::Node| {
                i.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| shape(i.span, format!("`{name}`: values are strings, found {}", i.describe())))
            };
            let values = match &v.kind {
                NodeKind::Scalar { .. } => vec![value(v)?],
                NodeKind::Seq(items) => items.iter().map(value).collect::<Result<_, _>>()?,
                NodeKind::Map(_) => {
                    return Err(shape(v.span, format!("`{name}`: expected a value or a list, found a mapping")));
                }
            };
            out.entry(name).or_default().extend(values);
        }
    }
    Ok(out)
}
