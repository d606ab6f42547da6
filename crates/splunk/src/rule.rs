//! One security_content file → its kind and, for a detection, a typed [`SplunkRule`] with
//! spans, its search expanded and parsed, and diagnostics (spans into the file).

use detwiki_diagnostics::{Code, Diagnostic, Span};
use detwiki_sigma::yaml::{self, Node, YamlError};

use crate::expand::{self, Expanded};
use crate::repo::Repo;
use crate::spl::{self, ParseError, Pipeline, Stage};
use crate::yamlstr::{self, MappedStr};

/// What a file of a security_content repository is, from its top-level keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// `detections/…`: `search:` (and no Sigma `detection:`).
    Detection,
    /// `macros/…`: `definition:`.
    Macro,
    /// `data_sources/…`: `sourcetype:` or `separator:`.
    DataSource,
    /// `stories/…`: `narrative:`.
    Story,
}

/// True when `text` has the top-level key `key` (a line starting with `key:` at column 0).
pub fn has_top_key(text: &str, key: &str) -> bool {
    let b = text.as_bytes();
    let mut from = 0;
    while let Some(p) = text[from..].find(key) {
        let at = from + p;
        let line_start = at == 0 || b[at - 1] == b'\n';
        if line_start && b.get(at + key.len()) == Some(&b':') {
            return true;
        }
        from = at + key.len();
    }
    false
}

/// Which security_content file `text` is, looking only at its top-level keys; `None` for
/// anything else (a Sigma rule has `detection:`, which none of these has).
pub fn sniff(text: &str) -> Option<FileKind> {
    if has_top_key(text, "detection") || has_top_key(text, "logsource") {
        return None;
    }
    if has_top_key(text, "search") && has_top_key(text, "name") {
        Some(FileKind::Detection)
    } else if has_top_key(text, "definition") && has_top_key(text, "name") {
        Some(FileKind::Macro)
    } else if (has_top_key(text, "sourcetype") || has_top_key(text, "separator")) && has_top_key(text, "name") {
        Some(FileKind::DataSource)
    } else if has_top_key(text, "narrative") && has_top_key(text, "name") {
        Some(FileKind::Story)
    } else {
        None
    }
}

/// A string and where it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Text {
    /// The value.
    pub value: String,
    /// Where.
    pub span: Span,
}

/// `tags:` of a detection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tags {
    /// `analytic_story`.
    pub analytic_story: Vec<String>,
    /// `mitre_attack_id`: techniques and sub-techniques (`T1547.014`).
    pub mitre_attack_id: Vec<Text>,
    /// `security_domain`.
    pub security_domain: Option<String>,
    /// `asset_type`.
    pub asset_type: Option<String>,
    /// `risk_score`.
    pub risk_score: Option<String>,
    /// `confidence`.
    pub confidence: Option<String>,
    /// `impact`.
    pub impact: Option<String>,
    /// `message` (the risk message).
    pub message: Option<String>,
    /// `product`.
    pub product: Vec<String>,
    /// `required_fields`.
    pub required_fields: Vec<String>,
    /// `cve`.
    pub cve: Vec<String>,
    /// `observable`: `name (type; role)`.
    pub observables: Vec<String>,
}

/// One `tests:` entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TestCase {
    /// Its name.
    pub name: String,
    /// `attack_data`: (data URL, source, sourcetype).
    pub attack_data: Vec<(String, String, String)>,
}

/// A detection's search: as written, expanded, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Search {
    /// The search as written (the YAML value).
    pub text: String,
    /// The value's bytes → the file's.
    pub map: MappedStr,
    /// Macros expanded.
    pub expanded: Expanded,
    /// The parsed pipeline (spans into `expanded.text`), when it parses.
    pub pipeline: Option<Pipeline>,
    /// Why it does not parse (span into `expanded.text`).
    pub error: Option<ParseError>,
}

impl Search {
    /// An expanded-text span → a file span.
    pub fn file_span(&self, s: Span) -> Span {
        self.map.span(self.expanded.span(s))
    }

    /// The stages, spans in the file.
    pub fn stages(&self) -> Vec<Stage> {
        let Some(p) = &self.pipeline else { return Vec::new() };
        let mut out = spl::stages(p);
        for s in &mut out {
            s.span = self.file_span(s.span);
            if let Some(t) = &mut s.tree {
                t.map_spans(&|x| self.file_span(x));
            }
        }
        out
    }
}

/// A security_content detection.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SplunkRule {
    /// `name`.
    pub name: Option<Text>,
    /// `id`.
    pub id: Option<Text>,
    /// `version`.
    pub version: Option<String>,
    /// `date` (`YYYY-MM-DD`).
    pub date: Option<String>,
    /// `author`.
    pub author: Option<String>,
    /// `status` (`production`, `experimental`, `deprecated`).
    pub status: Option<String>,
    /// `type` (`TTP`, `Anomaly`, `Hunting`, `Correlation`).
    pub rule_type: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `data_source` names.
    pub data_sources: Vec<Text>,
    /// `how_to_implement`.
    pub how_to_implement: Option<String>,
    /// `known_false_positives`.
    pub known_false_positives: Option<String>,
    /// `references`.
    pub references: Vec<String>,
    /// `tags`.
    pub tags: Tags,
    /// `tests`.
    pub tests: Vec<TestCase>,
    /// Number of `drilldown_searches`.
    pub drilldowns: usize,
    /// Under `deprecated/` or `status: deprecated`.
    pub deprecated: bool,
    /// The search.
    pub search: Option<Search>,
}

/// What [`parse_rule`] made of a file.
#[derive(Clone, Debug, Default)]
pub struct SplunkFile {
    /// The kind of file (`None`: not a security_content file).
    pub kind: Option<FileKind>,
    /// The detection, for a detection file.
    pub rule: Option<SplunkRule>,
    /// Findings (spans into the file).
    pub diagnostics: Vec<Diagnostic>,
}

fn yaml_diag(e: &YamlError) -> Diagnostic {
    let code = match e {
        YamlError::TooLarge { .. } => Code::FileTooLarge,
        YamlError::TooDeep { .. } => Code::YamlTooDeep,
        YamlError::AliasLimit { .. } | YamlError::UnknownAnchor { .. } => Code::YamlAlias,
        YamlError::Syntax { .. } => Code::YamlSyntax,
    };
    Diagnostic::new(code, e.to_string(), e.span())
}

fn s(n: Option<&Node>) -> Option<String> {
    match n.map(|n| &n.kind) {
        Some(yaml::NodeKind::Scalar { value: yaml::Scalar::Null, .. }) | None => None,
        Some(yaml::NodeKind::Scalar { text, .. }) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
        _ => None,
    }
}

fn list(n: Option<&Node>) -> Vec<String> {
    match n {
        Some(n) => match n.as_seq() {
            Some(items) => items.iter().filter_map(|i| s(Some(i))).collect(),
            None => s(Some(n)).into_iter().collect(),
        },
        None => Vec::new(),
    }
}

fn texts(n: Option<&Node>) -> Vec<Text> {
    let Some(n) = n else { return Vec::new() };
    let items: Vec<&Node> = match n.as_seq() {
        Some(items) => items.iter().collect(),
        None => vec![n],
    };
    items.into_iter().filter_map(|i| Some(Text { value: s(Some(i))?, span: i.span })).collect()
}

/// Read one file of a security_content repository. `rel_path` says whether it is under
/// `deprecated/`; `repo` gives macros and data sources (without it only the `_filter` and
/// `drop_dm_object_name` conventions are known, and data sources are not resolved).
pub fn parse_rule(text: &str, rel_path: &str, repo: Option<&Repo>) -> SplunkFile {
    let kind = sniff(text);
    let mut file = SplunkFile { kind, rule: None, diagnostics: Vec::new() };
    let docs = match yaml::parse_documents(text, &yaml::Limits::default()) {
        Ok(d) => d,
        Err(e) => {
            // Written for PyYAML: quoted scalars continued at column 0. Read a copy indented
            // by one space, and map every position back.
            if matches!(e, YamlError::Syntax { .. })
                && let Some((patched, inserted)) = yamlstr::indent_continuations(text)
                && yaml::parse_documents(&patched, &yaml::Limits::default()).is_ok()
            {
                let mut f = parse_rule(&patched, rel_path, repo);
                let back = |at: usize| yamlstr::unpatch(&inserted, at);
                let span = |s: Span| Span::new(back(s.start), back(s.end));
                for d in &mut f.diagnostics {
                    d.span = d.span.map(span);
                    for l in &mut d.labels {
                        l.span = span(l.span);
                    }
                }
                if let Some(r) = &mut f.rule {
                    for t in r
                        .name
                        .iter_mut()
                        .chain(r.id.iter_mut())
                        .chain(&mut r.data_sources)
                        .chain(&mut r.tags.mitre_attack_id)
                    {
                        t.span = span(t.span);
                    }
                    if let Some(s) = &mut r.search {
                        s.map.remap(back);
                    }
                }
                return f;
            }
            file.diagnostics.push(yaml_diag(&e));
            return file;
        }
    };
    if kind != Some(FileKind::Detection) {
        return file;
    }
    let Some(root) = docs.into_iter().next().and_then(|d| d.root).filter(|r| r.as_map().is_some()) else {
        file.diagnostics.push(Diagnostic::new(Code::NotARule, "the file holds no YAML mapping", Some(Span::point(0))));
        return file;
    };
    let mut rule = SplunkRule {
        name: texts(root.get("name")).into_iter().next(),
        id: texts(root.get("id")).into_iter().next(),
        version: s(root.get("version")),
        date: s(root.get("date")),
        author: s(root.get("author")),
        status: s(root.get("status")),
        rule_type: s(root.get("type")),
        description: s(root.get("description")),
        data_sources: texts(root.get("data_source")),
        how_to_implement: s(root.get("how_to_implement")),
        known_false_positives: s(root.get("known_false_positives")),
        references: list(root.get("references")),
        drilldowns: root.get("drilldown_searches").and_then(Node::as_seq).map_or(0, <[Node]>::len),
        ..SplunkRule::default()
    };
    rule.deprecated = rel_path.replace('\\', "/").split('/').any(|c| c == "deprecated")
        || rule.status.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("deprecated"));
    if let Some(t) = root.get("tags") {
        rule.tags = Tags {
            analytic_story: list(t.get("analytic_story")),
            mitre_attack_id: texts(t.get("mitre_attack_id")),
            security_domain: s(t.get("security_domain")),
            asset_type: s(t.get("asset_type")),
            risk_score: s(t.get("risk_score")),
            confidence: s(t.get("confidence")),
            impact: s(t.get("impact")),
            message: s(t.get("message")),
            product: list(t.get("product")),
            required_fields: list(t.get("required_fields")),
            cve: list(t.get("cve")),
            observables: t
                .get("observable")
                .and_then(Node::as_seq)
                .unwrap_or(&[])
                .iter()
                .filter_map(|o| {
                    let name = s(o.get("name"))?;
                    let ty = s(o.get("type")).unwrap_or_default();
                    let role = list(o.get("role")).join(", ");
                    Some(format!("{name} ({ty}; {role})"))
                })
                .collect(),
        };
    }
    for t in root.get("tests").and_then(Node::as_seq).unwrap_or(&[]) {
        let attack_data = t
            .get("attack_data")
            .and_then(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .map(|a| {
                (
                    s(a.get("data")).unwrap_or_default(),
                    s(a.get("source")).unwrap_or_default(),
                    s(a.get("sourcetype")).unwrap_or_default(),
                )
            })
            .collect();
        rule.tests.push(TestCase { name: s(t.get("name")).unwrap_or_default(), attack_data });
    }
    for (key, present) in [("name", rule.name.is_some()), ("id", rule.id.is_some())] {
        if !present {
            file.diagnostics.push(
                Diagnostic::new(Code::MissingField, format!("the detection has no `{key}`"), Some(Span::point(0)))
                    .with_help(format!("add a top-level `{key}:`")),
            );
        }
    }
    match root.get("search") {
        Some(n) if n.as_str().is_some() => {
            let value = n.as_str().unwrap_or_default();
            let search = read_search(text, n.span.start, value, repo, &mut file.diagnostics);
            rule.search = Some(search);
        }
        _ => file.diagnostics.push(
            Diagnostic::new(Code::MissingField, "the detection has no `search` string", Some(Span::point(0)))
                .with_help("add a top-level `search:` with the SPL search"),
        ),
    }
    if let Some(repo) = repo {
        for ds in &rule.data_sources {
            // `Sysmon EventID 1 AND Sysmon EventID 11`: two data sources in one entry.
            if ds.value.split(" AND ").any(|part| repo.data_source(part).is_none()) {
                file.diagnostics.push(
                    Diagnostic::new(
                        Code::UnknownDataSource,
                        format!("data source `{}` is not in the repository's `data_sources/`", ds.value),
                        Some(ds.span),
                    )
                    .with_help("name a data source of `data_sources/*.yml` (its `name:`), or add one"),
                );
            }
        }
    }
    file.rule = Some(rule);
    file
}

fn read_search(text: &str, at: usize, value: &str, repo: Option<&Repo>, diags: &mut Vec<Diagnostic>) -> Search {
    let map = yamlstr::decode(text, at, value);
    let expanded = expand::expand(value, repo);
    for e in &expanded.errors {
        let code = if e.undefined { Code::UndefinedMacro } else { Code::QueryTooComplex };
        let mut d = Diagnostic::new(code, e.message.clone(), Some(map.span(e.span)));
        if e.undefined {
            d = d.with_help("define it in `macros/<name>.yml`, or check its name and number of arguments");
        }
        diags.push(d);
    }
    let (pipeline, error) = match spl::parse(&expanded.text) {
        Ok(p) => (Some(p), None),
        Err(e) => (None, Some(e)),
    };
    let search = Search { text: value.to_string(), map, expanded, pipeline, error };
    if let Some(e) = &search.error {
        let span = search.file_span(e.span);
        let from_macro = search.expanded.span(e.span)
            != Span::new(search.expanded.origin(e.span.start), search.expanded.origin(e.span.start) + e.span.len());
        let code = if e.too_deep { Code::QueryTooComplex } else { Code::QuerySyntax };
        let mut d = Diagnostic::new(code, format!("the SPL search does not parse: {}", e.message), Some(span));
        if from_macro {
            d = d.with_help("the error is inside a macro's expansion: check the macro's definition in `macros/`");
        } else {
            d = d.with_help("fix the search (detwiki parses `search`, `where`, `eval`, `tstats` and `from`; other commands are kept as text)");
        }
        diags.push(d);
    }
    search
}
