//! Criterion bench of the hot path: flattening one rendered EVTX record, and
//! matching one event against a ruleset of process-creation rules (routing,
//! prefilter, field index, evaluation); and of start-up: compiling the ruleset, and
//! its first event (which builds the route's prefilter and the matchers it reaches).
//! Self-contained: rules and events are generated here.
//! `cargo bench -p detwiki-engine --bench matcher`

use std::hint::black_box;

use criterion::{Criterion, criterion_main};
use detwiki_engine::ruleset::{Options, RulesetBuilder};
use detwiki_engine::{Event, json};

const RECORD: &str = r##"{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"{5770385f-c22a-43e0-bf4c-06f5698ffbd9}"}},"EventID":1,"Version":5,"Level":4,"Task":1,"Opcode":0,"Keywords":"0x8000000000000000","TimeCreated":{"#attributes":{"SystemTime":"2019-04-27T15:57:25.8688632Z"}},"EventRecordID":6575,"Correlation":null,"Execution":{"#attributes":{"ProcessID":1912,"ThreadID":996}},"Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"IEWIN7","Security":{"#attributes":{"UserID":"S-1-5-18"}}},"EventData":{"RuleName":"","UtcTime":"2019-04-27 15:57:25.868","ProcessGuid":"{365abb72-7acc-5cc4-0000-0010b2470300}","ProcessId":2772,"Image":"C:\\Windows\\System32\\cmd.exe","FileVersion":"6.1.7601.17514","Description":"Windows Command Processor","Product":"Microsoft Windows Operating System","Company":"Microsoft Corporation","CommandLine":"cmd.exe /c whoami /all > C:\\Users\\Public\\out.txt","CurrentDirectory":"C:\\Windows\\system32\\","User":"IEWIN7\\IEUser","LogonGuid":"{365abb72-7acc-5cc4-0000-0020e4ad0100}","LogonId":"0x1ade4","TerminalSessionId":1,"IntegrityLevel":"High","Hashes":"SHA1=0F3C4FF28F354AEDE202D54E9D1C5529A3BF87D8,MD5=5746BD7E255DD6A8AFA06F7C42C1BA41","ParentProcessGuid":"{365abb72-7acc-5cc4-0000-0010b2470301}","ParentProcessId":2000,"ParentImage":"C:\\Windows\\explorer.exe","ParentCommandLine":"C:\\Windows\\Explorer.EXE"}}}"##;

fn rules(n: usize) -> detwiki_engine::Ruleset {
    builder(n).build(&Options::default())
}

fn builder(n: usize) -> RulesetBuilder {
    let mut b = RulesetBuilder::new();
    for i in 0..n {
        let yaml = format!(
            "title: r{i}\nid: r{i}\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  \
             selection_img:\n    - Image|endswith: '\\tool{i}.exe'\n    - OriginalFileName: 'tool{i}.exe'\n  \
             selection_cli:\n    CommandLine|contains:\n      - ' -secret{i} '\n      - ' /dump{i}'\n      - 'payload{i}'\n  \
             filter:\n    ParentImage|startswith: 'C:\\Program Files\\'\n  \
             condition: 1 of selection_* and not filter\n"
        );
        b.add("bench", format!("r{i}.yml").as_ref(), &detwiki_sigma::parse_str(&yaml).documents, &|_| true);
    }
    // A few rules that do fire on the record.
    let hit = "title: whoami\nid: w\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  \
               sel:\n    CommandLine|contains|windash: ' -all'\n  condition: sel\n";
    b.add("bench", "w.yml".as_ref(), &detwiki_sigma::parse_str(hit).documents, &|_| true);
    b
}

fn bench(c: &mut Criterion) {
    let mut ev = Event::new();
    c.bench_function("flatten sysmon 1 record", |b| {
        b.iter(|| json::flatten(black_box(RECORD.as_bytes()), &mut ev).expect("json"))
    });
    json::flatten(RECORD.as_bytes(), &mut ev).expect("json");
    for n in [100, 1000] {
        let rs = rules(n);
        let mut scratch = rs.scratch();
        c.bench_function(&format!("match sysmon 1 event, {n} process_creation rules"), |b| {
            b.iter(|| {
                let mut hits = 0;
                rs.matches(black_box(&ev), &mut scratch, |_| hits += 1);
                assert_eq!(hits, 1);
            })
        });
    }
    // Start-up: compile (Sysmon 1 and Security 4688 instances), then the first event, which
    // builds the Sysmon 1 prefilter and the matchers its candidates reach.
    let n = 1000;
    c.bench_function(&format!("compile {n} process_creation rules"), |b| {
        b.iter_batched(|| builder(n), |b| b.build(&Options::default()), criterion::BatchSize::LargeInput)
    });
    c.bench_function(&format!("first sysmon 1 event, {n} process_creation rules"), |b| {
        b.iter_batched(
            || rules(n),
            |rs| {
                let mut hits = 0;
                rs.matches(black_box(&ev), &mut rs.scratch(), |_| hits += 1);
                assert_eq!(hits, 1);
                rs
            },
            criterion::BatchSize::LargeInput,
        )
    });
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}

criterion_main!(group::benches);
