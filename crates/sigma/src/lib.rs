//! # detwiki-sigma: Sigma rule files → typed rules with spans and diagnostics
//!
//! ```text
//! bytes ──utf-8, size──▶ yaml (spanned nodes, bounded aliases/depth)
//!       ──▶ parse (metadata, logsource, detection, modifiers, values)
//!       ──▶ condition (grammar, identifier resolution)
//!       ──▶ SigmaFile { documents: [Rule | Filter | Correlation], diagnostics }
//! ```
//!
//! This crate is the first stage of detwiki: it reads what it is given (no
//! file-system walking, no HTML, no events) and never panics on any input.
//! Everything wrong with a file becomes a [`Diagnostic`] with a stable
//! [`Code`], a byte [`Span`], a message and help; the rest of the file is
//! still returned.
//!
//! ```
//! use detwiki_sigma::{parse_str, Document};
//!
//! let file = parse_str(
//!     "title: Whoami\nlogsource:\n  category: process_creation\n  product: windows\n\
//!      detection:\n  selection:\n    Image|endswith: '\\whoami.exe'\n  condition: selection\n",
//! );
//! assert!(file.diagnostics.is_empty());
//! let Document::Rule(rule) = &file.documents[0] else { panic!() };
//! assert_eq!(rule.detection.identifiers[0].name, "selection");
//! ```
//!
//! Authorities: the Sigma specification v2.1 (SigmaHQ/sigma-specification);
//! where it and pySigma disagree, pySigma, with a note at the place.

pub mod condition;
pub mod diagnostic;
pub mod lint;
pub mod modifier;
mod parse;
pub mod rule;
pub mod span;
pub mod value;
pub mod yaml;

pub use diagnostic::{Code, Diagnostic, Severity};
pub use modifier::Modifier;
pub use parse::{TAG_NAMESPACES, is_cidr, parse_timespan};
pub use rule::*;
pub use span::{LineCol, LineIndex, Span};
pub use yaml::Limits;

/// The result of reading one file: every document that could be understood,
/// and every finding.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct SigmaFile {
    /// Rules, filters and correlations, in file order.
    pub documents: Vec<Document>,
    /// Findings, in the order they were made.
    pub diagnostics: Vec<Diagnostic>,
}

impl SigmaFile {
    /// True if any finding is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }
}

/// Parse rule-file text with the default [`Limits`].
pub fn parse_str(text: &str) -> SigmaFile {
    parse_str_with(text, &Limits::default())
}

/// Parse rule-file text.
pub fn parse_str_with(text: &str, limits: &Limits) -> SigmaFile {
    let mut ctx = parse::Ctx { text, diags: Vec::new() };
    let documents = match yaml::parse_documents(text, limits) {
        Ok(docs) => parse::documents(&mut ctx, docs),
        Err(e) => {
            ctx.diags.push(yaml_diagnostic(&e));
            Vec::new()
        }
    };
    SigmaFile { documents, diagnostics: ctx.diags }
}

/// Parse a file's raw bytes: checks the size limit and UTF-8 first.
pub fn parse_bytes(bytes: &[u8], limits: &Limits) -> SigmaFile {
    if bytes.len() > limits.max_file_size {
        let e = yaml::YamlError::TooLarge { size: bytes.len(), limit: limits.max_file_size };
        return SigmaFile { documents: Vec::new(), diagnostics: vec![yaml_diagnostic(&e)] };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_str_with(text.strip_prefix('\u{feff}').unwrap_or(text), limits),
        Err(e) => {
            let at = e.valid_up_to();
            let d = Diagnostic::new(
                Code::InvalidUtf8,
                format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                Some(Span::new(at, at + 1)),
            )
            .with_help("save the rule as UTF-8");
            SigmaFile { documents: Vec::new(), diagnostics: vec![d] }
        }
    }
}

fn yaml_diagnostic(e: &yaml::YamlError) -> Diagnostic {
    use yaml::YamlError::*;
    let (code, help) = match e {
        TooLarge { .. } => (Code::FileTooLarge, "Sigma rules are small text files; check that this is a rule"),
        Syntax { .. } => (Code::YamlSyntax, "fix the YAML syntax at this position (indentation, quotes, colons)"),
        TooDeep { .. } => (Code::YamlTooDeep, "Sigma rules need only a few levels of nesting"),
        AliasLimit { .. } => (Code::YamlAlias, "write the values out instead of expanding aliases this much"),
        UnknownAnchor { .. } => (Code::YamlAlias, "define the anchor (`&name`) before using the alias (`*name`)"),
    };
    Diagnostic::new(code, e.to_string(), e.span()).with_help(help)
}
