//! MQL, the Message Query Language of Sublime Security rules: its syntax tree, parser
//! ([`parse`]), printer (`Display`: canonical text) and lowering to predicates
//! ([`lower::lower`]).
//!
//! The grammar, as the public rules write it (lowest precedence first):
//!
//! ```text
//! expr    = or
//! or      = and { "or" and }
//! and     = not { "and" not }
//! not     = "not" not | cmp
//! cmp     = add [ ("==" | "!=" | "=~" | "!~" | "<" | "<=" | ">" | ">="
//!                 | ["not"] ("in" | "in~")) add | "is" ["not"] "null" ]
//!         | add order add order add { order add }     (a range: `0 < length(x) <= 8`)
//! order   = "<" | "<=" | ">" | ">="
//! add     = mul { ("+" | "-") mul }
//! mul     = unary { ("*" | "/" | "%") unary }
//! unary   = "-" unary | postfix
//! postfix = primary { "." name | "[" expr "]" }
//! primary = string | number | "true" | "false" | "null" | "$" name
//!         | number "of" "(" expr { "," expr } [","] ")"              (at least n of them)
//!         | name { "." name } [ "(" [ arg { "," arg } [","] ] ")" ]   (a field path or a call)
//!         | "."+ [ name ]                                            (relative to an element)
//!         | "(" expr ")" | "(" expr "," … ")"                         (a tuple, for `in`)
//!         | "[" [ expr { "," expr } [","] ] "]"
//! arg     = [ name "=" ] expr
//! ```
//!
//! Strings are single-quoted (raw: a backslash is a backslash, `''` is a quote, the string
//! ends at the next lone `'`) or double-quoted (a backslash escapes the next character, so `\"` is a quote);
//! `//` starts a comment to the end of the line. Inside `any(array, pred)` (and `all`,
//! `filter`, `map`, …) `.x` is the field `x` of the array's element, `..x` of the enclosing
//! element, `.` the element itself.

pub mod lex;
pub mod lower;
pub mod parse;
pub mod print;

use serde::Serialize;

use crate::span::Span;

pub use parse::{MAX_DEPTH, MAX_QUERY_LEN, QueryError, QueryErrorKind, parse};

/// A binary operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `==`
    Eq,
    /// `!=`
    Ne,
    /// `=~` (equal, ignoring case)
    EqCi,
    /// `!~` (not equal, ignoring case)
    NeCi,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `in`
    In,
    /// `in~` (ignoring case)
    InCi,
    /// `not in`
    NotIn,
    /// `not in~`
    NotInCi,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `%`
    Rem,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::EqCi => "=~",
            BinOp::NeCi => "!~",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::In => "in",
            BinOp::InCi => "in~",
            BinOp::NotIn => "not in",
            BinOp::NotInCi => "not in~",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
        }
    }

    /// Binding strength: 1 (`or`) … 6 (`*`).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div | BinOp::Rem => 6,
            _ => 4,
        }
    }

    /// A comparison (`==` … `not in~`): neither side may be another comparison unparenthesised.
    pub fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}

/// How a string was quoted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quote {
    /// `'…'`: raw.
    Single,
    /// `"…"`: `\` escapes the next character.
    Double,
}

/// Where a field path starts.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Base {
    /// A top-level field of the message (`body`, `sender`, `type`).
    Root(String),
    /// Relative to an array element: 1 for `.x` (the innermost element), 2 for `..x` …
    Relative(usize),
    /// The result of an expression (a call: `profile.by_sender().prevalence`).
    Expr(Box<Expr>),
}

/// One step of a path after its base.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Segment {
    /// `.name`
    Field(String),
    /// `[expr]`
    Index(Box<Expr>),
}

/// An argument of a call.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Arg {
    /// `name=` of a named argument (`mode="aggressive"`).
    pub name: Option<String>,
    /// The value.
    pub value: Expr,
}

/// An MQL expression, with the span of its text (byte offsets into the query).
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "node", rename_all = "snake_case")]
pub enum Expr {
    /// `true` / `false`.
    Bool {
        /// The value.
        value: bool,
        /// Where.
        span: Span,
    },
    /// `null`.
    Null {
        /// Where.
        span: Span,
    },
    /// A number as written (`30`, `0.5`).
    Number {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
    /// A string literal.
    Str {
        /// The text between the quotes as written.
        raw: String,
        /// Its quotes.
        quote: Quote,
        /// Where.
        span: Span,
    },
    /// `$name`: a list the Sublime platform defines (`$free_email_providers`).
    List {
        /// The name, without `$`.
        name: String,
        /// Where.
        span: Span,
    },
    /// A field path: `sender.email.domain.root_domain`, `.href_url.url`, `x[0].y`.
    Path {
        /// Its start.
        base: Base,
        /// The steps after it.
        segments: Vec<Segment>,
        /// Where.
        span: Span,
    },
    /// A function call: `strings.icontains(subject.subject, "invoice")`.
    Call {
        /// The dotted name.
        name: String,
        /// The arguments.
        args: Vec<Arg>,
        /// Where.
        span: Span,
    },
    /// `not x`.
    Not {
        /// The operand.
        expr: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `-x`.
    Neg {
        /// The operand.
        expr: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// A binary operation.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left side.
        lhs: Box<Expr>,
        /// Right side.
        rhs: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `x is null` / `x is not null`.
    IsNull {
        /// The operand.
        expr: Box<Expr>,
        /// `is not null`.
        negated: bool,
        /// Where.
        span: Span,
    },
    /// `(a, b, c)`: the values of `in`.
    Tuple {
        /// The items.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `0 < length(x) <= 8`: every adjacent pair compared (two or more `<` `<=` `>` `>=`).
    Range {
        /// The first operand.
        first: Box<Expr>,
        /// Each further operator and operand.
        rest: Vec<(BinOp, Expr)>,
        /// Where.
        span: Span,
    },
    /// `3 of (a, b, c)`: at least that many of the conditions hold.
    Of {
        /// The number as written.
        count: String,
        /// The conditions.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `[a, b]`: an array.
    Array {
        /// The items.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
}

impl Expr {
    /// Where the expression is.
    pub fn span(&self) -> Span {
        match self {
            Expr::Bool { span, .. }
            | Expr::Null { span }
            | Expr::Number { span, .. }
            | Expr::Str { span, .. }
            | Expr::List { span, .. }
            | Expr::Path { span, .. }
            | Expr::Call { span, .. }
            | Expr::Not { span, .. }
            | Expr::Neg { span, .. }
            | Expr::Binary { span, .. }
            | Expr::IsNull { span, .. }
            | Expr::Tuple { span, .. }
            | Expr::Range { span, .. }
            | Expr::Of { span, .. }
            | Expr::Array { span, .. } => *span,
        }
    }

    /// Binding strength of the node as printed: 1 (`or`) … 8 (a primary).
    pub fn precedence(&self) -> u8 {
        match self {
            Expr::Binary { op, .. } => op.precedence(),
            Expr::Not { .. } => 3,
            Expr::IsNull { .. } | Expr::Range { .. } => 4,
            Expr::Neg { .. } => 7,
            _ => 8,
        }
    }

    /// Every span in the tree, this node's first (for checks: all lie inside the text).
    pub fn spans(&self) -> Vec<Span> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(e) = stack.pop() {
            out.push(e.span());
            match e {
                Expr::Path { base, segments, .. } => {
                    if let Base::Expr(b) = base {
                        stack.push(b);
                    }
                    for s in segments {
                        if let Segment::Index(i) = s {
                            stack.push(i);
                        }
                    }
                }
                Expr::Call { args, .. } => stack.extend(args.iter().map(|a| &a.value)),
                Expr::Not { expr, .. } | Expr::Neg { expr, .. } | Expr::IsNull { expr, .. } => stack.push(expr),
                Expr::Binary { lhs, rhs, .. } => {
                    stack.push(lhs);
                    stack.push(rhs);
                }
                Expr::Tuple { items, .. } | Expr::Array { items, .. } | Expr::Of { items, .. } => stack.extend(items),
                Expr::Range { first, rest, .. } => {
                    stack.push(first);
                    stack.extend(rest.iter().map(|(_, e)| e));
                }
                _ => {}
            }
        }
        out
    }

    /// The same tree with every span set to `0..0`: to compare trees whatever their text's layout.
    pub fn without_spans(&self) -> Expr {
        let mut e = self.clone();
        e.clear_spans();
        e
    }

    fn clear_spans(&mut self) {
        let zero = Span::default();
        match self {
            Expr::Bool { span, .. }
            | Expr::Null { span }
            | Expr::Number { span, .. }
            | Expr::Str { span, .. }
            | Expr::List { span, .. } => *span = zero,
            Expr::Path { base, segments, span } => {
                *span = zero;
                if let Base::Expr(e) = base {
                    e.clear_spans();
                }
                for s in segments {
                    if let Segment::Index(e) = s {
                        e.clear_spans();
                    }
                }
            }
            Expr::Call { args, span, .. } => {
                *span = zero;
                args.iter_mut().for_each(|a| a.value.clear_spans());
            }
            Expr::Not { expr, span } | Expr::Neg { expr, span } | Expr::IsNull { expr, span, .. } => {
                *span = zero;
                expr.clear_spans();
            }
            Expr::Binary { lhs, rhs, span, .. } => {
                *span = zero;
                lhs.clear_spans();
                rhs.clear_spans();
            }
            Expr::Tuple { items, span } | Expr::Array { items, span } | Expr::Of { items, span, .. } => {
                *span = zero;
                items.iter_mut().for_each(Expr::clear_spans);
            }
            Expr::Range { first, rest, span } => {
                *span = zero;
                first.clear_spans();
                rest.iter_mut().for_each(|(_, e)| e.clear_spans());
            }
        }
    }

    /// The string's value: the raw text, with `''` read as `'` in a single-quoted string and
    /// `\"` as `"` in a double-quoted one (other backslashes stay: MQL strings are mostly
    /// regular expressions and patterns).
    pub fn string_value(raw: &str, quote: Quote) -> String {
        match quote {
            Quote::Single => raw.replace("''", "'"),
            Quote::Double => raw.replace("\\\"", "\""),
        }
    }
}
