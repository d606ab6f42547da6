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
    // The body is highlighted as YARA-L.
    let body = section(&html, "body");
    for span in [
        "<span class=t>events:</span>",
        "<span class=k>rule_name</span>",
        "<span class=f>$process.metadata.event_type</span>",
        "<span class=fn>strings.contains</span>",
        "<span class=kw>nocase</span>",
        "<span class=src>%admins</span>",
    ] {
        assert!(body.contains(span), "no {span} in {body}");
    }
    // The dashboard and the reference list have no pages.
    assert!(!files.keys().any(|k| k.contains("detections") || k.contains("admins")), "no page for support files");
}

/// Internal links of the built site that point at no file.
fn broken_links(root: &Path) -> (usize, Vec<String>) {
    let re = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let (mut checked, mut broken) = (0, Vec::new());
    let mut html_files = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "html") {
                html_files.push(p);
            }
        }
    }
    for p in &html_files {
        let html = std::fs::read_to_string(p).unwrap();
        for cap in re.captures_iter(&html) {
            let url = cap[1].replace("&amp;", "&");
            let lower = url.to_ascii_lowercase();
            if lower.starts_with("http://") || lower.starts_with("https://") || url.starts_with('#') {
                continue;
            }
            checked += 1;
            let path = url.split(['?', '#']).next().unwrap_or("");
            let mut target = p.parent().unwrap().join(detwiki_site::html::pct_decode(path));
            if path.is_empty() || path.ends_with('/') {
                target = target.join("index.html");
            }
            if !target.is_file() {
                broken.push(format!("{} -> {url}", p.strip_prefix(root).unwrap().display()));
            }
        }
    }
    (checked, broken)
}

#[test]
fn the_whole_chronicle_corpus_builds_with_every_link_resolving() {
    let Some(rules) = detwiki_testdata::require("corpus/chronicle/rules") else { return };
    let cat = Catalog::load(&[CorpusSpec { name: "chronicle".into(), paths: vec![rules] }], &LoadOptions::default());
    assert_eq!(cat.rules.len(), 886, "every .yaral rule of community/ and _deprecated/");
    assert!(cat.failed.is_empty(), "{:?}", cat.failed.iter().map(|f| &f.path).collect::<Vec<_>>());
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let stats = detwiki_site::write::build(&cat, &Default::default(), &out, &|_| {}, &|| {}).unwrap();
    let (checked, broken) = broken_links(&out);
    assert!(checked > stats.pages, "links were found");
    assert!(broken.is_empty(), "{} broken links, e.g. {:?}", broken.len(), &broken[..broken.len().min(10)]);
    // Technique pages count the YARA-L rules.
    let t = std::fs::read_to_string(out.join("techniques/T1003.001/index.html")).expect("a technique page");
    assert!(t.contains("createdump") || t.contains("CreateDump"), "T1003.001 lists the converted CreateDump rule");
}
