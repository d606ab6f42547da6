//! `detwiki rule` and `detwiki catalog`: load corpora into a catalog and print
//! one rule's analysis or the whole catalog.

use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

use crate::args::{CatalogArgs, CorpusArgs, RuleArgs, RuleFormat};
use crate::render;

/// Why a catalog could not be loaded as asked.
pub enum LoadError {
    /// A usage error, already explained on stderr.
    Usage,
}

/// Parse `--corpus` flags; a bad one is a usage error.
pub fn specs(args: &CorpusArgs) -> Result<Vec<CorpusSpec>, LoadError> {
    let mut out: Vec<CorpusSpec> = Vec::new();
    for c in &args.corpus {
        match CorpusSpec::parse(c) {
            Ok(s) if out.iter().any(|o| o.name == s.name) => {
                eprintln!("error: corpus name `{}` is given twice; name them apart with NAME=DIR", s.name);
                return Err(LoadError::Usage);
            }
            Ok(s) => out.push(s),
            Err(e) => {
                eprintln!("error: --corpus {c}: {e}");
                return Err(LoadError::Usage);
            }
        }
    }
    Ok(out)
}

/// Load corpora with a progress bar on a terminal and a one-line summary on stderr.
pub fn load(specs: &[CorpusSpec], quiet: bool) -> Result<Catalog, LoadError> {
    let started = Instant::now();
    let bar = crate::progress::bar(quiet, None, "{spinner} loading {pos}/{len} rule files {wide_bar} {elapsed}");
    let catalog =
        Catalog::load_with_progress(specs, &LoadOptions::default(), &|n| bar.set_length(n as u64), &|| bar.inc(1));
    bar.finish_and_clear();
    for e in &catalog.walk_errors {
        eprintln!("error: {}: {}", e.path.display(), e.message);
    }
    if catalog.files.is_empty() && !catalog.walk_errors.is_empty() {
        return Err(LoadError::Usage);
    }
    if !quiet {
        for f in &catalog.failed {
            let first = f.diagnostics.first();
            eprintln!(
                "warning: {}/{} left out: {}",
                f.corpus,
                f.path,
                first.map_or("does not parse".to_string(), |d| format!("{} [{}]", d.message, d.code))
            );
        }
        let per: Vec<String> = catalog.corpora.iter().map(|c| format!("{} {}", c.name, c.rules)).collect();
        eprintln!(
            "loaded {} rules ({}) from {} files, {} left out, in {:.2}s",
            catalog.rules.len(),
            per.join(", "),
            catalog.files.len(),
            catalog.failed.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(catalog)
}

/// `detwiki rule`.
pub fn run_rule(args: &RuleArgs) -> anyhow::Result<ExitCode> {
    let Ok(mut specs) = specs(&args.corpora) else { return Ok(ExitCode::from(2)) };
    if specs.is_empty() {
        let path = std::path::Path::new(&args.rule);
        if !path.is_file() {
            eprintln!("error: `{}` is not a rule file; give --corpus NAME=DIR to look rules up by id", args.rule);
            return Ok(ExitCode::from(2));
        }
        specs.push(CorpusSpec { name: "local".into(), paths: vec![path.to_path_buf()] });
    }
    let Ok(catalog) = load(&specs, args.corpora.quiet) else { return Ok(ExitCode::from(2)) };
    let Some(rule) = catalog.find(&args.rule) else {
        if let Some(f) = catalog.failed.iter().find(|f| args.rule.ends_with(&f.path)) {
            eprintln!("error: {}/{} does not parse:", f.corpus, f.path);
            for d in &f.diagnostics {
                eprintln!("  {}:{}: {} [{}]", d.line.unwrap_or(0), d.column.unwrap_or(0), d.message, d.code);
            }
        } else {
            eprintln!("error: no rule with id, path or slug `{}` in the given corpora", args.rule);
        }
        return Ok(ExitCode::from(1));
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        RuleFormat::Json => {
            serde_json::to_writer_pretty(&mut out, rule)?;
            writeln!(out)?;
        }
        RuleFormat::Text => render::rule_text::write(&mut out, rule, &catalog)?,
    }
    out.flush().context("writing output")?;
    // The process ends here: freeing the catalog's many small allocations one by
    // one costs a tenth of a second on SigmaHQ, and the OS takes it back at once.
    std::mem::forget(catalog);
    Ok(ExitCode::SUCCESS)
}

/// `detwiki catalog`.
pub fn run_catalog(args: &CatalogArgs) -> anyhow::Result<ExitCode> {
    let Ok(specs) = specs(&args.corpora) else { return Ok(ExitCode::from(2)) };
    if specs.is_empty() {
        eprintln!("error: give at least one --corpus NAME=DIR");
        return Ok(ExitCode::from(2));
    }
    let Ok(catalog) = load(&specs, args.corpora.quiet) else { return Ok(ExitCode::from(2)) };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if args.pretty {
        serde_json::to_writer_pretty(&mut out, &catalog)?;
    } else {
        write_compact(&mut out, &catalog)?;
    }
    writeln!(out)?;
    out.flush().context("writing output")?;
    // The process ends here: freeing the catalog's many small allocations one by
    // one costs a tenth of a second on SigmaHQ, and the OS takes it back at once.
    std::mem::forget(catalog);
    Ok(ExitCode::SUCCESS)
}

/// The catalog as compact JSON, with the rules (most of the bytes) serialised in
/// parallel, a batch at a time into reused buffers, and written as they are
/// done; the same document `serde_json::to_writer(&catalog)` gives.
fn write_compact(out: &mut impl Write, catalog: &Catalog) -> anyhow::Result<()> {
    use rayon::prelude::*;
    const BATCH: usize = 64;
    let mut buffers: Vec<Vec<u8>> = vec![Vec::new(); BATCH];
    out.write_all(b"{\"corpora\":")?;
    serde_json::to_writer(&mut *out, &catalog.corpora)?;
    out.write_all(b",\"rules\":[")?;
    for (n, batch) in catalog.rules.chunks(BATCH).enumerate() {
        buffers.par_iter_mut().zip(batch).try_for_each(|(buf, rule)| {
            buf.clear();
            serde_json::to_writer(buf, rule)
        })?;
        for (i, buf) in buffers.iter().take(batch.len()).enumerate() {
            if n > 0 || i > 0 {
                out.write_all(b",")?;
            }
            out.write_all(buf)?;
        }
    }
    out.write_all(b"],\"failed\":")?;
    serde_json::to_writer(&mut *out, &catalog.failed)?;
    out.write_all(b",\"index\":")?;
    serde_json::to_writer(&mut *out, &catalog.index)?;
    out.write_all(b"}")?;
    Ok(())
}
