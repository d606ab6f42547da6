//! Per-rule analysis: ATT&CK coverage rows, event coverage rows, and the
//! findings where a rule's tags or logsource disagree with the reference tables.

use detwiki_sigma::{Code, Detection, Diagnostic, Document, LogSource, Metadata, Spanned, ValueKind};
use detwiki_taxonomy::attack::{self, Status, TagRef};
use detwiki_taxonomy::logsource::{self, Lookup};
use serde::Serialize;

/// One technique in an ATT&CK row.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TechniqueRef {
    /// `T1090` or `T1219.002`.
    pub id: String,
    /// `Proxy`, or for sub-techniques `Remote Access Tools: Remote Desktop Software`.
    pub name: String,
    /// `active`, `revoked`, `deprecated` or `retired`.
    pub status: &'static str,
    /// The technique that replaces a revoked/retired one, when ATT&CK names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replaced_by: Option<String>,
}

/// A row of the MITRE ATT&CK coverage table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttackRow {
    /// The tactic as shown (`Command & Control`).
    pub tactic: String,
    /// `TA0011`.
    pub tactic_id: String,
    /// The rule's techniques under it.
    pub techniques: Vec<TechniqueRef>,
}

/// A tag that names something other than a tactic or technique.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TagInfo {
    /// The tag as written.
    pub tag: String,
    /// `group`, `software`, `campaign`, `data_source`, `cve`, `car`, `detection`, `stp`, `tlp`, `other`, `unknown`.
    pub kind: &'static str,
    /// The ATT&CK id or the tag's value.
    pub id: String,
    /// The name, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// A row of the Event coverage table.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct EventRow {
    /// `Sysmon`, `Security`, `AWS CloudTrail` …
    pub provider: String,
    /// The log channel or stream.
    pub channel: String,
    /// The event id, when the source has ids.
    pub event_id: Option<u32>,
    /// The provider's own title of the event.
    pub title: String,
    /// For an alternative provider: rule field → provider field (`Image` → `NewProcessName`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub field_map: Vec<(String, String)>,
}

/// How the logsource maps to events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum EventMapping {
    /// Known; the rows are in `events`.
    Mapped,
    /// Known to have no event mapping.
    Unmapped {
        /// Why.
        reason: String,
    },
    /// Not in the taxonomy.
    Unknown,
}

fn status_name(s: &Status) -> &'static str {
    match s {
        Status::Active => "active",
        Status::Revoked { .. } => "revoked",
        Status::Deprecated => "deprecated",
        _ => "retired",
    }
}

/// ATT&CK rows, the other tags resolved, and findings about the tags.
pub fn attack(meta: &Metadata) -> (Vec<AttackRow>, Vec<TagInfo>, Vec<Diagnostic>) {
    attack_of_tags(&meta.tags)
}

/// [`attack`] of tags given on their own (other languages' ATT&CK, written as Sigma tags).
pub fn attack_of_tags(tag_list: &[Spanned<String>]) -> (Vec<AttackRow>, Vec<TagInfo>, Vec<Diagnostic>) {
    let tags: Vec<&str> = tag_list.iter().map(|t| t.value.as_str()).collect();
    let cov = attack::analyze(&tags);
    let rows = cov
        .rows
        .iter()
        .map(|r| AttackRow {
            tactic: r.tactic.display.to_string(),
            tactic_id: r.tactic.id.to_string(),
            techniques: r
                .techniques
                .iter()
                .map(|t| TechniqueRef {
                    id: t.id.to_string(),
                    name: t.full_name.to_string(),
                    status: status_name(&t.status),
                    replaced_by: t.replacement().map(|r| r.id.to_string()),
                })
                .collect(),
        })
        .collect();
    let mut others = Vec::new();
    for t in tag_list {
        let info = |kind, id: &str, name: Option<&str>| TagInfo {
            tag: t.value.clone(),
            kind,
            id: id.to_string(),
            name: name.map(str::to_string),
        };
        match attack::resolve_tag(&t.value) {
            TagRef::Tactic(_) | TagRef::Technique(_) => {}
            TagRef::Group(g) => others.push(info("group", g.id, Some(g.name))),
            TagRef::Campaign(g) => others.push(info("campaign", g.id, Some(g.name))),
            TagRef::Software(s) => others.push(info("software", s.id, Some(s.name))),
            TagRef::DataSource(d) => others.push(info("data_source", d.id, Some(d.name))),
            TagRef::UnknownAttack(v) => others.push(info("unknown", v, None)),
            TagRef::Cve(v) => others.push(info("cve", v, None)),
            TagRef::Car(v) => others.push(info("car", v, None)),
            TagRef::Detection(v) => others.push(info("detection", v, None)),
            TagRef::Stp(v) => others.push(info("stp", v, None)),
            TagRef::Tlp(v) => others.push(info("tlp", v, None)),
            TagRef::Other { value, .. } => others.push(info("other", value, None)),
            TagRef::Malformed(v) => others.push(info("other", v, None)),
        }
    }
    let diags = attack_findings(tag_list, &cov);
    (rows, others, diags)
}

/// Findings where a rule's tags disagree with ATT&CK, from its coverage analysis.
fn attack_findings(tags: &[Spanned<String>], cov: &attack::Coverage) -> Vec<Diagnostic> {
    let span_of = |pred: &dyn Fn(&str) -> bool| tags.iter().find(|t| pred(&t.value)).map(|t: &Spanned<String>| t.span);
    let mut diags = Vec::new();
    for t in &cov.tactic_without_technique {
        let span = span_of(&|tag| matches!(attack::resolve_tag(tag), TagRef::Tactic(x) if x.id == t.id));
        diags.push(
            Diagnostic::new(
                Code::TacticWithoutTechnique,
                format!("tactic `{}` has none of the rule's techniques under it in ATT&CK", t.display),
                span,
            )
            .with_help("tag the technique that puts the rule under this tactic, or drop the tactic tag"),
        );
    }
    for t in &cov.technique_without_tagged_tactic {
        let span = span_of(&|tag| matches!(attack::resolve_tag(tag), TagRef::Technique(x) if x.id == t.id));
        let names: Vec<&str> = t.tactic_list().iter().map(|x| x.shortname).collect();
        diags.push(
            Diagnostic::new(
                Code::TechniqueWithoutTactic,
                format!("technique `{}` falls under none of the rule's tactic tags", t.label()),
                span,
            )
            .with_help(format!("ATT&CK places it under: {}", names.join(", "))),
        );
    }
    for t in &cov.outdated_techniques {
        let span = span_of(&|tag| matches!(attack::resolve_tag(tag), TagRef::Technique(x) if x.id == t.id));
        let help = match t.replacement() {
            Some(r) => format!("tag `attack.{}` ({}) instead", r.id.to_lowercase(), r.full_name),
            None => "ATT&CK names no replacement; pick the current technique that fits".into(),
        };
        diags.push(
            Diagnostic::new(
                Code::OutdatedTechnique,
                format!("technique `{}` is {} in ATT&CK", t.label(), status_name(&t.status)),
                span,
            )
            .with_help(help),
        );
    }
    for v in &cov.unknown_attack {
        let span = span_of(&|tag| tag.split_once('.').is_some_and(|(_, x)| x == v));
        diags.push(
            Diagnostic::new(Code::UnknownAttackTag, format!("`attack.{v}` names nothing in ATT&CK"), span)
                .with_help("check the id or tactic name against attack.mitre.org"),
        );
    }
    diags
}

/// The `unmapped-logsource` finding for a logsource the taxonomy has no events for.
fn unmapped_finding(ls: &LogSource, mapping: &EventMapping) -> Diagnostic {
    let what = [("product", &ls.product), ("category", &ls.category), ("service", &ls.service)]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}: {v}")))
        .collect::<Vec<_>>()
        .join(", ");
    let help = match mapping {
        EventMapping::Unmapped { reason } => format!("known to have no event mapping: {reason}"),
        _ => "the taxonomy has no events for this logsource; check its spelling against SigmaHQ's logsource guides"
            .into(),
    };
    Diagnostic::new(Code::UnmappedLogsource, format!("logsource `{what}` has no known event mapping"), Some(ls.span))
        .with_help(help)
}

/// Event rows of a logsource, plus EventID literals that a `service:` rule's detection pins.
pub fn events(ls: &LogSource, detection: Option<&Detection>) -> (Vec<EventRow>, EventMapping, Option<Diagnostic>) {
    let lookup = logsource::lookup(ls.product.as_deref(), ls.category.as_deref(), ls.service.as_deref());
    let mapping = match lookup {
        Lookup::Mapped(_) => EventMapping::Mapped,
        Lookup::Unmapped(u) => EventMapping::Unmapped { reason: u.reason.to_string() },
        Lookup::Unknown => EventMapping::Unknown,
    };
    let Lookup::Mapped(m) = lookup else {
        return (Vec::new(), mapping.clone(), Some(unmapped_finding(ls, &mapping)));
    };
    let pinned: Vec<u32> =
        if ls.service.is_some() { detection.map(pinned_event_ids).unwrap_or_default() } else { Vec::new() };
    let mut rows = Vec::new();
    for e in m.events {
        match e.event_id {
            None if !pinned.is_empty() => {
                for id in &pinned {
                    rows.push(EventRow {
                        provider: e.provider.to_string(),
                        channel: e.channel.to_string(),
                        event_id: Some(*id),
                        title: known_title(e.channel, *id).unwrap_or_default(),
                        field_map: field_map(e),
                    });
                }
            }
            _ => rows.push(EventRow {
                provider: e.provider.to_string(),
                channel: e.channel.to_string(),
                event_id: e.event_id,
                title: e.title.to_string(),
                field_map: field_map(e),
            }),
        }
    }
    (rows, mapping, None)
}

fn field_map(e: &logsource::EventSource) -> Vec<(String, String)> {
    e.field_map.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// The taxonomy's row for event `id` of provider `provider` (`Security`, `Sysmon`), anywhere in
/// its table, without field mappings.
pub(crate) fn known_event(provider: &str, id: u32) -> Option<EventRow> {
    logsource::mappings()
        .iter()
        .flat_map(|m| m.events.iter())
        .find(|e| e.provider == provider && e.event_id == Some(id) && !e.title.is_empty())
        .map(|e| EventRow {
            provider: e.provider.to_string(),
            channel: e.channel.to_string(),
            event_id: Some(id),
            title: e.title.to_string(),
            field_map: Vec::new(),
        })
}

/// The title the taxonomy gives an event of a channel anywhere in its table.
fn known_title(channel: &str, id: u32) -> Option<String> {
    logsource::mappings()
        .iter()
        .flat_map(|m| m.events.iter())
        .find(|e| e.channel.eq_ignore_ascii_case(channel) && e.event_id == Some(id) && !e.title.is_empty())
        .map(|e| e.title.to_string())
}

/// EventID values the detection looks for (positive identifiers only), in order.
pub fn pinned_event_ids(d: &Detection) -> Vec<u32> {
    let negative = crate::indicators::negative_identifiers(d);
    let mut out = Vec::new();
    for ident in &d.identifiers {
        if negative.iter().any(|(n, neg)| *n == ident.name && *neg) {
            continue;
        }
        let groups: Vec<&detwiki_sigma::FieldGroup> = match &ident.body {
            detwiki_sigma::SearchBody::Fields(g) => vec![g],
            detwiki_sigma::SearchBody::AnyOf(gs) => gs.iter().collect(),
            detwiki_sigma::SearchBody::Keywords(_) => Vec::new(),
        };
        for p in groups.iter().flat_map(|g| &g.predicates) {
            if p.field.as_deref() != Some("EventID") || !p.modifiers.is_empty() {
                continue;
            }
            for v in &p.values {
                let id = match &v.kind {
                    ValueKind::Int(i) => u32::try_from(*i).ok(),
                    ValueKind::String(s) => s.as_literal().and_then(|t| t.parse().ok()),
                    _ => None,
                };
                if let Some(id) = id
                    && !out.contains(&id)
                {
                    out.push(id);
                }
            }
        }
    }
    out
}

/// Findings the reference tables give about one document (ATT&CK tags, logsource mapping).
pub fn taxonomy_findings(doc: &Document) -> Vec<Diagnostic> {
    // Only the findings: no rows, titles or pinned event ids are built (this runs in `lint`).
    let meta = doc.meta();
    let tags: Vec<&str> = meta.tags.iter().map(|t| t.value.as_str()).collect();
    let mut diags = attack_findings(&meta.tags, &attack::analyze(&tags));
    if let Document::Rule(r) = doc {
        let ls = &r.logsource;
        let mapping = match logsource::lookup(ls.product.as_deref(), ls.category.as_deref(), ls.service.as_deref()) {
            Lookup::Mapped(_) => None,
            Lookup::Unmapped(u) => Some(EventMapping::Unmapped { reason: u.reason.to_string() }),
            Lookup::Unknown => Some(EventMapping::Unknown),
        };
        diags.extend(mapping.map(|m| unmapped_finding(ls, &m)));
    }
    diags
}
