//! UDM (Chronicle's Unified Data Model) fields → the canonical field vocabulary
//! ([`crate::fields`]), for YARA-L rules. The facts are pySigma-backend-secops' field mappings
//! (Sigma name → UDM field per event category), inverted, restricted to UDM fields that stand
//! for one Sigma name in their category. The category is the field-vocabulary category of the
//! rule's `metadata.event_type` ([`crate::chronicle_events::EventType::field_category`]): in a
//! process launch the acting process (`principal.process`) is the *parent*, in every other
//! event it is the process that acted (`Image`). `docs/chronicle.md` documents the table.

use crate::fields::{FieldMapping, Rewrite};

const fn row(field: &'static str, categories: &'static [&'static str], canonical: &'static str) -> FieldMapping {
    FieldMapping { field, categories, canonical, rewrite: Rewrite::Same }
}

/// UDM → canonical. Category-specific rows come before the general row of the same field.
pub const UDM: &[FieldMapping] = &[
    // Process launch (Sysmon 1, Security 4688).
    row("target.process.file.full_path", &[], "Image"),
    row("target.process.command_line", &[], "CommandLine"),
    row("target.process.pid", &[], "ProcessId"),
    row("target.process.product_specific_process_id", &[], "ProcessGuid"),
    row("target.process.file.names", &["process"], "OriginalFileName"),
    row("target.process.integrity_level_rid", &[], "IntegrityLevel"),
    row("principal.process.file.full_path", &["process"], "ParentImage"),
    row("principal.process.command_line", &["process"], "ParentCommandLine"),
    row("principal.process.pid", &["process"], "ParentProcessId"),
    row("principal.process.product_specific_process_id", &["process"], "ParentProcessGuid"),
    row("principal.process.parent_process.command_line", &["process"], "GrandparentCommandLine"),
    row("target.user.userid", &["process"], "User"),
    // The acting process of every other event (network, file, registry, image load …).
    row("principal.process.file.full_path", &[], "Image"),
    row("principal.process.command_line", &[], "CommandLine"),
    row("principal.process.pid", &[], "ProcessId"),
    // Process access (Sysmon 10).
    row("target.process.access_mask", &[], "GrantedAccess"),
    // Network and DNS (Sysmon 3, 22).
    row("principal.ip", &["network", "dns"], "SourceIp"),
    row("target.ip", &["network", "dns"], "DestinationIp"),
    row("principal.port", &["network", "dns"], "SourcePort"),
    row("target.port", &[], "DestinationPort"),
    row("network.ip_protocol", &[], "Protocol"),
    row("network.direction", &[], "Initiated"),
    row("target.hostname", &["network"], "DestinationHostname"),
    row("principal.hostname", &["network"], "SourceHostname"),
    row("network.dns.questions.name", &[], "QueryName"),
    row("network.dns.answers.data", &[], "QueryResults"),
    row("network.dns.response_code", &[], "QueryStatus"),
    // File events (Sysmon 11, 23 …).
    row("target.file.full_path", &[], "TargetFilename"),
    // Image loads (Sysmon 7).
    row("target.process.file.full_path", &["image_load"], "ImageLoaded"),
    // Registry events (Sysmon 12, 13, 14).
    row("target.registry.registry_key", &[], "TargetObject"),
    row("target.registry.registry_value_data", &[], "Details"),
    // Authentication (Security 4624, 4625 …).
    row("target.user.userid", &["authentication"], "TargetUserName"),
    row("target.user.windows_sid", &["authentication"], "TargetUserSid"),
    row("principal.ip", &["authentication"], "IpAddress"),
    row("principal.hostname", &["authentication"], "WorkstationName"),
    // Common Windows event fields.
    row("metadata.product_event_type", &["windows"], "EventID"),
    row("metadata.product_name", &["windows"], "Provider_Name"),
    row("principal.user.userid", &[], "SubjectUserName"),
    // AWS CloudTrail (Sigma's `aws/cloudtrail` fields).
    row("metadata.product_event_type", &["cloudtrail"], "eventName"),
    row("principal.ip", &["cloudtrail"], "sourceIPAddress"),
];

/// The canonical name of UDM `field` (the path after the event variable) in an event of
/// `category` (a field-vocabulary category, or `windows`/`cloudtrail` for the source).
pub fn udm_to_canonical(field: &str, categories: &[&str]) -> Option<FieldMapping> {
    UDM.iter()
        .find(|m| m.field == field && (m.categories.is_empty() || m.categories.iter().any(|c| categories.contains(c))))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_acting_process_is_the_parent_only_in_a_process_launch() {
        assert_eq!(
            udm_to_canonical("principal.process.file.full_path", &["process"]).unwrap().canonical,
            "ParentImage"
        );
        assert_eq!(udm_to_canonical("principal.process.file.full_path", &["network"]).unwrap().canonical, "Image");
        assert_eq!(udm_to_canonical("target.process.command_line", &[]).unwrap().canonical, "CommandLine");
        assert_eq!(udm_to_canonical("metadata.product_event_type", &["cloudtrail"]).unwrap().canonical, "eventName");
        assert!(udm_to_canonical("metadata.product_event_type", &[]).is_none());
        assert!(udm_to_canonical("principal.ip", &[]).is_none(), "an IP means nothing without its event");
    }
}
