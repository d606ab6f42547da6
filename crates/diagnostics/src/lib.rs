//! # detwiki-diagnostics: one diagnostic type for every file detwiki reads
//!
//! A [`Diagnostic`] has a stable [`Code`] (kebab-case, with a default [`Severity`], grouped by
//! the kind of file it is about: [`Domain`]), a message, help, and a location: a [`FileId`] of
//! a [`SourceMap`] and a byte [`Span`] in that file. Readers that know only a text (the Sigma
//! parser, the pipeline reader) leave the file out; whoever adds the text to the map attaches
//! its id. Line and column are computed only when rendering, through the map.
//!
//! The renderers ([`render::human`], [`render::json`], [`render::sarif`]) take diagnostics and
//! the map; the command line only chooses which to call and where to write.
//!
//! ```
//! use detwiki_diagnostics::{Code, Diagnostic, SourceMap, Span, render};
//!
//! let mut sources = SourceMap::new();
//! let file = sources.add("p.yml", "name: p\npriority: x\n");
//! let message = "`priority` must be an integer, found a string";
//! let d = Diagnostic::new(Code::PipelineInvalidType, message, Some(Span::new(18, 19)))
//!     .with_help("e.g. `priority: 20`")
//!     .in_file(file);
//! let text = render::human::render(&d, &sources, false);
//! // A pipeline's code is not a lint code: the title is the message alone.
//! assert!(text.starts_with("error: `priority` must be an integer, found a string\n --> p.yml:2:11\n"));
//! assert!(text.contains("2 | priority: x\n  |           ^\n"));
//! ```
//!
//! This crate is a leaf: it knows nothing of Sigma, pipelines or the command line.

mod code;
mod diagnostic;
mod docs;
pub mod render;
mod source;
mod span;

pub use code::{Code, Domain, Severity};
pub use diagnostic::{Diagnostic, Label, did_you_mean, levenshtein};
pub use docs::codes_markdown;
pub use source::{FileId, SourceFile, SourceMap};
pub use span::{LineCol, LineIndex, Span};
