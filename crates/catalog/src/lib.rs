//! # detwiki-catalog: many rules → analysis, indexes and counts
//!
//! ```text
//! --corpus NAME=DIR … ──load (parallel)──▶ SourceFile { text, SigmaFile }
//!     ──analyse each rule──▶ RuleEntry { attack, events, stages, indicators, findings }
//!     ──index the catalog──▶ corpus counts per indicator, technique/event/field/author indexes,
//!                            duplicate groups, neighbors
//! ```
//!
//! The catalog says what a rule *is*; it renders no HTML. Everything it
//! computes is `Serialize`, in deterministic order (rules sorted by corpus and
//! path, maps as `BTreeMap`). A file that fails to parse is listed in
//! [`Catalog::failed`] with its diagnostics and left out of every count.
//!
//! ```no_run
//! use detwiki_catalog::{Catalog, CorpusSpec};
//!
//! let spec = CorpusSpec::parse("sigma=../shared/corpus/sigma/rules").unwrap();
//! let catalog = Catalog::load(&[spec], &Default::default());
//! let rule = catalog.find("a54f842a-3713-4b45-8c84-5f136fdebd3c").unwrap();
//! assert_eq!(rule.attack[0].tactic, "Command & Control");
//! ```

pub mod analysis;
pub mod index;
pub mod indicators;
pub mod lang;
pub mod load;
pub mod stages;

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use detwiki_sigma::{Code, Diagnostic, Document, DocumentKind, Level, Limits, RelationType, Severity, Status};
use serde::Serialize;

pub use analysis::{AttackRow, EventMapping, EventRow, TagInfo, TechniqueRef};
pub use index::Index;
pub use indicators::{CorpusCounts, IndicatorRow, IndicatorValue, Kind, Prerendered, RuleIds};
pub use load::{CorpusSpec, SourceFile, WalkError};
pub use stages::{PredTree, Stage};

/// Options for loading.
#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Parser limits.
    pub limits: Limits,
    /// Drop each file's parsed documents once its rules are analysed (the text,
    /// findings and analysis stay). Loading then needs far less memory, which
    /// is what `detwiki catalog`, `rule` and `build` want; a catalog that will
    /// be [`Catalog::updated`] in place or whose rules will be compiled for
    /// hunting keeps them (the default).
    pub drop_parsed: bool,
}

/// A corpus as loaded.
#[derive(Clone, Debug, Serialize)]
pub struct CorpusInfo {
    /// Its name.
    pub name: String,
    /// Its folders or files.
    pub paths: Vec<String>,
    /// Rule files found.
    pub files: usize,
    /// Rules analysed (detection rules, filters and correlations).
    pub rules: usize,
    /// Files that failed to parse (listed in `failed`).
    pub failed: usize,
    /// Files read as support of a language's rules (Splunk macros, Panther helpers): no rules.
    #[serde(skip_serializing_if = "is_zero")]
    pub support: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

/// A file that did not parse, with its findings.
#[derive(Clone, Debug, Serialize)]
pub struct FailedFile {
    /// Corpus name.
    pub corpus: String,
    /// Path relative to the corpus.
    pub path: String,
    /// The findings (errors first).
    pub diagnostics: Vec<Finding>,
}

/// A finding located by line and column.
#[derive(Clone, Debug, Serialize)]
pub struct Finding {
    /// `error` or `warning`.
    pub severity: Severity,
    /// Stable code.
    pub code: Code,
    /// What is wrong.
    pub message: String,
    /// What to do.
    pub help: Option<String>,
    /// 1-based line, when located.
    pub line: Option<usize>,
    /// 1-based column, when located.
    pub column: Option<usize>,
}

impl Finding {
    /// A diagnostic about `source` (the file its span indexes), located by line and column.
    pub fn new(d: &Diagnostic, source: &detwiki_diagnostics::SourceFile<'_>) -> Self {
        let lc = d.span.map(|s| source.line_col(s.start));
        Finding {
            severity: d.severity,
            code: d.code,
            message: d.message.clone(),
            help: d.help.clone(),
            line: lc.map(|l| l.line),
            column: lc.map(|l| l.column),
        }
    }
}

/// The logsource triple.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct LogsourceRef {
    /// `product`.
    pub product: Option<String>,
    /// `category`.
    pub category: Option<String>,
    /// `service`.
    pub service: Option<String>,
}

impl LogsourceRef {
    /// `product/category/service` with absent parts left out (`windows/process_creation`).
    pub fn label(&self) -> String {
        [&self.product, &self.category, &self.service].iter().filter_map(|p| p.as_deref()).collect::<Vec<_>>().join("/")
    }
}

/// A `related:` entry, resolved when the catalog has the rule.
#[derive(Clone, Debug, Serialize)]
pub struct RelatedRef {
    /// The other rule's id.
    pub id: String,
    /// The relation (`derived`, `obsolete` …).
    #[serde(rename = "type")]
    pub relation: Option<RelationType>,
    /// The related rule's title, when it is in the catalog.
    pub title: Option<String>,
    /// The related rule's slug, when it is in the catalog.
    pub slug: Option<String>,
}

/// A rule with a shared-indicator count.
#[derive(Clone, Debug, Serialize)]
pub struct Neighbor {
    /// Rule id.
    pub id: String,
    /// Shared indicator values.
    pub shared_indicators: usize,
}

/// Rules related to this one by their matching logic and data.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Neighbors {
    /// Rules with equivalent matching logic (same normalised predicates and logsource).
    pub duplicates: Vec<String>,
    /// How many other rules read exactly the same events.
    pub same_events: usize,
    /// The rules on the same events that share the most indicators (at most 10).
    pub closest: Vec<Neighbor>,
}

/// One analysed rule (detection rule, filter or correlation).
#[derive(Clone, Debug, Serialize)]
pub struct RuleEntry {
    /// The rule id (`path:<corpus>/<path>#<n>` when the rule has none).
    pub id: String,
    /// Title.
    pub title: String,
    /// Corpus name.
    pub corpus: String,
    /// The rule language (`sigma`, `elastic`: [`lang::LANGUAGES`]).
    pub language: &'static str,
    /// Path relative to the corpus.
    pub path: String,
    /// Unique page name inside the corpus (the file stem, suffixed when taken).
    pub slug: String,
    /// `rule`, `filter` or `correlation`.
    pub kind: DocumentKind,
    /// Level.
    pub level: Option<Level>,
    /// Status.
    pub status: Option<Status>,
    /// Description.
    pub description: Option<String>,
    /// Author.
    pub author: Option<String>,
    /// Creation date.
    pub date: Option<String>,
    /// Last modification date.
    pub modified: Option<String>,
    /// Tags as written.
    pub tags: Vec<String>,
    /// References.
    pub references: Vec<String>,
    /// False positives.
    pub falsepositives: Vec<String>,
    /// Related rules.
    pub related: Vec<RelatedRef>,
    /// Logsource.
    pub logsource: LogsourceRef,
    /// MITRE ATT&CK coverage rows.
    pub attack: Vec<AttackRow>,
    /// Groups, software, CVEs and other tags.
    pub other_tags: Vec<TagInfo>,
    /// Event coverage rows.
    pub events: Vec<EventRow>,
    /// How the logsource maps to events.
    pub event_mapping: EventMapping,
    /// Stages and predicates.
    pub stages: Vec<Stage>,
    /// Indicators with corpus counts.
    pub indicators: Vec<IndicatorRow>,
    /// Duplicates and neighbors.
    pub neighbors: Neighbors,
    /// Findings about this rule (parser and reference tables).
    pub findings: Vec<Finding>,
    /// The YAML document as written (for other languages, the whole rule file).
    pub body: String,
    /// What only this rule's language has, as ordered key → value pairs (the "Details"
    /// block: Elastic's rule type, index patterns, threshold …); empty for Sigma.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<(String, String)>,
    /// Sections of the rule page only this rule's language has ([`lang::Section`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<lang::Section>,
    /// Index of the source file in [`Catalog::files`].
    #[serde(skip)]
    pub file: usize,
    /// Index of the document in its file.
    #[serde(skip)]
    pub doc: usize,
    /// Index of the corpus.
    #[serde(skip)]
    pub corpus_index: usize,
    /// A hash of the rule's matching logic, equal for equivalent detections
    /// (see [`index::signature`]); `None` for filters and correlations.
    #[serde(skip)]
    pub logic: Option<u128>,
}

/// The whole catalog.
#[derive(Debug, Serialize)]
pub struct Catalog {
    /// Corpora, in the order given.
    pub corpora: Vec<CorpusInfo>,
    /// Every analysed rule, sorted by corpus then path.
    pub rules: Vec<RuleEntry>,
    /// Files that failed to parse.
    pub failed: Vec<FailedFile>,
    /// Paths that could not be searched.
    #[serde(skip)]
    pub walk_errors: Vec<WalkError>,
    /// Corpus-wide indexes.
    pub index: Index,
    /// The files read, with their text and parse (shared, so that a catalog
    /// rebuilt after a change keeps the files that did not change: [`Catalog::updated`]).
    /// With [`LoadOptions::drop_parsed`] their documents are gone, and the text
    /// of a one-rule file has moved into its rule's [`RuleEntry::body`].
    #[serde(skip)]
    pub files: Vec<Arc<SourceFile>>,
    /// The files' documents were dropped after analysis ([`LoadOptions::drop_parsed`]).
    #[serde(skip)]
    pub parsed_dropped: bool,
}

/// A file that changed on disk, as a folder watcher reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FileChange {
    /// A rule file was created or written: read it again.
    Changed {
        /// Index of its corpus in the specs.
        corpus: usize,
        /// The corpus folder it lies in (its path is made relative to this).
        root: PathBuf,
        /// The file.
        path: PathBuf,
    },
    /// A rule file is gone.
    Removed(PathBuf),
}

impl Catalog {
    /// Load and analyse corpora.
    pub fn load(specs: &[CorpusSpec], opts: &LoadOptions) -> Catalog {
        Self::load_with_progress(specs, opts, &|_| {}, &|| {})
    }

    /// Load and analyse, calling `total` with the number of files once found and `tick` per file read.
    pub fn load_with_progress(
        specs: &[CorpusSpec],
        opts: &LoadOptions,
        total: &dyn Fn(usize),
        tick: &(dyn Fn() + Sync),
    ) -> Catalog {
        let mut walk_errors = Vec::new();
        let mut work = Vec::new();
        for (ci, spec) in specs.iter().enumerate() {
            for root in &spec.paths {
                let mut found = Vec::new();
                load::collect_all(root, &mut found, &mut walk_errors);
                work.extend(found.into_iter().map(|p| (ci, root.clone(), p)));
            }
        }
        total(work.len());
        let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
        // Read, parse and analyse each file in one parallel pass, while it is in cache.
        let done: Vec<(Arc<SourceFile>, Analysed)> = {
            use rayon::prelude::*;
            work.into_par_iter()
                .enumerate()
                .map(|(fi, (corpus, root, path))| {
                    let mut f = load::read_one(corpus, &root, path, &opts.limits);
                    let mut a = analyse(&f, fi, &names, opts.drop_parsed);
                    if opts.drop_parsed {
                        // A one-rule file's text becomes the rule's body, not a copy of it.
                        if let Analysed::Rules(rules) = &mut a
                            && let [rule] = rules.as_mut_slice()
                            && f.parsed.documents.len() == 1
                        {
                            rule.body = std::mem::take(&mut f.text);
                        }
                        f.parsed.documents = Vec::new();
                    }
                    tick();
                    (Arc::new(f), a)
                })
                .collect()
        };
        let (files, analysed) = done.into_iter().unzip();
        let mut catalog = Self::assemble(specs, &names, files, analysed, walk_errors);
        catalog.parsed_dropped = opts.drop_parsed;
        catalog
    }

    /// Build the catalog from files already read.
    pub fn from_files(specs: &[CorpusSpec], files: Vec<SourceFile>, walk_errors: Vec<WalkError>) -> Catalog {
        Self::from_shared_files(specs, files.into_iter().map(Arc::new).collect(), walk_errors)
    }

    /// This catalog again after some files changed: only the changed files are
    /// read and parsed; every other file is shared with `self`, then the
    /// analysis and indexes are rebuilt over the whole set (as
    /// [`Catalog::from_files`] does), so the result equals a fresh
    /// [`Catalog::load`] of the same folders. Files keep the load order
    /// (corpus, then path component by component, as the folder walk sorts them).
    pub fn updated(&self, specs: &[CorpusSpec], changes: &[FileChange], opts: &LoadOptions) -> Catalog {
        if self.parsed_dropped {
            // The unchanged files' documents are gone: read everything again.
            return Self::load(specs, opts);
        }
        let gone: HashSet<&Path> = changes
            .iter()
            .map(|c| match c {
                FileChange::Changed { path, .. } | FileChange::Removed(path) => path.as_path(),
            })
            .collect();
        let fresh: Vec<(usize, PathBuf, PathBuf)> = changes
            .iter()
            .filter_map(|c| match c {
                FileChange::Changed { corpus, root, path } => Some((*corpus, root.clone(), path.clone())),
                FileChange::Removed(_) => None,
            })
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut files: Vec<Arc<SourceFile>> =
            self.files.iter().filter(|f| !gone.contains(f.path.as_path())).cloned().collect();
        files.extend(load::read_all(fresh, &opts.limits, &|| {}).into_iter().map(Arc::new));
        files.sort_by(|a, b| (a.corpus, &a.path).cmp(&(b.corpus, &b.path)));
        Self::from_shared_files(specs, files, self.walk_errors.clone())
    }

    /// Build the catalog from files already read and shared.
    pub fn from_shared_files(
        specs: &[CorpusSpec],
        files: Vec<Arc<SourceFile>>,
        walk_errors: Vec<WalkError>,
    ) -> Catalog {
        use rayon::prelude::*;
        let names: Vec<String> = specs.iter().map(|s| s.name.clone()).collect();
        let analysed = files.par_iter().enumerate().map(|(fi, f)| analyse(f, fi, &names, false)).collect();
        Self::assemble(specs, &names, files, analysed, walk_errors)
    }

    /// The catalog of analysed files: counts, slugs and indexes.
    fn assemble(
        specs: &[CorpusSpec],
        names: &[String],
        files: Vec<Arc<SourceFile>>,
        analysed: Vec<Analysed>,
        walk_errors: Vec<WalkError>,
    ) -> Catalog {
        let mut corpora: Vec<CorpusInfo> = specs
            .iter()
            .map(|s| CorpusInfo {
                name: s.name.clone(),
                paths: s.paths.iter().map(|p| p.display().to_string()).collect(),
                files: 0,
                rules: 0,
                failed: 0,
                support: 0,
            })
            .collect();
        let mut failed = Vec::new();
        let mut rules: Vec<RuleEntry> = Vec::with_capacity(files.len());
        for (f, a) in files.iter().zip(analysed) {
            corpora[f.corpus].files += 1;
            match a {
                Analysed::Failed(x) => {
                    corpora[f.corpus].failed += 1;
                    failed.push(x);
                }
                Analysed::Rules(r) => rules.extend(r),
                Analysed::Support => corpora[f.corpus].support += 1,
            }
        }
        rules.sort_by(|a, b| (a.corpus_index, &a.path, a.doc).cmp(&(b.corpus_index, &b.path, b.doc)));
        for r in &rules {
            corpora[r.corpus_index].rules += 1;
        }
        assign_slugs(&mut rules);
        let index = index::build(&mut rules, names);
        Catalog { corpora, rules, failed, walk_errors, index, files, parsed_dropped: false }
    }

    /// A rule by id, or by path (as given, or relative to its corpus), or by slug.
    pub fn find(&self, key: &str) -> Option<&RuleEntry> {
        let key_path = key.replace('\\', "/");
        self.rules
            .iter()
            .find(|r| r.id == key)
            .or_else(|| {
                let canon = std::fs::canonicalize(key).ok();
                self.rules.iter().find(|r| {
                    let f = &self.files[r.file];
                    // Only a file of the same name can be the same file: resolve just those.
                    let same_file = || {
                        canon.as_ref().is_some_and(|c| {
                            c.file_name() == f.path.file_name()
                                && std::fs::canonicalize(&f.path).ok().as_ref() == Some(c)
                        })
                    };
                    r.path == key_path || f.path.as_path() == std::path::Path::new(key) || same_file()
                })
            })
            .or_else(|| self.rules.iter().find(|r| r.slug == key || format!("{}/{}", r.corpus, r.slug) == key))
    }

    /// Rules by id, for resolving lists of ids.
    pub fn by_id(&self) -> BTreeMap<&str, &RuleEntry> {
        self.rules.iter().map(|r| (r.id.as_str(), r)).collect()
    }
}

/// What the analysis made of one file.
enum Analysed {
    /// It did not parse: its findings.
    Failed(FailedFile),
    /// Its rules.
    Rules(Vec<RuleEntry>),
    /// A support file of its language's repository (macros, helpers): neither.
    Support,
}

/// `body_later`: leave a one-document file's body empty; the caller moves the text in.
fn analyse(f: &SourceFile, fi: usize, names: &[String], body_later: bool) -> Analysed {
    if let Some(language) = f.language
        && let Some(read) = language.read
        && f.parsed.diagnostics.is_empty()
    {
        let model = read(&f.text, &lang::FileCtx { rel_path: &f.rel_path, path: &f.path });
        if model.support && model.rules.is_empty() && model.diagnostics.is_empty() {
            return Analysed::Support;
        }
        let source = detwiki_diagnostics::SourceFile::new(f.rel_path.as_str(), f.text.as_str());
        if model.rules.is_empty() {
            let mut diagnostics: Vec<Finding> = model.diagnostics.iter().map(|d| Finding::new(d, &source)).collect();
            diagnostics.sort_by_key(|d| d.severity != Severity::Error);
            return Analysed::Failed(FailedFile {
                corpus: names[f.corpus].clone(),
                path: f.rel_path.clone(),
                diagnostics,
            });
        }
        let n = model.rules.len();
        return Analysed::Rules(
            model.rules.into_iter().enumerate().map(|(ri, r)| model_entry(f, fi, ri, n, r, language, names)).collect(),
        );
    }
    if f.parsed.has_errors() || f.parsed.documents.is_empty() {
        let source = detwiki_diagnostics::SourceFile::new(f.rel_path.as_str(), f.text.as_str());
        let mut diagnostics: Vec<Finding> = f.parsed.diagnostics.iter().map(|d| Finding::new(d, &source)).collect();
        diagnostics.sort_by_key(|d| d.severity != Severity::Error);
        return Analysed::Failed(FailedFile { corpus: names[f.corpus].clone(), path: f.rel_path.clone(), diagnostics });
    }
    Analysed::Rules((0..f.parsed.documents.len()).map(|di| entry(f, fi, di, names, body_later)).collect())
}

/// The text of one document: the whole file for a single-document file.
fn document_text(f: &SourceFile, doc: usize) -> String {
    if f.parsed.documents.len() == 1 {
        return f.text.clone();
    }
    let span = match &f.parsed.documents[doc] {
        Document::Rule(r) => r.span,
        Document::Filter(x) => x.span,
        Document::Correlation(c) => c.span,
    };
    f.text.get(span.start..span.end).unwrap_or(&f.text).to_string()
}

fn entry(f: &SourceFile, fi: usize, di: usize, names: &[String], body_later: bool) -> RuleEntry {
    let doc = &f.parsed.documents[di];
    let meta = doc.meta();
    let (attack, other_tags, mut diags) = analysis::attack(meta);
    let (logsource, detection) = match doc {
        Document::Rule(r) => (Some(&r.logsource), Some(&r.detection)),
        Document::Filter(x) => (x.logsource.as_ref(), Some(&x.detection)),
        Document::Correlation(_) => (None, None),
    };
    let (events, event_mapping) = match (doc, logsource) {
        (Document::Rule(_), Some(ls)) => {
            let (rows, mapping, d) = analysis::events(ls, detection);
            diags.extend(d);
            (rows, mapping)
        }
        (_, Some(ls)) => {
            let (rows, mapping, _) = analysis::events(ls, detection);
            (rows, mapping)
        }
        _ => (Vec::new(), EventMapping::Unknown),
    };
    let findings: Vec<Finding> = if f.parsed.diagnostics.is_empty() && diags.is_empty() {
        Vec::new()
    } else {
        let source = detwiki_diagnostics::SourceFile::new(f.rel_path.as_str(), f.text.as_str());
        f.parsed.diagnostics.iter().chain(&diags).map(|d| Finding::new(d, &source)).collect()
    };
    let id =
        meta.id.as_ref().map_or_else(|| format!("path:{}/{}#{}", names[f.corpus], f.rel_path, di), |i| i.value.clone());
    let stem = f.rel_path.rsplit('/').next().unwrap_or(&f.rel_path);
    let stem = stem.strip_suffix(".yml").or_else(|| stem.strip_suffix(".yaml")).unwrap_or(stem);
    RuleEntry {
        id,
        title: meta.title.as_ref().map_or_else(|| stem.to_string(), |t| t.value.clone()),
        corpus: names[f.corpus].clone(),
        language: lang::SIGMA.name,
        path: f.rel_path.clone(),
        slug: if f.parsed.documents.len() > 1 { format!("{stem}-{}", di + 1) } else { stem.to_string() },
        kind: doc.kind(),
        level: meta.level.as_ref().map(|l| l.value),
        status: meta.status.as_ref().map(|s| s.value),
        description: meta.description.clone(),
        author: meta.author.clone(),
        date: meta.date.as_ref().map(|d| d.value.clone()),
        modified: meta.modified.as_ref().map(|d| d.value.clone()),
        tags: meta.tags.iter().map(|t| t.value.clone()).collect(),
        references: meta.references.clone(),
        falsepositives: meta.falsepositives.clone(),
        related: meta
            .related
            .iter()
            .map(|r| RelatedRef { id: r.id.clone(), relation: r.relation, title: None, slug: None })
            .collect(),
        logsource: logsource.map_or_else(LogsourceRef::default, |ls| LogsourceRef {
            product: ls.product.clone(),
            category: ls.category.clone(),
            service: ls.service.clone(),
        }),
        attack,
        other_tags,
        events,
        event_mapping,
        stages: detection.map(stages::stages).unwrap_or_default(),
        indicators: detection.map(indicators::extract).unwrap_or_default(),
        neighbors: Neighbors::default(),
        findings,
        body: if body_later && f.parsed.documents.len() == 1 { String::new() } else { document_text(f, di) },
        details: Vec::new(),
        sections: Vec::new(),
        file: fi,
        doc: di,
        corpus_index: f.corpus,
        logic: match doc {
            Document::Rule(r) => index::signature(&r.detection),
            _ => None,
        },
    }
}

/// The entry of rule `ri` (of `n`) of a file another language's front end read.
fn model_entry(
    f: &SourceFile,
    fi: usize,
    ri: usize,
    n: usize,
    r: lang::ModelRule,
    language: &'static lang::Language,
    names: &[String],
) -> RuleEntry {
    let (attack, other_tags, attack_diags) = analysis::attack_of_tags(&r.attack_tags);
    let source = detwiki_diagnostics::SourceFile::new(f.rel_path.as_str(), f.text.as_str());
    let findings: Vec<Finding> = r.diagnostics.iter().chain(&attack_diags).map(|d| Finding::new(d, &source)).collect();
    let id =
        r.id.as_ref().map_or_else(|| format!("path:{}/{}#{}", names[f.corpus], f.rel_path, ri), |i| i.value.clone());
    let file_name = f.rel_path.rsplit('/').next().unwrap_or(&f.rel_path);
    let stem = language.extensions.iter().find_map(|e| file_name.strip_suffix(&format!(".{e}"))).unwrap_or(file_name);
    RuleEntry {
        id,
        title: r.title.unwrap_or_else(|| stem.to_string()),
        corpus: names[f.corpus].clone(),
        language: language.name,
        path: f.rel_path.clone(),
        slug: if n > 1 { format!("{stem}-{}", ri + 1) } else { stem.to_string() },
        kind: DocumentKind::Rule,
        level: r.level,
        status: r.status,
        description: r.description,
        author: r.author,
        date: r.date,
        modified: r.modified,
        tags: r.tags,
        references: r.references,
        falsepositives: r.falsepositives,
        related: r.related,
        logsource: LogsourceRef::default(),
        attack,
        other_tags,
        events: r.events,
        event_mapping: r.event_mapping.unwrap_or(EventMapping::Unknown),
        stages: r.stages,
        indicators: r.indicators,
        neighbors: Neighbors::default(),
        findings,
        body: f.text.clone(),
        details: r.details,
        sections: r.sections,
        file: fi,
        doc: ri,
        corpus_index: f.corpus,
        logic: None,
    }
}

/// Make slugs unique inside each corpus (first by path keeps the plain stem).
fn assign_slugs(rules: &mut [RuleEntry]) {
    let mut seen: std::collections::HashMap<(usize, String), usize> = std::collections::HashMap::new();
    for r in rules.iter_mut() {
        let n = seen.entry((r.corpus_index, r.slug.clone())).or_insert(0);
        *n += 1;
        if *n > 1 {
            r.slug = format!("{}-{}", r.slug, n);
        }
    }
}
