//! `detwiki rule` and `detwiki catalog`: load corpora into a catalog and print
//! one rule's analysis or the whole catalog.

use std::io::Write;
use std::time::Instant;

use anyhow::Context;
use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

use crate::Outcome;
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
            Ok(s) => {
                if let Some(msg) = s.paths.iter().find_map(|p| log_file_message(c, p, false)) {
                    eprintln!("error: {msg}");
                    return Err(LoadError::Usage);
                }
                out.push(s);
            }
            Err(e) => {
                eprintln!("error: --corpus {c}: {e}");
                return Err(LoadError::Usage);
            }
        }
    }
    Ok(out)
}

/// Reload corpora (for `serve`): like [`load_with`], but a corpus left without rule files is
/// not an error (its rules were deleted while serving).
pub fn load(specs: &[CorpusSpec], quiet: bool) -> Result<Catalog, LoadError> {
    load_checked(specs, quiet, &LoadOptions::default(), false)
}

/// Load corpora with a progress bar on a terminal and a one-line summary on stderr.
/// [`LoadOptions::drop_parsed`] for commands that only show the analysis. A corpus with no
/// rule file (`--corpus` given a folder of logs) is a usage error that says what it holds.
pub fn load_with(specs: &[CorpusSpec], quiet: bool, opts: &LoadOptions) -> Result<Catalog, LoadError> {
    load_checked(specs, quiet, opts, true)
}

fn load_checked(specs: &[CorpusSpec], quiet: bool, opts: &LoadOptions, need_rules: bool) -> Result<Catalog, LoadError> {
    let started = Instant::now();
    let bar = crate::progress::bar(quiet, None, "{spinner} loading {pos}/{len} rule files {wide_bar} {elapsed}");
    let catalog = Catalog::load_with_progress(specs, opts, &|n| bar.set_length(n as u64), &|| bar.inc(1));
    bar.finish_and_clear();
    for e in &catalog.walk_errors {
        eprintln!("error: {}: {}", e.path.display(), e.message);
    }
    if catalog.files.is_empty() && !catalog.walk_errors.is_empty() {
        return Err(LoadError::Usage);
    }
    if need_rules {
        let mut empty = false;
        for (spec, info) in specs.iter().zip(&catalog.corpora) {
            // Files no language reads (`unknown-format`) do not make a corpus.
            let ci = catalog.corpora.iter().position(|c| std::ptr::eq(c, info)).unwrap_or(0);
            if catalog.files.iter().any(|f| f.corpus == ci && detwiki_catalog::lang::of_path(&f.path).is_some()) {
                continue;
            }
            for p in spec.paths.iter().filter(|p| p.is_dir()) {
                eprintln!("error: {}", no_rules_message(&format!("{}={}", spec.name, p.display()), p, false));
                empty = true;
            }
        }
        if empty {
            return Err(LoadError::Usage);
        }
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
            "loaded {} ({}) from {}, {} left out, in {:.2}s",
            render::counted(catalog.rules.len(), "rule", "rules"),
            per.join(", "),
            render::counted(catalog.files.len(), "file", "files"),
            catalog.failed.len(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(catalog)
}

/// Log files are read by `hunt` as INPUT; these extensions mark them.
const LOG_EXTENSIONS: &[&str] = &["evtx", "json", "jsonl", "ndjson", "gz"];

fn extension(p: &std::path::Path) -> Option<String> {
    p.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase)
}

/// Where logs belong, for the messages below.
fn logs_hint(hunt: bool) -> &'static str {
    if hunt {
        "logs are given as INPUT arguments (`detwiki hunt --corpus NAME=RULES INPUT…`)"
    } else {
        "--corpus takes a folder of rules (Sigma, Elastic, Splunk, Kusto, Panther, Sublime, YARA-L); logs are read by `detwiki hunt`"
    }
}

/// `--corpus ARG` naming a log file (`.evtx`, `.jsonl` …): the error message, else `None`.
pub fn log_file_message(arg: &str, path: &std::path::Path, hunt: bool) -> Option<String> {
    let ext = extension(path)?;
    (path.is_file() && LOG_EXTENSIONS.contains(&ext.as_str())).then(|| {
        format!(
            "--corpus {arg}: {} is a .{ext} file, not a rule file ({}); {}",
            path.display(),
            rule_extensions(hunt),
            logs_hint(hunt)
        )
    })
}

/// `--corpus ARG` whose folder `dir` holds no rule file: says what it holds instead
/// ("it holds 12 .evtx files") and, when that looks like logs, where logs go.
pub fn no_rules_message(arg: &str, dir: &std::path::Path, hunt: bool) -> String {
    let mut by_ext: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
    let walk = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(|n| n.starts_with('.')))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .take(1_000_000);
    for e in walk {
        let ext = extension(e.path()).map_or_else(|| "(no extension)".to_string(), |x| format!(".{x}"));
        *by_ext.entry(ext).or_default() += 1;
    }
    let head = format!("--corpus {arg}: no rule files ({}) under {}", rule_extensions(hunt), dir.display());
    if by_ext.is_empty() {
        return format!("{head} — it is empty");
    }
    let mut kinds: Vec<(String, usize)> = by_ext.into_iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let logs = kinds.iter().any(|(x, _)| LOG_EXTENSIONS.contains(&x.trim_start_matches('.')));
    let files = |n: usize| if n == 1 { "file" } else { "files" };
    let mut parts: Vec<String> = kinds.iter().take(3).map(|(x, n)| format!("{n} {x} {}", files(*n))).collect();
    let rest: usize = kinds.iter().skip(3).map(|(_, n)| n).sum();
    if rest > 0 {
        parts.push(format!("{rest} other {}", files(rest)));
    }
    let holds = match parts.as_slice() {
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
        [] => String::new(),
    };
    if logs {
        format!("{head} — it holds {holds}; {}", logs_hint(hunt))
    } else {
        format!("{head} — it holds {holds}")
    }
}

/// The rule files a command reads: Sigma's for `hunt`, every language's for the others.
fn rule_extensions(hunt: bool) -> String {
    let langs = if hunt { &detwiki_catalog::lang::LANGUAGES[..1] } else { detwiki_catalog::lang::LANGUAGES };
    // Each extension once: languages share some (`.yaml`: Sigma's rules, Chronicle's dashboards).
    let mut exts: Vec<String> = Vec::new();
    for e in langs.iter().flat_map(|l| l.extensions.iter().map(|e| format!(".{e}"))) {
        if !exts.contains(&e) {
            exts.push(e);
        }
    }
    exts.join("/")
}

/// Load options for commands that show the analysis and compile nothing.
pub fn analysis_only() -> LoadOptions {
    LoadOptions { drop_parsed: true, ..LoadOptions::default() }
}

/// `detwiki rule`.
pub fn run_rule(args: &RuleArgs) -> anyhow::Result<Outcome> {
    let Ok(mut specs) = specs(&args.corpora) else { return Ok(Outcome::Usage) };
    if specs.is_empty() {
        let path = std::path::Path::new(&args.rule);
        if !path.is_file() {
            eprintln!("error: `{}` is not a rule file; give --corpus NAME=DIR to look rules up by id", args.rule);
            return Ok(Outcome::Usage);
        }
        specs.push(CorpusSpec { name: "local".into(), paths: vec![path.to_path_buf()] });
    }
    let Ok(catalog) = load_with(&specs, args.corpora.quiet, &analysis_only()) else { return Ok(Outcome::Usage) };
    let Some(rule) = catalog.find(&args.rule) else {
        if let Some(f) = catalog.failed.iter().find(|f| args.rule.ends_with(&f.path)) {
            eprintln!("error: {}/{} does not parse:", f.corpus, f.path);
            for d in &f.diagnostics {
                eprintln!("  {}:{}: {} [{}]", d.line.unwrap_or(0), d.column.unwrap_or(0), d.message, d.code);
            }
        } else {
            eprintln!("error: no rule with id, path or slug `{}` in the given corpora", args.rule);
        }
        return Ok(Outcome::Found);
    };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = (|| -> anyhow::Result<()> {
        match args.format {
            RuleFormat::Json => {
                serde_json::to_writer_pretty(&mut out, rule)?;
                writeln!(out)?;
            }
            RuleFormat::Text => render::rule_text::write(&mut out, rule, &catalog)?,
        }
        out.flush().context("writing output")
    })();
    // The process ends here: freeing the catalog's many small allocations one by
    // one costs a tenth of a second on SigmaHQ, and the OS takes it back at once.
    std::mem::forget(catalog);
    crate::output::written(written, Outcome::Success)
}

/// `detwiki catalog`.
pub fn run_catalog(args: &CatalogArgs) -> anyhow::Result<Outcome> {
    let Ok(specs) = specs(&args.corpora) else { return Ok(Outcome::Usage) };
    if specs.is_empty() {
        eprintln!("error: give at least one --corpus NAME=DIR");
        return Ok(Outcome::Usage);
    }
    let Ok(catalog) = load_with(&specs, args.corpora.quiet, &analysis_only()) else { return Ok(Outcome::Usage) };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = (|| -> anyhow::Result<()> {
        if args.pretty {
            serde_json::to_writer_pretty(&mut out, &catalog)?;
        } else {
            write_compact(&mut out, &catalog)?;
        }
        writeln!(out)?;
        out.flush().context("writing output")
    })();
    // The process ends here: freeing the catalog's many small allocations one by
    // one costs a tenth of a second on SigmaHQ, and the OS takes it back at once.
    std::mem::forget(catalog);
    crate::output::written(written, Outcome::Success)
}

/// The catalog as compact JSON: the same document `serde_json::to_writer(&catalog)`
/// gives, written as a pipeline. The worker threads serialise runs of rules
/// (most of the bytes) and the index into buffers, in order, while this thread
/// writes each finished run; buffers go back to a pool, so memory stays small.
fn write_compact(out: &mut impl Write, catalog: &Catalog) -> anyhow::Result<()> {
    use rayon::prelude::*;
    use std::collections::BTreeMap;
    use std::sync::{Mutex, mpsc};

    const RUN: usize = 48;
    /// A piece of output: a run of rules (by position), or the index.
    enum Piece {
        Rules(usize, Vec<u8>),
        Index(Vec<u8>),
    }
    let runs: Vec<&[detwiki_catalog::RuleEntry]> = catalog.rules.chunks(RUN).collect();
    let pool: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    // Bounded: the workers wait for the writer rather than pile up buffers.
    let (tx, rx) = mpsc::sync_channel::<serde_json::Result<Piece>>(4);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let (runs, pool) = (&runs, &pool);
        scope.spawn(move || {
            let index_tx = tx.clone();
            rayon::join(
                move || {
                    // In order, one run at a time per thread, so runs finish roughly in order.
                    runs.iter().enumerate().par_bridge().for_each_with(tx, |tx, (n, run)| {
                        let mut buf = pool.lock().map(|mut p| p.pop()).ok().flatten().unwrap_or_default();
                        buf.clear();
                        let done = run.iter().enumerate().try_for_each(|(i, rule)| {
                            if n > 0 || i > 0 {
                                buf.push(b',');
                            }
                            serde_json::to_writer(&mut buf, rule)
                        });
                        let _ = tx.send(done.map(|()| Piece::Rules(n, buf)));
                    });
                },
                move || {
                    let _ = index_tx.send(serde_json::to_vec(&catalog.index).map(Piece::Index));
                },
            );
        });
        out.write_all(b"{\"corpora\":")?;
        serde_json::to_writer(&mut *out, &catalog.corpora)?;
        out.write_all(b",\"rules\":[")?;
        let mut next = 0;
        let mut early: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
        let mut index = None;
        for piece in rx {
            match piece? {
                Piece::Index(buf) => index = Some(buf),
                Piece::Rules(n, buf) => {
                    early.insert(n, buf);
                }
            }
            while let Some(buf) = early.remove(&next) {
                out.write_all(&buf)?;
                if let Ok(mut p) = pool.lock() {
                    p.push(buf);
                }
                next += 1;
            }
        }
        anyhow::ensure!(next == runs.len(), "the catalog JSON was cut short");
        out.write_all(b"],\"failed\":")?;
        serde_json::to_writer(&mut *out, &catalog.failed)?;
        out.write_all(b",\"index\":")?;
        out.write_all(&index.context("the index JSON is missing")?)?;
        out.write_all(b"}")?;
        Ok(())
    })
}
