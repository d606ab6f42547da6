//! # detwiki-elastic: Elastic rule files → typed rules with spans and diagnostics
//!
//! ```text
//! bytes ──utf-8, size──▶ toml (spanned tables) ──▶ rule (metadata, ATT&CK, type details)
//!       ──▶ query: kql | eql | esql parser (spans mapped back into the TOML file)
//!       ──▶ ElasticRule { …, query: Option<ParsedQuery>, diagnostics }
//!       ──▶ lower: language-neutral stages and predicates (for the catalog)
//! ```
//!
//! The front end for Elastic's two public rule repositories: `elastic/detection-rules`
//! (`[metadata]` + `[rule]`, every rule type, KQL/EQL/ES|QL queries) and
//! `elastic/protections-artifacts` (Elastic Defend behaviour rules: `[rule]` with an EQL
//! query, `[[actions]]`, top-level `[[threat]]`). It reads what it is given, never panics,
//! and turns everything wrong into a [`Diagnostic`] whose span is a byte range of the file.

pub mod diagnostic;
pub mod eql;
pub mod esql;
pub mod kql;
mod load;
pub mod predicate;
pub mod query;
pub mod rule;
pub mod span;
pub mod tomlstr;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use load::{Limits, parse_bytes, parse_str};
pub use query::{Pattern, PatternPart, QueryError, QueryErrorKind};
pub use rule::*;
pub use span::{LineCol, LineIndex, Span};
