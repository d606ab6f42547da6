//! Parse every detection search under a folder (a security_content checkout or its
//! `detections/`), macros expanded with the repository's `macros/`, and print the count,
//! bytes, time and throughput. `--show FILE` prints one file's expanded search and error.
//!
//! `cargo run --release -p detwiki-splunk --example parse_corpus -- ../shared/corpus/splunk/detections`

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
    let repo = Repo::for_path(&dir);
    let mut files = Vec::new();
    let mut stack = vec![dir.clone()];
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
        "splunk: {} searches ({ok} parse), {bytes} bytes, {:.2} ms per pass, {:.1} MB/s (expand + parse + lower, mean of {runs})",
        searches.len(),
        secs * 1000.0,
        bytes as f64 / secs / 1e6
    );
}
