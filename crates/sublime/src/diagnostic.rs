//! Findings about Sublime rule files: the one diagnostic type of `detwiki-diagnostics`
//! (shared with Sigma and Elastic). The YAML codes (`yaml-syntax` …), the field codes
//! (`missing-field`, `invalid-field-value` …) and the query codes (`query-syntax`,
//! `query-too-complex`) mean the same thing for every language.

pub use detwiki_diagnostics::{Code, Diagnostic, Domain, Label, Severity};
