//! Panther (panther-analysis) rule files → the catalog's rule model, through `detwiki-panther`.
//!
//! A `.yml`/`.yaml` with a top-level `AnalysisType:` is Panther's ([`sniff`]); a `.py` is the
//! Python of a rule (read through its YAML's `Filename`) or a global helper / data-model
//! method: support. Data models and global helpers' YAML are support too.
//!
//! Mappings (documented in `docs/panther.md`):
//! - `Severity` → level (`Info` → `informational`, the others by name);
//! - `Status` → status (`Experimental`, `Deprecated`; none: `stable`); `Enabled` is a detail;
//! - `Reports: MITRE ATT&CK: [TA0006:T1621]` → `attack.<tactic shortname>`, `attack.t1621`;
//! - `LogTypes` → one Event coverage row per log type (`detwiki_taxonomy::panther_events`);
//! - fields → the one vocabulary where the name differs (`detwiki_taxonomy::panther_fields`);
//! - `Tests` (their example events), `Runbook`, the Python, correlation joins → page sections.

use detwiki_panther::predicate::{Kind as PKind, PredicateTree, StageRole, Value};
use detwiki_panther::{AnalysisType, Code, Detection, Diagnostic, PantherRule};
use detwiki_sigma::{Level, Spanned, Status};
use detwiki_taxonomy::fields::Rewrite;

use super::{FileCtx, Language, ModelFile, ModelRule, Section, SectionBody};
use crate::RelatedRef;
use crate::analysis::{EventMapping, EventRow};
use crate::indicators::{IndicatorRow, Kind, RowKey};
use crate::stages::{PredTree, Stage, StageIdentifier};

/// Panther: analysis YAML with Python detections, simple detections or correlations.
pub const LANGUAGE: Language = Language {
    name: "panther",
    title: "Panther",
    extensions: &["yml", "yaml", "py"],
    read: Some(read),
    highlight: None,
    sniff: Some(sniff),
    attack: true,
};

/// A Panther file: a YAML with a top-level `AnalysisType:`, or a `.py` (Panther is the only
/// language of Python files).
pub fn sniff(text: &str, path: &str) -> bool {
    path.ends_with(".py") || super::has_top_level_key(text, "AnalysisType:")
}

/// Read one Panther file.
pub fn read(text: &str, file: &FileCtx<'_>) -> ModelFile {
    if file.rel_path.ends_with(".py") {
        return ModelFile { support: true, ..ModelFile::default() };
    }
    let parsed = detwiki_panther::read_file(text, file.path);
    match (parsed.rule, parsed.analysis_type) {
        (Some(rule), _) => ModelFile { rules: vec![model(&rule, parsed.diagnostics)], ..ModelFile::default() },
        (None, Some(at)) if !at.is_detection() => ModelFile { support: true, ..ModelFile::default() },
        (None, _) => ModelFile { diagnostics: parsed.diagnostics, ..ModelFile::default() },
    }
}

fn level(s: &str) -> Option<Level> {
    Some(match s.to_ascii_lowercase().as_str() {
        "info" | "informational" => Level::Informational,
        "low" => Level::Low,
        "medium" => Level::Medium,
        "high" => Level::High,
        "critical" => Level::Critical,
        _ => return None,
    })
}

fn status(rule: &PantherRule) -> Status {
    match rule.status.as_deref().map(str::to_ascii_lowercase).as_deref() {
        Some("experimental") => Status::Experimental,
        Some("deprecated") => Status::Deprecated,
        Some("test" | "testing") => Status::Test,
        _ => Status::Stable,
    }
}

/// `TA0006:T1621` → `attack.credential-access`, `attack.t1621`, each with the entry's span.
fn attack_tags(rule: &PantherRule) -> Vec<Spanned<String>> {
    let mut out: Vec<Spanned<String>> = Vec::new();
    let mut push = |tag: String, span| {
        if !out.iter().any(|t| t.value == tag) {
            out.push(Spanned::new(tag, span));
        }
    };
    for entry in &rule.mitre {
        for part in entry.value.split(':').map(str::trim).filter(|p| !p.is_empty()) {
            let lower = part.to_ascii_lowercase();
            if lower.starts_with("ta") {
                let tactic = detwiki_taxonomy::attack::tactics().iter().find(|t| t.id.eq_ignore_ascii_case(part));
                push(format!("attack.{}", tactic.map_or(lower.clone(), |t| t.shortname.to_string())), entry.span);
            } else {
                push(format!("attack.{lower}"), entry.span);
            }
        }
    }
    out
}

fn model(rule: &PantherRule, mut diagnostics: Vec<Diagnostic>) -> ModelRule {
    let log_types: Vec<&str> = rule.log_types.iter().map(|l| l.value.as_str()).collect();
    let (events, mapping) = events(rule, &mut diagnostics);
    ModelRule {
        id: rule.id.as_ref().map(|i| Spanned::new(i.value.clone(), i.span)),
        title: rule.display_name.clone().or_else(|| rule.id.as_ref().map(|i| i.value.clone())),
        description: rule.description.clone(),
        author: None,
        date: None,
        modified: None,
        level: rule.severity.as_deref().and_then(level),
        status: Some(status(rule)),
        tags: rule.tags.clone(),
        attack_tags: attack_tags(rule),
        references: rule.references.clone(),
        falsepositives: Vec::new(),
        events,
        event_mapping: Some(mapping),
        stages: stages(rule),
        indicators: indicators(rule, &log_types),
        details: details(rule),
        sections: sections(rule),
        related: match &rule.detection {
            Detection::Correlation(c) => c
                .steps
                .iter()
                .filter(|s| !s.rule_id.is_empty())
                .map(|s| RelatedRef { id: s.rule_id.clone(), relation: None, title: None, slug: None })
                .collect(),
            _ => Vec::new(),
        },
        diagnostics,
    }
}

/// One Event coverage row per log type; a log type no provider is known for is a finding.
fn events(rule: &PantherRule, diagnostics: &mut Vec<Diagnostic>) -> (Vec<EventRow>, EventMapping) {
    let mut rows = Vec::new();
    for lt in &rule.log_types {
        match detwiki_taxonomy::panther_events::source(&lt.value) {
            Some(s) => rows.push(EventRow {
                provider: s.provider.to_string(),
                channel: lt.value.clone(),
                event_id: None,
                title: s.title.to_string(),
                field_map: Vec::new(),
            }),
            None => diagnostics.push(
                Diagnostic::new(
                    Code::UnmappedLogsource,
                    format!("log type `{}` names no known provider", lt.value),
                    Some(lt.span),
                )
                .with_help("the rule's events for it are not shown; docs/panther.md lists the known log types"),
            ),
        }
    }
    if !rows.is_empty() {
        return (rows, EventMapping::Mapped);
    }
    let reason = match (&rule.analysis_type, &rule.detection) {
        (_, Detection::Correlation(_)) => "a correlation of other rules' alerts: its events are theirs".to_string(),
        (AnalysisType::ScheduledRule, _) => {
            format!("a scheduled rule over the rows of queries [{}]", rule.scheduled_queries.join(", "))
        }
        _ if rule.log_types.is_empty() => "the rule names no `LogTypes`".to_string(),
        _ => "no `LogTypes` entry names a known provider".to_string(),
    };
    (rows, EventMapping::Unmapped { reason })
}

fn kind_word(k: PKind) -> &'static str {
    match k {
        PKind::Eq => "==",
        PKind::Ne => "!=",
        PKind::In => "in",
        PKind::Contains => "contains",
        PKind::StartsWith => "starts with",
        PKind::EndsWith => "ends with",
        PKind::Regex => "regex",
        PKind::Wildcard => "like",
        PKind::Gt => ">",
        PKind::Gte => ">=",
        PKind::Lt => "<",
        PKind::Lte => "<=",
        PKind::Exists => "exists",
    }
}

fn pred_tree(t: &PredicateTree) -> PredTree {
    match t {
        PredicateTree::And(items) => PredTree::And { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Or(items) => PredTree::Or { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Not(item) => PredTree::Not { item: Box::new(pred_tree(item)) },
        PredicateTree::Pred(p) => {
            let case = if p.case_insensitive { "~" } else { "" };
            let field = match &p.udm {
                Some(u) if *u != p.field => format!("{} (udm {u})", p.field),
                Some(u) => format!("udm {u}"),
                None => p.field.clone(),
            };
            PredTree::Pred {
                key: format!("{field} {}{case}", kind_word(p.kind)),
                values: p.values.iter().map(|v| format!("'{}'", v.text().replace('\'', "''"))).collect(),
            }
        }
        PredicateTree::Bool(b) => PredTree::Keyword { value: if *b { "True" } else { "False" }.into() },
        PredicateTree::Opaque { text, .. } => PredTree::Keyword { value: text.clone() },
    }
}

/// The stages: a correlation's steps and joins as stage 0; the predicates of the rule's logic
/// (the Python `rule()`, whose source is a page section, or the simple detection), or one
/// stage per correlation step.
fn stages(rule: &PantherRule) -> Vec<Stage> {
    let mut out = Vec::new();
    if let Detection::Correlation(c) = &rule.detection {
        let mut text = String::new();
        for s in &c.steps {
            text.push_str(&format!("{}: {}{}\n", s.id, s.rule_id, if s.absence { " (absent)" } else { "" }));
        }
        for j in &c.joins {
            text.push_str(j);
            text.push('\n');
        }
        let label = if c.sequence { "sequence" } else { "group" };
        out.push(Stage { stage: 0, label: label.into(), text, identifiers: Vec::new() });
    }
    for s in &rule.stages {
        let tree = s.tree.as_ref().map(pred_tree);
        let text = tree.as_ref().map(|t| t.render(0)).unwrap_or_default();
        let name = match s.role {
            StageRole::Rule => "rule",
            StageRole::Step => "step",
        };
        let identifiers = tree.into_iter().map(|tree| StageIdentifier { name: name.into(), tree }).collect();
        out.push(Stage { stage: out.len(), label: s.label.clone(), text, identifiers });
    }
    out
}

fn indicators(rule: &PantherRule, log_types: &[&str]) -> Vec<IndicatorRow> {
    let mut rows: Vec<IndicatorRow> = Vec::new();
    for tree in rule.stages.iter().filter_map(|s| s.tree.as_ref()) {
        for (p, negated) in tree.predicates() {
            let values: Vec<(Kind, String)> = match p.kind {
                PKind::Exists => vec![(Kind::Exists, "true".into())],
                k => p
                    .values
                    .iter()
                    .filter(|v| !matches!(v, Value::None))
                    .map(|v| {
                        let kind = match k {
                            PKind::Eq | PKind::In => Kind::Eq,
                            PKind::Ne => Kind::Neq,
                            PKind::Contains => Kind::Match,
                            PKind::StartsWith => Kind::StartsWith,
                            PKind::EndsWith => Kind::EndsWith,
                            PKind::Regex => Kind::Regex,
                            PKind::Wildcard => Kind::Wildcard,
                            PKind::Gt => Kind::Gt,
                            PKind::Gte => Kind::Gte,
                            PKind::Lt => Kind::Lt,
                            PKind::Lte => Kind::Lte,
                            PKind::Exists => Kind::Exists,
                        };
                        let text = match v {
                            Value::Bool(b) => b.to_string(),
                            other => other.text(),
                        };
                        (kind, text)
                    })
                    .collect(),
            };
            let cased = !p.case_insensitive;
            for (mut kind, mut value) in values {
                let mut canonical = p.field.clone();
                if let Some(m) = detwiki_taxonomy::panther_fields::panther_to_canonical(&p.field, log_types) {
                    match (m.rewrite, kind) {
                        (Rewrite::NameToPath, Kind::Eq) => {
                            canonical = m.canonical.to_string();
                            kind = Kind::EndsWith;
                            value = format!("\\{value}");
                        }
                        (Rewrite::NameToPath, Kind::EndsWith | Kind::Match | Kind::Exists) | (Rewrite::Same, _) => {
                            canonical = m.canonical.to_string();
                        }
                        _ => {}
                    }
                }
                let norm = if cased || matches!(kind, Kind::Regex) { value.clone() } else { value.to_lowercase() };
                let key =
                    RowKey { field: Some(canonical.clone()), kind, transforms: Vec::new(), cased, exclusion: negated };
                crate::indicators::add_value(&mut rows, key, Some(&p.field), value, norm);
            }
        }
    }
    rows
}

fn details(rule: &PantherRule) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            out.push((k.to_string(), v));
        }
    };
    put("Analysis type", rule.analysis_type.as_str().to_string());
    put(
        "Detection",
        match &rule.detection {
            Detection::Python { filename, .. } => format!("Python ({filename})"),
            Detection::Simple(_) => "simple detection (YAML)".into(),
            Detection::Correlation(c) => {
                format!("correlation ({}, {} steps)", if c.sequence { "sequence" } else { "group" }, c.steps.len())
            }
            Detection::Missing => "none".into(),
        },
    );
    put("Enabled", rule.enabled.map(|e| if e { "yes" } else { "no" }.to_string()).unwrap_or_default());
    put("Severity", rule.severity.clone().unwrap_or_default());
    put("Log types", rule.log_types.iter().map(|l| l.value.as_str()).collect::<Vec<_>>().join(", "));
    put("Scheduled queries", rule.scheduled_queries.join(", "));
    put("Dedup period", rule.dedup_minutes.map(|m| format!("{m} min")).unwrap_or_default());
    put("Threshold", rule.threshold.map(|t| format!("{t} events")).unwrap_or_default());
    if let Detection::Correlation(c) = &rule.detection {
        put("Lookback window", c.lookback_minutes.map(|m| format!("{m} min")).unwrap_or_default());
        put("Runs every", c.rate_minutes.map(|m| format!("{m} min")).unwrap_or_default());
    }
    put("Summary attributes", rule.summary_attributes.join(", "));
    for (framework, entries) in &rule.reports {
        put(&format!("Reports: {framework}"), entries.join(", "));
    }
    for (k, v) in &rule.extra {
        put(k, v.clone());
    }
    out
}

fn sections(rule: &PantherRule) -> Vec<Section> {
    let mut out = Vec::new();
    if let Some(r) = &rule.runbook {
        out.push(Section { title: "Runbook".into(), body: SectionBody::Text { text: r.clone() } });
    }
    if let Detection::Correlation(c) = &rule.detection
        && !c.joins.is_empty()
    {
        out.push(Section { title: "Correlation".into(), body: SectionBody::List { items: c.joins.clone() } });
    }
    // The detection's code before its tests: a page bounds its sections in order, and the
    // logic is what a reader needs first.
    if let Detection::Python { filename, source: Some(src) } = &rule.detection {
        out.push(Section {
            title: format!("Python ({filename})"),
            body: SectionBody::Code { language: "python".into(), text: src.clone() },
        });
    }
    if !rule.tests.is_empty() {
        let rows = rule
            .tests
            .iter()
            .map(|t| {
                vec![
                    t.name.clone(),
                    match t.expected {
                        Some(true) => "alerts".into(),
                        Some(false) => "no alert".into(),
                        None => String::new(),
                    },
                    t.mocks.join(", "),
                ]
            })
            .collect();
        out.push(Section {
            title: "Tests".into(),
            body: SectionBody::Table { header: vec!["Test".into(), "Expected result".into(), "Mocked".into()], rows },
        });
        for t in &rule.tests {
            if let Some(log) = &t.log {
                let what = match t.expected {
                    Some(true) => " (alerts)",
                    Some(false) => " (no alert)",
                    None => "",
                };
                out.push(Section {
                    title: format!("Test event: {}{what}", t.name),
                    body: SectionBody::Code { language: "json".into(), text: log.clone() },
                });
            }
        }
    }
    out
}
