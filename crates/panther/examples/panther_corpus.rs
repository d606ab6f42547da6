//! Parse every Panther analysis YAML under a folder (and each rule's Python), and print the
//! count, bytes, time and throughput; `-v` lists the rules without predicates and why.
//!
//! `cargo run --release -p detwiki-panther --example panther_corpus -- ../shared/corpus/panther [-v]`
//!
//! `--python-only`: time `python::Module::parse` alone over every `.py` file (the side CPython's
//! `ast.parse` is compared with in `bench/panther-parse.sh`).

use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.iter().find(|a| !a.starts_with('-')) else {
        eprintln!("usage: panther_corpus <panther-analysis folder> [-v]");
        std::process::exit(2);
    };
    let verbose = args.iter().any(|a| a == "-v");
    if args.iter().any(|a| a == "--python-only") {
        python_only(dir);
        return;
    }
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
        let p = e.path();
        if matches!(p.extension().and_then(|x| x.to_str()), Some("yml" | "yaml"))
            && let Ok(text) = std::fs::read_to_string(p)
        {
            let py = std::fs::read_to_string(p.with_extension("py")).map(|s| s.len()).unwrap_or(0);
            files.push((p.to_path_buf(), text, py));
        }
    }
    let bytes: usize = files.iter().map(|(_, t, py)| t.len() + py).sum();
    let start = Instant::now();
    let (mut rules, mut with_preds, mut preds) = (0usize, 0usize, 0usize);
    let mut missed = Vec::new();
    for (path, text, _) in &files {
        let f = detwiki_panther::read_file(text, path);
        if std::env::var_os("PANTHER_LIST").is_some() && f.rule.is_some() {
            println!("rule {}", path.display());
        }
        if let Some(r) = &f.rule {
            rules += 1;
            let n: usize = r.stages.iter().filter_map(|s| s.tree.as_ref()).map(|t| t.predicates().len()).sum();
            preds += n;
            if n > 0 || matches!(r.detection, detwiki_panther::Detection::Correlation(_)) {
                with_preds += 1;
            } else {
                let why = f.diagnostics.first().map(|d| d.message.clone()).unwrap_or_else(|| {
                    r.tree().map(|t| format!("{:.160}", t.to_string())).unwrap_or_else(|| "no stage".into())
                });
                missed.push(format!("{}: {why}", path.display()));
            }
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "panther: {} files, {rules} rules, {with_preds} with predicates (or correlation steps), {preds} predicates, {bytes} bytes (YAML + Python), {:.3} s, {:.2} MB/s",
        files.len(),
        secs,
        bytes as f64 / 1e6 / secs
    );
    if verbose {
        for m in &missed {
            println!("  missed {m}");
        }
    }
}

fn python_only(dir: &str) {
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().filter_map(Result::ok) {
        if e.path().extension().and_then(|x| x.to_str()) == Some("py")
            && let Ok(text) = std::fs::read_to_string(e.path())
        {
            files.push(text);
        }
    }
    let bytes: usize = files.iter().map(String::len).sum();
    let start = Instant::now();
    let mut failed = 0;
    for text in &files {
        if detwiki_panther::python::Module::parse("bench", text.clone()).is_err() {
            failed += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "python: {} files, {failed} failed, {bytes} bytes, {:.3} s, {:.2} MB/s",
        files.len(),
        secs,
        bytes as f64 / 1e6 / secs
    );
}
