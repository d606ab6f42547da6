//! Parse every detection search under a folder (a security_content checkout or its
//! `detections/`), macros expanded with the repository's `macros/`, and print the count,
//! bytes, time and throughput: the searches alone (expand + parse + lower), and the whole
//! files (YAML + search). With `--sigma DIR…` after the folder, the same run times
//! `detwiki_sigma::parse_str` over every `.yml` of those folders and prints the ratio of the
//! file throughputs. `--show FILE` prints one file's expanded search and error.
//!
//! `cargo run --release -p detwiki-splunk --example parse_corpus -- ../shared/corpus/splunk/detections --sigma ../shared/corpus/sigma/rules*`

use std::path::PathBuf;
use std::time::Instant;

use detwiki_splunk::{Repo, parse_rule};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, file] = args.as_slice()
        && flag == "--show"
    {
        let text = std::fs::read_to_string(file).expect("read the file");
        let repo = Repo::for_path(std::path::Path::new(file));
        let f = parse_rule(&text, file, repo.as_deref());
        if let Some(s) = f.rule.as_ref().and_then(|r| r.search.as_ref()) {
            println!("expanded: {}", s.expanded.text);
            if let Some(e) = &s.error {
                let at = e.span.start.min(s.expanded.text.len());
                println!(
                    "error at {}: {} — near: {}",
                    e.span.start,
                    e.message,
                    &s.expanded.text[at..(at + 60).min(s.expanded.text.len())]
                );
            }
            if let Some(p) = &s.pipeline {
                println!("canonical: {p}");
            }
        }
        for d in &f.diagnostics {
            println!("{}: {}", d.code.as_str(), d.message);
        }
        return;
    }
    let dir = PathBuf::from(args.first().map_or("../shared/corpus/splunk/detections", String::as_str));
    let sigma_dirs: Vec<PathBuf> = match args.iter().position(|a| a == "--sigma") {
        Some(i) => args[i + 1..].iter().map(PathBuf::from).collect(),
        None => Vec::new(),
    };
    let repo = Repo::for_path(&dir);
    let files = yml_files(std::slice::from_ref(&dir));
    // Time the SPL work alone: expand + parse + lower every search (the YAML is read once
    // beforehand to get the search strings).
    let searches: Vec<String> =
        files.iter().filter_map(|(p, t)| parse_rule(t, p, repo.as_deref()).rule?.search.map(|s| s.text)).collect();
    let bytes: usize = searches.iter().map(String::len).sum();
    let runs = 5;
    let start = Instant::now();
    let mut ok = 0;
    for _ in 0..runs {
        ok = 0;
        for s in &searches {
            let e = detwiki_splunk::expand::expand(s, repo.as_deref());
            if let Ok(p) = detwiki_splunk::spl::parse(&e.text) {
                ok += 1;
                std::hint::black_box(detwiki_splunk::spl::stages(&p));
            }
        }
    }
    let secs = start.elapsed().as_secs_f64() / runs as f64;
    println!(
        "splunk searches: {} searches ({ok} parse), {bytes} bytes, {:.2} ms per pass, {:.1} MB/s (expand + parse + lower, mean of {runs})",
        searches.len(),
        secs * 1000.0,
        bytes as f64 / secs / 1e6
    );
    let file_bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let start = Instant::now();
    for _ in 0..runs {
        for (p, t) in &files {
            std::hint::black_box(parse_rule(t, p, repo.as_deref()));
        }
    }
    let splunk_files = start.elapsed().as_secs_f64() / runs as f64;
    let splunk_mbs = file_bytes as f64 / splunk_files / 1e6;
    println!(
        "splunk files: {} files, {file_bytes} bytes, {:.2} ms per pass, {splunk_mbs:.1} MB/s (YAML + expand + parse, mean of {runs})",
        files.len(),
        splunk_files * 1000.0
    );
    if sigma_dirs.is_empty() {
        return;
    }
    let sigma = yml_files(&sigma_dirs);
    let sigma_bytes: usize = sigma.iter().map(|(_, t)| t.len()).sum();
    let start = Instant::now();
    for _ in 0..runs {
        for (_, t) in &sigma {
            std::hint::black_box(detwiki_sigma::parse_str(t));
        }
    }
    let sigma_secs = start.elapsed().as_secs_f64() / runs as f64;
    let sigma_mbs = sigma_bytes as f64 / sigma_secs / 1e6;
    println!(
        "sigma files: {} files, {sigma_bytes} bytes, {:.2} ms per pass, {sigma_mbs:.1} MB/s (detwiki_sigma::parse_str, mean of {runs})",
        sigma.len(),
        sigma_secs * 1000.0
    );
    println!("ratio (Splunk files MB/s / Sigma files MB/s): {:.2}", splunk_mbs / sigma_mbs);
}

/// Every `.yml` under `dirs`, with its text.
fn yml_files(dirs: &[PathBuf]) -> Vec<(String, String)> {
    let mut files = Vec::new();
    let mut stack = dirs.to_vec();
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read the folder").flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml") {
                files.push((p.to_string_lossy().to_string(), std::fs::read_to_string(&p).expect("read")));
            }
        }
    }
    files.sort();
    files
}
