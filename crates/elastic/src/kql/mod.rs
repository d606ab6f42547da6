//! KQL (Kibana Query Language, `language = "kuery"`): the query of `query`, `new_terms`,
//! `threshold` and `threat_match` rules.
//!
//! Grammar (Kibana's, as its documentation describes it; our own parser):
//!
//! ```text
//! or       := and ("or" and)*                      keywords are case-insensitive
//! and      := not ("and" not)*
//! not      := "not" not | primary
//! primary  := "(" or ")" | field ":" "{" or "}"    nested query
//!           | field (":" values | ("<"|"<="|">"|">=") literal)
//!           | literal                              free text: a value of any field
//! values   := "(" vor ")" | literal                `field:*` alone is "field exists"
//! vor      := vand ("or" vand)* ; vand := vnot ("and" vnot)* ; vnot := "not" vnot | values
//! literal  := "…" (escapes \" \\ \t \r \n \uXXXX)
//!           | unquoted (spaces inside, `*` a wildcard, \ escapes a special character)
//! ```
//!
//! [`parse`] gives a [`Query`] whose spans are byte ranges of the query text; [`Display`]
//! prints it in canonical form, which parses back to the same tree.
//!
//! [`Display`]: std::fmt::Display

mod lower;
mod parse;
mod print;

use serde::Serialize;

pub use lower::{lower, stages};
pub use parse::parse;

use crate::query::Pattern;
use crate::span::Span;

/// A parsed KQL query.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Query {
    /// The expression; `None` for an empty query (which matches every document).
    pub root: Option<Expr>,
}

/// A KQL expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Expr {
    /// `a or b or …` (two or more items).
    Or {
        /// The alternatives.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `a and b and …` (two or more items).
    And {
        /// The conjuncts.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `not a`.
    Not {
        /// The negated expression.
        expr: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `field:value` or `field:(a or b …)`.
    Match {
        /// The field (may hold wildcards: `process.*:x`).
        field: Literal,
        /// The value(s).
        values: ValueExpr,
        /// Where.
        span: Span,
    },
    /// `field < value` and friends.
    Range {
        /// The field.
        field: Literal,
        /// The comparison.
        op: RangeOp,
        /// The bound.
        value: Literal,
        /// Where.
        span: Span,
    },
    /// `field:*`: the field has a value.
    Exists {
        /// The field.
        field: Literal,
        /// Where.
        span: Span,
    },
    /// `field:{ query }`: a query on the objects of a nested field.
    Nested {
        /// The nested field.
        field: Literal,
        /// The query on its objects (field names relative to it).
        query: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// A value without a field: matched against the default fields.
    FreeText {
        /// The value.
        value: Literal,
        /// Where.
        span: Span,
    },
}

impl Expr {
    /// Where the expression is.
    pub fn span(&self) -> Span {
        match self {
            Expr::Or { span, .. }
            | Expr::And { span, .. }
            | Expr::Not { span, .. }
            | Expr::Match { span, .. }
            | Expr::Range { span, .. }
            | Expr::Exists { span, .. }
            | Expr::Nested { span, .. }
            | Expr::FreeText { span, .. } => *span,
        }
    }

    /// Apply `f` to every span of the tree (to move them into the file, or to clear them).
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        match self {
            Expr::Or { items, span } | Expr::And { items, span } => {
                *span = f(*span);
                items.iter_mut().for_each(|i| i.map_spans(f));
            }
            Expr::Not { expr, span } => {
                *span = f(*span);
                expr.map_spans(f);
            }
            Expr::Match { field, values, span } => {
                *span = f(*span);
                field.span = f(field.span);
                values.map_spans(f);
            }
            Expr::Range { field, value, span, .. } => {
                *span = f(*span);
                field.span = f(field.span);
                value.span = f(value.span);
            }
            Expr::Exists { field, span } => {
                *span = f(*span);
                field.span = f(field.span);
            }
            Expr::Nested { field, query, span } => {
                *span = f(*span);
                field.span = f(field.span);
                query.map_spans(f);
            }
            Expr::FreeText { value, span } => {
                *span = f(*span);
                value.span = f(value.span);
            }
        }
    }
}

impl Query {
    /// Apply `f` to every span of the tree.
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        if let Some(root) = &mut self.root {
            root.map_spans(f);
        }
    }

    /// The same tree with every span cleared (to compare trees whatever their positions).
    pub fn without_spans(&self) -> Query {
        let mut q = self.clone();
        q.map_spans(&mut |_| Span::default());
        q
    }
}

/// The value side of `field:…`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ValueExpr {
    /// One value.
    Value {
        /// The value.
        value: Literal,
    },
    /// `(a or b …)`.
    Or {
        /// The alternatives.
        items: Vec<ValueExpr>,
        /// Where.
        span: Span,
    },
    /// `(a and b …)`: every value must match (multi-valued or analysed fields).
    And {
        /// The values.
        items: Vec<ValueExpr>,
        /// Where.
        span: Span,
    },
    /// `(not a)`.
    Not {
        /// The negated value(s).
        expr: Box<ValueExpr>,
        /// Where.
        span: Span,
    },
}

impl ValueExpr {
    fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        match self {
            ValueExpr::Value { value } => value.span = f(value.span),
            ValueExpr::Or { items, span } | ValueExpr::And { items, span } => {
                *span = f(*span);
                items.iter_mut().for_each(|i| i.map_spans(f));
            }
            ValueExpr::Not { expr, span } => {
                *span = f(*span);
                expr.map_spans(f);
            }
        }
    }

    /// Where.
    pub fn span(&self) -> Span {
        match self {
            ValueExpr::Value { value } => value.span,
            ValueExpr::Or { span, .. } | ValueExpr::And { span, .. } | ValueExpr::Not { span, .. } => *span,
        }
    }
}

/// A field name or a value as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Literal {
    /// Quoted (matched as a phrase, no wildcards) or unquoted.
    pub kind: LiteralKind,
    /// Where, quotes included.
    pub span: Span,
}

/// Quoted or unquoted.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum LiteralKind {
    /// `"…"`, escapes resolved.
    Quoted(String),
    /// Unquoted, escapes resolved, `*` a wildcard.
    Unquoted(Pattern),
}

impl Literal {
    /// The text, wildcards written as `*` (for field names and display).
    pub fn text(&self) -> String {
        match &self.kind {
            LiteralKind::Quoted(s) => s.clone(),
            LiteralKind::Unquoted(p) => p
                .parts
                .iter()
                .map(|part| match part {
                    crate::query::PatternPart::Literal(s) => s.as_str(),
                    crate::query::PatternPart::AnyString => "*",
                    crate::query::PatternPart::AnyChar => "?",
                })
                .collect(),
        }
    }
}

/// Range comparisons.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RangeOp {
    /// `<`
    Lt,
    /// `<=`
    Lte,
    /// `>`
    Gt,
    /// `>=`
    Gte,
}

impl RangeOp {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            RangeOp::Lt => "<",
            RangeOp::Lte => "<=",
            RangeOp::Gt => ">",
            RangeOp::Gte => ">=",
        }
    }
}
