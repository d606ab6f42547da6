//! The one field vocabulary: each rule language's field names → the catalog's canonical names
//! (the Sigma/Sysmon name where the concept exists), so that indicators of rules written in
//! different languages meet in one corpus count.
//!
//! One table, [`ECS`], for Elastic Common Schema fields (Elastic rules). Its facts are those of
//! pySigma-backend-elasticsearch's `ecs_windows` pipeline (which maps Sigma names to ECS; the
//! same facts detwiki's `crates/pipeline/pipelines/ecs-windows.yml` holds), inverted, plus what
//! it lacks (`registry.path` → `TargetObject`, `registry.data.strings` → `Details`,
//! `dns.question.name` → `QueryName`, the `*.name` fields as `ends_with` rewrites). Where one
//! ECS field stands for several Sigma names, the event category chooses (`file.path` is
//! `ImageLoaded` in a `library` event, `TargetFilename` otherwise). `docs/field-vocabulary.md`
//! documents the table and its sources. Unmapped fields keep their own names.

pub mod sublime;

pub use sublime::mdm_to_canonical;

/// How a value changes when its field is renamed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Rewrite {
    /// The value means the same under the canonical name.
    Same,
    /// The ECS field holds a file *name*, the canonical one a full *path*: `eq "x.exe"` is
    /// `ends_with "\x.exe"` (and `starts_with "x"` is `match "\x"`, …).
    NameToPath,
    /// The ECS field holds one *argument*, the canonical one the whole command line: an
    /// argument equal to `x` (or starting, ending with, containing it) is `match "x"`.
    ArgToCommandLine,
}

/// One row of the field vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FieldMapping {
    /// The language's field (`process.name`).
    pub field: &'static str,
    /// The event categories this row applies to (ECS `event.category` / EQL category names);
    /// empty: every category.
    pub categories: &'static [&'static str],
    /// The canonical name (`Image`).
    pub canonical: &'static str,
    /// How values change.
    pub rewrite: Rewrite,
}

const fn row(field: &'static str, categories: &'static [&'static str], canonical: &'static str) -> FieldMapping {
    FieldMapping { field, categories, canonical, rewrite: Rewrite::Same }
}

const fn name(field: &'static str, categories: &'static [&'static str], canonical: &'static str) -> FieldMapping {
    FieldMapping { field, categories, canonical, rewrite: Rewrite::NameToPath }
}

/// ECS → canonical. Category-specific rows come before the general row of the same field.
pub const ECS: &[FieldMapping] = &[
    // Process events (Sysmon 1, Security 4688).
    row("process.executable", &[], "Image"),
    name("process.name", &[], "Image"),
    row("process.command_line", &[], "CommandLine"),
    FieldMapping {
        field: "process.args",
        categories: &[],
        canonical: "CommandLine",
        rewrite: Rewrite::ArgToCommandLine,
    },
    row("process.working_directory", &[], "CurrentDirectory"),
    row("process.entity_id", &[], "ProcessGuid"),
    row("process.pid", &[], "ProcessId"),
    row("process.parent.executable", &[], "ParentImage"),
    name("process.parent.name", &[], "ParentImage"),
    row("process.parent.command_line", &[], "ParentCommandLine"),
    row("process.parent.entity_id", &[], "ParentProcessGuid"),
    row("process.parent.pid", &[], "ParentProcessId"),
    row("process.pe.original_file_name", &[], "OriginalFileName"),
    row("process.pe.description", &[], "Description"),
    row("process.pe.product", &[], "Product"),
    row("process.pe.company", &[], "Company"),
    row("process.pe.file_version", &[], "FileVersion"),
    row("process.hash.sha256", &[], "Hashes"),
    row("process.pe.imphash", &[], "Imphash"),
    row("process.code_signature.subject_name", &[], "Signature"),
    row("user.name", &[], "User"),
    // Image and driver loads (Sysmon 6, 7).
    row("file.path", &["library", "driver"], "ImageLoaded"),
    name("file.name", &["library", "driver"], "ImageLoaded"),
    row("dll.path", &[], "ImageLoaded"),
    name("dll.name", &[], "ImageLoaded"),
    row("dll.pe.original_file_name", &[], "OriginalFileName"),
    row("dll.code_signature.subject_name", &[], "Signature"),
    row("file.code_signature.subject_name", &[], "Signature"),
    row("file.code_signature.signed", &[], "Signed"),
    row("file.code_signature.status", &[], "SignatureStatus"),
    row("file.pe.imphash", &[], "Imphash"),
    row("file.pe.original_file_name", &[], "OriginalFileName"),
    // File events (Sysmon 11, 23, 26 …).
    row("file.path", &[], "TargetFilename"),
    name("file.name", &[], "TargetFilename"),
    // Registry events (Sysmon 12, 13, 14).
    row("registry.path", &[], "TargetObject"),
    row("registry.data.strings", &[], "Details"),
    // Network and DNS (Sysmon 3, 22).
    row("source.ip", &[], "SourceIp"),
    row("source.port", &[], "SourcePort"),
    row("source.domain", &[], "SourceHostname"),
    row("destination.ip", &[], "DestinationIp"),
    row("destination.port", &[], "DestinationPort"),
    row("destination.domain", &[], "DestinationHostname"),
    row("network.transport", &[], "Protocol"),
    row("network.direction", &[], "Initiated"),
    row("dns.question.name", &[], "QueryName"),
    // Common Windows event fields.
    row("event.code", &[], "EventID"),
    row("winlog.channel", &[], "Channel"),
    row("winlog.provider_name", &[], "Provider_Name"),
    row("winlog.computer_name", &[], "ComputerName"),
    row("service.name", &[], "ServiceName"),
    row("winlog.logon.id", &[], "SubjectLogonId"),
    row("user.domain", &[], "SubjectDomainName"),
    row("user.id", &[], "SubjectUserSid"),
    row("powershell.command.value", &[], "CommandLine"),
];

/// The canonical name of ECS `field` in an event of `category` (ECS/EQL category name such as
/// `process`, `file`, `registry`, `library`; `None` when unknown). `winlog.event_data.X` is `X`.
pub fn ecs_to_canonical(field: &str, category: Option<&str>) -> Option<FieldMapping> {
    let applies = |m: &&FieldMapping| {
        m.field == field && (m.categories.is_empty() || category.is_some_and(|c| m.categories.contains(&c)))
    };
    if let Some(m) = ECS.iter().find(applies) {
        return Some(*m);
    }
    None
}

/// The canonical name of a `winlog.event_data.X` field: `X`, as Winlogbeat ships event data.
pub fn event_data_name(field: &str) -> Option<&str> {
    field.strip_prefix("winlog.event_data.").filter(|x| !x.is_empty() && !x.contains('.'))
}

/// The ECS fields that map to canonical `name` (any category): the other direction.
pub fn canonical_to_ecs(name: &str) -> Vec<&'static str> {
    let mut out: Vec<&'static str> = Vec::new();
    for m in ECS.iter().filter(|m| m.canonical == name) {
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
    fn names_map_with_rewrites_and_by_category() {
        let m = ecs_to_canonical("process.name", Some("process")).unwrap();
        assert_eq!((m.canonical, m.rewrite), ("Image", Rewrite::NameToPath));
        assert_eq!(ecs_to_canonical("registry.path", None).unwrap().canonical, "TargetObject");
        assert_eq!(ecs_to_canonical("file.path", Some("library")).unwrap().canonical, "ImageLoaded");
        assert_eq!(ecs_to_canonical("file.path", Some("file")).unwrap().canonical, "TargetFilename");
        assert!(ecs_to_canonical("host.os.type", None).is_none());
        assert_eq!(event_data_name("winlog.event_data.TargetUserName"), Some("TargetUserName"));
    }

    #[test]
    fn every_canonical_name_leads_back_to_its_ecs_field() {
        for m in ECS {
            let back = canonical_to_ecs(m.canonical);
            assert!(back.contains(&m.field), "{} -> {} -> {back:?}", m.field, m.canonical);
        }
        assert_eq!(canonical_to_ecs("Image"), vec!["process.executable", "process.name"]);
        assert_eq!(canonical_to_ecs("TargetObject"), vec!["registry.path"]);
    }
}
