//! The logsource → provider events table: one table, used twice.
//!
//! The catalog shows a rule's rows as *Event coverage* (`Provider | Event | Title`) and lists all
//! of them on a docs page ([`mappings`]); the engine uses the same rows to route events to rules:
//! an event belongs to a rule's logsource when its channel (and event id, when the row has one,
//! and [`EventSource::conditions`]) match a row, and the rule's Sigma field names are then looked
//! up through [`EventSource::field_map`].
//!
//! Sources of the facts: the public pySigma pipelines (`pysigma-pipeline-sysmon`: category →
//! Sysmon event ids; `pysigma-pipeline-windows`: PowerShell categories, Windows audit (Security)
//! equivalents and its field mappings; pySigma's `windows_logsource_mapping`: service → channel),
//! Sysmon's own event titles, SigmaHQ's `tests/logsource.json` and logsource guides, the rules'
//! `definition:` requirements, and Microsoft's documentation for the Security events that public
//! pipelines do not cover (5156, 4689). Lookups are exact on the (product, category, service)
//! triple, case-insensitive; a triple that is not listed has no known mapping and must be reported,
//! never applied to every event. Known-but-unmappable triples are listed in [`unmapped`].

use serde::Serialize;

/// A Sigma logsource triple. `None` = the key is absent from the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LogsourceKey {
    /// `product:` (windows, linux, aws …).
    pub product: Option<&'static str>,
    /// `category:` (process_creation, proxy …).
    pub category: Option<&'static str>,
    /// `service:` (security, cloudtrail …).
    pub service: Option<&'static str>,
}

impl LogsourceKey {
    /// Whether this key is the given triple (case-insensitive, surrounding blanks ignored).
    pub fn matches(&self, product: Option<&str>, category: Option<&str>, service: Option<&str>) -> bool {
        fn eq(a: Option<&str>, b: Option<&str>) -> bool {
            match (a, b.map(str::trim).filter(|s| !s.is_empty())) {
                (None, None) => true,
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => false,
            }
        }
        eq(self.product, product) && eq(self.category, category) && eq(self.service, service)
    }
}

impl std::fmt::Display for LogsourceKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts = [("product", self.product), ("category", self.category), ("service", self.service)];
        let mut first = true;
        for (k, v) in parts {
            if let Some(v) = v {
                if !first {
                    f.write_str(" ")?;
                }
                write!(f, "{k}:{v}")?;
                first = false;
            }
        }
        if first {
            f.write_str("(empty)")?;
        }
        Ok(())
    }
}

/// One kind of event that a logsource stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct EventSource {
    /// Provider as the wiki shows it: `Sysmon`, `Security-Auditing`, `AWS CloudTrail`.
    pub provider: &'static str,
    /// The provider's real name (ETW provider `Microsoft-Windows-Sysmon`, or the product's own
    /// name); `None` when the channel carries events of many providers (System, Application).
    pub provider_name: Option<&'static str>,
    /// Windows event log channel (`Microsoft-Windows-Sysmon/Operational`, `Security`), or for
    /// other platforms the log stream (`/var/log/audit/audit.log`, `CloudTrail`, `SigninLogs`).
    pub channel: &'static str,
    /// Event id; `None` = any event of the channel (`service:` logsources, non-Windows logs).
    pub event_id: Option<u32>,
    /// The provider's own title for the event (`Process creation`, `A new process has been created`).
    pub title: &'static str,
    /// Sigma field name → provider field name, for fields whose names differ (identity omitted).
    pub field_map: &'static [(&'static str, &'static str)],
    /// Further conditions an event must meet to belong here: field (provider name) → accepted
    /// values (any of), e.g. 4657 `OperationType` for `registry_set`.
    pub conditions: &'static [(&'static str, &'static [&'static str])],
}

impl EventSource {
    /// The provider field for a Sigma field name (the name itself when not mapped).
    pub fn provider_field<'a>(&self, sigma_field: &'a str) -> &'a str {
        self.field_map.iter().find(|(s, _)| s.eq_ignore_ascii_case(sigma_field)).map_or(sigma_field, |(_, p)| *p)
    }

    /// Event column as the wiki shows it: `Event ID 12`, or `any event` for whole channels.
    pub fn event_label(&self) -> String {
        match self.event_id {
            Some(id) => format!("Event ID {id}"),
            None => "any event".to_string(),
        }
    }
}

/// Platform a logsource belongs to (for per-platform pages).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Platform {
    /// Windows event logs and ETW.
    Windows,
    /// Linux (auditd, Sysmon for Linux, syslog-style logs).
    Linux,
    /// macOS (Endpoint Security).
    MacOs,
    /// Cloud, identity and SaaS audit logs.
    Cloud,
    /// Network devices and network telemetry (proxy, firewall, DNS, Zeek …).
    Network,
    /// Application and web server logs.
    Application,
}

/// A known logsource with its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Mapping {
    /// The logsource triple.
    pub key: LogsourceKey,
    /// Its platform.
    pub platform: Platform,
    /// The events it stands for (never empty).
    pub events: &'static [EventSource],
}

/// A logsource seen in the corpus that has no event mapping, with the reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Unmapped {
    /// The logsource triple.
    pub key: LogsourceKey,
    /// Why it cannot be mapped.
    pub reason: &'static str,
}

/// Result of [`lookup`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "entry", rename_all = "snake_case")]
pub enum Lookup {
    /// Known, with events.
    Mapped(&'static Mapping),
    /// Known to have no event mapping.
    Unmapped(&'static Unmapped),
    /// Not in this table.
    Unknown,
}

/// Events a logsource stands for; `None` = no known event mapping (report it, do not apply the
/// rule to every event). Exact on the triple, case-insensitive.
pub fn events(product: Option<&str>, category: Option<&str>, service: Option<&str>) -> Option<&'static [EventSource]> {
    match lookup(product, category, service) {
        Lookup::Mapped(m) => Some(m.events),
        _ => None,
    }
}

/// The table entry for a logsource triple.
pub fn lookup(product: Option<&str>, category: Option<&str>, service: Option<&str>) -> Lookup {
    if let Some(m) = MAPPINGS.iter().find(|m| m.key.matches(product, category, service)) {
        return Lookup::Mapped(m);
    }
    UNMAPPED.iter().find(|u| u.key.matches(product, category, service)).map_or(Lookup::Unknown, Lookup::Unmapped)
}

/// Every known mapping, in table order (Windows categories, Windows services, Linux, macOS,
/// cloud, network, applications) — for the docs page.
pub fn mappings() -> &'static [Mapping] {
    MAPPINGS
}

/// Logsources known to have no event mapping, with reasons.
pub fn unmapped() -> &'static [Unmapped] {
    UNMAPPED
}

/// All mappings whose events include the given Windows channel (and event id, when given): the
/// engine's reverse index for routing.
pub fn mappings_for_event(channel: &str, event_id: Option<u32>) -> Vec<&'static Mapping> {
    MAPPINGS
        .iter()
        .filter(|m| {
            m.events.iter().any(|e| {
                e.channel.eq_ignore_ascii_case(channel)
                    && (e.event_id.is_none() || event_id.is_none() || e.event_id == event_id)
            })
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The table.

macro_rules! key {
    ($p:expr, $c:expr, $s:expr) => {
        LogsourceKey { product: $p, category: $c, service: $s }
    };
}

macro_rules! ev {
    ($prov:expr, $pname:expr, $chan:expr, $id:expr, $title:expr) => {
        ev!($prov, $pname, $chan, $id, $title, &[], &[])
    };
    ($prov:expr, $pname:expr, $chan:expr, $id:expr, $title:expr, $fields:expr) => {
        ev!($prov, $pname, $chan, $id, $title, $fields, &[])
    };
    ($prov:expr, $pname:expr, $chan:expr, $id:expr, $title:expr, $fields:expr, $conds:expr) => {
        EventSource {
            provider: $prov,
            provider_name: $pname,
            channel: $chan,
            event_id: $id,
            title: $title,
            field_map: $fields,
            conditions: $conds,
        }
    };
}

macro_rules! map {
    ($plat:ident, $p:expr, $c:expr, $s:expr, $events:expr) => {
        Mapping { key: key!($p, $c, $s), platform: Platform::$plat, events: $events }
    };
}

const SYSMON_CH: &str = "Microsoft-Windows-Sysmon/Operational";
const SYSMON_PN: Option<&str> = Some("Microsoft-Windows-Sysmon");
const LSYSMON_CH: &str = "Linux-Sysmon/Operational";
const LSYSMON_PN: Option<&str> = Some("Linux-Sysmon");
const SEC_PN: Option<&str> = Some("Microsoft-Windows-Security-Auditing");

macro_rules! sysmon {
    ($id:expr, $title:expr) => {
        ev!("Sysmon", SYSMON_PN, SYSMON_CH, Some($id), $title)
    };
}
macro_rules! lsysmon {
    ($id:expr, $title:expr) => {
        ev!("Sysmon for Linux", LSYSMON_PN, LSYSMON_CH, Some($id), $title)
    };
}

// Sysmon event ids with Sysmon's own titles.
const S1: EventSource = sysmon!(1, "Process creation");
const S2: EventSource = sysmon!(2, "A process changed a file creation time");
const S3: EventSource = sysmon!(3, "Network connection");
const S4: EventSource = sysmon!(4, "Sysmon service state changed");
const S5: EventSource = sysmon!(5, "Process terminated");
const S6: EventSource = sysmon!(6, "Driver loaded");
const S7: EventSource = sysmon!(7, "Image loaded");
const S8: EventSource = sysmon!(8, "CreateRemoteThread");
const S9: EventSource = sysmon!(9, "RawAccessRead");
const S10: EventSource = sysmon!(10, "ProcessAccess");
const S11: EventSource = sysmon!(11, "FileCreate");
const S12: EventSource = sysmon!(12, "RegistryEvent (Object create and delete)");
const S13: EventSource = sysmon!(13, "RegistryEvent (Value Set)");
const S14: EventSource = sysmon!(14, "RegistryEvent (Key and Value Rename)");
const S15: EventSource = sysmon!(15, "FileCreateStreamHash");
const S16: EventSource = sysmon!(16, "ServiceConfigurationChange");
const S17: EventSource = sysmon!(17, "PipeEvent (Pipe Created)");
const S18: EventSource = sysmon!(18, "PipeEvent (Pipe Connected)");
const S19: EventSource = sysmon!(19, "WmiEvent (WmiEventFilter activity detected)");
const S20: EventSource = sysmon!(20, "WmiEvent (WmiEventConsumer activity detected)");
const S21: EventSource = sysmon!(21, "WmiEvent (WmiEventConsumerToFilter activity detected)");
const S22: EventSource = sysmon!(22, "DNSEvent (DNS query)");
const S23: EventSource = sysmon!(23, "FileDelete (File Delete archived)");
const S24: EventSource = sysmon!(24, "ClipboardChange (New content in the clipboard)");
const S25: EventSource = sysmon!(25, "ProcessTampering (Process image change)");
const S26: EventSource = sysmon!(26, "FileDeleteDetected (File Delete logged)");
const S27: EventSource = sysmon!(27, "FileBlockExecutable");
const S28: EventSource = sysmon!(28, "FileBlockShredding");
const S29: EventSource = sysmon!(29, "FileExecutableDetected");
const S255: EventSource = sysmon!(255, "Error");

/// Sigma (Sysmon 1) → Security 4688. pySigma windows-audit / SigmaHQ windows-audit config:
/// Image, ParentImage, LogonId; the rest from Microsoft's 4688 documentation (4688 `ProcessId`
/// is the creator, i.e. Sysmon's ParentProcessId; ids are hexadecimal; MandatoryLabel is a SID).
const SEC_4688_FIELDS: &[(&str, &str)] = &[
    ("Image", "NewProcessName"),
    ("ParentImage", "ParentProcessName"),
    ("ProcessId", "NewProcessId"),
    ("ParentProcessId", "ProcessId"),
    ("LogonId", "SubjectLogonId"),
    ("IntegrityLevel", "MandatoryLabel"),
];
/// Sigma (Sysmon 12–14) → Security 4657 (pySigma windows-audit registry mapping). Note that 4657
/// splits the key (`ObjectName`, `\REGISTRY\MACHINE\…`) from the value name (`ObjectValueName`).
const SEC_4657_FIELDS: &[(&str, &str)] =
    &[("Image", "ProcessName"), ("TargetObject", "ObjectName"), ("Details", "NewValue")];
/// Sigma (Sysmon 3) → Security 5156 (Microsoft's 5156 documentation; Application is a
/// `\device\harddiskvolumeN\…` path, Protocol a number, Direction `%%14593` for outbound).
const SEC_5156_FIELDS: &[(&str, &str)] = &[
    ("Image", "Application"),
    ("ProcessId", "ProcessID"),
    ("SourceIp", "SourceAddress"),
    ("DestinationIp", "DestAddress"),
    ("DestinationPort", "DestPort"),
    ("Initiated", "Direction"),
];
/// Sigma (Sysmon 5) → Security 4689.
const SEC_4689_FIELDS: &[(&str, &str)] = &[("Image", "ProcessName")];

const SEC_4688: EventSource =
    ev!("Security-Auditing", SEC_PN, "Security", Some(4688), "A new process has been created", SEC_4688_FIELDS);
const SEC_4689: EventSource =
    ev!("Security-Auditing", SEC_PN, "Security", Some(4689), "A process has exited", SEC_4689_FIELDS);
const SEC_5156: EventSource = ev!(
    "Security-Auditing",
    SEC_PN,
    "Security",
    Some(5156),
    "The Windows Filtering Platform has permitted a connection",
    SEC_5156_FIELDS
);
const SEC_4657_TITLE: &str = "A registry value was modified";
const SEC_4657_SET: EventSource = ev!(
    "Security-Auditing",
    SEC_PN,
    "Security",
    Some(4657),
    SEC_4657_TITLE,
    SEC_4657_FIELDS,
    &[("OperationType", &["Existing registry value modified"])]
);
const SEC_4657_ADD: EventSource = ev!(
    "Security-Auditing",
    SEC_PN,
    "Security",
    Some(4657),
    SEC_4657_TITLE,
    SEC_4657_FIELDS,
    &[("OperationType", &["New registry value created"])]
);

const PS_CH: &str = "Microsoft-Windows-PowerShell/Operational";
const PS_PN: Option<&str> = Some("Microsoft-Windows-PowerShell");
const PS7_CH: &str = "PowerShellCore/Operational";
const PS7_PN: Option<&str> = Some("PowerShellCore");
const PSC_CH: &str = "Windows PowerShell";
const PSC_PN: Option<&str> = Some("PowerShell");

const KFILE_PN: Option<&str> = Some("Microsoft-Windows-Kernel-File");
const KFILE_CH: &str = "Microsoft-Windows-Kernel-File/Analytic";

/// Defender writes field names with spaces; rules write them without (or with `_`).
const WINDEFEND_FIELDS: &[(&str, &str)] = &[
    ("ActionName", "Action Name"),
    ("CategoryName", "Category Name"),
    ("DetectionID", "Detection ID"),
    ("DetectionTime", "Detection Time"),
    ("DetectionUser", "Detection User"),
    ("EngineVersion", "Engine Version"),
    ("ErrorDescription", "Error Description"),
    ("FeatureName", "Feature Name"),
    ("Feature_Name", "Feature Name"),
    ("NewValue", "New Value"),
    ("OldValue", "Old Value"),
    ("ProcessName", "Process Name"),
    ("ProductName", "Product Name"),
    ("ProductVersion", "Product Version"),
    ("SeverityName", "Severity Name"),
    ("SourceName", "Source Name"),
    ("ThreatID", "Threat ID"),
    ("ThreatName", "Threat Name"),
];

macro_rules! win_channel {
    ($prov:expr, $pname:expr, $chan:expr, $title:expr) => {
        ev!($prov, $pname, $chan, None, $title)
    };
    ($prov:expr, $pname:expr, $chan:expr, $title:expr, $fields:expr) => {
        ev!($prov, $pname, $chan, None, $title, $fields)
    };
}

macro_rules! stream {
    ($prov:expr, $pname:expr, $chan:expr, $title:expr) => {
        ev!($prov, Some($pname), $chan, None, $title)
    };
}

static MAPPINGS: &[Mapping] = &[
    // ---- Windows categories: Sysmon (pysigma-pipeline-sysmon) + Security equivalents ----
    map!(Windows, Some("windows"), Some("process_creation"), None, &[S1, SEC_4688]),
    map!(Windows, Some("windows"), Some("file_change"), None, &[S2]),
    map!(Windows, Some("windows"), Some("network_connection"), None, &[S3, SEC_5156]),
    map!(Windows, Some("windows"), Some("sysmon_status"), None, &[S4, S16]),
    map!(Windows, Some("windows"), Some("process_termination"), None, &[S5, SEC_4689]),
    map!(Windows, Some("windows"), Some("driver_load"), None, &[S6]),
    map!(Windows, Some("windows"), Some("image_load"), None, &[S7]),
    map!(Windows, Some("windows"), Some("create_remote_thread"), None, &[S8]),
    map!(Windows, Some("windows"), Some("raw_access_thread"), None, &[S9]),
    map!(Windows, Some("windows"), Some("raw_access_read"), None, &[S9]),
    map!(Windows, Some("windows"), Some("process_access"), None, &[S10]),
    map!(Windows, Some("windows"), Some("file_event"), None, &[S11]),
    map!(Windows, Some("windows"), Some("registry_add"), None, &[S12, SEC_4657_ADD]),
    map!(Windows, Some("windows"), Some("registry_delete"), None, &[S12]),
    map!(Windows, Some("windows"), Some("registry_set"), None, &[S13, SEC_4657_SET]),
    map!(Windows, Some("windows"), Some("registry_rename"), None, &[S14]),
    // The seed page shows registry_event as Sysmon 12-14 only: the generic category has no
    // single Security-auditing equivalent (4657 covers value writes, not key create/delete).
    map!(Windows, Some("windows"), Some("registry_event"), None, &[S12, S13, S14]),
    map!(Windows, Some("windows"), Some("create_stream_hash"), None, &[S15]),
    map!(Windows, Some("windows"), Some("pipe_created"), None, &[S17, S18]),
    map!(Windows, Some("windows"), Some("wmi_event"), None, &[S19, S20, S21]),
    map!(Windows, Some("windows"), Some("dns_query"), None, &[S22]),
    map!(Windows, Some("windows"), Some("file_delete"), None, &[S23]),
    map!(Windows, Some("windows"), Some("clipboard_capture"), None, &[S24]),
    map!(Windows, Some("windows"), Some("process_tampering"), None, &[S25]),
    map!(Windows, Some("windows"), Some("file_delete_detected"), None, &[S26]),
    map!(Windows, Some("windows"), Some("file_block_executable"), None, &[S27]),
    map!(Windows, Some("windows"), Some("file_block_shredding"), None, &[S28]),
    map!(Windows, Some("windows"), Some("file_block"), None, &[S27, S28]),
    map!(Windows, Some("windows"), Some("file_executable_detected"), None, &[S29]),
    map!(Windows, Some("windows"), Some("sysmon_error"), None, &[S255]),
    // Categories that need the Kernel-File ETW provider (rules' `definition:`; e.g. Aurora).
    map!(
        Windows,
        Some("windows"),
        Some("file_access"),
        None,
        &[ev!("Kernel-File", KFILE_PN, KFILE_CH, None, "Kernel file I/O (ETW: create/open)")]
    ),
    map!(
        Windows,
        Some("windows"),
        Some("file_rename"),
        None,
        &[ev!("Kernel-File", KFILE_PN, KFILE_CH, None, "Kernel file I/O (ETW: rename/set link)")]
    ),
    // ---- Windows PowerShell categories (pysigma-pipeline-windows) ----
    map!(
        Windows,
        Some("windows"),
        Some("ps_module"),
        None,
        &[
            ev!("PowerShell", PS_PN, PS_CH, Some(4103), "Module logging (Executing Pipeline)"),
            ev!("PowerShell 7", PS7_PN, PS7_CH, Some(4103), "Module logging (Executing Pipeline)"),
        ]
    ),
    map!(
        Windows,
        Some("windows"),
        Some("ps_script"),
        None,
        &[
            ev!("PowerShell", PS_PN, PS_CH, Some(4104), "Script block logging (Creating Scriptblock text)"),
            ev!("PowerShell 7", PS7_PN, PS7_CH, Some(4104), "Script block logging (Creating Scriptblock text)"),
        ]
    ),
    map!(
        Windows,
        Some("windows"),
        Some("ps_classic_start"),
        None,
        &[ev!("PowerShell (classic)", PSC_PN, PSC_CH, Some(400), "Engine state is changed from None to Available"),]
    ),
    map!(
        Windows,
        Some("windows"),
        Some("ps_classic_provider_start"),
        None,
        &[ev!("PowerShell (classic)", PSC_PN, PSC_CH, Some(600), "Provider is Started"),]
    ),
    map!(
        Windows,
        Some("windows"),
        Some("ps_classic_script"),
        None,
        &[ev!("PowerShell (classic)", PSC_PN, PSC_CH, Some(800), "Pipeline execution details"),]
    ),
    // ---- Windows services: whole channels (pySigma windows_logsource_mapping) ----
    map!(
        Windows,
        Some("windows"),
        None,
        Some("security"),
        &[win_channel!(
            "Security",
            Some("Microsoft-Windows-Security-Auditing"),
            "Security",
            "Security event log (audit events, any id)"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("system"),
        &[win_channel!("System", None, "System", "System event log (any provider, any id)")]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("application"),
        &[win_channel!("Application", None, "Application", "Application event log (any provider, any id)")]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("sysmon"),
        &[win_channel!(
            "Sysmon",
            Some("Microsoft-Windows-Sysmon"),
            "Microsoft-Windows-Sysmon/Operational",
            "Any Sysmon event"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("powershell"),
        &[
            win_channel!(
                "PowerShell",
                Some("Microsoft-Windows-PowerShell"),
                "Microsoft-Windows-PowerShell/Operational",
                "Windows PowerShell 5.1 operational log"
            ),
            win_channel!(
                "PowerShell 7",
                Some("PowerShellCore"),
                "PowerShellCore/Operational",
                "PowerShell 7 operational log"
            )
        ]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("powershell-classic"),
        &[win_channel!(
            "PowerShell (classic)",
            Some("PowerShell"),
            "Windows PowerShell",
            "Classic Windows PowerShell log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("taskscheduler"),
        &[win_channel!(
            "Task Scheduler",
            Some("Microsoft-Windows-TaskScheduler"),
            "Microsoft-Windows-TaskScheduler/Operational",
            "Task Scheduler operational log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("wmi"),
        &[win_channel!(
            "WMI-Activity",
            Some("Microsoft-Windows-WMI-Activity"),
            "Microsoft-Windows-WMI-Activity/Operational",
            "WMI activity log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("dns-server"),
        &[win_channel!("DNS Server", Some("Microsoft-Windows-DNS-Server-Service"), "DNS Server", "DNS Server log")]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("dns-server-audit"),
        &[win_channel!(
            "DNS Server",
            Some("Microsoft-Windows-DNSServer"),
            "Microsoft-Windows-DNS-Server/Audit",
            "DNS Server audit log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("dns-server-analytic"),
        &[win_channel!(
            "DNS Server",
            Some("Microsoft-Windows-DNSServer"),
            "Microsoft-Windows-DNS-Server/Analytical",
            "DNS Server analytical log (queries)"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("driver-framework"),
        &[win_channel!(
            "DriverFrameworks-UserMode",
            Some("Microsoft-Windows-DriverFrameworks-UserMode"),
            "Microsoft-Windows-DriverFrameworks-UserMode/Operational",
            "User-mode driver framework log (device plug-in)"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("ntlm"),
        &[win_channel!(
            "NTLM",
            Some("Microsoft-Windows-NTLM"),
            "Microsoft-Windows-NTLM/Operational",
            "NTLM operational log (NTLM auditing)"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("dhcp"),
        &[win_channel!(
            "DHCP Server",
            Some("Microsoft-Windows-DHCP-Server"),
            "Microsoft-Windows-DHCP-Server/Operational",
            "DHCP Server operational log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("msexchange-management"),
        &[win_channel!(
            "MSExchange Management",
            Some("MSExchange CmdletLogs"),
            "MSExchange Management",
            "Exchange management (cmdlet) log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("applocker"),
        &[
            win_channel!(
                "AppLocker",
                Some("Microsoft-Windows-AppLocker"),
                "Microsoft-Windows-AppLocker/MSI and Script",
                "AppLocker MSI and script log"
            ),
            win_channel!(
                "AppLocker",
                Some("Microsoft-Windows-AppLocker"),
                "Microsoft-Windows-AppLocker/EXE and DLL",
                "AppLocker EXE and DLL log"
            ),
            win_channel!(
                "AppLocker",
                Some("Microsoft-Windows-AppLocker"),
                "Microsoft-Windows-AppLocker/Packaged app-Deployment",
                "AppLocker packaged app deployment log"
            ),
            win_channel!(
                "AppLocker",
                Some("Microsoft-Windows-AppLocker"),
                "Microsoft-Windows-AppLocker/Packaged app-Execution",
                "AppLocker packaged app execution log"
            )
        ]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("printservice-admin"),
        &[win_channel!(
            "PrintService",
            Some("Microsoft-Windows-PrintService"),
            "Microsoft-Windows-PrintService/Admin",
            "Print service admin log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("printservice-operational"),
        &[win_channel!(
            "PrintService",
            Some("Microsoft-Windows-PrintService"),
            "Microsoft-Windows-PrintService/Operational",
            "Print service operational log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("codeintegrity-operational"),
        &[win_channel!(
            "CodeIntegrity",
            Some("Microsoft-Windows-CodeIntegrity"),
            "Microsoft-Windows-CodeIntegrity/Operational",
            "Code integrity operational log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("smbclient-security"),
        &[win_channel!(
            "SMBClient",
            Some("Microsoft-Windows-SMBClient"),
            "Microsoft-Windows-SmbClient/Security",
            "SMB client security log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("smbclient-connectivity"),
        &[win_channel!(
            "SMBClient",
            Some("Microsoft-Windows-SMBClient"),
            "Microsoft-Windows-SmbClient/Connectivity",
            "SMB client connectivity log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("smbserver-connectivity"),
        &[win_channel!(
            "SMBServer",
            Some("Microsoft-Windows-SMBServer"),
            "Microsoft-Windows-SMBServer/Connectivity",
            "SMB server connectivity log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("firewall-as"),
        &[win_channel!(
            "Windows Firewall",
            Some("Microsoft-Windows-Windows Firewall With Advanced Security"),
            "Microsoft-Windows-Windows Firewall With Advanced Security/Firewall",
            "Windows Firewall with Advanced Security log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("bits-client"),
        &[win_channel!(
            "BITS Client",
            Some("Microsoft-Windows-Bits-Client"),
            "Microsoft-Windows-Bits-Client/Operational",
            "BITS client operational log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("windefend"),
        &[win_channel!(
            "Windows Defender",
            Some("Microsoft-Windows-Windows Defender"),
            "Microsoft-Windows-Windows Defender/Operational",
            "Microsoft Defender Antivirus operational log",
            WINDEFEND_FIELDS
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("terminalservices-localsessionmanager"),
        &[win_channel!(
            "TerminalServices-LocalSessionManager",
            Some("Microsoft-Windows-TerminalServices-LocalSessionManager"),
            "Microsoft-Windows-TerminalServices-LocalSessionManager/Operational",
            "RDP local session manager log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("servicebus-client"),
        &[
            win_channel!(
                "ServiceBus Client",
                Some("Microsoft-ServiceBus-Client"),
                "Microsoft-ServiceBus-Client/Operational",
                "Service Bus client operational log"
            ),
            win_channel!(
                "ServiceBus Client",
                Some("Microsoft-ServiceBus-Client"),
                "Microsoft-ServiceBus-Client/Admin",
                "Service Bus client admin log"
            )
        ]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("microsoft-servicebus-client"),
        &[
            win_channel!(
                "ServiceBus Client",
                Some("Microsoft-ServiceBus-Client"),
                "Microsoft-ServiceBus-Client/Operational",
                "Service Bus client operational log"
            ),
            win_channel!(
                "ServiceBus Client",
                Some("Microsoft-ServiceBus-Client"),
                "Microsoft-ServiceBus-Client/Admin",
                "Service Bus client admin log"
            )
        ]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("ldap"),
        &[win_channel!(
            "LDAP Client",
            Some("Microsoft-Windows-LDAP-Client"),
            "Microsoft-Windows-LDAP-Client/Debug",
            "LDAP client debug (ETW) log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("ldap_debug"),
        &[win_channel!(
            "LDAP Client",
            Some("Microsoft-Windows-LDAP-Client"),
            "Microsoft-Windows-LDAP-Client/Debug",
            "LDAP client debug (ETW) log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("security-mitigations"),
        &[
            win_channel!(
                "Security-Mitigations",
                Some("Microsoft-Windows-Security-Mitigations"),
                "Microsoft-Windows-Security-Mitigations/Kernel Mode",
                "Exploit protection (kernel mode) log"
            ),
            win_channel!(
                "Security-Mitigations",
                Some("Microsoft-Windows-Security-Mitigations"),
                "Microsoft-Windows-Security-Mitigations/User Mode",
                "Exploit protection (user mode) log"
            )
        ]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("diagnosis-scripted"),
        &[win_channel!(
            "Diagnosis-Scripted",
            Some("Microsoft-Windows-Diagnosis-Scripted"),
            "Microsoft-Windows-Diagnosis-Scripted/Operational",
            "Scripted diagnostics (troubleshooting packs) log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("shell-core"),
        &[win_channel!(
            "Shell-Core",
            Some("Microsoft-Windows-Shell-Core"),
            "Microsoft-Windows-Shell-Core/Operational",
            "Shell core operational log (Run/RunOnce execution)"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("openssh"),
        &[win_channel!("OpenSSH", Some("OpenSSH"), "OpenSSH/Operational", "OpenSSH for Windows operational log")]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("bitlocker"),
        &[win_channel!(
            "BitLocker",
            Some("Microsoft-Windows-BitLocker-API"),
            "Microsoft-Windows-BitLocker/BitLocker Management",
            "BitLocker management log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("vhdmp"),
        &[win_channel!(
            "VHDMP",
            Some("Microsoft-Windows-VHDMP"),
            "Microsoft-Windows-VHDMP/Operational",
            "Virtual disk (VHD/ISO mount) log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("appxdeployment-server"),
        &[win_channel!(
            "AppXDeployment-Server",
            Some("Microsoft-Windows-AppXDeployment-Server"),
            "Microsoft-Windows-AppXDeploymentServer/Operational",
            "AppX deployment server log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("lsa-server"),
        &[win_channel!(
            "LSA",
            Some("Microsoft-Windows-LSA"),
            "Microsoft-Windows-LSA/Operational",
            "LSA operational log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("appxpackaging-om"),
        &[win_channel!(
            "AppxPackaging",
            Some("Microsoft-Windows-AppxPackagingOM"),
            "Microsoft-Windows-AppxPackaging/Operational",
            "AppX packaging log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("dns-client"),
        &[win_channel!(
            "DNS Client",
            Some("Microsoft-Windows-DNS-Client"),
            "Microsoft-Windows-DNS Client Events/Operational",
            "DNS client events log (queries)"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("appmodel-runtime"),
        &[win_channel!(
            "AppModel-Runtime",
            Some("Microsoft-Windows-AppModel-Runtime"),
            "Microsoft-Windows-AppModel-Runtime/Admin",
            "App model runtime admin log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("capi2"),
        &[win_channel!(
            "CAPI2",
            Some("Microsoft-Windows-CAPI2"),
            "Microsoft-Windows-CAPI2/Operational",
            "CryptoAPI 2 operational log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("certificateservicesclient-lifecycle-system"),
        &[win_channel!(
            "CertificateServicesClient",
            Some("Microsoft-Windows-CertificateServicesClient-Lifecycle-System"),
            "Microsoft-Windows-CertificateServicesClient-Lifecycle-System/Operational",
            "Certificate lifecycle (system) log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("application-experience"),
        &[
            win_channel!(
                "Application-Experience",
                Some("Microsoft-Windows-Application-Experience"),
                "Microsoft-Windows-Application-Experience/Program-Telemetry",
                "Program telemetry log"
            ),
            win_channel!(
                "Application-Experience",
                Some("Microsoft-Windows-Application-Experience"),
                "Microsoft-Windows-Application-Experience/Program-Compatibility-Assistant",
                "Program compatibility assistant log"
            )
        ]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("hyper-v-worker"),
        &[win_channel!(
            "Hyper-V-Worker",
            Some("Microsoft-Windows-Hyper-V-Worker"),
            "Microsoft-Windows-Hyper-V-Worker",
            "Hyper-V worker log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("iis-configuration"),
        &[win_channel!(
            "IIS-Configuration",
            Some("Microsoft-IIS-Configuration"),
            "Microsoft-IIS-Configuration/Operational",
            "IIS configuration change log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("kernel-event-tracing"),
        &[win_channel!(
            "Kernel-EventTracing",
            Some("Microsoft-Windows-Kernel-EventTracing"),
            "Microsoft-Windows-Kernel-EventTracing",
            "ETW session log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("kernel-shimengine"),
        &[
            win_channel!(
                "Kernel-ShimEngine",
                Some("Microsoft-Windows-Kernel-ShimEngine"),
                "Microsoft-Windows-Kernel-ShimEngine/Operational",
                "Shim engine operational log"
            ),
            win_channel!(
                "Kernel-ShimEngine",
                Some("Microsoft-Windows-Kernel-ShimEngine"),
                "Microsoft-Windows-Kernel-ShimEngine/Diagnostic",
                "Shim engine diagnostic log"
            )
        ]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("ntfs"),
        &[win_channel!(
            "Ntfs",
            Some("Microsoft-Windows-Ntfs"),
            "Microsoft-Windows-Ntfs/Operational",
            "NTFS operational log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("sense"),
        &[win_channel!(
            "SENSE",
            Some("Microsoft-Windows-SENSE"),
            "Microsoft-Windows-SENSE/Operational",
            "Microsoft Defender for Endpoint sensor log"
        )]
    ),
    map!(
        Windows,
        Some("windows"),
        None,
        Some("iis"),
        &[win_channel!(
            "IIS",
            Some("Microsoft-Windows-IIS-Logging"),
            "Microsoft-IIS-Logging/Logs",
            "IIS request log (W3C fields in the event log)"
        )]
    ),
    // ---- Linux ----
    map!(Linux, Some("linux"), Some("process_creation"), None, &[lsysmon!(1, "Process creation")]),
    map!(Linux, Some("linux"), Some("network_connection"), None, &[lsysmon!(3, "Network connection")]),
    map!(Linux, Some("linux"), Some("file_event"), None, &[lsysmon!(11, "FileCreate")]),
    map!(Linux, Some("linux"), Some("file_delete"), None, &[lsysmon!(23, "FileDelete (File Delete archived)")]),
    map!(Linux, Some("linux"), Some("process_termination"), None, &[lsysmon!(5, "Process terminated")]),
    map!(Linux, Some("linux"), Some("raw_access_read"), None, &[lsysmon!(9, "RawAccessRead")]),
    map!(
        Linux,
        Some("linux"),
        Some("sysmon_status"),
        None,
        &[lsysmon!(4, "Sysmon service state changed"), lsysmon!(16, "ServiceConfigurationChange"),]
    ),
    map!(
        Linux,
        Some("linux"),
        None,
        Some("auditd"),
        &[stream!(
            "auditd",
            "Linux Audit (auditd)",
            "/var/log/audit/audit.log",
            "Audit records (type=SYSCALL, EXECVE, PATH, USER_* …)"
        )]
    ),
    map!(
        Linux,
        Some("linux"),
        None,
        Some("auth"),
        &[stream!(
            "syslog (auth)",
            "syslog authpriv facility",
            "/var/log/auth.log",
            "Authentication log (login, su, sudo, sshd, PAM)"
        )]
    ),
    map!(
        Linux,
        Some("linux"),
        None,
        Some("clamav"),
        &[stream!("ClamAV", "clamd", "/var/log/clamav/clamav.log", "ClamAV scan and detection log")]
    ),
    map!(Linux, Some("linux"), None, Some("cron"), &[stream!("cron", "cron", "/var/log/cron", "cron daemon log")]),
    map!(
        Linux,
        Some("linux"),
        None,
        Some("guacamole"),
        &[stream!("Apache Guacamole", "guacd", "syslog (guacd)", "Guacamole gateway log")]
    ),
    map!(
        Linux,
        Some("linux"),
        None,
        Some("sshd"),
        &[stream!("OpenSSH sshd", "sshd", "/var/log/auth.log", "sshd messages")]
    ),
    map!(Linux, Some("linux"), None, Some("sudo"), &[stream!("sudo", "sudo", "/var/log/auth.log", "sudo messages")]),
    map!(
        Linux,
        Some("linux"),
        None,
        Some("syslog"),
        &[stream!("syslog", "syslog", "/var/log/syslog", "System log (syslog/journald)")]
    ),
    map!(
        Linux,
        Some("linux"),
        None,
        Some("vsftpd"),
        &[stream!("vsftpd", "vsftpd", "/var/log/vsftpd.log", "vsftpd FTP server log")]
    ),
    map!(
        Linux,
        Some("linux"),
        None,
        Some("modsecurity"),
        &[stream!("ModSecurity", "ModSecurity", "modsec_audit.log", "ModSecurity WAF audit log")]
    ),
    // ---- macOS (Endpoint Security framework events, as EDR agents collect them) ----
    map!(
        MacOs,
        Some("macos"),
        Some("process_creation"),
        None,
        &[stream!("Endpoint Security", "Apple Endpoint Security", "ES_EVENT_TYPE_NOTIFY_EXEC", "Process execution")]
    ),
    map!(
        MacOs,
        Some("macos"),
        Some("file_event"),
        None,
        &[stream!("Endpoint Security", "Apple Endpoint Security", "ES_EVENT_TYPE_NOTIFY_CREATE", "File creation")]
    ),
    map!(
        MacOs,
        Some("macos"),
        Some("file_delete"),
        None,
        &[stream!("Endpoint Security", "Apple Endpoint Security", "ES_EVENT_TYPE_NOTIFY_UNLINK", "File deletion")]
    ),
    map!(
        MacOs,
        Some("macos"),
        Some("process_termination"),
        None,
        &[stream!("Endpoint Security", "Apple Endpoint Security", "ES_EVENT_TYPE_NOTIFY_EXIT", "Process exit")]
    ),
    // ---- Cloud, identity, SaaS ----
    map!(
        Cloud,
        Some("aws"),
        None,
        Some("cloudtrail"),
        &[stream!("AWS CloudTrail", "AWS CloudTrail", "CloudTrail", "CloudTrail management and data events")]
    ),
    map!(
        Cloud,
        Some("azure"),
        None,
        Some("activitylogs"),
        &[stream!("Azure Activity Log", "Azure Monitor", "AzureActivity", "Subscription control-plane operations")]
    ),
    map!(
        Cloud,
        Some("azure"),
        None,
        Some("auditlogs"),
        &[stream!("Microsoft Entra ID", "Microsoft Entra ID audit logs", "AuditLogs", "Directory audit events")]
    ),
    map!(
        Cloud,
        Some("azure"),
        None,
        Some("signinlogs"),
        &[stream!("Microsoft Entra ID", "Microsoft Entra ID sign-in logs", "SigninLogs", "Sign-in events")]
    ),
    map!(
        Cloud,
        Some("azure"),
        None,
        Some("pim"),
        &[stream!(
            "Microsoft Entra PIM",
            "Microsoft Entra Privileged Identity Management",
            "PIM alerts",
            "Privileged Identity Management alerts"
        )]
    ),
    map!(
        Cloud,
        Some("azure"),
        None,
        Some("riskdetection"),
        &[stream!(
            "Microsoft Entra ID Protection",
            "Microsoft Entra ID Protection",
            "AADUserRiskEvents",
            "Risk detections"
        )]
    ),
    map!(
        Cloud,
        Some("gcp"),
        None,
        Some("gcp.audit"),
        &[stream!(
            "Google Cloud Audit Logs",
            "cloudaudit.googleapis.com",
            "cloudaudit.googleapis.com/activity",
            "Admin Activity and Data Access audit logs"
        )]
    ),
    map!(
        Cloud,
        Some("gcp"),
        None,
        Some("google_workspace.admin"),
        &[stream!("Google Workspace", "Google Workspace Reports API", "admin", "Admin console audit activity")]
    ),
    map!(
        Cloud,
        Some("gcp"),
        None,
        Some("google_workspace.login"),
        &[stream!("Google Workspace", "Google Workspace Reports API", "login", "Login audit activity")]
    ),
    map!(
        Cloud,
        Some("m365"),
        None,
        Some("audit"),
        &[stream!("Microsoft 365", "Microsoft 365 unified audit log", "Audit.General", "Unified audit log records")]
    ),
    map!(
        Cloud,
        Some("m365"),
        None,
        Some("exchange"),
        &[stream!(
            "Microsoft 365",
            "Microsoft 365 unified audit log",
            "Audit.Exchange",
            "Exchange Online audit records"
        )]
    ),
    map!(
        Cloud,
        Some("m365"),
        None,
        Some("threat_detection"),
        &[stream!("Microsoft 365", "Microsoft 365 Defender", "ThreatIntelligence", "Threat detection alerts")]
    ),
    map!(
        Cloud,
        Some("m365"),
        None,
        Some("threat_management"),
        &[stream!(
            "Microsoft 365",
            "Microsoft 365 Security & Compliance Center",
            "SecurityComplianceCenter",
            "Security & Compliance alert policies"
        )]
    ),
    map!(
        Cloud,
        Some("okta"),
        None,
        Some("okta"),
        &[stream!("Okta", "Okta System Log", "System Log (/api/v1/logs)", "Okta System Log events")]
    ),
    map!(
        Cloud,
        Some("onelogin"),
        None,
        Some("onelogin.events"),
        &[stream!("OneLogin", "OneLogin Events API", "events", "OneLogin events")]
    ),
    map!(
        Cloud,
        Some("cisco"),
        None,
        Some("duo"),
        &[stream!("Cisco Duo", "Duo Admin API", "authentication log", "Duo authentication events")]
    ),
    map!(
        Cloud,
        Some("github"),
        None,
        Some("audit"),
        &[stream!("GitHub", "GitHub audit log", "audit log (streaming)", "Organization/enterprise audit log events")]
    ),
    map!(
        Cloud,
        Some("bitbucket"),
        None,
        Some("audit"),
        &[stream!("Bitbucket", "Bitbucket audit log", "audit log", "Bitbucket audit events")]
    ),
    map!(
        Cloud,
        Some("kubernetes"),
        None,
        Some("audit"),
        &[stream!("Kubernetes", "kube-apiserver", "audit log", "Kubernetes API server audit events")]
    ),
    map!(
        Cloud,
        Some("kubernetes"),
        Some("application"),
        Some("audit"),
        &[stream!("Kubernetes", "kube-apiserver", "audit log", "Kubernetes API server audit events")]
    ),
    map!(
        Cloud,
        Some("kubernetes"),
        Some("application"),
        None,
        &[stream!("Kubernetes", "kube-apiserver", "audit log", "Kubernetes API server audit events")]
    ),
    // ---- Network devices and network telemetry ----
    map!(
        Network,
        Some("cisco"),
        None,
        Some("aaa"),
        &[stream!("Cisco IOS", "Cisco AAA accounting", "AAA/TACACS+ accounting", "AAA command accounting")]
    ),
    map!(Network, Some("cisco"), None, Some("bgp"), &[stream!("Cisco IOS", "Cisco IOS", "syslog", "BGP messages")]),
    map!(Network, Some("cisco"), None, Some("ldp"), &[stream!("Cisco IOS", "Cisco IOS", "syslog", "LDP messages")]),
    map!(Network, Some("cisco"), None, Some("syslog"), &[stream!("Cisco IOS", "Cisco IOS", "syslog", "Device syslog")]),
    map!(Network, Some("huawei"), None, Some("bgp"), &[stream!("Huawei VRP", "Huawei VRP", "syslog", "BGP messages")]),
    map!(
        Network,
        Some("juniper"),
        None,
        Some("bgp"),
        &[stream!("Juniper Junos", "Junos OS", "syslog", "BGP messages")]
    ),
    map!(
        Network,
        Some("fortigate"),
        None,
        Some("event"),
        &[stream!("FortiGate", "FortiOS", "event log (type=event)", "FortiGate system and VPN events")]
    ),
    map!(
        Network,
        Some("fortios"),
        None,
        Some("sslvpnd"),
        &[stream!("FortiGate", "FortiOS sslvpnd", "sslvpnd log", "SSL VPN daemon log")]
    ),
    map!(
        Network,
        Some("paloalto"),
        Some("appliance"),
        Some("globalprotect"),
        &[stream!(
            "Palo Alto GlobalProtect",
            "PAN-OS",
            "gpsvc.log / GlobalProtect logs",
            "GlobalProtect appliance logs"
        )]
    ),
    map!(
        Network,
        Some("paloalto"),
        Some("file_event"),
        Some("globalprotect"),
        &[stream!(
            "Palo Alto GlobalProtect",
            "PAN-OS",
            "appliance file events",
            "File creation on the GlobalProtect appliance"
        )]
    ),
    map!(Network, Some("zeek"), None, Some("dce_rpc"), &[stream!("Zeek", "Zeek", "dce_rpc.log", "DCE/RPC log")]),
    map!(Network, Some("zeek"), None, Some("dns"), &[stream!("Zeek", "Zeek", "dns.log", "DNS log")]),
    map!(Network, Some("zeek"), None, Some("http"), &[stream!("Zeek", "Zeek", "http.log", "HTTP log")]),
    map!(Network, Some("zeek"), None, Some("kerberos"), &[stream!("Zeek", "Zeek", "kerberos.log", "Kerberos log")]),
    map!(Network, Some("zeek"), None, Some("rdp"), &[stream!("Zeek", "Zeek", "rdp.log", "RDP log")]),
    map!(Network, Some("zeek"), None, Some("smb_files"), &[stream!("Zeek", "Zeek", "smb_files.log", "SMB files log")]),
    map!(Network, Some("zeek"), None, Some("x509"), &[stream!("Zeek", "Zeek", "x509.log", "X.509 certificate log")]),
    map!(
        Network,
        None,
        Some("proxy"),
        None,
        &[ev!("Web proxy", None, "proxy access log", None, "Proxy access log (W3C-style c-uri, cs-host, …)")]
    ),
    map!(
        Network,
        None,
        Some("firewall"),
        None,
        &[ev!("Firewall", None, "firewall log", None, "Network firewall connection log")]
    ),
    map!(Network, None, Some("dns"), None, &[ev!("DNS server", None, "DNS query log", None, "DNS server query log")]),
    map!(
        Network,
        None,
        None,
        Some("netflow"),
        &[ev!("NetFlow", None, "flow records", None, "NetFlow/IPFIX flow records")]
    ),
    // ---- Applications and web servers ----
    map!(
        Application,
        None,
        Some("webserver"),
        None,
        &[ev!("Web server", None, "access log", None, "Web server access log (IIS W3C, Apache, nginx)")]
    ),
    map!(
        Application,
        None,
        None,
        Some("apache"),
        &[stream!("Apache HTTP Server", "Apache httpd", "error.log", "Apache error log")]
    ),
    map!(Application, None, None, Some("nginx"), &[stream!("nginx", "nginx", "error.log", "nginx error log")]),
    map!(
        Application,
        None,
        Some("antivirus"),
        None,
        &[ev!("Antivirus", None, "detection alerts", None, "Antivirus detection events (any vendor)")]
    ),
    map!(
        Application,
        None,
        Some("database"),
        None,
        &[ev!("Database", None, "query/audit log", None, "Database query and audit log")]
    ),
    map!(
        Application,
        Some("django"),
        Some("application"),
        None,
        &[stream!("Django", "Django", "application log", "Django application error log")]
    ),
    map!(
        Application,
        Some("jvm"),
        Some("application"),
        None,
        &[stream!("JVM", "Java runtime", "application log", "Java application error log (exceptions)")]
    ),
    map!(
        Application,
        Some("nodejs"),
        Some("application"),
        None,
        &[stream!("Node.js", "Node.js", "application log", "Node.js application error log")]
    ),
    map!(
        Application,
        Some("python"),
        Some("application"),
        None,
        &[stream!("Python", "Python", "application log", "Python application error log (tracebacks)")]
    ),
    map!(
        Application,
        Some("ruby_on_rails"),
        Some("application"),
        None,
        &[stream!("Ruby on Rails", "Ruby on Rails", "application log", "Rails application log")]
    ),
    map!(
        Application,
        Some("spring"),
        Some("application"),
        None,
        &[stream!("Spring", "Spring Framework", "application log", "Spring application error log")]
    ),
    map!(
        Application,
        Some("sql"),
        Some("application"),
        None,
        &[stream!("SQL", "SQL database engine", "error log", "SQL database error log")]
    ),
    map!(
        Application,
        Some("velocity"),
        Some("application"),
        None,
        &[stream!("Apache Velocity", "Apache Velocity", "application log", "Velocity template engine error log")]
    ),
    map!(
        Application,
        Some("opencanary"),
        Some("application"),
        None,
        &[stream!("OpenCanary", "OpenCanary", "opencanary.log", "Honeypot events (logtype)")]
    ),
    map!(
        Application,
        Some("rpc_firewall"),
        Some("application"),
        None,
        &[ev!("RPC Firewall", Some("RPCFW"), "Application", Some(3), "RPC Firewall audit event")]
    ),
    map!(
        Application,
        Some("modsecurity"),
        Some("application"),
        None,
        &[stream!("ModSecurity", "ModSecurity", "modsec_audit.log", "ModSecurity WAF audit log")]
    ),
];

static UNMAPPED: &[Unmapped] = &[
    Unmapped {
        key: key!(Some("windows"), None, None),
        reason: "product only: keyword rule over any Windows channel; applying it to every event is what detwiki must not do",
    },
    Unmapped {
        key: key!(Some("linux"), None, None),
        reason: "product only: keyword rule over any Linux log line (shell history, syslog …); no stream is named",
    },
    Unmapped {
        key: key!(Some("qualys"), None, None),
        reason: "Qualys vulnerability/compliance scan results: scanner findings, not an event log",
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    fn titles(p: Option<&str>, c: Option<&str>, s: Option<&str>) -> Vec<(String, String, String)> {
        events(p, c, s)
            .unwrap()
            .iter()
            .map(|e| (e.provider.to_string(), e.event_label(), e.title.to_string()))
            .collect()
    }

    #[test]
    fn seed_registry_event() {
        let rows = titles(Some("windows"), Some("registry_event"), None);
        let sysmon: Vec<_> = rows.iter().filter(|r| r.0 == "Sysmon").collect();
        assert_eq!(sysmon.len(), 3);
        assert_eq!(rows.len(), 3, "the seed page lists exactly the three Sysmon events");
        assert_eq!(sysmon[0].1, "Event ID 12");
        assert_eq!(sysmon[0].2, "RegistryEvent (Object create and delete)");
        assert_eq!(sysmon[1].2, "RegistryEvent (Value Set)");
        assert_eq!(sysmon[2].2, "RegistryEvent (Key and Value Rename)");
    }

    #[test]
    fn process_creation_two_providers() {
        let ev = events(Some("Windows"), Some("process_creation"), None).unwrap();
        assert_eq!(ev[0].provider, "Sysmon");
        assert_eq!(ev[0].provider_name, Some("Microsoft-Windows-Sysmon"));
        assert_eq!(ev[0].channel, "Microsoft-Windows-Sysmon/Operational");
        assert_eq!(ev[0].event_id, Some(1));
        assert_eq!(ev[0].title, "Process creation");
        assert_eq!(ev[1].provider, "Security-Auditing");
        assert_eq!(ev[1].channel, "Security");
        assert_eq!(ev[1].event_id, Some(4688));
        assert_eq!(ev[1].title, "A new process has been created");
        assert_eq!(ev[1].provider_field("Image"), "NewProcessName");
        assert_eq!(ev[1].provider_field("ParentImage"), "ParentProcessName");
        assert_eq!(ev[1].provider_field("CommandLine"), "CommandLine");
    }

    #[test]
    fn sysmon_ids_complete() {
        let mut ids: Vec<u32> = MAPPINGS
            .iter()
            .flat_map(|m| m.events.iter())
            .filter(|e| e.channel == SYSMON_CH)
            .filter_map(|e| e.event_id)
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let want: Vec<u32> = (1..=29).chain([255]).collect();
        assert_eq!(ids, want);
    }

    #[test]
    fn powershell_and_services() {
        let ev = events(Some("windows"), Some("ps_script"), None).unwrap();
        assert!(ev.iter().all(|e| e.event_id == Some(4104)));
        assert_eq!(ev[0].channel, "Microsoft-Windows-PowerShell/Operational");
        for (cat, id) in [
            ("ps_module", 4103),
            ("ps_classic_start", 400),
            ("ps_classic_provider_start", 600),
            ("ps_classic_script", 800),
        ] {
            let ev = events(Some("windows"), Some(cat), None).unwrap();
            assert_eq!(ev[0].event_id, Some(id), "{cat}");
        }
        let sec = events(Some("windows"), None, Some("security")).unwrap();
        assert_eq!(sec[0].channel, "Security");
        assert_eq!(sec[0].event_id, None);
        let wd = events(Some("windows"), None, Some("windefend")).unwrap();
        assert_eq!(wd[0].provider_field("ThreatName"), "Threat Name");
        assert!(events(Some("windows"), None, None).is_none());
        assert!(matches!(lookup(Some("windows"), None, None), Lookup::Unmapped(_)));
        assert_eq!(lookup(Some("nope"), None, None), Lookup::Unknown);
        assert!(events(Some("aws"), None, Some("cloudtrail")).is_some());
    }

    #[test]
    fn table_is_well_formed() {
        for (i, m) in MAPPINGS.iter().enumerate() {
            assert!(!m.events.is_empty(), "{}", m.key);
            for n in &MAPPINGS[..i] {
                assert_ne!(n.key, m.key, "duplicate {}", m.key);
            }
            assert!(!UNMAPPED.iter().any(|u| u.key == m.key), "{} both", m.key);
        }
        let routed = mappings_for_event("Microsoft-Windows-Sysmon/Operational", Some(13));
        let keys: Vec<String> = routed.iter().map(|m| m.key.to_string()).collect();
        assert!(keys.contains(&"product:windows category:registry_set".to_string()));
        assert!(keys.contains(&"product:windows category:registry_event".to_string()));
        assert!(keys.contains(&"product:windows service:sysmon".to_string()));
    }
}
