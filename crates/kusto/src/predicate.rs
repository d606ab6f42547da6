//! The language-neutral result of reading a Kusto query: stages (one per table read), each
//! with a predicate tree whose leaves say "this column, compared this way, with these values".
//!
//! Kinds follow Kusto's operators: `==`/`=~` are `eq`, `!=`/`!~` `ne`, `contains` `match`,
//! `startswith`/`endswith`, `in`/`in~` `in`, `matches regex` `regex_match`, comparisons, and
//! `isnotempty` `exists`. `has` is whole-term matching (the value must be a whole term of the
//! column's text, as Kusto's term index splits it), which is not `contains`: it is its own kind,
//! `has_term` (`has_any` is `has_term` with several values; `hasprefix`/`hassuffix` are
//! `has_prefix`/`has_suffix`). Case sensitivity is the operator's (`==`, `in`, `has_cs`,
//! `contains_cs`, `matches regex` are case-sensitive; `=~`, `in~`, `has`, `contains`,
//! `startswith` are not); `tolower(x) == "v"` compares `x` ignoring case. Negated operators
//! (`!has`, `!in`, `!contains` …) are [`PredicateTree::Not`]. What has no column-and-values
//! reading (`strlen(x) > 3`, two columns compared) is [`PredicateTree::Opaque`] with its
//! canonical text: never dropped.

use serde::Serialize;

use crate::span::Span;

/// How a predicate compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Equal to a value.
    Eq,
    /// Not equal to a value.
    Ne,
    /// The value is a whole term of the text (`has`).
    HasTerm,
    /// A term of the text starts with the value (`hasprefix`).
    HasPrefix,
    /// A term of the text ends with the value (`hassuffix`).
    HasSuffix,
    /// Contains the value (`contains`).
    Match,
    /// Starts with the value.
    StartsWith,
    /// Ends with the value.
    EndsWith,
    /// Matches a regular expression anywhere in the text (`matches regex`).
    RegexMatch,
    /// One of the values, exactly (`in`, `in~`).
    In,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// The column has a non-empty value (`isnotempty`, `isnotnull`).
    Exists,
}

impl Kind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Eq => "eq",
            Kind::Ne => "ne",
            Kind::HasTerm => "has_term",
            Kind::HasPrefix => "has_prefix",
            Kind::HasSuffix => "has_suffix",
            Kind::Match => "match",
            Kind::StartsWith => "starts_with",
            Kind::EndsWith => "ends_with",
            Kind::RegexMatch => "regex_match",
            Kind::In => "in",
            Kind::Gt => "gt",
            Kind::Gte => "gte",
            Kind::Lt => "lt",
            Kind::Lte => "lte",
            Kind::Exists => "exists",
        }
    }
}

/// A value of a predicate.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Value {
    /// A string.
    String(String),
    /// A number or timespan as written.
    Number(String),
    /// A boolean.
    Bool(bool),
}

impl Value {
    /// The value as text.
    pub fn text(&self) -> String {
        match self {
            Value::String(s) | Value::Number(s) => s.clone(),
            Value::Bool(b) => b.to_string(),
        }
    }
}

/// A leaf: a column compared with values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Predicate {
    /// The column as the query names it (`CommandLine`, `AdditionalFields.Foo`).
    pub field: String,
    /// The comparison.
    pub kind: Kind,
    /// The values (none for `exists`); any of them matches.
    pub values: Vec<Value>,
    /// Compared ignoring case.
    pub case_insensitive: bool,
    /// Where the comparison is (in the file, when the query came from one).
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
    /// A column compared with values.
    Pred(Predicate),
    /// A condition with no column-and-values reading, as canonical query text.
    Opaque {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
}

impl PredicateTree {
    /// `And` of `items` (flattened), or the single item itself.
    pub fn and(items: Vec<PredicateTree>) -> PredicateTree {
        let mut flat = Vec::new();
        for i in items {
            match i {
                PredicateTree::And { items } => flat.extend(items),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 { flat.pop().expect("one item") } else { PredicateTree::And { items: flat } }
    }

    /// `Or` of `items` (flattened), or the single item itself.
    pub fn or(items: Vec<PredicateTree>) -> PredicateTree {
        let mut flat = Vec::new();
        for i in items {
            match i {
                PredicateTree::Or { items } => flat.extend(items),
                other => flat.push(other),
            }
        }
        if flat.len() == 1 { flat.pop().expect("one item") } else { PredicateTree::Or { items: flat } }
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
            PredicateTree::Opaque { .. } => {}
        }
    }
}

/// What a stage is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StageRole {
    /// The table the query's result starts from.
    Main,
    /// The right side of a `join`.
    JoinRight,
    /// The right side of a `lookup`.
    LookupRight,
    /// One side of a `union`.
    UnionSide,
}

/// One stage: a table (or function, `datatable`, `print` …) and the predicates its rows meet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// What it is.
    pub role: StageRole,
    /// The table (`SecurityEvent`), `Name()` for a function call (`_GetWatchlist()`), or
    /// `None` (`datatable`, `print`, `range`).
    pub table: Option<String>,
    /// The `let` names it was reached through, outermost first.
    pub via: Vec<String>,
    /// The tabular operators of its pipeline, in order (`where`, `extend`, `summarize` …).
    pub operators: Vec<String>,
    /// The `join` kind for a join's right side.
    pub join_kind: Option<String>,
    /// The `where` predicates, ANDed; `None` when it has none.
    pub tree: Option<PredicateTree>,
    /// Where its source is (in the file, when the query came from one).
    pub span: Span,
}
