//! Profiling harness for start-up: parsing every rule file, compiling the ruleset, and
//! hunting one small input, each in one non-inlined function (`run_parse`, `run_build`,
//! `run_hunt`), so that callgrind counts each alone, whatever the machine's load:
//!
//! ```text
//! valgrind --tool=callgrind --collect-atstart=no --toggle-collect='hunt_startup::run_build' \
//!     target/release/examples/hunt_startup RULES_DIR INPUT
//! ```
//!
//! `hunt_startup RULES_DIR INPUT [N]`: prints each phase's wall time (best of N, default 1)
//! and the process's peak RSS.

use std::path::{Path, PathBuf};
use std::time::Instant;

use detwiki_engine::read::collect_inputs;
use detwiki_engine::ruleset::{Options, Ruleset, RulesetBuilder};
use detwiki_sigma::SigmaFile;

mod support;

#[inline(never)]
fn run_parse(dir: &Path) -> Vec<(PathBuf, SigmaFile)> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).sort_by_file_name().into_iter().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "yml" || x == "yaml") {
            let text = std::fs::read_to_string(p).unwrap_or_default();
            out.push((p.to_path_buf(), detwiki_sigma::parse_str(&text)));
        }
    }
    out
}

#[inline(never)]
fn run_build(files: &[(PathBuf, SigmaFile)]) -> Ruleset {
    let mut b = RulesetBuilder::new();
    for (p, f) in files {
        b.add_file("rules", p, f, &|_| true);
    }
    b.build(&Options::default())
}

#[inline(never)]
fn run_hunt(rs: &Ruleset, inputs: &[detwiki_engine::read::Input]) -> u64 {
    let sink = support::Count::default();
    detwiki_engine::hunt(rs, inputs, &sink).hits
}

fn peak_rss_kb() -> String {
    let st = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    st.lines().find(|l| l.starts_with("VmHWM:")).map_or("n/a".into(), |l| l[6..].trim().to_string())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() < 3 {
        eprintln!("usage: hunt_startup RULES_DIR INPUT [N]");
        std::process::exit(2);
    }
    let n: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(1);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().expect("pool");
    let (inputs, _) = collect_inputs(&[PathBuf::from(&args[2])]);
    let (mut parse, mut build, mut hunt) = (f64::MAX, f64::MAX, f64::MAX);
    let mut hits = 0;
    let mut rules = 0;
    for _ in 0..n {
        let t = Instant::now();
        let files = run_parse(Path::new(&args[1]));
        parse = parse.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let rs = run_build(&files);
        build = build.min(t.elapsed().as_secs_f64());
        drop(files);
        rules = rs.rules.len();
        let t = Instant::now();
        hits = pool.install(|| run_hunt(&rs, &inputs));
        hunt = hunt.min(t.elapsed().as_secs_f64());
    }
    println!(
        "{rules} rules: parse {parse:.3} s, build {build:.3} s, hunt {hunt:.3} s ({hits} hits); peak RSS {}",
        peak_rss_kb()
    );
}
