//! Source positions: byte ranges into one file's text (or, for a query parsed on its own,
//! into the query text), the types of `detwiki-diagnostics`.

pub use detwiki_diagnostics::{LineCol, LineIndex, Span};
