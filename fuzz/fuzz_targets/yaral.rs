//! Fuzz target for the YARA-L parser (`detwiki_chronicle`): a `.yaral` file (lossy UTF-8) →
//! `detwiki_chronicle::read`. Besides "never panics": every finding's span lies inside the
//! text on character boundaries, with a message and help; every rule read without errors
//! prints to text that parses back to the same tree (spans aside) and prints the same text
//! (skipped when the printed text nests deeper than the parser accepts); every predicate and
//! join span of the lowering lies inside the text.

#![no_main]

use detwiki_chronicle::print::rule_to_string;
use detwiki_chronicle::{Span, parse_file, read};
use libfuzzer_sys::fuzz_target;

fn inside(text: &str, span: Span, what: &str) {
    assert!(span.start <= span.end && span.end <= text.len(), "{what} span {span:?} outside the text ({})", text.len());
    assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end), "{what} span {span:?} splits a character");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = read(&text);
    for d in file.diagnostics.iter().chain(file.rules.iter().flat_map(|r| r.diagnostics.iter())) {
        assert!(!d.message.is_empty() && d.help.is_some(), "{d:?}");
        inside(&text, d.span.expect("every finding has a place"), "finding");
    }
    for r in &file.rules {
        for s in &r.lowered.stages {
            inside(&text, s.span, "stage");
            for (p, _) in s.tree.predicates() {
                inside(&text, p.span, "predicate");
            }
        }
        for j in &r.lowered.joins {
            inside(&text, j.span, "join");
        }
        if !r.diagnostics.is_empty() {
            continue;
        }
        let printed = rule_to_string(&r.rule);
        let again = parse_file(&printed);
        if again.rules.iter().flat_map(|x| x.errors.iter()).any(|e| e.too_deep) {
            continue;
        }
        assert!(again.errors.is_empty(), "{:?}\n{printed}", again.errors);
        assert_eq!(again.rules.len(), 1, "{printed}");
        assert!(again.rules[0].errors.is_empty(), "{:?}\n{printed}", again.rules[0].errors);
        let (mut a, mut b) = (r.rule.clone(), again.rules[0].rule.clone());
        a.clear_spans();
        b.clear_spans();
        assert_eq!(a, b, "the printed rule reads back differently:\n{printed}");
        assert_eq!(rule_to_string(&again.rules[0].rule), printed, "printing is not canonical");
    }
});
