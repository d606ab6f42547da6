//! KQL → language-neutral predicates. KQL compares keyword fields exactly and case-sensitively
//! (`case_insensitive` is false); an unquoted value's `*` are wildcards, a quoted value is a
//! phrase (`eq`).

use super::{Expr, Literal, LiteralKind, Query, RangeOp, ValueExpr};
use crate::predicate::{Kind, Predicate, PredicateTree, Stage, StageRole, Value, classify, group};
use crate::span::Span;

/// The one stage of a KQL query.
pub fn stages(q: &Query, span: Span) -> Vec<Stage> {
    vec![Stage::new(StageRole::Query, lower(q), span)]
}

/// The predicate tree of a KQL query; `None` for the empty query.
pub fn lower(q: &Query) -> Option<PredicateTree> {
    q.root.as_ref().map(|e| expr(e, ""))
}

fn field_name(prefix: &str, f: &Literal) -> String {
    if prefix.is_empty() { f.text() } else { format!("{prefix}.{}", f.text()) }
}

fn expr(e: &Expr, prefix: &str) -> PredicateTree {
    match e {
        Expr::Or { items, .. } => PredicateTree::or(items.iter().map(|i| expr(i, prefix)).collect()),
        Expr::And { items, .. } => PredicateTree::and(items.iter().map(|i| expr(i, prefix)).collect()),
        Expr::Not { expr: inner, .. } => PredicateTree::negate(expr(inner, prefix)),
        Expr::Match { field, values, span } => value_expr(&field_name(prefix, field), values, *span),
        Expr::Range { field, op, value, span } => {
            let kind = match op {
                RangeOp::Lt => Kind::Lt,
                RangeOp::Lte => Kind::Lte,
                RangeOp::Gt => Kind::Gt,
                RangeOp::Gte => Kind::Gte,
            };
            leaf(Some(field_name(prefix, field)), kind, vec![Value::String(value.text())], *span)
        }
        Expr::Exists { field, span } => leaf(Some(field_name(prefix, field)), Kind::Exists, Vec::new(), *span),
        Expr::Nested { field, query, .. } => expr(query, &field_name(prefix, field)),
        Expr::FreeText { value, span } => {
            let (kind, v) = literal(value);
            leaf(None, kind, vec![v], *span)
        }
    }
}

fn leaf(field: Option<String>, kind: Kind, values: Vec<Value>, span: Span) -> PredicateTree {
    PredicateTree::Pred(Predicate { field, kind, values, case_insensitive: false, span })
}

fn literal(l: &Literal) -> (Kind, Value) {
    match &l.kind {
        LiteralKind::Quoted(s) => (Kind::Eq, Value::String(s.clone())),
        LiteralKind::Unquoted(p) => classify(p),
    }
}

/// `field:(a or b*)`: plain alternatives grouped into one `in`, the others one leaf per kind.
fn value_expr(field: &str, v: &ValueExpr, span: Span) -> PredicateTree {
    match v {
        ValueExpr::Value { value } => {
            let (kind, val) = literal(value);
            leaf(Some(field.to_string()), kind, vec![val], span)
        }
        ValueExpr::Or { items, .. } if items.iter().all(|i| matches!(i, ValueExpr::Value { .. })) => {
            let values = items
                .iter()
                .filter_map(|i| match i {
                    ValueExpr::Value { value } => Some(literal(value)),
                    _ => None,
                })
                .collect();
            group(Some(field.to_string()), values, false, span)
        }
        ValueExpr::Or { items, .. } => PredicateTree::or(items.iter().map(|i| value_expr(field, i, span)).collect()),
        ValueExpr::And { items, .. } => PredicateTree::and(items.iter().map(|i| value_expr(field, i, span)).collect()),
        ValueExpr::Not { expr, .. } => PredicateTree::negate(value_expr(field, expr, span)),
    }
}
