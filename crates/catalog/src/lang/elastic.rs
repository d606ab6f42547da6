//! Elastic rule files (`.toml` of `elastic/detection-rules` and `elastic/protections-artifacts`)
//! → the catalog's rule model, through `detwiki-elastic`.
//!
//! Mappings (documented in `docs/elastic.md`):
//! - `severity` → level (`low`, `medium`, `high`, `critical` are Sigma's levels too);
//! - `maturity` → status: `production` → `stable`, `development` → `test`, `experimental` →
//!   `experimental`, `deprecated` (or a file under `_deprecated/`) → `deprecated`; behaviour
//!   rules (no maturity) → `stable`;
//! - `creation_date`/`updated_date` (`YYYY/MM/DD`) → date/modified (`YYYY-MM-DD`);
//! - `[[rule.threat]]` → ATT&CK tags (the tactic by its name, so that Elastic's "Defense
//!   Evasion" means what v18 meant; techniques and sub-techniques by id), judged against the
//!   v19 tables as Sigma tags are;
//! - fields → the one field vocabulary (`detwiki_taxonomy::fields`), the original kept beside;
//! - events → see [`events`] (and `docs/elastic.md`).

use detwiki_elastic::predicate::{self, Kind as EKind, PredicateTree, StageRole};
use detwiki_elastic::{ElasticRule, Layout, Maturity, ParsedQuery};
use detwiki_sigma::{Level, Spanned, Status};
use detwiki_taxonomy::fields::{self, Rewrite};
use detwiki_taxonomy::logsource::{self, Lookup};

use super::{FileCtx, Highlight, HighlightClass, Language, ModelFile, ModelRule};
use crate::analysis::{EventMapping, EventRow};
use crate::indicators::{IndicatorRow, Kind, RowKey};
use crate::stages::{PredTree, Stage, StageIdentifier};

/// Elastic: TOML rule files with KQL, EQL or ES|QL queries.
pub const LANGUAGE: Language = Language {
    name: "elastic",
    title: "Elastic",
    extensions: &["toml"],
    read: Some(read),
    highlight: Some(highlight),
    sniff: None,
    attack: true,
};

/// Highlight an Elastic rule file: its TOML, and its query in KQL, EQL or ES|QL
/// ([`detwiki_elastic::highlight`]).
pub fn highlight(text: &str) -> Vec<Highlight> {
    use detwiki_elastic::highlight::Class as C;
    detwiki_elastic::highlight::highlight_file(text)
        .into_iter()
        .map(|t| Highlight {
            start: t.span.start,
            end: t.span.end,
            class: match t.class {
                C::Key => HighlightClass::Key,
                C::Table => HighlightClass::Table,
                C::String => HighlightClass::String,
                C::Number => HighlightClass::Number,
                C::Bool => HighlightClass::Bool,
                C::Comment => HighlightClass::Comment,
                C::Field => HighlightClass::Field,
                C::Keyword => HighlightClass::Keyword,
                C::Command => HighlightClass::Command,
                C::Operator => HighlightClass::Operator,
                C::Function => HighlightClass::Function,
                C::Pipe => HighlightClass::Pipe,
                C::Source => HighlightClass::Source,
            },
        })
        .collect()
}

/// Read one Elastic rule file.
pub fn read(text: &str, file: &FileCtx<'_>) -> ModelFile {
    let parsed = detwiki_elastic::parse_str(text, file.rel_path);
    let Some(rule) = parsed.rule else { return ModelFile { diagnostics: parsed.diagnostics, ..ModelFile::default() } };
    ModelFile { rules: vec![model(&rule, text, parsed.diagnostics)], ..ModelFile::default() }
}

fn date(d: &Option<String>) -> Option<String> {
    d.as_ref().map(|d| d.replace('/', "-"))
}

fn model(rule: &ElasticRule, text: &str, diagnostics: Vec<detwiki_sigma::Diagnostic>) -> ModelRule {
    let stages = rule.stages();
    let category = stage_category(&stages);
    let (events, mapping) = events(rule, category.as_deref(), &event_codes(&stages));
    ModelRule {
        id: rule.id.as_ref().map(|i| Spanned::new(i.value.clone(), i.span)),
        title: rule.name.as_ref().map(|n| n.value.clone()),
        description: rule.description.clone(),
        author: (!rule.author.is_empty()).then(|| rule.author.join(", ")),
        date: date(&rule.creation_date),
        modified: date(&rule.updated_date),
        level: rule.details.severity.as_deref().and_then(level),
        status: Some(status(rule)),
        tags: rule.tags.clone(),
        attack_tags: attack_tags(rule),
        references: rule.references.clone(),
        falsepositives: rule.false_positives.clone(),
        events,
        event_mapping: Some(mapping),
        stages: catalog_stages(rule, text, &stages),
        indicators: indicators(&stages, category.as_deref(), Platforms::of(rule, &stages)),
        details: details(rule),
        sections: Vec::new(),
        related: Vec::new(),
        diagnostics,
    }
}

fn level(s: &str) -> Option<Level> {
    Some(match s.to_ascii_lowercase().as_str() {
        "low" => Level::Low,
        "medium" => Level::Medium,
        "high" => Level::High,
        "critical" => Level::Critical,
        "informational" => Level::Informational,
        _ => return None,
    })
}

fn status(rule: &ElasticRule) -> Status {
    if rule.deprecated {
        return Status::Deprecated;
    }
    match &rule.maturity {
        Some(Maturity::Production) | None => Status::Stable,
        Some(Maturity::Development) => Status::Test,
        Some(Maturity::Deprecated) => Status::Deprecated,
        Some(Maturity::Experimental | Maturity::Other(_)) => Status::Experimental,
    }
}

/// `[[rule.threat]]` as Sigma-style ATT&CK tags.
fn attack_tags(rule: &ElasticRule) -> Vec<Spanned<String>> {
    let mut out: Vec<Spanned<String>> = Vec::new();
    let mut push = |tag: String, span| {
        if !out.iter().any(|t| t.value == tag) {
            out.push(Spanned::new(tag, span));
        }
    };
    for t in &rule.threat {
        if let Some(tactic) = &t.tactic {
            let tag = match &tactic.name {
                Some(n) => n.to_ascii_lowercase().replace(' ', "-"),
                None => tactic.id.to_ascii_lowercase(),
            };
            push(format!("attack.{tag}"), tactic.span);
        }
        for tech in &t.techniques {
            push(format!("attack.{}", tech.technique.id.to_ascii_lowercase()), tech.technique.span);
            for sub in &tech.subtechniques {
                push(format!("attack.{}", sub.id.to_ascii_lowercase()), sub.span);
            }
        }
    }
    out
}

fn details(rule: &ElasticRule) -> Vec<(String, String)> {
    let d = &rule.details;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            out.push((k.to_string(), v));
        }
    };
    put("Rule type", rule.rule_type.as_str().to_string());
    if let Some(q) = &rule.query {
        put("Query language", q.language.as_str().to_string());
    }
    put(
        "Repository layout",
        match rule.layout {
            Layout::DetectionRules => "elastic/detection-rules".into(),
            Layout::ProtectionsArtifacts => "elastic/protections-artifacts (Elastic Defend behaviour rule)".into(),
        },
    );
    put(
        "Maturity",
        match &rule.maturity {
            Some(Maturity::Production) => "production".into(),
            Some(Maturity::Development) => "development".into(),
            Some(Maturity::Experimental) => "experimental".into(),
            Some(Maturity::Deprecated) => "deprecated".into(),
            Some(Maturity::Other(s)) => s.clone(),
            None => String::new(),
        },
    );
    if rule.deprecated {
        put("Deprecated", rule.deprecation_date.clone().unwrap_or_else(|| "yes".into()));
    }
    put("Building block", rule.building_block_type.clone().unwrap_or_default());
    put("Index patterns", d.index.join(", "));
    put("Data view", d.data_view_id.clone().unwrap_or_default());
    put("Risk score", d.risk_score.map(|r| r.to_string()).unwrap_or_default());
    put("Severity", d.severity.clone().unwrap_or_default());
    put("Max signals", d.max_signals.map(|r| r.to_string()).unwrap_or_default());
    put("Interval", d.interval.clone().unwrap_or_default());
    put("Look-back (from)", d.from.clone().unwrap_or_default());
    if let Some(t) = &d.threshold {
        let mut s = format!("{} by [{}]", t.value.map(|v| format!(">= {v}")).unwrap_or_default(), t.fields.join(", "));
        for (f, v) in &t.cardinality {
            s.push_str(&format!(", cardinality({f}) >= {v}"));
        }
        put("Threshold", s.trim().to_string());
    }
    if let Some(n) = &d.new_terms {
        put("New terms fields", n.fields.join(", "));
        put("New terms history window", n.history_window_start.clone().unwrap_or_default());
    }
    if !rule.filters.is_empty() {
        let negated = rule.filters.iter().filter(|f| f.negate && !f.disabled).count();
        let disabled = rule.filters.iter().filter(|f| f.disabled).count();
        let mut s = format!("{} (ANDed with the query", rule.filters.len());
        if negated > 0 {
            s.push_str(&format!("; {negated} negated, shown as exclusions"));
        }
        if disabled > 0 {
            s.push_str(&format!("; {disabled} disabled, not applied"));
        }
        s.push(')');
        put("Kibana filters", s);
    }
    put("Machine learning jobs", d.machine_learning_job_ids.join(", "));
    put("Anomaly threshold", d.anomaly_threshold.map(|r| r.to_string()).unwrap_or_default());
    if let Some(t) = &d.threat_match {
        put("Threat indices", t.index.join(", "));
        put("Threat indicator path", t.indicator_path.clone().unwrap_or_default());
    }
    if let Some(a) = &d.alert_suppression {
        put(
            "Alert suppression",
            format!("by [{}] {}", a.group_by.join(", "), a.duration.clone().unwrap_or_default()).trim().to_string(),
        );
    }
    let actions = |v: &[detwiki_elastic::Action]| {
        v.iter()
            .map(|a| match &a.field {
                Some(f) => format!("{} {f}", a.action),
                None => a.action.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    put("Actions", actions(&d.actions));
    put("Optional actions", actions(&d.optional_actions));
    put("OS", d.os_list.join(", "));
    put("Minimum endpoint version", d.min_endpoint_version.clone().unwrap_or_default());
    put("Integrations", d.integration.join(", "));
    out
}

/// The event category the query names: the EQL category of its first stage, else the first
/// `event.category` value it tests.
fn stage_category(stages: &[predicate::Stage]) -> Option<String> {
    if let Some(c) = stages.iter().filter_map(|s| s.category.clone()).find(|c| c != "any") {
        return Some(c);
    }
    for s in stages {
        if let Some(tree) = &s.tree {
            for (p, negated) in tree.predicates() {
                if !negated
                    && p.field.as_deref() == Some("event.category")
                    && let Some(v) = p.values.first()
                {
                    return Some(v.text().to_ascii_lowercase());
                }
            }
        }
    }
    None
}

fn kind_word(k: EKind) -> &'static str {
    match k {
        EKind::Eq => "==",
        EKind::Ne => "!=",
        EKind::Match => "contains",
        EKind::StartsWith => "starts with",
        EKind::EndsWith => "ends with",
        EKind::Wildcard => "like",
        EKind::RegexMatch => "regex",
        EKind::In => "in",
        EKind::Cidr => "cidr",
        EKind::Gt => ">",
        EKind::Gte => ">=",
        EKind::Lt => "<",
        EKind::Lte => "<=",
        EKind::Exists => "exists",
    }
}

fn pred_tree(t: &PredicateTree) -> PredTree {
    match t {
        PredicateTree::And { items } => PredTree::And { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Or { items } => PredTree::Or { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Not { item } => PredTree::Not { item: Box::new(pred_tree(item)) },
        PredicateTree::Pred(p) => {
            let case = if p.case_insensitive
                && !matches!(p.kind, EKind::Exists | EKind::Gt | EKind::Gte | EKind::Lt | EKind::Lte | EKind::Cidr)
            {
                "~"
            } else {
                ""
            };
            PredTree::Pred {
                key: format!("{} {}{case}", p.field.as_deref().unwrap_or("(any field)"), kind_word(p.kind)),
                values: p.values.iter().map(|v| format!("'{}'", v.text().replace('\'', "''"))).collect(),
            }
        }
        PredicateTree::Related { relation, category, tree, .. } => PredTree::Pred {
            key: format!("{relation} [{}]", category.as_deref().unwrap_or("any")),
            values: vec![pred_tree(tree).render(0)],
        },
        PredicateTree::Opaque { text, .. } => PredTree::Keyword { value: text.clone() },
    }
}

fn catalog_stages(rule: &ElasticRule, text: &str, stages: &[predicate::Stage]) -> Vec<Stage> {
    let Some(q) = &rule.query else { return Vec::new() };
    let whole = text.get(q.span.start..q.span.end).map_or(q.text.as_str(), |_| q.text.as_str()).trim().to_string();
    let mut out = vec![Stage { stage: 0, label: "query".into(), text: whole, identifiers: Vec::new() }];
    let mut step = 0;
    for s in stages {
        let what = s.category.clone().unwrap_or_else(|| "query".into());
        let mut label = match s.role {
            StageRole::Query => match &q.parsed {
                Some(ParsedQuery::Eql(_)) => format!("{what} where"),
                _ => "query".into(),
            },
            StageRole::Step => {
                step += 1;
                format!("sequence step {step}: {what}")
            }
            StageRole::Missing => format!("missing event: {what}"),
            StageRole::Until => format!("until: {what}"),
            StageRole::Sample => format!("sample: {what}"),
        };
        if !s.by.is_empty() {
            label.push_str(&format!(" by {}", s.by.join(", ")));
        }
        if let Some(m) = &s.maxspan {
            label.push_str(&format!(" (maxspan={m})"));
        }
        if let Some(r) = s.runs {
            label.push_str(&format!(" (runs={r})"));
        }
        let tree = s.tree.as_ref().map(pred_tree);
        let text = tree.as_ref().map(|t| t.render(0)).unwrap_or_default();
        let identifiers = tree.into_iter().map(|tree| StageIdentifier { name: what.clone(), tree }).collect();
        out.push(Stage { stage: out.len(), label, text, identifiers });
    }
    out
}

/// Fields that say which events a rule reads, not what it looks for in them: what a Sigma rule
/// writes in its `logsource` (and the catalog shows as Event coverage), so they are no
/// indicators (they stay in the stages). Counted as indicators they would be shared by most
/// Elastic rules (`host.os.type == "windows"`: 549) and tell nothing about any one rule.
pub const EVENT_SELECTORS: &[&str] = &[
    "host.os.type",
    "host.os.family",
    "host.os.name",
    "host.os.platform",
    "event.category",
    "event.type",
    "event.action",
    "event.kind",
    "event.dataset",
    "event.module",
    "data_stream.dataset",
    "data_stream.namespace",
];

/// The operating systems a rule is written for, from `os_list` (behaviour rules), `OS:` tags
/// and `host.os.type`/`host.os.family` comparisons (not under a `not`). The separator a file
/// *name* gets when it becomes a *path* (`process.name` → `Image`) depends on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Platforms {
    windows: bool,
    unix: bool,
}

impl Platforms {
    fn of(rule: &ElasticRule, stages: &[predicate::Stage]) -> Platforms {
        let mut p = Platforms::default();
        let mut add = |os: &str| match os.trim().to_ascii_lowercase().as_str() {
            "windows" => p.windows = true,
            "linux" | "macos" | "darwin" | "unix" => p.unix = true,
            _ => {}
        };
        for os in &rule.details.os_list {
            add(os);
        }
        for t in &rule.tags {
            if let Some(os) = t.strip_prefix("OS: ") {
                add(os);
            }
        }
        for tree in stages.iter().filter_map(|s| s.tree.as_ref()) {
            for (pred, negated) in tree.predicates() {
                if !negated && matches!(pred.field.as_deref(), Some("host.os.type" | "host.os.family")) {
                    for v in &pred.values {
                        add(&v.text());
                    }
                }
            }
        }
        p
    }

    /// The path separator in front of file name `value` (`None`: not known, so the name is
    /// not turned into a path). A name with a Windows program extension is a Windows name in
    /// a rule for several systems (`("openssl", "openssl.exe")`).
    fn separator(self, value: &str) -> Option<char> {
        const WINDOWS_EXTENSIONS: &[&str] = &[
            ".exe", ".dll", ".com", ".bat", ".cmd", ".scr", ".cpl", ".msc", ".msi", ".ps1", ".vbs", ".vbe", ".js",
            ".jse", ".wsf", ".hta", ".sys", ".ocx", ".lnk",
        ];
        let lower = value.to_ascii_lowercase();
        let windows_name = WINDOWS_EXTENSIONS.iter().any(|e| lower.ends_with(e));
        match (self.windows, self.unix) {
            (true, false) => Some('\\'),
            (false, true) => Some('/'),
            (true, true) => Some(if windows_name { '\\' } else { '/' }),
            (false, false) => windows_name.then_some('\\'),
        }
    }
}

/// Indicator rows of the query's predicates, fields in the one vocabulary.
fn indicators(stages: &[predicate::Stage], category: Option<&str>, platforms: Platforms) -> Vec<IndicatorRow> {
    let mut rows: Vec<IndicatorRow> = Vec::new();
    for s in stages {
        let Some(tree) = &s.tree else { continue };
        let cat = s.category.as_deref().filter(|c| *c != "any").or(category);
        for (p, negated) in tree.predicates() {
            let Some(field) = &p.field else { continue };
            if EVENT_SELECTORS.contains(&field.as_str()) {
                continue;
            }
            let cased = !p.case_insensitive;
            for v in &p.values {
                let (kind, mut value) = match p.kind {
                    EKind::Eq | EKind::In => (Kind::Eq, v.text()),
                    EKind::Ne => (Kind::Neq, v.text()),
                    EKind::Match => (Kind::Match, v.text()),
                    EKind::StartsWith => (Kind::StartsWith, v.text()),
                    EKind::EndsWith => (Kind::EndsWith, v.text()),
                    EKind::Wildcard => (Kind::Wildcard, v.text()),
                    EKind::RegexMatch => (Kind::Regex, v.text()),
                    EKind::Cidr => (Kind::Cidr, v.text()),
                    EKind::Gt => (Kind::Gt, v.text()),
                    EKind::Gte => (Kind::Gte, v.text()),
                    EKind::Lt => (Kind::Lt, v.text()),
                    EKind::Lte => (Kind::Lte, v.text()),
                    EKind::Exists => (Kind::Exists, "true".to_string()),
                };
                let mut kind = kind;
                let mut canonical = field.clone();
                let mapped = fields::ecs_to_canonical(field, cat);
                if let Some(m) = mapped {
                    match (m.rewrite, kind) {
                        (Rewrite::Same, _) => canonical = m.canonical.to_string(),
                        (Rewrite::NameToPath, Kind::Eq) => {
                            if let Some(sep) = platforms.separator(&value) {
                                canonical = m.canonical.to_string();
                                kind = Kind::EndsWith;
                                value = format!("{sep}{value}");
                            }
                        }
                        (Rewrite::NameToPath, Kind::StartsWith) => {
                            if let Some(sep) = platforms.separator(&value) {
                                canonical = m.canonical.to_string();
                                kind = Kind::Match;
                                value = format!("{sep}{value}");
                            }
                        }
                        // An argument is part of the command line: an argument equal to (or
                        // starting, ending with, containing) `x` is a command line containing `x`.
                        (Rewrite::ArgToCommandLine, Kind::Eq | Kind::StartsWith | Kind::EndsWith | Kind::Match) => {
                            canonical = m.canonical.to_string();
                            kind = Kind::Match;
                        }
                        (Rewrite::NameToPath, Kind::EndsWith | Kind::Match | Kind::Exists) => {
                            canonical = m.canonical.to_string();
                        }
                        // Other comparisons of a name do not carry over to a path: keep the field.
                        _ => {}
                    }
                } else if let Some(x) = fields::event_data_name(field) {
                    canonical = x.to_string();
                }
                let norm = if cased || matches!(kind, Kind::Regex) { value.clone() } else { value.to_lowercase() };
                let key =
                    RowKey { field: Some(canonical.clone()), kind, transforms: Vec::new(), cased, exclusion: negated };
                crate::indicators::add_value(&mut rows, key, Some(field), value, norm);
            }
        }
    }
    rows
}

/// The Sigma logsource category of an ECS/EQL event category.
fn sigma_category(category: &str) -> Option<&'static str> {
    Some(match category {
        "process" => "process_creation",
        "registry" => "registry_event",
        "file" => "file_event",
        "network" => "network_connection",
        "dns" => "dns_query",
        "library" => "image_load",
        "driver" => "driver_load",
        _ => return None,
    })
}

/// The event ids the query looks for (not under a `not`), in order, each once.
fn event_codes(stages: &[predicate::Stage]) -> Vec<u32> {
    let mut out = Vec::new();
    for tree in stages.iter().filter_map(|s| s.tree.as_ref()) {
        for (p, negated) in tree.predicates() {
            let pins = matches!(p.field.as_deref(), Some("event.code" | "winlog.event_id"));
            if negated || !pins || !matches!(p.kind, EKind::Eq | EKind::In) {
                continue;
            }
            for v in &p.values {
                if let Ok(id) = v.text().parse::<u32>()
                    && !out.contains(&id)
                {
                    out.push(id);
                }
            }
        }
    }
    out
}

/// Which collectors the rule reads, from its index patterns and `Data Source:` tags.
#[derive(Default)]
struct Sources {
    sysmon: bool,
    security: bool,
    defend: bool,
    windows: bool,
}

fn sources(rule: &ElasticRule) -> Sources {
    let mut s = Sources::default();
    for i in &rule.details.index {
        let i = i.to_ascii_lowercase();
        if i.contains("sysmon") {
            s.sysmon = true;
        }
        if i.starts_with("logs-system.security") || i.starts_with("logs-windows.forwarded") {
            s.security = true;
        }
        if i.starts_with("winlogbeat-") {
            (s.sysmon, s.security) = (true, true);
        }
        if i.starts_with("logs-endpoint.events.") || i.starts_with("endgame-") {
            s.defend = true;
        }
        if i.contains("windows") || i.starts_with("winlogbeat-") {
            s.windows = true;
        }
    }
    for t in &rule.tags {
        let t = t.to_ascii_lowercase();
        match t.strip_prefix("data source: ") {
            Some(x) if x.contains("sysmon") => s.sysmon = true,
            Some(x) if x.contains("windows security event log") => s.security = true,
            Some(x) if x.contains("elastic defend") || x.contains("elastic endgame") => s.defend = true,
            _ => {}
        }
        if t == "os: windows" {
            s.windows = true;
        }
    }
    if rule.layout == Layout::ProtectionsArtifacts {
        s.defend = true;
    }
    if rule.details.os_list.iter().any(|o| o.eq_ignore_ascii_case("windows")) {
        s.windows = true;
    }
    s
}

/// Event coverage of an Elastic rule: the taxonomy's rows for the Windows logsource its event
/// category stands for, kept to the providers its index patterns and `Data Source:` tags read
/// (Sysmon, Security); Elastic Defend's events of that category when it reads Elastic Defend.
/// When neither says which events, the mapping says so.
pub fn events(rule: &ElasticRule, category: Option<&str>, codes: &[u32]) -> (Vec<EventRow>, EventMapping) {
    let src = sources(rule);
    let mut rows: Vec<EventRow> = Vec::new();
    // Event ids the query pins (`event.code`, `winlog.event_id`), on the providers it reads.
    for id in codes {
        if src.sysmon
            && let Some(row) = crate::analysis::known_event("Sysmon", *id)
        {
            rows.push(row);
        }
        if src.security {
            // Security events the taxonomy has no title for are still Security events.
            rows.push(crate::analysis::known_event("Security-Auditing", *id).unwrap_or_else(|| EventRow {
                provider: "Security-Auditing".into(),
                channel: "Security".into(),
                event_id: Some(*id),
                title: crate::analysis::data_title("Security", None, *id).unwrap_or_default(),
                field_map: Vec::new(),
            }));
        }
    }
    if !rows.is_empty() {
        return (rows, EventMapping::Mapped);
    }
    if let Some(cat) = category {
        if src.windows
            && (src.sysmon || src.security)
            && let Some(sc) = sigma_category(cat)
            && let Lookup::Mapped(m) = logsource::lookup(Some("windows"), Some(sc), None)
        {
            for e in m.events {
                let keep =
                    (src.sysmon && e.provider == "Sysmon") || (src.security && e.provider == "Security-Auditing");
                if keep {
                    rows.push(EventRow {
                        provider: e.provider.to_string(),
                        channel: e.channel.to_string(),
                        event_id: e.event_id,
                        title: e
                            .event_id
                            .and_then(|id| crate::analysis::data_title(e.channel, e.provider_name, id))
                            .unwrap_or_else(|| e.title.to_string()),
                        field_map: Vec::new(),
                    });
                }
            }
        }
        if src.defend
            && let Some(d) = detwiki_taxonomy::elastic_defend::stream(cat)
        {
            rows.push(EventRow {
                provider: "Elastic Defend".into(),
                channel: d.data_stream.to_string(),
                event_id: None,
                title: d.title.to_string(),
                field_map: Vec::new(),
            });
        }
    }
    if rows.is_empty() {
        let why = match category {
            None => "the events cannot be determined: the query names no event category".to_string(),
            Some(c) => format!(
                "the events cannot be determined: event category `{c}` over index patterns [{}] names no known provider",
                rule.details.index.join(", ")
            ),
        };
        return (rows, EventMapping::Unmapped { reason: why });
    }
    (rows, EventMapping::Mapped)
}

#[cfg(test)]
mod platform_tests {
    use super::Platforms;

    #[test]
    fn a_file_name_becomes_a_path_of_the_rules_system() {
        let windows = Platforms { windows: true, unix: false };
        let unix = Platforms { windows: false, unix: true };
        let both = Platforms { windows: true, unix: true };
        let unknown = Platforms::default();
        assert_eq!(windows.separator("rundll32.exe"), Some('\\'));
        assert_eq!(unix.separator("bash"), Some('/'));
        assert_eq!(both.separator("openssl.exe"), Some('\\'));
        assert_eq!(both.separator("openssl"), Some('/'));
        assert_eq!(unknown.separator("CMD.EXE"), Some('\\'));
        assert_eq!(unknown.separator("bash"), None, "an unknown system's bare name is not guessed");
    }
}
