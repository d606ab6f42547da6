//! Every `.yaml` of the Sentinel corpus snapshot (`../shared/corpus/kusto`: `Detections/` and
//! `Solutions/`): each reads without a panic, at least 98% of the queries parse (each failure
//! listed with file:line:col and why), and every parsed query prints to text that parses back
//! to the same tree. Skipped (with `SKIPPED:`) when the shared folder is missing.

use std::collections::BTreeMap;

use detwiki_kusto::rule::{Layout, parse_str};
use detwiki_kusto::span::LineIndex;

fn strip_spans(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("span");
            m.values_mut().for_each(strip_spans);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip_spans),
        _ => {}
    }
}

fn tree(q: &detwiki_kusto::ast::Query) -> serde_json::Value {
    let mut v = serde_json::to_value(q).expect("serializes");
    strip_spans(&mut v);
    v
}

#[test]
fn the_corpus_parses_at_98_percent_and_round_trips() {
    let Some(root) = detwiki_testdata::require("corpus/kusto") else { return };
    let mut files = 0;
    let mut queries = 0;
    let mut failures = Vec::new();
    let mut layouts: BTreeMap<&str, usize> = BTreeMap::new();
    let mut ids: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for e in walkdir::WalkDir::new(&root).sort_by_file_name() {
        let e = e.expect("walk the corpus");
        if !e.file_type().is_file() || e.path().extension().is_none_or(|x| x != "yaml") {
            continue;
        }
        files += 1;
        let text = std::fs::read_to_string(e.path()).expect("UTF-8");
        let rel = e.path().strip_prefix(&root).expect("under the root").display().to_string();
        assert!(detwiki_kusto::rule::sniff(&text), "{rel}: not recognised as a Sentinel rule");
        let f = parse_str(&text, &rel);
        let rule = f.rule.unwrap_or_else(|| panic!("{rel}: no rule: {:?}", f.diagnostics));
        *layouts
            .entry(match rule.layout {
                Some(Layout::Detections) => "detections",
                Some(Layout::Solution(_)) => "solutions",
                _ => "other",
            })
            .or_default() += 1;
        if let Some(id) = &rule.id {
            ids.entry(id.value.to_lowercase()).or_default().push(rel.clone());
        }
        let Some(q) = rule.query else { continue };
        queries += 1;
        match &q.parsed {
            None => {
                let d = &f.diagnostics.iter().find(|d| d.code.as_str().starts_with("query")).expect("a query finding");
                let span = d.span.expect("a span");
                let at = LineIndex::new(&text).line_col(&text, span.start);
                failures.push(format!("{rel}:{}:{}: {}", at.line, at.column, d.message));
            }
            Some(parsed) => {
                let printed = parsed.to_string();
                let again = detwiki_kusto::parse(&printed)
                    .unwrap_or_else(|e| panic!("{rel}: the printed query does not parse: {e}\n{printed}"));
                assert_eq!(tree(parsed), tree(&again), "{rel}: printing changes the tree:\n{printed}");
                assert_eq!(again.to_string(), printed, "{rel}: printing is not stable");
            }
        }
    }
    assert_eq!(files, 1061, "the snapshot's rule files");
    assert_eq!(queries, 1061, "every rule has a query");
    assert!(layouts["detections"] > 300 && layouts["solutions"] > 300, "both layouts: {layouts:?}");
    let rate = (queries - failures.len()) as f64 / queries as f64;
    assert!(rate >= 0.98, "{:.2}% parse; failures:\n{}", rate * 100.0, failures.join("\n"));
    // The one failure is a broken rule: `extract(@(\.\w+)$, …)` has an unquoted regex.
    assert_eq!(failures.len(), 1, "failures:\n{}", failures.join("\n"));
    assert!(failures[0].contains("PotentiallyHarmfulFileTypes.yaml:32:39: Kusto query: unexpected character `\\`"));
    let dups: Vec<_> = ids.iter().filter(|(_, v)| v.len() > 1).collect();
    assert_eq!(dups.len(), 15, "ids used by more than one file: {dups:#?}");
}
