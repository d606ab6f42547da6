//! `build --telemetry FILE`: the rules list, the ATT&CK matrix and technique pages say which rules
//! can fire with the events the user collects; a bad file is a usage error naming its line.

use assert_cmd::Command;

fn detwiki() -> Command {
    Command::cargo_bin("detwiki").unwrap()
}

#[test]
fn build_with_telemetry_says_what_can_fire() {
    let dir = tempfile::tempdir().unwrap();
    let tel = dir.path().join("telemetry.txt");
    // Sysmon process creation only: the demo's process_creation rules can fire, its registry
    // rules cannot.
    std::fs::write(&tel, "# what we collect\nSysmon 1\n").unwrap();
    let out = dir.path().join("site");
    detwiki().args(["build", "-q", "--out"]).arg(&out).arg("--telemetry").arg(&tel).assert().success();
    let read = |p: &str| std::fs::read_to_string(out.join(p)).unwrap();
    let home = read("index.html");
    assert!(home.contains("id=\"telemetry-note\""), "the matrix explains the telemetry counts");
    assert!(home.contains("can fire</span>"));
    assert!(home.contains("cell s") && home.contains(" blind\""), "a technique none of whose rules can fire is greyed");
    let list = read("rules/index.html");
    assert!(list.contains("rules can fire with your telemetry"), "the rules list says how many can fire");
    assert!(list.contains("data-filter=\"telemetry\""), "and filters by it");
    let data = read("assets/rules-list.js");
    assert!(data.contains("\"fires\"") && data.contains("\"blind\""));
    // T1090 (the PortProxy registry rules) reads registry events only.
    let t1090 = read("techniques/T1090/index.html");
    assert!(t1090.contains("<dt>Your telemetry</dt><dd>0 of"), "{}", &t1090[..t1090.len().min(3000)]);
    // The choice kept in the browser has its page and data in every build.
    assert!(read("telemetry/index.html").contains("id=\"telemetry-choice\""));
    let data = read("assets/telemetry-data.js");
    let json: serde_json::Value =
        serde_json::from_str(data.strip_prefix("window.DETWIKI_TELEMETRY=").unwrap().trim_end().trim_end_matches(';'))
            .unwrap();
    let events = json["events"].as_array().unwrap();
    assert!(events.iter().any(|e| e[0] == "Sysmon|Microsoft-Windows-Sysmon/Operational|1"));
    assert_eq!(json["rules"].as_array().unwrap().len(), 14, "a row per demo rule");
    assert!(json["techniques"]["T1090"].as_array().is_some_and(|r| !r.is_empty()));
    // Without --telemetry, nothing of it.
    let plain = dir.path().join("plain");
    detwiki().args(["build", "-q", "--out"]).arg(&plain).assert().success();
    assert!(!std::fs::read_to_string(plain.join("index.html")).unwrap().contains("telemetry-note"));
}

#[test]
fn a_bad_telemetry_line_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let tel = dir.path().join("telemetry.txt");
    std::fs::write(&tel, "Sysmon 1\nSecurity 46x4\n").unwrap();
    let out = dir.path().join("site");
    let a = detwiki().args(["build", "-q", "--out"]).arg(&out).arg("--telemetry").arg(&tel).assert().code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).into_owned();
    assert!(err.contains(&format!("--telemetry {}:2: `46x4` is not an event id", tel.display())), "{err}");
    assert!(!out.exists(), "nothing built");
    let missing = dir.path().join("nope.txt");
    detwiki().args(["build", "-q", "--out"]).arg(&out).arg("--telemetry").arg(&missing).assert().code(2);
}
