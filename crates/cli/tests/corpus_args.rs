//! `--corpus` given logs instead of rules (arguments swapped): every command that takes
//! `--corpus` says the folder holds no rule files, what it holds instead, and where logs go;
//! exit status 2 (usage error).

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;

/// A folder of logs: two `.evtx` files and a `.jsonl` file, no rule.
fn logs(dir: &Path) -> std::path::PathBuf {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).unwrap();
    for name in ["a.evtx", "b.evtx", "c.jsonl"] {
        std::fs::write(logs.join(name), "{}").unwrap();
    }
    logs
}

fn run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("detwiki")
        .unwrap()
        .current_dir(dir)
        .args(args)
        .timeout(Duration::from_secs(60))
        .output()
        .unwrap();
    (
        out.status.code().expect("killed by a signal (or the timeout)"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `hunt` reads Sigma rules only; the catalog commands every language's.
const WHAT: &str =
    "error: --corpus s=logs: no rule files (.yml/.yaml) under logs — it holds 2 .evtx files and 1 .jsonl file;";
const WHAT_ALL: &str = "error: --corpus s=logs: no rule files (.yml/.yaml/.toml/.py/.yaral) under logs — it holds 2 .evtx files and 1 .jsonl file;";

#[test]
fn hunt_with_logs_as_corpus_says_logs_are_inputs() {
    let tmp = tempfile::tempdir().unwrap();
    logs(tmp.path());
    let (code, out, err) = run(tmp.path(), &["hunt", "--corpus", "s=logs", "logs"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains(&format!("{WHAT} logs are given as INPUT arguments (`detwiki hunt --corpus NAME=RULES INPUT…`)")),
        "{err}"
    );
    // One log file as the corpus.
    let (code, _, err) = run(tmp.path(), &["hunt", "--corpus", "s=logs/a.evtx", "logs"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error: --corpus s=logs/a.evtx: logs/a.evtx is a .evtx file, not a rule file (.yml/.yaml); logs are given as INPUT arguments"),
        "{err}"
    );
}

#[test]
fn every_catalog_command_with_logs_as_corpus_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    logs(tmp.path());
    let commands: [&[&str]; 5] = [
        &["rule", "x", "--corpus", "s=logs"],
        &["catalog", "--corpus", "s=logs"],
        &["build", "--corpus", "s=logs", "--out", "site"],
        &["export", "navigator", "--corpus", "s=logs"],
        &["serve", "--corpus", "s=logs", "--addr", "127.0.0.1:0"],
    ];
    for args in commands {
        let (code, out, err) = run(tmp.path(), args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(
            err.contains(&format!(
                "{WHAT_ALL} --corpus takes a folder of rules (Sigma, Elastic, Splunk, Kusto, Panther, Sublime, YARA-L); logs are read by `detwiki hunt`"
            )),
            "{args:?}: {err}"
        );
    }
    assert!(!tmp.path().join("site").exists(), "nothing was built");
    let (code, _, err) = run(tmp.path(), &["catalog", "--corpus", "s=logs/c.jsonl"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("logs/c.jsonl is a .jsonl file, not a rule file (.yml/.yaml/.toml/.py/.yaral)"), "{err}");
}

#[test]
fn an_empty_corpus_folder_is_named_as_empty() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("none")).unwrap();
    let (code, _, err) = run(tmp.path(), &["catalog", "--corpus", "s=none"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("error: --corpus s=none: no rule files (.yml/.yaml/.toml/.py/.yaral) under none — it is empty"),
        "{err}"
    );
}
