//! The recursive-descent parsers: the pipeline, the search language and the eval language.

use detwiki_diagnostics::Span;

use super::lex::{self, ETok, STok};
use super::{BinOp, Body, CmpOp, Command, Expr, Pipeline, SearchExpr, Value};

/// Deepest nesting of parentheses and operators a query may have.
pub const MAX_DEPTH: usize = 128;

/// Why a search does not parse: what was found, what was expected, where (a byte range of
/// the text given to the parser).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    /// What is wrong, with what was expected.
    pub message: String,
    /// Where.
    pub span: Span,
    /// True when the input nests deeper than [`MAX_DEPTH`].
    pub too_deep: bool,
}

impl ParseError {
    pub(crate) fn new(message: impl Into<String>, span: Span) -> ParseError {
        ParseError { message: message.into(), span, too_deep: false }
    }

    fn deep(span: Span) -> ParseError {
        ParseError { message: format!("nests deeper than {MAX_DEPTH} levels"), span, too_deep: true }
    }

    fn shift(mut self, by: usize) -> ParseError {
        self.span = Span::new(self.span.start + by, self.span.end + by);
        self
    }
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ParseError {}

/// The byte ranges of the commands of `text`: split at every `|` outside double quotes,
/// brackets and backticks.
fn split(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let (mut start, mut i, mut depth) = (0, 0, 0usize);
    while i < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            // A macro call left unexpanded; a lone backtick is one character.
            b'`' => {
                if let Some(p) = text[i + 1..].find('`') {
                    i += 1 + p;
                }
            }
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => depth = depth.saturating_sub(1),
            b'|' if depth == 0 => {
                out.push((start, i));
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push((start, b.len()));
    out
}

/// The byte ranges of the commands of `text`, each after its `|` (the first may be empty).
pub(crate) fn split_ranges(text: &str) -> Vec<(usize, usize)> {
    split(text)
}

fn trim_range(text: &str, (s, e): (usize, usize)) -> (usize, usize) {
    let seg = &text[s..e];
    let lead = seg.len() - seg.trim_start().len();
    let trail = seg.len() - seg.trim_end().len();
    (s + lead, (e - trail).max(s + lead))
}

/// Parse a whole search (after macro expansion). Spans are byte ranges of `text`.
pub fn parse(text: &str) -> Result<Pipeline, ParseError> {
    let mut commands = Vec::new();
    for (n, range) in split(text).into_iter().enumerate() {
        let (s, e) = trim_range(text, range);
        if s == e {
            continue;
        }
        let seg = &text[s..e];
        let word_end = seg.find(|c: char| c.is_whitespace()).unwrap_or(seg.len());
        let word = seg[..word_end].to_ascii_lowercase();
        let implicit = n == 0 && word != "search";
        let (name, args_start) = if implicit { ("search".to_string(), 0) } else { (word, word_end) };
        let args = seg[args_start..].trim();
        let args_at = s + args_start + (seg[args_start..].len() - seg[args_start..].trim_start().len());
        let body = body(&name, args).map_err(|e| e.shift(args_at))?;
        commands.push(Command { name, args: args.to_string(), implicit, body, span: Span::new(s, e) });
    }
    Ok(Pipeline { commands })
}

fn body(name: &str, args: &str) -> Result<Body, ParseError> {
    Ok(match name {
        "search" => Body::Search { expr: parse_search_expr(args)? },
        "where" => Body::Where { expr: parse_expr(args)? },
        "eval" => Body::Eval { assignments: assignments(args)? },
        "tstats" => datamodel(args, false)?,
        "from" => datamodel(args, true)?,
        _ => Body::Other,
    })
}

/// Parse a search-language expression (`None` for empty text).
pub fn parse_search_expr(text: &str) -> Result<Option<SearchExpr>, ParseError> {
    let toks = lex::search(text)?;
    let mut p = SParser { toks: &toks, pos: 0, depth: 0, stop_by: false, len: text.len() };
    let e = p.and()?;
    if let Some((t, span)) = p.toks.get(p.pos) {
        return Err(ParseError::new(
            format!("unexpected {}: expected a search term, `OR` or the end", describe(t)),
            *span,
        ));
    }
    Ok(e)
}

fn describe(t: &STok) -> String {
    match t {
        STok::Word(w) => format!("`{w}`"),
        STok::Str(s) => format!("\"{s}\""),
        STok::LParen => "`(`".into(),
        STok::RParen => "`)`".into(),
        STok::Comma => "`,`".into(),
        STok::Cmp(c) => format!("`{}`", c.as_str()),
        STok::Sub(_) => "a subsearch".into(),
    }
}

fn is_word(t: Option<&(STok, Span)>, w: &str) -> bool {
    matches!(t, Some((STok::Word(x), _)) if x.eq_ignore_ascii_case(w))
}

struct SParser<'a> {
    toks: &'a [(STok, Span)],
    pos: usize,
    depth: usize,
    stop_by: bool,
    len: usize,
}

impl SParser<'_> {
    fn peek(&self) -> Option<&(STok, Span)> {
        self.toks.get(self.pos)
    }

    fn end_span(&self) -> Span {
        Span::point(self.len)
    }

    fn at_stop(&self) -> bool {
        match self.peek() {
            None | Some((STok::RParen, _)) => true,
            Some((STok::Word(w), _)) => {
                w == "OR"
                    || (self.stop_by
                        && (w.eq_ignore_ascii_case("by") || w.eq_ignore_ascii_case("groupby"))
                        && !matches!(self.toks.get(self.pos + 1), Some((STok::Cmp(_), _))))
            }
            _ => false,
        }
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::deep(self.peek().map_or(self.end_span(), |t| t.1)));
        }
        Ok(())
    }

    /// `or ((AND)? or)*`
    fn and(&mut self) -> Result<Option<SearchExpr>, ParseError> {
        self.enter()?;
        let mut items = Vec::new();
        loop {
            if is_word(self.peek(), "AND") && matches!(self.peek(), Some((STok::Word(w), _)) if w == "AND") {
                if items.is_empty() {
                    return Err(ParseError::new(
                        "`AND` with nothing before it: expected a search term",
                        self.peek().map_or(self.end_span(), |t| t.1),
                    ));
                }
                self.pos += 1;
                if self.at_stop() {
                    return Err(ParseError::new(
                        "`AND` with nothing after it: expected a search term",
                        self.peek().map_or(self.end_span(), |t| t.1),
                    ));
                }
                // `AND AND`: the second is no search term (it would print as the operator).
                if let Some((STok::Word(w), span)) = self.peek()
                    && w == "AND"
                {
                    return Err(ParseError::new("`AND` twice: expected a search term between them", *span));
                }
            }
            if self.at_stop() {
                break;
            }
            items.push(self.or()?);
        }
        self.depth -= 1;
        Ok(match items.len() {
            0 => None,
            1 => items.pop(),
            _ => Some(SearchExpr::And { items }),
        })
    }

    fn or(&mut self) -> Result<SearchExpr, ParseError> {
        let mut items = vec![self.unary()?];
        while matches!(self.peek(), Some((STok::Word(w), _)) if w == "OR") {
            self.pos += 1;
            items.push(self.unary()?);
        }
        Ok(if items.len() == 1 { items.pop().expect("one") } else { SearchExpr::Or { items } })
    }

    fn unary(&mut self) -> Result<SearchExpr, ParseError> {
        self.enter()?;
        let r = match self.peek().cloned() {
            Some((STok::Word(w), _)) if w == "NOT" => {
                self.pos += 1;
                SearchExpr::Not { item: Box::new(self.unary()?) }
            }
            Some((STok::LParen, span)) => {
                self.pos += 1;
                let inner = self.and()?;
                match self.peek() {
                    Some((STok::RParen, _)) => self.pos += 1,
                    other => {
                        return Err(ParseError::new(
                            "unclosed `(`: expected `)`",
                            other.map_or(Span::new(span.start, self.len), |t| t.1),
                        ));
                    }
                }
                match inner {
                    Some(e) => e,
                    None => return Err(ParseError::new("empty parentheses: expected a search term", span)),
                }
            }
            Some(_) => self.term()?,
            None => return Err(ParseError::new("the search ends here: expected a search term", self.end_span())),
        };
        self.depth -= 1;
        Ok(r)
    }

    fn value(&mut self) -> Option<(Value, Span)> {
        match self.peek().cloned() {
            Some((STok::Word(w), span)) => {
                self.pos += 1;
                Some((Value { text: w, quoted: false }, span))
            }
            Some((STok::Str(s), span)) => {
                self.pos += 1;
                Some((Value { text: s, quoted: true }, span))
            }
            _ => None,
        }
    }

    fn term(&mut self) -> Result<SearchExpr, ParseError> {
        let (tok, span) = self.peek().cloned().expect("a token");
        if let STok::Sub(text) = tok {
            self.pos += 1;
            return Ok(SearchExpr::Subsearch { text, span });
        }
        let Some((value, vspan)) = self.value() else {
            return Err(ParseError::new(format!("unexpected {}: expected a search term", describe(&tok)), span));
        };
        // `IN (…)` with no field before it: not the word `IN` searched for (after another term
        // it would print as that term's `IN` list).
        if !value.quoted && value.text.eq_ignore_ascii_case("IN") && matches!(self.peek(), Some((STok::LParen, _))) {
            return Err(ParseError::new("`IN (…)` with no field before it: expected `field IN (…)`", vspan));
        }
        match self.peek().cloned() {
            Some((STok::Cmp(cmp), cspan)) => {
                self.pos += 1;
                // Nothing after the operator (`f=` before a parenthesis, a pipe or the end): the
                // empty value, which prints as `""` (printed bare, `f= (b)` would read `f=b`).
                let (v, end) = match self.value() {
                    Some((v, s)) => (v, s.end),
                    None => (Value { text: String::new(), quoted: true }, cspan.end),
                };
                Ok(SearchExpr::Compare {
                    field: value.text,
                    field_quoted: value.quoted,
                    cmp,
                    value: v,
                    span: Span::new(vspan.start, end),
                })
            }
            Some((STok::Word(w), _))
                if w.eq_ignore_ascii_case("IN") && matches!(self.toks.get(self.pos + 1), Some((STok::LParen, _))) =>
            {
                self.pos += 2;
                let mut values = Vec::new();
                loop {
                    match self.peek() {
                        Some((STok::RParen, s)) => {
                            let end = s.end;
                            self.pos += 1;
                            return Ok(SearchExpr::In {
                                field: value.text,
                                field_quoted: value.quoted,
                                values,
                                span: Span::new(vspan.start, end),
                            });
                        }
                        Some((STok::Comma, _)) => self.pos += 1,
                        _ => match self.value() {
                            Some((v, _)) => values.push(v),
                            None => {
                                return Err(ParseError::new(
                                    format!(
                                        "unexpected {} in an `IN` list: expected a value, `,` or `)`",
                                        self.peek().map_or("end of the search".into(), |t| describe(&t.0))
                                    ),
                                    self.peek().map_or(self.end_span(), |t| t.1),
                                ));
                            }
                        },
                    }
                }
            }
            _ => Ok(SearchExpr::Term { value, span: vspan }),
        }
    }
}

/// `tstats`/`from`: `head [from datamodel=X] [where filter] [by …]` (the `from` command
/// starts at `datamodel`).
fn datamodel(args: &str, from_command: bool) -> Result<Body, ParseError> {
    let mut toks = lex::search(args)?;
    if from_command {
        toks.insert(0, (STok::Word("from".into()), Span::point(0)));
    }
    let find = |w: &str| toks.iter().position(|(t, _)| matches!(t, STok::Word(x) if x.eq_ignore_ascii_case(w)));
    let from = find("from");
    let where_ = find("where");
    let head_end = [from, where_].into_iter().flatten().min().map_or(args.len(), |i| toks[i].1.start);
    let mut datamodel = None;
    let mut after_dm = None;
    if let Some(f) = from {
        let mut j = f + 1;
        match toks.get(j) {
            Some((STok::Word(w), s)) if w.eq_ignore_ascii_case("datamodel") => {
                j += 1;
                if matches!(toks.get(j), Some((STok::Cmp(CmpOp::Eq), _))) {
                    j += 1;
                }
                match toks.get(j) {
                    Some((STok::Word(dm) | STok::Str(dm), _)) if !dm.eq_ignore_ascii_case("where") => {
                        datamodel = Some(dm.clone());
                        after_dm = Some(j + 1);
                    }
                    _ => return Err(ParseError::new("`datamodel` without a name: expected `datamodel=Name`", *s)),
                }
            }
            Some((STok::Word(w), _)) if w.to_ascii_lowercase().starts_with("datamodel:") => {
                datamodel = Some(w["datamodel:".len()..].trim_matches('"').to_string());
                after_dm = Some(j + 1);
            }
            _ => {}
        }
    }
    // Shapes the printer cannot give back (`from` naming no data model, `where` before `from`):
    // the command is kept with its text, as any other command.
    if (from.is_some() && datamodel.is_none()) || matches!((from, where_), (Some(f), Some(w)) if w < f) {
        return Ok(Body::Other);
    }
    let (filter, by_at) = match where_ {
        Some(w) => {
            let mut p = SParser { toks: &toks, pos: w + 1, depth: 0, stop_by: true, len: args.len() };
            let e = p.and()?;
            if let Some((t, span)) = p.toks.get(p.pos)
                && !is_word(Some(&(t.clone(), *span)), "by")
                && !is_word(Some(&(t.clone(), *span)), "groupby")
            {
                return Err(ParseError::new(
                    format!("unexpected {}: expected a search term, `OR`, `by` or the end", describe(t)),
                    *span,
                ));
            }
            (e, Some(p.pos))
        }
        None => (None, after_dm.or(from.map(|f| f + 1))),
    };
    let by_tok = by_at.and_then(|i| {
        toks.iter().skip(i).position(|(t, _)| matches!(t, STok::Word(x) if x.eq_ignore_ascii_case("by") || x.eq_ignore_ascii_case("groupby"))).map(|p| p + i)
    });
    let by_tok = if where_.is_none() && from.is_none() { find("by") } else { by_tok };
    let by = by_tok.map(|i| args[toks[i].1.end..].trim().to_string());
    let head_end =
        if from.is_none() && where_.is_none() { by_tok.map_or(args.len(), |i| toks[i].1.start) } else { head_end };
    Ok(Body::DataModel { head: args[..head_end].trim().to_string(), datamodel, filter, by })
}

/// `eval a=expr, b=expr`.
fn assignments(text: &str) -> Result<Vec<(String, Expr)>, ParseError> {
    let toks = lex::expr(text)?;
    let mut p = EParser { toks: &toks, pos: 0, depth: 0, len: text.len() };
    let mut out = Vec::new();
    loop {
        // The name is everything up to `=` (`unusual_cmdline_feature_-value=…` is a name).
        let name = match p.next() {
            Some((ETok::QField(n) | ETok::Str(n), _)) => {
                match p.next() {
                    Some((ETok::Op("="), _)) => {}
                    other => return Err(p.expected(other, "`=`")),
                }
                n
            }
            Some((ETok::Ident(_), first)) => {
                let mut last = first;
                loop {
                    match p.next() {
                        Some((ETok::Op("="), _)) => break,
                        Some((ETok::Ident(_) | ETok::Num(_) | ETok::Op("-" | "." | ":"), s)) => last = s,
                        other => return Err(p.expected(other, "`=`")),
                    }
                }
                text[first.start..last.end].to_string()
            }
            other => return Err(p.expected(other, "a field name to assign")),
        };
        out.push((name, p.expr()?));
        match p.next() {
            None => return Ok(out),
            Some((ETok::Comma, _)) => {}
            other => return Err(p.expected(other, "`,` or the end of the command")),
        }
    }
}

/// Parse an eval-language expression (`where`, `eval`).
pub fn parse_expr(text: &str) -> Result<Expr, ParseError> {
    let toks = lex::expr(text)?;
    let mut p = EParser { toks: &toks, pos: 0, depth: 0, len: text.len() };
    let e = p.expr()?;
    if let Some(t) = p.next() {
        return Err(p.expected(Some(t), "an operator or the end of the expression"));
    }
    Ok(e)
}

struct EParser<'a> {
    toks: &'a [(ETok, Span)],
    pos: usize,
    depth: usize,
    len: usize,
}

fn edescribe(t: &ETok) -> String {
    match t {
        ETok::Ident(s) => format!("`{s}`"),
        ETok::QField(s) => format!("'{s}'"),
        ETok::Str(s) => format!("\"{s}\""),
        ETok::Num(s) => format!("`{s}`"),
        ETok::Op(o) => format!("`{o}`"),
        ETok::LParen => "`(`".into(),
        ETok::RParen => "`)`".into(),
        ETok::Comma => "`,`".into(),
    }
}

impl EParser<'_> {
    fn peek(&self) -> Option<&(ETok, Span)> {
        self.toks.get(self.pos)
    }

    fn next(&mut self) -> Option<(ETok, Span)> {
        let t = self.toks.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn expected(&self, got: Option<(ETok, Span)>, what: &str) -> ParseError {
        match got {
            Some((t, s)) => ParseError::new(format!("unexpected {}: expected {what}", edescribe(&t)), s),
            None => ParseError::new(format!("the expression ends here: expected {what}"), Span::point(self.len)),
        }
    }

    fn binop(&self) -> Option<BinOp> {
        Some(match &self.peek()?.0 {
            ETok::Ident(w) => match w.to_ascii_uppercase().as_str() {
                "OR" => BinOp::Or,
                "XOR" => BinOp::Xor,
                "AND" => BinOp::And,
                "LIKE" => BinOp::Like,
                _ => return None,
            },
            ETok::Op(o) => match *o {
                "=" | "==" => BinOp::Eq,
                "!=" => BinOp::Ne,
                "<" => BinOp::Lt,
                "<=" => BinOp::Le,
                ">" => BinOp::Gt,
                ">=" => BinOp::Ge,
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                "*" => BinOp::Mul,
                "/" => BinOp::Div,
                "%" => BinOp::Rem,
                "." => BinOp::Concat,
                _ => return None,
            },
            _ => return None,
        })
    }

    fn expr(&mut self) -> Result<Expr, ParseError> {
        self.binary(1)
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(ParseError::deep(self.peek().map_or(Span::point(self.len), |t| t.1)));
        }
        Ok(())
    }

    /// Precedence climbing: operators of precedence `min` and above; `NOT` sits at 3.
    fn binary(&mut self, min: u8) -> Result<Expr, ParseError> {
        self.enter()?;
        let mut left = if min <= 3 && self.is_not() { self.not()? } else { self.operand(min)? };
        loop {
            let is_in = matches!(self.peek(), Some((ETok::Ident(w), _)) if w.eq_ignore_ascii_case("IN"))
                && matches!(self.toks.get(self.pos + 1), Some((ETok::LParen, _)));
            if is_in && min <= 4 {
                self.pos += 2;
                let list = self.args()?;
                let end = self.toks[self.pos - 1].1.end;
                let span = Span::new(left.span().start, end);
                left = Expr::In { item: Box::new(left), list, span };
                continue;
            }
            let Some(op) = self.binop() else { break };
            let prec = op.precedence();
            if prec < min {
                break;
            }
            self.pos += 1;
            let right = self.binary(prec + 1)?;
            let span = left.span().cover(right.span());
            left = Expr::Binary { op, left: Box::new(left), right: Box::new(right), span };
        }
        self.depth -= 1;
        Ok(left)
    }

    fn is_not(&self) -> bool {
        matches!(self.peek(), Some((ETok::Ident(w), _)) if w.eq_ignore_ascii_case("NOT"))
            || matches!(self.peek(), Some((ETok::Op("!"), _)))
    }

    fn not(&mut self) -> Result<Expr, ParseError> {
        self.enter()?;
        let start = self.next().expect("NOT").1;
        let item = if self.is_not() { self.not()? } else { self.binary(4)? };
        let span = start.cover(item.span());
        self.depth -= 1;
        Ok(Expr::Not { item: Box::new(item), span })
    }

    /// A unary operand: what binds tighter than any binary operator of precedence `min`.
    fn operand(&mut self, _min: u8) -> Result<Expr, ParseError> {
        self.enter()?;
        let r = match self.next() {
            Some((ETok::Op("-"), s)) => {
                let item = self.operand(8)?;
                Expr::Neg { span: s.cover(item.span()), item: Box::new(item) }
            }
            Some((ETok::Num(text), span)) => Expr::Num { text, span },
            Some((ETok::Str(value), span)) => Expr::Str { value, span },
            Some((ETok::QField(name), span)) => Expr::Field { name, span },
            Some((ETok::Ident(name), span)) => {
                if matches!(self.peek(), Some((ETok::LParen, _))) {
                    self.pos += 1;
                    let args = self.args()?;
                    let end = self.toks[self.pos - 1].1.end;
                    Expr::Call { name, args, span: Span::new(span.start, end) }
                } else if ["AND", "OR", "XOR", "LIKE", "IN", "NOT"].iter().any(|k| name.eq_ignore_ascii_case(k)) {
                    return Err(ParseError::new(
                        format!("unexpected `{name}`: expected a value, a field or `(`"),
                        span,
                    ));
                } else {
                    Expr::Field { name, span }
                }
            }
            Some((ETok::LParen, s)) => {
                let e = self.expr()?;
                match self.next() {
                    Some((ETok::RParen, _)) => e,
                    None => {
                        return Err(ParseError::new("unclosed `(`: expected `)` before the end of the expression", s));
                    }
                    other => return Err(self.expected(other, "`)`")),
                }
            }
            other => return Err(self.expected(other, "a value, a field, a function or `(`")),
        };
        self.depth -= 1;
        Ok(r)
    }

    /// Comma-separated arguments up to `)` (the `(` is consumed).
    fn args(&mut self) -> Result<Vec<Expr>, ParseError> {
        let mut out = Vec::new();
        if matches!(self.peek(), Some((ETok::RParen, _))) {
            self.pos += 1;
            return Ok(out);
        }
        loop {
            out.push(self.expr()?);
            match self.next() {
                Some((ETok::Comma, _)) => {}
                Some((ETok::RParen, _)) => return Ok(out),
                other => return Err(self.expected(other, "`,` or `)`")),
            }
        }
    }
}
