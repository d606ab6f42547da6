//! ES|QL (Elasticsearch Query Language): the query of `esql` rules, a pipeline of commands.
//!
//! ```text
//! query   := source ("|" command)*
//! source  := (FROM | TS) index ("," index)* [METADATA name ("," name)*]   | ROW … | SHOW …
//! command := WHERE expr | EVAL assign,… | [INLINE] STATS [assign,…] [BY assign,…]
//!          | KEEP pattern,… | DROP pattern,… | RENAME old AS new,… | SORT expr [ASC|DESC]
//!            [NULLS FIRST|LAST],… | LIMIT n | MV_EXPAND name | GROK expr "pattern"
//!          | DISSECT expr "pattern" [name = value] | any other command, kept as text
//! expr    := OR / AND / NOT over predicates: comparisons, [NOT] LIKE / RLIKE (value or
//!            list), [NOT] IN (list), IS [NOT] NULL, `:` (full-text match); + - * / %;
//!            calls f(args), f(*); casts x::type; fields a.b, `quoted`; strings, numbers,
//!            booleans, null, time spans (`15 minutes`), parameters (`?name`)
//! ```
//!
//! Keywords are case-insensitive. [`parse`] keeps every command with its text and span;
//! [`Display`](std::fmt::Display) prints canonical ES|QL that parses back to the same tree.

mod lex;
mod lower;
mod parse;
mod print;

use serde::Serialize;

pub use lower::{lower, stages};
pub use parse::parse;

pub use crate::query::{ArithOp, CmpOp};

use crate::span::Span;

/// A parsed ES|QL query.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Query {
    /// The source command.
    pub source: Source,
    /// The processing commands, in order.
    pub commands: Vec<Command>,
    /// Where.
    pub span: Span,
}

/// `FROM index, … [METADATA …]` (or `TS`, `ROW`, `SHOW`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Source {
    /// `from`, `ts`, `row` or `show`, lower case.
    pub command: String,
    /// The index patterns (`logs-endpoint.events.process-*`); for `row`/`show` the text
    /// after the command.
    pub indices: Vec<Index>,
    /// `METADATA _id, _version, _index`.
    pub metadata: Vec<String>,
    /// Where.
    pub span: Span,
}

/// One index pattern.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Index {
    /// The pattern as written (quotes removed).
    pub name: String,
    /// Where.
    pub span: Span,
}

/// One processing command.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Command {
    /// The command, lower case (`where`, `eval`, `inline stats` …).
    pub name: String,
    /// What it says.
    pub body: CommandBody,
    /// Its text as written, from the command word to its last token.
    pub text: String,
    /// Where (the same text).
    pub span: Span,
}

/// The commands this front end understands; every other one is [`CommandBody::Other`].
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum CommandBody {
    /// `WHERE condition`.
    Where {
        /// The condition.
        condition: Expr,
    },
    /// `EVAL a = expr, …`.
    Eval {
        /// The new (or replaced) columns.
        fields: Vec<Assign>,
    },
    /// `STATS aggs BY groups` (`INLINE STATS` keeps the rows).
    Stats {
        /// The aggregates.
        aggregates: Vec<Assign>,
        /// The grouping keys.
        by: Vec<Assign>,
    },
    /// `KEEP a, b.*`.
    Keep {
        /// Name patterns.
        fields: Vec<NamePattern>,
    },
    /// `DROP a, b.*`.
    Drop {
        /// Name patterns.
        fields: Vec<NamePattern>,
    },
    /// `RENAME old AS new, …`.
    Rename {
        /// `(old, new)` pairs.
        pairs: Vec<(NamePattern, NamePattern)>,
    },
    /// `SORT a DESC, …`.
    Sort {
        /// The keys.
        keys: Vec<SortKey>,
    },
    /// `LIMIT n`.
    Limit {
        /// The row limit.
        count: u64,
    },
    /// `MV_EXPAND field`.
    MvExpand {
        /// The multi-valued field.
        field: NamePattern,
    },
    /// `GROK input "pattern"`.
    Grok {
        /// The input.
        input: Expr,
        /// The grok pattern.
        pattern: String,
    },
    /// `DISSECT input "pattern" [APPEND_SEPARATOR = "…"]`.
    Dissect {
        /// The input.
        input: Expr,
        /// The dissect pattern.
        pattern: String,
        /// Options.
        options: Vec<Assign>,
    },
    /// Any other command (`COMPLETION`, `ENRICH`, `LOOKUP JOIN` …): its text is
    /// [`Command::text`].
    Other,
}

/// `name = expr`, or a bare expression (its column named after its text).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Assign {
    /// The column name, when written.
    pub name: Option<NamePattern>,
    /// The expression.
    pub expr: Expr,
    /// `WHERE filter` after an aggregate (`STATS c = COUNT(*) WHERE x > 1`).
    pub filter: Option<Expr>,
}

/// A column name, possibly with `*` wildcards (`Esql.*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NamePattern {
    /// The segments, joined by `.`; a segment may be or hold `*`.
    pub path: Vec<String>,
    /// Where.
    pub span: Span,
}

impl NamePattern {
    /// The dotted name.
    pub fn name(&self) -> String {
        self.path.join(".")
    }
}

/// One `SORT` key.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SortKey {
    /// The expression.
    pub expr: Expr,
    /// `ASC` (`Some(true)`) or `DESC` (`Some(false)`), when written.
    pub ascending: Option<bool>,
    /// `NULLS FIRST` (`Some(true)`) or `NULLS LAST` (`Some(false)`), when written.
    pub nulls_first: Option<bool>,
}

/// `LIKE` (wildcards `*`, `?`) or `RLIKE` (a regular expression).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PatternOp {
    /// `LIKE`
    Like,
    /// `RLIKE`
    Rlike,
}

/// A constant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Literal {
    /// A string, escapes resolved.
    String(String),
    /// A number as written.
    Number(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
    /// A time span: number and unit as written (`15 minutes`).
    Timespan(String, String),
    /// A parameter: `?`, `?name`, `?1`.
    Param(String),
}

/// An ES|QL expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Expr {
    /// `a OR b OR …`.
    Or {
        /// Items.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `a AND b AND …`.
    And {
        /// Items.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `NOT a`.
    Not {
        /// Operand.
        expr: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `a == b` …
    Compare {
        /// Left.
        left: Box<Expr>,
        /// Operator.
        op: CmpOp,
        /// Right.
        right: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `a [NOT] LIKE "x*"`, `a RLIKE ("…", "…")`.
    Pattern {
        /// Left.
        left: Box<Expr>,
        /// `LIKE` or `RLIKE`.
        op: PatternOp,
        /// `NOT LIKE`.
        negated: bool,
        /// The pattern(s).
        patterns: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `a [NOT] IN (…)`.
    In {
        /// Left.
        left: Box<Expr>,
        /// The values.
        values: Vec<Expr>,
        /// `NOT IN`.
        negated: bool,
        /// Where.
        span: Span,
    },
    /// `a IS [NOT] NULL`.
    IsNull {
        /// The operand.
        expr: Box<Expr>,
        /// `IS NOT NULL`.
        negated: bool,
        /// Where.
        span: Span,
    },
    /// `field : "query"`: full-text match.
    MatchQuery {
        /// The field.
        left: Box<Expr>,
        /// The query.
        right: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `a + b` …
    Arith {
        /// Left.
        left: Box<Expr>,
        /// Operator.
        op: ArithOp,
        /// Right.
        right: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `-a`.
    Neg {
        /// Operand.
        expr: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `expr::type`.
    Cast {
        /// Operand.
        expr: Box<Expr>,
        /// The type, as written.
        to: String,
        /// Where.
        span: Span,
    },
    /// `name(args)`; `count(*)` has a [`Expr::Star`] argument.
    Call {
        /// The function as written.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `*` as the argument of `count(*)`.
    Star {
        /// Where.
        span: Span,
    },
    /// A column.
    Field(NamePattern),
    /// A constant.
    Literal {
        /// The value.
        value: Literal,
        /// Where.
        span: Span,
    },
    /// `{ … }`, `[ … ]` (map and list arguments of newer functions), kept as text.
    Raw {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
}

impl Expr {
    /// Where.
    pub fn span(&self) -> Span {
        match self {
            Expr::Or { span, .. }
            | Expr::And { span, .. }
            | Expr::Not { span, .. }
            | Expr::Compare { span, .. }
            | Expr::Pattern { span, .. }
            | Expr::In { span, .. }
            | Expr::IsNull { span, .. }
            | Expr::MatchQuery { span, .. }
            | Expr::Arith { span, .. }
            | Expr::Neg { span, .. }
            | Expr::Cast { span, .. }
            | Expr::Call { span, .. }
            | Expr::Star { span }
            | Expr::Literal { span, .. }
            | Expr::Raw { span, .. } => *span,
            Expr::Field(f) => f.span,
        }
    }

    /// Apply `f` to every span of the tree.
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        match self {
            Expr::Or { items, span } | Expr::And { items, span } | Expr::Call { args: items, span, .. } => {
                *span = f(*span);
                items.iter_mut().for_each(|i| i.map_spans(f));
            }
            Expr::Not { expr, span }
            | Expr::Neg { expr, span }
            | Expr::Cast { expr, span, .. }
            | Expr::IsNull { expr, span, .. } => {
                *span = f(*span);
                expr.map_spans(f);
            }
            Expr::Compare { left, right, span, .. }
            | Expr::Arith { left, right, span, .. }
            | Expr::MatchQuery { left, right, span } => {
                *span = f(*span);
                left.map_spans(f);
                right.map_spans(f);
            }
            Expr::Pattern { left, patterns: items, span, .. } | Expr::In { left, values: items, span, .. } => {
                *span = f(*span);
                left.map_spans(f);
                items.iter_mut().for_each(|i| i.map_spans(f));
            }
            Expr::Star { span } | Expr::Literal { span, .. } | Expr::Raw { span, .. } => *span = f(*span),
            Expr::Field(n) => n.span = f(n.span),
        }
    }
}

impl Assign {
    fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        if let Some(n) = &mut self.name {
            n.span = f(n.span);
        }
        self.expr.map_spans(f);
        if let Some(w) = &mut self.filter {
            w.map_spans(f);
        }
    }
}

impl Command {
    fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        match &mut self.body {
            CommandBody::Where { condition } => condition.map_spans(f),
            CommandBody::Eval { fields } => fields.iter_mut().for_each(|a| a.map_spans(f)),
            CommandBody::Stats { aggregates, by } => {
                aggregates.iter_mut().chain(by.iter_mut()).for_each(|a| a.map_spans(f));
            }
            CommandBody::Keep { fields } | CommandBody::Drop { fields } => {
                fields.iter_mut().for_each(|n| n.span = f(n.span));
            }
            CommandBody::Rename { pairs } => pairs.iter_mut().for_each(|(a, b)| {
                a.span = f(a.span);
                b.span = f(b.span);
            }),
            CommandBody::Sort { keys } => keys.iter_mut().for_each(|k| k.expr.map_spans(f)),
            CommandBody::MvExpand { field } => field.span = f(field.span),
            CommandBody::Grok { input, .. } => input.map_spans(f),
            CommandBody::Dissect { input, options, .. } => {
                input.map_spans(f);
                options.iter_mut().for_each(|a| a.map_spans(f));
            }
            CommandBody::Limit { .. } | CommandBody::Other => {}
        }
    }
}

impl Query {
    /// Apply `f` to every span of the tree (to move them into the file, or to clear them).
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        self.source.span = f(self.source.span);
        self.source.indices.iter_mut().for_each(|i| i.span = f(i.span));
        self.commands.iter_mut().for_each(|c| c.map_spans(f));
    }

    /// The same tree with every span cleared, and the text of every understood command
    /// cleared too (text is where the command was, in another form): to compare trees
    /// whatever their layout.
    pub fn without_spans(&self) -> Query {
        let mut q = self.clone();
        q.map_spans(&mut |_| Span::default());
        for c in &mut q.commands {
            if !matches!(c.body, CommandBody::Other) {
                c.text.clear();
            }
        }
        q
    }
}
