//! Fuzz target for the Sigma condition parser (cargo-fuzz / libfuzzer-sys).
//!
//! Properties checked on every input:
//! - parsing never panics, whatever the bytes (non-UTF-8 input is decoded lossily);
//! - error and leaf spans lie inside the text (shifted by `base`);
//! - round trip: a parsed tree printed with `Display` parses again to the same tree
//!   (ignoring spans), with the same warnings, and printing that gives the same text.

#![no_main]

use detwiki_sigma::condition::{Condition, MAX_CONDITION_LEN, parse_condition};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The first byte picks a small base offset so span shifting is exercised too.
    let (base, rest) = match data.split_first() {
        Some((b, rest)) => (usize::from(*b), rest),
        None => (0, data),
    };
    let text = String::from_utf8_lossy(rest);
    let parsed = match parse_condition(&text, base) {
        Ok(parsed) => parsed,
        Err(e) => {
            assert!(e.span.start <= e.span.end, "{e:?}");
            assert!(e.span.start >= base && e.span.end <= base + text.len(), "{e:?}");
            assert!(!e.message.is_empty() && e.help.is_some(), "{e:?}");
            return;
        }
    };
    for leaf in parsed.root.leaves() {
        let span = match leaf {
            Condition::Identifier { span, .. } | Condition::Quantified { span, .. } => *span,
            other => panic!("leaves() returned a non-leaf: {other:?}"),
        };
        assert!(span.start >= base && span.start < span.end && span.end <= base + text.len());
    }

    let printed = parsed.root.to_string();
    // Printing normalises whitespace (`a and(b)` becomes `a and b`), which can make a text
    // right at the length limit a few bytes longer; such inputs prove nothing here.
    if printed.len() > MAX_CONDITION_LEN {
        return;
    }
    let again = match parse_condition(&printed, 0) {
        Ok(again) => again,
        Err(e) => panic!("printed form does not parse: {text:?} -> {printed:?}: {e:?}"),
    };
    assert_eq!(
        again.root.without_spans(),
        parsed.root.without_spans(),
        "round trip changed the tree: {text:?} -> {printed:?}"
    );
    let kinds = |w: &[detwiki_sigma::condition::ConditionWarning]| w.iter().map(|w| w.kind).collect::<Vec<_>>();
    assert_eq!(kinds(&again.warnings), kinds(&parsed.warnings));
    assert_eq!(again.root.to_string(), printed, "printing is not canonical");
});
