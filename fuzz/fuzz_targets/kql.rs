//! Fuzz target for the KQL parser (`detwiki_elastic::kql`).
//!
//! Properties checked on every input (lossy UTF-8), beyond "does not panic":
//! - an error's span lies inside the text, on character boundaries, and it has a message and
//!   help;
//! - every span of a parsed tree lies inside the text, on character boundaries;
//! - round trip: the canonical print parses again to the same tree (spans aside), and
//!   printing that tree gives the same text (unless the print passes the depth or length
//!   limit, which parentheses added for precedence can do at the very limit);
//! - lowering to stages and predicates does not panic, and its spans lie inside the text.

#![no_main]

use detwiki_elastic::kql;
use detwiki_elastic::query::QueryErrorKind;
use detwiki_elastic::span::Span;
use libfuzzer_sys::fuzz_target;

fn inside(text: &str, s: Span) -> bool {
    s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let q = match kql::parse(&text) {
        Ok(q) => q,
        Err(e) => {
            assert!(inside(&text, e.span), "{e:?}");
            assert!(!e.message.is_empty() && !e.help.is_empty(), "{e:?}");
            return;
        }
    };
    let mut spans = Vec::new();
    q.clone().map_spans(&mut |s| {
        spans.push(s);
        s
    });
    assert!(spans.iter().all(|s| inside(&text, *s)), "{spans:?}");
    let printed = q.to_string();
    let again = match kql::parse(&printed) {
        Ok(again) => again,
        // Printing adds parentheses where precedence needs them and normalises spacing: an
        // input right at the depth or length limit can print a little past it.
        Err(e) if matches!(e.kind, QueryErrorKind::TooDeep | QueryErrorKind::TooLong) => return,
        Err(e) => panic!("printed form does not parse: {text:?} -> {printed:?}: {e:?}"),
    };
    assert_eq!(again.without_spans(), q.without_spans(), "round trip changed the tree: {text:?} -> {printed:?}");
    assert_eq!(again.to_string(), printed, "printing is not canonical");
    for stage in kql::stages(&q, Span::new(0, text.len())) {
        if let Some(t) = &stage.tree {
            for (p, _) in t.predicates() {
                assert!(inside(&text, p.span), "{p:?}");
            }
        }
    }
});
