//! # detwiki-chronicle: Chronicle (Google SecOps) YARA-L 2.0 rule files → typed rules
//!
//! ```text
//! text ──lex──▶ tokens (spans into the file) ──parse──▶ Rule { meta, events, match, outcome,
//!      condition, options } ──lower──▶ language-neutral stages and predicates (for the catalog)
//! ```
//!
//! Modules: [`lex`] (tokens), [`parse`] (recursive descent, nesting bounded), [`ast`] (the
//! tree with byte spans), [`print`] (canonical text: print → parse gives the same tree),
//! [`lower`] (predicates, joins, stages), [`attack`] (ATT&CK from `meta:` under its several
//! spellings), [`highlight`] (classified byte ranges of a file for rule pages).
//! Nothing panics on bad input: a syntax error is a [`ParseError`] with its span in the
//! file and what was expected, and the rest of the rule is still read.

pub mod ast;
pub mod attack;
pub mod highlight;
pub mod lex;
pub mod lower;
pub mod parse;
pub mod print;

pub use detwiki_diagnostics::Span;
pub use parse::{MAX_DEPTH, ParseError, ParsedFile, ParsedRule, parse_expr, parse_file};

pub use detwiki_diagnostics::{Code, Diagnostic};

impl ParseError {
    /// The finding: `yaral-syntax` (or `query-too-complex` for nesting beyond [`MAX_DEPTH`]),
    /// at the error's span.
    pub fn to_diagnostic(&self) -> Diagnostic {
        let code = if self.too_deep { Code::QueryTooComplex } else { Code::YaralSyntax };
        let help = if self.too_deep {
            format!("split the expression: YARA-L expressions are read to a depth of {MAX_DEPTH}")
        } else {
            "YARA-L 2.0: `rule name { meta: … events: … match: … outcome: … condition: … options: … }`".to_string()
        };
        Diagnostic::new(code, self.message.clone(), Some(self.span)).with_help(help)
    }
}

/// One rule of a file, read and lowered.
#[derive(Clone, Debug)]
pub struct ChronicleRule {
    /// The tree.
    pub rule: ast::Rule,
    /// Its events as stages, predicates and joins.
    pub lowered: lower::Lowered,
    /// ATT&CK references of its meta.
    pub attack: Vec<attack::AttackRef>,
    /// Its findings (syntax errors inside it).
    pub diagnostics: Vec<Diagnostic>,
}

/// A file, read.
#[derive(Clone, Debug, Default)]
pub struct ChronicleFile {
    /// Its rules.
    pub rules: Vec<ChronicleRule>,
    /// Findings outside any rule; `not-a-rule` when the file holds no rule.
    pub diagnostics: Vec<Diagnostic>,
}

/// Read a `.yaral` file: parse, lower, collect ATT&CK and findings.
pub fn read(text: &str) -> ChronicleFile {
    let parsed = parse_file(text);
    let mut diagnostics: Vec<Diagnostic> = parsed.errors.iter().map(ParseError::to_diagnostic).collect();
    if parsed.rules.is_empty() && diagnostics.is_empty() {
        diagnostics.push(
            Diagnostic::new(Code::NotARule, "the file holds no YARA-L rule", Some(Span::new(0, 0)))
                .with_help("a rule file holds `rule name { … }`"),
        );
    }
    let rules = parsed
        .rules
        .into_iter()
        .map(|r| ChronicleRule {
            lowered: lower::lower(&r.rule),
            attack: attack::attack_refs(&r.rule),
            diagnostics: r.errors.iter().map(ParseError::to_diagnostic).collect(),
            rule: r.rule,
        })
        .collect();
    ChronicleFile { rules, diagnostics }
}
