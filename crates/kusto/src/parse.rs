//! Recursive-descent parser: tokens → [`Query`]. Nesting is bounded by [`MAX_DEPTH`]
//! (parentheses, calls, subqueries, function bodies together), so hostile input ends in a
//! [`QueryError`], never in a stack overflow.

use crate::ast::*;
use crate::error::{MAX_DEPTH, QueryError};
use crate::lex::{StrStyle, Tok, Token, lex};
use crate::span::Span;

/// Parse a whole query (statements separated by `;`).
pub fn parse(text: &str) -> Result<Query, QueryError> {
    QueryError::check_len(text)?;
    let toks = lex(text)?;
    let mut p = Parser { text, toks, pos: 0, depth: 0 };
    let statements = p.statements(false)?;
    if !p.at_eof() {
        return Err(p.expected("`;` or the end of the query"));
    }
    Ok(Query { statements, span: Span::new(0, text.len()) })
}

/// String operators written as words (a `!` before them negates: `!has`, `!in~`).
pub const WORD_OPS: &[&str] = &[
    "has",
    "has_cs",
    "hasprefix",
    "hasprefix_cs",
    "hassuffix",
    "hassuffix_cs",
    "contains",
    "contains_cs",
    "startswith",
    "startswith_cs",
    "endswith",
    "endswith_cs",
    "has_any",
    "has_all",
    "in",
    "like",
    "notcontains",
    "notcontainscs",
    "containscs",
    "notlike",
    "notstartswith",
    "notstartswithcs",
    "startswithcs",
    "endswithcs",
    "notendswith",
    "notendswithcs",
    "hasprefixcs",
    "hassuffixcs",
    "notbetween",
];

/// Operators whose `name=value` words before the arguments are parameters.
const PARAM_OPS: &[&str] = &[
    "join",
    "lookup",
    "union",
    "parse",
    "parse-where",
    "parse-kv",
    "mv-expand",
    "mvexpand",
    "mv-apply",
    "summarize",
    "make-series",
    "distinct",
    "evaluate",
    "top-nested",
    "sort",
    "order",
];

const PARAM_NAMES: &[&str] =
    &["kind", "isfuzzy", "withsource", "flags", "bagexpansion", "with_itemindex", "itemindex", "source"];

/// Words that start a clause of a generic operator.
pub const CLAUSE_WORDS: &[&str] = &["by", "on", "from", "to", "step", "with", "of"];

/// Words after an item (`desc`, `nulls last`).
pub const SUFFIX_WORDS: &[&str] = &["asc", "desc", "nulls", "first", "last"];

/// The tabular operators this parser knows (the ones not in their own [`OpKind`] variant
/// are read as [`OpKind::Generic`]).
pub const KNOWN_OPS: &[&str] = &[
    "where",
    "filter",
    "join",
    "lookup",
    "union",
    "parse",
    "parse-where",
    "parse-kv",
    "mv-apply",
    "mv-expand",
    "mvexpand",
    "extend",
    "project",
    "project-away",
    "project-rename",
    "project-reorder",
    "project-keep",
    "project-smart",
    "summarize",
    "make-series",
    "distinct",
    "evaluate",
    "top",
    "top-nested",
    "top-hitters",
    "sort",
    "order",
    "take",
    "limit",
    "count",
    "as",
    "invoke",
    "serialize",
    "render",
    "getschema",
    "sample",
    "sample-distinct",
    "print",
    "range",
    "search",
    "find",
    "consume",
    "reduce",
    "make-graph",
];

/// Names of operators with a hyphen, written without spaces.
const HYPHENATED: &[&str] = &[
    "mv-expand",
    "mv-apply",
    "project-away",
    "project-rename",
    "project-reorder",
    "project-keep",
    "project-smart",
    "make-series",
    "parse-where",
    "parse-kv",
    "top-nested",
    "top-hitters",
    "make-graph",
];

struct Parser<'a> {
    text: &'a str,
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

type R<T> = Result<T, QueryError>;

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn peek_at(&self, n: usize) -> &Token {
        &self.toks[(self.pos + n).min(self.toks.len() - 1)]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek().clone();
        if self.pos < self.toks.len() - 1 {
            self.pos += 1;
        }
        t
    }

    fn at_eof(&self) -> bool {
        matches!(self.peek().tok, Tok::Eof)
    }

    fn is_punct(&self, p: &str) -> bool {
        matches!(self.peek().tok, Tok::Punct(q) if q == p)
    }

    fn is_word(&self, w: &str) -> bool {
        matches!(&self.peek().tok, Tok::Ident(s) if s == w)
    }

    fn eat_punct(&mut self, p: &str) -> bool {
        let yes = self.is_punct(p);
        if yes {
            self.bump();
        }
        yes
    }

    fn prev_end(&self) -> usize {
        self.toks[self.pos.saturating_sub(1)].span.end
    }

    fn describe(t: &Token) -> String {
        match &t.tok {
            Tok::Ident(s) => format!("`{s}`"),
            Tok::Quoted(s) => format!("`['{s}']`"),
            Tok::Str(..) => "a string".into(),
            Tok::Num(n) => format!("`{n}`"),
            Tok::Punct(p) => format!("`{p}`"),
            Tok::Eof => "the end of the query".into(),
        }
    }

    fn expected(&self, what: &str) -> QueryError {
        let t = self.peek();
        QueryError::syntax(
            format!("expected {what}, found {}", Self::describe(t)),
            t.span,
            "check the Kusto syntax at this position",
        )
    }

    fn expect_punct(&mut self, p: &str) -> R<Span> {
        if self.is_punct(p) { Ok(self.bump().span) } else { Err(self.expected(&format!("`{p}`"))) }
    }

    fn enter(&mut self) -> R<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH { Err(QueryError::too_deep(self.peek().span)) } else { Ok(()) }
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn ident(&mut self, what: &str) -> R<(String, Span)> {
        match self.peek().tok.clone() {
            Tok::Ident(s) | Tok::Quoted(s) => Ok((s, self.bump().span)),
            _ => Err(self.expected(what)),
        }
    }

    /// Statements up to the end (or, in a function body, up to `}`).
    fn statements(&mut self, in_body: bool) -> R<Vec<Statement>> {
        let mut out = Vec::new();
        loop {
            while self.eat_punct(";") {}
            if self.at_eof() || (in_body && self.is_punct("}")) {
                return Ok(out);
            }
            out.push(self.statement()?);
            if !self.eat_punct(";") {
                return Ok(out);
            }
        }
    }

    fn statement(&mut self) -> R<Statement> {
        let start = self.peek().span.start;
        if self.is_word("let") && matches!(self.peek_at(1).tok, Tok::Ident(_) | Tok::Quoted(_)) {
            self.bump();
            let (name, _) = self.ident("a name after `let`")?;
            self.expect_punct("=")?;
            let value = if self.function_ahead() { self.function()? } else { LetValue::Expr { expr: self.tabular()? } };
            return Ok(Statement::Let { name, value, span: Span::new(start, self.prev_end()) });
        }
        if (self.is_word("set") || self.is_word("declare"))
            && matches!(self.peek_at(1).tok, Tok::Ident(_))
            && !matches!(self.peek_at(1).tok, Tok::Punct("|"))
        {
            let mut end = self.peek().span.end;
            while !self.at_eof() && !self.is_punct(";") {
                end = self.bump().span.end;
            }
            return Ok(Statement::Other { text: self.text[start..end].to_string(), span: Span::new(start, end) });
        }
        Ok(Statement::Tabular { expr: self.tabular()? })
    }

    /// After `let x =`: `(params) {`, `view (params) {`.
    fn function_ahead(&self) -> bool {
        let mut i = self.pos;
        if matches!(&self.toks[i].tok, Tok::Ident(s) if s == "view") {
            i += 1;
        }
        if !matches!(self.toks[i].tok, Tok::Punct("(")) {
            return false;
        }
        let mut depth = 0usize;
        while i < self.toks.len() {
            match self.toks[i].tok {
                Tok::Punct("(") => depth += 1,
                Tok::Punct(")") => {
                    depth -= 1;
                    if depth == 0 {
                        return matches!(self.toks.get(i + 1).map(|t| &t.tok), Some(Tok::Punct("{")));
                    }
                }
                Tok::Eof => return false,
                _ => {}
            }
            i += 1;
        }
        false
    }

    fn function(&mut self) -> R<LetValue> {
        let view = self.is_word("view");
        if view {
            self.bump();
        }
        self.expect_punct("(")?;
        let params = self.params(")")?;
        self.expect_punct(")")?;
        self.expect_punct("{")?;
        self.enter()?;
        let body = self.statements(true)?;
        self.leave();
        self.expect_punct("}")?;
        Ok(LetValue::Function { view, params, body })
    }

    /// `name: type [= default], …` up to `close` (not consumed).
    fn params(&mut self, close: &str) -> R<Vec<Param>> {
        let mut out = Vec::new();
        while !self.is_punct(close) {
            let (name, span) = self.ident("a parameter name")?;
            let mut ty = None;
            if self.eat_punct(":") {
                ty = Some(self.type_text()?);
            }
            let default = if self.eat_punct("=") { Some(self.expr()?) } else { None };
            out.push(Param { name, ty, default, span: Span::new(span.start, self.prev_end()) });
            if !self.eat_punct(",") {
                break;
            }
        }
        Ok(out)
    }

    /// A type: `string`, or `(…)` (a tabular parameter's schema) as the text of its tokens:
    /// comments left out, one space where the text has whitespace or a comment between two
    /// tokens, none after `(`, `:` or `,` nor before `)`, `:` or `,` (`(a:string,b:int)`). The
    /// text reads back as the same tokens (a comment taken with the spaces around it would
    /// swallow the rest of the schema).
    fn type_text(&mut self) -> R<String> {
        if self.is_punct("(") {
            let mut out = String::new();
            let mut depth = 0usize;
            let mut prev: Option<Tok> = None;
            loop {
                let t = self.bump();
                if matches!(t.tok, Tok::Eof) {
                    return Err(self.expected("`)` closing the type"));
                }
                let tight = matches!(prev, None | Some(Tok::Punct("(" | ":" | ",")))
                    || matches!(t.tok, Tok::Punct(")" | ":" | ","));
                if t.spaced && !tight {
                    out.push(' ');
                }
                out.push_str(&self.text[t.span.start..t.span.end]);
                match t.tok {
                    Tok::Punct("(") => depth += 1,
                    Tok::Punct(")") => {
                        depth -= 1;
                        if depth == 0 {
                            return Ok(out);
                        }
                    }
                    _ => {}
                }
                prev = Some(t.tok);
            }
        }
        Ok(self.ident("a type name")?.0)
    }

    /// A tabular expression: an expression and `| operator`s after it.
    fn tabular(&mut self) -> R<Expr> {
        let start = self.peek().span.start;
        let source = self.source()?;
        if !self.is_punct("|") {
            return Ok(source);
        }
        let mut ops = Vec::new();
        while self.eat_punct("|") {
            ops.push(self.operator()?);
        }
        Ok(Expr::Pipe { source: Box::new(source), ops, span: Span::new(start, self.prev_end()) })
    }

    /// The start of a tabular expression: a leading operator (`union`, `print`, `range`,
    /// `datatable`) or an expression.
    fn source(&mut self) -> R<Expr> {
        let next = self.peek_at(1).tok.clone();
        let leading = match &self.peek().tok {
            Tok::Ident(s) if s == "union" => matches!(next, Tok::Ident(_) | Tok::Quoted(_) | Tok::Punct("(")),
            Tok::Ident(s) if s == "print" => !matches!(next, Tok::Punct("|" | ")" | ";" | "," | "." | "[")),
            Tok::Ident(s) if s == "range" => matches!(next, Tok::Ident(_)),
            Tok::Ident(s) if s == "search" || s == "find" => matches!(next, Tok::Str(..)),
            _ => false,
        };
        if leading {
            let op = self.operator()?;
            return Ok(Expr::Tabular { op: Box::new(op) });
        }
        if self.is_word("datatable") && matches!(next, Tok::Punct("(")) {
            return self.datatable();
        }
        if self.is_word("externaldata") && matches!(next, Tok::Punct("(")) {
            return self.externaldata();
        }
        self.expr()
    }

    fn datatable(&mut self) -> R<Expr> {
        let start = self.bump().span.start;
        self.expect_punct("(")?;
        let columns = self.params(")")?;
        self.expect_punct(")")?;
        self.expect_punct("[")?;
        let mut values = Vec::new();
        while !self.is_punct("]") {
            values.push(self.expr()?);
            if !self.eat_punct(",") {
                break;
            }
        }
        self.expect_punct("]")?;
        Ok(Expr::Datatable { columns, values, span: Span::new(start, self.prev_end()) })
    }

    fn externaldata(&mut self) -> R<Expr> {
        let start = self.bump().span.start;
        self.expect_punct("(")?;
        let columns = self.params(")")?;
        self.expect_punct(")")?;
        let mut urls = Vec::new();
        if let Tok::Quoted(url) = self.peek().tok.clone() {
            // `['https://…']`: the lexer read one URL as a bracketed name.
            let span = self.bump().span;
            urls.push(Expr::Str { value: url, style: StrStyle::Plain, span: Span::new(span.start + 1, span.end - 1) });
        } else {
            self.expect_punct("[")?;
        }
        while urls.is_empty() && !self.is_punct("]") {
            urls.push(self.expr()?);
            if !self.eat_punct(",") {
                break;
            }
        }
        if !matches!(self.toks[self.pos - 1].tok, Tok::Quoted(_)) {
            self.expect_punct("]")?;
        }
        let mut with = Vec::new();
        if self.is_word("with") && matches!(self.peek_at(1).tok, Tok::Punct("(")) {
            self.bump();
            self.bump();
            while !self.is_punct(")") {
                with.push(self.argument()?);
                if !self.eat_punct(",") {
                    break;
                }
            }
            self.expect_punct(")")?;
        }
        Ok(Expr::ExternalData { columns, urls, with, span: Span::new(start, self.prev_end()) })
    }

    /// A call argument: `name = value` or a (tabular) expression.
    fn argument(&mut self) -> R<Expr> {
        if let (Tok::Ident(name), Tok::Punct("=")) = (&self.peek().tok, &self.peek_at(1).tok) {
            let name = name.clone();
            let start = self.bump().span.start;
            self.bump();
            let value = self.expr()?;
            let span = Span::new(start, value.span().end);
            return Ok(Expr::Named { name, value: Box::new(value), span });
        }
        self.tabular()
    }

    /// An operator name: `where`, `mv-expand` (hyphenated names written without spaces).
    fn op_name(&mut self) -> R<(String, Span)> {
        let (mut name, span) = match self.peek().tok.clone() {
            Tok::Ident(s) => (s, self.bump().span),
            _ => return Err(self.expected("an operator after `|` (`where`, `extend`, `project`, `summarize` …)")),
        };
        let mut end = span.end;
        if self.is_punct("-")
            && !self.peek().spaced
            && let Tok::Ident(rest) = &self.peek_at(1).tok
            && !self.peek_at(1).spaced
        {
            let joined = format!("{name}-{rest}");
            if HYPHENATED.contains(&joined.as_str()) {
                self.bump();
                end = self.bump().span.end;
                name = joined;
            }
        }
        Ok((name, Span::new(span.start, end)))
    }

    fn at_op_end(&self) -> bool {
        matches!(self.peek().tok, Tok::Punct("|" | ";" | ")" | "}") | Tok::Eof)
    }

    fn operator(&mut self) -> R<Operator> {
        self.enter()?;
        let r = self.operator_inner();
        self.leave();
        r
    }

    fn operator_inner(&mut self) -> R<Operator> {
        let (name, name_span) = self.op_name()?;
        let start = name_span.start;
        let params = if PARAM_OPS.contains(&name.as_str()) { self.op_params()? } else { Vec::new() };
        let kind = match name.as_str() {
            "where" | "filter" => {
                if !params.is_empty() {
                    return Err(self.expected("a predicate"));
                }
                OpKind::Where { predicate: self.expr()? }
            }
            "join" | "lookup" => {
                let right = self.join_side()?;
                let mut on = Vec::new();
                if self.is_word("on") {
                    self.bump();
                    loop {
                        on.push(self.expr()?);
                        if !self.eat_punct(",") {
                            break;
                        }
                    }
                } else if name == "lookup" || !self.at_op_end() {
                    return Err(self.expected(&format!("`on` and the keys of the {name}")));
                }
                OpKind::Join { name, params, right, on }
            }
            "union" => {
                let mut sides = Vec::new();
                loop {
                    sides.push(self.join_side()?);
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                OpKind::Union { params, sides }
            }
            "parse" | "parse-where" => {
                let source = self.expr()?;
                if !self.is_word("with") {
                    return Err(self.expected("`with` and the pattern"));
                }
                self.bump();
                let mut pattern = Vec::new();
                while !self.at_op_end() {
                    let t = self.bump();
                    pattern.push(match t.tok {
                        Tok::Punct("*") => ParsePart::Star,
                        Tok::Str(value, style) => ParsePart::Text { value, style },
                        Tok::Ident(n) | Tok::Quoted(n) => {
                            let ty = if self.eat_punct(":") { Some(self.ident("a type name")?.0) } else { None };
                            ParsePart::Column { name: n, ty }
                        }
                        _ => {
                            self.pos -= 1;
                            return Err(self.expected("a string, `*` or a column name in the parse pattern"));
                        }
                    });
                }
                if pattern.is_empty() {
                    return Err(self.expected("a parse pattern after `with`"));
                }
                OpKind::Parse { name, params, source, pattern }
            }
            "mv-apply" => {
                let clauses = self.clauses(&["to", "limit"])?;
                if !self.is_word("on") {
                    return Err(self.expected("`on (subquery)` after the mv-apply items"));
                }
                self.bump();
                self.expect_punct("(")?;
                self.eat_punct("|");
                let mut on = vec![self.operator()?];
                while self.eat_punct("|") {
                    on.push(self.operator()?);
                }
                self.expect_punct(")")?;
                OpKind::MvApply { params, clauses, on }
            }
            _ if KNOWN_OPS.contains(&name.as_str()) => {
                OpKind::Generic { clauses: self.clauses(CLAUSE_WORDS)?, name, params }
            }
            _ => {
                return Err(QueryError::syntax(
                    format!("unknown tabular operator `{name}`"),
                    name_span,
                    "check the operator's name (`where`, `extend`, `project`, `summarize`, `join` …)",
                ));
            }
        };
        if !self.at_op_end() {
            return Err(self.expected("`|` or the end of the operator"));
        }
        Ok(Operator { kind, span: Span::new(start, self.prev_end()) })
    }

    /// `name=value` parameters: `kind=inner`, `hint.strategy=broadcast`.
    fn op_params(&mut self) -> R<Vec<OpParam>> {
        let mut out = Vec::new();
        while let Tok::Ident(first) = self.peek().tok.clone() {
            let mut name = first;
            let mut n = 1;
            while matches!(self.peek_at(n).tok, Tok::Punct("."))
                && let Tok::Ident(part) = &self.peek_at(n + 1).tok
            {
                name.push('.');
                name.push_str(part);
                n += 2;
            }
            let is_param = PARAM_NAMES.contains(&name.as_str()) || name.starts_with("hint.");
            if !is_param || !matches!(self.peek_at(n).tok, Tok::Punct("=")) {
                break;
            }
            for _ in 0..=n {
                self.bump();
            }
            let t = self.bump();
            let value = match t.tok {
                Tok::Ident(s) | Tok::Quoted(s) => Expr::Ident { name: s, quoted: false, span: t.span },
                Tok::Str(value, style) => Expr::Str { value, style, span: t.span },
                Tok::Num(text) => Expr::Num { text, span: t.span },
                _ => {
                    self.pos -= 1;
                    return Err(self.expected(&format!("a value for `{name}=`")));
                }
            };
            out.push(OpParam { name, value });
        }
        Ok(out)
    }

    /// A join's right side or a union's side: a table, a name with wildcards, a call or a
    /// parenthesized query.
    fn join_side(&mut self) -> R<Expr> {
        if self.is_punct("(") {
            return self.primary();
        }
        self.postfix()
    }

    /// Items and keyword clauses of a generic operator.
    fn clauses(&mut self, words: &[&str]) -> R<Vec<Clause>> {
        let mut out = Vec::new();
        let mut keyword = None;
        loop {
            if self.at_op_end() || (keyword.is_none() && self.is_word("on") && !words.contains(&"on")) {
                if let Some(k) = keyword {
                    out.push(Clause { keyword: Some(k), items: Vec::new() });
                }
                return Ok(out);
            }
            if let Tok::Ident(w) = &self.peek().tok
                && words.contains(&w.as_str())
                && !matches!(self.peek_at(1).tok, Tok::Punct("=" | "," | "." | "["))
                && !self.peek_at(1).tok.eq(&Tok::Punct("|"))
            {
                let w = w.clone();
                self.bump();
                if let Some(k) = keyword.take() {
                    out.push(Clause { keyword: Some(k), items: Vec::new() });
                }
                keyword = Some(w);
                continue;
            }
            let mut items = Vec::new();
            loop {
                items.push(self.item()?);
                if !self.eat_punct(",") {
                    break;
                }
            }
            out.push(Clause { keyword: keyword.take(), items });
            if let Tok::Ident(w) = &self.peek().tok
                && words.contains(&w.as_str())
            {
                continue;
            }
            return Ok(out);
        }
    }

    fn item(&mut self) -> R<Item> {
        let start = self.peek().span.start;
        let mut names = Vec::new();
        match (&self.peek().tok, &self.peek_at(1).tok) {
            (Tok::Ident(n) | Tok::Quoted(n), Tok::Punct("=")) => {
                names.push(n.clone());
                self.bump();
                self.bump();
            }
            (Tok::Punct("("), Tok::Ident(_) | Tok::Quoted(_)) => {
                // `(a, b) = f(x)`: only when `= ` follows the closing parenthesis.
                let mut i = self.pos + 1;
                let mut tuple = Vec::new();
                loop {
                    match &self.toks[i].tok {
                        Tok::Ident(n) | Tok::Quoted(n) => tuple.push(n.clone()),
                        _ => {
                            tuple.clear();
                            break;
                        }
                    }
                    match self.toks[i + 1].tok {
                        Tok::Punct(",") => i += 2,
                        Tok::Punct(")") if matches!(self.toks[i + 2].tok, Tok::Punct("=")) => {
                            i += 3;
                            break;
                        }
                        _ => {
                            tuple.clear();
                            break;
                        }
                    }
                }
                if !tuple.is_empty() {
                    names = tuple;
                    self.pos = i;
                }
            }
            _ => {}
        }
        let expr = self.expr()?;
        let mut suffix = Vec::new();
        let mut default = None;
        loop {
            match &self.peek().tok {
                Tok::Ident(w) if SUFFIX_WORDS.contains(&w.as_str()) => {
                    suffix.push(w.clone());
                    self.bump();
                }
                Tok::Ident(w) if w == "default" && matches!(self.peek_at(1).tok, Tok::Punct("=")) => {
                    self.bump();
                    self.bump();
                    default = Some(self.expr()?);
                }
                _ => break,
            }
        }
        Ok(Item { names, expr, suffix, default, span: Span::new(start, self.prev_end()) })
    }

    fn expr(&mut self) -> R<Expr> {
        self.enter()?;
        let r = self.or();
        self.leave();
        r
    }

    fn binary(lhs: Expr, op: &str, rhs: Expr) -> Expr {
        let span = lhs.span().cover(rhs.span());
        Expr::Binary { op: op.to_string(), lhs: Box::new(lhs), rhs: Box::new(rhs), span }
    }

    fn or(&mut self) -> R<Expr> {
        let mut lhs = self.and()?;
        while self.is_word("or") {
            self.bump();
            let rhs = self.and()?;
            lhs = Self::binary(lhs, "or", rhs);
        }
        Ok(lhs)
    }

    fn and(&mut self) -> R<Expr> {
        let mut lhs = self.comparison()?;
        while self.is_word("and") {
            self.bump();
            let rhs = self.comparison()?;
            lhs = Self::binary(lhs, "and", rhs);
        }
        Ok(lhs)
    }

    /// The comparison or string operator at the cursor, and how many tokens it takes.
    fn comparison_op(&self) -> Option<(String, usize)> {
        let t = self.peek();
        match &t.tok {
            Tok::Punct(p @ ("==" | "!=" | "<>" | "=~" | "!~" | "<" | "<=" | ">" | ">=")) => Some((p.to_string(), 1)),
            Tok::Punct("!") => {
                let Tok::Ident(w) = &self.peek_at(1).tok else { return None };
                if self.peek_at(1).spaced || !(WORD_OPS.contains(&w.as_str()) || w == "between") {
                    return None;
                }
                if w == "in" && self.peek_at(2).tok == Tok::Punct("~") && !self.peek_at(2).spaced {
                    return Some(("!in~".into(), 3));
                }
                Some((format!("!{w}"), 2))
            }
            Tok::Ident(w) if w == "matches" && matches!(&self.peek_at(1).tok, Tok::Ident(r) if r == "regex") => {
                Some(("matches regex".into(), 2))
            }
            Tok::Ident(w) if WORD_OPS.contains(&w.as_str()) || w == "between" => {
                if w == "in" && self.peek_at(1).tok == Tok::Punct("~") && !self.peek_at(1).spaced {
                    return Some(("in~".into(), 2));
                }
                Some((w.clone(), 1))
            }
            _ => None,
        }
    }

    fn comparison(&mut self) -> R<Expr> {
        let mut lhs = self.additive()?;
        while let Some((op, n)) = self.comparison_op() {
            for _ in 0..n {
                self.bump();
            }
            if op == "between" || op == "!between" {
                self.expect_punct("(")?;
                let lo = self.additive()?;
                self.expect_punct("..")?;
                let hi = self.additive()?;
                self.expect_punct(")")?;
                let span = Span::new(lhs.span().start, self.prev_end());
                lhs = Expr::Between {
                    negated: op.starts_with('!'),
                    expr: Box::new(lhs),
                    lo: Box::new(lo),
                    hi: Box::new(hi),
                    span,
                };
                continue;
            }
            let rhs = self.additive()?;
            lhs = Self::binary(lhs, &op, rhs);
        }
        Ok(lhs)
    }

    fn additive(&mut self) -> R<Expr> {
        let mut lhs = self.multiplicative()?;
        while let Tok::Punct(p @ ("+" | "-")) = self.peek().tok {
            self.bump();
            let rhs = self.multiplicative()?;
            lhs = Self::binary(lhs, p, rhs);
        }
        Ok(lhs)
    }

    fn multiplicative(&mut self) -> R<Expr> {
        let mut lhs = self.unary()?;
        while let Tok::Punct(p @ ("*" | "/" | "%")) = self.peek().tok {
            self.bump();
            let rhs = self.unary()?;
            lhs = Self::binary(lhs, p, rhs);
        }
        Ok(lhs)
    }

    fn unary(&mut self) -> R<Expr> {
        if let Tok::Punct(p @ ("-" | "+")) = self.peek().tok {
            let start = self.bump().span.start;
            self.enter()?;
            let operand = self.unary();
            self.leave();
            let operand = operand?;
            let span = Span::new(start, operand.span().end);
            return Ok(Expr::Unary { op: p.to_string(), operand: Box::new(operand), span });
        }
        self.postfix()
    }

    fn postfix(&mut self) -> R<Expr> {
        let mut e = self.primary()?;
        loop {
            if self.is_punct(".") && matches!(self.peek_at(1).tok, Tok::Punct("[")) {
                // `x.[0]`: an index.
                self.bump();
                self.bump();
                self.enter()?;
                let index = self.expr();
                self.leave();
                let index = index?;
                self.expect_punct("]")?;
                let span = Span::new(e.span().start, self.prev_end());
                e = Expr::Index { target: Box::new(e), index: Box::new(index), span };
            } else if self.is_punct(".") {
                self.bump();
                let (name, quoted) = match self.peek().tok.clone() {
                    Tok::Ident(s) => (s, false),
                    Tok::Quoted(s) => (s, true),
                    _ => return Err(self.expected("a name after `.`")),
                };
                let end = self.bump().span.end;
                let span = Span::new(e.span().start, end);
                e = Expr::Member { target: Box::new(e), name, quoted, span };
            } else if self.is_punct("[") && !self.peek().spaced {
                self.bump();
                self.enter()?;
                let index = self.expr();
                self.leave();
                let index = index?;
                self.expect_punct("]")?;
                let span = Span::new(e.span().start, self.prev_end());
                e = Expr::Index { target: Box::new(e), index: Box::new(index), span };
            } else {
                return Ok(e);
            }
        }
    }

    fn primary(&mut self) -> R<Expr> {
        let t = self.peek().clone();
        match t.tok {
            Tok::Str(mut value, style) => {
                self.bump();
                let mut end = t.span.end;
                // Adjacent string literals are one string (`"a" "b"` is `"ab"`).
                while let Tok::Str(more, _) = &self.peek().tok {
                    value.push_str(more);
                    end = self.bump().span.end;
                }
                Ok(Expr::Str { value, style, span: Span::new(t.span.start, end) })
            }
            Tok::Num(text) => {
                self.bump();
                Ok(Expr::Num { text, span: t.span })
            }
            Tok::Quoted(name) => {
                self.bump();
                Ok(Expr::Ident { name, quoted: true, span: t.span })
            }
            Tok::Punct("*") => {
                self.bump();
                Ok(Expr::Star { span: t.span })
            }
            Tok::Ident(name) => {
                self.bump();
                if self.is_punct("(") {
                    if matches!(name.as_str(), "datetime" | "guid" | "timespan") {
                        return self.raw_literal(name, t.span.start);
                    }
                    return self.call(name, t.span.start);
                }
                // `Foo*`: a wildcard name (`project-away Foo*`, `union Security*`).
                if self.is_punct("*")
                    && !self.peek().spaced
                    && matches!(self.peek_at(1).tok, Tok::Punct("," | "|" | ")" | ";") | Tok::Eof)
                {
                    let end = self.bump().span.end;
                    return Ok(Expr::Ident {
                        name: format!("{name}*"),
                        quoted: false,
                        span: Span::new(t.span.start, end),
                    });
                }
                Ok(Expr::Ident { name, quoted: false, span: t.span })
            }
            Tok::Punct("(") => {
                self.bump();
                self.enter()?;
                let r = self.paren_body(t.span.start);
                self.leave();
                r
            }
            Tok::Punct("[") => {
                self.bump();
                self.enter()?;
                let mut items = Vec::new();
                while !self.is_punct("]") {
                    items.push(self.expr()?);
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                self.leave();
                self.expect_punct("]")?;
                Ok(Expr::Array { items, span: Span::new(t.span.start, self.prev_end()) })
            }
            Tok::Punct("{") => {
                self.bump();
                self.enter()?;
                let mut entries = Vec::new();
                while !self.is_punct("}") {
                    let key = match self.bump().tok {
                        Tok::Str(s, _) | Tok::Ident(s) => s,
                        _ => {
                            self.pos -= 1;
                            return Err(self.expected("a key in the object"));
                        }
                    };
                    self.expect_punct(":")?;
                    entries.push((key, self.expr()?));
                    if !self.eat_punct(",") {
                        break;
                    }
                }
                self.leave();
                self.expect_punct("}")?;
                Ok(Expr::Object { entries, span: Span::new(t.span.start, self.prev_end()) })
            }
            _ => Err(self.expected("a value, a column or `(`")),
        }
    }

    /// After `(`: a tabular expression, or a list `(a, b)`.
    fn paren_body(&mut self, start: usize) -> R<Expr> {
        let first = self.tabular()?;
        if self.eat_punct(")") {
            return Ok(Expr::Paren { inner: Box::new(first), span: Span::new(start, self.prev_end()) });
        }
        if !self.is_punct(",") {
            return Err(self.expected("`)` or `,`"));
        }
        let mut items = vec![first];
        while self.eat_punct(",") {
            if self.is_punct(")") {
                break;
            }
            items.push(self.tabular()?);
        }
        self.expect_punct(")")?;
        Ok(Expr::List { items, span: Span::new(start, self.prev_end()) })
    }

    fn call(&mut self, func: String, start: usize) -> R<Expr> {
        self.bump();
        // `dynamic(["x"])`: the lexer reads `["x"]` as a bracketed name; here it is a list.
        if func == "dynamic"
            && let Tok::Quoted(value) = self.peek().tok.clone()
            && matches!(self.peek_at(1).tok, Tok::Punct(")"))
        {
            let span = self.bump().span;
            self.bump();
            let item = Expr::Str { value, style: StrStyle::Plain, span: Span::new(span.start + 1, span.end - 1) };
            let array = Expr::Array { items: vec![item], span };
            return Ok(Expr::Call { func, args: vec![array], span: Span::new(start, self.prev_end()) });
        }
        self.enter()?;
        let mut args = Vec::new();
        while !self.is_punct(")") {
            args.push(self.argument()?);
            if !self.eat_punct(",") {
                break;
            }
        }
        self.leave();
        if !self.is_punct(")") {
            return Err(self.expected(&format!("`,` or `)` in the arguments of `{func}`")));
        }
        self.bump();
        Ok(Expr::Call { func, args, span: Span::new(start, self.prev_end()) })
    }

    /// `datetime(2024-01-01 10:00)`: the text up to `)`.
    fn raw_literal(&mut self, func: String, start: usize) -> R<Expr> {
        let open = self.bump().span;
        while !self.is_punct(")") {
            if self.at_eof() || self.is_punct("(") || self.is_punct("|") {
                return Err(self.expected(&format!("`)` closing `{func}(`")));
            }
            self.bump();
        }
        let close = self.bump().span;
        let text = self.text[open.end..close.start].trim().to_string();
        Ok(Expr::Literal { func, text, span: Span::new(start, close.end) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(s: &str) -> Query {
        parse(s).unwrap_or_else(|e| panic!("{s}: {} at {:?}", e.message, e.span))
    }

    #[test]
    fn a_pipeline_with_where_and_extend() {
        let q = ok("SecurityEvent | where EventID == 4688 and CommandLine has \"-enc\" | extend X = 1");
        let [Statement::Tabular { expr: Expr::Pipe { source, ops, .. } }] = q.statements.as_slice() else {
            panic!("{q:?}")
        };
        assert!(matches!(source.as_ref(), Expr::Ident { name, .. } if name == "SecurityEvent"));
        assert_eq!(ops.len(), 2);
        let OpKind::Where { predicate: Expr::Binary { op, .. } } = &ops[0].kind else { panic!() };
        assert_eq!(op, "and");
    }

    #[test]
    fn string_operators() {
        for op in [
            "==",
            "!=",
            "=~",
            "!~",
            "has",
            "!has",
            "has_any",
            "has_all",
            "contains",
            "!contains",
            "startswith",
            "endswith",
            "in",
            "in~",
            "!in",
            "!in~",
            "matches regex",
            "has_cs",
        ] {
            let q = ok(&format!("T | where A {op} (\"x\")"));
            let Statement::Tabular { expr: Expr::Pipe { ops, .. } } = &q.statements[0] else { panic!() };
            let OpKind::Where { predicate: Expr::Binary { op: got, .. } } = &ops[0].kind else { panic!("{op}") };
            assert_eq!(got, op);
        }
    }

    #[test]
    fn between_isnotempty_tolower_and_not() {
        ok("T | where Count between (1 .. 10) and isnotempty(A) and not(tolower(B) == 'x')");
        ok("T | where Count !between (1 .. 10)");
    }

    #[test]
    fn lets_scalars_lists_tabular_and_functions() {
        let q = ok(r#"let procs = dynamic(["a.exe", 'b.exe']);
let lookback = 1d;
let Base = SecurityEvent | where TimeGenerated > ago(lookback);
let f = (x: string, n: int = 2) { Base | where Account == x };
let v = view () { print 1 };
f("bob") | where Process in~ (procs)"#);
        assert_eq!(q.statements.len(), 6);
        assert!(
            matches!(&q.statements[3], Statement::Let { value: LetValue::Function { params, .. }, .. } if params.len() == 2)
        );
    }

    #[test]
    fn join_union_lookup_parse_mv_expand() {
        ok("A | join kind=inner hint.strategy=broadcast (B | where X == 1) on $left.K == $right.K, Z");
        ok("union isfuzzy=true A, (B | where x), C*");
        ok("A | union B, C");
        ok("A | lookup kind=leftouter (B) on K");
        ok("A | parse kind=regex flags=i Msg with * \"user=\" User:string \" \" *");
        ok("A | mv-expand with_itemindex=I X to typeof(string), Y | mvexpand Z");
        ok("A | mv-apply e = Ev to typeof(dynamic) on (where e.x == 1 | summarize count())");
        ok("A | summarize c = count(), arg_max(TimeGenerated, *) by bin(TimeGenerated, 1h), Account");
        ok("A | project-away Foo*, Bar | project-rename N = M | sort by c desc nulls last | top 10 by c asc");
        ok("A | make-series c = count() default = 0 on TimeGenerated from ago(1d) to now() step 1h by H");
        ok("A | extend (a, b) = f(x), ['weird name'] = 1 | evaluate bag_unpack(P) | take 10");
        ok("datatable(a: string, b: int) [\"x\", 1, \"y\", 2] | where a == 'x'");
        ok("range x from 1 to 10 step 1");
        ok("let t = toscalar(A | summarize max(T)); A | where T == t | where E == datetime(2024-01-01 10:00:00)");
        ok(
            "externaldata(a: string) [@\"https://x/y.csv\"] with (format = \"csv\", ignoreFirstRecord = true) | where a has 'x'",
        );
        ok(
            "A | extend x = T.[0].name, y = \"a\" \"b\", t = timespan(08:00:00) | evaluate bag_unpack(c, columnsConflict = 'keep_source')",
        );
        ok("A | where * has 'x' | extend d = P.a.b[0][\"c\"] | distinct A, B | count");
    }

    #[test]
    fn errors_say_what_was_expected_where() {
        let e = parse("T | where A == ").unwrap_err();
        assert_eq!(e.span.start, 14);
        assert!(e.message.contains("expected a value"), "{}", e.message);
        let e = parse("T | where A == 1 1").unwrap_err();
        assert!(e.message.contains("expected `|`"), "{}", e.message);
        let e = parse("T | wher A").unwrap_err();
        assert_eq!((e.message.as_str(), e.span), ("unknown tabular operator `wher`", Span::new(4, 8)));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = format!("T | where {}1{}", "(".repeat(10_000), ")".repeat(10_000));
        let e = parse(&text).unwrap_err();
        assert_eq!(e.kind, crate::error::QueryErrorKind::TooDeep);
        let text = format!("T | where {}1", "-".repeat(10_000));
        assert_eq!(parse(&text).unwrap_err().kind, crate::error::QueryErrorKind::TooDeep);
    }
}
