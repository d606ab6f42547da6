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
/// (in the order given), with help naming the first.
///
/// `files` yields (file index, documents); `name_of` names a file for the help.
/// Documents of one legacy `action: global` file share their id by design and
/// are not reported against each other.
pub fn duplicate_ids<'a>(
    files: impl IntoIterator<Item = (usize, &'a [Document])>,
    name_of: impl Fn(usize) -> String,
) -> Vec<FileDiagnostic> {
    let lists: Vec<(usize, Vec<(String, Span)>)> = files.into_iter().map(|(f, docs)| (f, document_ids(docs))).collect();
    duplicate_id_lists(lists.iter().map(|(f, ids)| (*f, ids.as_slice())), name_of)
}

/// The ids of a file's documents, with their spans.
pub fn document_ids(docs: &[Document]) -> Vec<(String, Span)> {
    docs.iter().filter_map(|d| d.meta().id.as_ref()).map(|id| (id.value.clone(), id.span)).collect()
}

/// [`duplicate_ids`] over id lists already taken from the documents (see
/// [`document_ids`]), so callers need not keep whole rules in memory.
pub fn duplicate_id_lists<'a>(
    files: impl IntoIterator<Item = (usize, &'a [(String, Span)])>,
    name_of: impl Fn(usize) -> String,
) -> Vec<FileDiagnostic> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for (file, ids) in files {
        let legacy = is_legacy_collection(ids);
        for (id, span) in ids {
            match first.get(id.as_str()) {
                None => {
                    first.insert(id, file);
                }
                Some(&f0) if f0 == file && legacy => {}
                Some(&f0) => {
                    let d =
                        Diagnostic::new(Code::DuplicateRuleId, format!("rule id `{id}` is already used"), Some(*span))
                            .with_help(format!("first used in {}; give this rule a new id (`uuidgen`)", name_of(f0)));
                    out.push(FileDiagnostic { file, diagnostic: d });
                }
            }
        }
    }
    out
}

/// True when the ids came from one legacy collection (several documents, one id).
fn is_legacy_collection(ids: &[(String, Span)]) -> bool {
    ids.len() > 1 && ids.windows(2).all(|w| w[0].0 == w[1].0)
}
