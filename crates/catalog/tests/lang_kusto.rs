//! Microsoft Sentinel analytic rules (Kusto) in the catalog: one JSON snapshot per table
//! family (Windows Security events, Defender for Endpoint with a join, Entra ID sign-ins with a
//! union), a broken query located in its file, and the facts shared with Sigma rules.

use std::path::{Path, PathBuf};

use detwiki_catalog::{Catalog, CorpusSpec, EventMapping, Kind, LoadOptions, RuleEntry};

fn fixtures(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

fn catalog(corpora: &[&str]) -> Catalog {
    let specs: Vec<CorpusSpec> =
        corpora.iter().map(|c| CorpusSpec { name: (*c).into(), paths: vec![fixtures(c)] }).collect();
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
fn one_json_snapshot_per_table_family() {
    let c = catalog(&["kusto"]);
    assert!(c.failed.is_empty(), "{:?}", c.failed.iter().map(|f| &f.path).collect::<Vec<_>>());
    assert_eq!(c.rules.len(), 5);
    for stem in ["whoami_4688", "sysmon_certutil", "mde_lolbin_network", "signins_union", "broken_query"] {
        let r = c.rules.iter().find(|r| r.slug == stem).unwrap_or_else(|| panic!("{stem} not in the catalog"));
        assert_eq!(r.language, "kusto");
        insta::assert_json_snapshot!(format!("kusto_{stem}"), entry_json(r));
    }
}

#[test]
fn security_4688_rule_has_the_security_event_and_mapped_indicators() {
    let c = catalog(&["kusto"]);
    let r = c.rules.iter().find(|r| r.slug == "whoami_4688").unwrap();
    assert!(matches!(r.event_mapping, EventMapping::Mapped));
    assert_eq!(
        r.events.iter().map(|e| (e.provider.as_str(), e.event_id)).collect::<Vec<_>>(),
        [("Security-Auditing", Some(4688))]
    );
    // `NewProcessName endswith @'\whoami.exe'` is Sigma's `Image|endswith`.
    let row = r.indicators.iter().find(|i| i.key.field.as_deref() == Some("Image")).expect("an Image row");
    assert_eq!((row.key.kind, row.values[0].value.as_str()), (Kind::EndsWith, "\\whoami.exe"));
    // `has` keeps its own kind: term matching, not contains.
    let has = r.indicators.iter().find(|i| i.key.field.as_deref() == Some("CommandLine")).unwrap();
    assert_eq!(has.key.kind, Kind::HasTerm);
}

#[test]
fn the_event_table_with_a_sysmon_source_has_sysmon_events() {
    let c = catalog(&["kusto"]);
    let r = c.rules.iter().find(|r| r.slug == "sysmon_certutil").unwrap();
    assert_eq!(r.events.iter().map(|e| (e.provider.as_str(), e.event_id)).collect::<Vec<_>>(), [("Sysmon", Some(1))]);
    // Columns parsed out of EventData keep their Sysmon names: `Image endswith "\\certutil.exe"`.
    let row = r.indicators.iter().find(|i| i.key.field.as_deref() == Some("Image")).unwrap();
    assert_eq!((row.key.kind, row.values[0].value.as_str()), (Kind::EndsWith, "\\certutil.exe"));
    assert!(!r.indicators.iter().any(|i| i.key.field.as_deref() == Some("Source")), "an event selector");
}

#[test]
fn defender_rule_resolves_lets_and_shows_the_join_side_as_its_own_stage() {
    let c = catalog(&["kusto"]);
    let r = c.rules.iter().find(|r| r.slug == "mde_lolbin_network").unwrap();
    let labels: Vec<&str> = r.stages.iter().map(|s| s.label.as_str()).collect();
    assert_eq!(labels.len(), 3, "{labels:?}");
    assert!(labels[1].starts_with("DeviceProcessEvents (via Procs)"), "{labels:?}");
    assert!(labels[2].starts_with("join (inner) right side: DeviceNetworkEvents"), "{labels:?}");
    // `FileName in~ (binaries)`: the let's list, as Image ends_with `\rundll32.exe`.
    let image = r
        .indicators
        .iter()
        .find(|i| i.key.field.as_deref() == Some("Image") && i.key.kind == Kind::EndsWith)
        .expect("Image row");
    let values: Vec<&str> = image.values.iter().map(|v| v.value.as_str()).collect();
    assert_eq!(values, ["\\rundll32.exe", "\\regsvr32.exe"]);
    assert_eq!(image.original_fields, ["FileName"]);
    assert!(r.indicators.iter().any(|i| i.key.field.as_deref() == Some("DestinationPort")));
    let providers: Vec<&str> = r.events.iter().map(|e| e.channel.as_str()).collect();
    assert_eq!(providers, ["DeviceProcessEvents", "DeviceNetworkEvents"]);
    assert!(r.details.iter().any(|(k, v)| k == "ATT&CK tactics" && v.contains("Stealth")), "{:?}", r.details);
    assert!(format!("{:?}", r.attack).contains("T1218.011"), "{:?}", r.attack);
}

#[test]
fn a_broken_query_is_a_finding_with_its_line_and_column() {
    let c = catalog(&["kusto"]);
    let r = c.rules.iter().find(|r| r.slug == "broken_query").unwrap();
    let f = r.findings.iter().find(|f| f.code.as_str() == "query-syntax").expect("the query finding");
    assert_eq!((f.line, f.column), (Some(19), Some(28)), "{}", f.message);
    // The rule's events still come from its connectors' data types.
    assert_eq!(r.events[0].provider, "Syslog");
}

#[test]
fn a_sentinel_4688_rule_and_a_sigma_process_creation_rule_share_event_rows() {
    let c = catalog(&["kusto", "kusto-sigma"]);
    let sentinel = c.rules.iter().find(|r| r.slug == "whoami_4688").unwrap();
    let sigma = c.rules.iter().find(|r| r.language == "sigma").unwrap();
    let key = |e: &detwiki_catalog::EventRow| (e.provider.clone(), e.channel.clone(), e.event_id);
    let shared: Vec<_> =
        sentinel.events.iter().map(key).filter(|k| sigma.events.iter().any(|e| key(e) == *k)).collect();
    assert_eq!(shared, [("Security-Auditing".to_string(), "Security".to_string(), Some(4688))]);
    // And the `\whoami.exe` indicator counts both languages.
    let row = sentinel.indicators.iter().find(|i| i.key.field.as_deref() == Some("Image")).unwrap();
    assert_eq!(row.values[0].corpus_count, 2, "{:?}", row.values[0]);
}

#[test]
fn the_sentinel_corpus_is_detected_as_kusto() {
    let Some(root) = detwiki_testdata::require("corpus/kusto") else { return };
    let mut wrong = Vec::new();
    for e in walkdir::WalkDir::new(&root) {
        let e = e.unwrap();
        let p = e.path();
        if p.extension().is_some_and(|x| x == "yaml") {
            let text = std::fs::read_to_string(p).unwrap();
            if detwiki_catalog::lang::detect(p, &text).map(|l| l.name) != Some("kusto") {
                wrong.push(p.display().to_string());
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:?}");
}

#[test]
fn an_indicator_shared_by_sigma_elastic_and_kusto_rules_counts_all_three() {
    let specs = vec![
        CorpusSpec { name: "kusto".into(), paths: vec![fixtures("kusto")] },
        CorpusSpec { name: "mixed".into(), paths: vec![fixtures("kusto-mixed")] },
    ];
    let c = Catalog::load(&specs, &LoadOptions::default());
    let languages: Vec<&str> = c.rules.iter().filter(|r| r.corpus == "mixed").map(|r| r.language).collect();
    assert_eq!(languages.len(), 2, "{languages:?}");
    assert!(languages.contains(&"sigma") && languages.contains(&"elastic"), "{languages:?}");
    // Kusto's `FileName in~ (binaries)`, Elastic's `process.name : "rundll32.exe"` and Sigma's
    // `Image|endswith: '\rundll32.exe'` are one indicator, counted once per rule.
    let counted = c
        .rules
        .iter()
        .filter(|r| r.language == "kusto")
        .flat_map(|r| &r.indicators)
        .filter(|row| row.key.field.as_deref() == Some("Image") && row.key.kind == Kind::EndsWith && !row.key.cased)
        .flat_map(|row| &row.values)
        .find(|v| v.norm == "\\rundll32.exe")
        .expect("the Kusto rule's Image ends_with \\rundll32.exe");
    assert_eq!(counted.by_corpus.get("kusto").copied(), Some(1), "{:?}", counted.by_corpus);
    assert_eq!(counted.by_corpus.get("mixed").copied(), Some(2), "Sigma and Elastic: {:?}", counted.by_corpus);
    assert_eq!(counted.corpus_count, 3);
}

/// A custom table that no provider and no data connector names is an `unmapped-table`
/// warning at the table's name; a connector that names it makes it a provider row instead.
#[test]
fn a_custom_table_without_a_connector_is_an_unmapped_table_finding() {
    let read = detwiki_catalog::lang::by_name("kusto").unwrap().read.unwrap();
    let rule = |connectors: &str| {
        format!(
            "id: 11111111-2222-3333-4444-555555555555\nname: Custom app logons\ndescription: x\nseverity: Low\n\
             requiredDataConnectors:{connectors}\nqueryFrequency: 1h\nqueryPeriod: 1h\ntriggerOperator: gt\n\
             triggerThreshold: 0\ntactics:\n  - InitialAccess\nrelevantTechniques:\n  - T1078\nquery: |\n  \
             MyApp_CL\n  | where Result_s == \"fail\"\n"
        )
    };
    let text = rule(" []");
    let path = Path::new("custom.yaml");
    let model = read(&text, &detwiki_catalog::lang::FileCtx { rel_path: "custom.yaml", path });
    let d: Vec<_> = model.rules[0].diagnostics.iter().filter(|d| d.code.as_str() == "unmapped-table").collect();
    assert_eq!(d.len(), 1, "{:?}", model.rules[0].diagnostics);
    let span = d[0].span.unwrap();
    assert_eq!(&text[span.start..span.end], "MyApp_CL");
    let text = rule("\n  - connectorId: MyApp\n    dataTypes:\n      - MyApp_CL");
    let model = read(&text, &detwiki_catalog::lang::FileCtx { rel_path: "custom.yaml", path });
    assert!(model.rules[0].diagnostics.iter().all(|d| d.code.as_str() != "unmapped-table"));
    assert!(model.rules[0].events.iter().any(|e| e.provider.contains("MyApp")), "{:?}", model.rules[0].events);
}
