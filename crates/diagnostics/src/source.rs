//! The files diagnostics are about: a [`SourceMap`] holds each file's name (as shown) and text,
//! and hands out a [`FileId`] per file; line and column are computed only when asked, through
//! a [`LineIndex`] built once per file on first use.

use std::borrow::Cow;
use std::sync::OnceLock;

use serde::Serialize;

use crate::diagnostic::Diagnostic;
use crate::span::{LineCol, LineIndex, Span};

/// A file of a [`SourceMap`]: its position in the map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct FileId(u32);

impl FileId {
    /// The id of the `index`-th file added to a map.
    pub fn from_index(index: usize) -> Self {
        FileId(u32::try_from(index).unwrap_or(u32::MAX))
    }

    /// Its position in the map, from 0 in the order files were added.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One file: its name as shown (a path, or `builtin:NAME`) and its text, borrowed or owned.
#[derive(Debug)]
pub struct SourceFile<'a> {
    name: Cow<'a, str>,
    text: Cow<'a, str>,
    index: OnceLock<LineIndex>,
}

impl<'a> SourceFile<'a> {
    /// A file named `name` holding `text`.
    pub fn new(name: impl Into<Cow<'a, str>>, text: impl Into<Cow<'a, str>>) -> Self {
        Self { name: name.into(), text: text.into(), index: OnceLock::new() }
    }

    /// The name, as shown in ` --> name:line:col`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The text (empty for a file that could not be read).
    pub fn text(&self) -> &str {
        &self.text
    }

    fn index(&self) -> &LineIndex {
        self.index.get_or_init(|| LineIndex::new(&self.text))
    }

    /// 1-based line and column (in characters) of byte `offset`; an offset past the end is the end.
    pub fn line_col(&self, offset: usize) -> LineCol {
        self.index().line_col(&self.text, offset)
    }

    /// Start and end of `span`, 1-based (an end before the start is the start).
    pub fn range(&self, span: Span) -> (LineCol, LineCol) {
        (self.line_col(span.start), self.line_col(span.end.max(span.start)))
    }

    /// The byte range of 1-based `line`, without its line break.
    pub fn line_span(&self, line: usize) -> Span {
        self.index().line_span(&self.text, line)
    }
}

/// The files of one run, by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap<'a> {
    files: Vec<SourceFile<'a>>,
}

impl<'a> SourceMap<'a> {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add a file; its id is its position (the first file added is id 0).
    pub fn add(&mut self, name: impl Into<Cow<'a, str>>, text: impl Into<Cow<'a, str>>) -> FileId {
        self.files.push(SourceFile::new(name, text));
        FileId::from_index(self.files.len() - 1)
    }

    /// The file of `id`, if it is of this map.
    pub fn get(&self, id: FileId) -> Option<&SourceFile<'a>> {
        self.files.get(id.index())
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// True when no file was added.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The file a diagnostic is about, when it names one of this map.
    pub fn file_of(&self, d: &Diagnostic) -> Option<&SourceFile<'a>> {
        d.file.and_then(|id| self.get(id))
    }

    /// Where a diagnostic starts and ends, 1-based, when it has a file and a span.
    pub fn range(&self, d: &Diagnostic) -> Option<(LineCol, LineCol)> {
        let span = d.span?;
        Some(self.file_of(d)?.range(span))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    fn lc(line: usize, column: usize) -> LineCol {
        LineCol { line, column }
    }

    #[test]
    fn ids_are_handed_out_in_order_and_name_their_file() {
        let mut map = SourceMap::new();
        let a = map.add("a.yml", "x: 1\n");
        let b = map.add(String::from("b.yml"), String::from("y: 2\n"));
        assert_eq!((a.index(), b.index(), map.len()), (0, 1, 2));
        assert_eq!(map.get(b).map(SourceFile::name), Some("b.yml"));
        assert!(map.get(FileId::from_index(2)).is_none());
    }

    #[test]
    fn line_and_column_with_crlf_line_breaks() {
        let f = SourceFile::new("crlf.yml", "a: 1\r\nbb: 2\r\n\r\nc: 3");
        assert_eq!(f.line_col(0), lc(1, 1));
        // The `\r` is the last column of its line; the next line starts after `\n`.
        assert_eq!(f.line_col(4), lc(1, 5));
        assert_eq!(f.line_col(6), lc(2, 1));
        assert_eq!(f.line_col(10), lc(2, 5));
        assert_eq!(f.line_col(13), lc(3, 1));
        assert_eq!(f.line_col(15), lc(4, 1));
        // The line without its break: no `\r`.
        assert_eq!(f.line_span(2), Span::new(6, 11));
        assert_eq!(f.line_span(3), Span::new(13, 13));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        // `é` is 2 bytes, `日` 3, `🦀` 4.
        let f = SourceFile::new("u.yml", "é日🦀: x\n  🦀z\n");
        assert_eq!(f.line_col(2), lc(1, 2));
        assert_eq!(f.line_col(5), lc(1, 3));
        assert_eq!(f.line_col(9), lc(1, 4));
        let second = "é日🦀: x\n".len();
        assert_eq!(f.line_col(second + 2 + 4), lc(2, 4));
        // Inside a character (not a boundary): counted in bytes rather than panicking.
        assert_eq!(f.line_col(1), lc(1, 2));
    }

    #[test]
    fn spans_at_and_past_the_end_of_the_file() {
        let f = SourceFile::new("eof.yml", "a: 1\nb:");
        assert_eq!(f.range(Span::point(7)), (lc(2, 3), lc(2, 3)));
        assert_eq!(f.range(Span::new(5, 7)), (lc(2, 1), lc(2, 3)));
        // Past the end: clamped to the end.
        assert_eq!(f.line_col(99), lc(2, 3));
        // A text that ends with a line break: the end is the start of an empty last line.
        let f = SourceFile::new("nl.yml", "a: 1\n");
        assert_eq!(f.line_col(5), lc(2, 1));
        // An empty file.
        let f = SourceFile::new("empty.yml", "");
        assert_eq!(f.range(Span::point(0)), (lc(1, 1), lc(1, 1)));
        // An end before the start is the start.
        let f = SourceFile::new("x.yml", "abc");
        assert_eq!(f.range(Span { start: 2, end: 1 }), (lc(1, 3), lc(1, 3)));
    }

    #[test]
    fn a_diagnostic_is_located_through_its_file() {
        let mut map = SourceMap::new();
        map.add("a.yml", "one\n");
        let b = map.add("b.yml", "x: 1\ny: 2\n");
        let d = Diagnostic::new(Code::UnusedIdentifier, "unused", Some(Span::new(5, 6)));
        assert_eq!(map.range(&d), None, "no file yet");
        let d = d.in_file(b);
        assert_eq!(map.range(&d), Some((lc(2, 1), lc(2, 2))));
        assert_eq!(map.file_of(&d).map(SourceFile::name), Some("b.yml"));
        let whole_file = Diagnostic::new(Code::Io, "cannot read", None).in_file(b);
        assert_eq!(map.range(&whole_file), None);
    }
}
