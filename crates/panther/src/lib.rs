//! # detwiki-panther: Panther (panther-analysis) rule files → typed rules with spans
//!
//! ```text
//! YAML (AnalysisType: rule | scheduled_rule | correlation_rule) ──▶ PantherRule (metadata,
//!      Reports → MITRE ATT&CK, LogTypes, Tests with their example events, Runbook …)
//!   ├─ Filename: x.py ──rustpython-parser──▶ Module ──lower rule(event)──▶ PredicateTree
//!   │     (constants, global_helpers/ functions and constants, data_models/ UDM paths)
//!   ├─ Detection: - Key/Condition/Value (simple detection) ──▶ PredicateTree
//!   └─ Detection: - Sequence/Group (correlation) ──▶ one stage per step
//! ```
//!
//! It never panics on bad input: YAML, Python and detection problems are [`Diagnostic`]s with
//! spans into the YAML file (a Python syntax error names the Python file's line and column and
//! points at `Filename:`), and the rule is still returned with its metadata.
//!
//! ```
//! use detwiki_panther::predicate::Kind;
//! use detwiki_panther::python::{Env, Module, lower_rule};
//!
//! let py = r#"
//! ROLES = {"admin", "owner"}
//!
//! def rule(event):
//!     if event.get("eventType") != "user.role.grant":
//!         return False
//!     return event.deep_get("target", "role") in ROLES
//! "#;
//! let module = Module::parse("grant", py.to_string()).unwrap();
//! let tree = lower_rule(&module, &Env::default()).unwrap();
//! let preds = tree.predicates();
//! assert_eq!(preds[0].0.field, "eventType");
//! assert!(preds[0].1, "the guard `!= … return False` reads as an exclusion of `!=`");
//! assert_eq!((preds[1].0.field.as_str(), preds[1].0.kind), ("target.role", Kind::In));
//! ```

pub mod load;
pub mod predicate;
pub mod python;
pub mod repo;
pub mod rule;

pub use detwiki_diagnostics::{Code, Diagnostic, LineIndex, Severity, Span};
pub use load::{PantherFile, parse_str, read_file, sniff};
pub use rule::*;
