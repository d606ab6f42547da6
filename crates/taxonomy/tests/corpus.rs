//! Checks the tables against the SigmaHQ corpus in the shared directory, when it is there:
//! every tag resolves, every logsource triple is mapped or explicitly unmapped.
//!
//! The shared directory is `$DETWIKI_SHARED`, else `../../../shared` (crate inside
//! `main/crates/`), else `../../shared` (crate beside `main/`), relative to the crate.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use detwiki_taxonomy::attack::{TagRef, resolve_tag};
use detwiki_taxonomy::logsource::{Lookup, lookup};

/// `attack.` tags in the corpus allowed to be unknown, with the reason. None today.
const ALLOWED_UNKNOWN_ATTACK: &[(&str, &str)] = &[];

fn rule_files() -> Option<Vec<PathBuf>> {
    let sigma = detwiki_testdata::require("corpus/sigma")?;
    let mut files = Vec::new();
    for entry in std::fs::read_dir(&sigma).unwrap() {
        let entry = entry.unwrap();
        if entry.file_name().to_string_lossy().starts_with("rules") && entry.path().is_dir() {
            walk(&entry.path(), &mut files);
        }
    }
    files.sort();
    assert!(!files.is_empty(), "no rule files under {}", sigma.display());
    Some(files)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let p = entry.unwrap().path();
        if p.is_dir() {
            walk(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(p);
        }
    }
}

fn scalar(v: &str) -> String {
    let v = match v.find(" #") {
        Some(i) => &v[..i],
        None => v,
    };
    v.trim().trim_matches(|c| c == '\'' || c == '"').to_string()
}

/// Items of the top-level `key:` block list (`  - item` lines).
fn top_level_list(doc: &str, key: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in doc.lines() {
        if !line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            inside = line.trim_end() == format!("{key}:");
            continue;
        }
        if inside && let Some(item) = line.trim_start().strip_prefix("- ") {
            out.push(scalar(item));
        }
    }
    out
}

type Triple = (Option<String>, Option<String>, Option<String>);

/// The `logsource:` mapping's product/category/service, if the document has one.
fn logsource(doc: &str) -> Option<Triple> {
    let mut found = false;
    let mut inside = false;
    let (mut p, mut c, mut s) = (None, None, None);
    for line in doc.lines() {
        if !line.starts_with([' ', '\t']) && !line.trim().is_empty() {
            inside = line.trim_end() == "logsource:";
            found |= inside;
            continue;
        }
        if !inside {
            continue;
        }
        let Some((k, v)) = line.trim().split_once(':') else {
            continue;
        };
        let v = Some(scalar(v)).filter(|v| !v.is_empty());
        match k {
            "product" => p = v,
            "category" => c = v,
            "service" => s = v,
            _ => {}
        }
    }
    found.then_some((p, c, s))
}

fn documents(text: &str) -> impl Iterator<Item = &str> {
    text.split("\n---")
}

#[test]
fn every_corpus_tag_resolves() {
    let Some(files) = rule_files() else { return };
    let mut tags: BTreeMap<String, usize> = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for doc in documents(&text) {
            for t in top_level_list(doc, "tags") {
                *tags.entry(t).or_default() += 1;
            }
        }
    }
    assert!(tags.len() > 300, "only {} distinct tags", tags.len());
    let mut unknown = Vec::new();
    let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
    for tag in tags.keys() {
        let r = resolve_tag(tag);
        let kind = match r {
            TagRef::Tactic(_) => "tactic",
            TagRef::Technique(_) => "technique",
            TagRef::Group(_) => "group",
            TagRef::Campaign(_) => "campaign",
            TagRef::Software(_) => "software",
            TagRef::DataSource(_) => "data_source",
            TagRef::UnknownAttack(_) => "unknown_attack",
            TagRef::Cve(_) => "cve",
            TagRef::Car(_) => "car",
            TagRef::Detection(_) => "detection",
            TagRef::Stp(_) => "stp",
            TagRef::Tlp(_) => "tlp",
            TagRef::Other { .. } => "other",
            TagRef::Malformed(_) => "malformed",
        };
        *kinds.entry(kind).or_default() += 1;
        if matches!(r, TagRef::UnknownAttack(_) | TagRef::Malformed(_))
            && !ALLOWED_UNKNOWN_ATTACK.iter().any(|(t, _)| t == tag)
        {
            unknown.push(tag.clone());
        }
    }
    eprintln!("{} distinct tags: {kinds:?}", tags.len());
    assert!(unknown.is_empty(), "unresolved tags: {unknown:?}");
}

#[test]
fn every_corpus_logsource_is_mapped_or_listed() {
    let Some(files) = rule_files() else { return };
    let mut triples: BTreeMap<Triple, Vec<PathBuf>> = BTreeMap::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap();
        for doc in documents(&text) {
            if let Some(t) = logsource(doc) {
                triples.entry(t).or_default().push(f.clone());
            }
        }
    }
    let (mut mapped, mut unmapped, mut missing) = (0, 0, BTreeSet::new());
    for (t, files) in &triples {
        match lookup(t.0.as_deref(), t.1.as_deref(), t.2.as_deref()) {
            Lookup::Mapped(_) => mapped += 1,
            Lookup::Unmapped(_) => unmapped += 1,
            Lookup::Unknown => {
                missing.insert(format!("{t:?} e.g. {}", files[0].display()));
            }
        }
    }
    eprintln!("{} distinct logsources: {mapped} mapped, {unmapped} explicitly unmapped", triples.len());
    assert!(triples.len() > 100);
    assert!(missing.is_empty(), "logsources in neither list: {missing:#?}");
}
