//! The typed model of valid rules (`tests/fixtures/valid/*.yml`): what a
//! user of the parsed rules (the wiki, the engine) gets out of each construct.

use std::path::Path;

use detwiki_sigma::condition::{Condition, Quantifier, Target};
use detwiki_sigma::value::{Part, SigmaString};
use detwiki_sigma::{
    Code, CompareOp, CorrelationRule, CorrelationType, Document, FieldGroup, FieldPredicate, FilterRule, Level,
    LineIndex, Modifier, RelationType, Rule, SearchBody, SigmaFile, Span, Status, ValueKind, parse_str,
};

fn valid_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/valid")
}

fn load(name: &str) -> (String, SigmaFile) {
    let text = std::fs::read_to_string(valid_dir().join(name)).unwrap();
    let file = parse_str(&text);
    (text, file)
}

fn all_valid() -> Vec<(String, String, SigmaFile)> {
    let mut names: Vec<String> = std::fs::read_dir(valid_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".yml"))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|n| {
            let (text, file) = load(&n);
            (n, text, file)
        })
        .collect()
}

fn rule(doc: &Document) -> &Rule {
    match doc {
        Document::Rule(r) => r,
        other => panic!("expected a rule, found {other:?}"),
    }
}

fn correlation(doc: &Document) -> &CorrelationRule {
    match doc {
        Document::Correlation(c) => c,
        other => panic!("expected a correlation, found {other:?}"),
    }
}

fn fields<'a>(rule: &'a Rule, ident: &str) -> &'a FieldGroup {
    match &rule.detection.identifier(ident).unwrap_or_else(|| panic!("no `{ident}`")).body {
        SearchBody::Fields(g) => g,
        other => panic!("`{ident}` is {other:?}"),
    }
}

fn predicate<'a>(group: &'a FieldGroup, key: &str) -> &'a FieldPredicate {
    group.predicates.iter().find(|p| p.key() == key).unwrap_or_else(|| panic!("no `{key}`"))
}

fn lit(s: &str) -> Part {
    Part::Literal(s.to_string())
}

fn string(kind: &ValueKind) -> &SigmaString {
    match kind {
        ValueKind::String(s) => s,
        other => panic!("expected a string, found {other:?}"),
    }
}

fn line_col(text: &str, span: Span) -> (usize, usize) {
    let lc = LineIndex::new(text).line_col(text, span.start);
    (lc.line, lc.column)
}

// ------------------------------------------------------------------ every valid fixture

#[test]
fn valid_fixtures_have_no_findings() {
    for (name, _, file) in all_valid() {
        let unexpected: Vec<_> = file
            .diagnostics
            .iter()
            .filter(|d| !(name == "legacy-global.yml" && d.code == Code::LegacyMultiDocument))
            .collect();
        assert!(unexpected.is_empty(), "{name}: {unexpected:#?}");
        assert!(!file.documents.is_empty(), "{name}");
    }
}

#[test]
fn model_serializes_deterministically() {
    for (name, text, file) in all_valid() {
        let again = parse_str(&text);
        assert_eq!(
            serde_json::to_string(&file.documents).unwrap(),
            serde_json::to_string(&again.documents).unwrap(),
            "{name}"
        );
    }
}

// ------------------------------------------------------------------ the seed rule

#[test]
fn portproxy_seed_rule_full_model() {
    let (text, file) = load("portproxy.yml");
    assert!(file.diagnostics.is_empty(), "{:?}", file.diagnostics);
    assert_eq!(file.documents.len(), 1);
    let r = rule(&file.documents[0]);
    let m = &r.meta;
    assert_eq!(m.title.as_ref().unwrap().value, "New PortProxy Registry Entry Added");
    let id = m.id.as_ref().unwrap();
    assert_eq!(id.value, "a54f842a-3713-4b45-8c84-5f136fdebd3c");
    assert_eq!(line_col(&text, id.span), (2, 5));
    assert_eq!(m.status.as_ref().unwrap().value, Status::Test);
    assert_eq!(
        m.description.as_deref(),
        Some("Detects the modification of the PortProxy registry key which is used for port forwarding.")
    );
    assert_eq!(
        m.references,
        [
            "https://www.fireeye.com/blog/threat-research/2019/01/bypassing-network-restrictions-through-rdp-tunneling.html",
            "https://adepts.of0x.cc/netsh-portproxy-code/",
            "https://www.dfirnotes.net/portproxy_detection/",
        ]
    );
    assert_eq!(m.author.as_deref(), Some("Andreas Hunkeler (@Karneades)"));
    assert_eq!(m.date.as_ref().unwrap().value, "2021-06-22");
    assert_eq!(m.modified.as_ref().unwrap().value, "2024-03-25");
    let tags: Vec<&str> = m.tags.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(tags, ["attack.lateral-movement", "attack.command-and-control", "attack.t1090"]);
    assert_eq!(line_col(&text, m.tags[2].span), (15, 7));
    assert_eq!(m.falsepositives.len(), 2);
    assert!(m.falsepositives[1].starts_with("Synergy Software KVM"));
    assert_eq!(m.level.as_ref().unwrap().value, Level::Medium);
    assert!(m.custom.is_empty() && m.related.is_empty() && m.fields.is_empty());
    assert_eq!(r.logsource.category.as_deref(), Some("registry_event"));
    assert_eq!(r.logsource.product.as_deref(), Some("windows"));
    assert_eq!(r.logsource.service, None);

    let det = &r.detection;
    assert_eq!(det.identifiers.len(), 1);
    assert_eq!(det.identifiers[0].name, "selection");
    let group = fields(r, "selection");
    assert_eq!(group.predicates.len(), 1);
    let p = &group.predicates[0];
    assert_eq!(p.field.as_deref(), Some("TargetObject"));
    assert_eq!(p.modifiers, [Modifier::Contains]);
    assert!(!p.is_list);
    assert_eq!(line_col(&text, p.key_span), (22, 9));
    assert_eq!(p.values.len(), 1);
    // Single-quoted YAML: the backslashes are literal, none escapes a wildcard.
    assert_eq!(p.values[0].text, r"\Services\PortProxy\v4tov4\tcp\");
    assert_eq!(string(&p.values[0].kind).parts, [lit(r"\Services\PortProxy\v4tov4\tcp\")]);
    assert_eq!(det.conditions.len(), 1);
    assert_eq!(det.conditions[0].text, "selection");
    let cond = det.conditions[0].parsed.as_ref().unwrap();
    assert_eq!(cond.without_spans(), ident("selection"));
    let Condition::Identifier { span, .. } = cond else { unreachable!() };
    assert_eq!(line_col(&text, *span), (23, 16));

    insta::assert_json_snapshot!("portproxy", serde_json::to_value(&file.documents).unwrap());
}

// ------------------------------------------------------------------ modifiers

/// The value type every modifier must produce.
fn kind_fits(m: Modifier, v: &ValueKind) -> bool {
    use Modifier::*;
    match m {
        Exists => matches!(v, ValueKind::Bool(_)),
        Re | ReI | ReM | ReS => matches!(v, ValueKind::Regex(_)),
        Cidr => matches!(v, ValueKind::Cidr(_)),
        FieldRef => matches!(v, ValueKind::FieldRef(_)),
        Lt | Lte | Gt | Gte | Minute | Hour | Day | Week | Month | Year => {
            matches!(v, ValueKind::Int(_) | ValueKind::Float(_))
        }
        Neq => matches!(v, ValueKind::Int(_) | ValueKind::String(_)),
        Expand => matches!(v, ValueKind::String(s) if s.placeholders().next().is_some()),
        Contains | StartsWith | EndsWith | All | Cased | Base64 | Base64Offset | Utf16le | Utf16be | Utf16 | Wide
        | Windash => matches!(v, ValueKind::String(_)),
    }
}

fn all_predicates(file: &SigmaFile) -> Vec<FieldPredicate> {
    let mut out = Vec::new();
    for doc in &file.documents {
        let det = match doc {
            Document::Rule(r) => &r.detection,
            Document::Filter(f) => &f.detection,
            Document::Correlation(_) => continue,
        };
        for i in &det.identifiers {
            match &i.body {
                SearchBody::Fields(g) => out.extend(g.predicates.iter().cloned()),
                SearchBody::AnyOf(gs) => gs.iter().for_each(|g| out.extend(g.predicates.iter().cloned())),
                SearchBody::Keywords(_) => {}
            }
        }
    }
    out
}

#[test]
fn every_modifier_appears_and_types_its_values() {
    let preds: Vec<FieldPredicate> = all_valid().iter().flat_map(|(_, _, f)| all_predicates(f)).collect();
    for m in Modifier::ALL {
        let with: Vec<&FieldPredicate> = preds.iter().filter(|p| p.has(*m)).collect();
        assert!(!with.is_empty(), "no valid fixture uses `{m}`");
        for p in with {
            assert!(!p.values.is_empty(), "{}", p.key());
            for v in &p.values {
                // `fieldref` decides the type for the whole chain (`fieldref|endswith`).
                let fits = if p.has(Modifier::FieldRef) {
                    matches!(v.kind, ValueKind::FieldRef(_))
                } else {
                    kind_fits(*m, &v.kind)
                };
                assert!(fits, "`{}`: value {:?} does not fit `{m}`", p.key(), v.kind);
            }
        }
    }
}

#[test]
fn modifier_values_are_typed() {
    let (_, file) = load("modifiers.yml");
    let r = rule(&file.documents[0]);
    let kind = |ident: &str, key: &str| predicate(fields(r, ident), key).values[0].kind.clone();

    assert_eq!(kind("sel_re", "CommandLine|re"), ValueKind::Regex(r"-e(nc?|ncodedcommand)\s".into()));
    let flags = predicate(fields(r, "sel_re"), "ParentCommandLine|re|i|m|s");
    assert_eq!(flags.modifiers, [Modifier::Re, Modifier::ReI, Modifier::ReM, Modifier::ReS]);
    let cidr = predicate(fields(r, "sel_cidr"), "DestinationIp|cidr");
    assert!(cidr.is_list);
    let nets: Vec<ValueKind> = cidr.values.iter().map(|v| v.kind.clone()).collect();
    assert_eq!(
        nets,
        [
            ValueKind::Cidr("10.0.0.0/8".into()),
            ValueKind::Cidr("fe80::/10".into()),
            ValueKind::Cidr("192.168.1.1".into())
        ]
    );
    assert_eq!(kind("sel_exists", "ParentImage|exists"), ValueKind::Bool(true));
    assert_eq!(kind("sel_exists", "ParentCommandLine|exists"), ValueKind::Bool(false));
    assert_eq!(kind("sel_compare", "EventCount|lt"), ValueKind::Int(10));
    assert_eq!(kind("sel_compare", "EventCount|lte"), ValueKind::Float(10.5));
    // A quoted number under a numeric modifier is still a number.
    assert_eq!(kind("sel_compare", "Size|gte"), ValueKind::Int(2048));
    assert_eq!(kind("sel_neq", "LogonType|neq"), ValueKind::Int(3));
    assert_eq!(kind("sel_time", "Timestamp|year"), ValueKind::Int(2024));
    assert_eq!(kind("sel_fieldref", "TargetUserName|fieldref"), ValueKind::FieldRef("SubjectUserName".into()));
    assert_eq!(
        kind("sel_fieldref", "TargetDomainName|fieldref|endswith"),
        ValueKind::FieldRef("SubjectDomainName".into())
    );
    // `expand`: placeholders become parts; `\%` stays a literal percent sign.
    assert_eq!(string(&kind("sel_expand", "User|expand")).parts, [Part::Placeholder("admin_users".into())]);
    assert_eq!(
        string(&kind("sel_expand", "Workstation|expand")).parts,
        [lit("WS-"), Part::Placeholder("site".into()), lit("-%literal%")]
    );
    // Without `expand`, a percent sign is text.
    assert_eq!(string(&kind("sel_cased", "CommandLine|cased")).parts, [lit("Invoke-Mimikatz")]);
    let all = predicate(fields(r, "sel_all"), "CommandLine|contains|all");
    assert_eq!(all.modifiers, [Modifier::Contains, Modifier::All]);
    assert_eq!(all.values.len(), 2);
    let wide = predicate(fields(r, "sel_utf16"), "Description|wide|base64offset|contains");
    assert_eq!(wide.modifiers, [Modifier::Wide, Modifier::Base64Offset, Modifier::Contains]);
    assert_eq!(string(&wide.values[0].kind).parts, [lit("IEX")]);
}

// ------------------------------------------------------------------ conditions

fn ident(name: &str) -> Condition {
    Condition::Identifier { name: name.into(), span: Span::default() }
}
fn not(x: Condition) -> Condition {
    Condition::Not(Box::new(x))
}
fn and(xs: Vec<Condition>) -> Condition {
    Condition::And(xs)
}
fn or(xs: Vec<Condition>) -> Condition {
    Condition::Or(xs)
}
fn of(quantifier: Quantifier, target: Target) -> Condition {
    Condition::Quantified { quantifier, target, span: Span::default() }
}
fn pattern(p: &str) -> Target {
    Target::Pattern(p.into())
}

#[test]
fn condition_forms_and_precedence() {
    let (text, file) = load("conditions.yml");
    let r = rule(&file.documents[0]);
    let conds: Vec<Condition> =
        r.detection.conditions.iter().map(|c| c.parsed.as_ref().expect(&c.text).without_spans()).collect();
    let want = [
        // `not` binds tighter than `and`, `and` tighter than `or`.
        or(vec![and(vec![ident("selection"), not(ident("filter_a"))]), ident("keywords")]),
        and(vec![ident("selection"), or(vec![ident("filter_a"), ident("filter_b")])]),
        or(vec![ident("selection"), and(vec![ident("filter_a"), ident("filter_b")])]),
        and(vec![not(ident("selection")), ident("filter_a")]),
        not(not(ident("selection"))),
        ident("selection"),
        and(vec![ident("selection"), not(of(Quantifier::One, pattern("filter_*")))]),
        of(Quantifier::All, Target::Them),
        and(vec![of(Quantifier::One, pattern("*")), ident("_helper")]),
        of(Quantifier::All, pattern("_*")),
    ];
    // A list of conditions is kept as a list (the conditions are OR'ed).
    assert_eq!(conds.len(), want.len());
    for (i, (have, want)) in conds.iter().zip(&want).enumerate() {
        assert_eq!(have, want, "condition {i}: {}", r.detection.conditions[i].text);
    }
    // Printing adds parentheses only where precedence needs them.
    assert_eq!(conds[1].to_string(), "selection and (filter_a or filter_b)");
    assert_eq!(conds[2].to_string(), "selection or filter_a and filter_b");
    assert_eq!(conds[5].to_string(), "selection");

    // Spans point into the file (for diagnostics and the wiki).
    let first = r.detection.conditions[0].parsed.as_ref().unwrap();
    let Condition::Or(xs) = first else { panic!() };
    let Condition::And(ys) = &xs[0] else { panic!() };
    let Condition::Not(f) = &ys[1] else { panic!() };
    let Condition::Identifier { span, .. } = f.as_ref() else { panic!() };
    assert_eq!(&text[span.start..span.end], "filter_a");
    assert_eq!(line_col(&text, *span), (18, 29));
}

#[test]
fn them_and_patterns_skip_underscore_identifiers() {
    let (_, file) = load("conditions.yml");
    let r = rule(&file.documents[0]);
    let names: Vec<&str> = r.detection.identifiers.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["selection", "filter_a", "filter_b", "keywords", "_helper"]);
    assert_eq!(Condition::resolve(&Target::Them, &names), ["selection", "filter_a", "filter_b", "keywords"]);
    assert_eq!(Condition::resolve(&pattern("*"), &names), ["selection", "filter_a", "filter_b", "keywords"]);
    assert_eq!(Condition::resolve(&pattern("filter_*"), &names), ["filter_a", "filter_b"]);
    assert_eq!(Condition::resolve(&pattern("_*"), &names), ["_helper"]);
    assert!(Condition::resolve(&pattern("Selection"), &names).is_empty(), "patterns are case-sensitive");
}

// ------------------------------------------------------------------ detection shapes and values

#[test]
fn scalar_types_null_and_empty_string() {
    let (_, file) = load("detection-shapes.yml");
    let r = rule(&file.documents[0]);
    let g = fields(r, "selection_scalars");
    let kind = |key: &str| predicate(g, key).values[0].kind.clone();
    assert_eq!(kind("EventID"), ValueKind::Int(4688));
    assert_eq!(string(&kind("ProcessId")).parts, [lit("4688")], "a quoted number is text");
    assert_eq!(kind("Elevated"), ValueKind::Bool(true));
    assert_eq!(kind("Ratio"), ValueKind::Float(0.5));
    // null (spelled `null`, `~` or nothing) means "field missing", '' means "empty string".
    assert_eq!(kind("CommandLine"), ValueKind::Null);
    assert_eq!(kind("Image"), ValueKind::Null);
    assert_eq!(kind("OriginalFileName"), ValueKind::Null);
    let empty = kind("ParentCommandLine");
    let empty = string(&empty);
    assert!(empty.parts.is_empty());
    assert_eq!(empty.as_literal(), Some(""));
}

#[test]
fn list_of_maps_is_an_or_of_ands() {
    let (_, file) = load("detection-shapes.yml");
    let r = rule(&file.documents[0]);
    let SearchBody::AnyOf(groups) = &r.detection.identifier("selection_img").unwrap().body else { panic!() };
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0].predicates.len(), 1);
    assert_eq!(groups[0].predicates[0].key(), "Image|endswith");
    let keys: Vec<String> = groups[1].predicates.iter().map(FieldPredicate::key).collect();
    assert_eq!(keys, ["OriginalFileName", "Product"]);
    assert_eq!(string(&groups[1].predicates[1].values[0].kind).parts, [lit("Microsoft® Windows® Operating System")]);
}

#[test]
fn keyword_lists_and_escapes() {
    let (_, file) = load("detection-shapes.yml");
    let r = rule(&file.documents[0]);
    let SearchBody::Keywords(values) = &r.detection.identifier("keywords").unwrap().body else { panic!() };
    let parts: Vec<Vec<Part>> = values.iter().map(|v| string(&v.kind).parts.clone()).collect();
    use Part::{AnyChars, OneChar};
    assert_eq!(
        parts,
        [
            vec![lit("a*b")],                     // \* is a literal star
            vec![lit("a?b")],                     // \? is a literal question mark
            vec![lit(r"C:\Windows\System32\")],   // a trailing backslash is itself
            vec![lit(r"\")],                      // so is a lone one
            vec![lit(r"\\server\share")],         // four backslashes: the two of a UNC path
            vec![lit(r"x\"), AnyChars],           // \\ is one backslash; the * stays a wildcard
            vec![AnyChars, lit(r"\cmd.exe")],     // a backslash before a letter is itself
            vec![lit("who"), OneChar, lit("mi")], // ? is one character
            vec![lit("double * quoted")],         // YAML unescapes "\\" first, then Sigma "\*"
        ]
    );
    assert_eq!(values[0].text, r"a\*b", "the text as written is kept");
}

#[test]
fn all_keyword_map_has_no_field() {
    let (_, file) = load("detection-shapes.yml");
    let r = rule(&file.documents[0]);
    let p = &fields(r, "keywords_all").predicates[0];
    assert_eq!(p.field, None);
    assert_eq!(p.modifiers, [Modifier::All]);
    assert_eq!(p.key(), "|all");
    let words: Vec<&str> = p.values.iter().map(|v| v.text.as_str()).collect();
    assert_eq!(words, ["mimikatz", "sekurlsa"]);
    insta::assert_json_snapshot!("detection_shapes", serde_json::to_value(&file.documents).unwrap());
}

// ------------------------------------------------------------------ filters, correlations, collections

#[test]
fn filter_rule_model() {
    let (_, file) = load("filter.yml");
    assert_eq!(file.documents.len(), 1);
    let Document::Filter(f) = &file.documents[0] else { panic!("{:?}", file.documents[0]) };
    let f: &FilterRule = f;
    assert_eq!(f.meta.title.as_ref().unwrap().value, "Ignore the backup service account");
    let rules: Vec<&str> = f.rules.iter().map(|r| r.value.as_str()).collect();
    assert_eq!(rules, ["0c8f2e4a-6b1d-4f3e-9a57-2d4c6e8f0a1b", "proc_creation_win_whoami"]);
    assert_eq!(f.logsource.as_ref().unwrap().category.as_deref(), Some("process_creation"));
    // `rules` is not a search identifier.
    let names: Vec<&str> = f.detection.identifiers.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["selection"]);
    let cond = f.detection.conditions[0].parsed.as_ref().unwrap().without_spans();
    assert_eq!(cond, not(ident("selection")));
    insta::assert_json_snapshot!("filter", serde_json::to_value(&file.documents).unwrap());
}

#[test]
fn correlation_rules_of_every_type() {
    let (_, file) = load("correlations.yml");
    let corrs: Vec<&CorrelationRule> = file.documents.iter().map(correlation).collect();
    let kinds: Vec<CorrelationType> = corrs.iter().map(|c| c.kind.unwrap()).collect();
    use CorrelationType::*;
    assert_eq!(
        kinds,
        [EventCount, ValueCount, Temporal, TemporalOrdered, ValueSum, ValueAvg, ValuePercentile, ValueMedian]
    );
    let seconds: Vec<u64> = corrs.iter().map(|c| c.timespan.as_ref().unwrap().value.seconds).collect();
    assert_eq!(seconds, [300, 3600, 120, 30, 86_400, 604_800, 2_592_000, 31_536_000]);

    let ec = corrs[0];
    assert_eq!(ec.meta.name.as_ref().unwrap().value, "many_failed_logons");
    assert_eq!(ec.rules[0].value, "failed_logon");
    assert_eq!(ec.group_by, ["TargetUserName"]);
    assert_eq!(ec.generate, Some(true));
    let c = ec.condition.as_ref().unwrap();
    assert_eq!(c.thresholds, [(CompareOp::Gte, 10.0)]);
    assert_eq!(c.field, None);
    assert_eq!(ec.meta.level.as_ref().unwrap().value, Level::High);

    assert_eq!(corrs[1].condition.as_ref().unwrap().field.as_deref(), Some("TargetUserName"));
    assert_eq!(corrs[1].condition.as_ref().unwrap().thresholds, [(CompareOp::Gt, 20.0)]);

    let temporal = corrs[2];
    assert!(temporal.condition.is_none(), "temporal needs no condition");
    let rules: Vec<&str> = temporal.rules.iter().map(|r| r.value.as_str()).collect();
    assert_eq!(rules, ["recon_whoami", "recon_net_user"]);
    assert_eq!(temporal.aliases.len(), 1);
    assert_eq!(temporal.aliases[0].alias, "user");
    assert_eq!(
        temporal.aliases[0].mapping,
        [
            ("recon_whoami".to_string(), "User".to_string()),
            ("recon_net_user".to_string(), "SubjectUserName".to_string())
        ]
    );

    let pct = corrs[6].condition.as_ref().unwrap();
    assert_eq!(pct.field.as_deref(), Some("ResponseSize"));
    assert_eq!(pct.extra, [("percentile".to_string(), "95".to_string())]);
    assert_eq!(pct.thresholds, [(CompareOp::Gte, 5000.0)]);
    let median = corrs[7].condition.as_ref().unwrap();
    assert_eq!(median.thresholds, [(CompareOp::Lt, 2.0), (CompareOp::Gt, 0.0)]);

    insta::assert_json_snapshot!("correlations", serde_json::to_value(&file.documents).unwrap());
}

#[test]
fn legacy_global_collection_produces_two_rules() {
    let (text, file) = load("legacy-global.yml");
    let warnings: Vec<_> = file.diagnostics.iter().map(|d| d.code).collect();
    assert_eq!(warnings, [Code::LegacyMultiDocument]);
    assert!(!file.has_errors());
    assert_eq!(line_col(&text, file.diagnostics[0].span.unwrap()), (1, 9));
    assert_eq!(file.documents.len(), 2);
    let (a, b) = (rule(&file.documents[0]), rule(&file.documents[1]));
    for r in [a, b] {
        assert_eq!(r.meta.title.as_ref().unwrap().value, "Whoami execution");
        assert_eq!(r.meta.id.as_ref().unwrap().value, "2c0f4e6a-8b3d-4f5e-9a7d-4d6c8e0f2a3b");
        assert_eq!(r.meta.level.as_ref().unwrap().value, Level::Medium);
        assert!(r.meta.custom.is_empty(), "`action` is not kept as a custom field");
    }
    assert_eq!(a.logsource.category.as_deref(), Some("process_creation"));
    assert_eq!(b.logsource.service.as_deref(), Some("sysmon"));
    assert_eq!(b.logsource.category, None, "each document has its own logsource");
    let keys_a: Vec<String> = fields(a, "selection").predicates.iter().map(FieldPredicate::key).collect();
    let keys_b: Vec<String> = fields(b, "selection").predicates.iter().map(FieldPredicate::key).collect();
    assert_eq!(keys_a, ["Image|endswith"]);
    // The second rule's selection is merged into the global one.
    assert_eq!(keys_b, ["Image|endswith", "EventID"]);
    insta::assert_json_snapshot!("legacy_global", serde_json::to_value(&file.documents).unwrap());
}

#[test]
fn metadata_fields_and_custom_fields_are_kept() {
    let (_, file) = load("full-metadata.yml");
    let r = rule(&file.documents[0]);
    let m = &r.meta;
    assert_eq!(m.name.as_ref().unwrap().value, "proc_creation_win_whoami");
    let related: Vec<(&str, Option<RelationType>)> = m.related.iter().map(|x| (x.id.as_str(), x.relation)).collect();
    assert_eq!(
        related,
        [
            ("4e2b6a8c-0d5f-4b7a-9c9f-6f8e0a2b4c5d", Some(RelationType::Derived)),
            ("5f3c7b9d-1e6a-4c8b-8d0a-7a9f1b3c5d6e", Some(RelationType::Obsolete)),
        ]
    );
    assert_eq!(m.status.as_ref().unwrap().value, Status::Stable);
    assert_eq!(m.description.as_deref(), Some("Detects whoami.\nSecond line.\n"));
    assert_eq!(m.license.as_deref(), Some("DRL-1.1"));
    assert_eq!(m.author.as_deref(), Some("Alice, Bob"));
    assert_eq!(m.modified.as_ref().unwrap().value, "2024-02-29");
    assert_eq!(m.tags.len(), 8);
    assert_eq!(m.fields, ["CommandLine", "User"]);
    assert_eq!(m.falsepositives, ["Administrators"]);
    assert_eq!(m.level.as_ref().unwrap().value, Level::Critical);
    assert_eq!(m.scope, ["server"]);
    assert_eq!(m.taxonomy.as_deref(), Some("sysmon"));
    assert_eq!(r.logsource.definition.as_deref(), Some("Requirements: process creation auditing"));
    assert_eq!(r.logsource.custom, [("custom_source".to_string(), "edr".to_string())]);
    assert_eq!(r.detection.timeframe.as_ref().unwrap().value, "15m");
    // Fields outside the specification are kept, in file order, with their YAML value.
    let custom: Vec<(&str, serde_json::Value)> =
        m.custom.iter().map(|c| (c.key.as_str(), serde_json::to_value(&c.value).unwrap())).collect();
    assert_eq!(
        custom,
        [
            ("x_custom_score", serde_json::json!(42)),
            ("x_owner", serde_json::json!({"team": "blue", "contacts": ["soc@example.invalid"]})),
        ]
    );
    insta::assert_json_snapshot!("full_metadata", serde_json::to_value(&file.documents).unwrap());
}
