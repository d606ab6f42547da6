//! Checks across files: findings that no single file can show.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::rule::Document;
use crate::span::Span;

/// A finding about one file of a set.
#[derive(Clone, Debug)]
pub struct FileDiagnostic {
    /// Index of the file in the set given to the check.
    pub file: usize,
    /// The finding.
    pub diagnostic: Diagnostic,
}

/// Rules that share an id, reported on every occurrence after the first
/// (in the order given), with a label naming the first.
///
/// `files` yields (file index, documents); `name_of` names a file for the help.
/// Documents of one legacy `action: global` file share their id by design and
/// are not reported against each other.
pub fn duplicate_ids<'a>(
    files: impl IntoIterator<Item = (usize, &'a [Document])>,
    name_of: impl Fn(usize) -> String,
) -> Vec<FileDiagnostic> {
    let mut first: HashMap<&str, (usize, Span)> = HashMap::new();
    let mut out = Vec::new();
    for (file, docs) in files {
        for doc in docs {
            let Some(id) = &doc.meta().id else { continue };
            match first.get(id.value.as_str()) {
                None => {
                    first.insert(&id.value, (file, id.span));
                }
                Some(&(f0, _)) if f0 == file && is_legacy_collection(docs) => {}
                Some(&(f0, _)) => {
                    let d = Diagnostic::new(
                        Code::DuplicateRuleId,
                        format!("rule id `{}` is already used", id.value),
                        Some(id.span),
                    )
                    .with_help(format!("first used in {}; give this rule a new id (`uuidgen`)", name_of(f0)));
                    out.push(FileDiagnostic { file, diagnostic: d });
                }
            }
        }
    }
    out
}

/// True when the documents came from one legacy collection (all share one id).
fn is_legacy_collection(docs: &[Document]) -> bool {
    docs.len() > 1 && docs.windows(2).all(|w| w[0].meta().id == w[1].meta().id)
}
