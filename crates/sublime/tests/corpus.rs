//! The whole shared sublime-rules corpus: every file is read without a panic, every query
//! parses (the target is 99%; failures are listed with why), every query's canonical text
//! parses back to the same tree, and predicates are found for at least 99% of the rules.

use detwiki_sublime::predicate::PredicateTree;
use detwiki_sublime::{mql, parse_str, sniff};

#[test]
fn every_rule_of_the_corpus_parses_round_trips_and_has_predicates() {
    let Some(root) = detwiki_testdata::require("corpus/sublime/detection-rules") else { return };
    let mut files = 0;
    let mut failures = Vec::new();
    let mut no_predicates = Vec::new();
    let mut round_trip = Vec::new();
    for e in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let e = e.unwrap();
        let path = e.path();
        if !path.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(path).unwrap();
        let rel = path.strip_prefix(&root).unwrap().display().to_string();
        assert!(sniff(&text), "{rel} is not claimed by the Sublime sniff");
        let f = parse_str(&text, &rel);
        for d in &f.diagnostics {
            failures.push(format!("{rel}: {} {} at {:?}", d.code.as_str(), d.message, d.span));
        }
        let Some(src) = f.rule.and_then(|r| r.source) else { continue };
        let Some(tree) = src.parsed.as_ref() else { continue };
        let printed = tree.to_string();
        match mql::parse(&printed) {
            Ok(back) if back.without_spans() == tree.without_spans() => {}
            Ok(_) => round_trip.push(format!("{rel}: reparsed to another tree: {printed}")),
            Err(e) => round_trip.push(format!("{rel}: printed text does not parse ({e}): {printed}")),
        }
        let t = src.predicates().unwrap();
        if t.predicates().is_empty() && !matches!(t, PredicateTree::Pred(_)) {
            no_predicates.push(rel);
        }
    }
    assert!(files >= 1000, "only {files} rule files under {}", root.display());
    assert!(failures.is_empty(), "{} of {files} files have findings:\n{}", failures.len(), failures.join("\n"));
    assert!(round_trip.is_empty(), "round trip failures:\n{}", round_trip.join("\n"));
    let rate = 1.0 - no_predicates.len() as f64 / files as f64;
    eprintln!("{files} rules; predicates found for {:.2}%; without: {no_predicates:?}", rate * 100.0);
    assert!(rate >= 0.99, "predicates for only {:.2}% of {files} rules; without: {no_predicates:#?}", rate * 100.0);
}
