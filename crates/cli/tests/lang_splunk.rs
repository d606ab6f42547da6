//! Splunk security_content detections through the command line: `lint` of a detections
//! folder finds the repository's macros and data sources above it, counts its rules, and
//! shows a broken search at its file:line:col; the whole repository is a corpus.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures/splunk")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("detwiki")
        .unwrap()
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    (
        out.status.code().expect("killed by a signal (or the timeout)"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn lint_of_a_detections_folder_counts_rules_and_locates_search_errors() {
    let (code, out, err) = run(&["lint", "--color", "never", "detections"]);
    assert_eq!(code, 1, "the broken search is an error: {out}{err}");
    assert!(out.contains("checked 5 files (5 rules, 0 filters, 0 correlations)"), "{out}");
    // The search error is at its line and column in the YAML file, inside the multi-line
    // quoted `search:` value.
    assert!(out.contains("error[query-syntax]: the SPL search does not parse: unclosed `(`"), "{out}");
    assert!(out.contains("--> detections/deprecated/broken_search.yml:12:11"), "{out}");
    // An undefined macro and unknown data sources are warnings, located too.
    assert!(out.contains("warning[undefined-macro]: macro `undefined_enrichment` with 1 argument(s)"), "{out}");
    assert!(out.contains("--> detections/endpoint/process_hunting.yml:14:5"), "{out}");
    assert!(out.contains("warning[unknown-data-source]: data source `Not A Data Source`"), "{out}");
    assert!(out.contains("1 error"), "{out}");
}

#[test]
fn lint_of_good_detections_exits_zero_and_support_files_are_no_rules() {
    let (code, out, err) = run(&["lint", "--color", "never", "detections/endpoint/registry_stubpath_ttp.yml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("checked 1 file (1 rule, 0 filters, 0 correlations)"), "{out}");
    // The whole repository: macros, data sources and stories are read as support.
    let (code, out, err) = run(&["lint", "--color", "never", "--format", "json", "."]);
    assert_eq!(code, 1, "{out}{err}");
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!(summary["rules"], 5, "{summary}");
}
