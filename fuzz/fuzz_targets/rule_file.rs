//! Fuzz target for the whole rule-file path: bytes → `detwiki_sigma::parse_bytes`
//! (size limit, UTF-8, byte-order mark, YAML with bounded aliases and depth, rule / filter /
//! correlation parsing, modifiers, values, conditions and identifier resolution), then the
//! cross-file duplicate-id check and the line:column lookup the renderers use.
//!
//! Properties checked on every input, beyond "does not panic":
//! - every diagnostic span and label span lies inside the text the spans count in (the input
//!   after a UTF-8 byte-order mark, which `parse_bytes` drops) and starts and ends on a char
//!   boundary; for non-UTF-8 input the single `invalid-utf8` span lies inside the bytes;
//! - every identifier a parsed condition names is a defined search identifier, or an
//!   `undefined-identifier` diagnostic exists at that identifier's span, or the identifier is
//!   defined but malformed and reported as such (`search identifier `x` is null`, …: the parser
//!   then keeps quiet about the condition naming it); every `1 of x*` / `all of them` resolves
//!   to at least one identifier (valid or reported malformed), or an `unmatched-pattern`
//!   diagnostic exists at its span;
//! - the fast YAML path reads a text exactly as `saphyr-parser` does (same nodes, texts and
//!   spans), or leaves it to saphyr;
//! - parsing is deterministic: a second parse gives the same diagnostics and documents;
//! - `lint::duplicate_ids` over the file given twice reports exactly the second copy's ids.

#![no_main]

use detwiki_sigma::condition::Condition;
use detwiki_sigma::{Code, Detection, Diagnostic, Document, Limits, LineIndex, Span, lint, parse_bytes};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let file = parse_bytes(data, &limits);

    let Ok(text) = std::str::from_utf8(data) else {
        // Non-UTF-8: one finding, pointing at a byte of the input, and nothing else.
        let [d] = file.diagnostics.as_slice() else {
            panic!("non-UTF-8 input should give exactly one diagnostic: {:?}", file.diagnostics)
        };
        assert_eq!(d.code, Code::InvalidUtf8, "{d:?}");
        let span = d.span.expect("invalid-utf8 has a span");
        assert!(span.start < span.end && span.end <= data.len(), "{d:?} for {} bytes", data.len());
        assert!(file.documents.is_empty());
        return;
    };
    // Spans count from after a byte-order mark (the CLI does the same when rendering).
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);

    // The fast YAML path: saphyr's tree or nothing. Compared through Debug (floats).
    if let Some(fast) = detwiki_sigma::yaml::parse_documents_fast(text, &limits) {
        match detwiki_sigma::yaml::parse_documents_saphyr(text, &limits) {
            Ok(slow) => assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "the fast YAML path read {text:?} otherwise"),
            Err(e) => panic!("the fast YAML path took {text:?}, which saphyr rejects: {e}"),
        }
    }

    let index = LineIndex::new(text);
    for d in &file.diagnostics {
        assert!(!d.message.is_empty(), "{d:?}");
        assert_eq!(d.severity, d.code.severity(), "{d:?}");
        let spans = d.span.iter().copied().chain(d.labels.iter().map(|l| l.span));
        for span in spans {
            check_span(text, span, d);
            // What the human renderer does with every span.
            let start = index.line_col(text, span.start);
            let end = index.line_col(text, span.end);
            assert!(start.line >= 1 && start.column >= 1 && (start.line, start.column) <= (end.line, end.column));
        }
    }

    for doc in &file.documents {
        let detection = match doc {
            Document::Rule(r) => &r.detection,
            Document::Filter(f) => &f.detection,
            Document::Correlation(_) => continue,
        };
        check_resolution(detection, &file.diagnostics);
    }

    // Determinism. Documents are compared through Debug: they can hold floats (NaN != NaN).
    let again = parse_bytes(data, &limits);
    assert_eq!(again.diagnostics, file.diagnostics, "second parse gave other diagnostics");
    assert_eq!(format!("{:?}", again.documents), format!("{:?}", file.documents), "second parse gave other documents");

    // The same file twice: the second copy repeats every id of the first.
    let docs = file.documents.as_slice();
    let dups = lint::duplicate_ids([(0, docs), (1, docs)], |i| format!("file{i}"));
    let with_id = docs.iter().filter(|d| d.meta().id.is_some()).count();
    assert_eq!(dups.iter().filter(|d| d.file == 1).count(), with_id, "{dups:?}");
    for d in &dups {
        assert_eq!(d.diagnostic.code, Code::DuplicateRuleId);
        check_span(text, d.diagnostic.span.expect("duplicate-rule-id has a span"), &d.diagnostic);
    }
});

fn check_span(text: &str, span: Span, d: &Diagnostic) {
    assert!(
        span.start <= span.end && span.end <= text.len(),
        "span {span:?} outside the {}-byte text: {d:?}",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "span {span:?} not on char boundaries: {d:?}"
    );
}

/// Names of search identifiers that are defined but were reported as malformed (the parser
/// leaves them out of `Detection::identifiers`).
fn malformed_identifiers(diagnostics: &[Diagnostic]) -> Vec<&str> {
    const ENDINGS: [&str; 4] =
        ["` is empty", "` is an empty list", "` is null", "` mixes maps and plain values in one list"];
    diagnostics
        .iter()
        .filter(|d| matches!(d.code, Code::EmptySearchIdentifier | Code::InvalidDetection))
        .filter_map(|d| {
            let rest = d.message.strip_prefix("search identifier `")?;
            ENDINGS.iter().find_map(|e| rest.strip_suffix(e))
        })
        .collect()
}

fn check_resolution(detection: &Detection, diagnostics: &[Diagnostic]) {
    let names: Vec<&str> = detection.identifiers.iter().map(|i| i.name.as_str()).collect();
    let malformed = malformed_identifiers(diagnostics);
    let reported = |code: Code, span: Span| diagnostics.iter().any(|d| d.code == code && d.span == Some(span));
    for cond in &detection.conditions {
        let Some(root) = &cond.parsed else { continue };
        for leaf in root.leaves() {
            match leaf {
                Condition::Identifier { name, span } => assert!(
                    names.contains(&name.as_str())
                        || reported(Code::UndefinedIdentifier, *span)
                        || malformed.contains(&name.as_str()),
                    "`{name}` in condition {:?} is neither defined ({names:?}) nor reported",
                    cond.text
                ),
                Condition::Quantified { target, span, .. } => assert!(
                    !Condition::resolve(target, &names).is_empty()
                        || reported(Code::UnmatchedPattern, *span)
                        || !Condition::resolve(target, &malformed).is_empty(),
                    "`{target}` in condition {:?} matches nothing ({names:?}) and is not reported",
                    cond.text
                ),
                other => panic!("leaves() returned a non-leaf: {other:?}"),
            }
        }
    }
}
