//! The EQL parser: recursive descent over [`lex`](super::lex) tokens, binary operators by
//! binding power (Pratt).

use super::lex::{P, T, Token, lex};
use super::{
    ArithOp, Body, Category, CmpOp, Duration, EventQuery, Expr, Field, Literal, MatchOp, Pipe, Query, Relation, Sample,
    Sequence, Step,
};
use crate::query::{BP_ADD, BP_AND, BP_CMP, BP_MUL, BP_NEG, BP_NOT, BP_OR};
use crate::query::{QueryError, describe};
use crate::scan::{Cursor, Parser};
use crate::span::Span;

/// Words that cannot start a field name (write such a field as `` `name` ``).
pub(crate) const RESERVED: &[&str] = &[
    "and", "or", "not", "in", "like", "regex", "where", "by", "with", "until", "of", "as", "sequence", "sample",
    "true", "false", "null",
];

const HELP: &str =
    "an EQL query is `category where condition`, a `sequence` or a `sample` of `[category where condition]` steps";

/// Parse an EQL query. Spans are byte ranges of `text`.
pub fn parse(text: &str) -> Result<Query, QueryError> {
    QueryError::check_len(text)?;
    let toks = lex(text)?;
    let mut p = Parser(Cursor::new(text, toks, 0, HELP));
    p.query()
}

enum Infix {
    Or,
    And,
    Cmp(CmpOp),
    Match(MatchOp),
    In { negated: bool, case_insensitive: bool },
    Arith(ArithOp),
}

impl Parser<'_, P> {
    fn query(&mut self) -> Result<Query, QueryError> {
        let start = self.peek().span.start;
        let body = if self.at_kw("sequence") {
            Body::Sequence(self.sequence()?)
        } else if self.at_kw("sample") {
            Body::Sample(self.sample()?)
        } else {
            Body::Event(self.event_query()?)
        };
        let mut pipes = Vec::new();
        while self.at(P::Pipe) {
            let bar = self.bump();
            if self.peek().t != T::Ident {
                return Err(self.error("a pipe name after `|` (`head`, `tail`, `unique`, `filter` …)"));
            }
            let name = self.bump();
            let mut args = Vec::new();
            if !matches!(self.peek().t, T::Eof | T::Punct(P::Pipe)) {
                args = self.expr_list()?;
            }
            let span = Span::new(bar.span.start, self.prev_end());
            pipes.push(Pipe { name: self.src(&name).to_ascii_lowercase(), args, span });
        }
        if self.peek().t != T::Eof {
            let expected = match body {
                Body::Event(_) => "`and`, `or`, an operator, `|` or the end of the query",
                _ => "a step `[ … ]`, `until`, `|` or the end of the query",
            };
            return Err(self.error(expected));
        }
        Ok(Query { body, pipes, span: Span::new(start, self.prev_end()) })
    }

    fn event_query(&mut self) -> Result<EventQuery, QueryError> {
        let t = self.peek().clone();
        let name = match &t.t {
            T::Ident if !RESERVED.iter().any(|r| self.src(&t).eq_ignore_ascii_case(r)) => self.src(&t).to_string(),
            T::Str(s) => s.clone(),
            _ => return Err(self.error("an event category (`process`, `file`, `any` …)")),
        };
        self.bump();
        let category = Category { name, span: t.span };
        self.expect_kw("where", "`where` after the event category")?;
        let condition = self.expr(0)?;
        Ok(EventQuery { category, condition, span: Span::new(t.span.start, self.prev_end()) })
    }

    fn sequence(&mut self) -> Result<Sequence, QueryError> {
        let start = self.bump().span.start;
        let mut by = Vec::new();
        let mut maxspan = None;
        loop {
            if self.at_kw("by") && by.is_empty() {
                self.bump();
                by = self.expr_list()?;
            } else if self.at_kw("with") && maxspan.is_none() {
                self.bump();
                self.expect_kw("maxspan", "`maxspan` after `with`")?;
                self.expect(P::Assign, "`=` after `maxspan`")?;
                maxspan = Some(self.duration()?);
            } else {
                break;
            }
        }
        let steps = self.steps()?;
        let until = if self.at_kw("until") {
            self.bump();
            Some(self.step()?)
        } else {
            None
        };
        Ok(Sequence { by, maxspan, steps, until, span: Span::new(start, self.prev_end()) })
    }

    fn sample(&mut self) -> Result<Sample, QueryError> {
        let start = self.bump().span.start;
        let mut by = Vec::new();
        if self.at_kw("by") {
            self.bump();
            by = self.expr_list()?;
        }
        let steps = self.steps()?;
        Ok(Sample { by, steps, span: Span::new(start, self.prev_end()) })
    }

    fn steps(&mut self) -> Result<Vec<Step>, QueryError> {
        let mut steps = Vec::new();
        while self.at(P::LBracket) || (self.at(P::Bang) && self.peek_at(1).t == T::Punct(P::LBracket)) {
            steps.push(self.step()?);
        }
        if steps.is_empty() {
            return Err(self.error("a step `[category where condition]`"));
        }
        Ok(steps)
    }

    fn step(&mut self) -> Result<Step, QueryError> {
        let start = self.peek().span.start;
        let missing = self.at(P::Bang);
        if missing {
            self.bump();
        }
        self.expect(P::LBracket, "`[` to open a step")?;
        self.enter()?;
        let query = self.event_query()?;
        self.expect(P::RBracket, "`]` to close the step (or `and`, `or`, an operator)")?;
        self.depth.leave();
        let mut by = Vec::new();
        let mut runs = None;
        let mut alias = None;
        loop {
            if self.at_kw("by") && by.is_empty() {
                self.bump();
                by = self.expr_list()?;
            } else if self.at_kw("with") && runs.is_none() {
                self.bump();
                self.expect_kw("runs", "`runs` after `with`")?;
                self.expect(P::Assign, "`=` after `runs`")?;
                let t = self.expect_num("the number of runs")?;
                runs = Some(self.integer(&t)?);
            } else if self.at_kw("as") && alias.is_none() {
                self.bump();
                if self.peek().t != T::Ident {
                    return Err(self.error("a name for the step after `as`"));
                }
                let name = self.bump();
                alias = Some(self.src(&name).to_string());
            } else {
                break;
            }
        }
        Ok(Step { query, by, runs, missing, alias, span: Span::new(start, self.prev_end()) })
    }

    fn expect_num(&mut self, what: &str) -> Result<Token, QueryError> {
        if self.peek().t == T::Num { Ok(self.bump()) } else { Err(self.error(what)) }
    }

    fn integer(&self, t: &Token) -> Result<u64, QueryError> {
        self.src(t).parse().map_err(|_| {
            QueryError::syntax(
                format!("{} is not a whole number", describe(self.src(t))),
                t.span,
                "write a whole number such as `5`",
            )
        })
    }

    fn duration(&mut self) -> Result<Duration, QueryError> {
        let t = self.expect_num("a duration such as `30s`, `5m` or `1h`")?;
        let value = self.integer(&t)?;
        let mut span = t.span;
        let mut unit = String::new();
        if self.peek().t == T::Ident && !self.peek().spaced {
            let u = self.bump();
            unit = self.src(&u).to_string();
            span = span.cover(u.span);
        }
        Ok(Duration { value, unit, span })
    }

    fn expr_list(&mut self) -> Result<Vec<Expr>, QueryError> {
        let mut items = vec![self.expr(0)?];
        while self.at(P::Comma) {
            self.bump();
            items.push(self.expr(0)?);
        }
        Ok(items)
    }

    /// The infix operator at the cursor, its binding powers and its length in tokens.
    fn infix(&self) -> Option<(Infix, u8, usize)> {
        let t = self.peek();
        let tilde = |n: usize| {
            let next = self.peek_at(n);
            next.t == T::Punct(P::Tilde) && !next.spaced
        };
        Some(match &t.t {
            T::Ident => {
                let w = self.src(t).to_ascii_lowercase();
                match w.as_str() {
                    "or" => (Infix::Or, BP_OR, 1),
                    "and" => (Infix::And, BP_AND, 1),
                    "in" if tilde(1) => (Infix::In { negated: false, case_insensitive: true }, BP_CMP, 2),
                    "in" => (Infix::In { negated: false, case_insensitive: false }, BP_CMP, 1),
                    "not" if self.is_kw(self.peek_at(1), "in") => {
                        let ci = tilde(2);
                        (Infix::In { negated: true, case_insensitive: ci }, BP_CMP, 2 + usize::from(ci))
                    }
                    "like" if tilde(1) => (Infix::Match(MatchOp::LikeInsensitive), BP_CMP, 2),
                    "like" => (Infix::Match(MatchOp::Like), BP_CMP, 1),
                    "regex" if tilde(1) => (Infix::Match(MatchOp::RegexInsensitive), BP_CMP, 2),
                    "regex" => (Infix::Match(MatchOp::Regex), BP_CMP, 1),
                    _ => return None,
                }
            }
            T::Punct(p) => match p {
                P::EqEq => (Infix::Cmp(CmpOp::Eq), BP_CMP, 1),
                P::Ne => (Infix::Cmp(CmpOp::Ne), BP_CMP, 1),
                P::Lt => (Infix::Cmp(CmpOp::Lt), BP_CMP, 1),
                P::Le => (Infix::Cmp(CmpOp::Le), BP_CMP, 1),
                P::Gt => (Infix::Cmp(CmpOp::Gt), BP_CMP, 1),
                P::Ge => (Infix::Cmp(CmpOp::Ge), BP_CMP, 1),
                P::Colon => (Infix::Match(MatchOp::Colon), BP_CMP, 1),
                P::Plus => (Infix::Arith(ArithOp::Add), BP_ADD, 1),
                P::Minus => (Infix::Arith(ArithOp::Sub), BP_ADD, 1),
                P::Star => (Infix::Arith(ArithOp::Mul), BP_MUL, 1),
                P::Slash => (Infix::Arith(ArithOp::Div), BP_MUL, 1),
                P::Percent => (Infix::Arith(ArithOp::Mod), BP_MUL, 1),
                _ => return None,
            },
            _ => return None,
        })
    }

    fn expr(&mut self, min_bp: u8) -> Result<Expr, QueryError> {
        self.enter()?;
        // A parenthesised and/or is one operand: `(a and b) and c` keeps its group.
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
                Infix::Match(op) => {
                    let patterns = if self.at(P::LParen) { self.paren_list()? } else { vec![self.expr(bp + 1)?] };
                    let span = Span::new(start, self.prev_end());
                    Expr::Match { left: Box::new(lhs), op, patterns, span }
                }
                Infix::In { negated, case_insensitive } => {
                    if !self.at(P::LParen) {
                        return Err(self.error("`(` and a list of values after `in`"));
                    }
                    let values = self.paren_list()?;
                    let span = Span::new(start, self.prev_end());
                    Expr::In { left: Box::new(lhs), values, negated, case_insensitive, span }
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
            if self.at(P::RParen) {
                break; // a trailing comma
            }
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
                Ok(Expr::Literal { value: Literal::Number(self.src(&t).to_string()), span: t.span })
            }
            T::Punct(P::Question) => {
                self.bump();
                if self.peek().spaced || !matches!(self.peek().t, T::Ident | T::Backtick(_)) {
                    return Err(self.error("a field name right after `?`"));
                }
                let mut f = self.field()?;
                f.optional = true;
                f.span = Span::new(t.span.start, f.span.end);
                Ok(Expr::Field(f))
            }
            T::Backtick(_) => Ok(Expr::Field(self.field()?)),
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
                    "descendant" | "child" | "event" if self.is_kw(self.peek_at(1), "of") => {
                        return self.lineage(&w);
                    }
                    _ => {}
                }
                if RESERVED.contains(&w.as_str()) {
                    return Err(self.error("a value, a field, a function call, `not` or `(`"));
                }
                let next = self.peek_at(1);
                let call = next.t == T::Punct(P::LParen)
                    || (next.t == T::Punct(P::Tilde) && !next.spaced && self.peek_at(2).t == T::Punct(P::LParen));
                if call && self.peek_at(1).t != T::Punct(P::Dot) {
                    return self.call();
                }
                Ok(Expr::Field(self.field()?))
            }
            _ => Err(self.error("a value, a field, a function call, `not` or `(`")),
        }
    }

    fn lineage(&mut self, word: &str) -> Result<Expr, QueryError> {
        let start = self.bump().span.start;
        self.bump(); // of
        let relation = match word {
            "descendant" => Relation::Descendant,
            "child" => Relation::Child,
            _ => Relation::Event,
        };
        self.expect(P::LBracket, "`[` after `of`")?;
        self.enter()?;
        let query = self.event_query()?;
        self.expect(P::RBracket, "`]` to close the related event")?;
        self.depth.leave();
        Ok(Expr::Lineage { relation, query: Box::new(query), span: Span::new(start, self.prev_end()) })
    }

    fn call(&mut self) -> Result<Expr, QueryError> {
        let name_tok = self.bump();
        let case_insensitive = self.at(P::Tilde);
        if case_insensitive {
            self.bump();
        }
        self.enter()?;
        self.expect(P::LParen, "`(`")?;
        let mut args = Vec::new();
        if !self.at(P::RParen) {
            args.push(self.expr(0)?);
            while self.at(P::Comma) {
                self.bump();
                args.push(self.expr(0)?);
            }
        }
        self.expect(P::RParen, "`,` or `)` to close the arguments")?;
        self.depth.leave();
        let span = Span::new(name_tok.span.start, self.prev_end());
        Ok(Expr::Call { name: self.src(&name_tok).to_string(), case_insensitive, args, span })
    }

    fn field(&mut self) -> Result<Field, QueryError> {
        let first = self.bump();
        let mut path = vec![self.segment(&first)];
        let mut end = first.span.end;
        // Like Elasticsearch, spaces around the dots are allowed (`process. name`).
        while self.at(P::Dot) {
            let next = self.peek_at(1);
            if !matches!(next.t, T::Ident | T::Backtick(_) | T::Num) {
                return Err(QueryError::syntax(
                    "expected a field name after `.`",
                    Span::new(self.peek().span.start, next.span.end.max(self.peek().span.end)),
                    "field names are segments joined by `.` (`process.parent.name`)",
                ));
            }
            self.bump();
            let seg = self.bump();
            end = seg.span.end;
            path.push(self.segment(&seg));
        }
        Ok(Field { path, optional: false, span: Span::new(first.span.start, end) })
    }

    fn segment(&self, t: &Token) -> String {
        match &t.t {
            T::Backtick(s) => s.clone(),
            _ => self.src(t).to_string(),
        }
    }
}

/// A parenthesised expression: the group's span covers the parentheses, so that an and/or
/// chain written in parentheses is not extended by the operators that follow it.
fn regroup(mut e: Expr, span: Span) -> Expr {
    match &mut e {
        Expr::Or { span: s, .. } | Expr::And { span: s, .. } => *s = span,
        _ => {}
    }
    e
}
