//! Microsoft Sentinel analytic rules (Kusto) through the command line: `detwiki lint` reads
//! them beside Sigma rules, counts them, locates a broken query at file:line:col and exits 1.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures/kusto")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("detwiki")
        .unwrap()
        .current_dir(fixtures())
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
fn lint_counts_sentinel_rules_and_locates_the_broken_query() {
    let (code, out, err) = run(&["lint", "--color", "never", "."]);
    assert_eq!(code, 1, "a query-syntax error fails lint:\n{out}\n{err}");
    let all = format!("{out}{err}");
    assert!(all.contains("checked 5 files (5 rules, 0 filters, 0 correlations): 1 error"), "{all}");
    assert!(
        all.contains("error[query-syntax]: Kusto query: expected a value, a column or `(`, found the end of the query"),
        "{all}"
    );
    assert!(all.contains("broken_query.yaml:19:28"), "file:line:col of the error:\n{all}");
}

#[test]
fn lint_of_good_sentinel_rules_exits_0() {
    let (code, out, err) = run(&["lint", "--color", "never", "Detections"]);
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        format!("{out}{err}").contains("checked 2 files (2 rules, 0 filters, 0 correlations): 0 errors, 0 warnings"),
        "{out}{err}"
    );
}
