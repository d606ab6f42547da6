//! Read every `.toml` rule file under the given folders, and report what parsed.
//!
//! ```text
//! cargo run --release -p detwiki-elastic --example parse_corpus -- DIR...            # summary + findings
//! cargo run --release -p detwiki-elastic --example parse_corpus -- --eql-time DIR... # bench: EQL parse time only
//! ```
//!
//! `--eql-time` collects the EQL query of every rule first, then times parsing them alone
//! (no file reading, no TOML) and prints one line:
//! `eql: <parsed> parsed, <failed> failed of <n> queries in <ms> ms`.

use std::collections::BTreeMap;
use std::time::Instant;

use detwiki_elastic::{Language, LineIndex, parse_bytes};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let eql_time = args.iter().any(|a| a == "--eql-time");
    args.retain(|a| a != "--eql-time");
    if args.is_empty() {
        eprintln!("usage: parse_corpus [--eql-time] DIR...");
        std::process::exit(2);
    }
    let mut files: Vec<std::path::PathBuf> = Vec::new();
    for dir in &args {
        for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
            if e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "toml") {
                files.push(e.into_path());
            }
        }
    }
    let mut eql_queries: Vec<String> = Vec::new();
    let mut per_language: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut findings = 0usize;
    for path in &files {
        let bytes = match std::fs::read(path) {
            Ok(b) => b,
            Err(e) => {
                println!("{}: cannot read: {e}", path.display());
                continue;
            }
        };
        let shown = path.display().to_string();
        let file = parse_bytes(&bytes, &shown, &Default::default());
        if let Some(q) = file.rule.as_ref().and_then(|r| r.query.as_ref()) {
            let e = per_language.entry(q.language.as_str().to_string()).or_default();
            if q.parsed.is_some() {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
            if q.language == Language::Eql {
                eql_queries.push(q.text.clone());
            }
        }
        if !eql_time {
            let text = String::from_utf8_lossy(&bytes);
            let index = LineIndex::new(&text);
            for d in &file.diagnostics {
                findings += 1;
                let at = d.span.map(|s| index.line_col(&text, s.start));
                let (line, col) = at.map_or((0, 0), |a| (a.line, a.column));
                println!("{}:{line}:{col}: {}[{}]: {}", shown, d.severity.as_str(), d.code, d.message);
            }
        }
    }
    if eql_time {
        let start = Instant::now();
        let mut ok = 0usize;
        for q in &eql_queries {
            if detwiki_elastic::eql::parse(q).is_ok() {
                ok += 1;
            }
        }
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        println!("eql: {ok} parsed, {} failed of {} queries in {ms:.1} ms", eql_queries.len() - ok, eql_queries.len());
        return;
    }
    println!("{} files, {findings} findings", files.len());
    for (lang, (ok, bad)) in per_language {
        println!("{lang}: {ok} parsed, {bad} not parsed");
    }
}
