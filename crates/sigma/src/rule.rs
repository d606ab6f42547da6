//! The typed rule model (Sigma specification v2.1): detection rules, filter
//! rules (meta filters) and correlation rules, each with source spans.

use serde::Serialize;

use crate::condition::Condition;
use crate::modifier::Modifier;
use crate::span::Span;
use crate::value::SigmaString;
use crate::yaml::Node;

/// A value and where it is written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Its location in the file.
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wrap `value` found at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Self { value, span }
    }
}

/// One document of a rule file.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Document {
    /// A detection rule.
    Rule(Box<Rule>),
    /// A meta filter (`filter:` with `rules:`), spec "Sigma Filters".
    Filter(Box<FilterRule>),
    /// A correlation rule (`correlation:`), spec "Sigma Correlation Rules".
    Correlation(Box<CorrelationRule>),
}

/// The kind of a [`Document`], as output names it (`rule`, `filter`, `correlation`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DocumentKind {
    /// A detection rule.
    Rule,
    /// A meta filter.
    Filter,
    /// A correlation rule.
    Correlation,
}

impl DocumentKind {
    /// `rule`, `filter` or `correlation`.
    pub fn as_str(self) -> &'static str {
        match self {
            DocumentKind::Rule => "rule",
            DocumentKind::Filter => "filter",
            DocumentKind::Correlation => "correlation",
        }
    }
}

impl std::fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Document {
    /// Which kind of document this is.
    pub fn kind(&self) -> DocumentKind {
        match self {
            Document::Rule(_) => DocumentKind::Rule,
            Document::Filter(_) => DocumentKind::Filter,
            Document::Correlation(_) => DocumentKind::Correlation,
        }
    }

    /// The metadata shared by every kind of document.
    pub fn meta(&self) -> &Metadata {
        match self {
            Document::Rule(r) => &r.meta,
            Document::Filter(f) => &f.meta,
            Document::Correlation(c) => &c.meta,
        }
    }
}

/// Rule status (spec "Status").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Production-ready.
    Stable,
    /// Tested, few false positives expected.
    Test,
    /// New, may have false positives.
    Experimental,
    /// Replaced or no longer relevant.
    Deprecated,
    /// Cannot be used with current tooling.
    Unsupported,
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Status {
    /// Every status, as written.
    pub const NAMES: &'static [&'static str] = &["stable", "test", "experimental", "deprecated", "unsupported"];

    /// Parse a status name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "stable" => Status::Stable,
            "test" => Status::Test,
            "experimental" => Status::Experimental,
            "deprecated" => Status::Deprecated,
            "unsupported" => Status::Unsupported,
            _ => return None,
        })
    }

    /// The name as written.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Rule level (spec "Level").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// Informational.
    Informational,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Level {
    /// Every level, as written, lowest first.
    pub const NAMES: &'static [&'static str] = &["informational", "low", "medium", "high", "critical"];

    /// Parse a level name.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "informational" => Level::Informational,
            "low" => Level::Low,
            "medium" => Level::Medium,
            "high" => Level::High,
            "critical" => Level::Critical,
            _ => return None,
        })
    }

    /// The name as written.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// Kind of relation in `related:` (spec "Related").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RelationType {
    /// Derived from the other rule.
    Derived,
    /// Obsoletes the other rule.
    Obsolete,
    /// Merged from the other rule.
    Merged,
    /// The other rule is this one's old id.
    Renamed,
    /// Similar.
    Similar,
}

impl RelationType {
    /// Every relation type, as written.
    pub const NAMES: &'static [&'static str] = &["derived", "obsolete", "merged", "renamed", "similar"];

    /// Parse a relation type.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "derived" => RelationType::Derived,
            "obsolete" => RelationType::Obsolete,
            "merged" => RelationType::Merged,
            "renamed" => RelationType::Renamed,
            "similar" => RelationType::Similar,
            _ => return None,
        })
    }

    /// The name as written.
    pub fn as_str(self) -> &'static str {
        Self::NAMES[self as usize]
    }
}

/// One `related:` entry.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Related {
    /// The other rule's id.
    pub id: String,
    /// How they relate.
    #[serde(rename = "type")]
    pub relation: Option<RelationType>,
    /// Where the entry is.
    pub span: Span,
}

/// A field outside the specification, kept as written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomField {
    /// The key.
    pub key: String,
    /// The value, as a YAML tree.
    pub value: Node,
}

/// Metadata common to rules, filters and correlations (spec "Components").
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Metadata {
    /// `title`.
    pub title: Option<Spanned<String>>,
    /// `id` (a UUID).
    pub id: Option<Spanned<String>>,
    /// `name`: a unique name that correlations may refer to.
    pub name: Option<Spanned<String>>,
    /// `related`.
    pub related: Vec<Related>,
    /// `status`.
    pub status: Option<Spanned<Status>>,
    /// `description`.
    pub description: Option<String>,
    /// `license`.
    pub license: Option<String>,
    /// `author`.
    pub author: Option<String>,
    /// `references`.
    pub references: Vec<String>,
    /// `date` (`YYYY-MM-DD`).
    pub date: Option<Spanned<String>>,
    /// `modified` (`YYYY-MM-DD`).
    pub modified: Option<Spanned<String>>,
    /// `fields`.
    pub fields: Vec<String>,
    /// `falsepositives`.
    pub falsepositives: Vec<String>,
    /// `level`.
    pub level: Option<Spanned<Level>>,
    /// `tags`, as written.
    pub tags: Vec<Spanned<String>>,
    /// `scope`.
    pub scope: Vec<String>,
    /// `taxonomy`.
    pub taxonomy: Option<String>,
    /// Every other top-level field, in file order.
    pub custom: Vec<CustomField>,
}

/// `logsource` (spec "Log Source").
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct LogSource {
    /// `category`, e.g. `process_creation`.
    pub category: Option<String>,
    /// `product`, e.g. `windows`.
    pub product: Option<String>,
    /// `service`, e.g. `security`.
    pub service: Option<String>,
    /// `definition`: free text for the reader.
    pub definition: Option<String>,
    /// Other keys, as written.
    pub custom: Vec<(String, String)>,
    /// Where the logsource mapping is.
    #[serde(skip)]
    pub span: Span,
}

/// A detection rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Rule {
    /// Metadata.
    pub meta: Metadata,
    /// Which logs it applies to.
    pub logsource: LogSource,
    /// What it matches.
    pub detection: Detection,
    /// The span of the whole document.
    #[serde(skip)]
    pub span: Span,
}

/// The `detection` section (spec "Detection").
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Detection {
    /// Search identifiers, in file order.
    pub identifiers: Vec<SearchIdentifier>,
    /// The condition(s); several are OR'ed.
    pub conditions: Vec<ConditionText>,
    /// Legacy `timeframe`.
    pub timeframe: Option<Spanned<String>>,
    /// Where the section is.
    #[serde(skip)]
    pub span: Span,
}

impl Detection {
    /// The search identifier called `name`.
    pub fn identifier(&self, name: &str) -> Option<&SearchIdentifier> {
        self.identifiers.iter().find(|i| i.name == name)
    }
}

/// One condition string and its parse.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ConditionText {
    /// The text as written.
    pub text: String,
    /// Where it is.
    #[serde(skip)]
    pub span: Span,
    /// The parsed tree, when it parses.
    pub parsed: Option<Condition>,
}

/// A named search (`selection:`, `filter_main_*:` …).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct SearchIdentifier {
    /// The identifier.
    pub name: String,
    /// Where the name is.
    #[serde(skip)]
    pub span: Span,
    /// What it matches.
    pub body: SearchBody,
}

/// The three shapes of a search identifier.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "shape", content = "items", rename_all = "snake_case")]
pub enum SearchBody {
    /// A map: every field predicate must match (AND).
    Fields(FieldGroup),
    /// A list of maps: any of them (OR of ANDs).
    AnyOf(Vec<FieldGroup>),
    /// A list of plain values matched anywhere in the event (OR).
    Keywords(Vec<Value>),
}

/// Field predicates that must all match.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldGroup {
    /// The predicates, in file order.
    pub predicates: Vec<FieldPredicate>,
    /// Where the map is.
    #[serde(skip)]
    pub span: Span,
}

/// `Field|mod|mod: value(s)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldPredicate {
    /// The field; `None` for a field-less key like `'|all'` (keywords with modifiers).
    pub field: Option<String>,
    /// The modifier chain, in order.
    pub modifiers: Vec<Modifier>,
    /// The values (one or more); OR'ed unless `|all`.
    pub values: Vec<Value>,
    /// True when the values were written as a list.
    pub is_list: bool,
    /// Where the key is.
    #[serde(skip)]
    pub key_span: Span,
}

impl FieldPredicate {
    /// True if the chain has `m`.
    pub fn has(&self, m: Modifier) -> bool {
        self.modifiers.contains(&m)
    }

    /// The key as written: field and modifiers joined by `|`.
    pub fn key(&self) -> String {
        let mut k = self.field.clone().unwrap_or_default();
        for m in &self.modifiers {
            k.push('|');
            k.push_str(m.as_str());
        }
        k
    }
}

/// One value of a predicate, typed by the modifiers that apply to it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Value {
    /// What the value is.
    pub kind: ValueKind,
    /// The scalar text as loaded.
    pub text: String,
    /// Where it is.
    #[serde(skip)]
    pub span: Span,
}

/// Typed values.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum ValueKind {
    /// `null`: the field is missing or null.
    Null,
    /// A boolean (`exists` takes these; otherwise compared as `true`/`false`).
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string with wildcards and placeholders.
    String(SigmaString),
    /// A regular expression (`|re`), as written.
    Regex(String),
    /// A network (`|cidr`), validated.
    Cidr(String),
    /// Another field's name (`|fieldref`).
    FieldRef(String),
}

/// Correlation types (spec "Correlation Types").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CorrelationType {
    /// Count events.
    EventCount,
    /// Count distinct values of a field.
    ValueCount,
    /// All rules fire within the timespan.
    Temporal,
    /// All rules fire within the timespan, in order.
    TemporalOrdered,
    /// Sum of a field.
    ValueSum,
    /// Average of a field.
    ValueAvg,
    /// Percentile of a field.
    ValuePercentile,
    /// Median of a field.
    ValueMedian,
}

impl CorrelationType {
    /// Every type, as written.
    pub const NAMES: &'static [&'static str] = &[
        "event_count",
        "value_count",
        "temporal",
        "temporal_ordered",
        "value_sum",
        "value_avg",
        "value_percentile",
        "value_median",
    ];

    /// Parse a type name.
    pub fn parse(s: &str) -> Option<Self> {
        use CorrelationType::*;
        Some(match s {
            "event_count" => EventCount,
            "value_count" => ValueCount,
            "temporal" => Temporal,
            "temporal_ordered" => TemporalOrdered,
            "value_sum" => ValueSum,
            "value_avg" => ValueAvg,
            "value_percentile" => ValuePercentile,
            "value_median" => ValueMedian,
            _ => return None,
        })
    }

    /// True for the types whose condition needs a `field`.
    pub fn needs_field(self) -> bool {
        use CorrelationType::*;
        matches!(self, ValueCount | ValueSum | ValueAvg | ValuePercentile | ValueMedian)
    }

    /// True for the types that need a threshold condition.
    pub fn needs_condition(self) -> bool {
        !matches!(self, CorrelationType::Temporal | CorrelationType::TemporalOrdered)
    }
}

/// Comparison operators of a correlation condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CompareOp {
    /// `gt`.
    Gt,
    /// `gte`.
    Gte,
    /// `lt`.
    Lt,
    /// `lte`.
    Lte,
    /// `eq`.
    Eq,
    /// `neq`.
    Neq,
}

impl CompareOp {
    /// Parse an operator key.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "gt" => CompareOp::Gt,
            "gte" => CompareOp::Gte,
            "lt" => CompareOp::Lt,
            "lte" => CompareOp::Lte,
            "eq" => CompareOp::Eq,
            "neq" => CompareOp::Neq,
            _ => return None,
        })
    }
}

/// A timespan like `5m` (spec "Time Selection").
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Timespan {
    /// Length in seconds.
    pub seconds: u64,
}

/// A correlation condition: thresholds and the field they apply to.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CorrelationCondition {
    /// `(operator, threshold)` pairs, all of which must hold.
    pub thresholds: Vec<(CompareOp, f64)>,
    /// The field (for value_* types).
    pub field: Option<String>,
    /// Other keys (e.g. `percentile`), as written.
    pub extra: Vec<(String, String)>,
}

/// A field alias of a correlation: one name for differently named fields per rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FieldAlias {
    /// The alias.
    pub alias: String,
    /// Rule reference → field name in that rule.
    pub mapping: Vec<(String, String)>,
}

/// A correlation rule.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CorrelationRule {
    /// Metadata.
    pub meta: Metadata,
    /// Correlation type.
    pub kind: Option<CorrelationType>,
    /// Referenced rules (ids or names).
    pub rules: Vec<Spanned<String>>,
    /// `group-by` fields.
    pub group_by: Vec<String>,
    /// `timespan`.
    pub timespan: Option<Spanned<Timespan>>,
    /// `condition`.
    pub condition: Option<CorrelationCondition>,
    /// `aliases`.
    pub aliases: Vec<FieldAlias>,
    /// `generate`: also emit the referenced rules' own matches.
    pub generate: Option<bool>,
    /// The span of the whole document.
    #[serde(skip)]
    pub span: Span,
}

/// A meta filter rule: an extra condition applied to the rules it names.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FilterRule {
    /// Metadata.
    pub meta: Metadata,
    /// Which logs it applies to.
    pub logsource: Option<LogSource>,
    /// Rules it applies to (ids or names).
    pub rules: Vec<Spanned<String>>,
    /// The filter's selections and condition.
    pub detection: Detection,
    /// The span of the whole document.
    #[serde(skip)]
    pub span: Span,
}
