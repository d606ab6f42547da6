//! Reading one Panther analysis YAML file (and, for a Python rule, its `Filename`).

use std::path::Path;

use detwiki_diagnostics::{Code, Diagnostic, Span};
use detwiki_sigma::yaml::{self, Node, NodeKind, Scalar};

use crate::predicate::{Kind, Predicate, PredicateTree, Stage, StageRole, Value, group};
use crate::python::{self, Env, Module};
use crate::repo::{self, Repo};
use crate::rule::*;

/// What one file holds.
#[derive(Clone, Debug, Default)]
pub struct PantherFile {
    /// `AnalysisType:` when the file has one.
    pub analysis_type: Option<AnalysisType>,
    /// The detection, for `rule`, `scheduled_rule` and `correlation_rule` files.
    pub rule: Option<PantherRule>,
    /// Findings (spans into the YAML file).
    pub diagnostics: Vec<Diagnostic>,
}

/// True when `text` looks like a Panther analysis file: a top-level `AnalysisType:` key.
/// Cheap (one substring search) and exact for Sigma files, which have no such key.
pub fn sniff(text: &str) -> bool {
    text.starts_with("AnalysisType:") || text.contains("\nAnalysisType:")
}

fn scalar_text(n: &Node) -> Option<String> {
    match &n.kind {
        NodeKind::Scalar { value: Scalar::Null, .. } => None,
        NodeKind::Scalar { text, .. } => Some(text.trim().to_string()),
        _ => None,
    }
}

fn strings(n: Option<&Node>) -> Vec<String> {
    match n {
        None => Vec::new(),
        Some(n) => match &n.kind {
            NodeKind::Seq(items) => items.iter().filter_map(scalar_text).collect(),
            NodeKind::Scalar { .. } => scalar_text(n).into_iter().collect(),
            NodeKind::Map(_) => Vec::new(),
        },
    }
}

fn spanned_strings(n: Option<&Node>) -> Vec<Spanned<String>> {
    match n.map(|n| &n.kind) {
        Some(NodeKind::Seq(items)) => {
            items.iter().filter_map(|i| scalar_text(i).map(|v| Spanned { value: v, span: i.span })).collect()
        }
        Some(NodeKind::Scalar { .. }) => {
            let n = n.unwrap_or_else(|| unreachable!());
            scalar_text(n).map(|v| Spanned { value: v, span: n.span }).into_iter().collect()
        }
        _ => Vec::new(),
    }
}

fn int(n: Option<&Node>) -> Option<i64> {
    match &n?.kind {
        NodeKind::Scalar { value: Scalar::Int(i), .. } => Some(*i),
        NodeKind::Scalar { text, .. } => text.trim().parse().ok(),
        _ => None,
    }
}

fn boolean(n: Option<&Node>) -> Option<bool> {
    match &n?.kind {
        NodeKind::Scalar { value: Scalar::Bool(b), .. } => Some(*b),
        NodeKind::Scalar { text, .. } => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" => Some(true),
            "false" | "no" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn value(n: &Node) -> Value {
    match &n.kind {
        NodeKind::Scalar { value: Scalar::Null, .. } => Value::None,
        NodeKind::Scalar { value: Scalar::Bool(b), .. } => Value::Bool(*b),
        NodeKind::Scalar { value: Scalar::Int(_) | Scalar::Float(_), text, .. } => Value::Number(text.clone()),
        NodeKind::Scalar { text, .. } => Value::Str(text.clone()),
        _ => Value::Str(json(n).to_string()),
    }
}

/// A YAML node as JSON (a test's `Log` event).
pub fn json(n: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &n.kind {
        NodeKind::Scalar { value, text, .. } => match value {
            Scalar::Null => J::Null,
            Scalar::Bool(b) => J::Bool(*b),
            Scalar::Int(i) => J::from(*i),
            Scalar::Float(f) => serde_json::Number::from_f64(*f).map_or_else(|| J::String(text.clone()), J::Number),
            Scalar::Str => J::String(text.clone()),
        },
        NodeKind::Seq(items) => J::Array(items.iter().map(json).collect()),
        NodeKind::Map(entries) => {
            let mut m = serde_json::Map::new();
            for (k, v) in entries {
                m.insert(k.as_str().map_or_else(|| json(k).to_string(), str::to_string), json(v));
            }
            J::Object(m)
        }
    }
}

/// Parse the YAML of one Panther file (no Python, no repository): metadata, tests, and a
/// simple or correlation detection. A Python rule's stages are filled by [`read_file`].
pub fn parse_str(text: &str) -> PantherFile {
    let mut file = PantherFile::default();
    let docs = match yaml::parse_documents(text, &yaml::Limits::default()) {
        Ok(d) => d,
        Err(e) => {
            let code = match e {
                yaml::YamlError::TooLarge { .. } => Code::FileTooLarge,
                yaml::YamlError::TooDeep { .. } => Code::YamlTooDeep,
                yaml::YamlError::AliasLimit { .. } | yaml::YamlError::UnknownAnchor { .. } => Code::YamlAlias,
                yaml::YamlError::Syntax { .. } => Code::YamlSyntax,
            };
            file.diagnostics.push(Diagnostic::new(code, e.to_string(), e.span()));
            return file;
        }
    };
    let Some(root) = docs.into_iter().next().and_then(|d| d.root) else {
        file.diagnostics.push(Diagnostic::new(Code::EmptyFile, "the file holds no YAML document", None));
        return file;
    };
    let Some(at) = root.get("AnalysisType").and_then(scalar_text) else {
        file.diagnostics.push(
            Diagnostic::new(Code::NotARule, "no `AnalysisType:`: not a Panther analysis file", Some(root.span))
                .with_help("a Panther rule starts with `AnalysisType: rule`"),
        );
        return file;
    };
    let at = AnalysisType::parse(&at);
    file.analysis_type = Some(at.clone());
    if !at.is_detection() {
        return file;
    }
    let mut diags = Vec::new();
    let id = root.get("RuleID").and_then(|n| scalar_text(n).map(|v| Spanned { value: v, span: n.span }));
    if id.is_none() {
        diags.push(
            Diagnostic::new(Code::MissingField, "the rule has no `RuleID`", Some(root.span))
                .with_help("add `RuleID: Vendor.Product.Name`"),
        );
    }
    let mut mitre = Vec::new();
    let mut reports = Vec::new();
    for (k, v) in root.get("Reports").and_then(Node::as_map).unwrap_or(&[]) {
        let Some(k) = k.as_str() else { continue };
        if k.eq_ignore_ascii_case("MITRE ATT&CK") {
            mitre = spanned_strings(Some(v));
        } else {
            reports.push((k.to_string(), strings(Some(v))));
        }
    }
    let mut extra = Vec::new();
    for key in ["AlertTitle", "CreateAlert", "OnlyUseBaseRiskScore", "Threshold", "InlineFilters"] {
        if let Some(v) = root.get(key)
            && key != "Threshold"
        {
            let s = scalar_text(v).unwrap_or_else(|| json(v).to_string());
            extra.push((key.to_string(), s));
        }
    }
    let tests = root.get("Tests").and_then(Node::as_seq).unwrap_or(&[]).iter().map(test).collect();
    let (detection, detection_span) = if let Some(f) = root.get("Filename") {
        (Detection::Python { filename: scalar_text(f).unwrap_or_default(), source: None }, Some(f.span))
    } else if let Some(d) = root.get("Detection") {
        let det = if at == AnalysisType::CorrelationRule || is_correlation(d) {
            Detection::Correlation(correlation(d, &mut diags))
        } else {
            Detection::Simple(d.as_seq().unwrap_or(&[]).iter().filter_map(|m| simple(m, &mut diags)).collect())
        };
        (det, Some(d.span))
    } else {
        diags.push(
            Diagnostic::new(
                Code::MissingField,
                "the rule has neither `Filename` (Python) nor `Detection`",
                Some(root.span),
            )
            .with_help("name the rule's Python file in `Filename:` or write a `Detection:`"),
        );
        (Detection::Missing, None)
    };
    let mut rule = PantherRule {
        analysis_type: at,
        id,
        display_name: root.get("DisplayName").and_then(scalar_text),
        enabled: boolean(root.get("Enabled")),
        severity: root.get("Severity").and_then(scalar_text),
        status: root.get("Status").and_then(scalar_text),
        log_types: spanned_strings(root.get("LogTypes")),
        scheduled_queries: strings(root.get("ScheduledQueries")),
        tags: strings(root.get("Tags")),
        mitre,
        reports,
        description: root.get("Description").and_then(scalar_text),
        references: strings(root.get("Reference")),
        runbook: root.get("Runbook").and_then(scalar_text),
        dedup_minutes: int(root.get("DedupPeriodMinutes")),
        threshold: int(root.get("Threshold")),
        summary_attributes: strings(root.get("SummaryAttributes")),
        extra,
        detection,
        detection_span,
        tests,
        stages: Vec::new(),
    };
    rule.stages = yaml_stages(&rule);
    file.rule = Some(rule);
    file.diagnostics = diags;
    file
}

fn is_correlation(d: &Node) -> bool {
    d.as_seq().unwrap_or(&[]).iter().any(|i| i.get("Sequence").is_some() || i.get("Group").is_some())
}

fn test(n: &Node) -> RuleTest {
    let log = n.get("Log").or_else(|| n.get("RuleOutputs")).map(|l| match &l.kind {
        NodeKind::Scalar { text, .. } => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => serde_json::to_string_pretty(&v).unwrap_or_else(|_| text.clone()),
            Err(_) => text.clone(),
        },
        _ => serde_json::to_string_pretty(&json(l)).unwrap_or_default(),
    });
    RuleTest {
        name: n.get("Name").and_then(scalar_text).unwrap_or_default(),
        expected: boolean(n.get("ExpectedResult")),
        log,
        mocks: n
            .get("Mocks")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .filter_map(|m| m.get("objectName").and_then(scalar_text))
            .collect(),
    }
}

/// The conditions of Panther's simple detections and what they compare.
const CONDITIONS: &[&str] = &[
    "Equals",
    "DoesNotEqual",
    "EqualsIgnoreCase",
    "DoesNotEqualIgnoreCase",
    "Contains",
    "DoesNotContain",
    "ContainsIgnoreCase",
    "DoesNotContainIgnoreCase",
    "StartsWith",
    "DoesNotStartWith",
    "StartsWithIgnoreCase",
    "DoesNotStartWithIgnoreCase",
    "EndsWith",
    "DoesNotEndWith",
    "EndsWithIgnoreCase",
    "DoesNotEndWithIgnoreCase",
    "IsGreaterThan",
    "IsGreaterThanOrEquals",
    "IsLessThan",
    "IsLessThanOrEquals",
    "IsIn",
    "IsNotIn",
    "IsInCIDR",
    "IsNotInCIDR",
    "Exists",
    "DoesNotExist",
    "IsNull",
    "IsNotNull",
    "IsNullOrEmpty",
    "IsNotNullOrEmpty",
    "MatchesRegex",
    "DoesNotMatchRegex",
];

fn simple(n: &Node, diags: &mut Vec<Diagnostic>) -> Option<Match> {
    for op in ["All", "Any", "OnlyOne", "None"] {
        if let Some(items) = n.get(op) {
            let items = items.as_seq().unwrap_or(&[]).iter().filter_map(|m| simple(m, diags)).collect();
            return Some(Match::Group { op: op.to_string(), items, span: n.span });
        }
    }
    let field = if let Some(k) = n.get("Key").and_then(scalar_text) {
        k
    } else if let Some(k) = n.get("DeepKey") {
        strings(Some(k)).join(".")
    } else if let Some(k) = n.get("KeyPath").and_then(scalar_text) {
        k.trim_start_matches("$.").to_string()
    } else {
        diags.push(
            Diagnostic::new(
                Code::InvalidDetection,
                "a detection item with no `Key`, `DeepKey`, `KeyPath` or group",
                Some(n.span),
            )
            .with_help("write `- Key: field` with `Condition:` and `Value:`, or `All:`/`Any:`/`OnlyOne:`/`None:`"),
        );
        return None;
    };
    let Some(cond_node) = n.get("Condition") else {
        diags.push(
            Diagnostic::new(Code::InvalidDetection, format!("the item on `{field}` has no `Condition`"), Some(n.span))
                .with_help(format!("add `Condition:`, one of {}", CONDITIONS.join(", "))),
        );
        return None;
    };
    let condition = scalar_text(cond_node).unwrap_or_default();
    if !CONDITIONS.contains(&condition.as_str()) {
        diags.push(
            Diagnostic::new(
                Code::InvalidFieldValue,
                format!("unknown condition `{condition}` on `{field}`"),
                Some(cond_node.span),
            )
            .with_help(format!("expected one of {}", CONDITIONS.join(", "))),
        );
    }
    let values = match (n.get("Value"), n.get("Values")) {
        (Some(v), _) => vec![value(v)],
        (None, Some(vs)) => vs.as_seq().map(|s| s.iter().map(value).collect()).unwrap_or_else(|| vec![value(vs)]),
        _ => Vec::new(),
    };
    Some(Match::Key { field, condition, values, span: n.span, condition_span: cond_node.span })
}

fn simple_tree(m: &Match) -> PredicateTree {
    match m {
        Match::Group { op, items, .. } => {
            let trees: Vec<PredicateTree> = items.iter().map(simple_tree).collect();
            match op.as_str() {
                "All" => group(true, trees),
                "Any" => group(false, trees),
                "None" => PredicateTree::Not(Box::new(group(false, trees))),
                _ => PredicateTree::Opaque {
                    text: format!("exactly one of {} conditions", trees.len()),
                    span: m_span(m),
                },
            }
        }
        Match::Key { field, condition, values, span, .. } => {
            let negated = condition.starts_with("DoesNot") || condition.starts_with("IsNot");
            let base = condition
                .trim_start_matches("DoesNot")
                .trim_start_matches("IsNot")
                .trim_start_matches("Is")
                .trim_end_matches("IgnoreCase");
            let ci = condition.ends_with("IgnoreCase");
            let (kind, negated, values) = match base {
                "Equals" | "Equal" => (Kind::Eq, negated, values.clone()),
                "Contains" | "Contain" => (Kind::Contains, negated, values.clone()),
                "StartsWith" | "StartWith" => (Kind::StartsWith, negated, values.clone()),
                "EndsWith" | "EndWith" => (Kind::EndsWith, negated, values.clone()),
                "GreaterThan" => (Kind::Gt, negated, values.clone()),
                "GreaterThanOrEquals" => (Kind::Gte, negated, values.clone()),
                "LessThan" => (Kind::Lt, negated, values.clone()),
                "LessThanOrEquals" => (Kind::Lte, negated, values.clone()),
                "In" => (Kind::In, negated, values.clone()),
                "MatchesRegex" | "MatchRegex" => (Kind::Regex, negated, values.clone()),
                "Exists" | "Exist" | "NotNull" | "NotNullOrEmpty" => (Kind::Exists, negated, Vec::new()),
                "Null" | "NullOrEmpty" => (Kind::Exists, !negated, Vec::new()),
                _ => {
                    return PredicateTree::Opaque {
                        text: format!(
                            "{field} {condition} {}",
                            values.iter().map(|v| v.text()).collect::<Vec<_>>().join(", ")
                        ),
                        span: *span,
                    };
                }
            };
            let p = PredicateTree::Pred(Predicate {
                field: field.clone(),
                udm: None,
                kind,
                values,
                case_insensitive: ci,
                span: *span,
            });
            if negated { PredicateTree::Not(Box::new(p)) } else { p }
        }
    }
}

fn m_span(m: &Match) -> Span {
    match m {
        Match::Key { span, .. } | Match::Group { span, .. } => *span,
    }
}

fn correlation(d: &Node, diags: &mut Vec<Diagnostic>) -> Correlation {
    let mut c = Correlation {
        sequence: false,
        steps: Vec::new(),
        joins: Vec::new(),
        lookback_minutes: None,
        rate_minutes: None,
    };
    for item in d.as_seq().unwrap_or(&[]) {
        let (steps, sequence) = match (item.get("Sequence"), item.get("Group")) {
            (Some(s), _) => (s, true),
            (None, Some(g)) => (g, false),
            _ => continue,
        };
        c.sequence = sequence;
        for s in steps.as_seq().unwrap_or(&[]) {
            let rule_id = s.get("RuleID").and_then(scalar_text);
            if rule_id.is_none() {
                diags.push(
                    Diagnostic::new(Code::InvalidCorrelation, "a correlation step without `RuleID`", Some(s.span))
                        .with_help("each step names the rule whose alerts it takes: `RuleID: …`"),
                );
            }
            c.steps.push(CorrelationStep {
                id: s.get("ID").and_then(scalar_text).unwrap_or_default(),
                rule_id: rule_id.unwrap_or_default(),
                absence: boolean(s.get("Absence")).unwrap_or(false),
                min_match_count: int(s.get("MinMatchCount")),
                span: s.span,
            });
        }
        for t in item.get("Transitions").and_then(Node::as_seq).unwrap_or(&[]) {
            let on: Vec<String> = t
                .get("Match")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|m| {
                    m.get("On").and_then(scalar_text).or_else(|| {
                        let a = m.get("From").and_then(scalar_text)?;
                        let b = m.get("To").and_then(scalar_text)?;
                        Some(format!("{a} = {b}"))
                    })
                })
                .collect();
            let within = int(t.get("WithinTimeFrameMinutes")).map(|m| format!(" within {m} min")).unwrap_or_default();
            c.joins.push(format!(
                "{} → {}{within}{}",
                t.get("From").and_then(scalar_text).unwrap_or_default(),
                t.get("To").and_then(scalar_text).unwrap_or_default(),
                if on.is_empty() { String::new() } else { format!(" on {}", on.join(", ")) }
            ));
        }
        for (k, v) in item.get("MatchCriteria").and_then(Node::as_map).unwrap_or(&[]) {
            let parts: Vec<String> = v
                .as_seq()
                .unwrap_or(&[])
                .iter()
                .filter_map(|m| {
                    Some(format!(
                        "{}.{}",
                        m.get("GroupID").and_then(scalar_text)?,
                        m.get("Match").and_then(scalar_text)?
                    ))
                })
                .collect();
            c.joins.push(format!("{}: {}", k.as_str().unwrap_or("match"), parts.join(" = ")));
        }
        c.lookback_minutes = int(item.get("LookbackWindowMinutes"));
        c.rate_minutes = item.get("Schedule").and_then(|s| int(s.get("RateMinutes")));
    }
    if c.steps.is_empty() {
        diags.push(
            Diagnostic::new(
                Code::InvalidCorrelation,
                "the correlation has no `Sequence` or `Group` steps",
                Some(d.span),
            )
            .with_help("write `Detection: - Sequence: [ {ID, RuleID}, … ]` or `- Group: …`"),
        );
    }
    c
}

fn yaml_stages(rule: &PantherRule) -> Vec<Stage> {
    match &rule.detection {
        Detection::Simple(items) => {
            let tree = group(true, items.iter().map(simple_tree).collect());
            vec![Stage { role: StageRole::Rule, label: "simple detection".into(), tree: Some(tree) }]
        }
        Detection::Correlation(c) => c
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let what = if c.sequence { "sequence step" } else { "group member" };
                let mut label = format!("{what} {}: {} ({})", i + 1, s.id, s.rule_id);
                if s.absence {
                    label.push_str(", must be absent");
                }
                if let Some(n) = s.min_match_count {
                    label.push_str(&format!(", at least {n} matches"));
                }
                Stage { role: StageRole::Step, label, tree: None }
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Read a Panther YAML file at `path` (its text `text`): the YAML, and for a Python rule its
/// `Filename` beside it, read with the repository's global helpers and data models.
pub fn read_file(text: &str, path: &Path) -> PantherFile {
    let mut file = parse_str(text);
    let Some(rule) = file.rule.as_mut() else { return file };
    let Detection::Python { filename, .. } = &rule.detection else { return file };
    let filename = filename.clone();
    let py_path = path.parent().unwrap_or(Path::new(".")).join(&filename);
    let source = match std::fs::read_to_string(&py_path) {
        Ok(s) => s,
        Err(e) => {
            file.diagnostics.push(
                Diagnostic::new(Code::PythonFileMissing, format!("cannot read `{filename}`: {e}"), rule.detection_span)
                    .with_help("`Filename:` names the rule's Python file, in the same folder as the YAML"),
            );
            return file;
        }
    };
    let repo = repo::repo_for(path);
    let diags = analyze_python(rule, &filename, source, repo.as_deref());
    file.diagnostics.extend(diags);
    file
}

/// Read the rule's Python `source` (file `filename`), with the repository when known, into
/// the rule's stages. Findings point at `Filename:` in the YAML and name the Python line.
pub fn analyze_python(rule: &mut PantherRule, filename: &str, source: String, repo: Option<&Repo>) -> Vec<Diagnostic> {
    let stem = filename.trim_end_matches(".py");
    let mut diags = Vec::new();
    let module = match Module::parse(stem, source.clone()) {
        Ok(m) => m,
        Err(e) => {
            let (line, col) = python::line_col(&source, e.offset);
            diags.push(
                Diagnostic::new(
                    Code::PythonSyntax,
                    format!("{filename}:{line}:{col}: the Python does not parse: {}", e.message),
                    rule.detection_span,
                )
                .with_help("fix the Python file; the rule is shown without its predicates"),
            );
            rule.detection = Detection::Python { filename: filename.to_string(), source: Some(source) };
            return diags;
        }
    };
    let log_types: Vec<String> = rule.log_types.iter().map(|l| l.value.clone()).collect();
    let env =
        Env { helpers: repo.map(|r| &r.helpers), udm_paths: repo.map(|r| r.udm_paths(&log_types)).unwrap_or_default() };
    match python::lower_rule(&module, &env) {
        Some(tree) => {
            rule.stages = vec![Stage { role: StageRole::Rule, label: "rule(event)".into(), tree: Some(tree) }];
        }
        None => diags.push(
            Diagnostic::new(
                Code::NoRuleFunction,
                format!("`{filename}` defines no `rule(event)` function"),
                rule.detection_span,
            )
            .with_help("a Panther rule's Python returns True from `def rule(event):` for events that alert"),
        ),
    }
    rule.detection = Detection::Python { filename: filename.to_string(), source: Some(source) };
    diags
}

/// Line and column (1-based) of a byte offset.
pub fn position(text: &str, offset: usize) -> (usize, usize) {
    python::line_col(text, offset)
}
