//! The KQL parser: recursive descent straight over the characters (KQL has no separate
//! tokens: an unquoted value runs on over spaces until a keyword or a special character).

use super::{Expr, Literal, LiteralKind, Query, RangeOp, ValueExpr};
use crate::query::{Depth, Pattern, QueryError, describe};
use crate::span::Span;

/// Characters that end an unquoted literal unless escaped with `\`.
const SPECIAL: &[u8] = b"\\():<>\"*{}";

/// Whitespace as KQL counts it.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// Parse a KQL query. Spans are byte ranges of `text`.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    QueryError::check_len(text)?;
    let mut p = Parser { text, bytes: text.as_bytes(), pos: 0, depth: Depth::default() };
    p.skip_ws();
    if p.pos == text.len() {
        return Ok(Query { root: None });
    }
    let root = p.or_expr()?;
    p.skip_ws();
    if p.pos < text.len() {
        return Err(p.unexpected("`and`, `or` or the end of the query"));
    }
    Ok(Query { root: Some(root) })
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    depth: Depth,
}

/// One character of an unquoted literal, before trimming.
enum Item {
    Char(char),
    Wildcard,
}

impl<'a> Parser<'a> {
    fn skip_ws(&mut self) {
        while self.pos < self.bytes.len() && is_space(self.bytes[self.pos]) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// `word` (case-insensitive) at `at`, followed by at least one space.
    fn word_at(&self, at: usize, word: &str) -> bool {
        let end = at + word.len();
        self.bytes.get(at..end).is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
            && self.bytes.get(end).is_some_and(|&b| is_space(b))
    }

    /// After skipping spaces: the keyword `word` followed by a space. Consumes it if so.
    fn keyword(&mut self, word: &str) -> bool {
        let save = self.pos;
        self.skip_ws();
        if self.word_at(self.pos, word) {
            self.pos += word.len();
            true
        } else {
            self.pos = save;
            false
        }
    }

    /// Spaces at `at`, then `or`/`and` and a space: where an unquoted literal stops.
    fn keyword_after_spaces(&self, at: usize) -> bool {
        let mut j = at;
        while j < self.bytes.len() && is_space(self.bytes[j]) {
            j += 1;
        }
        j > at && (self.word_at(j, "or") || self.word_at(j, "and"))
    }

    fn found(&self) -> String {
        let rest = &self.text[self.pos..];
        let end = rest
            .find(|c: char| c.is_whitespace())
            .unwrap_or(rest.len())
            .max(rest.chars().next().map_or(0, char::len_utf8));
        describe(&rest[..end])
    }

    fn unexpected(&self, expected: &str) -> QueryError {
        let len = self.text[self.pos..].chars().next().map_or(0, char::len_utf8);
        QueryError::syntax(
            format!("expected {expected}, found {}", self.found()),
            Span::new(self.pos, self.pos + len),
            "KQL is `field:value` terms joined by `and`, `or`, `not` and parentheses; quote values with special characters",
        )
    }

    fn enter(&mut self) -> Result<(), QueryError> {
        self.depth.enter(Span::new(self.pos, self.pos + 1))
    }

    fn or_expr(&mut self) -> Result<Expr, QueryError> {
        let first = self.and_expr()?;
        let mut items = vec![first];
        while self.keyword("or") {
            items.push(self.and_expr()?);
        }
        Ok(join(items, |items, span| Expr::Or { items, span }, Expr::span))
    }

    fn and_expr(&mut self) -> Result<Expr, QueryError> {
        let first = self.not_expr()?;
        let mut items = vec![first];
        while self.keyword("and") {
            items.push(self.not_expr()?);
        }
        Ok(join(items, |items, span| Expr::And { items, span }, Expr::span))
    }

    fn not_expr(&mut self) -> Result<Expr, QueryError> {
        self.skip_ws();
        let start = self.pos;
        if self.keyword("not") {
            self.enter()?;
            let expr = self.not_expr()?;
            self.depth.leave();
            let span = Span::new(start, expr.span().end);
            return Ok(Expr::Not { expr: Box::new(expr), span });
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        self.skip_ws();
        let start = self.pos;
        if self.peek() == Some(b'(') {
            self.enter()?;
            self.pos += 1;
            let e = self.or_expr()?;
            self.expect(b')', "`)` to close the `(`", start)?;
            self.depth.leave();
            return Ok(e);
        }
        let Some(lit) = self.literal()? else {
            return Err(self.unexpected("a field, a value, `not` or `(`"));
        };
        self.skip_ws();
        match self.peek() {
            Some(b':') => {
                self.pos += 1;
                self.skip_ws();
                if self.peek() == Some(b'{') {
                    let open = self.pos;
                    self.enter()?;
                    self.pos += 1;
                    let query = self.or_expr()?;
                    self.expect(b'}', "`}` to close the nested query", open)?;
                    self.depth.leave();
                    let span = Span::new(start, self.pos);
                    return Ok(Expr::Nested { field: lit, query: Box::new(query), span });
                }
                let values = self.value_list()?;
                let span = Span::new(start, values.span().end);
                if let ValueExpr::Value { value } = &values
                    && let LiteralKind::Unquoted(p) = &value.kind
                    && p.parts == [crate::query::PatternPart::AnyString]
                {
                    return Ok(Expr::Exists { field: lit, span });
                }
                Ok(Expr::Match { field: lit, values, span })
            }
            Some(b'<' | b'>') => {
                let op = match (self.peek(), self.bytes.get(self.pos + 1)) {
                    (Some(b'<'), Some(b'=')) => RangeOp::Lte,
                    (Some(b'<'), _) => RangeOp::Lt,
                    (Some(b'>'), Some(b'=')) => RangeOp::Gte,
                    _ => RangeOp::Gt,
                };
                self.pos += op.as_str().len();
                self.skip_ws();
                let Some(value) = self.literal()? else {
                    return Err(self.unexpected(&format!("a value after `{}`", op.as_str())));
                };
                let span = Span::new(start, value.span.end);
                Ok(Expr::Range { field: lit, op, value, span })
            }
            _ => {
                let span = lit.span;
                Ok(Expr::FreeText { value: lit, span })
            }
        }
    }

    fn expect(&mut self, b: u8, what: &str, open: usize) -> Result<(), QueryError> {
        self.skip_ws();
        if self.peek() == Some(b) {
            self.pos += 1;
            Ok(())
        } else {
            let mut e = self.unexpected(what);
            e.message = format!("{} (opened at {})", e.message, describe(&self.text[open..open + 1]));
            Err(e)
        }
    }

    fn value_list(&mut self) -> Result<ValueExpr, QueryError> {
        self.skip_ws();
        if self.peek() == Some(b'(') {
            let open = self.pos;
            self.enter()?;
            self.pos += 1;
            let v = self.value_or()?;
            self.expect(b')', "`)` to close the list of values", open)?;
            self.depth.leave();
            return Ok(v);
        }
        match self.literal()? {
            Some(value) => Ok(ValueExpr::Value { value }),
            None => Err(self.unexpected("a value or `(`")),
        }
    }

    fn value_or(&mut self) -> Result<ValueExpr, QueryError> {
        let mut items = vec![self.value_and()?];
        while self.keyword("or") {
            items.push(self.value_and()?);
        }
        Ok(join(items, |items, span| ValueExpr::Or { items, span }, ValueExpr::span))
    }

    fn value_and(&mut self) -> Result<ValueExpr, QueryError> {
        let mut items = vec![self.value_not()?];
        while self.keyword("and") {
            items.push(self.value_not()?);
        }
        Ok(join(items, |items, span| ValueExpr::And { items, span }, ValueExpr::span))
    }

    fn value_not(&mut self) -> Result<ValueExpr, QueryError> {
        self.skip_ws();
        let start = self.pos;
        if self.keyword("not") {
            self.enter()?;
            let expr = self.value_not()?;
            self.depth.leave();
            let span = Span::new(start, expr.span().end);
            return Ok(ValueExpr::Not { expr: Box::new(expr), span });
        }
        self.value_list()
    }

    /// A quoted or unquoted literal, or `None` when none starts here.
    fn literal(&mut self) -> Result<Option<Literal>, QueryError> {
        self.skip_ws();
        if self.peek() == Some(b'"') {
            return self.quoted().map(Some);
        }
        self.unquoted()
    }

    fn quoted(&mut self) -> Result<Literal, QueryError> {
        let start = self.pos;
        self.pos += 1;
        let mut out = String::new();
        loop {
            let Some(c) = self.text[self.pos..].chars().next() else {
                return Err(QueryError::syntax(
                    "unterminated quoted string",
                    Span::new(start, start + 1),
                    "close the string with `\"`; write a `\"` inside it as `\\\"`",
                ));
            };
            match c {
                '"' => {
                    self.pos += 1;
                    break;
                }
                '\\' => {
                    let (ch, len) = match self.bytes.get(self.pos + 1) {
                        Some(b'\\') => ('\\', 2),
                        Some(b'"') => ('"', 2),
                        Some(b't') => ('\t', 2),
                        Some(b'r') => ('\r', 2),
                        Some(b'n') => ('\n', 2),
                        Some(b'u') => match self.unicode_escape() {
                            Some(ch) => (ch, 6),
                            None => ('\\', 1),
                        },
                        _ => ('\\', 1),
                    };
                    out.push(ch);
                    self.pos += len;
                }
                c => {
                    out.push(c);
                    self.pos += c.len_utf8();
                }
            }
        }
        Ok(Literal { kind: LiteralKind::Quoted(out), span: Span::new(start, self.pos) })
    }

    /// `\uXXXX` at the current position.
    fn unicode_escape(&self) -> Option<char> {
        let hex = self.text.get(self.pos + 2..self.pos + 6)?;
        if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        char::from_u32(u32::from_str_radix(hex, 16).ok()?)
    }

    fn unquoted(&mut self) -> Result<Option<Literal>, QueryError> {
        let start = self.pos;
        let mut items: Vec<(Item, usize)> = Vec::new(); // item, end offset
        while let Some(c) = self.text[self.pos..].chars().next() {
            let b = self.bytes[self.pos];
            if b == b'\\' {
                let (word, len) = self.escape()?;
                self.pos += len;
                for ch in word.chars() {
                    items.push((Item::Char(ch), self.pos));
                }
                continue;
            }
            if b == b'*' {
                self.pos += 1;
                items.push((Item::Wildcard, self.pos));
                continue;
            }
            if SPECIAL.contains(&b) {
                break;
            }
            if is_space(b) {
                if self.keyword_after_spaces(self.pos) {
                    break;
                }
            } else if (self.pos == start || is_space(self.bytes[self.pos - 1])) && self.word_at(self.pos, "not") {
                break;
            }
            self.pos += c.len_utf8();
            items.push((Item::Char(c), self.pos));
        }
        // Spaces around the value are not part of it.
        let blank = |i: &(Item, usize)| matches!(i.0, Item::Char(' ' | '\t' | '\r' | '\n'));
        while items.last().is_some_and(blank) {
            items.pop();
        }
        let lead = items.iter().take_while(|i| blank(i)).count();
        items.drain(..lead);
        let Some((_, end)) = items.last() else {
            self.pos = start;
            return Ok(None);
        };
        let end = *end;
        self.pos = end;
        let mut pattern = Pattern::default();
        for (item, _) in items {
            match item {
                Item::Char(c) => pattern.push_char(c),
                Item::Wildcard => pattern.parts.push(crate::query::PatternPart::AnyString),
            }
        }
        Ok(Some(Literal { kind: LiteralKind::Unquoted(pattern), span: Span::new(start, end) }))
    }

    /// The escape at the current position (`\` then a special character, `t`/`r`/`n`,
    /// `uXXXX` or a keyword): its text and length.
    fn escape(&self) -> Result<(String, usize), QueryError> {
        let next = self.bytes.get(self.pos + 1).copied();
        let text = match next {
            Some(b't') => "\t".to_string(),
            Some(b'r') => "\r".to_string(),
            Some(b'n') if !self.escaped_not() => "\n".to_string(),
            Some(b'u') if let Some(c) = self.unicode_escape() => return Ok((c.to_string(), 6)),
            Some(b) if SPECIAL.contains(&b) => (b as char).to_string(),
            _ => {
                for word in ["or", "and", "not"] {
                    let here = if word == "not" { self.escaped_not() } else { self.word_at_ci(self.pos + 1, word) };
                    if here {
                        return Ok((self.text[self.pos + 1..self.pos + 1 + word.len()].to_string(), 1 + word.len()));
                    }
                }
                let len = self.text[self.pos + 1..].chars().next().map_or(0, char::len_utf8);
                return Err(QueryError::syntax(
                    format!("`\\{}` is not a KQL escape", &self.text[self.pos + 1..self.pos + 1 + len]),
                    Span::new(self.pos, self.pos + 1 + len),
                    "in an unquoted value `\\` escapes only `\\():<>\"*{}`, `t`, `r`, `n`, `uXXXX` and the keywords; write `\\\\` for a backslash or quote the value",
                ));
            }
        };
        Ok((text, 2))
    }

    /// `\not` at the cursor is the escaped keyword (not `\n` and `ot`) when the word ends
    /// there: a space, a special character or the end follows.
    fn escaped_not(&self) -> bool {
        self.word_at_ci(self.pos + 1, "not")
            && self.bytes.get(self.pos + 4).is_none_or(|&b| is_space(b) || SPECIAL.contains(&b))
    }

    /// `word` (case-insensitive) at `at`, whatever follows.
    fn word_at_ci(&self, at: usize, word: &str) -> bool {
        self.bytes.get(at..at + word.len()).is_some_and(|w| w.eq_ignore_ascii_case(word.as_bytes()))
    }
}

/// One item stays itself; several become `make(items, span)`.
fn join<T>(mut items: Vec<T>, make: impl FnOnce(Vec<T>, Span) -> T, span: impl Fn(&T) -> Span) -> T {
    if items.len() == 1 {
        return items.pop().expect("one item");
    }
    let s = span(&items[0]).cover(span(items.last().expect("items")));
    make(items, s)
}
