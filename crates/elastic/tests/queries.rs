//! One fixture per construct of each query language (`tests/fixtures/{kql,eql,esql}/`): it
//! parses, its canonical print parses back to the same tree, printing is stable, every span
//! lies inside the query, and the snapshot shows the canonical text and the language-neutral
//! stages the catalog will read.

mod common;

use detwiki_elastic::span::Span;
use detwiki_elastic::{eql as eql_lang, esql as esql_lang, kql as kql_lang};

fn check_spans(text: &str, spans: Vec<Span>) {
    for s in spans {
        assert!(s.start <= s.end && s.end <= text.len(), "span {s:?} outside the query of {} bytes", text.len());
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end), "span {s:?} splits a character");
    }
}

fn kql_case(name: &str) -> String {
    let text = common::fixture(&format!("kql/{name}.kql"));
    let q = kql_lang::parse(&text).unwrap_or_else(|e| panic!("{name}: {e} at {:?}", e.span));
    let mut spans = Vec::new();
    q.clone().map_spans(&mut |s| {
        spans.push(s);
        s
    });
    check_spans(&text, spans);
    let printed = q.to_string();
    let again =
        kql_lang::parse(&printed).unwrap_or_else(|e| panic!("{name}: printed form does not parse: {printed}: {e}"));
    assert_eq!(again.without_spans(), q.without_spans(), "{name}: round trip changed the tree: {printed}");
    assert_eq!(again.to_string(), printed, "{name}: printing is not stable");
    let stages = kql_lang::stages(&q, Span::new(0, text.len()));
    format!("{printed}\n\n{}", common::render_stages(&stages))
}

fn eql_case(name: &str) -> String {
    let text = common::fixture(&format!("eql/{name}.eql"));
    let q = eql_lang::parse(&text).unwrap_or_else(|e| panic!("{name}: {e} at {:?}", e.span));
    let mut spans = Vec::new();
    q.clone().map_spans(&mut |s| {
        spans.push(s);
        s
    });
    check_spans(&text, spans);
    let printed = q.to_string();
    let again =
        eql_lang::parse(&printed).unwrap_or_else(|e| panic!("{name}: printed form does not parse: {printed}: {e}"));
    assert_eq!(again.without_spans(), q.without_spans(), "{name}: round trip changed the tree: {printed}");
    assert_eq!(again.to_string(), printed, "{name}: printing is not stable");
    format!("{printed}\n\n{}", common::render_stages(&eql_lang::stages(&q)))
}

fn esql_case(name: &str) -> String {
    let text = common::fixture(&format!("esql/{name}.esql"));
    let q = esql_lang::parse(&text).unwrap_or_else(|e| panic!("{name}: {e} at {:?}", e.span));
    let mut spans = Vec::new();
    q.clone().map_spans(&mut |s| {
        spans.push(s);
        s
    });
    check_spans(&text, spans);
    for c in &q.commands {
        assert_eq!(&text[c.span.start..c.span.end], c.text, "{name}: a command's text is its span");
    }
    let printed = q.to_string();
    let again =
        esql_lang::parse(&printed).unwrap_or_else(|e| panic!("{name}: printed form does not parse: {printed}: {e}"));
    assert_eq!(again.without_spans(), q.without_spans(), "{name}: round trip changed the tree: {printed}");
    assert_eq!(again.to_string(), printed, "{name}: printing is not stable");
    let commands: Vec<String> =
        q.commands.iter().map(|c| format!("  {} | {}", c.name, c.text.replace('\n', " "))).collect();
    format!(
        "{printed}\n\ncommands as written:\n{}\n\n{}",
        commands.join("\n"),
        common::render_stages(&esql_lang::stages(&q))
    )
}

macro_rules! fixtures {
    ($module:ident, $case:ident: $($name:ident),* $(,)?) => {
        mod $module {
            $(
                #[test]
                fn $name() {
                    // Named `queries__<language>__<fixture>` (insta adds the module path).
                    insta::assert_snapshot!(stringify!($name), super::$case(stringify!($name)));
                }
            )*
        }
    };
}

fixtures!(kql, kql_case:
    field_value, quoted_phrase, wildcard, value_list, range, nested, exists, boolean, free_text, escapes, empty,
);

fixtures!(eql, eql_case:
    event_where, any_where, sequence_by_maxspan, sequence_until, sample_by, missing_event, comparisons,
    colon_wildcards, like_regex, in_insensitive, optional_field, functions, lineage, strings, pipes, arraysearch,
    alias_and_comments,
);

fixtures!(esql, esql_case:
    from_where, like_rlike_in, is_null, eval_stats, keep_sort_limit, grok_dissect, mv_expand_rename, other_commands,
);
