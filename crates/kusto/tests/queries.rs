//! One fixture per Kusto construct the issue names, each with what the lowering makes of it:
//! `let` (scalars, `dynamic` lists, tabular lets, functions), the pipeline operators, the
//! `where` operators, verbatim strings and escapes.

use detwiki_kusto::lower::stages;
use detwiki_kusto::predicate::{Kind, Predicate, PredicateTree, Stage, StageRole, Value};

fn lower(q: &str) -> Vec<Stage> {
    let tree = detwiki_kusto::parse(q).unwrap_or_else(|e| panic!("{q}: {e} at {:?}", e.span));
    stages(&tree, &|s| s)
}

/// The one predicate of the first stage.
fn pred(q: &str) -> Predicate {
    let s = lower(q);
    match s[0].tree.as_ref().expect("a tree") {
        PredicateTree::Pred(p) => p.clone(),
        other => panic!("{q}: not one predicate: {other:?}"),
    }
}

fn not_pred(q: &str) -> Predicate {
    let s = lower(q);
    match s[0].tree.as_ref().expect("a tree") {
        PredicateTree::Not { item } => match item.as_ref() {
            PredicateTree::Pred(p) => p.clone(),
            other => panic!("{q}: {other:?}"),
        },
        other => panic!("{q}: not a negation: {other:?}"),
    }
}

fn s(v: &str) -> Value {
    Value::String(v.into())
}

#[test]
fn comparison_operators_and_their_case() {
    for (op, kind, ci) in [
        ("==", Kind::Eq, false),
        ("=~", Kind::Eq, true),
        ("!=", Kind::Ne, false),
        ("!~", Kind::Ne, true),
        ("has", Kind::HasTerm, true),
        ("has_cs", Kind::HasTerm, false),
        ("contains", Kind::Match, true),
        ("contains_cs", Kind::Match, false),
        ("startswith", Kind::StartsWith, true),
        ("endswith", Kind::EndsWith, true),
        ("matches regex", Kind::RegexMatch, false),
    ] {
        let p = pred(&format!("T | where Col {op} \"v\""));
        assert_eq!((p.field.as_str(), p.kind, p.case_insensitive, p.values), ("Col", kind, ci, vec![s("v")]), "{op}");
    }
}

#[test]
fn negated_string_operators_are_exclusions() {
    for (op, kind) in [("!has", Kind::HasTerm), ("!contains", Kind::Match), ("!startswith", Kind::StartsWith)] {
        let p = not_pred(&format!("T | where Col {op} 'v'"));
        assert_eq!(p.kind, kind, "{op}");
    }
    let p = not_pred("T | where Col !in (\"a\", \"b\")");
    assert_eq!((p.kind, p.values.len()), (Kind::In, 2));
    let p = not_pred("T | where Col !in~ (\"a\", \"b\")");
    assert!(p.case_insensitive);
}

#[test]
fn in_has_any_and_has_all() {
    let p = pred("T | where Col in~ ('a', 'b')");
    assert_eq!((p.kind, p.case_insensitive, p.values), (Kind::In, true, vec![s("a"), s("b")]));
    let p = pred("T | where Col in ('a')");
    assert_eq!(p.kind, Kind::Eq, "one value is an equality");
    let p = pred("T | where Col has_any ('a', 'b')");
    assert_eq!((p.kind, p.values.len()), (Kind::HasTerm, 2), "has_any: any of the terms");
    let t = lower("T | where Col has_all ('a', 'b')");
    let PredicateTree::And { items } = t[0].tree.as_ref().unwrap() else { panic!("has_all: all of the terms") };
    assert_eq!(items.len(), 2);
}

#[test]
fn between_isnotempty_isempty_tolower_not() {
    let t = lower("T | where Count between (2 .. 10)");
    let PredicateTree::And { items } = t[0].tree.as_ref().unwrap() else { panic!() };
    let PredicateTree::Pred(lo) = &items[0] else { panic!() };
    assert_eq!((lo.kind, lo.values.clone()), (Kind::Gte, vec![Value::Number("2".into())]));
    assert_eq!(pred("T | where isnotempty(Col)").kind, Kind::Exists);
    assert_eq!(not_pred("T | where isempty(Col)").kind, Kind::Exists);
    let p = pred("T | where tolower(Col) == 'abc'");
    assert_eq!((p.field.as_str(), p.kind, p.case_insensitive), ("Col", Kind::Eq, true));
    let p = not_pred("T | where not(Col has 'x')");
    assert_eq!(p.kind, Kind::HasTerm);
}

#[test]
fn and_or_and_opaque_conditions() {
    let t = lower("T | where (A == 1 or B == 2) and strlen(C) > 3");
    let PredicateTree::And { items } = t[0].tree.as_ref().unwrap() else { panic!() };
    assert!(matches!(&items[0], PredicateTree::Or { items } if items.len() == 2));
    assert!(matches!(&items[1], PredicateTree::Opaque { text, .. } if text == "strlen(C) > 3"), "{items:?}");
}

#[test]
fn verbatim_strings_and_escapes() {
    assert_eq!(pred(r"T | where P endswith @'\cmd.exe'").values, vec![s(r"\cmd.exe")]);
    assert_eq!(pred(r#"T | where P == "C:\\Windows\\\"x\"""#).values, vec![s(r#"C:\Windows\"x""#)]);
    assert_eq!(pred(r#"T | where P == @"a""b""#).values, vec![s(r#"a"b"#)]);
    assert_eq!(pred("T | where P == h'secret'").values, vec![s("secret")]);
}

#[test]
fn scalar_lets_and_dynamic_lists_give_their_values() {
    let p = pred("let procs = dynamic(['a.exe', 'b.exe']);\nlet one = 'c.exe';\nT | where F in~ (procs)");
    assert_eq!(p.values, vec![s("a.exe"), s("b.exe")]);
    let p = pred("let single = dynamic([\"one.exe\"]);\nT | where F in~ (single)");
    assert_eq!(p.values, vec![s("one.exe")], "a one-item list is a list, not a bracketed name");
    let p = pred("let one = 'c.exe';\nT | where F =~ one");
    assert_eq!(p.values, vec![s("c.exe")]);
}

#[test]
fn tabular_lets_and_functions_are_followed_to_their_tables() {
    let st = lower("let Base = SecurityEvent | where EventID == 4688;\nBase | where CommandLine has 'x'");
    assert_eq!(st.len(), 1);
    assert_eq!((st[0].table.as_deref(), st[0].via.clone()), (Some("SecurityEvent"), vec!["Base".to_string()]));
    let PredicateTree::And { items } = st[0].tree.as_ref().unwrap() else { panic!("both wheres: {:?}", st[0].tree) };
    assert_eq!(items.len(), 2);
    let st = lower("let f = (n: string) { DeviceProcessEvents | where FileName == n };\nf('x.exe')");
    assert_eq!((st[0].table.as_deref(), st[0].via.clone()), (Some("DeviceProcessEvents"), vec!["f()".to_string()]));
    let st = lower("let T = view () { T | take 1 };\nT");
    assert_eq!(st.len(), 1, "a let naming itself stops");
}

#[test]
fn joins_lookups_and_unions_show_each_side_as_a_stage() {
    let st = lower(
        "SigninLogs | where ResultType == '0'\n| join kind=leftouter (AuditLogs | where OperationName == 'x') on UserId\n\
         | lookup (IdentityInfo) on AccountUPN\n| union (OfficeActivity | where Operation == 'y')",
    );
    let roles: Vec<(StageRole, Option<&str>, Option<&str>)> =
        st.iter().map(|s| (s.role, s.table.as_deref(), s.join_kind.as_deref())).collect();
    assert_eq!(
        roles,
        [
            (StageRole::Main, Some("SigninLogs"), None),
            (StageRole::JoinRight, Some("AuditLogs"), Some("leftouter")),
            (StageRole::LookupRight, Some("IdentityInfo"), Some("leftouter")),
            (StageRole::UnionSide, Some("OfficeActivity"), None),
        ]
    );
    let st = lower("union isfuzzy=true A, (B | where x == 1)\n| where y == 2");
    assert_eq!(st.len(), 2);
    assert!(st.iter().all(|s| s.tree.is_some()), "a where after a union applies to every side");
}

#[test]
fn other_operators_are_kept_in_order() {
    let st = lower(
        "T | extend a = 1 | project a, b | project-away c | summarize count() by a | parse M with * 'x=' X:string \
         | mv-expand Y | mv-apply z = Z on (where z > 1) | sort by a desc | top 5 by a | distinct a",
    );
    assert_eq!(
        st[0].operators,
        [
            "extend",
            "project",
            "project-away",
            "summarize",
            "parse",
            "mv-expand",
            "mv-apply",
            "where",
            "sort",
            "top",
            "distinct"
        ]
    );
}

#[test]
fn spans_are_mapped_through_the_given_function() {
    let tree = detwiki_kusto::parse("T | where A == 'x'").unwrap();
    let st = stages(&tree, &|s| detwiki_kusto::span::Span::new(s.start + 100, s.end + 100));
    let PredicateTree::Pred(p) = st[0].tree.as_ref().unwrap() else { panic!() };
    assert_eq!((p.span.start, p.span.end), (110, 118));
}

/// The print of `q`, checked to read back as the same tree (spans aside), and the tree read
/// back.
fn reads_back(q: &detwiki_kusto::ast::Query) -> (String, detwiki_kusto::ast::Query) {
    let printed = q.to_string();
    let again = detwiki_kusto::parse(&printed).unwrap_or_else(|e| panic!("{e}: {printed}"));
    let json = |q: &detwiki_kusto::ast::Query| without_spans(&serde_json::to_string(q).unwrap());
    assert_eq!(json(&again), json(q), "{printed}");
    (printed, again)
}

/// JSON without its `"span":{…}` members.
fn without_spans(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(at) = rest.find("\"span\":{") {
        out.push_str(&rest[..at]);
        let end = rest[at..].find('}').map_or(rest.len(), |e| at + e + 1);
        rest = rest[end..].strip_prefix(',').unwrap_or(&rest[end..]);
    }
    out.push_str(rest);
    out
}

/// An array of one string prints `[ "x"]`: printed `["x"]` it would read back as the bracketed
/// name `x` (found by the `kusto_query` fuzz target, from `["a.exe,"' b.exe']`).
#[test]
fn an_array_of_one_string_prints_as_an_array() {
    let q = detwiki_kusto::parse("T | where f in (dynamic([\"a.exe,\"' b.exe']))").unwrap();
    let (printed, again) = reads_back(&q);
    assert!(printed.contains("dynamic([ \"a.exe, b.exe\"])"), "{printed}");
    assert_eq!(again.to_string(), printed);
}

/// Minus before a number written `.3` prints with a space: `-.3` does not read back.
#[test]
fn minus_before_a_leading_dot_number_prints_apart() {
    let q = detwiki_kusto::parse("print x = - .3").unwrap();
    let printed = q.to_string();
    assert!(printed.contains("- .3"), "{printed}");
    assert_eq!(detwiki_kusto::parse(&printed).unwrap().to_string(), printed);
}

/// A list of one item (`("x", )`) prints with its comma: `("x")` reads back as a parenthesized
/// string (found by the `kusto_query` fuzz target).
#[test]
fn a_list_of_one_keeps_its_comma() {
    let q = detwiki_kusto::parse("T | where C has_any (\"x\", )").unwrap();
    let (printed, _) = reads_back(&q);
    assert!(printed.ends_with("has_any (\"x\",)"), "{printed}");
}

/// A datatable of one string value prints `[ "x"]` too.
#[test]
fn a_datatable_of_one_string_prints_as_values() {
    let q = detwiki_kusto::parse("datatable(a:string)[\"x] y\"]").unwrap();
    reads_back(&q);
}

/// A tabular parameter's schema is kept as the text of its tokens: a comment in it is left out
/// (taken with the spaces removed, `//` swallowed the rest of the schema in print, found by the
/// `kusto_query` fuzz target), and the usual schema keeps its compact form.
#[test]
fn a_schema_with_a_comment_prints_without_it() {
    let q = detwiki_kusto::parse(
        "let f = (T: (a: string, // the account\n b: int)) { T | where a == 'x' };\nf(SigninLogs)",
    )
    .unwrap();
    let (printed, again) = reads_back(&q);
    assert!(printed.contains("(T: (a:string,b:int))"), "{printed}");
    assert_eq!(again.to_string(), printed);
    // Words apart stay apart: `A pa` is not `Apa`.
    let q = detwiki_kusto::parse("let f = (T: (A pa //c\n*)) { T };\nf(X)").unwrap();
    assert!(q.to_string().contains("(T: (A pa *))"), "{q}");
}
