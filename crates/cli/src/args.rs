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
