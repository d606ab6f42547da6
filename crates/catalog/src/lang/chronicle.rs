//! Chronicle (Google SecOps) YARA-L 2.0 rule files (`.yaral`) → the catalog's rule model,
//! through `detwiki-chronicle`.
//!
//! Mappings (documented in `docs/chronicle.md`):
//! - meta: `rule_name` (else the rule's identifier) → title, `rule_id` → id, `severity` →
//!   level (`Info` is `informational`), `created` → date, `author`, `description`,
//!   `reference`/`references`, `false_positives`, `tags`; a file under `_deprecated/` has
//!   status `deprecated`, every other rule `stable`;
//! - ATT&CK from `tactic`/`technique` ids, `mitre_attack_tactic`/`mitre_attack_technique`
//!   names, `mitre_attack_url`s and `mitre` lists → Sigma-style tags (technique names are
//!   looked up in the ATT&CK tables);
//! - `sigma_uuid` (rules converted from Sigma) → a `derived` related link to the Sigma rule,
//!   and a `Converted from Sigma` detail;
//! - `events:` → one stage per event variable, placeholder joins as a `joins` stage, `match:`
//!   and `condition:` as stage 0; UDM fields → the one field vocabulary
//!   (`detwiki_taxonomy::chronicle_fields`), the original kept beside;
//! - events from `metadata.event_type`, `metadata.log_type`, `metadata.product_name`,
//!   `metadata.product_event_type` and the `data_source`/`platform` meta (or the Sigma
//!   `product`/`category`/`service` meta of converted SOC Prime rules): see [`events`].

use detwiki_chronicle::ast::{Literal, Rule};
use detwiki_chronicle::attack::AttackKind;
use detwiki_chronicle::lower::{Join, Kind as CKind, PredicateTree};
use detwiki_chronicle::print::expr_to_string;
use detwiki_chronicle::{ChronicleRule, Span};
use detwiki_sigma::{Level, RelationType, Spanned, Status};
use detwiki_taxonomy::chronicle_events::{self, Windows};
use detwiki_taxonomy::chronicle_fields;
use detwiki_taxonomy::logsource::{self, Lookup};

use std::path::Path;

use super::{FileCtx, Highlight, HighlightClass, Language, ModelFile, ModelRule, Section, SectionBody};
use crate::RelatedRef;
use crate::analysis::{EventMapping, EventRow};
use crate::indicators::{IndicatorRow, Kind, RowKey};
use crate::stages::{PredTree, Stage, StageIdentifier};

/// Chronicle YARA-L 2.0: `.yaral` rule files (and the LookML dashboards of the rules
/// repository, `.yaml` with a top-level `lookml:`, read as support).
pub const LANGUAGE: Language = Language {
    name: "chronicle",
    title: "Chronicle YARA-L",
    extensions: &["yaral", "yaml"],
    read: Some(read),
    highlight: Some(highlight),
    sniff: Some(sniff),
    attack: true,
};

/// Highlight a `.yaral` file ([`detwiki_chronicle::highlight`]): section headers as tables,
/// meta keys and the rule name as keys, field paths, functions, strings and regexes,
/// numbers and durations, keywords, operators, reference lists as sources, comments.
pub fn highlight(text: &str) -> Vec<Highlight> {
    use detwiki_chronicle::highlight::Class as C;
    detwiki_chronicle::highlight::highlight(text)
        .into_iter()
        .map(|h| Highlight {
            start: h.span.start,
            end: h.span.end,
            class: match h.class {
                C::Section => HighlightClass::Table,
                C::Key => HighlightClass::Key,
                C::Keyword => HighlightClass::Keyword,
                C::Field => HighlightClass::Field,
                C::Function => HighlightClass::Function,
                C::String => HighlightClass::String,
                C::Number => HighlightClass::Number,
                C::Bool => HighlightClass::Bool,
                C::Operator => HighlightClass::Operator,
                C::List => HighlightClass::Source,
                C::Comment => HighlightClass::Comment,
            },
        })
        .collect()
}

/// A `.yaral` file, or a Chronicle dashboard (`.yaml` whose top-level key is `lookml:`; no
/// Sigma file has one).
fn sniff(text: &str, path: &str) -> bool {
    path.to_ascii_lowercase().ends_with(".yaral") || super::has_top_level_key(text, "lookml:")
}

/// A Chronicle reference list: a file without an extension in a `reference_lists/` folder
/// (the values a rule reads with `in %name`), data beside the rules, never a rule.
pub fn is_reference_list(path: &Path) -> bool {
    path.extension().is_none()
        && path.parent().and_then(|p| p.file_name()).is_some_and(|d| d.eq_ignore_ascii_case("reference_lists"))
}

/// Read one `.yaral` file (a dashboard is support).
pub fn read(text: &str, file: &FileCtx<'_>) -> ModelFile {
    if !file.rel_path.to_ascii_lowercase().ends_with(".yaral") {
        return ModelFile { support: true, ..ModelFile::default() };
    }
    let parsed = detwiki_chronicle::read(text);
    let deprecated = file.rel_path.split('/').any(|p| p == "_deprecated");
    ModelFile {
        rules: parsed.rules.iter().map(|r| model(r, deprecated)).collect(),
        diagnostics: parsed.diagnostics,
        support: false,
    }
}

fn meta<'a>(rule: &'a Rule, keys: &[&str]) -> Option<&'a detwiki_chronicle::ast::MetaEntry> {
    keys.iter().find_map(|k| rule.meta(k))
}

fn meta_text(rule: &Rule, keys: &[&str]) -> Option<String> {
    meta(rule, keys).map(|m| m.value.text().trim().to_string()).filter(|s| !s.is_empty())
}

fn model(r: &ChronicleRule, deprecated: bool) -> ModelRule {
    let rule = &r.rule;
    let mut diagnostics = r.diagnostics.clone();
    let facts = Facts::of(r);
    let (events, mapping) = events(rule, &facts);
    if let EventMapping::Unmapped { reason } = &mapping {
        diagnostics.push(
            detwiki_sigma::Diagnostic::new(
                detwiki_sigma::Code::UnmappedLogsource,
                format!("the rule's events map to no known source: {reason}"),
                Some(rule.name.span),
            )
            .with_help("test `metadata.event_type`/`metadata.log_type`, or name the source in `data_source` meta"),
        );
    }
    ModelRule {
        id: meta(rule, &["rule_id"]).map(|m| Spanned::new(m.value.text(), m.value_span)),
        title: meta_text(rule, &["rule_name"]).or_else(|| Some(rule.name.name.clone())),
        description: meta_text(rule, &["description"]),
        author: meta_text(rule, &["author"]),
        date: meta_text(rule, &["created", "date"]).and_then(|d| date(&d)),
        modified: meta_text(rule, &["modified", "updated"]).and_then(|d| date(&d)),
        level: meta_text(rule, &["severity"]).and_then(|s| level(&s)),
        status: Some(if deprecated { Status::Deprecated } else { Status::Stable }),
        tags: tags(r),
        attack_tags: attack_tags(r),
        references: references(rule),
        falsepositives: meta_text(rule, &["false_positives", "falsepositives"]).into_iter().collect(),
        related: meta_text(rule, &["sigma_uuid"])
            .map(|id| vec![RelatedRef { id, relation: Some(RelationType::Derived), title: None, slug: None }])
            .unwrap_or_default(),
        events,
        event_mapping: Some(mapping),
        stages: catalog_stages(r),
        indicators: indicators(r, &facts),
        details: details(r),
        sections: sections(rule),
        diagnostics,
    }
}

/// `tags` meta (comma-separated), and the non-ATT&CK entries of a `mitre` list
/// (`car.2013-07-002`).
fn tags(r: &ChronicleRule) -> Vec<String> {
    let mut out: Vec<String> = meta_text(&r.rule, &["tags"])
        .map(|t| t.split(',').map(|x| x.trim().to_string()).filter(|x| !x.is_empty()).collect())
        .unwrap_or_default();
    for a in &r.attack {
        if a.kind == AttackKind::Tactic && a.text.contains('.') && !out.contains(&a.text) {
            out.push(a.text.clone());
        }
    }
    out
}

/// `2021-03-09` or `2018/06/01` → `YYYY-MM-DD`.
fn date(s: &str) -> Option<String> {
    let d = s.replace('/', "-");
    let ok = d.len() == 10
        && d.bytes().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == b'-' } else { c.is_ascii_digit() });
    ok.then_some(d)
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

fn references(rule: &Rule) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for m in &rule.meta {
        let k = m.key.name.to_ascii_lowercase();
        if k == "reference"
            || k == "references"
            || (k.starts_with("reference") && k[9..].bytes().all(|c| c.is_ascii_digit()))
        {
            for part in m.value.text().split([',', ' ', '\n']).map(str::trim).filter(|p| !p.is_empty()) {
                if !out.iter().any(|x| x == part) {
                    out.push(part.to_string());
                }
            }
        }
    }
    out
}

/// ATT&CK references as Sigma-style tags, with the span of the meta value they came from.
fn attack_tags(r: &ChronicleRule) -> Vec<Spanned<String>> {
    use detwiki_taxonomy::attack;
    let mut out: Vec<Spanned<String>> = Vec::new();
    let mut push = |tag: String, span: Span| {
        if !out.iter().any(|t| t.value == tag) {
            out.push(Spanned::new(tag, span));
        }
    };
    for a in &r.attack {
        match a.kind {
            AttackKind::TechniqueId => push(format!("attack.{}", a.text.to_ascii_lowercase()), a.span),
            // `car.2013-07-002`, `tool.zebrocy` in a `mitre` list: tags of other namespaces.
            AttackKind::Tactic if a.text.contains('.') => {}
            AttackKind::Tactic => {
                // By id (`TA0003`) to the tactic's name; names as written, normalised, so that a
                // v18 `Defense Evasion` stays what it meant.
                let tag = if a.text.to_ascii_uppercase().starts_with("TA")
                    && a.text[2..].bytes().all(|c| c.is_ascii_digit())
                {
                    attack::tactic(&a.text).map_or_else(|| a.text.to_ascii_lowercase(), |t| t.shortname.to_string())
                } else {
                    a.text.trim().to_ascii_lowercase().replace([' ', '_'], "-")
                };
                push(format!("attack.{tag}"), a.span);
            }
            AttackKind::TechniqueName => {
                // The whole value, else each comma-separated name.
                let found = technique_by_name(&a.text)
                    .map(|t| vec![t])
                    .unwrap_or_else(|| a.text.split(',').filter_map(|n| technique_by_name(n.trim())).collect());
                for t in found {
                    push(format!("attack.{}", t.to_ascii_lowercase()), a.span);
                }
            }
        }
    }
    out
}

/// A technique id by its name (`Account Manipulation: Additional Cloud Roles`, `Valid
/// Accounts`), active techniques first.
fn technique_by_name(name: &str) -> Option<&'static str> {
    let all = detwiki_taxonomy::attack::techniques();
    let matches = |t: &&detwiki_taxonomy::attack::Technique| {
        t.full_name.eq_ignore_ascii_case(name) || (t.parent.is_none() && t.name.eq_ignore_ascii_case(name))
    };
    all.iter().filter(matches).find(|t| t.is_active()).or_else(|| all.iter().find(matches)).map(|t| t.id)
}

/// What the rule says about its events: UDM values it tests and its meta.
#[derive(Default, Debug)]
struct Facts {
    event_types: Vec<String>,
    log_types: Vec<String>,
    product_names: Vec<String>,
    product_event_types: Vec<String>,
}

impl Facts {
    fn of(r: &ChronicleRule) -> Facts {
        let mut f = Facts::default();
        for s in &r.lowered.stages {
            for (p, negated) in s.tree.predicates() {
                if negated || !matches!(p.kind, CKind::Eq) {
                    continue;
                }
                let slot = match p.field.as_str() {
                    "metadata.event_type" => &mut f.event_types,
                    "metadata.log_type" => &mut f.log_types,
                    "metadata.product_name" => &mut f.product_names,
                    "metadata.product_event_type" => &mut f.product_event_types,
                    _ => continue,
                };
                for v in &p.values {
                    if !slot.contains(v) {
                        slot.push(v.clone());
                    }
                }
            }
        }
        f
    }

    /// The field-vocabulary categories of the event types (`process`, `network` …).
    fn categories(&self) -> Vec<&'static str> {
        self.event_types.iter().filter_map(|t| chronicle_events::event_type(t)?.field_category).collect()
    }
}

/// The sources the rule reads: from its log types and product names, else its meta.
fn sources(rule: &Rule, facts: &Facts) -> Vec<&'static chronicle_events::Source> {
    fn add(out: &mut Vec<&'static chronicle_events::Source>, s: &'static chronicle_events::Source) {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    let mut out: Vec<&'static chronicle_events::Source> = Vec::new();
    for s in facts.log_types.iter().filter_map(|l| chronicle_events::by_log_type(l)) {
        add(&mut out, s);
    }
    for s in facts.product_names.iter().filter_map(|p| chronicle_events::by_product_name(p)) {
        add(&mut out, s);
    }
    for key in ["data_source", "service", "platform"] {
        if !out.is_empty() {
            break;
        }
        for s in meta_text(rule, &[key]).map(|v| chronicle_events::by_words(&v)).unwrap_or_default() {
            add(&mut out, s);
        }
    }
    out
}

/// A Windows rule: a Windows source, `platform`/`product` meta naming Windows, or (no source
/// named at all) a rule name that says `windows`.
fn is_windows(rule: &Rule, sources: &[&chronicle_events::Source]) -> bool {
    sources.iter().any(|s| s.windows != Windows::No)
        || ["platform", "product"]
            .iter()
            .any(|k| meta_text(rule, &[k]).is_some_and(|v| v.to_ascii_lowercase().contains("windows")))
        || (sources.is_empty() && rule.name.name.to_ascii_lowercase().split('_').any(|w| w == "windows" || w == "win"))
}

fn row_of(e: &logsource::EventSource) -> EventRow {
    EventRow {
        provider: e.provider.to_string(),
        channel: e.channel.to_string(),
        event_id: e.event_id,
        title: e
            .event_id
            .and_then(|id| crate::analysis::data_title(e.channel, e.provider_name, id))
            .unwrap_or_else(|| e.title.to_string()),
        field_map: Vec::new(),
    }
}

/// Event coverage of a YARA-L rule.
///
/// 1. A converted SOC Prime rule's Sigma logsource meta (`product`, `category`, `service`,
///    any of them): the taxonomy's rows for it.
/// 2. A Windows rule (a Sysmon or Windows event log source, or `platform = "Windows"`):
///    `metadata.product_event_type` ids on its providers, else the taxonomy's rows for the
///    Sigma category of its `metadata.event_type` (`PROCESS_LAUNCH` → `process_creation` →
///    Sysmon 1, Security 4688), kept to the providers it names.
/// 3. Any other source: a row per source (`AWS CloudTrail`, channel its log type), titled
///    with the event types it tests.
fn events(rule: &Rule, facts: &Facts) -> (Vec<EventRow>, EventMapping) {
    let mut rows: Vec<EventRow> = Vec::new();
    let product = meta_text(rule, &["product"]).map(|s| s.to_ascii_lowercase());
    let category = meta_text(rule, &["category"]).map(|s| s.to_ascii_lowercase());
    let service = meta_text(rule, &["service"]).map(|s| s.to_ascii_lowercase());
    if (product.is_some() || category.is_some() || service.is_some())
        && let Lookup::Mapped(m) = logsource::lookup(product.as_deref(), category.as_deref(), service.as_deref())
    {
        rows.extend(m.events.iter().map(row_of));
        if !rows.is_empty() {
            return (rows, EventMapping::Mapped);
        }
    }
    let sources = sources(rule, facts);
    if is_windows(rule, &sources) {
        let sysmon = sources.iter().any(|s| s.windows == Windows::Sysmon);
        let eventlog = sources.iter().any(|s| s.windows == Windows::EventLog);
        let keep = |provider: &str| match (sysmon, eventlog) {
            (false, false) => true,
            _ => (sysmon && provider == "Sysmon") || (eventlog && provider != "Sysmon"),
        };
        for id in facts.product_event_types.iter().filter_map(|v| v.parse::<u32>().ok()) {
            for provider in ["Sysmon", "Security-Auditing"] {
                if keep(provider)
                    && let Some(row) = crate::analysis::known_event(provider, id)
                    && !rows.contains(&row)
                {
                    rows.push(row);
                }
            }
        }
        if rows.is_empty() {
            for t in facts.event_types.iter().filter_map(|t| chronicle_events::event_type(t)) {
                for (channel, provider, id) in t.windows_events {
                    let row = EventRow {
                        provider: (if *provider == "Security-Auditing" { provider } else { channel }).to_string(),
                        channel: channel.to_string(),
                        event_id: Some(*id),
                        title: crate::analysis::data_title(channel, None, *id).unwrap_or_else(|| t.title.to_string()),
                        field_map: Vec::new(),
                    };
                    if keep(&row.provider) && !rows.contains(&row) {
                        rows.push(row);
                    }
                }
                let Some(cat) = t.sigma_category else { continue };
                if let Lookup::Mapped(m) = logsource::lookup(Some("windows"), Some(cat), None) {
                    for e in m.events.iter().filter(|e| keep(e.provider)) {
                        let row = row_of(e);
                        if !rows.contains(&row) {
                            rows.push(row);
                        }
                    }
                }
            }
        }
        if !rows.is_empty() {
            return (rows, EventMapping::Mapped);
        }
    }
    let types = facts.event_types.join(", ");
    for s in sources.iter().filter(|s| s.windows == Windows::No) {
        rows.push(EventRow {
            provider: s.provider.to_string(),
            channel: s.log_type.to_string(),
            event_id: None,
            title: if types.is_empty() { format!("{} events", s.provider) } else { types.clone() },
            field_map: Vec::new(),
        });
    }
    if !rows.is_empty() {
        return (rows, EventMapping::Mapped);
    }
    let reason = match (facts.event_types.is_empty(), sources.is_empty()) {
        (true, true) => "the rule tests no `metadata.event_type` and names no log source".to_string(),
        _ if facts.event_types.is_empty() => "the rule names its source but tests no `metadata.event_type`".to_string(),
        _ => format!("event types [{types}] on no known source (no log type, product name or Windows platform)"),
    };
    (rows, EventMapping::Unmapped { reason })
}

fn details(r: &ChronicleRule) -> Vec<(String, String)> {
    let rule = &r.rule;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            out.push((k.to_string(), v));
        }
    };
    put("Rule name", rule.name.name.clone());
    put("Type", meta_text(rule, &["type"]).unwrap_or_default());
    put("Data source", meta_text(rule, &["data_source"]).unwrap_or_default());
    put("Platform", meta_text(rule, &["platform"]).unwrap_or_default());
    put("Priority", meta_text(rule, &["priority"]).unwrap_or_default());
    put("Severity", meta_text(rule, &["severity"]).unwrap_or_default());
    if let Some(id) = meta_text(rule, &["sigma_uuid"]) {
        let status = meta_text(rule, &["sigma_status"]).map(|s| format!(" (Sigma status {s})")).unwrap_or_default();
        put("Converted from Sigma", format!("{id}{status}"));
    }
    let logsource: Vec<String> = ["product", "category", "service"]
        .iter()
        .filter_map(|k| meta_text(rule, &[k]).map(|v| format!("{k}: {v}")))
        .collect();
    put("Sigma logsource (meta)", logsource.join(", "));
    if let Some(m) = &rule.match_section {
        let vars: Vec<String> = m.vars.iter().map(|v| format!("${}", v.name)).collect();
        let pivot = m.pivot.as_ref().map(|(w, v)| format!(" {w} ${}", v.name)).unwrap_or_default();
        put("Match", format!("{} {} {}{pivot}", vars.join(", "), m.window_kind, m.window));
    }
    put(
        "Options",
        rule.options
            .iter()
            .map(|o| {
                let v = match &o.value {
                    Literal::String(s) => format!("\"{s}\""),
                    other => other.text(),
                };
                format!("{} = {v}", o.key.name)
            })
            .collect::<Vec<_>>()
            .join(", "),
    );
    let mut lists: Vec<String> = Vec::new();
    for s in &r.lowered.stages {
        for (p, _) in s.tree.predicates() {
            if p.kind == CKind::InList {
                for v in &p.values {
                    if !lists.contains(v) {
                        lists.push(v.clone());
                    }
                }
            }
        }
    }
    put("Reference lists", lists.join(", "));
    put("Version", meta_text(rule, &["rule_version", "version"]).unwrap_or_default());
    put("Assumption", meta_text(rule, &["assumption", "assumptions"]).unwrap_or_default());
    put("License", meta_text(rule, &["license"]).unwrap_or_default());
    out
}

/// The `outcome:` section as a table: what an alert carries (risk score, ATT&CK, fields).
fn sections(rule: &Rule) -> Vec<Section> {
    if rule.outcome.is_empty() {
        return Vec::new();
    }
    let rows = rule.outcome.iter().map(|a| vec![format!("${}", a.var.name), expr_to_string(&a.value)]).collect();
    vec![Section {
        title: "Outcome".into(),
        body: SectionBody::Table { header: vec!["Variable".into(), "Value".into()], rows },
    }]
}

fn kind_word(k: CKind) -> &'static str {
    match k {
        CKind::Eq => "=",
        CKind::Ne => "!=",
        CKind::Match => "contains",
        CKind::StartsWith => "starts with",
        CKind::EndsWith => "ends with",
        CKind::RegexMatch => "regex",
        CKind::Cidr => "cidr",
        CKind::Gt => ">",
        CKind::Gte => ">=",
        CKind::Lt => "<",
        CKind::Lte => "<=",
        CKind::Exists => "exists",
        CKind::InList => "in",
    }
}

fn pred_tree(t: &PredicateTree) -> PredTree {
    match t {
        PredicateTree::And { items } => PredTree::And { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Or { items } => PredTree::Or { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Not { item } => PredTree::Not { item: Box::new(pred_tree(item)) },
        PredicateTree::Pred(p) => {
            let case = if p.case_insensitive { " nocase" } else { "" };
            PredTree::Pred {
                key: format!("{} {}{case}", p.field, kind_word(p.kind)),
                values: p
                    .values
                    .iter()
                    .map(|v| if p.kind == CKind::InList { v.clone() } else { format!("'{}'", v.replace('\'', "''")) })
                    .collect(),
            }
        }
        PredicateTree::Opaque { text, .. } => PredTree::Keyword { value: text.clone() },
    }
}

fn join_text(j: &Join) -> String {
    let sides: Vec<String> = j.sides.iter().map(|s| format!("${}.{}", s.var, s.field)).collect();
    match &j.placeholder {
        Some(p) => format!("${p} = {}", sides.join(" = ")),
        None => sides.join(" = "),
    }
}

/// Stage 0: `condition` (with `match:`); then one stage per event variable; then the joins.
fn catalog_stages(r: &ChronicleRule) -> Vec<Stage> {
    let rule = &r.rule;
    let mut text = rule.condition.as_ref().map(expr_to_string).unwrap_or_default();
    let mut label = "condition".to_string();
    if let Some(m) = &rule.match_section {
        let vars: Vec<String> = m.vars.iter().map(|v| format!("${}", v.name)).collect();
        let pivot = m.pivot.as_ref().map(|(w, v)| format!(" {w} ${}", v.name)).unwrap_or_default();
        let window = format!("{} {} {}{pivot}", vars.join(", "), m.window_kind, m.window);
        label = format!("condition (match {window})");
        text = format!("match: {window}\ncondition: {text}");
    }
    let mut out = vec![Stage { stage: 0, label, text, identifiers: Vec::new() }];
    for s in &r.lowered.stages {
        let name = s.var.as_ref().map_or_else(|| "several events".to_string(), |v| format!("${v}"));
        let tree = pred_tree(&s.tree);
        let text = tree.render(0);
        let label = match &s.var {
            Some(v) => format!("event ${v}"),
            None => "across events".to_string(),
        };
        out.push(Stage { stage: out.len(), label, text, identifiers: vec![StageIdentifier { name, tree }] });
    }
    if !r.lowered.joins.is_empty() {
        let lines: Vec<String> = r.lowered.joins.iter().map(join_text).collect();
        let tree = PredTree::And { items: lines.iter().map(|l| PredTree::Keyword { value: l.clone() }).collect() };
        out.push(Stage {
            stage: out.len(),
            label: "joins".into(),
            text: lines.join("\n"),
            identifiers: vec![StageIdentifier { name: "joins".into(), tree }],
        });
    }
    out
}

/// UDM fields that say which events a rule reads, not what it looks for: shown in the
/// stages, no indicators.
pub const EVENT_SELECTORS: &[&str] = &[
    "metadata.event_type",
    "metadata.log_type",
    "metadata.product_name",
    "metadata.vendor_name",
    "graph.metadata.entity_type",
    "graph.metadata.source_type",
    "graph.metadata.product_name",
];

fn indicators(r: &ChronicleRule, facts: &Facts) -> Vec<IndicatorRow> {
    let mut cats: Vec<&str> = facts.categories();
    let sources = sources(&r.rule, facts);
    if is_windows(&r.rule, &sources) {
        cats.push("windows");
    }
    if sources.iter().any(|s| s.log_type == "AWS_CLOUDTRAIL") {
        cats.push("cloudtrail");
    }
    let mut rows: Vec<IndicatorRow> = Vec::new();
    for s in &r.lowered.stages {
        for (p, negated) in s.tree.predicates() {
            if EVENT_SELECTORS.contains(&p.field.as_str()) || p.kind == CKind::InList {
                continue;
            }
            let cased = !p.case_insensitive;
            let kind = match p.kind {
                CKind::Eq => Kind::Eq,
                CKind::Ne => Kind::Neq,
                CKind::Match => Kind::Match,
                CKind::StartsWith => Kind::StartsWith,
                CKind::EndsWith => Kind::EndsWith,
                CKind::RegexMatch => Kind::Regex,
                CKind::Cidr => Kind::Cidr,
                CKind::Gt => Kind::Gt,
                CKind::Gte => Kind::Gte,
                CKind::Lt => Kind::Lt,
                CKind::Lte => Kind::Lte,
                CKind::Exists => Kind::Exists,
                CKind::InList => continue,
            };
            let canonical = chronicle_fields::udm_to_canonical(&p.field, &cats)
                .map_or_else(|| p.field.clone(), |m| m.canonical.to_string());
            let values: Vec<String> = if p.kind == CKind::Exists { vec!["true".into()] } else { p.values.clone() };
            for value in values {
                let norm = if cased || kind == Kind::Regex { value.clone() } else { value.to_lowercase() };
                let key =
                    RowKey { field: Some(canonical.clone()), kind, transforms: Vec::new(), cased, exclusion: negated };
                crate::indicators::add_value(&mut rows, key, Some(&p.field), value, norm);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_levels_and_technique_names() {
        assert_eq!(date("2018/06/01").as_deref(), Some("2018-06-01"));
        assert_eq!(date("2021-03-09").as_deref(), Some("2021-03-09"));
        assert_eq!(date("March 2021"), None);
        assert_eq!(level("Info"), Some(Level::Informational));
        assert_eq!(technique_by_name("Account Manipulation: Additional Cloud Roles"), Some("T1098.003"));
        assert_eq!(technique_by_name("Valid Accounts"), Some("T1078"));
    }
}
