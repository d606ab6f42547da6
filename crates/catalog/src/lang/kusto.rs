//! Microsoft Sentinel analytic rules (`.yaml` of `Azure/Azure-Sentinel`, `Detections/` and
//! `Solutions/*/Analytic Rules/`) → the catalog's rule model, through `detwiki-kusto`.
//!
//! Mappings (documented in `docs/kusto.md`):
//! - `name` → title; `severity` → level (`Informational`, `Low`, `Medium`, `High`);
//!   `status: Available` → `stable`;
//! - `tactics` (CamelCase, no ids: `PrivilegeEscalation`) → `attack.privilege-escalation`,
//!   `relevantTechniques` → `attack.t1078.004`, judged against ATT&CK v19 as Sigma tags are
//!   (the pre-v19 `DefenseEvasion` stands for Stealth and Defense Impairment, said in Details);
//! - stages: one per table the query reads (a `join`/`lookup` right side and each `union` side
//!   its own), with its `where` predicates;
//! - fields → the one vocabulary per table (`detwiki_taxonomy::kusto_fields`);
//! - events → the table's provider (`detwiki_taxonomy::kusto_events`), Security or Sysmon
//!   events by `EventID` on `SecurityEvent`/`Event`/`WindowsEvent`; a table with no provider
//!   is an `unmapped-table` finding.

use detwiki_kusto::predicate::{self as kp, Kind as KKind, PredicateTree, StageRole};
use detwiki_kusto::rule::{Layout, SentinelRule};
use detwiki_sigma::{Diagnostic, Level, Spanned, Status};
use detwiki_taxonomy::fields::{self, Rewrite};
use detwiki_taxonomy::{kusto_events, kusto_fields};

use super::{
    FileCtx, Highlight, HighlightClass, Language, ModelFile, ModelRule, Section, SectionBody, has_top_level_key,
};
use crate::analysis::{EventMapping, EventRow};
use crate::indicators::{IndicatorRow, Kind, RowKey};
use crate::stages::{PredTree, Stage, StageIdentifier};

/// Kusto: Microsoft Sentinel analytic rules (YAML with a Kusto query).
pub const LANGUAGE: Language = Language {
    name: "kusto",
    title: "Kusto",
    extensions: &["yaml", "yml"],
    read: Some(read),
    highlight: Some(highlight),
    sniff: Some(sniff),
    attack: true,
};

/// Highlight a Sentinel rule file: its YAML keys and comments, and its query token by token
/// (`detwiki_kusto::highlight`), mapped into the file.
pub fn highlight(text: &str) -> Vec<Highlight> {
    use detwiki_kusto::highlight::Class as C;
    let mut out: Vec<Highlight> = Vec::new();
    let query = detwiki_kusto::rule::parse_str(text, "").rule.and_then(|r| r.query);
    let in_query = |at: usize| query.as_ref().is_some_and(|q| q.span.start <= at && at < q.span.end);
    let mut line_start = 0;
    for line in text.split_inclusive('\n') {
        let indent = line.len() - line.trim_start_matches([' ', '-']).len();
        let body = &line[indent..];
        if !in_query(line_start + indent) {
            if body.starts_with('#') {
                let end = line_start + line.trim_end().len();
                out.push(Highlight { start: line_start + indent, end, class: HighlightClass::Comment });
            } else if let Some(colon) = body.find(':')
                && colon > 0
                && body[..colon].chars().all(|c| c.is_alphanumeric() || c == '_')
            {
                out.push(Highlight {
                    start: line_start + indent,
                    end: line_start + indent + colon,
                    class: HighlightClass::Key,
                });
            }
        }
        line_start += line.len();
    }
    if let Some(q) = &query {
        for (span, class) in detwiki_kusto::highlight::query(&q.text) {
            let at = q.file_span(span);
            if at.is_empty() || text.get(at.start..at.end).is_none() {
                continue;
            }
            out.push(Highlight {
                start: at.start,
                end: at.end,
                class: match class {
                    C::Keyword => HighlightClass::Keyword,
                    C::Command => HighlightClass::Command,
                    C::Operator => HighlightClass::Operator,
                    C::Function => HighlightClass::Function,
                    C::Pipe => HighlightClass::Pipe,
                    C::String => HighlightClass::String,
                    C::Number => HighlightClass::Number,
                    C::Field => HighlightClass::Field,
                    C::Source => HighlightClass::Source,
                    C::Comment => HighlightClass::Comment,
                },
            });
        }
    }
    out.sort_by_key(|h| (h.start, h.end));
    // Sorted and disjoint: a range overlapping the one before it is dropped.
    let mut last_end = 0;
    out.retain(|h| {
        let keep = h.start >= last_end;
        if keep {
            last_end = h.end;
        }
        keep
    });
    out
}

/// A Sentinel analytic rule has a top-level `query:` and one of `queryFrequency:`,
/// `triggerOperator:`, `requiredDataConnectors:`, `kind:` (no Sigma rule has these).
pub fn sniff(text: &str, _path: &str) -> bool {
    has_top_level_key(text, "query:")
        && ["queryFrequency:", "triggerOperator:", "requiredDataConnectors:", "kind:"]
            .iter()
            .any(|k| has_top_level_key(text, k))
}

/// Read one Sentinel rule file.
pub fn read(text: &str, file: &FileCtx<'_>) -> ModelFile {
    let parsed = detwiki_kusto::rule::parse_str(text, file.rel_path);
    let Some(rule) = parsed.rule else { return ModelFile { diagnostics: parsed.diagnostics, ..ModelFile::default() } };
    ModelFile { rules: vec![model(&rule, parsed.diagnostics)], ..ModelFile::default() }
}

fn model(rule: &SentinelRule, mut diagnostics: Vec<Diagnostic>) -> ModelRule {
    let stages: Vec<kp::Stage> = match &rule.query {
        Some(q) => match &q.parsed {
            Some(tree) => detwiki_kusto::lower::stages(tree, &|s| q.file_span(s)),
            None => Vec::new(),
        },
        None => Vec::new(),
    };
    let (events, mapping, unmapped) = events(rule, &stages);
    diagnostics.extend(unmapped);
    ModelRule {
        id: rule.id.as_ref().map(|i| Spanned::new(i.value.clone(), i.span)),
        title: rule.name.as_ref().map(|n| n.value.clone()),
        description: rule.description.clone(),
        level: rule.severity.as_deref().and_then(level),
        status: rule.status.as_deref().and_then(|s| s.eq_ignore_ascii_case("available").then_some(Status::Stable)),
        tags: rule.tags.clone(),
        attack_tags: attack_tags(rule),
        events,
        event_mapping: Some(mapping),
        stages: catalog_stages(rule, &stages),
        indicators: indicators(&stages),
        details: details(rule, &stages),
        sections: sections(rule),
        diagnostics,
        ..ModelRule::default()
    }
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

/// ATT&CK's tactics (v19 and the pre-v19 `defense-evasion`) as Sigma tags write them.
const TACTICS: &[&str] = &[
    "reconnaissance",
    "resource-development",
    "initial-access",
    "execution",
    "persistence",
    "privilege-escalation",
    "defense-evasion",
    "stealth",
    "defense-impairment",
    "credential-access",
    "discovery",
    "lateral-movement",
    "collection",
    "command-and-control",
    "exfiltration",
    "impact",
];

/// `PrivilegeEscalation` → `privilege-escalation` (a known tactic matched whatever its case
/// and separators: `CommandandControl` is `command-and-control`); other names split at their
/// capitals.
pub fn tactic_tag(camel: &str) -> String {
    let compact: String = camel.chars().filter(char::is_ascii_alphanumeric).collect::<String>().to_ascii_lowercase();
    if let Some(t) = TACTICS.iter().find(|t| t.replace('-', "") == compact) {
        return (*t).to_string();
    }
    let mut out = String::new();
    for (i, c) in camel.trim().chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('-');
        }
        if c == ' ' || c == '_' {
            if !out.ends_with('-') {
                out.push('-');
            }
            continue;
        }
        out.extend(c.to_lowercase());
    }
    out.replace("--", "-")
}

fn attack_tags(rule: &SentinelRule) -> Vec<Spanned<String>> {
    let mut out: Vec<Spanned<String>> = Vec::new();
    let mut push = |tag: String, span| {
        if !out.iter().any(|t| t.value == tag) {
            out.push(Spanned::new(tag, span));
        }
    };
    for t in &rule.tactics {
        push(format!("attack.{}", tactic_tag(&t.value)), t.span);
    }
    for t in &rule.techniques {
        push(format!("attack.{}", t.value.trim().to_ascii_lowercase()), t.span);
    }
    out
}

fn details(rule: &SentinelRule, stages: &[kp::Stage]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: Option<String>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            out.push((k.to_string(), v));
        }
    };
    put("Rule kind", rule.kind.clone());
    put("Severity", rule.severity.clone());
    put("Status", rule.status.clone());
    put("Version", rule.version.clone());
    put("Query frequency", rule.query_frequency.clone());
    put("Query period", rule.query_period.clone());
    if let (Some(op), Some(n)) = (&rule.trigger_operator, &rule.trigger_threshold) {
        put("Trigger", Some(format!("result count {op} {n}")));
    }
    put(
        "Required data connectors",
        Some(
            rule.connectors
                .iter()
                .map(|c| format!("{} ({})", c.connector_id, c.data_types.join(", ")))
                .collect::<Vec<_>>()
                .join("; "),
        ),
    );
    let mut tables: Vec<String> = Vec::new();
    for s in stages {
        if let Some(t) = &s.table
            && !tables.contains(t)
        {
            tables.push(t.clone());
        }
    }
    put("Tables read", Some(tables.join(", ")));
    let old: Vec<&str> =
        rule.tactics.iter().map(|t| t.value.as_str()).filter(|t| tactic_tag(t) == "defense-evasion").collect();
    if !old.is_empty() {
        put(
            "ATT&CK tactics",
            Some(
                "DefenseEvasion is the pre-v19 tactic that ATT&CK v19 split into Stealth (TA0005) and Defense \
                 Impairment (TA0112): it counts for both"
                    .to_string(),
            ),
        );
    }
    put(
        "Repository layout",
        rule.layout.as_ref().map(|l| match l {
            Layout::Detections => "Detections/ (legacy)".to_string(),
            Layout::Solution(s) => format!("Solutions/{s}"),
            Layout::Other => String::new(),
        }),
    );
    out
}

fn sections(rule: &SentinelRule) -> Vec<Section> {
    let mut out = Vec::new();
    let rows: Vec<Vec<String>> = rule
        .entity_mappings
        .iter()
        .flat_map(|e| e.fields.iter().map(|(i, c)| vec![e.entity_type.clone(), i.clone(), c.clone()]))
        .collect();
    if !rows.is_empty() {
        out.push(Section {
            title: "Entity mappings".into(),
            body: SectionBody::Table { header: vec!["Entity".into(), "Identifier".into(), "Column".into()], rows },
        });
    }
    if !rule.custom_details.is_empty() {
        out.push(Section {
            title: "Custom details".into(),
            body: SectionBody::Table {
                header: vec!["Key".into(), "Column".into()],
                rows: rule.custom_details.iter().map(|(k, v)| vec![k.clone(), v.clone()]).collect(),
            },
        });
    }
    out
}

fn kind_word(k: KKind) -> &'static str {
    match k {
        KKind::Eq => "==",
        KKind::Ne => "!=",
        KKind::HasTerm => "has",
        KKind::HasPrefix => "hasprefix",
        KKind::HasSuffix => "hassuffix",
        KKind::Match => "contains",
        KKind::StartsWith => "startswith",
        KKind::EndsWith => "endswith",
        KKind::RegexMatch => "matches regex",
        KKind::In => "in",
        KKind::Gt => ">",
        KKind::Gte => ">=",
        KKind::Lt => "<",
        KKind::Lte => "<=",
        KKind::Exists => "isnotempty",
    }
}

fn pred_tree(t: &PredicateTree) -> PredTree {
    match t {
        PredicateTree::And { items } => PredTree::And { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Or { items } => PredTree::Or { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Not { item } => PredTree::Not { item: Box::new(pred_tree(item)) },
        PredicateTree::Pred(p) => {
            // The Kusto operator that says the case: `=~`, `in~`, `has_cs` …
            let op = match (p.kind, p.case_insensitive) {
                (KKind::Eq, true) => "=~".to_string(),
                (KKind::Ne, true) => "!~".to_string(),
                (KKind::In, true) => "in~".to_string(),
                (
                    KKind::HasTerm
                    | KKind::Match
                    | KKind::StartsWith
                    | KKind::EndsWith
                    | KKind::HasPrefix
                    | KKind::HasSuffix,
                    false,
                ) => format!("{}_cs", kind_word(p.kind)),
                (k, _) => kind_word(k).to_string(),
            };
            PredTree::Pred {
                key: format!("{} {op}", p.field),
                values: p
                    .values
                    .iter()
                    .map(|v| match v {
                        kp::Value::String(s) => detwiki_kusto::string(s, detwiki_kusto::lex::StrStyle::Plain),
                        other => other.text(),
                    })
                    .collect(),
            }
        }
        PredicateTree::Opaque { text, .. } => PredTree::Keyword { value: text.clone() },
    }
}

fn stage_name(s: &kp::Stage) -> String {
    s.table.clone().unwrap_or_else(|| "(inline data)".into())
}

fn catalog_stages(rule: &SentinelRule, stages: &[kp::Stage]) -> Vec<Stage> {
    let Some(q) = &rule.query else { return Vec::new() };
    let whole = match &q.parsed {
        Some(tree) => tree.to_string(),
        None => q.text.trim().to_string(),
    };
    let mut out = vec![Stage { stage: 0, label: "query".into(), text: whole, identifiers: Vec::new() }];
    for s in stages {
        let what = stage_name(s);
        let mut label = match s.role {
            StageRole::Main => what.clone(),
            StageRole::JoinRight => format!("join ({}) right side: {what}", s.join_kind.as_deref().unwrap_or("inner")),
            StageRole::LookupRight => format!("lookup right side: {what}"),
            StageRole::UnionSide => format!("union side: {what}"),
        };
        if !s.via.is_empty() {
            label.push_str(&format!(" (via {})", s.via.join(" → ")));
        }
        if !s.operators.is_empty() {
            label.push_str(&format!(" | {}", s.operators.join(" | ")));
        }
        let tree = s.tree.as_ref().map(pred_tree);
        let text = tree.as_ref().map(|t| t.render(0)).unwrap_or_default();
        let identifiers = tree.into_iter().map(|tree| StageIdentifier { name: what.clone(), tree }).collect();
        out.push(Stage { stage: out.len(), label, text, identifiers });
    }
    out
}

/// Columns that say which events a query reads, not what it looks for in them (what a Sigma
/// rule writes in its `logsource`): no indicators (they stay in the stages).
pub const EVENT_SELECTORS: &[&str] =
    &["EventID", "EventId", "Source", "EventLog", "Channel", "Provider", "Type", "TimeGenerated", "Timestamp"];

/// A Windows file name (a rewrite of a name to a path needs to know the separator).
fn windows_name(value: &str) -> bool {
    const EXT: &[&str] = &[
        ".exe", ".dll", ".com", ".bat", ".cmd", ".scr", ".cpl", ".msc", ".msi", ".ps1", ".vbs", ".js", ".hta", ".sys",
    ];
    let lower = value.to_ascii_lowercase();
    EXT.iter().any(|e| lower.ends_with(e))
}

fn indicators(stages: &[kp::Stage]) -> Vec<IndicatorRow> {
    let mut rows: Vec<IndicatorRow> = Vec::new();
    for s in stages {
        let Some(tree) = &s.tree else { continue };
        let table = s.table.as_deref();
        for (p, negated) in tree.predicates() {
            let field = &p.field;
            if EVENT_SELECTORS.contains(&field.as_str()) {
                continue;
            }
            let cased = !p.case_insensitive;
            for v in &p.values {
                let mut value = v.text();
                let mut kind = match p.kind {
                    KKind::Eq | KKind::In => Kind::Eq,
                    KKind::Ne => Kind::Neq,
                    KKind::HasTerm => Kind::HasTerm,
                    KKind::Match => Kind::Match,
                    KKind::StartsWith => Kind::StartsWith,
                    KKind::EndsWith => Kind::EndsWith,
                    KKind::RegexMatch => Kind::Regex,
                    KKind::Gt => Kind::Gt,
                    KKind::Gte => Kind::Gte,
                    KKind::Lt => Kind::Lt,
                    KKind::Lte => Kind::Lte,
                    KKind::Exists => {
                        value = "true".into();
                        Kind::Exists
                    }
                    // Term prefixes and suffixes have no indicator kind: they stay in the stages.
                    KKind::HasPrefix | KKind::HasSuffix => continue,
                };
                let mut canonical = field.clone();
                if let Some(m) = kusto_fields::kusto_to_canonical(field, table) {
                    match (m.rewrite, kind) {
                        (Rewrite::Same, _) => canonical = m.canonical.to_string(),
                        (Rewrite::NameToPath, Kind::Eq) if windows_name(&value) => {
                            canonical = m.canonical.to_string();
                            kind = Kind::EndsWith;
                            value = format!("\\{value}");
                        }
                        (Rewrite::NameToPath, Kind::StartsWith) if windows_name(&value) => {
                            canonical = m.canonical.to_string();
                            kind = Kind::Match;
                            value = format!("\\{value}");
                        }
                        (Rewrite::NameToPath, Kind::EndsWith | Kind::Match | Kind::Exists) => {
                            canonical = m.canonical.to_string();
                        }
                        _ => {}
                    }
                } else if let Some(x) = fields::event_data_name(field) {
                    canonical = x.to_string();
                }
                let norm = if cased || kind == Kind::Regex { value.clone() } else { value.to_lowercase() };
                let key =
                    RowKey { field: Some(canonical.clone()), kind, transforms: Vec::new(), cased, exclusion: negated };
                crate::indicators::add_value(&mut rows, key, Some(field), value, norm);
            }
        }
    }
    rows
}

/// Values of `EventID` (and of the provider/channel columns) the stage looks for, not under a `not`.
fn pinned(s: &kp::Stage, fields: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(tree) = &s.tree {
        for (p, negated) in tree.predicates() {
            if !negated
                && fields.contains(&p.field.as_str())
                && matches!(p.kind, KKind::Eq | KKind::In | KKind::HasTerm | KKind::Match)
            {
                for v in &p.values {
                    if !out.contains(&v.text()) {
                        out.push(v.text());
                    }
                }
            }
        }
    }
    out
}

fn security_row(id: u32) -> EventRow {
    crate::analysis::known_event("Security-Auditing", id).unwrap_or_else(|| EventRow {
        provider: "Security-Auditing".into(),
        channel: "Security".into(),
        event_id: Some(id),
        title: crate::analysis::data_title("Security", None, id).unwrap_or_default(),
        field_map: Vec::new(),
    })
}

/// Event coverage: per stage, its table's provider; Security or Sysmon events for the
/// `EventID`s a Windows event table stage looks for. Tables with no provider are findings.
fn events(rule: &SentinelRule, stages: &[kp::Stage]) -> (Vec<EventRow>, EventMapping, Vec<Diagnostic>) {
    let mut rows: Vec<EventRow> = Vec::new();
    let mut diags = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    let push = |rows: &mut Vec<EventRow>, r: EventRow| {
        if !rows.iter().any(|x| x.provider == r.provider && x.channel == r.channel && x.event_id == r.event_id) {
            rows.push(r);
        }
    };
    let mut tables: Vec<(String, Option<&kp::Stage>, detwiki_sigma::Span)> =
        stages.iter().filter_map(|s| s.table.clone().map(|t| (t, Some(s), s.span))).collect();
    if tables.is_empty() {
        // The query did not parse (or reads no table): the connectors' data types say which tables.
        let at = rule.query.as_ref().map_or(detwiki_sigma::Span::new(0, 0), |q| q.span);
        for c in &rule.connectors {
            for d in &c.data_types {
                let t = d.split(['(', ' ']).next().unwrap_or(d).trim().to_string();
                tables.push((t, None, at));
            }
        }
    }
    for (table, stage, span) in tables {
        let ids: Vec<u32> = stage
            .map(|s| pinned(s, &["EventID", "EventId"]).iter().filter_map(|v| v.parse().ok()).collect())
            .unwrap_or_default();
        let from: Vec<String> =
            stage.map(|s| pinned(s, &["Source", "EventLog", "Channel", "Provider"])).unwrap_or_default();
        let sysmon = from.iter().any(|v| v.to_ascii_lowercase().contains("sysmon"));
        if kusto_events::WINDOWS_EVENT_TABLES.contains(&table.as_str()) && !ids.is_empty() {
            for id in ids {
                if sysmon {
                    if let Some(r) = crate::analysis::known_event("Sysmon", id) {
                        push(&mut rows, r);
                    }
                } else if table == "SecurityEvent" || from.iter().any(|v| v.eq_ignore_ascii_case("Security")) {
                    push(&mut rows, security_row(id));
                } else if let Some(t) = kusto_events::table(&table) {
                    push(
                        &mut rows,
                        EventRow {
                            provider: t.provider.into(),
                            channel: from.first().cloned().unwrap_or_else(|| table.clone()),
                            event_id: Some(id),
                            title: String::new(),
                            field_map: Vec::new(),
                        },
                    );
                }
            }
            continue;
        }
        if let Some(t) = kusto_events::table(&table) {
            push(
                &mut rows,
                EventRow {
                    provider: t.provider.into(),
                    channel: t.table.into(),
                    event_id: None,
                    title: t.title.into(),
                    field_map: Vec::new(),
                },
            );
            continue;
        }
        // A table (or parser function) with no provider: the data connectors the rule
        // requires say where its data comes from.
        let mut named = false;
        for c in &rule.connectors {
            for d in &c.data_types {
                let dt = d.split(['(', ' ']).next().unwrap_or(d).trim();
                named |= !dt.is_empty() && (kusto_events::table(dt).is_some() || !c.connector_id.is_empty());
                match kusto_events::table(dt) {
                    Some(t) => push(
                        &mut rows,
                        EventRow {
                            provider: t.provider.into(),
                            channel: t.table.into(),
                            event_id: None,
                            title: t.title.into(),
                            field_map: Vec::new(),
                        },
                    ),
                    None if !c.connector_id.is_empty() => push(
                        &mut rows,
                        EventRow {
                            provider: format!("Data connector {}", c.connector_id),
                            channel: dt.to_string(),
                            event_id: None,
                            title: format!("`{dt}` events of the {} data connector", c.connector_id),
                            field_map: Vec::new(),
                        },
                    ),
                    None => {}
                }
            }
        }
        if !named && !unknown.contains(&table) {
            diags.push(
                Diagnostic::new(
                    detwiki_sigma::Code::UnmappedTable,
                    format!(
                        "table `{table}` maps to no known event provider, and no data connector of the rule names one"
                    ),
                    Some(span),
                )
                .with_help(
                    "a custom (`_CL`) table or parser function: list its connector under `requiredDataConnectors`",
                ),
            );
            unknown.push(table);
        }
    }
    let mapping = if rows.is_empty() {
        EventMapping::Unmapped {
            reason: if unknown.is_empty() {
                "the events cannot be determined: the query reads no table".into()
            } else {
                format!("the events cannot be determined: no known provider for {}", unknown.join(", "))
            },
        }
    } else {
        EventMapping::Mapped
    };
    (rows, mapping, diags)
}

#[cfg(test)]
mod tests {
    use super::{HighlightClass, highlight, tactic_tag};

    #[test]
    fn a_rule_file_is_highlighted_with_its_query() {
        let text = "id: x\nname: A # not a comment\nquery: |\n  T\n  | where A has \"x\"\nkind: NRT\n";
        let got: Vec<(&str, HighlightClass)> =
            highlight(text).into_iter().map(|h| (&text[h.start..h.end], h.class)).collect();
        assert_eq!(
            got,
            [
                ("id", HighlightClass::Key),
                ("name", HighlightClass::Key),
                ("query", HighlightClass::Key),
                ("T", HighlightClass::Source),
                ("|", HighlightClass::Pipe),
                ("where", HighlightClass::Command),
                ("A", HighlightClass::Field),
                ("has", HighlightClass::Operator),
                ("\"x\"", HighlightClass::String),
                ("kind", HighlightClass::Key),
            ]
        );
    }

    #[test]
    fn camel_case_tactics_become_tags() {
        assert_eq!(tactic_tag("PrivilegeEscalation"), "privilege-escalation");
        assert_eq!(tactic_tag("CommandAndControl"), "command-and-control");
        assert_eq!(tactic_tag("DefenseEvasion"), "defense-evasion");
        assert_eq!(tactic_tag("Impact"), "impact");
        assert_eq!(tactic_tag("CommandandControl"), "command-and-control");
        assert_eq!(tactic_tag("PreAttack"), "pre-attack");
    }
}
