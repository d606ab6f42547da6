//! Stable codes: every kind of problem detwiki reports, grouped by the kind of file it is about
//! ([`Domain`]), each with a default [`Severity`] and a one-line summary for the documentation.

use serde::Serialize;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is questionable but usable.
    Warning,
    /// The input is wrong: it cannot be used as written.
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
    ($(
        $(#[doc = $ddoc:literal])*
        $domain:ident {
            $( $(#[doc = $doc:literal])* $variant:ident = $name:literal, $sev:ident; )*
        }
    )*) => {
        /// The kind of file a [`Code`] is about.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Domain {
            $( $(#[doc = $ddoc])* $domain, )*
        }

        impl Domain {
            /// Every domain, in documentation order.
            pub const ALL: &'static [Domain] = &[$(Domain::$domain),*];

            /// The codes of this domain, in documentation order.
            pub const fn codes(self) -> &'static [Code] {
                match self { $(Domain::$domain => &[$(Code::$variant),*],)* }
            }
        }

        /// Stable identifier of a kind of finding, named after the problem
        /// (kebab-case, like `unknown-modifier`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $( $(#[doc = $doc])* $variant, )* )*
        }

        impl Code {
            /// Every code of every domain, in documentation order.
            pub const ALL: &'static [Code] = &[$($(Code::$variant,)*)*];

            /// The kebab-case name shown to users (`unknown-modifier`).
            pub fn as_str(self) -> &'static str {
                match self { $($(Code::$variant => $name,)*)* }
            }

            /// The severity this finding has.
            pub fn severity(self) -> Severity {
                match self { $($(Code::$variant => Severity::$sev,)*)* }
            }

            /// The kind of file it is about.
            pub fn domain(self) -> Domain {
                match self { $($(Code::$variant => Domain::$domain,)*)* }
            }

            /// One line describing the problem, for documentation.
            pub fn summary(self) -> &'static str {
                match self { $($(Code::$variant => concat!($($doc),*).trim_ascii(),)*)* }
            }
        }
    };
}

impl Domain {
    /// True for [`Domain::Rule`]: the codes `lint` reports, names in titles
    /// (`error[unknown-modifier]: …`), lists in SARIF, and lets `--allow`/`--deny` set.
    /// The other domains' problems stop the command that reads the file; their titles are
    /// the message alone.
    pub const fn is_lint(self) -> bool {
        matches!(self, Domain::Rule)
    }

    /// A heading for the documentation.
    pub fn title(self) -> &'static str {
        match self {
            Domain::Rule => "Rule files (`detwiki lint`)",
            Domain::Pipeline => "Processing pipelines (`detwiki hunt --pipeline`)",
            Domain::Placeholders => "Placeholders files (`detwiki hunt --placeholders`)",
            Domain::Config => "`detwiki.toml`",
        }
    }
}

impl Code {
    /// The codes of rule files: what `lint` reports ([`Domain::is_lint`]).
    pub const LINT: &'static [Code] = Domain::Rule.codes();
}

codes! {
    /// Rule files (Sigma YAML, Elastic TOML): what `detwiki lint` reports, and what makes `hunt` skip a file's rules.
    Rule {
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
        /// The TOML of an Elastic rule file is malformed.
        TomlSyntax = "toml-syntax", Error;
        /// A query language that detwiki does not parse (Elastic `lucene`): the query is kept as text.
        UnsupportedLanguage = "unsupported-language", Warning;
        /// A rule's query (an Elastic rule's KQL, EQL or ESQL) does not parse.
        QuerySyntax = "query-syntax", Error;
        /// A rule's query nests deeper, or is longer, than the parser accepts.
        QueryTooComplex = "query-too-complex", Error;
        // Chronicle YARA-L (`crates/chronicle`).
        /// A Chronicle YARA-L rule file does not parse (the `rule name {` header, a section, an expression).
        YaralSyntax = "yaral-syntax", Error;
        // Kusto (Microsoft Sentinel analytic rules).
        /// A table a Kusto query reads that maps to no known event provider (a custom `_CL` table, a parser function …).
        UnmappedTable = "unmapped-table", Warning;
        // Panther (panther-analysis) rule files.
        /// The Python file a Panther rule names in `Filename` cannot be read.
        PythonFileMissing = "python-file-missing", Error;
        /// A Panther rule's Python file does not parse.
        PythonSyntax = "python-syntax", Error;
        /// A Panther rule's Python file defines no `rule(event)` function.
        NoRuleFunction = "no-rule-function", Error;
        /// A file under a corpus folder that no rule language reads (by its extension); it is left out.
        UnknownFormat = "unknown-format", Warning;
        // Splunk (security_content detections).
        /// A Splunk search calls a macro that the repository's `macros/` does not define (and that is no `<name>_filter` or `drop_dm_object_name` call): it is left unexpanded.
        UndefinedMacro = "undefined-macro", Warning;
        /// A Splunk detection's `data_source` names nothing in the repository's `data_sources/`, or a source that maps to no known events.
        UnknownDataSource = "unknown-data-source", Warning;
    }

    /// pySigma processing pipelines given to `detwiki hunt --pipeline`.
    Pipeline {
        /// The pipeline file's YAML is malformed.
        PipelineYaml = "pipeline-yaml", Error;
        /// The file holds no pipeline, or more than one YAML document.
        PipelineDocuments = "pipeline-documents", Error;
        /// A key that the pipeline, the transformation or the condition does not have.
        PipelineUnknownKey = "pipeline-unknown-key", Error;
        /// A required key is missing (a `type`, or a parameter the transformation or condition needs).
        PipelineMissingKey = "pipeline-missing-key", Error;
        /// A value has the wrong YAML type (a list where a mapping belongs, an empty value …).
        PipelineInvalidType = "pipeline-invalid-type", Error;
        /// A value that is not allowed: an unknown op, mode or modifier, a regex that does not compile, an empty mapping.
        PipelineInvalidValue = "pipeline-invalid-value", Error;
        /// A transformation type that is unknown, or that detwiki does not apply.
        PipelineUnsupportedTransformation = "pipeline-unsupported-transformation", Error;
        /// A condition type that is unknown, or not supported where it is used.
        PipelineUnsupportedCondition = "pipeline-unsupported-condition", Error;
        /// Keys that cannot be given together (`include` and `exclude`, `…_cond_expr` and `…_cond_op` …).
        PipelineConflictingKeys = "pipeline-conflicting-keys", Error;
        /// A condition expression (`…_cond_expr`) that does not parse, or names condition ids wrongly.
        PipelineConditionExpression = "pipeline-condition-expression", Error;
        /// `postprocessing` or `finalizers`, which shape a backend's query text and which hunt ignores.
        PipelineIgnoredKey = "pipeline-ignored-key", Warning;
        /// Field conditions under `detection_item_conditions`, where pySigma does not read them.
        PipelineMisplacedConditions = "pipeline-misplaced-conditions", Warning;
    }

    /// Placeholder values given to `detwiki hunt --placeholders`.
    Placeholders {
        /// The placeholders file's YAML is malformed.
        PlaceholdersYaml = "placeholders-yaml", Error;
        /// An entry is not `name: value` or `name: [value, …]`.
        PlaceholdersInvalidType = "placeholders-invalid-type", Error;
    }

    /// `detwiki.toml`, the lint levels of the current folder or a parent.
    Config {
        /// The file is not valid TOML, or holds keys other than `[lint]` `allow` and `deny`.
        ConfigInvalid = "config-invalid", Error;
        /// A code in `allow` or `deny` that is not a lint code.
        ConfigUnknownCode = "config-unknown-code", Error;
        /// `allow` names an error code: a rule with it cannot be used as written.
        ConfigAllowedError = "config-allowed-error", Error;
        /// A code that is both allowed and denied.
        ConfigConflictingLevels = "config-conflicting-levels", Error;
    }
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
    fn domains_partition_the_codes_in_order() {
        let joined: Vec<Code> = Domain::ALL.iter().flat_map(|d| d.codes().iter().copied()).collect();
        assert_eq!(joined, Code::ALL);
        for d in Domain::ALL {
            assert!(d.codes().iter().all(|c| c.domain() == *d));
        }
        // The lint codes come first, so their positions (SARIF `ruleIndex`) are those of `ALL`.
        assert_eq!(&Code::ALL[..Code::LINT.len()], Code::LINT);
        assert!(Code::LINT.iter().all(|c| c.domain().is_lint()));
        assert!(!Code::PipelineYaml.domain().is_lint());
    }
}
