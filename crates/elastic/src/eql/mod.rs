//! EQL (Event Query Language): the query of `eql` rules and of every Elastic Defend
//! behaviour rule.
//!
//! Grammar (as Elastic's EQL reference describes it; our own parser):
//!
//! ```text
//! query    := (event | sequence | sample) ("|" pipe)*
//! event    := category "where" expr                 category: a name, a string or `any`
//! sequence := "sequence" ["by" exprs] ["with" "maxspan" "=" duration]
//!             step+ ["until" step]
//! sample   := "sample" ["by" exprs] step+
//! step     := ["!"] "[" event "]" ["by" exprs] ["with" "runs" "=" int] ["as" name]
//! pipe     := name [exprs]                           head 5, tail 1, unique a, filter …
//! expr     := or/and/not over predicates; comparisons == != < <= > >=;
//!             `:` `like` `like~` `regex` `regex~` with one value or a (list);
//!             [not] in / in~ (list); + - * / %; unary -;
//!             calls name(…) and name~(…); (descendant|child|event) of [event];
//!             fields a.b.c, `quoted`, ?optional, $variable; strings, numbers, true, false, null
//! ```
//!
//! [`parse`] gives a [`Query`] whose spans are byte ranges of the query text; its
//! [`Display`](std::fmt::Display) prints canonical EQL that parses back to the same tree.

mod lex;
mod lower;
mod parse;
mod print;

use serde::Serialize;

pub use lower::{lower, stages};
pub use parse::parse;

pub use crate::query::{ArithOp, CmpOp};

use crate::span::Span;

/// A parsed EQL query.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Query {
    /// The event query, sequence or sample.
    pub body: Body,
    /// Pipes after it (`| head 5`), in order.
    pub pipes: Vec<Pipe>,
    /// Where.
    pub span: Span,
}

/// What a query matches.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// `category where condition`.
    Event(EventQuery),
    /// `sequence …`: events in order.
    Sequence(Sequence),
    /// `sample by …`: events sharing the join keys, in any order.
    Sample(Sample),
}

/// `category where condition`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EventQuery {
    /// The event category (`process`, `file` …; `any` for every category).
    pub category: Category,
    /// The condition.
    pub condition: Expr,
    /// Where.
    pub span: Span,
}

/// An event category as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Category {
    /// The name (`any` for every category).
    pub name: String,
    /// Where.
    pub span: Span,
}

impl Category {
    /// True for `any`.
    pub fn is_any(&self) -> bool {
        self.name.eq_ignore_ascii_case("any")
    }
}

/// `sequence [by …] [with maxspan=…] [step] … [until [step]]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sequence {
    /// Join keys shared by every step.
    pub by: Vec<Expr>,
    /// Longest time between the first and the last step.
    pub maxspan: Option<Duration>,
    /// The steps, in order (two or more).
    pub steps: Vec<Step>,
    /// `until [ … ]`: an event that ends the sequence.
    pub until: Option<Step>,
    /// Where.
    pub span: Span,
}

/// `sample by … [ … ] [ … ]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sample {
    /// Join keys shared by every step.
    pub by: Vec<Expr>,
    /// The steps.
    pub steps: Vec<Step>,
    /// Where.
    pub span: Span,
}

/// One step of a sequence or sample: `[ event ] [by …] [with runs=N] [as alias]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    /// The step's event query.
    pub query: EventQuery,
    /// This step's own join keys.
    pub by: Vec<Expr>,
    /// `with runs=N`: the step repeated N times.
    pub runs: Option<u64>,
    /// `![ … ]`: a missing event (the sequence matches when no such event happens).
    pub missing: bool,
    /// `as event0` (Elastic Defend): a name later steps use to read this step's fields
    /// (`event0.process.name`).
    pub alias: Option<String>,
    /// Where.
    pub span: Span,
}

/// `5m`, `30s`, `1h`…
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Duration {
    /// The number.
    pub value: u64,
    /// The unit as written (`ms`, `s`, `m`, `h`, `d`); empty when none is written.
    pub unit: String,
    /// Where.
    pub span: Span,
}

impl Duration {
    /// The duration in milliseconds, when the unit is known.
    pub fn millis(&self) -> Option<u64> {
        let factor = match self.unit.as_str() {
            "ms" | "" => 1,
            "s" => 1000,
            "m" => 60_000,
            "h" => 3_600_000,
            "d" => 86_400_000,
            _ => return None,
        };
        self.value.checked_mul(factor)
    }
}

/// `| name args`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Pipe {
    /// The pipe (`head`, `tail`, `unique`, `filter`, `count`, `sort` …), lower case.
    pub name: String,
    /// Its arguments.
    pub args: Vec<Expr>,
    /// Where.
    pub span: Span,
}

/// Pattern operators, each taking one value or a list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchOp {
    /// `:`: equal, case-insensitive, with `*`/`?` wildcards.
    Colon,
    /// `like`: wildcards, case-sensitive.
    Like,
    /// `like~`: wildcards, case-insensitive.
    LikeInsensitive,
    /// `regex`: a regular expression matching the whole value, case-sensitive.
    Regex,
    /// `regex~`: the same, case-insensitive.
    RegexInsensitive,
}

impl MatchOp {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            MatchOp::Colon => ":",
            MatchOp::Like => "like",
            MatchOp::LikeInsensitive => "like~",
            MatchOp::Regex => "regex",
            MatchOp::RegexInsensitive => "regex~",
        }
    }

    /// True for `:`, `like~`, `regex~`.
    pub fn case_insensitive(self) -> bool {
        matches!(self, MatchOp::Colon | MatchOp::LikeInsensitive | MatchOp::RegexInsensitive)
    }
}

/// `descendant of`, `child of`, `event of`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// `descendant of [ … ]`: an ancestor process matches.
    Descendant,
    /// `child of [ … ]`: the parent process matches.
    Child,
    /// `event of [ … ]`: an event of the same process matches.
    Event,
}

impl Relation {
    /// As written.
    pub fn as_str(self) -> &'static str {
        match self {
            Relation::Descendant => "descendant",
            Relation::Child => "child",
            Relation::Event => "event",
        }
    }
}

/// A field reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Field {
    /// The path segments (`process`, `parent`, `name`); a `` `quoted` `` segment is one
    /// segment even when it holds dots.
    pub path: Vec<String>,
    /// `?field`: no error when the field is not in the mapping.
    pub optional: bool,
    /// Where.
    pub span: Span,
}

impl Field {
    /// The dotted name (`process.parent.name`).
    pub fn name(&self) -> String {
        self.path.join(".")
    }
}

/// A constant.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Literal {
    /// A string, escapes resolved.
    String(String),
    /// A number as written (`5`, `1.5`, `1e3`).
    Number(String),
    /// `true` / `false`.
    Bool(bool),
    /// `null`.
    Null,
}

/// An EQL expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Expr {
    /// `a or b or …` (two or more).
    Or {
        /// Items.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `a and b and …` (two or more).
    And {
        /// Items.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `not a`.
    Not {
        /// Operand.
        expr: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `a == b` …
    Compare {
        /// Left side.
        left: Box<Expr>,
        /// Operator.
        op: CmpOp,
        /// Right side.
        right: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `a : "x*"`, `a like~ ("x", "y")` …
    Match {
        /// Left side.
        left: Box<Expr>,
        /// Operator.
        op: MatchOp,
        /// The pattern(s): one, or a parenthesised list.
        patterns: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `a in (…)`, `a in~ (…)`, `a not in (…)`.
    In {
        /// Left side.
        left: Box<Expr>,
        /// The values.
        values: Vec<Expr>,
        /// `not in`.
        negated: bool,
        /// `in~`.
        case_insensitive: bool,
        /// Where.
        span: Span,
    },
    /// `a + b` …
    Arith {
        /// Left side.
        left: Box<Expr>,
        /// Operator.
        op: ArithOp,
        /// Right side.
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
    /// `name(args)`, `name~(args)`.
    Call {
        /// The function as written (`startsWith`, `cidrMatch` …).
        name: String,
        /// `name~`: case-insensitive.
        case_insensitive: bool,
        /// Arguments.
        args: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `descendant of [ … ]` …
    Lineage {
        /// The relation.
        relation: Relation,
        /// The related event.
        query: Box<EventQuery>,
        /// Where.
        span: Span,
    },
    /// A field.
    Field(Field),
    /// A constant.
    Literal {
        /// The value.
        value: Literal,
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
            | Expr::Match { span, .. }
            | Expr::In { span, .. }
            | Expr::Arith { span, .. }
            | Expr::Neg { span, .. }
            | Expr::Call { span, .. }
            | Expr::Lineage { span, .. }
            | Expr::Literal { span, .. } => *span,
            Expr::Field(f) => f.span,
        }
    }

    /// Apply `f` to every span of the tree.
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        match self {
            Expr::Or { items, span } | Expr::And { items, span } => {
                *span = f(*span);
                items.iter_mut().for_each(|i| i.map_spans(f));
            }
            Expr::Not { expr, span } | Expr::Neg { expr, span } => {
                *span = f(*span);
                expr.map_spans(f);
            }
            Expr::Compare { left, right, span, .. } | Expr::Arith { left, right, span, .. } => {
                *span = f(*span);
                left.map_spans(f);
                right.map_spans(f);
            }
            Expr::Match { left, patterns: items, span, .. } | Expr::In { left, values: items, span, .. } => {
                *span = f(*span);
                left.map_spans(f);
                items.iter_mut().for_each(|i| i.map_spans(f));
            }
            Expr::Call { args, span, .. } => {
                *span = f(*span);
                args.iter_mut().for_each(|i| i.map_spans(f));
            }
            Expr::Lineage { query, span, .. } => {
                *span = f(*span);
                query.map_spans(f);
            }
            Expr::Field(field) => field.span = f(field.span),
            Expr::Literal { span, .. } => *span = f(*span),
        }
    }
}

impl EventQuery {
    fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        self.category.span = f(self.category.span);
        self.condition.map_spans(f);
    }
}

impl Step {
    fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        self.query.map_spans(f);
        self.by.iter_mut().for_each(|e| e.map_spans(f));
    }
}

impl Query {
    /// Apply `f` to every span of the tree (to move them into the file, or to clear them).
    pub fn map_spans(&mut self, f: &mut impl FnMut(Span) -> Span) {
        self.span = f(self.span);
        match &mut self.body {
            Body::Event(e) => e.map_spans(f),
            Body::Sequence(s) => {
                s.span = f(s.span);
                s.by.iter_mut().for_each(|e| e.map_spans(f));
                if let Some(m) = &mut s.maxspan {
                    m.span = f(m.span);
                }
                s.steps.iter_mut().for_each(|st| st.map_spans(f));
                if let Some(u) = &mut s.until {
                    u.map_spans(f);
                }
            }
            Body::Sample(s) => {
                s.span = f(s.span);
                s.by.iter_mut().for_each(|e| e.map_spans(f));
                s.steps.iter_mut().for_each(|st| st.map_spans(f));
            }
        }
        for p in &mut self.pipes {
            p.span = f(p.span);
            p.args.iter_mut().for_each(|e| e.map_spans(f));
        }
    }

    /// The same tree with every span cleared (to compare trees whatever their positions).
    pub fn without_spans(&self) -> Query {
        let mut q = self.clone();
        q.map_spans(&mut |_| Span::default());
        q
    }
}
