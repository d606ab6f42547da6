//! Parser throughput: every `.yaral` file under a folder through `detwiki_chronicle::read`
//! (parse, lowering, ATT&CK), and, in the same run, every Sigma rule file under the given
//! Sigma folders through `detwiki_sigma::parse_bytes`. Prints count, bytes, time per pass and
//! MB/s for each (median of the passes), and files with errors.
//!
//! `cargo run --release -p detwiki-chronicle --example parse_bench -- YARAL_DIR [SIGMA_DIR...]`
//! (`ROUNDS=N`, default 20; `VERBOSE=1` lists YARA-L files with findings).

use std::path::Path;
use std::time::Instant;

fn files(dir: &Path, exts: &[&str]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        if e.file_type().is_file()
            && e.path().extension().and_then(|x| x.to_str()).is_some_and(|x| exts.contains(&x))
            && let Ok(b) = std::fs::read(e.path())
        {
            out.push((e.path().display().to_string(), b));
        }
    }
    out
}

fn median_secs(rounds: usize, mut pass: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..rounds)
        .map(|_| {
            let t = Instant::now();
            pass();
            t.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

fn report(name: &str, files: usize, bytes: usize, failed: usize, secs: f64) {
    println!(
        "{name}: {files} files, {bytes} bytes, {failed} with errors, {:.2} ms per pass, {:.1} MB/s",
        secs * 1e3,
        bytes as f64 / secs / 1e6
    );
}

fn main() {
    let mut args = std::env::args().skip(1);
    let yaral_dir = args.next().unwrap_or_else(|| "../shared/corpus/chronicle/rules".into());
    let sigma_dirs: Vec<String> = args.collect();
    let rounds: usize = std::env::var("ROUNDS").ok().and_then(|r| r.parse().ok()).unwrap_or(20).max(1);
    let verbose = std::env::var_os("VERBOSE").is_some();

    let yaral: Vec<(String, String)> = files(Path::new(&yaral_dir), &["yaral"])
        .into_iter()
        .filter_map(|(p, b)| String::from_utf8(b).ok().map(|t| (p, t)))
        .collect();
    let bytes: usize = yaral.iter().map(|f| f.1.len()).sum();
    let mut failed = 0;
    for (path, text) in &yaral {
        let f = detwiki_chronicle::read(text);
        let diags: Vec<_> = f.diagnostics.iter().chain(f.rules.iter().flat_map(|r| r.diagnostics.iter())).collect();
        if !diags.is_empty() || f.rules.is_empty() {
            failed += 1;
            if verbose {
                println!("FAIL {path}: {:?}", diags.first().map(|d| &d.message));
            }
        }
    }
    let secs = median_secs(rounds, || {
        for (_, text) in &yaral {
            std::hint::black_box(detwiki_chronicle::read(text));
        }
    });
    report("yaral", yaral.len(), bytes, failed, secs);

    if sigma_dirs.is_empty() {
        return;
    }
    let sigma: Vec<(String, Vec<u8>)> = sigma_dirs.iter().flat_map(|d| files(Path::new(d), &["yml", "yaml"])).collect();
    let bytes: usize = sigma.iter().map(|f| f.1.len()).sum();
    let limits = detwiki_sigma::Limits::default();
    let failed = sigma
        .iter()
        .filter(|(_, b)| detwiki_sigma::parse_bytes(b, &limits).diagnostics.iter().any(|d| d.is_error()))
        .count();
    let secs = median_secs(rounds, || {
        for (_, b) in &sigma {
            std::hint::black_box(detwiki_sigma::parse_bytes(b, &limits));
        }
    });
    report("sigma", sigma.len(), bytes, failed, secs);
}
