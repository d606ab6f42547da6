//! A Microsoft Sentinel (Kusto) rule's page: its details, ATT&CK, events and the stages of its
//! query (the join's right side its own stage), escaped.

use std::collections::BTreeMap;
use std::path::Path;

use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

fn catalog() -> Catalog {
    let kusto = CorpusSpec {
        name: "kusto".into(),
        paths: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures/kusto")],
    };
    Catalog::load(&[kusto], &LoadOptions::default())
}

fn site(cat: &Catalog) -> BTreeMap<String, Vec<u8>> {
    detwiki_site::render_to_memory(cat, &Default::default()).expect("renders").0
}

/// The `<section id="…">` of a page.
fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
    let end = start + html[start..].find("</section>").expect("closed") + "</section>".len();
    &html[start..end]
}

#[test]
fn a_defender_rule_page_shows_its_stages_and_details() {
    let cat = catalog();
    let files = site(&cat);
    let path = files
        .keys()
        .find(|k| k.ends_with("mde_lolbin_network.html") || k.ends_with("mde_lolbin_network/index.html"))
        .unwrap_or_else(|| panic!("no page: {:?}", files.keys().filter(|k| k.contains("rules")).collect::<Vec<_>>()))
        .clone();
    let html = String::from_utf8(files[&path].clone()).unwrap();
    assert!(html.contains("join (inner) right side: DeviceNetworkEvents"), "the join side is a stage");
    assert!(html.contains("Microsoft Defender for Endpoint"), "its events");
    assert!(html.contains("Stealth"), "DefenseEvasion resolved for v19");
    let ids: Vec<&str> = html
        .match_indices("<section id=\"")
        .map(|(i, _)| &html[i + 13..i + 13 + html[i + 13..].find('"').unwrap()])
        .collect();
    assert!(ids.contains(&"details"), "sections: {ids:?}");
    insta::assert_snapshot!("kusto_mde_details", section(&html, "details"));
}
