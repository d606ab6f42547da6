//! One renderer per output format of `lint`: human (rustc style), JSON lines, SARIF.

use std::collections::BTreeMap;
use std::path::Path;

use detwiki_sigma::{Diagnostic, LineCol, LineIndex};
use serde::Serialize;

pub mod human;
pub mod json;
pub mod rule_text;
pub mod sarif;

/// `n` and the noun, singular or plural: `1 file`, `2 files`, `0 errors`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// A diagnostic with the file it is about.
pub struct Finding<'a> {
    /// Index of the file in walk order (`usize::MAX` for findings about paths).
    pub file_index: usize,
    /// The file's path.
    pub path: &'a Path,
    /// The file's text (empty when unreadable).
    pub text: &'a str,
    /// The finding.
    pub diagnostic: Diagnostic,
}

impl<'a> Finding<'a> {
    /// A finding about a loaded file.
    pub fn new(file_index: usize, path: &'a Path, text: &'a str, diagnostic: Diagnostic) -> Self {
        Self { file_index, path, text, diagnostic }
    }

    /// A finding about a path that could not be searched.
    pub fn without_file(path: &'a Path, diagnostic: Diagnostic) -> Self {
        Self { file_index: usize::MAX, path, text: "", diagnostic }
    }

    /// Start and end positions, 1-based, when the finding has a span.
    pub fn range(&self) -> Option<(LineCol, LineCol)> {
        let span = self.diagnostic.span?;
        let idx = LineIndex::new(self.text);
        Some((idx.line_col(self.text, span.start), idx.line_col(self.text, span.end.max(span.start))))
    }

    /// The path as shown, with `/` separators.
    pub fn display_path(&self) -> String {
        self.path.display().to_string()
    }
}

/// Totals over one run.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Files with at least one error.
    pub files_with_errors: usize,
    /// Detection rules parsed.
    pub rules: usize,
    /// Filter rules parsed.
    pub filters: usize,
    /// Correlation rules parsed.
    pub correlations: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Findings of allowed codes (`--allow`, detwiki.toml): hidden and in no other count.
    pub allowed: usize,
    /// Findings per code.
    pub by_code: BTreeMap<&'static str, usize>,
    /// Wall time.
    pub seconds: f64,
}
