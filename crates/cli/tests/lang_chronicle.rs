//! Chronicle YARA-L rules through the command line: `lint` over the fixture repository
//! (rules, a dashboard read as support, a reference list left out, a Sigma original) and a
//! broken query reported at its file:line:col.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures/chronicle")
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
fn lint_reads_the_repository_and_fails_on_the_broken_rule() {
    let (code, out, err) = run(&["lint", "."]);
    let all = format!("{out}{err}");
    assert_eq!(code, 1, "a syntax error is an error: {all}");
    // Five files: three YARA-L rules, the Sigma original, the dashboard (support); the
    // reference list is data, left out without a finding.
    assert!(all.contains("checked 5 files (4 rules, 0 filters, 0 correlations): 1 error, 1 warning"), "{all}");
    assert!(all.contains("error[yaral-syntax]: expected an expression"), "{all}");
    assert!(all.contains("windows/broken.yaral:9:38"), "file:line:col of the broken comparison: {all}");
    assert!(!all.contains("unknown-format") && !all.contains("not-a-rule"), "{all}");
}

#[test]
fn lint_of_good_rules_passes() {
    let (code, out, err) = run(&["lint", "windows/createdump_process_dump.yaral", "gcp"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("checked 2 files (2 rules, 0 filters, 0 correlations): 0 errors, 0 warnings"),
        "{out}{err}"
    );
}
