//! Every rule language in one catalog: Elastic rule files read into the same rule model as
//! Sigma's, their fields in the one vocabulary, their counts across languages.

use std::path::{Path, PathBuf};

use detwiki_catalog::{Catalog, CorpusSpec, EventMapping, Kind, LoadOptions, RuleEntry};

fn elastic_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../elastic/tests/fixtures/rules")
}

fn fixture_catalog() -> Catalog {
    let specs = vec![CorpusSpec { name: "elastic".into(), paths: vec![elastic_fixtures()] }];
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
fn one_json_snapshot_per_elastic_rule_type() {
    let c = fixture_catalog();
    // A rule whose query or TOML is partly broken is still a rule, with the finding shown; a
    // file with no `[rule]` is left out with its finding.
    let failed: Vec<&str> = c.failed.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(failed, vec!["not-a-rule.toml"]);
    assert_eq!(c.failed[0].diagnostics[0].code.as_str(), "not-a-rule");
    let toml = c.rules.iter().find(|r| r.slug == "toml-syntax").expect("recovered rule");
    assert!(toml.findings.iter().any(|f| f.code.as_str() == "toml-syntax" && f.line.is_some()));
    for (stem, rule_type) in [
        ("threshold_building_block", "threshold"),
        ("new_terms", "new_terms"),
        ("machine_learning", "machine_learning"),
        ("threat_match", "threat_match"),
        ("esql", "esql"),
        ("behavior", "behavior"),
        ("deprecated", "query"),
        ("query-syntax_eql", "eql"),
    ] {
        let r = c.rules.iter().find(|r| r.slug == stem).unwrap_or_else(|| panic!("{stem} not in the catalog"));
        assert_eq!(r.language, "elastic");
        assert!(r.details.iter().any(|(k, v)| k == "Rule type" && v == rule_type), "{stem}: {:?}", r.details);
        insta::assert_json_snapshot!(format!("elastic_{stem}"), entry_json(r));
    }
    let broken = c.rules.iter().find(|r| r.slug == "query-syntax_eql").unwrap();
    let f = broken.findings.iter().find(|f| f.code.as_str() == "query-syntax").expect("the query finding");
    assert!(f.line.is_some() && f.column.is_some(), "located in the TOML file");
}

#[test]
fn elastic_mappings_of_level_status_and_dates() {
    let c = fixture_catalog();
    let dep = c.rules.iter().find(|r| r.slug == "deprecated").unwrap();
    assert_eq!(dep.status.map(|s| s.to_string()).as_deref(), Some("deprecated"));
    for r in &c.rules {
        if let Some(d) = &r.date {
            assert!(d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-', "{}: {d}", r.path);
        }
    }
}

fn shared_catalog() -> Option<Catalog> {
    let sigma = detwiki_testdata::require("corpus/sigma/rules")?;
    let elastic = detwiki_testdata::require("corpus/elastic")?;
    let specs = vec![
        CorpusSpec { name: "sigma".into(), paths: vec![sigma] },
        CorpusSpec { name: "elastic".into(), paths: vec![elastic] },
    ];
    Some(Catalog::load(&specs, &LoadOptions { drop_parsed: true, ..LoadOptions::default() }))
}

#[test]
fn cross_language_facts_on_the_shared_corpora() {
    let Some(c) = shared_catalog() else { return };
    assert!(c.failed.is_empty(), "{:?}", c.failed.iter().map(|f| &f.path).collect::<Vec<_>>());
    let elastic = c.corpora.iter().find(|x| x.name == "elastic").unwrap();
    assert_eq!(elastic.rules, 3506, "every Elastic rule file is a rule");

    // registry.path is TargetObject; the events are registry events.
    let r = c
        .rules
        .iter()
        .find(|r| r.path.ends_with("defense_evasion_defender_disabled_via_registry.toml"))
        .expect("the Defender rule");
    assert_eq!(r.language, "elastic");
    let target = r
        .indicators
        .iter()
        .find(|row| row.key.field.as_deref() == Some("TargetObject") && !row.key.exclusion)
        .expect("TargetObject indicators");
    assert_eq!(target.original_fields, vec!["registry.path".to_string()]);
    assert!(target.values.iter().any(|v| v.value.ends_with("DisableAntiSpyware")));
    assert_eq!(r.event_mapping, EventMapping::Mapped);
    let sysmon: Vec<Option<u32>> = r.events.iter().filter(|e| e.provider == "Sysmon").map(|e| e.event_id).collect();
    assert_eq!(sysmon, vec![Some(12), Some(13), Some(14)]);
    assert!(r.events.iter().any(|e| e.provider == "Elastic Defend" && e.channel == "logs-endpoint.events.registry"));
    // Elastic's "Defense Evasion" with T1112 Modify Registry.
    assert!(r.attack.iter().flat_map(|a| &a.techniques).any(|t| t.id == "T1112"));

    // `process.name : "rundll32.exe"` is `Image` ends_with `\rundll32.exe`: one count, both languages.
    let counted = c
        .rules
        .iter()
        .flat_map(|r| &r.indicators)
        .filter(|row| row.key.field.as_deref() == Some("Image") && row.key.kind == Kind::EndsWith && !row.key.cased)
        .flat_map(|row| &row.values)
        .find(|v| v.norm == "\\rundll32.exe")
        .expect("an Image ends_with \\rundll32.exe indicator");
    let sigma = counted.by_corpus.get("sigma").copied().unwrap_or(0);
    let elastic = counted.by_corpus.get("elastic").copied().unwrap_or(0);
    assert!(sigma > 0 && elastic > 0, "sigma {sigma}, elastic {elastic}");
    assert_eq!(counted.corpus_count, sigma + elastic);
    let from_process_name = c.rules.iter().filter(|r| r.language == "elastic").any(|r| {
        r.indicators.iter().any(|row| {
            row.original_fields.iter().any(|f| f == "process.name")
                && row.key.kind == Kind::EndsWith
                && row.values.iter().any(|v| v.norm == "\\rundll32.exe")
        })
    });
    assert!(from_process_name, "an Elastic rule testing process.name : \"rundll32.exe\" is counted");

    // A Linux rule's `process.name : "bash"` is a Linux path, `Image` ends_with `/bash`, counted
    // with Sigma's Linux rules; no Windows path is made of a Linux name.
    let image_ends = |norm: &str| {
        c.rules
            .iter()
            .flat_map(|r| &r.indicators)
            .filter(|row| row.key.field.as_deref() == Some("Image") && row.key.kind == Kind::EndsWith)
            .flat_map(|row| &row.values)
            .find(|v| v.norm == norm)
            .map(|v| (v.by_corpus.get("sigma").copied().unwrap_or(0), v.by_corpus.get("elastic").copied().unwrap_or(0)))
    };
    assert_eq!(image_ends("\\bash"), None, "a Linux shell name made a Windows path");
    let (sigma_bash, elastic_bash) = image_ends("/bash").expect("Image ends_with /bash");
    assert!(sigma_bash > 0 && elastic_bash > 0, "/bash: sigma {sigma_bash}, elastic {elastic_bash}");
    // `process.args : "-c"` is a command line containing `-c`, not a command line equal to it.
    assert!(!c.rules.iter().filter(|r| r.language == "elastic").flat_map(|r| &r.indicators).any(|row| {
        row.key.field.as_deref() == Some("CommandLine")
            && row.key.kind == Kind::Eq
            && row.original_fields.iter().any(|f| f == "process.args")
    }));

    // A rule whose events cannot be determined says so.
    let undetermined = c.rules.iter().filter(|r| r.language == "elastic" && r.events.is_empty()).count();
    assert!(undetermined > 0);
    assert!(c.rules.iter().filter(|r| r.language == "elastic" && r.events.is_empty()).all(|r| matches!(
        &r.event_mapping,
        EventMapping::Unmapped { reason } if reason.contains("cannot be determined")
    )));
}

/// Several languages share `.yml`/`.yaml`: each file of SigmaHQ must still be read as Sigma
/// (no other language's sniff may claim it), and a rule page shows the sections a front end
/// gives.
#[test]
fn every_sigmahq_file_is_detected_as_sigma() {
    let Some(root) = detwiki_testdata::require("corpus/sigma") else { return };
    let mut seen = 0;
    let mut wrong = Vec::new();
    for dir in
        ["rules", "rules-emerging-threats", "rules-threat-hunting", "rules-compliance", "rules-dfir", "deprecated"]
    {
        for e in walkdir::WalkDir::new(root.join(dir)).into_iter().filter_map(Result::ok) {
            let p = e.path();
            if !e.file_type().is_file() || !p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                continue;
            }
            let text = std::fs::read_to_string(p).unwrap();
            seen += 1;
            match detwiki_catalog::lang::detect(p, &text) {
                Some(l) if l.name == "sigma" => {}
                other => wrong.push(format!("{} → {:?}", p.display(), other.map(|l| l.name))),
            }
        }
    }
    assert!(seen > 3_500, "only {seen} Sigma files found under {}", root.display());
    assert!(wrong.is_empty(), "{} SigmaHQ files detected as another language:\n{}", wrong.len(), wrong.join("\n"));
}
