//! A rule's `events:` as language-neutral predicates: one stage per event variable (`$e`),
//! each an AND of the statements about that variable only; placeholder joins (`$e.f = $user`,
//! `$e1.f = $e2.g`) as [`Join`]s; `match:` and `condition:` kept beside.
//!
//! Leaves: a UDM field (the path after the event variable, `target.process.command_line`)
//! compared with values. `=` with a string is `eq`, with `/regex/` `regex_match`; `!=` is
//! `ne` (`!= ""` is `exists`); `<`/`>`… compare numbers; `strings.contains`,
//! `strings.starts_with`, `strings.ends_with`, `re.regex`, `net.ip_in_range_cidr` are
//! `match`, `starts_with`, `ends_with`, `regex_match`, `cidr`; `in %list` is `in_list`.
//! `nocase`, `strings.to_lower(…)`/`to_upper(…)` make the comparison case-insensitive. What
//! has no field-and-values reading (arithmetic, a comparison of two computed values, an
//! unknown function) is an [`PredicateTree::Opaque`] leaf with its canonical text: never
//! dropped.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::Span;
use crate::ast::{BinOp, Expr, ExprKind, Rule};
use crate::print::expr_to_string;

/// How a predicate compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Equal.
    Eq,
    /// Not equal.
    Ne,
    /// Contains.
    Match,
    /// Starts with.
    StartsWith,
    /// Ends with.
    EndsWith,
    /// Matches a regular expression (anywhere in the value, as YARA-L's regexes do).
    RegexMatch,
    /// An address in the network.
    Cidr,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// Has a value (`!= ""`).
    Exists,
    /// In a reference list (the value names it: `%list`, `regex %list`, `cidr %list`).
    InList,
}

impl Kind {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Eq => "eq",
            Kind::Ne => "ne",
            Kind::Match => "match",
            Kind::StartsWith => "starts_with",
            Kind::EndsWith => "ends_with",
            Kind::RegexMatch => "regex_match",
            Kind::Cidr => "cidr",
            Kind::Gt => "gt",
            Kind::Gte => "gte",
            Kind::Lt => "lt",
            Kind::Lte => "lte",
            Kind::Exists => "exists",
            Kind::InList => "in_list",
        }
    }
}

/// A field compared with values.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Predicate {
    /// The UDM field after the event variable (`target.process.command_line`).
    pub field: String,
    /// The comparison.
    pub kind: Kind,
    /// The values (any of them matches).
    pub values: Vec<String>,
    /// Compared ignoring case.
    pub case_insensitive: bool,
    /// Where the comparison is in the file.
    pub span: Span,
}

/// A predicate tree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PredicateTree {
    /// Every item.
    And {
        /// Items.
        items: Vec<PredicateTree>,
    },
    /// Any item.
    Or {
        /// Items.
        items: Vec<PredicateTree>,
    },
    /// Not the item.
    Not {
        /// The excluded tree.
        item: Box<PredicateTree>,
    },
    /// A field compared with values.
    Pred(Predicate),
    /// A condition with no field-and-values reading, as canonical text.
    Opaque {
        /// The text.
        text: String,
        /// Where.
        span: Span,
    },
}

impl PredicateTree {
    fn and(mut items: Vec<PredicateTree>) -> PredicateTree {
        if items.len() == 1 { items.pop().expect("one item") } else { PredicateTree::And { items } }
    }

    /// Every leaf predicate with whether it sits under an odd number of `not`s.
    pub fn predicates(&self) -> Vec<(&Predicate, bool)> {
        let mut out = Vec::new();
        self.walk(false, &mut out);
        out
    }

    fn walk<'a>(&'a self, negated: bool, out: &mut Vec<(&'a Predicate, bool)>) {
        match self {
            PredicateTree::And { items } | PredicateTree::Or { items } => {
                items.iter().for_each(|i| i.walk(negated, out));
            }
            PredicateTree::Not { item } => item.walk(!negated, out),
            PredicateTree::Pred(p) => out.push((p, negated)),
            PredicateTree::Opaque { .. } => {}
        }
    }
}

/// One side of a join: an event variable's field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct JoinSide {
    /// The event variable (without `$`).
    pub var: String,
    /// The UDM field.
    pub field: String,
}

/// Events joined on equal values: through a placeholder (`$e.f = $user`, the sides are every
/// field that sets `$user`) or directly (`$e1.f = $e2.g`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Join {
    /// The placeholder (without `$`), when the join is through one.
    pub placeholder: Option<String>,
    /// The fields whose values must be equal.
    pub sides: Vec<JoinSide>,
    /// Where the (first) statement is.
    pub span: Span,
}

/// The predicates of one event variable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// The event variable (without `$`); `None` for statements about several events.
    pub var: Option<String>,
    /// Its statements, ANDed.
    pub tree: PredicateTree,
    /// From the first statement's start to the last one's end.
    pub span: Span,
}

/// A rule's events, lowered.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Lowered {
    /// One stage per event variable, in order of first use; then a stage for statements about
    /// several events, if any.
    pub stages: Vec<Stage>,
    /// Placeholder and direct joins.
    pub joins: Vec<Join>,
}

/// Event variables (paths with a field) that `e` reads.
fn event_vars(e: &Expr, out: &mut BTreeSet<String>) {
    match &e.kind {
        ExprKind::Path { var, segments } if !segments.is_empty() => {
            out.insert(var.clone());
        }
        ExprKind::Binary { lhs, rhs, .. } => {
            event_vars(lhs, out);
            event_vars(rhs, out);
        }
        ExprKind::Not { item, .. }
        | ExprKind::Neg { item }
        | ExprKind::Nocase { item }
        | ExprKind::InList { item, .. }
        | ExprKind::Quantified { item, .. } => event_vars(item, out),
        ExprKind::Call { args, .. } => args.iter().for_each(|a| event_vars(a, out)),
        _ => {}
    }
}

fn first_var(e: &Expr) -> Option<String> {
    let mut order = Vec::new();
    first_vars(e, &mut order);
    order.into_iter().next()
}

fn first_vars(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Path { var, segments } if !segments.is_empty() && !out.contains(var) => out.push(var.clone()),
        ExprKind::Binary { lhs, rhs, .. } => {
            first_vars(lhs, out);
            first_vars(rhs, out);
        }
        ExprKind::Not { item, .. }
        | ExprKind::Neg { item }
        | ExprKind::Nocase { item }
        | ExprKind::InList { item, .. }
        | ExprKind::Quantified { item, .. } => first_vars(item, out),
        ExprKind::Call { args, .. } => args.iter().for_each(|a| first_vars(a, out)),
        _ => {}
    }
}

/// A join statement: `path = $placeholder` (either way round) or `$a.f = $b.g`.
fn as_join(e: &Expr) -> Option<(Option<String>, Vec<JoinSide>)> {
    let ExprKind::Binary { op: BinOp::Eq, lhs, rhs } = &e.kind else { return None };
    let side = |x: &Expr| x.field_path().map(|(v, f)| JoinSide { var: v.to_string(), field: f });
    let placeholder = |x: &Expr| match &x.kind {
        ExprKind::Path { var, segments } if segments.is_empty() => Some(var.clone()),
        _ => None,
    };
    match (side(lhs), side(rhs)) {
        (Some(a), Some(b)) if a.var != b.var => Some((None, vec![a, b])),
        (Some(a), None) => placeholder(rhs).map(|p| (Some(p), vec![a])),
        (None, Some(b)) => placeholder(lhs).map(|p| (Some(p), vec![b])),
        _ => None,
    }
}

/// Lower a rule's `events:`.
pub fn lower(rule: &Rule) -> Lowered {
    let mut out = Lowered::default();
    let mut order: Vec<String> = Vec::new();
    let mut per_var: Vec<(String, Vec<&Expr>)> = Vec::new();
    let mut several: Vec<&Expr> = Vec::new();
    for e in &rule.events {
        if let Some((placeholder, sides)) = as_join(e) {
            match placeholder.as_ref().and_then(|p| out.joins.iter_mut().find(|j| j.placeholder.as_ref() == Some(p))) {
                Some(j) => {
                    for s in sides {
                        if !j.sides.contains(&s) {
                            j.sides.push(s);
                        }
                    }
                }
                None => out.joins.push(Join { placeholder, sides, span: e.span }),
            }
            continue;
        }
        let mut vars = BTreeSet::new();
        event_vars(e, &mut vars);
        if vars.len() == 1 {
            let v = first_var(e).unwrap_or_default();
            if !order.contains(&v) {
                order.push(v.clone());
                per_var.push((v.clone(), Vec::new()));
            }
            if let Some(slot) = per_var.iter_mut().find(|(x, _)| *x == v) {
                slot.1.push(e);
            }
        } else {
            several.push(e);
        }
    }
    for (var, exprs) in per_var {
        out.stages.push(stage(Some(var), &exprs));
    }
    if !several.is_empty() {
        out.stages.push(stage(None, &several));
    }
    out
}

fn stage(var: Option<String>, exprs: &[&Expr]) -> Stage {
    let span = Span::new(exprs.first().map_or(0, |e| e.span.start), exprs.last().map_or(0, |e| e.span.end));
    let tree = PredicateTree::and(exprs.iter().map(|e| lower_expr(e, false)).collect());
    Stage { var, tree, span }
}

/// The field a comparison reads, and whether a case-folding function wraps it.
fn field_of(e: &Expr) -> Option<(String, bool)> {
    match &e.kind {
        ExprKind::Path { segments, .. } if !segments.is_empty() => e.field_path().map(|(_, f)| (f, false)),
        ExprKind::Call { name, args }
            if args.len() == 1 && matches!(name.as_str(), "strings.to_lower" | "strings.to_upper") =>
        {
            field_of(&args[0]).map(|(f, _)| (f, true))
        }
        _ => None,
    }
}

/// A literal value and whether it is a regex.
fn value_of(e: &Expr) -> Option<(String, bool)> {
    match &e.kind {
        ExprKind::Str { value, .. } => Some((value.clone(), false)),
        ExprKind::Regex { pattern } => Some((pattern.clone(), true)),
        ExprKind::Number { value } => Some((value.clone(), false)),
        ExprKind::Neg { item } => match &item.kind {
            ExprKind::Number { value } => Some((format!("-{value}"), false)),
            _ => None,
        },
        ExprKind::Bool { value } => Some((value.to_string(), false)),
        _ => None,
    }
}

fn pred(field: String, kind: Kind, value: String, case_insensitive: bool, span: Span) -> PredicateTree {
    PredicateTree::Pred(Predicate { field, kind, values: vec![value], case_insensitive, span })
}

fn opaque(e: &Expr) -> PredicateTree {
    PredicateTree::Opaque { text: expr_to_string(e), span: e.span }
}

/// A boolean function call as a predicate (`strings.contains($e.f, "x")`).
fn call_pred(e: &Expr, ci: bool) -> Option<PredicateTree> {
    let ExprKind::Call { name, args } = &e.kind else { return None };
    let kind = match name.as_str() {
        "strings.contains" => Kind::Match,
        "strings.starts_with" => Kind::StartsWith,
        "strings.ends_with" => Kind::EndsWith,
        "re.regex" => Kind::RegexMatch,
        "net.ip_in_range_cidr" => Kind::Cidr,
        _ => return None,
    };
    let [field, value] = args.as_slice() else { return None };
    let (field, folded) = field_of(field)?;
    let (value, _) = value_of(value)?;
    Some(pred(field, kind, value, ci || folded, e.span))
}

/// Lower one expression of `events:`.
pub fn lower_expr(e: &Expr, ci: bool) -> PredicateTree {
    match &e.kind {
        ExprKind::Binary { op: op @ (BinOp::And | BinOp::Or), .. } => {
            let mut items = Vec::new();
            flatten(e, *op, ci, &mut items);
            if *op == BinOp::And { PredicateTree::And { items } } else { PredicateTree::Or { items } }
        }
        ExprKind::Not { item, .. } => PredicateTree::Not { item: Box::new(lower_expr(item, ci)) },
        ExprKind::Nocase { item } => lower_expr(item, true),
        ExprKind::Quantified { item, .. } => lower_expr(item, ci),
        ExprKind::InList { item, mode, list } => match field_of(item) {
            Some((field, folded)) => {
                let value = match mode {
                    Some(m) => format!("{m} %{list}"),
                    None => format!("%{list}"),
                };
                pred(field, Kind::InList, value, ci || folded, e.span)
            }
            None => opaque(e),
        },
        ExprKind::Call { .. } => call_pred(e, ci).unwrap_or_else(|| opaque(e)),
        ExprKind::Binary { op, lhs, rhs } if op.is_comparison() => comparison(e, *op, lhs, rhs, ci),
        _ => opaque(e),
    }
}

fn flatten(e: &Expr, op: BinOp, ci: bool, out: &mut Vec<PredicateTree>) {
    match &e.kind {
        ExprKind::Binary { op: o, lhs, rhs } if *o == op => {
            flatten(lhs, op, ci, out);
            flatten(rhs, op, ci, out);
        }
        _ => out.push(lower_expr(e, ci)),
    }
}

fn comparison(e: &Expr, op: BinOp, lhs: &Expr, rhs: &Expr, ci: bool) -> PredicateTree {
    // `strings.contains(…) = true`, `re.regex(…) = false`.
    for (call, other) in [(lhs, rhs), (rhs, lhs)] {
        if let (Some(p), ExprKind::Bool { value }) = (call_pred(call, ci), &other.kind) {
            let positive = (op == BinOp::Eq) == *value;
            return if positive { p } else { PredicateTree::Not { item: Box::new(p) } };
        }
    }
    let (field, value, op) = match (field_of(lhs), value_of(rhs), field_of(rhs), value_of(lhs)) {
        (Some(f), Some(v), _, _) => (f, v, op),
        (_, _, Some(f), Some(v)) => (
            f,
            v,
            match op {
                BinOp::Lt => BinOp::Gt,
                BinOp::Le => BinOp::Ge,
                BinOp::Gt => BinOp::Lt,
                BinOp::Ge => BinOp::Le,
                o => o,
            },
        ),
        _ => return opaque(e),
    };
    let ((field, folded), (value, regex)) = (field, value);
    let ci = ci || folded;
    match (op, regex) {
        (BinOp::Eq, true) => pred(field, Kind::RegexMatch, value, ci, e.span),
        (BinOp::Ne, true) => PredicateTree::Not { item: Box::new(pred(field, Kind::RegexMatch, value, ci, e.span)) },
        (BinOp::Eq, false) => pred(field, Kind::Eq, value, ci, e.span),
        (BinOp::Ne, false) if value.is_empty() => PredicateTree::Pred(Predicate {
            field,
            kind: Kind::Exists,
            values: Vec::new(),
            case_insensitive: false,
            span: e.span,
        }),
        (BinOp::Ne, false) => pred(field, Kind::Ne, value, ci, e.span),
        (BinOp::Gt, false) => pred(field, Kind::Gt, value, ci, e.span),
        (BinOp::Ge, false) => pred(field, Kind::Gte, value, ci, e.span),
        (BinOp::Lt, false) => pred(field, Kind::Lt, value, ci, e.span),
        (BinOp::Le, false) => pred(field, Kind::Lte, value, ci, e.span),
        _ => opaque(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;

    fn lowered(events: &str) -> Lowered {
        let text = format!("rule r {{\n events:\n{events}\n condition:\n  $e\n}}\n");
        let f = parse_file(&text);
        assert!(f.rules[0].errors.is_empty(), "{:?}", f.rules[0].errors);
        lower(&f.rules[0].rule)
    }

    fn leaf(t: &PredicateTree) -> (&str, Kind, &[String], bool) {
        let PredicateTree::Pred(p) = t else { panic!("not a leaf: {t:?}") };
        (&p.field, p.kind, &p.values, p.case_insensitive)
    }

    #[test]
    fn statements_of_one_event_are_anded_in_its_stage() {
        let l = lowered(
            "$e.metadata.event_type = \"PROCESS_LAUNCH\"\n$e.target.process.file.full_path = /cmd\\.exe$/ nocase",
        );
        assert_eq!(l.stages.len(), 1);
        assert_eq!(l.stages[0].var.as_deref(), Some("e"));
        let PredicateTree::And { items } = &l.stages[0].tree else { panic!() };
        assert_eq!(leaf(&items[0]), ("metadata.event_type", Kind::Eq, &["PROCESS_LAUNCH".to_string()][..], false));
        assert_eq!(
            leaf(&items[1]),
            ("target.process.file.full_path", Kind::RegexMatch, &["cmd\\.exe$".to_string()][..], true)
        );
    }

    #[test]
    fn functions_become_their_comparisons() {
        let l = lowered(
            "strings.contains(strings.to_lower($e.target.process.command_line), \" -u \")\n\
             not re.regex($e.principal.hostname, `^srv`)\n\
             net.ip_in_range_cidr($e.principal.ip, \"10.0.0.0/8\")\n\
             $e.target.hostname != \"\"\n\
             $e.target.user.userid in %admins",
        );
        let PredicateTree::And { items } = &l.stages[0].tree else { panic!() };
        assert_eq!(leaf(&items[0]).1, Kind::Match);
        assert!(leaf(&items[0]).3, "to_lower makes it case-insensitive");
        let PredicateTree::Not { item } = &items[1] else { panic!() };
        assert_eq!(leaf(item).1, Kind::RegexMatch);
        assert_eq!(leaf(&items[2]).1, Kind::Cidr);
        assert_eq!(leaf(&items[3]).1, Kind::Exists);
        assert_eq!(leaf(&items[4]), ("target.user.userid", Kind::InList, &["%admins".to_string()][..], false));
    }

    #[test]
    fn placeholders_and_field_equalities_are_joins() {
        let l = lowered(
            "$a.principal.user.userid = $user\n$b.target.user.userid = $user\n$a.target.ip = $b.principal.ip\n$a.metadata.event_type = \"USER_LOGIN\"",
        );
        assert_eq!(l.joins.len(), 2);
        assert_eq!(l.joins[0].placeholder.as_deref(), Some("user"));
        assert_eq!(l.joins[0].sides.len(), 2);
        assert_eq!(l.joins[1].placeholder, None);
        assert_eq!(l.stages.len(), 1);
    }

    #[test]
    fn what_has_no_field_reading_is_kept_as_text() {
        let l = lowered("$a.metadata.event_timestamp.seconds - $b.metadata.event_timestamp.seconds > 300");
        assert_eq!(l.stages[0].var, None);
        let PredicateTree::Opaque { text, .. } = &l.stages[0].tree else { panic!() };
        assert_eq!(text, "$a.metadata.event_timestamp.seconds - $b.metadata.event_timestamp.seconds > 300");
    }
}
