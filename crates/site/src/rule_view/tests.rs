use detwiki_catalog::{Catalog, CorpusSpec, SourceFile};
use detwiki_sigma::Limits;

use super::*;
use crate::views::Derived;

/// A catalog of one corpus, `acme`, made of the given files.
fn catalog(files: &[(&str, &str)]) -> Catalog {
    let spec = CorpusSpec { name: "acme".into(), paths: vec!["(test)".into()] };
    let files = files
        .iter()
        .map(|(name, text)| SourceFile {
            corpus: 0,
            path: (*name).into(),
            rel_path: (*name).to_string(),
            text: (*text).to_string(),
            parsed: detwiki_sigma::parse_bytes(text.as_bytes(), &Limits::default()),
            language: detwiki_catalog::lang::by_name("sigma"),
        })
        .collect();
    Catalog::from_files(&[spec], files, Vec::new())
}

const LOGON: &str = "title: Logon
id: 6b1d2c3e-0000-4000-8000-000000000001
name: logon
logsource:
    product: windows
    service: security
detection:
    selection:
        EventID: 4624
    condition: selection
";

const CORRELATION: &str = "title: Many Logons
id: 6b1d2c3e-0000-4000-8000-000000000002
correlation:
    type: event_count
    rules:
        - logon
    group-by:
        - TargetUserName
    timespan: 5m
    condition:
        gte: 10
";

/// Both pages of the rule with `id`: on the site and as text.
fn both<'a>(cat: &'a Catalog, derived: &'a Derived, id: &str) -> [RulePage<'a>; 2] {
    let at = cat.rules.iter().position(|r| r.id == id).expect("rule in the catalog");
    let r = &cat.rules[at];
    [RulePage::site(Ctx::new(cat, derived), r, Some(at)), RulePage::text(cat, r)]
}

#[test]
fn a_correlation_rule_says_where_its_events_come_from() {
    let cat = catalog(&[("logon.yml", LOGON), ("many_logons.yml", CORRELATION)]);
    assert!(cat.failed.is_empty(), "{:?}", cat.failed);
    let derived = Derived::new(&cat);
    for page in both(&cat, &derived, "6b1d2c3e-0000-4000-8000-000000000002") {
        assert_eq!(page.header.kind, Some("correlation"));
        assert!(page.events.rows.is_empty());
        assert_eq!(page.events.note.as_deref(), Some(CORRELATION_EVENTS_NOTE));
        assert!(page.stages.is_empty());
    }
}

#[test]
fn an_event_without_a_title_is_named_by_its_id_alone() {
    // 4624's title comes from the event data; Windows 2003's 528 is in no source.
    let legacy = LOGON.replace("4624", "528");
    assert_ne!(legacy, LOGON);
    for (text, id, title) in [(LOGON, 4624, "An account was successfully logged on"), (legacy.as_str(), 528, "")] {
        let cat = catalog(&[("logon.yml", text)]);
        let derived = Derived::new(&cat);
        let [site, text] = both(&cat, &derived, "6b1d2c3e-0000-4000-8000-000000000001");
        let label = format!("Event ID {id}");
        for page in [&site, &text] {
            assert_eq!(page.events.note, None);
            let rows: Vec<(&str, &str, &str)> =
                page.events.rows.iter().map(|e| (&*e.provider.text, &*e.event.text, e.title)).collect();
            assert_eq!(rows, [("Security", label.as_str(), title)]);
            let name = if title.is_empty() { label.clone() } else { format!("{label}: {title}") };
            assert_eq!(page.events.rows[0].name(), name, "no dangling colon");
        }
        // Linked on the site, plain in text.
        let url = format!("events/security/{id}/index.html");
        assert_eq!(site.events.rows[0].event.url.as_deref(), Some(url.as_str()));
        assert_eq!(text.events.rows[0].event.url, None);
    }
}

#[test]
fn an_id_on_two_channels_of_a_provider_is_named_with_its_channel() {
    // AppLocker has 8003 on two channels: each row says which.
    let rule = "title: AppLocker
id: 6b1d2c3e-0000-4000-8000-000000000003
logsource:
    product: windows
    service: applocker
detection:
    selection:
        EventID: 8003
    condition: selection
";
    let cat = catalog(&[("applocker.yml", rule)]);
    let derived = Derived::new(&cat);
    let [site, text] = both(&cat, &derived, "6b1d2c3e-0000-4000-8000-000000000003");
    let labels = |p: &RulePage<'_>| p.events.rows.iter().map(|e| e.event.text.to_string()).collect::<Vec<_>>();
    assert!(labels(&site).len() > 1, "{:?}", labels(&site));
    assert!(labels(&site).iter().all(|l| l.starts_with("Event ID 8003 (") && l.ends_with(')')), "{:?}", labels(&site));
    assert_eq!(labels(&site), labels(&text));
}

#[test]
fn a_long_body_is_cut_at_a_line() {
    let text = "a: 1\n".repeat(10_000);
    let (head, lines) = body_head(&text);
    assert!(head.len() <= SHOWN_BODY_BYTES && head.ends_with("a: 1"));
    assert_eq!(lines, head.lines().count());
    let one = "é".repeat(20_000);
    let (head, lines) = body_head(&one);
    assert!(head.len() <= SHOWN_BODY_BYTES && !head.is_empty());
    assert_eq!(lines, 1);
}

#[test]
fn a_languages_sections_are_shown_after_details_and_escaped() {
    use detwiki_catalog::lang::{Section, SectionBody};
    let mut cat = catalog(&[("logon.yml", LOGON)]);
    cat.rules[0].sections = vec![
        Section { title: "How to <implement>".into(), body: SectionBody::Text { text: "First.\n\nSecond <b>".into() } },
        Section { title: "Stories".into(), body: SectionBody::List { items: vec!["A & B".into()] } },
        Section {
            title: "Test event".into(),
            body: SectionBody::Code { language: "json".into(), text: "{\"a\": \"</pre><script>\"}\n".repeat(25) },
        },
        Section {
            title: "Mappings".into(),
            body: SectionBody::Table {
                header: vec!["From".into(), "To".into()],
                rows: vec![vec!["x".into(), "<y>".into()]],
            },
        },
    ];
    let derived = Derived::new(&cat);
    let r = &cat.rules[0];
    let page = RulePage::site(Ctx::new(&cat, &derived), r, Some(0));
    let mut html = String::new();
    crate::templates::rule::rule(&mut html, &page, "../..");
    let at = |s: &str| html.find(s).unwrap_or_else(|| panic!("{s} not in the page"));
    assert!(at("How to &lt;implement&gt;") < at("Stories"), "sections in order");
    assert!(html.contains("<p>First.</p>\n<p>Second &lt;b&gt;</p>"));
    assert!(html.contains("<li>A &amp; B</li>"));
    assert!(html.contains("<details><summary>25 lines of json</summary>"), "long code is folded");
    assert!(!html.contains("</pre><script>"), "code is escaped");
    assert!(html.contains("<td>&lt;y&gt;</td>"));
    assert!(at("Mappings") < at("Rule body"), "sections come before the body");
}

/// A rule of few, very long lines and long values (as a Sentinel IOC list or a Sublime phrase
/// list is) is bounded by bytes, not only by lines and values; a page laid out too large is
/// laid out again tighter, and stays under the site's bound.
#[test]
fn long_lines_and_values_are_bounded_by_bytes_and_tightened() {
    let values: Vec<String> = (0..60).map(|i| format!("            - '{i:03}{}'", "v".repeat(600))).collect();
    let rule = format!(
        "title: Long values\nid: 6b1d2c3e-0000-4000-8000-000000000009\nlogsource:\n    product: windows\n    category: process_creation\n\
         detection:\n    selection:\n        CommandLine|contains:\n{}\n    condition: selection\n",
        values.join("\n")
    );
    let cat = catalog(&[("long.yml", &rule)]);
    assert!(cat.failed.is_empty(), "{:?}", cat.failed);
    let derived = Derived::new(&cat);
    let mut page = RulePage::site(Ctx::new(&cat, &derived), &cat.rules[0], Some(0));
    // Values: 600 bytes each, shown cut at 512, within 8 KB of value text.
    let row = &page.indicators[0];
    assert_eq!(row.values.len(), 60);
    assert_eq!(row.shown, MAX_VALUE_BYTES_PER_PAGE / MAX_VALUE_BYTES, "values within the page's bytes");
    assert!(row.values[0].is_cut() && row.values[0].shown_value().len() == MAX_VALUE_BYTES);
    // The stage: 60 lines of 600 bytes fit the line bound but not the byte bound.
    let stage = page.stages.iter().find(|s| s.label == "selection").expect("the selection's stage");
    assert!(stage.shown.len() <= MAX_STAGE_BYTES && stage.more_lines > 0, "{} B shown", stage.shown.len());
    assert!(stage.text.starts_with(stage.shown.as_ref()), "what is shown is the beginning of the stage");
    // Tighter: half of everything.
    let sel = page.stages.iter().position(|s| s.label == "selection").unwrap();
    let before = (page.indicators[0].shown, page.stages[sel].shown.len());
    page.tighten();
    assert_eq!(page.limits, super::Limits::default().tighter());
    assert!(page.indicators[0].shown <= before.0 / 2 + 1, "{} values", page.indicators[0].shown);
    assert!(
        page.stages[sel].shown.len() <= MAX_STAGE_BYTES / 2 && page.stages[sel].shown.len() < before.1,
        "{} B",
        page.stages[sel].shown.len()
    );
    // The page as the site writes it.
    let html = crate::render_rule_page(&cat, &cat.rules[0]);
    assert!(html.len() <= MAX_RULE_PAGE_BYTES, "{} B", html.len());
    assert!(
        html.contains("… (cut: 603 bytes in the <a href=\"../../../rules/acme/long.json\">rule's JSON</a>)"),
        "a cut value says so"
    );
}

#[test]
fn a_stage_of_one_long_line_shows_its_beginning() {
    let text = "é".repeat(5000);
    let (shown, lines) = stage_head(&text, 60, 1001);
    assert_eq!((shown.len(), lines), (1000, 0), "cut at a character boundary, no whole line shown");
    let (shown, lines) = stage_head("a\nb\nc", 2, 100);
    assert_eq!((shown, lines), ("a\nb", 2));
}
