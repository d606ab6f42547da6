//! `detwiki export navigator`: an ATT&CK Navigator layer of rule counts.

use std::io::Write;

use anyhow::Context;

use crate::Outcome;
use crate::args::NavigatorArgs;
use crate::build::load_or_demo;

/// `detwiki export navigator`.
pub fn run_navigator(args: &NavigatorArgs) -> anyhow::Result<Outcome> {
    // Says so when it falls back to the demo corpus, as `build` and `serve` do (`-q` silences it).
    let cat = match load_or_demo(&args.corpora, args.corpora.quiet, &crate::catalog::analysis_only()) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    if let Some(only) = &args.only
        && !cat.corpora.iter().any(|c| &c.name == only)
    {
        eprintln!("error: --only {only}: no corpus of that name");
        return Ok(Outcome::Usage);
    }
    let layer = detwiki_site::navigator::layer(&cat, args.only.as_deref(), args.base_url.as_deref());
    let mut text = serde_json::to_string_pretty(&layer)?;
    text.push('\n');
    match &args.output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("writing {}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            let written = out.write_all(text.as_bytes()).and_then(|()| out.flush());
            return crate::output::written(written.context("writing output"), Outcome::Success);
        }
    }
    Ok(Outcome::Success)
}
