//! Splunk security_content detections in the catalog: one JSON snapshot per detection type,
//! the repository read around the files (macros, data sources, stories), and the facts that
//! tie Splunk rules to the other languages.

use std::path::{Path, PathBuf};

use detwiki_catalog::{Catalog, CorpusSpec, Kind, LoadOptions, RuleEntry};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/splunk")
}

fn catalog(path: PathBuf) -> Catalog {
    Catalog::load(&[CorpusSpec { name: "splunk".into(), paths: vec![path] }], &LoadOptions::default())
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

fn rule<'a>(c: &'a Catalog, slug: &str) -> &'a RuleEntry {
    c.rules.iter().find(|r| r.slug == slug).unwrap_or_else(|| panic!("{slug} not in the catalog"))
}

#[test]
fn one_json_snapshot_per_detection_type() {
    // The whole repository as a corpus: macros, data sources and stories are support files,
    // neither rules nor failures.
    let c = catalog(fixtures());
    assert!(c.failed.is_empty(), "{:?}", c.failed.iter().map(|f| &f.path).collect::<Vec<_>>());
    assert_eq!(c.rules.len(), 5);
    assert!(c.rules.iter().all(|r| r.language == "splunk"));
    for (slug, ty) in [
        ("registry_stubpath_ttp", "TTP"),
        ("encoded_powershell_anomaly", "Anomaly"),
        ("process_hunting", "Hunting"),
        ("access_key_correlation", "Correlation"),
    ] {
        let r = rule(&c, slug);
        assert!(r.details.iter().any(|(k, v)| k == "Type" && v == ty), "{slug}: {:?}", r.details);
        insta::assert_json_snapshot!(format!("splunk_{slug}"), entry_json(r));
    }
}

#[test]
fn the_detections_folder_alone_finds_its_repository() {
    let c = catalog(fixtures().join("detections"));
    assert_eq!(c.rules.len(), 5);
    let r = rule(&c, "registry_stubpath_ttp");
    let events: Vec<(String, Option<u32>)> = r.events.iter().map(|e| (e.provider.clone(), e.event_id)).collect();
    assert_eq!(events, [("Sysmon".to_string(), Some(12)), ("Sysmon".to_string(), Some(13))]);
    // The story's description comes from stories/.
    let stories = r.sections.iter().find(|s| s.title == "Analytic stories").expect("stories section");
    let json = serde_json::to_string(&stories.body).unwrap();
    assert!(json.contains("Ways attackers stay on Windows hosts."), "{json}");
}

#[test]
fn searches_become_stages_and_indicators_in_the_one_vocabulary() {
    let c = catalog(fixtures());
    let r = rule(&c, "registry_stubpath_ttp");
    assert_eq!(r.stages[0].label, "search");
    let labels: Vec<&str> = r.stages.iter().skip(1).map(|s| s.label.as_str()).collect();
    assert_eq!(labels, ["tstats datamodel=Endpoint.Registry", "rename", "convert"]);
    assert!(!r.stages[1].identifiers.is_empty(), "the tstats where clause has predicates");
    let target = r
        .indicators
        .iter()
        .find(|i| i.key.field.as_deref() == Some("TargetObject") && i.key.kind == Kind::Match)
        .expect("Registry.registry_path as TargetObject");
    assert_eq!(target.values[0].value, "\\SOFTWARE\\Microsoft\\Active Setup\\Installed Components");
    assert_eq!(target.original_fields, ["Registry.registry_path"]);
    // `Registry.registry_value_name = "StubPath"` is a TargetObject ending in `\StubPath`.
    assert!(r.indicators.iter().any(|i| i.key.field.as_deref() == Some("TargetObject")
        && i.key.kind == Kind::EndsWith
        && i.values[0].value == "\\StubPath"));

    // After `drop_dm_object_name(Processes)`, `parent_process_name` is still a parent image.
    let h = rule(&c, "process_hunting");
    let parent = h
        .indicators
        .iter()
        .find(|i| i.key.field.as_deref() == Some("ParentImage"))
        .expect("parent_process_name mapped through the dropped prefix");
    assert!(parent.key.exclusion);
    assert_eq!(parent.values[0].value, "\\explorer.exe");
    assert!(h.indicators.iter().any(|i| i.key.field.as_deref() == Some("Image")
        && i.key.kind == Kind::EndsWith
        && i.values[0].value == "\\cmd.exe"));

    // Computed fields (`count`, eval's `parent`) are no indicators; raw fields keep their names.
    let a = rule(&c, "encoded_powershell_anomaly");
    assert!(!a.indicators.iter().any(|i| matches!(i.key.field.as_deref(), Some("count" | "parent"))));
    assert!(a.indicators.iter().any(|i| i.key.field.as_deref() == Some("Image") && i.key.kind == Kind::EndsWith));
    assert!(a.indicators.iter().any(|i| i.key.field.as_deref() == Some("User") && i.key.exclusion));
}

#[test]
fn tactics_are_derived_and_the_page_says_so() {
    let c = catalog(fixtures());
    let r = rule(&c, "encoded_powershell_anomaly");
    let tactics: Vec<&str> = r.attack.iter().map(|a| a.tactic_id.as_str()).collect();
    // T1059.001 is under Execution (TA0002); T1027 under another tactic as well.
    assert!(tactics.contains(&"TA0002"), "{tactics:?}");
    assert!(tactics.len() >= 2, "{tactics:?}");
    assert!(r.findings.iter().all(|f| f.code.as_str() != "technique-without-tactic"));
    assert!(r.details.iter().any(|(k, v)| k == "ATT&CK tactics" && v.starts_with("derived")));
}

#[test]
fn unresolved_data_sources_macros_and_broken_searches_are_findings() {
    let c = catalog(fixtures());
    let corr = rule(&c, "access_key_correlation");
    let codes: Vec<(&str, &str)> = corr.findings.iter().map(|f| (f.code.as_str(), f.message.as_str())).collect();
    assert!(codes.iter().any(|(c, m)| *c == "unknown-data-source" && m.contains("`Not A Data Source`")), "{codes:?}");
    assert!(
        codes.iter().any(|(c, m)| *c == "unknown-data-source" && m.contains("maps to no known events")),
        "{codes:?}"
    );
    assert_eq!(corr.events.iter().map(|e| e.provider.as_str()).collect::<Vec<_>>(), ["AWS CloudTrail"]);
    let h = rule(&c, "process_hunting");
    let m = h.findings.iter().find(|f| f.code.as_str() == "undefined-macro").expect("undefined macro");
    assert!(m.message.contains("undefined_enrichment") && m.line.is_some());
    let b = rule(&c, "broken_search");
    assert_eq!(b.status.map(|s| s.to_string()).as_deref(), Some("deprecated"));
    let q = b.findings.iter().find(|f| f.code.as_str() == "query-syntax").expect("query finding");
    // At the unclosed `(` of `  | where (Image == "a.exe"`, line 12 of the file.
    assert_eq!((q.line, q.column), (Some(12), Some(11)), "{}", q.message);
    assert!(q.message.contains("unclosed `(`: expected `)`"), "{}", q.message);
}

/// The corpus rule the issue names: Sysmon 12/13 and a `TargetObject` indicator.
#[test]
fn active_setup_registry_autostart_shows_sysmon_12_13_and_target_object() {
    let Some(dir) = detwiki_testdata::require("corpus/splunk/detections/endpoint") else { return };
    let c = catalog(dir.join("active_setup_registry_autostart.yml"));
    let r = rule(&c, "active_setup_registry_autostart");
    let events: Vec<(&str, Option<u32>)> = r.events.iter().map(|e| (e.provider.as_str(), e.event_id)).collect();
    assert_eq!(events, [("Sysmon", Some(12)), ("Sysmon", Some(13))]);
    assert!(r.indicators.iter().any(|i| i.key.field.as_deref() == Some("TargetObject")), "{:?}", r.indicators);
    assert!(r.findings.iter().all(|f| f.code.as_str() != "query-syntax"));
}

/// Every file of the shared security_content snapshot is Splunk's (detections, macros, data
/// sources, stories), and as one corpus it gives every detection as a rule, nothing failed.
#[test]
fn the_whole_repository_is_splunk_and_reads_as_one_corpus() {
    let Some(dir) = detwiki_testdata::require("corpus/splunk") else { return };
    let mut files = 0;
    for e in walkdir::WalkDir::new(&dir) {
        let e = e.unwrap();
        if e.path().extension().is_none_or(|x| x != "yml") {
            continue;
        }
        let text = std::fs::read_to_string(e.path()).unwrap();
        let l = detwiki_catalog::lang::detect(e.path(), &text).unwrap();
        assert_eq!(l.name, "splunk", "{} detected as {}", e.path().display(), l.name);
        files += 1;
    }
    assert!(files > 2000, "{files}");
    let c = catalog(dir);
    assert_eq!(c.rules.len(), 1711);
    assert!(c.failed.is_empty(), "{:?}", c.failed.iter().map(|f| &f.path).collect::<Vec<_>>());
    let broken: Vec<&str> = c
        .rules
        .iter()
        .filter(|r| r.findings.iter().any(|f| f.code.as_str() == "query-syntax"))
        .map(|r| r.path.as_str())
        .collect();
    assert_eq!(broken, ["detections/endpoint/first_time_seen_child_process_of_zoom.yml"]);
}

/// A Sigma process-creation rule beside the Splunk fixtures: the Splunk rule reading Security
/// 4688 (and Sysmon 1) shares the Sigma rule's event rows, and `\cmd.exe` as an `Image` ending
/// is one indicator counted in both corpora.
#[test]
fn splunk_and_sigma_rules_share_event_rows_and_indicators() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(
        tmp.path().join("cmd.yml"),
        "title: Cmd\nid: 0b9c6c7a-2222-4222-8222-222222222222\nstatus: test\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    Image|endswith: '\\cmd.exe'\n  condition: sel\nlevel: low\n",
    )
    .unwrap();
    let c = Catalog::load(
        &[
            CorpusSpec { name: "sigma".into(), paths: vec![tmp.path().to_path_buf()] },
            CorpusSpec { name: "splunk".into(), paths: vec![fixtures()] },
        ],
        &LoadOptions::default(),
    );
    let sigma = c.rules.iter().find(|r| r.language == "sigma").expect("the Sigma rule");
    let anomaly = rule(&c, "encoded_powershell_anomaly");
    let key = |e: &detwiki_catalog::EventRow| (e.provider.clone(), e.channel.clone(), e.event_id);
    let sigma_rows: Vec<_> = sigma.events.iter().map(key).collect();
    for row in anomaly.events.iter().map(key) {
        assert!(sigma_rows.contains(&row), "{row:?} not among the Sigma rule's {sigma_rows:?}");
    }
    assert!(sigma_rows.contains(&("Security-Auditing".into(), "Security".into(), Some(4688))));
    let hunting = rule(&c, "process_hunting");
    let cmd = hunting
        .indicators
        .iter()
        .find(|i| i.key.field.as_deref() == Some("Image") && i.key.kind == Kind::EndsWith)
        .expect("Image ends with \\cmd.exe");
    let by = serde_json::to_value(&cmd.values[0].by_corpus).unwrap();
    assert_eq!(by, serde_json::json!({"sigma": 1, "splunk": 1}), "{by}");
}

/// One indicator written four ways — Sigma's `Image|endswith: '\rundll32.exe'`, Elastic's
/// `process.name : "rundll32.exe"`, Kusto's `FileName in~ (binaries)` and Splunk's
/// `Processes.process_name=rundll32.exe` — is one row, counted once per rule in each
/// language's corpus.
#[test]
fn an_indicator_shared_by_sigma_elastic_splunk_and_kusto_counts_all_four() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("splunk");
    copy_dir(&fixtures(), &repo);
    std::fs::write(
        repo.join("detections/endpoint/rundll32_hunting.yml"),
        "name: Rundll32 Hunting\nid: 10000000-0000-4000-8000-0000000000aa\nversion: 1\ndate: '2024-01-02'\n\
         author: Detwiki Tests\nstatus: production\ntype: Hunting\ndescription: Rundll32 runs.\n\
         data_source:\n- Sysmon EventID 1\nsearch: '| tstats count from datamodel=Endpoint.Processes\n  \
         where Processes.process_name=rundll32.exe by Processes.dest | `rundll32_hunting_filter`'\n\
         how_to_implement: x\nknown_false_positives: x\nreferences: []\ntags:\n  analytic_story:\n  \
         - Windows Persistence Techniques\n  mitre_attack_id:\n  - T1218.011\n  security_domain: endpoint\n",
    )
    .unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let c = Catalog::load(
        &[
            CorpusSpec { name: "splunk".into(), paths: vec![repo] },
            CorpusSpec { name: "kusto".into(), paths: vec![root.join("kusto")] },
            CorpusSpec { name: "mixed".into(), paths: vec![root.join("kusto-mixed")] },
        ],
        &LoadOptions::default(),
    );
    let r = c.rules.iter().find(|r| r.slug == "rundll32_hunting").expect("the Splunk rule");
    let value = r
        .indicators
        .iter()
        .filter(|row| row.key.field.as_deref() == Some("Image") && row.key.kind == Kind::EndsWith)
        .flat_map(|row| &row.values)
        .find(|v| v.norm == "\\rundll32.exe")
        .unwrap_or_else(|| panic!("Image ends_with \\rundll32.exe in {:?}", r.indicators));
    let languages: std::collections::BTreeSet<&str> = c
        .rules
        .iter()
        .filter(|rule| {
            rule.indicators.iter().flat_map(|row| &row.values).any(|v| v.norm == "\\rundll32.exe")
                && rule.indicators.iter().any(|row| row.key.field.as_deref() == Some("Image"))
        })
        .map(|rule| rule.language)
        .collect();
    assert_eq!(languages.into_iter().collect::<Vec<_>>(), ["elastic", "kusto", "sigma", "splunk"]);
    assert_eq!(value.by_corpus.get("splunk").copied(), Some(1), "{:?}", value.by_corpus);
    assert_eq!(value.by_corpus.get("kusto").copied(), Some(1), "{:?}", value.by_corpus);
    assert_eq!(value.by_corpus.get("mixed").copied(), Some(2), "Sigma and Elastic: {:?}", value.by_corpus);
    assert_eq!(value.corpus_count, 4);
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
