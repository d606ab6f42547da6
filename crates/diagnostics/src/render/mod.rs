//! Diagnostics as people and tools read them, each through the [`SourceMap`](crate::SourceMap)
//! that holds their files:
//!
//! - [`human`]: rustc style, the line with a caret under the span (annotate-snippets);
//! - [`json`]: one JSON object per diagnostic (the `lint --format json` lines);
//! - [`sarif`]: one SARIF 2.1.0 log, for code-scanning services.

pub mod human;
pub mod json;
pub mod sarif;
