//! # detwiki-elastic: Elastic rule files → typed rules with spans and diagnostics
//!
//! ```text
//! bytes ──utf-8, size──▶ toml (spanned tables) ──▶ rule (metadata, ATT&CK, type, Details)
//!       ──▶ query: kql | eql | esql parser (spans mapped back into the TOML file)
//!       ──▶ ElasticFile { rule: ElasticRule { …, query: QueryText { parsed } }, diagnostics }
//!       ──▶ ElasticRule::stages(): language-neutral stages and predicates (for the catalog)
//! ```
//!
//! The front end for Elastic's two public rule repositories: `elastic/detection-rules`
//! (`[metadata]` + `[rule]`, every rule type, KQL/EQL/ES|QL queries) and
//! `elastic/protections-artifacts` (Elastic Defend behaviour rules: `[rule]` with an EQL
//! query, `[[actions]]`, top-level `[[threat]]`). It reads what it is given (no file-system
//! walking, no HTML, no events), never panics, and turns everything wrong into a
//! [`Diagnostic`] whose span is a byte range of the file; a rule whose query does not parse is
//! still returned, with its metadata, ATT&CK and details.
//!
//! What the catalog calls:
//! - [`parse_bytes`] / [`parse_str`] → [`ElasticFile`] (`rule`, `diagnostics`);
//! - [`ElasticRule`]: `id`, `name`, `description`, `rule_type`, `tags`, `threat` (and
//!   [`ElasticRule::attack_ids`]), `maturity`/`deprecated`/[`ElasticRule::is_production`],
//!   `building_block_type`, `details` (the "Details" block), `query` ([`QueryText`]: text,
//!   span, parsed tree);
//! - [`ElasticRule::stages`] → [`predicate::Stage`]s, each with a [`predicate::PredicateTree`]
//!   of [`predicate::Predicate`] leaves (field, [`predicate::Kind`], values, case, span);
//! - per language, `kql::parse`/`eql::parse`/`esql::parse` (spans into the query text),
//!   `Display` (canonical text), `lower`/`stages`.
//!
//! ```
//! use detwiki_elastic::predicate::{Kind, PredicateTree};
//! use detwiki_elastic::{Code, LineIndex, parse_str};
//!
//! let text = r#"
//! [metadata]
//! maturity = "production"
//!
//! [rule]
//! name = "Whoami"
//! rule_id = "0b9c6c7a-0000-4000-8000-000000000000"
//! type = "eql"
//! language = "eql"
//! query = '''
//! process where process.name : "whoami.exe" and not user.id == "S-1-5-18"
//! '''
//! "#;
//! let file = parse_str(text, "rules/windows/whoami.toml");
//! assert!(file.diagnostics.is_empty());
//! let rule = file.rule.unwrap();
//! let stages = rule.stages();
//! let PredicateTree::And { items } = stages[0].tree.as_ref().unwrap() else { panic!() };
//! let PredicateTree::Pred(p) = &items[0] else { panic!() };
//! assert_eq!((p.field.as_deref(), p.kind, p.case_insensitive), (Some("process.name"), Kind::Eq, true));
//!
//! // A broken query is a finding at its place in the file; the rule is still read.
//! let broken_text = text.replace("and not", "and and");
//! let broken = parse_str(&broken_text, "x.toml");
//! let d = &broken.diagnostics[0];
//! assert_eq!(d.code, Code::QuerySyntax);
//! let at = LineIndex::new(&broken_text).line_col(&broken_text, d.span.unwrap().start);
//! assert_eq!((at.line, at.column), (11, 47));
//! assert!(broken.rule.unwrap().name.is_some());
//! ```

pub mod diagnostic;
pub mod eql;
pub mod esql;
pub mod kql;
mod load;
pub mod predicate;
pub mod query;
pub mod rule;
mod scan;
pub mod span;
pub mod tomlstr;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use load::{Limits, parse_bytes, parse_str};
pub use query::{Pattern, PatternPart, QueryError, QueryErrorKind};
pub use rule::*;
pub use span::{LineCol, LineIndex, Span};
