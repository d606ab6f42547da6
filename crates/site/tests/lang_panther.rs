//! Panther rule pages: the detection's stages, the rule's tests with their example events,
//! runbook and Python after Details, all escaped.

use std::collections::BTreeMap;
use std::path::Path;

use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

fn catalog() -> Catalog {
    let panther = CorpusSpec {
        name: "panther".into(),
        paths: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures/panther")],
    };
    Catalog::load(&[panther], &LoadOptions::default())
}

fn site(cat: &Catalog) -> BTreeMap<String, Vec<u8>> {
    detwiki_site::render_to_memory(cat, &Default::default()).expect("renders").0
}

fn page(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files.get(path).unwrap_or_else(|| panic!("no page {path}")).clone()).unwrap()
}

/// The `<section id="…">` of a page.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
    let end = start + html[start..].find("</section>").expect("closed") + "</section>".len();
    &html[start..end]
}

#[test]
fn a_python_rule_page_shows_its_predicates_tests_and_python() {
    let files = site(&catalog());
    let html = page(&files, "rules/panther/okta_admin_role_assigned/index.html");
    insta::assert_snapshot!("panther_stages_okta_admin_role_assigned", section(&html, "stages"));
    // Runbook, the Python file, Tests table, two test events.
    insta::assert_snapshot!("panther_tests_okta_admin_role_assigned", section(&html, "section-3"));
    let event = section(&html, "section-4");
    assert!(event.contains("Test event: Admin role granted (alerts)"), "{event}");
    assert!(event.contains("&quot;eventType&quot;: &quot;user.account.privilege.grant&quot;"), "{event}");
    let python = section(&html, "section-2");
    assert!(python.contains("data-language=\"python\""), "{python}");
    assert!(python.contains("def rule(event):"), "{python}");
    assert!(python.contains("&quot;&quot;"), "quotes escaped: {python}");
}

#[test]
fn every_kind_of_panther_rule_has_a_page() {
    let files = site(&catalog());
    for slug in ["okta_rate_limit_scheduled", "okta_login_without_push", "github_repo_archived", "broken_python"] {
        let html = page(&files, &format!("rules/panther/{slug}/index.html"));
        assert!(html.contains("Panther"), "{slug}: the language is named");
    }
    let corr = page(&files, "rules/panther/okta_login_without_push/index.html");
    insta::assert_snapshot!("panther_stages_okta_login_without_push", section(&corr, "stages"));
    let simple = page(&files, "rules/panther/github_repo_archived/index.html");
    insta::assert_snapshot!("panther_stages_github_repo_archived", section(&simple, "stages"));
}

/// A rule with many large test events (as some of panther-analysis' CloudTrail rules have) keeps
/// its page within the site's 60 KB: each language section shows a bounded part, says how much
/// is left out and links the rule's JSON, which holds every test event whole.
#[test]
fn many_large_test_events_stay_within_the_page_bound() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    let mut yml = String::from(
        "AnalysisType: rule\nFilename: big_tests.py\nRuleID: \"Big.Tests\"\nDisplayName: \"Big tests\"\n\
         Enabled: true\nLogTypes:\n  - AWS.CloudTrail\nSeverity: Low\nTests:\n",
    );
    let padding = "x".repeat(2_000);
    for i in 0..40 {
        yml.push_str(&format!(
            "  - Name: Test {i}\n    ExpectedResult: true\n    Log:\n      {{\"eventName\": \"ConsoleLogin\", \"n\": {i}, \"pad\": \"{padding}\"}}\n"
        ));
    }
    std::fs::write(rules.join("big_tests.yml"), yml).unwrap();
    let python: String = (0..400).map(|i| format!("# line {i} of a long helper comment\n")).collect();
    std::fs::write(
        rules.join("big_tests.py"),
        python + "def rule(event):\n    return event.get(\"eventName\") == \"ConsoleLogin\"\n",
    )
    .unwrap();
    let cat = Catalog::load(
        &[CorpusSpec { name: "panther".into(), paths: vec![dir.path().to_path_buf()] }],
        &LoadOptions::default(),
    );
    let files = site(&cat);
    let html = page(&files, "rules/panther/big_tests/index.html");
    assert!(html.len() < 60 * 1024, "page is {} B", html.len());
    let json_link = "<a href=\"../../../rules/panther/big_tests.json\">rule's JSON</a>";
    // The Python comes first, cut at its own bound, what is left counted.
    let python = section(&html, "section-1");
    assert!(python.contains("Python (big_tests.py)") && python.contains("line 0 of a long helper"), "{python}");
    assert!(python.contains(&format!("more lines in the {json_link}")), "{python}");
    // The first test events are shown whole; the rest are named in one paragraph.
    assert!(section(&html, "section-3").contains("Test event: Test 0 (alerts)"));
    let more = section(&html, "sections-more");
    assert!(more.contains(&format!("more sections in the {json_link}: Test event: Test ")), "{more}");
    assert!(!html.contains("Test event: Test 39"), "the last event is not on the page");
    // The JSON keeps all 40 events and the whole Python file.
    let json = page(&files, "rules/panther/big_tests.json");
    assert_eq!(json.matches("\"Test event: Test ").count(), 40, "every test event is in the JSON");
    assert!(json.contains("line 399 of a long helper comment"), "the whole Python file is in the JSON");
}
