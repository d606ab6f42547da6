//! # detwiki-sublime: Sublime Security rule files → typed rules with spans and diagnostics
//!
//! ```text
//! bytes ──yaml (spanned nodes, limits)──▶ rule (name, type, severity, taxonomy, authors …)
//!       ──▶ source: MQL parser (spans mapped back through the block scalar's indentation)
//!       ──▶ SublimeFile { rule: SublimeRule { …, source: Source { parsed } }, diagnostics }
//!       ──▶ Source::predicates(): a language-neutral predicate tree (for the catalog)
//! ```
//!
//! The front end for `sublime-security/sublime-rules` (`detection-rules/*.yml`): YAML files
//! with `name`, `description`, `type` (`rule` or `query`), `severity`, `source` (the MQL
//! query), Sublime's own taxonomy (`attack_types`, `tactics_and_techniques`,
//! `detection_methods`), `id`, `tags`, `references`, `authors`, `false_positives`. It reads
//! what it is given, never panics, and turns everything wrong into a [`Diagnostic`] whose
//! span is a byte range of the file; a rule whose query does not parse is still returned.
//!
//! ```
//! use detwiki_sublime::predicate::{Kind, PredicateTree};
//! use detwiki_sublime::{Code, LineIndex, parse_str};
//!
//! let text = "name: \"Onion links\"\ntype: \"rule\"\nsource: |\n  type.inbound\n  and sender.email.domain.root_domain not in $free_email_providers\n";
//! let file = parse_str(text, "detection-rules/onion.yml");
//! assert!(file.diagnostics.is_empty());
//! let tree = file.rule.unwrap().source.unwrap().predicates().unwrap();
//! let PredicateTree::And { items } = &tree else { panic!() };
//! let PredicateTree::Not { item } = &items[1] else { panic!() };
//! let PredicateTree::Pred(p) = &**item else { panic!() };
//! assert_eq!((p.field.as_str(), p.kind), ("sender.email.domain.root_domain", Kind::InList));
//!
//! // A broken query is a finding at its place in the file; the rule is still read.
//! let broken_text = text.replace("and sender", "and or sender");
//! let broken = parse_str(&broken_text, "x.yml");
//! let d = &broken.diagnostics[0];
//! assert_eq!(d.code, Code::QuerySyntax);
//! let at = LineIndex::new(&broken_text).line_col(&broken_text, d.span.unwrap().start);
//! assert_eq!((at.line, at.column), (5, 7));
//! assert!(broken.rule.unwrap().name.is_some());
//! ```

pub mod diagnostic;
pub mod mql;
pub mod predicate;
pub mod rule;
pub mod span;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use rule::{Source, SublimeFile, SublimeRule, parse_str, sniff};
pub use span::{LineCol, LineIndex, Span};
