//! Chronicle YARA-L rules in the catalog: hand-written fixtures (`tests/fixtures/chronicle`)
//! read into the rule model, one JSON snapshot per rule shape; the Sigma original of a
//! converted rule linked; the repository's dashboards and reference lists no rules and no
//! findings.

use std::path::{Path, PathBuf};

use detwiki_catalog::{Catalog, CorpusSpec, EventMapping, LoadOptions, RuleEntry};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/chronicle")
}

fn catalog() -> Catalog {
    let specs = vec![CorpusSpec { name: "chronicle".into(), paths: vec![fixtures()] }];
    Catalog::load(&specs, &LoadOptions::default())
}

fn entry_json(r: &RuleEntry) -> serde_json::Value {
    let mut v = serde_json::to_value(r).unwrap();
    v.as_object_mut().unwrap().remove("body");
    v.as_object_mut().unwrap().remove("neighbors");
    for row in v["indicators"].as_array_mut().unwrap() {
        for value in row["values"].as_array_mut().unwrap() {
            value.as_object_mut().unwrap().remove("rules");
        }
    }
    v
}

fn rule<'a>(c: &'a Catalog, slug: &str) -> &'a RuleEntry {
    c.rules.iter().find(|r| r.slug == slug).unwrap_or_else(|| panic!("{slug} not in the catalog"))
}

#[test]
fn one_json_snapshot_per_rule_shape() {
    let c = catalog();
    assert!(c.failed.is_empty(), "{:?}", c.failed.iter().map(|f| &f.path).collect::<Vec<_>>());
    let mut slugs: Vec<(&str, &str)> = c.rules.iter().map(|r| (r.language, r.slug.as_str())).collect();
    slugs.sort();
    assert_eq!(
        slugs,
        vec![
            ("chronicle", "broken"),
            ("chronicle", "createdump_process_dump"),
            ("chronicle", "service_account_key_then_login"),
            ("sigma", "sigma_createdump"),
        ],
        "the dashboard (support) and the reference list are no rules"
    );
    for slug in ["createdump_process_dump", "service_account_key_then_login"] {
        let r = rule(&c, slug);
        assert_eq!(r.language, "chronicle");
        insta::assert_json_snapshot!(format!("chronicle_{slug}"), entry_json(r));
    }
}

#[test]
fn a_single_event_windows_rule() {
    let c = catalog();
    let r = rule(&c, "createdump_process_dump");
    assert_eq!(r.id, "mr_00000000-0000-4000-8000-000000000001");
    assert_eq!(r.title, "CreateDump Process Dump");
    assert_eq!(r.date.as_deref(), Some("2025-01-31"));
    let tags: Vec<&str> = r.attack.iter().flat_map(|a| a.techniques.iter().map(|t| t.id.as_str())).collect();
    assert!(tags.contains(&"T1003.001"), "{tags:?}");
    assert_eq!(r.attack[0].tactic_id, "TA0006");
    // PROCESS_LAUNCH from Sysmon data is Sysmon 1.
    assert!(matches!(r.event_mapping, EventMapping::Mapped));
    let events: Vec<(String, Option<u32>)> = r.events.iter().map(|e| (e.provider.clone(), e.event_id)).collect();
    assert_eq!(events, vec![("Sysmon".to_string(), Some(1))]);
    // UDM fields in the one vocabulary.
    let fields: Vec<&str> = r.indicators.iter().filter_map(|i| i.key.field.as_deref()).collect();
    assert!(fields.contains(&"Image") && fields.contains(&"CommandLine"), "{fields:?}");
    // The Sigma original is linked.
    let rel = &r.related[0];
    assert_eq!(rel.id, "515c8be5-e5df-4c5e-8f6d-a4a2f05e4b48");
    assert_eq!(rel.title.as_deref(), Some("CreateDump Process Dump (Sigma original)"));
    assert!(r.details.iter().any(|(k, v)| k == "Converted from Sigma" && v.starts_with("515c8be5")));
    // Stage 0 is the condition with its match window; then the event; then the joins.
    let labels: Vec<&str> = r.stages.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels, vec!["condition (match $hostname over 5m)", "event $process", "joins"]);
}

#[test]
fn a_two_event_cloud_rule_with_joins() {
    let c = catalog();
    let r = rule(&c, "service_account_key_then_login");
    let events: Vec<(&str, &str)> = r.events.iter().map(|e| (e.provider.as_str(), e.channel.as_str())).collect();
    assert_eq!(events, vec![("Google Cloud Audit Logs", "GCP_CLOUDAUDIT")]);
    let joins = r.stages.iter().find(|s| s.label == "joins").expect("a joins stage");
    assert!(
        joins.text.contains("$account = $create.target.resource.name = $use.principal.user.userid"),
        "{}",
        joins.text
    );
    assert!(joins.text.contains("$create.principal.ip = $use.principal.ip"), "{}", joins.text);
    let tags: Vec<&str> = r.attack.iter().flat_map(|a| a.techniques.iter().map(|t| t.id.as_str())).collect();
    assert!(tags.contains(&"T1098.001"), "technique by name and URL: {tags:?}");
}

#[test]
fn a_broken_rule_keeps_its_page_with_the_finding_at_its_line() {
    let c = catalog();
    let r = rule(&c, "broken");
    assert_eq!(r.title, "Broken Events");
    let f = r.findings.iter().find(|f| f.code.as_str() == "yaral-syntax").expect("the syntax finding");
    assert_eq!((f.line, f.column), (Some(9), Some(38)));
    assert!(f.message.contains("expected an expression"), "{}", f.message);
}

#[test]
fn the_rules_converted_from_sigma_link_their_sigmahq_originals() {
    let Some(chronicle) = detwiki_testdata::require("corpus/chronicle/rules/community") else { return };
    let Some(sigma) = detwiki_testdata::require("corpus/sigma") else { return };
    let sigma_paths: Vec<PathBuf> = [
        "rules",
        "rules-emerging-threats",
        "rules-threat-hunting",
        "rules-dfir",
        "rules-compliance",
        "rules-placeholder",
        "deprecated",
    ]
    .iter()
    .map(|d| sigma.join(d))
    .filter(|p| p.is_dir())
    .collect();
    let specs = vec![
        CorpusSpec { name: "sigma".into(), paths: sigma_paths },
        CorpusSpec { name: "chronicle".into(), paths: vec![chronicle] },
    ];
    let c = Catalog::load(&specs, &LoadOptions { drop_parsed: true, ..LoadOptions::default() });
    let converted: Vec<&RuleEntry> =
        c.rules.iter().filter(|r| r.language == "chronicle" && !r.related.is_empty()).collect();
    assert_eq!(converted.len(), 54, "the community rules with sigma_uuid");
    let unresolved: Vec<&str> =
        converted.iter().filter(|r| r.related[0].slug.is_none()).map(|r| r.path.as_str()).collect();
    assert!(unresolved.is_empty(), "Sigma originals not found for {unresolved:?}");
    assert!(converted.iter().all(|r| r.related[0].slug.as_deref().is_some_and(|s| s.starts_with("sigma/"))));
}
