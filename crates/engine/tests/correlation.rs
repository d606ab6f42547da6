//! Sigma correlation rules in `hunt`: each type, chains, aliases, `generate`, and the rules
//! that cannot be evaluated, over small hand-written JSON-line logs.

mod common;

use std::io::Write;

use detwiki_engine::hunt;
use detwiki_engine::read::collect_inputs;
use detwiki_engine::ruleset::{Options, Ruleset, RulesetBuilder, SkipReason};

const FAILED: &str = "title: Failed logon\nid: 5638f7c0-ac70-491d-8465-2a65075e0d86\nname: failed_login\n\
    logsource:\n  product: windows\n  service: security\ndetection:\n  selection:\n    EventID: 4625\n  \
    condition: selection\nlevel: low\n";
const SUCCESS: &str = "title: Successful logon\nid: 4d0a2c83-c62c-4ed4-b475-c7e23a9269b8\nname: successful_login\n\
    logsource:\n  product: windows\n  service: security\ndetection:\n  selection:\n    EventID: 4624\n  \
    condition: selection\nlevel: low\n";

fn correlation(body: &str) -> String {
    format!("title: Correlated\nid: 0e95725d-7320-415d-80f7-004da920fc11\nlevel: high\ncorrelation:\n{body}")
}

/// The failed and successful logon rules and a correlation over them.
fn logons_and(body: &str) -> Ruleset {
    ruleset(&[FAILED, SUCCESS, &correlation(body)])
}

fn ruleset(docs: &[&str]) -> Ruleset {
    let text = docs.join("---\n");
    let file = detwiki_sigma::parse_str(&text);
    assert!(!file.has_errors(), "{text}\n{:?}", file.diagnostics);
    let mut b = RulesetBuilder::new();
    b.add("test", "t.yml".as_ref(), &file.documents, &|_| true);
    b.build(&Options { routing: false, ..Options::default() })
}

/// A logon event: `(EventID, seconds after 12:00:00, user, workstation)`.
fn logon(id: u32, second: u32, user: &str, ws: &str) -> String {
    format!(
        "{{\"EventID\":{id},\"TimeCreated_SystemTime\":\"2024-05-01T12:{:02}:{:02}.0000000Z\",\
         \"TargetUserName\":\"{user}\",\"WorkstationName\":\"{ws}\",\"Computer\":\"dc1\"}}",
        second / 60,
        second % 60
    )
}

/// A hit as the tests look at it: the rule's title and the hit's fields.
type Titled = (String, Vec<(String, String)>);

/// Hunt `events` (JSON lines) with `rs`: every hit in hit order, and the problems reported.
fn run(rs: &Ruleset, events: &[String]) -> (Vec<Titled>, Vec<String>) {
    let dir =
        std::env::temp_dir().join(format!("detwiki-corr-{}-{:?}", std::process::id(), std::thread::current().id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("events.jsonl");
    let mut f = std::fs::File::create(&path).unwrap();
    for e in events {
        writeln!(f, "{e}").unwrap();
    }
    drop(f);
    let (inputs, problems) = collect_inputs(&[path]);
    assert!(problems.is_empty());
    let sink = common::Collect::default();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    pool.install(|| hunt(rs, &inputs, &sink));
    std::fs::remove_dir_all(&dir).unwrap();
    let hits = sink.hits.into_inner().unwrap();
    let titled = hits.into_iter().map(|h| (rs.rules[h.rule as usize].title.clone(), h.fields)).collect();
    let problems = sink.problems.into_inner().unwrap().into_iter().map(|p| p.message).collect();
    (titled, problems)
}

fn field<'a>(fields: &'a [(String, String)], name: &str) -> &'a str {
    fields.iter().find(|(n, _)| n == name).map_or("", |(_, v)| v)
}

#[test]
fn event_count_counts_per_group_within_the_timespan() {
    let rs = ruleset(&[
        FAILED,
        &correlation(
            "  type: event_count\n  rules:\n    - failed_login\n  group-by:\n    - TargetUserName\n  \
             timespan: 1m\n  condition:\n    gte: 3\n",
        ),
    ]);
    let mut events: Vec<String> = (0..4).map(|i| logon(4625, i * 10, "alice", "ws1")).collect();
    // Bob fails three times, but over two minutes: never three within one.
    events.extend([0, 61, 122].map(|s| logon(4625, s, "bob", "ws1")));
    // Carol: three failures within a minute, then three more a minute later: two hits.
    events.extend([200, 210, 220, 290, 295, 299].map(|s| logon(4625, s, "carol", "ws1")));
    let (hits, problems) = run(&rs, &events);
    assert!(problems.is_empty(), "{problems:?}");
    // The failed-logon rule gives no hits of its own (`generate` is false by default).
    assert!(hits.iter().all(|(t, _)| t == "Correlated"), "{hits:?}");
    let users: Vec<(&str, &str)> = hits.iter().map(|(_, f)| (field(f, "TargetUserName"), field(f, "events"))).collect();
    assert_eq!(users, [("alice", "4"), ("carol", "3"), ("carol", "3")]);
    assert_eq!(field(&hits[0].1, "first"), "2024-05-01T12:00:00.0000000Z");
    assert_eq!(field(&hits[0].1, "last"), "2024-05-01T12:00:30.0000000Z");
}

#[test]
fn generate_true_keeps_the_referenced_rules_hits() {
    let rs = ruleset(&[
        FAILED,
        &correlation(
            "  type: event_count\n  rules:\n    - failed_login\n  group-by:\n    - TargetUserName\n  \
             timespan: 1m\n  condition:\n    gte: 2\n  generate: true\n",
        ),
    ]);
    let (hits, _) = run(&rs, &[logon(4625, 0, "alice", "ws1"), logon(4625, 5, "alice", "ws1")]);
    let titles: Vec<&str> = hits.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["Failed logon", "Failed logon", "Correlated"]);
}

#[test]
fn value_count_counts_distinct_values() {
    let rs = ruleset(&[
        FAILED,
        &correlation(
            "  type: value_count\n  rules:\n    - 5638f7c0-ac70-491d-8465-2a65075e0d86\n  group-by:\n    - Computer\n  \
             timespan: 10m\n  condition:\n    field: TargetUserName\n    gte: 3\n",
        ),
    ]);
    // Two users five times each: two distinct values, no hit; a third user makes it.
    let mut events: Vec<String> = (0..10).map(|i| logon(4625, i, if i % 2 == 0 { "a" } else { "b" }, "ws")).collect();
    let (hits, _) = run(&rs, &events);
    assert!(hits.is_empty(), "{hits:?}");
    events.push(logon(4625, 30, "c", "ws"));
    let (hits, _) = run(&rs, &events);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(field(&hits[0].1, "distinct TargetUserName"), "3");
    assert_eq!(field(&hits[0].1, "Computer"), "dc1");
}

#[test]
fn temporal_needs_every_rule_within_the_timespan_in_any_order() {
    let rs = logons_and(
        "  type: temporal\n  rules:\n    - failed_login\n    - successful_login\n  group-by:\n    - TargetUserName\n  \
         timespan: 30s\n",
    );
    let events = [
        logon(4624, 0, "alice", "ws"), // success first, failure 10 s later: any order
        logon(4625, 10, "alice", "ws"),
        logon(4625, 100, "bob", "ws"), // 40 s apart: too far
        logon(4624, 140, "bob", "ws"),
        logon(4624, 200, "carol", "ws"), // only one of the two rules
    ];
    let (hits, _) = run(&rs, &events);
    let users: Vec<&str> = hits.iter().map(|(_, f)| field(f, "TargetUserName")).collect();
    assert_eq!(users, ["alice"]);
}

#[test]
fn temporal_ordered_needs_the_written_order() {
    let rs = logons_and(
        "  type: temporal_ordered\n  rules:\n    - failed_login\n    - successful_login\n  group-by:\n    - TargetUserName\n  \
         timespan: 30s\n",
    );
    let events = [
        logon(4624, 0, "alice", "ws"), // success then failure: wrong order
        logon(4625, 10, "alice", "ws"),
        logon(4625, 100, "bob", "ws"), // failure then success
        logon(4624, 110, "bob", "ws"),
    ];
    let (hits, _) = run(&rs, &events);
    let users: Vec<&str> = hits.iter().map(|(_, f)| field(f, "TargetUserName")).collect();
    assert_eq!(users, ["bob"]);
}

/// The specification's example: many failed logons (a correlation) followed by a success.
#[test]
fn chained_correlations_follow_the_specification_example() {
    let many = "title: Multiple failed logons\nid: a8418a5a-5fc4-46b5-b23b-6c73beb19d41\nname: multiple_failed_login\n\
                correlation:\n  type: event_count\n  rules:\n    - failed_login\n  group-by:\n    - TargetUserName\n  \
                timespan: 10m\n  condition:\n    gte: 3\n";
    let rs = ruleset(&[
        FAILED,
        SUCCESS,
        many,
        &correlation(
            "  type: temporal_ordered\n  rules:\n    - multiple_failed_login\n    - successful_login\n  group-by:\n    - TargetUserName\n  \
             timespan: 10m\n",
        ),
    ]);
    let mut events: Vec<String> = (0..3).map(|i| logon(4625, i * 5, "alice", "ws")).collect();
    events.push(logon(4624, 60, "alice", "ws"));
    // Bob succeeds after only two failures.
    events.extend([logon(4625, 0, "bob", "ws"), logon(4625, 5, "bob", "ws"), logon(4624, 60, "bob", "ws")]);
    let (hits, _) = run(&rs, &events);
    // The inner correlation and both rules are referenced without `generate`: only the outer hit.
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(hits[0].0, "Correlated");
    assert_eq!(field(&hits[0].1, "TargetUserName"), "alice");
}

#[test]
fn aliases_name_a_group_field_per_rule() {
    let rs = logons_and(
        "  type: temporal\n  rules:\n    - failed_login\n    - successful_login\n  group-by:\n    - host\n  \
         timespan: 1m\n  aliases:\n    host:\n      failed_login: WorkstationName\n      successful_login: Computer\n",
    );
    let (hits, _) = run(&rs, &[logon(4625, 0, "a", "dc1"), logon(4624, 10, "b", "zzz")]);
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(field(&hits[0].1, "host"), "dc1");
    let (hits, _) = run(&rs, &[logon(4625, 0, "a", "ws9"), logon(4624, 10, "b", "zzz")]);
    assert!(hits.is_empty(), "{hits:?}");
}

#[test]
fn matches_without_a_time_are_reported() {
    let rs = ruleset(&[
        FAILED,
        &correlation(
            "  type: event_count\n  rules:\n    - failed_login\n  group-by:\n    - TargetUserName\n  \
             timespan: 1m\n  condition:\n    gte: 1\n",
        ),
    ]);
    let (hits, problems) = run(&rs, &["{\"EventID\":4625,\"TargetUserName\":\"x\"}".to_string()]);
    assert!(hits.is_empty());
    assert_eq!(problems.len(), 1);
    assert!(problems[0].contains("1 matches of the rules it refers to have no readable time"), "{problems:?}");
}

#[test]
fn what_cannot_be_evaluated_is_skipped_with_why() {
    let cases = [
        (
            "  type: value_sum\n  rules:\n    - failed_login\n  timespan: 1m\n  condition:\n    field: x\n    gte: 1\n",
            "`value_sum` is not evaluated",
        ),
        (
            "  type: event_count\n  rules:\n    - nowhere\n  timespan: 1m\n  condition:\n    gte: 1\n",
            "`nowhere`, which is not loaded",
        ),
    ];
    for (body, why) in cases {
        let rs = ruleset(&[FAILED, &correlation(body)]);
        assert_eq!(rs.rules.len(), 1, "only the detection rule is in use");
        assert_eq!(rs.skipped.len(), 1);
        let reason = &rs.skipped[0].reason;
        assert!(matches!(reason, SkipReason::Correlation(_)), "{reason:?}");
        assert!(reason.to_string().contains(why), "{reason}");
        // Not referenced by an evaluated correlation: the rule's own hits stay.
        let (hits, _) = run(&rs, &[logon(4625, 0, "a", "b")]);
        assert_eq!(hits.len(), 1);
    }
    // Two correlations referring to each other.
    let a = "title: A\nid: a\nname: ca\ncorrelation:\n  type: event_count\n  rules:\n    - cb\n  timespan: 1m\n  condition:\n    gte: 1\n";
    let b = "title: B\nid: b\nname: cb\ncorrelation:\n  type: event_count\n  rules:\n    - ca\n  timespan: 1m\n  condition:\n    gte: 1\n";
    let rs = ruleset(&[FAILED, a, b]);
    assert_eq!(rs.skipped.len(), 2, "{:?}", rs.skipped);
    assert!(rs.skipped.iter().any(|s| s.reason.to_string().contains("loop")), "{:?}", rs.skipped);
}

/// What `--min-level high` or `--rule` select: a selected correlation brings the rules it
/// refers to with it (they give hits only through it); an unselected one is not loaded.
#[test]
fn a_selected_correlation_brings_its_rules_along() {
    let corr = correlation(
        "  type: event_count\n  rules:\n    - failed_login\n  group-by:\n    - TargetUserName\n  \
         timespan: 1m\n  condition:\n    gte: 2\n",
    );
    let text = [FAILED, corr.as_str()].join("---\n");
    let file = detwiki_sigma::parse_str(&text);
    let build = |keep: &dyn Fn(&detwiki_sigma::Metadata) -> bool| {
        let mut b = RulesetBuilder::new();
        b.add("test", "t.yml".as_ref(), &file.documents, keep);
        b.build(&Options { routing: false, ..Options::default() })
    };
    let events = [logon(4625, 0, "alice", "ws"), logon(4625, 5, "alice", "ws")];
    // Only high or above: the low-level rule comes with the high-level correlation.
    let high = build(&|m| m.level.as_ref().is_some_and(|l| l.value >= detwiki_sigma::Level::High));
    let (hits, _) = run(&high, &events);
    let titles: Vec<&str> = hits.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["Correlated"]);
    // Only the rule: the correlation is not loaded, the rule gives its own hits.
    let rule = build(&|m| m.name.as_ref().is_some_and(|n| n.value == "failed_login"));
    assert_eq!(rule.rules.len(), 1);
    let (hits, _) = run(&rule, &events);
    assert_eq!(hits.len(), 2);
}

/// A long chain, written in any order, is evaluated whole (no recursion to run out of).
#[test]
fn long_chains_are_evaluated_in_any_order() {
    let mut docs = vec![FAILED.to_string()];
    for i in (0..300).rev() {
        let target = if i == 0 { "failed_login".to_string() } else { format!("c{}", i - 1) };
        docs.push(format!(
            "title: C{i}\nid: c{i}\nname: c{i}\ncorrelation:\n  type: event_count\n  rules:\n    - {target}\n  \
             timespan: 1m\n  condition:\n    gte: 1\n  generate: {}\n",
            i == 0
        ));
    }
    let refs: Vec<&str> = docs.iter().map(String::as_str).collect();
    let rs = ruleset(&refs);
    assert!(rs.skipped.is_empty(), "{:?}", rs.skipped.first());
    assert_eq!(rs.rules.len(), 301);
    // One failure fires every link of the chain. Output: the failed logon itself (c0 says
    // `generate: true`) and the last link (referred to by nothing); the links in between are
    // referred to without `generate`.
    let (hits, _) = run(&rs, &[logon(4625, 0, "a", "b")]);
    let titles: Vec<&str> = hits.iter().map(|(t, _)| t.as_str()).collect();
    assert_eq!(titles, ["Failed logon", "C299"]);
}

/// Group-by fields are read as each event source names them: `Image` is Sysmon 1's `Image`
/// and Security 4688's `NewProcessName`, so both land in one group.
#[test]
fn group_by_fields_follow_the_event_source_names() {
    let rule = "title: X started\nid: 11111111-1111-4111-8111-111111111111\nname: x_started\n\
                logsource:\n  product: windows\n  category: process_creation\ndetection:\n  selection:\n    \
                Image|endswith: '\\x.exe'\n  condition: selection\nlevel: low\n";
    let corr = correlation(
        "  type: event_count\n  rules:\n    - x_started\n  group-by:\n    - Image\n  timespan: 1m\n  \
         condition:\n    gte: 2\n",
    );
    let text = [rule, corr.as_str()].join("---\n");
    let file = detwiki_sigma::parse_str(&text);
    let mut b = RulesetBuilder::new();
    b.add("test", "t.yml".as_ref(), &file.documents, &|_| true);
    let rs = b.build(&Options::default());
    let at = |s: u32| format!("2024-05-01T12:00:{s:02}.0000000Z");
    let events = [
        format!(
            "{{\"Channel\":\"Microsoft-Windows-Sysmon/Operational\",\"EventID\":1,\"Image\":\"C:\\\\x.exe\",\
             \"TimeCreated_SystemTime\":\"{}\"}}",
            at(0)
        ),
        format!(
            "{{\"Channel\":\"Security\",\"EventID\":4688,\"NewProcessName\":\"C:\\\\x.exe\",\
             \"TimeCreated_SystemTime\":\"{}\"}}",
            at(10)
        ),
    ];
    let (hits, problems) = run(&rs, &events);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert_eq!(field(&hits[0].1, "Image"), r"C:\x.exe");
    assert_eq!(field(&hits[0].1, "events"), "2");
}

/// Correlation hits do not depend on threads: observations arrive in whatever order the
/// threads find them, here from 24 inputs with equal times and two rules matching one event,
/// and the hits come out the same, in the same order.
#[test]
fn correlation_hits_do_not_depend_on_threads() {
    const ALICE: &str = "title: Alice fails\nid: 6b1c3f3e-55d3-4e0e-9a57-0b0f3f1c2a11\nname: alice_failed\n\
        logsource:\n  product: windows\n  service: security\ndetection:\n  selection:\n    EventID: 4625\n    \
        TargetUserName: alice\n  condition: selection\nlevel: low\n";
    let rs = ruleset(&[
        FAILED,
        ALICE,
        &correlation(
            "  type: temporal_ordered\n  rules:\n    - failed_login\n    - alice_failed\n  group-by:\n    - \
             TargetUserName\n  timespan: 1m\n",
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let mut paths = Vec::new();
    for i in 0..24u32 {
        let path = dir.path().join(format!("{i:02}.jsonl"));
        let events: Vec<String> =
            (0..6).map(|k| logon(4625, (k % 3) * 20, ["alice", "bob", "carol"][(i + k) as usize % 3], "ws")).collect();
        std::fs::write(&path, events.join("\n")).unwrap();
        paths.push(path);
    }
    let (inputs, _) = collect_inputs(&paths);
    let run = |threads: usize| {
        let sink = common::Collect::default();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| hunt(&rs, &inputs, &sink));
        let hits = sink.hits.into_inner().unwrap();
        hits.into_iter().map(|h| (h.input, h.line, h.fields)).collect::<Vec<_>>()
    };
    let one = run(1);
    assert!(one.len() >= 10, "{one:?}");
    for _ in 0..5 {
        assert_eq!(run(2), one);
    }
}
