//! `detwiki hunt` at its edges: a rule whose file has errors never runs (it would run broader
//! than written), `--strict` and `--verbose` say which rules are skipped and why, and hits are
//! easy to triage (numeric `event_id`, a CSV `fields` column that is JSON).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// The typo (`contians`) makes lint and the wiki drop this rule; read as parsed, without the
/// misspelt predicate, it would match every process of the samples.
const TYPO: &str = "title: Typo rule\nid: 22222222-2222-4222-8222-222222222222\nlevel: high\nlogsource:\n  \
product: windows\n  category: process_creation\ndetection:\n  selection:\n    Image|endswith: '.exe'\n    \
CommandLine|contians: 'x'\n  condition: selection\n";

/// What the typo rule would be without its misspelt predicate.
const LOOSE: &str = "title: Any exe\nid: 33333333-3333-4333-8333-333333333333\nlevel: low\nlogsource:\n  \
product: windows\n  category: process_creation\ndetection:\n  selection:\n    Image|endswith: '.exe'\n  \
condition: selection\n";

const TYPO_ID: &str = "22222222-2222-4222-8222-222222222222";

fn detwiki() -> Command {
    Command::cargo_bin("detwiki").unwrap()
}

/// A Sysmon sample with four process creations, or `None` (and a note) without `../shared`.
fn sample_evtx() -> Option<PathBuf> {
    detwiki_testdata::require("events/evtx-attack-samples/Execution/exec_sysmon_1_ftp.evtx")
}

/// A corpus folder `rules/` holding `files` (name, text); returns the temp dir.
fn corpus(files: &[(&str, &str)]) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(tmp.path().join("rules")).unwrap();
    for (name, text) in files {
        std::fs::write(tmp.path().join("rules").join(name), text).unwrap();
    }
    tmp
}

/// `detwiki hunt --corpus t=rules ARGS` run in `dir`: (exit code, stdout, stderr).
fn hunt(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = detwiki()
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .args(["hunt", "--threads", "1", "--corpus", "t=rules"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().expect("killed by a signal"),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

#[test]
fn a_rule_whose_file_has_errors_is_skipped_never_run_broader() {
    let Some(evtx) = sample_evtx() else { return };
    let tmp = corpus(&[("typo.yml", TYPO), ("loose.yml", LOOSE)]);
    let (code, out, err) = hunt(tmp.path(), &["--format", "jsonl", evtx.to_str().unwrap()]);
    assert_eq!(code, 1, "the loose rule hits: {err}");
    let hits = json_lines(&out);
    assert_eq!(hits.len(), 4, "the loose rule fires on the four process creations: {out}");
    assert!(hits.iter().all(|h| h["rule_id"] != TYPO_ID), "the rule with the typo gives no hit: {out}");
    assert!(
        err.contains(
            "warning: skipped rules/typo.yml: 1 error (unknown-modifier at 10:17); run lint on it, or hunt \
             --verbose, for details"
        ),
        "{err}"
    );
    assert!(err.contains("rules: 1 loaded, 1 skipped (1 errors-in-file)"), "{err}");
    // Alone, it leaves nothing to run: a usage error, still with its warning.
    let tmp = corpus(&[("typo.yml", TYPO)]);
    let (code, out, err) = hunt(tmp.path(), &[evtx.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("warning: skipped rules/typo.yml: 1 error"), "{err}");
    assert!(err.contains("error: no rule to run (1 skipped)"), "{err}");
}

#[test]
fn strict_exits_2_before_reading_when_a_rule_is_skipped() {
    let Some(evtx) = sample_evtx() else { return };
    let tmp = corpus(&[("typo.yml", TYPO), ("loose.yml", LOOSE)]);
    let (code, out, err) = hunt(tmp.path(), &["--strict", "--format", "jsonl", evtx.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty(), "nothing was run: {out}");
    assert!(
        err.contains(&format!("skipped: t: rules/typo.yml: Typo rule [{TYPO_ID}]: errors in file")),
        "the skipped rule is named: {err}"
    );
    assert!(
        err.contains("error: --strict: 1 selected rules would be skipped (1 errors-in-file); nothing was run"),
        "{err}"
    );
    assert!(!err.contains("hunt: "), "no input was read: {err}");
    // Every skip reason counts: here a logsource with no event mapping.
    let unmapped = LOOSE.replace("product: windows\n  category: process_creation", "product: acme\n  service: widget");
    let tmp = corpus(&[("unmapped.yml", &unmapped), ("loose.yml", LOOSE)]);
    let (code, _, err) = hunt(tmp.path(), &["--strict", evtx.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("(1 no-logsource-mapping)"), "{err}");
    // Without a skipped rule, --strict changes nothing.
    let tmp = corpus(&[("loose.yml", LOOSE)]);
    let (code, out, _) = hunt(tmp.path(), &["--strict", "--format", "jsonl", evtx.to_str().unwrap()]);
    assert_eq!((code, json_lines(&out).len()), (1, 4));
}

/// A regex is checked when the rules load and built when an event first reaches it; one that
/// parses but is beyond the `regex` crate's size limit makes its rule give no hits, and says so.
#[test]
fn a_regex_too_big_to_build_is_reported_and_its_rule_gives_no_hits() {
    let Some(evtx) = sample_evtx() else { return };
    let big = LOOSE
        .replace("33333333-3333-4333-8333-333333333333", "44444444-4444-4444-8444-444444444444")
        .replace("Any exe", "Big regex")
        .replace(
            "condition: selection",
            "filter:\n    CommandLine|re: '(?:a{1000}){1000}'\n  condition: selection and not filter",
        );
    let tmp = corpus(&[("big.yml", &big), ("loose.yml", LOOSE)]);
    let (code, out, err) = hunt(tmp.path(), &["--format", "jsonl", evtx.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    let hits = json_lines(&out);
    assert_eq!(hits.len(), 4, "only the loose rule hits: {out}");
    assert!(hits.iter().all(|h| h["rule_id"] == "33333333-3333-4333-8333-333333333333"), "{out}");
    assert!(
        err.contains(
            "warning: rules/big.yml: rule `Big regex` [44444444-4444-4444-8444-444444444444] was not run: its regex \
             `(?:a{1000}){1000}` cannot be built (Compiled regex exceeds size limit of 10485760 bytes.); simplify the \
             pattern"
        ),
        "{err}"
    );
    let (code, _, err) = hunt(tmp.path(), &["--strict", "--format", "jsonl", evtx.to_str().unwrap()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error: --strict: 1 rules could not be run (see the warnings above)"), "{err}");
}

#[test]
fn verbose_shows_the_errors_as_lint_does_and_lists_skipped_rules() {
    let Some(evtx) = sample_evtx() else { return };
    let tmp = corpus(&[("typo.yml", TYPO), ("loose.yml", LOOSE)]);
    let (code, _, err) = hunt(tmp.path(), &["--verbose", "--format", "jsonl", evtx.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    for want in [
        "warning: skipped rules/typo.yml: 1 error; none of its rules run:",
        "error[unknown-modifier]: unknown modifier `contians`",
        "--> rules/typo.yml:10:17",
        "10 |     CommandLine|contians: 'x'",
        "   |                 ^^^^^^^^",
        "= help: did you mean `contains`?",
        "skipped: t: rules/typo.yml: Typo rule [22222222-2222-4222-8222-222222222222]: errors in file",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
}

#[test]
fn a_file_that_does_not_read_as_yaml_is_reported_not_dropped() {
    let tmp = corpus(&[("broken.yml", "title: [unclosed\nid: x\n"), ("loose.yml", LOOSE)]);
    std::fs::write(tmp.path().join("events.jsonl"), "{\"EventID\":1}\n").unwrap();
    let (code, _, err) = hunt(tmp.path(), &["events.jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("warning: skipped rules/broken.yml: 1 error (yaml-syntax at "), "{err}");
    assert!(err.contains("1 skipped (1 errors-in-file)"), "{err}");
    let (_, _, err) = hunt(tmp.path(), &["--verbose", "events.jsonl"]);
    assert!(err.contains("skipped: t: rules/broken.yml: (no rule could be read): errors in file"), "{err}");
}

#[test]
fn a_broken_rule_the_selection_leaves_out_is_not_reported() {
    let tmp = corpus(&[("typo.yml", TYPO), ("loose.yml", LOOSE)]);
    std::fs::write(tmp.path().join("events.jsonl"), "{\"EventID\":1}\n").unwrap();
    let (code, _, err) =
        hunt(tmp.path(), &["--strict", "--rule", "33333333-3333-4333-8333-333333333333", "events.jsonl"]);
    assert_eq!(code, 0, "{err}");
    assert!(!err.contains("typo.yml"), "{err}");
    assert!(err.contains("rules: 1 loaded, 0 skipped (none)"), "{err}");
}

#[test]
fn verbose_names_the_placeholders_without_values() {
    let rule = LOOSE.replace("Image|endswith: '.exe'", "User|expand: '%admins%'");
    let tmp = corpus(&[("admins.yml", &rule), ("loose.yml", LOOSE)]);
    std::fs::write(tmp.path().join("events.jsonl"), "{\"EventID\":1}\n").unwrap();
    let (_, _, err) = hunt(tmp.path(), &["events.jsonl"]);
    assert!(err.contains("1 skipped (1 unresolved-placeholder)"), "{err}");
    assert!(!err.contains("%admins%"), "names only with --verbose: {err}");
    let (_, _, err) = hunt(tmp.path(), &["--verbose", "events.jsonl"]);
    assert!(
        err.contains("placeholders without values: %admins% (1 rule); give them with --placeholders FILE"),
        "{err}"
    );
    assert!(
        err.contains("skipped: t: rules/admins.yml: Any exe [33333333-3333-4333-8333-333333333333]: placeholder `%admins%` has no values"),
        "{err}"
    );
}

// ------------------------------------------------------------------ output for triage

/// A Sysmon 1 event whose command line holds what broke `k=v; k=v`: commas, quotes, `;` and `=`.
const EVENT: &str = r#"{"EventID":"1","Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\x\\a.exe","CommandLine":"a.exe /k=v; \"q\", b=c"}"#;

#[test]
fn event_id_is_a_number_in_json_lines() {
    let tmp = corpus(&[("loose.yml", LOOSE)]);
    std::fs::write(tmp.path().join("events.jsonl"), format!("{EVENT}\n")).unwrap();
    let (code, out, _) = hunt(tmp.path(), &["-q", "--format", "jsonl", "events.jsonl"]);
    assert_eq!(code, 1, "hits exit 1");
    let hits = json_lines(&out);
    assert_eq!(hits[0]["event_id"], Value::from(1), "a number even when the log wrote a string: {out}");
    assert_eq!(hits[0]["line"], Value::from(1));
    if let Some(evtx) = sample_evtx() {
        let (_, out, _) = hunt(tmp.path(), &["-q", "--format", "jsonl", evtx.to_str().unwrap()]);
        let hits = json_lines(&out);
        assert!(hits.iter().all(|h| h["event_id"] == 1 && h["record_id"].is_u64()), "{out}");
    }
}

#[test]
fn csv_rows_split_and_the_fields_column_is_json() {
    let rule = LOOSE.replace("Image|endswith: '.exe'", "Image|endswith: '.exe'\n    CommandLine|contains: 'b=c'");
    let tmp = corpus(&[("r.yml", &rule)]);
    std::fs::write(tmp.path().join("events.jsonl"), format!("{EVENT}\n")).unwrap();
    let (code, out, _) = hunt(tmp.path(), &["-q", "--format", "csv", "events.jsonl"]);
    assert_eq!(code, 1);
    let mut reader = csv::Reader::from_reader(out.as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(header.last().map(String::as_str), Some("fields"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1, "{out}");
    let col = |name: &str| &rows[0][header.iter().position(|h| h == name).unwrap()];
    assert_eq!(col("event_id"), "1");
    let fields: Value = serde_json::from_str(col("fields")).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(fields["Image"], "C:\\x\\a.exe");
    assert_eq!(fields["CommandLine"], "a.exe /k=v; \"q\", b=c");
}

// ------------------------------------------------------------------ --placeholders, --pipeline

#[test]
fn placeholder_and_pipeline_yaml_errors_show_the_line_with_a_caret() {
    let tmp = corpus(&[("loose.yml", LOOSE)]);
    std::fs::write(tmp.path().join("ph.yml"), "admins:\n  - alice\n  - {a: b}\n").unwrap();
    std::fs::write(tmp.path().join("syntax.yml"), "admins: [alice\n").unwrap();
    std::fs::write(
        tmp.path().join("pipe.yml"),
        "name: p\ntransformations:\n  - type: field_name_mapping\n    mapping: [x]\n",
    )
    .unwrap();
    let (code, out, err) = hunt(tmp.path(), &["--placeholders", "ph.yml", "-"]);
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    let want = "error: --placeholders: `admins`: values are strings, found a mapping\n --> ph.yml:3:5\n  |\n\
                3 |   - {a: b}\n  |     ^^^^^\n  |\n  = help: write `name: [value, …]` or `name: value`";
    assert!(err.contains(want), "want:\n{want}\nin:\n{err}");

    let (code, _, err) = hunt(tmp.path(), &["--placeholders", "syntax.yml", "-"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error: --placeholders: YAML: "), "{err}");
    assert!(err.contains(" --> syntax.yml:1:16\n  |\n1 | admins: [alice\n  |               ^"), "{err}");

    let (code, _, err) = hunt(tmp.path(), &["--pipeline", "pipe.yml", "-"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("error: `mapping` must be a mapping, found a list\n --> pipe.yml:4:14\n"), "{err}");
    assert!(err.contains("4 |     mapping: [x]\n  |              ^"), "{err}");
}
