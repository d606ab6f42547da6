//! The tree of a Kusto query: statements (`let`, the tabular expression), tabular operators
//! and scalar expressions, each with its byte span in the query text.
//!
//! The tabular operators detwiki reads for their meaning have their own shapes (`where`,
//! `join`, `lookup`, `union`, `parse`, `mv-apply`); every other operator (`extend`,
//! `project*`, `summarize`, `mv-expand`, `sort`, `top`, `make-series`, `evaluate` …) is a
//! [`OpKind::Generic`] operator: its name, `name=value` parameters and clauses of items
//! (`summarize c = count() by Account` is the clauses `[c = count()]` and `by [Account]`).

use serde::Serialize;

use crate::lex::StrStyle;
use crate::span::Span;

/// A whole query: `let` statements and (usually last) the tabular expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Query {
    /// Statements in order.
    pub statements: Vec<Statement>,
    /// The whole text.
    pub span: Span,
}

/// One statement.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "statement", rename_all = "snake_case")]
pub enum Statement {
    /// `let name = value`.
    Let {
        /// The name.
        name: String,
        /// What it is bound to.
        value: LetValue,
        /// The statement.
        span: Span,
    },
    /// A tabular expression (the query's result).
    Tabular {
        /// The expression.
        expr: Expr,
    },
    /// `set option = value` / `declare query_parameters(…)`: kept as text.
    Other {
        /// The statement's text.
        text: String,
        /// Where.
        span: Span,
    },
}

/// What a `let` binds.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "let", rename_all = "snake_case")]
pub enum LetValue {
    /// A scalar or tabular expression (`dynamic([...])`, `ago(1d)`, `T | where …`).
    Expr {
        /// The expression.
        expr: Expr,
    },
    /// A function: `(params) { body }` (`view` functions included).
    Function {
        /// `view` was written.
        view: bool,
        /// Parameters.
        params: Vec<Param>,
        /// Body statements; the last is its result.
        body: Vec<Statement>,
    },
}

/// A function parameter or a `datatable` column: `name: type [= default]`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Param {
    /// The name.
    pub name: String,
    /// The type as written (`string`, `(*)`, `(a:string)`), spaces removed.
    pub ty: Option<String>,
    /// The default value.
    pub default: Option<Expr>,
    /// Where.
    pub span: Span,
}

/// A tabular operator after `|`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Operator {
    /// What it is.
    pub kind: OpKind,
    /// From its name to its end.
    pub span: Span,
}

/// `name=value` before an operator's arguments (`kind=inner`, `hint.strategy=shuffle`,
/// `isfuzzy=true`, `withsource=Table`).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OpParam {
    /// `kind`, `hint.strategy` …
    pub name: String,
    /// The value.
    pub value: Expr,
}

/// The operators.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum OpKind {
    /// `where`/`filter` predicate.
    Where {
        /// The predicate.
        predicate: Expr,
    },
    /// `join [params] right on keys` (`lookup` too: `name` says which).
    Join {
        /// `join` or `lookup`.
        name: String,
        /// Parameters (`kind=inner`).
        params: Vec<OpParam>,
        /// The right side: a table, a `let` name, a call or a parenthesized query.
        right: Expr,
        /// The `on` keys (`Account`, `$left.A == $right.B`).
        on: Vec<Expr>,
    },
    /// `union [params] side, side …`.
    Union {
        /// Parameters.
        params: Vec<OpParam>,
        /// The tables or queries.
        sides: Vec<Expr>,
    },
    /// `parse`/`parse-where [params] source with pattern`.
    Parse {
        /// `parse` or `parse-where`.
        name: String,
        /// Parameters (`kind=regex`, `flags=i`).
        params: Vec<OpParam>,
        /// The column or expression parsed.
        source: Expr,
        /// The pattern.
        pattern: Vec<ParsePart>,
    },
    /// `mv-apply items on (subquery)`.
    MvApply {
        /// Parameters.
        params: Vec<OpParam>,
        /// The clauses before `on`.
        clauses: Vec<Clause>,
        /// The subquery's operators.
        on: Vec<Operator>,
    },
    /// Any other operator.
    Generic {
        /// Its name (`extend`, `project-away`, `summarize`, `mv-expand`).
        name: String,
        /// Parameters.
        params: Vec<OpParam>,
        /// Its clauses: the items first (no keyword), then `by …`, `on …`, `to …`.
        clauses: Vec<Clause>,
    },
}

/// A part of a `parse` pattern.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "part", rename_all = "snake_case")]
pub enum ParsePart {
    /// `*`: anything.
    Star,
    /// A literal string (or the regex, for `kind=regex`).
    Text {
        /// The string.
        value: String,
        /// How it was written.
        style: StrStyle,
    },
    /// A column to extract: `Name` or `Name:type`.
    Column {
        /// The name.
        name: String,
        /// The type.
        ty: Option<String>,
    },
}

/// A clause of a generic operator: an optional keyword and comma-separated items.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Clause {
    /// `by`, `on`, `from`, `to`, `step`, `with`, `of`; `None` for the operator's items.
    pub keyword: Option<String>,
    /// The items.
    pub items: Vec<Item>,
}

/// `name = expr`, `(a, b) = expr` or `expr`, with `asc`/`desc`/`nulls first` words after it
/// and a `make-series` `default = value`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Item {
    /// Names assigned (none, one, or a tuple).
    pub names: Vec<String>,
    /// The expression.
    pub expr: Expr,
    /// `asc`, `desc`, `nulls`, `first`, `last` after it.
    pub suffix: Vec<String>,
    /// `default = value` (make-series).
    pub default: Option<Expr>,
    /// Where.
    pub span: Span,
}

/// A scalar or tabular expression.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Expr {
    /// A name: a column, table, `let` name, `true`/`false`/`null`, `$left`; `Foo*` in
    /// `project-away`/`union`.
    Ident {
        /// The name.
        name: String,
        /// Written as `['name']`.
        quoted: bool,
        /// Where.
        span: Span,
    },
    /// A string literal (unescaped).
    Str {
        /// The value.
        value: String,
        /// How it was written.
        style: StrStyle,
        /// Where.
        span: Span,
    },
    /// A number or timespan as written.
    Num {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
    /// `datetime(…)`, `guid(…)`: a literal whose text is not tokens.
    Literal {
        /// `datetime`, `guid`.
        func: String,
        /// The text inside the parentheses, trimmed.
        text: String,
        /// Where.
        span: Span,
    },
    /// `*` (in `arg_max(T, *)`, `where * has …`).
    Star {
        /// Where.
        span: Span,
    },
    /// `(a, b, c)`: a list (the right side of `in`, `has_any`).
    List {
        /// Items.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `[a, b]` (in `dynamic(…)`).
    Array {
        /// Items.
        items: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `{"k": v}` (in `dynamic(…)`).
    Object {
        /// Entries.
        entries: Vec<(String, Expr)>,
        /// Where.
        span: Span,
    },
    /// `(expr)`, also a parenthesized tabular expression.
    Paren {
        /// The inner expression.
        inner: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `f(args)`.
    Call {
        /// The function name.
        func: String,
        /// Arguments.
        args: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `a.b`.
    Member {
        /// The object.
        target: Box<Expr>,
        /// The member name.
        name: String,
        /// Written as `.['name']`.
        quoted: bool,
        /// Where.
        span: Span,
    },
    /// `a[i]`.
    Index {
        /// The object.
        target: Box<Expr>,
        /// The index.
        index: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `-x`, `+x`.
    Unary {
        /// `-` or `+`.
        op: String,
        /// The operand.
        operand: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `a op b`: `and`, `or`, comparisons, string operators (`has`, `!contains`, `in~`,
    /// `matches regex`), arithmetic.
    Binary {
        /// The operator as canonically written.
        op: String,
        /// Left.
        lhs: Box<Expr>,
        /// Right.
        rhs: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `x between (lo .. hi)` / `!between`.
    Between {
        /// `!between`.
        negated: bool,
        /// The tested value.
        expr: Box<Expr>,
        /// Low bound.
        lo: Box<Expr>,
        /// High bound.
        hi: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `source | op | op`.
    Pipe {
        /// The source (a table, a `let` name, a call, a leading operator …).
        source: Box<Expr>,
        /// The operators.
        ops: Vec<Operator>,
        /// Where.
        span: Span,
    },
    /// A leading tabular operator: `union …`, `print …`, `range …`.
    Tabular {
        /// The operator.
        op: Box<Operator>,
    },
    /// `name = value` as a call argument (`_Im_Dns(domain_has_any = list)`, `bag_unpack(c, columnsConflict = 'x')`).
    Named {
        /// The name.
        name: String,
        /// The value.
        value: Box<Expr>,
        /// Where.
        span: Span,
    },
    /// `externaldata(col: type, …) [urls] with (name = value, …)`.
    ExternalData {
        /// Columns.
        columns: Vec<Param>,
        /// The storage URLs.
        urls: Vec<Expr>,
        /// The `with (…)` properties.
        with: Vec<Expr>,
        /// Where.
        span: Span,
    },
    /// `datatable(col: type, …) [values]`.
    Datatable {
        /// Columns.
        columns: Vec<Param>,
        /// Values, row after row.
        values: Vec<Expr>,
        /// Where.
        span: Span,
    },
}

impl Expr {
    /// Where the expression is.
    pub fn span(&self) -> Span {
        match self {
            Expr::Ident { span, .. }
            | Expr::Str { span, .. }
            | Expr::Num { span, .. }
            | Expr::Literal { span, .. }
            | Expr::Star { span }
            | Expr::List { span, .. }
            | Expr::Array { span, .. }
            | Expr::Object { span, .. }
            | Expr::Paren { span, .. }
            | Expr::Call { span, .. }
            | Expr::Member { span, .. }
            | Expr::Index { span, .. }
            | Expr::Unary { span, .. }
            | Expr::Binary { span, .. }
            | Expr::Between { span, .. }
            | Expr::Pipe { span, .. }
            | Expr::Named { span, .. }
            | Expr::ExternalData { span, .. }
            | Expr::Datatable { span, .. } => *span,
            Expr::Tabular { op } => op.span,
        }
    }
}
