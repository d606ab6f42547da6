//! A panther-analysis repository around a rule file: its `global_helpers/` (Python modules
//! rules import) and `data_models/` (UDM names → event paths per log type), found from the
//! rule file's folder upwards and loaded once per repository root.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use detwiki_sigma::yaml::{self, Node};

use crate::python::Module;

/// One data-model mapping.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mapping {
    /// `Path:`: the event path (a leading `$.` removed).
    Path(String),
    /// `Method:`: a Python function of the data model computes it.
    Method(String),
}

/// What a repository gives its rules.
#[derive(Debug, Default)]
pub struct Repo {
    /// Its root folder.
    pub root: PathBuf,
    /// Global helper modules by name.
    pub helpers: HashMap<String, Arc<Module>>,
    /// Data-model mappings by log type: UDM name → mapping.
    pub data_models: HashMap<String, Vec<(String, Mapping)>>,
}

impl Repo {
    /// UDM names → event paths for `log_types` (the `Path` mappings; the first log type that
    /// maps a name wins).
    pub fn udm_paths(&self, log_types: &[String]) -> HashMap<String, String> {
        let mut out = HashMap::new();
        for lt in log_types {
            for (name, m) in self.data_models.get(lt).map(Vec::as_slice).unwrap_or(&[]) {
                if let Mapping::Path(p) = m {
                    out.entry(name.clone()).or_insert_with(|| p.clone());
                }
            }
        }
        out
    }

    /// Load the repository at `root`.
    pub fn load(root: &Path) -> Repo {
        let mut repo = Repo { root: root.to_path_buf(), ..Repo::default() };
        if let Ok(rd) = std::fs::read_dir(root.join("global_helpers")) {
            let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for p in paths {
                let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else { continue };
                if p.extension().and_then(|e| e.to_str()) != Some("py") || stem.ends_with("_test") {
                    continue;
                }
                if let Ok(text) = std::fs::read_to_string(&p)
                    && let Ok(m) = Module::parse(stem, text)
                {
                    repo.helpers.insert(stem.to_string(), Arc::new(m));
                }
            }
        }
        if let Ok(rd) = std::fs::read_dir(root.join("data_models")) {
            let mut paths: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
            paths.sort();
            for p in paths {
                if !matches!(p.extension().and_then(|e| e.to_str()), Some("yml" | "yaml")) {
                    continue;
                }
                if let Ok(text) = std::fs::read_to_string(&p) {
                    for (lt, maps) in data_model(&text) {
                        repo.data_models.entry(lt).or_default().extend(maps);
                    }
                }
            }
        }
        repo
    }
}

/// The log types and mappings of one data-model YAML file.
pub fn data_model(text: &str) -> Vec<(String, Vec<(String, Mapping)>)> {
    let Ok(docs) = yaml::parse_documents(text, &yaml::Limits::default()) else { return Vec::new() };
    let Some(root) = docs.into_iter().next().and_then(|d| d.root) else { return Vec::new() };
    let mut maps = Vec::new();
    for m in root.get("Mappings").and_then(Node::as_seq).unwrap_or(&[]) {
        let Some(name) = m.get("Name").and_then(Node::as_str) else { continue };
        if let Some(p) = m.get("Path").and_then(Node::as_str) {
            let p = p.strip_prefix("$.").unwrap_or(p);
            maps.push((name.to_string(), Mapping::Path(p.to_string())));
        } else if let Some(f) = m.get("Method").and_then(Node::as_str) {
            maps.push((name.to_string(), Mapping::Method(f.to_string())));
        }
    }
    root.get("LogTypes")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .map(|lt| (lt.to_string(), maps.clone()))
        .collect()
}

/// The repository root above `file`: the nearest folder (the file's own included) that holds
/// `global_helpers/` or `data_models/`.
pub fn root_of(file: &Path) -> Option<PathBuf> {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d.join("global_helpers").is_dir() || d.join("data_models").is_dir() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

type Cache = Mutex<HashMap<PathBuf, Arc<Repo>>>;

/// The repository around `file`, loaded once per root (cached for the process).
pub fn repo_for(file: &Path) -> Option<Arc<Repo>> {
    static CACHE: OnceLock<Cache> = OnceLock::new();
    let root = root_of(file)?;
    let cache = CACHE.get_or_init(Cache::default);
    let mut map = match cache.lock() {
        Ok(m) => m,
        Err(poisoned) => poisoned.into_inner(),
    };
    Some(map.entry(root.clone()).or_insert_with(|| Arc::new(Repo::load(&root))).clone())
}
