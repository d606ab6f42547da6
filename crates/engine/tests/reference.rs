//! Property test: the optimised matcher (literal prefilter, fast paths for
//! equality/prefix/suffix/substring, segment globs, lower-cased buffers)
//! agrees with a naive reference evaluator that interprets the parsed rule
//! directly, turning every value into an anchored regex and walking the
//! condition tree (the approach of rsigma's `engine/diff_tests.rs`).

use std::collections::BTreeMap;

use detwiki_engine::event::{Event, Kind};
use detwiki_engine::ruleset::{Options, RulesetBuilder};
use detwiki_sigma::condition::{Condition, Quantifier};
use detwiki_sigma::value::Part;
use detwiki_sigma::{Detection, Document, FieldPredicate, Modifier, SearchBody, ValueKind};
use proptest::prelude::*;

type Ev = BTreeMap<String, Option<String>>;

const FIELDS: [&str; 3] = ["A", "B", "C"];
const MODS: [&str; 9] = [
    "",
    "|contains",
    "|startswith",
    "|endswith",
    "|contains|all",
    "|cased",
    "|contains|cased",
    "|endswith|cased",
    "|windash",
];
const CONDITIONS: [&str; 8] =
    ["s0", "s0 and not s1", "1 of s*", "all of them", "s0 or (s1 and not s2)", "not s0", "2 of s*", "s0 and s1 or s2"];

fn value() -> impl Strategy<Value = String> {
    proptest::string::string_regex(r"[abAé\-/ ]{0,3}[*?]?[abÉ\\]{0,3}").expect("regex")
}

fn event_value() -> impl Strategy<Value = Option<String>> {
    prop_oneof![
        1 => Just(None),
        8 => proptest::string::string_regex(r"[abABéÉ\-/ \\*?]{0,8}").expect("regex").prop_map(Some),
    ]
}

#[derive(Clone, Debug)]
struct Pred {
    field: usize,
    mods: usize,
    values: Vec<String>,
}

fn pred() -> impl Strategy<Value = Pred> {
    (0..FIELDS.len(), 0..MODS.len(), proptest::collection::vec(value(), 1..7)).prop_map(|(field, mods, values)| Pred {
        field,
        mods,
        values,
    })
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn rule_yaml(searches: &[Vec<Pred>], keywords: &Option<Vec<String>>, cond: &str) -> String {
    let mut y = String::from("title: p\nid: p\nlogsource:\n  product: windows\ndetection:\n");
    for (i, s) in searches.iter().enumerate() {
        y.push_str(&format!("  s{i}:\n"));
        for p in s {
            y.push_str(&format!("    {}{}:\n", FIELDS[p.field], MODS[p.mods]));
            for v in &p.values {
                y.push_str(&format!("      - {}\n", quote(v)));
            }
        }
    }
    if let Some(k) = keywords {
        y.push_str("  kw:\n");
        for v in k {
            y.push_str(&format!("    - {}\n", quote(v)));
        }
    }
    let cond = if keywords.is_some() { format!("({cond}) or kw") } else { cond.to_string() };
    y.push_str(&format!("  condition: {cond}\n"));
    y
}

// ---- the reference ----

fn value_regex(p: &FieldPredicate, parts: &[Part], keyword: bool) -> Vec<regex::Regex> {
    let has = |m: Modifier| p.modifiers.contains(&m);
    let mut body = String::new();
    for part in parts {
        match part {
            Part::Literal(l) => {
                if has(Modifier::Windash) {
                    // Every `-`/`/` after a non-word char and before a word char is any dash.
                    let chars: Vec<char> = l.chars().collect();
                    for (i, c) in chars.iter().enumerate() {
                        let w = |c: char| c.is_alphanumeric() || c == '_';
                        let flag = (*c == '-' || *c == '/')
                            && !(i > 0 && w(chars[i - 1]))
                            && chars.get(i + 1).is_some_and(|n| w(*n));
                        if flag {
                            body.push_str("[-/\u{2013}\u{2014}\u{2015}]");
                        } else {
                            body.push_str(&regex::escape(&c.to_string()));
                        }
                    }
                } else {
                    body.push_str(&regex::escape(l));
                }
            }
            Part::AnyChars => body.push_str(".*"),
            Part::OneChar => body.push('.'),
            Part::Placeholder(_) => unreachable!(),
        }
    }
    let pre = if has(Modifier::Contains) || has(Modifier::EndsWith) || keyword { ".*" } else { "" };
    let post = if has(Modifier::Contains) || has(Modifier::StartsWith) || keyword { ".*" } else { "" };
    let flags = if has(Modifier::Cased) { "(?s)" } else { "(?si)" };
    vec![regex::Regex::new(&format!("{flags}^{pre}{body}{post}$")).expect("reference regex")]
}

fn naive_pred(p: &FieldPredicate, ev: &Ev) -> bool {
    let keyword = p.field.is_none();
    let check = |v: &detwiki_sigma::Value| -> bool {
        match &v.kind {
            ValueKind::Null => p.field.as_ref().is_some_and(|f| ev.get(f).is_none_or(Option::is_none)),
            ValueKind::String(s) => {
                let res = value_regex(p, &s.parts, keyword);
                let hit = |x: &str| res.iter().any(|r| r.is_match(x));
                match &p.field {
                    Some(f) => ev.get(f).and_then(Option::as_deref).is_some_and(hit),
                    None => ev.values().flatten().any(|x| hit(x)),
                }
            }
            ValueKind::Regex(re) => {
                let flags = if p.modifiers.contains(&Modifier::ReI) { "(?i)" } else { "" };
                let r = regex::Regex::new(&format!("{flags}{re}")).expect("reference regex");
                p.field.as_ref().and_then(|f| ev.get(f)).and_then(Option::as_deref).is_some_and(|x| r.is_match(x))
            }
            other => panic!("generator made {other:?}"),
        }
    };
    if p.modifiers.contains(&Modifier::All) { p.values.iter().all(check) } else { p.values.iter().any(check) }
}

fn naive_search(body: &SearchBody, ev: &Ev) -> bool {
    match body {
        SearchBody::Fields(g) => g.predicates.iter().all(|p| naive_pred(p, ev)),
        SearchBody::AnyOf(gs) => gs.iter().any(|g| g.predicates.iter().all(|p| naive_pred(p, ev))),
        SearchBody::Keywords(vs) => {
            let p = FieldPredicate {
                field: None,
                modifiers: vec![],
                values: vs.clone(),
                is_list: true,
                key_span: Default::default(),
            };
            naive_pred(&p, ev)
        }
    }
}

fn naive_cond(c: &Condition, det: &Detection, ev: &Ev) -> bool {
    let by_name = |n: &str| naive_search(&det.identifier(n).expect("identifier").body, ev);
    match c {
        Condition::Or(xs) => xs.iter().any(|x| naive_cond(x, det, ev)),
        Condition::And(xs) => xs.iter().all(|x| naive_cond(x, det, ev)),
        Condition::Not(x) => !naive_cond(x, det, ev),
        Condition::Identifier { name, .. } => by_name(name),
        Condition::Quantified { quantifier, target, .. } => {
            let names: Vec<&str> = det.identifiers.iter().map(|i| i.name.as_str()).collect();
            let ids = Condition::resolve(target, &names);
            let n = ids.iter().filter(|i| by_name(i)).count();
            match quantifier {
                Quantifier::One | Quantifier::Any => n >= 1,
                Quantifier::All => !ids.is_empty() && n == ids.len(),
                Quantifier::Count(k) => n >= *k as usize,
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn optimised_matcher_agrees_with_reference(
        searches in proptest::collection::vec(proptest::collection::vec(pred(), 1..3), 3),
        keywords in proptest::option::weighted(0.3, proptest::collection::vec(value(), 1..3)),
        cond in 0..CONDITIONS.len(),
        events in proptest::collection::vec(proptest::collection::vec(event_value(), 3), 1..6),
    ) {
        let yaml = rule_yaml(&searches, &keywords, CONDITIONS[cond]);
        let file = detwiki_sigma::parse_str(&yaml);
        prop_assume!(!file.has_errors());
        let Some(Document::Rule(rule)) = file.documents.first() else { panic!("no rule") };
        // The prefilter from the first event, never (every instance evaluated), and from the third.
        let build = |prefilter_after| {
            let mut b = RulesetBuilder::new();
            b.add("p", "p.yml".as_ref(), &file.documents, &|_| true);
            b.build(&Options { routing: false, prefilter_after, ..Options::default() })
        };
        let (rs, direct, switching) = (build(0), build(u32::MAX), build(2));
        prop_assert_eq!(rs.rules.len(), 1, "{:?}", rs.skipped);
        let mut scratch = rs.scratch();
        let mut direct_scratch = direct.scratch();
        let mut switching_scratch = switching.scratch();
        for values in &events {
            let mut ev = Event::new();
            let mut map = Ev::new();
            for (f, v) in FIELDS.iter().zip(values) {
                if let Some(s) = v {
                    ev.push(f, s, Kind::Str);
                    map.insert(f.to_string(), Some(s.clone()));
                }
            }
            let mut got = false;
            rs.matches(&ev, &mut scratch, |_| got = true);
            let mut got_direct = false;
            direct.matches(&ev, &mut direct_scratch, |_| got_direct = true);
            prop_assert_eq!(got, got_direct, "prefilter and direct evaluation disagree");
            let mut got_switching = false;
            switching.matches(&ev, &mut switching_scratch, |_| got_switching = true);
            prop_assert_eq!(got, got_switching, "prefilter built mid-stream disagrees");
            let cond = rule.detection.conditions[0].parsed.as_ref().expect("condition");
            let want = naive_cond(cond, &rule.detection, &map);
            prop_assert_eq!(got, want, "rule:\n{}\nevent: {:?}", yaml, map);
        }
    }
}
