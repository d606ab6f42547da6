//! Panther's event fields → the one field vocabulary.
//!
//! Panther rules read each vendor's log as the vendor writes it (`eventName` of CloudTrail,
//! `eventType` of Okta, `action` of GitHub's audit log), and SigmaHQ's cloud and SaaS rules
//! name those fields the same way (`rules/cloud/aws`: `eventName`, `eventSource`,
//! `userIdentity.arn`; `rules/identity/okta`: `eventType`, `actor.alternateId`; GitHub audit:
//! `action`), so most Panther fields need no row: they keep their name and meet Sigma's in the
//! corpus counts as they are. The rows below are the fields where Panther's schema and the
//! name Sigma rules use differ:
//!
//! - Google Workspace (`GSuite.ActivityEvent`, `GSuite.Reports`): Panther keeps the Reports
//!   API's `id.applicationName` and `name`; Sigma's `gworkspace` rules say `eventService` and
//!   `eventName` (`rules/cloud/gcp/gworkspace`);
//! - GCP audit logs (`GCP.AuditLog`): `protoPayload.methodName` is Sigma's
//!   `gcp.audit.method_name` (`rules/cloud/gcp/audit`);
//! - CrowdStrike Falcon Data Replicator (`Crowdstrike.FDREvent`): the process event's
//!   `event.ImageFileName`, `event.CommandLine`, `event.ParentBaseFileName` are Sysmon's
//!   `Image`, `CommandLine` and (a file *name*) `ParentImage`.
//!
//! `docs/panther.md` lists the table with these sources.

use crate::fields::{FieldMapping, Rewrite};

/// One row: a log type family (prefix of Panther's log type name), the Panther field, the
/// canonical field and how values change.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct PantherField {
    /// Log type prefix (`GSuite.`, `GCP.AuditLog`).
    pub log_type: &'static str,
    /// The mapping.
    pub mapping: FieldMapping,
}

const fn row(log_type: &'static str, field: &'static str, canonical: &'static str, rewrite: Rewrite) -> PantherField {
    PantherField { log_type, mapping: FieldMapping { field, categories: &[], canonical, rewrite } }
}

/// Panther fields whose canonical name differs from their own.
pub const PANTHER: &[PantherField] = &[
    row("GSuite.", "id.applicationName", "eventService", Rewrite::Same),
    row("GSuite.", "name", "eventName", Rewrite::Same),
    row("GCP.AuditLog", "protoPayload.methodName", "gcp.audit.method_name", Rewrite::Same),
    row("Crowdstrike.FDREvent", "event.ImageFileName", "Image", Rewrite::Same),
    row("Crowdstrike.FDREvent", "event.CommandLine", "CommandLine", Rewrite::Same),
    row("Crowdstrike.FDREvent", "event.ParentBaseFileName", "ParentImage", Rewrite::NameToPath),
];

/// The canonical mapping of Panther field `field` in a rule over `log_types`, if its name
/// differs; `None`: the field keeps its own name.
pub fn panther_to_canonical(field: &str, log_types: &[&str]) -> Option<FieldMapping> {
    PANTHER
        .iter()
        .find(|r| r.mapping.field == field && log_types.iter().any(|lt| lt.starts_with(r.log_type)))
        .map(|r| r.mapping)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_map_per_log_type() {
        assert_eq!(panther_to_canonical("name", &["GSuite.ActivityEvent"]).unwrap().canonical, "eventName");
        assert!(panther_to_canonical("name", &["Okta.SystemLog"]).is_none(), "only for its log type");
        assert!(panther_to_canonical("eventName", &["AWS.CloudTrail"]).is_none(), "same name as Sigma's");
        let m = panther_to_canonical("event.ParentBaseFileName", &["Crowdstrike.FDREvent"]).unwrap();
        assert_eq!((m.canonical, m.rewrite), ("ParentImage", Rewrite::NameToPath));
    }
}
