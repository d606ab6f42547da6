//! Panther rules in the catalog: one JSON snapshot per kind of rule (Python rule, scheduled
//! rule, correlation rule, simple detection), support files left out, findings located.

use std::path::{Path, PathBuf};

use detwiki_catalog::{Catalog, CorpusSpec, EventMapping, LoadOptions, RuleEntry};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/panther")
}

fn fixture_catalog() -> Catalog {
    let specs = vec![CorpusSpec { name: "panther".into(), paths: vec![fixtures()] }];
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
fn one_json_snapshot_per_panther_rule_kind() {
    let c = fixture_catalog();
    assert!(c.failed.is_empty(), "{:?}", c.failed.iter().map(|f| &f.path).collect::<Vec<_>>());
    let corpus = &c.corpora[0];
    assert_eq!(corpus.rules, 5, "four fixtures and the broken one");
    assert_eq!(corpus.support, 7, "helpers, data models and the rules' Python files are support");
    for (slug, kind) in [
        ("okta_admin_role_assigned", "rule"),
        ("okta_rate_limit_scheduled", "scheduled_rule"),
        ("okta_login_without_push", "correlation_rule"),
        ("github_repo_archived", "rule"),
    ] {
        let r = c.rules.iter().find(|r| r.slug == slug).unwrap_or_else(|| panic!("{slug} not in the catalog"));
        assert_eq!(r.language, "panther");
        assert!(r.details.iter().any(|(k, v)| k == "Analysis type" && v == kind), "{slug}: {:?}", r.details);
        insta::assert_json_snapshot!(format!("panther_{slug}"), entry_json(r));
    }
}

#[test]
fn python_predicates_follow_helpers_constants_and_data_models() {
    let c = fixture_catalog();
    let r = c.rules.iter().find(|r| r.slug == "okta_admin_role_assigned").unwrap();
    let rows: Vec<String> = r
        .indicators
        .iter()
        .map(|row| {
            let mut vals: Vec<&str> = row.values.iter().map(|v| v.value.as_str()).collect();
            vals.sort_unstable();
            format!(
                "{}{} {:?} {}",
                if row.key.exclusion { "!" } else { "" },
                row.key.field.as_deref().unwrap_or(""),
                row.key.kind,
                vals.join("|")
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "outcome.result Eq SUCCESS",
            "!actor.alternateId Regex ^test-.*@example\\.com$",
            "eventType Eq group.privilege.grant|user.account.privilege.grant",
            "debugContext.debugData.privilegeGranted Match Organization administrator|Super administrator",
        ],
        "the helper's comparison, the data model's path for `actor_user`, the constants"
    );
    assert_eq!(r.event_mapping, EventMapping::Mapped);
    assert_eq!(r.events[0].provider, "Okta");
    assert!(r.attack.iter().flat_map(|a| &a.techniques).any(|t| t.id.starts_with("T1078")));
    let titles: Vec<&str> = r.sections.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Runbook",
            "Python (okta_admin_role_assigned.py)",
            "Tests",
            "Test event: Admin role granted (alerts)",
            "Test event: Failed grant (no alert)"
        ],
        "the detection's code comes before its tests"
    );
}

#[test]
fn correlation_steps_name_the_rules_they_take() {
    let c = fixture_catalog();
    let r = c.rules.iter().find(|r| r.slug == "okta_login_without_push").unwrap();
    let related: Vec<(&str, Option<&str>)> = r.related.iter().map(|x| (x.id.as_str(), x.slug.as_deref())).collect();
    assert_eq!(
        related,
        [
            ("Okta.AdminRoleAssigned", Some("panther/okta_admin_role_assigned")),
            ("Push.Security.Authorized.Login", None)
        ]
    );
    assert!(matches!(r.event_mapping, EventMapping::Unmapped { .. }));
}

#[test]
fn a_broken_python_file_is_a_finding_on_the_rule() {
    let c = fixture_catalog();
    let r = c.rules.iter().find(|r| r.slug == "broken_python").unwrap();
    let codes: Vec<&str> = r.findings.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(codes, ["python-syntax", "unmapped-logsource"]);
    let f = &r.findings[0];
    assert_eq!((f.line, f.column), (Some(2), Some(11)), "at `Filename:`'s value in the YAML");
    assert!(f.message.starts_with("broken_python.py:2:"), "{}", f.message);
}

#[test]
fn the_shared_panther_corpus_reads_with_predicates_for_95_percent() {
    let Some(root) = detwiki_testdata::require("corpus/panther") else { return };
    let specs = vec![CorpusSpec { name: "panther".into(), paths: vec![root] }];
    let c = Catalog::load(&specs, &LoadOptions { drop_parsed: true, ..LoadOptions::default() });
    let failed: Vec<&str> = c.failed.iter().map(|f| f.path.as_str()).collect();
    // The one file whose YAML is invalid (a flow mapping's `}` less indented than its key),
    // which PyYAML tolerates and saphyr, following the YAML spec, does not.
    assert_eq!(failed, ["rules/aws_cloudtrail_rules/aws_secretsmanager_retrieve_secrets_multiregion.yml"]);
    let panther: Vec<&RuleEntry> = c.rules.iter().filter(|r| r.language == "panther").collect();
    assert!(panther.len() > 850, "{}", panther.len());
    let with = panther.iter().filter(|r| !r.indicators.is_empty() || !r.related.is_empty()).count();
    assert!(with * 100 >= panther.len() * 95, "{with}/{} rules with indicators or steps", panther.len());
    assert_eq!(c.corpora[0].rules, panther.len());
}
