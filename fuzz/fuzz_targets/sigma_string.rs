//! Fuzz target for Sigma string values (`detwiki_sigma::value::SigmaString`): wildcards,
//! the specification's escapes and `%placeholder%`s under `|expand`.
//!
//! The first byte's low bit picks `expand`; the rest is the value (non-UTF-8 decoded lossily).
//!
//! Properties checked on every input:
//! - parsing never panics;
//! - the parts are canonical: no empty literal, no two literals in a row, placeholders only
//!   under `expand` and only with a name of letters, digits, `_`, `-`, `.`;
//! - round trip: `parse(s)` printed with `Display` parses again (same `expand`) to the same
//!   parts, and printing that gives the same text;
//! - a literal built with `SigmaString::literal` prints to text that parses back to it.
//!
//! Known limitation, not asserted: `Display` does not know whether the value will be read
//! with `expand`; it escapes `%` only when the value has a placeholder (so must be read with
//! `expand`). No text reads back as a literal `%` in both modes (`\%` is `%` under `expand`
//! but `\%` without it), so under `expand` a value with no placeholder whose literal text
//! holds a `%` (`\%x%` → literal `%x%` → printed `%x%` → placeholder `x`) is skipped.
//! Lifting this needs a mode-aware printer (see fuzz/README.md).

#![no_main]

use detwiki_sigma::value::{Part, SigmaString};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else { return };
    let expand = flags & 1 == 1;
    let raw = String::from_utf8_lossy(rest);

    let parsed = SigmaString::parse(&raw, expand);
    check_canonical(&parsed, expand, &raw);

    // See the known limitation above.
    let skip_expand_percent = |s: &SigmaString| {
        expand
            && s.placeholders().next().is_none()
            && s.parts.iter().any(|p| matches!(p, Part::Literal(l) if l.contains('%')))
    };

    if !skip_expand_percent(&parsed) {
        let printed = parsed.to_string();
        let again = SigmaString::parse(&printed, expand);
        assert_eq!(again, parsed, "round trip changed the parts (expand={expand}): {raw:?} -> {printed:?}");
        assert_eq!(again.to_string(), printed, "printing is not canonical (expand={expand}): {raw:?}");
    }

    let literal = SigmaString::literal(&raw);
    if !skip_expand_percent(&literal) {
        let printed = literal.to_string();
        assert_eq!(
            SigmaString::parse(&printed, expand),
            literal,
            "literal does not round-trip (expand={expand}): {raw:?} -> {printed:?}"
        );
    }
});

fn check_canonical(s: &SigmaString, expand: bool, raw: &str) {
    for pair in s.parts.windows(2) {
        assert!(
            !matches!(pair, [Part::Literal(_), Part::Literal(_)]),
            "adjacent literals not merged: {raw:?} -> {:?}",
            s.parts
        );
    }
    for part in &s.parts {
        match part {
            Part::Literal(l) => assert!(!l.is_empty(), "empty literal: {raw:?} -> {:?}", s.parts),
            Part::Placeholder(name) => {
                assert!(expand, "placeholder without expand: {raw:?}");
                assert!(
                    !name.is_empty() && name.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)),
                    "bad placeholder name {name:?} from {raw:?}"
                );
            }
            Part::AnyChars | Part::OneChar => {}
        }
    }
    assert_eq!(s.as_literal().is_some(), !s.has_wildcards() && s.placeholders().next().is_none());
}
