//! The typed model of one Elastic rule file: what both repositories' layouts hold, with
//! spans into the file.

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::span::Span;
use crate::tomlstr::StringMap;
use crate::{eql, esql, kql};

/// A value and where it is written.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Its location in the file.
    pub span: Span,
}

/// The result of reading one file: the rule (unless the file is not a rule at all) and
/// every finding.
#[derive(Clone, Debug, Serialize)]
pub struct ElasticFile {
    /// The rule; `None` only when the file is not TOML or has no `[rule]` table.
    pub rule: Option<ElasticRule>,
    /// Findings, in the order they were made.
    pub diagnostics: Vec<Diagnostic>,
}

impl ElasticFile {
    /// True if any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Which repository layout the file follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Layout {
    /// `elastic/detection-rules`: `[metadata]`, `[rule]` with `rule_id`, `type`,
    /// `language`, `[[rule.threat]]`.
    DetectionRules,
    /// `elastic/protections-artifacts`: Elastic Defend behaviour rules, `[rule]` with `id`
    /// and an EQL `query`, top-level `[[threat]]`, `[[actions]]`, `[internal]`.
    ProtectionsArtifacts,
}

/// The rule type (`type`); behaviour rules have none and are [`RuleType::Behavior`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleType {
    /// `query`: a KQL or Lucene query.
    Query,
    /// `eql`.
    Eql,
    /// `esql`.
    Esql,
    /// `threshold`: a KQL query counted per group.
    Threshold,
    /// `new_terms`: a KQL query whose field values were not seen in the history window.
    NewTerms,
    /// `threat_match`: events matched against threat-intelligence indicators.
    ThreatMatch,
    /// `machine_learning`: anomalies of a machine-learning job; no query.
    MachineLearning,
    /// An Elastic Defend behaviour rule (EQL, run on the endpoint).
    Behavior,
    /// Any other `type`, as written.
    Other(String),
}

impl RuleType {
    /// Parse `type`.
    pub fn parse(s: &str) -> RuleType {
        match s {
            "query" => RuleType::Query,
            "eql" => RuleType::Eql,
            "esql" => RuleType::Esql,
            "threshold" => RuleType::Threshold,
            "new_terms" => RuleType::NewTerms,
            "threat_match" => RuleType::ThreatMatch,
            "machine_learning" => RuleType::MachineLearning,
            other => RuleType::Other(other.to_string()),
        }
    }

    /// The name as written (`behavior` for behaviour rules).
    pub fn as_str(&self) -> &str {
        match self {
            RuleType::Query => "query",
            RuleType::Eql => "eql",
            RuleType::Esql => "esql",
            RuleType::Threshold => "threshold",
            RuleType::NewTerms => "new_terms",
            RuleType::ThreatMatch => "threat_match",
            RuleType::MachineLearning => "machine_learning",
            RuleType::Behavior => "behavior",
            RuleType::Other(s) => s,
        }
    }
}

/// A query language (`language`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// KQL (`kuery`).
    Kuery,
    /// EQL.
    Eql,
    /// ES|QL (`esql`).
    Esql,
    /// Lucene query syntax: kept as text, not parsed.
    Lucene,
    /// Any other language, as written: kept as text.
    Other(String),
}

impl Language {
    /// Parse `language`.
    pub fn parse(s: &str) -> Language {
        match s {
            "kuery" => Language::Kuery,
            "eql" => Language::Eql,
            "esql" => Language::Esql,
            "lucene" => Language::Lucene,
            other => Language::Other(other.to_string()),
        }
    }

    /// The name as written.
    pub fn as_str(&self) -> &str {
        match self {
            Language::Kuery => "kuery",
            Language::Eql => "eql",
            Language::Esql => "esql",
            Language::Lucene => "lucene",
            Language::Other(s) => s,
        }
    }
}

/// `maturity` in `[metadata]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Maturity {
    /// Shipped.
    Production,
    /// In development.
    Development,
    /// Experimental.
    Experimental,
    /// Retired.
    Deprecated,
    /// Any other value, as written.
    Other(String),
}

impl Maturity {
    /// Parse `maturity`.
    pub fn parse(s: &str) -> Maturity {
        match s {
            "production" => Maturity::Production,
            "development" => Maturity::Development,
            "experimental" => Maturity::Experimental,
            "deprecated" => Maturity::Deprecated,
            other => Maturity::Other(other.to_string()),
        }
    }
}

/// A parsed query, in its own language's tree.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "language", content = "tree", rename_all = "snake_case")]
pub enum ParsedQuery {
    /// KQL.
    Kql(kql::Query),
    /// EQL.
    Eql(Box<eql::Query>),
    /// ES|QL.
    Esql(esql::Query),
}

/// A query as written in the file, and its parse.
#[derive(Clone, Debug, Serialize)]
pub struct QueryText {
    /// The language it is read as.
    pub language: Language,
    /// The query text (the TOML string, decoded).
    pub text: String,
    /// Where the TOML string is in the file (quotes included).
    pub span: Span,
    /// The tree, with spans into the file; `None` when the query does not parse (a
    /// diagnostic says why) or its language is not parsed.
    pub parsed: Option<ParsedQuery>,
    /// Offsets of the decoded text → offsets of the file.
    #[serde(skip)]
    pub map: StringMap,
}

impl QueryText {
    /// A span of [`QueryText::text`] as a span of the file.
    pub fn file_span(&self, s: Span) -> Span {
        self.map.span(s)
    }
}

/// A MITRE ATT&CK reference (`id`, `name`, `reference`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttackRef {
    /// `TA0002`, `T1059`, `T1059.001`.
    pub id: String,
    /// Its name as the rule writes it.
    pub name: Option<String>,
    /// Its URL.
    pub reference: Option<String>,
    /// Where the id is.
    pub span: Span,
}

/// One `[[rule.threat.technique]]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Technique {
    /// The technique.
    pub technique: AttackRef,
    /// Its sub-techniques.
    pub subtechniques: Vec<AttackRef>,
}

/// One `[[rule.threat]]` (or `[[threat]]`): a tactic and its techniques.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Threat {
    /// `framework` (`MITRE ATT&CK`).
    pub framework: Option<String>,
    /// The tactic.
    pub tactic: Option<AttackRef>,
    /// The techniques.
    pub techniques: Vec<Technique>,
}

/// `threshold` of threshold rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Threshold {
    /// Group-by fields.
    pub fields: Vec<String>,
    /// Alert when a group has at least this many events.
    pub value: Option<i64>,
    /// `cardinality`: and at least this many distinct values of these fields.
    pub cardinality: Vec<(String, i64)>,
}

/// `new_terms` of new-terms rules.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct NewTerms {
    /// The fields whose (combined) values must be new.
    pub fields: Vec<String>,
    /// How far back "new" looks (`now-14d`).
    pub history_window_start: Option<String>,
}

/// What threat-match rules match against.
#[derive(Clone, Debug, Serialize)]
pub struct ThreatMatch {
    /// `threat_index`: the indicator indices.
    pub index: Vec<String>,
    /// `threat_query`: which indicators (KQL).
    pub query: Option<QueryText>,
    /// `threat_indicator_path`.
    pub indicator_path: Option<String>,
    /// `threat_mapping`: OR of groups, each an AND of (event field, indicator field).
    pub mapping: Vec<Vec<(String, String)>>,
}

/// `alert_suppression`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AlertSuppression {
    /// Fields alerts are grouped by.
    pub group_by: Vec<String>,
    /// For how long (`6h`).
    pub duration: Option<String>,
    /// `missing_fields_strategy`.
    pub missing_fields_strategy: Option<String>,
}

/// One response action of a behaviour rule (`[[actions]]`, `[[optional_actions]]`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Action {
    /// `kill_process`, `rollback` …
    pub action: String,
    /// The field naming its target (`process.entity_id`).
    pub field: Option<String>,
    /// Which sequence step it applies to.
    pub state: Option<i64>,
}

/// A key the model does not name, with its value as written in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExtraField {
    /// The dotted key (`rule.timeline_title`).
    pub key: String,
    /// The TOML value as written.
    pub raw: String,
    /// Where the value is.
    pub span: Span,
}

/// What only Elastic rules have, for a "Details" block.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Details {
    /// `index`: the index patterns searched.
    pub index: Vec<String>,
    /// `data_view_id`.
    pub data_view_id: Option<String>,
    /// `from` (`now-9m`): how far back each run looks.
    pub from: Option<String>,
    /// `interval` (`5m`): how often it runs.
    pub interval: Option<String>,
    /// `max_signals`.
    pub max_signals: Option<i64>,
    /// `risk_score`.
    pub risk_score: Option<i64>,
    /// `severity` (`low` … `critical`).
    pub severity: Option<String>,
    /// `timestamp_override`.
    pub timestamp_override: Option<String>,
    /// `event_category_override` (EQL).
    pub event_category_override: Option<String>,
    /// `threshold` rules.
    pub threshold: Option<Threshold>,
    /// `new_terms` rules.
    pub new_terms: Option<NewTerms>,
    /// `machine_learning_job_id` (one or several).
    pub machine_learning_job_ids: Vec<String>,
    /// `anomaly_threshold`.
    pub anomaly_threshold: Option<i64>,
    /// `threat_match` rules.
    pub threat_match: Option<ThreatMatch>,
    /// `alert_suppression`.
    pub alert_suppression: Option<AlertSuppression>,
    /// Behaviour rules: `[[actions]]` (and `[[rule.actions]]`).
    pub actions: Vec<Action>,
    /// Behaviour rules: `[[optional_actions]]` (and `rule.optional_actions`).
    pub optional_actions: Vec<Action>,
    /// Behaviour rules: `os_list`.
    pub os_list: Vec<String>,
    /// Behaviour rules: `min_endpoint_version`.
    pub min_endpoint_version: Option<String>,
    /// Behaviour rules: `version`.
    pub version: Option<String>,
    /// `[metadata] integration`.
    pub integration: Vec<String>,
    /// `[metadata] min_stack_version`.
    pub min_stack_version: Option<String>,
    /// Every other key, as written.
    pub extra: Vec<ExtraField>,
}

/// One Elastic rule.
#[derive(Clone, Debug, Serialize)]
pub struct ElasticRule {
    /// Which repository's layout.
    pub layout: Layout,
    /// `rule_id` (detection rules) or `id` (behaviour rules).
    pub id: Option<Spanned<String>>,
    /// `name`.
    pub name: Option<Spanned<String>>,
    /// `description`.
    pub description: Option<String>,
    /// The rule type.
    pub rule_type: RuleType,
    /// The query, when the rule has one (machine-learning rules have none).
    pub query: Option<QueryText>,
    /// `author`.
    pub author: Vec<String>,
    /// `license`.
    pub license: Option<String>,
    /// `references` (`reference` in behaviour rules).
    pub references: Vec<String>,
    /// `tags` (`Domain: Endpoint`, `Data Source: Sysmon` …).
    pub tags: Vec<String>,
    /// `false_positives`.
    pub false_positives: Vec<String>,
    /// `note`: the investigation guide (Markdown).
    pub note: Option<String>,
    /// `setup` (Markdown).
    pub setup: Option<String>,
    /// `[metadata] creation_date` (`YYYY/MM/DD`).
    pub creation_date: Option<String>,
    /// `[metadata] updated_date`.
    pub updated_date: Option<String>,
    /// `[metadata] deprecation_date`.
    pub deprecation_date: Option<String>,
    /// `[metadata] maturity`.
    pub maturity: Option<Maturity>,
    /// Deprecated: `maturity = "deprecated"`, or the file is under `_deprecated/`.
    pub deprecated: bool,
    /// `building_block_type`: a building-block rule (its alerts feed other rules).
    pub building_block_type: Option<String>,
    /// ATT&CK, from `[[rule.threat]]` (or `[[threat]]`).
    pub threat: Vec<Threat>,
    /// What only Elastic has.
    pub details: Details,
}

impl ElasticRule {
    /// True for production rules (`maturity = "production"`, or behaviour rules, which the
    /// repository ships as production) that are not deprecated.
    pub fn is_production(&self) -> bool {
        !self.deprecated
            && match &self.maturity {
                Some(m) => *m == Maturity::Production,
                None => self.layout == Layout::ProtectionsArtifacts,
            }
    }

    /// True for building-block rules.
    pub fn is_building_block(&self) -> bool {
        self.building_block_type.is_some()
    }

    /// The ATT&CK ids the rule claims: tactics, techniques and sub-techniques, in file order,
    /// each once.
    pub fn attack_ids(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for t in &self.threat {
            let ids = t.tactic.iter().chain(
                t.techniques.iter().flat_map(|tech| std::iter::once(&tech.technique).chain(tech.subtechniques.iter())),
            );
            for r in ids {
                if !out.contains(&r.id.as_str()) {
                    out.push(&r.id);
                }
            }
        }
        out
    }
}

impl ElasticRule {
    /// The query's stages and language-neutral predicates; empty when the rule has no query or
    /// it did not parse (a diagnostic then says why).
    pub fn stages(&self) -> Vec<crate::predicate::Stage> {
        let Some(q) = &self.query else { return Vec::new() };
        match &q.parsed {
            Some(ParsedQuery::Kql(t)) => kql::stages(t, q.span),
            Some(ParsedQuery::Eql(t)) => eql::stages(t),
            Some(ParsedQuery::Esql(t)) => esql::stages(t),
            None => Vec::new(),
        }
    }
}
