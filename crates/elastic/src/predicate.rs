//! The language-neutral result of reading a query: stages, each with a predicate tree whose
//! leaves say "this field, compared this way, with these values". The catalog turns them into
//! indicators; each language's `lower` function builds them from its own tree.
//!
//! The kinds follow the comparisons the three languages make (and the catalog's indicator
//! kinds): `eq`, `ne`, `match` (contains), `starts_with`, `ends_with`, `wildcard` (any other
//! `*`/`?` pattern), `regex_match`, `in`, `cidr`, `gt`/`gte`/`lt`/`lte`, `exists`. A leaf
//! with several values matches when any of them does. Case sensitivity is the language's
//! (`:`, `~`, `in~` are case-insensitive; `==`, `like`, `in` are not); negation is kept as
//! [`PredicateTree::Not`] (exclusions). What has no field-and-values reading (a comparison of
//! two fields, `length(x) > 3`, a computed ES|QL column) is kept as
//! [`PredicateTree::Opaque`] with its canonical text: never dropped.

use serde::Serialize;

use crate::query::{Pattern, PatternPart};
use crate::span::Span;

/// How a predicate compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Equal to a value.
    Eq,
    /// Not equal to a value.
    Ne,
    /// Contains the value.
    Match,
    /// Starts with the value.
    StartsWith,
    /// Ends with the value.
    EndsWith,
    /// Any other wildcard pattern ([`Value::Pattern`]).
    Wildcard,
    /// Matches a regular expression (the whole value, as Elasticsearch regexps do).
    RegexMatch,
    /// One of the values, exactly.
    In,
    /// An address inside one of the networks.
    Cidr,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// The field has a value (no values).
    Exists,
}

impl Kind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Eq => "eq",
            Kind::Ne => "ne",
            Kind::Match => "match",
            Kind::StartsWith => "starts_with",
            Kind::EndsWith => "ends_with",
            Kind::Wildcard => "wildcard",
            Kind::RegexMatch => "regex_match",
            Kind::In => "in",
            Kind::Cidr => "cidr",
            Kind::Gt => "gt",
            Kind::Gte => "gte",
            Kind::Lt => "lt",
            Kind::Lte => "lte",
            Kind::Exists => "exists",
        }
    }
}

/// A value of a predicate. For `match`, `starts_with` and `ends_with` the string is the
/// literal part (the wildcards are the kind).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// A string.
    String(String),
    /// A number as written.
    Number(String),
    /// A boolean.
    Bool(bool),
    /// A wildcard pattern (kind `wildcard`).
    Pattern(Pattern),
}

impl Value {
    /// The value as text (patterns with `*` and `?`).
    pub fn text(&self) -> String {
        match self {
            Value::String(s) | Value::Number(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::Pattern(p) => p.to_wildcard_string(),
        }
    }
}

/// A leaf: a field compared with values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Predicate {
    /// The field as the query names it (`process.name`); `None` for KQL free text, which
    /// Elasticsearch matches against the default fields.
    pub field: Option<String>,
    /// The comparison.
    pub kind: Kind,
    /// The values (none for `exists`); any of them matches.
    pub values: Vec<Value>,
    /// Compared ignoring case.
    pub case_insensitive: bool,
    /// Where the comparison is in the file.
    pub span: Span,
}

/// A predicate tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PredicateTree {
    /// Every item.
    And {
        /// Items.
        items: Vec<PredicateTree>,
    },
    /// Any item.
    Or {
        /// Items.
        items: Vec<PredicateTree>,
    },
    /// Not the item: what the rule excludes.
    Not {
        /// The excluded tree.
        item: Box<PredicateTree>,
    },
    /// A field compared with values.
    Pred(Predicate),
    /// EQL `descendant of` / `child of` / `event of [category where …]`: a related event's
    /// predicates (about another process, not this event).
    Related {
        /// `descendant`, `child` or `event`.
        relation: String,
        /// The related event's category (`None` for `any`).
        category: Option<String>,
        /// Its predicates.
        tree: Box<PredicateTree>,
        /// Where.
        span: Span,
    },
    /// A condition with no field-and-values reading, as canonical query text.
    Opaque {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
}

impl PredicateTree {
    /// `And` of `items`, or the single item itself.
    pub fn and(mut items: Vec<PredicateTree>) -> PredicateTree {
        if items.len() == 1 { items.pop().expect("one item") } else { PredicateTree::And { items } }
    }

    /// `Or` of `items`, or the single item itself.
    pub fn or(mut items: Vec<PredicateTree>) -> PredicateTree {
        if items.len() == 1 { items.pop().expect("one item") } else { PredicateTree::Or { items } }
    }

    /// `Not` of `item`.
    pub fn negate(item: PredicateTree) -> PredicateTree {
        PredicateTree::Not { item: Box::new(item) }
    }

    /// Every leaf predicate with whether it sits under an odd number of `not`s (an exclusion).
    pub fn predicates(&self) -> Vec<(&Predicate, bool)> {
        let mut out = Vec::new();
        self.walk(false, &mut out);
        out
    }

    fn walk<'a>(&'a self, negated: bool, out: &mut Vec<(&'a Predicate, bool)>) {
        match self {
            PredicateTree::And { items } | PredicateTree::Or { items } => {
                items.iter().for_each(|i| i.walk(negated, out));
            }
            PredicateTree::Not { item } => item.walk(!negated, out),
            PredicateTree::Pred(p) => out.push((p, negated)),
            PredicateTree::Related { .. } | PredicateTree::Opaque { .. } => {}
        }
    }
}

/// What a stage is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageRole {
    /// The whole query (KQL, ES|QL, an EQL event query).
    Query,
    /// One step of an EQL sequence, in order.
    Step,
    /// `![…]`: an event that must not happen.
    Missing,
    /// `until […]`: the event that ends the sequence.
    Until,
    /// One step of an EQL `sample` (any order).
    Sample,
}

/// One stage of a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// What it is.
    pub role: StageRole,
    /// The EQL event category (`process`, `file` …); `None` for `any`, KQL and ES|QL.
    pub category: Option<String>,
    /// Join keys: the sequence's, then the step's own, as written.
    pub by: Vec<String>,
    /// The sequence's `maxspan` as written (`5m`).
    pub maxspan: Option<String>,
    /// The same in milliseconds, when the unit is known.
    pub maxspan_ms: Option<u64>,
    /// `with runs=N`.
    pub runs: Option<u64>,
    /// `as alias` (Elastic Defend).
    pub alias: Option<String>,
    /// The predicates; `None` for an empty KQL query (matches everything).
    pub tree: Option<PredicateTree>,
    /// Where the stage is in the file.
    pub span: Span,
}

impl Stage {
    /// A stage of role `role` with `tree` and nothing else.
    pub fn new(role: StageRole, tree: Option<PredicateTree>, span: Span) -> Stage {
        Stage {
            role,
            category: None,
            by: Vec::new(),
            maxspan: None,
            maxspan_ms: None,
            runs: None,
            alias: None,
            tree,
            span,
        }
    }
}

/// Build the leaf for `field` compared with the wildcard `pattern` (`*x*` is `match`, `x*`
/// `starts_with`, `*x` `ends_with`, no wildcard `eq`, anything else `wildcard`).
pub(crate) fn classify(pattern: &Pattern) -> (Kind, Value) {
    use PatternPart::{AnyString, Literal};
    match pattern.parts.as_slice() {
        [] => (Kind::Eq, Value::String(String::new())),
        [Literal(s)] => (Kind::Eq, Value::String(s.clone())),
        [AnyString, Literal(s), AnyString] => (Kind::Match, Value::String(s.clone())),
        [Literal(s), AnyString] => (Kind::StartsWith, Value::String(s.clone())),
        [AnyString, Literal(s)] => (Kind::EndsWith, Value::String(s.clone())),
        _ => (Kind::Wildcard, Value::Pattern(pattern.clone())),
    }
}

/// Leaves for `field` compared with each of `values` (already classified): one leaf per
/// kind, in order of first appearance, several values in one leaf; `eq` leaves with
/// several values become `in`.
pub(crate) fn group(
    field: Option<String>,
    values: Vec<(Kind, Value)>,
    case_insensitive: bool,
    span: Span,
) -> PredicateTree {
    let mut leaves: Vec<Predicate> = Vec::new();
    for (kind, value) in values {
        let kind = if kind == Kind::In { Kind::Eq } else { kind };
        match leaves.iter_mut().find(|p| p.kind == kind) {
            Some(p) => p.values.push(value),
            None => leaves.push(Predicate { field: field.clone(), kind, values: vec![value], case_insensitive, span }),
        }
    }
    for p in &mut leaves {
        if p.kind == Kind::Eq && p.values.len() > 1 {
            p.kind = Kind::In;
        }
    }
    PredicateTree::or(leaves.into_iter().map(PredicateTree::Pred).collect())
}
