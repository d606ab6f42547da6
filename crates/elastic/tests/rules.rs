//! Rule files of both repositories' layouts and every rule type, and the findings on broken
//! ones: each snapshot shows what the catalog will read (metadata, ATT&CK, details, stages) and
//! every diagnostic at its file line:column with the text it points at.

mod common;

use std::fmt::Write as _;

use detwiki_elastic::{Code, ElasticFile, Layout, LineIndex, RuleType, parse_str};

fn load(name: &str, path: &str) -> (String, ElasticFile) {
    let text = common::fixture(&format!("rules/{name}.toml"));
    let file = parse_str(&text, path);
    (text, file)
}

fn render(text: &str, file: &ElasticFile) -> String {
    let mut out = String::new();
    let index = LineIndex::new(text);
    for d in &file.diagnostics {
        let (lc, at) = match d.span {
            Some(s) => {
                let lc = index.line_col(text, s.start);
                (format!("{}:{}", lc.line, lc.column), format!(" at {:?}", &text[s.start..s.end]))
            }
            None => ("-".into(), String::new()),
        };
        let _ = writeln!(out, "{}[{}] {lc}: {}{at}", d.severity.as_str(), d.code, d.message);
        if let Some(h) = &d.help {
            let _ = writeln!(out, "  help: {h}");
        }
    }
    let Some(r) = &file.rule else {
        out.push_str("no rule\n");
        return out;
    };
    let _ = writeln!(out, "layout: {:?}", r.layout);
    let _ = writeln!(out, "id: {:?}", r.id.as_ref().map(|s| &s.value));
    let _ = writeln!(out, "name: {:?}", r.name.as_ref().map(|s| &s.value));
    let _ = writeln!(out, "type: {}", r.rule_type.as_str());
    let _ = writeln!(
        out,
        "maturity: {:?}, deprecated: {}, production: {}, building block: {:?}",
        r.maturity,
        r.deprecated,
        r.is_production(),
        r.building_block_type
    );
    let _ = writeln!(out, "attack: {}", r.attack_ids().join(", "));
    if let Some(q) = &r.query {
        let _ = writeln!(out, "query ({}, parsed: {}): {:?}", q.language.as_str(), q.parsed.is_some(), q.text);
    }
    let mut details = serde_json::to_value(&r.details).expect("details serialise");
    // The threat query's tree is the KQL fixtures' business: show its text and whether it parsed.
    if let Some(q) = details.pointer_mut("/threat_match/query")
        && let Some(tq) = r.details.threat_match.as_ref().and_then(|t| t.query.as_ref())
    {
        *q = serde_json::json!({ "text": tq.text, "parsed": tq.parsed.is_some() });
    }
    let details = serde_json::to_string_pretty(&details).expect("details serialise");
    let _ = writeln!(out, "details: {details}");
    out.push_str(&common::render_stages(&r.stages()));
    out
}

macro_rules! rule_fixtures {
    ($($name:ident => $file:literal, $path:literal;)*) => {
        $(
            #[test]
            fn $name() {
                let (text, file) = load($file, $path);
                insta::assert_snapshot!(stringify!($name), render(&text, &file));
            }
        )*
    };
}

rule_fixtures! {
    threshold_rule_with_building_block_and_subtechnique => "threshold_building_block", "rules/windows/x.toml";
    new_terms_rule_with_history_window_and_suppression => "new_terms", "rules/linux/x.toml";
    machine_learning_rule_has_job_ids_and_no_query => "machine_learning", "rules/ml/x.toml";
    threat_match_rule_reads_its_threat_query_and_mapping => "threat_match", "rules/x.toml";
    esql_rule_keeps_source_predicates => "esql", "rules/x.toml";
    behavior_rule_of_protections_artifacts => "behavior", "behavior/rules/linux/x.toml";
    deprecated_lucene_rule_is_kept_as_text => "deprecated", "rules/_deprecated/x.toml";
    query_syntax_in_a_literal_string_points_into_the_file => "query-syntax_eql", "rules/x.toml";
    query_syntax_in_a_basic_string_maps_through_escapes => "query-syntax_kql_basic_string", "rules/x.toml";
    invalid_field_types_are_reported_and_the_rule_kept => "invalid-field-type", "rules/x.toml";
    missing_fields_are_reported => "missing-field", "rules/x.toml";
    a_toml_file_without_rule_table_is_not_a_rule => "not-a-rule", "x.toml";
    toml_syntax_errors_are_reported => "toml-syntax", "x.toml";
}

#[test]
fn a_broken_query_keeps_the_rest_of_the_rule() {
    let (text, file) = load("query-syntax_eql", "rules/x.toml");
    let r = file.rule.as_ref().expect("the rule is still read");
    assert_eq!(r.name.as_ref().map(|n| n.value.as_str()), Some("Broken EQL"));
    assert_eq!(r.attack_ids(), ["TA0002"]);
    assert!(r.query.as_ref().is_some_and(|q| q.parsed.is_none()));
    let d = file.diagnostics.iter().find(|d| d.code == Code::QuerySyntax).expect("a query-syntax finding");
    let s = d.span.expect("with a span");
    let lc = LineIndex::new(&text).line_col(&text, s.start);
    // `  process.name === "cmd.exe"` is line 18; the stray third `=` is its 18th character.
    assert_eq!((lc.line, lc.column), (18, 18), "{d:?}");
    assert_eq!(&text[s.start..s.end], "=");
}

#[test]
fn basic_string_escapes_shift_the_error_position_correctly() {
    let (text, file) = load("query-syntax_kql_basic_string", "rules/x.toml");
    let d = file.diagnostics.iter().find(|d| d.code == Code::QuerySyntax).expect("a query-syntax finding");
    let s = d.span.expect("with a span");
    assert_eq!(&text[s.start..s.end], ")", "the span is the `)` in the file, after `\\\\` and `\\u0070` escapes");
}

#[test]
fn layouts_and_types_are_recognised() {
    let cases = [
        ("threshold_building_block", Layout::DetectionRules, RuleType::Threshold),
        ("new_terms", Layout::DetectionRules, RuleType::NewTerms),
        ("machine_learning", Layout::DetectionRules, RuleType::MachineLearning),
        ("threat_match", Layout::DetectionRules, RuleType::ThreatMatch),
        ("esql", Layout::DetectionRules, RuleType::Esql),
        ("behavior", Layout::ProtectionsArtifacts, RuleType::Behavior),
    ];
    for (name, layout, ty) in cases {
        let (_, file) = load(name, "x.toml");
        assert!(file.diagnostics.is_empty(), "{name}: {:?}", file.diagnostics);
        let r = file.rule.expect("a rule");
        assert_eq!((r.layout, r.rule_type), (layout, ty), "{name}");
    }
}
