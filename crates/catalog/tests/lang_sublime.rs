//! Sublime rules in the catalog: read into the same rule model as Sigma's, Sublime's own
//! taxonomy as sections and tags (no ATT&CK invented), one email provider as events, MQL
//! predicates as stages and indicators.

use std::path::{Path, PathBuf};

use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions, RuleEntry};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/sublime")
}

fn fixture_catalog() -> Catalog {
    let specs = vec![CorpusSpec { name: "sublime".into(), paths: vec![fixtures()] }];
    Catalog::load(&specs, &LoadOptions::default())
}

/// A rule entry as JSON, without what depends on the rest of the catalog.
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

#[test]
fn one_json_snapshot_per_sublime_rule_kind() {
    let c = fixture_catalog();
    assert!(c.failed.is_empty(), "{:?}", c.failed.iter().map(|f| &f.path).collect::<Vec<_>>());
    assert_eq!(c.rules.len(), 5);
    for stem in
        ["link_onion_unsolicited", "attachment_invoice_lure", "broken_query", "disabled_ioc_list", "hunt_outbound"]
    {
        let r = c.rules.iter().find(|r| r.slug == stem).unwrap_or_else(|| panic!("{stem} not in the catalog"));
        assert_eq!(r.language, "sublime");
        assert!(r.attack.is_empty(), "{stem}: no ATT&CK is invented");
        insta::assert_json_snapshot!(format!("sublime_{stem}"), entry_json(r));
    }
}

#[test]
fn taxonomy_is_sections_and_prefixed_tags_not_attack() {
    let c = fixture_catalog();
    let r = c.rules.iter().find(|r| r.slug == "link_onion_unsolicited").unwrap();
    for tag in [
        "sublime.attack_type.malware_ransomware",
        "sublime.tactic.social_engineering",
        "sublime.detection_method.url_analysis",
    ] {
        assert!(r.tags.iter().any(|t| t == tag), "{tag} in {:?}", r.tags);
    }
    assert!(r.tags.iter().any(|t| t == "Attack surface reduction"), "the file's own tags stay");
    let titles: Vec<&str> = r.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(titles, vec!["Attack types", "Tactics and techniques", "Detection methods"]);
    assert!(r.findings.is_empty(), "a rule without ATT&CK is no finding: {:?}", r.findings);
    assert_eq!(r.level.map(|l| l.to_string()).as_deref(), Some("low"));
    assert_eq!(r.author.as_deref(), Some("@example_author (Twitter)"));
}

#[test]
fn events_are_the_email_provider_with_the_direction_tested() {
    let c = fixture_catalog();
    let by = |slug: &str| c.rules.iter().find(|r| r.slug == slug).unwrap();
    let e = &by("link_onion_unsolicited").events;
    assert_eq!((e.len(), e[0].provider.as_str(), e[0].channel.as_str()), (1, "Email (Sublime MDM)", "inbound"));
    assert_eq!(by("hunt_outbound").events[0].channel, "outbound");
    assert_eq!(by("disabled_ioc_list").events[0].channel, "any");
    assert!(by("disabled_ioc_list").details.iter().any(|(k, _)| k == "Disabled"));
}

#[test]
fn predicates_become_indicators_with_lists_and_element_paths() {
    let c = fixture_catalog();
    let r = c.rules.iter().find(|r| r.slug == "link_onion_unsolicited").unwrap();
    let row = |field: &str, kind: &str| {
        r.indicators.iter().find(|i| i.key.field.as_deref() == Some(field) && i.key.kind.as_str() == kind)
    };
    let list = row("sender.email.domain.root_domain", "in_list").expect("the $list leaf");
    assert_eq!(list.values[0].value, "high_trust_sender_root_domains");
    assert!(list.key.exclusion, "under `not in`");
    assert_eq!(row("body.links.href_url.domain.tld", "eq").unwrap().values[0].value, "onion");
    // A link's URL is the proxy vocabulary's `c-uri`; the MDM field is kept beside it.
    let url = row("c-uri", "match").expect("href_url.url in the vocabulary");
    assert_eq!(url.original_fields, vec!["body.links.href_url.url".to_string()]);
    assert!(!url.key.cased);
    assert!(r.indicators.iter().all(|i| i.key.field.as_deref() != Some("type.inbound")), "directions are events");
    assert!(r.stages.len() == 2 && r.stages[1].text.contains("any(body.links)"), "{:#?}", r.stages);
}

#[test]
fn a_broken_query_is_a_located_finding_and_the_rule_stays() {
    let c = fixture_catalog();
    let r = c.rules.iter().find(|r| r.slug == "broken_query").unwrap();
    let f = r.findings.iter().find(|f| f.code.as_str() == "query-syntax").expect("the MQL finding");
    assert_eq!((f.line, f.column), (Some(7), Some(7)));
    assert_eq!(r.title, "Broken: a query with a syntax error");
}

#[test]
fn the_shared_sublime_corpus_reads_whole_with_predicates() {
    let Some(root) = detwiki_testdata::require("corpus/sublime/detection-rules") else { return };
    let specs = vec![CorpusSpec { name: "sublime".into(), paths: vec![root] }];
    let c = Catalog::load(&specs, &LoadOptions { drop_parsed: true, ..LoadOptions::default() });
    assert!(c.failed.is_empty(), "{:?}", c.failed.iter().map(|f| &f.path).collect::<Vec<_>>());
    assert!(c.rules.len() >= 1000);
    assert!(c.rules.iter().all(|r| r.language == "sublime" && r.attack.is_empty() && !r.events.is_empty()));
    let with_findings: Vec<String> = c
        .rules
        .iter()
        .filter(|r| !r.findings.is_empty())
        .map(|r| format!("{}: {:?}", r.path, r.findings.iter().map(|f| f.code.as_str()).collect::<Vec<_>>()))
        .collect();
    // Ids that sublime-rules repeats are the one kind of finding the corpus has, if any.
    assert!(with_findings.iter().all(|f| f.contains("duplicate-rule-id")), "findings: {with_findings:#?}");
    // A rule has predicates when its tree has a field-and-values leaf (not only opaque text).
    let without: Vec<&str> = c
        .rules
        .iter()
        .filter(|r| {
            let tree = r.stages.get(1).map(|s| serde_json::to_string(&s.identifiers).unwrap()).unwrap_or_default();
            !tree.contains("\"op\":\"pred\"")
        })
        .map(|r| r.path.as_str())
        .collect();
    let rate = 1.0 - without.len() as f64 / c.rules.len() as f64;
    assert!(rate >= 0.99, "predicates for {:.2}%; without: {without:#?}", rate * 100.0);
}

#[test]
fn stage_lines_stay_short_for_ioc_lists() {
    let dir = std::env::temp_dir().join(format!("detwiki-sublime-ioc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let values: Vec<String> = (0..3000).map(|i| format!("'10.{}.{}.0/24'", i / 256, i % 256)).collect();
    let text = format!(
        "name: IOC\ntype: rule\nsource: |\n  type.inbound\n  and any(headers.hops, .ip in ({}))\n  and beta.ip_in(sender.ip, {})\n",
        values.join(", "),
        values.join(", ")
    );
    std::fs::write(dir.join("ioc.yml"), text).unwrap();
    let specs = vec![CorpusSpec { name: "sublime".into(), paths: vec![dir.clone()] }];
    let c = Catalog::load(&specs, &LoadOptions::default());
    std::fs::remove_dir_all(&dir).ok();
    let r = &c.rules[0];
    let stage = &r.stages[1].text;
    assert!(stage.len() < 2_000, "{} bytes: {stage}", stage.len());
    assert!(stage.contains("… 2975 more"), "{stage}");
    assert!(stage.contains("bytes in all)"), "{stage}");
    assert_eq!(r.indicators[0].values.len(), 3000, "the indicators keep every value");
}
