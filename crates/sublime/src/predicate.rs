//! The language-neutral reading of an MQL query: a predicate tree whose leaves say "this
//! field, compared this way, with these values" (built by [`crate::mql::lower::lower`]).
//!
//! Fields are MQL's Message Data Model paths as written (`sender.email.domain.root_domain`);
//! inside `any(array, …)` an element's `.x` becomes the array's path plus `.x`
//! (`body.links.href_url.domain.root_domain`). A value computed by an enrichment function
//! (`profile.by_sender().prevalence`, `ml.nlu_classifier(body.current_thread.text).intents.name`)
//! keeps the call in its "field": it is shown as such, never taken for a message field.

use serde::Serialize;

use crate::span::Span;

/// How a predicate compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Equal (`==`, `=~`; a boolean field alone is `== true`).
    Eq,
    /// Not equal (`!=`, `!~`).
    Ne,
    /// Contains (`strings.contains`, `strings.icontains`).
    Match,
    /// Starts with (`strings.starts_with`, `strings.istarts_with`).
    StartsWith,
    /// Ends with (`strings.ends_with`, `strings.iends_with`).
    EndsWith,
    /// A `*` pattern (`strings.like`, `strings.ilike`).
    Wildcard,
    /// A regular expression found in the value (`regex.contains`, `regex.icontains`).
    Regex,
    /// A regular expression matching the whole value (`regex.match`, `regex.imatch`).
    RegexMatch,
    /// One of the values (`in (…)`).
    In,
    /// In a named list of the Sublime platform (`in $free_email_providers`): the value is the
    /// list's name, whose content is not in the rules repository.
    InList,
    /// `>`
    Gt,
    /// `>=`
    Gte,
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `is not null` / `!= null`.
    Exists,
    /// `is null` / `== null`.
    Null,
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
            Kind::Regex => "regex",
            Kind::RegexMatch => "regex_match",
            Kind::In => "in",
            Kind::InList => "in_list",
            Kind::Gt => "gt",
            Kind::Gte => "gte",
            Kind::Lt => "lt",
            Kind::Lte => "lte",
            Kind::Exists => "exists",
            Kind::Null => "null",
        }
    }

    /// The operator as a reader expects it (`==`, `contains`, `in list`).
    pub fn word(self) -> &'static str {
        match self {
            Kind::Eq => "==",
            Kind::Ne => "!=",
            Kind::Match => "contains",
            Kind::StartsWith => "starts with",
            Kind::EndsWith => "ends with",
            Kind::Wildcard => "like",
            Kind::Regex => "regex",
            Kind::RegexMatch => "regex match",
            Kind::In => "in",
            Kind::InList => "in list",
            Kind::Gt => ">",
            Kind::Gte => ">=",
            Kind::Lt => "<",
            Kind::Lte => "<=",
            Kind::Exists => "exists",
            Kind::Null => "is null",
        }
    }
}

/// A value of a predicate.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// A string (escapes of double-quoted strings resolved).
    String(String),
    /// A number as written.
    Number(String),
    /// A boolean.
    Bool(bool),
    /// The name of a `$list` (kind [`Kind::InList`]).
    List(String),
}

impl Value {
    /// The value as text (`$name` for a list).
    pub fn text(&self) -> String {
        match self {
            Value::String(s) | Value::Number(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
            Value::List(n) => format!("${n}"),
        }
    }
}

/// A leaf: a field compared with values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Predicate {
    /// The field path (array elements' fields prefixed with the array's path).
    pub field: String,
    /// The comparison.
    pub kind: Kind,
    /// The values (none for `exists`/`null`); any of them matches.
    pub values: Vec<Value>,
    /// Compared ignoring case (`=~`, `in~`, `strings.i…`, `regex.i…`).
    pub case_insensitive: bool,
    /// Functions applied to the field before comparing (`replace_confusables`).
    pub transforms: Vec<String>,
    /// Where the comparison is (in the query, or in the file once mapped).
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
    /// `n of (a, b, …)`: at least `count` of the items.
    AtLeast {
        /// The number as written.
        count: String,
        /// The items.
        items: Vec<PredicateTree>,
        /// Where.
        span: Span,
    },
    /// `any(array, …)`, `all(array, …)`, or `length(filter(array, …)) > n`: a condition on the
    /// elements of an array (whose fields are already prefixed with the array's path).
    Quantified {
        /// `any`, `all`, or `filter` (with `count`).
        quantifier: String,
        /// The array's path (or its canonical text when computed).
        array: String,
        /// For `length(filter(…)) op n`: `op n` (`> 2`).
        count: Option<String>,
        /// The condition on each element.
        tree: Box<PredicateTree>,
        /// Where.
        span: Span,
    },
    /// A condition with no field-and-values reading (an enrichment call used as a boolean,
    /// arithmetic, two fields compared), as canonical MQL text.
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
        if items.len() == 1 {
            items.pop().unwrap_or(PredicateTree::And { items: Vec::new() })
        } else {
            PredicateTree::And { items }
        }
    }

    /// `Or` of `items`, or the single item itself.
    pub fn or(mut items: Vec<PredicateTree>) -> PredicateTree {
        if items.len() == 1 {
            items.pop().unwrap_or(PredicateTree::Or { items: Vec::new() })
        } else {
            PredicateTree::Or { items }
        }
    }

    /// `Not` of `item`.
    pub fn negate(item: PredicateTree) -> PredicateTree {
        PredicateTree::Not { item: Box::new(item) }
    }

    /// Every leaf predicate (inside quantifiers too) with whether it sits under an odd number
    /// of `not`s (an exclusion).
    pub fn predicates(&self) -> Vec<(&Predicate, bool)> {
        let mut out = Vec::new();
        self.walk(false, &mut out);
        out
    }

    fn walk<'a>(&'a self, negated: bool, out: &mut Vec<(&'a Predicate, bool)>) {
        match self {
            PredicateTree::And { items } | PredicateTree::Or { items } | PredicateTree::AtLeast { items, .. } => {
                items.iter().for_each(|i| i.walk(negated, out));
            }
            PredicateTree::Not { item } => item.walk(!negated, out),
            PredicateTree::Pred(p) => out.push((p, negated)),
            PredicateTree::Quantified { tree, .. } => tree.walk(negated, out),
            PredicateTree::Opaque { .. } => {}
        }
    }

    /// Every span in the tree moved through `f` (query offsets → file offsets).
    pub fn map_spans(&mut self, f: &impl Fn(Span) -> Span) {
        match self {
            PredicateTree::And { items } | PredicateTree::Or { items } => items.iter_mut().for_each(|i| i.map_spans(f)),
            PredicateTree::Not { item } => item.map_spans(f),
            PredicateTree::AtLeast { items, span, .. } => {
                *span = f(*span);
                items.iter_mut().for_each(|i| i.map_spans(f));
            }
            PredicateTree::Pred(p) => p.span = f(p.span),
            PredicateTree::Quantified { tree, span, .. } => {
                *span = f(*span);
                tree.map_spans(f);
            }
            PredicateTree::Opaque { span, .. } => *span = f(*span),
        }
    }
}
