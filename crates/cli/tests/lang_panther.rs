//! Panther rules through the command line: `lint` reads a panther-analysis folder (rules,
//! correlation rules, their Python, helpers and data models as support), counts its rules,
//! and locates what is broken at the file's line and column.

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures/panther")
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("detwiki")
        .unwrap()
        .current_dir(dir)
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
fn lint_counts_panther_rules_and_locates_a_broken_python_file() {
    let dir = fixtures();
    let (code, out, err) = run(&dir, &["lint", "."]);
    let all = format!("{out}{err}");
    assert_eq!(code, 1, "an error was found:\n{all}");
    assert!(all.contains("checked 12 files (5 rules"), "{all}");
    assert!(all.contains("1 error, 1 warning"), "{all}");
    assert!(all.contains("error[python-syntax]: broken_python.py:2:"), "{all}");
    assert!(all.contains("rules/broken_python.yml:2:11"), "at `Filename:` in the YAML: {all}");
    assert!(all.contains("warning[unmapped-logsource]: log type `Acme.Unknown`"), "{all}");
}

#[test]
fn lint_of_good_panther_rules_exits_0() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("panther");
    for sub in ["rules", "correlation_rules", "global_helpers", "data_models"] {
        std::fs::create_dir_all(root.join(sub)).unwrap();
    }
    for f in [
        "rules/okta_admin_role_assigned.yml",
        "rules/okta_admin_role_assigned.py",
        "rules/github_repo_archived.yml",
        "correlation_rules/okta_login_without_push.yml",
        "global_helpers/panther_acme_helpers.py",
        "global_helpers/panther_acme_helpers.yml",
        "data_models/okta_data_model.yml",
        "data_models/okta_data_model.py",
    ] {
        std::fs::copy(fixtures().join(f), root.join(f)).unwrap();
    }
    let (code, out, err) = run(tmp.path(), &["lint", "panther"]);
    let all = format!("{out}{err}");
    assert_eq!(code, 0, "{all}");
    assert!(all.contains("checked 8 files (3 rules"), "{all}");
    assert!(all.contains("0 errors"), "{all}");
}

#[test]
fn a_broken_simple_detection_is_shown_at_its_line_and_column() {
    let tmp = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixtures().join("rules/github_repo_archived.yml")).unwrap();
    std::fs::write(tmp.path().join("archived.yml"), text.replace("Condition: Equals", "Condition: Equalz")).unwrap();
    let (code, out, err) = run(tmp.path(), &["lint", "archived.yml"]);
    let all = format!("{out}{err}");
    assert_eq!(code, 1, "{all}");
    assert!(all.contains("error[invalid-field-value]: unknown condition `Equalz` on `action`"), "{all}");
    assert!(all.contains("archived.yml:14:16"), "{all}");
}
