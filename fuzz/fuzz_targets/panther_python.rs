//! Fuzz target for Panther rules (`detwiki_panther`): the input as a rule's Python (the token
//! checks, `rustpython-parser`, the lowering of `rule()`), and as a rule's YAML.
//!
//! Checks: no panic; a parse error's offset inside the text; every predicate's span inside the
//! text; round trip: the lowered tree printed as Python reads back as the same tree (spans
//! aside).

#![no_main]

use detwiki_panther::python::{Env, Module, lower_expr, lower_rule};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let _ = detwiki_panther::parse_str(&text);
    match Module::parse("fuzz", text.clone()) {
        Err(e) => assert!(e.offset <= text.len(), "error offset {} past the text ({})", e.offset, text.len()),
        Ok(module) => {
            let Some(tree) = lower_rule(&module, &Env::default()) else { return };
            for (p, _) in tree.predicates() {
                assert!(p.span.start <= p.span.end && p.span.end <= text.len(), "span {:?} outside the text", p.span);
            }
            let printed = tree.to_string();
            // A tree past the parser's limits prints to text the limits refuse: nothing to compare.
            if let Ok(back) = lower_expr(&printed) {
                assert_eq!(back.normalized(), tree.normalized(), "round trip of {printed}");
            }
        }
    }
});
