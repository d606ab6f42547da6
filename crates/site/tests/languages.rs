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
    // The stage quoting the whole query is only escaped (it is highlighted in the body above;
    // not taken for YAML); the stages in Sigma syntax are YAML.
    let stages = section(&eql, "stages");
    assert!(
        stages.contains("<pre class=\"hl\" tabindex=\"0\"><code>sequence by process.entity_id with maxspan=1m\n"),
        "{stages}"
    );
    assert!(stages.contains("<pre class=\"yaml\" tabindex=\"0\"><code><span class=k>"), "{stages}");
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

// ------------------------------------------------------------------------------------------
// Language as a filter, in search, on the home page and in the Navigator layers.

fn sigma_only() -> Catalog {
    let sigma =
        CorpusSpec { name: "sigma".into(), paths: vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/rules")] };
    Catalog::load(&[sigma], &LoadOptions::default())
}

/// The rows of `assets/rules-list.js`.
fn list_rows(files: &BTreeMap<String, Vec<u8>>) -> Vec<serde_json::Value> {
    let data = page(files, "assets/rules-list.js");
    let json: serde_json::Value =
        serde_json::from_str(data.strip_prefix("window.DETWIKI_RULES=").unwrap().trim_end().trim_end_matches(';'))
            .unwrap();
    json["rows"].as_array().unwrap().clone()
}

#[test]
fn the_rules_list_filters_by_language_only_when_there_are_several() {
    let files = site(&mixed());
    let html = page(&files, "rules/index.html");
    let select = &html[html.find("<select name=\"language\"").expect("a language filter")..];
    let select = &select[..select.find("</select>").unwrap()];
    assert_eq!(
        select,
        "<select name=\"language\" data-filter=\"language\">\n<option value=\"\">all</option>\n\
         <option value=\"sigma\">Sigma</option>\n<option value=\"elastic\">Elastic</option>\n"
    );
    let rows = list_rows(&files);
    assert!(rows.iter().all(|r| r.as_array().unwrap().len() == 11));
    let elastic = rows.iter().filter(|r| r[10] == "elastic").count();
    let sigma = rows.iter().filter(|r| r[10] == "sigma").count();
    assert_eq!((sigma, elastic), (14, 13));
    // One language: no filter, rows end with the telemetry verdict, no language.
    let files = site(&sigma_only());
    assert!(!page(&files, "rules/index.html").contains("name=\"language\""));
    assert!(list_rows(&files).iter().all(|r| r.as_array().unwrap().len() == 10));
}

#[test]
fn pages_of_rules_count_and_filter_them_by_language() {
    let files = site(&mixed());
    let technique = page(&files, "techniques/T1110/index.html");
    insta::assert_snapshot!("technique_T1110_rules_mixed", section(&technique, "rules"));
    let event = page(&files, "events/security-auditing/index.html");
    let rules = section(&event, "rules");
    assert!(rules.contains("id=\"language-chips\""), "{rules}");
    assert!(rules.contains("<tr data-lang=\"elastic\">") && rules.contains("<tr data-lang=\"sigma\">"));
    let field = page(&files, "fields/image/index.html");
    assert!(section(&field, "rules").contains("<p class=\"note\" id=\"rule-languages\">"));
    // A page whose rules are of one language says so, with no chips.
    let ml = page(&files, "authors/elastic/index.html");
    let rules = section(&ml, "rules");
    assert!(rules.contains(" rules (elastic "), "{rules}");
    assert!(!rules.contains("language-chips"));
    // One language: nothing of it.
    let files = site(&sigma_only());
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        assert!(!text.contains("data-lang=") && !text.contains("rule-languages"), "{path}");
    }
}

#[test]
fn an_indicator_shared_across_languages_counts_both() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/rules/proc_creation_win_whoami_priv.yml"),
        dir.path().join("whoami.yml"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("whoami.toml"),
        "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"Whoami\"\n\
         rule_id = \"3e1b6b8a-0000-4000-8000-000000000003\"\nrisk_score = 21\nseverity = \"low\"\n\
         type = \"eql\"\nlanguage = \"eql\"\nquery = '''\nprocess where process.name : \"whoami.exe\"\n'''\n",
    )
    .unwrap();
    let spec = CorpusSpec { name: "mixed".into(), paths: vec![dir.path().to_path_buf()] };
    let cat = Catalog::load(&[spec], &LoadOptions::default());
    assert_eq!(cat.rules.len(), 2, "{:?}", cat.failed);
    let files = site(&cat);
    let (path, html) = files
        .iter()
        .filter(|(p, _)| p.starts_with("indicators/"))
        .map(|(p, b)| (p.clone(), String::from_utf8_lossy(b).into_owned()))
        .find(|(_, h)| h.contains("whoami.exe"))
        .expect("an indicator page for whoami.exe");
    let rules = section(&html, "rules");
    assert!(rules.contains("2 rules (sigma 1, elastic 1)"), "{path}: {rules}");
    assert!(rules.contains("id=\"language-chips\""));
}

#[test]
fn the_home_page_counts_rules_per_language() {
    let files = site(&mixed());
    let home = page(&files, "index.html");
    let counts = section(&home, "counts");
    assert!(counts.contains("<h2 id=\"h-counts\">Rules by language, level, status and product</h2>"));
    assert!(
        counts.contains(
            "<tr><td><a href=\"rules/index.html?language=sigma\">Sigma</a></td><td class=\"num\">14</td></tr>"
        )
    );
    assert!(counts.contains(
        "<tr><td><a href=\"rules/index.html?language=elastic\">Elastic</a></td><td class=\"num\">13</td></tr>"
    ));
    let home = page(&site(&sigma_only()), "index.html");
    assert!(section(&home, "counts").contains("<h2 id=\"h-counts\">Rules by level, status and product</h2>"));
    assert!(!home.contains("?language="));
}

#[test]
fn search_finds_rules_by_language_and_shows_it() {
    let cat = mixed();
    let idx = detwiki_site::search::SearchIndex::build(&cat);
    let elastic_rules = cat.rules.iter().filter(|r| r.language == "elastic").count();
    let hits = idx.search("elastic", 100);
    let rules: Vec<_> = hits.iter().filter(|h| h.kind == "rule").collect();
    assert_eq!(rules.len(), elastic_rules, "{hits:?}");
    assert!(rules.iter().all(|h| h.language == "Elastic" && h.corpus == "elastic"));
    for (q, want) in [("eql", "Sudo Heap-Based Buffer Overflow Attempt"), ("esql", "Password Spray")] {
        let hits = idx.search(q, 20);
        assert!(hits.iter().any(|h| h.title == want), "{q}: {hits:?}");
        assert!(hits.iter().filter(|h| h.kind == "rule").all(|h| h.language == "Elastic"), "{q}: {hits:?}");
    }
    // KQL rules are found by `kql` (their query language is `kuery`).
    let kql: Vec<String> = idx.search("kql", 100).into_iter().map(|h| h.title).collect();
    let kuery_rules: Vec<String> = cat
        .rules
        .iter()
        .filter(|r| r.details.iter().any(|(k, v)| k == "Query language" && v == "kuery"))
        .map(|r| r.title.clone())
        .collect();
    assert!(!kql.is_empty());
    assert!(kql.iter().all(|t| kuery_rules.contains(t)), "{kql:?} {kuery_rules:?}");
    assert!(kuery_rules.iter().all(|t| kql.contains(t)), "{kql:?} {kuery_rules:?}");
    // Sigma rules name their language too.
    let whoami = idx.search("whoami priv", 5);
    assert_eq!(whoami[0].language, "Sigma", "{whoami:?}");
}

#[test]
fn the_navigator_layers_cover_every_language() {
    let cat = mixed();
    let ids = |corpus: Option<&str>| -> Vec<String> {
        let layer = serde_json::to_value(detwiki_site::navigator::layer(&cat, corpus, None)).unwrap();
        layer["techniques"].as_array().unwrap().iter().map(|t| t["techniqueID"].as_str().unwrap().to_string()).collect()
    };
    let all = ids(None);
    // T1068 only from an Elastic behaviour rule, T1033 only from Sigma rules.
    assert!(all.contains(&"T1068".to_string()) && all.contains(&"T1033".to_string()), "{all:?}");
    let elastic = ids(Some("elastic"));
    assert!(elastic.contains(&"T1068".to_string()) && !elastic.contains(&"T1033".to_string()), "{elastic:?}");
    // A technique of both languages counts the rules of both.
    let score = |corpus: Option<&str>| {
        let layer = serde_json::to_value(detwiki_site::navigator::layer(&cat, corpus, None)).unwrap();
        let t = layer["techniques"].as_array().unwrap().iter().find(|t| t["techniqueID"] == "T1110").cloned();
        t.map_or(0, |t| t["score"].as_u64().unwrap())
    };
    assert!(score(Some("sigma")) > 0 && score(Some("elastic")) > 0);
    assert_eq!(score(None), score(Some("sigma")) + score(Some("elastic")));
}

#[test]
fn a_query_whose_highlighting_would_be_too_long_is_cut() {
    // Under the source bound (16 KB), but thousands of tokens: its markup would pass 32 KB.
    let mut query = String::from("process where process.pid == 1");
    while query.len() < 10 * 1024 {
        query.push_str("\n  or process.pid == 1");
    }
    let text = format!(
        "[metadata]\nmaturity = \"production\"\n\n[rule]\nname = \"Many tokens\"\n\
         rule_id = \"3e1b6b8a-0000-4000-8000-000000000004\"\ntype = \"eql\"\nlanguage = \"eql\"\n\
         query = '''\n{query}\n'''\n"
    );
    assert!(text.len() < 16 * 1024);
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("many_tokens.toml"), &text).unwrap();
    let spec = CorpusSpec { name: "elastic".into(), paths: vec![dir.path().to_path_buf()] };
    let files = site(&Catalog::load(&[spec], &LoadOptions::default()));
    let html = page(&files, "rules/elastic/many_tokens/index.html");
    let body = section(&html, "body");
    assert!(body.contains("Showing the first"), "cut");
    assert!(body.len() < 40 * 1024, "{} B", body.len());
    assert_eq!(page(&files, "rules/elastic/many_tokens.toml"), text);
}
