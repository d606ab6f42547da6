//! Panther's log types as event providers: which vendor log a Panther rule's `LogTypes` entry
//! (`AWS.CloudTrail`, `Okta.SystemLog`, `GSuite.ActivityEvent`) stands for. The catalog shows
//! one Event coverage row per log type: the provider (the log family) and the log type as its
//! channel. A log type not in this table is not guessed: the rule gets a finding.
//!
//! Source: the log type names of Panther's managed schemas as panther-analysis rules and data
//! models name them (the shared `corpus/panther`, every `LogTypes:` entry), grouped by the
//! vendor product that writes them. `docs/panther.md` lists the table.

use serde::Serialize;

/// One log family.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct PantherSource {
    /// Log type name, or a prefix ending in `.` for a whole family (`Snowflake.`).
    pub log_type: &'static str,
    /// The provider shown (`AWS CloudTrail`).
    pub provider: &'static str,
    /// What its events are.
    pub title: &'static str,
}

const fn s(log_type: &'static str, provider: &'static str, title: &'static str) -> PantherSource {
    PantherSource { log_type, provider, title }
}

/// Every known log type or family; exact names before the prefix of their family.
pub const SOURCES: &[PantherSource] = &[
    s("AWS.CloudTrail", "AWS CloudTrail", "AWS API calls and console sign-ins"),
    s("AWS.ALB", "AWS Elastic Load Balancing", "Application Load Balancer access logs"),
    s("AWS.BedrockModelInvocation", "AWS Bedrock", "Bedrock model invocation logs"),
    s("AWS.GuardDuty", "AWS GuardDuty", "GuardDuty findings"),
    s("AWS.S3ServerAccess", "AWS S3", "S3 server access logs"),
    s("AWS.SecurityFindingFormat", "AWS Security Hub", "Security Hub findings (ASFF)"),
    s("AWS.VPCDns", "AWS Route 53 Resolver", "VPC DNS query logs"),
    s("AWS.VPCFlow", "AWS VPC", "VPC flow logs"),
    s("AWS.WAFWebACL", "AWS WAF", "WAF web ACL logs"),
    s("AWS.", "AWS", "AWS service logs"),
    s("Amazon.EKS.Audit", "Amazon EKS", "Kubernetes API server audit logs"),
    s("Anthropic.", "Anthropic", "Anthropic organization activity"),
    s("AppOmni.", "AppOmni", "AppOmni SaaS security alerts"),
    s("Asana.", "Asana", "Asana audit log"),
    s("Atlassian.", "Atlassian", "Atlassian organization audit log"),
    s("Auth0.", "Auth0", "Auth0 tenant log events"),
    s("Axonius.", "Axonius", "Axonius activity log"),
    s("Azure.Audit", "Microsoft Entra ID", "Entra ID (Azure AD) audit and sign-in logs"),
    s("Azure.MonitorActivity", "Azure Monitor", "Azure activity and resource logs"),
    s("Azure.", "Azure", "Azure logs"),
    s("Box.", "Box", "Box enterprise events"),
    s("CarbonBlack.", "VMware Carbon Black", "Carbon Black Cloud alerts, audit and endpoint events"),
    s("CiscoUmbrella.", "Cisco Umbrella", "Umbrella DNS logs"),
    s("Cloudflare.", "Cloudflare", "Cloudflare firewall and HTTP request logs"),
    s("Crowdstrike.FDREvent", "CrowdStrike Falcon Data Replicator", "Falcon sensor endpoint events"),
    s("Crowdstrike.", "CrowdStrike Falcon", "Falcon detections, event streams and sensor events"),
    s("Databricks.", "Databricks", "Databricks audit logs"),
    s("Docusign.", "Docusign", "Docusign Connect events"),
    s("Dropbox.", "Dropbox", "Dropbox team events"),
    s("Duo.", "Cisco Duo", "Duo administrator and authentication logs"),
    s("GCP.AuditLog", "GCP Cloud Audit Logs", "Google Cloud admin activity and data access"),
    s("GCP.", "Google Cloud", "Google Cloud logs"),
    s("GSuite.", "Google Workspace", "Google Workspace (G Suite) Reports API activity"),
    s("GitHub.", "GitHub", "GitHub audit log and webhooks"),
    s("GitLab.", "GitLab", "GitLab audit and production logs"),
    s("Gravitational.", "Teleport", "Teleport audit events"),
    s("Microsoft365.", "Microsoft 365", "Microsoft 365 unified audit log"),
    s("MicrosoftDefenderXDR.", "Microsoft Defender XDR", "Defender advanced hunting events"),
    s("MicrosoftGraph.", "Microsoft Graph Security", "Graph security alerts"),
    s("MicrosoftIntune.", "Microsoft Intune", "Intune audit and operational logs"),
    s("MongoDB.", "MongoDB Atlas", "Atlas organization and project events"),
    s("Netskope.", "Netskope", "Netskope audit events"),
    s("Notion.", "Notion", "Notion audit log"),
    s("OCSF.", "OCSF", "Open Cybersecurity Schema Framework events"),
    s("Okta.", "Okta", "Okta System Log"),
    s("OneLogin.", "OneLogin", "OneLogin events"),
    s("OnePassword.", "1Password", "1Password item usage and sign-in attempts"),
    s("OpenAI.", "OpenAI", "OpenAI organization audit log"),
    s("Orca.", "Orca Security", "Orca alerts"),
    s("Osquery.", "osquery", "osquery scheduled query results"),
    s("Panther.", "Panther", "Panther's own audit log"),
    s("Proofpoint.", "Proofpoint", "Proofpoint TAP email events"),
    s("PushSecurity.", "Push Security", "Push Security browser activity, controls and entities"),
    s("SOCRadar.", "SOCRadar", "SOCRadar incidents"),
    s("Salesforce.", "Salesforce", "Salesforce event monitoring"),
    s("SentinelOne.", "SentinelOne", "SentinelOne activity and Deep Visibility events"),
    s("Slack.", "Slack", "Slack audit, access and integration logs"),
    s("Snowflake.", "Snowflake", "Snowflake account usage history"),
    s("Snyk.", "Snyk", "Snyk group and organization audit logs"),
    s("Sublime.", "Sublime Security", "Sublime audit and message events"),
    s("Suricata.", "Suricata", "Suricata EVE events"),
    s("Tailscale.", "Tailscale", "Tailscale configuration audit log"),
    s("ThinkstCanary.", "Thinkst Canary", "Canary alerts"),
    s("Tines.", "Tines", "Tines audit log"),
    s("Tracebit.", "Tracebit", "Tracebit canary alerts"),
    s("Upwind.", "Upwind", "Upwind detections"),
    s("Windows.EventLogs", "Windows Event Log", "Windows event log records"),
    s("Wiz.", "Wiz", "Wiz audit log, detections and issues"),
    s("Zeek.", "Zeek", "Zeek network logs"),
    s("Zendesk.", "Zendesk", "Zendesk audit log"),
    s("Zoom.", "Zoom", "Zoom activity and operation logs"),
    s("Zscaler.", "Zscaler", "Zscaler admin audit logs"),
];

/// The provider of Panther log type `log_type`, if known.
pub fn source(log_type: &str) -> Option<&'static PantherSource> {
    SOURCES
        .iter()
        .find(|s| if s.log_type.ends_with('.') { log_type.starts_with(s.log_type) } else { log_type == s.log_type })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_types_find_their_family() {
        assert_eq!(source("AWS.CloudTrail").unwrap().provider, "AWS CloudTrail");
        assert_eq!(source("AWS.Unheard").unwrap().provider, "AWS");
        assert_eq!(source("Okta.SystemLog").unwrap().provider, "Okta");
        assert_eq!(source("Crowdstrike.FDREvent").unwrap().provider, "CrowdStrike Falcon Data Replicator");
        assert_eq!(source("Crowdstrike.DNSRequest").unwrap().provider, "CrowdStrike Falcon");
        assert!(source("Nobody.Log").is_none());
        assert!(source("AWS").is_none());
    }
}
