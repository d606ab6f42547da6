//! One fixture per construct the Python lowering reads, the YAML detections, and the
//! findings a broken file gets.

use detwiki_panther::predicate::{Kind, PredicateTree, Value};
use detwiki_panther::python::{Env, Module, lower_rule};
use detwiki_panther::{Code, Detection, parse_str};

fn tree(py: &str) -> PredicateTree {
    let m = Module::parse("t", py.to_string()).expect("parses");
    lower_rule(&m, &Env::default()).expect("has rule()")
}

/// The predicates as `field kind values` lines, `!` for exclusions.
fn preds(py: &str) -> Vec<String> {
    tree(py)
        .predicates()
        .iter()
        .map(|(p, neg)| {
            let vals: Vec<String> = p.values.iter().map(Value::text).collect();
            format!(
                "{}{} {}{} {}",
                if *neg { "!" } else { "" },
                p.field,
                p.kind.as_str(),
                if p.case_insensitive { "~" } else { "" },
                vals.join("|")
            )
        })
        .collect()
}

#[test]
fn field_reads() {
    let py = r#"
def rule(event):
    return (
        event.get("a") == "1"
        and event.get("b", {}).get("c") == "2"
        and event["d"] == "3"
        and event.deep_get("e", "f", default="") == "4"
        and deep_get(event, "g", "h") == "5"
        and event.deep_walk("i", "j") == "6"
        and event.get("k", "").lower() == "seven"
    )
"#;
    assert_eq!(preds(py), ["a eq 1", "b.c eq 2", "d eq 3", "e.f eq 4", "g.h eq 5", "i.j eq 6", "k eq~ seven"]);
}

#[test]
fn comparisons() {
    let py = r#"
def rule(event):
    return (
        event.get("a") != "x"
        and event.get("b") in {"p", "q"}
        and event.get("c") in ["r"]
        and event.get("d") in ("s", "t")
        and event.get("e") not in ("u",)
        and "needle" in event.get("f", "")
        and event.get("g", "").startswith("pre")
        and event.get("h", "").endswith((".exe", ".dll"))
        and event.get("n", 0) > 5
        and event.get("o") is not None
    )
"#;
    assert_eq!(
        preds(py),
        [
            "a ne x",
            "b in p|q",
            "c in r",
            "d in s|t",
            "!e in u",
            "f contains needle",
            "g starts_with pre",
            "h ends_with .exe|.dll",
            "n gt 5",
            "o exists "
        ]
    );
}

#[test]
fn regexes() {
    let py = r#"
import re
PATTERN = re.compile(r"adm.n")

def rule(event):
    return re.search(r"^x+$", event.get("a", "")) or PATTERN.search(event.get("b", ""))
"#;
    assert_eq!(preds(py), ["a regex ^x+$", "b regex adm.n"]);
}

#[test]
fn guards_and_the_final_return() {
    let py = r#"
def rule(event):
    if event.get("status") != "SUCCESS":
        return False
    if event.get("actor") == "root":
        return True
    name = event.get("name", "")
    return name.startswith("tmp")
"#;
    let t = tree(py);
    assert_eq!(
        t.to_string(),
        r#"(not (event.get("status") != "SUCCESS") and (event.get("actor") == "root" or event.get("name").startswith("tmp")))"#
    );
}

#[test]
fn constants_any_all() {
    let py = r#"
ACTIONS = {"Delete", "Stop"}
SUFFIXES = ("a", "b")
BAD = ["x", "y"]

def rule(event):
    return all([
        event.get("action") in ACTIONS,
        any(event.get("name", "").endswith(s) for s in SUFFIXES),
        any(b in event.get("cmd", "") for b in BAD),
    ])
"#;
    let mut got = preds(py);
    got[0] = {
        let mut v: Vec<&str> = got[0].trim_start_matches("action in ").split('|').collect();
        v.sort();
        format!("action in {}", v.join("|"))
    };
    assert_eq!(got, ["action in Delete|Stop", "name ends_with a|b", "cmd contains x|y"]);
}

#[test]
fn local_helpers_are_followed_and_others_are_opaque() {
    let py = r#"
from somewhere import mystery

def is_admin(event):
    return event.get("role") == "admin"

def rule(event):
    return is_admin(event) and mystery(event)
"#;
    let t = tree(py);
    assert_eq!(preds(py), ["role eq admin"]);
    assert_eq!(t.opaque(), ["mystery(event)"]);
}

#[test]
fn loops_are_opaque_and_their_names_unknown() {
    let py = r#"
def rule(event):
    found = False
    for x in event.get("items", []):
        if x == "a":
            found = True
    return found and event.get("kind") == "k"
"#;
    let t = tree(py);
    assert_eq!(preds(py), ["kind eq k"]);
    assert_eq!(t.opaque(), ["found"]);
}

#[test]
fn a_constant_rule_has_no_predicates() {
    assert_eq!(tree("def rule(event):\n    return True\n"), PredicateTree::Bool(true));
}

#[test]
fn deep_nesting_is_refused_not_a_crash() {
    let deep = format!("def rule(event):\n    return {}1{}\n", "(".repeat(5000), ")".repeat(5000));
    let e = Module::parse("t", deep).unwrap_err();
    assert!(e.message.contains("brackets nest deeper"), "{}", e.message);
    let long = format!("def rule(event):\n    return {}\n", vec!["1"; 20000].join(" + "));
    assert!(Module::parse("t", long).is_err());
    let nots = format!("def rule(event):\n    return {} True\n", "not ".repeat(20000));
    assert!(Module::parse("t", nots).is_err());
}

const SIMPLE: &str = r#"AnalysisType: rule
RuleID: GitHub.Repo.Archived
DisplayName: Repository Archived
Enabled: true
Severity: Info
LogTypes:
  - GitHub.Audit
Reports:
  MITRE ATT&CK:
    - TA0040:T1485
Detection:
  - Key: action
    Condition: Equals
    Value: repo.archived
  - Any:
      - DeepKey: [actor, type]
        Condition: IsIn
        Values: [User, Bot]
      - Key: org
        Condition: DoesNotStartWithIgnoreCase
        Value: test
Tests:
  - Name: archived
    ExpectedResult: true
    Log: {"action": "repo.archived", "org": "acme"}
"#;

#[test]
fn a_simple_detection_reads_as_predicates() {
    let f = parse_str(SIMPLE);
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let r = f.rule.unwrap();
    assert_eq!(r.id.as_ref().unwrap().value, "GitHub.Repo.Archived");
    assert_eq!(r.mitre[0].value, "TA0040:T1485");
    let t = r.tree().unwrap();
    let got: Vec<String> = t
        .predicates()
        .iter()
        .map(|(p, n)| format!("{}{} {}", if *n { "!" } else { "" }, p.field, p.kind.as_str()))
        .collect();
    assert_eq!(got, ["action eq", "actor.type in", "!org starts_with"]);
    assert_eq!(r.tests[0].expected, Some(true));
    assert!(r.tests[0].log.as_deref().unwrap().contains("\"action\": \"repo.archived\""));
}

#[test]
fn an_unknown_condition_is_a_finding_at_its_line() {
    let text = SIMPLE.replace("Condition: Equals", "Condition: Equalz");
    let f = parse_str(&text);
    let d = &f.diagnostics[0];
    assert_eq!(d.code, Code::InvalidFieldValue);
    let (line, col) = detwiki_panther::load::position(&text, d.span.unwrap().start);
    assert_eq!((line, col), (13, 16));
    assert!(f.rule.is_some(), "the rule is still read");
}

#[test]
fn a_correlation_has_a_stage_per_step() {
    let text = r#"AnalysisType: correlation_rule
RuleID: Okta.Login.Without.Push
Severity: High
Detection:
  - Sequence:
      - ID: Login
        RuleID: Okta.Login.Success
      - ID: Push
        RuleID: Push.Authorized
        Absence: true
    Transitions:
      - ID: Login then no push
        From: Login
        To: Push
        WithinTimeFrameMinutes: 60
        Match:
          - On: actor.alternateId
    LookbackWindowMinutes: 120
"#;
    let f = parse_str(text);
    assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
    let r = f.rule.unwrap();
    let labels: Vec<&str> = r.stages.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(
        labels,
        ["sequence step 1: Login (Okta.Login.Success)", "sequence step 2: Push (Push.Authorized), must be absent"]
    );
    let Detection::Correlation(c) = &r.detection else { panic!() };
    assert_eq!(c.joins, ["Login → Push within 60 min on actor.alternateId"]);
}

#[test]
fn support_and_foreign_files() {
    assert!(parse_str("AnalysisType: global\nFilename: x.py\nGlobalID: x\n").rule.is_none());
    assert!(parse_str("AnalysisType: datamodel\nLogTypes: [A.B]\n").rule.is_none());
    let f = parse_str("title: a sigma rule\ndetection: {}\n");
    assert_eq!(f.diagnostics[0].code, Code::NotARule);
    assert!(detwiki_panther::sniff("# c\nAnalysisType: rule\n"));
    assert!(!detwiki_panther::sniff("title: x\n  AnalysisType: rule\n"));
}

#[test]
fn a_python_syntax_error_names_the_python_line() {
    let dir = std::env::temp_dir().join(format!("detwiki-panther-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("r.py"), "def rule(event):\n    return event.get('a') ==\n").unwrap();
    let yml = "AnalysisType: rule\nRuleID: X\nFilename: r.py\nLogTypes: [Okta.SystemLog]\n";
    let f = detwiki_panther::read_file(yml, &dir.join("r.yml"));
    let d = &f.diagnostics[0];
    assert_eq!(d.code, Code::PythonSyntax);
    assert!(d.message.starts_with("r.py:2:"), "{}", d.message);
    assert_eq!(d.span.map(|s| &yml[s.start..s.end]), Some("r.py"));
    std::fs::remove_file(dir.join("r.py")).unwrap();
    let f = detwiki_panther::read_file(yml, &dir.join("r.yml"));
    assert_eq!(f.diagnostics[0].code, Code::PythonFileMissing);
    assert!(matches!(f.rule.unwrap().detection, Detection::Python { .. }));
    let _ = Kind::Eq;
}
