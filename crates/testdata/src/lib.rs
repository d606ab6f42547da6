//! # detwiki-testdata: where tests and benchmarks find `../shared`
//!
//! The shared data folder (the SigmaHQ snapshot, the EVTX attack samples, the event
//! reference data) sits beside the checkout, not in it. Every test and benchmark that reads it
//! asks this crate, so that it is located one way everywhere:
//!
//! 1. `$DETWIKI_SHARED`, when set;
//! 2. else `shared/` beside the workspace (`<workspace>/../shared`).
//!
//! When the folder (or the part a test needs) is missing, [`require`] prints
//! `SKIPPED: …` and returns `None`, so the test passes having said that it did not run —
//! except in CI (`CI=true`), where a missing `../shared` is a failure: CI must never go green
//! by skipping the tests that read real data.

use std::path::{Path, PathBuf};

/// The shared data folder as configured (`$DETWIKI_SHARED`, else `<workspace>/../shared`),
/// whether or not it exists.
pub fn shared_path() -> PathBuf {
    match std::env::var_os("DETWIKI_SHARED") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"),
    }
}

/// True when running in CI (`CI` set to `true` or `1`), where missing data fails the test.
pub fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// `rel` inside the shared data folder (`corpus/sigma/rules`, `events/evtx-attack-samples` …)
/// when it exists. Otherwise prints `SKIPPED: <test>: <path> not found (set DETWIKI_SHARED)`
/// and returns `None`; under CI it panics instead.
pub fn require(rel: &str) -> Option<PathBuf> {
    let path = shared_path().join(rel);
    if path.exists() {
        return Some(path);
    }
    let test = std::thread::current().name().unwrap_or("test").to_string();
    let msg = format!("{test}: {} not found (set DETWIKI_SHARED to the shared data folder)", path.display());
    if in_ci() {
        panic!("shared data missing in CI: {msg}");
    }
    eprintln!("SKIPPED: {msg}");
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_part_is_none_outside_ci_and_named() {
        if in_ci() {
            return;
        }
        assert_eq!(require("no/such/part/of/shared"), None);
    }
}
