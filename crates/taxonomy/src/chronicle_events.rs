//! Chronicle (Google SecOps) events: what a YARA-L rule's UDM `metadata.event_type` means for
//! the Windows event taxonomy, and the non-Windows log sources its rules read.
//!
//! - [`EVENT_TYPES`]: UDM event types → the Sigma logsource category of the same events on
//!   Windows (`PROCESS_LAUNCH` → `process_creation`, which [`crate::logsource`] maps to Sysmon 1
//!   and Security 4688). Source: the UDM field list's `metadata.event_type` enumeration and
//!   pySigma-backend-secops, which writes these event types for those Sigma categories.
//! - [`SOURCES`]: log sources, found by their UDM `metadata.log_type`, `metadata.product_name`
//!   or a rule's `data_source`/`platform` meta, each with the provider row the catalog shows.
//!   Windows sources (Sysmon, the Windows event log) are marked so: their events come from
//!   the logsource taxonomy instead. Source: Google SecOps' default parser list (log types) and
//!   the product names the parsers write, as the community rules test them.

use serde::Serialize;

/// One UDM event type.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EventType {
    /// The UDM value (`PROCESS_LAUNCH`).
    pub name: &'static str,
    /// The Sigma logsource category of the same events on Windows, when there is one.
    pub sigma_category: Option<&'static str>,
    /// The field-vocabulary category ([`crate::chronicle_fields`]): `process`, `file` …
    pub field_category: Option<&'static str>,
    /// What the events are.
    pub title: &'static str,
    /// Windows events of no Sigma category (`USER_LOGIN` → Security 4624, 4625), as
    /// (channel, provider, event id).
    pub windows_events: &'static [(&'static str, &'static str, u32)],
}

const fn t(
    name: &'static str,
    sigma_category: Option<&'static str>,
    field_category: Option<&'static str>,
    title: &'static str,
) -> EventType {
    EventType { name, sigma_category, field_category, title, windows_events: &[] }
}

const SEC: &str = "Security-Auditing";

const fn w(
    name: &'static str,
    field_category: Option<&'static str>,
    title: &'static str,
    windows_events: &'static [(&'static str, &'static str, u32)],
) -> EventType {
    EventType { name, sigma_category: None, field_category, title, windows_events }
}

/// UDM event types the catalog knows.
pub const EVENT_TYPES: &[EventType] = &[
    t("PROCESS_LAUNCH", Some("process_creation"), Some("process"), "Process launch"),
    t("PROCESS_OPEN", Some("process_access"), Some("process_access"), "Process opened by another process"),
    t("PROCESS_INJECTION", Some("create_remote_thread"), Some("process_access"), "Process injection"),
    t("PROCESS_MODULE_LOAD", Some("image_load"), Some("image_load"), "Module (DLL) load"),
    t("PROCESS_TERMINATION", None, Some("process"), "Process termination"),
    t("PROCESS_UNCATEGORIZED", None, Some("process"), "Other process activity"),
    t("FILE_CREATION", Some("file_event"), Some("file"), "File creation"),
    t("FILE_DELETION", Some("file_delete"), Some("file"), "File deletion"),
    t("FILE_MODIFICATION", Some("file_change"), Some("file"), "File modification"),
    t("FILE_MOVE", Some("file_rename"), Some("file"), "File move or rename"),
    t("FILE_COPY", None, Some("file"), "File copy"),
    t("FILE_READ", Some("file_access"), Some("file"), "File read"),
    t("FILE_OPEN", Some("file_access"), Some("file"), "File open"),
    t("REGISTRY_CREATION", Some("registry_add"), Some("registry"), "Registry key or value creation"),
    t("REGISTRY_MODIFICATION", Some("registry_set"), Some("registry"), "Registry value modification"),
    t("REGISTRY_DELETION", Some("registry_delete"), Some("registry"), "Registry key or value deletion"),
    t("NETWORK_CONNECTION", Some("network_connection"), Some("network"), "Network connection"),
    t("NETWORK_DNS", Some("dns_query"), Some("dns"), "DNS query"),
    t("NETWORK_HTTP", Some("proxy"), Some("network"), "HTTP request"),
    t("NETWORK_FLOW", None, Some("network"), "Network flow"),
    w("USER_LOGIN", Some("authentication"), "User login", &[("Security", SEC, 4624), ("Security", SEC, 4625)]),
    w("USER_LOGOUT", Some("authentication"), "User logout", &[("Security", SEC, 4634)]),
    w("USER_CREATION", None, "User account creation", &[("Security", SEC, 4720)]),
    w("USER_DELETION", None, "User account deletion", &[("Security", SEC, 4726)]),
    w(
        "SERVICE_CREATION",
        None,
        "Service creation",
        &[("System", "Service Control Manager", 7045), ("Security", SEC, 4697)],
    ),
    t("SERVICE_MODIFICATION", None, None, "Service modification"),
    w("SCHEDULED_TASK_CREATION", None, "Scheduled task creation", &[("Security", SEC, 4698)]),
];

/// The event type named `name` (upper case, as UDM writes it).
pub fn event_type(name: &str) -> Option<&'static EventType> {
    EVENT_TYPES.iter().find(|e| e.name.eq_ignore_ascii_case(name))
}

/// What a source is on Windows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Windows {
    /// Not a Windows source.
    No,
    /// Sysmon.
    Sysmon,
    /// The Windows event log (Security and the other channels).
    EventLog,
}

/// One log source of Chronicle rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The UDM `metadata.log_type` (Chronicle's parser name).
    pub log_type: &'static str,
    /// The provider as pages show it.
    pub provider: &'static str,
    /// `metadata.product_name` values its parser writes.
    pub product_names: &'static [&'static str],
    /// Lower-case words of `data_source`/`platform` meta that name it.
    pub words: &'static [&'static str],
    /// Whether (and how) it is a Windows source.
    pub windows: Windows,
}

const fn s(
    log_type: &'static str,
    provider: &'static str,
    product_names: &'static [&'static str],
    words: &'static [&'static str],
    windows: Windows,
) -> Source {
    Source { log_type, provider, product_names, words, windows }
}

/// The log sources the catalog knows, Windows ones first.
pub const SOURCES: &[Source] = &[
    s("WINDOWS_SYSMON", "Sysmon", &["Microsoft-Windows-Sysmon"], &["sysmon"], Windows::Sysmon),
    s(
        "WINEVTLOG",
        "Windows event log",
        &["Microsoft-Windows-Security-Auditing", "Service Control Manager", "PowerShell", "ESENT"],
        &["windows event", "windows security", "windows system", "windows registry"],
        Windows::EventLog,
    ),
    s("AWS_CLOUDTRAIL", "AWS CloudTrail", &["AWS CloudTrail"], &["cloudtrail", "aws"], Windows::No),
    s("GUARDDUTY", "AWS GuardDuty", &["AWS GuardDuty"], &["guardduty"], Windows::No),
    s(
        "GCP_CLOUDAUDIT",
        "Google Cloud Audit Logs",
        &["Google Cloud Platform", "Google Compute Engine", "Google Cloud Storage", "Google Cloud IAM", "BigQuery"],
        &["gcp cloud audit", "cloud audit", "gcp", "google cloud"],
        Windows::No,
    ),
    s("GCP_SECURITYCENTER", "Google Security Command Center", &["Security Command Center"], &["gcp scc"], Windows::No),
    s("GCP_DLP_CONTEXT", "Google Cloud DLP (context)", &["GCP DLP CONTEXT"], &["gcp dlp"], Windows::No),
    s("GITHUB", "GitHub audit log", &["GITHUB"], &["github"], Windows::No),
    s("OKTA", "Okta system log", &["Okta"], &["okta"], Windows::No),
    s("ONELOGIN_SSO", "OneLogin", &["ONELOGIN_SSO"], &["onelogin"], Windows::No),
    s("OFFICE_365", "Microsoft 365 (Office 365) audit", &["Office 365"], &["o365", "office 365"], Windows::No),
    s(
        "AZURE_AD_AUDIT",
        "Microsoft Entra ID (Azure AD) audit",
        &["Azure AD Directory Audit", "Azure AD"],
        &["azure ad"],
        Windows::No,
    ),
    s("AZURE_ACTIVITY", "Azure activity log", &["Azure Activity"], &["azure"], Windows::No),
    s("AZURE_GRAPH_ACTIVITY", "Microsoft Graph activity logs", &[], &["ms graph"], Windows::No),
    s(
        "WORKSPACE_ACTIVITY",
        "Google Workspace activity",
        &["admin", "drive", "login", "gmail", "Google Workspace Alerts", "Chrome Management"],
        &["workspace"],
        Windows::No,
    ),
    s("CS_EDR", "CrowdStrike Falcon", &[], &["crowdstrike"], Windows::No),
    s("SENTINEL_EDR", "SentinelOne", &[], &["sentinelone"], Windows::No),
    s("WINDOWS_DEFENDER_ATP", "Microsoft Defender for Endpoint", &[], &["defender atp"], Windows::No),
    s("ZSCALER_WEBPROXY", "Zscaler web proxy", &[], &["zscaler", "zscalar"], Windows::No),
    s("SAP_NETWEAVER", "SAP NetWeaver", &["SAP NetWeaver"], &[], Windows::No),
    s(
        "THREAT_INTEL",
        "Threat intelligence (entity graph)",
        &["GCTI Feed", "MISP", "VirusTotal Relationships", "WHOISXMLAPI Simple Whois", "Google Safe Browsing"],
        &[],
        Windows::No,
    ),
];

/// The source of `log_type` (`metadata.log_type`).
pub fn by_log_type(log_type: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|s| s.log_type.eq_ignore_ascii_case(log_type))
}

/// The source whose parser writes `product_name` (`metadata.product_name`).
pub fn by_product_name(product_name: &str) -> Option<&'static Source> {
    SOURCES.iter().find(|s| s.product_names.iter().any(|p| p.eq_ignore_ascii_case(product_name)))
}

/// The sources a `data_source`/`platform` meta value names (`"microsoft sysmon, crowdstrike"`).
pub fn by_words(text: &str) -> Vec<&'static Source> {
    let lower = text.to_ascii_lowercase();
    let mut out: Vec<&'static Source> = Vec::new();
    for part in lower.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        if let Some(s) = SOURCES.iter().find(|s| s.words.iter().any(|w| part.contains(w)))
            && !out.contains(&s)
        {
            out.push(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_types_and_sources_are_found() {
        assert_eq!(event_type("PROCESS_LAUNCH").unwrap().sigma_category, Some("process_creation"));
        assert_eq!(event_type("USER_LOGIN").unwrap().sigma_category, None);
        assert_eq!(event_type("USER_LOGIN").unwrap().windows_events[0], ("Security", SEC, 4624));
        assert!(event_type("NOT_A_TYPE").is_none());
        assert_eq!(by_log_type("GCP_CLOUDAUDIT").unwrap().provider, "Google Cloud Audit Logs");
        assert_eq!(by_product_name("aws cloudtrail").unwrap().log_type, "AWS_CLOUDTRAIL");
        let words: Vec<_> = by_words("microsoft sysmon, crowdstrike").iter().map(|s| s.log_type).collect();
        assert_eq!(words, vec!["WINDOWS_SYSMON", "CS_EDR"]);
        assert_eq!(by_words("Microsoft Sysmon, Windows Event Logs")[1].windows, Windows::EventLog);
    }

    #[test]
    fn every_source_is_known_once() {
        for (i, s) in SOURCES.iter().enumerate() {
            assert!(SOURCES[..i].iter().all(|o| o.log_type != s.log_type), "{} twice", s.log_type);
        }
    }
}
