//! Printer round trip on generated trees: print → parse gives the same tree (spans aside),
//! for expressions of every kind and for whole rules. (A regex never starts with `*`: `/*`
//! opens a comment, in YARA-L as in C.)

use detwiki_chronicle::Span;
use detwiki_chronicle::ast::{
    Assignment, BinOp, Expr, ExprKind, Literal, MatchSection, MetaEntry, Name, Rule, SectionKind, Segment,
};
use detwiki_chronicle::parse::{parse_expr, parse_file};
use detwiki_chronicle::print::{expr_to_string, rule_to_string};
use proptest::prelude::*;

const KEYWORDS: &[&str] =
    &["and", "or", "not", "in", "nocase", "regex", "cidr", "true", "false", "any", "all", "over", "by", "rule"];

fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: Span::new(0, 0) }
}

fn ident() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9_]{0,7}".prop_filter("not a keyword", |s| !KEYWORDS.contains(&s.as_str()))
}

fn path() -> impl Strategy<Value = Expr> {
    let seg = prop_oneof![
        3 => ident().prop_map(Segment::Field),
        1 => "[ -~]{0,6}".prop_map(Segment::Key),
        1 => "[0-9]{1,2}".prop_map(Segment::Index),
    ];
    (ident(), ident(), prop::collection::vec(seg, 0..3)).prop_map(|(var, first, rest)| {
        let mut segments = vec![Segment::Field(first)];
        segments.extend(rest);
        e(ExprKind::Path { var, segments })
    })
}

fn leaf(words: bool) -> BoxedStrategy<Expr> {
    let mut options: Vec<BoxedStrategy<Expr>> = vec![
        path().boxed(),
        ident().prop_map(|var| e(ExprKind::Path { var, segments: Vec::new() })).boxed(),
        ident().prop_map(|var| e(ExprKind::Count { var })).boxed(),
        (ident(), prop::option::of(ident()))
            .prop_map(|(l, c)| e(ExprKind::Ref { list: c.map_or(l.clone(), |c| format!("{l}.{c}")) }))
            .boxed(),
        "\\PC{0,8}".prop_map(|value| e(ExprKind::Str { value, raw: false })).boxed(),
        "[^`\n]{0,8}".prop_map(|value| e(ExprKind::Str { value, raw: true })).boxed(),
        "([a-z.^$ ]|\\\\[./d])(([a-z.*^$ ]|\\\\[./d]){0,6})".prop_map(|pattern| e(ExprKind::Regex { pattern })).boxed(),
        "[0-9]{1,4}(\\.[0-9]{1,2})?".prop_map(|value| e(ExprKind::Number { value })).boxed(),
        "[1-9][0-9]?[smhd]".prop_map(|value| e(ExprKind::Duration { value })).boxed(),
        any::<bool>().prop_map(|value| e(ExprKind::Bool { value })).boxed(),
    ];
    if words {
        options.push(ident().prop_map(|word| e(ExprKind::Word { word })).boxed());
    }
    proptest::strategy::Union::new(options).boxed()
}

fn binop() -> impl Strategy<Value = BinOp> {
    prop::sample::select(vec![
        BinOp::Or,
        BinOp::And,
        BinOp::Eq,
        BinOp::Ne,
        BinOp::Lt,
        BinOp::Le,
        BinOp::Gt,
        BinOp::Ge,
        BinOp::Add,
        BinOp::Sub,
        BinOp::Mul,
        BinOp::Div,
    ])
}

fn expr(words: bool) -> BoxedStrategy<Expr> {
    leaf(words)
        .prop_recursive(5, 48, 4, move |inner| {
            let cmp = prop::sample::select(vec![BinOp::Eq, BinOp::Ne, BinOp::Lt, BinOp::Gt]);
            prop_oneof![
                (binop(), inner.clone(), inner.clone()).prop_map(|(op, l, r)| e(ExprKind::Binary {
                    op,
                    lhs: Box::new(l),
                    rhs: Box::new(r)
                })),
                (any::<bool>(), inner.clone()).prop_map(|(bang, i)| e(ExprKind::Not { bang, item: Box::new(i) })),
                inner.clone().prop_map(|i| e(ExprKind::Neg { item: Box::new(i) })),
                inner.clone().prop_map(|i| e(ExprKind::Nocase { item: Box::new(i) })),
                (inner.clone(), prop::option::of(prop::sample::select(vec!["regex", "cidr"])), ident()).prop_map(
                    |(i, m, list)| e(ExprKind::InList { item: Box::new(i), mode: m.map(str::to_string), list })
                ),
                (prop::sample::select(vec!["any", "all"]), cmp, path(), inner.clone()).prop_map(|(q, op, p, r)| e(
                    ExprKind::Quantified {
                        quantifier: q.to_string(),
                        item: Box::new(e(ExprKind::Binary { op, lhs: Box::new(p), rhs: Box::new(r) }))
                    }
                )),
                (
                    prop::sample::select(vec!["strings.contains", "re.regex", "max", "if", "net.ip_in_range_cidr"]),
                    prop::collection::vec(inner, 0..3)
                )
                    .prop_map(|(name, args)| e(ExprKind::Call { name: name.to_string(), args })),
            ]
        })
        .boxed()
}

/// An `events:` statement that cannot run on into the next one: it starts with a field.
fn statement() -> impl Strategy<Value = Expr> {
    (prop::sample::select(vec![BinOp::Eq, BinOp::Ne, BinOp::Gt]), path(), expr(false))
        .prop_map(|(op, p, r)| e(ExprKind::Binary { op, lhs: Box::new(p), rhs: Box::new(r) }))
}

fn name(s: String) -> Name {
    Name { name: s, span: Span::new(0, 0) }
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        "\\PC{0,12}".prop_map(Literal::String),
        "-?[0-9]{1,3}".prop_map(Literal::Number),
        any::<bool>().prop_map(Literal::Bool),
    ]
}

fn entries() -> impl Strategy<Value = Vec<MetaEntry>> {
    prop::collection::vec(
        (ident(), literal()).prop_map(|(k, v)| MetaEntry { key: name(k), value: v, value_span: Span::new(0, 0) }),
        0..4,
    )
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        ident(),
        entries(),
        prop::collection::vec(statement(), 0..4),
        prop::option::of((
            prop::collection::vec(ident(), 1..3),
            prop::sample::select(vec!["over", "by"]),
            "[1-9][0-9]?[smhd]",
            prop::option::of((prop::sample::select(vec!["before", "after"]), ident())),
        )),
        prop::collection::vec((ident(), expr(false)), 0..3),
        expr(false),
        entries(),
    )
        .prop_map(|(n, meta, events, m, outcome, condition, options)| {
            let match_section = m.map(|(vars, kind, window, pivot)| MatchSection {
                vars: vars.into_iter().map(name).collect(),
                window_kind: kind.to_string(),
                window,
                pivot: pivot.map(|(w, v)| (w.to_string(), name(v))),
                span: Span::new(0, 0),
            });
            let mut sections = vec![SectionKind::Meta, SectionKind::Events];
            if match_section.is_some() {
                sections.push(SectionKind::Match);
            }
            sections.extend([SectionKind::Outcome, SectionKind::Condition, SectionKind::Options]);
            Rule {
                name: name(n),
                meta,
                events,
                match_section,
                outcome: outcome.into_iter().map(|(v, value)| Assignment { var: name(v), value }).collect(),
                condition: Some(condition),
                options,
                sections: sections.into_iter().map(|s| (s, Span::new(0, 0))).collect(),
                span: Span::new(0, 0),
            }
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn expressions_print_and_parse_back(x in expr(true)) {
        let text = expr_to_string(&x);
        let mut back = parse_expr(&text).map_err(|err| TestCaseError::fail(format!("{text}: {err:?}")))?;
        back.clear_spans();
        prop_assert_eq!(&back, &x, "{}", text);
    }

    #[test]
    fn rules_print_and_parse_back(r in rule()) {
        let text = rule_to_string(&r);
        let f = parse_file(&text);
        prop_assert!(f.errors.is_empty(), "{:?}\n{}", f.errors, text);
        prop_assert_eq!(f.rules.len(), 1);
        prop_assert!(f.rules[0].errors.is_empty(), "{:?}\n{}", f.rules[0].errors, text);
        let mut back = f.rules[0].rule.clone();
        back.clear_spans();
        prop_assert_eq!(&back, &r, "{}", text);
    }
}
