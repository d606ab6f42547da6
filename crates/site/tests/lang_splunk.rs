//! A Splunk detection's page: its Details (type, risk, derived tactics), its own sections
//! (How to implement, Analytic stories, the expanded search, tests), its stages, all escaped.

use std::collections::BTreeMap;
use std::path::Path;

use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

fn splunk() -> Catalog {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../catalog/tests/fixtures/splunk");
    Catalog::load(&[CorpusSpec { name: "splunk".into(), paths: vec![path] }], &LoadOptions::default())
}

fn page(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files.get(path).unwrap_or_else(|| panic!("no page {path}")).clone()).unwrap()
}

fn section<'a>(html: &'a str, id: &str) -> &'a str {
    let start = html.find(&format!("<section id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
    let end = start + html[start..].find("</section>").expect("closed") + "</section>".len();
    &html[start..end]
}

#[test]
fn a_splunk_page_has_its_details_and_sections() {
    let files = detwiki_site::render_to_memory(&splunk(), &Default::default()).expect("renders").0;
    let html = page(&files, "rules/splunk/registry_stubpath_ttp/index.html");
    let details = section(&html, "details");
    insta::assert_snapshot!("splunk_details", details);
    assert!(details.contains("derived from the techniques"), "the page says the tactics were derived");
    let mut sections = String::new();
    for i in 1..=4 {
        sections.push_str(section(&html, &format!("section-{i}")));
        sections.push('\n');
    }
    insta::assert_snapshot!("splunk_sections", sections);
    assert!(sections.contains("How to implement") && sections.contains("Analytic stories"));
    assert!(sections.contains("rename Registry.* as *"), "the expanded search shows the formatting macro's text");
    // The search's text is escaped wherever it shows.
    assert!(!html.contains("\"*\\SOFTWARE") || html.contains("&quot;"));
    // The body: YAML keys and the search's tokens highlighted, the text escaped.
    let body = section(&html, "body");
    for span in [
        "<span class=k>search</span>",
        "<span class=fn>`security_content_summariesonly`</span>",
        "<span class=f>Registry.registry_value_name</span>",
        "<span class=p>|</span>",
        "<span class=kw>BY</span>",
        "<span class=s>&quot;StubPath&quot;</span>",
    ] {
        assert!(body.contains(span), "{span} not in {body}");
    }
    let anomaly = page(&files, "rules/splunk/encoded_powershell_anomaly/index.html");
    assert!(anomaly.contains("Not A Story Of This Repository") && anomaly.contains("not in stories/"));
}
