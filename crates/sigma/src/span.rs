//! Source positions: byte ranges into one file's text, turned into 1-based line:column only
//! when rendering. The types of `detwiki-diagnostics`, under the paths this crate has always
//! had them.

pub use detwiki_diagnostics::{LineCol, LineIndex, Span};
