//! # detwiki-eventdata — what each Windows event is
//!
//! Per (channel, event id): title, description, level, task, opcode, version, the message
//! template (its `%N` placeholders mapped to field names), the typed fields with their
//! descriptions, an example event (flat fields, as the hunt engine reads them; a real one from
//! the shared EVTX samples where one exists), and which public guidance recommends collecting it
//! (NSA, ASD/ACSC, Palantir), with the audit subcategory or Sysmon configuration it needs.
//!
//! The facts are generated, never written by hand: `generate/main.rs` reads the public sources
//! kept in `../shared/eventdata` (Sysmon schema and OSSEM-DD data dictionaries, Sysinternals'
//! Sysmon page, libyal/winevt-kb message strings, EvtxECmd maps, NSA / ASD-ACSC / Palantir
//! subscriptions) and `../shared/events/evtx-attack-samples`, and writes `data/events.json`
//! (committed, embedded here):
//!
//! ```sh
//! cargo run -p detwiki-eventdata --example generate
//! ```
//!
//! Every text says which source it comes from ([`Sourced::source`], an id of [`Data::sources`]);
//! where no source has a fact, the field is `None` and pages say so.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The generated tables (JSON, embedded).
const DATA: &str = include_str!("../data/events.json");

/// Everything the generator wrote.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Data {
    /// The sources, with their repository, commit and licence.
    pub sources: Vec<Source>,
    /// Providers (ETW / event log sources) with their channels.
    pub providers: Vec<Provider>,
    /// Events, sorted by provider, then id.
    pub events: Vec<EventInfo>,
}

/// One public source of facts.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Source {
    /// Short id the facts cite (`ossem-dd`, `sysinternals`, `winevt-kb` …).
    pub id: String,
    /// Name as pages credit it (`OSSEM Data Dictionaries`).
    pub name: String,
    /// `owner/name` of its repository.
    pub repo: String,
    /// The commit the facts were taken from.
    pub commit: String,
    /// Its licence (`MIT`, `CC-BY-4.0` …).
    pub licence: String,
    /// What the wiki takes from it.
    pub gives: String,
}

/// A provider.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Provider {
    /// ETW / event log provider name (`Microsoft-Windows-Sysmon`, `Service Control Manager`).
    pub name: String,
    /// Its GUID, when a source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guid: Option<String>,
    /// The channels its events are written to, as the sources say.
    pub channels: Vec<String>,
}

/// A text and the id of the source it comes from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sourced {
    /// The text.
    pub text: String,
    /// A [`Source::id`].
    pub source: String,
}

/// A piece of a message template.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Part {
    /// Literal text (`%n`, `%t` and `%%NNNN` already resolved).
    Text(String),
    /// Placeholder `%N` (1-based): the `N`th field of the event.
    Param(usize),
}

/// A message template.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Text and placeholders, in order.
    pub parts: Vec<Part>,
    /// Field name per placeholder (`params[N-1]` for `%N`; empty when unknown). The generated
    /// file leaves it out when the placeholders are the event's fields in order; loading fills
    /// it in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
    /// A [`Source::id`].
    pub source: String,
    /// Where in the source (`adtschema.dll 10.0.22000.1, 0x00001210`).
    pub origin: String,
}

impl Template {
    /// The template as text, each placeholder shown as `{FieldName}` (or `%N` when unknown).
    pub fn render(&self) -> String {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Text(t) => out.push_str(t),
                Part::Param(n) => match self.param_name(*n) {
                    Some(name) => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                    None => {
                        out.push('%');
                        out.push_str(&n.to_string());
                    }
                },
            }
        }
        out
    }

    /// The field name of placeholder `%n`, when known.
    pub fn param_name(&self, n: usize) -> Option<&str> {
        self.params.get(n.checked_sub(1)?).map(String::as_str).filter(|s| !s.is_empty())
    }
}

/// One field of an event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Field {
    /// Its name, as in `<Data Name="…">`.
    pub name: String,
    /// Its type (`UnicodeString`, `UInt32`, `GUID` …), when a source gives it.
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "type")]
    pub ty: Option<String>,
    /// Its description, when a source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Sourced>,
}

/// An example event, as the hunt engine flattens it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Example {
    /// A [`Source::id`]: `evtx-attack-samples` for a real recorded event, else the reference
    /// example's source (`evtxecmd`, `ossem-dd`).
    pub source: String,
    /// Where (`Credential Access/CA_4624_….evtx`, record 12; or the map file).
    pub origin: String,
    /// `(field, value)` pairs, System fields first.
    pub fields: Vec<(String, String)>,
    /// Values longer than the generator keeps were cut (and say so in the value).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl Example {
    /// True for an event recorded on a real machine (the EVTX samples), not a reference example.
    pub fn is_sample(&self) -> bool {
        self.source == "evtx-attack-samples"
    }
}

/// A recommendation to collect the event.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    /// A [`Source::id`]: `nsa`, `acsc`, `palantir`.
    pub by: String,
    /// Which of its lists or subscriptions (`AccountLogons.xml`, `RecommendedEvents.csv: Account Usage`).
    pub what: String,
    /// True when the subscription takes the whole channel (`*`) rather than naming the id.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub whole_channel: bool,
}

/// What must be configured for the event to be written.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requirement {
    /// `Audit Process Creation` (a Security audit subcategory), or the Sysmon rule group
    /// (`ProcessCreate`), …
    pub text: String,
    /// `audit` or `sysmon`.
    pub kind: String,
    /// The audit category (`Detailed Tracking`), for `audit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// A [`Source::id`].
    pub source: String,
}

/// What the sources say about one event.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct EventInfo {
    /// Provider name (`Microsoft-Windows-Security-Auditing`).
    pub provider: String,
    /// Channel (`Security`).
    pub channel: String,
    /// Event id.
    pub id: u32,
    /// The newest event version the sources describe.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u32>,
    /// Title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<Sourced>,
    /// Description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Sourced>,
    /// Level (`Information`, `Warning`, `Error` …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Sourced>,
    /// Task (category) name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task: Option<Sourced>,
    /// Opcode name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opcode: Option<Sourced>,
    /// Message template.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<Template>,
    /// Fields, in the event's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<Field>,
    /// The source of the field list (names and types).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields_source: Option<String>,
    /// An example event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<Example>,
    /// Who recommends collecting it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collection: Vec<Recommendation>,
    /// What must be configured for it to be written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub requires: Vec<Requirement>,
}

impl EventInfo {
    /// The field named `name` (ASCII case ignored).
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

struct Tables {
    data: Data,
    /// (lower-cased channel, id) → position in `data.events`.
    by_channel: HashMap<(String, u32), usize>,
    /// (lower-cased provider, id) → position.
    by_provider: HashMap<(String, u32), usize>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        // The embedded file is written by the generator and checked by this crate's tests.
        let mut data: Data = serde_json::from_str(DATA).unwrap_or_default();
        for e in &mut data.events {
            if let Some(t) = &mut e.template
                && t.params.is_empty()
            {
                t.params = e.fields.iter().map(|f| f.name.clone()).collect();
            }
        }
        let mut by_channel = HashMap::new();
        let mut by_provider = HashMap::new();
        for (i, e) in data.events.iter().enumerate() {
            by_channel.entry((e.channel.to_ascii_lowercase(), e.id)).or_insert(i);
            by_provider.entry((e.provider.to_ascii_lowercase(), e.id)).or_insert(i);
        }
        Tables { data, by_channel, by_provider }
    })
}

/// All the tables.
pub fn data() -> &'static Data {
    &tables().data
}

/// All events.
pub fn events() -> &'static [EventInfo] {
    &tables().data.events
}

/// The event `id` of channel `channel` (`Security`, `Microsoft-Windows-Sysmon/Operational`;
/// ASCII case ignored).
pub fn lookup(channel: &str, id: u32) -> Option<&'static EventInfo> {
    let t = tables();
    t.by_channel.get(&(channel.to_ascii_lowercase(), id)).map(|&i| &t.data.events[i])
}

/// The event `id` of provider `provider` (`Microsoft-Windows-Security-Auditing`; case ignored).
pub fn lookup_provider(provider: &str, id: u32) -> Option<&'static EventInfo> {
    let t = tables();
    t.by_provider.get(&(provider.to_ascii_lowercase(), id)).map(|&i| &t.data.events[i])
}

/// The event `id` of `channel`, else of `provider` (a provider the sources place on another
/// channel, or on several): how pages find an event the taxonomy names.
pub fn find(channel: &str, provider: Option<&str>, id: u32) -> Option<&'static EventInfo> {
    lookup(channel, id).or_else(|| lookup_provider(provider?, id))
}

/// The events written to `channel` (case ignored), by id.
pub fn channel_events(channel: &str) -> impl Iterator<Item = &'static EventInfo> {
    events().iter().filter(move |e| e.channel.eq_ignore_ascii_case(channel))
}

/// The source with id `id`.
pub fn source(id: &str) -> Option<&'static Source> {
    data().sources.iter().find(|s| s.id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_parses() {
        let d: Data = serde_json::from_str(DATA).expect("data/events.json is valid");
        assert!(d.events.len() > 500, "{} events", d.events.len());
    }

    #[test]
    fn template_renders_field_names() {
        let t = Template {
            parts: vec![Part::Text("Process: ".into()), Part::Param(1), Part::Text(" / ".into()), Part::Param(3)],
            params: vec!["Image".into()],
            source: "x".into(),
            origin: String::new(),
        };
        assert_eq!(t.render(), "Process: {Image} / %3");
    }
}
