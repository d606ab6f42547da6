//! One test per semantic point of Sigma matching (specification v2.1; pySigma
//! where the specification is silent), on small hand-written events.

use detwiki_engine::compile::base64_offsets;
use detwiki_engine::event::{Event, Kind};
use detwiki_engine::ruleset::{Options, Ruleset, RulesetBuilder, SkipReason};
use detwiki_engine::{Placeholders, json};

/// A rule with `detection` (indented YAML body of `detection:`) and no routing.
fn rule(detection: &str) -> String {
    format!("title: t\nid: r1\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n{detection}")
}

fn build(yaml: &str, opts: &Options) -> Ruleset {
    let file = detwiki_sigma::parse_str(yaml);
    assert!(!file.has_errors(), "{yaml}\n{:?}", file.diagnostics);
    let mut b = RulesetBuilder::new();
    b.add("test", "t.yml".as_ref(), &file.documents, &|_| true);
    b.build(opts)
}

/// Without routing, the prefilter from the first event (the tests' events are few: with the
/// default, every one would be evaluated without it).
fn unrouted() -> Options {
    Options { routing: false, prefilter_after: 0, ..Options::default() }
}

fn hits(rs: &Ruleset, ev: &Event) -> Vec<String> {
    let mut out = Vec::new();
    let mut naive = Vec::new();
    rs.matches(ev, &mut rs.scratch(), |i| out.push(rs.rules[rs.rule_of(i) as usize].id.clone().unwrap_or_default()));
    rs.matches_naive(ev, &mut rs.scratch(), |i| {
        naive.push(rs.rules[rs.rule_of(i) as usize].id.clone().unwrap_or_default())
    });
    assert_eq!(out, naive, "prefilter and naive evaluation disagree");
    out
}

/// Does the detection fire on the JSON event?
fn fires(detection: &str, event_json: &str) -> bool {
    let rs = build(&rule(detection), &unrouted());
    assert_eq!(rs.rules.len(), 1, "{:?}", rs.skipped);
    !hits(&rs, &ev(event_json)).is_empty()
}

fn ev(json_text: &str) -> Event {
    let mut e = Event::new();
    json::flatten(json_text.as_bytes(), &mut e).expect("test event is JSON");
    e
}

#[test]
fn case_insensitive_by_default_and_cased() {
    let d = "  sel:\n    Image|endswith: '\\WHOAMI.exe'\n  condition: sel\n";
    assert!(fires(d, r#"{"Image":"C:\\Windows\\System32\\whoami.EXE"}"#));
    let d = "  sel:\n    Image|endswith|cased: '\\WHOAMI.exe'\n  condition: sel\n";
    assert!(!fires(d, r#"{"Image":"C:\\Windows\\System32\\whoami.EXE"}"#));
    assert!(fires(d, r#"{"Image":"C:\\x\\WHOAMI.exe"}"#));
    // Plain equality is whole-value.
    let d = "  sel:\n    User: 'SYSTEM'\n  condition: sel\n";
    assert!(fires(d, r#"{"User":"system"}"#));
    assert!(!fires(d, r#"{"User":"NT AUTHORITY\\SYSTEM"}"#));
}

#[test]
fn unicode_case_folding() {
    let d = "  sel:\n    CommandLine|contains: 'ÄRGER'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"kein ärger hier"}"#));
}

#[test]
fn wildcards_and_escapes() {
    let d = "  sel:\n    CommandLine: 'net*user?x'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"net.exe useryx"}"#));
    assert!(!fires(d, r#"{"CommandLine":"net.exe userx"}"#));
    // `\*` is a literal star.
    let d = "  sel:\n    CommandLine: 'a\\*b'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"a*b"}"#));
    assert!(!fires(d, r#"{"CommandLine":"axxb"}"#));
    // Four backslashes are the two of a UNC path; a lone backslash is itself.
    let d = "  sel:\n    Path|startswith: '\\\\\\\\srv\\share'\n  condition: sel\n";
    assert!(fires(d, r#"{"Path":"\\\\srv\\share\\x"}"#));
    assert!(!fires(d, r#"{"Path":"\\srv\\share\\x"}"#));
    // Wildcards inside modified values are wildcards.
    let d = "  sel:\n    CommandLine|contains: 'tasklist*|*find'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"cmd /c tasklist /v | findstr x"}"#));
}

#[test]
fn contains_startswith_endswith() {
    let c = "  sel:\n    CommandLine|contains: 'mimikatz'\n  condition: sel\n";
    let s = "  sel:\n    CommandLine|startswith: 'mimikatz'\n  condition: sel\n";
    let e = "  sel:\n    CommandLine|endswith: 'mimikatz'\n  condition: sel\n";
    let x = r#"{"CommandLine":"run Mimikatz now"}"#;
    assert!(fires(c, x) && !fires(s, x) && !fires(e, x));
    assert!(fires(s, r#"{"CommandLine":"mimikatz.exe"}"#));
    assert!(fires(e, r#"{"CommandLine":"x mimikatz"}"#));
}

#[test]
fn lists_are_or_and_all_is_and() {
    let d = "  sel:\n    CommandLine|contains:\n      - 'a1'\n      - 'b2'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"xx b2"}"#));
    let d = "  sel:\n    CommandLine|contains|all:\n      - 'a1'\n      - 'b2'\n  condition: sel\n";
    assert!(!fires(d, r#"{"CommandLine":"xx b2"}"#));
    assert!(fires(d, r#"{"CommandLine":"b2 a1"}"#));
    // A list of maps is an OR of ANDs.
    let d = "  sel:\n    - A: '1'\n      B: '2'\n    - C: '3'\n  condition: sel\n";
    assert!(fires(d, r#"{"A":"1","B":"2"}"#));
    assert!(!fires(d, r#"{"A":"1","B":"x"}"#));
    assert!(fires(d, r#"{"C":"3"}"#));
}

#[test]
fn keywords_match_anywhere_in_any_value() {
    let d = "  keywords:\n    - 'evil.ps1'\n    - 'bad'\n  condition: keywords\n";
    assert!(fires(d, r#"{"A":"x","ScriptBlockText":"iex (C:\\EVIL.PS1)"}"#));
    assert!(!fires(d, r#"{"A":"good"}"#));
    // Field-less `|all`: every value somewhere.
    let d = "  keywords:\n    '|all':\n      - 'one'\n      - 'two'\n  condition: keywords\n";
    assert!(fires(d, r#"{"A":"one","B":"two"}"#));
    assert!(!fires(d, r#"{"A":"one"}"#));
}

#[test]
fn null_empty_and_missing() {
    let null = "  sel:\n    OriginalFileName: null\n  condition: sel\n";
    let empty = "  sel:\n    OriginalFileName: ''\n  condition: sel\n";
    assert!(fires(null, r#"{"Image":"x"}"#), "missing field is null");
    assert!(fires(null, r#"{"OriginalFileName":null}"#), "JSON null is null");
    assert!(!fires(null, r#"{"OriginalFileName":""}"#), "empty is not null");
    assert!(fires(empty, r#"{"OriginalFileName":""}"#));
    assert!(!fires(empty, r#"{"Image":"x"}"#), "missing is not empty");
    assert!(!fires(empty, r#"{"OriginalFileName":null}"#));
    // `not null` style filters
    let d = "  sel:\n    Image: '*'\n  filter:\n    OriginalFileName: null\n  condition: sel and not filter\n";
    assert!(fires(d, r#"{"Image":"x","OriginalFileName":"a"}"#));
    assert!(!fires(d, r#"{"Image":"x"}"#));
}

#[test]
fn exists() {
    let t = "  sel:\n    Hashes|exists: true\n  condition: sel\n";
    let f = "  sel:\n    Hashes|exists: false\n  condition: sel\n";
    assert!(fires(t, r#"{"Hashes":""}"#));
    assert!(!fires(t, r#"{"Image":"x"}"#));
    assert!(fires(f, r#"{"Image":"x"}"#));
    assert!(!fires(f, r#"{"Hashes":"MD5=1"}"#));
}

#[test]
fn regex_with_flags() {
    let d = "  sel:\n    CommandLine|re: 'net\\s+user'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"net   user admin"}"#));
    assert!(!fires(d, r#"{"CommandLine":"NET USER admin"}"#), "re is case-sensitive by default");
    let d = "  sel:\n    CommandLine|re|i: 'net\\s+user'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"NET USER admin"}"#));
    let d = "  sel:\n    CommandLine|re|m: '^second$'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"first\nsecond\nthird"}"#));
    let d = "  sel:\n    CommandLine|re: '^second$'\n  condition: sel\n";
    assert!(!fires(d, r#"{"CommandLine":"first\nsecond\nthird"}"#));
    let d = "  sel:\n    CommandLine|re|s: 'a.b'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"a\nb"}"#));
    let d = "  sel:\n    CommandLine|re: 'a.b'\n  condition: sel\n";
    assert!(!fires(d, r#"{"CommandLine":"a\nb"}"#));
}

/// A case-insensitive regex matches by Unicode case folding, not by lower-casing: `s` matches
/// `ſ` (long s), whose lower case is itself. The prefilter's literals must allow for it, whether
/// the flag comes from `|i` or from `(?i)` in the pattern (`fires` also checks the prefilter
/// against the naive evaluation).
#[test]
fn case_insensitive_regex_folds_beyond_lower_case() {
    for d in [
        "  sel:\n    CommandLine|re|i: 'passwd'\n  condition: sel\n",
        "  sel:\n    CommandLine|re: '(?i)passwd'\n  condition: sel\n",
    ] {
        assert!(fires(d, r#"{"CommandLine":"cat /etc/paſſwd"}"#), "{d}");
        assert!(!fires(d, r#"{"CommandLine":"cat /etc/pa__wd"}"#), "{d}");
    }
    let d = "  sel:\n    CommandLine|re|i: 'kb'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"\u212ab"}"#), "Kelvin sign");
}

/// A regex that parses but is too big for the `regex` crate (its 10 MB size limit) is found
/// when an event first reaches it: the rule gives no hits, not even where the regex sits under
/// a `not`, and the ruleset says which regex of which rule.
#[test]
fn regex_too_big_to_build_gives_no_hits_and_is_reported() {
    let big = "(?:a{1000}){1000}";
    let d = format!(
        "  sel:\n    Image|endswith: '.exe'\n  filter:\n    CommandLine|re: '{big}'\n  condition: sel and not filter\n"
    );
    let rs = build(&rule(&d), &unrouted());
    assert_eq!(rs.rules.len(), 1, "{:?}", rs.skipped);
    assert!(rs.unbuilt_regexes().is_empty(), "nothing is built before an event needs it");
    assert!(hits(&rs, &ev(r#"{"Image":"x.exe","CommandLine":"b"}"#)).is_empty());
    let unbuilt = rs.unbuilt_regexes();
    assert_eq!(unbuilt.len(), 1);
    assert_eq!((unbuilt[0].rule, unbuilt[0].pattern.as_str()), (0, big));
    assert!(unbuilt[0].error.contains("size limit"), "{}", unbuilt[0].error);
}

#[test]
fn cidr_v4_and_v6() {
    let d = "  sel:\n    DestinationIp|cidr:\n      - '10.0.0.0/8'\n      - 'fe80::/10'\n  condition: sel\n";
    assert!(fires(d, r#"{"DestinationIp":"10.1.2.3"}"#));
    assert!(fires(d, r#"{"DestinationIp":"fe80::1"}"#));
    assert!(fires(d, r#"{"DestinationIp":"::ffff:10.9.9.9"}"#));
    assert!(!fires(d, r#"{"DestinationIp":"11.1.2.3"}"#));
    assert!(!fires(d, r#"{"DestinationIp":"not an ip"}"#));
}

#[test]
fn base64_and_base64offset() {
    assert_eq!(base64_offsets(b"http://"), ["aHR0cDovL", "h0dHA6Ly", "odHRwOi8v"]);
    let d = "  sel:\n    CommandLine|base64: 'cmd.exe /c'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"Y21kLmV4ZSAvYw=="}"#));
    let d = "  sel:\n    CommandLine|base64offset|contains: 'Invoke-Mimikatz'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"powershell -enc SW52b2tlLU1pbWlrYXR6"}"#));
    assert!(fires(d, r#"{"CommandLine":"powershell -enc eHggSW52b2tlLU1pbWlrYXR6"}"#));
}

#[test]
fn utf16_encodings_before_base64() {
    let mut expected = Vec::new();
    for s in base64_offsets(&"Invoke-".encode_utf16().flat_map(u16::to_le_bytes).collect::<Vec<u8>>()) {
        expected.push(s);
    }
    assert_eq!(expected, ["SQBuAHYAbwBrAGUALQ", "kAbgB2AG8AawBlAC0A", "JAG4AdgBvAGsAZQAtA"]);
    for m in ["wide", "utf16le"] {
        let d = format!("  sel:\n    CommandLine|{m}|base64offset|contains: 'Invoke-Mimikatz'\n  condition: sel\n");
        assert!(fires(&d, r#"{"CommandLine":"-e eAB4ACAASQBuAHYAbwBrAGUALQBNAGkAbQBpAGsAYQB0AHoAIAB5AHkA"}"#), "{m}");
    }
    let d = "  sel:\n    CommandLine|utf16le|base64: 'whoami'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"dwBoAG8AYQBtAGkA"}"#));
    // utf16 = BOM + little-endian; utf16be = big-endian.
    let d = "  sel:\n    CommandLine|utf16|base64: 'a'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"//5hAA=="}"#));
    let d = "  sel:\n    CommandLine|utf16be|base64: 'a'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"AGE="}"#));
}

#[test]
fn windash_every_dash_variant() {
    let d = "  sel:\n    CommandLine|windash|contains: ' -exec bypass'\n  condition: sel\n";
    for dash in ["-", "/", "\u{2013}", "\u{2014}", "\u{2015}"] {
        assert!(fires(d, &format!(r#"{{"CommandLine":"powershell {dash}exec bypass"}}"#)), "{dash}");
    }
    assert!(!fires(d, r#"{"CommandLine":"powershell _exec bypass"}"#));
    // A dash inside a word is not a flag dash (pySigma: `\B[-/]\b`).
    let d = "  sel:\n    CommandLine|windash|contains: 'x-y'\n  condition: sel\n";
    assert!(fires(d, r#"{"CommandLine":"x-y"}"#));
    assert!(!fires(d, r#"{"CommandLine":"x/y"}"#));
}

#[test]
fn numeric_comparisons() {
    let gt = "  sel:\n    Size|gt: 100\n  condition: sel\n";
    let lte = "  sel:\n    Size|lte: 100\n  condition: sel\n";
    assert!(fires(gt, r#"{"Size":101}"#));
    assert!(fires(gt, r#"{"Size":"250"}"#), "numeric strings compare as numbers");
    assert!(fires(gt, r#"{"Size":"0x100"}"#), "hex is a number");
    assert!(!fires(gt, r#"{"Size":100}"#));
    assert!(!fires(gt, r#"{"Size":"abc"}"#));
    assert!(fires(lte, r#"{"Size":100}"#));
    assert!(fires("  sel:\n    Size|gte: 1.5\n  condition: sel\n", r#"{"Size":1.5}"#));
    assert!(fires("  sel:\n    Size|lt: 0\n  condition: sel\n", r#"{"Size":-3}"#));
}

#[test]
fn neq() {
    let d = "  sel:\n    Image: '*'\n    User|neq: 'SYSTEM'\n  condition: sel\n";
    assert!(fires(d, r#"{"Image":"x","User":"bob"}"#));
    assert!(!fires(d, r#"{"Image":"x","User":"system"}"#));
    assert!(!fires(d, r#"{"Image":"x"}"#), "neq needs the field");
}

#[test]
fn fieldref() {
    let d = "  sel:\n    ParentImage|fieldref: Image\n  condition: sel\n";
    assert!(fires(d, r#"{"Image":"C:\\a.exe","ParentImage":"c:\\A.EXE"}"#));
    assert!(!fires(d, r#"{"Image":"C:\\a.exe","ParentImage":"C:\\b.exe"}"#));
    assert!(!fires(d, r#"{"ParentImage":"C:\\b.exe"}"#));
    let d = "  sel:\n    CommandLine|fieldref|endswith: Image\n  condition: sel\n";
    assert!(fires(d, r#"{"Image":"a.exe","CommandLine":"run a.exe"}"#));
}

#[test]
fn time_part_modifiers() {
    let e = r#"{"TimeCreated_SystemTime":"2019-03-19T23:43:52.123Z"}"#;
    for (m, v, ok) in [("hour", 23, true), ("minute", 43, true), ("day", 19, true), ("month", 3, true)] {
        let d = format!("  sel:\n    TimeCreated_SystemTime|{m}: {v}\n  condition: sel\n");
        assert_eq!(fires(&d, e), ok, "{m}");
    }
    assert!(fires("  sel:\n    TimeCreated_SystemTime|year: 2019\n  condition: sel\n", e));
    assert!(fires("  sel:\n    TimeCreated_SystemTime|week: 12\n  condition: sel\n", e));
    assert!(!fires("  sel:\n    TimeCreated_SystemTime|hour: 22\n  condition: sel\n", e));
}

#[test]
fn numbers_and_booleans_compare_as_text() {
    assert!(fires("  sel:\n    EventID: 4688\n  condition: sel\n", r#"{"EventID":4688}"#));
    assert!(fires("  sel:\n    EventID: 4688\n  condition: sel\n", r#"{"EventID":"4688"}"#));
    assert!(fires("  sel:\n    Initiated: 'true'\n  condition: sel\n", r#"{"Initiated":true}"#));
    assert!(fires("  sel:\n    Initiated: true\n  condition: sel\n", r#"{"Initiated":"True"}"#));
    assert!(!fires("  sel:\n    Initiated: 'true'\n  condition: sel\n", r#"{"Initiated":false}"#));
}

#[test]
fn conditions() {
    let d = "  selection_a:\n    A: '1'\n  selection_b:\n    B: '2'\n  filter:\n    C: '3'\n  \
             condition: 1 of selection_* and not filter\n";
    assert!(fires(d, r#"{"B":"2"}"#));
    assert!(!fires(d, r#"{"B":"2","C":"3"}"#));
    let d = "  selection_a:\n    A: '1'\n  selection_b:\n    B: '2'\n  condition: all of them\n";
    assert!(!fires(d, r#"{"B":"2"}"#));
    assert!(fires(d, r#"{"A":"1","B":"2"}"#));
    let d = "  s1:\n    A: '1'\n  s2:\n    B: '2'\n  s3:\n    C: '3'\n  condition: 2 of s*\n";
    assert!(!fires(d, r#"{"A":"1"}"#));
    assert!(fires(d, r#"{"A":"1","C":"3"}"#));
    let d = "  a:\n    A: '1'\n  b:\n    B: '2'\n  c:\n    C: '3'\n  condition: a or (b and not c)\n";
    assert!(fires(d, r#"{"B":"2"}"#));
    assert!(!fires(d, r#"{"B":"2","C":"3"}"#));
}

#[test]
fn arrays_are_several_values() {
    let d = "  sel:\n    Tags: 'b'\n  condition: sel\n";
    assert!(fires(d, r#"{"Tags":["a","b"]}"#));
}

#[test]
fn defender_field_names_with_spaces() {
    let d = "  sel:\n    ThreatName|contains: 'Mimikatz'\n  condition: sel\n";
    let mut e = Event::new();
    e.push("Threat Name", "HackTool:Win32/Mimikatz", Kind::Str);
    let rs = build(&rule(d), &unrouted());
    assert_eq!(hits(&rs, &e).len(), 1);
}

#[test]
fn placeholders_expand_or_skip_the_rule() {
    let d = "  sel:\n    User|expand: '%admins%'\n  condition: sel\n";
    let rs = build(&rule(d), &unrouted());
    assert!(rs.rules.is_empty());
    assert!(matches!(&rs.skipped[0].reason, SkipReason::Compile(e) if e.to_string().contains("%admins%")));
    assert_eq!(rs.skipped[0].reason.key(), "unresolved-placeholder");
    let mut placeholders = Placeholders::new();
    placeholders.insert("admins".into(), vec!["alice".into(), "bob*".into()]);
    let rs = build(&rule(d), &Options { placeholders, ..unrouted() });
    assert_eq!(rs.rules.len(), 1);
    assert_eq!(hits(&rs, &ev(r#"{"User":"Alice"}"#)).len(), 1);
    assert_eq!(hits(&rs, &ev(r#"{"User":"bobby"}"#)).len(), 1);
    assert_eq!(hits(&rs, &ev(r#"{"User":"carol"}"#)).len(), 0);
    // `\%` is a literal percent sign.
    let d = "  sel:\n    User|expand: '100\\%'\n  condition: sel\n";
    let rs = build(&rule(d), &unrouted());
    assert_eq!(hits(&rs, &ev(r#"{"User":"100%"}"#)).len(), 1);
}

#[test]
fn placeholders_file() {
    let p = detwiki_engine::load_placeholders("admins:\n  - alice\n  - bob\nhost: dc01\n").unwrap();
    assert_eq!(p["admins"], ["alice", "bob"]);
    assert_eq!(p["host"], ["dc01"]);
    let code = |text: &str| detwiki_engine::load_placeholders(text).map(|_| ()).map_err(|d| d.code);
    assert_eq!(code("- a\n"), Err(detwiki_sigma::Code::PlaceholdersInvalidType));
    assert_eq!(code("a: {b: c}\n"), Err(detwiki_sigma::Code::PlaceholdersInvalidType));
    assert_eq!(code("a: [b\n"), Err(detwiki_sigma::Code::PlaceholdersYaml));
}

#[test]
fn meta_filters_apply_to_named_rules_only() {
    let yaml = format!(
        "{}---\n{}---\ntitle: not on DCs\nlogsource:\n  product: windows\nfilter:\n  rules:\n    - r1\n  selection:\n    Computer|startswith: 'DC'\n  \
         condition: not selection\n",
        rule("  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\n"),
        rule("  sel:\n    Image|endswith: '\\x.exe'\n  condition: sel\n").replace("id: r1", "id: r2"),
    );
    let rs = build(&yaml, &unrouted());
    assert_eq!(rs.rules.len(), 2);
    let on_dc = ev(r#"{"Image":"C:\\x.exe","Computer":"DC01"}"#);
    let on_ws = ev(r#"{"Image":"C:\\x.exe","Computer":"WS01"}"#);
    assert_eq!(hits(&rs, &on_dc), ["r2"]);
    assert_eq!(hits(&rs, &on_ws), ["r1", "r2"]);
}

#[test]
fn routing_by_logsource() {
    let rs = build(&rule("  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n"), &Options::default());
    let sysmon1 = Event::from_pairs([
        ("Channel", "Microsoft-Windows-Sysmon/Operational"),
        ("EventID", "1"),
        ("Image", r"C:\Windows\whoami.exe"),
    ]);
    let sysmon3 = Event::from_pairs([
        ("Channel", "Microsoft-Windows-Sysmon/Operational"),
        ("EventID", "3"),
        ("Image", r"C:\Windows\whoami.exe"),
    ]);
    let sec4688 =
        Event::from_pairs([("Channel", "Security"), ("EventID", "4688"), ("NewProcessName", r"C:\Windows\whoami.exe")]);
    let sec4688_unmapped_name =
        Event::from_pairs([("Channel", "Security"), ("EventID", "4688"), ("Image", r"C:\Windows\whoami.exe")]);
    assert_eq!(hits(&rs, &sysmon1).len(), 1);
    assert_eq!(hits(&rs, &sysmon3).len(), 0, "network connections are not process creations");
    assert_eq!(hits(&rs, &sec4688).len(), 1, "4688 with its field names mapped");
    assert_eq!(hits(&rs, &sec4688_unmapped_name).len(), 0);
    // Without routing the rule sees every event, with the rule's own field names.
    let rs = build(&rule("  sel:\n    Image|endswith: '\\whoami.exe'\n  condition: sel\n"), &unrouted());
    assert_eq!(hits(&rs, &sysmon3).len(), 1);
}

#[test]
fn service_logsources_route_by_channel() {
    let yaml = "title: t\nid: s\nlogsource:\n  product: windows\n  service: security\ndetection:\n  sel:\n    \
                EventID: 1102\n  condition: sel\n";
    let rs = build(yaml, &Options::default());
    let sec = Event::from_pairs([("Channel", "Security"), ("EventID", "1102")]);
    let sys = Event::from_pairs([("Channel", "System"), ("EventID", "1102")]);
    assert_eq!(hits(&rs, &sec).len(), 1);
    assert_eq!(hits(&rs, &sys).len(), 0);
}

#[test]
fn unknown_logsources_are_reported_not_applied() {
    let yaml = "title: t\nid: u\nlogsource:\n  product: nosuchproduct\n  category: nothing\ndetection:\n  sel:\n    \
                A: '1'\n  condition: sel\n";
    let rs = build(yaml, &Options::default());
    assert!(rs.rules.is_empty());
    assert_eq!(rs.skipped[0].reason.key(), "no-logsource-mapping");
}

#[test]
fn explain_names_the_matched_fields() {
    let rs = build(
        &rule(
            "  sel:\n    Image|endswith: '\\x.exe'\n    User: '*'\n  filter:\n    A: '1'\n  condition: sel and not filter\n",
        ),
        &unrouted(),
    );
    let e = ev(r#"{"Image":"C:\\x.exe","User":"bob","B":"2"}"#);
    let mut got = Vec::new();
    rs.matches(&e, &mut rs.scratch(), |i| got.push(rs.explain(i, &e)));
    assert_eq!(got[0].fields, [("Image".to_string(), "C:\\x.exe".to_string()), ("User".into(), "bob".into())]);
}
