//! Token scanning the EQL and ES|QL lexers share: comments and whitespace, numbers, raw
//! `"""…"""` strings, `` `quoted names` ``, and punctuation looked up in per-language tables.
//! What differs between the languages (name characters, quoted strings and their escapes,
//! the punctuation itself, the help texts) stays in each lexer and comes in as parameters.
//! The token types and the [`Cursor`] the two parsers walk them with are shared too, generic
//! over each language's punctuation `P`.

use std::ops::{Deref, DerefMut};

use crate::query::{Depth, QueryError, describe};
use crate::span::Span;

/// A token's kind.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Tok<P> {
    /// A name or keyword, as written.
    Ident,
    /// `` `name` ``, with doubled backticks resolved.
    Backtick(String),
    /// A string, escapes resolved.
    Str(String),
    /// A number, as written.
    Num,
    Punct(P),
    Eof,
}

#[derive(Clone, Debug)]
pub(crate) struct Token<P> {
    pub t: Tok<P>,
    pub span: Span,
    /// Whitespace or a comment between this token and the previous one.
    pub spaced: bool,
}

/// A parser's position in its tokens (which end with [`Tok::Eof`]), with the nesting depth
/// and the language's help text for syntax errors.
pub(crate) struct Cursor<'a, P> {
    pub text: &'a str,
    pub toks: Vec<Token<P>>,
    pub i: usize,
    pub depth: Depth,
    /// What [`Cursor::prev_end`] gives before the first token.
    pub origin: usize,
    pub help: &'static str,
}

impl<'a, P: Copy + PartialEq> Cursor<'a, P> {
    pub fn new(text: &'a str, toks: Vec<Token<P>>, origin: usize, help: &'static str) -> Self {
        Self { text, toks, i: 0, depth: Depth::default(), origin, help }
    }

    pub fn peek(&self) -> &Token<P> {
        &self.toks[self.i]
    }

    pub fn peek_at(&self, n: usize) -> &Token<P> {
        &self.toks[(self.i + n).min(self.toks.len() - 1)]
    }

    pub fn bump(&mut self) -> Token<P> {
        let t = self.toks[self.i].clone();
        if self.i < self.toks.len() - 1 {
            self.i += 1;
        }
        t
    }

    pub fn src(&self, t: &Token<P>) -> &'a str {
        &self.text[t.span.start..t.span.end]
    }

    pub fn is_kw(&self, t: &Token<P>, kw: &str) -> bool {
        t.t == Tok::Ident && self.src(t).eq_ignore_ascii_case(kw)
    }

    pub fn at_kw(&self, kw: &str) -> bool {
        self.is_kw(self.peek(), kw)
    }

    pub fn at(&self, p: P) -> bool {
        self.peek().t == Tok::Punct(p)
    }

    /// Where the last token taken ended.
    pub fn prev_end(&self) -> usize {
        if self.i == 0 { self.origin } else { self.toks[self.i - 1].span.end }
    }

    /// "expected …, found …" at the next token.
    pub fn error(&self, expected: &str) -> QueryError {
        let t = self.peek();
        let found = if t.t == Tok::Eof { describe("") } else { describe(self.src(t)) };
        QueryError::syntax(format!("expected {expected}, found {found}"), t.span, self.help)
    }

    pub fn expect(&mut self, p: P, expected: &str) -> Result<Token<P>, QueryError> {
        if self.at(p) { Ok(self.bump()) } else { Err(self.error(expected)) }
    }

    pub fn expect_kw(&mut self, kw: &str, expected: &str) -> Result<Token<P>, QueryError> {
        if self.at_kw(kw) { Ok(self.bump()) } else { Err(self.error(expected)) }
    }

    /// One level deeper, at the next token; an error past [`crate::query::MAX_DEPTH`].
    pub fn enter(&mut self) -> Result<(), QueryError> {
        let span = self.peek().span;
        self.depth.enter(span)
    }
}

/// A language's parser: a [`Cursor`] and the grammar, which the language implements on it.
pub(crate) struct Parser<'a, P>(pub Cursor<'a, P>);

impl<'a, P> Deref for Parser<'a, P> {
    type Target = Cursor<'a, P>;
    fn deref(&self) -> &Self::Target {
        &self.0
    }
}

impl<P> DerefMut for Parser<'_, P> {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.0
    }
}

/// Skip whitespace, `//` line comments and `/* */` block comments from `i`; the offset of the
/// next token (or the end of `text`).
pub(crate) fn skip_trivia(text: &str, mut i: usize) -> Result<usize, QueryError> {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
        } else if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
        } else if text[i..].starts_with("/*") {
            let Some(end) = text[i + 2..].find("*/") else {
                return Err(QueryError::syntax(
                    "unterminated comment",
                    Span::new(i, i + 2),
                    "close the comment with `*/`",
                ));
            };
            i += 2 + end + 2;
        } else {
            break;
        }
    }
    Ok(i)
}

/// The end of a name starting at `i`: the longest run of bytes `continues` accepts.
pub(crate) fn name_end(bytes: &[u8], mut i: usize, continues: impl Fn(u8) -> bool) -> usize {
    while i < bytes.len() && continues(bytes[i]) {
        i += 1;
    }
    i
}

fn digits_end(bytes: &[u8], i: usize) -> usize {
    name_end(bytes, i, |b| b.is_ascii_digit())
}

/// The end of a number starting with a digit at `i`: digits, then `.` and digits, then an
/// exponent (`e`, an optional sign, digits), the last two only when digits follow.
pub(crate) fn number_end(bytes: &[u8], i: usize) -> usize {
    let mut i = digits_end(bytes, i);
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits_end(bytes, i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits_end(bytes, j);
        }
    }
    i
}

/// A raw `"""…"""` string starting at `i`: its text and the offset past it. Up to two more
/// quotes right before the closing ones belong to the string.
pub(crate) fn raw_string(text: &str, i: usize) -> Result<(String, usize), QueryError> {
    let Some(end) = text[i + 3..].find("\"\"\"") else {
        return Err(QueryError::syntax("unterminated raw string", Span::new(i, i + 3), "close it with `\"\"\"`"));
    };
    let mut end = i + 3 + end;
    while text.as_bytes().get(end + 3) == Some(&b'"') {
        end += 1;
    }
    Ok((text[i + 3..end].to_string(), end + 3))
}

/// A `` `quoted name` `` starting at `i`, doubled backticks resolved: the name and the
/// offset past it.
pub(crate) fn quoted_name(text: &str, i: usize) -> Result<(String, usize), QueryError> {
    let mut s = String::new();
    let mut j = i + 1;
    loop {
        let Some(n) = text[j..].find('`') else {
            return Err(QueryError::syntax(
                "unterminated quoted name",
                Span::new(i, i + 1),
                "close the name with `` ` ``; write a backtick inside it as ``` `` ```",
            ));
        };
        s.push_str(&text[j..j + n]);
        j += n + 1;
        if text.as_bytes().get(j) == Some(&b'`') {
            s.push('`');
            j += 1;
        } else {
            return Ok((s, j));
        }
    }
}

/// The punctuation at `i`: a two-character one from `two` first, else a one-character one
/// from `one`; with its length. An unknown character is an error with `help`.
pub(crate) fn punct<P: Copy>(
    text: &str,
    i: usize,
    two: &[(&str, P)],
    one: &[(u8, P)],
    help: &str,
) -> Result<(P, usize), QueryError> {
    let pair = text.get(i..i + 2).unwrap_or("");
    if let Some(&(_, p)) = two.iter().find(|(s, _)| *s == pair) {
        return Ok((p, 2));
    }
    let b = text.as_bytes()[i];
    if let Some(&(_, p)) = one.iter().find(|(c, _)| *c == b) {
        return Ok((p, 1));
    }
    let c = text[i..].chars().next().expect("in bounds");
    Err(QueryError::syntax(format!("unexpected character `{c}`"), Span::new(i, i + c.len_utf8()), help))
}
