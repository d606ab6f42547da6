//! The MQL parser: recursive descent over [`super::lex`] tokens, with a bounded depth.

use serde::Serialize;

use super::lex::{Tok, Token, tokens};
use super::{Arg, Base, BinOp, Expr, Segment};
use crate::span::Span;

/// Longest query the parser accepts, in bytes (the longest in sublime-rules is under 40 KiB).
pub const MAX_QUERY_LEN: usize = 512 * 1024;

/// Deepest nesting the parser accepts: parentheses, calls, `not`s, indexes and arrays
/// together (a parenthesis or a call counts about 2). The public rules reach about 60.
pub const MAX_DEPTH: usize = 200;

/// Why a query did not parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum QueryErrorKind {
    /// The text is not MQL.
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
    /// What is wrong (`expected \`)\` to close the call, found \`and\``).
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
}

/// Parse one MQL query (the text of a rule's `source`). Spans are byte offsets into `text`.
pub fn parse(text: &str) -> Result<Expr, QueryError> {
    if text.len() > MAX_QUERY_LEN {
        return Err(QueryError {
            kind: QueryErrorKind::TooLong,
            message: format!("the query is {} bytes long, over the limit of {MAX_QUERY_LEN}", text.len()),
            span: Span::new(0, text.len()),
            help: "split the rule into smaller rules".into(),
        });
    }
    let toks = tokens(text)?;
    let mut p = Parser { toks, pos: 0, depth: 0 };
    if p.peek() == &Tok::Eof {
        return Err(QueryError::syntax("the query is empty", Span::point(0), "write a condition, e.g. `type.inbound`"));
    }
    let e = p.expr()?;
    if p.peek() != &Tok::Eof {
        let t = p.cur();
        return Err(QueryError::syntax(
            format!("expected `and`, `or` or the end of the query, found {}", t.tok.describe()),
            t.span,
            "join conditions with `and` / `or`, and check the parentheses before it",
        ));
    }
    Ok(e)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn is_keyword(w: &str) -> bool {
    matches!(w, "and" | "or" | "not" | "in" | "is")
}

impl Parser {
    fn cur(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn peek(&self) -> &Tok {
        &self.cur().tok
    }

    fn peek_at(&self, n: usize) -> &Token {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.cur().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Tok::Word(x) if x == w)
    }

    fn prev_end(&self) -> usize {
        if self.pos == 0 { 0 } else { self.toks[self.pos - 1].span.end }
    }

    fn enter(&mut self) -> Result<(), QueryError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QueryError {
                kind: QueryErrorKind::TooDeep,
                message: format!("the query nests more than {MAX_DEPTH} levels deep"),
                span: self.cur().span,
                help: "flatten the nested parentheses, calls or `not`s".into(),
            });
        }
        Ok(())
    }

    fn expect(&mut self, tok: Tok, what: &str) -> Result<Token, QueryError> {
        if *self.peek() == tok {
            return Ok(self.bump());
        }
        let t = self.cur();
        Err(QueryError::syntax(
            format!("expected {} {what}, found {}", tok.describe(), t.tok.describe()),
            t.span,
            "check the parentheses, brackets and commas",
        ))
    }

    fn expr(&mut self) -> Result<Expr, QueryError> {
        self.enter()?;
        let e = self.or();
        self.depth -= 1;
        e
    }

    fn binary(op: BinOp, lhs: Expr, rhs: Expr) -> Expr {
        let span = lhs.span().cover(rhs.span());
        Expr::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs), span }
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut lhs = self.and()?;
        while self.is_word("or") {
            self.bump();
            let rhs = self.and()?;
            lhs = Self::binary(BinOp::Or, lhs, rhs);
        }
        Ok(lhs)
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut lhs = self.not()?;
        while self.is_word("and") {
            self.bump();
            let rhs = self.not()?;
            lhs = Self::binary(BinOp::And, lhs, rhs);
        }
        Ok(lhs)
    }

    fn not(&mut self) -> Result<Expr, QueryError> {
        if self.is_word("not") {
            let start = self.bump().span.start;
            self.enter()?;
            let e = self.not();
            self.depth -= 1;
            let e = e?;
            let span = Span::new(start, e.span().end);
            return Ok(Expr::Not { expr: Box::new(e), span });
        }
        self.cmp()
    }

    fn cmp_op(&self) -> Option<(BinOp, usize)> {
        Some(match self.peek() {
            Tok::EqEq => (BinOp::Eq, 1),
            Tok::Ne => (BinOp::Ne, 1),
            Tok::EqCi => (BinOp::EqCi, 1),
            Tok::NeCi => (BinOp::NeCi, 1),
            Tok::Lt => (BinOp::Lt, 1),
            Tok::Le => (BinOp::Le, 1),
            Tok::Gt => (BinOp::Gt, 1),
            Tok::Ge => (BinOp::Ge, 1),
            Tok::InCi => (BinOp::InCi, 1),
            Tok::Word(w) if w == "in" => (BinOp::In, 1),
            Tok::Word(w) if w == "not" => match &self.peek_at(1).tok {
                Tok::Word(w) if w == "in" => (BinOp::NotIn, 2),
                Tok::InCi => (BinOp::NotInCi, 2),
                _ => return None,
            },
            _ => return None,
        })
    }

    fn cmp(&mut self) -> Result<Expr, QueryError> {
        let lhs = self.add()?;
        let e = if let Some((op, n)) = self.cmp_op() {
            for _ in 0..n {
                self.bump();
            }
            let rhs = self.add()?;
            Self::binary(op, lhs, rhs)
        } else if self.is_word("is") {
            self.bump();
            let negated = self.is_word("not");
            if negated {
                self.bump();
            }
            if !self.is_word("null") {
                let t = self.cur();
                return Err(QueryError::syntax(
                    format!(
                        "expected `null` after `is{}`, found {}",
                        if negated { " not" } else { "" },
                        t.tok.describe()
                    ),
                    t.span,
                    "write `x is null` or `x is not null`",
                ));
            }
            let end = self.bump().span.end;
            let span = Span::new(lhs.span().start, end);
            Expr::IsNull { expr: Box::new(lhs), negated, span }
        } else {
            return Ok(lhs);
        };
        let ordering = |op: BinOp| matches!(op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge);
        if let Expr::Binary { op, .. } = &e
            && ordering(*op)
            && self.cmp_op().is_some_and(|(o, _)| ordering(o))
        {
            let Expr::Binary { op, lhs, rhs, span } = e else { unreachable!("matched above") };
            let mut rest = vec![(op, *rhs)];
            let mut end = span.end;
            while let Some((o, _)) = self.cmp_op().filter(|(o, _)| ordering(*o)) {
                self.bump();
                let next = self.add()?;
                end = next.span().end;
                rest.push((o, next));
            }
            return Ok(Expr::Range { first: lhs, rest, span: Span::new(span.start, end) });
        }
        if self.cmp_op().is_some() || self.is_word("is") {
            let t = self.cur();
            return Err(QueryError::syntax(
                format!("comparisons do not chain: found {} after a comparison", t.tok.describe()),
                t.span,
                "put parentheses around one of the comparisons, or join them with `and`",
            ));
        }
        Ok(e)
    }

    fn add(&mut self) -> Result<Expr, QueryError> {
        let mut lhs = self.mul()?;
        loop {
            let op = match self.peek() {
                Tok::Plus => BinOp::Add,
                Tok::Minus => BinOp::Sub,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.mul()?;
            lhs = Self::binary(op, lhs, rhs);
        }
    }

    fn mul(&mut self) -> Result<Expr, QueryError> {
        let mut lhs = self.unary()?;
        loop {
            let op = match self.peek() {
                Tok::Star => BinOp::Mul,
                Tok::Slash => BinOp::Div,
                Tok::Percent => BinOp::Rem,
                _ => return Ok(lhs),
            };
            self.bump();
            let rhs = self.unary()?;
            lhs = Self::binary(op, lhs, rhs);
        }
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        if *self.peek() == Tok::Minus {
            let start = self.bump().span.start;
            self.enter()?;
            let e = self.unary();
            self.depth -= 1;
            let e = e?;
            let span = Span::new(start, e.span().end);
            return Ok(Expr::Neg { expr: Box::new(e), span });
        }
        let e = self.primary()?;
        self.postfix(e)
    }

    /// `.name` and `[index]` after a value.
    fn postfix(&mut self, mut e: Expr) -> Result<Expr, QueryError> {
        loop {
            let seg = match self.peek() {
                Tok::Dot => {
                    self.bump();
                    let t = self.bump();
                    let Tok::Word(w) = t.tok else {
                        return Err(QueryError::syntax(
                            format!("expected a field name after `.`, found {}", t.tok.describe()),
                            t.span,
                            "write a field path as `a.b.c`",
                        ));
                    };
                    Segment::Field(w)
                }
                Tok::LBracket => {
                    self.bump();
                    let i = self.expr()?;
                    self.expect(Tok::RBracket, "to close the index")?;
                    Segment::Index(Box::new(i))
                }
                _ => return Ok(e),
            };
            let end = self.prev_end();
            e = match e {
                Expr::Path { base, mut segments, span } => {
                    segments.push(seg);
                    Expr::Path { base, segments, span: Span::new(span.start, end) }
                }
                other => {
                    let start = other.span().start;
                    Expr::Path { base: Base::Expr(Box::new(other)), segments: vec![seg], span: Span::new(start, end) }
                }
            };
        }
    }

    /// Items up to `close`, comma-separated, a trailing comma allowed.
    fn items(&mut self, close: Tok, what: &str) -> Result<(Vec<Expr>, usize), QueryError> {
        let mut items = Vec::new();
        loop {
            if *self.peek() == close {
                break;
            }
            items.push(self.expr()?);
            if *self.peek() == Tok::Comma {
                self.bump();
            } else {
                break;
            }
        }
        let end = self.expect(close, what)?.span.end;
        Ok((items, end))
    }

    fn primary(&mut self) -> Result<Expr, QueryError> {
        let t = self.bump();
        let span = t.span;
        Ok(match t.tok {
            Tok::Number(text) if self.is_word("of") => {
                self.bump();
                self.expect(Tok::LParen, &format!("after `{text} of`"))?;
                self.enter()?;
                let r = self.items(Tok::RParen, "to close the conditions of `of`");
                self.depth -= 1;
                let (items, end) = r?;
                Expr::Of { count: text, items, span: Span::new(span.start, end) }
            }
            Tok::Number(text) => Expr::Number { text, span },
            Tok::Str(raw, quote) => Expr::Str { raw, quote, span },
            Tok::List(name) => Expr::List { name, span },
            Tok::Word(w) if w == "true" || w == "false" => Expr::Bool { value: w == "true", span },
            Tok::Word(w) if w == "null" => Expr::Null { span },
            Tok::Word(w) if !is_keyword(&w) => {
                // A dotted name: a call when `(` follows, else a field path.
                let mut names = vec![w];
                let mut end = span.end;
                while *self.peek() == Tok::Dot
                    && let Tok::Word(next) = &self.peek_at(1).tok
                {
                    names.push(next.clone());
                    self.bump();
                    end = self.bump().span.end;
                }
                if *self.peek() == Tok::LParen {
                    self.bump();
                    self.enter()?;
                    let args = self.args();
                    self.depth -= 1;
                    let (args, end) = args?;
                    Expr::Call { name: names.join("."), args, span: Span::new(span.start, end) }
                } else {
                    let mut it = names.into_iter();
                    let root = it.next().unwrap_or_default();
                    Expr::Path {
                        base: Base::Root(root),
                        segments: it.map(Segment::Field).collect(),
                        span: Span::new(span.start, end),
                    }
                }
            }
            Tok::Dot => {
                // `.`, `..`, `...`: relative to the enclosing arrays' elements.
                let mut depth = 1;
                let mut end = span.end;
                while *self.peek() == Tok::Dot && self.cur().span.start == end {
                    end = self.bump().span.end;
                    depth += 1;
                }
                let mut segments = Vec::new();
                if let Tok::Word(w) = self.peek().clone()
                    && self.cur().span.start == end
                {
                    end = self.bump().span.end;
                    segments.push(Segment::Field(w));
                }
                Expr::Path { base: Base::Relative(depth), segments, span: Span::new(span.start, end) }
            }
            Tok::LParen => {
                self.enter()?;
                let r = self.paren(span.start);
                self.depth -= 1;
                r?
            }
            Tok::LBracket => {
                self.enter()?;
                let r = self.items(Tok::RBracket, "to close the array");
                self.depth -= 1;
                let (items, end) = r?;
                Expr::Array { items, span: Span::new(span.start, end) }
            }
            other => {
                return Err(QueryError::syntax(
                    format!("expected a value, found {}", other.describe()),
                    span,
                    "a value is a field path, a string, a number, `true`, `false`, `null`, a `$list`, a call or a parenthesised condition",
                ));
            }
        })
    }

    fn paren(&mut self, start: usize) -> Result<Expr, QueryError> {
        if *self.peek() == Tok::RParen {
            let end = self.bump().span.end;
            return Ok(Expr::Tuple { items: Vec::new(), span: Span::new(start, end) });
        }
        let first = self.expr()?;
        if *self.peek() == Tok::RParen {
            self.bump();
            return Ok(first);
        }
        if *self.peek() != Tok::Comma {
            let t = self.cur();
            return Err(QueryError::syntax(
                format!("expected `)` to close the parenthesis, found {}", t.tok.describe()),
                t.span,
                "check the parentheses: every `(` needs its `)`",
            ));
        }
        self.bump();
        let (mut rest, end) = self.items(Tok::RParen, "to close the list of values")?;
        rest.insert(0, first);
        Ok(Expr::Tuple { items: rest, span: Span::new(start, end) })
    }

    fn args(&mut self) -> Result<(Vec<Arg>, usize), QueryError> {
        let mut args = Vec::new();
        loop {
            if *self.peek() == Tok::RParen {
                break;
            }
            let name = match (self.peek(), &self.peek_at(1).tok) {
                (Tok::Word(w), Tok::Assign) => {
                    let w = w.clone();
                    self.bump();
                    self.bump();
                    Some(w)
                }
                _ => None,
            };
            let value = self.expr()?;
            args.push(Arg { name, value });
            if *self.peek() == Tok::Comma {
                self.bump();
            } else {
                break;
            }
        }
        let t = self.cur().clone();
        if t.tok != Tok::RParen {
            return Err(QueryError::syntax(
                format!("expected `,` or `)` in the call's arguments, found {}", t.tok.describe()),
                t.span,
                "separate arguments with `,` and close the call with `)`",
            ));
        }
        self.bump();
        Ok((args, t.span.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mql::Quote;

    fn p(s: &str) -> Expr {
        parse(s).unwrap_or_else(|e| panic!("{s}: {e} at {:?}", e.span))
    }

    #[test]
    fn precedence_and_or_not() {
        let e = p("a or b and not c");
        let Expr::Binary { op: BinOp::Or, rhs, .. } = e else { panic!() };
        let Expr::Binary { op: BinOp::And, rhs: c, .. } = *rhs else { panic!() };
        assert!(matches!(*c, Expr::Not { .. }));
    }

    #[test]
    fn not_binds_looser_than_comparisons() {
        let e = p("not x in $list");
        let Expr::Not { expr, .. } = e else { panic!() };
        assert!(matches!(*expr, Expr::Binary { op: BinOp::In, .. }));
        let e = p("x not in~ ('a', 'b')");
        let Expr::Binary { op: BinOp::NotInCi, rhs, .. } = e else { panic!() };
        assert!(matches!(*rhs, Expr::Tuple { ref items, .. } if items.len() == 2));
    }

    #[test]
    fn calls_paths_and_relative() {
        let e = p("any(body.links, .href_url.domain.root_domain == 'x')");
        let Expr::Call { name, args, span } = e else { panic!() };
        assert_eq!((name.as_str(), args.len(), span), ("any", 2, Span::new(0, 52)));
        let Expr::Binary { lhs, .. } = &args[1].value else { panic!() };
        assert!(matches!(&**lhs, Expr::Path { base: Base::Relative(1), segments, .. } if segments.len() == 3));
        let e = p("strings.icontains(., ..email.email)");
        let Expr::Call { args, .. } = e else { panic!() };
        assert!(matches!(&args[0].value, Expr::Path { base: Base::Relative(1), segments, .. } if segments.is_empty()));
        assert!(matches!(&args[1].value, Expr::Path { base: Base::Relative(2), segments, .. } if segments.len() == 2));
    }

    #[test]
    fn call_results_indexes_named_args() {
        let e = p("ml.link_analysis(., mode=\"aggressive\").credphish.disposition == 'phishing'");
        let Expr::Binary { lhs, .. } = e else { panic!() };
        let Expr::Path { base: Base::Expr(call), segments, .. } = *lhs else { panic!() };
        assert_eq!(segments.len(), 2);
        let Expr::Call { args, .. } = *call else { panic!() };
        assert_eq!(args[1].name.as_deref(), Some("mode"));
        let e = p("recipients.to[0].email.email");
        assert!(matches!(e, Expr::Path { base: Base::Root(_), ref segments, .. } if segments.len() == 4));
    }

    #[test]
    fn is_null_arithmetic_and_literals() {
        assert!(matches!(p("body.html.raw is not null"), Expr::IsNull { negated: true, .. }));
        let e = p("length(a) - 1 < 2 * 3");
        let Expr::Binary { op: BinOp::Lt, lhs, rhs, .. } = e else { panic!() };
        assert!(matches!(*lhs, Expr::Binary { op: BinOp::Sub, .. }));
        assert!(matches!(*rhs, Expr::Binary { op: BinOp::Mul, .. }));
        assert!(matches!(p("-1"), Expr::Neg { .. }));
        assert!(matches!(p("'x'"), Expr::Str { quote: Quote::Single, .. }));
        assert!(matches!(p("[1, 2,]"), Expr::Array { ref items, .. } if items.len() == 2));
        assert!(matches!(p("(1,)"), Expr::Tuple { ref items, .. } if items.len() == 1));
        assert!(matches!(p("0 < length(x) <= 8"), Expr::Range { ref rest, .. } if rest.len() == 2));
        assert!(
            matches!(p("2 of (a, b == 'x', c,)"), Expr::Of { ref count, ref items, .. } if count == "2" && items.len() == 3)
        );
    }

    #[test]
    fn errors_say_what_was_expected_where() {
        let e = parse("type.inbound and and x").unwrap_err();
        assert_eq!((e.span, e.message.as_str()), (Span::new(17, 20), "expected a value, found `and`"));
        let e = parse("any(a, b").unwrap_err();
        assert_eq!(e.span, Span::point(8));
        assert!(e.message.contains("`,` or `)`"), "{}", e.message);
        let e = parse("a == b == c").unwrap_err();
        assert!(e.message.contains("do not chain"));
        let e = parse("0 < a == c").unwrap_err();
        assert!(e.message.contains("do not chain"));
        let e = parse("a b").unwrap_err();
        assert_eq!(e.span, Span::new(2, 3));
        assert_eq!(parse("").unwrap_err().message, "the query is empty");
        assert_eq!(parse(&"(".repeat(500)).unwrap_err().kind, QueryErrorKind::TooDeep);
        assert_eq!(parse(&"not ".repeat(500)).unwrap_err().kind, QueryErrorKind::TooDeep);
        assert_eq!(parse(&"-".repeat(500)).unwrap_err().kind, QueryErrorKind::TooDeep);
    }
}
