//! The language-neutral result of reading a Panther detection: stages, each with a predicate
//! tree whose leaves say "this field, compared this way, with these values".
//!
//! Fields are dotted paths into the event as Panther's Python reads them
//! (`event.deep_get("outcome", "result")` → `outcome.result`), or, for a data-model name that
//! no `Path` mapping resolves (`event.udm("actor_user")` with a `Method` mapping), the UDM name
//! marked by [`Predicate::udm`]. What has no field-and-values reading (a call to a helper that
//! is no plain comparison, a loop, a computation) is kept as [`PredicateTree::Opaque`] with its
//! source text: never dropped.
//!
//! The printer ([`std::fmt::Display`]) writes a tree as the Python boolean expression it stands
//! for (`event.deep_get("a", "b") == "x" and not ...`), which [`crate::python::lower_expr`]
//! reads back into the same tree: the round trip the tests check.

use std::fmt;

pub use detwiki_diagnostics::Span;

/// How a predicate compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    /// Equal to the value (`==`).
    Eq,
    /// Not equal to the value (`!=`).
    Ne,
    /// Equal to one of the values (`in {…}`, `in […]`, `in (…)`).
    In,
    /// Contains the value (`"x" in field`).
    Contains,
    /// Starts with one of the values (`.startswith()`).
    StartsWith,
    /// Ends with one of the values (`.endswith()`).
    EndsWith,
    /// A regular expression finds a match (`re.search`, `re.match`, a compiled pattern).
    Regex,
    /// A shell wildcard (`fnmatch`).
    Wildcard,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// The field has a value (`is not None`, or the field's truth).
    Exists,
}

impl Kind {
    /// A short name (`eq`, `starts_with` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Eq => "eq",
            Kind::Ne => "ne",
            Kind::In => "in",
            Kind::Contains => "contains",
            Kind::StartsWith => "starts_with",
            Kind::EndsWith => "ends_with",
            Kind::Regex => "regex",
            Kind::Wildcard => "wildcard",
            Kind::Gt => "gt",
            Kind::Gte => "gte",
            Kind::Lt => "lt",
            Kind::Lte => "lte",
            Kind::Exists => "exists",
        }
    }
}

/// A value compared with.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    /// A string.
    Str(String),
    /// A number as written.
    Number(String),
    /// A boolean.
    Bool(bool),
    /// Python's `None`.
    None,
}

impl Value {
    /// The value as text.
    pub fn text(&self) -> String {
        match self {
            Value::Str(s) | Value::Number(s) => s.clone(),
            Value::Bool(b) => if *b { "True" } else { "False" }.to_string(),
            Value::None => "None".to_string(),
        }
    }
}

/// A leaf: a field compared with values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Predicate {
    /// The field: a dotted path into the event, or a UDM name when [`Predicate::udm`] is set
    /// and no data model resolves it to a path.
    pub field: String,
    /// The data-model name the rule wrote (`event.udm("source_ip")`), when it used one.
    pub udm: Option<String>,
    /// The comparison.
    pub kind: Kind,
    /// The values (none for `exists`); any of them matches.
    pub values: Vec<Value>,
    /// Compared ignoring case (the field was `.lower()`ed or `.upper()`ed).
    pub case_insensitive: bool,
    /// Where the comparison is, in the file it was read from (the Python file, or the YAML
    /// file for a simple detection).
    pub span: Span,
}

/// A predicate tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PredicateTree {
    /// All must hold.
    And(Vec<PredicateTree>),
    /// Any must hold.
    Or(Vec<PredicateTree>),
    /// Must not hold.
    Not(Box<PredicateTree>),
    /// A comparison.
    Pred(Predicate),
    /// A constant result (`return True`: every event of the log types alerts).
    Bool(bool),
    /// Logic with no field-and-values reading, as written.
    Opaque {
        /// The source text.
        text: String,
        /// Where it is.
        span: Span,
    },
}

impl PredicateTree {
    /// Every predicate with whether it sits under an odd number of `not`s (an exclusion).
    pub fn predicates(&self) -> Vec<(&Predicate, bool)> {
        let mut out = Vec::new();
        fn walk<'a>(t: &'a PredicateTree, neg: bool, out: &mut Vec<(&'a Predicate, bool)>) {
            match t {
                PredicateTree::And(items) | PredicateTree::Or(items) => {
                    items.iter().for_each(|i| walk(i, neg, out));
                }
                PredicateTree::Not(i) => walk(i, !neg, out),
                PredicateTree::Pred(p) => out.push((p, neg)),
                PredicateTree::Bool(_) | PredicateTree::Opaque { .. } => {}
            }
        }
        walk(self, false, &mut out);
        out
    }

    /// The opaque parts' texts, in order.
    pub fn opaque(&self) -> Vec<&str> {
        let mut out = Vec::new();
        fn walk<'a>(t: &'a PredicateTree, out: &mut Vec<&'a str>) {
            match t {
                PredicateTree::And(items) | PredicateTree::Or(items) => items.iter().for_each(|i| walk(i, out)),
                PredicateTree::Not(i) => walk(i, out),
                PredicateTree::Opaque { text, .. } => out.push(text),
                _ => {}
            }
        }
        walk(self, &mut out);
        out
    }

    /// Number of nodes.
    pub fn size(&self) -> usize {
        match self {
            PredicateTree::And(items) | PredicateTree::Or(items) => 1 + items.iter().map(|i| i.size()).sum::<usize>(),
            PredicateTree::Not(i) => 1 + i.size(),
            _ => 1,
        }
    }

    /// The tree with spans zeroed, in the lowering's normal form ([`simplify`]): what a round
    /// trip must preserve.
    pub fn normalized(&self) -> PredicateTree {
        simplify(self.zero_spans())
    }

    fn zero_spans(&self) -> PredicateTree {
        match self {
            PredicateTree::And(items) => PredicateTree::And(items.iter().map(|i| i.zero_spans()).collect()),
            PredicateTree::Or(items) => PredicateTree::Or(items.iter().map(|i| i.zero_spans()).collect()),
            PredicateTree::Not(i) => PredicateTree::Not(Box::new(i.zero_spans())),
            PredicateTree::Pred(p) => PredicateTree::Pred(Predicate { span: Span::default(), ..p.clone() }),
            PredicateTree::Bool(b) => PredicateTree::Bool(*b),
            PredicateTree::Opaque { text, .. } => PredicateTree::Opaque { text: text.clone(), span: Span::default() },
        }
    }
}

/// The tree with constants folded (`x and True` → `x`, `not not x` → `x`) and groups
/// flattened: the form the lowering produces.
pub fn simplify(t: PredicateTree) -> PredicateTree {
    match t {
        PredicateTree::And(items) => {
            let mut out = Vec::new();
            for i in items.into_iter().map(simplify) {
                match i {
                    PredicateTree::Bool(true) => {}
                    PredicateTree::Bool(false) => return PredicateTree::Bool(false),
                    other => out.push(other),
                }
            }
            if out.is_empty() { PredicateTree::Bool(true) } else { group(true, out) }
        }
        PredicateTree::Or(items) => {
            let mut out = Vec::new();
            for i in items.into_iter().map(simplify) {
                match i {
                    PredicateTree::Bool(false) => {}
                    PredicateTree::Bool(true) => return PredicateTree::Bool(true),
                    other => out.push(other),
                }
            }
            if out.is_empty() { PredicateTree::Bool(false) } else { group(false, out) }
        }
        PredicateTree::Not(i) => match simplify(*i) {
            PredicateTree::Bool(b) => PredicateTree::Bool(!b),
            PredicateTree::Not(inner) => *inner,
            other => PredicateTree::Not(Box::new(other)),
        },
        other => other,
    }
}

/// `and`/`or` of `items`, nested groups of the same operator flattened, one item unwrapped.
pub fn group(and: bool, items: Vec<PredicateTree>) -> PredicateTree {
    let mut flat = Vec::with_capacity(items.len());
    for i in items {
        match (and, i) {
            (true, PredicateTree::And(inner)) | (false, PredicateTree::Or(inner)) => flat.extend(inner),
            (_, other) => flat.push(other),
        }
    }
    if flat.len() == 1 {
        return flat.pop().unwrap_or(PredicateTree::Bool(and));
    }
    if and { PredicateTree::And(flat) } else { PredicateTree::Or(flat) }
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Str(s) => f.write_str(&quote(s)),
            Value::Number(n) => f.write_str(n),
            Value::Bool(_) | Value::None => f.write_str(&self.text()),
        }
    }
}

fn field_expr(p: &Predicate) -> String {
    let mut s = match &p.udm {
        Some(name) => format!("event.udm({})", quote(name)),
        None => {
            let keys: Vec<String> = p.field.split('.').map(quote).collect();
            if keys.len() == 1 {
                format!("event.get({})", keys[0])
            } else {
                format!("event.deep_get({})", keys.join(", "))
            }
        }
    };
    if p.case_insensitive {
        s.push_str(".lower()");
    }
    s
}

fn tuple(values: &[Value]) -> String {
    let items: Vec<String> = values.iter().map(|v| v.to_string()).collect();
    if items.len() == 1 { format!("({},)", items[0]) } else { format!("({})", items.join(", ")) }
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let field = field_expr(self);
        let one = |op: &str, f: &mut fmt::Formatter<'_>| match self.values.as_slice() {
            [v] => write!(f, "{field} {op} {v}"),
            _ => write!(f, "{field} {op} {}", tuple(&self.values)),
        };
        match self.kind {
            Kind::Eq => one("==", f),
            Kind::Ne => one("!=", f),
            Kind::Gt => one(">", f),
            Kind::Gte => one(">=", f),
            Kind::Lt => one("<", f),
            Kind::Lte => one("<=", f),
            Kind::In => write!(f, "{field} in {}", tuple(&self.values)),
            Kind::Contains => match self.values.as_slice() {
                [v] => write!(f, "{v} in {field}"),
                vs => write!(f, "any(x in {field} for x in {})", tuple(vs)),
            },
            Kind::StartsWith => match self.values.as_slice() {
                [v] => write!(f, "{field}.startswith({v})"),
                vs => write!(f, "{field}.startswith({})", tuple(vs)),
            },
            Kind::EndsWith => match self.values.as_slice() {
                [v] => write!(f, "{field}.endswith({v})"),
                vs => write!(f, "{field}.endswith({})", tuple(vs)),
            },
            Kind::Regex => match self.values.as_slice() {
                [v] => write!(f, "re.search({v}, {field})"),
                vs => write!(f, "any(re.search(x, {field}) for x in {})", tuple(vs)),
            },
            Kind::Wildcard => match self.values.as_slice() {
                [v] => write!(f, "fnmatch({field}, {v})"),
                vs => write!(f, "any(fnmatch({field}, x) for x in {})", tuple(vs)),
            },
            Kind::Exists => write!(f, "{field} is not None"),
        }
    }
}

impl fmt::Display for PredicateTree {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PredicateTree::And(items) | PredicateTree::Or(items) => {
                let op = if matches!(self, PredicateTree::And(_)) { " and " } else { " or " };
                f.write_str("(")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(op)?;
                    }
                    write!(f, "{item}")?;
                }
                f.write_str(")")
            }
            PredicateTree::Not(i) => write!(f, "not ({i})"),
            PredicateTree::Pred(p) => write!(f, "{p}"),
            PredicateTree::Bool(b) => f.write_str(if *b { "True" } else { "False" }),
            PredicateTree::Opaque { text, .. } => write!(f, "__opaque__({})", quote(text)),
        }
    }
}

/// What a stage is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StageRole {
    /// The rule's own logic (the Python `rule()` function or a simple detection).
    Rule,
    /// A step of a correlation rule: another rule's alerts, by its RuleID.
    Step,
}

/// One stage of a detection.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Stage {
    /// What it is.
    pub role: StageRole,
    /// A short label (`rule()`, `sequence step 1: Okta.Login.Success`).
    pub label: String,
    /// Its predicates, when it has any reading.
    pub tree: Option<PredicateTree>,
}
