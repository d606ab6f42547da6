//! Sublime Security rule files (`.yml` of `sublime-security/sublime-rules`) → the catalog's
//! rule model, through `detwiki-sublime`.
//!
//! Mappings (documented in `docs/sublime.md`):
//! - `name` → title, `severity` → level, `authors` → author, `false_positives`, `references`,
//!   `tags` as written; Sublime rules have no status and no dates: none are invented;
//! - Sublime has no ATT&CK mapping: its own taxonomy (`attack_types`,
//!   `tactics_and_techniques`, `detection_methods`) becomes page sections and prefixed tags
//!   (`sublime.attack_type.credential_phishing`, `sublime.tactic.social_engineering`,
//!   `sublime.detection_method.url_analysis`) that the tag pages and filters list; no ATT&CK
//!   id is derived from it, and a rule without ATT&CK is no finding;
//! - events: one provider, "Email (Sublime MDM)", with the message direction the query tests
//!   (`type.inbound`, `type.outbound`, `type.internal`; any message when none);
//! - the MQL `source` → one stage with its predicate tree; indicators from its leaves, fields in
//!   the one vocabulary where the MDM has a counterpart (`detwiki_taxonomy::fields::sublime`).

use detwiki_sigma::{Level, Spanned};
use detwiki_sublime::predicate::{Kind as SKind, PredicateTree, Value};
use detwiki_sublime::{SublimeRule, sniff as sublime_sniff};
use detwiki_taxonomy::fields::mdm_to_canonical;
use detwiki_taxonomy::sublime_events;

use super::{FileCtx, Language, ModelFile, ModelRule, Section, SectionBody};
use crate::analysis::{EventMapping, EventRow};
use crate::indicators::{IndicatorRow, Kind, RowKey};
use crate::stages::{PredTree, Stage, StageIdentifier};

/// Sublime: YAML rule files with an MQL `source`.
pub const LANGUAGE: Language = Language {
    name: "sublime",
    title: "Sublime",
    extensions: &["yml", "yaml"],
    read: Some(read),
    highlight: None,
    sniff: Some(sniff),
    attack: false,
};

/// A top-level `source:`, a top-level `type:` of `rule` or `query`, and no `detection:`.
fn sniff(text: &str, _path: &str) -> bool {
    sublime_sniff(text)
}

/// Read one Sublime rule file.
pub fn read(text: &str, file: &FileCtx<'_>) -> ModelFile {
    let parsed = detwiki_sublime::parse_str(text, file.rel_path);
    let Some(rule) = parsed.rule else {
        return ModelFile { rules: Vec::new(), diagnostics: parsed.diagnostics, support: false };
    };
    ModelFile { rules: vec![model(&rule, parsed.diagnostics)], diagnostics: Vec::new(), support: false }
}

fn level(s: &str) -> Option<Level> {
    Some(match s.to_ascii_lowercase().as_str() {
        "informational" => Level::Informational,
        "low" => Level::Low,
        "medium" => Level::Medium,
        "high" => Level::High,
        "critical" => Level::Critical,
        _ => return None,
    })
}

/// `Credential Phishing` → `credential_phishing`; `Impersonation: Brand` → `impersonation_brand`.
fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

/// The taxonomy facets as tags: `sublime.attack_type.*`, `sublime.tactic.*`,
/// `sublime.detection_method.*`.
fn facet_tags(rule: &SublimeRule) -> Vec<String> {
    let mut out = Vec::new();
    for (prefix, items) in [
        ("attack_type", &rule.attack_types),
        ("tactic", &rule.tactics_and_techniques),
        ("detection_method", &rule.detection_methods),
    ] {
        for i in items {
            let tag = format!("sublime.{prefix}.{}", slug(&i.value));
            if !out.contains(&tag) {
                out.push(tag);
            }
        }
    }
    out
}

fn model(rule: &SublimeRule, diagnostics: Vec<detwiki_sigma::Diagnostic>) -> ModelRule {
    let tree = rule.source.as_ref().and_then(|s| s.predicates());
    let mut tags = rule.tags.clone();
    tags.extend(facet_tags(rule));
    let (events, mapping) = events(tree.as_ref());
    ModelRule {
        id: rule.id.as_ref().map(|i| Spanned::new(i.value.clone(), i.span)),
        title: rule.name.clone(),
        description: rule.description.clone(),
        author: (!rule.authors.is_empty()).then(|| rule.authors.join(", ")),
        level: rule.severity.as_deref().and_then(level),
        tags,
        references: rule.references.clone(),
        falsepositives: rule.false_positives.clone(),
        events,
        event_mapping: Some(mapping),
        stages: stages(rule, tree.as_ref()),
        indicators: tree.as_ref().map(indicators).unwrap_or_default(),
        details: details(rule, tree.as_ref()),
        sections: sections(rule),
        diagnostics,
        ..ModelRule::default()
    }
}

fn sections(rule: &SublimeRule) -> Vec<Section> {
    let list = |title: &str, items: &[Spanned<String>]| Section {
        title: title.to_string(),
        body: SectionBody::List { items: items.iter().map(|i| i.value.clone()).collect() },
    };
    [
        ("Attack types", &rule.attack_types),
        ("Tactics and techniques", &rule.tactics_and_techniques),
        ("Detection methods", &rule.detection_methods),
    ]
    .into_iter()
    .filter(|(_, items)| !items.is_empty())
    .map(|(title, items)| list(title, items))
    .collect()
}

fn details(rule: &SublimeRule, tree: Option<&PredicateTree>) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(t) = &rule.rule_type {
        out.push(("Rule type".to_string(), t.clone()));
    }
    out.push(("Query language".to_string(), "MQL".to_string()));
    if let Some(s) = &rule.severity {
        out.push(("Severity".to_string(), s.clone()));
    }
    let disabled = rule
        .source
        .as_ref()
        .and_then(|s| s.parsed.as_ref())
        .is_some_and(|e| matches!(e, detwiki_sublime::mql::Expr::Bool { value: false, .. }));
    if disabled {
        out.push(("Disabled".to_string(), "the query is `false`: the rule matches no message".to_string()));
    }
    let mut lists: Vec<String> = Vec::new();
    if let Some(t) = tree {
        for (p, _) in t.predicates() {
            if p.kind == SKind::InList {
                for v in &p.values {
                    let name = v.text();
                    if !lists.contains(&name) {
                        lists.push(name);
                    }
                }
            }
        }
    }
    if !lists.is_empty() {
        out.push(("Sublime lists".to_string(), lists.join(", ")));
    }
    out
}

/// The message directions the query selects (`type.inbound == true`, not under a `not`).
fn directions(tree: &PredicateTree) -> Vec<&'static sublime_events::MessageEvent> {
    let mut out = Vec::new();
    for (p, negated) in tree.predicates() {
        if !negated
            && p.kind == SKind::Eq
            && p.values == [Value::Bool(true)]
            && let Some(e) = sublime_events::by_selector(&p.field)
            && !out.contains(&e)
        {
            out.push(e);
        }
    }
    out
}

/// Event coverage: one provider, the message directions the query tests (any message when it
/// tests none, or does not parse).
pub fn events(tree: Option<&PredicateTree>) -> (Vec<EventRow>, EventMapping) {
    let mut dirs = tree.map(directions).unwrap_or_default();
    if dirs.is_empty() {
        dirs.push(sublime_events::any_message());
    }
    let rows = dirs
        .into_iter()
        .map(|e| EventRow {
            provider: sublime_events::PROVIDER.to_string(),
            channel: e.channel.to_string(),
            event_id: None,
            title: e.title.to_string(),
            field_map: Vec::new(),
        })
        .collect();
    (rows, EventMapping::Mapped)
}

fn quote(v: &Value) -> String {
    match v {
        Value::List(n) => format!("${n}"),
        Value::Number(n) => n.clone(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => format!("'{}'", s.replace('\'', "''")),
    }
}

/// Most values a stage line shows (the indicators have them all): IOC lists of thousands of
/// addresses would make one line of a page hundreds of KB.
const STAGE_VALUES: usize = 25;

/// Longest opaque text a stage line shows, in bytes.
const STAGE_TEXT: usize = 400;

fn shown_values(values: &[Value]) -> Vec<String> {
    let mut out: Vec<String> = values.iter().take(STAGE_VALUES).map(quote).collect();
    if values.len() > STAGE_VALUES {
        out.push(format!("… {} more", values.len() - STAGE_VALUES));
    }
    out
}

fn shown_text(text: &str) -> String {
    if text.len() <= STAGE_TEXT {
        return text.to_string();
    }
    let mut end = STAGE_TEXT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{} … ({} bytes in all)", &text[..end], text.len())
}

fn pred_tree(t: &PredicateTree) -> PredTree {
    match t {
        PredicateTree::And { items } => PredTree::And { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Or { items } => PredTree::Or { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Not { item } => PredTree::Not { item: Box::new(pred_tree(item)) },
        PredicateTree::Pred(p) => {
            let case = if p.case_insensitive { "~" } else { "" };
            let field = p.transforms.iter().fold(p.field.clone(), |f, t| format!("{t}({f})"));
            PredTree::Pred { key: format!("{field} {}{case}", p.kind.word()), values: shown_values(&p.values) }
        }
        PredicateTree::Quantified { quantifier, array, count, tree, .. } => PredTree::Pred {
            key: match count {
                Some(c) => format!("{quantifier}({array}) count {c}"),
                None => format!("{quantifier}({array})"),
            },
            values: vec![render_tree(&pred_tree(tree), 0)],
        },
        PredicateTree::AtLeast { count, items, .. } => PredTree::Pred {
            key: format!("at least {count} of"),
            values: vec![render_tree(&PredTree::Or { items: items.iter().map(pred_tree).collect() }, 0)],
        },
        PredicateTree::Opaque { text, .. } => PredTree::Keyword { value: shown_text(text) },
    }
}

/// The tree as indented text: `and:`/`or:`/`not:` blocks over `field op values` lines.
fn render_tree(t: &PredTree, depth: usize) -> String {
    let pad = "  ".repeat(depth);
    match t {
        PredTree::And { items } | PredTree::Or { items } => {
            let op = if matches!(t, PredTree::And { .. }) { "and" } else { "or" };
            let mut s = format!("{pad}{op}:\n");
            for i in items {
                s.push_str(&render_tree(i, depth + 1));
            }
            s
        }
        PredTree::Not { item } => format!("{pad}not:\n{}", render_tree(item, depth + 1)),
        PredTree::Pred { key, values } => {
            if values.len() == 1 && values[0].contains('\n') {
                let inner: String = values[0].lines().map(|l| format!("{pad}  {l}\n")).collect();
                format!("{pad}{key}:\n{inner}")
            } else {
                format!("{pad}{key} {}\n", values.join(", "))
            }
        }
        PredTree::Keyword { value } => format!("{pad}{value}\n"),
    }
}

fn stages(rule: &SublimeRule, tree: Option<&PredicateTree>) -> Vec<Stage> {
    let Some(src) = &rule.source else { return Vec::new() };
    let mut out =
        vec![Stage { stage: 0, label: "source".into(), text: src.text.trim().to_string(), identifiers: Vec::new() }];
    if let Some(t) = tree {
        let pt = pred_tree(t);
        out.push(Stage {
            stage: 1,
            label: "message where".into(),
            text: render_tree(&pt, 0),
            identifiers: vec![StageIdentifier { name: "message".into(), tree: pt }],
        });
    }
    out
}

/// Indicator rows of the query's predicates: directions aside (they are the events), and
/// counts (`length(attachments) > 0`) aside (every rule counts something; a count says
/// nothing about what the rule looks for). They stay in the stages.
fn indicators(tree: &PredicateTree) -> Vec<IndicatorRow> {
    let mut rows: Vec<IndicatorRow> = Vec::new();
    for (p, negated) in tree.predicates() {
        if sublime_events::by_selector(&p.field).is_some() || p.field.starts_with("length(") {
            continue;
        }
        let values: Vec<String> = if p.values.is_empty() {
            vec!["true".into()]
        } else {
            p.values
                .iter()
                .map(|v| match v {
                    Value::List(n) => n.clone(),
                    other => other.text(),
                })
                .collect()
        };
        let kind = match p.kind {
            SKind::Eq | SKind::In => Kind::Eq,
            SKind::Ne => Kind::Neq,
            SKind::Match => Kind::Match,
            SKind::StartsWith => Kind::StartsWith,
            SKind::EndsWith => Kind::EndsWith,
            SKind::Wildcard => Kind::Wildcard,
            SKind::Regex | SKind::RegexMatch => Kind::Regex,
            SKind::InList => Kind::InList,
            SKind::Gt => Kind::Gt,
            SKind::Gte => Kind::Gte,
            SKind::Lt => Kind::Lt,
            SKind::Lte => Kind::Lte,
            SKind::Exists => Kind::Exists,
            SKind::Null => Kind::Null,
        };
        let canonical = mdm_to_canonical(&p.field).map_or_else(|| p.field.clone(), |m| m.canonical.to_string());
        let cased = !p.case_insensitive && !matches!(kind, Kind::InList | Kind::Exists | Kind::Null);
        let transforms: Vec<&'static str> =
            p.transforms.iter().filter(|t| *t == "replace_confusables").map(|_| "replace_confusables").collect();
        let key = RowKey { field: Some(canonical.clone()), kind, transforms, cased, exclusion: negated };
        for value in values {
            let norm = if cased || matches!(kind, Kind::Regex) { value.clone() } else { value.to_lowercase() };
            crate::indicators::add_value(&mut rows, key.clone(), Some(&p.field), value, norm);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facets_become_prefixed_tags() {
        assert_eq!(slug("Impersonation: Brand"), "impersonation_brand");
        assert_eq!(slug("BEC/Fraud"), "bec_fraud");
        assert_eq!(slug("Malware/Ransomware"), "malware_ransomware");
        assert_eq!(slug("  URL analysis "), "url_analysis");
    }
}
