//! Property tests: for generated trees of each language, the canonical print parses back to
//! the same tree (spans aside), and printing that tree again gives the same text. The
//! generators produce trees in the form the parsers produce (and/or with two or more items,
//! merged literal runs, no leading or trailing spaces in unquoted KQL values …).

use detwiki_elastic::query::{Pattern, PatternPart};
use detwiki_elastic::span::Span;
use detwiki_elastic::{eql, esql, kql};
use proptest::prelude::*;

const NO: Span = Span { start: 0, end: 0 };

fn ident() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("process".to_string()),
        Just("name".to_string()),
        Just("Ext".to_string()),
        Just("_id".to_string()),
        Just("@timestamp".to_string()),
        "[a-z][a-z0-9_]{0,6}".prop_filter("not a keyword", |s| !is_keyword(s)),
    ]
}

fn is_keyword(s: &str) -> bool {
    [
        "and",
        "or",
        "not",
        "in",
        "like",
        "rlike",
        "regex",
        "where",
        "by",
        "with",
        "until",
        "of",
        "as",
        "sequence",
        "sample",
        "true",
        "false",
        "null",
        "is",
        "asc",
        "desc",
        "nulls",
        "any",
        "descendant",
        "child",
        "event",
    ]
    .contains(&s.to_ascii_lowercase().as_str())
}

/// Text with the characters that need escaping somewhere.
fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9 ._-]{0,12}",
        r#"[a-z\\"'*?:(){}\[\] \t\n,|/<>=~!]{0,12}"#,
        Just(r"C:\Windows\System32\*.exe".to_string()),
        Just("é ünïcode 漢字".to_string()),
        Just("a\u{1}b".to_string()),
    ]
}

// ---------------------------------------------------------------- KQL

fn kql_pattern() -> impl Strategy<Value = Pattern> {
    // Words (some of them keywords, to exercise escaping) with spaces or wildcards between.
    let word: BoxedStrategy<String> = prop_oneof![
        "[a-zA-Z0-9._/-]{1,6}",
        Just("or".to_string()),
        Just("AND".to_string()),
        Just("not".to_string()),
        Just(r"C:\x".to_string()),
        Just("a:b(c)".to_string()),
        Just("\"q\"".to_string()),
    ]
    .boxed();
    (
        word.clone(),
        prop::collection::vec((prop_oneof![Just(" "), Just("*"), Just("\t"), Just("")], word), 0..3),
        any::<bool>(),
    )
        .prop_map(|(first, rest, lead)| {
            let mut p = Pattern::default();
            if lead {
                p.parts.push(PatternPart::AnyString);
            }
            p.push_str(&first);
            for (sep, w) in rest {
                if sep == "*" {
                    p.parts.push(PatternPart::AnyString);
                } else {
                    p.push_str(sep);
                }
                p.push_str(&w);
            }
            p
        })
}

fn kql_literal() -> impl Strategy<Value = kql::Literal> {
    prop_oneof![
        3 => kql_pattern().prop_map(kql::LiteralKind::Unquoted),
        1 => any_text().prop_map(kql::LiteralKind::Quoted),
    ]
    .prop_map(|kind| kql::Literal { kind, span: NO })
}

fn kql_field() -> impl Strategy<Value = kql::Literal> {
    (prop::collection::vec(ident(), 1..4), any::<bool>()).prop_map(|(segs, star)| {
        let mut p = Pattern::literal(&segs.join("."));
        if star {
            p.push_str(".");
            p.parts.push(PatternPart::AnyString);
        }
        kql::Literal { kind: kql::LiteralKind::Unquoted(p), span: NO }
    })
}

fn kql_values() -> impl Strategy<Value = kql::ValueExpr> {
    let leaf = kql_literal().prop_map(|value| kql::ValueExpr::Value { value });
    leaf.prop_recursive(3, 12, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| kql::ValueExpr::Or { items, span: NO }),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| kql::ValueExpr::And { items, span: NO }),
            inner.prop_map(|e| kql::ValueExpr::Not { expr: Box::new(e), span: NO }),
        ]
    })
}

fn is_exists(v: &kql::ValueExpr) -> bool {
    matches!(v, kql::ValueExpr::Value { value: kql::Literal { kind: kql::LiteralKind::Unquoted(p), .. } }
        if p.parts == [PatternPart::AnyString])
}

fn kql_expr() -> impl Strategy<Value = kql::Expr> {
    let op =
        prop_oneof![Just(kql::RangeOp::Lt), Just(kql::RangeOp::Lte), Just(kql::RangeOp::Gt), Just(kql::RangeOp::Gte)];
    let leaf = prop_oneof![
        4 => (kql_field(), kql_values().prop_filter("`f:*` is exists", |v| !is_exists(v)))
            .prop_map(|(field, values)| kql::Expr::Match { field, values, span: NO }),
        1 => (kql_field(), op, kql_literal()).prop_map(|(field, op, value)| kql::Expr::Range { field, op, value, span: NO }),
        1 => kql_field().prop_map(|field| kql::Expr::Exists { field, span: NO }),
        1 => kql_literal().prop_map(|value| kql::Expr::FreeText { value, span: NO }),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| kql::Expr::Or { items, span: NO }),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| kql::Expr::And { items, span: NO }),
            inner.clone().prop_map(|e| kql::Expr::Not { expr: Box::new(e), span: NO }),
            (kql_field(), inner).prop_map(|(field, q)| kql::Expr::Nested { field, query: Box::new(q), span: NO }),
        ]
    })
}

// ---------------------------------------------------------------- EQL

fn eql_field() -> impl Strategy<Value = eql::Field> {
    let seg = prop_oneof![4 => ident(), 1 => Just("odd name.x".to_string()), 1 => Just("0".to_string())];
    (ident(), prop::collection::vec(seg, 0..3), any::<bool>()).prop_map(|(first, rest, optional)| eql::Field {
        path: std::iter::once(first).chain(rest).collect(),
        optional,
        span: NO,
    })
}

fn eql_literal() -> impl Strategy<Value = eql::Expr> {
    prop_oneof![
        3 => any_text().prop_map(eql::Literal::String),
        1 => prop_oneof![Just("0".to_string()), Just("42".to_string()), Just("7.5".to_string())].prop_map(eql::Literal::Number),
        1 => any::<bool>().prop_map(eql::Literal::Bool),
        1 => Just(eql::Literal::Null),
    ]
    .prop_map(|value| eql::Expr::Literal { value, span: NO })
}

fn eql_string() -> impl Strategy<Value = eql::Expr> {
    any_text().prop_map(|s| eql::Expr::Literal { value: eql::Literal::String(s), span: NO })
}

fn eql_event(cond: BoxedStrategy<eql::Expr>) -> impl Strategy<Value = eql::EventQuery> {
    let cat = prop_oneof![Just("process".to_string()), Just("any".to_string()), ident(), Just("odd cat".to_string())];
    (cat, cond).prop_map(|(name, condition)| eql::EventQuery {
        category: eql::Category { name, span: NO },
        condition,
        span: NO,
    })
}

fn eql_expr() -> BoxedStrategy<eql::Expr> {
    use eql::{ArithOp, CmpOp, Expr, MatchOp};
    let cmp = prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge)
    ];
    let mop = prop_oneof![
        Just(MatchOp::Colon),
        Just(MatchOp::Like),
        Just(MatchOp::LikeInsensitive),
        Just(MatchOp::Regex),
        Just(MatchOp::RegexInsensitive)
    ];
    let field = eql_field().prop_map(Expr::Field).boxed();
    let leaf = prop_oneof![
        4 => (field.clone(), cmp, eql_literal()).prop_map(|(l, op, r)| Expr::Compare { left: Box::new(l), op, right: Box::new(r), span: NO }),
        3 => (field.clone(), mop, prop::collection::vec(eql_string(), 1..4))
            .prop_map(|(l, op, patterns)| Expr::Match { left: Box::new(l), op, patterns, span: NO }),
        2 => (field.clone(), prop::collection::vec(eql_literal(), 1..4), any::<bool>(), any::<bool>()).prop_map(
            |(l, values, negated, case_insensitive)| Expr::In { left: Box::new(l), values, negated, case_insensitive, span: NO }
        ),
        2 => (prop_oneof![Just("startsWith"), Just("cidrmatch"), Just("length"), Just("stringContains")], any::<bool>(),
              prop::collection::vec(prop_oneof![field.clone(), eql_literal()], 0..3))
            .prop_map(|(name, case_insensitive, args)| Expr::Call { name: name.to_string(), case_insensitive, args, span: NO }),
        1 => field,
        1 => eql_literal(),
    ];
    leaf.prop_recursive(4, 24, 3, move |inner| {
        let arith = prop_oneof![
            Just(ArithOp::Add),
            Just(ArithOp::Sub),
            Just(ArithOp::Mul),
            Just(ArithOp::Div),
            Just(ArithOp::Mod)
        ];
        let rel = prop_oneof![Just(eql::Relation::Descendant), Just(eql::Relation::Child), Just(eql::Relation::Event)];
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| Expr::Or { items, span: NO }),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| Expr::And { items, span: NO }),
            inner.clone().prop_map(|e| Expr::Not { expr: Box::new(e), span: NO }),
            inner.clone().prop_map(|e| Expr::Neg { expr: Box::new(e), span: NO }),
            (inner.clone(), arith, inner.clone()).prop_map(|(l, op, r)| Expr::Arith {
                left: Box::new(l),
                op,
                right: Box::new(r),
                span: NO
            }),
            (inner.clone(), mop_any(), prop::collection::vec(inner.clone(), 1..3))
                .prop_map(|(l, op, patterns)| Expr::Match { left: Box::new(l), op, patterns, span: NO }),
            (rel, eql_event(inner.boxed())).prop_map(|(relation, q)| Expr::Lineage {
                relation,
                query: Box::new(q),
                span: NO
            }),
        ]
    })
    .boxed()
}

fn mop_any() -> impl Strategy<Value = eql::MatchOp> {
    prop_oneof![Just(eql::MatchOp::Colon), Just(eql::MatchOp::Like), Just(eql::MatchOp::RegexInsensitive)]
}

fn eql_step() -> impl Strategy<Value = eql::Step> {
    (
        eql_event(eql_expr()),
        prop::collection::vec(eql_field().prop_map(eql::Expr::Field), 0..3),
        prop::option::of(0u64..20),
        any::<bool>(),
        prop::option::of(ident()),
    )
        .prop_map(|(query, by, runs, missing, alias)| eql::Step { query, by, runs, missing, alias, span: NO })
}

fn eql_query() -> impl Strategy<Value = eql::Query> {
    let duration = (1u64..100, prop_oneof![Just(""), Just("ms"), Just("s"), Just("m"), Just("h"), Just("d")])
        .prop_map(|(value, unit)| eql::Duration { value, unit: unit.to_string(), span: NO });
    let by = prop::collection::vec(eql_field().prop_map(eql::Expr::Field), 0..3).boxed();
    let body = prop_oneof![
        2 => eql_event(eql_expr()).prop_map(eql::Body::Event),
        2 => (by.clone(), prop::option::of(duration), prop::collection::vec(eql_step(), 1..4), prop::option::of(eql_step()))
            .prop_map(|(by, maxspan, steps, until)| eql::Body::Sequence(eql::Sequence { by, maxspan, steps, until, span: NO })),
        1 => (by, prop::collection::vec(eql_step(), 1..3))
            .prop_map(|(by, steps)| eql::Body::Sample(eql::Sample { by, steps, span: NO })),
    ];
    let pipe = (
        prop_oneof![Just("head"), Just("tail"), Just("unique"), Just("filter"), Just("count")],
        prop::collection::vec(eql_expr(), 0..2),
    )
        .prop_map(|(name, args)| eql::Pipe { name: name.to_string(), args, span: NO });
    (body, prop::collection::vec(pipe, 0..3)).prop_map(|(body, pipes)| eql::Query { body, pipes, span: NO })
}

// ---------------------------------------------------------------- ES|QL

fn esql_name(stars: bool) -> impl Strategy<Value = esql::NamePattern> {
    let seg = prop_oneof![5 => ident(), 1 => Just("odd seg".to_string()), 1 => Just("0".to_string())];
    let seg = if stars {
        prop_oneof![4 => seg, 1 => Just("*".to_string()), 1 => Just("a*".to_string())].boxed()
    } else {
        seg.boxed()
    };
    (ident(), prop::collection::vec(seg, 0..3))
        .prop_map(|(first, rest)| esql::NamePattern { path: std::iter::once(first).chain(rest).collect(), span: NO })
}

fn esql_literal() -> impl Strategy<Value = esql::Expr> {
    use esql::Literal;
    prop_oneof![
        3 => any_text().prop_map(Literal::String),
        1 => prop_oneof![Just("0"), Just("12"), Just("1.5")].prop_map(|n| Literal::Number(n.to_string())),
        1 => any::<bool>().prop_map(Literal::Bool),
        1 => Just(Literal::Null),
        1 => (prop_oneof![Just("15"), Just("1")], prop_oneof![Just("minutes"), Just("day"), Just("h")])
            .prop_map(|(n, u)| Literal::Timespan(n.to_string(), u.to_string())),
        1 => prop_oneof![Just(""), Just("p1"), Just("1")].prop_map(|p| Literal::Param(p.to_string())),
    ]
    .prop_map(|value| esql::Expr::Literal { value, span: NO })
}

fn esql_expr() -> BoxedStrategy<esql::Expr> {
    use esql::{ArithOp, CmpOp, Expr, PatternOp};
    let cmp = prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge)
    ];
    let field = esql_name(false).prop_map(Expr::Field).boxed();
    let string = any_text().prop_map(|s| Expr::Literal { value: esql::Literal::String(s), span: NO }).boxed();
    let leaf = prop_oneof![
        4 => (field.clone(), cmp, esql_literal()).prop_map(|(l, op, r)| Expr::Compare { left: Box::new(l), op, right: Box::new(r), span: NO }),
        2 => (field.clone(), prop_oneof![Just(PatternOp::Like), Just(PatternOp::Rlike)], any::<bool>(), prop::collection::vec(string.clone(), 1..3))
            .prop_map(|(l, op, negated, patterns)| Expr::Pattern { left: Box::new(l), op, negated, patterns, span: NO }),
        2 => (field.clone(), prop::collection::vec(esql_literal(), 1..4), any::<bool>())
            .prop_map(|(l, values, negated)| Expr::In { left: Box::new(l), values, negated, span: NO }),
        1 => (field.clone(), any::<bool>()).prop_map(|(e, negated)| Expr::IsNull { expr: Box::new(e), negated, span: NO }),
        1 => (field.clone(), string).prop_map(|(l, r)| Expr::MatchQuery { left: Box::new(l), right: Box::new(r), span: NO }),
        1 => (field.clone(), prop_oneof![Just("long"), Just("STRING")]).prop_map(|(e, to)| Expr::Cast { expr: Box::new(e), to: to.to_string(), span: NO }),
        1 => Just(Expr::Call { name: "COUNT".into(), args: vec![Expr::Star { span: NO }], span: NO }),
        1 => (prop_oneof![Just("to_lower"), Just("DATE_TRUNC"), Just("starts_with")], prop::collection::vec(prop_oneof![field.clone(), esql_literal()], 0..3))
            .prop_map(|(name, args)| Expr::Call { name: name.to_string(), args, span: NO }),
        1 => Just(Expr::Raw { text: "{ \"a\": [1, 2] }".into(), span: NO }),
        1 => field,
        1 => esql_literal(),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let arith = prop_oneof![
            Just(ArithOp::Add),
            Just(ArithOp::Sub),
            Just(ArithOp::Mul),
            Just(ArithOp::Div),
            Just(ArithOp::Mod)
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| Expr::Or { items, span: NO }),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| Expr::And { items, span: NO }),
            inner.clone().prop_map(|e| Expr::Not { expr: Box::new(e), span: NO }),
            inner.clone().prop_map(|e| Expr::Neg { expr: Box::new(e), span: NO }),
            (inner.clone(), arith, inner.clone()).prop_map(|(l, op, r)| Expr::Arith {
                left: Box::new(l),
                op,
                right: Box::new(r),
                span: NO
            }),
            (inner.clone(), prop_oneof![Just("long"), Just("ip")]).prop_map(|(e, to)| Expr::Cast {
                expr: Box::new(e),
                to: to.to_string(),
                span: NO
            }),
            (inner.clone(), any::<bool>()).prop_map(|(e, negated)| Expr::IsNull {
                expr: Box::new(e),
                negated,
                span: NO
            }),
        ]
    })
    .boxed()
}

fn esql_assign(filter: bool) -> impl Strategy<Value = esql::Assign> {
    let f = if filter { prop::option::of(esql_expr()).boxed() } else { Just(None).boxed() };
    (prop::option::of(esql_name(false)), esql_expr(), f).prop_map(|(name, expr, filter)| esql::Assign {
        name,
        expr,
        filter,
    })
}

fn esql_command() -> impl Strategy<Value = esql::Command> {
    use esql::CommandBody as B;
    let other = prop_oneof![
        Just(("completion", "COMPLETION Esql.x = Esql.p WITH { \"inference_id\": \"x\" }")),
        Just(("enrich", "ENRICH policy ON host.name WITH a, b")),
        Just(("lookup join", "LOOKUP JOIN threat_index ON source.ip")),
    ];
    let sort = (esql_expr(), prop::option::of(any::<bool>()), prop::option::of(any::<bool>()))
        .prop_map(|(expr, ascending, nulls_first)| esql::SortKey { expr, ascending, nulls_first });
    let body = prop_oneof![
        4 => esql_expr().prop_map(|condition| ("where", B::Where { condition })),
        2 => prop::collection::vec(esql_assign(false), 1..3).prop_map(|fields| ("eval", B::Eval { fields })),
        2 => (prop::collection::vec(esql_assign(true), 0..3), prop::collection::vec(esql_assign(false), 0..3), any::<bool>())
            .prop_map(|(aggregates, by, inline)| (if inline { "inline stats" } else { "stats" }, B::Stats { aggregates, by })),
        1 => prop::collection::vec(esql_name(true), 1..3).prop_map(|fields| ("keep", B::Keep { fields })),
        1 => prop::collection::vec(esql_name(true), 1..3).prop_map(|fields| ("drop", B::Drop { fields })),
        1 => prop::collection::vec((esql_name(true), esql_name(true)), 1..3).prop_map(|pairs| ("rename", B::Rename { pairs })),
        1 => prop::collection::vec(sort, 1..3).prop_map(|keys| ("sort", B::Sort { keys })),
        1 => (0u64..10_000).prop_map(|count| ("limit", B::Limit { count })),
        1 => esql_name(false).prop_map(|field| ("mv_expand", B::MvExpand { field })),
        1 => (esql_name(false), any_text()).prop_map(|(f, pattern)| ("grok", B::Grok { input: esql::Expr::Field(f), pattern })),
        1 => (esql_name(false), any_text(), prop::collection::vec((esql_name(false), esql_literal()), 0..2))
            .prop_map(|(f, pattern, opts)| ("dissect", B::Dissect {
                input: esql::Expr::Field(f),
                pattern,
                options: opts.into_iter().map(|(n, v)| esql::Assign { name: Some(n), expr: v, filter: None }).collect(),
            })),
    ];
    prop_oneof![
        8 => body.prop_map(|(name, body)| esql::Command { name: name.to_string(), body, text: String::new(), span: NO }),
        1 => other.prop_map(|(name, text)| esql::Command { name: name.to_string(), body: B::Other, text: text.to_string(), span: NO }),
    ]
}

fn esql_query() -> impl Strategy<Value = esql::Query> {
    let index = prop_oneof![
        Just("logs-*".to_string()),
        Just("logs-endpoint.events.process-*".to_string()),
        Just(".alerts-security.*".to_string()),
        Just("odd index,name".to_string()),
        Just("metadata".to_string()),
    ]
    .prop_map(|name| esql::Index { name, span: NO });
    let metadata = prop::collection::vec(prop_oneof![Just("_id".to_string()), Just("_index".to_string())], 0..3);
    (prop::collection::vec(index, 1..3), metadata, prop::collection::vec(esql_command(), 0..5)).prop_map(
        |(indices, metadata, commands)| esql::Query {
            source: esql::Source { command: "from".into(), indices, metadata, span: NO },
            commands,
            span: NO,
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn kql_print_parse_round_trip(e in kql_expr()) {
        let q = kql::Query { root: Some(e) };
        let printed = q.to_string();
        let again = kql::parse(&printed).map_err(|err| TestCaseError::fail(format!("{printed:?} does not parse: {err} at {:?}", err.span)))?;
        prop_assert_eq!(again.without_spans(), q, "printed: {:?}", printed);
        prop_assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn eql_print_parse_round_trip(q in eql_query()) {
        let printed = q.to_string();
        let again = eql::parse(&printed).map_err(|err| TestCaseError::fail(format!("{printed:?} does not parse: {err} at {:?}", err.span)))?;
        prop_assert_eq!(again.without_spans(), q, "printed: {}", printed);
        prop_assert_eq!(again.to_string(), printed);
    }

    #[test]
    fn esql_print_parse_round_trip(q in esql_query()) {
        let printed = q.to_string();
        let again = esql::parse(&printed).map_err(|err| TestCaseError::fail(format!("{printed:?} does not parse: {err} at {:?}", err.span)))?;
        prop_assert_eq!(again.without_spans(), q, "printed: {}", printed);
        prop_assert_eq!(again.to_string(), printed);
    }
}
