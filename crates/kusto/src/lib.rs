//! # detwiki-kusto: Microsoft Sentinel analytic rules → typed rules with spans
//!
//! ```text
//! bytes ──utf-8, size──▶ YAML (detwiki-sigma's spanned tree) ──▶ rule (metadata, ATT&CK, connectors)
//!       ──▶ query: Kusto (KQL) lexer + recursive-descent parser (spans mapped back into the YAML file)
//!       ──▶ SentinelFile { rule: SentinelRule { …, query: QueryText { parsed } }, diagnostics }
//!       ──▶ lower::stages(): one stage per table read (joins and unions side by side), with
//!           language-neutral predicate trees (for the catalog)
//! ```
//!
//! Not to be confused with the Kibana Query Language of `detwiki-elastic` (also called KQL):
//! this crate reads Azure Data Explorer's Kusto Query Language as Microsoft Sentinel uses it.
//!
//! What the catalog calls: [`rule::parse_str`] → [`rule::SentinelFile`];
//! [`parse::parse`] (spans into the query text), `Display` (canonical text),
//! [`lower::stages`] → [`predicate::Stage`]s.

pub mod ast;
pub mod error;
pub mod highlight;
pub mod lex;
pub mod lower;
pub mod parse;
pub mod predicate;
mod print;
pub mod rule;
pub mod span;

pub use error::{QueryError, QueryErrorKind};
pub use parse::parse;
pub use print::{name_text, string};
