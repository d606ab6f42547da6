//! Parse every `.yaral` file under a folder; print count, bytes, time, MB/s and failures.
//!
//! `cargo run --release -p detwiki-chronicle --example parse_corpus -- DIR`

use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).unwrap_or_else(|| "../shared/corpus/chronicle/rules".into());
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().flatten() {
        if e.path().extension().is_some_and(|x| x == "yaral")
            && let Ok(t) = std::fs::read_to_string(e.path())
        {
            files.push((e.path().display().to_string(), t));
        }
    }
    let bytes: usize = files.iter().map(|f| f.1.len()).sum();
    let verbose = std::env::var_os("VERBOSE").is_some();
    let rounds = 20;
    let start = Instant::now();
    let mut failed = 0;
    for round in 0..rounds {
        for (path, text) in &files {
            let f = detwiki_chronicle::parse_file(text);
            let bad = !f.errors.is_empty() || f.rules.is_empty() || f.rules.iter().any(|r| !r.errors.is_empty());
            if round == 0 && bad {
                failed += 1;
                if verbose {
                    let e = f.errors.iter().chain(f.rules.iter().flat_map(|r| r.errors.iter())).next();
                    println!(
                        "FAIL {path}: {:?}",
                        e.map(|e| (&e.message, &text[e.span.start..e.span.end.min(text.len())]))
                    );
                }
            }
        }
    }
    let secs = start.elapsed().as_secs_f64() / rounds as f64;
    println!(
        "yaral: {} files, {} bytes, {} with errors, {:.2} ms per pass, {:.1} MB/s",
        files.len(),
        bytes,
        failed,
        secs * 1e3,
        bytes as f64 / secs / 1e6
    );
}
