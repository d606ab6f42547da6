//! `detwiki build --events` as a user meets it: each rule page says what the rule found in the
//! sample logs (hits, files, the matching events with the predicates that matched), a page per
//! sample file, "Fires together" under Neighbors; inputs `hunt` cannot read are warnings naming
//! the file; the counts on every page are those of `detwiki hunt` on the same events.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use assert_cmd::Command;

fn detwiki() -> Command {
    Command::cargo_bin("detwiki").unwrap()
}

const WHOAMI: &str = "title: Whoami Run
id: 0a1b2c3d-1111-4222-8333-944445555666
status: test
level: low
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\whoami.exe'
    filter:
        User: 'SYSTEM'
    condition: selection and not filter
";

const NET: &str = "title: Net Run
id: 0a1b2c3d-2222-4222-8333-944445555666
status: test
level: low
logsource:
    product: windows
    category: process_creation
detection:
    selection:
        Image|endswith: '\\net.exe'
    condition: selection
";

fn sysmon1(image: &str, time: &str) -> String {
    serde_json::json!({
        "Channel": "Microsoft-Windows-Sysmon/Operational",
        "Provider_Name": "Microsoft-Windows-Sysmon",
        "EventID": 1,
        "Computer": "WS01",
        "TimeCreated_SystemTime": time,
        "Image": image,
        "CommandLine": image,
        "User": "alice",
    })
    .to_string()
}

/// A corpus (two Sigma rules, an Elastic rule) and sample logs in folders named with spaces and
/// `&`, one file of which is no log.
fn fixture() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(rules.join("proc_creation_whoami.yml"), WHOAMI).unwrap();
    std::fs::write(rules.join("proc_creation_net.yml"), NET).unwrap();
    let elastic = Path::new(env!("CARGO_MANIFEST_DIR")).join("../elastic/tests/fixtures/rules/behavior.toml");
    std::fs::copy(elastic, rules.join("behavior.toml")).unwrap();
    let events = dir.path().join("events/Lateral Movement & more");
    std::fs::create_dir_all(&events).unwrap();
    let lines = [
        sysmon1(r"C:\Windows\System32\whoami.exe", "2024-05-01T10:00:00Z"),
        sysmon1(r"C:\Windows\System32\net.exe", "2024-05-01T10:00:30Z"),
        sysmon1(r"C:\Windows\System32\notepad.exe", "2024-05-01T10:00:40Z"),
    ];
    std::fs::write(events.join("run whoami.jsonl"), lines.join("\n") + "\n").unwrap();
    std::fs::write(dir.path().join("events/quiet.jsonl"), sysmon1(r"C:\x\calc.exe", "2024-05-01T11:00:00Z") + "\n")
        .unwrap();
    std::fs::write(dir.path().join("events/notes.json"), "this is no log\n").unwrap();
    dir
}

fn read(p: impl AsRef<Path>) -> String {
    std::fs::read_to_string(p.as_ref()).unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
}

#[test]
fn each_rule_page_shows_its_sample_hits_and_each_sample_file_has_a_page() {
    let dir = fixture();
    let out = dir.path().join("site");
    let assert = detwiki()
        .current_dir(dir.path())
        .args(["build", "--corpus", "acme=rules", "--events", "events", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    // The file that is no log: a warning naming it, the build goes on.
    let warning = stderr.lines().find(|l| l.starts_with("warning: --events:")).unwrap_or_else(|| panic!("{stderr}"));
    assert!(warning.contains("notes.json"), "{warning}");
    assert!(stderr.contains("events: 3 files, 4 events: 2 hits from 2 rules"), "{stderr}");

    let page = read(out.join("rules/acme/proc_creation_whoami/index.html"));
    assert!(page.contains("<h2 id=\"h-samples\">Seen in sample data</h2>"), "{page}");
    assert!(page.contains("<strong>1 hit</strong> in 1 file"), "{page}");
    // The sample file's page: a safe URL for a folder named with spaces and `&`, the name as written.
    let sample_url = "samples/lateral-movement-more-run-whoami-jsonl/index.html";
    assert!(
        page.contains(&format!("<a href=\"../../../{sample_url}\">Lateral Movement &amp; more/run whoami.jsonl</a>"))
    );
    // The matched predicate in the page's stage vocabulary, with the value that matched.
    assert!(
        page.contains(
            "Stage 1 <code>selection</code>: <code>Image|endswith: '\\whoami.exe'</code> ← <code>Image</code> = \
             <code class=\"val\">C:\\Windows\\System32\\whoami.exe</code>"
        ),
        "{page}"
    );
    assert!(page.contains("<tr class=\"hit\"><th scope=\"row\">Image</th>"), "the matched field stands out");
    assert!(page.contains("<th scope=\"row\">User</th><td><code class=\"val\">alice</code>"), "every field");
    // Fires together: the net.exe hit 30 s later on the same host.
    assert!(page.contains("<h3 id=\"fires-together\">Fires together</h3>"), "{page}");
    assert!(page.contains(">Net Run</a> <span class=\"muted\">(1 of 1 hit)</span>"), "{page}");

    let sample = read(out.join(sample_url));
    assert!(sample.contains("<span class=\"kind\">Sample</span> Lateral Movement &amp; more/run whoami.jsonl"));
    assert!(sample.contains(">Whoami Run</a></td><td>low</td><td class=\"num\">1</td>"), "{sample}");
    // Its events by provider, channel and event id, the id linked to the event's page.
    assert!(
        sample.contains(
            "<td>Microsoft-Windows-Sysmon</td><td>Microsoft-Windows-Sysmon/Operational</td><td><a href=\"../../events/"
        ),
        "{sample}"
    );
    assert!(sample.contains("/1/index.html\">1</a></td><td class=\"num\">3</td>"), "{sample}");
    let index = read(out.join("samples/index.html"));
    assert!(index.contains("4 events in 3 files"), "{index}");
    assert!(index.contains(">quiet.jsonl</a> <span class=\"muted\">(1 event)</span>"), "no rule detects it: {index}");
    let never = read(out.join("samples/never-fired/index.html"));
    assert!(never.contains("0 rules ran over the sample data without a hit"), "{never}");
    let notes = read(out.join("samples/notes-json/index.html"));
    assert!(notes.contains("<h2>Read problems</h2>"), "{notes}");

    // An Elastic rule: no engine yet, said so (not "never fired").
    let elastic = std::fs::read_dir(out.join("rules/acme"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.join("index.html").exists() && read(p.join("index.html")).contains("Sudo Heap-Based"))
        .expect("the Elastic rule's page");
    let elastic = read(elastic.join("index.html"));
    assert!(elastic.contains("No engine for Elastic rules yet"), "{elastic}");
    assert!(!elastic.contains("Never fired"), "{elastic}");

    // The JSON beside the pages carries the same.
    let json: serde_json::Value =
        serde_json::from_str(&read(out.join("rules/acme/proc_creation_whoami.json"))).unwrap();
    let s = &json["samples"];
    assert_eq!(s["hits"], 1);
    assert_eq!(s["files"][0]["file"], "Lateral Movement & more/run whoami.jsonl");
    assert_eq!(s["events"][0]["line"], 1);
    assert_eq!(s["events"][0]["matched"][0]["predicates"][0]["text"], "Image|endswith: '\\whoami.exe'");
    assert_eq!(s["fires_together"][0]["title"], "Net Run");
    let sample: serde_json::Value =
        serde_json::from_str(&read(out.join("samples/lateral-movement-more-run-whoami-jsonl.json"))).unwrap();
    assert_eq!(sample["events"], 3);
    assert_eq!(sample["hits"], 2);
    // Search finds the sample pages.
    let search = read(out.join("assets/search-index.js"));
    assert!(
        search.contains(
            "\"Lateral Movement & more/run whoami.jsonl\",\"samples/lateral-movement-more-run-whoami-jsonl/index.html\""
        ),
        "{search}"
    );
}

#[test]
fn technique_pages_say_which_rules_fired_and_the_json_summary_counts_the_samples() {
    let dir = fixture();
    // Whoami (fires), Net (no net.exe in this test's samples) and the Elastic rule, all T1033.
    let rules = dir.path().join("rules");
    let tag = |text: &str| text.replace("logsource:", "tags:\n    - attack.t1033\nlogsource:");
    std::fs::write(rules.join("proc_creation_whoami.yml"), tag(WHOAMI)).unwrap();
    std::fs::write(rules.join("proc_creation_net.yml"), tag(NET)).unwrap();
    let elastic = read(rules.join("behavior.toml")).replace("T1068", "T1033");
    std::fs::write(rules.join("behavior.toml"), elastic).unwrap();
    std::fs::write(dir.path().join("one.jsonl"), sysmon1(r"C:\Windows\System32\whoami.exe", "2024-05-01T10:00:00Z"))
        .unwrap();
    let out = dir.path().join("site");
    let assert = detwiki()
        .current_dir(dir.path())
        .args(["build", "--corpus", "acme=rules", "--events", "one.jsonl", "--format", "json", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert_eq!(
        summary["samples"],
        serde_json::json!({"files": 1, "events": 1, "hits": 1, "rules_fired": 1, "rules_never_fired": 1}),
        "{summary}"
    );

    let page = read(out.join("techniques/T1033/index.html"));
    assert!(page.contains("<strong>1 of its 2 rules</strong> fired on the"), "{page}");
    assert!(page.contains("Not run: 1 Elastic rule: no engine for Elastic rules yet."), "{page}");
    assert!(
        page.contains("<a href=\"../../rules/acme/proc_creation_whoami/index.html#samples\" class=\"fired\">1</a>")
    );
    assert!(page.contains("<a href=\"../../rules/acme/proc_creation_net/index.html#samples\">0</a>"), "{page}");
    let json: serde_json::Value = serde_json::from_str(&read(out.join("techniques/T1033.json"))).unwrap();
    assert_eq!(json["samples"]["ran"], 2);
    assert_eq!(json["samples"]["fired"], 1);
    assert_eq!(json["samples"]["no_engine"]["Elastic"], 1);
    assert_eq!(json["samples"]["rules"][0]["title"], "Whoami Run");

    // Without --events: no sample totals, no sample section.
    let assert = detwiki()
        .current_dir(dir.path())
        .args(["build", "--corpus", "acme=rules", "--format", "json", "--out"])
        .arg(&out)
        .assert()
        .success();
    let summary: serde_json::Value = serde_json::from_slice(&assert.get_output().stdout).unwrap();
    assert!(summary.get("samples").is_none(), "{summary}");
    assert!(summary["pages"].as_u64().is_some_and(|n| n > 0), "{summary}");
    let page = read(out.join("techniques/T1033/index.html"));
    assert!(!page.contains("Seen in sample data") && !page.contains("Sample hits"), "{page}");
}

#[test]
fn events_that_do_not_exist_or_hold_no_event_stop_the_build() {
    let dir = fixture();
    let out = dir.path().join("site");
    let run = |events: &str, code: i32| {
        let a = detwiki()
            .current_dir(dir.path())
            .args(["build", "--corpus", "acme=rules", "--events", events, "--out"])
            .arg(&out)
            .assert()
            .code(code);
        String::from_utf8_lossy(&a.get_output().stderr).into_owned()
    };
    let err = run("no/such/logs", 2);
    assert!(err.contains("no/such/logs"), "{err}");
    assert!(err.contains("error: --events: no input to read"), "{err}");
    let err = run("events/notes.json", 3);
    assert!(err.contains("warning: --events: events/notes.json"), "{err}");
    assert!(err.contains("error: --events: no event could be read"), "{err}");
    assert!(!out.exists(), "nothing was built");
}

#[test]
fn the_demo_ships_sample_events() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("site");
    detwiki().args(["build", "--quiet", "--out"]).arg(&out).assert().success();
    let page = read(out.join("rules/demo/registry_event_portproxy_registry_key/index.html"));
    assert!(page.contains("<strong>3 hits</strong> in 1 file"), "{page}");
    assert!(page.contains("TargetObject|contains: '\\Services\\PortProxy\\v4tov4\\tcp\\'"), "{page}");
    let never = read(out.join("rules/demo/proc_creation_win_tscon_localsystem/index.html"));
    assert!(never.contains("Never fired on the"), "{never}");
    let fed = read(out.join("rules/demo/win_security_logon_failure/index.html"));
    assert!(fed.contains("Its matches feed a correlation rule"), "{fed}");
    assert!(read(out.join("samples/demo-events-jsonl/index.html")).contains("demo-events.jsonl"));
}

// ------------------------------------------------------------------------------------------
// SigmaHQ over every sample: the seed rule's page, and every count against `detwiki hunt`.

struct Built {
    _dir: tempfile::TempDir,
    site: PathBuf,
    /// `detwiki hunt --format jsonl`: hits per rule id.
    hunt: BTreeMap<String, u64>,
}

fn sigmahq_site() -> Option<&'static Built> {
    static BUILT: OnceLock<Option<Built>> = OnceLock::new();
    let rules = detwiki_testdata::require("corpus/sigma/rules")?;
    let events = detwiki_testdata::require("events/evtx-attack-samples")?;
    BUILT
        .get_or_init(|| {
            let dir = tempfile::tempdir().unwrap();
            let site = dir.path().join("site");
            let corpus = format!("sigma={}", rules.display());
            detwiki()
                .args(["build", "--quiet", "--corpus", &corpus, "--events"])
                .arg(&events)
                .arg("--out")
                .arg(&site)
                .assert()
                .success();
            let out = detwiki()
                .args(["hunt", "--quiet", "--format", "jsonl", "--corpus", &corpus])
                .arg(&events)
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(1), "hunt finds hits");
            let mut hunt = BTreeMap::new();
            for line in String::from_utf8(out.stdout).unwrap().lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                *hunt.entry(v["rule_id"].as_str().unwrap().to_string()).or_insert(0) += 1;
            }
            Some(Built { _dir: dir, site, hunt })
        })
        .as_ref()
}

/// The part of a page from `<section id="{id}"` to its `</section>`.
fn section<'a>(page: &'a str, id: &str) -> &'a str {
    let start = page.find(&format!("<section id=\"{id}\"")).unwrap_or_else(|| panic!("no section {id}"));
    let end = page[start..].find("</section>").unwrap() + start + "</section>".len();
    &page[start..end]
}

#[test]
fn the_seed_rule_shows_its_hits_with_the_matching_events_and_predicates() {
    let Some(b) = sigmahq_site() else { return };
    let page = read(b.site.join("rules/sigma/registry_event_portproxy_registry_key/index.html"));
    insta::assert_snapshot!("seed_rule_seen_in_sample_data", section(&page, "samples"));
    insta::assert_snapshot!("seed_rule_neighbors", section(&page, "neighbors"));
}

#[test]
fn every_page_counts_the_hits_hunt_reports_rule_by_rule() {
    let Some(b) = sigmahq_site() else { return };
    let mut site: BTreeMap<String, u64> = BTreeMap::new();
    let mut pages = 0;
    let mut largest = (0, String::new());
    for entry in std::fs::read_dir(b.site.join("rules/sigma")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "json") {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&read(&path)).unwrap();
        let s = &v["samples"];
        if s["status"] != "ran" && s["status"] != "correlated" {
            assert_eq!(s["hits"], 0, "{}", path.display());
            continue;
        }
        let hits = s["hits"].as_u64().unwrap();
        *site.entry(v["id"].as_str().unwrap().to_string()).or_insert(0) += hits;
        // The page says the same as its JSON.
        let page = read(path.with_extension("").join("index.html"));
        let said = if s["status"] == "correlated" {
            "Its matches feed a correlation rule".to_string()
        } else if hits == 0 {
            "Never fired on the".to_string()
        } else {
            format!("<strong>{hits} hit{}</strong>", if hits == 1 { "" } else { "s" })
        };
        assert!(page.contains(&said), "{}: {said}", path.display());
        // The section is bounded: 5 events, their field tables within 12 KB, long value lists named by count.
        largest = largest.max((page.len(), path.with_extension("").display().to_string()));
        pages += 1;
    }
    assert!(pages > 3000, "{pages} rule pages");
    println!("largest rule page with sample data: {} B ({})", largest.0, largest.1);
    assert!(largest.0 < 100 * 1024, "largest rule page: {largest:?}");
    site.retain(|_, n| *n > 0);
    assert_eq!(site, b.hunt, "hits per rule id: the wiki (left) against hunt (right)");
    // The sample pages add up to the same hits.
    let index: serde_json::Value = serde_json::from_str(&read(b.site.join("samples/index.json"))).unwrap();
    let total: u64 = b.hunt.values().sum();
    assert_eq!(index["hits"], total);
    let by_file: u64 = index["files"].as_array().unwrap().iter().map(|f| f["hits"].as_u64().unwrap()).sum();
    assert_eq!(by_file, total);
}

#[test]
fn a_correlation_rule_shows_its_hits_too() {
    let dir = tempfile::tempdir().unwrap();
    let rules = dir.path().join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(
        rules.join("failed_logon.yml"),
        "title: Failed Logon\nid: 0a1b2c3d-3333-4222-8333-944445555666\nname: failed_logon\nstatus: test\n\
         logsource:\n    product: windows\n    service: security\ndetection:\n    selection:\n        EventID: 4625\n\
         \x20   condition: selection\nlevel: low\n",
    )
    .unwrap();
    std::fs::write(
        rules.join("brute_force.yml"),
        "title: Brute Force\nid: 0a1b2c3d-4444-4222-8333-944445555666\nstatus: test\ncorrelation:\n    type: event_count\n\
         \x20   rules:\n        - failed_logon\n    group-by:\n        - TargetUserName\n    timespan: 5m\n\
         \x20   condition:\n        gte: 3\nlevel: high\n",
    )
    .unwrap();
    let lines: Vec<String> = (0..3)
        .map(|i| {
            serde_json::json!({"Channel": "Security", "EventID": 4625, "Computer": "DC01",
                "TimeCreated_SystemTime": format!("2024-05-01T10:00:0{i}Z"), "TargetUserName": "admin"})
            .to_string()
        })
        .collect();
    std::fs::write(dir.path().join("logons.jsonl"), lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("site");
    detwiki()
        .current_dir(dir.path())
        .args(["build", "--quiet", "--corpus", "acme=rules", "--events", "logons.jsonl", "--out"])
        .arg(&out)
        .assert()
        .success();
    let page = read(out.join("rules/acme/brute_force/index.html"));
    assert!(page.contains("<strong>1 hit</strong> in 1 file"), "{page}");
    assert!(page.contains("<code>TargetUserName</code> = <code class=\"val\">admin</code>"), "{page}");
    // As in `hunt`: a rule that a correlation refers to gives no hit of its own (no `generate: true`).
    let base: serde_json::Value = serde_json::from_str(&read(out.join("rules/acme/failed_logon.json"))).unwrap();
    assert_eq!(base["samples"]["hits"], 0);
    assert_eq!(base["samples"]["status"], "correlated");
    let page = read(out.join("rules/acme/failed_logon/index.html"));
    assert!(page.contains("Its matches feed a correlation rule"), "{page}");
}
