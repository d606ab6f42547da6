//! Source positions: byte ranges into one file's text (or, for a query parsed on its own,
//! into the query text), turned into 1-based line:column only when rendering, through
//! [`LineIndex`]. The types of `detwiki-diagnostics`, as for Sigma.

pub use detwiki_diagnostics::{LineCol, LineIndex, Span};
