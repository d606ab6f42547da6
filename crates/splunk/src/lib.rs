//! # detwiki-splunk: Splunk security_content detections → typed rules with spans
//!
//! ```text
//! detections/**/*.yml ──yaml (spans)──▶ SplunkRule (metadata, tags, data sources, search)
//!   search ──macros/*.yml (arguments, nesting)──▶ expanded text + a map back to the file
//!          ──spl::parse──▶ Pipeline (commands; search / where / eval / tstats trees)
//!          ──spl::stages──▶ one stage per command, predicates under the filtering ones
//! ```
//!
//! [`repo::Repo`] reads what a detection's repository holds beside it (`macros/`,
//! `data_sources/`, `stories/`), found from the file's folder upwards and cached per root.

pub mod expand;
pub mod highlight;
pub mod repo;
pub mod rule;
pub mod spl;
pub mod yamlstr;

pub use repo::Repo;
pub use rule::{SplunkFile, SplunkRule, parse_rule};
