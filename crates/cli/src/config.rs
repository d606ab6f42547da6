//! `detwiki.toml`, found in the current folder or its parents, and the lint levels it and the
//! command line set:
//!
//! ```toml
//! [lint]
//! allow = ["unknown-attack-tag"]   # hidden, and left out of the counts
//! deny = ["unused-identifier"]     # reported as an error (lint exits 1)
//! ```
//!
//! `--allow CODE` / `--deny CODE` override the file code by code. Unknown codes, a code both
//! allowed and denied at one level, and allowing a code that is an error are usage errors; in
//! the file they are `config-…` diagnostics, shown with its line and column.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use detwiki_diagnostics::{Code, Diagnostic, Severity, SourceMap, Span, did_you_mean};
use serde::Deserialize;

/// The file name looked for.
pub const FILE_NAME: &str = "detwiki.toml";

/// What a code is set to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LintLevel {
    /// Hidden and not counted.
    Allow,
    /// Reported as an error.
    Deny,
}

/// `detwiki.toml` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    #[serde(default)]
    lint: LintSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct LintSection {
    #[serde(default)]
    allow: Vec<toml::Spanned<String>>,
    #[serde(default)]
    deny: Vec<toml::Spanned<String>>,
}

/// A usage error, already explained on stderr.
#[derive(Debug)]
pub struct Explained;

/// The first `detwiki.toml` in `dir` or its parents.
pub fn find(dir: &Path) -> Option<PathBuf> {
    dir.ancestors().map(|d| d.join(FILE_NAME)).find(|p| p.is_file())
}

/// The lint levels: those of the `detwiki.toml` found from the current folder, then the
/// command line's on top. Problems are printed (file:line:col for the file) and give `Err`.
pub fn lint_levels(allow: &[String], deny: &[String]) -> Result<BTreeMap<Code, LintLevel>, Explained> {
    let mut levels = BTreeMap::new();
    if let Some(path) = std::env::current_dir().ok().as_deref().and_then(find) {
        levels = from_file(&path)?;
    }
    let mut cli = BTreeMap::new();
    let mut failed = false;
    for (flag, codes, level) in [("--allow", allow, LintLevel::Allow), ("--deny", deny, LintLevel::Deny)] {
        for c in codes {
            match check(c, level) {
                Ok(code) => {
                    if cli.insert(code, level).is_some_and(|before| before != level) {
                        eprintln!("error: `{c}` is given to both --allow and --deny; give it to one of them");
                        failed = true;
                    }
                }
                Err((_, why)) => {
                    eprintln!("error: {flag} {c}: {why}");
                    failed = true;
                }
            }
        }
    }
    if failed {
        return Err(Explained);
    }
    levels.extend(cli);
    Ok(levels)
}

/// Read one `detwiki.toml`.
fn from_file(path: &Path) -> Result<BTreeMap<Code, LintLevel>, Explained> {
    let shown = path.display().to_string();
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: {shown}: cannot read: {e}");
            return Err(Explained);
        }
    };
    let (levels, problems) = levels_in(&text);
    if problems.is_empty() {
        return Ok(levels);
    }
    // Shown as lint shows findings: file:line:col, the line with a caret, the help.
    let mut sources = SourceMap::new();
    let id = sources.add(shown, text.as_str());
    let problems: Vec<Diagnostic> = problems.into_iter().map(|d| d.in_file(id)).collect();
    crate::render::eprint(&problems, &sources);
    Err(Explained)
}

/// The levels a `detwiki.toml` text sets, and its problems (`config-…` diagnostics, in no file).
fn levels_in(text: &str) -> (BTreeMap<Code, LintLevel>, Vec<Diagnostic>) {
    let mut problems: Vec<Diagnostic> = Vec::new();
    let mut report = |code: Code, message: String, span: Option<Span>, help: &str| {
        let d = Diagnostic::new(code, format!("{FILE_NAME}: {message}"), span);
        problems.push(if help.is_empty() { d } else { d.with_help(help) });
    };
    let mut levels = BTreeMap::new();
    match toml::from_str::<File>(text) {
        Ok(file) => {
            for (list, level) in [(&file.lint.allow, LintLevel::Allow), (&file.lint.deny, LintLevel::Deny)] {
                for c in list {
                    let span = Some(Span::new(c.span().start, c.span().end));
                    match check(c.get_ref(), level) {
                        Ok(code) => {
                            if levels.insert(code, level).is_some_and(|before| before != level) {
                                report(
                                    Code::ConfigConflictingLevels,
                                    format!("`{}` is both allowed and denied", c.get_ref()),
                                    span,
                                    "keep it in one of the two lists",
                                );
                            }
                        }
                        Err((code, why)) => report(code, why, span, ""),
                    }
                }
            }
        }
        Err(e) => {
            let span = e.span().map(|r| Span::new(r.start, r.end));
            report(
                Code::ConfigInvalid,
                e.message().trim_end().to_string(),
                span,
                "the file holds `[lint]` with `allow = [\"code\", …]` and `deny = [\"code\", …]`",
            );
        }
    }
    (levels, problems)
}

/// A code the user named, for `level`; `Err` says why it cannot be (with the `config-…` code
/// of the problem, for `detwiki.toml`).
fn check(name: &str, level: LintLevel) -> Result<Code, (Code, String)> {
    let Some(code) = Code::LINT.iter().copied().find(|c| c.as_str() == name) else {
        let names = Code::LINT.iter().map(|c| c.as_str());
        let why = match did_you_mean(name, names.clone()) {
            Some(m) => format!("unknown lint code `{name}`; did you mean `{m}`?"),
            None => format!(
                "unknown lint code `{name}`; the codes are: {} (docs/lint-codes.md)",
                names.collect::<Vec<_>>().join(", ")
            ),
        };
        return Err((Code::ConfigUnknownCode, why));
    };
    if level == LintLevel::Allow && code.severity() == Severity::Error {
        return Err((
            Code::ConfigAllowedError,
            format!(
                "`{name}` is an error (the rule cannot be used as written, and `hunt` skips it); \
                 only warnings can be allowed"
            ),
        ));
    }
    Ok(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(text: &str) -> Vec<Code> {
        levels_in(text).1.iter().map(|d| d.code).collect()
    }

    #[test]
    fn each_kind_of_problem_has_its_code_and_span() {
        assert_eq!(codes("[lint]\nallow = [\"x\"\n"), [Code::ConfigInvalid]);
        assert_eq!(codes("[lint]\nalow = []\n"), [Code::ConfigInvalid]);
        assert_eq!(codes("[lint]\ndeny = [\"unused-identifer\"]\n"), [Code::ConfigUnknownCode]);
        assert_eq!(codes("[lint]\nallow = [\"unknown-modifier\"]\n"), [Code::ConfigAllowedError]);
        let both = "[lint]\nallow = [\"unused-identifier\"]\ndeny = [\"unused-identifier\"]\n";
        assert_eq!(codes(both), [Code::ConfigConflictingLevels]);
        let (_, problems) = levels_in(both);
        let span = problems[0].span.expect("at the second mention");
        assert_eq!(&both[span.start..span.end], "\"unused-identifier\"");
        assert_eq!(span.start, both.rfind('"').unwrap() - "unused-identifier".len() - 1);
        let (levels, problems) = levels_in("[lint]\nallow = [\"unused-identifier\"]\n");
        assert!(problems.is_empty());
        assert_eq!(levels.get(&Code::UnusedIdentifier), Some(&LintLevel::Allow));
    }
}
