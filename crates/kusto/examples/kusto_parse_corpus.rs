//! Parse every query of a Sentinel corpus folder: `cargo run --release -p detwiki-kusto
//! --example kusto_parse_corpus -- DIR [--failures] [--dump FILE]`. Prints the number of rule files,
//! queries, query bytes, the mean time of 5 parse passes over all queries, throughput (MB/s)
//! and how many failed (with `--failures`, each failure with file:line:col and why). `--dump`
//! writes the queries, as YAML loads them, one JSON string a line (for a reference parser).

use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: kusto_parse_corpus DIR [--failures]");
        std::process::exit(2);
    };
    let rest: Vec<String> = args.collect();
    let show = rest.iter().any(|a| a == "--failures");
    let dump = rest.iter().position(|a| a == "--dump").and_then(|i| rest.get(i + 1));
    let mut files = Vec::new();
    for e in walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter().flatten() {
        let p = e.path();
        if e.file_type().is_file() && p.extension().is_some_and(|x| x == "yaml" || x == "yml") {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            let rel = p.strip_prefix(&dir).unwrap_or(p).display().to_string();
            files.push((rel, text));
        }
    }
    // The queries as YAML loads them (not timed: that is the YAML reader's work).
    let mut queries = Vec::new();
    for (rel, text) in &files {
        if let Some(q) = detwiki_kusto::rule::parse_str(text, rel).rule.and_then(|r| r.query) {
            queries.push((rel.clone(), text.clone(), q));
        }
    }
    let bytes: usize = queries.iter().map(|q| q.2.text.len()).sum();
    if let Some(path) = dump {
        let lines: String =
            queries.iter().map(|q| format!("{}\n", serde_json::to_string(&q.2.text).expect("a string"))).collect();
        std::fs::write(path, lines).expect("write the dump");
    }
    let rounds = 5;
    let started = Instant::now();
    let mut failed = Vec::new();
    for round in 0..rounds {
        for (rel, text, q) in &queries {
            if let Err(e) = detwiki_kusto::parse(&q.text)
                && round == 0
            {
                let span = q.file_span(e.span);
                let at = detwiki_kusto::span::LineIndex::new(text).line_col(text, span.start);
                failed.push(format!("{rel}:{}:{}: {}", at.line, at.column, e.message));
            }
        }
    }
    let secs = started.elapsed().as_secs_f64() / rounds as f64;
    println!(
        "kusto: {} files, {} queries, {} bytes, {} failed, {:.1} ms per pass, {:.1} MB/s",
        files.len(),
        queries.len(),
        bytes,
        failed.len(),
        secs * 1e3,
        bytes as f64 / secs / 1e6
    );
    if show {
        for f in &failed {
            println!("  {f}");
        }
    }
}
