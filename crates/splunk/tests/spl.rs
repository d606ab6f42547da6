//! SPL constructs, one test each, and print → parse round trips of generated trees.

use detwiki_splunk::spl::{
    self, BinOp, Body, CmpOp, Expr, Kind, MAX_DEPTH, PredicateTree, SearchExpr, Value, parse, parse_expr,
    parse_search_expr,
};
use proptest::prelude::*;

fn search(s: &str) -> SearchExpr {
    parse_search_expr(s).unwrap_or_else(|e| panic!("{s}: {e}")).expect("an expression")
}

fn cmp(f: &str, c: CmpOp, v: &str, quoted: bool) -> (String, CmpOp, String, bool) {
    (f.to_string(), c, v.to_string(), quoted)
}

fn as_cmp(e: &SearchExpr) -> (String, CmpOp, String, bool) {
    let SearchExpr::Compare { field, cmp, value, .. } = e else { panic!("not a comparison: {e:?}") };
    (field.clone(), *cmp, value.text.clone(), value.quoted)
}

#[test]
fn implicit_and_binds_looser_than_or() {
    let SearchExpr::And { items } = search("a=1 b=2 OR c=3") else { panic!() };
    assert_eq!(as_cmp(&items[0]), cmp("a", CmpOp::Eq, "1", false));
    let SearchExpr::Or { items: ors } = &items[1] else { panic!() };
    assert_eq!(as_cmp(&ors[1]), cmp("c", CmpOp::Eq, "3", false));
    // An explicit AND is the same AND.
    assert_eq!(shape(&search("a=1 AND b=2")), shape(&search("a=1 b=2")));
    let printed = search("a=1 AND b=2").to_string();
    assert_eq!(printed, "a=1 b=2");
}

#[test]
fn not_and_parentheses() {
    let SearchExpr::And { items } = search("x=1 NOT (a=1 OR b=2)") else { panic!() };
    let SearchExpr::Not { item } = &items[1] else { panic!() };
    assert!(matches!(**item, SearchExpr::Or { .. }));
    assert_eq!(search("NOT(a=1)").to_string(), "NOT a=1");
}

#[test]
fn comparisons_values_and_data_model_fields() {
    assert_eq!(
        as_cmp(&search("Processes.process_name=*.exe")),
        cmp("Processes.process_name", CmpOp::Eq, "*.exe", false)
    );
    assert_eq!(as_cmp(&search(r#"f = "a b""#)), cmp("f", CmpOp::Eq, "a b", true));
    assert_eq!(as_cmp(&search(r#"f="C:\\Windows\\*""#)), cmp("f", CmpOp::Eq, "C:\\Windows\\*", true));
    assert_eq!(as_cmp(&search("f!=x")), cmp("f", CmpOp::Ne, "x", false));
    assert_eq!(as_cmp(&search("count>=10")), cmp("count", CmpOp::Ge, "10", false));
    assert_eq!(as_cmp(&search("f<3")), cmp("f", CmpOp::Lt, "3", false));
    assert_eq!(as_cmp(&search(r#""DNS.reply_code"!="No Error""#)), cmp("DNS.reply_code", CmpOp::Ne, "No Error", true));
    assert_eq!(as_cmp(&search("p=*GetCurrent()*")), cmp("p", CmpOp::Eq, "*GetCurrent()*", false));
    let SearchExpr::In { field, values, .. } = search(r#"f IN ("a", b, "*c*")"#) else { panic!() };
    assert_eq!(field, "f");
    assert_eq!(values.iter().map(|v| v.text.as_str()).collect::<Vec<_>>(), ["a", "b", "*c*"]);
    let SearchExpr::Term { value, .. } = search("mimikatz") else { panic!() };
    assert_eq!(value, Value { text: "mimikatz".into(), quoted: false });
    assert!(matches!(search("[| inputlookup x | fields y]"), SearchExpr::Subsearch { .. }));
}

/// An operator with nothing after it (`c=` before a parenthesis) compares with the empty
/// value, printed `""`: printed bare, `c= (b)` would read back as `c=b` (found by the `spl`
/// fuzz target).
#[test]
fn an_empty_value_prints_quoted_and_reads_back_the_same() {
    let e = search("c=(b) as y");
    let SearchExpr::And { items } = &e else { panic!("{e:?}") };
    assert_eq!(as_cmp(&items[0]), cmp("c", CmpOp::Eq, "", true));
    let printed = e.to_string();
    assert_eq!(printed, "c=\"\" b as y");
    assert_eq!(shape(&search(&printed)), shape(&e));
    assert_eq!(search("c=").to_string(), "c=\"\"");
    assert_eq!(parse("| search c= | stats count").unwrap().to_string(), "| search c=\"\" | stats count");
}

/// A field written bare with a backtick in it stays bare in print: quoted, its backtick would no
/// longer keep the pipes after it in the same command (found by the `spl` fuzz target).
#[test]
fn a_bare_field_with_a_backtick_prints_bare() {
    let text = "a=\"x\" x-e(ln`#f)z < |||| `` b";
    let p = parse(text).unwrap();
    assert_eq!(p.commands.len(), 1, "the pipes are inside the backtick pair");
    let printed = p.to_string();
    assert!(printed.contains("x-e(ln`#f)z<"), "{printed}");
    assert_eq!(parse(&printed).unwrap().commands.len(), 1, "{printed}");
    // A field written quoted is printed quoted when it must be.
    assert_eq!(search("\"a b\"=1").to_string(), "\"a b\"=1");
}

/// `AND AND` is an error, not the word `AND` searched for (which would print as the operator;
/// found by the `spl` fuzz target).
#[test]
fn and_twice_is_an_error() {
    let e = parse_search_expr("a=1 AND AND b=2").unwrap_err();
    assert!(e.message.contains("`AND` twice"), "{e}");
    assert_eq!((e.span.start, e.span.end), (8, 11));
    // Likewise `IN (…)` with no field: `("x") IN ("a")` would print as `"x" IN ("a")`.
    let e = parse_search_expr("(\"x\") IN (\"a\")").unwrap_err();
    assert!(e.message.contains("no field before it"), "{e}");
}

/// The word `IN` searched for is printed in parentheses: bare, the parenthesised OR after it
/// would read back as `z`'s `IN` list (found by the `spl` fuzz target).
#[test]
fn the_word_in_prints_so_that_it_reads_back_as_a_word() {
    for text in ["y AND z IN ke(x) OR w", "z in (a b) c", "a OR IN", "NOT IN x"] {
        let e = search(text);
        let printed = e.to_string();
        assert_eq!(shape(&search(&printed)), shape(&e), "{text} printed {printed}");
    }
    assert_eq!(search("y AND z IN ke(x) OR w").to_string(), "y z (IN) (ke(x) OR w)");
}

#[test]
fn eval_expressions_parse_with_precedence() {
    let e = parse_expr(r#"a == "x" OR b != 2 AND NOT isnull(c)"#).unwrap();
    let Expr::Binary { op: BinOp::Or, right, .. } = &e else { panic!("{e:?}") };
    let Expr::Binary { op: BinOp::And, right: r2, .. } = right.as_ref() else { panic!() };
    assert!(matches!(r2.as_ref(), Expr::Not { .. }));
    assert_eq!(e.to_string(), r#"a == "x" OR b != 2 AND NOT isnull(c)"#);
    let e =
        parse_expr(r#"like(process, "%\\temp\\%") AND match(x, "^a|b$") AND in(y, "1", "2") AND z IN ("a")"#).unwrap();
    assert_eq!(e.to_string(), r#"like(process, "%\temp\%") AND match(x, "^a|b$") AND in(y, "1", "2") AND z IN ("a")"#);
    let e = parse_expr("(a + b) * -c . 'field name' > .5").unwrap();
    assert_eq!(e.to_string(), "(a + b) * -c . 'field name' > .5");
}

#[test]
fn every_command_is_kept_and_filtering_ones_are_parsed() {
    let p = parse(
        r#"| tstats count from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe by Processes.dest | rename Processes.* as * | eval x=lower(dest), y=1 | where x LIKE "a%" | stats count by x | search count>1 | lookup l f OUTPUT g | table x"#,
    )
    .unwrap();
    let names: Vec<&str> = p.commands.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["tstats", "rename", "eval", "where", "stats", "search", "lookup", "table"]);
    let Body::DataModel { head, datamodel, filter, by } = &p.commands[0].body else { panic!() };
    assert_eq!(
        (head.as_str(), datamodel.as_deref(), by.as_deref()),
        ("count", Some("Endpoint.Processes"), Some("Processes.dest"))
    );
    assert!(filter.is_some());
    let Body::Eval { assignments } = &p.commands[2].body else { panic!() };
    assert_eq!(assignments.iter().map(|a| a.0.as_str()).collect::<Vec<_>>(), ["x", "y"]);
    assert!(matches!(p.commands[4].body, Body::Other));
    assert_eq!(p.commands[6].args, "l f OUTPUT g");
    let stages = spl::stages(&p);
    assert_eq!(stages.len(), 8);
    assert!(stages[0].tree.is_some() && stages[3].tree.is_some() && stages[5].tree.is_some());
    assert!(stages[4].tree.is_none());
    let PredicateTree::Pred(w) = stages[3].tree.as_ref().unwrap() else { panic!() };
    assert_eq!((w.kind, w.values[0].as_str()), (Kind::StartsWith, "a"));
    assert_eq!(stages[3].dropped_objects, ["Processes"]);
    // The base search is a command too; `from datamodel:` as well.
    let p =
        parse("index=x sourcetype=y | from datamodel:Risk.All_Risk | from datamodel Risk.All_Risk where a=1").unwrap();
    assert!(p.commands[0].implicit);
    let Body::DataModel { datamodel, .. } = &p.commands[1].body else { panic!() };
    assert_eq!(datamodel.as_deref(), Some("Risk.All_Risk"));
    let Body::DataModel { datamodel, filter, .. } = &p.commands[2].body else { panic!() };
    assert_eq!((datamodel.as_deref(), filter.is_some()), (Some("Risk.All_Risk"), true));
    assert_eq!(p.commands[2].to_string(), "from datamodel=Risk.All_Risk where a=1");
}

#[test]
fn tstats_shapes_the_printer_cannot_give_back_are_kept_as_text() {
    // Found by the `spl` fuzz target: `from` naming no data model, `where` before `from`.
    for s in ["| tstats count as x by a from y by b", "| tstats count where a=1 from datamodel=X by b"] {
        let p = parse(s).unwrap();
        assert!(matches!(p.commands[0].body, Body::Other), "{s}");
        assert_eq!(p.to_string(), s);
    }
    // Also found by it: an unbalanced `(` inside a word starts a group (an error here), so a
    // printed word never swallows the `)` of a group after it.
    assert!(parse("a OR match( b").is_err());
    assert_eq!(parse("| from datamodel=\"x|y\"").unwrap().to_string(), "| from datamodel=\"x|y\"");
    // A base search starting with the word `search` (`search"x"` is the term `search` and
    // the string `x`) is printed in parentheses, not as the `search` command.
    let p = parse("search\"x | y\" z").unwrap();
    assert!(p.commands[0].implicit);
    assert_eq!(p.to_string(), "(search \"x | y\" z)");
    assert!(parse(&p.to_string()).unwrap().commands[0].implicit);
    // A lone backtick is a character: it neither joins the rest of the search into one word
    // nor keeps a `|` from splitting.
    assert_eq!(parse("(a OR `b) | c").unwrap().commands.len(), 2);
    assert_eq!(
        search("f=*GetCurrent()* g=relative_time(now(), \"-1d\")").to_string(),
        "f=*GetCurrent()* g=relative_time(now(), \"-1d\")"
    );
}

#[test]
fn pipes_inside_strings_brackets_and_macros_do_not_split() {
    let p = parse(r#"a="x|y" [search b=1 | head 1] | rex field=f "(?<n>a|b)""#).unwrap();
    assert_eq!(p.commands.len(), 2);
}

#[test]
fn errors_say_what_was_expected_and_where() {
    let e = parse("| where a == ").unwrap_err();
    assert!(e.message.contains("expected a value"), "{}", e.message);
    assert_eq!(e.span.start, 12, "right after `==`");
    let e = parse("a=1 (b=2").unwrap_err();
    assert!(e.message.contains("expected `)`"), "{}", e.message);
    let e = parse(r#"a="x"#).unwrap_err();
    assert!(e.message.contains("unterminated string"), "{}", e.message);
    let e = parse("| eval a").unwrap_err();
    assert!(e.message.contains("expected `=`"), "{}", e.message);
    let e = parse("a IN (x y").unwrap_err();
    assert!(e.message.contains("IN"), "{}", e.message);
}

#[test]
fn nesting_is_bounded() {
    let deep = format!("{}a=1{}", "(".repeat(100_000), ")".repeat(100_000));
    let e = parse(&deep).unwrap_err();
    assert!(e.too_deep && e.message.contains(&MAX_DEPTH.to_string()));
    let deep = format!("| where {}a{}", "(".repeat(100_000), ")".repeat(100_000));
    assert!(parse(&deep).unwrap_err().too_deep);
    let deep = format!("| where {}a", "NOT ".repeat(100_000));
    assert!(parse(&deep).unwrap_err().too_deep);
    let deep = format!("| where {}a", "-".repeat(100_000));
    assert!(parse(&deep).unwrap_err().too_deep);
}

fn shape<T: serde::Serialize>(t: &T) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("span");
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(t).unwrap();
    strip(&mut v);
    v
}

fn word() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_.:*\\\\]{0,8}".prop_filter("not a keyword", |w| {
        !["AND", "OR", "NOT"].contains(&w.as_str()) && !w.eq_ignore_ascii_case("in") && !w.ends_with('\\')
    })
}

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        word().prop_map(|text| Value { text, quoted: false }),
        "[ -~]{0,10}".prop_map(|text| Value { text, quoted: true }),
    ]
}

fn search_expr() -> impl Strategy<Value = SearchExpr> {
    let span = Default::default();
    let leaf = prop_oneof![
        (word(), prop_oneof![Just(CmpOp::Eq), Just(CmpOp::Ne), Just(CmpOp::Lt), Just(CmpOp::Ge)], value())
            .prop_map(move |(field, cmp, value)| SearchExpr::Compare { field, field_quoted: false, cmp, value, span }),
        (word(), prop::collection::vec(value(), 1..4)).prop_map(move |(field, values)| SearchExpr::In {
            field,
            field_quoted: false,
            values,
            span
        }),
        value().prop_map(move |value| SearchExpr::Term { value, span }),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| SearchExpr::And { items }),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| SearchExpr::Or { items }),
            inner.prop_map(|i| SearchExpr::Not { item: Box::new(i) }),
        ]
    })
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z_][a-z0-9_]{0,6}(\\.[a-z_][a-z0-9_]{0,4})?"
        .prop_filter("not a keyword", |w| !["and", "or", "xor", "not", "like", "in"].contains(&w.as_str()))
}

fn expr() -> impl Strategy<Value = Expr> {
    let span = Default::default();
    let leaf = prop_oneof![
        ident().prop_map(move |name| Expr::Field { name, span }),
        "[ -~]{0,8}".prop_map(move |value| Expr::Str { value, span }),
        "[0-9]{1,4}".prop_map(move |text| Expr::Num { text, span }),
    ];
    leaf.prop_recursive(4, 24, 3, move |inner| {
        let ops = prop_oneof![
            Just(BinOp::Or),
            Just(BinOp::And),
            Just(BinOp::Eq),
            Just(BinOp::Ne),
            Just(BinOp::Lt),
            Just(BinOp::Like),
            Just(BinOp::Add),
            Just(BinOp::Sub),
            Just(BinOp::Mul),
            Just(BinOp::Concat),
        ];
        prop_oneof![
            (ops, inner.clone(), inner.clone()).prop_map(move |(op, l, r)| Expr::Binary {
                op,
                left: Box::new(l),
                right: Box::new(r),
                span
            }),
            inner.clone().prop_map(move |i| Expr::Not { item: Box::new(i), span }),
            inner.clone().prop_map(move |i| Expr::Neg { item: Box::new(i), span }),
            (ident(), prop::collection::vec(inner.clone(), 0..3)).prop_map(move |(name, args)| Expr::Call {
                name,
                args,
                span
            }),
            (inner.clone(), prop::collection::vec(inner, 1..3)).prop_map(move |(i, list)| Expr::In {
                item: Box::new(i),
                list,
                span
            }),
        ]
    })
}

proptest! {
    #[test]
    fn search_expressions_round_trip(e in search_expr()) {
        let printed = e.to_string();
        let again = parse_search_expr(&printed).map_err(|err| TestCaseError::fail(format!("{printed}: {err}")))?;
        prop_assert_eq!(shape(&again), shape(&Some(e)), "{}", printed);
    }

    #[test]
    fn eval_expressions_round_trip(e in expr()) {
        let printed = e.to_string();
        let again = parse_expr(&printed).map_err(|err| TestCaseError::fail(format!("{printed}: {err}")))?;
        prop_assert_eq!(shape(&again), shape(&e), "{}", printed);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "[ -~]{0,80}") {
        let _ = parse(&s);
        let _ = detwiki_splunk::expand::expand(&s, None);
    }
}
