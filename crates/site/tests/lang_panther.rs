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
    // Runbook, Tests table, two test events, the Python file.
    insta::assert_snapshot!("panther_tests_okta_admin_role_assigned", section(&html, "section-2"));
    let event = section(&html, "section-3");
    assert!(event.contains("Test event: Admin role granted (alerts)"), "{event}");
    assert!(event.contains("&quot;eventType&quot;: &quot;user.account.privilege.grant&quot;"), "{event}");
    let python = section(&html, "section-5");
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
