//! A parsed query → stages and predicate trees ([`crate::predicate`]).
//!
//! `let` statements are resolved: a scalar `let` (`let procs = dynamic(["a.exe"]);`,
//! `let x = "v";`) gives its values to the comparisons that name it (`FileName in~ (procs)`);
//! a tabular `let` or a function named as a source is followed to the tables it reads (the
//! stage records the `let` names it came through). Each table read is a stage; a `join`'s or
//! `lookup`'s right side and each side of a `union` are stages of their own. The `where`
//! predicates of a pipeline go to the stages its rows come from (after a `union`, to each side).

use std::collections::HashMap;

use crate::ast::*;
use crate::predicate::{Kind, Predicate, PredicateTree, Stage, StageRole, Value};
use crate::span::Span;

/// What the query's `let` statements bind.
struct Cx<'q> {
    scalars: HashMap<&'q str, Vec<Value>>,
    tabular: HashMap<&'q str, &'q Expr>,
    functions: HashMap<&'q str, &'q [Statement]>,
    /// `let` names being followed (a `let` naming itself, directly or not, stops here).
    active: Vec<&'q str>,
    map: &'q dyn Fn(Span) -> Span,
}

/// Stages of `query`. `map` turns a span of the query text into the span to report (into the
/// file the query came from); give `&|s| s` for none.
pub fn stages(query: &Query, map: &dyn Fn(Span) -> Span) -> Vec<Stage> {
    let mut cx =
        Cx { scalars: HashMap::new(), tabular: HashMap::new(), functions: HashMap::new(), active: Vec::new(), map };
    let mut result = None;
    bind(&mut cx, &query.statements, &mut result);
    let mut out = Vec::new();
    if let Some(expr) = result {
        cx.walk(expr, StageRole::Main, None, &mut out);
    }
    out
}

fn bind<'q>(cx: &mut Cx<'q>, statements: &'q [Statement], result: &mut Option<&'q Expr>) {
    for s in statements {
        match s {
            Statement::Let { name, value: LetValue::Expr { expr }, .. } => {
                if let Some(values) = literal_values(cx, expr) {
                    cx.scalars.insert(name, values);
                } else {
                    cx.tabular.insert(name, expr);
                }
            }
            Statement::Let { name, value: LetValue::Function { body, .. }, .. } => {
                cx.functions.insert(name, body);
            }
            Statement::Tabular { expr } => *result = Some(expr),
            Statement::Other { .. } => {}
        }
    }
}

/// The values of a literal, a list, `dynamic([...])`, `pack_array(...)` or a scalar `let`.
fn literal_values(cx: &Cx<'_>, e: &Expr) -> Option<Vec<Value>> {
    match e {
        Expr::Str { value, .. } => Some(vec![Value::String(value.clone())]),
        Expr::Num { text, .. } => Some(vec![Value::Number(text.clone())]),
        Expr::Unary { op, operand, .. } if op == "-" => match operand.as_ref() {
            Expr::Num { text, .. } => Some(vec![Value::Number(format!("-{text}"))]),
            _ => None,
        },
        Expr::Ident { name, quoted: false, .. } => match name.as_str() {
            "true" => Some(vec![Value::Bool(true)]),
            "false" => Some(vec![Value::Bool(false)]),
            _ => cx.scalars.get(name.as_str()).cloned(),
        },
        Expr::Paren { inner, .. } => literal_values(cx, inner),
        Expr::List { items, .. } | Expr::Array { items, .. } => {
            let mut out = Vec::new();
            for i in items {
                out.extend(literal_values(cx, i)?);
            }
            Some(out)
        }
        Expr::Call { func, args, .. } if matches!(func.as_str(), "dynamic" | "pack_array") => {
            let mut out = Vec::new();
            for a in args {
                out.extend(literal_values(cx, a)?);
            }
            Some(out)
        }
        _ => None,
    }
}

impl<'q> Cx<'q> {
    /// Walk a tabular expression: push its stages; return the stages its rows come from.
    fn walk(&mut self, e: &'q Expr, role: StageRole, join_kind: Option<&str>, out: &mut Vec<Stage>) -> Vec<usize> {
        match e {
            Expr::Pipe { source, ops, .. } => {
                let mut current = self.walk(source, role, join_kind, out);
                for op in ops {
                    self.op(op, &mut current, out);
                }
                current
            }
            Expr::Paren { inner, .. } => self.walk(inner, role, join_kind, out),
            Expr::Ident { name, span, .. } => {
                if let Some(expr) = self.tabular.get(name.as_str()).copied()
                    && !self.active.contains(&name.as_str())
                {
                    self.active.push(name);
                    let at = out.len();
                    let r = self.walk(expr, role, join_kind, out);
                    for s in &mut out[at..] {
                        s.via.insert(0, name.clone());
                    }
                    self.active.pop();
                    return r;
                }
                self.stage(Some(name.clone()), *span, role, join_kind, out)
            }
            Expr::Call { func, args, span } => {
                if let Some(body) = self.functions.get(func.as_str()).copied()
                    && !self.active.contains(&func.as_str())
                {
                    self.active.push(func);
                    let mut result = None;
                    bind(self, body, &mut result);
                    let at = out.len();
                    let r = match result {
                        Some(expr) => self.walk(expr, role, join_kind, out),
                        None => Vec::new(),
                    };
                    for s in &mut out[at..] {
                        s.via.insert(0, format!("{func}()"));
                    }
                    self.active.pop();
                    return r;
                }
                // `table("Name")`: the table of that name.
                if func == "table"
                    && let Some(Expr::Str { value, .. }) = args.first()
                {
                    return self.stage(Some(value.clone()), *span, role, join_kind, out);
                }
                if matches!(func.as_str(), "materialize" | "view" | "toscalar")
                    && let Some(a) = args.first()
                {
                    return self.walk(a, role, join_kind, out);
                }
                self.stage(Some(format!("{func}()")), *span, role, join_kind, out)
            }
            Expr::Tabular { op } => match &op.kind {
                OpKind::Union { sides, .. } => {
                    sides.iter().flat_map(|s| self.walk(s, StageRole::UnionSide, None, out)).collect()
                }
                _ => self.stage(None, op.span, role, join_kind, out),
            },
            other => self.stage(None, other.span(), role, join_kind, out),
        }
    }

    fn stage(
        &mut self,
        table: Option<String>,
        span: Span,
        role: StageRole,
        join_kind: Option<&str>,
        out: &mut Vec<Stage>,
    ) -> Vec<usize> {
        out.push(Stage {
            role,
            table,
            via: Vec::new(),
            operators: Vec::new(),
            join_kind: join_kind.map(str::to_string),
            tree: None,
            span: (self.map)(span),
        });
        vec![out.len() - 1]
    }

    fn op(&mut self, op: &'q Operator, current: &mut Vec<usize>, out: &mut Vec<Stage>) {
        let name = match &op.kind {
            OpKind::Where { .. } => "where".to_string(),
            OpKind::Join { name, .. } | OpKind::Parse { name, .. } | OpKind::Generic { name, .. } => name.clone(),
            OpKind::Union { .. } => "union".into(),
            OpKind::MvApply { .. } => "mv-apply".into(),
        };
        for &i in current.iter() {
            out[i].operators.push(name.clone());
        }
        match &op.kind {
            OpKind::Where { predicate } => {
                let tree = self.lower(predicate);
                for &i in current.iter() {
                    let s = &mut out[i];
                    s.tree = Some(match s.tree.take() {
                        None => tree.clone(),
                        Some(t) => PredicateTree::and(vec![t, tree.clone()]),
                    });
                }
            }
            OpKind::Join { name, params, right, .. } => {
                let kind = params.iter().find(|p| p.name == "kind").map(|p| p.value.to_string());
                let role = if name == "lookup" { StageRole::LookupRight } else { StageRole::JoinRight };
                let kind = kind.or_else(|| Some(if name == "lookup" { "leftouter" } else { "innerunique" }.into()));
                self.walk(right, role, kind.as_deref(), out);
            }
            OpKind::Union { sides, .. } => {
                for s in sides {
                    let more = self.walk(s, StageRole::UnionSide, None, out);
                    current.extend(more);
                }
            }
            OpKind::MvApply { on, .. } => {
                for o in on {
                    self.op(o, current, out);
                }
            }
            _ => {}
        }
    }

    fn opaque(&self, e: &Expr) -> PredicateTree {
        PredicateTree::Opaque { text: e.to_string(), span: (self.map)(e.span()) }
    }

    /// A `where` predicate → its tree.
    fn lower(&self, e: &Expr) -> PredicateTree {
        match e {
            Expr::Paren { inner, .. } => self.lower(inner),
            Expr::Binary { op, lhs, rhs, .. } if op == "and" || op == "or" => {
                let items = vec![self.lower(lhs), self.lower(rhs)];
                if op == "and" { PredicateTree::and(items) } else { PredicateTree::or(items) }
            }
            Expr::Call { func, args, .. } if args.len() == 1 => match func.as_str() {
                "not" => PredicateTree::negate(self.lower(&args[0])),
                "isnotempty" | "isnotnull" => match field_of(&args[0]) {
                    Some((field, _)) => self.leaf(field, Kind::Exists, Vec::new(), false, e),
                    None => self.opaque(e),
                },
                "isempty" | "isnull" => match field_of(&args[0]) {
                    Some((field, _)) => PredicateTree::negate(self.leaf(field, Kind::Exists, Vec::new(), false, e)),
                    None => self.opaque(e),
                },
                _ => self.opaque(e),
            },
            Expr::Binary { op, lhs, rhs, .. } => self.comparison(op, lhs, rhs, e).unwrap_or_else(|| self.opaque(e)),
            Expr::Between { negated, expr, lo, hi, .. } => {
                let (Some((field, _)), Some(lo), Some(hi)) =
                    (field_of(expr), literal_values(self, lo), literal_values(self, hi))
                else {
                    return self.opaque(e);
                };
                let tree = PredicateTree::and(vec![
                    self.leaf(field.clone(), Kind::Gte, lo, false, e),
                    self.leaf(field, Kind::Lte, hi, false, e),
                ]);
                if *negated { PredicateTree::negate(tree) } else { tree }
            }
            _ => self.opaque(e),
        }
    }

    fn leaf(&self, field: String, kind: Kind, values: Vec<Value>, ci: bool, e: &Expr) -> PredicateTree {
        PredicateTree::Pred(Predicate { field, kind, values, case_insensitive: ci, span: (self.map)(e.span()) })
    }

    fn comparison(&self, op: &str, lhs: &Expr, rhs: &Expr, e: &Expr) -> Option<PredicateTree> {
        let negated = op.starts_with('!') && op != "!=" && op != "!~";
        let base = if negated { &op[1..] } else { op };
        let (kind, ci) = match base {
            "==" => (Kind::Eq, false),
            "=~" => (Kind::Eq, true),
            "!=" | "<>" => (Kind::Ne, false),
            "!~" => (Kind::Ne, true),
            "has" | "has_any" | "has_all" => (Kind::HasTerm, true),
            "has_cs" => (Kind::HasTerm, false),
            "hasprefix" => (Kind::HasPrefix, true),
            "hasprefix_cs" => (Kind::HasPrefix, false),
            "hassuffix" => (Kind::HasSuffix, true),
            "hassuffix_cs" => (Kind::HasSuffix, false),
            "contains" => (Kind::Match, true),
            "contains_cs" => (Kind::Match, false),
            "startswith" => (Kind::StartsWith, true),
            "startswith_cs" => (Kind::StartsWith, false),
            "endswith" => (Kind::EndsWith, true),
            "endswith_cs" => (Kind::EndsWith, false),
            "in" => (Kind::In, false),
            "in~" => (Kind::In, true),
            "matches regex" => (Kind::RegexMatch, false),
            "<" => (Kind::Lt, false),
            "<=" => (Kind::Lte, false),
            ">" => (Kind::Gt, false),
            ">=" => (Kind::Gte, false),
            "notcontains" => return self.comparison("!contains", lhs, rhs, e),
            "notcontainscs" => return self.comparison("!contains_cs", lhs, rhs, e),
            _ => return None,
        };
        let symmetric = matches!(base, "==" | "=~" | "!=" | "<>" | "!~");
        let ((field, lowered), values) = match (field_of(lhs), literal_values(self, rhs)) {
            (Some(f), Some(v)) => (f, v),
            _ if symmetric => match (field_of(rhs), literal_values(self, lhs)) {
                (Some(f), Some(v)) => (f, v),
                _ => return None,
            },
            _ => return None,
        };
        if values.is_empty() {
            return None;
        }
        // `tolower(x) == "abc"` compares ignoring case, for a lower-case value.
        let ci = ci || (lowered && values.iter().all(|v| v.text() == v.text().to_lowercase()));
        let tree = if base == "has_all" {
            PredicateTree::and(values.into_iter().map(|v| self.leaf(field.clone(), kind, vec![v], ci, e)).collect())
        } else if kind == Kind::In && values.len() == 1 {
            self.leaf(field, Kind::Eq, values, ci, e)
        } else if matches!(kind, Kind::Eq | Kind::Ne) && values.len() > 1 {
            return None;
        } else {
            self.leaf(field, kind, values, ci, e)
        };
        Some(if negated { PredicateTree::negate(tree) } else { tree })
    }
}

/// The column an expression reads, and whether it is lower- or upper-cased first:
/// `X`, `X.a.b`, `X["a"]`, `tolower(X)`, `tostring(X)`, `trim(" ", X)`.
pub fn field_of(e: &Expr) -> Option<(String, bool)> {
    match e {
        Expr::Ident { name, .. } if !matches!(name.as_str(), "true" | "false" | "null") && !name.ends_with('*') => {
            Some((name.clone(), false))
        }
        Expr::Member { target, name, .. } => field_of(target).map(|(t, l)| (format!("{t}.{name}"), l)),
        Expr::Index { target, index, .. } => match index.as_ref() {
            Expr::Str { value, .. } => field_of(target).map(|(t, l)| (format!("{t}.{value}"), l)),
            _ => None,
        },
        Expr::Paren { inner, .. } => field_of(inner),
        Expr::Call { func, args, .. } => match (func.as_str(), args.as_slice()) {
            ("tolower" | "toupper", [a]) => field_of(a).map(|(f, _)| (f, true)),
            ("tostring" | "trim_start" | "trim_end", [a]) => field_of(a),
            ("trim", [_, a]) => field_of(a),
            _ => None,
        },
        _ => None,
    }
}
