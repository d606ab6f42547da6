//! Findings about Elastic rule files: the one diagnostic type of `detwiki-diagnostics`
//! (shared with Sigma rules, pipelines and `detwiki.toml`), under the path this crate has
//! always had it. Elastic's codes are rule-file codes ([`Domain::Rule`]): the TOML ones
//! (`toml-syntax`) and the query ones (`query-syntax`, `query-too-complex`,
//! `unsupported-language`) sit beside Sigma's, and the shared ones (`not-a-rule`,
//! `missing-field` …) mean the same thing for both languages.

pub use detwiki_diagnostics::{Code, Diagnostic, Domain, Label, Severity};
