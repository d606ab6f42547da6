//! The YARA-L 2.0 parser: recursive descent over [`crate::lex`]'s tokens, expression
//! nesting bounded by [`MAX_DEPTH`] (rule files are untrusted input).
//!
//! A file holds `rule name { section… }` blocks. Sections are `meta:`, `events:`, `match:`,
//! `outcome:`, `condition:` and `options:`; a section ends where the next section's header
//! (`word:`) or the rule's `}` starts, so the `events:` statements need no separator (they
//! are ANDed). Expressions, loosest first: `or`; `and`; `not`/`!`; comparisons (`=`, `!=`,
//! `<`, `<=`, `>`, `>=`, `in [regex|cidr] %list`) with a trailing `nocase`; `+ -`; `* /`;
//! unary `-`, `any`/`all`; then operands (field paths, `$var`, `#var`, `%list`, strings,
//! `` `raw` `` strings, `/regex/`, numbers, durations, `true`/`false`, calls, parentheses).
//!
//! A syntax error is reported with what was expected; the parser then skips to the next
//! section (or rule), so the rest of the rule is still read.

use crate::Span;
use crate::ast::{
    Assignment, BinOp, Expr, ExprKind, Literal, MatchSection, MetaEntry, Name, Rule, SectionKind, Segment,
};
use crate::lex::{Tok, Token, lex};

/// How deep expressions may nest.
pub const MAX_DEPTH: usize = 128;

/// A syntax error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What was found and what was expected.
    pub message: String,
    /// Where (a byte range of the text given to the parser).
    pub span: Span,
    /// The expression nests deeper than [`MAX_DEPTH`].
    pub too_deep: bool,
}

/// One rule as read, with the errors inside it.
#[derive(Clone, Debug)]
pub struct ParsedRule {
    /// The rule (sections that failed are left empty, or partly filled).
    pub rule: Rule,
    /// Its syntax errors.
    pub errors: Vec<ParseError>,
}

/// What a file holds.
#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    /// Its rules.
    pub rules: Vec<ParsedRule>,
    /// Errors outside any rule (or that stop the file from being read at all).
    pub errors: Vec<ParseError>,
}

/// Parse a whole file.
pub fn parse_file(text: &str) -> ParsedFile {
    let toks = match lex(text) {
        Ok(t) => t,
        Err(e) => {
            // Read what comes before the bad token, so a rule is still found.
            let cut = &text[..e.span.start];
            let mut partial = lex(cut).map(|toks| Parser::new(&toks, text.len()).file()).unwrap_or_default();
            let err = ParseError { message: e.message, span: e.span, too_deep: false };
            match partial.rules.last_mut() {
                Some(r) => r.errors.push(err),
                None => partial.errors.push(err),
            }
            return partial;
        }
    };
    Parser::new(&toks, text.len()).file()
}

/// Parse one expression (an `events:` statement, a condition), for tests and tools.
pub fn parse_expr(text: &str) -> Result<Expr, ParseError> {
    let toks = lex(text).map_err(|e| ParseError { message: e.message, span: e.span, too_deep: false })?;
    let mut p = Parser::new(&toks, text.len());
    let e = p.expr(0)?;
    if let Some(t) = p.peek() {
        return Err(p.error_at(t, "the end of the expression"));
    }
    Ok(e)
}

struct Parser<'a> {
    toks: &'a [Token],
    pos: usize,
    depth: usize,
    end: usize,
}

type PResult<T> = Result<T, ParseError>;

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(w) => format!("`{w}`"),
        Tok::Var(v) => format!("`${v}`"),
        Tok::Count(v) => format!("`#{v}`"),
        Tok::Ref(v) => format!("`%{v}`"),
        Tok::Str(_) | Tok::Raw(_) => "a string".into(),
        Tok::Regex(_) => "a regular expression".into(),
        Tok::Number(n) | Tok::Duration(n) => format!("`{n}`"),
        Tok::Punct(p) => format!("`{p}`"),
    }
}

impl<'a> Parser<'a> {
    fn new(toks: &'a [Token], end: usize) -> Self {
        Parser { toks, pos: 0, depth: 0, end }
    }

    fn peek(&self) -> Option<&'a Token> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, n: usize) -> Option<&'a Token> {
        self.toks.get(self.pos + n)
    }

    fn bump(&mut self) -> Option<&'a Token> {
        let t = self.toks.get(self.pos);
        self.pos += 1;
        t
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Punct(x), .. }) if *x == p)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Token { tok: Tok::Ident(x), .. }) if x == w)
    }

    fn eof_span(&self) -> Span {
        Span::new(self.end, self.end)
    }

    fn error_at(&self, t: &Token, expected: &str) -> ParseError {
        ParseError {
            message: format!("expected {expected}, found {}", describe(&t.tok)),
            span: t.span,
            too_deep: false,
        }
    }

    fn expected(&self, expected: &str) -> ParseError {
        match self.peek() {
            Some(t) => self.error_at(t, expected),
            None => ParseError {
                message: format!("expected {expected}, found the end of the file"),
                span: self.eof_span(),
                too_deep: false,
            },
        }
    }

    fn expect_punct(&mut self, p: &str) -> PResult<Span> {
        if self.is_punct(p) {
            return Ok(self.bump().map(|t| t.span).unwrap_or_default());
        }
        Err(self.expected(&format!("`{p}`")))
    }

    /// The section starting here, if a section header (`events:`) is next.
    fn section_header(&self) -> Option<SectionKind> {
        match (self.peek(), self.peek_at(1)) {
            (Some(Token { tok: Tok::Ident(w), .. }), Some(Token { tok: Tok::Punct(":"), .. })) => {
                SectionKind::from_word(w)
            }
            _ => None,
        }
    }

    fn at_section_end(&self) -> bool {
        self.peek().is_none() || self.is_punct("}") || self.section_header().is_some()
    }

    fn file(&mut self) -> ParsedFile {
        let mut out = ParsedFile::default();
        while let Some(t) = self.peek() {
            if matches!(&t.tok, Tok::Ident(w) if w == "rule") {
                out.rules.push(self.rule());
            } else {
                out.errors.push(self.error_at(t, "`rule`"));
                // Skip to the next `rule`.
                self.pos += 1;
                while self.peek().is_some() && !self.is_word("rule") {
                    self.pos += 1;
                }
            }
        }
        out
    }

    fn rule(&mut self) -> ParsedRule {
        let start = self.bump().map(|t| t.span.start).unwrap_or(0);
        let mut errors = Vec::new();
        let name = match self.peek() {
            Some(Token { tok: Tok::Ident(n), span, .. }) => {
                self.pos += 1;
                Name { name: n.clone(), span: *span }
            }
            _ => {
                errors.push(self.expected("the rule's name"));
                Name { name: String::new(), span: Span::new(start, start) }
            }
        };
        let mut rule = Rule {
            name,
            meta: Vec::new(),
            events: Vec::new(),
            match_section: None,
            outcome: Vec::new(),
            condition: None,
            options: Vec::new(),
            sections: Vec::new(),
            span: Span::new(start, start),
        };
        if let Err(e) = self.expect_punct("{") {
            errors.push(e);
            while self.peek().is_some() && !self.is_punct("{") && !self.is_word("rule") {
                self.pos += 1;
            }
            if !self.is_punct("{") {
                rule.span = Span::new(start, self.toks.get(self.pos.saturating_sub(1)).map_or(start, |t| t.span.end));
                return ParsedRule { rule, errors };
            }
            self.pos += 1;
        }
        loop {
            match self.peek() {
                None => {
                    errors.push(self.expected("`}` closing the rule"));
                    break;
                }
                Some(Token { tok: Tok::Punct("}"), span, .. }) => {
                    self.pos += 1;
                    rule.span = Span::new(start, span.end);
                    break;
                }
                Some(t) => {
                    let Some(kind) = self.section_header() else {
                        errors.push(self.error_at(
                            t,
                            "a section (`meta:`, `events:`, `match:`, `outcome:`, `condition:`, `options:`)",
                        ));
                        self.skip_to_section();
                        continue;
                    };
                    let header = Span::new(t.span.start, self.toks[self.pos + 1].span.end);
                    self.pos += 2;
                    if rule.sections.iter().any(|(k, _)| *k == kind) {
                        errors.push(ParseError {
                            message: format!(
                                "the `{}:` section appears twice; a rule has each section once",
                                kind.as_str()
                            ),
                            span: header,
                            too_deep: false,
                        });
                    }
                    rule.sections.push((kind, header));
                    if let Err(e) = self.section(kind, &mut rule) {
                        errors.push(e);
                        self.skip_to_section();
                    }
                }
            }
        }
        if rule.span.end == start {
            rule.span = Span::new(start, self.end);
        }
        ParsedRule { rule, errors }
    }

    fn skip_to_section(&mut self) {
        self.pos += 1;
        while !self.at_section_end() {
            self.pos += 1;
        }
    }

    fn section(&mut self, kind: SectionKind, rule: &mut Rule) -> PResult<()> {
        match kind {
            SectionKind::Meta | SectionKind::Options => {
                while !self.at_section_end() {
                    let entry = self.meta_entry()?;
                    if kind == SectionKind::Meta { rule.meta.push(entry) } else { rule.options.push(entry) }
                }
            }
            SectionKind::Events => {
                while !self.at_section_end() {
                    let e = self.expr(0)?;
                    rule.events.push(e);
                }
            }
            SectionKind::Match => rule.match_section = Some(self.match_section()?),
            SectionKind::Outcome => {
                while !self.at_section_end() {
                    let var = match self.peek() {
                        Some(Token { tok: Tok::Var(v), span, .. }) => {
                            self.pos += 1;
                            Name { name: v.clone(), span: *span }
                        }
                        _ => return Err(self.expected("an outcome variable (`$name = …`)")),
                    };
                    self.expect_punct("=")?;
                    let value = self.expr(0)?;
                    rule.outcome.push(Assignment { var, value });
                }
            }
            SectionKind::Condition => {
                if self.at_section_end() {
                    return Err(self.expected("a condition (`$e`, `#e > 2` …)"));
                }
                let e = self.expr(0)?;
                if !self.at_section_end() {
                    return Err(self.expected("`and`, `or`, or the end of the condition"));
                }
                rule.condition = Some(e);
            }
        }
        Ok(())
    }

    fn meta_entry(&mut self) -> PResult<MetaEntry> {
        let key = match self.peek() {
            Some(Token { tok: Tok::Ident(k), span, .. }) => {
                self.pos += 1;
                Name { name: k.clone(), span: *span }
            }
            _ => return Err(self.expected("a key (`key = \"value\"`)")),
        };
        self.expect_punct("=")?;
        let neg = self.is_punct("-");
        if neg {
            self.pos += 1;
        }
        let Some(t) = self.peek() else { return Err(self.expected("a value")) };
        let value = match (&t.tok, neg) {
            (Tok::Str(s) | Tok::Raw(s), false) => Literal::String(s.clone()),
            (Tok::Number(n), _) => Literal::Number(if neg { format!("-{n}") } else { n.clone() }),
            (Tok::Ident(w), false) if w == "true" || w == "false" => Literal::Bool(w == "true"),
            _ => return Err(self.error_at(t, "a value (a string, a number, `true` or `false`)")),
        };
        self.pos += 1;
        Ok(MetaEntry { key, value, value_span: t.span })
    }

    fn match_section(&mut self) -> PResult<MatchSection> {
        let start = self.peek().map_or(self.end, |t| t.span.start);
        let mut vars = Vec::new();
        loop {
            match self.peek() {
                Some(Token { tok: Tok::Var(v), span, .. }) => {
                    self.pos += 1;
                    vars.push(Name { name: v.clone(), span: *span });
                }
                _ => return Err(self.expected("a match variable (`$user`)")),
            }
            if self.is_punct(",") {
                self.pos += 1;
            } else {
                break;
            }
        }
        let window_kind = match self.peek() {
            Some(Token { tok: Tok::Ident(w), .. }) if w == "over" || w == "by" => w.clone(),
            _ => return Err(self.expected("`over` and a window (`over 10m`)")),
        };
        self.pos += 1;
        let (window, mut end) = match self.peek() {
            Some(Token { tok: Tok::Duration(d), span, .. }) => (d.clone(), span.end),
            _ => return Err(self.expected("a window (`10m`, `1h`, `1d`)")),
        };
        self.pos += 1;
        let mut pivot = None;
        if let Some(Token { tok: Tok::Ident(w), .. }) = self.peek()
            && (w == "before" || w == "after")
        {
            self.pos += 1;
            match self.peek() {
                Some(Token { tok: Tok::Var(v), span, .. }) => {
                    self.pos += 1;
                    end = span.end;
                    pivot = Some((w.clone(), Name { name: v.clone(), span: *span }));
                }
                _ => return Err(self.expected("the pivot event variable (`after $e1`)")),
            }
        }
        if !self.at_section_end() {
            return Err(self.expected("the end of the `match:` section"));
        }
        Ok(MatchSection { vars, window_kind, window, pivot, span: Span::new(start, end) })
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let span = self.peek().map_or(self.eof_span(), |t| t.span);
            return Err(ParseError {
                message: format!("the expression nests deeper than {MAX_DEPTH} levels"),
                span,
                too_deep: true,
            });
        }
        Ok(())
    }

    fn binop(&self) -> Option<BinOp> {
        Some(match &self.peek()?.tok {
            Tok::Ident(w) if w == "and" => BinOp::And,
            Tok::Ident(w) if w == "or" => BinOp::Or,
            Tok::Punct("=") => BinOp::Eq,
            Tok::Punct("!=") => BinOp::Ne,
            Tok::Punct("<") => BinOp::Lt,
            Tok::Punct("<=") => BinOp::Le,
            Tok::Punct(">") => BinOp::Gt,
            Tok::Punct(">=") => BinOp::Ge,
            Tok::Punct("+") => BinOp::Add,
            Tok::Punct("-") => BinOp::Sub,
            Tok::Punct("*") => BinOp::Mul,
            Tok::Punct("/") => BinOp::Div,
            _ => return None,
        })
    }

    /// An expression whose operators bind at least as tightly as `min`.
    fn expr(&mut self, min: u8) -> PResult<Expr> {
        self.enter()?;
        let result = self.expr_inner(min);
        self.depth -= 1;
        result
    }

    fn expr_inner(&mut self, min: u8) -> PResult<Expr> {
        let mut lhs = self.unary()?;
        loop {
            if min <= 4 && self.is_word("nocase") {
                let end = self.bump().map_or(lhs.span.end, |t| t.span.end);
                let span = Span::new(lhs.span.start, end);
                lhs = Expr { kind: ExprKind::Nocase { item: Box::new(lhs) }, span };
                continue;
            }
            if min <= 4 && self.is_word("in") {
                self.pos += 1;
                let mode = match self.peek() {
                    Some(Token { tok: Tok::Ident(w), .. }) if w == "regex" || w == "cidr" => {
                        self.pos += 1;
                        Some(w.clone())
                    }
                    _ => None,
                };
                let (list, end) = match self.peek() {
                    Some(Token { tok: Tok::Ref(r), span, .. }) => {
                        self.pos += 1;
                        let (list, end) = self.ref_tail(r, span.end);
                        (list, end)
                    }
                    _ => return Err(self.expected("a reference list (`%name`) after `in`")),
                };
                let span = Span::new(lhs.span.start, end);
                lhs = Expr { kind: ExprKind::InList { item: Box::new(lhs), mode, list }, span };
                continue;
            }
            let Some(op) = self.binop() else { break };
            let prec = op.precedence();
            if prec < min {
                break;
            }
            self.pos += 1;
            let rhs = self.expr(prec + 1)?;
            let span = Span::new(lhs.span.start, rhs.span.end);
            lhs = Expr { kind: ExprKind::Binary { op, lhs: Box::new(lhs), rhs: Box::new(rhs) }, span };
        }
        Ok(lhs)
    }

    /// `%list` and an optional `.column`.
    fn ref_tail(&mut self, name: &str, mut end: usize) -> (String, usize) {
        let mut list = name.to_string();
        while let (Some(Token { tok: Tok::Punct("."), span: dot, .. }), Some(Token { tok: Tok::Ident(c), span, .. })) =
            (self.peek(), self.peek_at(1))
        {
            if dot.start != end {
                break;
            }
            list.push('.');
            list.push_str(c);
            end = span.end;
            self.pos += 2;
        }
        (list, end)
    }

    fn unary(&mut self) -> PResult<Expr> {
        let Some(t) = self.peek() else { return Err(self.expected("an expression")) };
        match &t.tok {
            Tok::Ident(w) if w == "not" => {
                self.pos += 1;
                let item = self.expr(3)?;
                let span = Span::new(t.span.start, item.span.end);
                Ok(Expr { kind: ExprKind::Not { bang: false, item: Box::new(item) }, span })
            }
            Tok::Punct("!") => {
                self.pos += 1;
                let item = self.expr(3)?;
                let span = Span::new(t.span.start, item.span.end);
                Ok(Expr { kind: ExprKind::Not { bang: true, item: Box::new(item) }, span })
            }
            Tok::Ident(w)
                if (w == "any" || w == "all") && matches!(self.peek_at(1).map(|t| &t.tok), Some(Tok::Var(_))) =>
            {
                self.pos += 1;
                let item = self.expr(4)?;
                let span = Span::new(t.span.start, item.span.end);
                Ok(Expr { kind: ExprKind::Quantified { quantifier: w.clone(), item: Box::new(item) }, span })
            }
            Tok::Punct("-") => {
                self.pos += 1;
                self.enter()?;
                let item = self.unary();
                self.depth -= 1;
                let item = item?;
                let span = Span::new(t.span.start, item.span.end);
                Ok(Expr { kind: ExprKind::Neg { item: Box::new(item) }, span })
            }
            _ => self.primary(),
        }
    }

    fn primary(&mut self) -> PResult<Expr> {
        let Some(t) = self.peek() else { return Err(self.expected("an expression")) };
        let simple = |kind| Ok(Expr { kind, span: t.span });
        match &t.tok {
            Tok::Var(v) => {
                self.pos += 1;
                let mut segments = Vec::new();
                let mut end = t.span.end;
                loop {
                    match (self.peek(), self.peek_at(1), self.peek_at(2)) {
                        (
                            Some(Token { tok: Tok::Punct("."), span: d, .. }),
                            Some(Token { tok: Tok::Ident(f), span, .. }),
                            _,
                        ) if d.start == end => {
                            segments.push(Segment::Field(f.clone()));
                            end = span.end;
                            self.pos += 2;
                        }
                        (
                            Some(Token { tok: Tok::Punct("["), span: b, .. }),
                            Some(Token { tok: k @ (Tok::Str(_) | Tok::Raw(_) | Tok::Number(_)), .. }),
                            Some(Token { tok: Tok::Punct("]"), span, .. }),
                        ) if b.start == end => {
                            segments.push(match k {
                                Tok::Number(n) => Segment::Index(n.clone()),
                                Tok::Str(s) | Tok::Raw(s) => Segment::Key(s.clone()),
                                _ => unreachable!("matched above"),
                            });
                            end = span.end;
                            self.pos += 3;
                        }
                        (Some(Token { tok: Tok::Punct("."), span: d, .. }), _, _) if d.start == end => {
                            self.pos += 1;
                            return Err(self.expected("a field name after `.`"));
                        }
                        _ => break,
                    }
                }
                Ok(Expr { kind: ExprKind::Path { var: v.clone(), segments }, span: Span::new(t.span.start, end) })
            }
            Tok::Count(v) => {
                self.pos += 1;
                simple(ExprKind::Count { var: v.clone() })
            }
            Tok::Ref(r) => {
                self.pos += 1;
                let (list, end) = self.ref_tail(r, t.span.end);
                Ok(Expr { kind: ExprKind::Ref { list }, span: Span::new(t.span.start, end) })
            }
            Tok::Str(s) => {
                self.pos += 1;
                simple(ExprKind::Str { value: s.clone(), raw: false })
            }
            Tok::Raw(s) => {
                self.pos += 1;
                simple(ExprKind::Str { value: s.clone(), raw: true })
            }
            Tok::Regex(r) => {
                self.pos += 1;
                simple(ExprKind::Regex { pattern: r.clone() })
            }
            Tok::Number(n) => {
                self.pos += 1;
                simple(ExprKind::Number { value: n.clone() })
            }
            Tok::Duration(d) => {
                self.pos += 1;
                simple(ExprKind::Duration { value: d.clone() })
            }
            Tok::Punct("(") => {
                self.pos += 1;
                let inner = self.expr(0)?;
                let end = self.expect_punct(")")?;
                Ok(Expr { kind: inner.kind, span: Span::new(t.span.start, end.end) })
            }
            Tok::Ident(w) if w == "true" || w == "false" => {
                self.pos += 1;
                simple(ExprKind::Bool { value: w == "true" })
            }
            Tok::Ident(w) if !matches!(w.as_str(), "and" | "or" | "not" | "in" | "nocase") => {
                self.pos += 1;
                let mut name = w.clone();
                let mut end = t.span.end;
                while let (
                    Some(Token { tok: Tok::Punct("."), span: d, .. }),
                    Some(Token { tok: Tok::Ident(part), span, .. }),
                ) = (self.peek(), self.peek_at(1))
                {
                    if d.start != end {
                        break;
                    }
                    name.push('.');
                    name.push_str(part);
                    end = span.end;
                    self.pos += 2;
                }
                match self.peek() {
                    // `array_distinct ($e.x)`: a space before `(` is allowed, a line break is
                    // not (`… = foo` then a statement `(…)` on the next line).
                    Some(Token { tok: Tok::Punct("("), line_start: false, .. }) => {
                        self.pos += 1;
                        let args = self.args()?;
                        let close = self.toks[self.pos - 1].span.end;
                        Ok(Expr { kind: ExprKind::Call { name, args }, span: Span::new(t.span.start, close) })
                    }
                    _ => Ok(Expr { kind: ExprKind::Word { word: name }, span: Span::new(t.span.start, end) }),
                }
            }
            _ => Err(self.error_at(t, "an expression (a field, a value, a function call or `(`)")),
        }
    }

    /// Call arguments after `(`, through `)`.
    fn args(&mut self) -> PResult<Vec<Expr>> {
        let mut args = Vec::new();
        if self.is_punct(")") {
            self.pos += 1;
            return Ok(args);
        }
        loop {
            args.push(self.expr(0)?);
            if self.is_punct(",") {
                self.pos += 1;
                continue;
            }
            self.expect_punct(")").map_err(|_| self.expected("`,` or `)` after an argument"))?;
            return Ok(args);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::print::expr_to_string;

    fn round(s: &str) -> String {
        expr_to_string(&parse_expr(s).unwrap_or_else(|e| panic!("{s}: {e:?}")))
    }

    #[test]
    fn comparisons_and_boolean_operators_keep_their_precedence() {
        assert_eq!(round("$e.a = \"x\" or $e.b = 1 and not $e.c != 2"), "$e.a = \"x\" or $e.b = 1 and not $e.c != 2");
        assert_eq!(round("($e.a = 1 or $e.b = 2) and $e.c = 3"), "($e.a = 1 or $e.b = 2) and $e.c = 3");
        assert_eq!(round("$e.a > 5 and $e.b <= 3"), "$e.a > 5 and $e.b <= 3");
    }

    #[test]
    fn regex_nocase_lists_and_functions() {
        assert_eq!(round("$e.f = /a.*b/ nocase"), "$e.f = /a.*b/ nocase");
        assert_eq!(round("not $e.ip in cidr %nets"), "not $e.ip in cidr %nets");
        assert_eq!(round("$e.x in %list.col"), "$e.x in %list.col");
        assert_eq!(
            round("strings.contains(strings.to_lower($e.target.process.command_line), \" -u \")"),
            "strings.contains(strings.to_lower($e.target.process.command_line), \" -u \")"
        );
        assert_eq!(round("re.regex($e.f, `\\\\x\\.exe$`) nocase"), "re.regex($e.f, `\\\\x\\.exe$`) nocase");
        assert_eq!(
            round("net.ip_in_range_cidr($e.principal.ip, \"10.0.0.0/8\")"),
            "net.ip_in_range_cidr($e.principal.ip, \"10.0.0.0/8\")"
        );
    }

    #[test]
    fn paths_with_keys_indices_counts_and_arithmetic() {
        assert_eq!(round("$e.labels[\"k\"].value = $v"), "$e.labels[\"k\"].value = $v");
        assert_eq!(round("$e.ip[0] = \"1\""), "$e.ip[0] = \"1\"");
        assert_eq!(round("#e > 5 and !$e2"), "#e > 5 and !$e2");
        assert_eq!(round("$a.t - $b.t > 300 * 2"), "$a.t - $b.t > 300 * 2");
        assert_eq!(round("any $e.principal.ip = \"1.2.3.4\""), "any $e.principal.ip = \"1.2.3.4\"");
    }

    #[test]
    fn a_call_needs_its_parenthesis_on_the_same_line() {
        assert_eq!(round("array_distinct ($e.x)"), "array_distinct($e.x)");
        let f =
            parse_file("rule r {\n events:\n  $e.a = foo\n  ($e.b = 1 or $e.c = 2) and $e.d = 3\n condition:\n  $e\n}");
        assert!(f.rules[0].errors.is_empty(), "{:?}", f.rules[0].errors);
        assert_eq!(f.rules[0].rule.events.len(), 2, "the word ends the first statement");
    }

    #[test]
    fn errors_say_what_was_expected_and_where() {
        let e = parse_expr("$e.a = ").unwrap_err();
        assert_eq!(e.message, "expected an expression, found the end of the file");
        let e = parse_expr("$e.a = (1").unwrap_err();
        assert!(e.message.starts_with("expected `)`"), "{}", e.message);
        let e = parse_expr("$e.a in foo").unwrap_err();
        assert_eq!(e.span, Span::new(8, 11));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!("{}$e.a = 1{}", "(".repeat(5000), ")".repeat(5000));
        assert!(parse_expr(&deep).unwrap_err().too_deep);
        let nots = format!("{}$e.a = 1", "not ".repeat(5000));
        assert!(parse_expr(&nots).unwrap_err().too_deep);
        let negs = format!("$e.a = {}1", "-".repeat(5000));
        assert!(parse_expr(&negs).unwrap_err().too_deep);
    }

    #[test]
    fn a_rule_with_every_section() {
        let text = r#"
rule r {
  meta:
    author = "me"
    score = 5
  events:
    $e.metadata.event_type = "PROCESS_LAUNCH"
    $e.principal.hostname = $host
  match:
    $host over 10m
  outcome:
    $risk = max(if($e.x = "a", 10, 0))
  condition:
    #e > 2
  options:
    allow_zero_values = true
}
"#;
        let f = parse_file(text);
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        let r = &f.rules[0];
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(r.rule.name.name, "r");
        assert_eq!(r.rule.meta.len(), 2);
        assert_eq!(r.rule.events.len(), 2);
        assert_eq!(r.rule.match_section.as_ref().unwrap().window_seconds(), Some(600));
        assert_eq!(r.rule.outcome.len(), 1);
        assert!(r.rule.condition.is_some());
        assert_eq!(r.rule.options[0].value, Literal::Bool(true));
    }

    #[test]
    fn a_broken_section_still_leaves_the_others() {
        let text = "rule r {\n meta:\n  a = \"b\"\n events:\n  $e.x = = 2\n condition:\n  $e\n}\n";
        let f = parse_file(text);
        let r = &f.rules[0];
        assert_eq!(r.errors.len(), 1);
        assert_eq!(&text[r.errors[0].span.start..r.errors[0].span.end], "=");
        assert_eq!(r.rule.meta.len(), 1);
        assert!(r.rule.condition.is_some());
    }
}
