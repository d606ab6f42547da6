//! Sublime rules through the command line: `lint` reads them beside Sigma rules, counts them,
//! and shows a broken MQL query at its line and column in the YAML file.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures/sublime")
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("detwiki")
        .unwrap()
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
fn lint_counts_sublime_rules_and_locates_a_broken_query() {
    let dir = fixtures();
    let (code, out, err) = run(&["lint", dir.to_str().unwrap()]);
    let all = format!("{out}{err}");
    assert_eq!(code, 1, "one query does not parse: an error\n{all}");
    assert!(all.contains("checked 5 files (5 rules, 0 filters, 0 correlations): 1 error, 0 warnings"), "{all}");
    assert!(all.contains("error[query-syntax]: MQL: expected a value, found `and`"), "{all}");
    assert!(all.contains("broken_query.yml:7:7"), "file:line:col of the query's error in the YAML file\n{all}");
    assert!(all.contains("7 |   and and sender.email.email"), "the offending line\n{all}");
}

#[test]
fn lint_of_good_sublime_rules_beside_a_sigma_rule_passes() {
    let tmp = std::env::temp_dir().join(format!("detwiki-sublime-lint-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    std::fs::copy(fixtures().join("link_onion_unsolicited.yml"), tmp.join("onion.yml")).unwrap();
    std::fs::copy(fixtures().join("hunt_outbound.yml"), tmp.join("hunt.yaml")).unwrap();
    std::fs::write(
        tmp.join("whoami.yml"),
        "title: Whoami\nid: 0b9c6c7a-1111-4111-8111-111111111111\nstatus: test\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\nlevel: low\n",
    )
    .unwrap();
    let (code, out, err) = run(&["lint", "--format", "json", tmp.to_str().unwrap()]);
    std::fs::remove_dir_all(&tmp).ok();
    assert_eq!(code, 0, "{out}{err}");
    let summary: serde_json::Value = serde_json::from_str(out.lines().last().unwrap()).unwrap();
    assert_eq!((summary["files"].as_u64(), summary["rules"].as_u64()), (Some(3), Some(3)), "{summary}");
    assert_eq!(summary["errors"].as_u64(), Some(0));
}
