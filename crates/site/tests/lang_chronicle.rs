//! A Chronicle YARA-L rule's page: its Details, its Outcome section, its stages (the
//! condition with its match window, the event's predicates, the joins) and the link to the
//! Sigma rule it was converted from.

use std::collections::BTreeMap;
use std::path::Path;

use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

fn catalog() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures/chronicle");
    Catalog::load(&[CorpusSpec { name: "chronicle".into(), paths: vec![dir] }], &LoadOptions::default())
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
fn a_chronicle_rule_page_shows_details_outcome_stages_and_its_sigma_original() {
    let files = site(&catalog());
    let html = page(&files, "rules/chronicle/createdump_process_dump/index.html");
    insta::assert_snapshot!("chronicle_stages", section(&html, "stages"));
    assert!(html.contains("Chronicle YARA-L"), "the language is named on the page");
    assert!(html.contains("Converted from Sigma"), "the details say where the rule comes from");
    assert!(html.contains("max(if($process.principal.user.userid = &quot;user&quot;, 0, 15))"), "the outcome, escaped");
    assert!(html.contains("sigma_createdump"), "the Sigma original is linked");
    // The dashboard and the reference list have no pages.
    assert!(!files.keys().any(|k| k.contains("detections") || k.contains("admins")), "no page for support files");
}
