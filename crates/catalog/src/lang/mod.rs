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
//! Several languages share an extension (Sigma, Splunk, Kusto, Panther and Sublime rules are all
//! `.yml`/`.yaml`): [`detect`] asks each claimant's [`Language::sniff`] in registry order, and a
//! file none of them recognises goes to the first claimant (Sigma, for YAML), whose parser
//! then says what is wrong with it. A front end is given the file's path on disk
//! ([`FileCtx`]), so it can read the repository around it (Splunk's macros, Panther's Python);
//! files it reads only as such support are [`ModelFile::support`]: neither rules nor findings.
//!
//! A file no language claims is reported as `unknown-format`, except documentation files that
//! rule repositories carry beside their rules (`.md`, `.txt`, `LICENSE`, `NOTICE`, dot-files),
//! which are not rules of any language and are left out.

pub mod chronicle;
pub mod elastic;
pub mod kusto;
pub mod panther;
pub mod splunk;
pub mod sublime;

use std::path::Path;

use detwiki_sigma::{Diagnostic, Level, Spanned, Status};

use crate::analysis::{EventMapping, EventRow};
use crate::indicators::IndicatorRow;
use crate::stages::Stage;

/// Where a file a front end reads lives.
#[derive(Clone, Copy, Debug)]
pub struct FileCtx<'a> {
    /// The path relative to its corpus, with `/` separators (diagnostics and ids use it).
    pub rel_path: &'a str,
    /// The file on disk as found, so a front end can look at its repository (files beside it,
    /// folders above it). Front ends called on text alone get a path that may not exist.
    pub path: &'a Path,
}

/// A front end: a file's text and where it lives → the rule model.
pub type ReadFn = fn(text: &str, file: &FileCtx<'_>) -> ModelFile;

/// A content check: is this file (text, path as found with `/` separators) one of this
/// language's? It runs on every file of a shared extension (every `.yml` of a Sigma
/// corpus), so it looks at top-level keys only and answers fast.
pub type SniffFn = fn(text: &str, path: &str) -> bool;

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
    /// Whether a file of a shared extension is this language's ([`detect`]); `None`: every
    /// file of its extensions is.
    pub sniff: Option<SniffFn>,
    /// Whether its rules map to MITRE ATT&CK at all (Sublime's do not: they have a taxonomy of
    /// their own); pages say so instead of "no technique tagged".
    pub attack: bool,
}

/// Sigma: YAML rule files.
pub const SIGMA: Language = Language {
    name: "sigma",
    title: "Sigma",
    extensions: &["yml", "yaml"],
    read: None,
    highlight: None,
    sniff: Some(sniff_sigma),
    attack: true,
};

/// A Sigma file has a top-level `detection:`, `correlation:` or `filter:` (any file of its
/// extensions no other language recognises is read as Sigma all the same, see [`detect`]).
fn sniff_sigma(text: &str, _path: &str) -> bool {
    ["detection:", "correlation:", "filter:"].iter().any(|k| has_top_level_key(text, k))
}

/// Whether `text` has a line that starts (at column 0) with `key` (`"detection:"`): a YAML
/// document's top-level key, found without parsing.
pub fn has_top_level_key(text: &str, key: &str) -> bool {
    text.starts_with(key) || text.match_indices(key).any(|(i, _)| i > 0 && text.as_bytes()[i - 1] == b'\n')
}

/// Every language the catalog reads, in the order pages list them.
pub static LANGUAGES: &[Language] = &[
    SIGMA,
    elastic::LANGUAGE,
    splunk::LANGUAGE,
    kusto::LANGUAGE,
    panther::LANGUAGE,
    sublime::LANGUAGE,
    chronicle::LANGUAGE,
];

/// The first language that claims `path` by its extension (whether the file is that
/// language's, or another's of the same extension, is [`detect`]'s call).
pub fn of_path(path: &Path) -> Option<&'static Language> {
    claimants(path).next()
}

fn claimants(path: &Path) -> impl Iterator<Item = &'static Language> {
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
    LANGUAGES.iter().filter(move |l| !ext.is_empty() && l.extensions.iter().any(|e| e.eq_ignore_ascii_case(ext)))
}

/// The language of the file at `path` with this text: the first claimant of its extension
/// whose [`Language::sniff`] recognises it, otherwise the first claimant; `None` when no
/// language claims the extension.
pub fn detect(path: &Path, text: &str) -> Option<&'static Language> {
    let shown = path.to_string_lossy();
    let shown = shown.replace('\\', "/");
    let mut first = None;
    for l in claimants(path) {
        first.get_or_insert(l);
        if l.sniff.is_none_or(|sniff| sniff(text, &shown)) {
            return Some(l);
        }
    }
    first
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
        || chronicle::is_reference_list(path)
}

/// What a front end made of one file.
#[derive(Clone, Debug, Default)]
pub struct ModelFile {
    /// The rules it holds (none when it is no rule).
    pub rules: Vec<ModelRule>,
    /// Findings about the file as a whole (spans into its text).
    pub diagnostics: Vec<Diagnostic>,
    /// The file belongs to the language's repository as support, not as a rule (Splunk's
    /// macros and data sources, Panther's Python and data models): no rule, no finding.
    pub support: bool,
}

/// A section of a rule page that only some languages have, more than a key/value of
/// [`ModelRule::details`] (Splunk's "How to implement", Panther's tests).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Section {
    /// Its heading.
    pub title: String,
    /// What it shows.
    pub body: SectionBody,
}

/// What a [`Section`] shows; the site escapes all of it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum SectionBody {
    /// Prose (paragraphs separated by blank lines).
    Text {
        /// The text.
        text: String,
    },
    /// A bulleted list.
    List {
        /// The items.
        items: Vec<String>,
    },
    /// Code or data shown as written (`language` names it: `json`, `python`, `spl`).
    Code {
        /// What it is written in.
        language: String,
        /// The text.
        text: String,
    },
    /// A table.
    Table {
        /// Column headings.
        header: Vec<String>,
        /// Rows, each as long as `header`.
        rows: Vec<Vec<String>>,
    },
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
    /// Sections of the rule page only this language has.
    pub sections: Vec<Section>,
    /// Related rules by id (a conversion's original), resolved by the catalog as Sigma's
    /// `related:` are.
    pub related: Vec<crate::RelatedRef>,
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
        assert_eq!(detect(Path::new("a/b.yml"), "title: x\ndetection:\n").unwrap().name, "sigma");
        assert_eq!(detect(Path::new("a/b.yml"), "title: x\n").unwrap().name, "sigma", "the fallback of YAML");
        assert_eq!(detect(Path::new("a/b.toml"), "").unwrap().name, "elastic");
        assert!(detect(Path::new("a/b"), "detection:").is_none());
        assert!(has_top_level_key("a: 1\nsearch: x", "search:"));
        assert!(!has_top_level_key("a:\n  search: x", "search:"));
        assert_eq!(by_name("elastic").unwrap().title, "Elastic");
        assert!(is_documentation(Path::new("rules/README.md")));
        assert!(is_documentation(Path::new("LICENSE.txt")));
        assert!(is_documentation(Path::new("x/.gitkeep")));
        assert!(!is_documentation(Path::new("x/rule.json")));
        assert!(is_documentation(Path::new("community/reference_lists/hacktool_regex")));
    }
}
