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
    /// Lint levels: --allow CODE / --deny CODE, and `[lint] allow = [...]`, `deny = [...]` in a
    /// detwiki.toml in the current folder or a parent (the flags win). Exit status: 0 when no
    /// error was found (warnings allowed), 1 when at least one error was found, 2 on a usage
    /// error (an unknown code, a malformed detwiki.toml).
    Lint(LintArgs),
    /// Print one rule's analysis: ATT&CK and event coverage, stages, indicators with corpus counts.
    ///
    /// Exit status: 0 when the rule was found, 1 when no rule matches, 2 on a usage error.
    Rule(RuleArgs),
    /// Print the whole catalog (rules, indexes, counts) as JSON for tools.
    Catalog(CatalogArgs),
    /// Run Sigma rules over EVTX and JSON-lines logs and report the hits.
    ///
    /// Exit status: 0 when the run completed without hits, 1 when it completed
    /// with at least one hit, 2 on a usage error (bad flags, no rules, missing
    /// paths, --strict with a skipped rule), 3 when it could not run (no input
    /// could be read, output failed). Rules whose file has errors are never run.
    Hunt(HuntArgs),
    /// Write the detection wiki as static files (HTML, JSON, search index, Navigator layers).
    ///
    /// With no --corpus, the demo corpus embedded in the binary is used (with its sample events).
    /// The site is written to a temporary folder and swapped in at the end. Exit status: 0 built
    /// (an --events input that cannot be read in part is a warning), 1 every rule file was left
    /// out (nothing built), 2 usage error (also --events with no input), 3 failed (also --events
    /// of which no event could be read).
    Build(BuildArgs),
    /// Serve the wiki from memory on a local address, rebuilding when rule files change.
    ///
    /// With no --corpus, the embedded demo corpus is served. Stop with Ctrl-C.
    Serve(ServeArgs),
    /// Export the catalog for other tools.
    #[command(subcommand)]
    Export(ExportCommand),
}

/// Summary formats of `build`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum BuildFormat {
    /// A one-line summary on stderr.
    Human,
    /// A JSON summary on stdout (rules, pages, files, bytes, seconds).
    Json,
}

/// Flags of `build`.
#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    /// Corpora to build from (default: the embedded demo corpus).
    #[command(flatten)]
    pub corpora: CorpusArgs,
    /// Output folder; replaced whole at the end of a successful build.
    #[arg(long, short, default_value = "site", value_name = "DIR")]
    pub out: PathBuf,
    /// Summary format.
    #[arg(long, value_enum, default_value_t = BuildFormat::Human)]
    pub format: BuildFormat,
    /// Absolute URL where the site is published (used in Navigator layer links).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// The events you collect, one `<provider or channel> <event id>` a line (`Sysmon 1`,
    /// `Security *`): the rules list, the ATT&CK matrix and technique pages say what can fire.
    #[arg(long, value_name = "FILE")]
    pub telemetry: Option<PathBuf>,
    /// Sample logs to run the rules over, as `hunt` reads them (EVTX, JSON lines, JSON arrays,
    /// `.gz`, folders); repeatable. Each rule page shows what it found ("Seen in sample data"),
    /// with a page per sample file under samples/. Without a --corpus, the demo's own sample
    /// events are used when this is not given.
    #[arg(long = "events", value_name = "PATH")]
    pub events: Vec<PathBuf>,
}

/// Flags of `serve`.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// Corpora to serve (default: the embedded demo corpus). Their folders are watched.
    #[command(flatten)]
    pub corpora: CorpusArgs,
    /// Address to listen on: IP:PORT or HOST:PORT (`localhost:8080`). Loopback by default;
    /// anything else exposes the wiki to the network.
    #[arg(long, default_value = "127.0.0.1:8080", value_name = "HOST:PORT")]
    pub addr: String,
    /// The events you collect (as for `build --telemetry`).
    #[arg(long, value_name = "FILE")]
    pub telemetry: Option<PathBuf>,
    /// Sample logs to run the rules over (as `build --events`); run again when rules change.
    #[arg(long = "events", value_name = "PATH")]
    pub events: Vec<PathBuf>,
}

/// What `export` writes.
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// An ATT&CK Navigator layer (format 4.5): score = rule count per technique.
    Navigator(NavigatorArgs),
}

/// Flags of `export navigator`.
#[derive(Debug, clap::Args)]
pub struct NavigatorArgs {
    /// Corpora to count (default: the embedded demo corpus).
    #[command(flatten)]
    pub corpora: CorpusArgs,
    /// Count only the rules of this corpus (default: all corpora).
    #[arg(long, value_name = "NAME")]
    pub only: Option<String>,
    /// Write to FILE instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Absolute URL of the published wiki, for the technique links.
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
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
    /// Hide the findings of this warning code and leave them out of the counts (repeatable;
    /// overrides detwiki.toml). Codes: docs/lint-codes.md.
    #[arg(long = "allow", value_name = "CODE")]
    pub allow: Vec<String>,
    /// Report this code as an error, so that lint exits 1 on it (repeatable; overrides
    /// detwiki.toml).
    #[arg(long = "deny", value_name = "CODE")]
    pub deny: Vec<String>,
}

/// Output formats of `hunt`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum HuntFormat {
    /// Hits per rule with level, then totals (default on a terminal).
    Table,
    /// One JSON object per hit (default when stdout is not a terminal).
    Jsonl,
    /// One CSV row per hit, with a header.
    Csv,
}

/// Rule levels, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, ValueEnum)]
pub enum LevelArg {
    /// informational
    Informational,
    /// low
    Low,
    /// medium
    Medium,
    /// high
    High,
    /// critical
    Critical,
}

/// Flags of `hunt`.
#[derive(Debug, clap::Args)]
pub struct HuntArgs {
    /// EVTX files, JSON-lines files (`.json`, `.jsonl`, `.ndjson`, also `.gz`) or JSON arrays
    /// of events, folders of them (recursive), or `-` for JSON lines on stdin. What a file is
    /// comes from its content; hits come out in input order.
    #[arg(required_unless_present = "list_pipelines", value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// A rule corpus: `NAME=DIR` (or just `DIR`, named after the folder). Repeatable.
    #[arg(long = "corpus", value_name = "NAME=DIR", required_unless_present = "list_pipelines")]
    pub corpora: Vec<String>,
    /// A pySigma processing pipeline: a YAML file, or the name of a built-in one
    /// (`--list-pipelines`). Repeatable; applied in order of their `priority`.
    #[arg(long = "pipeline", value_name = "FILE|NAME")]
    pub pipelines: Vec<String>,
    /// Print the built-in pipelines and exit.
    #[arg(long)]
    pub list_pipelines: bool,
    /// Only the rules with this id (or `name`). Repeatable.
    #[arg(long = "rule", value_name = "ID")]
    pub rules: Vec<String>,
    /// Evaluate every rule on every event, ignoring logsources.
    #[arg(long)]
    pub no_routing: bool,
    /// YAML file of placeholder values for `|expand` (`name: [values]`).
    #[arg(long, value_name = "FILE")]
    pub placeholders: Option<PathBuf>,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, value_enum)]
    pub format: Option<HuntFormat>,
    /// Only rules of at least this level.
    #[arg(long, value_enum, value_name = "LEVEL")]
    pub min_level: Option<LevelArg>,
    /// Only rules with this tag (e.g. `attack.t1059.001`). Repeatable: any of them.
    #[arg(long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
    /// Worker threads (default: all cores).
    #[arg(long, value_name = "N")]
    pub threads: Option<usize>,
    /// Exit with 2, before reading any input, when a selected rule would be skipped (errors in
    /// its file, no logsource mapping, a placeholder without values, a pipeline failure, a
    /// correlation that cannot be evaluated).
    #[arg(long)]
    pub strict: bool,
    /// List every skipped rule with its reason, the placeholders without values, and the full
    /// diagnostics of rule files with errors.
    #[arg(short, long)]
    pub verbose: bool,
    /// No progress bar and no summary.
    #[arg(short, long)]
    pub quiet: bool,
}
