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
//! allowed and denied at one level, and allowing a code that is an error are usage errors.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use detwiki_sigma::diagnostic::did_you_mean;
use detwiki_sigma::{Code, Severity, Span};
use serde::Deserialize;

use crate::render::human::{Message, stderr_color, write_message};

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
                Err(why) => {
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
    let report = |message: &str, span: Option<Span>, help: &str| {
        let m = Message { severity: Severity::Error, message, path: shown.clone(), text: &text, span, help };
        let _ = write_message(&mut std::io::stderr().lock(), &m, stderr_color());
    };
    let file: File = match toml::from_str(&text) {
        Ok(f) => f,
        Err(e) => {
            let span = e.span().map(|r| Span::new(r.start, r.end));
            report(
                &format!("{FILE_NAME}: {}", e.message().trim_end()),
                span,
                "the file holds `[lint]` with `allow = [\"code\", …]` and `deny = [\"code\", …]`",
            );
            return Err(Explained);
        }
    };
    let mut levels = BTreeMap::new();
    let mut failed = false;
    for (list, level) in [(&file.lint.allow, LintLevel::Allow), (&file.lint.deny, LintLevel::Deny)] {
        for c in list {
            let span = Some(Span::new(c.span().start, c.span().end));
            match check(c.get_ref(), level) {
                Ok(code) => {
                    if levels.insert(code, level).is_some_and(|before| before != level) {
                        report(
                            &format!("{FILE_NAME}: `{}` is both allowed and denied", c.get_ref()),
                            span,
                            "keep it in one of the two lists",
                        );
                        failed = true;
                    }
                }
                Err(why) => {
                    report(&format!("{FILE_NAME}: {why}"), span, "");
                    failed = true;
                }
            }
        }
    }
    if failed { Err(Explained) } else { Ok(levels) }
}

/// A code the user named, for `level`; `Err` says why it cannot be.
fn check(name: &str, level: LintLevel) -> Result<Code, String> {
    let Some(code) = Code::ALL.iter().copied().find(|c| c.as_str() == name) else {
        let names = Code::ALL.iter().map(|c| c.as_str());
        return Err(match did_you_mean(name, names.clone()) {
            Some(m) => format!("unknown lint code `{name}`; did you mean `{m}`?"),
            None => format!(
                "unknown lint code `{name}`; the codes are: {} (docs/lint-codes.md)",
                names.collect::<Vec<_>>().join(", ")
            ),
        });
    };
    if level == LintLevel::Allow && code.severity() == Severity::Error {
        return Err(format!(
            "`{name}` is an error (the rule cannot be used as written, and `hunt` skips it); \
             only warnings can be allowed"
        ));
    }
    Ok(code)
}
