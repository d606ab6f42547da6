//! A Microsoft Sentinel analytic rule file (YAML, `Azure/Azure-Sentinel`'s `Detections/` and
//! `Solutions/*/Analytic Rules/` layouts) → [`SentinelRule`], with its query parsed.
//!
//! The YAML is read by `detwiki-sigma`'s spanned YAML reader (hard limits on size, depth and
//! aliases). The query is a YAML scalar (mostly a `|` block): its text is what YAML loads, so
//! every offset of the query is mapped back to the file ([`QueryText::file_span`]) by aligning
//! the loaded text with the scalar's source (indentation and line folding skipped).

use detwiki_diagnostics::{Code, Diagnostic};
use detwiki_sigma::yaml::{self, Node, NodeKind};
use serde::Serialize;

use crate::ast::Query;
use crate::error::{QueryError, QueryErrorKind};
use crate::span::Span;

/// A value with where it is in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct At {
    /// The value.
    pub value: String,
    /// Where.
    pub span: Span,
}

/// Which layout of the Sentinel repository the file is in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// `Detections/<table>/…` (the legacy layout).
    Detections,
    /// `Solutions/<solution>/Analytic Rules/…`, with the solution's name.
    Solution(String),
    /// Elsewhere.
    Other,
}

/// `requiredDataConnectors` entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Connector {
    /// `connectorId`.
    pub connector_id: String,
    /// `dataTypes`: the tables (or `Table (Kind)`) it provides.
    pub data_types: Vec<String>,
}

/// An `entityMappings` entry: entity type and `identifier → column` pairs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EntityMapping {
    /// `Account`, `Host`, `IP` …
    pub entity_type: String,
    /// `(identifier, columnName)`.
    pub fields: Vec<(String, String)>,
}

/// The rule's query: its text (as YAML loaded it), its place in the file, and its tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct QueryText {
    /// The text.
    pub text: String,
    /// The YAML scalar in the file.
    pub span: Span,
    /// For each byte of `text` (and one past its end), the offset in the file.
    #[serde(skip)]
    pub offsets: Vec<usize>,
    /// The tree, when it parsed.
    pub parsed: Option<Query>,
}

impl QueryText {
    /// A span of the query text → the span in the file.
    pub fn file_span(&self, s: Span) -> Span {
        let at = |o: usize| self.offsets.get(o).or(self.offsets.last()).copied().unwrap_or(self.span.start);
        let start = at(s.start);
        Span::new(start, at(s.end).max(start))
    }
}

/// One Sentinel analytic rule.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct SentinelRule {
    /// `id`.
    pub id: Option<At>,
    /// `name`.
    pub name: Option<At>,
    /// `description`.
    pub description: Option<String>,
    /// `severity` (`Informational`, `Low`, `Medium`, `High`).
    pub severity: Option<String>,
    /// `status` (`Available`, …).
    pub status: Option<String>,
    /// `kind` (`Scheduled`, `NRT`).
    pub kind: Option<String>,
    /// `version`.
    pub version: Option<String>,
    /// `queryFrequency`.
    pub query_frequency: Option<String>,
    /// `queryPeriod`.
    pub query_period: Option<String>,
    /// `triggerOperator`.
    pub trigger_operator: Option<String>,
    /// `triggerThreshold`.
    pub trigger_threshold: Option<String>,
    /// `requiredDataConnectors`.
    pub connectors: Vec<Connector>,
    /// `tactics` (CamelCase names, no ids).
    pub tactics: Vec<At>,
    /// `relevantTechniques` (`T1078`, `T1078.004`).
    pub techniques: Vec<At>,
    /// `tags` (strings; `{Schema, SchemaVersion}` maps shown as `Schema x.y`).
    pub tags: Vec<String>,
    /// `entityMappings`.
    pub entity_mappings: Vec<EntityMapping>,
    /// `customDetails` (`key → column`).
    pub custom_details: Vec<(String, String)>,
    /// The query.
    pub query: Option<QueryText>,
    /// Where in the repository.
    pub layout: Option<Layout>,
}

/// A file: its rule (when it is one) and every finding, with spans into the file.
#[derive(Clone, Debug, Default)]
pub struct SentinelFile {
    /// The rule.
    pub rule: Option<SentinelRule>,
    /// Findings.
    pub diagnostics: Vec<Diagnostic>,
}

/// Top-level keys that, with `query:`, make a YAML file a Sentinel rule: cheap to test on
/// every `.yml`/`.yaml` (column-0 keys only).
pub fn sniff(text: &str) -> bool {
    let top = |key: &str| text.starts_with(key) || text.contains(&format!("\n{key}"));
    top("query:") && ["queryFrequency:", "triggerOperator:", "requiredDataConnectors:", "kind:"].iter().any(|k| top(k))
}

fn scalar(n: &Node) -> Option<String> {
    match &n.kind {
        NodeKind::Scalar { text, .. } => Some(text.trim().to_string()).filter(|s| !s.is_empty()),
        _ => None,
    }
}

fn strings(n: Option<&Node>) -> Vec<At> {
    match n {
        Some(n) => match n.as_seq() {
            Some(items) => items.iter().filter_map(|i| scalar(i).map(|v| At { value: v, span: i.span })).collect(),
            None => scalar(n).map(|v| vec![At { value: v, span: n.span }]).unwrap_or_default(),
        },
        None => Vec::new(),
    }
}

/// Parse a rule file's text. `rel_path` gives the layout (`Detections/`, `Solutions/`).
pub fn parse_str(text: &str, rel_path: &str) -> SentinelFile {
    let mut diags = Vec::new();
    let docs = match yaml::parse_documents(text, &yaml::Limits::default()) {
        Ok(d) => d,
        Err(e) => {
            diags.push(
                Diagnostic::new(Code::YamlSyntax, e.to_string(), e.span())
                    .with_help("fix the YAML at this position (indentation, quotes, `key: value`)"),
            );
            return SentinelFile { rule: None, diagnostics: diags };
        }
    };
    let Some(root) = docs.into_iter().find_map(|d| d.root).filter(|r| r.as_map().is_some()) else {
        diags.push(
            Diagnostic::new(
                Code::NotARule,
                "no YAML mapping: this is not a Sentinel analytic rule",
                Some(Span::new(0, 0)),
            )
            .with_help("a Sentinel analytic rule is a mapping with `id`, `name`, `query` …"),
        );
        return SentinelFile { rule: None, diagnostics: diags };
    };
    let get = |k: &str| root.get(k);
    let at = |k: &str| get(k).and_then(|n| scalar(n).map(|v| At { value: v, span: n.span }));
    let s = |k: &str| get(k).and_then(scalar);
    let mut rule = SentinelRule {
        id: at("id"),
        name: at("name"),
        description: s("description"),
        severity: s("severity"),
        status: s("status"),
        kind: s("kind"),
        version: s("version"),
        query_frequency: s("queryFrequency"),
        query_period: s("queryPeriod"),
        trigger_operator: s("triggerOperator"),
        trigger_threshold: s("triggerThreshold"),
        tactics: strings(get("tactics")),
        techniques: strings(get("relevantTechniques")),
        layout: Some(layout(rel_path)),
        ..SentinelRule::default()
    };
    for c in get("requiredDataConnectors").and_then(Node::as_seq).unwrap_or_default() {
        rule.connectors.push(Connector {
            connector_id: c.get("connectorId").and_then(scalar).unwrap_or_default(),
            data_types: strings(c.get("dataTypes")).into_iter().map(|a| a.value).collect(),
        });
    }
    for t in get("tags").and_then(Node::as_seq).unwrap_or_default() {
        match (scalar(t), t.as_map()) {
            (Some(v), _) => rule.tags.push(v),
            (None, Some(_)) => {
                let parts: Vec<String> =
                    ["Schema", "SchemaVersion"].iter().filter_map(|k| t.get(k).and_then(scalar)).collect();
                if !parts.is_empty() {
                    rule.tags.push(parts.join(" "));
                }
            }
            _ => {}
        }
    }
    for e in get("entityMappings").and_then(Node::as_seq).unwrap_or_default() {
        let fields = e
            .get("fieldMappings")
            .and_then(Node::as_seq)
            .unwrap_or_default()
            .iter()
            .map(|f| {
                (
                    f.get("identifier").and_then(scalar).unwrap_or_default(),
                    f.get("columnName").and_then(scalar).unwrap_or_default(),
                )
            })
            .collect();
        rule.entity_mappings
            .push(EntityMapping { entity_type: e.get("entityType").and_then(scalar).unwrap_or_default(), fields });
    }
    for (k, v) in get("customDetails").and_then(Node::as_map).unwrap_or_default() {
        if let (Some(k), Some(v)) = (scalar(k), scalar(v)) {
            rule.custom_details.push((k, v));
        }
    }
    for key in ["name", "query"] {
        if get(key).and_then(scalar).is_none() {
            diags.push(
                Diagnostic::new(Code::MissingField, format!("`{key}` is missing or empty"), Some(Span::new(0, 0)))
                    .with_help(format!("a Sentinel analytic rule has a `{key}:`")),
            );
        }
    }
    if rule.id.is_none() {
        diags.push(
            Diagnostic::new(
                Code::MissingField,
                "`id` is missing: the rule has no stable identity",
                Some(Span::new(0, 0)),
            )
            .with_help("add `id:` with a new UUID"),
        );
    }
    if let Some(q) = get("query")
        && let NodeKind::Scalar { text: qtext, .. } = &q.kind
    {
        let offsets = align(qtext, text, q.span);
        let mut query = QueryText { text: qtext.clone(), span: q.span, offsets, parsed: None };
        match crate::parse(qtext) {
            Ok(tree) => query.parsed = Some(tree),
            Err(e) => diags.push(query_diagnostic(&e, &query)),
        }
        rule.query = Some(query);
    }
    SentinelFile { rule: Some(rule), diagnostics: diags }
}

/// A query error as a finding at its place in the file.
pub fn query_diagnostic(e: &QueryError, q: &QueryText) -> Diagnostic {
    let code = match e.kind {
        QueryErrorKind::Syntax => Code::QuerySyntax,
        QueryErrorKind::TooDeep | QueryErrorKind::TooLong => Code::QueryTooComplex,
    };
    Diagnostic::new(code, format!("Kusto query: {}", e.message), Some(q.file_span(e.span))).with_help(e.help.clone())
}

fn layout(rel_path: &str) -> Layout {
    let parts: Vec<&str> = rel_path.split(['/', '\\']).collect();
    if let Some(i) = parts.iter().position(|p| *p == "Solutions")
        && let Some(name) = parts.get(i + 1)
        && i + 2 < parts.len()
    {
        return Layout::Solution(name.to_string());
    }
    if parts.contains(&"Detections") { Layout::Detections } else { Layout::Other }
}

/// For each byte of `loaded` (and one past its end), its offset in `file`: the scalar's source
/// `file[span]` is walked in step with the loaded text, skipping what YAML removed (a block
/// header, indentation, folded line breaks, quotes).
fn align(loaded: &str, file: &str, span: Span) -> Vec<usize> {
    let src = file.get(span.start..span.end.min(file.len())).unwrap_or("");
    let sb = src.as_bytes();
    let mut j = 0;
    // A block scalar's text starts on the line after its `|`/`>` header; a quoted one after the quote.
    if matches!(sb.first(), Some(b'|' | b'>')) {
        j = src.find('\n').map_or(sb.len(), |n| n + 1);
    } else if matches!(sb.first(), Some(b'"' | b'\'')) {
        j = 1;
    }
    let lb = loaded.as_bytes();
    let mut out = Vec::with_capacity(lb.len() + 1);
    for &c in lb {
        let mut k = j;
        while k < sb.len() && sb[k] != c && (sb[k] == b' ' || sb[k] == b'\t' || sb[k] == b'\r' || sb[k] == b'\n') {
            k += 1;
        }
        if k < sb.len() && sb[k] == c {
            out.push(span.start + k);
            j = k + 1;
        } else {
            out.push(span.start + j.min(sb.len()));
        }
    }
    out.push(span.start + j.min(sb.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: &str = "id: 0b9c6c7a-0000-4000-8000-000000000001
name: Whoami
description: |
  'Runs whoami.'
severity: Medium
requiredDataConnectors:
  - connectorId: SecurityEvents
    dataTypes:
      - SecurityEvent
queryFrequency: 1h
queryPeriod: 1h
triggerOperator: gt
triggerThreshold: 0
tactics:
  - Discovery
relevantTechniques:
  - T1033
query: |
  SecurityEvent
  | where EventID == 4688
  | where CommandLine has \"whoami\"
kind: Scheduled
version: 1.0.0
";

    #[test]
    fn a_rule_reads_with_its_query() {
        let f = parse_str(RULE, "Detections/SecurityEvent/whoami.yaml");
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let r = f.rule.unwrap();
        assert_eq!(r.name.unwrap().value, "Whoami");
        assert_eq!(r.connectors[0].data_types, ["SecurityEvent"]);
        assert_eq!(r.tactics[0].value, "Discovery");
        assert_eq!(r.layout, Some(Layout::Detections));
        assert!(r.query.unwrap().parsed.is_some());
        assert!(sniff(RULE));
        assert!(!sniff("title: x\nlogsource:\n  product: windows\ndetection:\n  query: x\n"));
    }

    #[test]
    fn a_broken_query_is_a_finding_at_its_place_in_the_file() {
        let text = RULE.replace("has \"whoami\"", "has ==");
        let f = parse_str(&text, "Solutions/X/Analytic Rules/a.yaml");
        let d = &f.diagnostics[0];
        assert_eq!(d.code, Code::QuerySyntax);
        let span = d.span.unwrap();
        let at = crate::span::LineIndex::new(&text).line_col(&text, span.start);
        assert_eq!((at.line, at.column), (21, 27), "{}", &text[span.start..]);
        assert_eq!(f.rule.unwrap().layout, Some(Layout::Solution("X".into())));
    }
}
