//! Parser for the Sigma `detection.condition` expression.
//!
//! Grammar (Sigma rules specification v2.1, "Condition"; pySigma `sigma/conditions.py`):
//!
//! ```text
//! condition  := or_expr
//! or_expr    := and_expr ("or" and_expr)*
//! and_expr   := not_expr ("and" not_expr)*
//! not_expr   := "not" not_expr | primary
//! primary    := "(" or_expr ")" | quantifier "of" target | identifier
//! quantifier := "1" | "all" | "any" | N          ("any": pySigma, N >= 2: rsigma)
//! target     := "them" | pattern                 (pattern: identifier chars plus `*`)
//! ```
//!
//! Decisions taken where the authorities are silent or disagree (pySigma wins over the
//! specification; both are quoted from pySigma `sigma/conditions.py`):
//!
//! - Keywords are **case-sensitive** and lower-case. pySigma builds the quantifiers with
//!   `Keyword("1") | Keyword("any") | Keyword("all")` and `Keyword("of")`, and passes the
//!   operators to `infix_notation` as the strings `"not"`, `"and"`, `"or"`, which pyparsing
//!   turns into case-sensitive `Literal`s. So `selection AND filter` is an error (we add a
//!   help that says to write `and`).
//! - Identifiers are `Word(alphanums + "_-")`: ASCII letters, digits, `_` and `-` (pyparsing's
//!   `alphanums` is ASCII only). Quantifier patterns are `Word(alphanums + "*_")`: ASCII
//!   letters, digits, `_` and `*`, so **no `-`** in a pattern (rsigma allows it; pySigma
//!   rejects it, and so do we, with a dedicated error).
//! - Whitespace is pyparsing's default set: space, tab, `\n`, `\r`.
//! - pySigma's operator literals have no word boundary, so pySigma reads `notable` as
//!   `not able` and `a andb` as `a and b`; we require whole words (as rsigma does), so
//!   `notable` is one identifier.
//! - pySigma accepts `and`, `or` and `not` as bare identifiers when nothing else parses
//!   (e.g. the condition `and`); we reserve those three words. `1`, `all`, `any`, `of` and
//!   `them` are keywords only in the `<quantifier> of <target>` position and plain
//!   identifiers elsewhere, as in pySigma.
//! - `any of` (pySigma) and `N of` with N >= 2 (rsigma) are not in the specification: they
//!   parse, with a [`ConditionWarning`].
//! - Any `|` is legacy aggregation syntax, rejected like pySigma does ("The pipe syntax in
//!   Sigma conditions has been deprecated and replaced by Sigma correlations").
//!
//! Hostile input is bounded like rsigma's parser: at most [`MAX_CONDITION_LEN`] bytes and
//! [`MAX_CONDITION_DEPTH`] nested parentheses / `not`s, so parsing never overflows the stack.

use std::fmt;

use serde::Serialize;

use crate::span::Span;

/// Longest condition accepted, in bytes (rsigma uses the same 64 KiB cap).
pub const MAX_CONDITION_LEN: usize = 64 * 1024;

/// Deepest nesting of parentheses and `not` accepted (rsigma uses the same cap).
pub const MAX_CONDITION_DEPTH: usize = 64;

/// Parsed condition tree. Parentheses are not kept; printing adds them where precedence needs them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Condition {
    /// `a or b or c`: at least two operands, flattened (no operand is itself an `Or`).
    Or(Vec<Condition>),
    /// `a and b and c`: at least two operands, flattened (no operand is itself an `And`).
    And(Vec<Condition>),
    /// `not a`.
    Not(Box<Condition>),
    /// A reference to one search identifier.
    Identifier {
        /// The identifier as written.
        name: String,
        /// Where it is written.
        span: Span,
    },
    /// `1 of X`, `all of X`, `any of X` or `N of X`.
    Quantified {
        /// How many of the matched search identifiers must match.
        quantifier: Quantifier,
        /// Which search identifiers are meant.
        target: Target,
        /// From the quantifier to the end of the target.
        span: Span,
    },
}

/// The quantifier of a `... of X` expression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Quantifier {
    /// `1 of`: at least one (logical OR).
    One,
    /// `any of`: same as `1 of`; a pySigma extension, not in the specification.
    Any,
    /// `all of`: every one (logical AND).
    All,
    /// `N of` with N != 1: at least N; an rsigma extension, not in the specification.
    Count(u32),
}

/// The target of a `... of X` expression.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum Target {
    /// `them`: every search identifier not starting with `_`.
    Them,
    /// An identifier or a wildcard pattern like `selection_*` (`*` = any run of characters).
    Pattern(String),
}

/// A successfully parsed condition.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParsedCondition {
    /// The expression tree.
    pub root: Condition,
    /// Constructs that parse but are not in the Sigma specification.
    pub warnings: Vec<ConditionWarning>,
}

/// A construct that parses but is not portable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConditionWarning {
    /// What was found.
    pub kind: ConditionWarningKind,
    /// The offending quantifier.
    pub span: Span,
    /// Short statement of what is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

/// Kinds of [`ConditionWarning`]: extensions not in the specification.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ConditionWarningKind {
    /// `any of X` (pySigma extension).
    AnyOf,
    /// `N of X` with N >= 2 (rsigma extension).
    CountOf,
}

/// Why a condition could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct ConditionError {
    /// Category of the error.
    pub kind: ConditionErrorKind,
    /// The offending token (shifted by the `base` given to [`parse_condition`]).
    pub span: Span,
    /// Short statement of what is wrong.
    pub message: String,
    /// What to do about it.
    pub help: Option<String>,
}

/// Kinds of [`ConditionError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum ConditionErrorKind {
    /// The condition is empty or only whitespace.
    Empty,
    /// A token (or character) that cannot stand where it is.
    UnexpectedToken,
    /// The condition stops in the middle of an expression.
    UnexpectedEnd,
    /// An unclosed `(` or an unmatched `)`.
    UnbalancedParenthesis,
    /// More than [`MAX_CONDITION_DEPTH`] nested parentheses / `not`s.
    TooDeep,
    /// More than [`MAX_CONDITION_LEN`] bytes.
    TooLong,
    /// The N of `N of X` is 0 or does not fit in 32 bits.
    InvalidCount,
    /// Legacy aggregation after a pipe: `| count() by x > 5`, `| max(x) ...`.
    LegacyAggregation,
    /// Legacy `near` correlation.
    LegacyNear,
}

/// Parse a condition expression. `base` is the byte offset of `text` inside the rule file:
/// every span is shifted by it.
pub fn parse_condition(text: &str, base: usize) -> Result<ParsedCondition, ConditionError> {
    let err = |kind, start: usize, end: usize, message: String, help: &str| ConditionError {
        kind,
        span: shifted(start, end, base),
        message,
        help: Some(help.to_owned()),
    };
    if text.len() > MAX_CONDITION_LEN {
        return Err(err(
            ConditionErrorKind::TooLong,
            0,
            text.len(),
            format!("condition is {} bytes long, over the limit of {MAX_CONDITION_LEN}", text.len()),
            "split the logic into smaller search identifiers",
        ));
    }
    if text.trim_matches(is_space).is_empty() {
        return Err(err(
            ConditionErrorKind::Empty,
            0,
            text.len(),
            "condition is empty".to_owned(),
            "name the search identifiers to match, e.g. `condition: selection`",
        ));
    }
    if let Some(pipe) = text.find('|') {
        return Err(legacy_pipe(text, pipe, base));
    }
    let mut parser = Parser { tokens: lex(text), pos: 0, depth: 0, base, warnings: Vec::new() };
    let root = parser.parse_or("at the start of the condition")?;
    match parser.peek() {
        None => Ok(ParsedCondition { root, warnings: parser.warnings }),
        Some(tok) if tok.kind == Tok::RParen => Err(parser.error(
            ConditionErrorKind::UnbalancedParenthesis,
            tok,
            "unmatched `)`".to_owned(),
            "remove it or add the matching `(`",
        )),
        Some(tok) => Err(parser.after_operand_error(tok, "end of condition")),
    }
}

/// Glob match of a quantifier pattern against an identifier name (`*` = any run of
/// characters, everything else literal and case-sensitive; the whole name must match, as
/// pySigma's `re.fullmatch(pattern.replace("*", ".*"), name)`).
pub fn pattern_matches(pattern: &str, name: &str) -> bool {
    let (p, n) = (pattern.as_bytes(), name.as_bytes());
    let (mut pi, mut ni) = (0, 0);
    // Position of the last `*` seen and the name position it currently absorbs up to.
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if p.get(pi) == Some(&b'*') {
            star = Some((pi, ni));
            pi += 1;
        } else if p.get(pi) == Some(&n[ni]) {
            pi += 1;
            ni += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&b| b == b'*')
}

impl Condition {
    /// Resolve which of `identifiers` (the detection's search identifiers, in file order) a
    /// quantifier target refers to, in file order.
    ///
    /// `them` is every identifier not starting with `_` (specification and pySigma). A pattern
    /// is every identifier it matches, except that identifiers starting with `_` are only
    /// matched by patterns that themselves start with `_`: this is pySigma's rule
    /// (`resolve_referenced_detections`: `r.fullmatch(identifier) and
    /// (self.pattern.startswith("_") or not identifier.startswith("_"))`), which keeps
    /// `1 of *` from pulling in `_`-prefixed (filter) identifiers.
    pub fn resolve<'a>(target: &Target, identifiers: &[&'a str]) -> Vec<&'a str> {
        identifiers
            .iter()
            .copied()
            .filter(|id| match target {
                Target::Them => !id.starts_with('_'),
                Target::Pattern(p) => pattern_matches(p, id) && (p.starts_with('_') || !id.starts_with('_')),
            })
            .collect()
    }

    /// Every `Identifier` / `Quantified` leaf, left to right.
    pub fn leaves(&self) -> Vec<&Condition> {
        let mut out = Vec::new();
        self.collect_leaves(&mut out);
        out
    }

    fn collect_leaves<'a>(&'a self, out: &mut Vec<&'a Condition>) {
        match self {
            Condition::Or(xs) | Condition::And(xs) => {
                xs.iter().for_each(|x| x.collect_leaves(out));
            }
            Condition::Not(x) => x.collect_leaves(out),
            Condition::Identifier { .. } | Condition::Quantified { .. } => out.push(self),
        }
    }

    /// A copy with every span set to `Span::default()`, to compare trees by structure only.
    pub fn without_spans(&self) -> Condition {
        match self {
            Condition::Or(xs) => Condition::Or(xs.iter().map(Condition::without_spans).collect()),
            Condition::And(xs) => Condition::And(xs.iter().map(Condition::without_spans).collect()),
            Condition::Not(x) => Condition::Not(Box::new(x.without_spans())),
            Condition::Identifier { name, .. } => Condition::Identifier { name: name.clone(), span: Span::default() },
            Condition::Quantified { quantifier, target, .. } => {
                Condition::Quantified { quantifier: *quantifier, target: target.clone(), span: Span::default() }
            }
        }
    }

    /// Print with parentheses only where the enclosing operator (`parent`) binds tighter.
    fn write(&self, f: &mut fmt::Formatter<'_>, parent: Prec) -> fmt::Result {
        let (xs, sep, own) = match self {
            Condition::Or(xs) => (xs, " or ", Prec::Or),
            Condition::And(xs) => (xs, " and ", Prec::And),
            Condition::Not(x) => {
                f.write_str("not ")?;
                return x.write(f, Prec::Not);
            }
            Condition::Identifier { name, .. } => return f.write_str(name),
            Condition::Quantified { quantifier, target, .. } => return write!(f, "{quantifier} of {target}"),
        };
        let parens = parent > own;
        if parens {
            f.write_str("(")?;
        }
        for (i, x) in xs.iter().enumerate() {
            if i > 0 {
                f.write_str(sep)?;
            }
            x.write(f, own)?;
        }
        if parens {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// Binding strength of the operator around a node, weakest first.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Or,
    And,
    Not,
}

/// Canonical form: lower-case keywords, single spaces, parentheses only where needed.
impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, Prec::Or)
    }
}

/// `1`, `any`, `all` or the count.
impl fmt::Display for Quantifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Quantifier::One => f.write_str("1"),
            Quantifier::Any => f.write_str("any"),
            Quantifier::All => f.write_str("all"),
            Quantifier::Count(n) => write!(f, "{n}"),
        }
    }
}

/// `them` or the pattern.
impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Them => f.write_str("them"),
            Target::Pattern(p) => f.write_str(p),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    /// A run of ASCII letters, digits, `_`, `-`, `*`: identifier, keyword, number or pattern.
    Word,
    /// One character that has no place in a condition.
    Invalid,
}

#[derive(Clone, Copy, Debug)]
struct Token<'t> {
    kind: Tok,
    text: &'t str,
    /// Byte range in the condition text (not yet shifted by `base`).
    start: usize,
    end: usize,
}

/// pyparsing's default whitespace set.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r')
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'*')
}

fn lex(text: &str) -> Vec<Token<'_>> {
    let bytes = text.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        let start = i;
        let kind = match c {
            c if is_space(c) => {
                i += 1;
                continue;
            }
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            c if c.is_ascii() && is_word_byte(c as u8) => {
                while i < bytes.len() && is_word_byte(bytes[i]) {
                    i += 1;
                }
                tokens.push(Token { kind: Tok::Word, text: &text[start..i], start, end: i });
                continue;
            }
            _ => Tok::Invalid,
        };
        i += c.len_utf8();
        tokens.push(Token { kind, text: &text[start..i], start, end: i });
    }
    tokens
}

fn shifted(start: usize, end: usize, base: usize) -> Span {
    // Saturating: `base` comes from the caller and must not be able to cause a panic.
    Span::new(start.saturating_add(base), end.saturating_add(base))
}

/// How a token is named in messages.
fn describe(tok: Option<&Token<'_>>) -> String {
    match tok {
        None => "end of condition".to_owned(),
        Some(t) if t.kind == Tok::Invalid => format!("`{}`", t.text.escape_debug()),
        Some(t) if t.text.len() > 40 => {
            let cut = (0..=40).rev().find(|&i| t.text.is_char_boundary(i)).unwrap_or(0);
            format!("`{}…`", &t.text[..cut])
        }
        Some(t) => format!("`{}`", t.text),
    }
}

const KEYWORDS: [&str; 7] = ["and", "or", "not", "of", "them", "all", "any"];

/// `Some("and")` for `AND`, `And`, ...: a keyword written in the wrong case.
fn miscased_keyword(word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    (lower != word && KEYWORDS.contains(&lower.as_str())).then_some(lower)
}

/// Error for the first `|`: legacy aggregation (`| count() by x > 5`) or `| near`.
fn legacy_pipe(text: &str, pipe: usize, base: usize) -> ConditionError {
    let rest = &text[pipe + 1..];
    let end = text.trim_end_matches(is_space).len().max(pipe + 1);
    let span = shifted(pipe, end, base);
    let after = rest.trim_start_matches(is_space);
    let word_len = after.bytes().take_while(|b| b.is_ascii_alphanumeric() || *b == b'_').count();
    let word = &after[..word_len];
    let call = after[word_len..].trim_start_matches(is_space).starts_with('(');
    let correlation = "move it into a Sigma correlation rule that refers to this rule";
    let (kind, message, help) = match word {
        "near" => (
            ConditionErrorKind::LegacyNear,
            "`| near` is legacy Sigma correlation syntax".to_owned(),
            format!("{correlation}, with `type: temporal` (or `temporal_ordered`)"),
        ),
        "count" | "min" | "max" | "avg" | "sum" if call => {
            let empty_count = word == "count"
                && after[word_len..]
                    .trim_start_matches(is_space)
                    .strip_prefix('(')
                    .is_some_and(|a| a.trim_start_matches(is_space).starts_with(')'));
            let ty = match word {
                "count" if empty_count => "`type: event_count`",
                "count" => "`type: value_count`",
                "sum" => "`type: value_sum`",
                "avg" => "`type: value_avg`",
                _ => "a `value_*` type (there is no min/max correlation)",
            };
            (
                ConditionErrorKind::LegacyAggregation,
                format!("`| {word}()` aggregation is legacy Sigma syntax"),
                format!("{correlation}, with {ty}, `group-by` and `condition`"),
            )
        }
        _ if rest.starts_with('|') => {
            return ConditionError {
                kind: ConditionErrorKind::UnexpectedToken,
                span: shifted(pipe, pipe + 2, base),
                message: "`||` is not a Sigma operator".to_owned(),
                help: Some("write `or`".to_owned()),
            };
        }
        _ => (
            ConditionErrorKind::LegacyAggregation,
            "`|` starts a legacy aggregation, which Sigma conditions no longer support".to_owned(),
            format!("{correlation} (`event_count`, `value_count`, `temporal`, ...)"),
        ),
    };
    ConditionError { kind, span, message, help: Some(help) }
}

// ---------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------

struct Parser<'t> {
    tokens: Vec<Token<'t>>,
    pos: usize,
    /// Current nesting of `(` and `not`.
    depth: usize,
    base: usize,
    warnings: Vec<ConditionWarning>,
}

impl<'t> Parser<'t> {
    fn peek(&self) -> Option<Token<'t>> {
        self.tokens.get(self.pos).copied()
    }

    fn peek_word(&self, word: &str) -> bool {
        self.peek().is_some_and(|t| t.kind == Tok::Word && t.text == word)
    }

    fn span(&self, tok: Token<'_>) -> Span {
        shifted(tok.start, tok.end, self.base)
    }

    fn error(&self, kind: ConditionErrorKind, tok: Token<'_>, message: String, help: &str) -> ConditionError {
        ConditionError { kind, span: self.span(tok), message, help: Some(help.to_owned()) }
    }

    /// Enter one level of `(` or `not`, refusing past [`MAX_CONDITION_DEPTH`].
    fn nest(&mut self, tok: Token<'_>) -> Result<(), ConditionError> {
        self.depth += 1;
        if self.depth > MAX_CONDITION_DEPTH {
            return Err(self.error(
                ConditionErrorKind::TooDeep,
                tok,
                format!("condition nests deeper than {MAX_CONDITION_DEPTH} levels"),
                "flatten the parentheses and `not`s",
            ));
        }
        Ok(())
    }

    fn parse_or(&mut self, context: &str) -> Result<Condition, ConditionError> {
        let first = self.parse_and(context)?;
        if !self.peek_word("or") {
            return Ok(first);
        }
        let mut xs = Vec::new();
        push_flat(&mut xs, first, true);
        while self.peek_word("or") {
            self.pos += 1;
            let x = self.parse_and("after `or`")?;
            push_flat(&mut xs, x, true);
        }
        Ok(Condition::Or(xs))
    }

    fn parse_and(&mut self, context: &str) -> Result<Condition, ConditionError> {
        let first = self.parse_not(context)?;
        if !self.peek_word("and") {
            return Ok(first);
        }
        let mut xs = Vec::new();
        push_flat(&mut xs, first, false);
        while self.peek_word("and") {
            self.pos += 1;
            let x = self.parse_not("after `and`")?;
            push_flat(&mut xs, x, false);
        }
        Ok(Condition::And(xs))
    }

    fn parse_not(&mut self, context: &str) -> Result<Condition, ConditionError> {
        match self.peek() {
            Some(tok) if tok.kind == Tok::Word && tok.text == "not" => {
                self.pos += 1;
                self.nest(tok)?;
                let x = self.parse_not("after `not`")?;
                self.depth -= 1;
                Ok(Condition::Not(Box::new(x)))
            }
            _ => self.parse_primary(context),
        }
    }

    fn parse_primary(&mut self, context: &str) -> Result<Condition, ConditionError> {
        let Some(tok) = self.peek() else {
            let message = format!("expected an expression {context}, found end of condition");
            let help = "complete the expression with a search identifier";
            return Err(match self.pos.checked_sub(1).map(|i| self.tokens[i]) {
                Some(prev) => self.error(ConditionErrorKind::UnexpectedEnd, prev, message, help),
                // Unreachable: an empty condition is reported as `Empty` before parsing.
                None => ConditionError {
                    kind: ConditionErrorKind::UnexpectedEnd,
                    span: shifted(0, 0, self.base),
                    message,
                    help: Some(help.to_owned()),
                },
            });
        };
        match tok.kind {
            Tok::LParen => {
                self.pos += 1;
                self.nest(tok)?;
                let x = self.parse_or("after `(`")?;
                self.depth -= 1;
                match self.peek() {
                    Some(t) if t.kind == Tok::RParen => {
                        self.pos += 1;
                        Ok(x)
                    }
                    None => Err(self.error(
                        ConditionErrorKind::UnbalancedParenthesis,
                        tok,
                        "unclosed `(`".to_owned(),
                        "add the matching `)`",
                    )),
                    Some(t) => Err(self.after_operand_error(t, "`)`")),
                }
            }
            Tok::RParen => Err(self.error(
                ConditionErrorKind::UnexpectedToken,
                tok,
                format!("expected an expression {context}, found `)`"),
                "put a search identifier here, or remove the parentheses",
            )),
            Tok::Invalid => Err(self.invalid_char(tok)),
            Tok::Word => match tok.text {
                "and" | "or" | "not" => Err(self.error(
                    ConditionErrorKind::UnexpectedToken,
                    tok,
                    format!("expected an expression {context}, found keyword `{}`", tok.text),
                    "`and`, `or` and `not` are reserved; put a search identifier here",
                )),
                _ if self.tokens.get(self.pos + 1).is_some_and(|t| t.kind == Tok::Word && t.text == "of")
                    && is_quantifier(tok.text) =>
                {
                    self.parse_quantified(tok)
                }
                w if w.contains('*') => Err(self.error(
                    ConditionErrorKind::UnexpectedToken,
                    tok,
                    format!("wildcard `*` in identifier `{w}`"),
                    "wildcards are only allowed after `of`: write `1 of ...` or `all of ...`",
                )),
                _ => {
                    self.pos += 1;
                    Ok(Condition::Identifier { name: tok.text.to_owned(), span: self.span(tok) })
                }
            },
        }
    }

    /// `<quantifier> of <target>`; the current token is the quantifier, the next is `of`.
    fn parse_quantified(&mut self, q: Token<'t>) -> Result<Condition, ConditionError> {
        let of = self.tokens[self.pos + 1];
        self.pos += 2;
        let quantifier = match q.text {
            "1" => Quantifier::One,
            "all" => Quantifier::All,
            "any" => {
                self.warnings.push(ConditionWarning {
                    kind: ConditionWarningKind::AnyOf,
                    span: self.span(q),
                    message: "`any of` is not in the Sigma specification (pySigma extension)".to_owned(),
                    help: Some("use `1 of`, which means the same and is portable".to_owned()),
                });
                Quantifier::Any
            }
            digits => match digits.parse::<u32>() {
                // `01 of` etc.: the value is what counts.
                Ok(1) => Quantifier::One,
                Ok(0) => {
                    return Err(self.error(
                        ConditionErrorKind::InvalidCount,
                        q,
                        "`0 of` is always true".to_owned(),
                        "use `1 of` or `all of`",
                    ));
                }
                Ok(n) => {
                    self.warnings.push(ConditionWarning {
                        kind: ConditionWarningKind::CountOf,
                        span: self.span(q),
                        message: format!("`{n} of` is not in the Sigma specification (rsigma extension)"),
                        help: Some("rewrite with `1 of` / `all of` or explicit `and`/`or` combinations".to_owned()),
                    });
                    Quantifier::Count(n)
                }
                Err(_) => {
                    return Err(self.error(
                        ConditionErrorKind::InvalidCount,
                        q,
                        format!("count {} in `N of` is too large", describe(Some(&q))),
                        "use `1 of` or `all of`",
                    ));
                }
            },
        };
        let Some(t) = self.peek() else {
            return Err(self.error(
                ConditionErrorKind::UnexpectedEnd,
                of,
                "expected an identifier after `of`, found end of condition".to_owned(),
                "add `them` or a search-identifier pattern such as `selection_*`",
            ));
        };
        let target = match (t.kind, t.text) {
            (Tok::Word, "them") => Target::Them,
            (Tok::Word, w) if !matches!(w, "and" | "or" | "not") => {
                if let Some(i) = w.find('-') {
                    let at = t.start + i;
                    return Err(ConditionError {
                        kind: ConditionErrorKind::UnexpectedToken,
                        span: shifted(at, at + 1, self.base),
                        message: format!("`-` in quantifier pattern `{w}`"),
                        help: Some(
                            "pySigma allows only letters, digits, `_` and `*` after `of`; \
                             rename the search identifiers or use a pattern without `-`"
                                .to_owned(),
                        ),
                    });
                }
                Target::Pattern(w.to_owned())
            }
            (Tok::Invalid, _) => return Err(self.invalid_char(t)),
            _ => {
                return Err(self.error(
                    ConditionErrorKind::UnexpectedToken,
                    t,
                    format!("expected an identifier after `of`, found {}", describe(Some(&t))),
                    "`of` takes `them` or a search-identifier pattern such as `selection_*`, \
                     not an expression",
                ));
            }
        };
        self.pos += 1;
        Ok(Condition::Quantified { quantifier, target, span: shifted(q.start, t.end, self.base) })
    }

    /// A complete operand was followed by `tok` where an operator or `expected` must be.
    fn after_operand_error(&self, tok: Token<'_>, expected: &str) -> ConditionError {
        if tok.kind == Tok::Invalid {
            return self.invalid_char(tok);
        }
        let prev = self.pos.checked_sub(1).map(|i| self.tokens[i]);
        if tok.kind == Tok::Word && tok.text == "near" {
            return self.error(
                ConditionErrorKind::LegacyNear,
                tok,
                "`near` is legacy Sigma correlation syntax".to_owned(),
                "move it into a Sigma correlation rule that refers to this rule, with \
                 `type: temporal` (or `temporal_ordered`)",
            );
        }
        let help = if let Some(kw) = miscased_keyword(tok.text) {
            format!("keywords are case-sensitive: write `{kw}`")
        } else if let Some(kw) = prev.and_then(|p| miscased_keyword(p.text)) {
            format!("keywords are case-sensitive: write `{kw}` instead of `{}`", prev.map_or("", |p| p.text))
        } else if tok.kind == Tok::Word && tok.text == "of" {
            "a quantifier is `1 of`, `all of` or `any of`".to_owned()
        } else {
            "join expressions with `and` or `or`".to_owned()
        };
        ConditionError {
            kind: ConditionErrorKind::UnexpectedToken,
            span: self.span(tok),
            message: format!("expected `and`, `or` or {expected}, found {}", describe(Some(&tok))),
            help: Some(help),
        }
    }

    fn invalid_char(&self, tok: Token<'_>) -> ConditionError {
        let help = match tok.text {
            "&" => "write `and`",
            "!" => "write `not`",
            "\"" | "'" => "identifiers are written without quotes",
            "#" => "a YAML comment needs a space before `#`; it is not part of the condition",
            _ => {
                "identifiers may contain only ASCII letters, digits, `_` and `-`; \
                 patterns after `of` may also contain `*`"
            }
        };
        self.error(
            ConditionErrorKind::UnexpectedToken,
            tok,
            format!("character {} is not allowed in a condition", describe(Some(&tok))),
            help,
        )
    }
}

fn is_quantifier(word: &str) -> bool {
    matches!(word, "all" | "any") || (!word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()))
}

/// Append `x` to an `Or` (`or == true`) or `And` operand list, splicing in the operands of a
/// same-kind `x` (from parentheses) so the tree stays flat.
fn push_flat(xs: &mut Vec<Condition>, x: Condition, or: bool) {
    match x {
        Condition::Or(ys) if or => xs.extend(ys),
        Condition::And(ys) if !or => xs.extend(ys),
        x => xs.push(x),
    }
}

#[cfg(test)]
mod tests;
