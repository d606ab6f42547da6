//! `detwiki build`: load the corpora (or the embedded demo), render the wiki
//! into a temporary folder and swap it in; a progress bar on a terminal, then
//! a one-line summary (or a JSON summary for scripts).

use std::io::Write;
use std::time::Instant;

use detwiki_catalog::{Catalog, LoadOptions};

use crate::Outcome;
use crate::args::{BuildArgs, BuildFormat, CorpusArgs};
use crate::catalog;

/// The catalog of `--corpus` flags, or the embedded demo when none is given.
/// `Err` carries the outcome of a usage error (already explained on stderr).
/// `opts`: [`catalog::analysis_only`] unless the catalog will be updated in place (`serve`).
pub fn load_or_demo(args: &CorpusArgs, quiet: bool, opts: &LoadOptions) -> Result<Catalog, Outcome> {
    let specs = catalog::specs(args).map_err(|_| Outcome::Usage)?;
    if specs.is_empty() {
        if !quiet {
            eprintln!("no --corpus given: using the embedded demo corpus ({} rules)", detwiki_site::demo::FILES.len());
        }
        return Ok(detwiki_site::demo::catalog());
    }
    catalog::load_with(&specs, quiet, opts).map_err(|_| Outcome::Usage)
}

/// Read `--telemetry FILE`. `Err`: a usage error, explained on stderr (the file, the line, what
/// is wrong, what to write).
pub fn telemetry(path: Option<&std::path::Path>) -> Result<Option<detwiki_site::telemetry::Telemetry>, Outcome> {
    let Some(path) = path else { return Ok(None) };
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: --telemetry {}: {e}", path.display());
            return Err(Outcome::Usage);
        }
    };
    match detwiki_site::telemetry::Telemetry::parse(&text) {
        Ok(t) if t.is_empty() => {
            eprintln!(
                "error: --telemetry {}: names no event; write one `<provider or channel> <event id>` a line \
                 (`Sysmon 1`, `Security 4624`, `Security *`)",
                path.display()
            );
            Err(Outcome::Usage)
        }
        Ok(t) => Ok(Some(t)),
        Err(e) => {
            eprintln!("error: --telemetry {}:{}: {}", path.display(), e.line, e.message);
            Err(Outcome::Usage)
        }
    }
}

/// The samples of `--events` run over `cat` (the demo's own events for the demo without
/// `--events`); `Err` carries the outcome of an input error, already explained on stderr.
pub fn samples_for(
    cat: &Catalog,
    events: &[std::path::PathBuf],
    demo: bool,
    quiet: bool,
) -> Result<Option<std::sync::Arc<detwiki_site::proof::Samples>>, Outcome> {
    let samples = if !events.is_empty() {
        crate::samples::run(cat, events, quiet)?
    } else if demo {
        // The demo's events are known to read; a failure to write them leaves the pages without.
        match crate::samples::run_demo(cat, true) {
            Ok(s) => s,
            Err(_) => return Ok(None),
        }
    } else {
        return Ok(None);
    };
    Ok(Some(std::sync::Arc::new(samples)))
}

/// `detwiki build`.
pub fn run(args: &BuildArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let telemetry = match telemetry(args.telemetry.as_deref()) {
        Ok(t) => t,
        Err(code) => return Ok(code),
    };
    let json = args.format == BuildFormat::Json;
    let quiet = args.corpora.quiet || json;
    let demo = args.corpora.corpus.is_empty();
    // Rules run over sample events need their parse: kept only then.
    let load = if args.events.is_empty() && !demo { catalog::analysis_only() } else { LoadOptions::default() };
    let cat = match load_or_demo(&args.corpora, quiet, &load) {
        Ok(c) => c,
        Err(code) => return Ok(code),
    };
    if cat.rules.is_empty() {
        // Only a --corpus can be empty of rules (the demo has some): every file was left out.
        eprintln!(
            "error: every rule file was left out ({} files do not parse); nothing was built — run \
             `detwiki lint` on the corpus for the details",
            cat.failed.len()
        );
        return Ok(Outcome::Found);
    }
    let samples = match samples_for(&cat, &args.events, demo, quiet) {
        Ok(s) => s,
        Err(code) => return Ok(code),
    };
    let analysed = started.elapsed();
    let bar = crate::progress::bar(quiet, None, "{spinner} writing {pos}/{len} files {wide_bar} {elapsed}");
    // The sample totals of the JSON summary (with --events), taken before the site owns them.
    let sample_totals = samples.as_deref().filter(|_| !args.events.is_empty()).map(|s| {
        serde_json::json!({
            "files": s.files.len(),
            "events": s.events,
            "hits": s.hits,
            "rules_fired": s.fired(),
            "rules_never_fired": s.never_fired().len(),
        })
    });
    let opts = detwiki_site::Options { base_url: args.base_url.clone(), telemetry, samples };
    let result = detwiki_site::write::build(&cat, &opts, &args.out, &|n| bar.set_length(n as u64), &|| bar.inc(1));
    bar.finish_and_clear();
    let stats = match result {
        Ok(s) => s,
        Err(detwiki_site::Error::Refused(msg)) => {
            eprintln!("error: {msg}");
            return Ok(Outcome::Usage);
        }
        Err(e) => {
            eprintln!("error: build failed, nothing was replaced: {e}");
            return Ok(Outcome::Failed);
        }
    };
    // The process ends next: freeing the catalog's many small allocations would only add
    // time (about 30 ms for the SigmaHQ corpus) after the site is written.
    std::mem::forget(cat);
    let secs = started.elapsed().as_secs_f64();
    if json {
        let mut summary = serde_json::json!({
            "out": args.out.display().to_string(),
            "rules": stats.rules,
            "pages": stats.pages,
            "files": stats.files,
            "bytes": stats.bytes,
            "largest_rule_page_bytes": stats.largest_rule_page,
            "analysis_seconds": analysed.as_secs_f64(),
            "seconds": secs,
        });
        if let Some(t) = sample_totals {
            summary["samples"] = t;
        }
        let mut out = std::io::stdout().lock();
        let written = writeln!(out, "{summary}").and_then(|()| out.flush());
        return crate::output::written(written, Outcome::Success);
    } else if !args.corpora.quiet {
        eprintln!(
            "built {}: {}, {}, {:.1} MB in {:.2}s → {}",
            crate::render::counted(stats.rules, "rule", "rules"),
            crate::render::counted(stats.pages, "page", "pages"),
            crate::render::counted(stats.files, "file", "files"),
            stats.bytes as f64 / 1e6,
            secs,
            args.out.display()
        );
    }
    Ok(Outcome::Success)
}
