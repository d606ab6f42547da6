//! Fuzz target for the SPL parser (`detwiki_splunk::spl`) and macro expansion: never a panic;
//! error spans inside the text on character boundaries; the canonical print of a parsed
//! search parses to the same tree (spans and raw argument text aside); lowering to stages
//! keeps predicate spans inside the text.

#![no_main]

use detwiki_splunk::spl;
use libfuzzer_sys::fuzz_target;

/// The tree as JSON without spans, and without the raw argument text of parsed commands.
fn shape(p: &spl::Pipeline) -> serde_json::Value {
    fn strip(v: &mut serde_json::Value) {
        match v {
            serde_json::Value::Object(m) => {
                m.remove("span");
                if m.get("body").and_then(|b| b.get("type")).is_some_and(|t| t != "other") {
                    m.remove("args");
                }
                m.values_mut().for_each(strip);
            }
            serde_json::Value::Array(a) => a.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut v = serde_json::to_value(p).expect("serialisable");
    strip(&mut v);
    v
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let expanded = detwiki_splunk::expand::expand(&text, None);
    for e in &expanded.errors {
        assert!(e.span.end <= text.len() && e.span.start <= e.span.end);
    }
    match spl::parse(&text) {
        Err(e) => {
            assert!(e.span.start <= e.span.end && e.span.end <= text.len(), "{e:?}");
            assert!(text.is_char_boundary(e.span.start) && text.is_char_boundary(e.span.end), "{e:?}");
            assert!(!e.message.is_empty());
        }
        Ok(p) => {
            for s in spl::stages(&p) {
                assert!(s.span.end <= text.len());
                if let Some(t) = &s.tree {
                    for (pred, _) in t.predicates() {
                        assert!(pred.span.end <= text.len(), "{pred:?}");
                    }
                }
            }
            let printed = p.to_string();
            match spl::parse(&printed) {
                Ok(again) => assert_eq!(shape(&again), shape(&p), "{printed}"),
                Err(e) if e.too_deep => {}
                Err(e) => panic!("the print of a parsed search does not parse: {e}: {printed}"),
            }
        }
    }
});
