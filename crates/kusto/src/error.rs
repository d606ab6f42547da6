//! Why a query did not parse, and the bounds for hostile input.

use serde::Serialize;

use crate::span::Span;

/// Longest query text the parser accepts, in bytes (the longest Sentinel query is under 40 KiB).
pub const MAX_QUERY_LEN: usize = 512 * 1024;

/// Deepest nesting the parser accepts: parentheses, calls, operators of subqueries, `let`
/// function bodies and unary signs together. Parsing is recursive descent; this bound keeps
/// the stack small whatever the input.
pub const MAX_DEPTH: usize = 96;

/// Why a query did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryErrorKind {
    /// The text is not Kusto as this parser reads it.
    Syntax,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Longer than [`MAX_QUERY_LEN`].
    TooLong,
}

/// A query that does not parse: where, what was found, what was expected.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{message}")]
pub struct QueryError {
    /// What went wrong.
    pub kind: QueryErrorKind,
    /// What is wrong, in a short phrase (``expected `)`, found `|` ``).
    pub message: String,
    /// Where, as a byte range of the query text.
    pub span: Span,
    /// What to do.
    pub help: String,
}

impl QueryError {
    /// A syntax error.
    pub fn syntax(message: impl Into<String>, span: Span, help: impl Into<String>) -> Self {
        Self { kind: QueryErrorKind::Syntax, message: message.into(), span, help: help.into() }
    }

    pub(crate) fn too_deep(span: Span) -> Self {
        Self {
            kind: QueryErrorKind::TooDeep,
            message: format!("the query nests more than {MAX_DEPTH} levels deep"),
            span,
            help: "flatten the nested parentheses, calls or subqueries".into(),
        }
    }

    pub(crate) fn check_len(text: &str) -> Result<(), QueryError> {
        if text.len() > MAX_QUERY_LEN {
            return Err(Self {
                kind: QueryErrorKind::TooLong,
                message: format!("the query is {} bytes long, over the limit of {MAX_QUERY_LEN}", text.len()),
                span: Span::new(0, text.len()),
                help: "split the rule into smaller rules".into(),
            });
        }
        Ok(())
    }
}
