//! `detwiki rule` and `detwiki catalog` on the catalog crate's fixture corpora.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures")
}

fn corpora() -> Vec<String> {
    let f = fixtures();
    vec![
        "--corpus".into(),
        format!("alpha={}", f.join("alpha").display()),
        "--corpus".into(),
        format!("beta={}", f.join("beta").display()),
    ]
}

fn detwiki() -> Command {
    Command::cargo_bin("detwiki").unwrap()
}

/// The standard output of a successful `detwiki ARGS --corpus …` over the fixtures.
fn stdout_of(args: &[&str]) -> Vec<u8> {
    detwiki().args(args).args(corpora()).assert().success().get_output().stdout.clone()
}

#[test]
fn rule_text_follows_the_seed_page() {
    let out = stdout_of(&["rule", "a54f842a-3713-4b45-8c84-5f136fdebd3c", "--quiet"]);
    let text = String::from_utf8(out).unwrap();
    let sections = [
        "Detection rules › Beta",
        "New PortProxy Registry Entry Added",
        "MITRE ATT&CK coverage",
        "| Command & Control | T1090 Proxy |",
        "Event coverage",
        "| Sysmon | Event ID 12 | RegistryEvent (Object create and delete) |",
        "| Sysmon | Event ID 13 | RegistryEvent (Value Set) |",
        "| Sysmon | Event ID 14 | RegistryEvent (Key and Value Rename) |",
        "Rule body yaml",
        "Stages and Predicates",
        "Stage 0: condition",
        "Stage 1: selection",
        "Indicators",
        "| TargetObject | match | \\Services\\PortProxy\\v4tov4\\tcp\\ — corpus 1 (beta 1) |",
        "Neighbors",
    ];
    let mut at = 0;
    for s in sections {
        let found = text[at..].find(s).unwrap_or_else(|| panic!("`{s}` missing or out of order in:\n{text}"));
        at += found + s.len();
    }
    insta::assert_snapshot!("rule_text_seed", text);
}

#[test]
fn rule_json_has_the_documented_keys() {
    let out = stdout_of(&["rule", "a54f842a-3713-4b45-8c84-5f136fdebd3c", "--quiet", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    for key in ["id", "title", "corpus", "path", "level", "status", "attack", "events", "stages", "indicators"] {
        assert!(v.get(key).is_some(), "missing key {key}");
    }
    assert_eq!(v["indicators"][0]["values"][0]["rules"][0], "a54f842a-3713-4b45-8c84-5f136fdebd3c");
}

#[test]
fn rule_by_path_without_corpus_and_unknown_rule() {
    let path = fixtures().join("beta/reg_portproxy.yml");
    detwiki().args(["rule", path.to_str().unwrap(), "--quiet"]).assert().success();
    detwiki().args(["rule", "no-such-rule", "--quiet"]).args(corpora()).assert().code(1);
    detwiki().args(["rule", "no-such-rule"]).assert().code(2);
    detwiki().args(["rule", "x", "--corpus", "bad name=/tmp"]).assert().code(2);
}

#[test]
fn catalog_compact_and_pretty_are_the_same_document() {
    let compact = stdout_of(&["catalog", "--quiet"]);
    let pretty = stdout_of(&["catalog", "--quiet", "--pretty"]);
    let a: serde_json::Value = serde_json::from_slice(&compact).unwrap();
    let b: serde_json::Value = serde_json::from_slice(&pretty).unwrap();
    assert_eq!(a, b);
    assert_eq!(a["rules"].as_array().unwrap().len(), 6);
    assert_eq!(a["failed"][0]["path"], "broken.yml");
    assert_eq!(a["corpora"][1]["name"], "beta");
}

#[test]
fn catalog_reports_left_out_files_on_stderr() {
    let out = detwiki().arg("catalog").args(corpora()).assert().success().get_output().stderr.clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("beta/broken.yml left out: unknown modifier `contians`"), "{err}");
    assert!(err.contains("loaded 6 rules (alpha 3, beta 3) from 7 files, 1 left out"), "{err}");
}

/// `detwiki rule ID --quiet` over `fixtures/rule_text` (corpus `acme`).
fn rule_text(id: &str) -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/rule_text");
    let out = detwiki()
        .args(["rule", id, "--quiet", "--corpus"])
        .arg(format!("acme={}", dir.display()))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    String::from_utf8(out).unwrap()
}

/// The Event coverage section of a rule's text, up to the rule body.
fn event_section(text: &str) -> &str {
    let start = text.find("\nEvent coverage\n").expect("an Event coverage section");
    let end = text.find("\nRule body yaml\n").expect("a Rule body section");
    &text[start + 1..end]
}

#[test]
fn rule_text_of_a_correlation_rule_says_where_its_events_come_from() {
    // As on the wiki page: a correlation rule has no logsource, and the text said so
    // (`No known event mapping for logsource ` with nothing after it) before it said why.
    let text = rule_text("0d6a3f38-5b1e-4a47-9a52-1f0c6e2b7a02");
    assert_eq!(
        event_section(&text),
        "Event coverage\nA correlation rule reads the events of the rules it correlates.\n"
    );
    insta::assert_snapshot!("rule_text_correlation", text);
}

#[test]
fn rule_text_names_the_channel_of_an_event_id_on_several() {
    // AppLocker writes 8003 on four channels: each row says which, as the wiki page does (the
    // text had four rows `| AppLocker | Event ID 8003 |  |` that could not be told apart).
    let text = rule_text("0d6a3f38-5b1e-4a47-9a52-1f0c6e2b7a03");
    assert_eq!(
        event_section(&text),
        "Event coverage\n| Provider | Event | Title |\n|---|---|---|\n\
         | AppLocker | Event ID 8003 (Microsoft-Windows-AppLocker/MSI and Script) |  |\n\
         | AppLocker | Event ID 8003 (Microsoft-Windows-AppLocker/EXE and DLL) |  |\n\
         | AppLocker | Event ID 8003 (Microsoft-Windows-AppLocker/Packaged app-Deployment) |  |\n\
         | AppLocker | Event ID 8003 (Microsoft-Windows-AppLocker/Packaged app-Execution) |  |\n"
    );
    insta::assert_snapshot!("rule_text_channels", text);
}

#[test]
fn rule_text_of_an_unmapped_logsource_and_of_an_event_without_a_title() {
    let text = rule_text("0d6a3f38-5b1e-4a47-9a52-1f0c6e2b7a04");
    assert_eq!(
        event_section(&text),
        "Event coverage\nNo known event mapping: product only: keyword rule over any Linux log line (shell \
         history, syslog …); no stream is named\n"
    );
    // Security 4625 has an id, no title in the taxonomy: an empty cell, no stray punctuation.
    let text = rule_text("0d6a3f38-5b1e-4a47-9a52-1f0c6e2b7a01");
    assert!(event_section(&text).contains("\n| Security | Event ID 4625 |  |\n"), "{text}");
}
