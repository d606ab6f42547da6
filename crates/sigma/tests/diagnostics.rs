//! Every diagnostic code has a fixture rule that triggers it, at a known place.
//!
//! Each file `tests/fixtures/<code>.yml` holds one kind of problem and, in its
//! leading comments, the findings it must produce, one per line:
//!
//! ```text
//! # expect: <code> <line>:<column> [text that the message or help contains]
//! ```
//!
//! The test checks that the findings are exactly these (same codes, same
//! 1-based positions, no others), so a finding that moves, disappears or
//! appears twice is caught.

use std::path::{Path, PathBuf};

use detwiki_sigma::{Code, Diagnostic, Limits, LineIndex, Severity, parse_bytes};

/// Codes that only the command line (file reading) or checks over a set of
/// files can produce; `crates/cli/tests/lint.rs` covers them.
const CLI_LEVEL: &[Code] = &[Code::Io, Code::FileTooLarge, Code::DuplicateRuleId];

/// Codes that the catalog analysis (ATT&CK tables, logsource taxonomy) produces,
/// not the parser; the catalog crate tests them. Names, not variants, so this
/// list does not break while that work is in progress.
/// Codes only other languages' files produce, tested with their fixtures in `crates/elastic/tests`
/// (`rules.rs`, `limits.rs`), and `unknown-format` (no language's file), tested in
/// `crates/cli/tests/languages.rs`.
const ELASTIC_LEVEL: &[&str] =
    &["toml-syntax", "unsupported-language", "query-syntax", "query-too-complex", "unknown-format", "yaral-syntax"];

/// Codes only Panther rule files produce, tested in `crates/panther/tests/constructs.rs`.
const PANTHER_LEVEL: &[&str] = &["python-file-missing", "python-syntax", "no-rule-function"];

/// Codes only Splunk detections produce, tested in `crates/splunk/tests` and `crates/catalog/tests/lang_splunk.rs`.
const SPLUNK_LEVEL: &[&str] = &["undefined-macro", "unknown-data-source"];

/// Codes only Kusto (Sentinel) rules produce, tested in `crates/catalog/tests/lang_kusto.rs`.
const KUSTO_LEVEL: &[&str] = &["unmapped-table"];

const CATALOG_LEVEL: &[&str] = &[
    "tactic-without-technique",
    "technique-without-tactic",
    "outdated-technique",
    "unknown-attack-tag",
    "unmapped-logsource",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

#[derive(Debug)]
struct Expect {
    code: String,
    line: usize,
    column: usize,
    text: String,
}

fn expectations(text: &str) -> Vec<Expect> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .map(|l| {
            let mut it = l.splitn(3, ' ');
            let code = it.next().unwrap().to_string();
            let (line, column) = it.next().and_then(|p| p.split_once(':')).expect("`line:column` after the code");
            Expect {
                code,
                line: line.parse().unwrap(),
                column: column.parse().unwrap(),
                text: it.next().unwrap_or("").trim().to_string(),
            }
        })
        .collect()
}

/// `code line:column message (help)` of every finding, for failure messages.
fn describe(text: &str, diags: &[Diagnostic]) -> String {
    let idx = LineIndex::new(text);
    diags
        .iter()
        .map(|d| {
            let at = d.span.map(|s| idx.line_col(text, s.start));
            format!(
                "  {} {} {} (help: {})",
                d.code,
                at.map_or("-".into(), |lc| format!("{}:{}", lc.line, lc.column)),
                d.message,
                d.help.as_deref().unwrap_or("-")
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn check_fixture(name: &str) {
    let path = fixtures().join(format!("{name}.yml"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let file = parse_bytes(&bytes, &Limits::default());
    // Positions are computed on the text as the CLI shows it (lossy for non-UTF-8).
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let expected = expectations(&text);
    assert!(!expected.is_empty(), "{name}.yml has no `# expect:` line");
    let idx = LineIndex::new(&text);
    let all = describe(&text, &file.diagnostics);
    for d in &file.diagnostics {
        let span = d.span.unwrap_or_else(|| panic!("{name}: {} has no span\n{all}", d.code));
        assert!(span.start <= span.end && span.end <= bytes.len(), "{name}: span {span:?} outside the file\n{all}");
        assert_eq!(d.severity, d.code.severity(), "{name}: {}", d.code);
        assert!(!d.message.is_empty());
    }
    let mut unmatched: Vec<&Diagnostic> = file.diagnostics.iter().collect();
    for e in &expected {
        let pos = unmatched.iter().position(|d| {
            let lc = idx.line_col(&text, d.span.unwrap().start);
            let words = format!("{} {}", d.message, d.help.as_deref().unwrap_or(""));
            d.code.as_str() == e.code && lc.line == e.line && lc.column == e.column && words.contains(&e.text)
        });
        match pos {
            Some(i) => {
                unmatched.remove(i);
            }
            None => panic!("{name}.yml: expected {} at {}:{} ({:?}), found:\n{all}", e.code, e.line, e.column, e.text),
        }
    }
    assert!(
        unmatched.is_empty(),
        "{name}.yml: unexpected findings:\n{}\nall findings:\n{all}",
        unmatched.iter().map(|d| format!("  {} {}", d.code, d.message)).collect::<Vec<_>>().join("\n")
    );
    // The named code is what the file is about.
    assert!(file.diagnostics.iter().any(|d| d.code.as_str() == name), "{name}.yml does not produce `{name}`:\n{all}");
}

macro_rules! fixture_tests {
    ($($test:ident => $file:literal,)*) => {
        $(
            #[test]
            fn $test() {
                check_fixture($file);
            }
        )*

        const TESTED: &[&str] = &[$($file),*];
    };
}

fixture_tests! {
    invalid_utf8 => "invalid-utf8",
    yaml_syntax => "yaml-syntax",
    yaml_too_deep => "yaml-too-deep",
    yaml_alias => "yaml-alias",
    duplicate_key => "duplicate-key",
    empty_file => "empty-file",
    not_a_rule => "not-a-rule",
    missing_field => "missing-field",
    invalid_field_type => "invalid-field-type",
    invalid_field_value => "invalid-field-value",
    invalid_id => "invalid-id",
    invalid_date => "invalid-date",
    invalid_tag => "invalid-tag",
    unknown_tag_namespace => "unknown-tag-namespace",
    duplicate_tag => "duplicate-tag",
    empty_logsource => "empty-logsource",
    invalid_detection => "invalid-detection",
    empty_search_identifier => "empty-search-identifier",
    condition_syntax => "condition-syntax",
    legacy_aggregation => "legacy-aggregation",
    nonstandard_quantifier => "nonstandard-quantifier",
    undefined_identifier => "undefined-identifier",
    unmatched_pattern => "unmatched-pattern",
    unused_identifier => "unused-identifier",
    unknown_modifier => "unknown-modifier",
    invalid_modifier_combination => "invalid-modifier-combination",
    invalid_modifier_value => "invalid-modifier-value",
    all_with_single_value => "all-with-single-value",
    mixed_value_types => "mixed-value-types",
    null_in_list => "null-in-list",
    expand_without_placeholder => "expand-without-placeholder",
    unsupported_regex => "unsupported-regex",
    legacy_multi_document => "legacy-multi-document",
    invalid_correlation => "invalid-correlation",
    invalid_filter => "invalid-filter",
}

#[test]
fn every_code_has_a_fixture_and_a_test() {
    let mut missing = Vec::new();
    for code in Code::LINT {
        if CLI_LEVEL.contains(code)
            || CATALOG_LEVEL.contains(&code.as_str())
            || ELASTIC_LEVEL.contains(&code.as_str())
            || PANTHER_LEVEL.contains(&code.as_str())
            || SPLUNK_LEVEL.contains(&code.as_str())
            || KUSTO_LEVEL.contains(&code.as_str())
        {
            continue;
        }
        let name = code.as_str();
        if !fixtures().join(format!("{name}.yml")).is_file() || !TESTED.contains(&name) {
            missing.push(name);
        }
    }
    assert!(missing.is_empty(), "codes without a fixture test: {missing:?}");
    // And no fixture is named after a code that does not exist.
    for name in TESTED {
        assert!(Code::LINT.iter().any(|c| c.as_str() == *name), "{name} is not a code");
    }
}

#[test]
fn every_fixture_is_tested() {
    for entry in std::fs::read_dir(fixtures()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "yml") {
            let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
            assert!(TESTED.contains(&stem.as_str()), "{} has no test", path.display());
        }
    }
}

#[test]
fn errors_and_warnings_have_the_documented_severity() {
    // A user relies on warnings never failing `lint`.
    for (name, sev) in [
        ("unused-identifier", Severity::Warning),
        ("nonstandard-quantifier", Severity::Warning),
        ("undefined-identifier", Severity::Error),
        ("unknown-modifier", Severity::Error),
    ] {
        let bytes = std::fs::read(fixtures().join(format!("{name}.yml"))).unwrap();
        let file = parse_bytes(&bytes, &Limits::default());
        let d = file.diagnostics.iter().find(|d| d.code.as_str() == name).unwrap();
        assert_eq!(d.severity, sev, "{name}");
        assert_eq!(file.has_errors(), file.diagnostics.iter().any(|d| d.severity == Severity::Error));
    }
}

#[test]
fn unknown_anchor_is_a_yaml_alias_error() {
    let text = "title: x\nid: *nowhere\n";
    let file = detwiki_sigma::parse_str(text);
    assert_eq!(file.diagnostics.len(), 1, "{:?}", file.diagnostics);
    let d = &file.diagnostics[0];
    assert_eq!(d.code, Code::YamlAlias);
    let lc = LineIndex::new(text).line_col(text, d.span.unwrap().start);
    assert_eq!((lc.line, lc.column), (2, 5));
    assert!(d.help.as_deref().unwrap().contains("define the anchor"));
}

#[test]
fn too_large_text_is_refused_before_parsing() {
    let limits = Limits { max_file_size: 16, ..Limits::default() };
    let file = parse_bytes(b"title: a rule that is longer than sixteen bytes\n", &limits);
    assert_eq!(file.diagnostics.len(), 1);
    assert_eq!(file.diagnostics[0].code, Code::FileTooLarge);
    assert!(file.documents.is_empty());
}

#[test]
fn byte_order_mark_is_skipped() {
    let body = std::fs::read(fixtures().join("valid/portproxy.yml")).unwrap();
    let mut bytes = b"\xef\xbb\xbf".to_vec();
    bytes.extend_from_slice(&body);
    let file = parse_bytes(&bytes, &Limits::default());
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    assert_eq!(file.documents.len(), 1);
}

#[test]
fn a_broken_selection_keeps_the_rest_of_the_rule() {
    let bytes = std::fs::read(fixtures().join("unknown-modifier.yml")).unwrap();
    let file = parse_bytes(&bytes, &Limits::default());
    assert_eq!(file.documents.len(), 1);
    let meta = file.documents[0].meta();
    assert_eq!(meta.title.as_ref().unwrap().value, "Whoami with a misspelt modifier");
    assert_eq!(meta.level.as_ref().unwrap().value, detwiki_sigma::Level::Low);
}

/// Dates are checked against the calendar, not just their shape.
#[test]
fn dates_are_calendar_dates() {
    let findings = |date: &str| -> Vec<String> {
        let text = format!(
            "title: t\nid: 4d5e6f7a-8b9c-4d0e-8f1a-2b3c4d5e6f7a\ndate: {date}\nlogsource:\n  product: windows\n\
             detection:\n  sel:\n    Image: x\n  condition: sel\n"
        );
        detwiki_sigma::parse_str(&text)
            .diagnostics
            .iter()
            .filter(|d| d.code == Code::InvalidDate)
            .map(|d| d.message.clone())
            .collect()
    };
    assert_eq!(findings("2024-02-29"), Vec::<String>::new(), "a leap day");
    assert_eq!(findings("2024-12-31"), Vec::<String>::new());
    assert_eq!(findings("2023-02-29"), ["`date` `2023-02-29` is not a calendar date: February 2023 has 28 days"]);
    assert_eq!(findings("2024-04-31"), ["`date` `2024-04-31` is not a calendar date: April 2024 has 30 days"]);
    assert_eq!(findings("2024-13-01"), ["`date` `2024-13-01` is not a calendar date: there is no month 13"]);
    assert_eq!(findings("2024-00-10"), ["`date` `2024-00-10` is not a calendar date: there is no month 0"]);
    assert_eq!(findings("2024-01-00"), ["`date` `2024-01-00` is not a calendar date: January 2024 has 31 days"]);
    assert_eq!(findings("24-1-1"), ["`date` `24-1-1` is not a YYYY-MM-DD date"]);
}
