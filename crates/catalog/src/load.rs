//! Corpus loading: walk each corpus folder, read and parse every rule file in
//! parallel. Every file is kept, with its text and findings: a file that does
//! not parse is listed with its diagnostics, never dropped.

use std::path::{Path, PathBuf};

use detwiki_sigma::{Code, Diagnostic, Limits, SigmaFile};
use rayon::prelude::*;

/// A named rule tree given on the command line (`--corpus sigma=DIR`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorpusSpec {
    /// The corpus name shown in counts (`sigma`).
    pub name: String,
    /// Files or folders of the corpus.
    pub paths: Vec<PathBuf>,
}

impl CorpusSpec {
    /// Parse `NAME=DIR`, or `DIR` (named after the folder).
    pub fn parse(arg: &str) -> Result<Self, String> {
        let (name, path) = match arg.split_once('=') {
            Some((n, p)) if !n.is_empty() && !n.contains(['/', '\\']) => (n.to_string(), PathBuf::from(p)),
            _ => {
                let p = PathBuf::from(arg);
                let name = p
                    .canonicalize()
                    .ok()
                    .and_then(|c| c.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .or_else(|| p.file_name().map(|n| n.to_string_lossy().into_owned()))
                    .ok_or_else(|| format!("cannot name corpus `{arg}`: write NAME=DIR"))?;
                (name, p)
            }
        };
        if !name.chars().all(|c| c.is_alphanumeric() || "-_.".contains(c)) {
            return Err(format!("corpus name `{name}` may only use letters, digits, `-`, `_` and `.`"));
        }
        Ok(Self { name, paths: vec![path] })
    }
}

/// One file of a corpus and what the parser made of it.
#[derive(Debug)]
pub struct SourceFile {
    /// Index of the corpus it belongs to.
    pub corpus: usize,
    /// The path as found (joined to the corpus path).
    pub path: PathBuf,
    /// The path relative to its corpus root, with `/` separators.
    pub rel_path: String,
    /// The text (empty when unreadable); spans of `parsed` index into it.
    pub text: String,
    /// Documents and findings (Sigma's; another language's file has only the findings of
    /// reading it, its front end reads the text when the file is analysed).
    pub parsed: SigmaFile,
    /// Its language ([`crate::lang::detect`]); `None` when unreadable or of no known format.
    pub language: Option<&'static crate::lang::Language>,
}

/// A path that could not be searched.
#[derive(Clone, Debug)]
pub struct WalkError {
    /// Which path.
    pub path: PathBuf,
    /// Why.
    pub message: String,
}

/// Rule files under `root`: a file as given, a folder searched recursively
/// for `.yml`/`.yaml` (hidden folders skipped), sorted by name for stable output.
pub fn collect(root: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<WalkError>) {
    if root.is_file() {
        files.push(root.to_path_buf());
        return;
    }
    if !root.exists() {
        errors.push(WalkError { path: root.to_path_buf(), message: "no such file or folder".into() });
        return;
    }
    // Walked unsorted, then sorted once by path (component by component): the order of a walk
    // that sorts each folder's entries by name, without comparing names by re-parsing them at
    // every step of every folder's sort (a third of lint's single-threaded time).
    let (first_file, first_error) = (files.len(), errors.len());
    let walk = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(|n| n.starts_with('.')));
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_file() && is_rule_file(e.path()) => files.push(e.into_path()),
            Ok(_) => {}
            Err(e) => errors.push(WalkError {
                path: e.path().map_or_else(|| root.to_path_buf(), Path::to_path_buf),
                message: e.io_error().map_or_else(|| e.to_string(), |io| io.to_string()),
            }),
        }
    }
    sort_as_walked(&mut files[first_file..]);
    errors[first_error..].sort_by(|a, b| a.path.cmp(&b.path));
}

/// Sort paths found by an unsorted walk into the order of a walk that sorts each folder's
/// entries by name. Path order compares component by component: the same as comparing the
/// bytes with each separator made the smallest byte. One key per path, made once: walkdir's
/// `sort_by_file_name` re-parses both paths' last component at every comparison of every
/// folder's sort (3% of `lint`'s instructions over SigmaHQ `rules*`).
fn sort_as_walked(files: &mut [PathBuf]) {
    let separator = |b: u8| b == b'/' || (cfg!(windows) && b == b'\\');
    files.sort_by_cached_key(|p| {
        p.as_os_str().as_encoded_bytes().iter().map(|&b| if separator(b) { 0 } else { b }).collect::<Vec<u8>>()
    });
}

fn is_rule_file(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml"))
}

/// Files of every rule language under `root` ([`crate::lang::LANGUAGES`]), plus the files
/// no language claims (read as `unknown-format` findings, never silently dropped), except
/// documentation ([`crate::lang::is_documentation`]). A file given by name is always read.
/// Sorted by name as [`collect`] does. ([`collect`] finds Sigma files only: what `hunt` runs.)
pub fn collect_all(root: &Path, files: &mut Vec<PathBuf>, errors: &mut Vec<WalkError>) {
    if root.is_file() {
        files.push(root.to_path_buf());
        return;
    }
    if !root.exists() {
        errors.push(WalkError { path: root.to_path_buf(), message: "no such file or folder".into() });
        return;
    }
    // Walked unsorted, then sorted once (see `sort_as_walked`).
    let (first_file, first_error) = (files.len(), errors.len());
    let walk = walkdir::WalkDir::new(root)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(|n| n.starts_with('.')));
    for entry in walk {
        match entry {
            Ok(e) if e.file_type().is_file() && !crate::lang::is_documentation(e.path()) => {
                files.push(e.into_path());
            }
            Ok(_) => {}
            Err(e) => errors.push(WalkError {
                path: e.path().map_or_else(|| root.to_path_buf(), Path::to_path_buf),
                message: e.io_error().map_or_else(|| e.to_string(), |io| io.to_string()),
            }),
        }
    }
    sort_as_walked(&mut files[first_file..]);
    errors[first_error..].sort_by(|a, b| a.path.cmp(&b.path));
}

/// Read and parse `(corpus, root, path)` triples in parallel; `tick` runs once per file.
pub fn read_all(files: Vec<(usize, PathBuf, PathBuf)>, limits: &Limits, tick: &(dyn Fn() + Sync)) -> Vec<SourceFile> {
    files
        .into_par_iter()
        .map(|(corpus, root, path)| {
            let f = read_one(corpus, &root, path, limits);
            tick();
            f
        })
        .collect()
}

fn relative(root: &Path, path: &Path) -> String {
    let rel = if root == path {
        path.file_name().map_or_else(|| path.to_path_buf(), PathBuf::from)
    } else {
        path.strip_prefix(root).map_or_else(|_| path.to_path_buf(), Path::to_path_buf)
    };
    rel.to_string_lossy().replace('\\', "/")
}

/// Read and parse one file.
pub fn read_one(corpus: usize, root: &Path, path: PathBuf, limits: &Limits) -> SourceFile {
    let rel_path = relative(root, &path);
    let fail = |path: PathBuf, d: Diagnostic| SourceFile {
        corpus,
        path,
        rel_path: rel_path.clone(),
        text: String::new(),
        parsed: SigmaFile { documents: Vec::new(), diagnostics: vec![d] },
        language: None,
    };
    // Opened once and sized from the open file: no second look-up of the path (`fs::metadata`
    // then `fs::read` stat the file twice; 3,780 system calls over SigmaHQ `rules*`).
    let opened = std::fs::File::open(&path).and_then(|f| f.metadata().map(|m| (f, m.len())));
    let (mut file, size) = match opened {
        Ok(x) => x,
        Err(e) => {
            let d = Diagnostic::new(Code::Io, format!("cannot read file: {e}"), None)
                .with_help("check the path and its permissions");
            return fail(path, d);
        }
    };
    if size > limits.max_file_size as u64 {
        let d = Diagnostic::new(
            Code::FileTooLarge,
            format!("file is {size} bytes, more than the limit of {} bytes", limits.max_file_size),
            None,
        )
        .with_help("Sigma rules are small text files; check that this is a rule, or raise --max-file-size");
        return fail(path, d);
    }
    let claimant = crate::lang::of_path(&path);
    let mut bytes = Vec::with_capacity(usize::try_from(size).unwrap_or(0));
    let bytes = match std::io::Read::read_to_end(&mut file, &mut bytes).map(|_| bytes) {
        Ok(bytes) => bytes,
        Err(e) => {
            let d = Diagnostic::new(Code::Io, format!("cannot read file: {e}"), None)
                .with_help("check the path and its permissions");
            return fail(path, d);
        }
    };
    if claimant.is_none() {
        let ext = path.extension().map(|e| e.to_string_lossy().into_owned());
        let what = ext.map_or_else(|| "a file without an extension".to_string(), |e| format!("a `.{e}` file"));
        let known: Vec<String> =
            crate::lang::LANGUAGES.iter().map(|l| format!("{} (.{})", l.title, l.extensions.join(", ."))).collect();
        let d = Diagnostic::new(
            Code::UnknownFormat,
            format!("{what} is no rule format detwiki reads; it is left out"),
            None,
        )
        .with_help(format!("rule files are: {}", known.join("; ")));
        return fail(path, d);
    }
    // The text is checked as UTF-8 once, here; Sigma's parse_bytes only for what it reports
    // (a file grown past the limit since the size check, bytes that are not UTF-8).
    let text = String::from_utf8(bytes);
    let language = match &text {
        Ok(t) => crate::lang::detect(&path, t.strip_prefix('\u{feff}').unwrap_or(t)),
        Err(_) => claimant,
    };
    // Another language: its front end reads the text when the file is analysed.
    if language.is_some_and(|l| l.read.is_some()) {
        let (text, parsed) = match text {
            Ok(mut t) => {
                if t.starts_with('\u{feff}') {
                    t.drain(..3);
                }
                (t, SigmaFile { documents: Vec::new(), diagnostics: Vec::new() })
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let d = Diagnostic::new(
                    Code::InvalidUtf8,
                    "the file is not valid UTF-8",
                    Some(detwiki_sigma::Span::point(at)),
                )
                .with_help("save the file as UTF-8");
                (
                    String::from_utf8_lossy(e.as_bytes()).into_owned(),
                    SigmaFile { documents: Vec::new(), diagnostics: vec![d] },
                )
            }
        };
        return SourceFile { corpus, path, rel_path, text, parsed, language };
    }
    let (mut text, parsed) = match text {
        Ok(t) if t.len() <= limits.max_file_size => {
            let parsed = detwiki_sigma::parse_str_with(t.strip_prefix('\u{feff}').unwrap_or(&t), limits);
            (t, parsed)
        }
        Ok(t) => {
            let parsed = detwiki_sigma::parse_bytes(t.as_bytes(), limits);
            (t, parsed)
        }
        Err(e) => {
            let parsed = detwiki_sigma::parse_bytes(e.as_bytes(), limits);
            (String::from_utf8_lossy(e.as_bytes()).into_owned(), parsed)
        }
    };
    // Parsing drops a byte-order mark; spans count from after it.
    if text.starts_with('\u{feff}') {
        text.drain(..3);
    }
    SourceFile { corpus, path, rel_path, text, parsed, language }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corpus_spec_forms() {
        let s = CorpusSpec::parse("acme=/tmp/rules").unwrap();
        assert_eq!(s.name, "acme");
        assert_eq!(s.paths, vec![PathBuf::from("/tmp/rules")]);
        let s = CorpusSpec::parse("/nonexistent/sigma-rules").unwrap();
        assert_eq!(s.name, "sigma-rules");
        assert!(CorpusSpec::parse("bad name=/x").is_err());
    }

    /// Rule files come in the order of a walk that sorts each folder's entries by name (a
    /// folder's files right after its name's place among its siblings), hidden folders left out.
    #[test]
    fn collect_gives_a_sorted_walk() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        for f in [
            "b/x.yml",
            "a/b.yml",
            "a-c.yml",
            "a.yml",
            "A.yml",
            "a/z/y.yaml",
            ".hidden/z.yml",
            "a/notes.txt",
            "a/rule.toml",
        ] {
            let p = root.join(f);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, "title: t\n").unwrap();
        }
        let (mut files, mut errors) = (Vec::new(), Vec::new());
        collect(root, &mut files, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let rel: Vec<String> =
            files.iter().map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/")).collect();
        assert_eq!(rel, ["A.yml", "a/b.yml", "a/z/y.yaml", "a-c.yml", "a.yml", "b/x.yml"]);
        let mut walked = Vec::new();
        for e in walkdir::WalkDir::new(root).sort_by_file_name() {
            let e = e.unwrap();
            if e.file_type().is_file() && is_rule_file(e.path()) && !e.path().to_string_lossy().contains(".hidden") {
                walked.push(e.into_path());
            }
        }
        assert_eq!(files, walked, "the order walkdir's own sort gives");

        // Every language's files (and unclaimed ones), in the same order as walkdir's sort.
        let (mut all, mut errors) = (Vec::new(), Vec::new());
        collect_all(root, &mut all, &mut errors);
        assert!(errors.is_empty(), "{errors:?}");
        let mut walked = Vec::new();
        for e in walkdir::WalkDir::new(root).sort_by_file_name() {
            let e = e.unwrap();
            if e.file_type().is_file()
                && !crate::lang::is_documentation(e.path())
                && !e.path().to_string_lossy().contains(".hidden")
            {
                walked.push(e.into_path());
            }
        }
        assert!(all.iter().any(|p| p.ends_with("a/rule.toml")), "{all:?}");
        assert_eq!(all, walked, "collect_all: the order walkdir's own sort gives");
    }
}
