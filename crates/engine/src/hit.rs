//! [`Hit`]: one rule matching one event, as a hunt reports it. A leaf module: hunting,
//! correlations and every sink name matches this way.

use crate::event::Event;
use crate::read::Position;

/// One rule matching one event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hit {
    /// Index into `Ruleset::rules`.
    pub rule: u32,
    /// Index of the input.
    pub input: usize,
    /// Event time (`TimeCreated_SystemTime`, `@timestamp` …).
    pub timestamp: Option<String>,
    /// `Computer`.
    pub computer: Option<String>,
    /// `Channel`.
    pub channel: Option<String>,
    /// `EventID`.
    pub event_id: Option<String>,
    /// EVTX record id (`EventRecordID`).
    pub record_id: Option<u64>,
    /// JSON line number.
    pub line: Option<u64>,
    /// The fields and values that matched.
    pub fields: Vec<(String, String)>,
}

fn first(ev: &Event, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| ev.get(n).filter(|v| !v.is_null()).map(|v| v.raw.to_string()))
}

/// Build a hit from an event.
pub fn make_hit(rule: u32, input: usize, at: Position, ev: &Event, fields: Vec<(String, String)>) -> Hit {
    Hit {
        rule,
        input,
        timestamp: first(ev, &["TimeCreated_SystemTime", "@timestamp", "timestamp", "UtcTime", "TimeCreated"]),
        computer: first(ev, &["Computer", "winlog.computer_name", "host.name", "hostname"]),
        channel: first(ev, &["Channel", "winlog.channel"]),
        event_id: first(ev, &["EventID", "winlog.event_id", "event.code"]),
        record_id: at.record.or_else(|| first(ev, &["EventRecordID"]).and_then(|s| s.parse().ok())),
        line: at.line,
        fields,
    }
}
