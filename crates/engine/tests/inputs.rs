//! What the readers make of their inputs' edges: EVTX files cut short, files that are not
//! logs, JSON arrays, empty inputs; and the order in which a hunt hands hits over.
//!
//! The EVTX samples are `$DETWIKI_SHARED/events/evtx-attack-samples` (else `../../../shared`
//! or `../../shared` relative to the crate); without them those tests print SKIPPED.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use detwiki_engine::Event;
use detwiki_engine::read::{self, EventHandler, Input, InputKind, Position, ReadProblem, collect_inputs};
use detwiki_engine::ruleset::{Options, Ruleset, RulesetBuilder};

fn samples() -> Option<PathBuf> {
    detwiki_testdata::require("events/evtx-attack-samples")
}

const PANACHE: &str = "AutomatedTestingTools/PanacheSysmon_vs_AtomicRedTeam01.evtx";

type Fields = Vec<(String, String)>;

/// Keeps every event (record id or line, fields) and every problem (batch, text) in the order
/// they come (read on one thread).
#[derive(Default)]
struct Keep {
    events: Mutex<Vec<(u64, Fields)>>,
    problems: Mutex<Vec<(Option<u64>, String)>>,
}

impl EventHandler for Keep {
    type State = ();
    fn state(&self) {}
    fn event(&self, _: &mut (), _: &Input, at: Position, ev: &Event) {
        let fields = ev.fields().map(|(n, v)| (n.to_string(), v.raw.to_string())).collect();
        self.events.lock().unwrap().push((at.record.or(at.line).unwrap(), fields));
    }
    fn batch_done(&self, _: &mut (), _: u64, _: u64) {}
    fn problem(&self, batch: Option<u64>, problem: ReadProblem) {
        self.problems.lock().unwrap().push((batch, problem.to_string()));
    }
}

fn read_one(path: &Path) -> Keep {
    let (inputs, problems) = collect_inputs(&[path.to_path_buf()]);
    assert!(problems.is_empty(), "{problems:?}");
    let keep = Keep::default();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    pool.install(|| read::read_input(&inputs[0], &keep));
    keep
}

/// A sample cut after 150,000 bytes: its header declares 15 chunks. Chunks 1 and 2 are whole,
/// chunk 3 is cut inside its 7th record, chunks 4–15 are missing. Both are reported, and every
/// whole record is read, as it is read from the whole file.
#[test]
fn a_cut_evtx_file_reports_what_is_lost_and_reads_the_rest() {
    let Some(dir) = samples() else { return };
    let whole = std::fs::read(dir.join(PANACHE)).unwrap();
    assert_eq!(u16::from_le_bytes([whole[42], whole[43]]), 15, "chunks in the header");
    let tmp = tempfile::tempdir().unwrap();
    let cut = tmp.path().join("cut.evtx");
    std::fs::write(&cut, &whole[..150_000]).unwrap();

    let all = read_one(&dir.join(PANACHE));
    assert!(all.problems.lock().unwrap().is_empty());
    let part = read_one(&cut);
    let problems = part.problems.into_inner().unwrap();
    let path = cut.display();
    assert_eq!(
        problems,
        [
            (
                Some(2),
                format!(
                    "{path}: chunk 3: cut after 14,832 of 65,536 bytes: records 94–124 are lost (the 6 whole records \
                     before the cut are read)"
                )
            ),
            (
                None,
                format!(
                    "{path}: chunks 4–15 of the 15 the file header declares are missing (786,432 bytes): the file \
                     ends after 150,000 bytes (cut short?)"
                )
            ),
        ]
    );
    let part = part.events.into_inner().unwrap();
    let all = all.events.into_inner().unwrap();
    assert_eq!(part.len(), 93, "records 1–93");
    assert_eq!(part[..], all[..93], "read as from the whole file");
}

/// Cut inside a chunk's header, inside the file header, or between chunks.
#[test]
fn evtx_files_cut_elsewhere() {
    let Some(dir) = samples() else { return };
    let whole = std::fs::read(dir.join(PANACHE)).unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let problems = |len: usize| {
        let cut = tmp.path().join(format!("cut{len}.evtx"));
        std::fs::write(&cut, &whole[..len]).unwrap();
        let keep = read_one(&cut);
        let p = keep
            .problems
            .into_inner()
            .unwrap()
            .into_iter()
            .map(|(_, p)| p.replace(&format!("{}: ", cut.display()), ""));
        (keep.events.into_inner().unwrap().len(), p.collect::<Vec<_>>())
    };
    let (events, p) = problems(4096 + 65536 + 300);
    assert_eq!(events, 44, "chunk 1's records");
    assert_eq!(p[0], "chunk 2: cut after 300 of 65,536 bytes, inside its header: its records are lost");
    assert!(p[1].starts_with("chunks 3–15 of the 15 the file header declares are missing (851,968 bytes)"), "{p:?}");
    let (events, p) = problems(4096 + 14 * 65536);
    assert!(events > 500);
    assert_eq!(
        p,
        ["chunk 15 of the 15 the file header declares is missing (65,536 bytes): the file ends after \
                    921,600 bytes (cut short?)"]
    );
    // A declared chunk that is all zeros (the evtx crate passes over those).
    let mut zeroed = whole.clone();
    zeroed[4096 + 65536..4096 + 2 * 65536].fill(0);
    std::fs::write(tmp.path().join("zeroed.evtx"), &zeroed).unwrap();
    let keep = read_one(&tmp.path().join("zeroed.evtx"));
    let p = keep.problems.into_inner().unwrap();
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(
        p[0].1.ends_with(
            "zeroed.evtx: chunk 2: all zeros, though the file header declares 15 chunks: its \
                              records, if it had any, are lost"
        ),
        "{p:?}"
    );
    let (events, p) = problems(1000);
    assert_eq!(events, 0);
    assert_eq!(p, ["cut short inside its file header (1,000 of 4,096 bytes): no chunk to read"]);
}

/// Files that are not logs are told apart by their content, whatever their name; empty ones
/// are no events; a JSON array is read element by element.
#[test]
fn inputs_are_recognised_by_their_content() {
    let tmp = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &[u8]| {
        let p = tmp.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let cases = [
        (file("rule.json", b"title: Whoami\nlogsource:\n  product: windows\n"), "a YAML file, not a log: hunt reads"),
        (file("fake.evtx", b"MZ\x90\x00\x03\x00\x00\x00\x04\x00"), "not an EVTX file: no ElfFile signature"),
        (file("doc.jsonl", b"{\n  \"a\": 1\n}\n"), "a JSON document written over several lines, not JSON lines"),
    ];
    for (path, want) in &cases {
        let keep = read_one(path);
        let problems = keep.problems.into_inner().unwrap();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].1.starts_with(&format!("{}: {want}", path.display())), "{problems:?}");
        assert_eq!(problems[0].0, None, "a problem of the whole file");
    }
    // Content decides: JSON lines named .txt, or .evtx.
    for name in ["events.txt", "events.evtx"] {
        let keep = read_one(&file(name, b"\xEF\xBB\xBF{\"EventID\": 1}\n\n{\"EventID\": 2}\r\n"));
        assert!(keep.problems.lock().unwrap().is_empty(), "{:?}", keep.problems.lock().unwrap());
        assert_eq!(keep.events.lock().unwrap().iter().map(|e| e.0).collect::<Vec<_>>(), [1, 3], "line numbers");
    }
    // Empty and blank inputs: no events, no problem.
    let (inputs, _) = collect_inputs(&[file("empty.jsonl", b""), file("blank.jsonl", b"\n \n")]);
    assert_eq!(inputs.iter().map(|i| i.kind).collect::<Vec<_>>(), [InputKind::Empty, InputKind::Jsonl]);
    for i in &inputs {
        let keep = Keep::default();
        assert_eq!(read::read_input(i, &keep), 0);
        assert!(keep.problems.lock().unwrap().is_empty());
    }
    // A JSON array (as PowerShell's ConvertTo-Json writes it): events by the line they start
    // on, and a bad element reported where it is.
    let keep = read_one(&file(
        "array.json",
        b"[\n    {\n        \"EventID\": 4688,\n        \"NewProcessName\": \"C:\\\\w.exe\"\n    },\n    {\"EventID\": tru},\n    {\"EventID\": 1}\n]\n",
    ));
    let events = keep.events.into_inner().unwrap();
    assert_eq!(events.iter().map(|e| e.0).collect::<Vec<_>>(), [2, 7]);
    assert_eq!(
        events[0].1,
        [("EventID".to_string(), "4688".to_string()), ("NewProcessName".into(), "C:\\w.exe".into())]
    );
    let problems = keep.problems.into_inner().unwrap();
    assert_eq!(problems.len(), 1);
    assert!(problems[0].1.ends_with("array.json: line 6, column 20: bad JSON: expected ident"), "{problems:?}");
}

/// A ruleset with rules that fire on most Sysmon and Security events.
fn broad_rules() -> Ruleset {
    let mut b = RulesetBuilder::new();
    for (n, service, ids) in
        [(1, "sysmon", "[1, 3, 5, 7, 8, 10, 11, 12, 13]"), (2, "security", "[4624, 4625, 4688, 4672]")]
    {
        let text = format!(
            "title: Broad {n}\nid: 00000000-0000-4000-8000-00000000000{n}\nlevel: low\nlogsource:\n  product: windows\n  \
             service: {service}\ndetection:\n  sel:\n    EventID: {ids}\n  condition: sel\n"
        );
        b.add("t", format!("broad{n}.yml").as_ref(), &detwiki_sigma::parse_str(&text).documents, &|_| true);
    }
    let rs = b.build(&Options::default());
    assert_eq!(rs.rules.len(), 2, "{:?}", rs.skipped);
    rs
}

/// The sink sees hits in input order (file, then record), with one thread or two, run after run.
#[test]
fn hits_come_in_input_order_whatever_the_threads() {
    let Some(dir) = samples() else { return };
    let files = [
        PANACHE,
        "Privilege Escalation/Sysmon_UACME_64.evtx",
        "AutomatedTestingTools/panache_sysmon_vs_EDRTestingScript.evtx",
        "Persistence/persistence_sysmon_11_13_1_shime_appfix.evtx",
        "Command and Control/DE_RDP_Tunneling_4624.evtx",
    ];
    let (inputs, _) = collect_inputs(&files.iter().map(|f| dir.join(f)).collect::<Vec<_>>());
    let rs = broad_rules();
    let run = |threads: usize| {
        let sink = common::Collect::default();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        pool.install(|| detwiki_engine::hunt(&rs, &inputs, &sink));
        let hits = sink.hits.into_inner().unwrap();
        hits.iter().map(|h| (h.input, h.record_id.unwrap(), h.rule)).collect::<Vec<_>>()
    };
    let one = run(1);
    assert!(one.len() > 1000, "{} hits", one.len());
    assert!(one.windows(2).all(|w| (w[0].0, w[0].1) <= (w[1].0, w[1].1)), "file, then record order");
    assert_eq!(one.iter().map(|h| h.0).collect::<std::collections::BTreeSet<_>>().len(), files.len());
    for _ in 0..3 {
        assert_eq!(run(2), one);
    }
    assert_eq!(run(4), one);
}
