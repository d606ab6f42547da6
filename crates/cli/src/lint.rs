//! `detwiki lint`: read every rule file under the given paths in parallel,
//! check each and across all of them, print the findings.

use std::io::{IsTerminal, Write};
use std::time::Instant;

use anyhow::Context;
use detwiki_diagnostics::render::{human, json, sarif};
use detwiki_diagnostics::{FileId, SourceMap};
use detwiki_sigma::lint::{document_ids, duplicate_id_lists};
use detwiki_sigma::{Code, Diagnostic, Document, Limits, Severity, Span};

use crate::Outcome;
use crate::args::{LintArgs, LintFormat};
use crate::config::LintLevel;
use crate::render::{self, Summary};
use detwiki_catalog::analysis::taxonomy_findings;
use detwiki_catalog::load;

/// Run `lint`: success (clean, or warnings only), found (errors) or usage.
pub fn run(args: &LintArgs) -> anyhow::Result<Outcome> {
    let started = Instant::now();
    let Ok(levels) = crate::config::lint_levels(&args.allow, &args.deny) else { return Ok(Outcome::Usage) };
    let mut paths = Vec::new();
    let mut walk_errors = Vec::new();
    let mut work = Vec::new();
    for root in &args.paths {
        let before = paths.len();
        load::collect_all(root, &mut paths, &mut walk_errors);
        work.extend(paths[before..].iter().map(|p| (0, root.clone(), p.clone())));
    }
    if !walk_errors.is_empty() && paths.is_empty() {
        for e in &walk_errors {
            eprintln!("error: {}: {}", e.path.display(), e.message);
        }
        return Ok(Outcome::Usage);
    }
    let limits = Limits { max_file_size: args.max_file_size, ..Limits::default() };
    let bar = crate::progress::bar(
        args.quiet,
        Some(paths.len() as u64),
        "{spinner} linting {pos}/{len} files {wide_bar} {elapsed}",
    );
    let mut loaded: Vec<Checked> = {
        use rayon::prelude::*;
        work.into_par_iter()
            .map(|(corpus, root, path)| {
                let c = check(load::read_one(corpus, &root, path, &limits));
                bar.inc(1);
                c
            })
            .collect()
    };
    bar.finish_and_clear();

    let dups = duplicate_id_lists(loaded.iter().enumerate().map(|(i, l)| (i, l.ids.as_slice())), |i| {
        loaded[i].path.display().to_string()
    });
    // Texts were dropped for files without findings; read back those a duplicate id is shown in.
    for d in &dups {
        let l = &mut loaded[d.file];
        if l.text.is_empty() {
            l.text = std::fs::read_to_string(&l.path).unwrap_or_default();
            if l.text.starts_with('\u{feff}') {
                l.text.drain(..3);
            }
        }
    }
    // The source map: the files in walk order (file id = position in `loaded`), then the paths
    // that could not be searched, so findings sort by file as walked.
    let mut sources = SourceMap::new();
    let mut findings: Vec<Diagnostic> = Vec::new();
    let mut kinds = [0; 3];
    for l in &mut loaded {
        for (k, n) in kinds.iter_mut().zip(l.kinds) {
            *k += n;
        }
        let id = sources.add(l.path.display().to_string(), std::mem::take(&mut l.text));
        findings.extend(std::mem::take(&mut l.diagnostics).into_iter().map(|d| d.in_file(id)));
    }
    let files = loaded.len();
    drop(loaded);
    findings.extend(dups.into_iter().map(|d| d.diagnostic.in_file(FileId::from_index(d.file))));
    for e in &walk_errors {
        let id = sources.add(e.path.display().to_string(), "");
        findings.push(Diagnostic::new(Code::Io, format!("cannot search: {}", e.message), None).in_file(id));
    }
    // Lint levels: allowed codes are dropped (and counted), denied ones become errors.
    let before = findings.len();
    findings.retain(|d| levels.get(&d.code) != Some(&LintLevel::Allow));
    let allowed = before - findings.len();
    for d in &mut findings {
        if levels.get(&d.code) == Some(&LintLevel::Deny) {
            d.severity = Severity::Error;
        }
    }
    // Stable order: by file as walked, then position, then code.
    findings.sort_by(|a, b| (a.file, a.span.map(|s| s.start), a.code).cmp(&(b.file, b.span.map(|s| s.start), b.code)));
    let mut summary = summarize(files, kinds, &findings, started.elapsed().as_secs_f64());
    summary.allowed = allowed;
    let shown: Vec<&Diagnostic> =
        findings.iter().filter(|d| !args.errors_only || d.severity == Severity::Error).collect();

    let outcome = if summary.errors > 0 { Outcome::Found } else { Outcome::Success };
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = (|| -> std::io::Result<()> {
        match args.format {
            LintFormat::Human => {
                let color = match args.color {
                    crate::args::ColorChoice::Always => true,
                    crate::args::ColorChoice::Never => false,
                    crate::args::ColorChoice::Auto => {
                        std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
                    }
                };
                human::write(&mut out, shown, &sources, color)?;
                if !args.quiet {
                    render::write_summary(&mut out, &summary)?;
                }
            }
            LintFormat::Json => {
                json::write(&mut out, shown, &sources)?;
                render::write_json_summary(&mut out, &summary)?;
            }
            LintFormat::Sarif => sarif::write(&mut out, shown, &sources, &render::SARIF_TOOL)?,
        }
        out.flush()
    })();
    crate::output::written(written.context("writing output"), outcome)
}

/// What `lint` keeps of one file: the rules themselves are dropped as soon as
/// they are checked, so memory stays small (and page faults few) on big corpora.
struct Checked {
    path: std::path::PathBuf,
    /// The text, kept only when there is a finding to show with it.
    text: String,
    diagnostics: Vec<Diagnostic>,
    ids: Vec<(String, Span)>,
    kinds: [usize; 3],
}

fn check(f: detwiki_catalog::SourceFile) -> Checked {
    // Another language's file: its front end reads it into the rule model.
    if let Some(read) = f.language.and_then(|l| l.read)
        && f.parsed.diagnostics.is_empty()
    {
        let model = read(&f.text, &detwiki_catalog::lang::FileCtx { rel_path: &f.rel_path, path: &f.path });
        let mut diagnostics = model.diagnostics;
        let mut ids = Vec::new();
        for r in &model.rules {
            diagnostics.extend(r.diagnostics.iter().cloned());
            diagnostics.extend(detwiki_catalog::analysis::attack_of_tags(&r.attack_tags).2);
            ids.extend(r.id.as_ref().map(|i| (i.value.clone(), i.span)));
        }
        let kinds = [model.rules.len(), 0, 0];
        let text = if diagnostics.is_empty() { String::new() } else { f.text };
        return Checked { path: f.path, text, diagnostics, ids, kinds };
    }
    let mut diagnostics = f.parsed.diagnostics;
    diagnostics.extend(f.parsed.documents.iter().flat_map(taxonomy_findings));
    let mut kinds = [0; 3];
    for d in &f.parsed.documents {
        kinds[match d {
            Document::Rule(_) => 0,
            Document::Filter(_) => 1,
            Document::Correlation(_) => 2,
        }] += 1;
    }
    let ids = document_ids(&f.parsed.documents);
    // Duplicate ids are found later, across files; their text is read back then.
    let text = if diagnostics.is_empty() { String::new() } else { f.text };
    Checked { path: f.path, text, diagnostics, ids, kinds }
}

/// Totals: `files` read, of `kinds` (rules, filters, correlations), with these findings.
fn summarize(files: usize, kinds: [usize; 3], findings: &[Diagnostic], seconds: f64) -> Summary {
    let [rules, filters, correlations] = kinds;
    let mut s = Summary { files, rules, filters, correlations, seconds, ..Summary::default() };
    // From the findings, so that set-level errors (duplicate ids) count too; paths that could
    // not be searched (file ids after the files read) are no file with errors.
    let mut with_errors: Vec<usize> = findings
        .iter()
        .filter(|d| d.is_error())
        .filter_map(|d| d.file.map(FileId::index))
        .filter(|&i| i < files)
        .collect();
    with_errors.sort_unstable();
    with_errors.dedup();
    s.files_with_errors = with_errors.len();
    for d in findings {
        match d.severity {
            Severity::Error => s.errors += 1,
            Severity::Warning => s.warnings += 1,
        }
        *s.by_code.entry(d.code.as_str()).or_default() += 1;
    }
    s
}
