//! Splunk security_content detections (`detections/**/*.yml`) → the catalog's rule model,
//! through `detwiki-splunk`. The repository around a file (`macros/`, `data_sources/`,
//! `stories/`, found from the file's folder upwards) is read once per root; its macro, data
//! source and story files are support files of the language ([`ModelFile::support`]).
//!
//! Mappings (documented in `docs/splunk.md`):
//! - `status`: `production` → `stable`, `experimental` → `experimental`, `validation` →
//!   `test`, `deprecated` (or a file under `deprecated/`) → `deprecated`; no level (Splunk
//!   detections have none: `type`, risk score, confidence and impact are in Details);
//! - `tags.mitre_attack_id` → technique tags; their tactics are derived from ATT&CK v19 (each
//!   tactic of the technique), and Details says so;
//! - `data_source` → event rows through `data_sources/*.yml` (`source`, `sourcetype`, event
//!   id): Windows channels to the taxonomy's providers, other sourcetypes through
//!   `detwiki_taxonomy::splunk_events`; a name that resolves to nothing is a finding;
//! - fields → the one vocabulary (`detwiki_taxonomy::splunk_fields`, then the repository's
//!   `field_mappings`), `drop_dm_object_name(X)` giving later bare names their `X.` back.

use detwiki_diagnostics::{Code, Diagnostic};
use detwiki_sigma::{Spanned, Status};
use detwiki_splunk::repo::{DataSource, Repo};
use detwiki_splunk::rule::{FileKind, SplunkRule};
use detwiki_splunk::spl::{Body, Kind as SKind, PredicateTree, Stage as SStage};
use detwiki_taxonomy::fields::{FieldMapping, Rewrite};

use super::{FileCtx, Highlight, HighlightClass, Language, ModelFile, ModelRule, Section, SectionBody};
use crate::analysis::{EventMapping, EventRow};
use crate::indicators::{IndicatorRow, Kind, RowKey};
use crate::stages::{PredTree, Stage, StageIdentifier};

/// Splunk: security_content detection YAML with SPL searches.
pub const LANGUAGE: Language = Language {
    name: "splunk",
    title: "Splunk",
    extensions: &["yml", "yaml"],
    read: Some(read),
    highlight: Some(highlight),
    sniff: Some(sniff),
    attack: true,
};

/// Highlight a detection file: its top-level keys and its search, token by token
/// ([`detwiki_splunk::highlight`]).
pub fn highlight(text: &str) -> Vec<Highlight> {
    use detwiki_splunk::highlight::Class as C;
    detwiki_splunk::highlight::highlight(text)
        .into_iter()
        .map(|(span, class)| Highlight {
            start: span.start,
            end: span.end,
            class: match class {
                C::Key => HighlightClass::Key,
                C::Pipe => HighlightClass::Pipe,
                C::Command => HighlightClass::Command,
                C::Field => HighlightClass::Field,
                C::Operator => HighlightClass::Operator,
                C::String => HighlightClass::String,
                C::Keyword => HighlightClass::Keyword,
                C::Function => HighlightClass::Function,
                C::Number => HighlightClass::Number,
            },
        })
        .collect()
}

/// A security_content file: a detection (`search:`), macro (`definition:`), data source
/// (`sourcetype:`/`separator:`) or story (`narrative:`), and no Sigma `detection:`.
fn sniff(text: &str, _path: &str) -> bool {
    detwiki_splunk::rule::sniff(text).is_some()
}

/// Read one file of a security_content repository.
pub fn read(text: &str, file: &FileCtx<'_>) -> ModelFile {
    let repo = Repo::for_path(file.path);
    let parsed = detwiki_splunk::parse_rule(text, file.rel_path, repo.as_deref());
    match (parsed.kind, parsed.rule) {
        (Some(FileKind::Detection), Some(rule)) => {
            ModelFile { rules: vec![model(&rule, parsed.diagnostics, repo.as_deref())], ..ModelFile::default() }
        }
        (Some(FileKind::Detection), None) => ModelFile { diagnostics: parsed.diagnostics, ..ModelFile::default() },
        _ => ModelFile { diagnostics: parsed.diagnostics, support: true, ..ModelFile::default() },
    }
}

fn status(rule: &SplunkRule) -> Option<Status> {
    if rule.deprecated {
        return Some(Status::Deprecated);
    }
    Some(match rule.status.as_deref()?.to_ascii_lowercase().as_str() {
        "production" => Status::Stable,
        "experimental" => Status::Experimental,
        "validation" | "test" => Status::Test,
        "deprecated" => Status::Deprecated,
        _ => return None,
    })
}

fn date(d: &Option<String>) -> Option<String> {
    let d = d.as_deref()?.trim();
    let ok = d.len() == 10
        && d.bytes().enumerate().all(|(i, b)| if i == 4 || i == 7 { b == b'-' } else { b.is_ascii_digit() });
    ok.then(|| d.to_string())
}

fn model(rule: &SplunkRule, mut diagnostics: Vec<Diagnostic>, repo: Option<&Repo>) -> ModelRule {
    let (events, mapping, event_diags) = events(rule, repo);
    diagnostics.extend(event_diags);
    let stages = rule.search.as_ref().map(|s| s.stages()).unwrap_or_default();
    let platforms = Platforms::of(&events);
    ModelRule {
        id: rule.id.as_ref().map(|i| Spanned::new(i.value.clone(), i.span)),
        title: rule.name.as_ref().map(|n| n.value.clone()),
        description: rule.description.clone(),
        author: rule.author.clone(),
        date: date(&rule.date),
        modified: None,
        level: None,
        status: status(rule),
        tags: tags(rule),
        attack_tags: attack_tags(rule),
        references: rule.references.clone(),
        falsepositives: rule.known_false_positives.iter().cloned().collect(),
        events,
        event_mapping: Some(mapping),
        stages: catalog_stages(rule, &stages),
        indicators: indicators(rule, &stages, repo, platforms),
        details: details(rule, &stages),
        sections: sections(rule, repo),
        related: Vec::new(),
        diagnostics,
    }
}

fn tags(rule: &SplunkRule) -> Vec<String> {
    let t = &rule.tags;
    let mut out: Vec<String> = t.analytic_story.iter().map(|s| format!("analytic_story: {s}")).collect();
    out.extend(t.security_domain.iter().map(|s| format!("security_domain: {s}")));
    out.extend(t.asset_type.iter().map(|s| format!("asset_type: {s}")));
    out.extend(t.cve.iter().map(|s| format!("cve: {s}")));
    out
}

/// Techniques as written, then each one's ATT&CK v19 tactics (derived: Splunk names none).
fn attack_tags(rule: &SplunkRule) -> Vec<Spanned<String>> {
    let mut out: Vec<Spanned<String>> = Vec::new();
    let mut push = |tag: String, span| {
        if !out.iter().any(|t| t.value == tag) {
            out.push(Spanned::new(tag, span));
        }
    };
    for t in &rule.tags.mitre_attack_id {
        push(format!("attack.{}", t.value.trim().to_ascii_lowercase()), t.span);
    }
    for t in &rule.tags.mitre_attack_id {
        if let Some(tech) = detwiki_taxonomy::attack::technique(t.value.trim()) {
            for tactic in tech.current().tactic_list() {
                push(format!("attack.{}", tactic.shortname), t.span);
            }
        }
    }
    out
}

fn details(rule: &SplunkRule, stages: &[SStage]) -> Vec<(String, String)> {
    let t = &rule.tags;
    let mut out: Vec<(String, String)> = Vec::new();
    let mut put = |k: &str, v: String| {
        if !v.is_empty() {
            out.push((k.to_string(), v));
        }
    };
    put("Type", rule.rule_type.clone().unwrap_or_default());
    put("Version", rule.version.clone().unwrap_or_default());
    put("Status", rule.status.clone().unwrap_or_default());
    if rule.deprecated {
        put("Deprecated", "yes".into());
    }
    put("Security domain", t.security_domain.clone().unwrap_or_default());
    put("Asset type", t.asset_type.clone().unwrap_or_default());
    put("Risk score", t.risk_score.clone().unwrap_or_default());
    put("Confidence", t.confidence.clone().unwrap_or_default());
    put("Impact", t.impact.clone().unwrap_or_default());
    put("Risk message", t.message.clone().unwrap_or_default());
    put("Data sources", rule.data_sources.iter().map(|d| d.value.as_str()).collect::<Vec<_>>().join(", "));
    let mut models: Vec<&str> = stages.iter().filter_map(|s| s.datamodel.as_deref()).collect();
    models.dedup();
    put("Data models", models.join(", "));
    if !t.mitre_attack_id.is_empty() {
        put(
            "ATT&CK tactics",
            "derived from the techniques (each tactic ATT&CK v19 lists them under); Splunk names techniques only"
                .into(),
        );
    }
    if let Some(s) = &rule.search {
        let macros: Vec<String> = s
            .expanded
            .uses
            .iter()
            .map(|u| {
                let kind = match u.kind {
                    detwiki_splunk::expand::MacroKind::Defined => "",
                    detwiki_splunk::expand::MacroKind::Filter => " (filter, empty)",
                    detwiki_splunk::expand::MacroKind::Formatting => " (formatting)",
                    detwiki_splunk::expand::MacroKind::Undefined => " (undefined)",
                };
                format!("{}{kind}", u.name)
            })
            .collect();
        put("Macros", macros.join(", "));
    }
    put("Products", t.product.join(", "));
    put("Required fields", t.required_fields.join(", "));
    put("Observables", t.observables.join(", "));
    put("Drilldown searches", if rule.drilldowns > 0 { rule.drilldowns.to_string() } else { String::new() });
    put("Tests", if rule.tests.is_empty() { String::new() } else { rule.tests.len().to_string() });
    out
}

fn sections(rule: &SplunkRule, repo: Option<&Repo>) -> Vec<Section> {
    let mut out = Vec::new();
    if let Some(h) = &rule.how_to_implement {
        out.push(Section { title: "How to implement".into(), body: SectionBody::Text { text: h.clone() } });
    }
    if !rule.tags.analytic_story.is_empty() {
        let rows = rule
            .tags
            .analytic_story
            .iter()
            .map(|name| {
                let story = repo.and_then(|r| r.story(name));
                vec![
                    name.clone(),
                    story.and_then(|s| s.description.clone()).unwrap_or_default(),
                    story.map_or_else(|| "not in stories/".to_string(), |s| s.path.clone()),
                ]
            })
            .collect();
        out.push(Section {
            title: "Analytic stories".into(),
            body: SectionBody::Table { header: vec!["Story".into(), "Description".into(), "File".into()], rows },
        });
    }
    if let Some(s) = &rule.search
        && !s.expanded.uses.is_empty()
    {
        out.push(Section {
            title: "Search with macros expanded".into(),
            body: SectionBody::Code {
                language: "spl".into(),
                // One command a line.
                text: match &s.pipeline {
                    Some(p) => {
                        let lead = if p.commands.first().is_some_and(|c| !c.implicit) { "| " } else { "" };
                        let cmds: Vec<String> = p.commands.iter().map(|c| c.to_string()).collect();
                        format!("{lead}{}", cmds.join("\n| "))
                    }
                    None => s.expanded.text.trim().to_string(),
                },
            },
        });
    }
    if !rule.tests.is_empty() {
        let rows = rule
            .tests
            .iter()
            .flat_map(|t| {
                let name = t.name.clone();
                let data = if t.attack_data.is_empty() {
                    vec![(String::new(), String::new(), String::new())]
                } else {
                    t.attack_data.clone()
                };
                data.into_iter().map(move |(d, src, st)| vec![name.clone(), d, src, st])
            })
            .collect();
        out.push(Section {
            title: "Tests".into(),
            body: SectionBody::Table {
                header: vec!["Test".into(), "Attack data".into(), "Source".into(), "Sourcetype".into()],
                rows,
            },
        });
    }
    out
}

/// The event id or name a data source stands for: its name's last word when the data source
/// has a `separator` (`Sysmon EventID 13` → `13`, `CrowdStrike ProcessRollup2` →
/// `ProcessRollup2`), or a trailing number.
fn event_of(d: &DataSource) -> (Option<u32>, Option<String>) {
    let last = d.name.rsplit(' ').next().unwrap_or("");
    match last.parse::<u32>() {
        Ok(id) => (Some(id), None),
        Err(_) => (None, d.separator.as_ref().map(|_| d.name.clone())),
    }
}

/// The provider of a Windows event log channel: the taxonomy's for that channel (and id),
/// else the channel's own name.
fn windows_row(channel: &str, id: Option<u32>, name: &str) -> EventRow {
    let known = |provider: &str| id.and_then(|i| crate::analysis::known_event(provider, i));
    if channel.eq_ignore_ascii_case("Microsoft-Windows-Sysmon/Operational")
        && let Some(r) = known("Sysmon")
    {
        return r;
    }
    if channel.eq_ignore_ascii_case("Security")
        && let Some(r) = known("Security-Auditing")
    {
        return r;
    }
    let events = || detwiki_taxonomy::logsource::mappings().iter().flat_map(|m| m.events.iter());
    let same = |e: &&detwiki_taxonomy::logsource::EventSource| e.channel.eq_ignore_ascii_case(channel);
    let provider = events()
        .find(|e| same(e) && e.event_id == id && id.is_some())
        .or_else(|| events().find(|e| same(e)))
        .map(|e| e.provider.to_string())
        .unwrap_or_else(|| match channel {
            "Security" => "Security-Auditing".to_string(),
            c => c.trim_start_matches("Microsoft-Windows-").split('/').next().unwrap_or(c).to_string(),
        });
    let channel = events().find(|e| same(e)).map_or(channel, |e| e.channel);
    EventRow {
        provider,
        channel: channel.to_string(),
        event_id: id,
        title: id.and_then(|i| crate::analysis::known_title(channel, i)).unwrap_or_else(|| name.to_string()),
        field_map: Vec::new(),
    }
}

/// The event rows of one data source; `None` when its source maps to nothing known.
fn rows_of(d: &DataSource) -> Option<EventRow> {
    let (id, name) = event_of(d);
    let source = d.source.as_deref().unwrap_or("");
    let lower = source.to_ascii_lowercase();
    for prefix in ["xmlwineventlog:", "wineventlog:"] {
        if lower.starts_with(prefix) {
            return Some(windows_row(&source[prefix.len()..], id, &d.name));
        }
    }
    let st = detwiki_taxonomy::splunk_events::by_sourcetype(d.sourcetype.as_deref().unwrap_or(""))?;
    if st.provider == "Sysmon for Linux"
        && let Some(r) = id.and_then(|i| crate::analysis::known_event("Sysmon for Linux", i))
    {
        return Some(r);
    }
    Some(EventRow {
        provider: st.provider.to_string(),
        channel: st.channel.to_string(),
        event_id: id,
        title: name.unwrap_or_else(|| st.title.to_string()),
        field_map: Vec::new(),
    })
}

/// Event coverage: each `data_source` (each part of `A AND B`) through `data_sources/`.
fn events(rule: &SplunkRule, repo: Option<&Repo>) -> (Vec<EventRow>, EventMapping, Vec<Diagnostic>) {
    let mut rows: Vec<EventRow> = Vec::new();
    let mut diags = Vec::new();
    let Some(repo) = repo else {
        let reason = "the events cannot be determined: no `data_sources/` folder was found above the file".to_string();
        return (rows, EventMapping::Unmapped { reason }, diags);
    };
    for ds in &rule.data_sources {
        for part in ds.value.split(" AND ") {
            let Some(d) = repo.data_source(part) else { continue };
            match rows_of(d) {
                Some(r) => {
                    if !rows.iter().any(|x| {
                        x.provider == r.provider
                            && x.channel == r.channel
                            && x.event_id == r.event_id
                            && x.title == r.title
                    }) {
                        rows.push(r);
                    }
                }
                None => diags.push(
                    Diagnostic::new(
                        Code::UnknownDataSource,
                        format!(
                            "data source `{}` (source `{}`, sourcetype `{}`) maps to no known events",
                            d.name,
                            d.source.as_deref().unwrap_or("?"),
                            d.sourcetype.as_deref().unwrap_or("?")
                        ),
                        Some(ds.span),
                    )
                    .with_help("add its sourcetype to detwiki_taxonomy::splunk_events"),
                ),
            }
        }
    }
    if rows.is_empty() {
        let reason = if rule.data_sources.is_empty() {
            "the events cannot be determined: the detection names no `data_source`".to_string()
        } else {
            "the events cannot be determined: no `data_source` resolves to known events".to_string()
        };
        return (rows, EventMapping::Unmapped { reason }, diags);
    }
    (rows, EventMapping::Mapped, diags)
}

fn kind_word(k: SKind) -> &'static str {
    match k {
        SKind::Eq => "==",
        SKind::Ne => "!=",
        SKind::Match => "contains",
        SKind::StartsWith => "starts with",
        SKind::EndsWith => "ends with",
        SKind::Wildcard => "like",
        SKind::RegexMatch => "regex",
        SKind::In => "in",
        SKind::Cidr => "cidr",
        SKind::Gt => ">",
        SKind::Gte => ">=",
        SKind::Lt => "<",
        SKind::Lte => "<=",
        SKind::Exists => "exists",
    }
}

fn pred_tree(t: &PredicateTree) -> PredTree {
    match t {
        PredicateTree::And { items } => PredTree::And { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Or { items } => PredTree::Or { items: items.iter().map(pred_tree).collect() },
        PredicateTree::Not { item } => PredTree::Not { item: Box::new(pred_tree(item)) },
        PredicateTree::Pred(p) => {
            let case = if p.case_insensitive
                && !matches!(p.kind, SKind::Exists | SKind::Gt | SKind::Gte | SKind::Lt | SKind::Lte)
            {
                "~"
            } else {
                ""
            };
            PredTree::Pred {
                key: format!("{} {}{case}", p.field.as_deref().unwrap_or("(any field)"), kind_word(p.kind)),
                values: p.values.iter().map(|v| format!("'{}'", v.replace('\'', "''"))).collect(),
            }
        }
        PredicateTree::Opaque { text, .. } => PredTree::Keyword { value: text.clone() },
    }
}

/// Stage 0: the search as written; then one stage per command, in order, predicates under
/// the filtering ones.
fn catalog_stages(rule: &SplunkRule, stages: &[SStage]) -> Vec<Stage> {
    let Some(search) = &rule.search else { return Vec::new() };
    let mut out =
        vec![Stage { stage: 0, label: "search".into(), text: search.text.trim().to_string(), identifiers: Vec::new() }];
    for (i, s) in stages.iter().enumerate() {
        let mut label = if i == 0 && search.pipeline.as_ref().is_some_and(|p| p.commands[0].implicit) {
            "base search".to_string()
        } else {
            s.command.clone()
        };
        if let Some(dm) = &s.datamodel {
            label.push_str(&format!(" datamodel={dm}"));
        }
        let identifiers = s
            .tree
            .as_ref()
            .map(|t| StageIdentifier { name: s.command.clone(), tree: pred_tree(t) })
            .into_iter()
            .collect();
        out.push(Stage { stage: out.len(), label, text: s.text.clone(), identifiers });
    }
    out
}

/// Fields that say which events a search reads (its `index`, `sourcetype`, event code), not
/// what it looks for in them: no indicators (they stay in the stages).
pub const EVENT_SELECTORS: &[&str] = &[
    "index",
    "source",
    "sourcetype",
    "eventtype",
    "EventCode",
    "EventID",
    "event_simpleName",
    "nodename",
    "tag",
    "host",
];

/// The operating systems a detection reads, from its event rows (for file names → paths).
#[derive(Clone, Copy, Debug, Default)]
struct Platforms {
    windows: bool,
    unix: bool,
}

impl Platforms {
    fn of(events: &[EventRow]) -> Platforms {
        let mut p = Platforms::default();
        for e in events {
            match e.provider.as_str() {
                "Sysmon for Linux" | "auditd" | "OpenSSH sshd" => p.unix = true,
                _ if e.channel.contains("Microsoft-Windows") || e.channel == "Security" || e.channel == "System" => {
                    p.windows = true
                }
                "CrowdStrike Falcon" => p.windows = true,
                _ => {}
            }
        }
        p
    }

    fn separator(self, value: &str) -> Option<char> {
        let lower = value.to_ascii_lowercase();
        let windows_name =
            [".exe", ".dll", ".bat", ".cmd", ".ps1", ".vbs", ".js", ".hta", ".sys", ".msi", ".scr", ".com"]
                .iter()
                .any(|e| lower.ends_with(e));
        match (self.windows, self.unix) {
            (true, false) => Some('\\'),
            (false, true) => Some('/'),
            (true, true) => Some(if windows_name { '\\' } else { '/' }),
            (false, false) => windows_name.then_some('\\'),
        }
    }
}

/// The canonical mapping of `field` in a stage: the CIM table, then the repository's
/// `field_mappings` (inverted), trying `X.field` for each object `X` whose prefix an earlier
/// `drop_dm_object_name(X)` removed.
fn canonical(field: &str, stage: &SStage, repo: Option<&Repo>) -> Option<FieldMapping> {
    let mut candidates = vec![field.to_string()];
    if !field.contains('.') {
        candidates.extend(stage.dropped_objects.iter().map(|o| format!("{o}.{field}")));
    }
    for c in &candidates {
        if let Some(m) = detwiki_taxonomy::splunk_fields::cim_to_canonical(c) {
            return Some(m);
        }
    }
    let repo = repo?;
    for c in &candidates {
        for d in repo.data_sources.values() {
            for fm in &d.field_mappings {
                for (event_field, cim) in &fm.mapping {
                    if cim.eq_ignore_ascii_case(c) {
                        let (name, rewrite) = match event_field.strip_suffix("|endswith") {
                            Some(n) => (n, Rewrite::NameToPath),
                            None => (event_field.as_str(), Rewrite::Same),
                        };
                        // A leaked `&'static str` would be wrong here; look the name up in
                        // the canonical vocabulary instead, keeping only names it has.
                        if let Some(canon) = static_name(name) {
                            return Some(FieldMapping { field: "", categories: &[], canonical: canon, rewrite });
                        }
                    }
                }
            }
        }
    }
    None
}

/// `name` as a `'static` canonical field name, when the vocabulary has it.
fn static_name(name: &str) -> Option<&'static str> {
    detwiki_taxonomy::splunk_fields::CIM
        .iter()
        .map(|m| m.canonical)
        .chain(detwiki_taxonomy::fields::ECS.iter().map(|m| m.canonical))
        .find(|c| c.eq_ignore_ascii_case(name))
}

/// Fields a command computes (`eval x=…`, `stats … as x`, `count`): predicates on them are
/// about results, not events, and are no indicators.
fn computed_fields(rule: &SplunkRule) -> Vec<Vec<String>> {
    let Some(p) = rule.search.as_ref().and_then(|s| s.pipeline.as_ref()) else { return Vec::new() };
    let mut seen: Vec<String> = vec!["count".into()];
    let mut out = Vec::new();
    for c in &p.commands {
        out.push(seen.clone());
        match &c.body {
            Body::Eval { assignments } => seen.extend(assignments.iter().map(|(n, _)| n.clone())),
            Body::DataModel { head, .. } => seen.extend(as_names(head)),
            Body::Other
                if matches!(
                    c.name.as_str(),
                    "stats"
                        | "eventstats"
                        | "streamstats"
                        | "chart"
                        | "timechart"
                        | "mstats"
                        | "top"
                        | "rare"
                        | "transaction"
                ) =>
            {
                seen.extend(as_names(&c.args))
            }
            _ => {}
        }
    }
    out
}

fn as_names(text: &str) -> Vec<String> {
    let words: Vec<&str> = text.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| w[0].eq_ignore_ascii_case("as"))
        .map(|w| w[1].trim_matches(|c| c == ',' || c == '"').to_string())
        .collect()
}

/// Indicator rows of the searches' predicates, fields in the one vocabulary.
fn indicators(rule: &SplunkRule, stages: &[SStage], repo: Option<&Repo>, platforms: Platforms) -> Vec<IndicatorRow> {
    let computed = computed_fields(rule);
    let mut rows: Vec<IndicatorRow> = Vec::new();
    for (si, s) in stages.iter().enumerate() {
        let Some(tree) = &s.tree else { continue };
        for (p, negated) in tree.predicates() {
            if let Some(f) = &p.field {
                if EVENT_SELECTORS.iter().any(|x| x.eq_ignore_ascii_case(f))
                    || computed.get(si).is_some_and(|c| c.iter().any(|x| x.eq_ignore_ascii_case(f)))
                    || f.starts_with('$')
                {
                    continue;
                }
            }
            let cased = !p.case_insensitive;
            let values: Vec<String> = if p.kind == SKind::Exists { vec!["true".into()] } else { p.values.clone() };
            for v in values {
                if v.starts_with('$') && v.ends_with('$') && v.len() > 1 {
                    continue;
                }
                let mut kind = match p.kind {
                    SKind::Eq | SKind::In => Kind::Eq,
                    SKind::Ne => Kind::Neq,
                    SKind::Match => Kind::Match,
                    SKind::StartsWith => Kind::StartsWith,
                    SKind::EndsWith => Kind::EndsWith,
                    SKind::Wildcard => Kind::Wildcard,
                    SKind::RegexMatch => Kind::Regex,
                    SKind::Cidr => Kind::Cidr,
                    SKind::Gt => Kind::Gt,
                    SKind::Gte => Kind::Gte,
                    SKind::Lt => Kind::Lt,
                    SKind::Lte => Kind::Lte,
                    SKind::Exists => Kind::Exists,
                };
                let mut value = v;
                let field = p.field.clone();
                let mut canon = field.clone();
                if p.field.is_none() {
                    kind = Kind::Keyword;
                } else if let Some(f) = &field
                    && let Some(m) = canonical(f, s, repo)
                {
                    match (m.rewrite, kind) {
                        (Rewrite::Same, _) => canon = Some(m.canonical.to_string()),
                        (Rewrite::NameToPath, Kind::Eq) => {
                            if let Some(sep) = platforms.separator(&value) {
                                canon = Some(m.canonical.to_string());
                                kind = Kind::EndsWith;
                                value = format!("{sep}{value}");
                            }
                        }
                        (Rewrite::NameToPath, Kind::StartsWith) => {
                            if let Some(sep) = platforms.separator(&value) {
                                canon = Some(m.canonical.to_string());
                                kind = Kind::Match;
                                value = format!("{sep}{value}");
                            }
                        }
                        (Rewrite::NameToPath, Kind::EndsWith | Kind::Match | Kind::Exists) => {
                            canon = Some(m.canonical.to_string())
                        }
                        _ => {}
                    }
                }
                let norm = if cased || kind == Kind::Regex { value.clone() } else { value.to_lowercase() };
                let key = RowKey { field: canon.clone(), kind, transforms: Vec::new(), cased, exclusion: negated };
                crate::indicators::add_value(&mut rows, key, field.as_deref(), value, norm);
            }
        }
    }
    rows
}
