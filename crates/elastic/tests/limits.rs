//! Hostile input: nesting past `MAX_DEPTH` and text past `MAX_QUERY_LEN` are errors, never a
//! stack overflow. The deepest inputs are parsed on a thread with a 1 MiB stack (half of
//! Rust's default for spawned threads), in the unoptimised test build.

use detwiki_elastic::query::{MAX_DEPTH, MAX_QUERY_LEN, QueryErrorKind};
use detwiki_elastic::{eql, esql, kql};

fn kind(lang: &str, q: &str) -> Result<(), QueryErrorKind> {
    let r = match lang {
        "kql" => kql::parse(q).map(drop),
        "eql" => eql::parse(q).map(drop),
        _ => esql::parse(q).map(drop),
    };
    r.map_err(|e| e.kind)
}

#[test]
fn nesting_past_the_limit_is_too_deep_not_a_crash() {
    let n = MAX_DEPTH + 10;
    let cases: Vec<(&str, &str, String)> = vec![
        ("kql", "parentheses", format!("{}a:1{}", "(".repeat(n), ")".repeat(n))),
        ("kql", "nested queries", format!("{}a:1{}", "a:{".repeat(n), "}".repeat(n))),
        ("kql", "value lists", format!("a:{}1{}", "(".repeat(n), ")".repeat(n))),
        ("kql", "nots", format!("{}a:1", "not ".repeat(n))),
        ("eql", "parentheses", format!("process where {}a == 1{}", "(".repeat(n), ")".repeat(n))),
        ("eql", "calls", format!("process where {}1{}", "f(".repeat(n), ")".repeat(n))),
        ("eql", "nots", format!("process where {}a", "not ".repeat(n))),
        ("eql", "negations", format!("process where {}a", "-".repeat(n))),
        ("eql", "pattern lists", format!("process where {}a{}", "a : (".repeat(n), ")".repeat(n))),
        ("eql", "lineage", format!("process where {}a{}", "descendant of [process where ".repeat(n), "]".repeat(n))),
        ("esql", "parentheses", format!("from a | where {}a == 1{}", "(".repeat(n), ")".repeat(n))),
        ("esql", "calls", format!("from a | where {}1{}", "f(".repeat(n), ")".repeat(n))),
        ("esql", "negations", format!("from a | where {}a", "-".repeat(n))),
        ("esql", "brackets of an unknown command", format!("from a | completion {}{}", "[".repeat(n), "]".repeat(n))),
    ];
    let handle = std::thread::Builder::new()
        .stack_size(1024 * 1024)
        .spawn(move || {
            cases.iter().map(|(lang, what, q)| (format!("{lang} {what}"), kind(lang, q))).collect::<Vec<_>>()
        })
        .expect("spawn");
    for (what, result) in handle.join().expect("no stack overflow") {
        assert_eq!(result, Err(QueryErrorKind::TooDeep), "{what}");
    }
}

#[test]
fn nesting_at_a_realistic_depth_parses() {
    let n = 20;
    assert_eq!(kind("kql", &format!("{}a:1{}", "(".repeat(n), ")".repeat(n))), Ok(()));
    assert_eq!(kind("eql", &format!("process where {}a == 1{}", "(".repeat(n), ")".repeat(n))), Ok(()));
    assert_eq!(kind("esql", &format!("from a | where {}a == 1{}", "(".repeat(n), ")".repeat(n))), Ok(()));
}

#[test]
fn queries_past_the_length_limit_are_refused() {
    let long = "a".repeat(MAX_QUERY_LEN + 1);
    assert_eq!(kind("kql", &long), Err(QueryErrorKind::TooLong));
    assert_eq!(kind("eql", &long), Err(QueryErrorKind::TooLong));
    assert_eq!(kind("esql", &long), Err(QueryErrorKind::TooLong));
}

/// Found by the `esql` fuzz target: a non-ASCII character inside an unquoted index or
/// metadata name (`_versi\u{fffd}`) made the source scanner slice the text inside it.
#[test]
fn esql_source_names_with_non_ascii_characters_do_not_panic() {
    let q = "from logs-*, l\u{e9}gs metadata _id, _versi\u{fffd}\u{fffd} mv_expand x\n| where a == 1";
    assert_eq!(kind("esql", q), Err(QueryErrorKind::Syntax));
    let q = "from l\u{e9}gs-* metadata _\u{fffd}\n| where a == 1";
    assert_eq!(kind("esql", q), Ok(()));
}
