//! The catalog over a small fixture corpus whose counts are worked out by hand,
//! and over the SigmaHQ snapshot in ../shared when it is there.

use std::path::{Path, PathBuf};

use detwiki_catalog::{Catalog, CorpusSpec, EventMapping, Kind, LoadOptions, RuleEntry};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn fixture_catalog() -> Catalog {
    let specs = vec![
        CorpusSpec { name: "alpha".into(), paths: vec![fixtures().join("alpha")] },
        CorpusSpec { name: "beta".into(), paths: vec![fixtures().join("beta")] },
    ];
    Catalog::load(&specs, &LoadOptions::default())
}

fn rule<'a>(c: &'a Catalog, id: &str) -> &'a RuleEntry {
    c.find(id).unwrap_or_else(|| panic!("rule {id} not in the catalog"))
}

/// (field, kind, cased, exclusion, value) → (corpus count, per corpus)
fn count(r: &RuleEntry, field: &str, kind: Kind, value: &str) -> (usize, Vec<(String, usize)>) {
    let row = r
        .indicators
        .iter()
        .find(|row| row.key.field.as_deref() == Some(field) && row.key.kind == kind)
        .unwrap_or_else(|| panic!("no {field} {kind:?} row in {}", r.id));
    let v = row.values.iter().find(|v| v.value == value).unwrap_or_else(|| panic!("no value {value}"));
    (v.corpus_count, v.by_corpus.iter().map(|(k, n)| (k.to_string(), *n)).collect())
}

#[test]
fn hand_counted_corpus_counts() {
    let c = fixture_catalog();
    let tscon = rule(&c, "11111111-1111-4111-8111-111111111111");
    // proc_tscon (endswith), proc_tscon_copy ('*\TSCON.EXE'), proc_filtered (twice, counted once).
    assert_eq!(count(tscon, "Image", Kind::EndsWith, "\\tscon.exe"), (3, vec![("alpha".into(), 3)]));
    // proc_tscon (contains AUTHORI) and proc_tscon_copy ('*authori*').
    assert_eq!(count(tscon, "User", Kind::Match, "AUTHORI"), (2, vec![("alpha".into(), 2)]));
    let filtered = rule(&c, "33333333-3333-4333-8333-333333333333");
    assert_eq!(count(filtered, "OriginalFileName", Kind::Eq, "tscon.exe").0, 1);
    let image_rows: Vec<_> = filtered.indicators.iter().filter(|r| r.key.field.as_deref() == Some("Image")).collect();
    assert_eq!(image_rows.len(), 2, "one positive ends_with row and one exclusion row");
    assert_eq!(image_rows[0].values.len(), 1, "a value counts once per rule");
    assert!(image_rows[1].key.exclusion && image_rows[1].key.kind == Kind::StartsWith);
    // |cased is another indicator.
    let cased = rule(&c, "44444444-4444-4444-8444-444444444444");
    let row = &cased.indicators[0];
    assert!(row.key.cased);
    assert_eq!(row.values[0].corpus_count, 1);
    assert_eq!(row.values[0].by_corpus.get("beta"), Some(&1));
    // The list behind a count names the rules.
    let (_, _) = count(tscon, "Image", Kind::EndsWith, "\\tscon.exe");
    let ends = &tscon.indicators.iter().find(|r| r.key.kind == Kind::EndsWith).unwrap().values[0];
    assert_eq!(
        ends.rules.iter().map(|r| &**r).collect::<Vec<&str>>(),
        vec![
            "33333333-3333-4333-8333-333333333333",
            "11111111-1111-4111-8111-111111111111",
            "22222222-2222-4222-8222-222222222222"
        ]
    );
}

#[test]
fn broken_files_are_listed_not_counted() {
    let c = fixture_catalog();
    assert_eq!(c.failed.len(), 1);
    assert_eq!(c.failed[0].path, "broken.yml");
    assert_eq!(c.failed[0].diagnostics[0].code.as_str(), "unknown-modifier");
    assert_eq!(c.corpora[1].files, 4);
    assert_eq!(c.corpora[1].rules, 3);
    assert_eq!(c.corpora[1].failed, 1);
    assert_eq!(c.rules.len(), 6);
}

#[test]
fn duplicate_pair_is_found() {
    let c = fixture_catalog();
    let a = rule(&c, "11111111-1111-4111-8111-111111111111");
    assert_eq!(a.neighbors.duplicates, vec!["22222222-2222-4222-8222-222222222222"]);
    assert_eq!(c.index.duplicates.len(), 1);
    // The filtered rule reads the same events and shares the tscon indicator.
    assert!(a.neighbors.same_events >= 2);
    assert!(a.neighbors.closest.iter().any(|n| n.id == "33333333-3333-4333-8333-333333333333"));
}

#[test]
fn seed_rule_as_the_seed_page_shows_it() {
    let c = fixture_catalog();
    let r = rule(&c, "a54f842a-3713-4b45-8c84-5f136fdebd3c");
    let json = serde_json::to_value(r).unwrap();
    assert_eq!(
        json["attack"],
        serde_json::json!([{"tactic": "Command & Control", "tactic_id": "TA0011",
        "techniques": [{"id": "T1090", "name": "Proxy", "status": "active"}]}])
    );
    let events: Vec<(String, Option<u32>, String)> =
        r.events.iter().map(|e| (e.provider.clone(), e.event_id, e.title.clone())).collect();
    assert_eq!(
        events,
        vec![
            ("Sysmon".into(), Some(12), "RegistryEvent (Object create and delete)".into()),
            ("Sysmon".into(), Some(13), "RegistryEvent (Value Set)".into()),
            ("Sysmon".into(), Some(14), "RegistryEvent (Key and Value Rename)".into()),
        ]
    );
    assert_eq!(r.stages.len(), 2);
    assert_eq!(r.stages[0].text, "selection");
    assert_eq!(r.stages[1].text, "selection:\n    TargetObject|contains: '\\Services\\PortProxy\\v4tov4\\tcp\\'");
    assert_eq!(count(r, "TargetObject", Kind::Match, "\\Services\\PortProxy\\v4tov4\\tcp\\").0, 1);
    assert!(r.findings.iter().any(|f| f.code.as_str() == "tactic-without-technique"));
    let mut settings = insta::Settings::clone_current();
    settings.set_sort_maps(true);
    settings.bind(|| insta::assert_json_snapshot!("seed_rule", json));
}

#[test]
fn service_rules_pin_event_ids_and_other_tags_resolve() {
    let c = fixture_catalog();
    let r = rule(&c, "55555555-5555-4555-8555-555555555555");
    assert_eq!(r.events.len(), 1);
    assert_eq!((r.events[0].channel.as_str(), r.events[0].event_id), ("Security", Some(4624)));
    assert_eq!(r.attack[0].tactic, "Lateral Movement");
    assert_eq!(r.attack[0].techniques[0].name, "Remote Services: Remote Desktop Protocol");
    let kinds: Vec<(&str, &str)> = r.other_tags.iter().map(|t| (t.kind, t.id.as_str())).collect();
    assert_eq!(kinds, vec![("group", "G0016"), ("cve", "2021-44228")]);
    let cased = rule(&c, "44444444-4444-4444-8444-444444444444");
    assert_eq!(cased.related[0].title.as_deref(), Some("Tscon as SYSTEM"));
    assert!(cased.findings.iter().any(|f| f.code.as_str() == "technique-without-tactic"));
}

#[test]
fn indexes_cover_techniques_events_and_fields() {
    let c = fixture_catalog();
    assert_eq!(c.index.techniques["T1090"].rules.len(), 1);
    let sysmon1 = c.index.events.values().find(|e| e.provider == "Sysmon" && e.event_id == Some(1)).unwrap();
    assert_eq!(sysmon1.rules.len(), 4);
    assert_eq!(c.index.fields["Image"].len(), 4);
    assert_eq!(c.index.authors["Alice"].len(), 2);
    assert_eq!(c.index.indicators[0].rules.len(), 3, "most shared indicator first");
}

fn shared() -> Option<PathBuf> {
    detwiki_testdata::require("corpus/sigma/rules")?;
    Some(detwiki_testdata::shared_path())
}

#[test]
fn sigmahq_corpus_seed_rule_and_full_coverage() {
    let Some(shared) = shared() else { return };
    let sigma = shared.join("corpus/sigma");
    let specs: Vec<CorpusSpec> = std::fs::read_dir(&sigma)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("rules")))
        .map(|p| CorpusSpec { name: p.file_name().unwrap().to_string_lossy().into_owned(), paths: vec![p] })
        .collect();
    let c = Catalog::load(&specs, &LoadOptions::default());
    assert_eq!(c.rules.len(), 3780);
    assert!(c.failed.is_empty(), "{:?}", c.failed.first());
    let seed = rule(&c, "a54f842a-3713-4b45-8c84-5f136fdebd3c");
    assert_eq!(seed.attack.len(), 1);
    assert_eq!(seed.events.len(), 3);
    assert_eq!(count(seed, "TargetObject", Kind::Match, "\\Services\\PortProxy\\v4tov4\\tcp\\").0, 1);
    // Every logsource has event rows or an explicit "no known mapping".
    let unknown: Vec<String> = c
        .rules
        .iter()
        .filter(|r| match &r.event_mapping {
            EventMapping::Mapped => r.events.is_empty(),
            EventMapping::Unmapped { .. } => false,
            EventMapping::Unknown => true,
        })
        .map(|r| r.logsource.label())
        .collect();
    assert!(unknown.is_empty(), "logsources with neither events nor an explicit no-mapping: {unknown:?}");
    // Every tag form resolves.
    let unresolved: Vec<&str> =
        c.rules.iter().flat_map(|r| &r.other_tags).filter(|t| t.kind == "unknown").map(|t| t.tag.as_str()).collect();
    assert!(unresolved.is_empty(), "{unresolved:?}");
    // A well-known shared indicator is counted across corpora.
    let ps = c
        .index
        .indicators
        .iter()
        .find(|i| {
            i.key.field.as_deref() == Some("Image") && i.key.kind == Kind::EndsWith && i.value == "\\powershell.exe"
        })
        .unwrap();
    assert!(ps.rules.len() > 50, "{}", ps.rules.len());
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let p = e.unwrap().path();
        let dest = to.join(p.file_name().unwrap());
        if p.is_dir() { copy_tree(&p, &dest) } else { std::fs::copy(&p, &dest).map(|_| ()).unwrap() }
    }
}

#[test]
fn an_updated_catalog_equals_a_fresh_load() {
    use detwiki_catalog::FileChange;
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixtures(), dir.path());
    let specs = vec![
        CorpusSpec { name: "alpha".into(), paths: vec![dir.path().join("alpha")] },
        CorpusSpec { name: "beta".into(), paths: vec![dir.path().join("beta")] },
    ];
    let opts = LoadOptions::default();
    let before = Catalog::load(&specs, &opts);
    // Change one file (a new title), add one (a copy under a new name), remove one, and fix the broken one.
    let alpha = dir.path().join("alpha");
    let beta = dir.path().join("beta");
    let tscon = std::fs::read_to_string(alpha.join("proc_tscon.yml")).unwrap();
    let title = tscon.lines().find(|l| l.starts_with("title:")).unwrap();
    std::fs::write(alpha.join("proc_tscon.yml"), tscon.replacen(title, "title: Renamed TSCON rule", 1)).unwrap();
    let added = tscon.replace("11111111-1111-4111-8111-111111111111", "55555555-5555-4555-8555-555555555555");
    std::fs::write(alpha.join("proc_a_added.yml"), added).unwrap();
    std::fs::remove_file(beta.join("security_logon.yml")).unwrap();
    std::fs::remove_file(beta.join("broken.yml")).unwrap();
    let changes = vec![
        FileChange::Changed { corpus: 0, root: alpha.clone(), path: alpha.join("proc_tscon.yml") },
        FileChange::Changed { corpus: 0, root: alpha.clone(), path: alpha.join("proc_a_added.yml") },
        FileChange::Removed(beta.join("security_logon.yml")),
        FileChange::Removed(beta.join("broken.yml")),
    ];
    let after = before.updated(&specs, &changes, &opts);
    let fresh = Catalog::load(&specs, &opts);
    assert_eq!(serde_json::to_string(&after).unwrap(), serde_json::to_string(&fresh).unwrap());
    assert_eq!(rule(&after, "11111111-1111-4111-8111-111111111111").title, "Renamed TSCON rule");
    assert!(after.find("55555555-5555-4555-8555-555555555555").is_some());
    assert_eq!((after.rules.len(), after.failed.len()), (before.rules.len(), 0));
    // Unchanged files are shared, not read again.
    let reg = |c: &Catalog| c.files.iter().find(|f| f.rel_path == "reg_portproxy.yml").unwrap().clone();
    assert!(std::sync::Arc::ptr_eq(&reg(&before), &reg(&after)));
}

#[test]
fn dropping_the_parse_changes_no_analysis() {
    let specs = vec![
        CorpusSpec { name: "alpha".into(), paths: vec![fixtures().join("alpha")] },
        CorpusSpec { name: "beta".into(), paths: vec![fixtures().join("beta")] },
    ];
    let kept = Catalog::load(&specs, &LoadOptions::default());
    let dropped = Catalog::load(&specs, &LoadOptions { drop_parsed: true, ..LoadOptions::default() });
    // Same rules, bodies, counts, duplicates and neighbors, byte for byte.
    assert_eq!(serde_json::to_string(&kept).unwrap(), serde_json::to_string(&dropped).unwrap());
    assert!(!kept.index.duplicates.is_empty(), "the fixture has a duplicate pair");
    assert!(dropped.parsed_dropped && dropped.files.iter().all(|f| f.parsed.documents.is_empty()));
    assert!(kept.files.iter().any(|f| !f.parsed.documents.is_empty()));
    // Updating a catalog without documents reads everything again, and still equals a fresh load.
    let again = dropped.updated(&specs, &[], &LoadOptions { drop_parsed: true, ..LoadOptions::default() });
    assert_eq!(serde_json::to_string(&again).unwrap(), serde_json::to_string(&kept).unwrap());
}
