//! Lowering: a parsed search → stages (one per command) with language-neutral predicate
//! trees under the filtering commands (`search`, the base search, `where`, `tstats … where`,
//! `from … where`). Leaves say "this field, compared this way, with these values"; what has
//! no such reading (`len(x) > 3`, a comparison of two fields, a subsearch) is kept as
//! [`PredicateTree::Opaque`] with its canonical text, never dropped.
//!
//! Search-language values are wildcard patterns compared ignoring case (`f=*x*` is a
//! `match`, `f=x*` a `starts_with` …; `f=*` is `exists`); free-text terms have no field.
//! Eval-language comparisons are case-sensitive (`==`, `like()` with `%`/`_`, `match()` a
//! regex, unless it starts with `(?i)` or the field is wrapped in `lower()`/`upper()`).

use detwiki_diagnostics::Span;
use serde::Serialize;

use super::{BinOp, Body, CmpOp, Expr, Pipeline, SearchExpr};

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
    /// Another wildcard pattern (`*`, `?`).
    Wildcard,
    /// A regular expression found in the value.
    RegexMatch,
    /// One of the values.
    In,
    /// An address in one of the networks.
    Cidr,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// The field has a value.
    Exists,
}

/// A leaf: a field compared with values (any of them matches).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Predicate {
    /// The field as written; `None` for a free-text term.
    pub field: Option<String>,
    /// The comparison.
    pub kind: Kind,
    /// The values (wildcard patterns keep `*`/`?`).
    pub values: Vec<String>,
    /// Compared ignoring case.
    pub case_insensitive: bool,
    /// Where, in the text given to the parser.
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
    /// Not the item: an exclusion.
    Not {
        /// The item.
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
        if items.len() == 1 { items.pop().expect("one") } else { PredicateTree::And { items } }
    }

    fn or(mut items: Vec<PredicateTree>) -> PredicateTree {
        if items.len() == 1 { items.pop().expect("one") } else { PredicateTree::Or { items } }
    }

    /// Every leaf with whether it sits under an odd number of `not`s (an exclusion).
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

    /// Map every span (e.g. from the expanded search to the file).
    pub fn map_spans(&mut self, f: &impl Fn(Span) -> Span) {
        match self {
            PredicateTree::And { items } | PredicateTree::Or { items } => items.iter_mut().for_each(|i| i.map_spans(f)),
            PredicateTree::Not { item } => item.map_spans(f),
            PredicateTree::Pred(p) => p.span = f(p.span),
            PredicateTree::Opaque { span, .. } => *span = f(*span),
        }
    }
}

/// One command of the pipeline as a stage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Stage {
    /// The command name (`search`, `tstats`, `stats` …).
    pub command: String,
    /// The command in canonical text.
    pub text: String,
    /// `from datamodel=…` of a `tstats`/`from`.
    pub datamodel: Option<String>,
    /// Data-model objects whose `X.` prefix an earlier `rename X.* as *`
    /// (`drop_dm_object_name(X)`) removed from field names: `process_name` here means
    /// `Processes.process_name`.
    pub dropped_objects: Vec<String>,
    /// The predicates of a filtering command.
    pub tree: Option<PredicateTree>,
    /// Where the command is, in the text given to the parser.
    pub span: Span,
}

/// The stages of a parsed search, in order.
pub fn stages(p: &Pipeline) -> Vec<Stage> {
    let mut dropped: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for c in &p.commands {
        let (tree, datamodel) = match &c.body {
            Body::Search { expr } => (expr.as_ref().map(lower), None),
            Body::Where { expr } => (Some(lower_expr(expr)), None),
            Body::DataModel { datamodel, filter, .. } => (filter.as_ref().map(lower), datamodel.clone()),
            Body::Eval { .. } | Body::Other => (None, None),
        };
        out.push(Stage {
            command: c.name.clone(),
            text: c.to_string(),
            datamodel,
            dropped_objects: dropped.clone(),
            tree,
            span: c.span,
        });
        if c.name == "rename" {
            // `rename X.* as *` (what `drop_dm_object_name(X)` expands to).
            let words: Vec<&str> = c.args.split_whitespace().collect();
            if let [from, as_, "*"] = words.as_slice()
                && as_.eq_ignore_ascii_case("as")
                && let Some(obj) = from.trim_matches('"').strip_suffix(".*")
                && !dropped.iter().any(|d| d == obj)
            {
                dropped.push(obj.to_string());
            }
        }
    }
    out
}

/// Classify a wildcard pattern: `*` alone is `exists`, `*x*` `match`, `x*` `starts_with`,
/// `*x` `ends_with`, no wildcard `eq`, anything else `wildcard`.
fn classify(v: &str, wildcard: char) -> (Kind, String) {
    let n = v.matches(wildcard).count();
    let inner = v.trim_matches(wildcard);
    if v.is_empty() {
        return (Kind::Eq, String::new());
    }
    if inner.is_empty() {
        return (Kind::Exists, String::new());
    }
    if inner.contains(wildcard) {
        return (Kind::Wildcard, v.to_string());
    }
    match (v.starts_with(wildcard), v.ends_with(wildcard), n) {
        (false, false, _) => (Kind::Eq, v.to_string()),
        (true, true, 2) => (Kind::Match, inner.to_string()),
        (false, true, 1) => (Kind::StartsWith, inner.to_string()),
        (true, false, 1) => (Kind::EndsWith, inner.to_string()),
        _ => (Kind::Wildcard, v.to_string()),
    }
}

fn group(field: Option<String>, values: Vec<(Kind, String)>, case_insensitive: bool, span: Span) -> PredicateTree {
    let mut leaves: Vec<Predicate> = Vec::new();
    for (kind, value) in values {
        let kind = if kind == Kind::In { Kind::Eq } else { kind };
        match leaves.iter_mut().find(|p| p.kind == kind) {
            Some(p) => {
                if kind != Kind::Exists {
                    p.values.push(value);
                }
            }
            None => leaves.push(Predicate {
                field: field.clone(),
                kind,
                values: if kind == Kind::Exists { Vec::new() } else { vec![value] },
                case_insensitive,
                span,
            }),
        }
    }
    for p in &mut leaves {
        if p.kind == Kind::Eq && p.values.len() > 1 {
            p.kind = Kind::In;
        }
    }
    PredicateTree::or(leaves.into_iter().map(PredicateTree::Pred).collect())
}

/// Lower a search-language expression.
pub fn lower(e: &SearchExpr) -> PredicateTree {
    match e {
        SearchExpr::And { items } => PredicateTree::and(items.iter().map(lower).collect()),
        SearchExpr::Or { items } => PredicateTree::or(items.iter().map(lower).collect()),
        SearchExpr::Not { item } => PredicateTree::Not { item: Box::new(lower(item)) },
        SearchExpr::Compare { field, cmp, value, span, .. } => {
            let leaf = |kind, values| {
                PredicateTree::Pred(Predicate {
                    field: Some(field.clone()),
                    kind,
                    values,
                    case_insensitive: true,
                    span: *span,
                })
            };
            match cmp {
                CmpOp::Eq => group(Some(field.clone()), vec![classify(&value.text, '*')], true, *span),
                CmpOp::Ne => PredicateTree::Not {
                    item: Box::new(group(Some(field.clone()), vec![classify(&value.text, '*')], true, *span)),
                },
                CmpOp::Lt => leaf(Kind::Lt, vec![value.text.clone()]),
                CmpOp::Le => leaf(Kind::Lte, vec![value.text.clone()]),
                CmpOp::Gt => leaf(Kind::Gt, vec![value.text.clone()]),
                CmpOp::Ge => leaf(Kind::Gte, vec![value.text.clone()]),
            }
        }
        SearchExpr::In { field, values, span, .. } => {
            group(Some(field.clone()), values.iter().map(|v| classify(&v.text, '*')).collect(), true, *span)
        }
        SearchExpr::Term { value, span } => {
            let (kind, v) = classify(&value.text, '*');
            let kind = if kind == Kind::Eq { Kind::Match } else { kind };
            PredicateTree::Pred(Predicate { field: None, kind, values: vec![v], case_insensitive: true, span: *span })
        }
        SearchExpr::Subsearch { text, span } => PredicateTree::Opaque { text: format!("[{text}]"), span: *span },
    }
}

/// A field, seen through `lower()`/`upper()` (which make the comparison ignore case).
fn field_of(e: &Expr) -> Option<(String, bool)> {
    match e {
        Expr::Field { name, .. } => Some((name.clone(), false)),
        Expr::Call { name, args, .. }
            if (name.eq_ignore_ascii_case("lower") || name.eq_ignore_ascii_case("upper")) && args.len() == 1 =>
        {
            field_of(&args[0]).map(|(f, _)| (f, true))
        }
        _ => None,
    }
}

fn literal(e: &Expr) -> Option<String> {
    match e {
        Expr::Str { value, .. } => Some(value.clone()),
        Expr::Num { text, .. } => Some(text.clone()),
        Expr::Neg { item, .. } => match item.as_ref() {
            Expr::Num { text, .. } => Some(format!("-{text}")),
            _ => None,
        },
        _ => None,
    }
}

/// A `like` pattern (`%` any string, `_` one character) as a predicate.
fn like(field: String, pattern: &str, ci: bool, span: Span) -> PredicateTree {
    let (kind, value) = if pattern.contains('_') || pattern.contains('*') || pattern.contains('?') {
        (Kind::Wildcard, pattern.replace('*', "\\*").replace('?', "\\?").replace('%', "*").replace('_', "?"))
    } else {
        let (k, v) = classify(pattern, '%');
        (k, if k == Kind::Wildcard { v.replace('%', "*") } else { v })
    };
    let kind = if kind == Kind::Exists { Kind::Wildcard } else { kind };
    let values = vec![if kind == Kind::Wildcard && value.is_empty() { "*".to_string() } else { value }];
    PredicateTree::Pred(Predicate { field: Some(field), kind, values, case_insensitive: ci, span })
}

/// Lower an eval-language condition (`where`).
pub fn lower_expr(e: &Expr) -> PredicateTree {
    let opaque = || PredicateTree::Opaque { text: e.to_string(), span: e.span() };
    let pred = |field: String, kind, values, ci| {
        PredicateTree::Pred(Predicate { field: Some(field), kind, values, case_insensitive: ci, span: e.span() })
    };
    match e {
        Expr::Binary { op: op @ (BinOp::And | BinOp::Or), .. } => {
            let mut items = Vec::new();
            flatten(e, *op, &mut items);
            let lowered = items.into_iter().map(lower_expr).collect();
            if *op == BinOp::And { PredicateTree::and(lowered) } else { PredicateTree::or(lowered) }
        }
        Expr::Not { item, .. } => PredicateTree::Not { item: Box::new(lower_expr(item)) },
        Expr::Binary { op, left, right, .. } => {
            let (f, v, flipped) = match (field_of(left), literal(right), field_of(right), literal(left)) {
                (Some(f), Some(v), _, _) => (f, v, false),
                (_, _, Some(f), Some(v)) => (f, v, true),
                _ => return opaque(),
            };
            let (field, ci) = f;
            let kind = match (op, flipped) {
                (BinOp::Eq, _) => Kind::Eq,
                // `f != v` is `NOT f == v`, as in the search language: an exclusion.
                (BinOp::Ne, _) => {
                    return PredicateTree::Not { item: Box::new(pred(field, Kind::Eq, vec![v], ci)) };
                }
                (BinOp::Lt, false) | (BinOp::Gt, true) => Kind::Lt,
                (BinOp::Le, false) | (BinOp::Ge, true) => Kind::Lte,
                (BinOp::Gt, false) | (BinOp::Lt, true) => Kind::Gt,
                (BinOp::Ge, false) | (BinOp::Le, true) => Kind::Gte,
                (BinOp::Like, false) => return like(field, &v, ci, e.span()),
                _ => return opaque(),
            };
            pred(field, kind, vec![v], ci)
        }
        Expr::In { item, list, .. } => {
            let Some((field, ci)) = field_of(item) else { return opaque() };
            let Some(values) = list.iter().map(literal).collect::<Option<Vec<_>>>() else { return opaque() };
            let kind = if values.len() == 1 { Kind::Eq } else { Kind::In };
            pred(field, kind, values, ci)
        }
        Expr::Call { name, args, .. } => {
            let lname = name.to_ascii_lowercase();
            match (lname.as_str(), args.as_slice()) {
                ("like", [f, p]) => match (field_of(f), literal(p)) {
                    (Some((field, ci)), Some(p)) => like(field, &p, ci, e.span()),
                    _ => opaque(),
                },
                ("match", [f, r]) => match (field_of(f), literal(r)) {
                    (Some((field, ci)), Some(r)) => {
                        let ci = ci || r.starts_with("(?i)");
                        pred(field, Kind::RegexMatch, vec![r], ci)
                    }
                    _ => opaque(),
                },
                ("in", [f, rest @ ..]) if !rest.is_empty() => {
                    match (field_of(f), rest.iter().map(literal).collect::<Option<Vec<_>>>()) {
                        (Some((field, ci)), Some(values)) => {
                            let kind = if values.len() == 1 { Kind::Eq } else { Kind::In };
                            pred(field, kind, values, ci)
                        }
                        _ => opaque(),
                    }
                }
                ("cidrmatch", [c, f]) => match (field_of(f), literal(c)) {
                    (Some((field, _)), Some(c)) => pred(field, Kind::Cidr, vec![c], false),
                    _ => opaque(),
                },
                ("isnull", [f]) => match field_of(f) {
                    Some((field, _)) => {
                        PredicateTree::Not { item: Box::new(pred(field, Kind::Exists, Vec::new(), false)) }
                    }
                    None => opaque(),
                },
                ("isnotnull", [f]) => match field_of(f) {
                    Some((field, _)) => pred(field, Kind::Exists, Vec::new(), false),
                    None => opaque(),
                },
                _ => opaque(),
            }
        }
        _ => opaque(),
    }
}

fn flatten<'a>(e: &'a Expr, want: BinOp, out: &mut Vec<&'a Expr>) {
    match e {
        Expr::Binary { op, left, right, .. } if *op == want => {
            flatten(left, want, out);
            flatten(right, want, out);
        }
        _ => out.push(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spl::{parse, parse_expr, parse_search_expr};

    fn one(search: &str) -> PredicateTree {
        lower(&parse_search_expr(search).unwrap().unwrap())
    }

    fn leaf(t: &PredicateTree) -> (&str, Kind, Vec<&str>, bool) {
        let PredicateTree::Pred(p) = t else { panic!("not a leaf: {t:?}") };
        (p.field.as_deref().unwrap_or(""), p.kind, p.values.iter().map(String::as_str).collect(), p.case_insensitive)
    }

    #[test]
    fn wildcards_classify() {
        assert_eq!(leaf(&one("a=*x*")), ("a", Kind::Match, vec!["x"], true));
        assert_eq!(leaf(&one("a=x*")), ("a", Kind::StartsWith, vec!["x"], true));
        assert_eq!(leaf(&one(r#"a="*\\x.exe""#)), ("a", Kind::EndsWith, vec!["\\x.exe"], true));
        assert_eq!(leaf(&one("a=x*y")), ("a", Kind::Wildcard, vec!["x*y"], true));
        assert_eq!(leaf(&one("a=*")), ("a", Kind::Exists, vec![], true));
        assert_eq!(leaf(&one("a=1")), ("a", Kind::Eq, vec!["1"], true));
        assert_eq!(leaf(&one("a>=4")), ("a", Kind::Gte, vec!["4"], true));
        assert_eq!(leaf(&one("mimikatz")), ("", Kind::Match, vec!["mimikatz"], true));
    }

    #[test]
    fn in_lists_group_by_kind_and_ne_is_an_exclusion() {
        let PredicateTree::Or { items } = one("a IN (x, y, *z)") else { panic!() };
        assert_eq!(leaf(&items[0]), ("a", Kind::In, vec!["x", "y"], true));
        assert_eq!(leaf(&items[1]), ("a", Kind::EndsWith, vec!["z"], true));
        let PredicateTree::Not { item } = one("a!=x") else { panic!() };
        assert_eq!(leaf(&item), ("a", Kind::Eq, vec!["x"], true));
    }

    #[test]
    fn eval_functions_lower() {
        let l = |s: &str| lower_expr(&parse_expr(s).unwrap());
        assert_eq!(leaf(&l(r#"a == "x""#)), ("a", Kind::Eq, vec!["x"], false));
        assert_eq!(leaf(&l(r#"like(a, "%\\temp\\%")"#)), ("a", Kind::Match, vec!["\\temp\\"], false));
        assert_eq!(leaf(&l(r#"a LIKE "x%""#)), ("a", Kind::StartsWith, vec!["x"], false));
        assert_eq!(leaf(&l(r#"like(lower(a), "%a_b")"#)), ("a", Kind::Wildcard, vec!["*a?b"], true));
        assert_eq!(leaf(&l(r#"match(a, "(?i)x+")"#)), ("a", Kind::RegexMatch, vec!["(?i)x+"], true));
        assert_eq!(leaf(&l(r#"in(a, "x", "y")"#)), ("a", Kind::In, vec!["x", "y"], false));
        assert_eq!(leaf(&l(r#"a IN ("x", "y")"#)), ("a", Kind::In, vec!["x", "y"], false));
        assert_eq!(leaf(&l("isnotnull(a)")), ("a", Kind::Exists, vec![], false));
        assert_eq!(leaf(&l("count > 5")), ("count", Kind::Gt, vec!["5"], false));
        let PredicateTree::Not { item } = l("isnull(a)") else { panic!() };
        assert_eq!(leaf(&item).1, Kind::Exists);
        assert!(matches!(l("len(a) > 3"), PredicateTree::Opaque { .. }));
        let PredicateTree::And { items } = l(r#"a == "x" AND NOT b == "y" AND c > 1"#) else { panic!() };
        assert_eq!(items.len(), 3);
        assert!(matches!(items[1], PredicateTree::Not { .. }));
    }

    #[test]
    fn drop_dm_object_name_is_remembered_by_later_stages() {
        let p = parse("| tstats count from datamodel=Endpoint.Processes where Processes.process_name=x by Processes.dest | rename Processes.* as * | where dest=\"a\"").unwrap();
        let s = stages(&p);
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].datamodel.as_deref(), Some("Endpoint.Processes"));
        assert!(s[1].dropped_objects.is_empty());
        assert_eq!(s[2].dropped_objects, vec!["Processes".to_string()]);
    }
}
