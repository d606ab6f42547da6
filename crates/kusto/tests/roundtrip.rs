//! Property tests: for generated query trees (statements, pipelines, operators, expressions
//! with strings of every style), the canonical print parses back to the same tree (spans
//! aside), and printing that tree again gives the same text. The generator builds trees in
//! the shape the parser produces: parentheses (`Paren`) wherever precedence needs them.

use detwiki_kusto::ast::*;
use detwiki_kusto::lex::StrStyle;
use detwiki_kusto::span::Span;
use proptest::prelude::*;

const NO: Span = Span { start: 0, end: 0 };

const RESERVED: &[&str] = &[
    "and",
    "or",
    "not",
    "in",
    "has",
    "has_cs",
    "has_any",
    "has_all",
    "contains",
    "contains_cs",
    "startswith",
    "endswith",
    "between",
    "matches",
    "like",
    "by",
    "on",
    "with",
    "to",
    "from",
    "step",
    "of",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "default",
    "let",
    "set",
    "declare",
    "union",
    "print",
    "range",
    "datatable",
    "externaldata",
    "datetime",
    "guid",
    "timespan",
    "view",
    "search",
    "find",
    "hasprefix",
    "hassuffix",
    "notcontains",
    "containscs",
];

fn name() -> impl Strategy<Value = String> {
    "[A-Za-z_][A-Za-z0-9_]{0,7}".prop_filter("not a keyword", |s| {
        !RESERVED.contains(&s.as_str()) && !s.to_ascii_lowercase().starts_with("not") && !s.starts_with("kind")
    })
}

fn ident() -> impl Strategy<Value = Expr> {
    prop_oneof![
        4 => name().prop_map(|name| Expr::Ident { name, quoted: false, span: NO }),
        1 => "[a-z .:-]{1,8}".prop_map(|name| Expr::Ident { name, quoted: true, span: NO }),
    ]
}

fn string() -> impl Strategy<Value = Expr> {
    let text = prop_oneof!["[a-zA-Z0-9 ._-]{0,10}", r#"[a-z\\"'*\n\t|/()=~!`@]{0,10}"#];
    (text, prop_oneof![Just(StrStyle::Plain), Just(StrStyle::Verbatim), Just(StrStyle::Obfuscated)]).prop_map(
        |(value, style)| {
            // The printer writes a verbatim string with a ``` run in it as a plain one.
            let style = if style == StrStyle::Verbatim && (value.contains("``") || value.ends_with('`')) {
                StrStyle::Plain
            } else {
                style
            };
            Expr::Str { value, style, span: NO }
        },
    )
}

fn leaf() -> impl Strategy<Value = Expr> {
    prop_oneof![
        3 => ident(),
        3 => string(),
        2 => prop_oneof!["[0-9]{1,4}", "[0-9]{1,2}\\.[0-9]{1,2}", "[1-9][0-9]?(d|h|m|s|ms)"]
            .prop_map(|text| Expr::Num { text, span: NO }),
        1 => Just(Expr::Literal { func: "datetime".into(), text: "2024-01-01 10:00".into(), span: NO }),
    ]
}

fn prec(e: &Expr) -> u8 {
    match e {
        Expr::Binary { op, .. } => match op.as_str() {
            "or" => 1,
            "and" => 2,
            "+" | "-" => 4,
            "*" | "/" | "%" => 5,
            _ => 3,
        },
        Expr::Between { .. } => 3,
        _ => 9,
    }
}

fn paren(e: Expr) -> Expr {
    Expr::Paren { inner: Box::new(e), span: NO }
}

fn binary(op: &str, lhs: Expr, rhs: Expr) -> Expr {
    let p = prec(&Expr::Binary { op: op.into(), lhs: Box::new(leaf_stub()), rhs: Box::new(leaf_stub()), span: NO });
    let lhs = if prec(&lhs) < p || (p == 3 && prec(&lhs) == 3) { paren(lhs) } else { lhs };
    let rhs = if prec(&rhs) <= p { paren(rhs) } else { rhs };
    Expr::Binary { op: op.into(), lhs: Box::new(lhs), rhs: Box::new(rhs), span: NO }
}

fn leaf_stub() -> Expr {
    Expr::Num { text: "0".into(), span: NO }
}

const OPS: &[&str] = &[
    "or",
    "and",
    "==",
    "!=",
    "=~",
    "!~",
    "<",
    ">=",
    "has",
    "!has",
    "has_cs",
    "contains",
    "!contains",
    "startswith",
    "endswith",
    "in",
    "in~",
    "!in",
    "has_any",
    "matches regex",
    "+",
    "-",
    "*",
    "/",
];

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            (prop::sample::select(OPS), inner.clone(), inner.clone()).prop_map(|(op, l, r)| binary(op, l, r)),
            (name(), prop::collection::vec(inner.clone(), 0..3)).prop_map(|(func, args)| Expr::Call {
                func,
                args,
                span: NO
            }),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|items| Expr::List { items, span: NO }),
            inner.clone().prop_map(paren),
            (inner.clone(), name()).prop_map(|(t, name)| {
                let target = if prec(&t) < 9 || matches!(t, Expr::Num { .. } | Expr::Str { .. } | Expr::Literal { .. })
                {
                    paren(t)
                } else {
                    t
                };
                Expr::Member { target: Box::new(target), name, quoted: false, span: NO }
            }),
            (any::<bool>(), inner.clone(), leaf(), leaf()).prop_map(|(negated, e, lo, hi)| {
                let e = if prec(&e) <= 3 { paren(e) } else { e };
                Expr::Between { negated, expr: Box::new(e), lo: Box::new(lo), hi: Box::new(hi), span: NO }
            }),
            prop::collection::vec(leaf(), 0..3).prop_map(|items| Expr::Call {
                func: "dynamic".into(),
                args: vec![Expr::Array { items, span: NO }],
                span: NO
            }),
        ]
    })
}

fn item() -> impl Strategy<Value = Item> {
    (prop::collection::vec(name(), 0..3), expr(), prop::sample::select(vec![vec![], vec!["desc".to_string()]]))
        .prop_map(|(names, expr, suffix)| Item { names, expr, suffix, default: None, span: NO })
}

fn op() -> impl Strategy<Value = Operator> {
    let kind = prop_oneof![
        3 => expr().prop_map(|predicate| OpKind::Where { predicate }),
        2 => (prop::sample::select(vec!["extend", "project", "summarize", "distinct", "sort", "take"]),
              prop::collection::vec(item(), 1..3), prop::collection::vec(item(), 0..2))
            .prop_map(|(name, items, by)| {
                let mut clauses = vec![Clause { keyword: None, items }];
                if !by.is_empty() {
                    clauses.push(Clause { keyword: Some("by".into()), items: by });
                }
                OpKind::Generic { name: name.into(), params: Vec::new(), clauses }
            }),
        1 => (name(), name(), expr()).prop_map(|(table, key, predicate)| OpKind::Join {
            name: "join".into(),
            params: vec![OpParam { name: "kind".into(), value: Expr::Ident { name: "inner".into(), quoted: false, span: NO } }],
            right: paren(Expr::Pipe {
                source: Box::new(Expr::Ident { name: table, quoted: false, span: NO }),
                ops: vec![Operator { kind: OpKind::Where { predicate }, span: NO }],
                span: NO,
            }),
            on: vec![Expr::Ident { name: key, quoted: false, span: NO }],
        }),
        1 => prop::collection::vec(name(), 1..3).prop_map(|sides| OpKind::Union {
            params: Vec::new(),
            sides: sides.into_iter().map(|name| Expr::Ident { name, quoted: false, span: NO }).collect(),
        }),
        1 => (name(), "[a-z=]{1,5}", name()).prop_map(|(src, lit, col)| OpKind::Parse {
            name: "parse".into(),
            params: Vec::new(),
            source: Expr::Ident { name: src, quoted: false, span: NO },
            pattern: vec![
                ParsePart::Star,
                ParsePart::Text { value: lit, style: StrStyle::Plain },
                ParsePart::Column { name: col, ty: Some("string".into()) },
                ParsePart::Star,
            ],
        }),
    ];
    kind.prop_map(|kind| Operator { kind, span: NO })
}

fn query() -> impl Strategy<Value = Query> {
    (prop::collection::vec((name(), expr()), 0..3), name(), prop::collection::vec(op(), 0..5)).prop_map(
        |(lets, table, ops)| {
            let mut statements: Vec<Statement> = lets
                .into_iter()
                .map(|(name, expr)| Statement::Let { name, value: LetValue::Expr { expr }, span: NO })
                .collect();
            let source = Expr::Ident { name: table, quoted: false, span: NO };
            let expr = if ops.is_empty() { source } else { Expr::Pipe { source: Box::new(source), ops, span: NO } };
            statements.push(Statement::Tabular { expr });
            Query { statements, span: NO }
        },
    )
}

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

fn tree(q: &Query) -> serde_json::Value {
    let mut v = serde_json::to_value(q).unwrap();
    strip(&mut v);
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_gives_the_same_tree(q in query()) {
        let text = q.to_string();
        let back = detwiki_kusto::parse(&text).map_err(|e| TestCaseError::fail(format!("{e} at {:?} in\n{text}", e.span)))?;
        prop_assert_eq!(tree(&back), tree(&q), "{}", text);
        prop_assert_eq!(back.to_string(), text);
    }

    #[test]
    fn any_text_parses_or_fails_without_panicking(text in "[ -~\n]{0,200}") {
        let _ = detwiki_kusto::parse(&text);
        let _ = detwiki_kusto::rule::parse_str(&format!("query: |\n  {text}\nkind: Scheduled\n"), "x.yaml");
    }
}
