//! The whole shared panther-analysis corpus: every rule file is read without a panic,
//! predicates are found for at least 95% of rules (each miss listed with why), and every
//! rule's predicate tree survives print → parse → lower.

use std::path::PathBuf;

use detwiki_panther::python::{Env, lower_expr_in};
use detwiki_panther::{Detection, read_file, repo};

fn yaml_files(root: &std::path::Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| matches!(p.extension().and_then(|x| x.to_str()), Some("yml" | "yaml")))
        .collect()
}

#[test]
fn predicates_are_found_for_95_percent_of_rules_and_round_trip() {
    let Some(root) = detwiki_testdata::require("corpus/panther") else { return };
    let (mut rules, mut found) = (0usize, 0usize);
    let mut missed = Vec::new();
    let mut round_trip_failures = Vec::new();
    for path in yaml_files(&root) {
        let text = std::fs::read_to_string(&path).unwrap();
        let rel = path.strip_prefix(&root).unwrap().display().to_string();
        assert!(detwiki_panther::sniff(&text) || rel.starts_with("."), "{rel}: not claimed by the sniff");
        let file = read_file(&text, &path);
        let Some(rule) = &file.rule else { continue };
        rules += 1;
        if rule.has_predicates() || matches!(rule.detection, Detection::Correlation(_)) {
            found += 1;
        } else {
            let why = match (file.diagnostics.first(), rule.tree()) {
                (Some(d), _) => d.message.clone(),
                (None, Some(t)) if t.opaque().is_empty() => format!("returns a constant: {t}"),
                (None, Some(t)) => format!("only opaque logic: {}", t.opaque().join("; ")),
                (None, None) => "no stage".into(),
            };
            missed.push(format!("{rel}: {why}"));
        }
        // Round trip: the printed tree reads back as the same tree.
        if let Some(tree) = rule.tree() {
            let repo = repo::repo_for(&path);
            let log_types: Vec<String> = rule.log_types.iter().map(|l| l.value.clone()).collect();
            let env = Env {
                helpers: repo.as_deref().map(|r| &r.helpers),
                udm_paths: repo.as_deref().map(|r| r.udm_paths(&log_types)).unwrap_or_default(),
            };
            let printed = tree.to_string();
            match lower_expr_in(&printed, &env) {
                Ok(back) if back.normalized() == tree.normalized() => {}
                Ok(back) => round_trip_failures.push(format!("{rel}:\n  printed {printed}\n  read    {back}")),
                Err(e) => round_trip_failures.push(format!("{rel}: printed {printed}: {}", e.message)),
            }
        }
    }
    let rate = found as f64 / rules as f64;
    eprintln!("panther corpus: {found}/{rules} rules with predicates ({:.1}%)", rate * 100.0);
    for m in &missed {
        eprintln!("  missed {m}");
    }
    assert!(rules > 850, "only {rules} rules read");
    assert!(rate >= 0.95, "predicates for {found}/{rules} rules; missed:\n{}", missed.join("\n"));
    assert!(round_trip_failures.is_empty(), "round trip failures:\n{}", round_trip_failures.join("\n"));
}

#[test]
fn support_files_are_no_rules() {
    let Some(root) = detwiki_testdata::require("corpus/panther") else { return };
    for dir in ["data_models", "global_helpers"] {
        for path in yaml_files(&root.join(dir)) {
            let text = std::fs::read_to_string(&path).unwrap();
            let file = read_file(&text, &path);
            assert!(file.rule.is_none(), "{}: read as a rule", path.display());
            assert!(file.diagnostics.is_empty(), "{}: {:?}", path.display(), file.diagnostics);
        }
    }
}

#[test]
fn no_sigma_file_is_claimed() {
    let Some(root) = detwiki_testdata::require("corpus/sigma") else { return };
    for path in yaml_files(&root) {
        let Ok(text) = std::fs::read_to_string(&path) else { continue };
        assert!(!detwiki_panther::sniff(&text), "{}: a Sigma file claimed as Panther", path.display());
    }
}
