//! The typed model of one Panther analysis file (`AnalysisType:` YAML).

use detwiki_diagnostics::Span;

use crate::predicate::{PredicateTree, Stage};

/// A value with where it is written in the YAML file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where.
    pub span: Span,
}

/// `AnalysisType:` of a file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AnalysisType {
    /// A streaming rule over log events.
    Rule,
    /// A rule over the rows of scheduled queries.
    ScheduledRule,
    /// A correlation of other rules' alerts.
    CorrelationRule,
    /// A data model (support: UDM names → paths per log type).
    DataModel,
    /// Global helpers (support: Python shared by rules).
    Global,
    /// Anything else (`policy`, `scheduled_query`, `lookup_table`, `pack` …): not a detection.
    Other(String),
}

impl AnalysisType {
    /// Parse the `AnalysisType:` value.
    pub fn parse(s: &str) -> AnalysisType {
        match s.trim() {
            "rule" => AnalysisType::Rule,
            "scheduled_rule" => AnalysisType::ScheduledRule,
            "correlation_rule" => AnalysisType::CorrelationRule,
            "datamodel" => AnalysisType::DataModel,
            "global" => AnalysisType::Global,
            other => AnalysisType::Other(other.to_string()),
        }
    }

    /// The value as Panther writes it.
    pub fn as_str(&self) -> &str {
        match self {
            AnalysisType::Rule => "rule",
            AnalysisType::ScheduledRule => "scheduled_rule",
            AnalysisType::CorrelationRule => "correlation_rule",
            AnalysisType::DataModel => "datamodel",
            AnalysisType::Global => "global",
            AnalysisType::Other(s) => s,
        }
    }

    /// True for the three kinds of detection.
    pub fn is_detection(&self) -> bool {
        matches!(self, AnalysisType::Rule | AnalysisType::ScheduledRule | AnalysisType::CorrelationRule)
    }
}

/// One inline unit test of a rule (`Tests:`): a real example event and whether it alerts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleTest {
    /// `Name`.
    pub name: String,
    /// `ExpectedResult`.
    pub expected: Option<bool>,
    /// `Log` as pretty-printed JSON (or the `RuleOutputs` of a correlation test).
    pub log: Option<String>,
    /// Names of the functions the test mocks (`Mocks: - objectName`).
    pub mocks: Vec<String>,
}

/// One item of a simple detection (`Detection:` of a `rule`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// `Key`/`DeepKey`/`KeyPath` + `Condition` + `Value`/`Values`.
    Key {
        /// The field as a dotted path.
        field: String,
        /// `Condition`.
        condition: String,
        /// `Value` or `Values` (none for conditions like `Exists`).
        values: Vec<crate::predicate::Value>,
        /// Where the item is.
        span: Span,
        /// Where the condition is.
        condition_span: Span,
    },
    /// `All:` (every item), `Any:` (one at least), `OnlyOne:`, `None:` (no item).
    Group {
        /// `All`, `Any`, `OnlyOne` or `None`.
        op: String,
        /// The items.
        items: Vec<Match>,
        /// Where.
        span: Span,
    },
}

/// A step of a correlation rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorrelationStep {
    /// `ID`.
    pub id: String,
    /// `RuleID`: the rule whose alerts it takes.
    pub rule_id: String,
    /// `Absence: true`: the step must NOT happen.
    pub absence: bool,
    /// `MinMatchCount`.
    pub min_match_count: Option<i64>,
    /// Where.
    pub span: Span,
}

/// A correlation detection (`Detection: - Sequence: …` or `- Group: …`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correlation {
    /// `Sequence` (ordered, with `Transitions`) or `Group` (any order).
    pub sequence: bool,
    /// The steps in order.
    pub steps: Vec<CorrelationStep>,
    /// Transitions (`From → To within N min on fields`) or match criteria, as text lines.
    pub joins: Vec<String>,
    /// `LookbackWindowMinutes`.
    pub lookback_minutes: Option<i64>,
    /// `Schedule: RateMinutes`.
    pub rate_minutes: Option<i64>,
}

/// The detection of a rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Detection {
    /// Python: the `rule()` function of `Filename`.
    Python {
        /// `Filename` as written.
        filename: String,
        /// The Python file's text, when it was found.
        source: Option<String>,
    },
    /// A YAML simple detection.
    Simple(Vec<Match>),
    /// A correlation.
    Correlation(Correlation),
    /// None given.
    Missing,
}

/// One Panther rule (or scheduled or correlation rule).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PantherRule {
    /// `AnalysisType`.
    pub analysis_type: AnalysisType,
    /// `RuleID`.
    pub id: Option<Spanned<String>>,
    /// `DisplayName`.
    pub display_name: Option<String>,
    /// `Enabled`.
    pub enabled: Option<bool>,
    /// `Severity` (`Info`, `Low`, `Medium`, `High`, `Critical`).
    pub severity: Option<String>,
    /// `Status` when given (`Experimental` …).
    pub status: Option<String>,
    /// `LogTypes`, with spans.
    pub log_types: Vec<Spanned<String>>,
    /// `ScheduledQueries`.
    pub scheduled_queries: Vec<String>,
    /// `Tags`.
    pub tags: Vec<String>,
    /// `Reports: MITRE ATT&CK:` entries (`TA0006:T1621`), with spans.
    pub mitre: Vec<Spanned<String>>,
    /// Other `Reports` frameworks (`CIS`, …) with their entries.
    pub reports: Vec<(String, Vec<String>)>,
    /// `Description`.
    pub description: Option<String>,
    /// `Reference` (one URL or text, or several).
    pub references: Vec<String>,
    /// `Runbook`.
    pub runbook: Option<String>,
    /// `DedupPeriodMinutes`.
    pub dedup_minutes: Option<i64>,
    /// `Threshold`.
    pub threshold: Option<i64>,
    /// `SummaryAttributes`.
    pub summary_attributes: Vec<String>,
    /// `OutputIds`, `CreateAlert`, `AlertTitle` … other scalar keys worth showing.
    pub extra: Vec<(String, String)>,
    /// The detection.
    pub detection: Detection,
    /// Where `Filename`'s value (or `Detection:`) is written.
    pub detection_span: Option<Span>,
    /// `Tests`.
    pub tests: Vec<RuleTest>,
    /// The detection's stages with their predicates.
    pub stages: Vec<Stage>,
}

impl PantherRule {
    /// The predicate tree of the rule's own logic, if it has one.
    pub fn tree(&self) -> Option<&PredicateTree> {
        self.stages.iter().find_map(|s| s.tree.as_ref())
    }

    /// True when at least one stage has a field comparison.
    pub fn has_predicates(&self) -> bool {
        self.stages.iter().filter_map(|s| s.tree.as_ref()).any(|t| !t.predicates().is_empty())
    }
}
