//! Kusto tables → event providers: which events a Microsoft Sentinel query reads, by the
//! table it names (and `EventID` on the Windows event tables, which the catalog resolves to
//! Security or Sysmon events). Tables of Defender XDR, Entra ID, Microsoft 365 and Azure are
//! providers of their own, one row per table. `docs/kusto.md` documents the table; a table
//! not here is not guessed (the rule says its events cannot be determined).
//!
//! Sources: the Azure Monitor Logs table reference and the Defender XDR advanced hunting
//! schema (table names and what they hold), and the Sentinel repository's
//! `requiredDataConnectors` data types.

use serde::Serialize;

/// One table and the provider whose events it holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct KustoTable {
    /// The table (`DeviceProcessEvents`).
    pub table: &'static str,
    /// The provider (`Microsoft Defender for Endpoint`).
    pub provider: &'static str,
    /// What the events are.
    pub title: &'static str,
}

const fn t(table: &'static str, provider: &'static str, title: &'static str) -> KustoTable {
    KustoTable { table, provider, title }
}

const MDE: &str = "Microsoft Defender for Endpoint";
const ENTRA: &str = "Microsoft Entra ID";

/// The Windows event tables, whose `EventID` names Security/Sysmon events.
pub const WINDOWS_EVENT_TABLES: &[&str] = &["SecurityEvent", "Event", "WindowsEvent"];

/// Every table with a provider.
pub const TABLES: &[KustoTable] = &[
    t("SecurityEvent", "Security-Auditing", "Windows Security log events"),
    t("WindowsEvent", "Windows Event Forwarding", "Windows events (any channel)"),
    t("Event", "Windows Event Log", "Windows events (System, Application, Sysmon …)"),
    t("DeviceProcessEvents", MDE, "Process creation and related events"),
    t("DeviceFileEvents", MDE, "File creation, modification and other file system events"),
    t("DeviceRegistryEvents", MDE, "Registry entry creation and modification"),
    t("DeviceNetworkEvents", MDE, "Network connections and related events"),
    t("DeviceImageLoadEvents", MDE, "DLL loading events"),
    t("DeviceEvents", MDE, "Other events (security controls, API calls …)"),
    t("DeviceLogonEvents", MDE, "Sign-ins and other authentication events on devices"),
    t("DeviceInfo", MDE, "Machine information"),
    t("DeviceNetworkInfo", MDE, "Network properties of devices"),
    t("DeviceFileCertificateInfo", MDE, "Certificate information of signed files"),
    t("SigninLogs", ENTRA, "Interactive user sign-ins"),
    t("AADNonInteractiveUserSignInLogs", ENTRA, "Non-interactive user sign-ins"),
    t("AADServicePrincipalSignInLogs", ENTRA, "Service principal sign-ins"),
    t("AADManagedIdentitySignInLogs", ENTRA, "Managed identity sign-ins"),
    t("AuditLogs", ENTRA, "Directory audit events"),
    t("AADRiskyUsers", "Microsoft Entra ID Protection", "Risky users"),
    t("AADUserRiskEvents", "Microsoft Entra ID Protection", "User risk detections"),
    t("IdentityInfo", "Microsoft Sentinel UEBA", "Identity information"),
    t("BehaviorAnalytics", "Microsoft Sentinel UEBA", "Behaviour analytics"),
    t("OfficeActivity", "Microsoft 365", "Office 365 audit events (Exchange, SharePoint, Teams)"),
    t("EmailEvents", "Microsoft Defender for Office 365", "Email delivery and blocking events"),
    t("EmailUrlInfo", "Microsoft Defender for Office 365", "URLs in emails"),
    t("EmailAttachmentInfo", "Microsoft Defender for Office 365", "Email attachments"),
    t("CloudAppEvents", "Microsoft Defender for Cloud Apps", "Cloud application activity"),
    t("IdentityLogonEvents", "Microsoft Defender for Identity", "Authentication events on domain controllers"),
    t("IdentityDirectoryEvents", "Microsoft Defender for Identity", "Directory events"),
    t("IdentityQueryEvents", "Microsoft Defender for Identity", "Queries to domain controllers"),
    t("AzureActivity", "Azure Activity", "Azure subscription control-plane operations"),
    t("AzureDiagnostics", "Azure Diagnostics", "Azure resource diagnostic logs"),
    t("SecurityAlert", "Microsoft Sentinel", "Security alerts"),
    t("SecurityIncident", "Microsoft Sentinel", "Security incidents"),
    t("ThreatIntelligenceIndicator", "Microsoft Sentinel Threat Intelligence", "Threat intelligence indicators"),
    t("CommonSecurityLog", "Common Event Format (CEF)", "CEF events of firewalls, proxies and other appliances"),
    t("Syslog", "Syslog", "Linux and appliance syslog messages"),
    t("DnsEvents", "Windows DNS Server", "DNS server queries and events"),
    t("W3CIISLog", "IIS", "IIS web server logs"),
    t("AWSCloudTrail", "AWS CloudTrail", "AWS API calls"),
    t("GCPAuditLogs", "Google Cloud Audit Logs", "Google Cloud audit events"),
    t("AzureNetworkAnalytics_CL", "Azure Traffic Analytics", "Network flow analytics"),
    t("StorageBlobLogs", "Azure Storage", "Blob storage operations"),
    t("KubeAuditLogs", "Azure Kubernetes Service", "Kubernetes API audit events"),
    t("AzureDevOpsAuditing", "Azure DevOps", "Azure DevOps audit events"),
    t("GitHubAuditData", "GitHub", "GitHub audit log events"),
    t("GitHubAudit", "GitHub", "GitHub audit log events (parser)"),
    t("SecurityRecommendation", "Microsoft Defender for Cloud", "Security recommendations"),
    t("SecurityNestedRecommendation", "Microsoft Defender for Cloud", "Nested security recommendations"),
    t("SecurityRegulatoryCompliance", "Microsoft Defender for Cloud", "Regulatory compliance assessments"),
    t("Heartbeat", "Azure Monitor Agent", "Agent heartbeats"),
    t("Usage", "Azure Monitor", "Data ingestion volume per table"),
    t("ZoomLogs", "Zoom", "Zoom events (parser)"),
];

/// The ASIM (Advanced Security Information Model) schemas: the normalizing parser functions
/// (`_Im_Dns`, `imFileEvent`, `_ASim_WebSession` …) read every source of one schema.
pub const ASIM: &[KustoTable] = &[
    t("Dns", "ASIM (normalized)", "DNS activity (any source)"),
    t("WebSession", "ASIM (normalized)", "Web sessions (any source)"),
    t("NetworkSession", "ASIM (normalized)", "Network sessions (any source)"),
    t("FileEvent", "ASIM (normalized)", "File activity (any source)"),
    t("ProcessEvent", "ASIM (normalized)", "Process events (any source)"),
    t("ProcessCreate", "ASIM (normalized)", "Process creation (any source)"),
    t("RegistryEvent", "ASIM (normalized)", "Registry events (any source)"),
    t("Authentication", "ASIM (normalized)", "Authentication (any source)"),
    t("AuditEvent", "ASIM (normalized)", "Audit events (any source)"),
    t("UserManagement", "ASIM (normalized)", "User management (any source)"),
    t("DhcpEvent", "ASIM (normalized)", "DHCP events (any source)"),
    t("Process", "ASIM (normalized)", "Process events (any source)"),
];

/// The provider of `table` (exact name), or of an ASIM parser function (`_Im_Dns()`,
/// `imFileEvent`, `_ASim_NetworkSession`), by its schema.
pub fn table(table: &str) -> Option<&'static KustoTable> {
    if let Some(t) = TABLES.iter().find(|t| t.table == table) {
        return Some(t);
    }
    let name = table.trim_end_matches("()");
    let schema = ["_Im_", "_ASim_", "im", "ASim"].iter().find_map(|p| name.strip_prefix(p))?;
    ASIM.iter().find(|t| schema.starts_with(t.table))
}

#[cfg(test)]
mod tests {
    #[test]
    fn defender_and_entra_tables_are_providers_of_their_own() {
        assert_eq!(super::table("DeviceProcessEvents").unwrap().provider, "Microsoft Defender for Endpoint");
        assert_eq!(super::table("SigninLogs").unwrap().provider, "Microsoft Entra ID");
        assert!(super::table("Custom_CL").is_none());
        assert_eq!(super::table("_Im_Dns()").unwrap().table, "Dns");
        assert_eq!(super::table("imFileEvent").unwrap().title, "File activity (any source)");
        assert!(super::table("imaginary").is_none());
    }
}
