//! The YARA-L 2.0 tree: rules, their sections, expressions. Every node has its byte span in
//! the file; [`Rule::clear_spans`] sets them all to `0..0` so that two trees can be compared
//! ignoring where they were written (the printer's round trip).

use serde::Serialize;

use crate::Span;

/// A name with its place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Name {
    /// The name (without `$`).
    pub name: String,
    /// Where.
    pub span: Span,
}

/// One `rule name { … }`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Rule {
    /// The rule's name.
    pub name: Name,
    /// `meta:` entries.
    pub meta: Vec<MetaEntry>,
    /// `events:` statements (ANDed).
    pub events: Vec<Expr>,
    /// `match:`.
    pub match_section: Option<MatchSection>,
    /// `outcome:` assignments.
    pub outcome: Vec<Assignment>,
    /// `condition:`.
    pub condition: Option<Expr>,
    /// `options:` entries.
    pub options: Vec<MetaEntry>,
    /// Where each section header is (`events:` …), in file order.
    pub sections: Vec<(SectionKind, Span)>,
    /// The whole rule.
    pub span: Span,
}

/// The sections of a rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectionKind {
    /// `meta:`
    Meta,
    /// `events:`
    Events,
    /// `match:`
    Match,
    /// `outcome:`
    Outcome,
    /// `condition:`
    Condition,
    /// `options:`
    Options,
}

impl SectionKind {
    /// The section's keyword.
    pub fn as_str(self) -> &'static str {
        match self {
            SectionKind::Meta => "meta",
            SectionKind::Events => "events",
            SectionKind::Match => "match",
            SectionKind::Outcome => "outcome",
            SectionKind::Condition => "condition",
            SectionKind::Options => "options",
        }
    }

    /// The section named `word`.
    pub fn from_word(word: &str) -> Option<SectionKind> {
        Some(match word {
            "meta" => SectionKind::Meta,
            "events" => SectionKind::Events,
            "match" => SectionKind::Match,
            "outcome" => SectionKind::Outcome,
            "condition" => SectionKind::Condition,
            "options" => SectionKind::Options,
            _ => return None,
        })
    }
}

/// `key = value` in `meta:` or `options:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MetaEntry {
    /// The key.
    pub key: Name,
    /// The value.
    pub value: Literal,
    /// Where the value is.
    pub value_span: Span,
}

/// A literal value of `meta:`/`options:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Literal {
    /// A string.
    String(String),
    /// A number as written.
    Number(String),
    /// `true`/`false`.
    Bool(bool),
}

impl Literal {
    /// The value as text.
    pub fn text(&self) -> String {
        match self {
            Literal::String(s) | Literal::Number(s) => s.clone(),
            Literal::Bool(b) => b.to_string(),
        }
    }
}

/// `match: $a, $b over 10m [before|after $e]` (or `by 1h`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MatchSection {
    /// The match variables.
    pub vars: Vec<Name>,
    /// `over` (sliding, hop) or `by`.
    pub window_kind: String,
    /// The window as written (`10m`).
    pub window: String,
    /// `before $e` / `after $e` (a sliding window's pivot).
    pub pivot: Option<(String, Name)>,
    /// Where the section's text is.
    pub span: Span,
}

impl MatchSection {
    /// The window in seconds, when its unit is known.
    pub fn window_seconds(&self) -> Option<u64> {
        let (n, unit) = self.window.split_at(self.window.len().checked_sub(1)?);
        let n: u64 = n.parse().ok()?;
        Some(
            n * match unit {
                "s" => 1,
                "m" => 60,
                "h" => 3600,
                "d" => 86400,
                _ => return None,
            },
        )
    }
}

/// `$name = expr` in `outcome:`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Assignment {
    /// The outcome variable.
    pub var: Name,
    /// Its value.
    pub value: Expr,
}

/// An expression with its place.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Expr {
    /// What it is.
    pub kind: ExprKind,
    /// Where.
    pub span: Span,
}

/// Binary operators, loosest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BinOp {
    /// `or`
    Or,
    /// `and`
    And,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `*`
    Mul,
    /// `/`
    Div,
}

impl BinOp {
    /// The operator as written.
    pub fn as_str(self) -> &'static str {
        match self {
            BinOp::Or => "or",
            BinOp::And => "and",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
        }
    }

    /// Binding strength (higher binds tighter).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Or => 1,
            BinOp::And => 2,
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 4,
            BinOp::Add | BinOp::Sub => 5,
            BinOp::Mul | BinOp::Div => 6,
        }
    }

    /// A comparison (`=`, `!=`, `<` …).
    pub fn is_comparison(self) -> bool {
        self.precedence() == 4
    }
}

/// One step of a field path after the variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Segment {
    /// `.name`
    Field(String),
    /// `["key"]`
    Key(String),
    /// `[0]`
    Index(String),
}

/// What an expression is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ExprKind {
    /// `a op b`.
    Binary {
        /// The operator.
        op: BinOp,
        /// Left.
        lhs: Box<Expr>,
        /// Right.
        rhs: Box<Expr>,
    },
    /// `not x` (`bang`: written `!x`).
    Not {
        /// Written with `!`.
        bang: bool,
        /// The operand.
        item: Box<Expr>,
    },
    /// `-x`.
    Neg {
        /// The operand.
        item: Box<Expr>,
    },
    /// `x nocase`: the comparison ignores case.
    Nocase {
        /// The comparison.
        item: Box<Expr>,
    },
    /// `x in %list`, `x in regex %list`, `x in cidr %list`.
    InList {
        /// The tested value.
        item: Box<Expr>,
        /// `regex`, `cidr`, or none.
        mode: Option<String>,
        /// The reference list (without `%`), `.column` included.
        list: String,
    },
    /// `any x` / `all x` over a repeated field.
    Quantified {
        /// `any` or `all`.
        quantifier: String,
        /// The comparison.
        item: Box<Expr>,
    },
    /// `$var` or `$e.a.b["k"]`.
    Path {
        /// The variable (without `$`).
        var: String,
        /// The path after it.
        segments: Vec<Segment>,
    },
    /// `#e`.
    Count {
        /// The variable.
        var: String,
    },
    /// `%list` standing alone (an argument).
    Ref {
        /// The list.
        list: String,
    },
    /// `name(args)`, `strings.contains(…)`.
    Call {
        /// The function, dotted.
        name: String,
        /// Arguments.
        args: Vec<Expr>,
    },
    /// `"…"` (raw: `` `…` ``).
    Str {
        /// The value.
        value: String,
        /// Written between backticks.
        raw: bool,
    },
    /// `/…/`.
    Regex {
        /// The pattern as written.
        pattern: String,
    },
    /// A number.
    Number {
        /// As written.
        value: String,
    },
    /// A duration (`5m`).
    Duration {
        /// As written.
        value: String,
    },
    /// `true`/`false`.
    Bool {
        /// The value.
        value: bool,
    },
    /// Another bare word (`null`, a constant).
    Word {
        /// The word.
        word: String,
    },
}

impl Expr {
    /// The expression's path as `(var, "a.b[\"k\"]")` when it is a field of an event variable.
    pub fn field_path(&self) -> Option<(&str, String)> {
        match &self.kind {
            ExprKind::Path { var, segments } if !segments.is_empty() => Some((var, path_text(segments))),
            _ => None,
        }
    }

    /// Set every span of the tree to `0..0`.
    pub fn clear_spans(&mut self) {
        self.span = Span::new(0, 0);
        match &mut self.kind {
            ExprKind::Binary { lhs, rhs, .. } => {
                lhs.clear_spans();
                rhs.clear_spans();
            }
            ExprKind::Not { item, .. }
            | ExprKind::Neg { item }
            | ExprKind::Nocase { item }
            | ExprKind::InList { item, .. }
            | ExprKind::Quantified { item, .. } => item.clear_spans(),
            ExprKind::Call { args, .. } => args.iter_mut().for_each(Expr::clear_spans),
            _ => {}
        }
    }

    /// How deep the tree nests.
    pub fn depth(&self) -> usize {
        1 + match &self.kind {
            ExprKind::Binary { lhs, rhs, .. } => lhs.depth().max(rhs.depth()),
            ExprKind::Not { item, .. }
            | ExprKind::Neg { item }
            | ExprKind::Nocase { item }
            | ExprKind::InList { item, .. }
            | ExprKind::Quantified { item, .. } => item.depth(),
            ExprKind::Call { args, .. } => args.iter().map(Expr::depth).max().unwrap_or(0),
            _ => 0,
        }
    }
}

/// A path's segments as text: `a.b["k"][0]`.
pub fn path_text(segments: &[Segment]) -> String {
    let mut s = String::new();
    for seg in segments {
        match seg {
            Segment::Field(f) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(f);
            }
            Segment::Key(k) => s.push_str(&format!("[{}]", crate::print::quote(k))),
            Segment::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

impl Name {
    fn clear(&mut self) {
        self.span = Span::new(0, 0);
    }
}

impl Rule {
    /// Set every span of the rule to `0..0`.
    pub fn clear_spans(&mut self) {
        self.span = Span::new(0, 0);
        self.name.clear();
        for m in self.meta.iter_mut().chain(self.options.iter_mut()) {
            m.key.clear();
            m.value_span = Span::new(0, 0);
        }
        self.events.iter_mut().for_each(Expr::clear_spans);
        if let Some(m) = &mut self.match_section {
            m.span = Span::new(0, 0);
            m.vars.iter_mut().for_each(Name::clear);
            if let Some((_, v)) = &mut m.pivot {
                v.clear();
            }
        }
        for a in &mut self.outcome {
            a.var.clear();
            a.value.clear_spans();
        }
        if let Some(c) = &mut self.condition {
            c.clear_spans();
        }
        for s in &mut self.sections {
            s.1 = Span::new(0, 0);
        }
    }

    /// The first `meta:` value of `key` (keys compared ignoring case).
    pub fn meta(&self, key: &str) -> Option<&MetaEntry> {
        self.meta.iter().find(|m| m.key.name.eq_ignore_ascii_case(key))
    }
}
