//! What a hunt says about a rule: [`RuleInfo`], and why a rule is not used ([`Skipped`],
//! [`SkipReason`]). A leaf module: the ruleset, correlations and hits all name rules this way.

use std::path::PathBuf;
use std::sync::Arc;

use detwiki_sigma::{Diagnostic, Level, LogSource};

use crate::compile::CompileError;

/// What the output says about a rule.
#[derive(Clone, Debug, Default)]
pub struct RuleInfo {
    /// `id`.
    pub id: Option<String>,
    /// `title`.
    pub title: String,
    /// `name` (what correlation rules may refer to it by).
    pub name: Option<String>,
    /// `level`.
    pub level: Option<Level>,
    /// `tags`.
    pub tags: Vec<String>,
    /// The corpus the rule comes from.
    pub corpus: String,
    /// The rule file.
    pub path: PathBuf,
    /// The logsource, as `product:windows category:process_creation`.
    pub logsource: String,
}

/// A rule (or filter) that is not used, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    /// The rule.
    pub rule: RuleInfo,
    /// Why.
    pub reason: SkipReason,
}

/// Why a rule is not used.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SkipReason {
    /// Its file has error findings (listed here, as `lint` reports them): what was parsed may
    /// be broader than what was written (a misspelt modifier's predicate is left out), so
    /// none of the file's rules run.
    #[error("errors in file")]
    FileErrors(Arc<[Diagnostic]>),
    /// The logsource has no known event mapping.
    #[error("logsource `{0}` has no known event mapping")]
    NoMapping(String),
    /// The logsource is known to have no event mapping.
    #[error("logsource `{0}` cannot be mapped to events: {1}")]
    Unmappable(String, String),
    /// The detection does not compile.
    #[error("{0}")]
    Compile(CompileError),
    /// A meta filter that does not compile (the rules it names run unfiltered).
    #[error("filter does not compile: {0}")]
    Filter(CompileError),
    /// A correlation rule that cannot be evaluated (see [`crate::correlate`]).
    #[error("correlation not evaluated: {0}")]
    Correlation(String),
}

impl SkipReason {
    /// A short stable key for summaries.
    pub fn key(&self) -> &'static str {
        match self {
            SkipReason::FileErrors(_) => "errors-in-file",
            SkipReason::NoMapping(_) => "no-logsource-mapping",
            SkipReason::Unmappable(..) => "unmappable-logsource",
            SkipReason::Compile(CompileError::UnresolvedPlaceholder(_)) => "unresolved-placeholder",
            SkipReason::Compile(CompileError::Pipeline(_)) => "pipeline-failure",
            SkipReason::Compile(_) => "does-not-compile",
            SkipReason::Filter(_) => "filter-does-not-compile",
            SkipReason::Correlation(_) => "correlation",
        }
    }
}

pub(crate) fn info(
    corpus: &str,
    path: &std::path::Path,
    meta: &detwiki_sigma::Metadata,
    ls: Option<&LogSource>,
) -> RuleInfo {
    RuleInfo {
        id: meta.id.as_ref().map(|s| s.value.clone()),
        title: meta.title.as_ref().map_or_else(String::new, |s| s.value.clone()),
        name: meta.name.as_ref().map(|s| s.value.clone()),
        level: meta.level.as_ref().map(|l| l.value),
        tags: meta.tags.iter().map(|t| t.value.clone()).collect(),
        corpus: corpus.to_string(),
        path: path.to_path_buf(),
        logsource: ls.map_or_else(String::new, logsource_text),
    }
}

fn logsource_text(ls: &LogSource) -> String {
    let mut parts = Vec::new();
    for (k, v) in [("product", &ls.product), ("category", &ls.category), ("service", &ls.service)] {
        if let Some(v) = v {
            parts.push(format!("{k}:{v}"));
        }
    }
    parts.join(" ")
}
