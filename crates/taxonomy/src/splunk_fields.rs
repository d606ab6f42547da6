//! Splunk's field names → the one field vocabulary ([`crate::fields`]): CIM data-model fields
//! (`Processes.process_name`, `Registry.registry_path`) and the raw Windows event fields
//! Splunk's Windows and Sysmon add-ons extract (`Image`, `TargetObject`, which already are the
//! canonical names).
//!
//! Sources, in order: Splunk security_content's own `data_sources/*.yml` `field_mappings`
//! (Sysmon 1, 11, 13, Security 4688 and CrowdStrike ProcessRollup2 → `Endpoint.Processes`,
//! `Endpoint.Filesystem`, `Endpoint.Registry`; `Image|endswith` → `Processes.process_name` is
//! the name-to-path rewrite), inverted; then the Splunk CIM data models' documented fields
//! for what those files do not map (network traffic, DNS, web, authentication), as
//! pySigma-backend-splunk's CIM field mapping pairs them with Sigma names. Documented in
//! `docs/splunk.md`.

use crate::fields::{FieldMapping, Rewrite};

const fn row(field: &'static str, canonical: &'static str) -> FieldMapping {
    FieldMapping { field, categories: &[], canonical, rewrite: Rewrite::Same }
}

const fn name(field: &'static str, canonical: &'static str) -> FieldMapping {
    FieldMapping { field, categories: &[], canonical, rewrite: Rewrite::NameToPath }
}

/// CIM data-model field → canonical.
pub const CIM: &[FieldMapping] = &[
    // Endpoint.Processes (Sysmon 1, Security 4688, CrowdStrike ProcessRollup2).
    row("Processes.process_path", "Image"),
    name("Processes.process_name", "Image"),
    row("Processes.process", "CommandLine"),
    row("Processes.process_current_directory", "CurrentDirectory"),
    row("Processes.process_guid", "ProcessGuid"),
    row("Processes.process_id", "ProcessId"),
    row("Processes.user", "User"),
    row("Processes.process_integrity_level", "IntegrityLevel"),
    row("Processes.process_hash", "Hashes"),
    row("Processes.parent_process_path", "ParentImage"),
    name("Processes.parent_process_name", "ParentImage"),
    row("Processes.parent_process", "ParentCommandLine"),
    row("Processes.parent_process_guid", "ParentProcessGuid"),
    row("Processes.parent_process_id", "ParentProcessId"),
    row("Processes.original_file_name", "OriginalFileName"),
    // Endpoint.Registry (Sysmon 12-14).
    row("Registry.registry_path", "TargetObject"),
    row("Registry.registry_value_data", "Details"),
    name("Registry.registry_value_name", "TargetObject"),
    row("Registry.process_guid", "ProcessGuid"),
    row("Registry.process_id", "ProcessId"),
    row("Registry.process_path", "Image"),
    name("Registry.process_name", "Image"),
    row("Registry.user", "User"),
    // Endpoint.Filesystem (Sysmon 11).
    row("Filesystem.file_path", "TargetFilename"),
    name("Filesystem.file_name", "TargetFilename"),
    row("Filesystem.process_guid", "ProcessGuid"),
    row("Filesystem.process_id", "ProcessId"),
    row("Filesystem.process_path", "Image"),
    name("Filesystem.process_name", "Image"),
    row("Filesystem.file_hash", "Hashes"),
    row("Filesystem.user", "User"),
    // Network_Traffic.All_Traffic (Sysmon 3).
    row("All_Traffic.dest_ip", "DestinationIp"),
    row("All_Traffic.dest_port", "DestinationPort"),
    row("All_Traffic.src_ip", "SourceIp"),
    row("All_Traffic.src_port", "SourcePort"),
    row("All_Traffic.transport", "Protocol"),
    name("All_Traffic.process_name", "Image"),
    row("All_Traffic.process_path", "Image"),
    // Network_Resolution.DNS (Sysmon 22).
    row("DNS.query", "QueryName"),
    row("DNS.answer", "QueryResults"),
    // Web (proxy logs).
    row("Web.url", "c-uri"),
    row("Web.http_user_agent", "c-useragent"),
    row("Web.http_method", "cs-method"),
    row("Web.status", "sc-status"),
    row("Web.http_referrer", "cs-referrer"),
    // Authentication (Security 4624/4625).
    row("Authentication.user", "TargetUserName"),
    row("Authentication.src", "IpAddress"),
    row("Authentication.logon_type", "LogonType"),
];

/// The canonical name of Splunk field `field`: a CIM data-model field of [`CIM`]; a raw
/// field that already is a canonical name keeps it (`None` here, like any unmapped field).
pub fn cim_to_canonical(field: &str) -> Option<FieldMapping> {
    CIM.iter().find(|m| m.field.eq_ignore_ascii_case(field)).copied()
}

/// The CIM fields that map to canonical `name`: the other direction.
pub fn canonical_to_cim(name: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for m in CIM.iter().filter(|m| m.canonical == name) {
        if !out.contains(&m.field) {
            out.push(m.field);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cim_fields_map_both_ways() {
        let m = cim_to_canonical("Processes.process_name").unwrap();
        assert_eq!((m.canonical, m.rewrite), ("Image", Rewrite::NameToPath));
        assert_eq!(cim_to_canonical("Registry.registry_path").unwrap().canonical, "TargetObject");
        assert_eq!(cim_to_canonical("processes.PROCESS").unwrap().canonical, "CommandLine");
        assert!(cim_to_canonical("Processes.dest").is_none());
        assert_eq!(canonical_to_cim("TargetObject"), ["Registry.registry_path", "Registry.registry_value_name"]);
        assert_eq!(canonical_to_cim("CommandLine"), ["Processes.process"]);
    }
}
