//! `detwiki`: the command line. A thin dispatcher: flags in, exit code out. Every command
//! returns an [`Outcome`] (or an error: it could not run); only [`main`] turns it into the exit
//! code, through [`exit_code`].
//!
//! Exit codes (also in the README):
//! - 0: success (for `lint`: no errors, warnings allowed; for `hunt`: the run completed, no hits)
//! - 1: the command ran and found something (for `lint`: at least one error finding; for
//!   `rule`: no rule matches; for `hunt`: at least one hit, like grep's "selected lines"; for
//!   `build`: every rule file was left out, nothing built)
//! - 2: usage error (bad flags, a path that does not exist, no rule to run, `hunt --strict` with
//!   a skipped rule, an unknown lint code, an error in a `detwiki.toml`, pipeline or
//!   placeholders file)
//! - 3: the command could not run (I/O failure writing output, no event could be read, internal
//!   error)
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
mod samples;
mod serve;

/// How a command ended. Commands return it (or an error: it could not run); only [`main`] turns
/// it into the process exit code ([`exit_code`], the table of the README).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked and found nothing to report (`lint`: no error; `hunt`: no hit). 0.
    Success,
    /// It ran and found something (`lint`: an error finding; `rule`: no rule matches; `hunt`: a
    /// hit; `build`: every rule file was left out). 1.
    Found,
    /// A usage error, already explained on stderr. 2.
    Usage,
    /// It could not run, already explained on stderr (output not written, no event readable). 3.
    Failed,
}

/// The exit code of what a command returned: the mapping table, in one place. An error is a
/// command that could not run (3), except a closed stdout (`detwiki … | head`), which is a
/// normal end: commands return their own code for it, this is the backstop.
fn exit_code(result: &anyhow::Result<Outcome>) -> u8 {
    match result {
        Ok(Outcome::Success) => 0,
        Ok(Outcome::Found) => 1,
        Ok(Outcome::Usage) => 2,
        Ok(Outcome::Failed) => 3,
        Err(e) if output::is_closed_pipe(e) => 0,
        Err(_) => 3,
    }
}

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
    if let Err(e) = &result
        && !output::is_closed_pipe(e)
    {
        eprintln!("error: {e:#}");
    }
    ExitCode::from(exit_code(&result))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outcomes_map_to_the_readme_exit_codes() {
        let code = |r: anyhow::Result<Outcome>| exit_code(&r);
        assert_eq!(code(Ok(Outcome::Success)), 0);
        assert_eq!(code(Ok(Outcome::Found)), 1);
        assert_eq!(code(Ok(Outcome::Usage)), 2);
        assert_eq!(code(Ok(Outcome::Failed)), 3);
        assert_eq!(code(Err(anyhow::anyhow!("internal"))), 3);
        let closed = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert_eq!(code(Err(anyhow::Error::new(closed).context("writing output"))), 0);
    }

    /// The README's table lists the same codes, each once.
    #[test]
    fn the_readme_lists_every_code() {
        let readme = include_str!("../../../README.md");
        let table = readme.split("### Exit codes").nth(1).expect("README has an exit-code section");
        for (outcome, n) in [(Outcome::Success, 0), (Outcome::Found, 1), (Outcome::Usage, 2), (Outcome::Failed, 3)] {
            assert_eq!(exit_code(&Ok(outcome)), n);
            assert!(table.contains(&format!("\n| {n} | ")), "README's exit-code table has no row {n}");
        }
    }
}
