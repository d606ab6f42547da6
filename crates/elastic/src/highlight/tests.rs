use super::*;

/// `(text, class)` of every range.
fn classes<'a>(text: &'a str, toks: &[Token]) -> Vec<(&'a str, Class)> {
    toks.iter().map(|t| (&text[t.span.start..t.span.end], t.class)).collect()
}

fn query(language: Language, text: &str) -> Vec<(&str, Class)> {
    classes(text, &highlight_query(&language, text))
}

fn has(got: &[(&str, Class)], want: &[(&str, Class)]) {
    for w in want {
        assert!(got.contains(w), "{w:?} not in {got:?}");
    }
}

#[test]
fn kql_fields_values_keywords_operators() {
    let q = r#"event.category:process and process.name:("cmd.exe" or powershell*) and not user.id:S-1-5-18 and event.code >= 4688 and file.hash:*"#;
    let got = query(Language::Kuery, q);
    has(
        &got,
        &[
            ("event.category", Class::Field),
            (":", Class::Operator),
            ("process", Class::String),
            ("and", Class::Keyword),
            ("\"cmd.exe\"", Class::String),
            ("or", Class::Keyword),
            ("powershell*", Class::String),
            ("not", Class::Keyword),
            ("S-1-5-18", Class::String),
            ("event.code", Class::Field),
            (">=", Class::Operator),
            ("4688", Class::Number),
            ("file.hash", Class::Field),
            ("*", Class::Operator),
        ],
    );
    // Brackets stay plain.
    assert!(!got.iter().any(|(t, _)| t.contains('(')), "{got:?}");
}

#[test]
fn eql_sequence_tokens() {
    let q = r#"sequence by host.id with maxspan=5m
  [process where event.type == "start" and process.name : ("cmd.exe", "pwsh.exe") // launcher
   and startsWith~(process.args, "-enc") and not ?process.parent.name like~ "explorer*"]
  [network where destination.port in (443, 8443) and cidrmatch(destination.ip, "10.0.0.0/8") == false]
until [process where event.type == "end"]
| head 5"#;
    let got = query(Language::Eql, q);
    has(
        &got,
        &[
            ("sequence", Class::Keyword),
            ("by", Class::Keyword),
            ("host.id", Class::Field),
            ("with", Class::Keyword),
            ("maxspan", Class::Keyword),
            ("=", Class::Operator),
            ("5m", Class::Number),
            ("process", Class::Keyword),
            ("where", Class::Keyword),
            ("event.type", Class::Field),
            ("==", Class::Operator),
            ("\"start\"", Class::String),
            ("process.name", Class::Field),
            (":", Class::Operator),
            ("// launcher", Class::Comment),
            ("startsWith", Class::Function),
            ("~", Class::Operator),
            ("?", Class::Operator),
            ("process.parent.name", Class::Field),
            ("like", Class::Keyword),
            ("network", Class::Keyword),
            ("in", Class::Keyword),
            ("443", Class::Number),
            ("cidrmatch", Class::Function),
            ("false", Class::Bool),
            ("until", Class::Keyword),
            ("|", Class::Pipe),
            ("head", Class::Command),
        ],
    );
}

#[test]
fn esql_pipeline_tokens() {
    let q = "from logs-endpoint.events.process-*, logs-windows.* metadata _id, _index\n\
             | where host.os.type == \"windows\" and event.action in (\"start\", \"exec\") /* start */\n\
             | eval cmd = to_lower(process.command_line), t = @timestamp + 15 minutes\n\
             | stats n = count(*) by host.id\n\
             | where n > 10::integer\n\
             | keep host.id, n | sort n desc | limit 5";
    let got = query(Language::Esql, q);
    has(
        &got,
        &[
            ("from", Class::Command),
            ("logs-endpoint.events.process-*", Class::Source),
            ("logs-windows.*", Class::Source),
            ("metadata", Class::Keyword),
            ("_id", Class::Field),
            ("_index", Class::Field),
            ("|", Class::Pipe),
            ("where", Class::Command),
            ("host.os.type", Class::Field),
            ("==", Class::Operator),
            ("\"windows\"", Class::String),
            ("and", Class::Keyword),
            ("in", Class::Keyword),
            ("/* start */", Class::Comment),
            ("eval", Class::Command),
            ("cmd", Class::Field),
            ("=", Class::Operator),
            ("to_lower", Class::Function),
            ("process.command_line", Class::Field),
            ("@timestamp", Class::Field),
            ("15", Class::Number),
            ("minutes", Class::Number),
            ("stats", Class::Command),
            ("count", Class::Function),
            ("by", Class::Keyword),
            ("10", Class::Number),
            ("::", Class::Operator),
            ("integer", Class::Keyword),
            ("keep", Class::Command),
            ("sort", Class::Command),
            ("desc", Class::Keyword),
            ("limit", Class::Command),
            ("5", Class::Number),
        ],
    );
}

#[test]
fn a_query_that_does_not_scan_is_not_highlighted() {
    assert!(highlight_query(&Language::Eql, "process where a == \"unterminated").is_empty());
    assert!(highlight_query(&Language::Kuery, "a:(b or").is_empty());
    assert!(highlight_query(&Language::Esql, "where a").is_empty());
    assert!(highlight_query(&Language::Lucene, "a:b").is_empty());
}

const FILE: &str = r#"# A rule
[metadata]
creation_date = 2020/02/18
maturity = "production"
min_stack_version = '8.3.0'

[rule]
author = ["Elastic", "x"]
false_positives = []
risk_score = 47
building_block = false
language = "eql"
name = "Suspicious"
query = '''
process where process.name : "x.exe"
'''
note = """
## Triage
"""

[[rule.threat]]
framework = "MITRE ATT&CK"
[[rule.threat.technique]]
id = "T1059"
[rule.threat.tactic]
id = "TA0002"
subtechnique = [{id = "T1059.001", name = "PowerShell"}]
"#;

#[test]
fn toml_tables_keys_values_and_the_query() {
    let got = classes(FILE, &highlight_file(FILE));
    has(
        &got,
        &[
            ("# A rule", Class::Comment),
            ("[metadata]", Class::Table),
            ("creation_date", Class::Key),
            ("2020/02/18", Class::Number),
            ("\"production\"", Class::String),
            ("'8.3.0'", Class::String),
            ("author", Class::Key),
            ("\"Elastic\"", Class::String),
            ("47", Class::Number),
            ("false", Class::Bool),
            ("\"\"\"\n## Triage\n\"\"\"", Class::String),
            ("[[rule.threat]]", Class::Table),
            ("[[rule.threat.technique]]", Class::Table),
            ("[rule.threat.tactic]", Class::Table),
            ("subtechnique", Class::Key),
            ("\"T1059.001\"", Class::String),
            // The query in EQL, between its delimiters.
            ("'''\n", Class::String),
            ("process", Class::Keyword),
            ("process.name", Class::Field),
            ("\"x.exe\"", Class::String),
            ("'''", Class::String),
        ],
    );
    // Sorted, disjoint, on character boundaries.
    let toks = highlight_file(FILE);
    for w in toks.windows(2) {
        assert!(w[0].span.end <= w[1].span.start, "{w:?}");
    }
}

#[test]
fn query_language_from_the_rule_type_and_escapes_in_basic_strings() {
    let text = "[rule]\ntype = \"query\"\nquery = \"process.name:\\\"a b\\\" and x:1\"\nthreat_language = \"kuery\"\nthreat_query = '''a:b'''\n";
    let got = classes(text, &highlight_file(text));
    has(
        &got,
        &[
            ("\"", Class::String),
            ("process.name", Class::Field),
            ("\\\"a b\\\"", Class::String),
            ("and", Class::Keyword),
            ("1", Class::Number),
            ("'''", Class::String),
            ("a", Class::Field),
            ("b", Class::String),
        ],
    );
}

#[test]
fn broken_toml_and_broken_queries_never_panic() {
    for text in [
        "[rule\nquery = '''",
        "query = '''process where é == \"",
        "[rule]\nlanguage = \"esql\"\nquery = \"from a | where é\u{301} == \\u00e9\"",
        "[rule]\nquery = 1\n[rule]]\n",
        "",
    ] {
        let toks = highlight_file(text);
        for t in &toks {
            assert!(text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end), "{text:?}");
        }
    }
}
