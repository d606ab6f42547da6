//! Finding rule files under the paths given on the command line, and reading
//! them in parallel.

use std::path::{Path, PathBuf};

use detwiki_sigma::{Code, Diagnostic, Limits, SigmaFile};
use rayon::prelude::*;

/// One file and what the parser made of it.
pub struct Loaded {
    /// The path, as it will be shown.
    pub path: PathBuf,
    /// The text (empty when it could not be read or decoded).
    pub text: String,
    /// Documents and findings.
    pub file: SigmaFile,
}

/// A path that could not be searched.
#[derive(Debug)]
pub struct WalkError {
    /// Which path.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

/// Rule files under `paths`: files as given, folders searched recursively for
/// `.yml`/`.yaml` (hidden folders skipped), each folder's files sorted by name.
pub fn collect(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for p in paths {
        if p.is_file() {
            files.push(p.clone());
            continue;
        }
        if !p.exists() {
            errors.push(WalkError { path: p.clone(), message: "no such file or folder".into() });
            continue;
        }
        let walk = walkdir::WalkDir::new(p)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !is_hidden(e.path()));
        for entry in walk {
            match entry {
                Ok(e) if e.file_type().is_file() && is_rule_file(e.path()) => files.push(e.into_path()),
                Ok(_) => {}
                Err(e) => errors.push(WalkError {
                    path: e.path().map_or_else(|| p.clone(), Path::to_path_buf),
                    message: e.io_error().map_or_else(|| e.to_string(), |io| io.to_string()),
                }),
            }
        }
    }
    (files, errors)
}

fn is_hidden(p: &Path) -> bool {
    p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with('.'))
}

fn is_rule_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
}

/// Read and parse every file in parallel; `tick` is called once per file.
pub fn load(files: Vec<PathBuf>, limits: &Limits, tick: impl Fn() + Sync) -> Vec<Loaded> {
    files
        .into_par_iter()
        .map(|path| {
            let loaded = load_one(path, limits);
            tick();
            loaded
        })
        .collect()
}

fn load_one(path: PathBuf, limits: &Limits) -> Loaded {
    match std::fs::metadata(&path)
        .and_then(|m| if m.len() > limits.max_file_size as u64 { Ok(None) } else { std::fs::read(&path).map(Some) })
    {
        Ok(Some(bytes)) => {
            let file = detwiki_sigma::parse_bytes(&bytes, limits);
            let mut text = match String::from_utf8(bytes) {
                Ok(t) => t,
                Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
            };
            // parse_bytes drops a byte-order mark; spans count from after it.
            if text.starts_with('\u{feff}') {
                text.drain(..3);
            }
            Loaded { path, text, file }
        }
        Ok(None) => {
            let size = std::fs::metadata(&path).map_or(0, |m| m.len());
            let d = Diagnostic::new(
                Code::FileTooLarge,
                format!("file is {size} bytes, more than the limit of {} bytes", limits.max_file_size),
                None,
            )
            .with_help("Sigma rules are small text files; check that this is a rule, or raise --max-file-size");
            Loaded { path, text: String::new(), file: SigmaFile { documents: Vec::new(), diagnostics: vec![d] } }
        }
        Err(e) => {
            let d = Diagnostic::new(Code::Io, format!("cannot read file: {e}"), None)
                .with_help("check the path and its permissions");
            Loaded { path, text: String::new(), file: SigmaFile { documents: Vec::new(), diagnostics: vec![d] } }
        }
    }
}
