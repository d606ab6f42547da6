//! Property tests: no input makes the parser panic or point outside the file;
//! generated rules read back exactly as generated; values print and re-read
//! to themselves.

use std::path::Path;

use detwiki_sigma::modifier::check_chain;
use detwiki_sigma::value::{Part, SigmaString};
use detwiki_sigma::{Document, Limits, Modifier, SearchBody, SigmaFile, ValueKind, parse_bytes, parse_str};
use proptest::prelude::*;

// ------------------------------------------------------------------ (a) any input

fn check_spans(what: &str, bytes: &[u8], file: &SigmaFile) {
    let text = std::str::from_utf8(bytes).ok();
    for d in &file.diagnostics {
        let spans = d.span.into_iter().chain(d.labels.iter().map(|l| l.span));
        for s in spans {
            assert!(
                s.start <= s.end && s.end <= bytes.len(),
                "{what}: {} span {s:?} outside {} bytes",
                d.code,
                bytes.len()
            );
            if let Some(t) = text {
                // The CLI cuts snippets at these offsets.
                assert!(
                    t.is_char_boundary(s.start) && t.is_char_boundary(s.end),
                    "{what}: {} span {s:?} splits a character",
                    d.code
                );
            }
        }
        assert!(!d.message.is_empty());
    }
}

fn seed_rules() -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid");
    let mut out: Vec<String> =
        std::fs::read_dir(dir).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    out.sort();
    out
}

/// Characters that matter to YAML, conditions and Sigma values.
const YAMLISH: &str = "[a-z_|:*?%&!#@'\"\\\\\\-\\[\\]{}(), \n\t.0-9é]{0,300}";

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let file = parse_bytes(&bytes, &Limits::default());
        check_spans("bytes", &bytes, &file);
    }

    #[test]
    fn yaml_like_text_never_panics(text in YAMLISH) {
        let file = parse_bytes(text.as_bytes(), &Limits::default());
        check_spans("text", text.as_bytes(), &file);
    }

    /// A real rule with a few bytes changed: the likeliest broken input.
    #[test]
    fn mutated_rules_never_panic(
        pick in any::<prop::sample::Index>(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..8),
    ) {
        let seeds = seed_rules();
        let mut bytes = pick.get(&seeds).clone().into_bytes();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len() + 1);
            match op {
                0 if i < bytes.len() => bytes[i] = byte,
                1 => bytes.insert(i, byte),
                _ if i < bytes.len() => {
                    bytes.remove(i);
                }
                _ => {}
            }
        }
        let file = parse_bytes(&bytes, &Limits::default());
        check_spans("mutated", &bytes, &file);
    }
}

// ------------------------------------------------------------------ values

const LITERAL_CHARS: &str = "[a-zA-Z0-9 .:/\\\\*?%'_-é]{1,6}";

fn normalize(parts: Vec<Part>) -> Vec<Part> {
    let mut out: Vec<Part> = Vec::new();
    for p in parts {
        match (out.last_mut(), p) {
            (_, Part::Literal(s)) if s.is_empty() => {}
            (Some(Part::Literal(prev)), Part::Literal(s)) => prev.push_str(&s),
            (_, p) => out.push(p),
        }
    }
    out
}

fn part(placeholders: bool) -> BoxedStrategy<Part> {
    let lit = LITERAL_CHARS.prop_map(Part::Literal);
    if placeholders {
        prop_oneof![
            4 => lit,
            1 => Just(Part::AnyChars),
            1 => Just(Part::OneChar),
            1 => "[a-zA-Z0-9_.-]{1,8}".prop_map(Part::Placeholder),
        ]
        .boxed()
    } else {
        prop_oneof![4 => lit, 1 => Just(Part::AnyChars), 1 => Just(Part::OneChar)].boxed()
    }
}

fn sigma_string(placeholders: bool) -> impl Strategy<Value = SigmaString> {
    prop::collection::vec(part(placeholders), 0..6).prop_map(|parts| SigmaString { parts: normalize(parts) })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1024, failure_persistence: None, ..ProptestConfig::default() })]

    /// (c) Printing a value and reading it back gives the same value.
    #[test]
    fn sigma_string_display_round_trips(s in sigma_string(false)) {
        prop_assert_eq!(SigmaString::parse(&s.to_string(), false), s.clone(), "printed as {:?}", s.to_string());
    }

    /// The same under `|expand`, where `%name%` is a placeholder and `%` must be
    /// escaped. A value prints in `expand` syntax when it has a placeholder (a
    /// value without one has nothing to tell which syntax it came from).
    #[test]
    fn sigma_string_with_placeholders_round_trips(s in sigma_string(true)) {
        let expand = s.placeholders().next().is_some();
        prop_assert_eq!(SigmaString::parse(&s.to_string(), expand), s.clone(), "printed as {:?}", s.to_string());
    }
}

// ------------------------------------------------------------------ (b) generated rules

#[derive(Clone, Debug, PartialEq)]
enum Want {
    Str(SigmaString),
    Int(i64),
    Bool(bool),
    Regex(String),
    Cidr(String),
    FieldRef(String),
}

impl Want {
    /// The value as written in YAML.
    fn yaml(&self) -> String {
        let quote = |s: &str| format!("'{}'", s.replace('\'', "''"));
        match self {
            Want::Str(s) => quote(&s.to_string()),
            Want::Int(i) => i.to_string(),
            Want::Bool(b) => b.to_string(),
            Want::Regex(r) | Want::Cidr(r) => quote(r),
            Want::FieldRef(f) => f.clone(),
        }
    }

    fn matches(&self, kind: &ValueKind) -> bool {
        match (self, kind) {
            (Want::Str(a), ValueKind::String(b)) => a == b,
            (Want::Int(a), ValueKind::Int(b)) => a == b,
            (Want::Bool(a), ValueKind::Bool(b)) => a == b,
            (Want::Regex(a), ValueKind::Regex(b)) | (Want::Cidr(a), ValueKind::Cidr(b)) => a == b,
            (Want::FieldRef(a), ValueKind::FieldRef(b)) => a == b,
            _ => false,
        }
    }
}

#[derive(Clone, Debug)]
struct GenPredicate {
    field: String,
    modifiers: Vec<Modifier>,
    values: Vec<Want>,
}

#[derive(Clone, Debug)]
struct GenIdentifier {
    name: String,
    predicates: Vec<GenPredicate>,
}

/// Field names that YAML would not read as booleans or null.
fn field_name() -> impl Strategy<Value = String> {
    "[A-Z][a-z]{1,8}[0-9]{0,2}".prop_filter("YAML keyword", |s| !["True", "False", "Null"].contains(&s.as_str()))
}

fn string_chain() -> impl Strategy<Value = Vec<Modifier>> {
    use Modifier::*;
    prop::sample::select(vec![
        vec![],
        vec![Contains],
        vec![StartsWith],
        vec![EndsWith],
        vec![Contains, All],
        vec![All, EndsWith],
        vec![Cased],
        vec![EndsWith, Cased],
        vec![Windash, Contains],
        vec![Contains, Windash],
        vec![Base64],
        vec![Base64Offset, Contains],
        vec![Utf16le, Base64Offset, Contains],
        vec![Utf16be, Base64],
        vec![Utf16, Base64Offset, Contains],
        vec![Wide, Base64Offset, Contains],
        vec![Neq],
    ])
}

fn predicate() -> impl Strategy<Value = (Vec<Modifier>, Vec<Want>)> {
    use Modifier::*;
    let strings = string_chain().prop_flat_map(|chain| {
        let n = if chain.contains(&All) { 2..4 } else { 1..4 };
        let values = prop::collection::vec(sigma_string(false).prop_map(Want::Str), n);
        (Just(chain), values)
    });
    let expand = (
        prop::sample::select(vec![vec![Expand], vec![StartsWith, Expand], vec![Expand, Contains]]),
        prop::collection::vec(
            (sigma_string(false), "[a-z_]{1,8}").prop_map(|(mut s, name)| {
                // Every value has a placeholder, so `expand` is never useless.
                s.parts.push(Part::Placeholder(name));
                s.parts = normalize(s.parts);
                Want::Str(s)
            }),
            1..3,
        ),
    );
    let regex = (
        prop::sample::select(vec![vec![Re], vec![Re, ReI], vec![Re, ReI, ReM, ReS], vec![Re, ReS]]),
        prop::collection::vec(
            prop::sample::select(vec![r"^\d+$", "a.*b", "(?:x|y)z", r"\\evil\.exe$", "[A-F0-9]{32}", "(?i)mimikatz"])
                .prop_map(|r| Want::Regex(r.to_string())),
            1..3,
        ),
    );
    let cidr = (
        Just(vec![Cidr]),
        prop::collection::vec(
            (any::<[u8; 4]>(), 0u8..=32)
                .prop_map(|(a, p)| Want::Cidr(format!("{}.{}.{}.{}/{p}", a[0], a[1], a[2], a[3]))),
            1..3,
        ),
    );
    let numeric = (
        prop::sample::select(vec![Lt, Lte, Gt, Gte, Minute, Hour, Day, Week, Month, Year]).prop_map(|m| vec![m]),
        any::<i32>().prop_map(|i| vec![Want::Int(i64::from(i))]),
    );
    let exists = (Just(vec![Exists]), any::<bool>().prop_map(|b| vec![Want::Bool(b)]));
    let fieldref = (
        prop::sample::select(vec![vec![FieldRef], vec![FieldRef, EndsWith]]),
        prop::collection::vec(field_name().prop_map(Want::FieldRef), 1..3),
    );
    prop_oneof![4 => strings, 1 => expand, 1 => regex, 1 => cidr, 1 => numeric, 1 => exists, 1 => fieldref]
}

fn identifiers() -> impl Strategy<Value = Vec<GenIdentifier>> {
    let names = prop::collection::btree_set("(sel|filter|_aux)_[a-z0-9]{1,5}", 1..5);
    names.prop_flat_map(|names| {
        let bodies =
            names.iter().map(|_| prop::collection::btree_map(field_name(), predicate(), 1..4)).collect::<Vec<_>>();
        (Just(names), bodies).prop_map(|(names, bodies)| {
            names
                .into_iter()
                .zip(bodies)
                .map(|(name, body)| GenIdentifier {
                    name,
                    predicates: body
                        .into_iter()
                        .map(|(field, (modifiers, values))| GenPredicate { field, modifiers, values })
                        .collect(),
                })
                .collect()
        })
    })
}

/// A condition tree over the identifiers (each used once).
#[derive(Clone, Debug)]
enum Ast {
    Leaf(String),
    Not(Box<Ast>),
    Bin(bool, Box<Ast>, Box<Ast>), // true = and
}

fn build(leaves: &[String], choices: &mut impl Iterator<Item = u32>) -> Ast {
    let mut next = || choices.next().unwrap_or(0);
    let node = if leaves.len() == 1 {
        Ast::Leaf(leaves[0].clone())
    } else {
        let split = 1 + (next() as usize) % (leaves.len() - 1);
        let and = next() % 2 == 0;
        let (l, r) = leaves.split_at(split);
        Ast::Bin(and, Box::new(build(l, choices)), Box::new(build(r, choices)))
    };
    if choices.next().unwrap_or(0) % 4 == 0 { Ast::Not(Box::new(node)) } else { node }
}

/// Every operand in parentheses: precedence plays no role.
fn full_parens(a: &Ast) -> String {
    let wrap = |x: &Ast| match x {
        Ast::Leaf(n) => n.clone(),
        _ => format!("({})", full_parens(x)),
    };
    match a {
        Ast::Leaf(n) => n.clone(),
        Ast::Not(x) => format!("not {}", wrap(x)),
        Ast::Bin(and, l, r) => format!("{} {} {}", wrap(l), if *and { "and" } else { "or" }, wrap(r)),
    }
}

fn expected(a: &Ast) -> detwiki_sigma::condition::Condition {
    use detwiki_sigma::condition::Condition;
    match a {
        Ast::Leaf(n) => Condition::Identifier { name: n.clone(), span: Default::default() },
        Ast::Not(x) => Condition::Not(Box::new(expected(x))),
        Ast::Bin(and, l, r) => {
            let mut xs = Vec::new();
            for side in [expected(l), expected(r)] {
                match (side, and) {
                    (Condition::And(ys), true) | (Condition::Or(ys), false) => xs.extend(ys),
                    (x, _) => xs.push(x),
                }
            }
            if *and { Condition::And(xs) } else { Condition::Or(xs) }
        }
    }
}

fn rule_text(idents: &[GenIdentifier], conditions: &[String]) -> String {
    let mut t = String::from(
        "title: Generated rule\nid: 0f0e0d0c-0b0a-4908-8706-050403020100\nstatus: test\n\
         logsource:\n    category: process_creation\n    product: windows\ndetection:\n",
    );
    for i in idents {
        t.push_str(&format!("    {}:\n", i.name));
        for p in &i.predicates {
            let mut key = p.field.clone();
            for m in &p.modifiers {
                key.push('|');
                key.push_str(m.as_str());
            }
            if p.values.len() == 1 {
                t.push_str(&format!("        {key}: {}\n", p.values[0].yaml()));
            } else {
                t.push_str(&format!("        {key}:\n"));
                for v in &p.values {
                    t.push_str(&format!("            - {}\n", v.yaml()));
                }
            }
        }
    }
    t.push_str("    condition:\n");
    for c in conditions {
        t.push_str(&format!("        - {c}\n"));
    }
    t.push_str("level: medium\n");
    t
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn generated_rules_read_back_as_generated(
        idents in identifiers(),
        order in any::<prop::sample::Index>(),
        choices in prop::collection::vec(any::<u32>(), 16),
    ) {
        for i in &idents {
            for p in &i.predicates {
                prop_assert!(check_chain(&p.modifiers).is_empty(), "generator made an invalid chain {:?}", p.modifiers);
            }
        }
        // Leaves: every identifier once, rotated so the order varies.
        let mut leaves: Vec<String> = idents.iter().map(|i| i.name.clone()).collect();
        let k = order.index(leaves.len());
        leaves.rotate_left(k);
        let ast = build(&leaves, &mut choices.into_iter().cycle());
        let want = expected(&ast);
        // The same tree written with every parenthesis, and with only the needed ones.
        let conditions = [full_parens(&ast), want.to_string()];
        let text = rule_text(&idents, &conditions);
        let file = parse_str(&text);
        prop_assert!(file.diagnostics.is_empty(), "{:#?}\n{}", file.diagnostics, text);
        prop_assert_eq!(file.documents.len(), 1);
        let Document::Rule(rule) = &file.documents[0] else { panic!("{text}") };
        let det = &rule.detection;
        let names: Vec<&str> = det.identifiers.iter().map(|i| i.name.as_str()).collect();
        let gen_names: Vec<&str> = idents.iter().map(|i| i.name.as_str()).collect();
        prop_assert_eq!(names, gen_names);
        for (have, made) in det.identifiers.iter().zip(&idents) {
            let SearchBody::Fields(group) = &have.body else { panic!("{:?}", have.body) };
            prop_assert_eq!(group.predicates.len(), made.predicates.len());
            for (p, g) in group.predicates.iter().zip(&made.predicates) {
                prop_assert_eq!(p.field.as_deref(), Some(g.field.as_str()));
                prop_assert_eq!(&p.modifiers, &g.modifiers);
                prop_assert_eq!(p.is_list, g.values.len() > 1);
                prop_assert_eq!(p.values.len(), g.values.len());
                for (v, w) in p.values.iter().zip(&g.values) {
                    prop_assert!(w.matches(&v.kind), "{}: want {:?}, have {:?}\n{}", p.key(), w, v.kind, text);
                }
            }
        }
        prop_assert_eq!(det.conditions.len(), 2);
        for c in &det.conditions {
            let parsed = c.parsed.as_ref().expect("condition parses").without_spans();
            prop_assert_eq!(&parsed, &want, "condition `{}`", c.text);
            // Spans of identifiers point at their names in the file.
            for leaf in c.parsed.as_ref().unwrap().leaves() {
                if let detwiki_sigma::condition::Condition::Identifier { name, span } = leaf {
                    prop_assert_eq!(&text[span.start..span.end], name.as_str());
                }
            }
        }
    }
}
