//! `detwiki`: the command line. A thin dispatcher: flags in, exit code out.
//!
//! Exit codes (also in the README):
//! - 0: success (for `lint`: no errors, warnings allowed; for `hunt`: the run completed, no hits)
//! - 1: the command ran and found something (for `lint`: at least one error finding; for
//!   `rule`: no rule matches; for `hunt`: at least one hit, like grep's "selected lines"; for
//!   `build`: every rule file was left out, nothing built)
//! - 2: usage error (bad flags, a path that does not exist, no rule to run, `hunt --strict` with
//!   a skipped rule)
//! - 3: the command could not run (I/O failure writing output, internal error)
//!
//! A closed stdout (`detwiki … | head`) is a normal end: the command's own code, nothing on stderr.

use std::process::ExitCode;

use clap::Parser;

/// mimalloc: rule loading and hunting allocate many small strings from several threads; it cut
/// the allocator's share of `lint` time (see bench/README.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod build;
mod catalog;
mod config;
mod export;
mod hunt;
mod lint;
mod output;
mod progress;
mod render;
mod serve;

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    let result = match cli.command {
        args::Command::Lint(a) => lint::run(&a),
        args::Command::Rule(a) => catalog::run_rule(&a),
        args::Command::Catalog(a) => catalog::run_catalog(&a),
        args::Command::Hunt(a) => hunt::run(&a),
        args::Command::Build(a) => build::run(&a),
        args::Command::Serve(a) => serve::run(&a),
        args::Command::Export(args::ExportCommand::Navigator(a)) => export::run_navigator(&a),
    };
    match result {
        Ok(code) => code,
        // A reader that stopped early (`| head`) is no failure; commands return their own code
        // for it, this is the backstop.
        Err(e) if output::is_closed_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(3)
        }
    }
}
