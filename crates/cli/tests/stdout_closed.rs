//! A reader that stops early (`detwiki … | head`) ends every command normally: its usual
//! exit code and nothing on stderr. Also: `build` with every rule left out is an error, and
//! `export navigator` says when it uses the demo corpus.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("detwiki")
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// Run with a stdout whose reader is gone before the command writes (closed right after the
/// start, long before the command has loaded anything): (exit code, stderr).
fn reader_gone(dir: &Path, args: &[&str]) -> (i32, String) {
    let mut child = Command::new(bin())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (out.status.code().expect("killed by a signal"), String::from_utf8(out.stderr).unwrap())
}

/// Run, read `n` bytes of stdout, then close it: (exit code, stderr).
fn closed_after(dir: &Path, args: &[&str], n: usize) -> (i32, String) {
    let mut child = Command::new(bin())
        .current_dir(dir)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = vec![0; n];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let out = child.wait_with_output().unwrap();
    (out.status.code().expect("killed by a signal"), String::from_utf8(out.stderr).unwrap())
}

fn shared_rules() -> Option<PathBuf> {
    detwiki_testdata::require("corpus/sigma/rules")
}

const RULE: &str = "title: Any exe\nid: 33333333-3333-4333-8333-333333333333\nlevel: low\nlogsource:\n  \
product: windows\n  category: process_creation\ndetection:\n  selection:\n    Image|endswith: '.exe'\n  \
condition: selection\n";

/// A corpus `rules/` and `events.jsonl` with `n` matching Sysmon 1 events.
fn hunt_dir(n: usize) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("rules")).unwrap();
    std::fs::write(tmp.path().join("rules/r.yml"), RULE).unwrap();
    let line =
        r#"{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\Windows\\System32\\whoami.exe"}"#;
    std::fs::write(tmp.path().join("events.jsonl"), format!("{line}\n").repeat(n)).unwrap();
    tmp
}

#[test]
fn every_command_ends_normally_when_its_reader_is_gone() {
    let fx = fixtures();
    let tmp = hunt_dir(3);
    let site = tmp.path().join("site");
    let cases: Vec<(&Path, Vec<&str>, i32)> = vec![
        (&fx, vec!["lint", "--color", "never", "rules"], 1),
        (&fx, vec!["lint", "--format", "json", "rules"], 1),
        (&fx, vec!["lint", "--format", "sarif", "warnings"], 0),
        (&fx, vec!["rule", "-q", "rules/valid_whoami.yml"], 0),
        (&fx, vec!["rule", "-q", "--format", "json", "rules/valid_whoami.yml"], 0),
        (&fx, vec!["catalog", "-q", "--corpus", "f=rules"], 0),
        (&fx, vec!["catalog", "-q", "--pretty", "--corpus", "f=rules"], 0),
        (tmp.path(), vec!["hunt", "-q", "--format", "jsonl", "--corpus", "t=rules", "events.jsonl"], 1),
        (tmp.path(), vec!["hunt", "-q", "--format", "csv", "--corpus", "t=rules", "events.jsonl"], 1),
        (tmp.path(), vec!["hunt", "-q", "--format", "table", "--corpus", "t=rules", "events.jsonl"], 1),
        (tmp.path(), vec!["hunt", "--list-pipelines"], 0),
        (tmp.path(), vec!["export", "navigator", "-q"], 0),
        (tmp.path(), vec!["build", "--format", "json", "--out", site.to_str().unwrap()], 0),
    ];
    for (dir, args, code) in cases {
        let (got, err) = reader_gone(dir, &args);
        assert_eq!(got, code, "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}: nothing on stderr");
    }
    assert!(site.join("index.html").is_file(), "the build itself went through");
}

#[test]
fn large_outputs_closed_after_a_few_bytes() {
    // 5,000 hits of JSON lines: far more than a pipe buffer holds.
    let tmp = hunt_dir(5_000);
    for format in ["jsonl", "csv"] {
        let (code, err) =
            closed_after(tmp.path(), &["hunt", "-q", "--format", format, "--corpus", "t=rules", "events.jsonl"], 16);
        assert_eq!(code, 1, "{format}: hits exit 1: {err}");
        assert_eq!(err, "", "{format}");
    }
    let Some(rules) = shared_rules() else { return };
    let corpus = format!("sigma={}", rules.display());
    let rules = rules.to_str().unwrap();
    for (args, code) in [
        (vec!["lint", "--format", "json", rules], 0),
        (vec!["lint", "--color", "never", rules], 0),
        (vec!["catalog", "-q", "--corpus", &corpus], 0),
    ] {
        let (got, err) = closed_after(Path::new("."), &args, 16);
        assert_eq!(got, code, "{args:?}: {err}");
        assert_eq!(err, "", "{args:?}");
    }
}

#[test]
fn build_with_every_rule_left_out_is_an_error() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir(tmp.path().join("rules")).unwrap();
    std::fs::write(tmp.path().join("rules/a.yml"), "title: [unclosed\n").unwrap();
    std::fs::write(tmp.path().join("rules/b.yml"), "just: a mapping\n").unwrap();
    let out = assert_cmd::Command::cargo_bin("detwiki")
        .unwrap()
        .current_dir(tmp.path())
        .args(["build", "--corpus", "s=rules"])
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("error: every rule file was left out (2 files do not parse); nothing was built"), "{err}");
    assert!(err.contains("warning: s/a.yml left out"), "each file says why: {err}");
    assert!(!tmp.path().join("site").exists(), "nothing was written");
}

#[test]
fn export_navigator_says_it_uses_the_demo_corpus() {
    let out = assert_cmd::Command::cargo_bin("detwiki").unwrap().args(["export", "navigator"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.starts_with("no --corpus given: using the embedded demo corpus ("), "{err}");
    let layer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(layer["techniques"].as_array().is_some_and(|t| !t.is_empty()), "{layer}");
    let out = assert_cmd::Command::cargo_bin("detwiki").unwrap().args(["export", "navigator", "-q"]).output().unwrap();
    assert!(out.stderr.is_empty(), "-q silences it");
}
