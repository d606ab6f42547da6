//! Read every Sublime rule file under the given folders and report what parsed; or, with
//! `--bench`, time the parsers (the benchmark of `bench/sublime-parse.sh`).
//!
//! ```text
//! cargo run --release -p detwiki-sublime --example parse_corpus -- DIR...          # summary + findings
//! cargo run --release -p detwiki-sublime --example parse_corpus -- --bench DIR... [--sigma DIR...]
//! ```
//!
//! `--bench` reads the files first, then times, best of `BENCH_RUNS` (default 10) runs each:
//! - `mql`: `mql::parse` over every rule's query text alone (no file reading, no YAML);
//! - `sublime-file`: `detwiki_sublime::parse_str` over every file's text (YAML + MQL);
//! - `sigma-file`: with `--sigma DIR...`, `detwiki_sigma::parse_str` over every `.yml` of those
//!   folders (YAML + detection + condition): Sigma's parser on its own rules, in the same run.
//!
//! Each prints one line: `<what>: <n> inputs, <bytes> bytes, best <ms> ms, <MB/s> MB/s`.

use std::path::PathBuf;
use std::time::Instant;

use detwiki_sublime::{LineIndex, mql, parse_str};

fn yaml_files(dirs: &[String]) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for dir in dirs {
        for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
            let p = e.path();
            if e.file_type().is_file() && p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
                match std::fs::read_to_string(p) {
                    Ok(t) => out.push((p.to_path_buf(), t)),
                    Err(err) => eprintln!("{}: cannot read: {err}", p.display()),
                }
            }
        }
    }
    out
}

/// Best time of `runs` runs of `f` over `inputs`, printed as one line.
fn time<T>(what: &str, inputs: &[&str], runs: usize, f: impl Fn(&str) -> T) {
    let bytes: usize = inputs.iter().map(|s| s.len()).sum();
    let mut best = f64::MAX;
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        for s in inputs {
            std::hint::black_box(f(s));
        }
        best = best.min(start.elapsed().as_secs_f64());
    }
    println!(
        "{what}: {} inputs, {bytes} bytes, best {:.2} ms, {:.1} MB/s",
        inputs.len(),
        best * 1000.0,
        bytes as f64 / best / 1e6
    );
}

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let bench = args.iter().any(|a| a == "--bench");
    args.retain(|a| a != "--bench");
    let (dirs, sigma_dirs) = match args.iter().position(|a| a == "--sigma") {
        Some(i) => (args[..i].to_vec(), args[i + 1..].to_vec()),
        None => (args.clone(), Vec::new()),
    };
    if dirs.is_empty() {
        eprintln!("usage: parse_corpus [--bench] DIR... [--sigma DIR...]");
        std::process::exit(2);
    }
    let files = yaml_files(&dirs);
    if bench {
        let runs = std::env::var("BENCH_RUNS").ok().and_then(|v| v.parse().ok()).unwrap_or(10);
        let queries: Vec<String> = files
            .iter()
            .filter_map(|(p, t)| parse_str(t, &p.display().to_string()).rule?.source.map(|s| s.text))
            .collect();
        let q: Vec<&str> = queries.iter().map(String::as_str).collect();
        time("mql", &q, runs, mql::parse);
        let texts: Vec<&str> = files.iter().map(|(_, t)| t.as_str()).collect();
        time("sublime-file", &texts, runs, |t| parse_str(t, "x.yml"));
        if !sigma_dirs.is_empty() {
            let sigma = yaml_files(&sigma_dirs);
            let texts: Vec<&str> = sigma.iter().map(|(_, t)| t.as_str()).collect();
            time("sigma-file", &texts, runs, detwiki_sigma::parse_str);
        }
        return;
    }
    let mut findings = 0;
    let mut parsed = 0;
    for (path, text) in &files {
        let shown = path.display().to_string();
        let f = parse_str(text, &shown);
        if f.rule.as_ref().and_then(|r| r.source.as_ref()).is_some_and(|s| s.parsed.is_some()) {
            parsed += 1;
        }
        let index = LineIndex::new(text);
        for d in &f.diagnostics {
            findings += 1;
            let (line, col) = d.span.map(|s| index.line_col(text, s.start)).map_or((0, 0), |a| (a.line, a.column));
            println!("{shown}:{line}:{col}: {}[{}]: {}", d.severity.as_str(), d.code.as_str(), d.message);
        }
    }
    println!("{} files, {parsed} queries parsed, {findings} findings", files.len());
}
