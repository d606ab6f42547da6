//! TOML text → [`ElasticRule`]: the `toml` crate's spanned tables, read key by key so that a
//! wrong value is a diagnostic at its place and the rest of the rule is still read.

use toml::Spanned as TSpanned;
use toml::de::{DeTable, DeValue};

use crate::diagnostic::{Code, Diagnostic};
use crate::query::{QueryError, QueryErrorKind};
use crate::rule::*;
use crate::span::Span;
use crate::tomlstr::{self, StringMap};
use crate::{eql, esql, kql};

/// Bounds for hostile input.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_file_size: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_file_size: 4 * 1024 * 1024 }
    }
}

type Table<'i> = DeTable<'i>;
type Value<'i> = TSpanned<DeValue<'i>>;

/// Parse a rule file's raw bytes: checks the size limit and UTF-8 first. `path` is used only
/// to recognise the `_deprecated/` folder.
pub fn parse_bytes(bytes: &[u8], path: &str, limits: &Limits) -> ElasticFile {
    if bytes.len() > limits.max_file_size {
        let d = Diagnostic::new(
            Code::FileTooLarge,
            format!("file is {} bytes, over the limit of {}", bytes.len(), limits.max_file_size),
            None,
        )
        .with_help("Elastic rules are small text files; check that this is a rule");
        return ElasticFile { rule: None, diagnostics: vec![d] };
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => parse_str(text, path),
        Err(e) => {
            let at = e.valid_up_to();
            let d = Diagnostic::new(
                Code::InvalidUtf8,
                format!("file is not valid UTF-8 (invalid byte at offset {at})"),
                Some(Span::new(at, at + 1)),
            )
            .with_help("save the rule as UTF-8");
            ElasticFile { rule: None, diagnostics: vec![d] }
        }
    }
}

/// Parse rule-file text. `path` is used only to recognise the `_deprecated/` folder.
pub fn parse_str(text: &str, path: &str) -> ElasticFile {
    let (root, errors) = DeTable::parse_recoverable(text);
    let mut cx = Cx { text, diags: Vec::new(), header: Span::new(0, 0) };
    for e in &errors {
        let span = e.span().map(|r| Span::new(r.start, r.end));
        cx.diags.push(
            Diagnostic::new(Code::TomlSyntax, e.message().to_string(), span)
                .with_help("fix the TOML syntax at this position (quotes, brackets, `key = value`)"),
        );
    }
    let root = root.get_ref();
    let Some(rule_table) = root.get("rule").and_then(|v| v.get_ref().as_table()) else {
        if errors.is_empty() {
            cx.diags.push(
                Diagnostic::new(
                    Code::NotARule,
                    "no `[rule]` table: this is not an Elastic rule",
                    Some(Span::new(0, 0)),
                )
                .with_help("an Elastic rule file has a `[rule]` table with `name`, a rule id and a query"),
            );
        }
        return ElasticFile { rule: None, diagnostics: cx.diags };
    };
    let header = root.get("rule").map_or(Span::new(0, 0), span_of);
    cx.header = header;
    let rule = cx.rule(root, rule_table, path);
    ElasticFile { rule: Some(rule), diagnostics: cx.diags }
}

struct Cx<'t> {
    text: &'t str,
    diags: Vec<Diagnostic>,
    /// The `[rule]` header: where a missing key of the rule is reported.
    header: Span,
}

fn span_of<T>(v: &TSpanned<T>) -> Span {
    let r = v.span();
    Span::new(r.start, r.end)
}

const METADATA_KEYS: &[&str] =
    &["creation_date", "updated_date", "deprecation_date", "maturity", "integration", "min_stack_version"];

const RULE_KEYS: &[&str] = &[
    "rule_id",
    "id",
    "name",
    "description",
    "type",
    "language",
    "query",
    "author",
    "license",
    "references",
    "reference",
    "tags",
    "false_positives",
    "note",
    "setup",
    "building_block_type",
    "threat",
    "index",
    "data_view_id",
    "from",
    "interval",
    "max_signals",
    "risk_score",
    "severity",
    "timestamp_override",
    "event_category_override",
    "threshold",
    "new_terms",
    "machine_learning_job_id",
    "anomaly_threshold",
    "threat_index",
    "threat_query",
    "threat_indicator_path",
    "threat_mapping",
    "threat_language",
    "alert_suppression",
    "filters",
    "actions",
    "optional_actions",
    "os_list",
    "min_endpoint_version",
    "version",
];

const TOP_KEYS: &[&str] = &["metadata", "rule", "threat", "actions", "optional_actions"];

impl<'t> Cx<'t> {
    fn rule(&mut self, root: &Table<'_>, r: &Table<'_>, path: &str) -> ElasticRule {
        let meta = root.get("metadata").and_then(|v| v.get_ref().as_table());
        let layout = if meta.is_some() || r.contains_key("rule_id") || r.contains_key("type") {
            Layout::DetectionRules
        } else {
            Layout::ProtectionsArtifacts
        };
        let id = self.string(r, "rule_id", "rule").or_else(|| self.string(r, "id", "rule"));
        if id.is_none() {
            let key = if layout == Layout::DetectionRules { "rule_id" } else { "id" };
            self.missing(key, "rule", "give the rule its UUID");
        }
        let name = self.string(r, "name", "rule");
        if name.is_none() {
            self.missing("name", "rule", "give the rule a name");
        }
        let rule_type = match self.string(r, "type", "rule") {
            Some(t) => RuleType::parse(&t.value),
            None if layout == Layout::ProtectionsArtifacts => RuleType::Behavior,
            None => {
                self.missing("type", "rule", "set `type` (`query`, `eql`, `esql`, `threshold` …)");
                RuleType::Other(String::new())
            }
        };
        let maturity = meta.and_then(|m| self.string(m, "maturity", "metadata")).map(|m| Maturity::parse(&m.value));
        let in_deprecated_folder = path.replace('\\', "/").split('/').any(|c| c == "_deprecated");
        let query = self.query(r, &rule_type);
        let mut details = self.details(root, r, meta);
        let threat_root = if r.contains_key("threat") { r } else { root };
        let threat = self.threats(threat_root, if std::ptr::eq(threat_root, r) { "rule" } else { "" });
        let filters = self.filters(r);
        self.extras(root, r, meta, &mut details);
        ElasticRule {
            layout,
            id,
            name,
            description: self.string(r, "description", "rule").map(|s| s.value),
            query,
            author: self.strings(r, "author", "rule"),
            license: self.string(r, "license", "rule").map(|s| s.value),
            references: {
                let mut v = self.strings(r, "references", "rule");
                v.extend(self.strings(r, "reference", "rule"));
                v
            },
            tags: self.strings(r, "tags", "rule"),
            false_positives: self.strings(r, "false_positives", "rule"),
            note: self.string(r, "note", "rule").map(|s| s.value),
            setup: self.string(r, "setup", "rule").map(|s| s.value),
            creation_date: meta.and_then(|m| self.string(m, "creation_date", "metadata")).map(|s| s.value),
            updated_date: meta.and_then(|m| self.string(m, "updated_date", "metadata")).map(|s| s.value),
            deprecation_date: meta.and_then(|m| self.string(m, "deprecation_date", "metadata")).map(|s| s.value),
            deprecated: maturity == Some(Maturity::Deprecated) || in_deprecated_folder,
            maturity,
            building_block_type: self.string(r, "building_block_type", "rule").map(|s| s.value),
            threat,
            filters,
            rule_type,
            details,
        }
    }

    fn missing(&mut self, key: &str, table: &str, help: &str) {
        self.diags.push(
            Diagnostic::new(Code::MissingField, format!("`{table}.{key}` is missing"), Some(self.header))
                .with_help(help.to_string()),
        );
    }

    fn wrong_type(&mut self, key: &str, table: &str, v: &Value<'_>, expected: &str) {
        let key = if table.is_empty() { key.to_string() } else { format!("{table}.{key}") };
        self.diags.push(
            Diagnostic::new(
                Code::InvalidFieldType,
                format!(
                    "`{key}` is {} {}, expected {expected}",
                    article(v.get_ref().type_str()),
                    v.get_ref().type_str()
                ),
                Some(span_of(v)),
            )
            .with_help(format!("write `{key}` as {expected}")),
        );
    }

    fn string(&mut self, t: &Table<'_>, key: &str, table: &str) -> Option<Spanned<String>> {
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some(Spanned { value: s.to_string(), span: span_of(v) }),
            _ => {
                self.wrong_type(key, table, v, "a string");
                None
            }
        }
    }

    fn int(&mut self, t: &Table<'_>, key: &str, table: &str) -> Option<i64> {
        let v = t.get(key)?;
        let parsed =
            v.get_ref().as_integer().and_then(|i| i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok());
        if parsed.is_none() {
            self.wrong_type(key, table, v, "an integer");
        }
        parsed
    }

    /// A string or an array of strings.
    fn strings(&mut self, t: &Table<'_>, key: &str, table: &str) -> Vec<String> {
        let Some(v) = t.get(key) else { return Vec::new() };
        match v.get_ref() {
            DeValue::String(s) => vec![s.to_string()],
            DeValue::Array(a) => {
                let mut out = Vec::new();
                for e in a.iter() {
                    match e.get_ref() {
                        DeValue::String(s) => out.push(s.to_string()),
                        _ => self.wrong_type(key, table, e, "a string"),
                    }
                }
                out
            }
            _ => {
                self.wrong_type(key, table, v, "an array of strings");
                Vec::new()
            }
        }
    }

    fn table<'a, 'i>(&mut self, t: &'a Table<'i>, key: &str, table: &str) -> Option<&'a Table<'i>> {
        let v = t.get(key)?;
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => {
                self.wrong_type(key, table, v, "a table");
                None
            }
        }
    }

    /// The tables of an array of tables (`[[actions]]`), or of one table.
    fn tables<'a, 'i>(&mut self, t: &'a Table<'i>, key: &str, table: &str) -> Vec<&'a Table<'i>> {
        let Some(v) = t.get(key) else { return Vec::new() };
        match v.get_ref() {
            DeValue::Table(t) => vec![t],
            DeValue::Array(a) => {
                let mut out = Vec::new();
                for e in a.iter() {
                    match e.get_ref() {
                        DeValue::Table(t) => out.push(t),
                        _ => self.wrong_type(key, table, e, "a table"),
                    }
                }
                out
            }
            _ => {
                self.wrong_type(key, table, v, "an array of tables");
                Vec::new()
            }
        }
    }

    fn query(&mut self, r: &Table<'_>, rule_type: &RuleType) -> Option<QueryText> {
        let language = match self.string(r, "language", "rule") {
            Some(l) => Language::parse(&l.value),
            None => match rule_type {
                RuleType::Eql | RuleType::Behavior => Language::Eql,
                RuleType::Esql => Language::Esql,
                _ => Language::Kuery,
            },
        };
        let needs_query = !matches!(rule_type, RuleType::MachineLearning);
        match r.get("query") {
            None if needs_query => {
                self.missing("query", "rule", "write the rule's query in `query = '''…'''`");
                None
            }
            None => None,
            Some(v) => self.query_text(v, language, "rule.query"),
        }
    }

    /// Read a query string, parse it in `language`, and map its spans into the file.
    fn query_text(&mut self, v: &Value<'_>, language: Language, key: &str) -> Option<QueryText> {
        let DeValue::String(decoded) = v.get_ref() else {
            self.wrong_type(key, "", v, "a string");
            return None;
        };
        let span = span_of(v);
        let raw = &self.text[span.start..span.end];
        let (text, map) = match tomlstr::decode(raw, span.start) {
            Some((text, map)) if text == decoded.as_ref() => (text, map),
            // Not expected: the decoder follows TOML 1.1. Should it ever disagree with the
            // TOML parser, the query is still read (the parser's text), its positions pointing
            // at the start of the string.
            _ => (decoded.to_string(), StringMap::verbatim(span.start, 0)),
        };
        let mut q = QueryText { language, text, span, parsed: None, map };
        let parsed = match &q.language {
            Language::Kuery => kql::parse(&q.text).map(ParsedQuery::Kql),
            Language::Eql => eql::parse(&q.text).map(|t| ParsedQuery::Eql(Box::new(t))),
            Language::Esql => esql::parse(&q.text).map(ParsedQuery::Esql),
            other => {
                self.diags.push(
                    Diagnostic::new(
                        Code::UnsupportedLanguage,
                        format!("`{}` queries are not parsed; the query is kept as text", other.as_str()),
                        Some(span),
                    )
                    .with_help("rewrite the query in KQL (`language = \"kuery\"`) to have its predicates analysed"),
                );
                return Some(q);
            }
        };
        match parsed {
            Ok(mut p) => {
                let map = &q.map;
                let mut f = |s: Span| map.span(s);
                match &mut p {
                    ParsedQuery::Kql(t) => t.map_spans(&mut f),
                    ParsedQuery::Eql(t) => t.map_spans(&mut f),
                    ParsedQuery::Esql(t) => t.map_spans(&mut f),
                }
                q.parsed = Some(p);
            }
            Err(e) => self.diags.push(query_diagnostic(&e, &q, key)),
        }
        Some(q)
    }

    fn threats(&mut self, t: &Table<'_>, table: &str) -> Vec<Threat> {
        let mut out = Vec::new();
        for th in self.tables(t, "threat", table) {
            let framework = self.string(th, "framework", "threat").map(|s| s.value);
            let tactic = self.table(th, "tactic", "threat").and_then(|tt| self.attack_ref(tt, "threat.tactic"));
            let mut techniques = Vec::new();
            for tech in self.tables(th, "technique", "threat") {
                let Some(technique) = self.attack_ref(tech, "threat.technique") else { continue };
                let subtechniques = self
                    .tables(tech, "subtechnique", "threat.technique")
                    .into_iter()
                    .filter_map(|s| self.attack_ref(s, "threat.technique.subtechnique"))
                    .collect();
                techniques.push(Technique { technique, subtechniques });
            }
            out.push(Threat { framework, tactic, techniques });
        }
        out
    }

    fn attack_ref(&mut self, t: &Table<'_>, table: &str) -> Option<AttackRef> {
        let Some(id) = self.string(t, "id", table) else {
            self.missing("id", table, "give each ATT&CK entry its id (`TA0002`, `T1059`, `T1059.001`)");
            return None;
        };
        Some(AttackRef {
            id: id.value,
            name: self.string(t, "name", table).map(|s| s.value),
            reference: self.string(t, "reference", table).map(|s| s.value),
            span: id.span,
        })
    }

    fn details(&mut self, root: &Table<'_>, r: &Table<'_>, meta: Option<&Table<'_>>) -> Details {
        let mut d = Details {
            index: self.strings(r, "index", "rule"),
            data_view_id: self.string(r, "data_view_id", "rule").map(|s| s.value),
            from: self.string(r, "from", "rule").map(|s| s.value),
            interval: self.string(r, "interval", "rule").map(|s| s.value),
            max_signals: self.int(r, "max_signals", "rule"),
            risk_score: self.int(r, "risk_score", "rule"),
            severity: self.string(r, "severity", "rule").map(|s| s.value),
            timestamp_override: self.string(r, "timestamp_override", "rule").map(|s| s.value),
            event_category_override: self.string(r, "event_category_override", "rule").map(|s| s.value),
            machine_learning_job_ids: self.strings(r, "machine_learning_job_id", "rule"),
            anomaly_threshold: self.int(r, "anomaly_threshold", "rule"),
            os_list: self.strings(r, "os_list", "rule"),
            min_endpoint_version: self.string(r, "min_endpoint_version", "rule").map(|s| s.value),
            version: self.string(r, "version", "rule").map(|s| s.value),
            ..Details::default()
        };
        if let Some(m) = meta {
            d.integration = self.strings(m, "integration", "metadata");
            d.min_stack_version = self.string(m, "min_stack_version", "metadata").map(|s| s.value);
        }
        d.threshold = self.table(r, "threshold", "rule").map(|t| Threshold {
            fields: self.strings(t, "field", "rule.threshold"),
            value: self.int(t, "value", "rule.threshold"),
            cardinality: self
                .tables(t, "cardinality", "rule.threshold")
                .into_iter()
                .filter_map(|c| {
                    let f = self.string(c, "field", "rule.threshold.cardinality")?;
                    Some((f.value, self.int(c, "value", "rule.threshold.cardinality")?))
                })
                .collect(),
        });
        d.new_terms = self.table(r, "new_terms", "rule").map(|t| NewTerms {
            fields: self.strings(t, "value", "rule.new_terms"),
            history_window_start: self
                .tables(t, "history_window_start", "rule.new_terms")
                .into_iter()
                .find_map(|h| self.string(h, "value", "rule.new_terms.history_window_start").map(|s| s.value)),
        });
        d.alert_suppression = self.table(r, "alert_suppression", "rule").map(|t| AlertSuppression {
            group_by: self.strings(t, "group_by", "rule.alert_suppression"),
            duration: self.table(t, "duration", "rule.alert_suppression").and_then(|du| {
                let value = self.int(du, "value", "rule.alert_suppression.duration")?;
                let unit =
                    self.string(du, "unit", "rule.alert_suppression.duration").map(|s| s.value).unwrap_or_default();
                Some(format!("{value}{unit}"))
            }),
            missing_fields_strategy: self
                .string(t, "missing_fields_strategy", "rule.alert_suppression")
                .map(|s| s.value),
        });
        if r.contains_key("threat_index") || r.contains_key("threat_query") || r.contains_key("threat_mapping") {
            d.threat_match = Some(self.threat_match(r));
        }
        for (table, t) in [("", root), ("rule", r)] {
            d.actions.extend(self.actions(t, "actions", table));
            d.optional_actions.extend(self.actions(t, "optional_actions", table));
        }
        d
    }

    fn threat_match(&mut self, r: &Table<'_>) -> ThreatMatch {
        let language = self.string(r, "threat_language", "rule").map_or(Language::Kuery, |l| Language::parse(&l.value));
        let query = r.get("threat_query").and_then(|v| self.query_text(v, language, "rule.threat_query"));
        let mapping = self
            .tables(r, "threat_mapping", "rule")
            .into_iter()
            .map(|group| {
                self.tables(group, "entries", "rule.threat_mapping")
                    .into_iter()
                    .filter_map(|e| {
                        let field = self.string(e, "field", "rule.threat_mapping.entries")?.value;
                        let value = self.string(e, "value", "rule.threat_mapping.entries")?.value;
                        Some((field, value))
                    })
                    .collect()
            })
            .collect();
        ThreatMatch {
            index: self.strings(r, "threat_index", "rule"),
            query,
            indicator_path: self.string(r, "threat_indicator_path", "rule").map(|s| s.value),
            mapping,
        }
    }

    /// `[[rule.filters]]`: each filter's `meta.negate`/`meta.disabled` and its query DSL
    /// clause (under `query`, or beside `meta` as older Kibana writes it) as predicates.
    fn filters(&mut self, r: &Table<'_>) -> Vec<Filter> {
        let Some(v) = r.get("filters") else { return Vec::new() };
        let items: Vec<&Value<'_>> = match v.get_ref() {
            DeValue::Array(a) => a.iter().collect(),
            DeValue::Table(_) => vec![v],
            _ => {
                self.wrong_type("filters", "rule", v, "an array of tables");
                return Vec::new();
            }
        };
        let mut out = Vec::new();
        for item in items {
            let DeValue::Table(t) = item.get_ref() else {
                self.wrong_type("filters", "rule", item, "a table");
                continue;
            };
            let span = span_of(item);
            let meta = t.get("meta").and_then(|m| m.get_ref().as_table());
            let flag =
                |k: &str| matches!(meta.and_then(|m| m.get(k)).map(|v| v.get_ref()), Some(DeValue::Boolean(true)));
            let clause = t.get("query").and_then(|q| q.get_ref().as_table()).unwrap_or(t);
            out.push(Filter {
                negate: flag("negate"),
                disabled: flag("disabled"),
                tree: dsl_clauses(clause, span),
                span,
            });
        }
        out
    }

    fn actions(&mut self, t: &Table<'_>, key: &str, table: &str) -> Vec<Action> {
        self.tables(t, key, table)
            .into_iter()
            .filter_map(|a| {
                let action = self.string(a, "action", key)?.value;
                Some(Action {
                    action,
                    field: self.string(a, "field", key).map(|s| s.value),
                    state: self.int(a, "state", key),
                })
            })
            .collect()
    }

    /// Every key the model does not name, kept as written.
    fn extras(&mut self, root: &Table<'_>, r: &Table<'_>, meta: Option<&Table<'_>>, d: &mut Details) {
        let mut push = |prefix: &str, t: &Table<'_>, known: &[&str]| {
            for (k, v) in t.iter() {
                let key: &str = k.get_ref();
                if known.contains(&key) {
                    continue;
                }
                let key = if prefix.is_empty() { key.to_string() } else { format!("{prefix}.{key}") };
                d.extra.push(ExtraField { key, raw: raw_value(self.text, v), span: span_of(v) });
            }
        };
        push("", root, TOP_KEYS);
        if let Some(m) = meta {
            push("metadata", m, METADATA_KEYS);
        }
        push("rule", r, RULE_KEYS);
    }
}

/// A TOML value as written: the file's text for plain values, an inline form for tables
/// (whose span covers only their header).
fn raw_value(text: &str, v: &Value<'_>) -> String {
    match v.get_ref() {
        DeValue::Table(t) => {
            let items: Vec<String> =
                t.iter().map(|(k, v)| format!("{} = {}", k.get_ref(), raw_value(text, v))).collect();
            format!("{{ {} }}", items.join(", "))
        }
        DeValue::Array(a) if a.iter().any(|e| e.get_ref().is_table()) => {
            let items: Vec<String> = a.iter().map(|e| raw_value(text, e)).collect();
            format!("[{}]", items.join(", "))
        }
        _ => text.get(v.span()).map_or_else(String::new, str::to_string),
    }
}

fn article(type_str: &str) -> &'static str {
    if type_str.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" }
}

/// A query parse error as a finding on the file: its span mapped through the string.
fn query_diagnostic(e: &QueryError, q: &QueryText, key: &str) -> Diagnostic {
    let code = match e.kind {
        QueryErrorKind::Syntax => Code::QuerySyntax,
        QueryErrorKind::TooDeep | QueryErrorKind::TooLong => Code::QueryTooComplex,
    };
    let lang = match q.language {
        Language::Kuery => "KQL",
        Language::Eql => "EQL",
        Language::Esql => "ES|QL",
        _ => "query",
    };
    Diagnostic::new(code, format!("{lang} in `{key}`: {}", e.message), Some(q.file_span(e.span)))
        .with_help(e.help.clone())
}

/// A query DSL object's clauses (`{wildcard = {…}, exists = {…}}`), ANDed; Kibana's own keys
/// (`meta`, `$state`) are not clauses.
fn dsl_clauses(t: &Table<'_>, span: Span) -> crate::predicate::PredicateTree {
    use crate::predicate::PredicateTree;
    let items: Vec<PredicateTree> = t
        .iter()
        .filter(|(k, _)| !matches!(k.get_ref().as_ref(), "meta" | "$state"))
        .map(|(k, v)| dsl_clause(k.get_ref(), v, span))
        .collect();
    if items.is_empty() {
        return PredicateTree::Opaque { text: "Kibana filter with no query".into(), span };
    }
    PredicateTree::and(items)
}

/// One query DSL clause as predicates; a clause detwiki does not read (`bool`, `script`,
/// `query_string` …) is kept as opaque text naming it.
fn dsl_clause(kind: &str, v: &Value<'_>, span: Span) -> crate::predicate::PredicateTree {
    use crate::predicate::{Kind, Predicate, PredicateTree, Value as PValue};
    let opaque = || PredicateTree::Opaque { text: format!("Kibana filter `{kind}`"), span };
    let leaf = |field: &str, kind: Kind, values: Vec<PValue>, case_insensitive: bool| {
        PredicateTree::Pred(Predicate { field: Some(field.to_string()), kind, values, case_insensitive, span })
    };
    let DeValue::Table(body) = v.get_ref() else { return opaque() };
    if kind == "exists" {
        return match body.get("field").map(|f| f.get_ref()) {
            Some(DeValue::String(f)) => leaf(f, Kind::Exists, Vec::new(), false),
            _ => opaque(),
        };
    }
    let mut leaves = Vec::new();
    for (field, fv) in body.iter() {
        let field: &str = field.get_ref();
        // `field = value`, or `field = { value = …, case_insensitive = … }` (`query` for match).
        let (value, case_insensitive) = match fv.get_ref() {
            DeValue::Table(p) if kind != "range" => (
                p.get("value").or_else(|| p.get("query")).map(|v| v.get_ref()),
                matches!(p.get("case_insensitive").map(|v| v.get_ref()), Some(DeValue::Boolean(true))),
            ),
            other => (Some(other), false),
        };
        let tree = match (kind, value) {
            ("wildcard", Some(DeValue::String(s))) => {
                let (k, val) = crate::predicate::classify(&crate::query::Pattern::from_escaped_wildcards(s));
                leaf(field, k, vec![val], case_insensitive)
            }
            ("prefix", Some(DeValue::String(s))) => {
                leaf(field, Kind::StartsWith, vec![PValue::String(s.to_string())], case_insensitive)
            }
            ("term" | "match" | "match_phrase", Some(value)) => match scalar(value) {
                Some(val) => leaf(field, Kind::Eq, vec![val], case_insensitive),
                None => opaque(),
            },
            ("terms", Some(DeValue::Array(a))) => {
                let values: Option<Vec<PValue>> = a.iter().map(|e| scalar(e.get_ref())).collect();
                match values {
                    Some(values) => leaf(field, if values.len() == 1 { Kind::Eq } else { Kind::In }, values, false),
                    None => opaque(),
                }
            }
            ("range", Some(DeValue::Table(bounds))) => {
                let mut items = Vec::new();
                for (op, b) in bounds.iter() {
                    let k = match op.get_ref().as_ref() {
                        "gt" => Kind::Gt,
                        "gte" => Kind::Gte,
                        "lt" => Kind::Lt,
                        "lte" => Kind::Lte,
                        _ => continue,
                    };
                    match scalar(b.get_ref()) {
                        Some(val) => items.push(leaf(field, k, vec![val], false)),
                        None => items.push(opaque()),
                    }
                }
                if items.is_empty() { opaque() } else { PredicateTree::and(items) }
            }
            _ => opaque(),
        };
        leaves.push(tree);
    }
    if leaves.is_empty() { opaque() } else { PredicateTree::and(leaves) }
}

/// A TOML scalar as a predicate value.
fn scalar(v: &DeValue<'_>) -> Option<crate::predicate::Value> {
    use crate::predicate::Value as PValue;
    match v {
        DeValue::String(s) => Some(PValue::String(s.to_string())),
        DeValue::Boolean(b) => Some(PValue::Bool(*b)),
        DeValue::Integer(i) => Some(PValue::Number(i.as_str().to_string())),
        DeValue::Float(f) => Some(PValue::Number(f.as_str().to_string())),
        _ => None,
    }
}
