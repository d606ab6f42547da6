//! Fuzz target for the JSON-event reader of the engine (cargo-fuzz / libfuzzer-sys).
//!
//! The input is one line of a JSON-lines log (any bytes), flattened as `detwiki hunt` reads
//! it: `detwiki_engine::json::flatten`, the hand-written scanner with serde_json behind it.
//!
//! Properties checked on every input:
//! - flattening never panics, whatever the bytes (nesting is bounded);
//! - input that is not valid JSON is an error, never an event;
//! - every field has a name, and a value's lower-cased form is as long as its own
//!   lower-casing (the prefilter relies on both forms);
//! - flattening the same input again gives the same fields.

#![no_main]

use detwiki_engine::event::{Event, lowercase};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut event = Event::new();
    let result = detwiki_engine::json::flatten(data, &mut event);
    let valid = serde_json::from_slice::<serde::de::IgnoredAny>(data).is_ok();
    if result.is_err() {
        return;
    }
    assert!(valid, "not JSON, yet flattened: {:?}", String::from_utf8_lossy(data));
    let fields: Vec<(String, String, String)> =
        event.fields().map(|(n, v)| (n.to_string(), v.raw.to_string(), v.lower.to_string())).collect();
    for (name, raw, lower) in &fields {
        assert!(!name.is_empty(), "a field without a name");
        assert_eq!(&lowercase(raw), lower, "field {name}");
    }
    let mut again = Event::new();
    detwiki_engine::json::flatten(data, &mut again).expect("the same input flattens again");
    let again: Vec<(String, String, String)> =
        again.fields().map(|(n, v)| (n.to_string(), v.raw.to_string(), v.lower.to_string())).collect();
    assert_eq!(fields, again);
});
