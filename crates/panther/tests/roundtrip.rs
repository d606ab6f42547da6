//! Generated predicate trees: printed as Python, read back by the parser and the lowering,
//! they are the same tree (spans aside).

use detwiki_panther::predicate::{Kind, Predicate, PredicateTree, Span, Value};
use detwiki_panther::python::lower_expr;
use proptest::prelude::*;

fn value() -> impl Strategy<Value = Value> {
    prop_oneof![
        "[ -~]{0,8}".prop_map(Value::Str),
        "[a-z\\\\\"'\n\t é]{1,6}".prop_map(Value::Str),
        (0u32..100000).prop_map(|n| Value::Number(n.to_string())),
        any::<bool>().prop_map(Value::Bool),
    ]
}

fn field() -> impl Strategy<Value = String> {
    prop::collection::vec("[a-zA-Z_][a-zA-Z0-9_]{0,6}", 1..4).prop_map(|v| v.join("."))
}

fn kind() -> impl Strategy<Value = Kind> {
    prop::sample::select(vec![
        Kind::Eq,
        Kind::Ne,
        Kind::In,
        Kind::Contains,
        Kind::StartsWith,
        Kind::EndsWith,
        Kind::Regex,
        Kind::Wildcard,
        Kind::Gt,
        Kind::Gte,
        Kind::Lt,
        Kind::Lte,
        Kind::Exists,
    ])
}

fn pred() -> impl Strategy<Value = PredicateTree> {
    (field(), kind(), prop::collection::vec(value(), 1..4), any::<bool>(), any::<bool>()).prop_map(
        |(field, kind, mut values, ci, udm)| {
            match kind {
                Kind::Exists => values.clear(),
                Kind::Eq | Kind::Ne | Kind::Gt | Kind::Gte | Kind::Lt | Kind::Lte => values.truncate(1),
                _ => {}
            }
            let udm = (udm && !field.contains('.')).then(|| field.clone());
            PredicateTree::Pred(Predicate { field, udm, kind, values, case_insensitive: ci, span: Span::default() })
        },
    )
}

fn tree() -> impl Strategy<Value = PredicateTree> {
    let leaf = prop_oneof![
        8 => pred(),
        1 => "[a-z_]{1,8}\\(event\\)".prop_map(|text| PredicateTree::Opaque { text, span: Span::default() }),
    ];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(PredicateTree::And),
            prop::collection::vec(inner.clone(), 2..4).prop_map(PredicateTree::Or),
            inner.prop_map(|i| PredicateTree::Not(Box::new(i))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]
    #[test]
    fn print_then_parse_is_the_same_tree(t in tree()) {
        let printed = t.to_string();
        let back = lower_expr(&printed).map_err(|e| TestCaseError::fail(format!("{printed}: {}", e.message)))?;
        prop_assert_eq!(back.normalized(), t.normalized(), "printed: {}", printed);
    }
}
