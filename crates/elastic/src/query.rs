//! What the three query parsers share: limits for hostile input, the error they return, and
//! wildcard patterns.

use serde::Serialize;

use crate::span::Span;

/// Longest query text the parsers accept, in bytes (the longest in the Elastic corpora is
/// under 40 KiB).
pub const MAX_QUERY_LEN: usize = 512 * 1024;

/// Deepest nesting the parsers accept: parentheses, `not`s, function calls, lists and
/// sequence steps together. Parsing is recursive descent; this bound keeps the stack small
/// whatever the input.
pub const MAX_DEPTH: usize = 64;

/// Why a query did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryErrorKind {
    /// The text is not in the language's grammar.
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
    /// What is wrong, in a short phrase (`expected a value after \`:\`, found \`)\``).
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
            help: "flatten the nested parentheses, `not`s or calls".into(),
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

/// Comparisons (EQL and ES|QL). In EQL `==` is case-sensitive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CmpOp {
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl CmpOp {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// Arithmetic (EQL and ES|QL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ArithOp {
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Mod,
}

impl ArithOp {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
            ArithOp::Mod => "%",
        }
    }
}

/// One piece of a wildcard pattern.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "text", rename_all = "snake_case")]
pub enum PatternPart {
    /// Text matched as it is.
    Literal(String),
    /// `*`: any run of characters, including none.
    AnyString,
    /// `?`: exactly one character.
    AnyChar,
}

/// A wildcard pattern: literal text with `*` and `?` wildcards. Literal parts are never
/// empty and never adjacent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct Pattern {
    /// The pieces, in order.
    pub parts: Vec<PatternPart>,
}

impl Pattern {
    /// A pattern matching exactly `s`.
    pub fn literal(s: &str) -> Self {
        let mut p = Pattern::default();
        p.push_str(s);
        p
    }

    /// `s` read with `*` and `?` as wildcards and `\` escaping the next character (ES|QL
    /// `LIKE`, Elasticsearch `wildcard` queries); a `\` at the end is itself.
    pub fn from_escaped_wildcards(s: &str) -> Self {
        let mut p = Pattern::default();
        let mut chars = s.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => p.push_char(chars.next().unwrap_or('\\')),
                '*' => p.parts.push(PatternPart::AnyString),
                '?' => p.parts.push(PatternPart::AnyChar),
                c => p.push_char(c),
            }
        }
        p
    }

    /// `s` read with `*` (and, when `any_char`, `?`) as wildcards, every other character
    /// literal (EQL `:`/`like` and KQL patterns after their escapes are resolved).
    pub fn from_wildcards(s: &str, any_char: bool) -> Self {
        let mut p = Pattern::default();
        for c in s.chars() {
            match c {
                '*' => p.parts.push(PatternPart::AnyString),
                '?' if any_char => p.parts.push(PatternPart::AnyChar),
                c => p.push_char(c),
            }
        }
        p
    }

    /// Append literal text.
    pub fn push_str(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if let Some(PatternPart::Literal(l)) = self.parts.last_mut() {
            l.push_str(s);
        } else {
            self.parts.push(PatternPart::Literal(s.to_string()));
        }
    }

    /// Append one literal character.
    pub fn push_char(&mut self, c: char) {
        if let Some(PatternPart::Literal(l)) = self.parts.last_mut() {
            l.push(c);
        } else {
            self.parts.push(PatternPart::Literal(c.to_string()));
        }
    }

    /// True when the pattern has a wildcard.
    pub fn has_wildcards(&self) -> bool {
        self.parts.iter().any(|p| !matches!(p, PatternPart::Literal(_)))
    }

    /// The literal text, when the pattern has no wildcard.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [PatternPart::Literal(s)] => Some(s),
            _ => None,
        }
    }

    /// The pattern in Sigma's wildcard syntax: `*` and `?` are wildcards, a literal `*` or
    /// `?` is written `\*`/`\?`, and a literal `\` is doubled only where it would
    /// otherwise escape what follows (before a wildcard, a `\` or at the end), so Windows
    /// paths read as written: `?:\Program Files\\*.exe`.
    pub fn to_wildcard_string(&self) -> String {
        // Each character with whether it is a wildcard.
        let mut chars: Vec<(char, bool)> = Vec::new();
        for p in &self.parts {
            match p {
                PatternPart::Literal(l) => chars.extend(l.chars().map(|c| (c, false))),
                PatternPart::AnyString => chars.push(('*', true)),
                PatternPart::AnyChar => chars.push(('?', true)),
            }
        }
        let mut s = String::new();
        for (i, &(c, wild)) in chars.iter().enumerate() {
            match c {
                _ if wild => s.push(c),
                '*' | '?' => {
                    s.push('\\');
                    s.push(c);
                }
                '\\' => {
                    let next = chars.get(i + 1);
                    if next.is_none_or(|&(n, w)| w || matches!(n, '*' | '?' | '\\')) {
                        s.push('\\');
                    }
                    s.push('\\');
                }
                c => s.push(c),
            }
        }
        s
    }
}

/// Binding powers of the operators EQL and ES|QL share, for their Pratt parsers and for
/// their printers (which add parentheses where an operand binds looser than its place).
pub(crate) const BP_OR: u8 = 1;
pub(crate) const BP_AND: u8 = 3;
/// `not` binds looser than comparisons: `not a == b` is `not (a == b)`.
pub(crate) const BP_NOT: u8 = 5;
pub(crate) const BP_CMP: u8 = 7;
pub(crate) const BP_ADD: u8 = 9;
pub(crate) const BP_MUL: u8 = 11;
pub(crate) const BP_NEG: u8 = 13;

/// Keep the deepest nesting in check: the parsers call [`Depth::enter`] on every recursion.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Depth(pub usize);

impl Depth {
    pub(crate) fn enter(&mut self, span: Span) -> Result<(), QueryError> {
        self.0 += 1;
        if self.0 > MAX_DEPTH { Err(QueryError::too_deep(span)) } else { Ok(()) }
    }

    pub(crate) fn leave(&mut self) {
        self.0 -= 1;
    }
}

/// Text for an error message: the found token, shortened.
pub(crate) fn describe(text: &str) -> String {
    if text.is_empty() {
        return "the end of the query".into();
    }
    let mut s: String = text.chars().take(30).collect();
    if s.len() < text.len() {
        s.push('…');
    }
    format!("`{s}`")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcard_strings_escape_backslashes_only_where_sigma_needs_it() {
        let p = Pattern::from_wildcards("?:\\Program Files\\*.exe", true);
        assert_eq!(p.to_wildcard_string(), "?:\\Program Files\\\\*.exe");
        let mut lit = Pattern::literal("a*b\\");
        lit.parts.push(PatternPart::AnyString);
        assert_eq!(lit.to_wildcard_string(), "a\\*b\\\\*");
        assert_eq!(Pattern::literal("end\\").to_wildcard_string(), "end\\\\");
    }
}
