//! The wiki as users see it: snapshots of the seed rule's page, a technique
//! page and an event page; every internal link of a built site resolves;
//! hostile rule text renders inert.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/rules")
}

/// The demo rules (the seed rule among them) as a corpus named `sigma`.
fn sigma_catalog() -> Catalog {
    let spec = CorpusSpec { name: "sigma".into(), paths: vec![demo_dir()] };
    Catalog::load(&[spec], &LoadOptions::default())
}

fn site(cat: &Catalog) -> BTreeMap<String, Vec<u8>> {
    detwiki_site::render_to_memory(cat, &Default::default()).expect("renders").0
}

fn page(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files.get(path).unwrap_or_else(|| panic!("no page {path}")).clone()).unwrap()
}

/// The `<main>` region of a page (mdBook's check_main_file idea).
fn main_of(html: &str) -> &str {
    let start = html.find("<main").expect("a <main>");
    let end = html.find("</main>").expect("a </main>") + "</main>".len();
    &html[start..end]
}

#[test]
fn seed_rule_page() {
    let files = site(&sigma_catalog());
    let html = page(&files, "rules/sigma/registry_event_portproxy_registry_key/index.html");
    let main = main_of(&html);
    // The seed's sections, in the seed's order.
    let order = [
        "Detection rules</a>",
        ">Sigma</a>",
        "<h1>New PortProxy Registry Entry Added</h1>",
        "Detects the modification of the PortProxy registry key",
        "MITRE ATT&amp;CK coverage",
        "Command &amp; Control</a></td><td><a href=\"../../../techniques/T1090/index.html\">T1090 Proxy</a>",
        "Event coverage",
        "Event ID 12</a></td><td>RegistryEvent (Object create and delete)",
        "Event ID 13</a></td><td>RegistryEvent (Value Set)",
        "Event ID 14</a></td><td>RegistryEvent (Key and Value Rename)",
        "Rule body",
        "<span class=c># Example: HKLM",
        "Stages and Predicates",
        "Stage 0: <code>condition</code>",
        "Stage 1: <code>selection</code>",
        "Indicators",
        "\\Services\\PortProxy\\v4tov4\\tcp\\</code>",
        "corpus 2 (sigma 2)",
        "References",
        "href=\"https://adepts.of0x.cc/netsh-portproxy-code/\"",
        "False positives",
        "Neighbors",
    ];
    let mut at = 0;
    for needle in order {
        let found = main[at..].find(needle).unwrap_or_else(|| panic!("`{needle}` missing or out of order"));
        at += found + needle.len();
    }
    insta::assert_snapshot!("seed_rule_main", main);
}

#[test]
fn technique_page() {
    let files = site(&sigma_catalog());
    let html = page(&files, "techniques/T1218/index.html");
    let main = main_of(&html);
    assert!(main.contains("T1218.011"), "sub-technique listed");
    assert!(main.contains("Exclusions"));
    insta::assert_snapshot!("technique_T1218_main", main);
}

#[test]
fn event_page() {
    let files = site(&sigma_catalog());
    let html = page(&files, "events/sysmon/1/index.html");
    let main = main_of(&html);
    assert!(main.contains("<table class=\"event-fields\">"), "every field, with the rules that read it");
    insta::assert_snapshot!("event_sysmon_1_main", main);
}

#[test]
fn shared_indicator_links_to_the_rules_sharing_it() {
    let files = site(&sigma_catalog());
    let html = page(&files, "rules/sigma/proc_creation_win_tscon_localsystem/index.html");
    let re = regex::Regex::new(
        r#"<a class="count" href="\.\./\.\./\.\./(indicators/[0-9a-f]+\.html)">corpus 2 \(sigma 2\)</a>"#,
    )
    .unwrap();
    let link = re.captures(&html).expect("tscon.exe is shared by two rules")[1].to_string();
    let list = page(&files, &link);
    assert!(list.contains("Suspicious TSCON Start as SYSTEM"));
    assert!(list.contains("XSS Probe Rule"));
    // Titled with the field and the kind, not the bare value.
    assert!(list.contains("<title>Image ends_with \\tscon.exe · detwiki</title>"), "{}", &list[..400]);
}

#[test]
fn the_indicators_blurb_describes_the_counts_shown() {
    let files = site(&sigma_catalog());
    let html = page(&files, "rules/sigma/registry_event_portproxy_registry_key/index.html");
    assert!(!html.contains("corpus column"), "there is no such column");
    assert!(html.contains("this rule included"), "the count includes the rule itself");
}

// ------------------------------------------------------------------------------------------
// Lists.

#[test]
fn rules_list() {
    let files = site(&sigma_catalog());
    let html = page(&files, "rules/index.html");
    let main = main_of(&html);
    // Levels by severity, tactics by name, one page with no pager.
    let levels: Vec<&str> = ["critical", "high", "medium", "low", "informational"]
        .into_iter()
        .filter(|l| main.contains(&format!("<option value=\"{l}\">")))
        .collect();
    let at: Vec<usize> = levels.iter().map(|l| main.find(&format!("<option value=\"{l}\">")).unwrap()).collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "levels by severity: {levels:?}");
    assert!(main.contains("</td><td>Command &amp; Control</td>"), "tactic names in the cells");
    assert!(!main.contains("<td>TA0"), "no tactic ids in the cells");
    assert!(!main.contains("id=\"pager\""));
    insta::assert_snapshot!("rules_list_main", main);
    // Every rule is in the data the script filters, sorts and pages.
    let data = String::from_utf8_lossy(&files["assets/rules-list.js"]).into_owned();
    let json: serde_json::Value =
        serde_json::from_str(data.strip_prefix("window.DETWIKI_RULES=").unwrap().trim_end().trim_end_matches(';'))
            .unwrap();
    assert_eq!(json["rows"].as_array().unwrap().len(), 14);
    assert_eq!(json["per_page"], 200);
    assert_eq!(json["tactics"]["TA0011"], "Command & Control");
}

#[test]
fn a_long_rules_list_is_paged() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..450 {
        std::fs::write(
            dir.path().join(format!("r{i:03}.yml")),
            format!(
                "title: Rule {i:03}\nlevel: {}\nlogsource:\n    product: windows\n    category: process_creation\n\
                 detection:\n    sel:\n        Image|endswith: '\\\\p{i}.exe'\n    condition: sel\n",
                ["low", "high", "critical"][i % 3]
            ),
        )
        .unwrap();
    }
    let spec = CorpusSpec { name: "acme".into(), paths: vec![dir.path().to_path_buf()] };
    let files = site(&Catalog::load(&[spec], &LoadOptions::default()));
    let rows = |p: &str| page(&files, p).matches("\n<tr><td><a href=").count();
    assert_eq!(rows("rules/index.html"), 200);
    assert_eq!(rows("rules/page/2/index.html"), 200);
    assert_eq!(rows("rules/page/3/index.html"), 50);
    assert!(!files.contains_key("rules/page/4/index.html") && !files.contains_key("rules/page/1/index.html"));
    let first = page(&files, "rules/index.html");
    assert!(first.contains("Rules 1–200 of 450, by corpus and file; page 1 of 3."));
    assert!(first.contains("<li><span aria-current=\"page\">1</span></li>"));
    assert!(first.contains("<li><a href=\"../rules/page/2/index.html\">Next ›</a></li>"));
    let third = page(&files, "rules/page/3/index.html");
    assert!(third.contains("data-page=\"3\""));
    assert!(third.contains("<a href=\"../../../rules/page/2/index.html\">‹ Previous</a>"));
    assert!(third.contains("<a href=\"../../../rules/acme/r449/index.html\">Rule 449</a>"));
    assert!(third.contains("<a href=\"../../../assets/app.js\"") || third.contains("src=\"../../../assets/app.js\""));
    // Levels come in severity order whatever the rules' order.
    let c = first.find("<option value=\"critical\">").unwrap();
    let h = first.find("<option value=\"high\">").unwrap();
    let l = first.find("<option value=\"low\">").unwrap();
    assert!(c < h && h < l);
}

#[test]
fn the_list_pages_make_way_for_a_corpus_named_page() {
    let dir = tempfile::tempdir().unwrap();
    let rule = |title: &str| {
        format!(
            "title: {title}\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        \
             Image|endswith: '\\\\{title}.exe'\n    condition: sel\n"
        )
    };
    let (named_page, acme) = (dir.path().join("page"), dir.path().join("acme"));
    std::fs::create_dir(&named_page).unwrap();
    std::fs::create_dir(&acme).unwrap();
    std::fs::write(named_page.join("2.yml"), rule("Two")).unwrap();
    for i in 0..250 {
        std::fs::write(acme.join(format!("a{i}.yml")), rule(&format!("a{i}"))).unwrap();
    }
    let specs = [
        CorpusSpec { name: "acme".into(), paths: vec![acme] },
        CorpusSpec { name: "page".into(), paths: vec![named_page] },
    ];
    let files = site(&Catalog::load(&specs, &LoadOptions::default()));
    assert!(page(&files, "rules/page/2/index.html").contains("<h1>Two</h1>"), "the rule keeps its page");
    assert!(page(&files, "rules/page_/2/index.html").contains("<h1>Detection rules</h1>"));
    assert!(page(&files, "rules/index.html").contains("href=\"../rules/page_/2/index.html\">Next ›</a>"));
}

#[test]
fn events_without_a_title_have_no_dangling_colon() {
    let files = site(&sigma_catalog());
    let events = page(&files, "events/index.html");
    assert!(!events.contains(": </a>"), "a dangling colon");
    // Security 4625 had no title in the taxonomy: the event data gives it one.
    assert!(events.contains(">Event ID 4625: An account failed to log on</a>"));
    let e = page(&files, "events/security/4625/index.html");
    assert!(e.contains("<title>Security Event ID 4625: An account failed to log on · detwiki</title>"));
    // An event of any id keeps its name: "any event", then its title.
    let any = page(&files, "events/aws-cloudtrail/any/index.html");
    assert!(any.contains("<title>AWS CloudTrail any event: CloudTrail management and data events · detwiki</title>"));
    insta::assert_snapshot!("events_index_main", main_of(&events));
}

#[test]
fn one_event_id_on_several_channels_names_the_channel() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("applocker.yml"),
        "title: AppLocker Blocks\nlogsource:\n    product: windows\n    service: applocker\ndetection:\n    sel:\n        \
         EventID: 8003\n    condition: sel\n",
    )
    .unwrap();
    let spec = CorpusSpec { name: "acme".into(), paths: vec![dir.path().to_path_buf()] };
    let files = site(&Catalog::load(&[spec], &LoadOptions::default()));
    let events = page(&files, "events/index.html");
    let labels: Vec<&str> = events.matches(">Event ID 8003 (Microsoft-Windows-AppLocker/").collect();
    assert!(labels.len() > 1, "8003 is on several channels");
    for ch in ["EXE and DLL", "MSI and Script"] {
        assert!(events.contains(&format!(">Event ID 8003 (Microsoft-Windows-AppLocker/{ch})</a>")), "{ch}");
    }
    let rule = page(&files, "rules/acme/applocker/index.html");
    assert!(rule.contains(">Event ID 8003 (Microsoft-Windows-AppLocker/EXE and DLL)</a>"));
}

// ------------------------------------------------------------------------------------------
// Link check.

fn check_links(root: &Path) -> (usize, Vec<String>) {
    let re = regex::Regex::new(r#"(?:href|src)="([^"]*)""#).unwrap();
    let mut broken = Vec::new();
    let mut checked = 0;
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            if p.extension().is_none_or(|x| x != "html") {
                continue;
            }
            let html = std::fs::read_to_string(&p).unwrap();
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
    }
    (checked, broken)
}

fn build_and_check(cat: &Catalog) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let stats = detwiki_site::write::build(cat, &Default::default(), &out, &|_| {}, &|| {}).unwrap();
    let (checked, broken) = check_links(&out);
    assert!(checked > stats.pages, "links were found");
    assert!(broken.is_empty(), "{} broken links, e.g. {:?}", broken.len(), &broken[..broken.len().min(10)]);
    println!("{} pages, {checked} internal links, all resolve", stats.pages);
}

#[test]
fn every_internal_link_resolves_demo() {
    build_and_check(&detwiki_site::demo::catalog());
}

#[test]
fn every_internal_link_resolves_sigmahq() {
    let Some(rules) = detwiki_testdata::require("corpus/sigma/rules") else { return };
    let spec = CorpusSpec { name: "sigma".into(), paths: vec![rules] };
    build_and_check(&Catalog::load(&[spec], &LoadOptions::default()));
}

// ------------------------------------------------------------------------------------------
// Untrusted content.

#[test]
fn hostile_rule_renders_inert() {
    let files = site(&sigma_catalog());
    let html = page(&files, "rules/sigma/file_event_win_xss_demo/index.html");
    for bad in ["<script>alert", "<img src=x", "<svg onload", "<b>not bold", "\"><img", "<script>"] {
        assert!(!html.contains(bad), "raw `{bad}` in the page");
    }
    assert!(html.contains("&lt;script&gt;alert(&quot;title&quot;)&lt;/script&gt; XSS Probe Rule"));
    assert!(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
    let hrefs = regex::Regex::new(r#"href="([^"]*)""#).unwrap();
    for cap in hrefs.captures_iter(&html) {
        let url = cap[1].to_ascii_lowercase();
        assert!(!url.contains("javascript:") && !url.starts_with("data:"), "unsafe link {url}");
    }
    // The javascript: and data: references are shown as text, not linked.
    assert!(html.contains("<li>javascript:alert(document.cookie)</li>"));
    assert!(html.contains("<li>JaVaScRiPt:alert(2)</li>"));
    // The https reference with markup in it is linked, its quotes escaped.
    assert!(html.contains("href=\"https://example.com/?q=&quot;&gt;&lt;script&gt;alert(4)&lt;/script&gt;\""));
}

#[test]
fn no_page_of_the_site_carries_hostile_markup() {
    let files = site(&sigma_catalog());
    for (path, bytes) in &files {
        let text = String::from_utf8_lossy(bytes);
        if path.ends_with(".html") {
            assert!(!text.contains("<script>alert") && !text.contains("<img src=x"), "raw markup in {path}");
            assert!(!text.to_ascii_lowercase().contains("href=\"javascript:"), "javascript link in {path}");
        }
    }
    // The search index is a script: rule text inside it must stay inside JSON strings.
    let index = String::from_utf8_lossy(&files["assets/search-index.js"]);
    assert!(index.starts_with("window.DETWIKI_SEARCH={") && index.trim_end().ends_with("};"));
}

#[test]
fn rule_json_is_the_catalog_entry() {
    let cat = sigma_catalog();
    let files = site(&cat);
    let rule = cat.find("a54f842a-3713-4b45-8c84-5f136fdebd3c").unwrap();
    // Same schema and content as `detwiki rule --format json` (written compact).
    let written: serde_json::Value =
        serde_json::from_slice(&files["rules/sigma/registry_event_portproxy_registry_key.json"]).unwrap();
    assert_eq!(written, serde_json::to_value(rule).unwrap());
    let summary: serde_json::Value = serde_json::from_slice(&files["api/rules.json"]).unwrap();
    assert_eq!(summary.as_array().unwrap().len(), cat.rules.len());
}

#[test]
fn search_finds_the_seed_rule_with_typos() {
    let cat = sigma_catalog();
    let idx = detwiki_site::search::SearchIndex::build(&cat);
    for q in ["PortProxy", "portprxy", "a54f842a", "registry_event_portproxy", "v4tov4"] {
        let hits = idx.search(q, 5);
        assert_eq!(
            hits.first().map(|h| h.url.as_str()),
            Some("rules/sigma/registry_event_portproxy_registry_key/index.html"),
            "query {q}"
        );
    }
    // T1090: the technique's page first, then the seed rule tagged with it.
    let hits = idx.search("T1090", 5);
    let first_rule = hits.iter().find(|h| h.kind == "rule").unwrap();
    assert_eq!(first_rule.url, "rules/sigma/registry_event_portproxy_registry_key/index.html");
    assert!(idx.search("zzzzqqq", 5).is_empty());
}

/// `(kind, title)` of the first `n` hits.
fn top(idx: &detwiki_site::search::SearchIndex, q: &str, n: usize) -> Vec<(String, String)> {
    idx.search(q, n).into_iter().map(|h| (h.kind, h.title)).collect()
}

#[test]
fn event_pages_say_what_the_event_is() {
    let files = site(&sigma_catalog());
    let html = page(&files, "events/sysmon/13/index.html");
    let main = main_of(&html);
    for s in [
        "Registry value set (rule: RegistryEvent)",
        "<span class=\"ph\">{TargetObject}</span>",
        "A real event, recorded in EVTX-ATTACK-SAMPLES",
        "ASD/ACSC</strong> recommends it",
        "CC-BY-4.0",
    ] {
        assert!(main.contains(s), "Sysmon 13 page lacks {s}");
    }
    insta::assert_snapshot!("event_sysmon_13_main", main);
    let html = page(&files, "events/security-auditing/4688/index.html");
    let main = main_of(&html);
    assert!(main.contains("Audit Process Creation"));
    assert!(main.contains("<span class=\"ph\">{NewProcessName}</span>"));
    insta::assert_snapshot!("event_security_4688_main", main);
    // Rules read Image, which Security 4688 calls NewProcessName: counted on that row.
    let row = main
        .split("<tr><td><code>")
        .find(|r| r.starts_with("<a href=\"../../../fields/NewProcessName/") || r.starts_with("NewProcessName"))
        .unwrap();
    assert!(!row.contains("<td class=\"num\">0</td>"), "{row}");
    // The JSON beside it carries the same facts.
    let json: serde_json::Value = serde_json::from_slice(&files["events/security-auditing/4688.json"]).unwrap();
    assert_eq!(json["event"]["info"]["title"]["text"], "A new process has been created");
    assert!(json["event"]["fields"].as_array().unwrap().iter().any(|f| f["name"] == "CommandLine"));
}

#[test]
fn events_no_rule_reads_have_pages_linked_from_their_provider() {
    let files = site(&sigma_catalog());
    let html = page(&files, "events/sysmon/index.html");
    assert!(html.contains("30 events across 1 channel"), "Sysmon's provider page counts its events");
    // Sysmon 255 (the error event) is read by no demo rule, and still has its page, which says
    // what no source has.
    assert!(html.contains("href=\"../../events/sysmon/255/index.html\""));
    let e255 = page(&files, "events/sysmon/255/index.html");
    assert!(e255.contains("No example in the EVTX samples, the EvtxECmd maps or OSSEM-DD."));
    // A Security event no demo rule reads, without a description in any source.
    let e4649 = page(&files, "events/security/4649/index.html");
    assert!(e4649.contains("A replay attack was detected"));
    assert!(e4649.contains("No description in OSSEM-DD, Sysinternals, winevt-kb or EvtxECmd."));
}

#[test]
fn search_finds_events_by_title_and_task() {
    let cat = sigma_catalog();
    let idx = detwiki_site::search::SearchIndex::build(&cat);
    // Many events are about logons; Security 4624's title says "logged on", its task "Logon".
    let hits = idx.search("logon", 30);
    assert!(
        hits.iter()
            .any(|h| h.kind == "event" && h.title.contains("4624") && h.title.contains("successfully logged on")),
        "{hits:?}"
    );
    let hits = idx.search("audit log was cleared", 3);
    assert!(hits.iter().any(|h| h.kind == "event" && h.title.contains("1102")), "{hits:?}");
}

#[test]
fn search_puts_the_page_a_query_names_above_rules_that_mention_it() {
    let cat = sigma_catalog();
    let idx = detwiki_site::search::SearchIndex::build(&cat);
    let first = |q: &str| top(&idx, q, 1).pop().unwrap_or_else(|| panic!("no hit for {q}"));
    let page = |kind: &str, title: &str| (kind.to_string(), title.to_string());
    // A technique id: the technique, then its sub-techniques, before any rule.
    assert_eq!(first("T1090"), page("technique", "T1090 Proxy"));
    assert_eq!(first("t1218.011"), page("technique", "T1218.011 System Binary Proxy Execution: Rundll32"));
    // An event, by provider and id, or by id alone.
    assert_eq!(first("sysmon 13"), page("event", "Sysmon Event ID 13: RegistryEvent (Value Set)"));
    assert_eq!(first("sysmon 1"), page("event", "Sysmon Event ID 1: Process creation"));
    assert_eq!(first("4688"), page("event", "Security-Auditing Event ID 4688: A new process has been created"));
    assert_eq!(first("4625"), page("event", "Security Event ID 4625: An account failed to log on"));
    // A field, an author, a tactic, a logsource, a platform, a provider.
    assert_eq!(first("TargetObject"), page("field", "TargetObject"));
    assert_eq!(first("Florian Roth"), page("author", "Florian Roth (Nextron Systems)"));
    assert_eq!(first("command & control"), page("tactic", "Command & Control (TA0011)"));
    assert_eq!(first("registry_set"), page("logsource", "windows/registry_set"));
    assert_eq!(first("process_creation"), page("logsource", "windows/process_creation"));
    assert_eq!(first("linux"), page("platform", "Linux"));
    assert_eq!(first("sysmon"), page("provider", "Sysmon"));
    // The rules still follow the pages: "T1090" reaches the rule tagged with it.
    let hits = idx.search("T1090", 20);
    assert!(hits.iter().skip(1).any(|h| h.kind == "rule"), "{hits:?}");
    // A page says what it holds; a rule says its corpus and level.
    let t = &idx.search("T1090", 1)[0];
    assert_eq!((t.kind.as_str(), t.id.as_str(), t.url.as_str()), ("technique", "T1090", "techniques/T1090/index.html"));
    assert!(t.rules >= 1 && t.corpus.is_empty());
    let r = idx.search("PortProxy", 1).remove(0);
    assert_eq!((r.kind.as_str(), r.corpus.as_str(), r.level.as_str(), r.rules), ("rule", "sigma", "medium", 0));
}

#[test]
fn a_rule_whose_id_holds_the_digits_ranks_below_the_event() {
    // A rule whose id has a `4688` group, and one that reads event 4688.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("id_digits.yml"),
        "title: Something Else\nid: 0a1b2c3d-4688-4222-8333-944445555666\nlogsource:\n    product: windows\n    \
         category: file_event\ndetection:\n    sel:\n        TargetFilename|endswith: '.lnk'\n    condition: sel\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("proc.yml"),
        "title: Process Start\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    \
         sel:\n        Image|endswith: '\\\\x.exe'\n    condition: sel\n",
    )
    .unwrap();
    let spec = CorpusSpec { name: "acme".into(), paths: vec![dir.path().to_path_buf()] };
    let cat = Catalog::load(&[spec], &LoadOptions::default());
    let idx = detwiki_site::search::SearchIndex::build(&cat);
    let hits = top(&idx, "4688", 5);
    assert_eq!(hits[0].0, "event", "{hits:?}");
    let rule_at = hits.iter().position(|h| h.1 == "Something Else").expect("the rule is found");
    assert!(rule_at > 0, "{hits:?}");
}

#[test]
fn navigator_layer_counts_rules() {
    let cat = sigma_catalog();
    let layer = serde_json::to_value(detwiki_site::navigator::layer(&cat, None, None)).unwrap();
    assert_eq!(layer["versions"]["layer"], "4.5");
    assert_eq!(layer["domain"], "enterprise-attack");
    let t = layer["techniques"].as_array().unwrap();
    let t1033 = t.iter().find(|x| x["techniqueID"] == "T1033").unwrap();
    assert_eq!(t1033["score"], 2);
    assert_eq!(t1033["tactic"], "discovery");
    assert_eq!(t1033["links"][0]["url"], "techniques/T1033/index.html");
}

// ------------------------------------------------------------------------------------------
// The in-memory site of `detwiki serve`.

#[test]
fn lazy_site_serves_the_same_files_as_the_build() {
    let built = site(&sigma_catalog());
    let lazy = detwiki_site::Site::new(sigma_catalog(), Default::default());
    assert_eq!(lazy.len(), built.len());
    assert!(lazy.cached("index.html").is_none(), "nothing is made before it is asked for");
    for (path, bytes) in &built {
        let got = lazy.get(path).unwrap_or_else(|| panic!("{path} missing")).unwrap();
        assert!(got == bytes.as_slice(), "{path} differs");
        assert_eq!(lazy.cached(path), Some(bytes.as_slice()));
    }
    assert!(lazy.get("rules/../index.html").is_none());
    assert!(lazy.get("nope.html").is_none());
    assert!(!lazy.contains("rules/sigma/registry_event_portproxy_registry_key"));
    assert!(lazy.contains("rules/sigma/registry_event_portproxy_registry_key/index.html"));
    assert!(!lazy.search().search("portproxy", 5).is_empty());
}

// ------------------------------------------------------------------------------------------
// Page size.

/// The issue's bound on a rule page.
const MAX_RULE_PAGE: usize = 60 * 1024;

/// Every rule page of `cat`, made alone: (page, bytes) of those over the bound, and the largest.
fn oversized_rule_pages(cat: Catalog) -> (Vec<(String, usize)>, usize) {
    let files: Vec<String> = cat.rules.iter().map(detwiki_site::paths::rule_file).collect();
    let site = detwiki_site::Site::new(cat, Default::default());
    let mut over = Vec::new();
    let mut largest = 0;
    for f in files {
        let n = site.get(&f).expect("a rule page").unwrap().len();
        largest = largest.max(n);
        if n >= MAX_RULE_PAGE {
            over.push((f, n));
        }
    }
    (over, largest)
}

#[test]
fn every_rule_page_is_under_60_kb_demo() {
    let (over, largest) = oversized_rule_pages(detwiki_site::demo::catalog());
    assert!(over.is_empty(), "{over:?}");
    println!("largest demo rule page: {largest} B");
}

#[test]
fn every_rule_page_is_under_60_kb_sigmahq() {
    let Some(rules) = detwiki_testdata::require("corpus/sigma/rules") else { return };
    let spec = CorpusSpec { name: "sigma".into(), paths: vec![rules] };
    let (over, largest) = oversized_rule_pages(Catalog::load(&[spec], &LoadOptions::default()));
    assert!(over.is_empty(), "{} rule pages over 60 KB: {over:?}", over.len());
    println!("largest SigmaHQ rule page: {largest} B");
}

#[test]
fn a_huge_body_is_cut_with_the_complete_yaml_beside_the_page() {
    let mut text = String::from(
        "title: Huge list\nid: 9d8e0c3e-2f6a-4d51-9a8e-3b0f6c1d2e4f\nstatus: test\nlevel: low\n\
         logsource:\n    category: driver_load\n    product: windows\ndetection:\n    selection:\n        Hashes|contains:\n",
    );
    for i in 0..3000 {
        text.push_str(&format!("            - 'SHA256={i:064x}'\n"));
    }
    text.push_str("    condition: selection\n");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("huge_list.yml"), &text).unwrap();
    let spec = CorpusSpec { name: "acme".into(), paths: vec![dir.path().to_path_buf()] };
    let cat = Catalog::load(&[spec], &LoadOptions::default());
    let files = site(&cat);
    let html = page(&files, "rules/acme/huge_list/index.html");
    assert!(html.len() < MAX_RULE_PAGE, "{} B", html.len());
    assert!(html.contains("Showing the first"), "a note says the body is cut");
    assert!(html.contains(&format!("of {} lines", text.trim_end().lines().count())));
    assert!(html.contains(r#"href="../../../rules/acme/huge_list.yml""#));
    assert_eq!(page(&files, "rules/acme/huge_list.yml"), text);
    // Bodies under the bound get no file beside the page.
    let demo = site(&detwiki_site::demo::catalog());
    assert!(!demo.keys().any(|k| k.ends_with(".yml")));
}

// ------------------------------------------------------------------------------------------
// Files left out.

/// The demo rules and three files that do not parse: a misspelt modifier (with markup in the
/// line), broken YAML, and a broken file with the stem of a rule that parses.
fn catalog_with_left_out() -> (tempfile::TempDir, Catalog) {
    let dir = tempfile::tempdir().unwrap();
    for e in std::fs::read_dir(demo_dir()).unwrap() {
        let p = e.unwrap().path();
        std::fs::copy(&p, dir.path().join(p.file_name().unwrap())).unwrap();
    }
    std::fs::write(
        dir.path().join("proc_creation_win_broken.yml"),
        "title: Broken\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        \
         CommandLine|contians: '<script>x'\n    condition: sel\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("bad_yaml.yml"), "title: [unclosed\n\tfoo: : bar\n").unwrap();
    std::fs::create_dir(dir.path().join("more")).unwrap();
    std::fs::write(dir.path().join("more/proc_creation_win_whoami_priv.yml"), "title: x\ndetection: 3\n").unwrap();
    let spec = CorpusSpec { name: "sigma".into(), paths: vec![dir.path().to_path_buf()] };
    let cat = Catalog::load(&[spec], &LoadOptions { drop_parsed: true, ..Default::default() });
    (dir, cat)
}

#[test]
fn a_left_out_file_has_a_page_with_its_findings_where_its_rule_page_would_be() {
    let (_dir, cat) = catalog_with_left_out();
    assert_eq!(cat.failed.len(), 3);
    let files = site(&cat);
    let html = page(&files, "rules/sigma/proc_creation_win_broken/index.html");
    assert!(html.contains("<title>proc_creation_win_broken.yml (left out) · detwiki</title>"));
    let main = main_of(&html);
    assert!(!main.contains("<script>"), "markup from the file is escaped");
    insta::assert_snapshot!("left_out_rule_main", main);
    // A broken file named like a rule that parses does not take the rule's page.
    assert!(page(&files, "rules/sigma/proc_creation_win_whoami_priv/index.html").contains("<h1>Whoami"));
    let other = page(&files, "rules/sigma/proc_creation_win_whoami_priv-2/index.html");
    assert!(other.contains("more/proc_creation_win_whoami_priv.yml"));
}

#[test]
fn the_home_page_links_the_list_of_left_out_files() {
    let (_dir, cat) = catalog_with_left_out();
    let files = site(&cat);
    let home = page(&files, "index.html");
    assert!(home.contains("<td class=\"num\"><a href=\"left-out/index.html#corpus-sigma\">3</a></td>"));
    let list = page(&files, "left-out/index.html");
    let main = main_of(&list);
    for f in ["bad_yaml.yml", "proc_creation_win_broken.yml", "more/proc_creation_win_whoami_priv.yml"] {
        assert!(main.contains(&format!("index.html\">{f}</a>")), "{f} listed");
    }
    insta::assert_snapshot!("left_out_list_main", main);
    // A catalog with nothing left out says so; its home count is no link.
    let demo = site(&sigma_catalog());
    assert!(page(&demo, "left-out/index.html").contains("Every rule file parsed"));
    assert!(!page(&demo, "index.html").contains("left-out/index.html#"));
}

#[test]
fn the_list_of_left_out_files_names_the_paths_that_could_not_be_searched() {
    let missing = demo_dir().join("no-such-folder");
    let spec = CorpusSpec { name: "sigma".into(), paths: vec![demo_dir(), missing.clone()] };
    let files = site(&Catalog::load(&[spec], &LoadOptions::default()));
    let list = page(&files, "left-out/index.html");
    assert!(list.contains("Paths that could not be searched"));
    assert!(list.contains(&format!("<code>{}</code>: no such file or folder", missing.display())), "{list}");
}

#[test]
fn every_internal_link_resolves_with_left_out_files() {
    build_and_check(&catalog_with_left_out().1);
}

// ------------------------------------------------------------------------------------------
// One rule-page model for the site and the text of `detwiki rule`.

/// What a rule page says, links left out: the same for the site's page and the text.
fn said(p: &detwiki_site::rule_view::RulePage<'_>) -> Vec<String> {
    let mut out = vec![p.crumb.title.clone(), p.title.to_string()];
    let h = &p.header;
    out.push(format!(
        "{:?} {:?} {:?} {:?} {:?} {} {:?} {}",
        h.level, h.status, h.author, h.date, h.modified, h.corpus, h.kind, h.id
    ));
    out.extend(h.authors.iter().map(|a| a.text.to_string()));
    out.extend(h.logsource.iter().map(|l| l.text.to_string()));
    out.extend(p.description.map(str::to_string));
    for row in &p.attack {
        out.push(row.tactic.text.to_string());
        out.extend(row.techniques.iter().map(|t| format!("{} {} {:?}", t.id, t.name, t.inactive)));
    }
    out.extend(p.events.rows.iter().map(|e| format!("{} | {} | {}", e.provider.text, e.event.text, e.title)));
    out.extend(p.events.note.iter().map(|n| n.to_string()));
    out.extend(p.stages.iter().map(|s| format!("{} {} {}", s.stage, s.label, s.more_lines)));
    for row in &p.indicators {
        out.push(format!("{} {} {}", row.field.text, row.kind, row.shown));
        out.extend(row.values.iter().map(|v| format!("{} {}", v.value, v.count)));
    }
    out.extend(
        p.related.iter().map(|r| format!("{} {} {:?}", r.relation, r.rule.id, r.rule.rule.as_ref().map(|l| &l.text))),
    );
    let n = &p.neighbors;
    out.extend(n.duplicates.iter().map(|d| format!("{} {:?}", d.id, d.rule.as_ref().map(|l| &l.text))));
    out.push(n.same_events.to_string());
    out.extend(n.closest.iter().map(|(r, k)| format!("{} {:?} {k}", r.id, r.rule.as_ref().map(|l| &l.text))));
    out
}

/// Every rule of `cat` says the same on its page and in its text, and only the page links.
fn site_and_text_agree(cat: &Catalog) -> usize {
    use detwiki_site::rule_view::RulePage;
    let derived = detwiki_site::views::Derived::new(cat);
    let ctx = detwiki_site::views::Ctx::new(cat, &derived);
    let mut ambiguous = 0;
    for (i, r) in cat.rules.iter().enumerate() {
        let (site, text) = (RulePage::site(ctx, r, Some(i)), RulePage::text(cat, r));
        assert_eq!(said(&site), said(&text), "{}/{}", r.corpus, r.path);
        assert!(text.events.rows.iter().all(|e| e.event.url.is_none() && e.provider.url.is_none()));
        assert!(text.indicators.iter().flat_map(|row| &row.values).all(|v| v.url.is_none()));
        ambiguous += site.events.rows.iter().filter(|e| e.event.text.ends_with(')')).count();
    }
    ambiguous
}

#[test]
fn site_and_text_show_the_same_rule_pages_demo() {
    site_and_text_agree(&detwiki_site::demo::catalog());
}

#[test]
fn site_and_text_show_the_same_rule_pages_sigmahq() {
    let Some(rules) = detwiki_testdata::require("corpus/sigma/rules") else { return };
    let spec = CorpusSpec { name: "sigma".into(), paths: vec![rules] };
    let ambiguous = site_and_text_agree(&Catalog::load(&[spec], &LoadOptions::default()));
    // AppLocker, Security-Mitigations and ServiceBus Client ids on several channels.
    assert!(ambiguous > 0, "an event named with its channel");
}

/// The demo catalog with sample data where T1218's rule fired 3 times in one file and T1090's
/// rules are of a language without an engine.
fn with_samples(cat: &Catalog) -> (detwiki_site::Options, usize) {
    use detwiki_site::proof::{RuleSamples, RunStatus, SampleFile, Samples};
    let file_of = |i: usize| detwiki_site::paths::rule_file(&cat.rules[i]);
    let fired = (0..cat.rules.len()).find(|&i| file_of(i).contains("rundll32_no_dll")).expect("T1218's rule");
    let mut s =
        Samples { rules: vec![RuleSamples::default(); cat.rules.len()], events: 10, hits: 3, ..Samples::default() };
    let f = SampleFile { name: "lab/rundll32.evtx".into(), events: 10, rules: vec![(fired, 3)], ..Default::default() };
    s.files.push(f);
    s.rules[fired].hits = 3;
    s.rules[fired].files = vec![(0, 3)];
    for &i in &cat.index.techniques["T1090"].rules {
        s.rules[i].status = RunStatus::NoEngine("Elastic".into());
    }
    s.finish();
    (detwiki_site::Options { samples: Some(std::sync::Arc::new(s)), ..Default::default() }, fired)
}

#[test]
fn with_sample_data_a_technique_page_says_which_of_its_rules_fired_and_the_nav_links_the_samples() {
    let cat = sigma_catalog();
    let (opts, fired) = with_samples(&cat);
    let files = detwiki_site::render_to_memory(&cat, &opts).expect("renders").0;
    let html = page(&files, "techniques/T1218/index.html");
    assert!(
        html.contains("<a href=\"../../samples/index.html\">Sample data</a>\n</nav>"),
        "site nav links the samples"
    );
    let main = main_of(&html);
    let start = main.find("<section id=\"samples\"").expect("a Seen in sample data section");
    let end = main.find("<section id=\"shared-indicators\"").expect("the indicators after the rules");
    let part = &main[start..end];
    assert!(part.contains("<strong>1 of its "), "{part}");
    assert!(part.contains("fired on the <a href=\"../../samples/index.html\">sample data</a> (3 hits)"), "{part}");
    // The rule that fired: its hits, linked to its page's section.
    let url = detwiki_site::paths::rule_file(&cat.rules[fired]).replace("index.html", "index.html#samples");
    assert!(part.contains(&format!("<a href=\"../../{url}\" class=\"fired\">3</a>")), "{part}");
    insta::assert_snapshot!("technique_T1218_samples", part);
    // The technique's JSON carries it.
    let json: serde_json::Value = serde_json::from_slice(&files["techniques/T1218.json"]).unwrap();
    assert_eq!(json["samples"]["fired"], 1);
    assert_eq!(json["samples"]["hits"], 3);
    // Rules without an engine: counted apart, not as never fired.
    let t1090 = main_of(&page(&files, "techniques/T1090/index.html")).to_string();
    assert!(t1090.contains("None of its rules ran on the"), "{t1090}");
    assert!(t1090.contains("Not run: 2 Elastic rules: no engine for Elastic rules yet."), "{t1090}");
    assert!(t1090.contains("title=\"no engine for Elastic rules yet\">no engine</span>"), "{t1090}");
    assert_eq!(json["samples"]["rules"][0]["hits"], 3);

    // The home page: the Sample data block, and the matrix marks the techniques that fired.
    let home = page(&files, "index.html");
    assert!(home.contains("<h2 id=\"h-samples\">Sample data</h2>"), "{home}");
    assert!(home.contains("<div><dt>Files</dt><dd><a href=\"samples/index.html\">1</a></dd></div>"));
    assert!(home.contains("<div><dt>Rules fired</dt><dd>1</dd></div>"));
    assert!(home.contains("<div><dt>Hits</dt><dd>3</dd></div>"));
    assert!(home.contains("<dt>Never fired</dt><dd><a href=\"samples/never-fired/index.html\">"));
    assert!(
        home.contains("T1218</span> System Binary Proxy Execution <span class=\"n\">")
            && home.contains("<span class=\"fired\" title=\"rules that fired on the sample data\">1 fired</span>"),
        "{home}"
    );
}

#[test]
fn without_sample_data_no_page_mentions_it() {
    let files = site(&sigma_catalog());
    for path in ["index.html", "techniques/T1218/index.html"] {
        let html = page(&files, path);
        assert!(!html.contains("samples/index.html"), "{path} links no sample pages");
        assert!(!html.contains("id=\"samples\""), "{path} has no empty sample section");
        assert!(!html.contains("Sample hits"), "{path}: no hits column");
    }
    let json: serde_json::Value = serde_json::from_slice(&files["techniques/T1218.json"]).unwrap();
    assert!(json.get("samples").is_none());
}

/// The whole catalog of the shared corpora — Sigma `rules/` and the six other languages — builds,
/// every internal link resolves, the home page counts each language's rules, and the Navigator
/// layer of the whole catalog counts every language's rules for a technique.
#[test]
fn every_internal_link_resolves_all_seven_languages() {
    let Some(corpus) = detwiki_testdata::require("corpus") else { return };
    let specs: Vec<CorpusSpec> = [
        ("sigma", "sigma/rules"),
        ("elastic", "elastic"),
        ("splunk", "splunk"),
        ("kusto", "kusto"),
        ("panther", "panther"),
        ("sublime", "sublime/detection-rules"),
        ("chronicle", "chronicle/rules"),
    ]
    .iter()
    .map(|(name, dir)| CorpusSpec { name: (*name).into(), paths: vec![corpus.join(dir)] })
    .collect();
    let cat = Catalog::load(&specs, &LoadOptions::default());
    let languages: std::collections::BTreeSet<&str> = cat.rules.iter().map(|r| r.language).collect();
    assert_eq!(languages.len(), 7, "{languages:?}");
    assert!(cat.rules.len() > 12_000, "{} rules", cat.rules.len());

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    let stats = detwiki_site::write::build(&cat, &Default::default(), &out, &|_| {}, &|| {}).unwrap();
    let (checked, broken) = check_links(&out);
    assert!(checked > stats.pages, "links were found");
    assert!(broken.is_empty(), "{} broken links, e.g. {:?}", broken.len(), &broken[..broken.len().min(10)]);

    // Every rule page of every language within the bound: long stages, indicator values and
    // language sections (Panther's test events, a Sentinel IOC list) are laid out tighter.
    let mut over = Vec::new();
    let mut largest = 0;
    for r in &cat.rules {
        let n = std::fs::metadata(out.join(detwiki_site::paths::rule_file(r))).unwrap().len() as usize;
        largest = largest.max(n);
        if n > MAX_RULE_PAGE {
            over.push((detwiki_site::paths::rule_file(r), n));
        }
    }
    assert!(over.is_empty(), "{} rule pages over 60 KB: {:?}", over.len(), &over[..over.len().min(10)]);

    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    for l in detwiki_catalog::lang::LANGUAGES {
        let n = cat.rules.iter().filter(|r| r.language == l.name).count();
        let row =
            format!("<tr><td><a href=\"rules/index.html?language={}\">{}</a></td><td class=\"num\">", l.name, l.title);
        let at = home.find(&row).unwrap_or_else(|| panic!("the home page lacks {row}"));
        let shown: String = home[at + row.len()..].chars().take_while(|c| *c != '<').filter(|c| *c != ',').collect();
        assert_eq!(shown, n.to_string(), "{} rules counted on the home page", l.title);
    }

    // T1078 (valid accounts) is tagged by rules of most languages: the whole catalog's score is
    // the sum of every corpus's.
    let score = |corpus: Option<&str>| {
        let layer = serde_json::to_value(detwiki_site::navigator::layer(&cat, corpus, None)).unwrap();
        let t = layer["techniques"].as_array().unwrap().iter().find(|t| t["techniqueID"] == "T1078").cloned();
        t.map_or(0, |t| t["score"].as_u64().unwrap())
    };
    let per: Vec<(&str, u64)> = specs.iter().map(|s| (s.name.as_str(), score(Some(&s.name)))).collect();
    assert!(per.iter().filter(|(_, n)| *n > 0).count() >= 5, "{per:?}");
    assert_eq!(score(None), per.iter().map(|(_, n)| n).sum::<u64>(), "{per:?}");
    println!(
        "{} rules, {} pages, {checked} internal links, all resolve; largest rule page {largest} B; T1078 {per:?}",
        cat.rules.len(),
        stats.pages
    );
}
