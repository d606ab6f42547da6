//! Command-line flags.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// detwiki turns Sigma detection rules into a detection wiki and runs them over logs.
#[derive(Debug, Parser)]
#[command(name = "detwiki", version, about, long_about = None, propagate_version = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check Sigma rule files and print diagnostics like a compiler.
    ///
    /// Exit status: 0 when no error was found (warnings allowed), 1 when at
    /// least one error was found, 2 on a usage error.
    Lint(LintArgs),
    /// Print one rule's analysis: ATT&CK and event coverage, stages, indicators with corpus counts.
    ///
    /// Exit status: 0 when the rule was found, 1 when no rule matches, 2 on a usage error.
    Rule(RuleArgs),
    /// Print the whole catalog (rules, indexes, counts) as JSON for tools.
    Catalog(CatalogArgs),
}

/// `--corpus` flags shared by the catalog commands.
#[derive(Debug, clap::Args)]
pub struct CorpusArgs {
    /// A rule tree to load: `NAME=DIR`, or `DIR` (named after the folder). Repeatable; every
    /// count breaks down per corpus.
    #[arg(long = "corpus", value_name = "NAME=DIR")]
    pub corpus: Vec<String>,
    /// No progress bar and no summary on stderr.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Output formats of `rule`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RuleFormat {
    /// The rule page as text.
    Text,
    /// The rule's analysis as JSON (schema in docs/catalog-json.md).
    Json,
}

/// Flags of `rule`.
#[derive(Debug, clap::Args)]
pub struct RuleArgs {
    /// Rule id, rule file path, or `corpus/slug`.
    #[arg(value_name = "ID|PATH")]
    pub rule: String,
    /// Corpora to analyse the rule within (corpus counts come from them).
    #[command(flatten)]
    pub corpora: CorpusArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = RuleFormat::Text)]
    pub format: RuleFormat,
}

/// Output formats of `catalog`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum CatalogFormat {
    /// One JSON document (schema in docs/catalog-json.md).
    Json,
}

/// Flags of `catalog`.
#[derive(Debug, clap::Args)]
pub struct CatalogArgs {
    /// Corpora to load.
    #[command(flatten)]
    pub corpora: CorpusArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CatalogFormat::Json)]
    pub format: CatalogFormat,
    /// Indent the JSON.
    #[arg(long)]
    pub pretty: bool,
}

/// Output formats of `lint`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LintFormat {
    /// rustc-style diagnostics with the offending line.
    Human,
    /// One JSON object per finding, then one summary object (JSON lines).
    Json,
    /// SARIF 2.1.0, for code-scanning tools.
    Sarif,
}

/// When to color output.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Color when stdout is a terminal.
    Auto,
    /// Always color.
    Always,
    /// Never color.
    Never,
}

/// Flags of `lint`.
#[derive(Debug, clap::Args)]
pub struct LintArgs {
    /// Rule files or folders (searched recursively for .yml and .yaml files).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = LintFormat::Human)]
    pub format: LintFormat,
    /// Print errors only, not warnings (warnings are still counted).
    #[arg(long)]
    pub errors_only: bool,
    /// No progress bar and no summary line (human format).
    #[arg(short, long)]
    pub quiet: bool,
    /// Colors in human output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Largest rule file accepted, in bytes.
    #[arg(long, default_value_t = 4 << 20, value_name = "BYTES")]
    pub max_file_size: usize,
}
