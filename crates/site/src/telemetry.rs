//! "My telemetry": which events the user collects (`--telemetry FILE`), and so which rules can
//! fire with it. A rule can fire when one of its event rows is collected (a rule reads
//! alternatives: `process_creation` is Sysmon 1 *or* Security 4688); a rule with no event rows
//! (an unmapped logsource) is neither.
//!
//! The file: one event per line, `<provider or channel> <event id>` (`Sysmon 1`, `Security
//! 4624`, `Microsoft-Windows-PowerShell/Operational 4104`), or `<provider or channel> *` (or the
//! name alone) for all its events; `#` starts a comment. Names are compared with the wiki's
//! provider names (`Sysmon`, `Security-Auditing`) and with channels, ASCII case ignored.

use std::collections::{BTreeMap, HashMap};

use detwiki_catalog::{EventRow, RuleEntry};
use serde::Serialize;

use crate::views::Ctx;

/// The events the user collects.
#[derive(Clone, Debug, Default)]
pub struct Telemetry {
    /// (lower-cased provider or channel, event id; `None` = every event).
    entries: Vec<(String, Option<u32>)>,
}

/// A line of the telemetry file that is not an event.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct TelemetryError {
    /// 1-based line.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// Whether a rule can fire with the telemetry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// One of its events is collected.
    Fires,
    /// None of its events is collected.
    Blind,
    /// It names no event (unmapped logsource).
    NoEvents,
}

impl Verdict {
    /// As the rules list data and filter name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fires => "fires",
            Verdict::Blind => "blind",
            Verdict::NoEvents => "no_events",
        }
    }
}

/// The rules list filter's options: verdict, label.
pub const VERDICTS: &[(&str, &str)] =
    &[("fires", "can fire"), ("blind", "cannot fire (events not collected)"), ("no_events", "no known event")];

impl Telemetry {
    /// Read a telemetry file's text.
    pub fn parse(text: &str) -> Result<Telemetry, TelemetryError> {
        let mut entries = Vec::new();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.split('#').next().unwrap_or("").trim();
            if line.is_empty() {
                continue;
            }
            let err = |message: String| TelemetryError { line: i + 1, message };
            let (name, id) = match line.rsplit_once(char::is_whitespace) {
                Some((name, "*")) => (name.trim(), None),
                Some((name, last)) if last.bytes().all(|b| b.is_ascii_digit()) => {
                    let id = last.parse::<u32>().map_err(|_| err(format!("event id `{last}` is too large")))?;
                    (name.trim(), Some(id))
                }
                Some((_, last)) if last.bytes().any(|b| b.is_ascii_digit()) => {
                    return Err(err(format!(
                        "`{last}` is not an event id: write `<provider or channel> <event id>` (`Sysmon 1`), or `*` for all its events"
                    )));
                }
                _ => (line, None),
            };
            if name.is_empty() {
                return Err(err("no provider or channel before the event id (`Sysmon 1`)".into()));
            }
            entries.push((name.to_ascii_lowercase(), id));
        }
        Ok(Telemetry { entries })
    }

    /// Entries read.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// True when the file named no event.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether the event of row `e` is collected.
    pub fn covers(&self, e: &EventRow) -> bool {
        self.entries.iter().any(|(name, id)| {
            (e.provider.eq_ignore_ascii_case(name) || e.channel.eq_ignore_ascii_case(name))
                && (id.is_none() || *id == e.event_id)
        })
    }

    /// Whether rule `r` can fire.
    pub fn verdict(&self, r: &RuleEntry) -> Verdict {
        if r.events.is_empty() {
            Verdict::NoEvents
        } else if r.events.iter().any(|e| self.covers(e)) {
            Verdict::Fires
        } else {
            Verdict::Blind
        }
    }
}

/// What the site's own telemetry choice (kept in the browser's local storage, `assets/telemetry.js`)
/// needs: the events rules read, each rule's events, each technique's rules
/// (`window.DETWIKI_TELEMETRY` in `assets/telemetry-data.js`).
#[derive(Debug, Serialize)]
pub struct ClientData {
    /// `[key, provider, name as its provider lists it, page URL]`, by provider then key.
    pub events: Vec<(String, String, String, String)>,
    /// Per rule (catalog order, as the rules list data): positions in `events`.
    pub rules: Vec<Vec<u32>>,
    /// Technique id → rule positions (sub-techniques' rules included).
    pub techniques: BTreeMap<String, Vec<u32>>,
}

/// The client data of a catalog.
pub fn client_data(ctx: &Ctx<'_>) -> ClientData {
    let c = ctx.cat;
    let mut events = Vec::new();
    let mut pos: HashMap<&str, u32> = HashMap::new();
    for (key, e) in &c.index.events {
        pos.insert(key.as_str(), events.len() as u32);
        let label = ctx.paths.event_labels.get(key).cloned().unwrap_or_default();
        let name = crate::paths::event_name(&label, &e.title);
        events.push((key.clone(), e.provider.clone(), name, ctx.paths.events.get(key).cloned().unwrap_or_default()));
    }
    let mut key = String::new();
    let rules = c
        .rules
        .iter()
        .map(|r| {
            let mut v: Vec<u32> = r
                .events
                .iter()
                .filter_map(|e| {
                    key.clear();
                    key.push_str(&e.provider);
                    key.push('|');
                    key.push_str(&e.channel);
                    key.push('|');
                    if let Some(n) = e.event_id {
                        key.push_str(&n.to_string());
                    }
                    pos.get(key.as_str()).copied()
                })
                .collect();
            v.sort_unstable();
            v.dedup();
            v
        })
        .collect();
    let techniques =
        ctx.technique_rules.iter().map(|(id, rs)| (id.clone(), rs.iter().map(|&i| i as u32).collect())).collect();
    ClientData { events, rules, techniques }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(provider: &str, channel: &str, id: Option<u32>) -> EventRow {
        EventRow {
            provider: provider.into(),
            channel: channel.into(),
            event_id: id,
            title: String::new(),
            field_map: Vec::new(),
        }
    }

    #[test]
    fn lines_name_events_by_provider_or_channel() {
        let t = Telemetry::parse("# what we collect\nSysmon 1\nsecurity *\nMicrosoft-Windows-PowerShell/Operational 4104 # script blocks\n\nWindows PowerShell\n").unwrap();
        assert_eq!(t.len(), 4);
        assert!(t.covers(&row("Sysmon", "Microsoft-Windows-Sysmon/Operational", Some(1))));
        assert!(!t.covers(&row("Sysmon", "Microsoft-Windows-Sysmon/Operational", Some(13))));
        assert!(t.covers(&row("Security", "Security", Some(4624))));
        assert!(t.covers(&row("PowerShell", "Microsoft-Windows-PowerShell/Operational", Some(4104))));
        assert!(t.covers(&row("PowerShell Classic", "Windows PowerShell", Some(400))));
    }

    #[test]
    fn a_bad_line_is_named() {
        let e = Telemetry::parse("Sysmon 1\nSysmon 1x\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().starts_with("line 2: `1x` is not an event id"), "{e}");
        assert_eq!(Telemetry::parse("Sysmon 99999999999").unwrap_err().line, 1);
    }
}
