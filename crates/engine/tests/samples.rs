//! Regression suite over `shared/events/evtx-attack-samples` with SigmaHQ rules.
//!
//! Every expected count was established independently of the engine: the EVTX
//! files were dumped to JSON (`examples/evtx_to_jsonl.rs`, the `evtx` crate's
//! rendering, as `evtx_dump` prints it), flattened with the shared
//! `bench/rsigma/flatten.jq`, and each rule was rewritten by hand as a jq
//! filter (`tests/samples/pairs.def`, helpers in `tests/samples/prelude.jq`,
//! runner `tests/samples/verify.sh`). Rows with 0 are rules that must NOT fire
//! on a file that has events of their logsource.
//!
//! The shared directory is found by `detwiki-testdata` (`$DETWIKI_SHARED`, else `../shared`
//! beside the checkout); without it the tests print SKIPPED (and fail under `CI=true`).

mod common;

use std::path::PathBuf;

use detwiki_engine::read::{Input, InputKind};
use detwiki_engine::ruleset::{Options, RulesetBuilder};

/// (rule file under `corpus/sigma`, EVTX file under `events/evtx-attack-samples`, hits).
const PAIRS: &[(&str, &str, u64)] = &[
    (
        "rules/windows/create_remote_thread/create_remote_thread_win_susp_uncommon_target_image.yml",
        "Defense Evasion/de_unmanagedpowershell_psinject_sysmon_7_8_10.evtx",
        82,
    ),
    (
        "rules/windows/create_remote_thread/create_remote_thread_win_susp_uncommon_target_image.yml",
        "Privilege Escalation/privesc_rotten_potato_from_webshell_metasploit_sysmon_1_8_3.evtx",
        2,
    ),
    (
        "rules/windows/registry/registry_set/registry_set_persistence_shim_database.yml",
        "Persistence/persistence_sysmon_11_13_1_shime_appfix.evtx",
        30,
    ),
    (
        "rules/windows/registry/registry_set/registry_set_persistence_shim_database.yml",
        "AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx",
        0,
    ),
    (
        "rules/windows/builtin/security/win_security_default_domain_gpo_modification.yml",
        "Credential Access/ACL_ForcePwd_SPNAdd_User_Computer_Accounts.evtx",
        22,
    ),
    (
        "rules/windows/image_load/image_load_susp_unsigned_dll.yml",
        "Defense Evasion/Sysmon 7  Update Session Orchestrator Dll Hijack.evtx",
        18,
    ),
    (
        "rules/windows/builtin/security/win_security_account_backdoor_dcsync_rights.yml",
        "Persistence/DACL_DCSync_Right_Powerview_ Add-DomainObjectAcl.evtx",
        18,
    ),
    (
        "rules/windows/registry/registry_delete/registry_delete_runmru.yml",
        "Lateral Movement/LM_sysmon_3_12_13_1_SharpRDP.evtx",
        17,
    ),
    (
        "rules/windows/registry/registry_delete/registry_delete_runmru.yml",
        "Defense Evasion/Sysmon_12_DE_AntiForensics_MRU_DeleteKey.evtx",
        3,
    ),
    (
        "rules/windows/builtin/windefend/win_defender_threat.yml",
        "AutomatedTestingTools/WinDefender_Events_1117_1116_AtomicRedTeam.evtx",
        11,
    ),
    (
        "rules/windows/builtin/application/mssqlserver/win_mssql_failed_logon.yml",
        "Credential Access/MSSQL_multiple_failed_logon_EventID_18456.evtx",
        10,
    ),
    (
        "rules/windows/process_access/proc_access_win_lsass_memdump.yml",
        "Credential Access/sysmon_10_11_outlfank_dumpert_and_andrewspecial_memdump.evtx",
        8,
    ),
    (
        "rules/windows/builtin/security/win_security_password_policy_enumerated.yml",
        "Discovery/dicovery_4661_net_group_domain_admins_target.evtx",
        8,
    ),
    (
        "rules/windows/network_connection/net_connection_win_notepad.yml",
        "Privilege Escalation/privesc_rotten_potato_from_webshell_metasploit_sysmon_1_8_3.evtx",
        7,
    ),
    (
        "rules/windows/network_connection/net_connection_win_notepad.yml",
        "Execution/Sysmon_meterpreter_ReflectivePEInjection_to_notepad_.evtx",
        0,
    ),
    (
        "rules/windows/wmi_event/sysmon_wmi_event_subscription.yml",
        "Persistence/sysmon_20_21_1_CommandLineEventConsumer.evtx",
        6,
    ),
    (
        "rules/windows/builtin/application/esent/win_esent_ntdsutil_abuse.yml",
        "Credential Access/dc_applog_ntdsutil_dfir_325_326_327.evtx",
        4,
    ),
    (
        "rules/windows/builtin/security/win_security_rdp_reverse_tunnel.yml",
        "Command and Control/DE_RDP_Tunnel_5156.evtx",
        4,
    ),
    (
        "rules/windows/builtin/security/win_security_lm_namedpipe.yml",
        "Lateral Movement/LM_renamed_psexecsvc_5145.evtx",
        4,
    ),
    (
        "rules/windows/pipe_created/pipe_created_hktl_efspotato.yml",
        "Privilege Escalation/EfsPotato_sysmon_17_18_privesc_seimpersonate_to_system.evtx",
        2,
    ),
    (
        "rules/windows/builtin/application/msiinstaller/win_msi_install_from_web.yml",
        "Execution/rogue_msi_url_1040_1042.evtx",
        2,
    ),
    (
        "rules/windows/powershell/powershell_script/posh_ps_malicious_keywords.yml",
        "Credential Access/Powershell_4104_MiniDumpWriteDump_Lsass.evtx",
        1,
    ),
    (
        "rules/windows/builtin/security/win_security_audit_log_cleared.yml",
        "Privilege Escalation/security_4624_4673_token_manip.evtx",
        1,
    ),
    (
        "rules/windows/builtin/security/win_security_audit_log_cleared.yml",
        "Defense Evasion/DE_Fake_ComputerAccount_4720.evtx",
        0,
    ),
    (
        "rules/windows/builtin/security/account_management/win_security_susp_logon_newcredentials.yml",
        "Lateral Movement/LM_4624_mimikatz_sekurlsa_pth_source_machine.evtx",
        1,
    ),
    (
        "rules/windows/builtin/security/account_management/win_security_susp_logon_newcredentials.yml",
        "Privilege Escalation/4624 LT3 AnonymousLogon Localhost - JuicyPotato.evtx",
        0,
    ),
    (
        "rules/windows/registry/registry_set/registry_set_powershell_logging_disabled.yml",
        "Defense Evasion/de_PsScriptBlockLogging_disabled_sysmon12_13.evtx",
        1,
    ),
    (
        "rules/windows/process_creation/proc_creation_win_powershell_base64_iex.yml",
        "Execution/susp_explorer_exec.evtx",
        1,
    ),
    (
        "rules/windows/process_creation/proc_creation_win_whoami_all_execution.yml",
        "Lateral Movement/LM_wmiexec_impacket_sysmon_whoami.evtx",
        1,
    ),
    (
        "rules/windows/process_creation/proc_creation_win_whoami_all_execution.yml",
        "Lateral Movement/LM_sysmon_psexec_smb_meterpreter.evtx",
        0,
    ),
    (
        "rules/windows/process_creation/proc_creation_win_sysinternals_procdump_lsass.yml",
        "AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx",
        1,
    ),
    (
        "rules/windows/network_connection/net_connection_win_rundll32_net_connections.yml",
        "AutomatedTestingTools/panache_sysmon_vs_EDRTestingScript.evtx",
        1,
    ),
    (
        "rules/windows/process_creation/proc_creation_win_susp_network_command.yml",
        "AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx",
        2,
    ),
    (
        "rules/windows/file/file_event/file_event_win_lsass_default_dump_file_names.yml",
        "Credential Access/sysmon_10_11_lsass_memdump.evtx",
        2,
    ),
    (
        "rules/windows/process_access/proc_access_win_hktl_cobaltstrike_bof_injection_pattern.yml",
        "Privilege Escalation/CVE-2020-0796_SMBV3Ghost_LocalPrivEsc_Sysmon_3_1_10.evtx",
        1,
    ),
    (
        "rules/windows/process_creation/proc_creation_win_iis_appcmd_service_account_password_dumped.yml",
        "Credential Access/discovery_sysmon_1_iis_pwd_and_config_discovery_appcmd.evtx",
        18,
    ),
    (
        "rules/windows/process_creation/proc_creation_win_lsass_process_clone.yml",
        "Credential Access/tutto_malseclogon.evtx",
        1,
    ),
    (
        "rules/windows/process_creation/proc_creation_win_lsass_process_clone.yml",
        "Credential Access/sysmon_rdrleakdiag_lsass_dump.evtx",
        1,
    ),
    (
        "rules/windows/builtin/system/service_control_manager/win_system_meterpreter_or_cobaltstrike_getsystem_service_installation.yml",
        "Privilege Escalation/System_7045_namedpipe_privesc.evtx",
        1,
    ),
    (
        "rules/windows/builtin/security/win_security_user_added_to_local_administrators.yml",
        "Persistence/Network_Service_Guest_added_to_admins_4732.evtx",
        2,
    ),
    ("rules/windows/process_creation/proc_creation_win_hktl_uacme.yml", "Privilege Escalation/Sysmon_UACME_64.evtx", 2),
    (
        "rules/windows/process_creation/proc_creation_win_hktl_uacme.yml",
        "Lateral Movement/LM_wmiexec_impacket_sysmon_whoami.evtx",
        0,
    ),
    (
        "rules/windows/builtin/security/win_security_lm_namedpipe.yml",
        "Lateral Movement/LM_ScheduledTask_ATSVC_target_host.evtx",
        0,
    ),
    (
        "rules/windows/image_load/image_load_susp_unsigned_dll.yml",
        "AutomatedTestingTools/Malware/sideloading_uacbypass_rundll32_injection_c2.evtx",
        0,
    ),
    (
        "rules/windows/builtin/application/mssqlserver/win_mssql_failed_logon.yml",
        "Lateral Movement/LM_xp_cmdshell_MSSQL_Events.evtx",
        0,
    ),
    (
        "rules/windows/process_creation/proc_creation_win_lsass_process_clone.yml",
        "Privilege Escalation/NTLM2SelfRelay-med0x2e-security_4624_4688.evtx",
        0,
    ),
    (
        "rules/windows/builtin/security/win_security_password_policy_enumerated.yml",
        "Lateral Movement/LM_ScheduledTask_ATSVC_target_host.evtx",
        2,
    ),
];

fn shared_dir() -> Option<PathBuf> {
    detwiki_testdata::require("events/evtx-attack-samples")?;
    detwiki_testdata::require("corpus/sigma")?;
    Some(detwiki_testdata::shared_path())
}

fn evtx(path: PathBuf) -> Input {
    let size = path.metadata().map_or(0, |m| m.len());
    Input { path, kind: InputKind::Evtx, size }
}

#[test]
fn rule_and_sample_pairs_hit_exactly() {
    let Some(shared) = shared_dir() else { return };
    assert!(PAIRS.len() >= 40);
    let mut failures = Vec::new();
    for (rule, file, want) in PAIRS {
        let text = std::fs::read_to_string(shared.join("corpus/sigma").join(rule)).expect("rule file");
        let parsed = detwiki_sigma::parse_str(&text);
        let mut b = RulesetBuilder::new();
        b.add("sigma", rule.as_ref(), &parsed.documents, &|_| true);
        let rs = b.build(&Options::default());
        assert_eq!(rs.rules.len(), 1, "{rule}: {:?}", rs.skipped);
        let sink = common::Collect::default();
        let inputs = [evtx(shared.join("events/evtx-attack-samples").join(file))];
        let totals = detwiki_engine::hunt(&rs, &inputs, &sink);
        assert!(sink.problems.lock().unwrap().is_empty(), "{file}: {:?}", sink.problems.lock().unwrap());
        assert!(totals.events > 0, "{file} has no events");
        if totals.hits != *want {
            failures.push(format!("{rule} on {file}: {} hits, expected {want}", totals.hits));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_sample_reads_without_problems() {
    let Some(shared) = shared_dir() else { return };
    // Folder names have spaces and `&`; the walk must find all 277 files.
    let (inputs, problems) = detwiki_engine::read::collect_inputs(&[shared.join("events/evtx-attack-samples")]);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(inputs.len(), 277);
    let rs = RulesetBuilder::new().build(&Options::default());
    let sink = common::Collect::default();
    let totals = detwiki_engine::hunt(&rs, &inputs, &sink);
    assert!(sink.problems.lock().unwrap().is_empty(), "{:?}", sink.problems.lock().unwrap());
    assert_eq!(totals.events, 8255);
}

#[test]
fn corrupt_chunks_and_records_are_reported_and_skipped() {
    let Some(shared) = shared_dir() else { return };
    // A two-chunk sample; damage the first chunk's header magic and some record bytes of the second.
    let src = shared.join("events/evtx-attack-samples/AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx");
    let mut bytes = std::fs::read(&src).expect("sample");
    let chunk = |n: usize| 4096 + n * 65536;
    assert!(bytes.len() >= chunk(2), "sample has two chunks");
    bytes[chunk(0)..chunk(0) + 8].copy_from_slice(b"XXXXXXXX");
    for b in &mut bytes[chunk(1) + 20_000..chunk(1) + 20_064] {
        *b = 0xAA;
    }
    let dir = std::env::temp_dir().join(format!("detwiki-corrupt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("corrupt.evtx");
    std::fs::write(&path, &bytes).unwrap();
    let rs = RulesetBuilder::new().build(&Options::default());
    let sink = common::Collect::default();
    let totals = detwiki_engine::hunt(&rs, &[evtx(path.clone())], &sink);
    let problems = sink.problems.lock().unwrap().clone();
    std::fs::remove_dir_all(&dir).ok();
    assert!(!problems.is_empty(), "damage is reported");
    assert!(problems.iter().all(|p| p.path == path && p.location.is_some()), "{problems:?}");
    assert!(totals.events > 0, "the undamaged records are still read");
}
