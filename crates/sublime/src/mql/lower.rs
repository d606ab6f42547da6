//! MQL tree → [`PredicateTree`]: the fields a rule tests, how, and with which values.
//!
//! - `a and b`, `a or b`, `not a` keep their shape;
//! - `field == 'v'`, `!=`, `=~`/`!~` (ignoring case), `<` `<=` `>` `>=` with a literal on one
//!   side; `field in ('a', 'b')` (`in~` ignoring case), `field in $list` (kind `in_list`, the
//!   list's name as value), `not in` as a `not`; `is null` / `is not null`;
//! - `strings.icontains(field, 'a', …)` and the other string and regex functions: one leaf
//!   with every literal argument as a value;
//! - a boolean field alone (`type.inbound`, `headers.auth_summary.dmarc.pass`) is `== true`;
//! - `any(array, pred)` / `all(array, pred)`: a [`PredicateTree::Quantified`] whose fields are
//!   the array's path plus the element's (`.x`, `..x` for the enclosing element);
//!   `length(filter(array, pred)) == 0` is `not any(…)`, other counts keep `filter` and the
//!   count; `any(filter(a, p), q)` is `any(a, p and q)`;
//! - a value computed by a call keeps the call in its field
//!   (`profile.by_sender().prevalence in~ ('new')`: field `profile.by_sender().prevalence`);
//!   `strings.replace_confusables(x)` is field `x` with a transform;
//! - anything else (an enrichment call used as a boolean, arithmetic, two fields compared) is
//!   [`PredicateTree::Opaque`] with its canonical text, relative paths resolved.

use super::{Arg, Base, BinOp, Expr, Segment};
use crate::predicate::{Kind, Predicate, PredicateTree, Value};
use crate::span::Span;

/// Functions over an array whose second argument is evaluated per element.
const ELEMENT_FUNCTIONS: &[&str] = &["any", "all", "filter", "map", "distinct"];

/// Lower a parsed query.
pub fn lower(e: &Expr) -> PredicateTree {
    Lowering { ctx: Vec::new() }.tree(e)
}

struct Lowering {
    /// The element prefixes of the enclosing arrays, innermost last.
    ctx: Vec<String>,
}

fn literal(e: &Expr) -> Option<Value> {
    match e {
        Expr::Str { raw, quote, .. } => Some(Value::String(Expr::string_value(raw, *quote))),
        Expr::Number { text, .. } => Some(Value::Number(text.clone())),
        Expr::Bool { value, .. } => Some(Value::Bool(*value)),
        Expr::Neg { expr, .. } => match &**expr {
            Expr::Number { text, .. } => Some(Value::Number(format!("-{text}"))),
            _ => None,
        },
        _ => None,
    }
}

fn flip(op: BinOp) -> BinOp {
    match op {
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        other => other,
    }
}

fn string_function(name: &str) -> Option<(Kind, bool)> {
    Some(match name {
        "strings.contains" => (Kind::Match, false),
        "strings.icontains" => (Kind::Match, true),
        "strings.starts_with" => (Kind::StartsWith, false),
        "strings.istarts_with" => (Kind::StartsWith, true),
        "strings.ends_with" => (Kind::EndsWith, false),
        "strings.iends_with" => (Kind::EndsWith, true),
        "strings.like" => (Kind::Wildcard, false),
        "strings.ilike" => (Kind::Wildcard, true),
        "regex.contains" => (Kind::Regex, false),
        "regex.icontains" => (Kind::Regex, true),
        "regex.match" => (Kind::RegexMatch, false),
        "regex.imatch" => (Kind::RegexMatch, true),
        _ => return None,
    })
}

impl Lowering {
    /// `e` with the relative paths that point outside it (deeper than `local` enclosing
    /// element functions inside it) replaced by their absolute text.
    fn resolve(&self, e: &Expr, local: usize) -> Expr {
        let mut out = e.clone();
        self.resolve_in(&mut out, local);
        out
    }

    fn resolve_in(&self, e: &mut Expr, local: usize) {
        match e {
            Expr::Path { base, segments, .. } => {
                match base {
                    Base::Relative(n) if *n > local => {
                        let up = *n - local;
                        if let Some(prefix) = self.ctx.len().checked_sub(up).and_then(|i| self.ctx.get(i)) {
                            // `.` alone is the element itself; `.x` its field.
                            *base = Base::Root(prefix.clone());
                        }
                    }
                    Base::Expr(b) => self.resolve_in(b, local),
                    _ => {}
                }
                for s in segments {
                    if let Segment::Index(i) = s {
                        self.resolve_in(i, local);
                    }
                }
            }
            Expr::Call { name, args, .. } => {
                let element = ELEMENT_FUNCTIONS.contains(&name.as_str());
                for (i, a) in args.iter_mut().enumerate() {
                    self.resolve_in(&mut a.value, if element && i > 0 { local + 1 } else { local });
                }
            }
            Expr::Not { expr, .. } | Expr::Neg { expr, .. } | Expr::IsNull { expr, .. } => self.resolve_in(expr, local),
            Expr::Binary { lhs, rhs, .. } => {
                self.resolve_in(lhs, local);
                self.resolve_in(rhs, local);
            }
            Expr::Tuple { items, .. } | Expr::Array { items, .. } | Expr::Of { items, .. } => {
                items.iter_mut().for_each(|i| self.resolve_in(i, local));
            }
            Expr::Range { first, rest, .. } => {
                self.resolve_in(first, local);
                rest.iter_mut().for_each(|(_, e)| self.resolve_in(e, local));
            }
            _ => {}
        }
    }

    fn text(&self, e: &Expr) -> String {
        self.resolve(e, 0).to_string()
    }

    /// The field a value expression reads, with the transforms applied to it; `None` for
    /// literals and arithmetic.
    fn field(&mut self, e: &Expr) -> Option<(String, Vec<String>)> {
        match e {
            Expr::Path { .. } => Some((self.text(e), Vec::new())),
            Expr::Call { name, args, .. } => {
                let plain = |a: &[Arg]| a.iter().all(|a| a.name.is_none());
                match (name.as_str(), args.as_slice()) {
                    ("strings.replace_confusables", [a]) if plain(args) => {
                        let (f, mut t) = self.field(&a.value)?;
                        t.push("replace_confusables".into());
                        Some((f, t))
                    }
                    // The elements of `filter`/`distinct` are the array's.
                    ("filter" | "distinct", [a, _]) => self.field(&a.value),
                    // `map(array, .x)`: the elements' `x`.
                    ("map", [a, m]) if matches!(m.value, Expr::Path { .. }) => {
                        let (array, t) = self.field(&a.value)?;
                        self.ctx.push(array);
                        let f = self.field(&m.value);
                        self.ctx.pop();
                        f.map(|(f, _)| (f, t))
                    }
                    _ => Some((self.text(e), Vec::new())),
                }
            }
            _ => None,
        }
    }

    fn pred(
        &mut self,
        field: (String, Vec<String>),
        kind: Kind,
        values: Vec<Value>,
        ci: bool,
        span: Span,
    ) -> PredicateTree {
        PredicateTree::Pred(Predicate { field: field.0, kind, values, case_insensitive: ci, transforms: field.1, span })
    }

    fn opaque(&self, e: &Expr) -> PredicateTree {
        PredicateTree::Opaque { text: self.text(e), span: e.span() }
    }

    fn tree(&mut self, e: &Expr) -> PredicateTree {
        match e {
            Expr::Binary { op: op @ (BinOp::And | BinOp::Or), .. } => {
                let mut items = Vec::new();
                self.flatten(e, *op, &mut items);
                if *op == BinOp::And { PredicateTree::and(items) } else { PredicateTree::or(items) }
            }
            Expr::Not { expr, .. } => PredicateTree::negate(self.tree(expr)),
            Expr::IsNull { expr, negated, span } => match self.field(expr) {
                Some(f) => {
                    let kind = if *negated { Kind::Exists } else { Kind::Null };
                    self.pred(f, kind, Vec::new(), false, *span)
                }
                None => self.opaque(e),
            },
            Expr::Binary { op, lhs, rhs, span } if op.is_comparison() => self.comparison(e, *op, lhs, rhs, *span),
            Expr::Path { span, .. } => match self.field(e) {
                Some(f) => self.pred(f, Kind::Eq, vec![Value::Bool(true)], false, *span),
                None => self.opaque(e),
            },
            Expr::Call { name, args, span } => self.call(e, name, args, *span),
            Expr::Range { first, rest, span } => {
                let mut items = Vec::new();
                let mut lhs: &Expr = first;
                for (op, rhs) in rest {
                    let pair =
                        Expr::Binary { op: *op, lhs: Box::new(lhs.clone()), rhs: Box::new(rhs.clone()), span: *span };
                    items.push(self.comparison(&pair, *op, lhs, rhs, *span));
                    lhs = rhs;
                }
                PredicateTree::and(items)
            }
            Expr::Of { count, items, span } => PredicateTree::AtLeast {
                count: count.clone(),
                items: items.iter().map(|i| self.tree(i)).collect(),
                span: *span,
            },
            _ => self.opaque(e),
        }
    }

    fn flatten(&mut self, e: &Expr, op: BinOp, out: &mut Vec<PredicateTree>) {
        match e {
            Expr::Binary { op: o, lhs, rhs, .. } if *o == op => {
                self.flatten(lhs, op, out);
                self.flatten(rhs, op, out);
            }
            other => out.push(self.tree(other)),
        }
    }

    fn call(&mut self, e: &Expr, name: &str, args: &[Arg], span: Span) -> PredicateTree {
        if let Some((kind, ci)) = string_function(name)
            && let [first, rest @ ..] = args
            && !rest.is_empty()
            && args.iter().all(|a| a.name.is_none())
        {
            let values: Option<Vec<Value>> = rest.iter().map(|a| literal(&a.value)).collect();
            if let (Some(values), Some(f)) = (values, self.field(&first.value)) {
                return self.pred(f, kind, values, ci, span);
            }
            return self.opaque(e);
        }
        if matches!(name, "any" | "all")
            && let [array, pred] = args
        {
            return self.quantified(name, &array.value, &pred.value, None, span);
        }
        self.opaque(e)
    }

    /// `any`/`all`/`filter` of `array` with `pred` per element (a `filter` array's own
    /// predicate joined in).
    fn quantified(&mut self, q: &str, array: &Expr, pred: &Expr, count: Option<String>, span: Span) -> PredicateTree {
        let mut extra = Vec::new();
        let mut array = array;
        while let Expr::Call { name, args, .. } = array
            && name == "filter"
            && let [inner, p] = args.as_slice()
        {
            extra.push(&p.value);
            array = &inner.value;
        }
        let Some((prefix, _)) = self.field(array) else {
            return PredicateTree::Opaque { text: format!("{q}({}, …)", self.text(array)), span };
        };
        self.ctx.push(prefix.clone());
        let mut items: Vec<PredicateTree> = extra.iter().rev().map(|p| self.tree(p)).collect();
        items.push(self.tree(pred));
        self.ctx.pop();
        PredicateTree::Quantified {
            quantifier: q.to_string(),
            array: prefix,
            count,
            tree: Box::new(PredicateTree::and(items)),
            span,
        }
    }

    fn comparison(&mut self, e: &Expr, op: BinOp, lhs: &Expr, rhs: &Expr, span: Span) -> PredicateTree {
        // `length(filter(array, pred)) op n`
        if let (Expr::Call { name, args, .. }, Some(Value::Number(n))) = (lhs, literal(rhs))
            && name == "length"
            && let [a] = args.as_slice()
            && let Expr::Call { name: f, args: fa, .. } = &a.value
            && f == "filter"
            && let [array, pred] = fa.as_slice()
        {
            let none = matches!((op, n.as_str()), (BinOp::Eq, "0") | (BinOp::Lt, "1") | (BinOp::Le, "0"));
            let some = matches!((op, n.as_str()), (BinOp::Gt, "0") | (BinOp::Ge, "1") | (BinOp::Ne, "0"));
            if none || some {
                let q = self.quantified("any", &array.value, &pred.value, None, span);
                return if none { PredicateTree::negate(q) } else { q };
            }
            return self.quantified("filter", &array.value, &pred.value, Some(format!("{} {n}", op.as_str())), span);
        }
        match op {
            BinOp::In | BinOp::InCi | BinOp::NotIn | BinOp::NotInCi => {
                let ci = matches!(op, BinOp::InCi | BinOp::NotInCi);
                let t = self.membership(e, lhs, rhs, ci, span);
                if matches!(op, BinOp::NotIn | BinOp::NotInCi) { PredicateTree::negate(t) } else { t }
            }
            _ => {
                let (field_side, value, op) = match (literal(lhs), literal(rhs), lhs, rhs) {
                    (None, Some(v), f, _) => (f, Some(v), op),
                    (Some(v), None, _, f) => (f, Some(v), flip(op)),
                    (None, None, f, Expr::Null { .. }) | (None, None, Expr::Null { .. }, f) => (f, None, op),
                    _ => return self.opaque(e),
                };
                let Some(field) = self.field(field_side) else { return self.opaque(e) };
                let Some(value) = value else {
                    return match op {
                        BinOp::Eq | BinOp::EqCi => self.pred(field, Kind::Null, Vec::new(), false, span),
                        BinOp::Ne | BinOp::NeCi => self.pred(field, Kind::Exists, Vec::new(), false, span),
                        _ => self.opaque(e),
                    };
                };
                let (kind, ci) = match op {
                    BinOp::Eq => (Kind::Eq, false),
                    BinOp::EqCi => (Kind::Eq, true),
                    BinOp::Ne => (Kind::Ne, false),
                    BinOp::NeCi => (Kind::Ne, true),
                    BinOp::Lt => (Kind::Lt, false),
                    BinOp::Le => (Kind::Lte, false),
                    BinOp::Gt => (Kind::Gt, false),
                    BinOp::Ge => (Kind::Gte, false),
                    _ => return self.opaque(e),
                };
                self.pred(field, kind, vec![value], ci, span)
            }
        }
    }

    fn membership(&mut self, e: &Expr, lhs: &Expr, rhs: &Expr, ci: bool, span: Span) -> PredicateTree {
        let values: Option<Vec<Value>> = match rhs {
            Expr::List { name, .. } => {
                return match self.field(lhs) {
                    Some(f) => self.pred(f, Kind::InList, vec![Value::List(name.clone())], ci, span),
                    None => self.opaque(e),
                };
            }
            Expr::Tuple { items, .. } | Expr::Array { items, .. } => items.iter().map(literal).collect(),
            other => literal(other).map(|v| vec![v]),
        };
        match (values, self.field(lhs)) {
            (Some(values), Some(f)) => {
                let kind = if values.len() == 1 { Kind::Eq } else { Kind::In };
                self.pred(f, kind, values, ci, span)
            }
            // `'x' in array_field`: the array holds the value.
            (None, None) if literal(lhs).is_some() => match self.field(rhs) {
                Some(f) => self.pred(f, Kind::Eq, literal(lhs).into_iter().collect(), ci, span),
                None => self.opaque(e),
            },
            _ => self.opaque(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mql::parse;

    fn lw(s: &str) -> PredicateTree {
        lower(&parse(s).unwrap())
    }

    fn leaf(t: &PredicateTree) -> &Predicate {
        match t {
            PredicateTree::Pred(p) => p,
            other => panic!("not a leaf: {other:?}"),
        }
    }

    #[test]
    fn boolean_fields_comparisons_and_lists() {
        let PredicateTree::And { items } =
            lw("type.inbound and sender.email.domain.root_domain in~ $free_email_providers and not x.y")
        else {
            panic!()
        };
        let p = leaf(&items[0]);
        assert_eq!((p.field.as_str(), p.kind, p.values.clone()), ("type.inbound", Kind::Eq, vec![Value::Bool(true)]));
        let p = leaf(&items[1]);
        assert_eq!((p.kind, p.case_insensitive), (Kind::InList, true));
        assert_eq!(p.values, vec![Value::List("free_email_providers".into())]);
        assert!(matches!(&items[2], PredicateTree::Not { .. }));
    }

    #[test]
    fn in_tuples_flips_and_nulls() {
        let p = lw("subject.subject in ('a', \"b\")");
        assert_eq!((leaf(&p).kind, leaf(&p).values.len()), (Kind::In, 2));
        let p = lw("3 < length(body.links)");
        assert_eq!((leaf(&p).field.as_str(), leaf(&p).kind), ("length(body.links)", Kind::Gt));
        assert_eq!(leaf(&lw("x is not null")).kind, Kind::Exists);
        assert_eq!(leaf(&lw("x == null")).kind, Kind::Null);
        assert!(matches!(lw("x not in ('a')"), PredicateTree::Not { .. }));
        assert!(matches!(lw("a.b == c.d"), PredicateTree::Opaque { .. }));
        assert!(matches!(lw("length(a) + 1 > 2"), PredicateTree::Opaque { .. }));
    }

    #[test]
    fn string_and_regex_functions() {
        let p = lw("strings.ilike(strings.replace_confusables(subject.subject), '*invoice*', '*pay*')");
        let p = leaf(&p);
        assert_eq!(
            (p.field.as_str(), p.kind, p.case_insensitive, p.values.len()),
            ("subject.subject", Kind::Wildcard, true, 2)
        );
        assert_eq!(p.transforms, vec!["replace_confusables".to_string()]);
        assert_eq!(leaf(&lw("regex.imatch(x, '^a$')")).kind, Kind::RegexMatch);
        assert!(!leaf(&lw("regex.contains(x, 'a')")).case_insensitive);
        assert!(matches!(lw("strings.icontains(x, y.z)"), PredicateTree::Opaque { .. }));
    }

    #[test]
    fn element_paths_are_prefixed_with_the_array() {
        let t = lw(
            "any(body.links, .href_url.domain.tld == 'onion' and any(recipients.to, ..href_url.url == .email.email))",
        );
        let PredicateTree::Quantified { quantifier, array, tree, .. } = t else { panic!() };
        assert_eq!((quantifier.as_str(), array.as_str()), ("any", "body.links"));
        let PredicateTree::And { items } = *tree else { panic!() };
        assert_eq!(leaf(&items[0]).field, "body.links.href_url.domain.tld");
        let PredicateTree::Quantified { tree: inner, .. } = &items[1] else { panic!() };
        let PredicateTree::Opaque { text, .. } = &**inner else { panic!() };
        assert_eq!(text, "body.links.href_url.url == recipients.to.email.email");
    }

    #[test]
    fn enrichment_values_keep_the_call() {
        let t = lw("any(ml.nlu_classifier(body.current_thread.text).intents, .name == 'cred_theft')");
        let PredicateTree::Quantified { tree, .. } = t else { panic!() };
        assert_eq!(leaf(&tree).field, "ml.nlu_classifier(body.current_thread.text).intents.name");
        let t = lw("any(body.links, ml.link_analysis(., mode='aggressive').credphish.disposition == 'phishing')");
        let PredicateTree::Quantified { tree, .. } = t else { panic!() };
        assert_eq!(leaf(&tree).field, "ml.link_analysis(body.links, mode='aggressive').credphish.disposition");
        let PredicateTree::Opaque { text, .. } = lw("beta.ip_in(x, '10.0.0.0/8')") else { panic!() };
        assert_eq!(text, "beta.ip_in(x, '10.0.0.0/8')");
    }

    #[test]
    fn filter_counts() {
        let t = lw("length(filter(attachments, .file_type == 'pdf')) == 0");
        let PredicateTree::Not { item } = t else { panic!() };
        assert!(matches!(*item, PredicateTree::Quantified { ref quantifier, .. } if quantifier == "any"));
        let t = lw("length(filter(attachments, .file_type == 'pdf')) > 2");
        assert!(matches!(t, PredicateTree::Quantified { ref count, .. } if count.as_deref() == Some("> 2")));
        let t = lw("any(filter(attachments, .size > 10), .file_type == 'pdf')");
        let PredicateTree::Quantified { array, tree, .. } = t else { panic!() };
        assert_eq!(array, "attachments");
        assert!(matches!(*tree, PredicateTree::And { ref items } if items.len() == 2));
        let t = lw("0 < length(attachments) <= 8");
        let PredicateTree::And { items } = t else { panic!() };
        assert_eq!((leaf(&items[0]).kind, leaf(&items[1]).kind), (Kind::Gt, Kind::Lte));
        let t = lw("2 of (a, b == 'x', c)");
        assert!(matches!(t, PredicateTree::AtLeast { ref items, .. } if items.len() == 3));
        let t = lw("any(map(body.links, .href_url), .domain.tld == 'zip')");
        let PredicateTree::Quantified { tree, .. } = t else { panic!() };
        assert_eq!(leaf(&tree).field, "body.links.href_url.domain.tld");
    }
}
