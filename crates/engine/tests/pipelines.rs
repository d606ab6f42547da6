//! Pipelines end to end: the same SigmaHQ rule fires on Winlogbeat- and
//! ECS-shaped JSON through the built-in pipelines as on the flat / EVTX
//! shape without them, and routing reads channel and event id through the
//! mapped names.

use detwiki_engine::Pipelines;
use detwiki_engine::event::Event;
use detwiki_engine::json::flatten;
use detwiki_engine::pipeline::{BUILTINS, load};
use detwiki_engine::ruleset::{Options, Ruleset, RulesetBuilder};

/// SigmaHQ `proc_creation_win_whoami_all_execution.yml` (read from `../shared`
/// when it is there; this copy of its logsource and detection otherwise).
const WHOAMI_ALL: &str = concat!(
    "title: Enumerate All Information With Whoami.EXE\n",
    "id: c248c896-e412-4279-8c15-1c558067b6fa\n",
    "level: medium\n",
    "logsource:\n",
    "    category: process_creation\n",
    "    product: windows\n",
    "detection:\n",
    "    selection_main_img:\n",
    "        - Image|endswith: '\\whoami.exe'\n",
    "        - OriginalFileName: 'whoami.exe'\n",
    "    selection_main_cli:\n",
    "        CommandLine|contains|windash: ' -all'\n",
    "    condition: all of selection_main_*\n",
);

/// SigmaHQ-style registry_set rule (hand-written, same shape as the corpus's).
const REG_RULE: &str = concat!(
    "title: Run key\n",
    "id: 22222222-2222-4222-8222-222222222222\n",
    "level: high\n",
    "logsource:\n",
    "    category: registry_set\n",
    "    product: windows\n",
    "detection:\n",
    "    selection:\n",
    "        TargetObject|contains: '\\CurrentVersion\\Run\\'\n",
    "        Details|contains: 'evil.exe'\n",
    "    filter:\n",
    "        Image|endswith: '\\msiexec.exe'\n",
    "    condition: selection and not filter\n",
);

fn whoami_rule() -> String {
    let real = detwiki_testdata::shared_path()
        .join("corpus/sigma/rules/windows/process_creation/proc_creation_win_whoami_all_execution.yml");
    match std::fs::read_to_string(&real) {
        Ok(t) => t,
        Err(_) => {
            eprintln!("note: {} missing; using the embedded copy", real.display());
            WHOAMI_ALL.to_string()
        }
    }
}

fn builtin(name: &str) -> Pipelines {
    let (_, _, yaml) = BUILTINS.iter().find(|(n, _, _)| *n == name).expect("builtin");
    Pipelines::new(vec![load(yaml, name).expect("loads")])
}

fn ruleset(rules: &[&str], pipelines: Pipelines) -> Ruleset {
    let mut b = RulesetBuilder::new();
    for (i, r) in rules.iter().enumerate() {
        let file = detwiki_sigma::parse_str(r);
        assert!(!file.has_errors(), "{:?}", file.diagnostics);
        b.add("t", format!("r{i}.yml").as_ref(), &file.documents, &|_| true);
    }
    let rs = b.build(&Options { pipelines, ..Options::default() });
    assert!(rs.skipped.is_empty(), "{:?}", rs.skipped);
    rs
}

/// Rule indexes that fire on one JSON line.
fn fired(rs: &Ruleset, line: &str) -> Vec<u32> {
    let mut ev = Event::new();
    flatten(line.as_bytes(), &mut ev).expect("json");
    let mut out = Vec::new();
    rs.matches(&ev, &mut rs.scratch(), |i| out.push(rs.rule_of(i)));
    let mut naive = Vec::new();
    rs.matches_naive(&ev, &mut rs.scratch(), |i| naive.push(rs.rule_of(i)));
    assert_eq!(out, naive, "fast and naive paths agree on {line}");
    out
}

// Sysmon 1 / Security 4688 / Sysmon 3, as the evtx crate renders them and as Winlogbeat ships them.
const FLAT_SYSMON1: &str = r#"{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"PC1"},"EventData":{"Image":"C:\\Windows\\System32\\whoami.exe","OriginalFileName":"whoami.exe","CommandLine":"whoami /all","ParentImage":"C:\\Windows\\System32\\cmd.exe"}}}"#;
const WLB_SYSMON1: &str = r#"{"@timestamp":"2024-01-01T00:00:00Z","winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"computer_name":"PC1","provider_name":"Microsoft-Windows-Sysmon","event_data":{"Image":"C:\\Windows\\System32\\whoami.exe","OriginalFileName":"whoami.exe","CommandLine":"whoami /all","ParentImage":"C:\\Windows\\System32\\cmd.exe"}}}"#;
const FLAT_4688: &str = r#"{"EventID":4688,"Channel":"Security","NewProcessName":"C:\\Windows\\System32\\WHOAMI.EXE","CommandLine":"whoami -all"}"#;
const WLB_4688: &str = r#"{"winlog":{"channel":"Security","event_id":"4688","event_data":{"NewProcessName":"C:\\Windows\\System32\\WHOAMI.EXE","CommandLine":"whoami -all"}}}"#;
const WLB_SYSMON3: &str = r#"{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":3,"event_data":{"Image":"C:\\Windows\\System32\\whoami.exe","CommandLine":"whoami /all"}}}"#;
const WLB_NOT_ALL: &str = r#"{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"event_data":{"Image":"C:\\Windows\\System32\\whoami.exe","CommandLine":"whoami /priv"}}}"#;

#[test]
fn winlogbeat_fires_the_same_sigmahq_rule_as_the_flat_event() {
    let rule = whoami_rule();
    let plain = ruleset(&[&rule], Pipelines::default());
    let wlb = ruleset(&[&rule], builtin("winlogbeat"));
    assert_eq!(fired(&plain, FLAT_SYSMON1), [0]);
    assert_eq!(fired(&wlb, WLB_SYSMON1), [0]);
    // 4688: the taxonomy's NewProcessName, then the pipeline's prefix.
    assert_eq!(fired(&plain, FLAT_4688), [0]);
    assert_eq!(fired(&wlb, WLB_4688), [0]);
    // Routing: Sysmon 3 is not process creation; `/priv` is not `/all`.
    assert!(fired(&wlb, WLB_SYSMON3).is_empty());
    assert!(fired(&wlb, WLB_NOT_ALL).is_empty());
    // Each shape needs its own pipeline.
    assert!(fired(&plain, WLB_SYSMON1).is_empty());
    assert!(fired(&wlb, FLAT_SYSMON1).is_empty());
    assert_eq!(wlb.channel_fields(), ["Channel", "winlog.channel"]);
    assert_eq!(wlb.event_id_fields(), ["EventID", "winlog.event_id"]);
}

#[test]
fn ecs_events_fire_through_ecs_windows() {
    let rule = whoami_rule();
    let ecs = ruleset(&[&rule, REG_RULE], builtin("ecs-windows"));
    let sysmon1 = r#"{"event":{"code":"1"},"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational"},"process":{"executable":"C:\\Windows\\System32\\whoami.exe","command_line":"whoami /all","pe":{"original_file_name":"whoami.exe"}}}"#;
    let sec4688 = r#"{"event":{"code":"4688"},"winlog":{"channel":"Security"},"process":{"executable":"C:\\Windows\\System32\\whoami.exe","command_line":"whoami -all"}}"#;
    assert_eq!(fired(&ecs, sysmon1), [0]);
    assert_eq!(fired(&ecs, sec4688), [0]);
    // registry_set = Sysmon 13: registry.path, Details under winlog.event_data, Image as process.executable.
    let reg = |image: &str| {
        format!(
            r#"{{"event":{{"code":13}},"winlog":{{"channel":"Microsoft-Windows-Sysmon/Operational","event_data":{{"Details":"C:\\evil.exe"}}}},"registry":{{"path":"HKU\\S-1\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\x"}},"process":{{"executable":"{image}"}}}}"#
        )
    };
    assert_eq!(fired(&ecs, &reg(r"C:\\Windows\\explorer.exe")), [1]);
    assert!(fired(&ecs, &reg(r"C:\\Windows\\System32\\msiexec.exe")).is_empty(), "the filter is mapped too");
}

#[test]
fn user_pipeline_with_add_condition_and_drop() {
    let p = load(
        "name: site\ntransformations:\n  - type: drop_detection_item\n    field_name_conditions:\n      - type: include_fields\n        \
         fields: [OriginalFileName]\n  - type: add_condition\n    conditions:\n      host|startswith: 'SRV'\n    \
         rule_conditions:\n      - type: logsource\n        category: process_creation\n",
        "site.yml",
    )
    .expect("loads");
    let rs = ruleset(&[&whoami_rule()], Pipelines::new(vec![p]));
    let ev = |host: &str, image: &str| {
        format!(
            r#"{{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","host":"{host}","Image":"{image}","OriginalFileName":"whoami.exe","CommandLine":"whoami /all"}}"#
        )
    };
    assert_eq!(fired(&rs, &ev("SRV01", r"C:\\Windows\\System32\\whoami.exe")), [0]);
    assert!(fired(&rs, &ev("PC01", r"C:\\Windows\\System32\\whoami.exe")).is_empty(), "add_condition");
    // OriginalFileName was dropped: a renamed whoami no longer matches by it.
    assert!(fired(&rs, &ev("SRV01", r"C:\\x\\renamed.exe")).is_empty(), "drop_detection_item");
}

#[test]
fn rule_failure_skips_with_the_message() {
    let p = load("transformations:\n  - type: rule_failure\n    message: not in our SIEM\n", "f.yml").unwrap();
    let file = detwiki_sigma::parse_str(WHOAMI_ALL);
    assert!(!file.has_errors(), "{:?}", file.diagnostics);
    let mut b = RulesetBuilder::new();
    b.add("t", "r.yml".as_ref(), &file.documents, &|_| true);
    let rs = b.build(&Options { pipelines: Pipelines::new(vec![p]), ..Options::default() });
    assert!(rs.rules.is_empty());
    assert_eq!(rs.skipped[0].reason.key(), "pipeline-failure");
    assert!(rs.skipped[0].reason.to_string().contains("not in our SIEM"));
}
