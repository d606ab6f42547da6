//! Printer ↔ parser: for generated MQL trees, the canonical text parses back to the same tree
//! (spans aside), and printing is stable.

use detwiki_sublime::Span;
use detwiki_sublime::mql::{Arg, Base, BinOp, Expr, Quote, Segment, parse};
use proptest::prelude::*;

fn z() -> Span {
    Span::default()
}

fn name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["body", "sender", "type", "links", "href_url", "email", "domain", "x_1", "_a"])
        .prop_map(str::to_string)
}

fn literal() -> impl Strategy<Value = Expr> {
    prop_oneof![
        any::<bool>().prop_map(|value| Expr::Bool { value, span: z() }),
        Just(Expr::Null { span: z() }),
        (0u32..1000, prop::option::of(0u32..100)).prop_map(|(a, b)| Expr::Number {
            text: match b {
                Some(b) => format!("{a}.{b}"),
                None => a.to_string(),
            },
            span: z()
        }),
        // A double-quoted string's backslashes escape the next character: generated in pairs.
        ("[a-z \\\\.*?/\"]{0,8}", any::<bool>()).prop_map(|(raw, single)| if single {
            Expr::Str { raw: raw.replace('"', ""), quote: Quote::Single, span: z() }
        } else {
            Expr::Str { raw: raw.replace('\\', "\\\\").replace('"', "\\\""), quote: Quote::Double, span: z() }
        }),
        "[a-z ]{0,4}".prop_map(|s| Expr::Str { raw: format!("{s}''{s}"), quote: Quote::Single, span: z() }),
        name().prop_map(|name| Expr::List { name, span: z() }),
    ]
}

fn path() -> impl Strategy<Value = Expr> {
    (
        prop_oneof![name().prop_map(Base::Root), (1usize..4).prop_map(Base::Relative)],
        prop::collection::vec(name(), 0..3),
    )
        .prop_map(|(base, segs)| {
            let segs = if matches!(base, Base::Root(_)) || !segs.is_empty() { segs } else { Vec::new() };
            Expr::Path { base, segments: segs.into_iter().map(Segment::Field).collect(), span: z() }
        })
}

fn call_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["any", "strings.icontains", "ml.nlu_classifier", "length", "beta.profile.by_reply_to"])
        .prop_map(str::to_string)
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![literal(), path()];
    leaf.prop_recursive(5, 48, 4, |inner| {
        let bin = prop::sample::select(vec![
            BinOp::Or,
            BinOp::And,
            BinOp::Eq,
            BinOp::Ne,
            BinOp::EqCi,
            BinOp::NeCi,
            BinOp::Lt,
            BinOp::Le,
            BinOp::Gt,
            BinOp::Ge,
            BinOp::In,
            BinOp::InCi,
            BinOp::NotIn,
            BinOp::NotInCi,
            BinOp::Add,
            BinOp::Sub,
            BinOp::Mul,
            BinOp::Div,
            BinOp::Rem,
        ]);
        let ordering = prop::sample::select(vec![BinOp::Lt, BinOp::Le, BinOp::Gt, BinOp::Ge]);
        prop_oneof![
            (bin, inner.clone(), inner.clone()).prop_map(|(op, l, r)| Expr::Binary {
                op,
                lhs: Box::new(l),
                rhs: Box::new(r),
                span: z()
            }),
            inner.clone().prop_map(|e| Expr::Not { expr: Box::new(e), span: z() }),
            inner.clone().prop_map(|e| Expr::Neg { expr: Box::new(e), span: z() }),
            (inner.clone(), any::<bool>()).prop_map(|(e, negated)| Expr::IsNull {
                expr: Box::new(e),
                negated,
                span: z()
            }),
            (call_name(), prop::collection::vec((prop::option::of(name()), inner.clone()), 0..3)).prop_map(
                |(name, args)| Expr::Call {
                    name,
                    args: args.into_iter().map(|(name, value)| Arg { name, value }).collect(),
                    span: z()
                }
            ),
            (call_name(), inner.clone(), prop::collection::vec(name(), 1..3)).prop_map(|(name, a, segs)| {
                let mut segments: Vec<Segment> = segs.into_iter().map(Segment::Field).collect();
                segments.insert(1, Segment::Index(Box::new(a.clone())));
                Expr::Path {
                    base: Base::Expr(Box::new(Expr::Call {
                        name,
                        args: vec![Arg { name: None, value: a }],
                        span: z(),
                    })),
                    segments,
                    span: z(),
                }
            }),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|items| Expr::Tuple { items, span: z() }),
            prop::collection::vec(inner.clone(), 0..3).prop_map(|items| Expr::Array { items, span: z() }),
            (1u32..5, prop::collection::vec(inner.clone(), 1..3)).prop_map(|(n, items)| Expr::Of {
                count: n.to_string(),
                items,
                span: z()
            }),
            (inner.clone(), prop::collection::vec((ordering, inner), 2..3)).prop_map(|(first, rest)| Expr::Range {
                first: Box::new(first),
                rest,
                span: z()
            }),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn printed_trees_parse_back_to_themselves(e in expr()) {
        let text = e.to_string();
        let back = parse(&text).map_err(|err| TestCaseError::fail(format!("{text}: {err} at {:?}", err.span)))?;
        prop_assert_eq!(back.without_spans(), e.without_spans(), "{}", text);
        prop_assert_eq!(back.to_string(), text);
    }

    #[test]
    fn arbitrary_text_never_panics(s in "[a-z0-9 .,()\\[\\]'\"=!<>~$+*/%-]{0,60}") {
        if let Ok(e) = parse(&s) {
            let again = parse(&e.to_string()).expect("a parsed query's canonical text parses");
            prop_assert_eq!(again.without_spans(), e.without_spans());
        }
    }
}

#[test]
fn the_deepest_accepted_nesting_parses_on_a_small_stack() {
    let depth = detwiki_sublime::mql::MAX_DEPTH / 2 - 2;
    let text = format!("{}a{}", "(".repeat(depth), ")".repeat(depth));
    let handle = std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || {
            let e = parse(&text).expect("parses");
            (e.to_string(), detwiki_sublime::mql::lower::lower(&e))
        })
        .unwrap();
    let (printed, _) = handle.join().expect("no stack overflow");
    assert_eq!(printed, "a");
}
