//! The ES|QL parser: the source command is read from the raw text (index patterns are not
//! expression tokens: `logs-aws.cloudtrail-*`), the rest by recursive descent over
//! [`lex`](super::lex) tokens, binary operators by binding power (Pratt).

use super::lex::{P, T, Token, lex, skip_trivia};
use super::{
    ArithOp, Assign, CmpOp, Command, CommandBody, Expr, Index, Literal, NamePattern, PatternOp, Query, SortKey, Source,
};
use crate::query::{BP_ADD, BP_AND, BP_CMP, BP_MUL, BP_NEG, BP_NOT, BP_OR};
use crate::query::{QueryError, describe};
use crate::scan::{Cursor, Parser};
use crate::span::Span;

/// Words that cannot start a column name (write such a column as `` `name` ``).
pub(crate) const RESERVED: &[&str] = &[
    "and", "or", "not", "like", "rlike", "in", "is", "null", "true", "false", "by", "where", "as", "asc", "desc",
    "nulls",
];

/// Time-span units (`15 minutes`).
const UNITS: &[&str] = &[
    "millisecond",
    "milliseconds",
    "ms",
    "second",
    "seconds",
    "sec",
    "s",
    "minute",
    "minutes",
    "min",
    "mins",
    "m",
    "hour",
    "hours",
    "hr",
    "hrs",
    "h",
    "day",
    "days",
    "d",
    "week",
    "weeks",
    "w",
    "month",
    "months",
    "mo",
    "quarter",
    "quarters",
    "q",
    "year",
    "years",
    "yr",
    "y",
];

const BP_CAST: u8 = 15;

const HELP: &str = "an ES|QL query is `FROM index` then `| command` steps (`WHERE`, `EVAL`, `STATS`, `KEEP` …)";

/// Parse an ES|QL query. Spans are byte ranges of `text`.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    QueryError::check_len(text)?;
    let (source, end) = source(text)?;
    let toks = lex(text, end)?;
    let origin = toks[0].span.start;
    let mut p = Parser(Cursor::new(text, toks, origin, HELP));
    let mut commands = Vec::new();
    while p.at(P::Pipe) {
        p.bump();
        commands.push(p.command()?);
    }
    if p.peek().t != T::Eof {
        return Err(p.error("`|` and the next command, or the end of the query"));
    }
    let span = Span::new(source.span.start, p.prev_end().max(source.span.end));
    Ok(Query { source, commands, span })
}

fn word_at(text: &str, at: usize) -> &str {
    let b = text.as_bytes();
    let mut e = at;
    while e < b.len() && (b[e].is_ascii_alphanumeric() || b[e] == b'_') {
        e += 1;
    }
    &text[at..e]
}

/// `FROM a, b METADATA _id`: the source and the offset where the commands start.
fn source(text: &str) -> Result<(Source, usize), QueryError> {
    let start = skip_trivia(text, 0)?;
    let word = word_at(text, start);
    let command = word.to_ascii_lowercase();
    if command != "from" && command != "ts" {
        let end = start + word.len().max(text[start..].chars().next().map_or(0, char::len_utf8));
        return Err(QueryError::syntax(
            format!("expected `FROM` to start the query, found {}", describe(&text[start..end])),
            Span::new(start, end),
            HELP,
        ));
    }
    let bytes = text.as_bytes();
    let mut i = start + word.len();
    let mut indices = Vec::new();
    let mut metadata = Vec::new();
    let mut end = i;
    loop {
        i = skip_trivia(text, i)?;
        if i >= bytes.len() || bytes[i] == b'|' {
            break;
        }
        if !indices.is_empty() || !metadata.is_empty() {
            if bytes[i] == b',' && metadata.is_empty() {
                i = skip_trivia(text, i + 1)?;
            } else if word_at(text, i).eq_ignore_ascii_case("metadata") && metadata.is_empty() {
                i += "metadata".len();
                loop {
                    i = skip_trivia(text, i)?;
                    let w = index_word(text, i);
                    if w.is_empty() {
                        return Err(source_error(text, i, "a metadata field (`_id`, `_index` …)"));
                    }
                    metadata.push(w.to_string());
                    i += w.len();
                    end = i;
                    i = skip_trivia(text, i)?;
                    if bytes.get(i) == Some(&b',') {
                        i += 1;
                    } else {
                        break;
                    }
                }
                continue;
            } else {
                return Err(source_error(text, i, "`,`, `METADATA` or `|`"));
            }
        }
        if bytes.get(i) == Some(&b'"') {
            let (name, e) = quoted_index(text, i)?;
            indices.push(Index { name, span: Span::new(i, e) });
            i = e;
        } else {
            let w = index_word(text, i);
            if w.is_empty() {
                return Err(source_error(text, i, "an index pattern"));
            }
            indices.push(Index { name: w.to_string(), span: Span::new(i, i + w.len()) });
            i += w.len();
        }
        end = i;
    }
    if indices.is_empty() {
        return Err(source_error(text, i, "an index pattern after `FROM`"));
    }
    Ok((Source { command, indices, metadata, span: Span::new(start, end) }, end))
}

/// An unquoted index pattern (or metadata name) at `i`: up to whitespace, `,`, `|`, `"` or a
/// comment.
fn index_word(text: &str, i: usize) -> &str {
    let b = text.as_bytes();
    let mut e = i;
    while e < b.len() && !b[e].is_ascii_whitespace() && !matches!(b[e], b',' | b'|' | b'"') {
        // Bytes, not `text[e..]`: `e` may be inside a multi-byte character.
        if b[e..].starts_with(b"//") || b[e..].starts_with(b"/*") {
            break;
        }
        e += 1;
    }
    // Stay on a character boundary.
    while !text.is_char_boundary(e) {
        e += 1;
    }
    &text[i..e]
}

fn quoted_index(text: &str, i: usize) -> Result<(String, usize), QueryError> {
    super::lex::string(text, i)
}

fn source_error(text: &str, i: usize, expected: &str) -> QueryError {
    let w = index_word(text, i);
    let found = if i >= text.len() {
        describe("")
    } else if w.is_empty() {
        describe(&text[i..i + text[i..].chars().next().map_or(0, char::len_utf8)])
    } else {
        describe(w)
    };
    let len = w.len().max(usize::from(i < text.len()));
    QueryError::syntax(format!("expected {expected}, found {found}"), Span::new(i, (i + len).min(text.len())), HELP)
}

enum Infix {
    Or,
    And,
    Cmp(CmpOp),
    Pattern(PatternOp, bool),
    In(bool),
    IsNull(bool),
    Match,
    Arith(ArithOp),
    Cast,
}

impl Parser<'_, P> {
    fn at_end_of_command(&self) -> bool {
        matches!(self.peek().t, T::Eof | T::Punct(P::Pipe))
    }

    fn command(&mut self) -> Result<Command, QueryError> {
        if self.peek().t != T::Ident {
            return Err(self.error("a command (`WHERE`, `EVAL`, `STATS`, `KEEP` …) after `|`"));
        }
        let first = self.bump();
        let mut name = self.src(&first).to_ascii_lowercase();
        if (name == "inline" && self.at_kw("stats")) || (name == "lookup" && self.at_kw("join")) {
            let second = self.bump();
            name = format!("{name} {}", self.src(&second).to_ascii_lowercase());
        }
        let body = match name.as_str() {
            "where" => CommandBody::Where { condition: self.expr(0)? },
            "eval" => CommandBody::Eval { fields: self.assigns(false)? },
            "stats" | "inline stats" => {
                let aggregates =
                    if self.at_end_of_command() || self.at_kw("by") { Vec::new() } else { self.assigns(true)? };
                let by = if self.at_kw("by") {
                    self.bump();
                    self.assigns(false)?
                } else {
                    Vec::new()
                };
                CommandBody::Stats { aggregates, by }
            }
            "keep" => CommandBody::Keep { fields: self.names()? },
            "drop" => CommandBody::Drop { fields: self.names()? },
            "rename" => CommandBody::Rename { pairs: self.renames()? },
            "sort" => CommandBody::Sort { keys: self.sort_keys()? },
            "limit" => {
                let t = self.peek().clone();
                let count = if t.t == T::Num { self.src(&t).parse().ok() } else { None };
                let Some(count) = count else {
                    return Err(self.error("a whole number after `LIMIT`"));
                };
                self.bump();
                CommandBody::Limit { count }
            }
            "mv_expand" => CommandBody::MvExpand { field: self.name_pattern()? },
            "grok" | "dissect" => {
                let input = self.expr(0)?;
                let T::Str(pattern) = self.peek().t.clone() else {
                    return Err(self.error(&format!("the {} pattern as a string", name.to_ascii_uppercase())));
                };
                self.bump();
                if name == "grok" {
                    CommandBody::Grok { input, pattern }
                } else {
                    let options = if self.at_end_of_command() { Vec::new() } else { self.assigns(false)? };
                    CommandBody::Dissect { input, pattern, options }
                }
            }
            _ => {
                self.skip_command()?;
                CommandBody::Other
            }
        };
        if !self.at_end_of_command() {
            return Err(self.error(&format!("`,`, an operator, `|` or the end of the query after the {name} command")));
        }
        let span = Span::new(first.span.start, self.prev_end());
        Ok(Command { name, body, text: self.text[span.start..span.end].to_string(), span })
    }

    /// An unknown command: every token up to the next `|` outside brackets.
    fn skip_command(&mut self) -> Result<(), QueryError> {
        let mut open: Vec<(P, Span)> = Vec::new();
        loop {
            let t = self.peek().clone();
            match t.t {
                T::Eof => break,
                T::Punct(P::Pipe) if open.is_empty() => break,
                T::Punct(p @ (P::LParen | P::LBracket | P::LBrace)) => {
                    if open.len() >= crate::query::MAX_DEPTH {
                        return Err(QueryError::too_deep(t.span));
                    }
                    open.push((p, t.span));
                }
                T::Punct(p @ (P::RParen | P::RBracket | P::RBrace)) => {
                    let want = match p {
                        P::RParen => P::LParen,
                        P::RBracket => P::LBracket,
                        _ => P::LBrace,
                    };
                    if open.pop().map(|o| o.0) != Some(want) {
                        return Err(QueryError::syntax(
                            format!("unbalanced {}", describe(self.src(&t))),
                            t.span,
                            "close every `(`, `[` and `{` in the order they were opened",
                        ));
                    }
                }
                _ => {}
            }
            self.bump();
        }
        if let Some((_, span)) = open.pop() {
            return Err(QueryError::syntax("unclosed bracket", span, "close every `(`, `[` and `{`"));
        }
        Ok(())
    }

    fn assigns(&mut self, with_filter: bool) -> Result<Vec<Assign>, QueryError> {
        let mut out = vec![self.assign(with_filter)?];
        while self.at(P::Comma) {
            self.bump();
            out.push(self.assign(with_filter)?);
        }
        Ok(out)
    }

    fn assign(&mut self, with_filter: bool) -> Result<Assign, QueryError> {
        let save = self.i;
        let mut name = None;
        if matches!(self.peek().t, T::Ident | T::Backtick(_)) && !self.reserved(self.peek()) {
            let n = self.name_pattern()?;
            if self.at(P::Assign) {
                self.bump();
                name = Some(n);
            } else {
                self.i = save;
            }
        }
        let expr = self.expr(0)?;
        let filter = if with_filter && self.at_kw("where") {
            self.bump();
            Some(self.expr(0)?)
        } else {
            None
        };
        Ok(Assign { name, expr, filter })
    }

    fn reserved(&self, t: &Token) -> bool {
        t.t == T::Ident && RESERVED.iter().any(|r| self.src(t).eq_ignore_ascii_case(r))
    }

    fn names(&mut self) -> Result<Vec<NamePattern>, QueryError> {
        let mut out = vec![self.name(true)?];
        while self.at(P::Comma) {
            self.bump();
            out.push(self.name(true)?);
        }
        Ok(out)
    }

    fn renames(&mut self) -> Result<Vec<(NamePattern, NamePattern)>, QueryError> {
        let mut out = Vec::new();
        loop {
            let a = self.name(true)?;
            if self.at_kw("as") {
                self.bump();
                out.push((a, self.name(true)?));
            } else if self.at(P::Assign) {
                // `new = old` (the newer form).
                self.bump();
                let old = self.name(true)?;
                out.push((old, a));
            } else {
                return Err(self.error("`AS` and the new name"));
            }
            if !self.at(P::Comma) {
                return Ok(out);
            }
            self.bump();
        }
    }

    fn sort_keys(&mut self) -> Result<Vec<SortKey>, QueryError> {
        let mut out = Vec::new();
        loop {
            let expr = self.expr(0)?;
            let mut ascending = None;
            if self.at_kw("asc") || self.at_kw("desc") {
                ascending = Some(self.at_kw("asc"));
                self.bump();
            }
            let mut nulls_first = None;
            if self.at_kw("nulls") {
                self.bump();
                if !(self.at_kw("first") || self.at_kw("last")) {
                    return Err(self.error("`FIRST` or `LAST` after `NULLS`"));
                }
                nulls_first = Some(self.at_kw("first"));
                self.bump();
            }
            out.push(SortKey { expr, ascending, nulls_first });
            if !self.at(P::Comma) {
                return Ok(out);
            }
            self.bump();
        }
    }

    /// `a.b.c`, `` `a b`.c ``.
    fn name_pattern(&mut self) -> Result<NamePattern, QueryError> {
        self.name(false)
    }

    /// A name, or with `stars` a name pattern (`Esql.*`, `*`).
    fn name(&mut self, stars: bool) -> Result<NamePattern, QueryError> {
        let start = self.peek().span.start;
        let mut path = Vec::new();
        loop {
            let mut seg: Option<String> = None;
            let mut first = true;
            while let T::Ident | T::Num | T::Punct(P::Star) | T::Backtick(_) = self.peek().t {
                if (!first && self.peek().spaced) || (!stars && self.at(P::Star)) {
                    break;
                }
                // A `` `quoted` `` segment stands alone.
                let t = self.bump();
                let piece = match &t.t {
                    T::Backtick(s) => s.clone(),
                    _ => self.src(&t).to_string(),
                };
                seg.get_or_insert_with(String::new).push_str(&piece);
                first = false;
                if matches!(t.t, T::Backtick(_)) {
                    break;
                }
            }
            let Some(seg) = seg else {
                return Err(self.error("a column name"));
            };
            path.push(seg);
            if self.at(P::Dot) {
                self.bump();
            } else {
                break;
            }
        }
        Ok(NamePattern { path, span: Span::new(start, self.prev_end()) })
    }

    fn infix(&self) -> Option<(Infix, u8, usize)> {
        let t = self.peek();
        Some(match &t.t {
            T::Ident => match self.src(t).to_ascii_lowercase().as_str() {
                "or" => (Infix::Or, BP_OR, 1),
                "and" => (Infix::And, BP_AND, 1),
                "like" => (Infix::Pattern(PatternOp::Like, false), BP_CMP, 1),
                "rlike" => (Infix::Pattern(PatternOp::Rlike, false), BP_CMP, 1),
                "in" => (Infix::In(false), BP_CMP, 1),
                "is" if self.is_kw(self.peek_at(1), "null") => (Infix::IsNull(false), BP_CMP, 2),
                "is" if self.is_kw(self.peek_at(1), "not") && self.is_kw(self.peek_at(2), "null") => {
                    (Infix::IsNull(true), BP_CMP, 3)
                }
                "not" => match self.src(self.peek_at(1)).to_ascii_lowercase().as_str() {
                    "like" => (Infix::Pattern(PatternOp::Like, true), BP_CMP, 2),
                    "rlike" => (Infix::Pattern(PatternOp::Rlike, true), BP_CMP, 2),
                    "in" => (Infix::In(true), BP_CMP, 2),
                    _ => return None,
                },
                _ => return None,
            },
            T::Punct(p) => match p {
                P::EqEq => (Infix::Cmp(CmpOp::Eq), BP_CMP, 1),
                P::Ne => (Infix::Cmp(CmpOp::Ne), BP_CMP, 1),
                P::Lt => (Infix::Cmp(CmpOp::Lt), BP_CMP, 1),
                P::Le => (Infix::Cmp(CmpOp::Le), BP_CMP, 1),
                P::Gt => (Infix::Cmp(CmpOp::Gt), BP_CMP, 1),
                P::Ge => (Infix::Cmp(CmpOp::Ge), BP_CMP, 1),
                P::Colon => (Infix::Match, BP_CMP, 1),
                P::Plus => (Infix::Arith(ArithOp::Add), BP_ADD, 1),
                P::Minus => (Infix::Arith(ArithOp::Sub), BP_ADD, 1),
                P::Star => (Infix::Arith(ArithOp::Mul), BP_MUL, 1),
                P::Slash => (Infix::Arith(ArithOp::Div), BP_MUL, 1),
                P::Percent => (Infix::Arith(ArithOp::Mod), BP_MUL, 1),
                P::Cast => (Infix::Cast, BP_CAST, 1),
                _ => return None,
            },
            _ => return None,
        })
    }

    fn expr(&mut self, min_bp: u8) -> Result<Expr, QueryError> {
        self.enter()?;
        let mut grouped = self.at(P::LParen);
        let mut lhs = self.prefix()?;
        while let Some((op, bp, len)) = self.infix() {
            if bp < min_bp {
                break;
            }
            for _ in 0..len {
                self.bump();
            }
            let start = lhs.span().start;
            lhs = match op {
                Infix::Or | Infix::And => {
                    let rhs = self.expr(bp + 1)?;
                    let is_or = matches!(op, Infix::Or);
                    let span = Span::new(start, rhs.span().end);
                    match lhs {
                        Expr::Or { mut items, .. } if is_or && !grouped => {
                            items.push(rhs);
                            Expr::Or { items, span }
                        }
                        Expr::And { mut items, .. } if !is_or && !grouped => {
                            items.push(rhs);
                            Expr::And { items, span }
                        }
                        lhs if is_or => Expr::Or { items: vec![lhs, rhs], span },
                        lhs => Expr::And { items: vec![lhs, rhs], span },
                    }
                }
                Infix::Cmp(op) => {
                    let rhs = self.expr(bp + 1)?;
                    let span = Span::new(start, rhs.span().end);
                    Expr::Compare { left: Box::new(lhs), op, right: Box::new(rhs), span }
                }
                Infix::Arith(op) => {
                    let rhs = self.expr(bp + 1)?;
                    let span = Span::new(start, rhs.span().end);
                    Expr::Arith { left: Box::new(lhs), op, right: Box::new(rhs), span }
                }
                Infix::Match => {
                    let rhs = self.expr(bp + 1)?;
                    let span = Span::new(start, rhs.span().end);
                    Expr::MatchQuery { left: Box::new(lhs), right: Box::new(rhs), span }
                }
                Infix::Pattern(op, negated) => {
                    let patterns = if self.at(P::LParen) { self.paren_list()? } else { vec![self.expr(bp + 1)?] };
                    let span = Span::new(start, self.prev_end());
                    Expr::Pattern { left: Box::new(lhs), op, negated, patterns, span }
                }
                Infix::In(negated) => {
                    if !self.at(P::LParen) {
                        return Err(self.error("`(` and a list of values after `IN`"));
                    }
                    let values = self.paren_list()?;
                    let span = Span::new(start, self.prev_end());
                    Expr::In { left: Box::new(lhs), values, negated, span }
                }
                Infix::IsNull(negated) => {
                    Expr::IsNull { expr: Box::new(lhs), negated, span: Span::new(start, self.prev_end()) }
                }
                Infix::Cast => {
                    if self.peek().t != T::Ident {
                        return Err(self.error("a type name after `::`"));
                    }
                    let t = self.bump();
                    let to = self.src(&t).to_string();
                    Expr::Cast { expr: Box::new(lhs), to, span: Span::new(start, t.span.end) }
                }
            };
            grouped = false;
        }
        self.depth.leave();
        Ok(lhs)
    }

    fn paren_list(&mut self) -> Result<Vec<Expr>, QueryError> {
        self.enter()?;
        self.expect(P::LParen, "`(`")?;
        let mut items = vec![self.expr(0)?];
        while self.at(P::Comma) {
            self.bump();
            items.push(self.expr(0)?);
        }
        self.expect(P::RParen, "`,` or `)` to close the list")?;
        self.depth.leave();
        Ok(items)
    }

    fn prefix(&mut self) -> Result<Expr, QueryError> {
        let t = self.peek().clone();
        if self.is_kw(&t, "not") {
            self.bump();
            let expr = self.expr(BP_NOT)?;
            let span = Span::new(t.span.start, expr.span().end);
            return Ok(Expr::Not { expr: Box::new(expr), span });
        }
        if t.t == T::Punct(P::Minus) {
            self.bump();
            let expr = self.expr(BP_NEG)?;
            let span = Span::new(t.span.start, expr.span().end);
            return Ok(Expr::Neg { expr: Box::new(expr), span });
        }
        if t.t == T::Punct(P::LParen) {
            self.bump();
            let inner = self.expr(0)?;
            let close = self.expect(P::RParen, "`)` to close the `(`")?;
            return Ok(regroup(inner, Span::new(t.span.start, close.span.end)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let t = self.peek().clone();
        match &t.t {
            T::Str(s) => {
                self.bump();
                Ok(Expr::Literal { value: Literal::String(s.clone()), span: t.span })
            }
            T::Num => {
                self.bump();
                let num = self.src(&t).to_string();
                let unit = self.peek().clone();
                if unit.t == T::Ident && UNITS.iter().any(|u| self.src(&unit).eq_ignore_ascii_case(u)) {
                    self.bump();
                    let value = Literal::Timespan(num, self.src(&unit).to_string());
                    return Ok(Expr::Literal { value, span: t.span.cover(unit.span) });
                }
                Ok(Expr::Literal { value: Literal::Number(num), span: t.span })
            }
            T::Punct(P::Question) => {
                self.bump();
                let next = self.peek().clone();
                let mut span = t.span;
                let mut name = String::new();
                if matches!(next.t, T::Ident | T::Num) && !next.spaced {
                    self.bump();
                    name = self.src(&next).to_string();
                    span = span.cover(next.span);
                }
                Ok(Expr::Literal { value: Literal::Param(name), span })
            }
            T::Punct(P::LBrace | P::LBracket) => self.raw(),
            T::Backtick(_) => Ok(Expr::Field(self.name_pattern()?)),
            T::Ident => {
                let w = self.src(&t).to_ascii_lowercase();
                match w.as_str() {
                    "true" | "false" => {
                        self.bump();
                        return Ok(Expr::Literal { value: Literal::Bool(w == "true"), span: t.span });
                    }
                    "null" => {
                        self.bump();
                        return Ok(Expr::Literal { value: Literal::Null, span: t.span });
                    }
                    _ => {}
                }
                if RESERVED.contains(&w.as_str()) {
                    return Err(self.error("a value, a column, a function call, `NOT` or `(`"));
                }
                if self.peek_at(1).t == T::Punct(P::LParen) {
                    return self.call();
                }
                Ok(Expr::Field(self.name_pattern()?))
            }
            _ => Err(self.error("a value, a column, a function call, `NOT` or `(`")),
        }
    }

    /// `{ … }` or `[ … ]`, kept as text.
    fn raw(&mut self) -> Result<Expr, QueryError> {
        let start = self.peek().span.start;
        let mut open = 0usize;
        loop {
            let t = self.bump();
            match t.t {
                T::Punct(P::LBrace | P::LBracket | P::LParen) => {
                    open += 1;
                    if open > crate::query::MAX_DEPTH {
                        return Err(QueryError::too_deep(t.span));
                    }
                }
                T::Punct(P::RBrace | P::RBracket | P::RParen) => {
                    open -= 1;
                    if open == 0 {
                        break;
                    }
                }
                T::Eof => {
                    return Err(QueryError::syntax(
                        "unclosed bracket",
                        Span::new(start, start + 1),
                        "close every `{` and `[`",
                    ));
                }
                _ => {}
            }
        }
        let span = Span::new(start, self.prev_end());
        Ok(Expr::Raw { text: self.text[span.start..span.end].to_string(), span })
    }

    fn call(&mut self) -> Result<Expr, QueryError> {
        let name_tok = self.bump();
        self.enter()?;
        self.expect(P::LParen, "`(`")?;
        let mut args = Vec::new();
        if self.at(P::Star) && self.peek_at(1).t == T::Punct(P::RParen) {
            let s = self.bump();
            args.push(Expr::Star { span: s.span });
        } else if !self.at(P::RParen) {
            args.push(self.expr(0)?);
            while self.at(P::Comma) {
                self.bump();
                args.push(self.expr(0)?);
            }
        }
        self.expect(P::RParen, "`,` or `)` to close the arguments")?;
        self.depth.leave();
        let span = Span::new(name_tok.span.start, self.prev_end());
        Ok(Expr::Call { name: self.src(&name_tok).to_string(), args, span })
    }
}

fn regroup(mut e: Expr, span: Span) -> Expr {
    if let Expr::Or { span: s, .. } | Expr::And { span: s, .. } = &mut e {
        *s = span;
    }
    e
}
