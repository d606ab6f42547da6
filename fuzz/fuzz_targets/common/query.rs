//! The checks the three Elastic query fuzz targets (`kql`, `eql`, `esql`) share. Each target
//! includes this file with `#[path]` and passes its language's entry points.
//!
//! Properties checked on every input (lossy UTF-8), beyond "does not panic":
//! - an error's span lies inside the text, on character boundaries, and it has a message and
//!   help;
//! - every span of a parsed tree lies inside the text, on character boundaries;
//! - round trip: the canonical print parses again to the same tree (spans aside), and
//!   printing that tree gives the same text (unless the print passes the depth or length
//!   limit, which parentheses added for precedence can do at the very limit);
//! - lowering to stages and predicates does not panic, and its spans lie inside the text.

use std::fmt::{Debug, Display};

use detwiki_elastic::predicate::Stage;
use detwiki_elastic::query::{QueryError, QueryErrorKind};
use detwiki_elastic::span::Span;

/// One language's entry points, as the shared checks need them.
pub struct Language<Q> {
    /// Parse a query.
    pub parse: fn(&str) -> Result<Q, QueryError>,
    /// The tree's `map_spans`.
    pub map_spans: fn(&mut Q, &mut dyn FnMut(Span) -> Span),
    /// The tree with its spans taken out, to compare trees.
    pub without_spans: fn(&Q) -> Q,
    /// Lower a parsed query (of the given text) to stages.
    pub stages: fn(&Q, &str) -> Vec<Stage>,
}

fn inside(text: &str, s: Span) -> bool {
    s.start <= s.end && s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end)
}

/// Run every check on `data`.
pub fn check<Q: Clone + Debug + Display + PartialEq>(lang: &Language<Q>, data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let q = match (lang.parse)(&text) {
        Ok(q) => q,
        Err(e) => {
            assert!(inside(&text, e.span), "{e:?}");
            assert!(!e.message.is_empty() && !e.help.is_empty(), "{e:?}");
            return;
        }
    };
    let mut spans = Vec::new();
    (lang.map_spans)(&mut q.clone(), &mut |s| {
        spans.push(s);
        s
    });
    assert!(spans.iter().all(|s| inside(&text, *s)), "{spans:?}");
    let printed = q.to_string();
    let again = match (lang.parse)(&printed) {
        Ok(again) => again,
        // Printing adds parentheses where precedence needs them and normalises spacing: an
        // input right at the depth or length limit can print a little past it.
        Err(e) if matches!(e.kind, QueryErrorKind::TooDeep | QueryErrorKind::TooLong) => return,
        Err(e) => panic!("printed form does not parse: {text:?} -> {printed:?}: {e:?}"),
    };
    assert_eq!(
        (lang.without_spans)(&again),
        (lang.without_spans)(&q),
        "round trip changed the tree: {text:?} -> {printed:?}"
    );
    assert_eq!(again.to_string(), printed, "printing is not canonical");
    for stage in (lang.stages)(&q, &text) {
        if let Some(t) = &stage.tree {
            for (p, _) in t.predicates() {
                assert!(inside(&text, p.span), "{p:?}");
            }
        }
    }
}
