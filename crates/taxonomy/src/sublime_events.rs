//! The events Sublime Security rules read: email messages, as the Sublime platform's Message
//! Data Model (MDM) describes them. Every MQL rule runs over one message at a time; its
//! `type.inbound` / `type.outbound` / `type.internal` fields say which way the message went.
//! The catalog shows these rows as a Sublime rule's Event coverage (one provider, "Email
//! (Sublime MDM)"), as it shows Windows providers for Sigma rules.
//!
//! Sources: the Message Data Model reference of the Sublime documentation
//! (`docs.sublime.security`, "Message Data Model": `type.inbound`, `type.outbound`,
//! `type.internal`) and the rules of `sublime-security/sublime-rules`, 1,180 of whose 1,189
//! rules test `type.inbound` (and 3 `type.internal`).

use serde::Serialize;

/// The provider name of every Sublime rule's events.
pub const PROVIDER: &str = "Email (Sublime MDM)";

/// One kind of message a rule reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MessageEvent {
    /// The MDM field that selects it (`type.inbound`); empty for any message.
    pub selector: &'static str,
    /// The channel shown beside the provider (`inbound`).
    pub channel: &'static str,
    /// What the events are.
    pub title: &'static str,
}

const fn m(selector: &'static str, channel: &'static str, title: &'static str) -> MessageEvent {
    MessageEvent { selector, channel, title }
}

/// The message directions of the MDM, and "any message" for a rule that tests none.
pub const MESSAGES: &[MessageEvent] = &[
    m("type.inbound", "inbound", "Inbound email message (from outside the organisation)"),
    m("type.outbound", "outbound", "Outbound email message (to outside the organisation)"),
    m("type.internal", "internal", "Internal email message (inside the organisation)"),
    m("", "any", "Email message, any direction (the rule tests no `type.*`)"),
];

/// The message event that `selector` (`type.inbound` …) stands for.
pub fn by_selector(selector: &str) -> Option<&'static MessageEvent> {
    MESSAGES.iter().find(|e| !e.selector.is_empty() && e.selector == selector)
}

/// The row for a rule that tests no direction.
pub fn any_message() -> &'static MessageEvent {
    &MESSAGES[MESSAGES.len() - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directions_lead_to_their_rows() {
        assert_eq!(by_selector("type.inbound").unwrap().channel, "inbound");
        assert_eq!(by_selector("type.outbound").unwrap().channel, "outbound");
        assert!(by_selector("type.unknown").is_none());
        assert!(by_selector("").is_none());
        assert_eq!(any_message().channel, "any");
    }
}
