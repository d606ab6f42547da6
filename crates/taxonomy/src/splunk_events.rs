//! Splunk sourcetypes that are not Windows event logs → provider rows for Event coverage.
//!
//! A security_content data source (`data_sources/*.yml`) names its `source` and `sourcetype`.
//! Windows event logs (`XmlWinEventLog:<channel>`) resolve through their channel to the
//! taxonomy's Windows providers ([`crate::logsource`]); the sourcetypes here are the other
//! ones, each with the provider and channel that Sigma's logsource table uses for the same
//! logs when it has them (AWS CloudTrail, Okta, Kubernetes, Microsoft 365, Entra ID, Google
//! Workspace, GitHub, auditd), so that a Splunk and a Sigma rule over the same logs share
//! event rows; else a provider of its own (CrowdStrike Falcon, Suricata, Palo Alto Networks …).
//! Documented as a table in `docs/splunk.md`.

use serde::Serialize;

/// One sourcetype's provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct SplunkSource {
    /// The Splunk sourcetype (lower-case).
    pub sourcetype: &'static str,
    /// The provider as the wiki shows it.
    pub provider: &'static str,
    /// The log stream (the channel column).
    pub channel: &'static str,
    /// What the events are.
    pub title: &'static str,
}

const fn s(
    sourcetype: &'static str,
    provider: &'static str,
    channel: &'static str,
    title: &'static str,
) -> SplunkSource {
    SplunkSource { sourcetype, provider, channel, title }
}

/// Every non-Windows sourcetype the security_content data sources name.
pub const SOURCES: &[SplunkSource] = &[
    s("aws:cloudtrail", "AWS CloudTrail", "CloudTrail", "CloudTrail management and data events"),
    s("aws:cloudwatchlogs:vpcflow", "AWS VPC Flow Logs", "CloudWatch Logs (VPC flow)", "VPC flow log records"),
    s("aws:securityhub:finding", "AWS Security Hub", "findings", "Security Hub findings"),
    s("aws:firehose:json", "GitHub", "audit log (streaming)", "Organization/enterprise audit log events"),
    s("azure:monitor:aad", "Microsoft Entra ID", "AuditLogs", "Directory audit and sign-in events (Azure Monitor)"),
    s("mscs:azure:audit", "Azure Activity Log", "AzureActivity", "Subscription control-plane operations"),
    s(
        "mscs:azure:eventhub:defender:advancedhunting",
        "Microsoft 365",
        "ThreatIntelligence",
        "Microsoft Defender alerts (advanced hunting, Event Hub)",
    ),
    s("o365:management:activity", "Microsoft 365", "Audit.General", "Unified audit log records"),
    s("oktaim2:log", "Okta", "System Log (/api/v1/logs)", "Okta System Log events"),
    s("gws:reports:admin", "Google Workspace", "admin", "Admin console audit activity"),
    s("gsuite:gmail:bigquery", "Google Workspace", "Gmail logs (BigQuery)", "Gmail message events"),
    s("gsuite:drive:json", "Google Workspace", "drive", "Drive audit activity"),
    s("linux:audit", "auditd", "/var/log/audit/audit.log", "Audit records (type=SYSCALL, EXECVE, PATH, USER_* …)"),
    s("linux_secure", "OpenSSH sshd", "/var/log/secure", "Authentication messages"),
    s("sysmon:linux", "Sysmon for Linux", "Linux-Sysmon/Operational", "Sysmon for Linux events"),
    s("crowdstrike:events:sensor", "CrowdStrike Falcon", "crowdstrike:events:sensor", "Falcon sensor events"),
    s("crowdstrike:identities", "CrowdStrike Falcon", "crowdstrike:identities", "Falcon identity events"),
    s("_json", "Kubernetes", "audit log", "Kubernetes API server audit events"),
    s("kube:container:falco", "Falco", "container log", "Falco runtime security alerts"),
    s("suricata", "Suricata", "eve.json", "Suricata alerts and protocol events"),
    s("nginx:plus:kv", "nginx", "access.log", "nginx access log"),
    s("pan:threat", "Palo Alto Networks", "THREAT", "PAN-OS threat log"),
    s("pan:traffic", "Palo Alto Networks", "TRAFFIC", "PAN-OS traffic log"),
    s("stream:http", "Splunk Stream", "stream:http", "HTTP wire data"),
    s("stream:dns", "Splunk Stream", "stream:dns", "DNS wire data"),
    s("bro:http:json", "Zeek", "http.log", "HTTP log"),
    s("circleci", "CircleCI", "audit log", "CircleCI job and pipeline events"),
    s("ivanti_vtm_audit", "Ivanti vTM", "audit log", "Ivanti Virtual Traffic Manager audit log"),
    s("crushftp:sessionlogs", "CrushFTP", "session log", "CrushFTP session log"),
    s("osquery:results", "osquery", "results", "osquery scheduled query results"),
    s("pwsh:installediismodules", "PowerShell (scripted input)", "AppCmdModules", "Installed IIS modules"),
    s("activedirectory", "Active Directory (admon)", "ActiveDirectory", "Active Directory object changes (admon)"),
    s("iis:configuration:operational", "IIS", "Microsoft-IIS-Configuration/Operational", "IIS configuration changes"),
];

/// The provider of `sourcetype` (case ignored), when it is not a Windows event log.
pub fn by_sourcetype(sourcetype: &str) -> Option<&'static SplunkSource> {
    SOURCES.iter().find(|s| s.sourcetype.eq_ignore_ascii_case(sourcetype))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sourcetypes_lead_to_providers() {
        assert_eq!(by_sourcetype("aws:cloudtrail").unwrap().provider, "AWS CloudTrail");
        assert_eq!(by_sourcetype("CrowdStrike:Events:Sensor").unwrap().provider, "CrowdStrike Falcon");
        assert!(by_sourcetype("xmlwineventlog").is_none(), "Windows logs resolve through their channel");
    }
}
