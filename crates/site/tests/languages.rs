//! The wiki over more than one rule language: the demo Sigma rules beside the Elastic
//! fixtures. An Elastic rule's body highlighted as TOML with its query in its own language,
//! escaped; long TOML bodies cut like YAML ones.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

fn elastic_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../elastic/tests/fixtures/rules")
}

/// The demo Sigma rules (corpus `sigma`) and the Elastic fixtures (corpus `elastic`).
fn mixed() -> Catalog {
    let sigma =
        CorpusSpec { name: "sigma".into(), paths: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/rules")] };
    let elastic = CorpusSpec { name: "elastic".into(), paths: vec![elastic_fixtures()] };
    Catalog::load(&[sigma, elastic], &LoadOptions::default())
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

/// The text of HTML: tags dropped, the site's entities decoded.
fn text_of(html: &str) -> String {
    let tags = regex::Regex::new("<[^>]*>").unwrap();
    tags.replace_all(html, "").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&amp;", "&")
}

#[test]
fn elastic_bodies_are_highlighted_toml_with_the_query_in_its_language() {
    let files = site(&mixed());
    for stem in ["behavior", "esql", "new_terms"] {
        let html = page(&files, &format!("rules/elastic/{stem}/index.html"));
        let body = section(&html, "body");
        insta::assert_snapshot!(format!("elastic_body_{stem}"), body);
        // Copying the body out of the page gives the file back.
        let file = std::fs::read_to_string(elastic_fixtures().join(format!("{stem}.toml"))).unwrap();
        let code = &body[body.find("<code>").unwrap() + 6..body.find("</code>").unwrap()];
        assert_eq!(text_of(code), file.trim_end(), "{stem}");
    }
    let eql = page(&files, "rules/elastic/behavior/index.html");
    for span in [
        "<span class=t>[rule]</span>",
        "<span class=k>query</span>",
        "<span class=kw>sequence</span>",
        "<span class=f>process.entity_id</span>",
        "<span class=o>==</span>",
        "<span class=s>&quot;exec&quot;</span>",
        "<span class=t>[[threat.technique]]</span>",
    ] {
        assert!(eql.contains(span), "no {span}");
    }
    let esql = page(&files, "rules/elastic/esql/index.html");
    for span in ["<span class=cm>FROM</span>", "<span class=p>|</span>", "<span class=src>"] {
        assert!(esql.contains(span), "no {span}");
    }
    // Sigma keeps its YAML highlighter.
    let sigma = page(&files, "rules/sigma/proc_creation_win_whoami_priv/index.html");
    assert!(section(&sigma, "body").contains("<pre class=\"yaml\" tabindex=\"0\"><code><span class=k>title</span>:"));
}

/// A rule file with markup in a string, a comment, the query's strings and a field name.
const HOSTILE: &str = r#"# </pre><script>alert(0)</script>
[metadata]
creation_date = "2024/01/01"
maturity = "production"

[rule]
name = "</pre><script>alert(1)</script>"
description = """<img src=x onerror=alert(2)>"""
rule_id = "3e1b6b8a-0000-4000-8000-000000000001"
risk_score = 21
severity = "low"
type = "eql"
language = "eql"
query = '''
process where process.name : "</pre><script>alert(3)</script>" and `a<b>` == "&amp;" // </code><script>
'''
"#;

#[test]
fn hostile_toml_renders_inert() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("hostile.toml"), HOSTILE).unwrap();
    let spec = CorpusSpec { name: "elastic".into(), paths: vec![dir.path().to_path_buf()] };
    let cat = Catalog::load(&[spec], &LoadOptions::default());
    assert_eq!(cat.rules.len(), 1, "{:?}", cat.failed);
    let files = site(&cat);
    let html = page(&files, "rules/elastic/hostile/index.html");
    for bad in ["<script>", "<img", "<b>", "</pre><s", "</code><s"] {
        assert!(!html.contains(bad), "raw `{bad}` in the page");
    }
    let body = section(&html, "body");
    assert!(
        body.contains("<span class=s>&quot;&lt;/pre&gt;&lt;script&gt;alert(3)&lt;/script&gt;&quot;</span>"),
        "{body}"
    );
    assert!(body.contains("<span class=c>// &lt;/code&gt;&lt;script&gt;</span>"), "{body}");
    assert!(body.contains("<span class=f>`a&lt;b&gt;`</span>"), "{body}");
    assert!(body.contains("<span class=s>&quot;&amp;amp;&quot;</span>"), "{body}");
    let code = &body[body.find("<code>").unwrap() + 6..body.find("</code>").unwrap()];
    assert_eq!(text_of(code), HOSTILE.trim_end());
}

#[test]
fn a_long_toml_body_is_cut_with_the_complete_toml_beside_the_page() {
    let mut text = String::from(
        "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"Long note\"\n\
         rule_id = \"3e1b6b8a-0000-4000-8000-000000000002\"\ntype = \"eql\"\nlanguage = \"eql\"\n\
         query = '''\nprocess where process.name : \"x.exe\"\n'''\nnote = \"\"\"\n## Triage\n",
    );
    for i in 0..600 {
        text.push_str(&format!("- Step {i}: look at <the> process tree and its parent, then the network.\n"));
    }
    text.push_str("\"\"\"\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("long_note.toml"), &text).unwrap();
    let spec = CorpusSpec { name: "elastic".into(), paths: vec![dir.path().to_path_buf()] };
    let cat = Catalog::load(&[spec], &LoadOptions::default());
    let files = site(&cat);
    let html = page(&files, "rules/elastic/long_note/index.html");
    assert!(html.len() < 60 * 1024, "{} B", html.len());
    let body = section(&html, "body");
    assert!(body.contains("Showing the first"), "a note says the body is cut");
    assert!(body.contains(&format!("of {} lines", text.trim_end().lines().count())));
    assert!(body.contains("KB of TOML"), "{body}");
    assert!(
        body.contains(r#"href="../../../rules/elastic/long_note.toml" type="application/toml">The complete TOML</a>"#)
    );
    // The cut falls inside the note: what is shown of it is still one string, highlighted.
    assert!(body.contains("<span class=kw>process</span>"));
    assert!(body.contains("<span class=s>&quot;&quot;&quot;\n## Triage\n- Step 0"));
    assert_eq!(page(&files, "rules/elastic/long_note.toml"), text);
    assert!(!files.keys().any(|k| k.ends_with(".yml")));
}
