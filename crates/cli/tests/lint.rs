//! `detwiki lint` as a user runs it: the real binary on fixture folders
//! (`tests/fixtures`), its exit codes and its three output formats.
//!
//! `tests/fixtures/rules` holds a valid rule, two broken ones, two files that
//! share an id (one in a nested folder), a file whose name has a space and an
//! `&`, a `.txt` file and a hidden folder (both ignored). `tests/fixtures/warnings`
//! holds rules with warnings only.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// `detwiki lint ARGS` run from the fixtures folder, so paths in the output are short and stable.
fn lint(args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("detwiki")
        .unwrap()
        .current_dir(fixtures())
        .env_remove("NO_COLOR")
        .arg("lint")
        .args(args)
        .output()
        .unwrap();
    let code = out.status.code().expect("lint was killed by a signal");
    (code, String::from_utf8(out.stdout).unwrap(), String::from_utf8(out.stderr).unwrap())
}

/// The summary line's time varies from run to run.
fn without_time(human: &str) -> String {
    human
        .lines()
        .map(|l| match (l.starts_with("checked "), l.rfind(" in ")) {
            (true, Some(i)) if l.ends_with('s') => format!("{} in [TIME]", &l[..i]),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn json_lines(stdout: &str) -> Vec<Value> {
    stdout.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}"))).collect()
}

// ------------------------------------------------------------------ exit codes

#[test]
fn valid_rule_exits_0_with_no_findings() {
    let (code, out, err) = lint(&["--color", "never", "rules/valid_whoami.yml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        without_time(&out),
        "checked 1 file (1 rule, 0 filters, 0 correlations): 0 errors, 0 warnings in [TIME]"
    );
}

#[test]
fn warnings_only_exit_0() {
    let (code, out, err) = lint(&["--color", "never", "warnings"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("warning[unused-identifier]"), "{out}");
    assert!(out.contains("warning[nonstandard-quantifier]"), "{out}");
    assert!(!out.contains("error["), "{out}");
    // `.yaml` files are read as well as `.yml`.
    assert!(out.contains("warnings/any_of.yaml:12:16"), "{out}");
}

#[test]
fn errors_exit_1() {
    let (code, out, err) = lint(&["--color", "never", "rules"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.is_empty(), "{err}");
}

#[test]
fn missing_path_exits_2() {
    let (code, out, err) = lint(&["no/such/folder"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("no/such/folder") && err.contains("no such file or folder"), "{err}");
}

#[test]
fn no_path_exits_2() {
    let (code, _, err) = lint(&[]);
    assert_eq!(code, 2);
    assert!(err.contains("PATH"), "{err}");
}

#[test]
fn bad_flags_exit_2() {
    for args in [&["--bogus", "rules"][..], &["--format", "xml", "rules"], &["--color", "sometimes", "rules"]] {
        let (code, out, err) = lint(args);
        assert_eq!(code, 2, "{args:?}: {out}{err}");
        assert!(out.is_empty(), "{args:?}: {out}");
        assert!(!err.is_empty(), "{args:?}");
    }
}

#[test]
fn a_missing_path_among_others_is_an_io_error() {
    let (code, out, _) = lint(&["--format", "json", "rules/valid_whoami.yml", "missing.yml"]);
    assert_eq!(code, 1, "{out}");
    let lines = json_lines(&out);
    let io: Vec<&Value> = lines.iter().filter(|v| v["code"] == "io-error").collect();
    assert_eq!(io.len(), 1, "{out}");
    assert_eq!(io[0]["file"], "missing.yml");
    assert_eq!(io[0]["severity"], "error");
    assert!(io[0]["line"].is_null());
    let summary = lines.last().unwrap();
    assert_eq!(summary["files"], 1);
    assert_eq!(summary["errors"], 1);
}

#[test]
fn file_over_the_size_limit_is_an_error() {
    let (code, out, _) = lint(&["--format", "json", "--max-file-size", "100", "rules/valid_whoami.yml"]);
    assert_eq!(code, 1, "{out}");
    let lines = json_lines(&out);
    assert_eq!(lines[0]["code"], "file-too-large");
    assert!(lines[0]["message"].as_str().unwrap().contains("more than the limit of 100 bytes"), "{out}");
    assert_eq!(lines.len(), 2, "one finding and the summary: {out}");
}

#[test]
fn shared_ids_across_files_are_reported_once_on_the_second() {
    let (code, out, _) = lint(&["--format", "json", "rules/dup_first.yml", "rules/nested/dup_second.yml"]);
    assert_eq!(code, 1, "{out}");
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 2, "{out}");
    let d = &lines[0];
    assert_eq!(d["code"], "duplicate-rule-id");
    assert_eq!(d["file"], "rules/nested/dup_second.yml");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(2), Some(5)));
    assert!(d["help"].as_str().unwrap().contains("rules/dup_first.yml"), "{out}");
    // Linting the files the other way round reports the other one.
    let (_, out, _) = lint(&["--format", "json", "rules/nested/dup_second.yml", "rules/dup_first.yml"]);
    assert_eq!(json_lines(&out)[0]["file"], "rules/dup_first.yml");
}

#[test]
fn a_file_named_on_the_command_line_is_read_whatever_its_name() {
    let (code, out, err) = lint(&["--color", "never", "rules/nested/space & name.yml"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("--> rules/nested/space & name.yml:4:7"), "{out}");
}

// ------------------------------------------------------------------ human output

#[test]
fn human_output() {
    let (_, out, _) = lint(&["--color", "never", "rules"]);
    // Not read: the .txt file and the hidden folder.
    assert!(!out.contains("notes.txt") && !out.contains(".hidden"), "{out}");
    assert!(!out.contains("\u{1b}["), "no colors with --color never");
    insta::assert_snapshot!("human", without_time(&out));
}

#[test]
fn color_always_colors() {
    let (_, out, _) = lint(&["--color", "always", "rules/bad_modifier.yml"]);
    assert!(out.contains("\u{1b}["), "{out}");
}

#[test]
fn errors_only_hides_warnings_but_counts_them() {
    let (code, out, _) = lint(&["--color", "never", "--errors-only", "rules"]);
    assert_eq!(code, 1);
    assert!(!out.contains("warning["), "{out}");
    assert_eq!(out.matches("error[").count(), 3, "{out}");
    assert!(out.contains(": 3 errors, 2 warnings in "), "{out}");

    let (code, out, _) = lint(&["--color", "never", "--errors-only", "warnings"]);
    assert_eq!(code, 0);
    assert_eq!(
        without_time(&out),
        "checked 2 files (2 rules, 0 filters, 0 correlations): 0 errors, 2 warnings in [TIME]"
    );
}

#[test]
fn quiet_hides_the_summary() {
    let (code, out, err) = lint(&["--color", "never", "--quiet", "rules/valid_whoami.yml"]);
    assert_eq!(code, 0);
    assert!(out.is_empty() && err.is_empty(), "{out}{err}");
    let (code, out, _) = lint(&["--color", "never", "-q", "rules"]);
    assert_eq!(code, 1, "quiet changes the output, not the exit code");
    assert!(!out.contains("checked "), "{out}");
    assert!(out.contains("error[unknown-modifier]"), "{out}");
}

// ------------------------------------------------------------------ JSON lines

#[test]
fn json_lines_output() {
    let (code, out, _) = lint(&["--format", "json", "rules"]);
    assert_eq!(code, 1);
    let mut lines = json_lines(&out);
    let (summary, findings) = lines.split_last_mut().unwrap();
    assert_eq!(summary["type"], "summary");
    assert!(summary["seconds"].as_f64().unwrap() >= 0.0);
    summary["seconds"] = Value::Null;
    assert_eq!(summary["files"], 6);
    assert_eq!(summary["files_with_errors"], 3, "a duplicate id is an error of the file too");
    assert_eq!(summary["errors"], 3);
    assert_eq!(summary["warnings"], 2);
    for f in findings.iter() {
        assert_eq!(f["type"], "finding");
        for key in ["file", "severity", "code", "message", "line", "column", "end_line", "end_column", "labels"] {
            assert!(f.get(key).is_some(), "{key} missing in {f}");
        }
    }
    let by_code: Vec<(&str, &str, u64, u64)> = findings
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap(),
                f["file"].as_str().unwrap(),
                f["line"].as_u64().unwrap(),
                f["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        by_code,
        [
            ("unused-identifier", "rules/bad_condition.yml", 10, 5),
            ("undefined-identifier", "rules/bad_condition.yml", 12, 34),
            ("unknown-modifier", "rules/bad_modifier.yml", 9, 21),
            ("duplicate-rule-id", "rules/nested/dup_second.yml", 2, 5),
            ("invalid-date", "rules/nested/space & name.yml", 4, 7),
        ]
    );
    insta::assert_json_snapshot!("json", lines);
}

// ------------------------------------------------------------------ SARIF

#[test]
fn sarif_output_is_sarif_2_1_0() {
    let (code, out, _) = lint(&["--format", "sarif", "rules"]);
    assert_eq!(code, 1);
    let log: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif-2.1.0"));
    let runs = log["runs"].as_array().unwrap();
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "detwiki");
    let rules = driver["rules"].as_array().unwrap();
    let rule_ids: Vec<&str> = rules.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(rule_ids.contains(&"unknown-modifier") && rule_ids.contains(&"duplicate-rule-id"));
    for r in rules {
        assert!(!r["shortDescription"]["text"].as_str().unwrap().is_empty(), "{r}");
        assert!(matches!(r["defaultConfiguration"]["level"].as_str(), Some("error" | "warning")), "{r}");
    }
    let results = runs[0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 5);
    for r in results {
        let id = r["ruleId"].as_str().unwrap();
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rule_ids[index], id, "ruleIndex points at the rule");
        assert!(matches!(r["level"].as_str(), Some("error" | "warning")), "{r}");
        assert!(!r["message"]["text"].as_str().unwrap().is_empty());
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().unwrap();
        assert!(uri.starts_with("rules/") && !uri.contains(' '), "a URI has no raw spaces: {uri}");
        let region = &loc["region"];
        assert!(region["startLine"].as_u64().unwrap() >= 1, "{r}");
        assert!(region["startColumn"].as_u64().unwrap() >= 1, "{r}");
    }
    let spaced = results.iter().find(|r| r["ruleId"] == "invalid-date").unwrap();
    assert_eq!(
        spaced["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "rules/nested/space%20&%20name.yml"
    );
    // The index depends on the order of the code table; it is checked above.
    let mut results = runs[0]["results"].clone();
    for r in results.as_array_mut().unwrap() {
        r["ruleIndex"] = Value::Null;
    }
    insta::assert_json_snapshot!("sarif_results", results);
}

#[test]
fn errors_only_applies_to_sarif_and_json() {
    let (_, out, _) = lint(&["--format", "sarif", "--errors-only", "rules"]);
    let log: Value = serde_json::from_str(&out).unwrap();
    let results = log["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), 3);
    assert!(results.iter().all(|r| r["level"] == "error"));
    let (_, out, _) = lint(&["--format", "json", "--errors-only", "rules"]);
    let lines = json_lines(&out);
    assert_eq!(lines.len(), 4);
    assert_eq!(lines[3]["warnings"], 2, "warnings are still counted");
}

// ------------------------------------------------------------------ every parser code reaches the user

#[test]
fn every_parser_fixture_lints_with_its_code() {
    // The sigma crate's fixtures, one per code: the CLI shows each code at the same place.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sigma/tests/fixtures");
    let out = Command::cargo_bin("detwiki").unwrap().args(["lint", "--format", "json"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&String::from_utf8(out.stdout).unwrap());
    let summary = lines.last().unwrap();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "yml") {
            continue;
        }
        let code = path.file_stem().unwrap().to_str().unwrap();
        assert!(
            lines.iter().any(|l| l["code"] == code && l["file"].as_str().unwrap().ends_with(&format!("{code}.yml"))),
            "{code} not reported for {}",
            path.display()
        );
        assert!(summary["by_code"][code].as_u64().unwrap() >= 1, "{code}");
    }
    // The valid fixtures have no errors, and no two fixtures share an id.
    let wrong: Vec<&Value> = lines
        .iter()
        .filter(|l| {
            l["severity"] == "error"
                && (l["file"].as_str().unwrap().contains("/valid/") || l["code"] == "duplicate-rule-id")
        })
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

// ------------------------------------------------------------------ the SigmaHQ corpus

fn shared_corpus() -> Option<PathBuf> {
    detwiki_testdata::require("corpus/sigma/rules")?;
    detwiki_testdata::require("corpus/sigma")
}

fn lint_corpus(dirs: &[PathBuf]) -> (i32, Vec<Value>) {
    let out = Command::cargo_bin("detwiki")
        .unwrap()
        .args(["lint", "--format", "json", "--quiet"])
        .args(dirs)
        .output()
        .unwrap();
    let code = out.status.code().expect("lint was killed by a signal");
    let stdout = String::from_utf8(out.stdout).unwrap();
    (code, json_lines(&stdout))
}

#[test]
fn sigmahq_rules_have_no_errors() {
    let Some(corpus) = shared_corpus() else { return };
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&corpus)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && p.file_name().unwrap().to_str().unwrap().starts_with("rules"))
        .collect();
    dirs.sort();
    let (code, lines) = lint_corpus(&dirs);
    let errors: Vec<&Value> = lines.iter().filter(|l| l["severity"] == "error").collect();
    assert!(
        errors.is_empty(),
        "{} errors in the SigmaHQ rules, e.g.:\n{}",
        errors.len(),
        errors.iter().take(10).map(|e| e.to_string()).collect::<Vec<_>>().join("\n")
    );
    assert_eq!(code, 0);
    let summary = lines.last().unwrap();
    assert!(summary["rules"].as_u64().unwrap() > 3000, "{summary}");
    assert_eq!(summary["files_with_errors"], 0);
}

#[test]
fn sigmahq_deprecated_and_unsupported_rules_never_crash() {
    let Some(corpus) = shared_corpus() else { return };
    let dirs: Vec<PathBuf> =
        ["deprecated", "unsupported"].iter().map(|d| corpus.join(d)).filter(|d| d.is_dir()).collect();
    if dirs.is_empty() {
        println!("SKIPPED: no deprecated/ or unsupported/ folder in the shared corpus");
        return;
    }
    let (code, lines) = lint_corpus(&dirs);
    assert!(code == 0 || code == 1, "exit code {code}");
    let summary = lines.last().unwrap();
    assert_eq!(summary["type"], "summary");
    assert!(summary["files"].as_u64().unwrap() > 0);
}

#[test]
fn a_date_not_in_the_calendar_is_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let rule = tmp.path().join("r.yml");
    std::fs::write(
        &rule,
        "title: t\nid: 4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a\ndate: 2024-02-31\nlogsource:\n  product: windows\n  \
         category: process_creation\ndetection:\n  sel:\n    Image: x\n  condition: sel\n",
    )
    .unwrap();
    let (code, out, _) = lint(&["--format", "json", rule.to_str().unwrap()]);
    assert_eq!(code, 0, "a warning: {out}");
    let lines = json_lines(&out);
    let d = lines.iter().find(|l| l["code"] == "invalid-date").unwrap_or_else(|| panic!("{out}"));
    assert_eq!(d["message"], "`date` `2024-02-31` is not a calendar date: February 2024 has 29 days");
    assert_eq!((d["line"].as_u64(), d["column"].as_u64()), (Some(3), Some(7)));
}
