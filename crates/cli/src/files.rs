//! Rule files for commands that read rules without a catalog (`hunt`):
//! the catalog's walking and parallel reading, with a path-only view.

use std::path::PathBuf;

use detwiki_catalog::load::{self, WalkError};
use detwiki_sigma::{Limits, SigmaFile};

/// One rule file and what the parser made of it.
pub struct Loaded {
    /// The path as found.
    pub path: PathBuf,
    /// Documents and findings.
    pub file: SigmaFile,
}

/// Rule files under `roots` (folders searched recursively for .yml/.yaml).
pub fn collect(roots: &[PathBuf]) -> (Vec<PathBuf>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for r in roots {
        load::collect(r, &mut files, &mut errors);
    }
    (files, errors)
}

/// Read and parse files in parallel.
pub fn load(paths: Vec<PathBuf>, limits: &Limits, tick: impl Fn() + Sync) -> Vec<Loaded> {
    let work = paths.into_iter().map(|p| (0, p.clone(), p)).collect();
    load::read_all(work, limits, &tick).into_iter().map(|f| Loaded { path: f.path, file: f.parsed }).collect()
}
