//! Fuzz target for the MQL parser of Sublime rules (`detwiki_sublime::mql`).
//!
//! Properties checked on every input (lossy UTF-8), beyond "does not panic":
//! - an error's span lies inside the text, on character boundaries, with a message and help;
//! - every span of a parsed tree lies inside the text, on character boundaries;
//! - round trip: the canonical print parses to the same tree (spans aside) and prints the same
//!   text (skipped when the print passes the depth or length limit);
//! - lowering to predicates does not panic, and every predicate's span lies inside the text.

#![no_main]

use detwiki_sublime::Span;
use detwiki_sublime::mql::{self, QueryErrorKind};
use libfuzzer_sys::fuzz_target;

fn inside(text: &str, s: Span) -> bool {
    s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let e = match mql::parse(&text) {
        Ok(e) => e,
        Err(err) => {
            assert!(inside(&text, err.span), "{err:?}");
            assert!(!err.message.is_empty() && !err.help.is_empty(), "{err:?}");
            return;
        }
    };
    for s in e.spans() {
        assert!(inside(&text, s), "{s:?} of {text:?}");
    }
    let printed = e.to_string();
    match mql::parse(&printed) {
        Ok(again) => {
            assert_eq!(again.without_spans(), e.without_spans(), "round trip changed the tree: {text:?} -> {printed:?}");
            assert_eq!(again.to_string(), printed, "printing is not canonical");
        }
        Err(err) if matches!(err.kind, QueryErrorKind::TooDeep | QueryErrorKind::TooLong) => {}
        Err(err) => panic!("printed form does not parse: {text:?} -> {printed:?}: {err:?}"),
    }
    let tree = mql::lower::lower(&e);
    for (p, _) in tree.predicates() {
        assert!(inside(&text, p.span), "{p:?}");
    }
});
