//! Fuzz target for the Kusto (Microsoft Sentinel) query parser, `detwiki_kusto::parse`: no
//! panic; an error's span lies inside the text on character boundaries, with a message and
//! help; a parsed query's canonical print parses to the same tree (spans aside) and prints the
//! same text (skipped when the print passes the depth or length limit); lowering to stages does
//! not panic; the same text as a Sentinel rule file's `query:` reads without a panic.

#![no_main]

use detwiki_kusto::QueryErrorKind;
use libfuzzer_sys::fuzz_target;

fn strip(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Object(m) => {
            m.remove("span");
            m.values_mut().for_each(strip);
        }
        serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
        _ => {}
    }
}

fn tree(q: &detwiki_kusto::ast::Query) -> serde_json::Value {
    let mut v = serde_json::to_value(q).expect("a tree serializes");
    strip(&mut v);
    v
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match detwiki_kusto::parse(&text) {
        Err(e) => {
            assert!(e.span.start <= e.span.end && e.span.end <= text.len(), "error span outside the text");
            assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end), "span splits a character");
            assert!(!e.message.is_empty() && !e.help.is_empty());
        }
        Ok(q) => {
            let _ = detwiki_kusto::lower::stages(&q, &|s| s);
            let printed = q.to_string();
            match detwiki_kusto::parse(&printed) {
                Ok(again) => {
                    assert_eq!(tree(&q), tree(&again), "printing changes the tree:\n{printed}");
                    assert_eq!(again.to_string(), printed, "printing is not stable");
                }
                Err(e) if matches!(e.kind, QueryErrorKind::TooDeep | QueryErrorKind::TooLong) => {}
                Err(e) => panic!("the canonical print does not parse: {e}\n{printed}"),
            }
        }
    }
    let indented: String = text.lines().map(|l| format!("  {l}\n")).collect();
    let _ = detwiki_kusto::rule::parse_str(&format!("name: x\nquery: |\n{indented}kind: Scheduled\n"), "x.yaml");
});
