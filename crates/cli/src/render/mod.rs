//! What the command line adds to the library's renderers (`detwiki_diagnostics::render`:
//! human, JSON, SARIF): lint's summary (a human line, or a JSON object after the findings), the
//! tool named in SARIF logs, diagnostics on stderr, and a rule's page as text (`rule_text`).
//!
//! lint's JSON summary line (stable; new keys may be added):
//!
//! ```text
//! {"type":"summary","files":1,"files_with_errors":1,"rules":1,"filters":0,"correlations":0,
//!  "errors":1,"warnings":0,"allowed":0,"by_code":{"unknown-modifier":1},"seconds":0.01}
//! ```

use std::collections::BTreeMap;
use std::io::{self, Write};

use detwiki_diagnostics::render::{human, sarif};
use detwiki_diagnostics::{Code, Diagnostic, SourceMap};
use serde::Serialize;
use serde_json::{Value, json};

pub mod rule_text;

/// `n` and the noun, singular or plural: `1 file`, `2 files`, `0 errors`.
pub fn counted(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Totals over one run.
#[derive(Debug, Default, Serialize)]
pub struct Summary {
    /// Files read.
    pub files: usize,
    /// Files with at least one error.
    pub files_with_errors: usize,
    /// Detection rules parsed.
    pub rules: usize,
    /// Filter rules parsed.
    pub filters: usize,
    /// Correlation rules parsed.
    pub correlations: usize,
    /// Error findings.
    pub errors: usize,
    /// Warning findings.
    pub warnings: usize,
    /// Findings of allowed codes (`--allow`, detwiki.toml): hidden and in no other count.
    pub allowed: usize,
    /// Findings per code.
    pub by_code: BTreeMap<&'static str, usize>,
    /// Wall time.
    pub seconds: f64,
}

/// The closing line: files, rules, errors, warnings, allowed findings (when any), time.
pub fn write_summary(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    let allowed = if s.allowed > 0 { format!(", {} allowed", s.allowed) } else { String::new() };
    writeln!(
        out,
        "checked {} ({}, {}, {}): {}, {}{allowed} in {:.2}s",
        counted(s.files, "file", "files"),
        counted(s.rules, "rule", "rules"),
        counted(s.filters, "filter", "filters"),
        counted(s.correlations, "correlation", "correlations"),
        counted(s.errors, "error", "errors"),
        counted(s.warnings, "warning", "warnings"),
        s.seconds
    )
}

/// The summary as the last JSON line.
pub fn write_json_summary(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    let mut v = serde_json::to_value(s)?;
    if let Value::Object(m) = &mut v {
        m.insert("type".into(), json!("summary"));
    }
    serde_json::to_writer(&mut *out, &v)?;
    writeln!(out)
}

/// detwiki in SARIF logs: its rules are the lint codes.
pub const SARIF_TOOL: sarif::Tool<'static> = sarif::Tool {
    name: "detwiki",
    version: env!("CARGO_PKG_VERSION"),
    information_uri: "https://github.com/SigmaHQ/sigma-specification",
    rules: Code::LINT,
};

/// Color for messages on stderr: when it is a terminal and `NO_COLOR` is not set.
pub fn stderr_color() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none()
}

/// Show diagnostics on stderr as lint shows findings (a closed stderr is ignored: there is no
/// one left to tell).
pub fn eprint<'d>(diagnostics: impl IntoIterator<Item = &'d Diagnostic>, sources: &SourceMap<'_>) {
    let _ = human::write(&mut std::io::stderr().lock(), diagnostics, sources, stderr_color());
}
