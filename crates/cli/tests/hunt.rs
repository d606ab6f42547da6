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
    assert!(stderr.contains("a.jsonl: line 3: bad JSON"), "{stderr}");
    assert!(stderr.contains("3 hits from 1 rules"), "{stderr}");
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
