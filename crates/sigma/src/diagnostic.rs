//! Findings about rule files: a stable [`Code`], a severity, a message that
//! says what is wrong, the span it is about, and help that says what to do.

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
        /// Stable identifier of a kind of finding, named after the problem
        /// (kebab-case, like `unknown-modifier`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[doc = $doc])* $variant, )*
        }

        impl Code {
            /// Every code, in documentation order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The kebab-case name shown to users (`unknown-modifier`).
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
    /// The file could not be read.
    Io = "io-error", Error;
    /// The file is larger than the size limit.
    FileTooLarge = "file-too-large", Error;
    /// The file is not valid UTF-8.
    InvalidUtf8 = "invalid-utf8", Error;
    /// The YAML is malformed.
    YamlSyntax = "yaml-syntax", Error;
    /// The YAML nests deeper than the limit.
    YamlTooDeep = "yaml-too-deep", Error;
    /// YAML aliases expand to more nodes than the limit, or name an unknown anchor.
    YamlAlias = "yaml-alias", Error;
    /// A mapping repeats a key; YAML loaders keep only one of them.
    DuplicateKey = "duplicate-key", Error;
    /// The file holds no YAML document.
    EmptyFile = "empty-file", Error;
    /// A document is not a mapping, or is neither a rule, a filter nor a correlation.
    NotARule = "not-a-rule", Error;
    /// A required field is missing.
    MissingField = "missing-field", Error;
    /// A field has the wrong YAML type.
    InvalidFieldType = "invalid-field-type", Error;
    /// A field's value is not one the specification allows.
    InvalidFieldValue = "invalid-field-value", Error;
    /// The rule id is not a UUID.
    InvalidId = "invalid-id", Warning;
    /// A date is not in the `YYYY-MM-DD` form.
    InvalidDate = "invalid-date", Warning;
    /// Two rules share one id.
    DuplicateRuleId = "duplicate-rule-id", Error;
    /// A tag is not of the form `namespace.value`, or its value is malformed.
    InvalidTag = "invalid-tag", Warning;
    /// A tag namespace that the specification does not define.
    UnknownTagNamespace = "unknown-tag-namespace", Warning;
    /// The same tag appears twice.
    DuplicateTag = "duplicate-tag", Warning;
    /// The logsource names no product, category or service.
    EmptyLogsource = "empty-logsource", Error;
    /// The detection section is malformed.
    InvalidDetection = "invalid-detection", Error;
    /// A search identifier matches nothing (empty map or list).
    EmptySearchIdentifier = "empty-search-identifier", Error;
    /// The condition does not parse.
    ConditionSyntax = "condition-syntax", Error;
    /// The condition uses legacy aggregation (`| count() …`) or `near`.
    LegacyAggregation = "legacy-aggregation", Error;
    /// The condition uses `any of` or `N of`, which peers accept but the specification does not define.
    NonstandardQuantifier = "nonstandard-quantifier", Warning;
    /// The condition names a search identifier that is not defined.
    UndefinedIdentifier = "undefined-identifier", Error;
    /// A quantifier pattern (`1 of filter_*`) matches no search identifier.
    UnmatchedPattern = "unmatched-pattern", Error;
    /// A search identifier is never used by the condition.
    UnusedIdentifier = "unused-identifier", Warning;
    /// A value modifier that the specification does not define.
    UnknownModifier = "unknown-modifier", Error;
    /// Modifiers that cannot be combined, or in an order that cannot work.
    InvalidModifierCombination = "invalid-modifier-combination", Error;
    /// A value that the modifier cannot take (a bad regex, network, number …).
    InvalidModifierValue = "invalid-modifier-value", Error;
    /// `|all` on a single value, where it changes nothing.
    AllWithSingleValue = "all-with-single-value", Warning;
    /// A value list mixes types (numbers and strings, …).
    MixedValueTypes = "mixed-value-types", Warning;
    /// `null` inside a value list, which the specification forbids.
    NullInList = "null-in-list", Error;
    /// `|expand` on a value that has no `%name%` placeholder.
    ExpandWithoutPlaceholder = "expand-without-placeholder", Warning;
    /// A regex uses look-around or backreferences, which linear-time engines cannot run.
    UnsupportedRegex = "unsupported-regex", Warning;
    /// A legacy `action:` document (`global`, `reset`, `repeat`).
    LegacyMultiDocument = "legacy-multi-document", Warning;
    /// A correlation rule is malformed.
    InvalidCorrelation = "invalid-correlation", Error;
    /// A filter rule is malformed.
    InvalidFilter = "invalid-filter", Error;
    /// A tactic tag with none of the rule's techniques under it in ATT&CK.
    TacticWithoutTechnique = "tactic-without-technique", Warning;
    /// A technique tag none of whose ATT&CK tactics the rule tags.
    TechniqueWithoutTactic = "technique-without-tactic", Warning;
    /// A technique tag that ATT&CK has revoked, deprecated or retired.
    OutdatedTechnique = "outdated-technique", Warning;
    /// An `attack.` tag naming no tactic, technique, group, software or data source ATT&CK knows.
    UnknownAttackTag = "unknown-attack-tag", Warning;
    /// The logsource has no known event mapping: nothing says which events the rule needs.
    UnmappedLogsource = "unmapped-logsource", Warning;
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
    /// The primary location, when there is one.
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

/// Edit distance, for "did you mean" help.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// The closest of `candidates` to `word`, if it is close enough to be a typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word = word.to_ascii_lowercase();
    candidates
        .into_iter()
        .map(|c| (levenshtein(&word, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 4) && *d < c.len())
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// The table of every code for `docs/lint-codes.md` (kept in sync by a test).
pub fn codes_markdown() -> String {
    let mut s = String::from(
        "# Lint codes\n\nEvery finding of `detwiki lint` has one of these stable codes. \
         Errors make `lint` exit with 1; warnings do not.\n\n\
         A warning code can be silenced or raised to an error, on the command line or in a \
         `detwiki.toml` in the current folder or a parent (the command line wins, code by code):\n\n\
         ```sh\n\
         detwiki lint --allow tactic-without-technique --deny unused-identifier rules/\n\
         ```\n\n\
         ```toml\n\
         [lint]\n\
         allow = [\"tactic-without-technique\"]  # hidden; counted as \"N allowed\" in the summary\n\
         deny = [\"unused-identifier\"]          # reported as an error: lint exits 1\n\
         ```\n\n\
         An unknown code, a code both allowed and denied, allowing an error code (the rule cannot be \
         used as written: `hunt` skips it) and a malformed `detwiki.toml` are usage errors (exit 2), \
         the file's with its line and column.\n\n\
         <!-- generated from crates/sigma/src/diagnostic.rs by `UPDATE_DOCS=1 cargo test -p detwiki-sigma --test docs` -->\n\n\
         | code | severity | what it means |\n|---|---|---|\n",
    );
    for c in Code::ALL {
        s.push_str(&format!("| `{}` | {} | {} |\n", c.as_str(), c.severity().as_str(), c.summary()));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "duplicate {c}");
            assert!(c.as_str().chars().all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit() || ch == '-'), "{c}");
            assert!(!c.summary().is_empty());
        }
    }

    #[test]
    fn did_you_mean_finds_typos() {
        assert_eq!(did_you_mean("contians", ["contains", "startswith", "endswith"]), Some("contains"));
        assert_eq!(did_you_mean("xyz", ["contains", "startswith"]), None);
    }
}
