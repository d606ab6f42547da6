//! SPL, the Splunk search processing language: a search is a pipeline of commands.
//!
//! ```text
//! text ──split at top-level `|`──▶ commands ──▶ search / where / eval / tstats / from: parsed
//!                                            └─▶ every other command: kept with its text
//! ```
//!
//! Two expression languages occur in a search, and both are parsed into trees with spans:
//! - the *search* language ([`SearchExpr`]): the base search, `search`, `tstats … where`,
//!   `from datamodel=… where`: implicit AND, `OR`, `NOT`, parentheses, `f=v` with `*`
//!   wildcards, `f!=v`, `f IN (…)`, comparisons, free-text terms, subsearches. In this
//!   language `OR` binds tighter than the implicit `AND` (Splunk's documented order:
//!   parentheses, `NOT`, `OR`, `AND`);
//! - the *eval* language ([`Expr`]) of `where` and `eval`: `==`, `!=`, `<`…, `LIKE`, `IN`,
//!   functions (`like()`, `match()`, `in()`, `isnull()` …), arithmetic, `.` concatenation,
//!   `AND`/`OR`/`XOR`/`NOT` (here `AND` binds tighter than `OR`).
//!
//! Spans are byte ranges of the text given to [`parse`]; recursion is bounded
//! ([`MAX_DEPTH`]), so hostile input ends in an error, never a stack overflow.

pub(crate) mod lex;
mod lower;
pub(crate) mod parse;
mod print;

pub use lower::{Kind, Predicate, PredicateTree, Stage, lower, stages};
pub use parse::{MAX_DEPTH, ParseError, parse, parse_expr, parse_search_expr};

use detwiki_diagnostics::Span;
use serde::Serialize;

/// A parsed search: its commands in order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pipeline {
    /// The commands; the first is the base search when the text does not start with `|`.
    pub commands: Vec<Command>,
}

/// One command of the pipeline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Command {
    /// The command name, lower-case (`search` for the base search).
    pub name: String,
    /// The command's arguments as written (trimmed).
    pub args: String,
    /// True for the base search (no command word was written).
    pub implicit: bool,
    /// What was parsed of it.
    pub body: Body,
    /// Where it is (name and arguments).
    pub span: Span,
}

/// What a command holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Body {
    /// `search` and the base search: a search expression (`None`: empty).
    Search {
        /// The expression.
        expr: Option<SearchExpr>,
    },
    /// `where`: an eval expression.
    Where {
        /// The condition.
        expr: Expr,
    },
    /// `eval`: assignments.
    Eval {
        /// `field = expression`, in order.
        assignments: Vec<(String, Expr)>,
    },
    /// `tstats` (and `from`): a data-model search.
    DataModel {
        /// The arguments before `from`/`where` (statistics, options), as written.
        head: String,
        /// `datamodel=Endpoint.Processes`.
        datamodel: Option<String>,
        /// The `where` clause.
        filter: Option<SearchExpr>,
        /// What follows `by`, as written.
        by: Option<String>,
    },
    /// Any other command: kept with its text.
    Other,
}

/// A comparison operator of the search language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum CmpOp {
    /// `=` (and `==`).
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
}

impl CmpOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A value of the search language: a word or a quoted string (both may hold `*`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Value {
    /// The value (quotes and escapes resolved).
    pub text: String,
    /// Written in double quotes.
    pub quoted: bool,
}

/// An expression of the search language.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum SearchExpr {
    /// Every item (implicit AND or `AND`).
    And {
        /// Items.
        items: Vec<SearchExpr>,
    },
    /// Any item.
    Or {
        /// Items.
        items: Vec<SearchExpr>,
    },
    /// `NOT item`.
    Not {
        /// The item.
        item: Box<SearchExpr>,
    },
    /// `field op value`.
    Compare {
        /// The field.
        field: String,
        /// Whether the field was written as a quoted string: printed quoted again, so that a
        /// backtick or pipe in it keeps its meaning for the command splitter.
        #[serde(skip)]
        field_quoted: bool,
        /// The operator.
        cmp: CmpOp,
        /// The value.
        value: Value,
        /// Where.
        span: Span,
    },
    /// `field IN (v, …)`.
    In {
        /// The field.
        field: String,
        /// Whether the field was written as a quoted string (see [`SearchExpr::Compare`]).
        #[serde(skip)]
        field_quoted: bool,
        /// The values.
        values: Vec<Value>,
        /// Where.
        span: Span,
    },
    /// A free-text term (a word or a quoted phrase).
    Term {
        /// The term.
        value: Value,
        /// Where.
        span: Span,
    },
    /// `[ subsearch ]`, as written between the brackets.
    Subsearch {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
}

/// A binary operator of the eval language.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub enum BinOp {
    /// `OR`.
    Or,
    /// `XOR`.
    Xor,
    /// `AND`.
    And,
    /// `=` / `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<`.
    Lt,
    /// `<=`.
    Le,
    /// `>`.
    Gt,
    /// `>=`.
    Ge,
    /// `LIKE`.
    Like,
    /// `+`.
    Add,
    /// `-`.
    Sub,
    /// `*`.
    Mul,
    /// `/`.
    Div,
    /// `%`.
    Rem,
    /// `.` (string concatenation).
    Concat,
}

impl BinOp {
    /// The operator as printed.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "OR",
            BinOp::Xor => "XOR",
            BinOp::And => "AND",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Like => "LIKE",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Concat => ".",
        }
    }

    /// Binding strength: higher binds tighter.
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or | BinOp::Xor => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge | BinOp::Like => 4,
            BinOp::Concat => 5,
            BinOp::Add | BinOp::Sub => 6,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 7,
        }
    }
}

/// An expression of the eval language (`where`, `eval`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Expr {
    /// A field name (`Processes.process_name`, `'field name'`).
    Field {
        /// The name.
        name: String,
        /// Where.
        span: Span,
    },
    /// A string literal.
    Str {
        /// The value.
        value: String,
        /// Where.
        span: Span,
    },
    /// A number as written.
    Num {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
    /// `NOT item`.
    Not {
        /// The item.
        item: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `-item`.
    Neg {
        /// The item.
        item: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `left op right`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left side.
        left: Box<Expr>,
        /// Right side.
        right: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `field IN (values)`.
    In {
        /// The tested expression.
        item: Box<Expr>,
        /// The list.
        list: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `name(args)`.
    Call {
        /// The function name as written.
        name: String,
        /// The arguments.
        args: Vec<Expr>,
        /// Where.
        span: Span,
    },
}

impl Expr {
    /// Where the expression is.
    pub fn span(&self) -> Span {
        match self {
            Expr::Field { span, .. }
            | Expr::Str { span, .. }
            | Expr::Num { span, .. }
            | Expr::Not { span, .. }
            | Expr::Neg { span, .. }
            | Expr::Binary { span, .. }
            | Expr::In { span, .. }
            | Expr::Call { span, .. } => *span,
        }
    }
}
