//! Findings about Elastic rule files: a stable [`Code`], a severity, a message that says what
//! is wrong, the span it is about (a byte range of the file), and help that says what to do.
//!
//! The shape is `detwiki-sigma`'s `Diagnostic`, so the catalog shows both the same way; the
//! codes are this front end's own.

use serde::Serialize;

use crate::span::Span;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The rule is questionable but usable.
    Warning,
    /// The rule is wrong: it cannot be used as written.
    Error,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

macro_rules! codes {
    ($( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $sev:ident; )*) => {
        /// Stable identifier of a kind of finding, named after the problem (kebab-case).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The kebab-case name shown to users (`query-syntax`).
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity this finding has.
            pub fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$sev,)* }
            }

            /// One line describing the problem, for documentation.
            pub fn summary(self) -> &'static str {
                match self { $(Code::$variant => concat!($($doc),*).trim_ascii(),)* }
            }
        }
    };
}

codes! {
    /// The file is larger than the size limit.
    FileTooLarge = "file-too-large", Error;
    /// The file is not valid UTF-8.
    InvalidUtf8 = "invalid-utf8", Error;
    /// The TOML is malformed.
    TomlSyntax = "toml-syntax", Error;
    /// The file has no `[rule]` table: it is not an Elastic rule.
    NotARule = "not-a-rule", Error;
    /// A required field is missing.
    MissingField = "missing-field", Error;
    /// A field has the wrong TOML type.
    InvalidFieldType = "invalid-field-type", Error;
    /// A field's value is not one Elastic defines.
    InvalidFieldValue = "invalid-field-value", Error;
    /// A query language this front end does not parse (`lucene`): the query is kept as text.
    UnsupportedLanguage = "unsupported-language", Warning;
    /// The query does not parse.
    QuerySyntax = "query-syntax", Error;
    /// The query nests deeper, or is longer, than the parser accepts.
    QueryTooComplex = "query-too-complex", Error;
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// A secondary location with its own short note.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What is there.
    pub message: String,
}

/// One finding about one file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// Stable code.
    pub code: Code,
    /// Severity (normally the code's).
    pub severity: Severity,
    /// What is wrong, in a short phrase.
    pub message: String,
    /// The primary location in the file, when there is one.
    pub span: Option<Span>,
    /// Further locations.
    pub labels: Vec<Label>,
    /// What to do about it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding with the code's own severity.
    pub fn new(code: Code, message: impl Into<String>, span: Option<Span>) -> Self {
        Self { code, severity: code.severity(), message: message.into(), span, labels: Vec::new(), help: None }
    }

    /// Add help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Add a secondary label.
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }

    /// True for errors.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case_with_a_summary() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {c}");
            assert!(c.as_str().chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'), "{c}");
            assert!(!c.summary().is_empty());
        }
    }
}
