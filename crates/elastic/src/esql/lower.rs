//! ES|QL → language-neutral predicates: the `WHERE` conditions that filter source documents,
//! that is every `WHERE` before the first `STATS` (after it rows are aggregates, not events)
//! and before any command this front end does not understand. A condition on a column that an
//! earlier `EVAL`, `GROK`, `DISSECT`, `RENAME` or `INLINE STATS` computed is not a source
//! field: it is kept as [`PredicateTree::Opaque`].

use std::collections::HashSet;

use super::{CmpOp, CommandBody, Expr, Literal, PatternOp, Query};
use crate::predicate::{Kind, Predicate, PredicateTree, Stage, StageRole, Value, classify, group};
use crate::query::Pattern;
use crate::span::Span;

/// The one stage of an ES|QL query: its source predicates.
pub fn stages(q: &Query) -> Vec<Stage> {
    vec![Stage::new(StageRole::Query, lower(q), q.span)]
}

/// The source predicates of an ES|QL query (the `WHERE`s before aggregation, AND-ed);
/// `None` when there is none.
pub fn lower(q: &Query) -> Option<PredicateTree> {
    let mut computed: HashSet<String> = HashSet::new();
    let mut items = Vec::new();
    for c in &q.commands {
        match &c.body {
            CommandBody::Where { condition } => items.push(Lower { computed: &computed }.expr(condition)),
            CommandBody::Eval { fields } => {
                computed.extend(fields.iter().filter_map(|a| a.name.as_ref().map(|n| n.name())));
            }
            CommandBody::Stats { aggregates, by } if c.name == "inline stats" => {
                computed.extend(aggregates.iter().chain(by).filter_map(|a| a.name.as_ref().map(|n| n.name())));
            }
            CommandBody::Stats { .. } | CommandBody::Other => break,
            CommandBody::Rename { pairs } => computed.extend(pairs.iter().map(|(_, new)| new.name())),
            CommandBody::Grok { pattern, .. } => computed.extend(grok_names(pattern)),
            CommandBody::Dissect { pattern, .. } => computed.extend(dissect_names(pattern)),
            CommandBody::Keep { .. }
            | CommandBody::Drop { .. }
            | CommandBody::Sort { .. }
            | CommandBody::Limit { .. }
            | CommandBody::MvExpand { .. } => {}
        }
    }
    (!items.is_empty()).then(|| PredicateTree::and(items))
}

/// Column names a grok pattern writes: `%{SYNTAX:name}`, `%{SYNTAX:name:type}`, `(?<name>…)`.
fn grok_names(pattern: &str) -> Vec<String> {
    let mut out = Vec::new();
    for part in pattern.split("%{").skip(1) {
        if let Some(body) = part.split('}').next() {
            let mut it = body.split(':');
            if let (Some(_), Some(name)) = (it.next(), it.next()) {
                out.push(name.to_string());
            }
        }
    }
    for part in pattern.split("(?<").skip(1) {
        if let Some(name) = part.split('>').next() {
            out.push(name.to_string());
        }
    }
    out
}

/// Column names a dissect pattern writes: `%{name}`, `%{+name}`, `%{name->}` (not `%{?skip}`).
fn dissect_names(pattern: &str) -> Vec<String> {
    pattern
        .split("%{")
        .skip(1)
        .filter_map(|part| part.split('}').next())
        .filter(|body| !body.starts_with('?') && !body.starts_with('*') && !body.starts_with('&'))
        .map(|body| body.trim_start_matches('+').trim_end_matches("->").split('/').next().unwrap_or("").to_string())
        .filter(|n| !n.is_empty())
        .collect()
}

struct Lower<'a> {
    computed: &'a HashSet<String>,
}

fn opaque(e: &Expr) -> PredicateTree {
    PredicateTree::Opaque { text: e.to_string(), span: e.span() }
}

fn value(e: &Expr) -> Option<Value> {
    match e {
        Expr::Literal { value: Literal::String(s), .. } => Some(Value::String(s.clone())),
        Expr::Literal { value: Literal::Number(n), .. } => Some(Value::Number(n.clone())),
        Expr::Literal { value: Literal::Bool(b), .. } => Some(Value::Bool(*b)),
        Expr::Neg { expr, .. } => match &**expr {
            Expr::Literal { value: Literal::Number(n), .. } => Some(Value::Number(format!("-{n}"))),
            _ => None,
        },
        _ => None,
    }
}

impl Lower<'_> {
    /// A source field, seen through `TO_LOWER`/`TO_UPPER` (which make the comparison
    /// case-insensitive): its name and whether case is ignored.
    fn field(&self, e: &Expr) -> Option<(String, bool)> {
        match e {
            Expr::Field(n) => {
                let name = n.name();
                (!self.computed.contains(&name)).then_some((name, false))
            }
            Expr::Call { name, args, .. }
                if args.len() == 1
                    && (name.eq_ignore_ascii_case("to_lower") || name.eq_ignore_ascii_case("to_upper")) =>
            {
                self.field(&args[0]).map(|(f, _)| (f, true))
            }
            _ => None,
        }
    }

    fn expr(&self, e: &Expr) -> PredicateTree {
        match e {
            Expr::Or { items, .. } => PredicateTree::or(items.iter().map(|i| self.expr(i)).collect()),
            Expr::And { items, .. } => PredicateTree::and(items.iter().map(|i| self.expr(i)).collect()),
            Expr::Not { expr, .. } => PredicateTree::negate(self.expr(expr)),
            Expr::Compare { left, op, right, span } => self.compare(e, left, *op, right, *span),
            Expr::Pattern { left, op, negated, patterns, span } => {
                let Some((field, ci)) = self.field(left) else { return opaque(e) };
                let mut values = Vec::new();
                for p in patterns {
                    let Expr::Literal { value: Literal::String(s), .. } = p else { return opaque(e) };
                    values.push(match op {
                        PatternOp::Like => classify(&Pattern::from_escaped_wildcards(s)),
                        PatternOp::Rlike => (Kind::RegexMatch, Value::String(s.clone())),
                    });
                }
                let t = group(Some(field), values, ci, *span);
                if *negated { PredicateTree::negate(t) } else { t }
            }
            Expr::In { left, values, negated, span } => {
                let Some((field, ci)) = self.field(left) else { return opaque(e) };
                let Some(values) = values.iter().map(value).collect::<Option<Vec<_>>>() else { return opaque(e) };
                let p = Predicate { field: Some(field), kind: Kind::In, values, case_insensitive: ci, span: *span };
                if *negated { PredicateTree::negate(PredicateTree::Pred(p)) } else { PredicateTree::Pred(p) }
            }
            Expr::IsNull { expr, negated, span } => {
                let Some((field, _)) = self.field(expr) else { return opaque(e) };
                let p = Predicate {
                    field: Some(field),
                    kind: Kind::Exists,
                    values: Vec::new(),
                    case_insensitive: false,
                    span: *span,
                };
                if *negated { PredicateTree::Pred(p) } else { PredicateTree::negate(PredicateTree::Pred(p)) }
            }
            Expr::MatchQuery { left, right, span } => {
                let (Some((field, _)), Some(v)) = (self.field(left), value(right)) else { return opaque(e) };
                PredicateTree::Pred(Predicate {
                    field: Some(field),
                    kind: Kind::Match,
                    values: vec![v],
                    case_insensitive: true,
                    span: *span,
                })
            }
            Expr::Call { name, args, span } => self.call(e, name, args, *span),
            _ => opaque(e),
        }
    }

    fn compare(&self, e: &Expr, left: &Expr, op: CmpOp, right: &Expr, span: Span) -> PredicateTree {
        let ((field, ci), other, op) = match (self.field(left), self.field(right)) {
            (Some(f), None) => (f, right, op),
            (None, Some(f)) => (f, left, flip(op)),
            _ => return opaque(e),
        };
        let Some(v) = value(other) else { return opaque(e) };
        let kind = match op {
            CmpOp::Eq => Kind::Eq,
            CmpOp::Ne => Kind::Ne,
            CmpOp::Lt => Kind::Lt,
            CmpOp::Le => Kind::Lte,
            CmpOp::Gt => Kind::Gt,
            CmpOp::Ge => Kind::Gte,
        };
        PredicateTree::Pred(Predicate { field: Some(field), kind, values: vec![v], case_insensitive: ci, span })
    }

    fn call(&self, e: &Expr, name: &str, args: &[Expr], span: Span) -> PredicateTree {
        let kind = match name.to_ascii_lowercase().as_str() {
            "starts_with" => Kind::StartsWith,
            "ends_with" => Kind::EndsWith,
            "cidr_match" => Kind::Cidr,
            _ => return opaque(e),
        };
        let [first, rest @ ..] = args else { return opaque(e) };
        let Some((field, ci)) = self.field(first) else { return opaque(e) };
        let Some(values) = rest.iter().map(value).collect::<Option<Vec<_>>>() else { return opaque(e) };
        if values.is_empty() {
            return opaque(e);
        }
        PredicateTree::Pred(Predicate { field: Some(field), kind, values, case_insensitive: ci, span })
    }
}

fn flip(op: CmpOp) -> CmpOp {
    match op {
        CmpOp::Lt => CmpOp::Gt,
        CmpOp::Le => CmpOp::Ge,
        CmpOp::Gt => CmpOp::Lt,
        CmpOp::Ge => CmpOp::Le,
        other => other,
    }
}
