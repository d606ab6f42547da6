//! `detwiki hunt` end to end: the real binary on small inputs written here.

use std::io::Write;
use std::path::Path;

use assert_cmd::Command;

const RULE: &str = "title: Whoami\nid: 11111111-1111-4111-8111-111111111111\nlevel: high\n\
logsource:\n  product: windows\n  category: process_creation\ndetection:\n  sel:\n    \
Image|endswith: '\\whoami.exe'\n  condition: sel\n";

const SYSMON1: &str = r##"{"Event":{"System":{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"PC1","EventRecordID":7,"TimeCreated":{"#attributes":{"SystemTime":"2024-01-01T00:00:00Z"}}},"EventData":{"Image":"C:\\Windows\\System32\\whoami.exe"}}}"##;
const SEC4688: &str = r#"{"EventID":4688,"Channel":"Security","NewProcessName":"C:\\Windows\\System32\\WHOAMI.EXE"}"#;
const OTHER: &str = r#"{"EventID":3,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\whoami.exe"}"#;

fn setup(dir: &Path) {
    std::fs::create_dir_all(dir.join("rules")).unwrap();
    std::fs::write(dir.join("rules/whoami.yml"), RULE).unwrap();
    let logs = dir.join("logs/Lateral Movement & more");
    std::fs::create_dir_all(&logs).unwrap();
    std::fs::write(logs.join("a.jsonl"), format!("{SYSMON1}\n{OTHER}\nnot json\n{SEC4688}\n")).unwrap();
    let gz = std::fs::File::create(logs.join("b.jsonl.gz")).unwrap();
    let mut enc = flate2_writer(gz);
    enc.write_all(format!("{SEC4688}\n").as_bytes()).unwrap();
}

/// A gzip writer without a dev-dependency: the `gzip` tool.
fn flate2_writer(file: std::fs::File) -> impl Write {
    struct Gz(std::process::Child);
    impl Write for Gz {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.stdin.as_mut().unwrap().write(b)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    impl Drop for Gz {
        fn drop(&mut self) {
            drop(self.0.stdin.take());
            let _ = self.0.wait();
        }
    }
    Gz(std::process::Command::new("gzip")
        .arg("-c")
        .stdin(std::process::Stdio::piped())
        .stdout(file)
        .spawn()
        .expect("gzip"))
}

fn detwiki() -> Command {
    Command::cargo_bin("detwiki").unwrap()
}

#[test]
fn hits_as_json_lines_from_a_folder_with_odd_names() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let out = detwiki()
        .args(["hunt", "--format", "jsonl", "--threads", "1", "--corpus"])
        .arg(format!("sigma={}", tmp.path().join("rules").display()))
        .arg(tmp.path().join("logs"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "hits found: exit 1");
    let stdout = String::from_utf8(out.stdout).unwrap();
    let hits: Vec<serde_json::Value> = stdout.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(hits.len(), 3, "Sysmon 1 and two Security 4688, not Sysmon 3: {stdout}");
    let sysmon = hits.iter().find(|h| h["channel"] == "Microsoft-Windows-Sysmon/Operational").unwrap();
    assert_eq!(sysmon["rule_id"], "11111111-1111-4111-8111-111111111111");
    assert_eq!(sysmon["level"], "high");
    assert_eq!(sysmon["computer"], "PC1");
    assert_eq!(sysmon["record_id"], 7);
    assert_eq!(sysmon["timestamp"], "2024-01-01T00:00:00Z");
    assert_eq!(sysmon["fields"]["Image"], "C:\\Windows\\System32\\whoami.exe");
    assert!(hits.iter().any(|h| h["fields"]["NewProcessName"] == "C:\\Windows\\System32\\WHOAMI.EXE"));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("a.jsonl: line 3, column 2: bad JSON: expected ident (skipped)"), "{stderr}");
    assert!(stderr.contains("3 hits from 1 rule;"), "{stderr}");
}

#[test]
fn stdin_table_and_exit_codes() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let corpus = format!("sigma={}", tmp.path().join("rules").display());
    let out = detwiki()
        .args(["hunt", "-q", "--format", "table", "--corpus", &corpus, "-"])
        .write_stdin(format!("{SYSMON1}\n"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("high           11111111-1111-4111-8111-111111111111  Whoami")
    );
    detwiki()
        .args(["hunt", "-q", "--format", "jsonl", "--corpus", &corpus, "-"])
        .write_stdin(format!("{OTHER}\n"))
        .assert()
        .code(0)
        .stdout("");
    detwiki().args(["hunt", "--corpus", &corpus, "/no/such/path"]).assert().code(2);
    detwiki().args(["hunt", "--min-level", "critical", "--corpus", &corpus, "-"]).write_stdin("").assert().code(2);
}

#[test]
fn pipelines_builtin_file_list_and_errors() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let corpus = format!("sigma={}", tmp.path().join("rules").display());
    let out = detwiki().args(["hunt", "--list-pipelines"]).assert().success().get_output().stdout.clone();
    let out = String::from_utf8(out).unwrap();
    assert!(out.contains("winlogbeat") && out.contains("ecs-windows"), "{out}");
    // Winlogbeat-shaped line through the built-in pipeline.
    let wlb = r#"{"winlog":{"channel":"Microsoft-Windows-Sysmon/Operational","event_id":1,"computer_name":"PC9","event_data":{"Image":"C:\\Windows\\System32\\whoami.exe"}}}"#;
    let out = detwiki()
        .args(["hunt", "-q", "--format", "jsonl", "--pipeline", "winlogbeat", "--corpus", &corpus, "-"])
        .write_stdin(format!("{wlb}\n"))
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let hit: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(hit["computer"], "PC9");
    assert_eq!(hit["event_id"], 1, "a number, like record_id");
    assert_eq!(hit["fields"]["winlog.event_data.Image"], r"C:\Windows\System32\whoami.exe");
    // A pipeline file with an unsupported transformation: exit 2, file:line:col and the supported types.
    let bad = tmp.path().join("bad.yml");
    std::fs::write(&bad, "name: bad\ntransformations:\n  - type: set_state\n    key: a\n").unwrap();
    let out = detwiki()
        .args(["hunt", "--pipeline", bad.to_str().unwrap(), "--corpus", &corpus, "-"])
        .write_stdin("")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    let err = String::from_utf8(out).unwrap();
    assert!(err.contains("error: transformation type `set_state` is not supported"), "{err}");
    assert!(err.contains("bad.yml:3:11\n"), "{err}");
    assert!(err.contains("supported types: field_name_mapping"), "{err}");
    detwiki().args(["hunt", "--pipeline", "no-such", "--corpus", &corpus, "-"]).write_stdin("").assert().code(2);
}

/// The EVTX samples, if `../shared` (or `$DETWIKI_SHARED`) has them.
fn samples() -> Option<std::path::PathBuf> {
    detwiki_testdata::require("events/evtx-attack-samples")
}

/// Rules that fire on most Sysmon and Security events (many hits, in many chunks).
fn broad_rules(dir: &Path) -> String {
    let rules = dir.join("broad");
    std::fs::create_dir_all(&rules).unwrap();
    for (n, service, ids) in
        [(1, "sysmon", "[1, 3, 5, 7, 8, 10, 11, 12, 13]"), (2, "security", "[4624, 4625, 4688, 4672]")]
    {
        let text = format!(
            "title: Broad {n}\nid: 00000000-0000-4000-8000-00000000000{n}\nlevel: low\nlogsource:\n  product: windows\n  \
             service: {service}\ndetection:\n  sel:\n    EventID: {ids}\n  condition: sel\n"
        );
        std::fs::write(rules.join(format!("broad{n}.yml")), text).unwrap();
    }
    format!("broad={}", rules.display())
}

const PANACHE: &str = "AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx";

/// Item 3 of issue 10: two identical runs print the same hits in the same order, with one
/// thread or two: input order (file, then record).
#[test]
fn jsonl_hits_come_in_input_order_whatever_the_threads() {
    let Some(dir) = samples() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let corpus = broad_rules(tmp.path());
    let files = [
        PANACHE,
        "Privilege Escalation/Sysmon_UACME_64.evtx",
        "Command and Control/DE_RDP_Tunneling_4624.evtx",
        "Defense Evasion/Sysmon 7  Update Session Orchestrator Dll Hijack.evtx",
    ];
    let run = |threads: &str| {
        let out = detwiki()
            .args(["hunt", "-q", "--format", "jsonl", "--threads", threads, "--corpus", &corpus])
            .args(files.iter().map(|f| dir.join(f)))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "hits: exit 1");
        out.stdout
    };
    let one = run("1");
    // (Not assert_eq: the bytes of two differing outputs would fill the screen.)
    assert!(run("2") == one, "2 threads print other hits, or in another order, than 1 thread");
    assert!(run("2") == one, "a second run with 2 threads prints other hits, or in another order");
    let hits: Vec<serde_json::Value> =
        String::from_utf8(one).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(hits.len() > 1000, "{} hits", hits.len());
    let order: Vec<(usize, u64)> = hits
        .iter()
        .map(|h| {
            let file = h["file"].as_str().unwrap();
            (files.iter().position(|f| file.ends_with(f)).unwrap(), h["record_id"].as_u64().unwrap())
        })
        .collect();
    assert_eq!(order[0], (0, 1), "the first record of the first file first");
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "file, then record order");
    assert_eq!(order.last().unwrap().0, files.len() - 1);
}

/// Item 2 of issue 10: a truncated EVTX file says which chunk is cut (and which records are
/// lost) and which declared chunks are missing; every whole record is still read.
#[test]
fn a_truncated_evtx_file_is_a_read_problem_with_what_is_lost() {
    let Some(dir) = samples() else { return };
    let tmp = tempfile::tempdir().unwrap();
    let corpus = broad_rules(tmp.path());
    let whole = std::fs::read(dir.join(PANACHE)).unwrap();
    let cut = tmp.path().join("cut.evtx");
    std::fs::write(&cut, &whole[..150_000]).unwrap();
    let out = detwiki().args(["hunt", "--format", "jsonl", "--corpus", &corpus]).arg(&cut).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "hits in the records that are left: exit 1");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let path = cut.display();
    assert!(
        stderr.contains(&format!(
            "warning: {path}: chunk 3: cut after 14,832 of 65,536 bytes: records 94–124 are lost (the 6 whole \
             records before the cut are read)\n"
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "warning: {path}: chunks 4–15 of the 15 the file header declares are missing (786,432 bytes): the file \
             ends after 150,000 bytes (cut short?)\n"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("hunt: 1 file, 93 events in"), "{stderr}");
    assert!(stderr.contains("; 2 read problems"), "{stderr}");
    let last: serde_json::Value =
        serde_json::from_str(String::from_utf8(out.stdout).unwrap().lines().last().unwrap()).unwrap();
    assert_eq!(last["record_id"], 93, "the last whole record is read");
    // Cut inside the file header: nothing to read at all.
    std::fs::write(&cut, &whole[..1000]).unwrap();
    let out = detwiki().args(["hunt", "-q", "--corpus", &corpus]).arg(&cut).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "no event could be read");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("cut.evtx: cut short inside its file header (1,000 of 4,096 bytes): no chunk to read"));
    assert!(stderr.contains("error: no event could be read (see the warnings above)"), "{stderr}");
}

/// Item 4 of issue 10: inputs are recognised by content; what is not a log is a read problem
/// saying what the file is and what hunt reads, and the run goes on with the others.
#[test]
fn inputs_that_are_not_logs_say_what_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let corpus = format!("sigma={}", tmp.path().join("rules").display());
    let dir = tmp.path().join("odd");
    std::fs::create_dir_all(&dir).unwrap();
    let file = |name: &str, bytes: &[u8]| {
        std::fs::write(dir.join(name), bytes).unwrap();
        dir.join(name)
    };
    let yaml = file("rule.yml", RULE.as_bytes());
    let fake = file("fake.evtx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00");
    let doc = file("doc.json", b"{\n  \"EventID\": 4688\n}\n");
    let empty = file("empty.jsonl", b"");
    // JSON lines named .txt: content decides.
    let good = file("events.txt", format!("{SEC4688}\n").as_bytes());
    let out = detwiki()
        .args(["hunt", "--format", "jsonl", "--corpus", &corpus])
        .args([&yaml, &fake, &doc, &empty, &good])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the good file's hit: exit 1");
    let stderr = String::from_utf8(out.stderr).unwrap();
    let reads = "hunt reads EVTX, JSON lines (.json, .jsonl, .ndjson, .gz), a JSON array of events, or - (JSON lines on \
                 stdin) (skipped)";
    for want in [
        format!("warning: {}: a YAML file, not a log: {reads}", yaml.display()),
        format!(
            "warning: {}: not an EVTX file: no ElfFile signature (it starts with 4d 5a 90 00 03 00 00 00): {reads}",
            fake.display()
        ),
        format!(
            "warning: {}: a JSON document written over several lines, not JSON lines (one JSON object per line): \
             `jq -c . FILE > FILE.jsonl` rewrites it as JSON lines (skipped)",
            doc.display()
        ),
        format!("note: {}: empty file: no events", empty.display()),
        "hunt: 5 files, 1 event in".to_string(),
        "1 hit from 1 rule; 3 read problems".to_string(),
    ] {
        assert!(stderr.contains(&want), "{want}\n---\n{stderr}");
    }
    // Problems come in the order of the inputs (the note on the empty file before the run).
    let at = |p: &Path| stderr.find(&format!("{}: ", p.display())).unwrap();
    assert!(at(&empty) < at(&yaml) && at(&yaml) < at(&fake) && at(&fake) < at(&doc), "{stderr}");
    let hit: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hit["line"], 1);

    // Nothing but a YAML file: no event could be read, exit 3.
    let out = detwiki().args(["hunt", "-q", "--corpus", &corpus]).arg(&yaml).output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("rule.yml: a YAML file, not a log: hunt reads EVTX"), "{stderr}");
    assert!(stderr.contains("error: no event could be read (see the warnings above)"), "{stderr}");

    // Empty inputs are no events, as an EVTX file without records: exit 0.
    let out = detwiki().args(["hunt", "-q", "--corpus", &corpus]).arg(&empty).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8(out.stderr).unwrap(), format!("note: {}: empty file: no events\n", empty.display()));
    detwiki().args(["hunt", "-q", "--format", "jsonl", "--corpus", &corpus, "-"]).write_stdin("\n").assert().code(0);

    // A folder walk picks files by name, then checks their content.
    let out = detwiki().args(["hunt", "-q", "--format", "jsonl", "--corpus", &corpus]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "events.txt is not picked, and no other file has events: exit 3");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("fake.evtx: not an EVTX file") && stderr.contains("doc.json: a JSON document"), "{stderr}");
    assert!(!stderr.contains("rule.yml") && !stderr.contains("events.txt"), "{stderr}");

    // A JSON array of events (as PowerShell's ConvertTo-Json writes it) is read as it is.
    let array = file("events.json", format!("[\n  {OTHER},\n  {SEC4688}\n]\n").as_bytes());
    let out = detwiki().args(["hunt", "-q", "--format", "jsonl", "--corpus", &corpus]).arg(&array).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let hit: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(hit["line"], 3, "the line the element starts on");
}

/// Item 5 of issue 10: a bad JSON line is named once, by the input's line and column (not
/// serde_json's `at line 1 column …`).
#[test]
fn a_bad_json_line_is_named_by_line_and_column_once() {
    let tmp = tempfile::tempdir().unwrap();
    setup(tmp.path());
    let corpus = format!("sigma={}", tmp.path().join("rules").display());
    let logs = tmp.path().join("bad.jsonl");
    std::fs::write(&logs, format!("{SYSMON1}\n{{\"EventID\": 1, \"Image\": \"a\" \"b\"}}\n")).unwrap();
    let out = detwiki().args(["hunt", "--format", "jsonl", "--corpus", &corpus]).arg(&logs).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "line 1 is still read, and hits");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains(&format!(
            "warning: {}: line 2, column 29: bad JSON: expected `,` or `}}` (skipped)",
            logs.display()
        )),
        "{stderr}"
    );
    assert!(!stderr.contains("at line 1"), "{stderr}");
}
