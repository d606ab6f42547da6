//! # detwiki-pipeline
//!
//! pySigma processing pipelines: rules rewritten for other log shapes before
//! they are compiled (`detwiki hunt --pipeline FILE|NAME`).
//!
//! The YAML format is pySigma's (`sigma/processing/pipeline.py`,
//! `transformations/`, `conditions/`): a document with `name`, `priority`,
//! `vars` and a list of `transformations`, each an item with a `type`, its
//! parameters, and optional `rule_conditions`, `field_name_conditions` (and
//! their `*_cond_op`, `*_cond_not`, `*_cond_expr`). Pipelines are applied in
//! ascending `priority` (ties keep the order given), as one concatenated list
//! of items sharing their `vars`, like pySigma's `ProcessingPipeline.__add__`.
//!
//! Supported transformation types: see [`TRANSFORMATIONS`]; rule conditions:
//! [`RULE_CONDITIONS`]; field name conditions: [`FIELD_CONDITIONS`]. Anything
//! else is an error (a [`Diagnostic`](detwiki_diagnostics::Diagnostic) with a `pipeline-…`
//! code) with the file position and the supported names: a
//! pipeline that does not do what its author meant must not run silently.
//!
//! Reading ([`load`]) lives in [`load`](self::load); the built-in pipelines
//! (`winlogbeat`, `ecs-windows`) are YAML files under `crates/pipeline/pipelines/`
//! embedded in the binary ([`BUILTINS`]).

use std::collections::BTreeMap;

use detwiki_sigma::condition::Condition;
use detwiki_sigma::value::{Part, SigmaString};
use detwiki_sigma::yaml::Scalar;
use detwiki_sigma::{
    ConditionText, Detection, FieldGroup, FieldPredicate, Modifier, Rule, SearchBody, SearchIdentifier, Span, Value,
    ValueKind,
};

mod load;

pub use load::load;

/// Transformation types understood, as pySigma names them.
pub const TRANSFORMATIONS: &[&str] = &[
    "field_name_mapping",
    "field_name_prefix_mapping",
    "field_name_prefix",
    "field_name_suffix",
    "add_condition",
    "change_logsource",
    "drop_detection_item",
    "value_placeholders",
    "wildcard_placeholders",
    "rule_failure",
    "detection_item_failure",
];

/// Rule condition types understood (`rule_id` is a detwiki shorthand for
/// pySigma's `rule_attribute` with `attribute: id`).
pub const RULE_CONDITIONS: &[&str] = &["logsource", "tag", "rule_id", "rule_attribute"];

/// Field name condition types understood.
pub const FIELD_CONDITIONS: &[&str] = &["include_fields", "exclude_fields"];

/// The pipelines shipped in the binary: name, what it is for, YAML text.
pub const BUILTINS: &[(&str, &str, &str)] = &[
    (
        "winlogbeat",
        "Winlogbeat JSON: winlog.event_data.*, winlog.channel, winlog.event_id, winlog.computer_name, winlog.provider_name",
        include_str!("../pipelines/winlogbeat.yml"),
    ),
    (
        "ecs-windows",
        "Elastic Common Schema from Winlogbeat 7+: process.*, file.*, registry.*, network fields; \
         the rest under winlog.event_data.* (pySigma-backend-elasticsearch `ecs_windows`)",
        include_str!("../pipelines/ecs-windows.yml"),
    ),
];

/// Most alternatives one-to-many mappings or placeholders may turn one
/// detection item (or one AND group) into.
pub const MAX_EXPANSION: usize = 1024;

/// One pipeline file.
#[derive(Clone, Debug, Default)]
pub struct Pipeline {
    /// `name`, or the file name.
    pub name: String,
    /// `priority` (lower runs first; pySigma's default is 0).
    pub priority: i64,
    /// `vars`: placeholder values for `value_placeholders`.
    pub vars: BTreeMap<String, Vec<String>>,
    /// The processing items, in order.
    pub items: Vec<Item>,
    /// Things read and deliberately not applied (postprocessing, finalizers), to report: warnings
    /// with `pipeline-…` codes, in no file until the caller attaches one.
    pub warnings: Vec<detwiki_diagnostics::Diagnostic>,
}

/// One processing item: a transformation and when it applies.
#[derive(Clone, Debug)]
pub struct Item {
    /// `id`.
    pub id: Option<String>,
    /// What it does.
    pub transformation: Transformation,
    /// Which rules it applies to.
    pub rule_conditions: Conds<RuleCond>,
    /// Which fields it applies to (field-level transformations).
    pub field_conditions: Conds<FieldCond>,
}

/// Conditions with their linking: all, any, or an expression over their ids; optionally negated.
#[derive(Clone, Debug)]
pub struct Conds<C> {
    /// The conditions, with their ids (`1`, `2` … for a list).
    pub conds: Vec<(String, C)>,
    /// How they combine.
    pub logic: Logic,
    /// `*_cond_not`.
    pub negate: bool,
}

impl<C> Default for Conds<C> {
    fn default() -> Self {
        Conds { conds: Vec::new(), logic: Logic::All, negate: false }
    }
}

/// How conditions combine.
#[derive(Clone, Debug)]
pub enum Logic {
    /// `*_cond_op: and` (the default).
    All,
    /// `*_cond_op: or`.
    Any,
    /// `*_cond_expr`: a boolean expression over condition ids.
    Expr(Condition),
}

impl<C> Conds<C> {
    fn eval(&self, test: impl Fn(&C) -> bool) -> bool {
        let r = match &self.logic {
            Logic::All => self.conds.iter().all(|(_, c)| test(c)),
            Logic::Any => self.conds.iter().any(|(_, c)| test(c)),
            Logic::Expr(e) => {
                eval_expr(e, &|id| self.conds.iter().find(|(n, _)| n == id).is_some_and(|(_, c)| test(c)))
            }
        };
        r != self.negate
    }
}

fn eval_expr(e: &Condition, leaf: &dyn Fn(&str) -> bool) -> bool {
    match e {
        Condition::Or(xs) => xs.iter().any(|x| eval_expr(x, leaf)),
        Condition::And(xs) => xs.iter().all(|x| eval_expr(x, leaf)),
        Condition::Not(x) => !eval_expr(x, leaf),
        Condition::Identifier { name, .. } => leaf(name),
        // Rejected when the pipeline is read.
        Condition::Quantified { .. } => false,
    }
}

/// A rule condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RuleCond {
    /// `logsource`: the given parts equal the rule's (absent parts are not checked; case-insensitive).
    Logsource {
        /// `category`.
        category: Option<String>,
        /// `product`.
        product: Option<String>,
        /// `service`.
        service: Option<String>,
    },
    /// `tag`: the rule has one of these tags (case-insensitive).
    Tag(Vec<String>),
    /// `rule_id` / `rule_attribute` on `id`: the rule's id is one of these.
    RuleId(Vec<String>),
    /// `rule_attribute`: an attribute compared to a value.
    Attribute {
        /// `attribute`: id, title, name, status, level, author, date, modified, taxonomy, or a tag list `tags`.
        attribute: String,
        /// `value`.
        value: String,
        /// `op`: eq, ne, in, not_in, and gte/gt/lte/lt for level, status, date.
        op: String,
    },
}

impl RuleCond {
    /// True if `rule` meets the condition.
    pub fn matches(&self, rule: &Rule) -> bool {
        let eq = |a: &Option<String>, b: &Option<String>| match a {
            None => true,
            Some(a) => b.as_deref().is_some_and(|b| b.eq_ignore_ascii_case(a)),
        };
        match self {
            RuleCond::Logsource { category, product, service } => {
                let ls = &rule.logsource;
                eq(category, &ls.category) && eq(product, &ls.product) && eq(service, &ls.service)
            }
            RuleCond::Tag(tags) => rule.meta.tags.iter().any(|t| tags.iter().any(|x| x.eq_ignore_ascii_case(&t.value))),
            RuleCond::RuleId(ids) => {
                rule.meta.id.as_ref().is_some_and(|id| ids.iter().any(|x| x.eq_ignore_ascii_case(&id.value)))
            }
            RuleCond::Attribute { attribute, value, op } => attribute_matches(rule, attribute, value, op),
        }
    }
}

fn attribute_matches(rule: &Rule, attribute: &str, value: &str, op: &str) -> bool {
    let m = &rule.meta;
    if attribute == "tags" {
        let has = m.tags.iter().any(|t| t.value.eq_ignore_ascii_case(value));
        return match op {
            "in" => has,
            "not_in" => !has,
            // A list never equals a single value (pySigma).
            "ne" => true,
            _ => false,
        };
    }
    // Ordered attributes: rank of a value, for gte/gt/lte/lt.
    let rank = |v: &str| -> Option<i64> {
        match attribute {
            "level" => detwiki_sigma::Level::parse(v).map(|l| l as i64),
            "status" => detwiki_sigma::Status::parse(v).map(|s| 4 - s as i64),
            // A calendar date (`jiff`): `2024-02-30` has no rank, so no order holds for it.
            "date" | "modified" => v
                .parse::<jiff::civil::Date>()
                .ok()
                .map(|d| i64::from(d.year()) * 10_000 + i64::from(d.month()) * 100 + i64::from(d.day())),
            _ => None,
        }
    };
    let actual: Option<String> = match attribute {
        "id" => m.id.as_ref().map(|s| s.value.clone()),
        "title" => m.title.as_ref().map(|s| s.value.clone()),
        "name" => m.name.as_ref().map(|s| s.value.clone()),
        "status" => m.status.as_ref().map(|s| s.value.as_str().to_string()),
        "level" => m.level.as_ref().map(|s| s.value.as_str().to_string()),
        "author" => m.author.clone(),
        "date" => m.date.as_ref().map(|s| s.value.clone()),
        "modified" => m.modified.as_ref().map(|s| s.value.clone()),
        "taxonomy" => m.taxonomy.clone(),
        other => m.custom.iter().find(|c| c.key == other).and_then(|c| c.value.as_str().map(str::to_string)),
    };
    let Some(actual) = actual else { return false };
    match op {
        "eq" => actual == value,
        "ne" => actual != value,
        "gte" | "gt" | "lte" | "lt" => match (rank(&actual), rank(value)) {
            (Some(a), Some(b)) => match op {
                "gte" => a >= b,
                "gt" => a > b,
                "lte" => a <= b,
                _ => a < b,
            },
            _ => false,
        },
        _ => false,
    }
}

/// A field name condition (`include_fields` / `exclude_fields`).
#[derive(Clone, Debug)]
pub struct FieldCond {
    /// `exclude_fields`: true when the field is NOT listed.
    pub exclude: bool,
    /// `mode: plain` names.
    pub plain: Vec<String>,
    /// `mode: re` patterns, anchored at the start as Python's `re.match`.
    pub patterns: Vec<regex::Regex>,
}

impl FieldCond {
    /// True if the condition holds for `field` (`None`: a keyword, which no include list names).
    pub fn matches(&self, field: Option<&str>) -> bool {
        let listed =
            field.is_some_and(|f| self.plain.iter().any(|p| p == f) || self.patterns.iter().any(|r| r.is_match(f)));
        listed != self.exclude
    }
}

/// What a processing item does.
#[derive(Clone, Debug)]
pub enum Transformation {
    /// `field_name_mapping`: field → one or more fields (several = any of them).
    FieldNameMapping(Vec<(String, Vec<String>)>),
    /// `field_name_prefix_mapping`: the first matching prefix is replaced by one or more prefixes.
    FieldNamePrefixMapping(Vec<(String, Vec<String>)>),
    /// `field_name_prefix`: prefix every field.
    FieldNamePrefix(String),
    /// `field_name_suffix`: suffix every field.
    FieldNameSuffix(String),
    /// `add_condition`: a new search identifier AND'ed with (or, `negated`, excluded from) the condition.
    AddCondition {
        /// `conditions`: `field|modifiers` → values.
        conditions: Vec<AddedPredicate>,
        /// `name` of the added identifier.
        name: Option<String>,
        /// `template`: `$category`, `$product`, `$service` in values are replaced by the rule's logsource.
        template: bool,
        /// `negated`: `not added and (condition)`.
        negated: bool,
    },
    /// `change_logsource`: the rule's logsource becomes this one.
    ChangeLogsource {
        /// `category`.
        category: Option<String>,
        /// `product`.
        product: Option<String>,
        /// `service`.
        service: Option<String>,
    },
    /// `drop_detection_item`: remove the detection items of the matching fields.
    DropDetectionItem,
    /// `value_placeholders`: `%name%` under `|expand` replaced by the pipeline's `vars`.
    ValuePlaceholders(PlaceholderSelection),
    /// `wildcard_placeholders`: `%name%` replaced by `*`.
    WildcardPlaceholders(PlaceholderSelection),
    /// `rule_failure`: the rule is not used, with this message.
    RuleFailure(String),
    /// `detection_item_failure`: the rule is not used if it has a matching detection item.
    DetectionItemFailure(String),
}

impl Transformation {
    fn field_level(&self) -> bool {
        matches!(
            self,
            Transformation::FieldNameMapping(_)
                | Transformation::FieldNamePrefixMapping(_)
                | Transformation::FieldNamePrefix(_)
                | Transformation::FieldNameSuffix(_)
                | Transformation::DropDetectionItem
                | Transformation::DetectionItemFailure(_)
        )
    }

    /// The new names of `field`, or `None` when this transformation leaves it alone.
    fn map_name(&self, field: &str) -> Option<Vec<String>> {
        match self {
            Transformation::FieldNameMapping(m) => m.iter().find(|(k, _)| k == field).map(|(_, v)| v.clone()),
            Transformation::FieldNamePrefixMapping(m) => m
                .iter()
                .find(|(k, _)| field.starts_with(k.as_str()))
                .map(|(k, v)| v.iter().map(|p| format!("{p}{}", &field[k.len()..])).collect()),
            Transformation::FieldNamePrefix(p) => Some(vec![format!("{p}{field}")]),
            Transformation::FieldNameSuffix(s) => Some(vec![format!("{field}{s}")]),
            _ => None,
        }
    }
}

/// `include` / `exclude` of the placeholder transformations.
#[derive(Clone, Debug, Default)]
pub struct PlaceholderSelection {
    /// Only these placeholders.
    pub include: Option<Vec<String>>,
    /// All but these placeholders.
    pub exclude: Option<Vec<String>>,
}

impl PlaceholderSelection {
    fn handles(&self, name: &str) -> bool {
        match (&self.include, &self.exclude) {
            (Some(i), _) => i.iter().any(|x| x == name),
            (None, Some(e)) => !e.iter().any(|x| x == name),
            (None, None) => true,
        }
    }
}

/// One `field|modifiers: values` of `add_condition`.
#[derive(Clone, Debug)]
pub struct AddedPredicate {
    /// The field; `None` for a keyword key (`'|all'`).
    pub field: Option<String>,
    /// The modifiers (checked when read).
    pub modifiers: Vec<Modifier>,
    /// The values: YAML scalar type and text.
    pub values: Vec<(Scalar, String)>,
    /// Written as a list.
    pub is_list: bool,
}

impl AddedPredicate {
    fn build(&self, rule: &Rule, template: bool) -> FieldPredicate {
        let has = |m: Modifier| self.modifiers.contains(&m);
        let values = self
            .values
            .iter()
            .map(|(scalar, text)| {
                let text = if template { substitute_template(text, rule) } else { text.clone() };
                let kind = if has(Modifier::Exists) {
                    ValueKind::Bool(!matches!(scalar, Scalar::Bool(false)))
                } else if *scalar == Scalar::Null {
                    ValueKind::Null
                } else if has(Modifier::Re) {
                    ValueKind::Regex(text.clone())
                } else if has(Modifier::Cidr) {
                    ValueKind::Cidr(text.clone())
                } else if has(Modifier::FieldRef) {
                    ValueKind::FieldRef(text.clone())
                } else {
                    match scalar {
                        Scalar::Bool(b) => ValueKind::Bool(*b),
                        Scalar::Int(i) => ValueKind::Int(*i),
                        Scalar::Float(f) => ValueKind::Float(*f),
                        _ => ValueKind::String(SigmaString::parse(&text, has(Modifier::Expand))),
                    }
                };
                Value { kind, text, span: Span::default() }
            })
            .collect();
        FieldPredicate {
            field: self.field.clone(),
            modifiers: self.modifiers.clone(),
            values,
            is_list: self.is_list,
            key_span: Span::default(),
        }
    }
}

/// Python `string.Template.safe_substitute` with the rule's logsource parts
/// (`$category`, `${product}` …); an absent part becomes the empty string.
fn substitute_template(text: &str, rule: &Rule) -> String {
    let ls = &rule.logsource;
    let lookup = |name: &str| -> Option<String> {
        match name {
            "category" => Some(ls.category.clone().unwrap_or_default()),
            "product" => Some(ls.product.clone().unwrap_or_default()),
            "service" => Some(ls.service.clone().unwrap_or_default()),
            _ => None,
        }
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('$') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(a) = after.strip_prefix('$') {
            out.push('$');
            rest = a;
            continue;
        }
        let (name, tail) = if let Some(b) = after.strip_prefix('{') {
            match b.find('}') {
                Some(j) => (&b[..j], &b[j + 1..]),
                None => ("", after),
            }
        } else {
            let n = after.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(after.len());
            (&after[..n], &after[n..])
        };
        match lookup(name) {
            Some(v) if !name.is_empty() => {
                out.push_str(&v);
                rest = tail;
            }
            _ => {
                out.push('$');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Pipelines ready to apply: every item in priority order, `vars` merged.
#[derive(Clone, Debug, Default)]
pub struct Pipelines {
    /// The pipelines' names, in the order applied.
    pub names: Vec<String>,
    items: Vec<Item>,
    vars: BTreeMap<String, Vec<String>>,
}

impl Pipelines {
    /// Combine `pipelines`: sorted by priority (stable), items concatenated, `vars` merged
    /// (a later pipeline's variable replaces an earlier one's).
    pub fn new(mut pipelines: Vec<Pipeline>) -> Self {
        pipelines.sort_by_key(|p| p.priority);
        let mut out = Pipelines::default();
        for p in pipelines {
            out.names.push(p.name);
            out.items.extend(p.items);
            out.vars.extend(p.vars);
        }
        out
    }

    /// True when there is nothing to apply.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// `rule` as the pipelines rewrite it; `Err` = the rule cannot be used (why).
    pub fn apply(&self, rule: &Rule) -> Result<Rule, String> {
        let mut rule = rule.clone();
        for (n, item) in self.items.iter().enumerate() {
            if !item.rule_conditions.conds.is_empty() && !item.rule_conditions.eval(|c| c.matches(&rule)) {
                continue;
            }
            self.apply_item(n, item, &mut rule)?;
        }
        Ok(rule)
    }

    /// The name the pipelines give field `name` in `rule` (the first, for a one-to-many mapping):
    /// used for the fields the engine itself reads (routing's `Channel`, `EventID`, and the
    /// event source conditions of the taxonomy).
    pub fn map_name(&self, rule: &Rule, name: &str) -> String {
        const PROBE: &str = "__detwiki_probe";
        let mut probe = rule.clone();
        let value =
            Value { kind: ValueKind::String(SigmaString::literal("x")), text: "x".into(), span: Span::default() };
        let pred = FieldPredicate {
            field: Some(name.to_string()),
            modifiers: Vec::new(),
            values: vec![value],
            is_list: false,
            key_span: Span::default(),
        };
        probe.detection = Detection {
            identifiers: vec![SearchIdentifier {
                name: PROBE.into(),
                span: Span::default(),
                body: SearchBody::Fields(FieldGroup { predicates: vec![pred], span: Span::default() }),
            }],
            conditions: vec![ConditionText {
                text: PROBE.into(),
                span: Span::default(),
                parsed: Some(Condition::Identifier { name: PROBE.into(), span: Span::default() }),
            }],
            timeframe: None,
            span: Span::default(),
        };
        let Ok(out) = self.apply(&probe) else { return name.to_string() };
        let field = out.detection.identifier(PROBE).and_then(|id| match &id.body {
            SearchBody::Fields(g) => g.predicates.first().and_then(|p| p.field.clone()),
            SearchBody::AnyOf(gs) => gs.first().and_then(|g| g.predicates.first()).and_then(|p| p.field.clone()),
            SearchBody::Keywords(_) => None,
        });
        field.unwrap_or_else(|| name.to_string())
    }

    fn apply_item(&self, n: usize, item: &Item, rule: &mut Rule) -> Result<(), String> {
        let field_ok = |f: Option<&str>| item.field_conditions.eval(|c| c.matches(f));
        let t = &item.transformation;
        if t.field_level() {
            let det = &mut rule.detection;
            match t {
                Transformation::DropDetectionItem => return drop_items(det, &field_ok),
                Transformation::DetectionItemFailure(msg) => {
                    let hit = predicates(det).any(|p| field_ok(p.field.as_deref()));
                    return if hit { Err(msg.clone()) } else { Ok(()) };
                }
                _ => {
                    let map = |f: &str| if field_ok(Some(f)) { t.map_name(f) } else { None };
                    return map_fields(det, &map);
                }
            }
        }
        match t {
            Transformation::AddCondition { conditions, name, template, negated } => {
                let name = name.clone().unwrap_or_else(|| format!("_cond_{n}"));
                let preds = conditions.iter().map(|c| c.build(rule, *template)).collect();
                let det = &mut rule.detection;
                det.identifiers.retain(|i| i.name != name);
                det.identifiers.push(SearchIdentifier {
                    name: name.clone(),
                    span: Span::default(),
                    body: SearchBody::Fields(FieldGroup { predicates: preds, span: Span::default() }),
                });
                for c in &mut det.conditions {
                    let id = Condition::Identifier { name: name.clone(), span: Span::default() };
                    let head = if *negated { Condition::Not(Box::new(id)) } else { id };
                    c.text = format!("{}{name} and ({})", if *negated { "not " } else { "" }, c.text);
                    if let Some(p) = c.parsed.take() {
                        let mut xs = vec![head];
                        match p {
                            Condition::And(more) => xs.extend(more),
                            other => xs.push(other),
                        }
                        c.parsed = Some(Condition::And(xs));
                    }
                }
                Ok(())
            }
            Transformation::ChangeLogsource { category, product, service } => {
                let ls = &mut rule.logsource;
                ls.category = category.clone();
                ls.product = product.clone();
                ls.service = service.clone();
                Ok(())
            }
            Transformation::ValuePlaceholders(sel) => replace_placeholders(&mut rule.detection, sel, &|name| {
                let values = self
                    .vars
                    .get(name)
                    .ok_or_else(|| format!("placeholder `%{name}%` has no variable in the pipeline's `vars`"))?;
                Ok(values.iter().map(|v| SigmaString::parse(v, false)).collect())
            }),
            Transformation::WildcardPlaceholders(sel) => replace_placeholders(&mut rule.detection, sel, &|_| {
                Ok(vec![SigmaString { parts: vec![Part::AnyChars] }])
            }),
            Transformation::RuleFailure(msg) => Err(msg.clone()),
            _ => Ok(()),
        }
    }
}

/// Every predicate of a detection.
fn predicates(det: &Detection) -> impl Iterator<Item = &FieldPredicate> {
    det.identifiers.iter().flat_map(|id| {
        let groups: Vec<&FieldGroup> = match &id.body {
            SearchBody::Fields(g) => vec![g],
            SearchBody::AnyOf(gs) => gs.iter().collect(),
            SearchBody::Keywords(_) => Vec::new(),
        };
        groups.into_iter().flat_map(|g| g.predicates.iter())
    })
}

/// Rename fields (and `|fieldref` values) with `map`; a one-to-many mapping
/// turns the predicate into an OR, distributed over its AND group.
fn map_fields(det: &mut Detection, map: &dyn Fn(&str) -> Option<Vec<String>>) -> Result<(), String> {
    for id in &mut det.identifiers {
        let groups = match &id.body {
            SearchBody::Fields(g) => map_group(g, map)?,
            SearchBody::AnyOf(gs) => {
                let mut out = Vec::new();
                for g in gs {
                    out.extend(map_group(g, map)?);
                    if out.len() > MAX_EXPANSION {
                        return Err(too_many(&id.name));
                    }
                }
                id.body = SearchBody::AnyOf(out);
                continue;
            }
            SearchBody::Keywords(_) => continue,
        };
        id.body = if groups.len() == 1 {
            SearchBody::Fields(
                groups.into_iter().next().unwrap_or_else(|| FieldGroup { predicates: vec![], span: id.span }),
            )
        } else {
            SearchBody::AnyOf(groups)
        };
    }
    Ok(())
}

fn too_many(id: &str) -> String {
    format!("`{id}`: one-to-many field mappings expand it to more than {MAX_EXPANSION} alternatives")
}

fn map_group(g: &FieldGroup, map: &dyn Fn(&str) -> Option<Vec<String>>) -> Result<Vec<FieldGroup>, String> {
    let mut out: Vec<Vec<FieldPredicate>> = vec![Vec::new()];
    for p in &g.predicates {
        let mut p = p.clone();
        // Field references name fields too.
        let mut values = Vec::with_capacity(p.values.len());
        for v in p.values.drain(..) {
            match &v.kind {
                ValueKind::FieldRef(r) => match map(r) {
                    Some(names) => values.extend(names.into_iter().map(|n| Value {
                        kind: ValueKind::FieldRef(n.clone()),
                        text: n,
                        span: v.span,
                    })),
                    None => values.push(v),
                },
                _ => values.push(v),
            }
        }
        p.values = values;
        let alts: Vec<FieldPredicate> = match p.field.as_deref().and_then(map) {
            Some(names) if !names.is_empty() => names
                .into_iter()
                .map(|n| {
                    let mut q = p.clone();
                    q.field = Some(n);
                    q
                })
                .collect(),
            _ => vec![p],
        };
        if alts.len() == 1 {
            let only = &alts[0];
            out.iter_mut().for_each(|g| g.push(only.clone()));
        } else {
            if out.len() * alts.len() > MAX_EXPANSION {
                return Err(too_many(&alts[0].key()));
            }
            out = out
                .iter()
                .flat_map(|prefix| {
                    alts.iter().map(move |a| {
                        let mut x = prefix.clone();
                        x.push(a.clone());
                        x
                    })
                })
                .collect();
        }
    }
    Ok(out.into_iter().map(|predicates| FieldGroup { predicates, span: g.span }).collect())
}

/// Remove the predicates whose field passes `drop`; identifiers left empty are
/// removed and the condition no longer refers to them (as pySigma's backends
/// leave out a detection whose items were all dropped).
fn drop_items(det: &mut Detection, drop: &dyn Fn(Option<&str>) -> bool) -> Result<(), String> {
    let mut removed = Vec::new();
    for id in &mut det.identifiers {
        let empty = match &mut id.body {
            SearchBody::Fields(g) => {
                g.predicates.retain(|p| !drop(p.field.as_deref()));
                g.predicates.is_empty()
            }
            SearchBody::AnyOf(gs) => {
                gs.iter_mut().for_each(|g| g.predicates.retain(|p| !drop(p.field.as_deref())));
                gs.retain(|g| !g.predicates.is_empty());
                gs.is_empty()
            }
            SearchBody::Keywords(_) => drop(None),
        };
        if empty {
            removed.push(id.name.clone());
        }
    }
    if removed.is_empty() {
        return Ok(());
    }
    det.identifiers.retain(|i| !removed.contains(&i.name));
    for c in &mut det.conditions {
        if let Some(p) = c.parsed.take() {
            match prune(p, &removed) {
                Some(p) => c.parsed = Some(p),
                None => return Err("drop_detection_item removed every search the condition uses".into()),
            }
        }
    }
    Ok(())
}

fn prune(c: Condition, removed: &[String]) -> Option<Condition> {
    match c {
        Condition::Identifier { ref name, .. } if removed.contains(name) => None,
        Condition::Or(xs) => {
            let mut v: Vec<Condition> = xs.into_iter().filter_map(|x| prune(x, removed)).collect();
            if v.len() > 1 { Some(Condition::Or(v)) } else { v.pop() }
        }
        Condition::And(xs) => {
            let mut v: Vec<Condition> = xs.into_iter().filter_map(|x| prune(x, removed)).collect();
            if v.len() > 1 { Some(Condition::And(v)) } else { v.pop() }
        }
        Condition::Not(x) => prune(*x, removed).map(|x| Condition::Not(Box::new(x))),
        other => Some(other),
    }
}

/// Replace the placeholders `sel` handles in string values with `values(name)`: every combination.
fn replace_placeholders(
    det: &mut Detection,
    sel: &PlaceholderSelection,
    values: &dyn Fn(&str) -> Result<Vec<SigmaString>, String>,
) -> Result<(), String> {
    for id in &mut det.identifiers {
        let groups: Vec<&mut FieldGroup> = match &mut id.body {
            SearchBody::Fields(g) => vec![g],
            SearchBody::AnyOf(gs) => gs.iter_mut().collect(),
            SearchBody::Keywords(_) => Vec::new(),
        };
        for g in groups {
            for p in &mut g.predicates {
                let mut out = Vec::with_capacity(p.values.len());
                for v in p.values.drain(..) {
                    let ValueKind::String(s) = &v.kind else {
                        out.push(v);
                        continue;
                    };
                    if !s.parts.iter().any(|x| matches!(x, Part::Placeholder(n) if sel.handles(n))) {
                        out.push(v);
                        continue;
                    }
                    let mut combos: Vec<Vec<Part>> = vec![Vec::new()];
                    for part in &s.parts {
                        match part {
                            Part::Placeholder(n) if sel.handles(n) => {
                                let alts = values(n)?;
                                if combos.len() * alts.len().max(1) > MAX_EXPANSION {
                                    return Err(format!(
                                        "placeholder `%{n}%` expands to more than {MAX_EXPANSION} values"
                                    ));
                                }
                                combos = combos
                                    .iter()
                                    .flat_map(|pre| {
                                        alts.iter().map(move |a| {
                                            let mut x = pre.clone();
                                            x.extend(a.parts.iter().cloned());
                                            x
                                        })
                                    })
                                    .collect();
                            }
                            other => combos.iter_mut().for_each(|c| c.push(other.clone())),
                        }
                    }
                    out.extend(combos.into_iter().map(|parts| Value {
                        kind: ValueKind::String(SigmaString { parts }),
                        text: v.text.clone(),
                        span: v.span,
                    }));
                }
                p.values = out;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use detwiki_sigma::Document;

    fn rule(detection: &str) -> Rule {
        rule_with("  category: process_creation\n  product: windows\n", "tags:\n  - attack.execution\n", detection)
    }

    fn rule_with(logsource: &str, extra: &str, detection: &str) -> Rule {
        let text = format!(
            "title: T\nid: 11111111-1111-4111-8111-111111111111\n{extra}logsource:\n{logsource}detection:\n{detection}"
        );
        let file = detwiki_sigma::parse_str(&text);
        let Some(Document::Rule(r)) = file.documents.into_iter().next() else { panic!("not a rule: {text}") };
        *r
    }

    fn pipes(yaml: &str) -> Pipelines {
        Pipelines::new(vec![load(yaml, "p.yml").unwrap_or_else(|e| panic!("{:?}", e[0]))])
    }

    /// Fields of every group of every identifier: `[[fields of group] per group]` per identifier.
    fn fields(r: &Rule) -> Vec<Vec<Vec<String>>> {
        r.detection
            .identifiers
            .iter()
            .map(|id| {
                let gs: Vec<&FieldGroup> = match &id.body {
                    SearchBody::Fields(g) => vec![g],
                    SearchBody::AnyOf(gs) => gs.iter().collect(),
                    SearchBody::Keywords(_) => vec![],
                };
                gs.iter().map(|g| g.predicates.iter().map(|p| p.field.clone().unwrap_or_default()).collect()).collect()
            })
            .collect()
    }

    const DET: &str = "  sel:\n    Image|endswith: '\\x.exe'\n    CommandLine|contains: 'a'\n  condition: sel\n";

    #[test]
    fn field_name_mapping_one_to_one_and_one_to_many() {
        let p = pipes(
            "transformations:\n  - type: field_name_mapping\n    mapping:\n      Image: process.executable\n      \
             CommandLine: [a.cmd, b.cmd]\n",
        );
        let r = p.apply(&rule(DET)).unwrap();
        // One-to-many: the AND group becomes two groups, one per name.
        assert_eq!(
            fields(&r),
            [[vec!["process.executable", "a.cmd"], vec!["process.executable", "b.cmd"]]]
                .map(|g| g.iter().map(|x| x.iter().map(|s| s.to_string()).collect::<Vec<_>>()).collect::<Vec<_>>())
        );
    }

    #[test]
    fn fieldref_values_are_mapped_too() {
        let p = pipes("transformations:\n  - type: field_name_mapping\n    mapping:\n      ParentImage: p.exe\n");
        let r = p.apply(&rule("  sel:\n    Image|fieldref: ParentImage\n  condition: sel\n")).unwrap();
        let SearchBody::Fields(g) = &r.detection.identifiers[0].body else { panic!() };
        assert_eq!(g.predicates[0].values[0].kind, ValueKind::FieldRef("p.exe".into()));
    }

    #[test]
    fn prefix_mapping_and_prefix_with_field_conditions() {
        let p = pipes(
            "transformations:\n  - type: field_name_prefix_mapping\n    mapping:\n      Command: cmd.\n  \
             - type: field_name_prefix\n    prefix: ev.\n    field_name_conditions:\n      - type: exclude_fields\n        \
             fields: ['\\w+\\.']\n        mode: re\n",
        );
        let r = p.apply(&rule(DET)).unwrap();
        assert_eq!(fields(&r), [[["ev.Image", "cmd.Line"]]]);
        let p = pipes(
            "transformations:\n  - type: field_name_suffix\n    suffix: .keyword\n    field_name_conditions:\n      \
             - type: include_fields\n        fields: [Image]\n",
        );
        assert_eq!(fields(&p.apply(&rule(DET)).unwrap()), [[["Image.keyword", "CommandLine"]]]);
    }

    #[test]
    fn field_name_cond_not_negates() {
        let p = pipes(
            "transformations:\n  - type: field_name_prefix\n    prefix: x.\n    field_name_conditions:\n      \
             - type: include_fields\n        fields: [Image]\n    field_name_cond_not: true\n",
        );
        assert_eq!(fields(&p.apply(&rule(DET)).unwrap()), [[["Image", "x.CommandLine"]]]);
    }

    #[test]
    fn add_condition_with_template_and_negation() {
        let p = pipes(
            "transformations:\n  - type: add_condition\n    conditions:\n      source: 'win-$category'\n      \
             Level|gte: 3\n    template: true\n  - type: add_condition\n    name: _not_this\n    negated: true\n    \
             conditions:\n      user: [a, b]\n",
        );
        let r = p.apply(&rule(DET)).unwrap();
        let added = r.detection.identifier("_cond_0").expect("added identifier");
        let SearchBody::Fields(g) = &added.body else { panic!() };
        assert_eq!(g.predicates[0].values[0].kind, ValueKind::String(SigmaString::literal("win-process_creation")));
        assert_eq!(g.predicates[1].modifiers, [Modifier::Gte]);
        assert_eq!(g.predicates[1].values[0].kind, ValueKind::Int(3));
        assert_eq!(r.detection.conditions[0].text, "not _not_this and (_cond_0 and (sel))");
        let ids = |c: &Condition| c.leaves().len();
        assert_eq!(ids(r.detection.conditions[0].parsed.as_ref().unwrap()), 3);
    }

    #[test]
    fn change_logsource_and_logsource_condition() {
        let p = pipes(
            "transformations:\n  - type: change_logsource\n    product: windows\n    service: sysmon\n    \
             rule_conditions:\n      - type: logsource\n        category: process_creation\n",
        );
        let r = p.apply(&rule(DET)).unwrap();
        assert_eq!((r.logsource.category.as_deref(), r.logsource.service.as_deref()), (None, Some("sysmon")));
        // Another category: untouched.
        let other = rule_with("  category: file_event\n  product: windows\n", "", DET);
        assert_eq!(p.apply(&other).unwrap().logsource, other.logsource);
    }

    #[test]
    fn drop_detection_item_prunes_emptied_identifiers_from_the_condition() {
        let p = pipes(
            "transformations:\n  - type: drop_detection_item\n    field_name_conditions:\n      - type: include_fields\n        \
             fields: [User]\n",
        );
        let r = p
            .apply(&rule(
                "  sel:\n    Image: a\n    User: b\n  filter:\n    User: SYSTEM\n  condition: sel and not filter\n",
            ))
            .unwrap();
        assert_eq!(fields(&r), [[["Image"]]]);
        assert_eq!(
            r.detection.conditions[0].parsed.as_ref().unwrap().without_spans(),
            Condition::Identifier { name: "sel".into(), span: Span::default() }
        );
        let all = rule("  sel:\n    User: b\n  condition: sel\n");
        assert!(p.apply(&all).is_err(), "nothing left to match");
    }

    #[test]
    fn value_and_wildcard_placeholders() {
        let p = pipes(
            "vars:\n  admins: [root, 'adm*']\ntransformations:\n  - type: value_placeholders\n    include: [admins]\n  \
             - type: wildcard_placeholders\n",
        );
        let r = p
            .apply(&rule("  sel:\n    User|expand: '%admins%'\n    Host|expand: '%other%x'\n  condition: sel\n"))
            .unwrap();
        let SearchBody::Fields(g) = &r.detection.identifiers[0].body else { panic!() };
        let kinds: Vec<&ValueKind> = g.predicates[0].values.iter().map(|v| &v.kind).collect();
        assert_eq!(kinds.len(), 2);
        assert_eq!(*kinds[1], ValueKind::String(SigmaString::parse("adm*", false)));
        assert_eq!(g.predicates[1].values[0].kind, ValueKind::String(SigmaString::parse("*x", false)));
        // A variable the pipeline lacks fails the rule, as in pySigma.
        let p = pipes("transformations:\n  - type: value_placeholders\n");
        let err = p.apply(&rule("  sel:\n    User|expand: '%nope%'\n  condition: sel\n")).unwrap_err();
        assert!(err.contains("%nope%"), "{err}");
    }

    #[test]
    fn rule_attribute_orders_calendar_dates() {
        let r = rule_with("  product: windows\n", "date: 2024-03-01\n", DET);
        let fails = |op: &str, value: &str| {
            let p = pipes(&format!(
                "transformations:\n  - type: rule_failure\n    message: nope\n    rule_conditions:\n      \
                 - type: rule_attribute\n        attribute: date\n        op: {op}\n        value: '{value}'\n"
            ));
            p.apply(&r).is_err()
        };
        assert!(fails("gte", "2024-02-29"));
        assert!(!fails("lt", "2024-02-29"));
        assert!(fails("lt", "2024-03-02"));
        // Not a calendar date: no order holds.
        assert!(!fails("gte", "2024-02-30"));
        assert!(!fails("lt", "2024-02-30"));
    }

    #[test]
    fn rule_conditions_tag_id_attribute_op_not_and_expr() {
        let fail = |conds: &str| {
            let p = pipes(&format!("transformations:\n  - type: rule_failure\n    message: nope\n{conds}"));
            p.apply(&rule(DET)).is_err()
        };
        assert!(fail("    rule_conditions:\n      - type: tag\n        tag: attack.execution\n"));
        assert!(!fail("    rule_conditions:\n      - type: tag\n        tag: attack.persistence\n"));
        assert!(fail("    rule_conditions:\n      - type: tag\n        tags: [x, ATTACK.EXECUTION]\n"));
        assert!(fail(
            "    rule_conditions:\n      - type: rule_id\n        ids: ['11111111-1111-4111-8111-111111111111']\n"
        ));
        assert!(!fail("    rule_conditions:\n      - type: rule_id\n        id: other\n"));
        assert!(fail(
            "    rule_conditions:\n      - type: rule_attribute\n        attribute: id\n        \
             value: 11111111-1111-4111-8111-111111111111\n"
        ));
        assert!(fail(
            "    rule_conditions:\n      - type: rule_attribute\n        attribute: title\n        value: T\n"
        ));
        assert!(fail(
            "    rule_conditions:\n      - type: logsource\n        product: linux\n      - type: tag\n        \
             tag: attack.execution\n    rule_cond_op: or\n"
        ));
        assert!(!fail(
            "    rule_conditions:\n      - type: logsource\n        product: linux\n      - type: tag\n        \
             tag: attack.execution\n"
        ));
        assert!(!fail(
            "    rule_conditions:\n      - type: logsource\n        product: windows\n    rule_cond_not: true\n"
        ));
        assert!(fail(
            "    rule_conditions:\n      win:\n        type: logsource\n        product: windows\n      lin:\n        \
             type: logsource\n        product: linux\n    rule_cond_expr: win and not lin\n"
        ));
        assert!(!fail(
            "    rule_conditions:\n      win:\n        type: logsource\n        product: windows\n      lin:\n        \
             type: logsource\n        product: linux\n    rule_cond_expr: lin or not win\n"
        ));
    }

    #[test]
    fn detection_item_failure_only_for_matching_fields() {
        let p = pipes(
            "transformations:\n  - type: detection_item_failure\n    message: no hashes here\n    field_name_conditions:\n      \
             - type: include_fields\n        fields: [Hashes]\n",
        );
        assert!(p.apply(&rule(DET)).is_ok());
        assert_eq!(p.apply(&rule("  sel:\n    Hashes|contains: x\n  condition: sel\n")).unwrap_err(), "no hashes here");
    }

    #[test]
    fn priority_orders_pipelines() {
        let a = load("priority: 50\ntransformations:\n  - type: field_name_prefix\n    prefix: late.\n", "a").unwrap();
        let b = load("priority: 10\ntransformations:\n  - type: field_name_prefix\n    prefix: early.\n", "b").unwrap();
        let p = Pipelines::new(vec![a, b]);
        assert_eq!(fields(&p.apply(&rule(DET)).unwrap())[0][0][0], "late.early.Image");
    }

    #[test]
    fn builtins_load_and_map_names() {
        for (name, _, yaml) in BUILTINS {
            let p = load(yaml, name).unwrap_or_else(|e| panic!("{name}: {:?}", e[0]));
            assert!(p.warnings.is_empty(), "{name}");
        }
        let wlb = Pipelines::new(vec![load(BUILTINS[0].2, "w").unwrap()]);
        let r = rule(DET);
        assert_eq!(wlb.map_name(&r, "Channel"), "winlog.channel");
        assert_eq!(wlb.map_name(&r, "EventID"), "winlog.event_id");
        assert_eq!(wlb.map_name(&r, "Image"), "winlog.event_data.Image");
        let ecs = Pipelines::new(vec![load(BUILTINS[1].2, "e").unwrap()]);
        assert_eq!(ecs.map_name(&r, "EventID"), "event.code");
        assert_eq!(ecs.map_name(&r, "CommandLine"), "process.command_line");
        assert_eq!(ecs.map_name(&r, "IntegrityLevel"), "winlog.event_data.IntegrityLevel");
        let reg = rule_with("  category: registry_set\n  product: windows\n", "", DET);
        assert_eq!(ecs.map_name(&reg, "TargetObject"), "registry.path");
        assert_eq!(ecs.map_name(&reg, "CommandLine"), "winlog.event_data.CommandLine");
    }

    #[test]
    fn template_substitution() {
        let r = rule(DET);
        assert_eq!(substitute_template("$product/${category}/$service/$$/$x", &r), "windows/process_creation//$/$x");
    }
}
