//! What a detection's repository holds beside `detections/`: `macros/*.yml` (search macros),
//! `data_sources/*.yml` (where a data source's events come from, and its field mappings),
//! `stories/*.yml` (analytic stories). Found from a file's folder upwards (the first folder
//! holding `macros/` or `data_sources/`), read once per repository and shared
//! ([`Repo::for_path`]).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use detwiki_sigma::yaml::{self, Node};

/// A search macro (`macros/<name>.yml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Macro {
    /// Its name (without a `(N)` arity suffix).
    pub name: String,
    /// Argument names, in order.
    pub arguments: Vec<String>,
    /// What it expands to (`$arg$` replaced by the arguments).
    pub definition: String,
    /// Its description.
    pub description: Option<String>,
}

/// One `field_mappings` entry of a data source: for a CIM data set, event field → CIM field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldMapping {
    /// `cim`, `ocsf` …
    pub data_model: String,
    /// `Endpoint.Processes`.
    pub data_set: String,
    /// Event field (`Image|endswith`) → data-model field (`Processes.process_name`).
    pub mapping: Vec<(String, String)>,
}

/// A data source (`data_sources/<name>.yml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataSource {
    /// `Sysmon EventID 13`.
    pub name: String,
    /// `XmlWinEventLog:Microsoft-Windows-Sysmon/Operational`.
    pub source: Option<String>,
    /// `xmlwineventlog`.
    pub sourcetype: Option<String>,
    /// The field that holds the event id (`EventID`, `EventCode`), when the name ends in one.
    pub separator: Option<String>,
    /// Field mappings to data models.
    pub field_mappings: Vec<FieldMapping>,
}

/// An analytic story (`stories/<name>.yml`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Story {
    /// Its name.
    pub name: String,
    /// Its description.
    pub description: Option<String>,
    /// The file, relative to the repository root (`stories/x.yml`).
    pub path: String,
}

/// The support files of one repository.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Repo {
    /// The folder holding `detections/`, `macros/` …
    pub root: PathBuf,
    /// Macros by lower-case name, each arity once.
    pub macros: HashMap<String, Vec<Macro>>,
    /// Data sources by lower-case name.
    pub data_sources: HashMap<String, DataSource>,
    /// Stories by lower-case name.
    pub stories: HashMap<String, Story>,
}

fn str_of(n: Option<&Node>) -> Option<String> {
    n.and_then(Node::as_str).map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

fn root_map(text: &str) -> Option<Node> {
    let limits = yaml::Limits::default();
    let docs = match yaml::parse_documents(text, &limits) {
        Ok(d) => d,
        // Written for PyYAML: a quoted scalar continued at column 0 (see `yamlstr`).
        Err(_) => yaml::parse_documents(&crate::yamlstr::indent_continuations(text)?.0, &limits).ok()?,
    };
    docs.into_iter().next()?.root
}

impl Repo {
    /// The repository root above `path` (a file or folder): the nearest folder, `path`
    /// itself included, that holds `macros/` or `data_sources/`.
    pub fn find_root(path: &Path) -> Option<PathBuf> {
        path.ancestors().find(|a| a.join("macros").is_dir() || a.join("data_sources").is_dir()).map(Path::to_path_buf)
    }

    /// The repository of `path`, read once per root and cached for the process.
    pub fn for_path(path: &Path) -> Option<Arc<Repo>> {
        static CACHE: OnceLock<Mutex<HashMap<PathBuf, Arc<Repo>>>> = OnceLock::new();
        let root = Self::find_root(path)?;
        let cache = CACHE.get_or_init(Default::default);
        let mut map = cache.lock().unwrap_or_else(|e| e.into_inner());
        Some(map.entry(root.clone()).or_insert_with(|| Arc::new(Repo::load(&root))).clone())
    }

    /// Read the support files under `root` (files that do not parse are left out here; read
    /// on their own, they report their problems).
    pub fn load(root: &Path) -> Repo {
        let mut repo = Repo { root: root.to_path_buf(), ..Repo::default() };
        for (path, text) in yml_files(&root.join("macros")) {
            let Some(n) = root_map(&text) else { continue };
            if let Some(m) = macro_of(&n) {
                let list = repo.macros.entry(m.name.to_ascii_lowercase()).or_default();
                if !list.iter().any(|x| x.arguments.len() == m.arguments.len()) {
                    list.push(m);
                }
            }
            let _ = path;
        }
        for (_, text) in yml_files(&root.join("data_sources")) {
            let Some(n) = root_map(&text) else { continue };
            if let Some(d) = data_source_of(&n) {
                repo.data_sources.entry(d.name.to_ascii_lowercase()).or_insert(d);
            }
        }
        for (path, text) in yml_files(&root.join("stories")) {
            let Some(n) = root_map(&text) else { continue };
            let Some(name) = str_of(n.get("name")) else { continue };
            let rel = path.strip_prefix(root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
            repo.stories.entry(name.to_ascii_lowercase()).or_insert(Story {
                name,
                description: str_of(n.get("description")),
                path: rel,
            });
        }
        repo
    }

    /// The macro `name` taking `arity` arguments.
    pub fn macro_def(&self, name: &str, arity: usize) -> Option<&Macro> {
        self.macros.get(&name.to_ascii_lowercase())?.iter().find(|m| m.arguments.len() == arity)
    }

    /// The data source named `name` (case ignored).
    pub fn data_source(&self, name: &str) -> Option<&DataSource> {
        self.data_sources.get(&name.trim().to_ascii_lowercase())
    }

    /// The story named `name` (case ignored).
    pub fn story(&self, name: &str) -> Option<&Story> {
        self.stories.get(&name.trim().to_ascii_lowercase())
    }
}

/// `.yml`/`.yaml` files under `dir` (recursively), sorted.
fn yml_files(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "yml" || x == "yaml")
                && let Ok(t) = std::fs::read_to_string(&p)
            {
                out.push((p, t));
            }
        }
    }
    out.sort();
    out
}

/// A macro file's content.
pub fn macro_of(n: &Node) -> Option<Macro> {
    let raw = str_of(n.get("name"))?;
    let name = match raw.find('(') {
        Some(i) if raw.ends_with(')') => raw[..i].to_string(),
        _ => raw,
    };
    let arguments = n
        .get("arguments")
        .and_then(Node::as_seq)
        .map(|s| s.iter().filter_map(Node::as_str).map(|a| a.trim().to_string()).collect())
        .unwrap_or_default();
    let definition = n.get("definition").and_then(Node::as_str).unwrap_or("").to_string();
    Some(Macro { name, arguments, definition, description: str_of(n.get("description")) })
}

/// A data source file's content.
pub fn data_source_of(n: &Node) -> Option<DataSource> {
    let name = str_of(n.get("name"))?;
    let mut field_mappings = Vec::new();
    for fm in n.get("field_mappings").and_then(Node::as_seq).unwrap_or(&[]) {
        let mapping = fm
            .get("mapping")
            .and_then(Node::as_map)
            .unwrap_or(&[])
            .iter()
            .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
            .collect();
        field_mappings.push(FieldMapping {
            data_model: str_of(fm.get("data_model")).unwrap_or_default(),
            data_set: str_of(fm.get("data_set")).unwrap_or_default(),
            mapping,
        });
    }
    Some(DataSource {
        name,
        source: str_of(n.get("source")),
        sourcetype: str_of(n.get("sourcetype")),
        separator: str_of(n.get("separator")),
        field_mappings,
    })
}
