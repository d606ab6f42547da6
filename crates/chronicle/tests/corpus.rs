//! Every `.yaral` file of the shared Chronicle corpus (`corpus/chronicle/rules`): parsed
//! without panic; community rules all parse and have predicates (target: 99%); every rule
//! prints to text that parses back to the same tree (spans aside).

use std::path::Path;

use detwiki_chronicle::lower::PredicateTree;
use detwiki_chronicle::print::rule_to_string;
use detwiki_chronicle::{parse_file, read};

fn files(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(root).sort_by_file_name().into_iter().flatten() {
        if e.path().extension().is_some_and(|x| x == "yaral") {
            let text = std::fs::read_to_string(e.path()).expect("corpus files are UTF-8");
            out.push((e.path().strip_prefix(root).unwrap().display().to_string(), text));
        }
    }
    out
}

fn has_predicates(t: &PredicateTree) -> bool {
    !t.predicates().is_empty()
}

#[test]
fn community_rules_parse_and_have_predicates() {
    let Some(root) = detwiki_testdata::require("corpus/chronicle/rules") else { return };
    let all = files(&root);
    assert!(all.len() > 800, "expected the whole corpus, found {} files", all.len());
    let (mut community, mut deprecated) = (0, 0);
    let mut failures = Vec::new();
    let mut no_predicates = Vec::new();
    for (path, text) in &all {
        let f = read(text);
        let is_community = path.starts_with("community");
        if is_community {
            community += 1;
        } else {
            deprecated += 1;
        }
        let diags: Vec<String> = f
            .diagnostics
            .iter()
            .chain(f.rules.iter().flat_map(|r| r.diagnostics.iter()))
            .map(|d| format!("{}: {}", d.code.as_str(), d.message))
            .collect();
        if !diags.is_empty() || f.rules.is_empty() {
            failures.push(format!("{path}: {}", diags.join("; ")));
            continue;
        }
        if !f.rules.iter().any(|r| r.lowered.stages.iter().any(|s| has_predicates(&s.tree))) {
            no_predicates.push(path.clone());
        }
    }
    assert!(failures.is_empty(), "{} of {} files do not parse:\n{}", failures.len(), all.len(), failures.join("\n"));
    let community_misses = no_predicates.iter().filter(|p| p.starts_with("community")).count();
    let rate = 100.0 * (community - community_misses) as f64 / community as f64;
    println!("community {community}, deprecated {deprecated}; predicates for {rate:.1}% of community rules");
    println!("without predicates: {no_predicates:#?}");
    assert!(
        rate >= 99.0,
        "predicates for {rate:.1}% of community rules (target 99%); missed:\n{}",
        no_predicates.join("\n")
    );
}

#[test]
fn every_corpus_rule_prints_and_parses_back_to_the_same_tree() {
    let Some(root) = detwiki_testdata::require("corpus/chronicle/rules") else { return };
    for (path, text) in files(&root) {
        for r in parse_file(&text).rules {
            let printed = rule_to_string(&r.rule);
            let again = parse_file(&printed);
            assert!(again.errors.is_empty(), "{path}: printed text does not parse: {:?}\n{printed}", again.errors);
            assert_eq!(again.rules.len(), 1, "{path}");
            assert!(again.rules[0].errors.is_empty(), "{path}: {:?}\n{printed}", again.rules[0].errors);
            let (mut a, mut b) = (r.rule.clone(), again.rules[0].rule.clone());
            a.clear_spans();
            b.clear_spans();
            assert_eq!(a, b, "{path}: the printed rule reads back differently\n{printed}");
            assert_eq!(rule_to_string(&again.rules[0].rule), printed, "{path}: printing is not stable");
        }
    }
}

#[test]
fn no_panic_on_any_prefix_of_a_corpus_rule() {
    let Some(root) = detwiki_testdata::require("corpus/chronicle/rules") else { return };
    // Truncated files (every 97th byte boundary of a few rules) are diagnosed, never a panic.
    for (_, text) in files(&root).into_iter().step_by(60) {
        for cut in (0..text.len()).step_by(97).filter(|c| text.is_char_boundary(*c)) {
            let _ = read(&text[..cut]);
        }
    }
}
