//! EQL → language-neutral stages and predicates: one stage per event query, sequence step,
//! missing step, `until` and sample step, each with its category and join keys.

use super::{Body, CmpOp, EventQuery, Expr, Field, Literal, MatchOp, Query, Relation, Step};
use crate::predicate::{Kind, Predicate, PredicateTree, Stage, StageRole, Value, classify, group};
use crate::query::Pattern;

/// The stages of an EQL query.
pub fn stages(q: &Query) -> Vec<Stage> {
    match &q.body {
        Body::Event(e) => vec![event_stage(StageRole::Query, e)],
        Body::Sequence(s) => {
            let by: Vec<String> = s.by.iter().map(|e| e.to_string()).collect();
            let mut out: Vec<Stage> = s
                .steps
                .iter()
                .map(|st| step_stage(if st.missing { StageRole::Missing } else { StageRole::Step }, st, &by))
                .collect();
            if let Some(u) = &s.until {
                out.push(step_stage(StageRole::Until, u, &by));
            }
            for st in &mut out {
                st.maxspan = s.maxspan.as_ref().map(|m| format!("{}{}", m.value, m.unit));
                st.maxspan_ms = s.maxspan.as_ref().and_then(super::Duration::millis);
            }
            out
        }
        Body::Sample(s) => {
            let by: Vec<String> = s.by.iter().map(|e| e.to_string()).collect();
            s.steps.iter().map(|st| step_stage(StageRole::Sample, st, &by)).collect()
        }
    }
}

fn event_stage(role: StageRole, e: &EventQuery) -> Stage {
    let mut st = Stage::new(role, Some(lower(&e.condition)), e.span);
    st.category = (!e.category.is_any()).then(|| e.category.name.clone());
    st
}

fn step_stage(role: StageRole, step: &Step, by: &[String]) -> Stage {
    let mut st = event_stage(role, &step.query);
    st.span = step.span;
    st.by = by.iter().cloned().chain(step.by.iter().map(|e| e.to_string())).collect();
    st.runs = step.runs;
    st.alias = step.alias.clone();
    st
}

/// The predicate tree of an EQL condition.
pub fn lower(e: &Expr) -> PredicateTree {
    Lower { array: None }.expr(e)
}

/// `_arraysearch(array, $entry, cond)`: inside `cond`, `$entry.x` is `array.x`.
struct Lower<'a> {
    array: Option<(&'a str, String)>,
}

fn opaque(e: &Expr) -> PredicateTree {
    PredicateTree::Opaque { text: e.to_string(), span: e.span() }
}

/// A constant as a value (`-5` included).
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

fn is_null(e: &Expr) -> bool {
    matches!(e, Expr::Literal { value: Literal::Null, .. })
}

impl Lower<'_> {
    fn field(&self, e: &Expr) -> Option<String> {
        let Expr::Field(Field { path, .. }) = e else { return None };
        if let Some((var, array)) = &self.array
            && path.first().is_some_and(|p| p == var)
        {
            let rest: Vec<&str> = path[1..].iter().map(String::as_str).collect();
            return Some(if rest.is_empty() { array.clone() } else { format!("{array}.{}", rest.join(".")) });
        }
        Some(path.join("."))
    }

    fn expr(&self, e: &Expr) -> PredicateTree {
        match e {
            Expr::Or { items, .. } => PredicateTree::or(items.iter().map(|i| self.expr(i)).collect()),
            Expr::And { items, .. } => PredicateTree::and(items.iter().map(|i| self.expr(i)).collect()),
            Expr::Not { expr, .. } => PredicateTree::negate(self.expr(expr)),
            Expr::Compare { left, op, right, span } => self.compare(e, left, *op, right, *span),
            Expr::Match { left, op, patterns, span } => {
                let Some(field) = self.field(left) else { return opaque(e) };
                let mut values = Vec::new();
                for p in patterns {
                    match (op, p) {
                        (
                            MatchOp::Regex | MatchOp::RegexInsensitive,
                            Expr::Literal { value: Literal::String(s), .. },
                        ) => {
                            values.push((Kind::RegexMatch, Value::String(s.clone())));
                        }
                        (_, Expr::Literal { value: Literal::String(s), .. }) => {
                            values.push(classify(&Pattern::from_wildcards(s, true)));
                        }
                        (_, other) => match value(other) {
                            Some(v) => values.push((Kind::Eq, v)),
                            None => return opaque(e),
                        },
                    }
                }
                group(Some(field), values, op.case_insensitive(), *span)
            }
            Expr::In { left, values, negated, case_insensitive, span } => {
                let Some(field) = self.field(left) else { return opaque(e) };
                let Some(values) = values.iter().map(value).collect::<Option<Vec<_>>>() else { return opaque(e) };
                let p = Predicate {
                    field: Some(field),
                    kind: Kind::In,
                    values,
                    case_insensitive: *case_insensitive,
                    span: *span,
                };
                if *negated { PredicateTree::negate(PredicateTree::Pred(p)) } else { PredicateTree::Pred(p) }
            }
            Expr::Call { name, case_insensitive, args, span } => self.call(e, name, *case_insensitive, args, *span),
            Expr::Lineage { relation, query, span } => PredicateTree::Related {
                relation: match relation {
                    Relation::Descendant => "descendant",
                    Relation::Child => "child",
                    Relation::Event => "event",
                }
                .to_string(),
                category: (!query.category.is_any()).then(|| query.category.name.clone()),
                tree: Box::new(self.expr(&query.condition)),
                span: *span,
            },
            _ => opaque(e),
        }
    }

    fn compare(&self, e: &Expr, left: &Expr, op: CmpOp, right: &Expr, span: crate::span::Span) -> PredicateTree {
        // `"x" == field` reads as `field == "x"`.
        let (field, other, op) = match (self.field(left), self.field(right)) {
            (Some(f), None) => (f, right, op),
            (None, Some(f)) => (f, left, flip(op)),
            _ => return opaque(e),
        };
        if is_null(other) {
            let exists = PredicateTree::Pred(Predicate {
                field: Some(field),
                kind: Kind::Exists,
                values: Vec::new(),
                case_insensitive: false,
                span,
            });
            return match op {
                CmpOp::Eq => PredicateTree::negate(exists),
                CmpOp::Ne => exists,
                _ => opaque(e),
            };
        }
        let Some(v) = value(other) else { return opaque(e) };
        let kind = match op {
            CmpOp::Eq => Kind::Eq,
            CmpOp::Ne => Kind::Ne,
            CmpOp::Lt => Kind::Lt,
            CmpOp::Le => Kind::Lte,
            CmpOp::Gt => Kind::Gt,
            CmpOp::Ge => Kind::Gte,
        };
        PredicateTree::Pred(Predicate { field: Some(field), kind, values: vec![v], case_insensitive: false, span })
    }

    fn call(&self, e: &Expr, name: &str, ci: bool, args: &[Expr], span: crate::span::Span) -> PredicateTree {
        let lname = name.to_ascii_lowercase();
        if lname == "_arraysearch" {
            if let [array, Expr::Field(var), cond] = args
                && let Some(array) = self.field(array)
                && var.path.len() == 1
            {
                return Lower { array: Some((var.path[0].as_str(), array)) }.expr(cond);
            }
            return opaque(e);
        }
        let kind = match lname.as_str() {
            "stringcontains" => Kind::Match,
            "startswith" => Kind::StartsWith,
            "endswith" => Kind::EndsWith,
            "cidrmatch" => Kind::Cidr,
            "wildcard" => Kind::Wildcard,
            _ => return opaque(e),
        };
        let [first, rest @ ..] = args else { return opaque(e) };
        let Some(field) = self.field(first) else { return opaque(e) };
        let Some(values) = rest.iter().map(value).collect::<Option<Vec<_>>>() else { return opaque(e) };
        if values.is_empty() {
            return opaque(e);
        }
        if kind == Kind::Wildcard {
            let values = values.iter().map(|v| classify(&Pattern::from_wildcards(&v.text(), true))).collect::<Vec<_>>();
            return group(Some(field), values, ci, span);
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
