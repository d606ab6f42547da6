//! Findings about rule files: the diagnostic types of `detwiki-diagnostics`, under the paths
//! this crate has always had them. The rule-file codes are [`Code::LINT`]
//! ([`Domain::Rule`](detwiki_diagnostics::Domain::Rule)).

pub use detwiki_diagnostics::{Code, Diagnostic, Domain, Label, Severity, codes_markdown, did_you_mean, levenshtein};
