//! The rule languages the catalog reads: one registry, [`LANGUAGES`].
//!
//! Each language is a [`Language`]: its name (the rule JSON's `language`), the file extensions
//! it claims, and a front end that turns one file's text into the catalog's rule model
//! ([`ModelFile`]: [`ModelRule`]s plus diagnostics). Whether a claimed file really is a rule is
//! the front end's call, from its content (an Elastic `.toml` without `[rule]` is a
//! `not-a-rule` finding, as a Sigma `.yml` without `detection:`/`correlation:`/`filter:` is).
//!
//! Sigma is the catalog's own language (its analysis lives in this crate: `analysis`,
//! `stages`, `indicators`), so its entry has no front end function. Adding a language: write
//! its module (here, or a crate it calls) with a `pub const LANGUAGE: Language`, and add one
//! line to [`LANGUAGES`].
//!
//! A language may bring a syntax highlighter for its rule files ([`Language::highlight`]:
//! classified byte ranges of the text, [`Highlight`]); the site escapes the text and wraps the
//! ranges, so it needs no knowledge of the language. Sigma has none: the site highlights YAML.
//!
//! A file no language claims is reported as `unknown-format`, except documentation files that
//! rule repositories carry beside their rules (`.md`, `.txt`, `LICENSE`, `NOTICE`, dot-files),
//! which are not rules of any language and are left out.

pub mod chronicle;
pub mod elastic;

use std::path::Path;

use detwiki_sigma::{Diagnostic, Level, Spanned, Status};

use crate::analysis::{EventMapping, EventRow};
use crate::indicators::IndicatorRow;
use crate::stages::Stage;

/// A front end: a file's text and its path relative to its corpus → the rule model.
pub type ReadFn = fn(text: &str, rel_path: &str) -> ModelFile;

/// A highlighter: a rule file's text → its classified ranges, sorted and disjoint.
pub type HighlightFn = fn(text: &str) -> Vec<Highlight>;

/// What a highlighted range of a rule file is. Query languages inside a rule file (Elastic's
/// KQL, EQL, ES|QL) use the same classes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HighlightClass {
    /// A key of the file format (`name`, `rule_id`).
    Key,
    /// A table or section header (`[rule]`, `[[rule.threat]]`).
    Table,
    /// A string.
    String,
    /// A number, date or duration.
    Number,
    /// `true`, `false`.
    Bool,
    /// A comment.
    Comment,
    /// A field name in a query.
    Field,
    /// A keyword of a query (`where`, `and`, `by`).
    Keyword,
    /// A pipeline command (`FROM`, `WHERE`, `STATS`, `head`).
    Command,
    /// An operator (`==`, `:`, `<`).
    Operator,
    /// A function name.
    Function,
    /// A pipe between commands.
    Pipe,
    /// A data source of a query (an index pattern).
    Source,
}

/// One classified byte range of a rule file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// First byte.
    pub start: usize,
    /// One past the last byte.
    pub end: usize,
    /// What it is.
    pub class: HighlightClass,
}

/// One rule language.
#[derive(Debug)]
pub struct Language {
    /// The name in JSON and filters (`sigma`, `elastic`).
    pub name: &'static str,
    /// The name on pages (`Sigma`, `Elastic`).
    pub title: &'static str,
    /// File extensions it claims, without the dot.
    pub extensions: &'static [&'static str],
    /// Its front end; `None` for Sigma, which the catalog analyses itself.
    pub read: Option<ReadFn>,
    /// Its highlighter for rule pages; `None` for Sigma, whose YAML the site highlights.
    pub highlight: Option<HighlightFn>,
}

/// Sigma: YAML rule files.
pub const SIGMA: Language =
    Language { name: "sigma", title: "Sigma", extensions: &["yml", "yaml"], read: None, highlight: None };

/// Every language the catalog reads, in the order pages list them.
pub static LANGUAGES: &[Language] = &[SIGMA, elastic::LANGUAGE, chronicle::LANGUAGE];

/// The language that claims `path` by its extension.
pub fn of_path(path: &Path) -> Option<&'static Language> {
    let ext = path.extension()?.to_str()?;
    LANGUAGES.iter().find(|l| l.extensions.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}

/// The language named `name`.
pub fn by_name(name: &str) -> Option<&'static Language> {
    LANGUAGES.iter().find(|l| l.name == name)
}

/// Documentation that rule repositories keep beside rules: never a rule, never reported.
pub fn is_documentation(path: &Path) -> bool {
    let Some(file) = path.file_name().and_then(|n| n.to_str()) else { return false };
    let upper = file.to_ascii_uppercase();
    file.starts_with('.')
        || ["LICENSE", "NOTICE", "README", "CHANGELOG", "COPYING"].iter().any(|p| upper.starts_with(p))
        || path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
            ["md", "txt", "rst", "adoc", "png", "jpg", "svg"].iter().any(|d| e.eq_ignore_ascii_case(d))
        })
}

/// What a front end made of one file.
#[derive(Clone, Debug, Default)]
pub struct ModelFile {
    /// The rules it holds (none when it is no rule).
    pub rules: Vec<ModelRule>,
    /// Findings about the file as a whole (spans into its text).
    pub diagnostics: Vec<Diagnostic>,
}

/// One rule in the catalog's model: what every language has, plus its "Details".
#[derive(Clone, Debug, Default)]
pub struct ModelRule {
    /// Rule id with its span.
    pub id: Option<Spanned<String>>,
    /// Title.
    pub title: Option<String>,
    /// Description.
    pub description: Option<String>,
    /// Authors, joined.
    pub author: Option<String>,
    /// Creation date (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// Last modification date.
    pub modified: Option<String>,
    /// Level.
    pub level: Option<Level>,
    /// Status.
    pub status: Option<Status>,
    /// Tags as written.
    pub tags: Vec<String>,
    /// ATT&CK as Sigma-style tags (`attack.t1112`, `attack.defense-evasion`), each with the span
    /// of what the file wrote, so the ATT&CK findings point at it.
    pub attack_tags: Vec<Spanned<String>>,
    /// References.
    pub references: Vec<String>,
    /// False positives.
    pub falsepositives: Vec<String>,
    /// Related rules by id (a converted rule's original), resolved like Sigma's `related:`.
    pub related: Vec<crate::RelatedRef>,
    /// Event coverage rows.
    pub events: Vec<EventRow>,
    /// How events were determined.
    pub event_mapping: Option<EventMapping>,
    /// Stages and predicates.
    pub stages: Vec<Stage>,
    /// Indicators (corpus counts are filled in by the catalog).
    pub indicators: Vec<IndicatorRow>,
    /// What only this language has, as ordered key → value pairs.
    pub details: Vec<(String, String)>,
    /// Findings about this rule (spans into the file).
    pub diagnostics: Vec<Diagnostic>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_are_found_by_extension_and_name() {
        assert_eq!(of_path(Path::new("a/b.yml")).unwrap().name, "sigma");
        assert_eq!(of_path(Path::new("a/b.YAML")).unwrap().name, "sigma");
        assert_eq!(of_path(Path::new("a/b.toml")).unwrap().name, "elastic");
        assert!(of_path(Path::new("a/b.json")).is_none());
        assert_eq!(by_name("elastic").unwrap().title, "Elastic");
        assert!(is_documentation(Path::new("rules/README.md")));
        assert!(is_documentation(Path::new("LICENSE.txt")));
        assert!(is_documentation(Path::new("x/.gitkeep")));
        assert!(!is_documentation(Path::new("x/rule.json")));
    }
}
