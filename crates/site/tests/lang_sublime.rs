//! Sublime rules in the wiki, beside the demo Sigma rules: Sublime's own taxonomy as page
//! sections after Details, its email provider as Event coverage, its MQL query as stages.

use std::collections::BTreeMap;
use std::path::Path;

use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

fn mixed() -> Catalog {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let sigma = CorpusSpec { name: "sigma".into(), paths: vec![dir.join("demo/rules")] };
    let sublime = CorpusSpec { name: "sublime".into(), paths: vec![dir.join("../catalog/tests/fixtures/sublime")] };
    Catalog::load(&[sigma, sublime], &LoadOptions::default())
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
fn a_sublime_rule_page_shows_its_taxonomy_events_and_query() {
    let cat = mixed();
    let files = detwiki_site::render_to_memory(&cat, &Default::default()).expect("renders").0;
    let html = page(&files, "rules/sublime/link_onion_unsolicited/index.html");
    let parts: Vec<&str> =
        ["details", "section-1", "section-2", "section-3", "events"].iter().map(|id| section(&html, id)).collect();
    insta::assert_snapshot!("sublime_link_onion_sections", parts.join("\n"));
    assert!(section(&html, "section-1").contains("<h2 id=\"h-section-1\">Attack types</h2>"));
    assert!(section(&html, "events").contains("Email (Sublime MDM)"));
    // Sublime has no ATT&CK: the page says so rather than "no technique tagged".
    assert!(
        section(&html, "attack").contains("Sublime rules have no ATT&amp;CK mapping"),
        "{}",
        section(&html, "attack")
    );
    let sigma = cat.rules.iter().find(|r| r.language == "sigma").expect("a Sigma rule");
    let sigma = page(&files, &format!("rules/{}/{}/index.html", sigma.corpus, sigma.slug));
    assert!(!sigma.contains("have no ATT&amp;CK mapping"));
    // The query is shown, escaped, with the predicate tree beside it.
    let stages = section(&html, "stages");
    assert!(stages.contains("$high_trust_sender_root_domains"), "{stages}");
    assert!(stages.contains("any(body.links)"), "{stages}");
    assert!(!html.contains("<script>alert"), "escaped");
    // The broken rule's page shows its finding with the line of the file.
    let broken = page(&files, "rules/sublime/broken_query/index.html");
    assert!(broken.contains("query-syntax"), "the finding is shown");
}

/// Every internal link of the in-memory site (`href`/`src`, relative) names a page of it.
fn broken_links(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let re = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let mut broken = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let html = String::from_utf8_lossy(bytes);
        for cap in re.captures_iter(&html) {
            let url = cap[1].replace("&amp;", "&");
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("http://") || lower.starts_with("https://") || url.starts_with('#') {
                continue;
            }
            let target = url.split(['?', '#']).next().unwrap_or("");
            let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
            parts.pop();
            for seg in detwiki_site::html::pct_decode(target).split('/') {
                match seg {
                    ".." => {
                        parts.pop();
                    }
                    "." | "" => {}
                    s => parts.push(s.to_string()),
                }
            }
            let mut resolved = parts.join("/");
            if target.is_empty() || target.ends_with('/') {
                resolved.push_str(if resolved.is_empty() { "index.html" } else { "/index.html" });
            }
            if !files.contains_key(&resolved) {
                broken.push(format!("{path} -> {url}"));
            }
        }
    }
    broken
}

#[test]
fn every_internal_link_of_the_mixed_site_resolves() {
    let files = detwiki_site::render_to_memory(&mixed(), &Default::default()).expect("renders").0;
    let broken = broken_links(&files);
    assert!(broken.is_empty(), "{} broken links, e.g. {:?}", broken.len(), &broken[..broken.len().min(10)]);
    // The email provider has its page, linked from the Sublime rules' Event coverage.
    assert!(files.contains_key("events/email-sublime-mdm/index.html"));
}
