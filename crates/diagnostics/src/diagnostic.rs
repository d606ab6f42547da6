//! One finding: a stable [`Code`], a severity, a message that says what is wrong, where it is
//! (a file of a [`SourceMap`](crate::SourceMap) and a byte span in it), and help that says what
//! to do.

use serde::Serialize;

use crate::code::{Code, Severity};
use crate::source::FileId;
use crate::span::Span;

/// A secondary location, in the diagnostic's file, with its own short note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One finding about one file.
///
/// Readers that know only the text (the Sigma parser, the pipeline reader) leave `file` empty;
/// whoever adds the text to a [`SourceMap`](crate::SourceMap) attaches its id
/// ([`Diagnostic::in_file`]), and the renderers find the path and the line through it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity (normally the code's).
    pub severity: Severity,
    /// What is wrong, in a short phrase.
    pub message: String,
    /// The file it is about, once known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<FileId>,
    /// The primary location in that file, when there is one.
    pub span: Option<Span>,
    /// Further locations.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding with the code's own severity, in no file yet.
    pub fn new(code: Code, message: impl Into<String>, span: Option<Span>) -> Self {
        Self {
            code,
            severity: code.severity(),
            message: message.into(),
            file: None,
            span,
            labels: Vec::new(),
            help: None,
        }
    }

    /// Add help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Add a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// Say which file of the source map it is about.
    pub fn in_file(mut self, file: FileId) -> Self {
        self.file = Some(file);
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Edit distance, for "did you mean" help.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest of `candidates` to `word`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (levenshtein(&word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos() {
        assert_eq!(did_you_mean("contians", ["contains", "startswith", "endswith"]), Some("contains"));
        assert_eq!(did_you_mean("xyz", ["contains", "startswith"]), None);
    }

    #[test]
    fn a_new_diagnostic_has_its_codes_severity_and_no_file() {
        let d = Diagnostic::new(Code::UnusedIdentifier, "x", None);
        assert_eq!((d.severity, d.file), (Severity::Warning, None));
        let d = d.in_file(FileId::from_index(3));
        assert_eq!(d.file.map(FileId::index), Some(3));
    }
}
