//! The typed model of one Sublime rule file, and how it is read from YAML.

use detwiki_sigma::Spanned;
use detwiki_sigma::yaml::{self, Node, NodeKind};

use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::mql::{self, Expr, QueryError, QueryErrorKind};
use crate::predicate::PredicateTree;
use crate::span::Span;

/// One Sublime rule (`type: rule`) or hunting query (`type: query`).
#[derive(Clone, Debug, Default)]
pub struct SublimeRule {
    /// `id` (a UUID), where written.
    pub id: Option<Spanned<String>>,
    /// `name`.
    pub name: Option<String>,
    /// `description`.
    pub description: Option<String>,
    /// `type`: `rule` or `query`.
    pub rule_type: Option<String>,
    /// `severity`: `low`, `medium`, `high`, `critical`.
    pub severity: Option<String>,
    /// `source`: the MQL query.
    pub source: Option<Source>,
    /// `attack_types` (`Credential Phishing`, `BEC/Fraud` …): Sublime's own taxonomy.
    pub attack_types: Vec<Spanned<String>>,
    /// `tactics_and_techniques` (`Social engineering`, `Impersonation: Brand` …): Sublime's own
    /// taxonomy, not ATT&CK.
    pub tactics_and_techniques: Vec<Spanned<String>>,
    /// `detection_methods` (`Content analysis`, `URL analysis` …).
    pub detection_methods: Vec<Spanned<String>>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `references`.
    pub references: Vec<String>,
    /// `authors`: each a mapping (`name`, `twitter`, `linkedin` …), shown as one line.
    pub authors: Vec<String>,
    /// `false_positives`.
    pub false_positives: Vec<String>,
}

/// The MQL query of a rule, its place in the file, and its tree.
#[derive(Clone, Debug)]
pub struct Source {
    /// The query as YAML loads it.
    pub text: String,
    /// Where the YAML scalar is in the file.
    pub span: Span,
    /// The tree (spans into [`Source::text`]); `None` when it does not parse (the finding is in
    /// the file's diagnostics).
    pub parsed: Option<Expr>,
    map: OffsetMap,
}

impl Source {
    /// A span of the query text as a span of the file.
    pub fn file_span(&self, s: Span) -> Span {
        Span::new(self.map.map(s.start), self.map.map(s.end))
    }

    /// The query's predicates (spans in the file); `None` when it did not parse.
    pub fn predicates(&self) -> Option<PredicateTree> {
        let mut t = mql::lower::lower(self.parsed.as_ref()?);
        t.map_spans(&|s| self.file_span(s));
        Some(t)
    }
}

/// Query offsets → file offsets, line by line (a literal block scalar drops each line's
/// indentation); when the lines cannot be matched, every offset is the scalar's start.
#[derive(Clone, Debug, Default)]
struct OffsetMap {
    /// (query offset of a line's start, file offset of the same character), ascending.
    lines: Vec<(usize, usize)>,
    fallback: usize,
    file_len: usize,
}

impl OffsetMap {
    fn new(file: &str, span: Span, query: &str) -> OffsetMap {
        let mut m = OffsetMap { lines: Vec::new(), fallback: span.start, file_len: file.len() };
        // A block scalar's node starts at its first character of content: its line begins
        // with the indentation, and the line before ends with the `|` / `>` header.
        let Some(before) = file.get(..span.start) else { return m };
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let header = before[..line_start.saturating_sub(1)].rsplit('\n').next().unwrap_or("").trim_end();
        let is_block = line_start > 0
            && before[line_start..].bytes().all(|b| b == b' ')
            && header.trim_end_matches(|c: char| c == '-' || c == '+' || c.is_ascii_digit()).ends_with(['|', '>']);
        if is_block {
            let mut fpos = line_start;
            let fb = file.as_bytes();
            let indent = span.start - line_start;
            let mut qpos = 0;
            for line in query.split('\n') {
                let mut f = fpos;
                while f < fb.len() && f - fpos < indent && fb[f] == b' ' {
                    f += 1;
                }
                if !line.is_empty() && !file[f..].starts_with(line.trim_end_matches('\r')) {
                    m.lines.clear();
                    return m;
                }
                m.lines.push((qpos, f));
                qpos += line.len() + 1;
                fpos = match file[f..].find('\n') {
                    Some(i) => f + i + 1,
                    None => file.len(),
                };
            }
        } else if let Some(i) = file.get(span.start..span.end).and_then(|s| s.find(query)) {
            m.lines.push((0, span.start + i));
        }
        m
    }

    fn map(&self, q: usize) -> usize {
        let i = self.lines.partition_point(|(qs, _)| *qs <= q);
        if i == 0 {
            return self.fallback;
        }
        let (qs, fs) = self.lines[i - 1];
        (fs + (q - qs)).min(self.file_len)
    }
}

/// What reading one file gave.
#[derive(Clone, Debug, Default)]
pub struct SublimeFile {
    /// The rule (`None` when the file is no Sublime rule at all).
    pub rule: Option<SublimeRule>,
    /// Findings, with spans into the file.
    pub diagnostics: Vec<Diagnostic>,
}

fn strings(node: Option<&Node>, key: &str, diags: &mut Vec<Diagnostic>) -> Vec<Spanned<String>> {
    let Some(node) = node else { return Vec::new() };
    match &node.kind {
        NodeKind::Seq(items) => items
            .iter()
            .filter_map(|i| match i.as_str() {
                Some(s) => Some(Spanned::new(s.to_string(), i.span)),
                None => {
                    diags.push(
                        Diagnostic::new(
                            Code::InvalidFieldType,
                            format!("`{key}` items must be strings, found {}", i.describe()),
                            Some(i.span),
                        )
                        .with_help(format!("write each item of `{key}` as a string")),
                    );
                    None
                }
            })
            .collect(),
        NodeKind::Scalar { .. } if node.is_null() => Vec::new(),
        NodeKind::Scalar { text, .. } => vec![Spanned::new(text.clone(), node.span)],
        NodeKind::Map(_) => {
            diags.push(
                Diagnostic::new(
                    Code::InvalidFieldType,
                    format!("`{key}` must be a list, found a mapping"),
                    Some(node.span),
                )
                .with_help(format!("write `{key}` as a list of strings")),
            );
            Vec::new()
        }
    }
}

fn author(node: &Node) -> Option<String> {
    match &node.kind {
        NodeKind::Scalar { text, .. } => Some(text.clone()),
        NodeKind::Map(entries) => {
            let parts: Vec<String> = entries
                .iter()
                .filter_map(|(k, v)| {
                    let (k, v) = (k.as_str()?, v.as_str()?);
                    Some(match k {
                        "name" => v.to_string(),
                        "twitter" => format!("@{v} (Twitter)"),
                        other => format!("{v} ({other})"),
                    })
                })
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        }
        NodeKind::Seq(_) => None,
    }
}

/// The diagnostic of a query that does not parse, at its place in the file.
fn query_diagnostic(e: &QueryError, src: &Source) -> Diagnostic {
    let code = match e.kind {
        QueryErrorKind::Syntax => Code::QuerySyntax,
        QueryErrorKind::TooDeep | QueryErrorKind::TooLong => Code::QueryTooComplex,
    };
    Diagnostic::new(code, format!("MQL: {}", e.message), Some(src.file_span(e.span))).with_help(e.help.clone())
}

/// Read a Sublime rule file's text. `rel_path` is only used in messages.
pub fn parse_str(text: &str, rel_path: &str) -> SublimeFile {
    let mut diags = Vec::new();
    let docs = match yaml::parse_documents(text, &yaml::Limits::default()) {
        Ok(d) => d,
        Err(e) => {
            let code = match e {
                yaml::YamlError::TooLarge { .. } => Code::FileTooLarge,
                yaml::YamlError::TooDeep { .. } => Code::YamlTooDeep,
                yaml::YamlError::AliasLimit { .. } | yaml::YamlError::UnknownAnchor { .. } => Code::YamlAlias,
                yaml::YamlError::Syntax { .. } => Code::YamlSyntax,
            };
            diags.push(Diagnostic::new(code, e.to_string(), e.span()).with_help("fix the YAML of the rule file"));
            return SublimeFile { rule: None, diagnostics: diags };
        }
    };
    let Some(root) = docs.iter().find_map(|d| d.root.as_ref()) else {
        diags.push(Diagnostic::new(Code::EmptyFile, format!("{rel_path} holds no YAML document"), None));
        return SublimeFile { rule: None, diagnostics: diags };
    };
    if root.as_map().is_none() {
        diags.push(
            Diagnostic::new(
                Code::NotARule,
                format!("a Sublime rule is a mapping, found {}", root.describe()),
                Some(root.span),
            )
            .with_help("write the rule as `name:`, `type:`, `source:` … keys"),
        );
        return SublimeFile { rule: None, diagnostics: diags };
    }
    let scalar = |key: &str| root.get(key).and_then(Node::as_str).map(str::to_string);
    let mut rule = SublimeRule {
        id: root.get("id").and_then(|n| Some(Spanned::new(n.as_str()?.to_string(), n.span))),
        name: scalar("name"),
        description: scalar("description"),
        rule_type: scalar("type"),
        severity: scalar("severity"),
        ..SublimeRule::default()
    };
    rule.attack_types = strings(root.get("attack_types"), "attack_types", &mut diags);
    rule.tactics_and_techniques = strings(root.get("tactics_and_techniques"), "tactics_and_techniques", &mut diags);
    rule.detection_methods = strings(root.get("detection_methods"), "detection_methods", &mut diags);
    let plain = |v: Vec<Spanned<String>>| v.into_iter().map(|s| s.value).collect::<Vec<_>>();
    rule.tags = plain(strings(root.get("tags"), "tags", &mut diags));
    rule.references = plain(strings(root.get("references"), "references", &mut diags));
    rule.false_positives = plain(strings(root.get("false_positives"), "false_positives", &mut diags));
    rule.authors = root.get("authors").and_then(Node::as_seq).unwrap_or(&[]).iter().filter_map(author).collect();

    for key in ["name", "type", "source"] {
        if root.get(key).is_none_or(Node::is_null) {
            let mut d = Diagnostic::new(Code::MissingField, format!("the rule has no `{key}`"), Some(Span::point(0)))
                .with_help(format!("add `{key}:` to the rule"));
            if key == "name" {
                d.severity = Severity::Warning;
            }
            diags.push(d);
        }
    }
    if let Some(t) = &rule.rule_type
        && !matches!(t.as_str(), "rule" | "query")
        && let Some(n) = root.get("type")
    {
        diags.push(
            Diagnostic::new(
                Code::InvalidFieldValue,
                format!("`type` is `{t}`; Sublime rules are `rule` or `query`"),
                Some(n.span),
            )
            .with_help("write `type: \"rule\"`"),
        );
    }
    if let Some(s) = &rule.severity
        && !matches!(s.as_str(), "low" | "medium" | "high" | "critical" | "informational")
        && let Some(n) = root.get("severity")
    {
        let mut d = Diagnostic::new(
            Code::InvalidFieldValue,
            format!("`severity` is `{s}`; Sublime's are low, medium, high, critical"),
            Some(n.span),
        );
        d.severity = Severity::Warning;
        diags.push(d);
    }
    if let Some(node) = root.get("source") {
        match node.as_str() {
            Some(q) => {
                let mut src = Source {
                    text: q.to_string(),
                    span: node.span,
                    parsed: None,
                    map: OffsetMap::new(text, node.span, q),
                };
                match mql::parse(q) {
                    Ok(e) => src.parsed = Some(e),
                    Err(e) => diags.push(query_diagnostic(&e, &src)),
                }
                rule.source = Some(src);
            }
            None if node.is_null() => {}
            None => diags.push(
                Diagnostic::new(
                    Code::InvalidFieldType,
                    format!("`source` must be the MQL query as a string, found {}", node.describe()),
                    Some(node.span),
                )
                .with_help("write `source: |` followed by the query, indented"),
            ),
        }
    }
    SublimeFile { rule: Some(rule), diagnostics: diags }
}

/// Is this a Sublime rule file? Cheap and exact on rule repositories: a top-level `source:`
/// key and a top-level `type:` of `rule` or `query`, and no top-level `detection:` (Sigma).
/// Only lines starting at column 0 are looked at.
pub fn sniff(text: &str) -> bool {
    fn top(text: &str, key: &str) -> Option<usize> {
        if text.starts_with(key) {
            return Some(key.len());
        }
        let needle = format!("\n{key}");
        text.find(&needle).map(|i| i + needle.len())
    }
    if top(text, "source:").is_none() || top(text, "detection:").is_some() {
        return false;
    }
    let Some(at) = top(text, "type:") else { return false };
    let line = text[at..].split('\n').next().unwrap_or("");
    let value = line.split('#').next().unwrap_or("").trim().trim_matches(|c| c == '"' || c == '\'');
    matches!(value, "rule" | "query")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::LineIndex;

    const RULE: &str = "name: \"Link: .onion\"\ntype: \"rule\"\nseverity: \"low\"\nsource: |\n  type.inbound\n\n  // a comment\n  and any(body.links, .href_url.domain.tld == \"onion\")\nattack_types:\n  - \"Malware/Ransomware\"\nauthors:\n  - twitter: \"someone\"\nid: \"9ac0fc83-4c18-5a62-83e0-8fd0af9cffe0\"\n";

    #[test]
    fn reads_the_rule_and_maps_query_spans_into_the_file() {
        let f = parse_str(RULE, "r.yml");
        assert!(f.diagnostics.is_empty(), "{:?}", f.diagnostics);
        let r = f.rule.unwrap();
        assert_eq!(r.name.as_deref(), Some("Link: .onion"));
        assert_eq!(r.attack_types[0].value, "Malware/Ransomware");
        assert_eq!(r.authors, vec!["@someone (Twitter)".to_string()]);
        let src = r.source.unwrap();
        let t = src.predicates().unwrap();
        let PredicateTree::And { items } = t else { panic!() };
        let PredicateTree::Pred(p) = &items[0] else { panic!() };
        assert_eq!(&RULE[p.span.start..p.span.end], "type.inbound");
        let PredicateTree::Quantified { tree, .. } = &items[1] else { panic!() };
        let PredicateTree::Pred(p) = &**tree else { panic!() };
        assert_eq!(&RULE[p.span.start..p.span.end], ".href_url.domain.tld == \"onion\"");
    }

    #[test]
    fn a_broken_query_is_a_finding_at_its_place_in_the_file() {
        let text = RULE.replace("and any(", "and and any(");
        let f = parse_str(&text, "r.yml");
        assert_eq!(f.diagnostics.len(), 1);
        let d = &f.diagnostics[0];
        assert_eq!(d.code, Code::QuerySyntax);
        let at = LineIndex::new(&text).line_col(&text, d.span.unwrap().start);
        assert_eq!((at.line, at.column), (8, 7));
        assert!(d.message.contains("expected a value, found `and`"), "{}", d.message);
        assert!(f.rule.unwrap().name.is_some(), "the rule is still read");
    }

    #[test]
    fn missing_and_wrong_fields_are_findings() {
        let f = parse_str("name: x\ntype: alert\n", "r.yml");
        let codes: Vec<&str> = f.diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, vec!["missing-field", "invalid-field-value"]);
        let f = parse_str("- a\n", "r.yml");
        assert_eq!(f.diagnostics[0].code, Code::NotARule);
        assert!(f.rule.is_none());
        let f = parse_str("a: [", "r.yml");
        assert_eq!(f.diagnostics[0].code, Code::YamlSyntax);
    }

    #[test]
    fn sniff_claims_sublime_rules_only() {
        assert!(sniff(RULE));
        assert!(sniff("source: |\n  x\ntype: query\n"));
        assert!(!sniff(
            "title: x\nlogsource:\n  product: windows\ndetection:\n  sel:\n    source: x\n  condition: sel\n"
        ));
        assert!(!sniff("source: |\n  x\ntype: rule\ndetection:\n  a: b\n"));
        assert!(!sniff("source: x\ntype: alert\n"));
        assert!(!sniff("type: rule\n  source: x\n"));
    }
}
