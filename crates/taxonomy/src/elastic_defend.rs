//! Elastic Defend's event data streams: which `logs-endpoint.events.*` data stream holds the
//! events of an ECS/EQL event category, as Elastic Defend (the Elastic Endpoint integration)
//! writes them. The catalog shows these rows as an Elastic rule's Event coverage, beside the
//! Windows providers of [`crate::logsource`].
//!
//! Sources: the data streams the Endpoint integration package declares and the index patterns
//! of Elastic's own rules (`logs-endpoint.events.process-*`, `…file-*`, `…network-*`,
//! `…registry-*`, `…library-*`, `…api-*`); DNS lookups are network events of the `network`
//! stream, authentication events are in the `security` stream. A category with no stream here
//! is not guessed: the rule then says its events cannot be determined.

use serde::Serialize;

/// One Elastic Defend data stream of one event category.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct DefendStream {
    /// The ECS/EQL event category (`process`).
    pub category: &'static str,
    /// The data stream (`logs-endpoint.events.process`).
    pub data_stream: &'static str,
    /// What the events are.
    pub title: &'static str,
}

const fn s(category: &'static str, data_stream: &'static str, title: &'static str) -> DefendStream {
    DefendStream { category, data_stream, title }
}

/// Every category Elastic Defend writes, with its data stream.
pub const STREAMS: &[DefendStream] = &[
    s("process", "logs-endpoint.events.process", "Process events (start, end, exec, fork)"),
    s("file", "logs-endpoint.events.file", "File events (creation, modification, deletion, rename)"),
    s("network", "logs-endpoint.events.network", "Network connection events"),
    s("dns", "logs-endpoint.events.network", "DNS lookup events (in the network stream)"),
    s("registry", "logs-endpoint.events.registry", "Registry events (Windows)"),
    s("library", "logs-endpoint.events.library", "Library (DLL, shared object) load events"),
    s("api", "logs-endpoint.events.api", "Windows API call events"),
    s("authentication", "logs-endpoint.events.security", "Authentication events (logon, logoff)"),
    s("session", "logs-endpoint.events.security", "Session events"),
];

/// The data stream of `category`'s events, when Elastic Defend writes that category.
pub fn stream(category: &str) -> Option<&'static DefendStream> {
    STREAMS.iter().find(|d| d.category.eq_ignore_ascii_case(category))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_lead_to_their_data_streams() {
        assert_eq!(stream("process").unwrap().data_stream, "logs-endpoint.events.process");
        assert_eq!(stream("DNS").unwrap().data_stream, "logs-endpoint.events.network");
        assert_eq!(stream("authentication").unwrap().data_stream, "logs-endpoint.events.security");
        assert!(stream("email").is_none(), "a category Defend does not write is not guessed");
    }
}
