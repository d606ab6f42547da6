//! Kusto (Microsoft Sentinel, Defender XDR) columns → the one field vocabulary.
//!
//! The public source is pySigma-backend-kusto's field mappings (`microsoftxdr`: Sigma names →
//! the Defender XDR `Device*Events` columns; `azuremonitor`: Sigma names → `SecurityEvent`
//! columns), inverted: a column maps to the Sigma name that maps to it, in the table where it
//! does. The tables are the rows' `categories`. `FileName` columns hold a file *name* where the
//! Sigma field holds a path: they are [`Rewrite::NameToPath`] rows (`FileName =~ "x.exe"` is
//! `Image` ends_with `\x.exe`). `SecurityEvent` columns that are Windows event-data names
//! (`TargetUserName`, `ObjectName` …) keep their names, which are the canonical ones already.
//! `docs/kusto.md` documents the table.

use crate::fields::{FieldMapping, Rewrite};

const fn row(field: &'static str, tables: &'static [&'static str], canonical: &'static str) -> FieldMapping {
    FieldMapping { field, categories: tables, canonical, rewrite: Rewrite::Same }
}

const fn name(field: &'static str, tables: &'static [&'static str], canonical: &'static str) -> FieldMapping {
    FieldMapping { field, categories: tables, canonical, rewrite: Rewrite::NameToPath }
}

const PROC: &[&str] = &["DeviceProcessEvents"];
const FILE: &[&str] = &["DeviceFileEvents"];
const REG: &[&str] = &["DeviceRegistryEvents"];
const NET: &[&str] = &["DeviceNetworkEvents"];
const IMG: &[&str] = &["DeviceImageLoadEvents"];
const ACTOR: &[&str] = &["DeviceFileEvents", "DeviceRegistryEvents", "DeviceNetworkEvents", "DeviceImageLoadEvents"];
const SEC: &[&str] = &["SecurityEvent"];

/// Kusto column → canonical, per table. Table-specific rows come before general rows.
pub const KUSTO: &[FieldMapping] = &[
    // Defender XDR process creation (Sysmon 1 / Security 4688).
    row("FolderPath", PROC, "Image"),
    name("FileName", PROC, "Image"),
    row("ProcessCommandLine", PROC, "CommandLine"),
    row("ProcessVersionInfoOriginalFileName", PROC, "OriginalFileName"),
    row("ProcessVersionInfoFileDescription", PROC, "Description"),
    row("ProcessVersionInfoProductName", PROC, "Product"),
    row("ProcessVersionInfoCompanyName", PROC, "Company"),
    row("ProcessIntegrityLevel", PROC, "IntegrityLevel"),
    row("ProcessId", PROC, "ProcessId"),
    row("InitiatingProcessFolderPath", PROC, "ParentImage"),
    name("InitiatingProcessFileName", PROC, "ParentImage"),
    row("InitiatingProcessCommandLine", PROC, "ParentCommandLine"),
    row("InitiatingProcessId", PROC, "ParentProcessId"),
    row("AccountName", PROC, "User"),
    // Files, registry, network, image loads: the acting process is the initiating one.
    row("FolderPath", FILE, "TargetFilename"),
    name("FileName", FILE, "TargetFilename"),
    row("FolderPath", IMG, "ImageLoaded"),
    name("FileName", IMG, "ImageLoaded"),
    row("RegistryKey", REG, "TargetObject"),
    row("RegistryValueData", REG, "Details"),
    row("RemoteIP", NET, "DestinationIp"),
    row("RemotePort", NET, "DestinationPort"),
    row("RemoteUrl", NET, "DestinationHostname"),
    row("LocalIP", NET, "SourceIp"),
    row("LocalPort", NET, "SourcePort"),
    row("InitiatingProcessFolderPath", ACTOR, "Image"),
    name("InitiatingProcessFileName", ACTOR, "Image"),
    row("InitiatingProcessCommandLine", ACTOR, "CommandLine"),
    row("InitiatingProcessAccountName", ACTOR, "User"),
    // SecurityEvent (Windows Security log, azuremonitor mapping).
    row("NewProcessName", SEC, "Image"),
    row("ParentProcessName", SEC, "ParentImage"),
    row("CommandLine", SEC, "CommandLine"),
    row("Process", SEC, "Image"),
    row("EventID", &[], "EventID"),
    // Sysmon through the `Event` table's parsed columns and `SysmonEvent` parsers.
    row("Image", &[], "Image"),
    row("CommandLine", &[], "CommandLine"),
    row("ParentImage", &[], "ParentImage"),
    row("ParentCommandLine", &[], "ParentCommandLine"),
    row("TargetFilename", &[], "TargetFilename"),
    row("TargetObject", &[], "TargetObject"),
    row("QueryName", &[], "QueryName"),
    // Entra ID sign-ins and audit logs.
    row("IPAddress", &["SigninLogs", "AADNonInteractiveUserSignInLogs"], "SourceIp"),
    row("UserAgent", &[], "UserAgent"),
    row("UserPrincipalName", &["SigninLogs", "AADNonInteractiveUserSignInLogs"], "User"),
    row("OperationName", &["AuditLogs", "AzureActivity"], "OperationName"),
];

/// The canonical name of `column` of `table` (`None`: the column keeps its own name).
pub fn kusto_to_canonical(column: &str, table: Option<&str>) -> Option<FieldMapping> {
    KUSTO
        .iter()
        .find(|m| m.field == column && (m.categories.is_empty() || table.is_some_and(|t| m.categories.contains(&t))))
        .copied()
}

/// The Kusto columns (with their tables) that `canonical` is written as: the other direction.
pub fn canonical_to_kusto(canonical: &str) -> Vec<(&'static str, &'static [&'static str])> {
    KUSTO.iter().filter(|m| m.canonical == canonical).map(|m| (m.field, m.categories)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_map_per_table_in_both_directions() {
        let m = kusto_to_canonical("FileName", Some("DeviceProcessEvents")).unwrap();
        assert_eq!((m.canonical, m.rewrite), ("Image", Rewrite::NameToPath));
        let m = kusto_to_canonical("FileName", Some("DeviceFileEvents")).unwrap();
        assert_eq!(m.canonical, "TargetFilename");
        assert_eq!(
            kusto_to_canonical("ProcessCommandLine", Some("DeviceProcessEvents")).unwrap().canonical,
            "CommandLine"
        );
        assert_eq!(kusto_to_canonical("NewProcessName", Some("SecurityEvent")).unwrap().canonical, "Image");
        assert!(kusto_to_canonical("FileName", Some("OfficeActivity")).is_none());
        let back = canonical_to_kusto("Image");
        assert!(back.contains(&("FolderPath", PROC)) && back.contains(&("NewProcessName", SEC)), "{back:?}");
        assert!(canonical_to_kusto("TargetObject").iter().any(|(c, _)| *c == "RegistryKey"));
    }
}
