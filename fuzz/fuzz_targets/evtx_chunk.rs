//! Fuzz target for the EVTX reader of the engine (cargo-fuzz / libfuzzer-sys).
//!
//! The input is one EVTX chunk (what follows the 4 KiB file header: 64 KiB in real files),
//! read as `detwiki hunt` reads it: records walked here and read straight from their BinXML
//! template values where planned, else through the JSON the `evtx` crate renders.
//!
//! Properties checked on every input:
//! - reading never panics and never loops, whatever the bytes;
//! - every event has at least one field, and every field a name;
//! - every problem says where (`chunk …` / `record …`) and what.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    detwiki_engine::read::read_evtx_chunk(
        data,
        |_, event| {
            assert!(!event.is_empty(), "an event without fields");
            for (name, value) in event.fields() {
                assert!(!name.is_empty(), "a field without a name (value {:?})", value.raw);
            }
        },
        |location, message| {
            assert!(location.starts_with("chunk") || location.starts_with("record"), "{location}: {message}");
            assert!(!message.is_empty(), "{location}: empty message");
        },
    );
});
