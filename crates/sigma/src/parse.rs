//! YAML documents → typed [`Document`]s, with a diagnostic for everything
//! that is wrong and the rest of the rule kept.

use crate::condition::{self, ConditionErrorKind, Target};
use crate::diagnostic::{Code, Diagnostic, did_you_mean};
use crate::modifier::{self, Modifier, ModifierClass};
use crate::rule::*;
use crate::span::Span;
use crate::value::SigmaString;
use crate::yaml::{self, Node, NodeKind, Scalar};

/// Top-level keys the specification defines for rules, filters and correlations.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "id",
    "name",
    "related",
    "status",
    "description",
    "license",
    "author",
    "references",
    "date",
    "modified",
    "logsource",
    "detection",
    "fields",
    "falsepositives",
    "level",
    "tags",
    "scope",
    "taxonomy",
    "correlation",
    "filter",
    "action",
];

/// Tag namespaces of the specification's tags appendix.
pub const TAG_NAMESPACES: &[&str] = &["attack", "car", "cve", "d3fend", "detection", "stp", "tlp"];

pub(crate) struct Ctx<'t> {
    pub text: &'t str,
    pub diags: Vec<Diagnostic>,
}

impl Ctx<'_> {
    fn report(&mut self, code: Code, message: impl Into<String>, span: Span, help: Option<String>) {
        let mut d = Diagnostic::new(code, message, Some(span));
        d.help = help;
        self.diags.push(d);
    }

    /// The exact source text of `span`, if it is valid.
    fn source(&self, span: Span) -> Option<&str> {
        self.text.get(span.start..span.end)
    }
}

/// Turn a file's YAML documents into rule documents, resolving legacy
/// `action: global | reset | repeat` collections first.
pub(crate) fn documents(ctx: &mut Ctx<'_>, docs: Vec<yaml::Document>) -> Vec<Document> {
    let mut out = Vec::new();
    let mut global: Option<Node> = None;
    let mut previous: Option<Node> = None;
    let mut any = false;
    for doc in docs {
        let Some(root) = doc.root else { continue };
        any = true;
        check_duplicate_keys(ctx, &root);
        if root.as_map().is_none() {
            ctx.report(
                Code::NotARule,
                format!("document is {}, not a mapping", root.describe()),
                root.span,
                Some("a Sigma rule is a YAML mapping with title, logsource and detection".into()),
            );
            continue;
        }
        let merged = match root.get("action") {
            Some(action) => {
                let name = action.as_str().unwrap_or("");
                ctx.report(
                    Code::LegacyMultiDocument,
                    format!("legacy `action: {name}` document"),
                    action.span,
                    Some("Sigma v2 has no rule collections: write each rule as its own file".into()),
                );
                let body = without_key(&root, "action");
                match name {
                    "global" => {
                        global = Some(match global.take() {
                            Some(g) => merge(&g, &body),
                            None => body,
                        });
                        continue;
                    }
                    "reset" => {
                        global = None;
                        continue;
                    }
                    "repeat" => match &previous {
                        Some(p) => merge(p, &body),
                        None => {
                            ctx.report(
                                Code::NotARule,
                                "`action: repeat` without a previous rule to repeat",
                                action.span,
                                None,
                            );
                            continue;
                        }
                    },
                    other => {
                        ctx.report(
                            Code::InvalidFieldValue,
                            format!("unknown action `{other}`"),
                            action.span,
                            Some("actions are `global`, `reset` and `repeat`".into()),
                        );
                        continue;
                    }
                }
            }
            None => match &global {
                Some(g) => merge(g, &root),
                None => root,
            },
        };
        if let Some(d) = document(ctx, &merged) {
            out.push(d);
        }
        previous = Some(merged);
    }
    if !any {
        ctx.report(Code::EmptyFile, "file holds no YAML document", Span::point(0), None);
    }
    out
}

fn without_key(map: &Node, key: &str) -> Node {
    let entries = map.as_map().unwrap_or(&[]).iter().filter(|(k, _)| k.as_str() != Some(key)).cloned().collect();
    Node { kind: NodeKind::Map(entries), span: map.span }
}

/// Deep merge: `over`'s keys win; nested mappings merge; order is `base`'s, then new keys.
fn merge(base: &Node, over: &Node) -> Node {
    let (Some(b), Some(o)) = (base.as_map(), over.as_map()) else { return over.clone() };
    let mut entries: Vec<(Node, Node)> = b.to_vec();
    for (k, v) in o {
        match entries.iter_mut().find(|(bk, _)| bk.as_str() == k.as_str()) {
            Some((_, bv)) => *bv = merge(bv, v),
            None => entries.push((k.clone(), v.clone())),
        }
    }
    Node { kind: NodeKind::Map(entries), span: over.span }
}

fn check_duplicate_keys(ctx: &mut Ctx<'_>, node: &Node) {
    match &node.kind {
        NodeKind::Map(entries) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                if let Some(name) = k.as_str() {
                    if let Some((first, _)) = entries[..i].iter().find(|(p, _)| p.as_str() == Some(name)) {
                        let d = Diagnostic::new(
                            Code::DuplicateKey,
                            format!("key `{name}` appears twice in one mapping"),
                            Some(k.span),
                        )
                        .with_label(first.span, "first defined here")
                        .with_help("YAML keeps only one of them: merge the two entries or rename one");
                        ctx.diags.push(d);
                    }
                }
                check_duplicate_keys(ctx, v);
            }
        }
        NodeKind::Seq(items) => items.iter().for_each(|i| check_duplicate_keys(ctx, i)),
        NodeKind::Scalar { .. } => {}
    }
}

fn document(ctx: &mut Ctx<'_>, root: &Node) -> Option<Document> {
    let meta = metadata(ctx, root);
    if let Some(corr) = root.get("correlation") {
        return Some(Document::Correlation(Box::new(correlation(ctx, root, meta, corr))));
    }
    if let Some(filter) = root.get("filter") {
        return Some(Document::Filter(Box::new(filter_rule(ctx, root, meta, filter))));
    }
    let title_span = root.as_map().and_then(|m| m.first()).map_or(root.span, |(k, _)| k.span);
    let Some(det) = root.get("detection") else {
        if root.get("title").is_some() || root.get("logsource").is_some() {
            ctx.report(
                Code::MissingField,
                "rule has no `detection` section",
                title_span,
                Some("add `detection:` with at least one search identifier and a `condition`".into()),
            );
        } else {
            ctx.report(
                Code::NotARule,
                "document is not a Sigma rule: it has no `detection`, `filter` or `correlation`",
                title_span,
                None,
            );
        }
        return None;
    };
    let logsource = match root.get("logsource") {
        Some(ls) => logsource(ctx, ls),
        None => {
            ctx.report(
                Code::MissingField,
                "rule has no `logsource`",
                title_span,
                Some("add `logsource:` with a product, category and/or service".into()),
            );
            LogSource::default()
        }
    };
    require_title(ctx, root, title_span);
    let detection = detection(ctx, det, true);
    Some(Document::Rule(Box::new(Rule { meta, logsource, detection, span: root.span })))
}

fn require_title(ctx: &mut Ctx<'_>, root: &Node, span: Span) {
    // A `title` of the wrong type is already reported as such.
    if root.get("title").is_none_or(Node::is_null) {
        ctx.report(Code::MissingField, "missing `title`", span, Some("add `title:` with a short, unique title".into()));
    }
}

// ---------------------------------------------------------------- metadata

fn scalar_text(ctx: &mut Ctx<'_>, key: &str, v: &Node) -> Option<String> {
    match &v.kind {
        NodeKind::Scalar { value: Scalar::Null, .. } => None,
        NodeKind::Scalar { text, .. } => Some(text.clone()),
        _ => {
            ctx.report(
                Code::InvalidFieldType,
                format!("`{key}` must be a string, found {}", v.describe()),
                v.span,
                None,
            );
            None
        }
    }
}

fn string_list(ctx: &mut Ctx<'_>, key: &str, v: &Node) -> Vec<Spanned<String>> {
    match &v.kind {
        NodeKind::Seq(items) => items
            .iter()
            .filter_map(|i| match &i.kind {
                NodeKind::Scalar { value: Scalar::Null, .. } => None,
                NodeKind::Scalar { text, .. } => Some(Spanned::new(text.clone(), i.span)),
                _ => {
                    ctx.report(
                        Code::InvalidFieldType,
                        format!("items of `{key}` must be strings, found {}", i.describe()),
                        i.span,
                        None,
                    );
                    None
                }
            })
            .collect(),
        NodeKind::Scalar { value: Scalar::Null, .. } => Vec::new(),
        NodeKind::Scalar { text, .. } => vec![Spanned::new(text.clone(), v.span)],
        NodeKind::Map(_) => {
            ctx.report(Code::InvalidFieldType, format!("`{key}` must be a list, found a mapping"), v.span, None);
            Vec::new()
        }
    }
}

fn plain_list(ctx: &mut Ctx<'_>, key: &str, v: &Node) -> Vec<String> {
    string_list(ctx, key, v).into_iter().map(|s| s.value).collect()
}

fn metadata(ctx: &mut Ctx<'_>, root: &Node) -> Metadata {
    let mut m = Metadata::default();
    for (k, v) in root.as_map().unwrap_or(&[]) {
        let Some(key) = k.as_str() else { continue };
        let spanned = |ctx: &mut Ctx<'_>| scalar_text(ctx, key, v).map(|t| Spanned::new(t, v.span));
        match key {
            "title" => m.title = spanned(ctx),
            "id" => {
                m.id = spanned(ctx);
                if let Some(id) = &m.id {
                    check_uuid(ctx, &id.value, id.span, "rule id");
                }
            }
            "name" => m.name = spanned(ctx),
            "description" => m.description = scalar_text(ctx, key, v),
            "license" => m.license = scalar_text(ctx, key, v),
            "author" => {
                m.author = match &v.kind {
                    NodeKind::Seq(_) => Some(plain_list(ctx, key, v).join(", ")),
                    _ => scalar_text(ctx, key, v),
                }
            }
            "taxonomy" => m.taxonomy = scalar_text(ctx, key, v),
            "date" | "modified" => {
                let d = spanned(ctx);
                if let Some(d) = &d {
                    check_date(ctx, key, d);
                }
                if key == "date" {
                    m.date = d;
                } else {
                    m.modified = d;
                }
            }
            "status" => {
                m.status = spanned(ctx).and_then(|s| {
                    parse_enum(ctx, "status", &s, Status::NAMES, Status::parse).map(|v| Spanned::new(v, s.span))
                })
            }
            "level" => {
                m.level = spanned(ctx).and_then(|s| {
                    parse_enum(ctx, "level", &s, Level::NAMES, Level::parse).map(|v| Spanned::new(v, s.span))
                })
            }
            "references" => m.references = plain_list(ctx, key, v),
            "fields" => m.fields = plain_list(ctx, key, v),
            "falsepositives" => m.falsepositives = plain_list(ctx, key, v),
            "scope" => m.scope = plain_list(ctx, key, v),
            "tags" => {
                m.tags = string_list(ctx, key, v);
                check_tags(ctx, &m.tags);
            }
            "related" => m.related = related(ctx, v),
            k if KNOWN_KEYS.contains(&k) => {}
            _ => m.custom.push(CustomField { key: key.to_string(), value: v.clone() }),
        }
    }
    m
}

fn parse_enum<T>(
    ctx: &mut Ctx<'_>,
    what: &str,
    s: &Spanned<String>,
    names: &[&'static str],
    parse: fn(&str) -> Option<T>,
) -> Option<T> {
    let v = parse(&s.value);
    if v.is_none() {
        let help = match did_you_mean(&s.value, names.iter().copied()) {
            Some(m) => format!("did you mean `{m}`?"),
            None => format!("use one of: {}", names.join(", ")),
        };
        ctx.report(Code::InvalidFieldValue, format!("`{}` is not a valid {what}", s.value), s.span, Some(help));
    }
    v
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter()
            .enumerate()
            .all(|(i, c)| if [8, 13, 18, 23].contains(&i) { *c == b'-' } else { c.is_ascii_hexdigit() })
}

fn check_uuid(ctx: &mut Ctx<'_>, id: &str, span: Span, what: &str) {
    if !is_uuid(id) {
        ctx.report(
            Code::InvalidId,
            format!("{what} `{id}` is not a UUID"),
            span,
            Some("generate one with `uuidgen` (lower-case, 8-4-4-4-12 hex digits)".into()),
        );
    }
}

fn check_date(ctx: &mut Ctx<'_>, key: &str, d: &Spanned<String>) {
    let b = d.value.as_bytes();
    let shaped = b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shaped {
        let help = if b.len() == 10 && b[4] == b'/' && b[7] == b'/' {
            format!("write `{}` (ISO 8601, YYYY-MM-DD)", d.value.replace('/', "-"))
        } else {
            "write the date as YYYY-MM-DD".to_string()
        };
        ctx.report(Code::InvalidDate, format!("`{key}` `{}` is not a YYYY-MM-DD date", d.value), d.span, Some(help));
        return;
    }
    // The shape is right: the calendar decides (no February 31).
    let num = |r: std::ops::Range<usize>| d.value[r].parse::<i16>().unwrap_or(0);
    let (y, m, day) = (num(0..4), num(5..7) as i8, num(8..10) as i8);
    if jiff::civil::Date::new(y, m, day).is_ok() {
        return;
    }
    let why = match jiff::civil::Date::new(y, m, 1) {
        Ok(first) => format!("{} {y} has {} days", first.strftime("%B"), first.days_in_month()),
        Err(_) if (1..=12).contains(&m) => format!("year {y} is out of range"),
        Err(_) => format!("there is no month {m}"),
    };
    ctx.report(
        Code::InvalidDate,
        format!("`{key}` `{}` is not a calendar date: {why}", d.value),
        d.span,
        Some("write the date the rule was written or changed, as YYYY-MM-DD".to_string()),
    );
}

fn check_tags(ctx: &mut Ctx<'_>, tags: &[Spanned<String>]) {
    for (i, t) in tags.iter().enumerate() {
        if tags[..i].iter().any(|p| p.value == t.value) {
            ctx.report(
                Code::DuplicateTag,
                format!("tag `{}` is repeated", t.value),
                t.span,
                Some("remove the repeated tag".into()),
            );
        }
        let Some((ns, value)) = t.value.split_once('.') else {
            ctx.report(
                Code::InvalidTag,
                format!("tag `{}` has no namespace", t.value),
                t.span,
                Some("tags are `namespace.value`, e.g. `attack.t1059.001` or `cve.2021-44228`".into()),
            );
            continue;
        };
        if t.value.chars().any(|c| c.is_ascii_uppercase()) || t.value.contains(' ') {
            ctx.report(
                Code::InvalidTag,
                format!("tag `{}` is not lower case without spaces", t.value),
                t.span,
                Some(format!("write `{}`", t.value.to_ascii_lowercase().replace(' ', "-"))),
            );
            continue;
        }
        if !TAG_NAMESPACES.contains(&ns) {
            let help = match did_you_mean(ns, TAG_NAMESPACES.iter().copied()) {
                Some(m) => format!("did you mean `{m}`?"),
                None => format!("the specification defines: {}", TAG_NAMESPACES.join(", ")),
            };
            ctx.report(Code::UnknownTagNamespace, format!("unknown tag namespace `{ns}`"), t.span, Some(help));
            continue;
        }
        if let Some(problem) = tag_value_problem(ns, value) {
            ctx.report(Code::InvalidTag, format!("tag `{}`: {problem}", t.value), t.span, None);
        }
    }
}

/// What is wrong with the value of a tag in a known namespace, if anything.
fn tag_value_problem(ns: &str, value: &str) -> Option<String> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    match ns {
        "attack" => {
            let (head, tail) = value.split_at(1.min(value.len()));
            let ok = match head {
                "t" => match tail.split_once('.') {
                    Some((a, b)) => digits(a, 4) && digits(b, 3),
                    None => digits(tail, 4),
                },
                "g" | "s" if tail.bytes().all(|b| b.is_ascii_digit()) => digits(tail, 4),
                // ATT&CK data sources (DS0005 …) are tagged by some rules.
                "d" if value.starts_with("ds") && value[2..].bytes().all(|b| b.is_ascii_digit()) => {
                    digits(&value[2..], 4)
                }
                _ => value.bytes().all(|b| b.is_ascii_lowercase() || b == b'-' || b == b'_') && !value.is_empty(),
            };
            (!ok).then(|| "expected a technique `tNNNN[.NNN]`, group `gNNNN`, software `sNNNN`, data source `dsNNNN` or a tactic name".into())
        }
        "cve" => {
            let ok = value
                .split_once('-')
                .is_some_and(|(y, n)| digits(y, 4) && n.len() >= 4 && n.bytes().all(|b| b.is_ascii_digit()));
            (!ok).then(|| "expected `cve.YYYY-NNNN`".into())
        }
        "tlp" => (!["clear", "white", "green", "amber", "amber-strict", "red"].contains(&value))
            .then(|| "expected one of clear, white, green, amber, amber-strict, red".into()),
        _ => value.is_empty().then(|| "empty value".into()),
    }
}

fn related(ctx: &mut Ctx<'_>, v: &Node) -> Vec<Related> {
    let Some(items) = v.as_seq() else {
        ctx.report(Code::InvalidFieldType, format!("`related` must be a list, found {}", v.describe()), v.span, None);
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(id) = item.get("id").and_then(Node::as_str) else {
            ctx.report(
                Code::MissingField,
                "`related` entry has no `id`",
                item.span,
                Some("write `- id: <uuid>` and `type: derived|obsolete|merged|renamed|similar`".into()),
            );
            continue;
        };
        check_uuid(ctx, id, item.get("id").map_or(item.span, |n| n.span), "related id");
        let relation = match item.get("type") {
            Some(t) => {
                let s = Spanned::new(t.as_str().unwrap_or("").to_string(), t.span);
                parse_enum(ctx, "relation type", &s, RelationType::NAMES, RelationType::parse)
            }
            None => {
                ctx.report(
                    Code::MissingField,
                    "`related` entry has no `type`",
                    item.span,
                    Some("add `type: derived|obsolete|merged|renamed|similar`".into()),
                );
                None
            }
        };
        out.push(Related { id: id.to_string(), relation, span: item.span });
    }
    out
}

fn logsource(ctx: &mut Ctx<'_>, v: &Node) -> LogSource {
    let mut ls = LogSource { span: v.span, ..LogSource::default() };
    let Some(entries) = v.as_map() else {
        ctx.report(
            Code::InvalidFieldType,
            format!("`logsource` must be a mapping, found {}", v.describe()),
            v.span,
            None,
        );
        return ls;
    };
    for (k, val) in entries {
        let Some(key) = k.as_str() else { continue };
        let text = scalar_text(ctx, key, val);
        match key {
            "category" => ls.category = text,
            "product" => ls.product = text,
            "service" => ls.service = text,
            "definition" => ls.definition = text,
            _ => ls.custom.extend(text.map(|t| (key.to_string(), t))),
        }
    }
    if ls.category.is_none() && ls.product.is_none() && ls.service.is_none() {
        ctx.report(
            Code::EmptyLogsource,
            "logsource names no product, category or service",
            v.span,
            Some("add at least one of `product`, `category`, `service` so the rule can be routed to events".into()),
        );
    }
    ls
}

// ---------------------------------------------------------------- detection

fn detection(ctx: &mut Ctx<'_>, v: &Node, needs_condition: bool) -> Detection {
    let mut det = Detection { span: v.span, ..Detection::default() };
    let Some(entries) = v.as_map() else {
        ctx.report(
            Code::InvalidDetection,
            format!("`detection` must be a mapping, found {}", v.describe()),
            v.span,
            None,
        );
        return det;
    };
    let mut condition_nodes = Vec::new();
    let mut broken = Vec::new();
    for (k, val) in entries {
        let Some(name) = k.as_str() else { continue };
        match name {
            "condition" => condition_nodes.push(val),
            "timeframe" => det.timeframe = scalar_text(ctx, name, val).map(|t| Spanned::new(t, val.span)),
            _ => {
                match search_body(ctx, name, k.span, val) {
                    Some(body) => det.identifiers.push(SearchIdentifier { name: name.to_string(), span: k.span, body }),
                    // Already reported; the condition may still name it.
                    None => broken.push(name),
                }
            }
        }
    }
    for node in condition_nodes {
        match &node.kind {
            NodeKind::Seq(items) => {
                for i in items {
                    condition_text(ctx, i, &mut det);
                }
            }
            _ => condition_text(ctx, node, &mut det),
        }
    }
    if det.conditions.is_empty() && needs_condition {
        let span = entries.first().map_or(v.span, |(k, _)| k.span);
        ctx.report(
            Code::MissingField,
            "detection has no `condition`",
            span,
            Some("add `condition: selection` (or the expression that combines your search identifiers)".into()),
        );
    }
    if det.identifiers.is_empty() {
        ctx.report(
            Code::InvalidDetection,
            "detection defines no search identifier",
            v.span,
            Some("add a search identifier like `selection:` with field: value entries".into()),
        );
    }
    resolve_conditions(ctx, &det, &broken);
    det
}

fn condition_text(ctx: &mut Ctx<'_>, node: &Node, det: &mut Detection) {
    let NodeKind::Scalar { text, quoted, value, .. } = &node.kind else {
        ctx.report(
            Code::InvalidFieldType,
            format!("`condition` must be a string or a list of strings, found {}", node.describe()),
            node.span,
            None,
        );
        return;
    };
    if *value == Scalar::Null {
        ctx.report(
            Code::ConditionSyntax,
            "empty condition",
            node.span,
            Some("write the expression, e.g. `condition: selection`".into()),
        );
        return;
    }
    // Spans are exact when the scalar is written on one line without escapes.
    let base = if ctx.source(node.span).is_some_and(|s| s.trim_matches(['\'', '"']) == text) {
        node.span.start + usize::from(*quoted)
    } else {
        node.span.start
    };
    let parsed = match condition::parse_condition(text, base) {
        Ok(p) => {
            for w in p.warnings {
                ctx.report(Code::NonstandardQuantifier, w.message, w.span, w.help);
            }
            Some(p.root)
        }
        Err(e) => {
            let code = match e.kind {
                ConditionErrorKind::LegacyAggregation | ConditionErrorKind::LegacyNear => Code::LegacyAggregation,
                _ => Code::ConditionSyntax,
            };
            let span = if e.span.is_empty() { node.span } else { e.span };
            ctx.report(code, e.message, span, e.help);
            None
        }
    };
    det.conditions.push(ConditionText { text: text.clone(), span: node.span, parsed });
}

/// Check the identifiers each condition names, and report unused ones.
/// `broken` are identifiers that are defined but were reported as malformed.
fn resolve_conditions(ctx: &mut Ctx<'_>, det: &Detection, broken: &[&str]) {
    let names: Vec<&str> = det.identifiers.iter().map(|i| i.name.as_str()).collect();
    let mut used = vec![false; names.len()];
    let mut any_parsed = false;
    for cond in &det.conditions {
        let Some(root) = &cond.parsed else { continue };
        any_parsed = true;
        for leaf in root.leaves() {
            match leaf {
                condition::Condition::Identifier { name, span } => match names.iter().position(|n| n == name) {
                    Some(i) => used[i] = true,
                    None if broken.contains(&name.as_str()) => {}
                    None => {
                        let help = match did_you_mean(name, names.iter().copied()) {
                            Some(m) => format!("did you mean `{m}`?"),
                            None => format!("define `{name}:` in the detection section, or fix the condition"),
                        };
                        ctx.report(
                            Code::UndefinedIdentifier,
                            format!("condition names `{name}`, which is not defined"),
                            *span,
                            Some(help),
                        );
                    }
                },
                condition::Condition::Quantified { target, span, .. } => {
                    let matched = condition::Condition::resolve(target, &names);
                    if matched.is_empty() && condition::Condition::resolve(target, broken).is_empty() {
                        let what = match target {
                            Target::Them => "`them` matches no search identifier".to_string(),
                            Target::Pattern(p) => format!("`{p}` matches no search identifier"),
                        };
                        ctx.report(
                            Code::UnmatchedPattern,
                            what,
                            *span,
                            Some(format!("defined identifiers: {}", names.join(", "))),
                        );
                    }
                    for m in matched {
                        if let Some(i) = names.iter().position(|n| *n == m) {
                            used[i] = true;
                        }
                    }
                }
                _ => {}
            }
        }
    }
    if !any_parsed {
        return;
    }
    for (i, ident) in det.identifiers.iter().enumerate() {
        if !used[i] {
            ctx.report(
                Code::UnusedIdentifier,
                format!("search identifier `{}` is never used by the condition", ident.name),
                ident.span,
                Some(
                    "use it in the condition or remove it; an unused selection usually means a forgotten `and`/`or`"
                        .into(),
                ),
            );
        }
    }
}

fn search_body(ctx: &mut Ctx<'_>, name: &str, span: Span, v: &Node) -> Option<SearchBody> {
    match &v.kind {
        NodeKind::Map(entries) => {
            if entries.is_empty() {
                ctx.report(
                    Code::EmptySearchIdentifier,
                    format!("search identifier `{name}` is empty"),
                    span,
                    Some("add field: value entries, or remove it".into()),
                );
                return None;
            }
            Some(SearchBody::Fields(field_group(ctx, v)))
        }
        NodeKind::Seq(items) => {
            if items.is_empty() {
                ctx.report(
                    Code::EmptySearchIdentifier,
                    format!("search identifier `{name}` is an empty list"),
                    span,
                    Some("add values, or remove it".into()),
                );
                return None;
            }
            let maps = items.iter().filter(|i| i.as_map().is_some()).count();
            if maps == items.len() {
                Some(SearchBody::AnyOf(items.iter().map(|i| field_group(ctx, i)).collect()))
            } else if maps == 0 && items.iter().all(|i| i.as_str().is_some()) {
                let values = predicate_values(ctx, None, &[], v);
                Some(SearchBody::Keywords(values))
            } else {
                ctx.report(
                    Code::InvalidDetection,
                    format!("search identifier `{name}` mixes maps and plain values in one list"),
                    v.span,
                    Some("write either a list of field maps (OR) or a list of keywords, not both".into()),
                );
                None
            }
        }
        NodeKind::Scalar { value: Scalar::Null, .. } => {
            ctx.report(
                Code::EmptySearchIdentifier,
                format!("search identifier `{name}` is null"),
                span,
                Some("add field: value entries, or remove it".into()),
            );
            None
        }
        NodeKind::Scalar { .. } => Some(SearchBody::Keywords(predicate_values(ctx, None, &[], v))),
    }
}

fn field_group(ctx: &mut Ctx<'_>, v: &Node) -> FieldGroup {
    let mut group = FieldGroup { predicates: Vec::new(), span: v.span };
    for (k, val) in v.as_map().unwrap_or(&[]) {
        let Some(key) = k.as_str() else { continue };
        if let Some(p) = field_predicate(ctx, key, k.span, val) {
            group.predicates.push(p);
        }
    }
    group
}

/// Span of the `index`-th `|`-separated part of a key, when the key text is exact.
fn key_part_span(ctx: &Ctx<'_>, key: &str, key_span: Span, index: usize) -> Span {
    let quoted = ctx.source(key_span).is_some_and(|s| s.starts_with(['\'', '"']));
    let start = key_span.start + usize::from(quoted);
    if ctx.text.get(start..start + key.len()) != Some(key) {
        return key_span;
    }
    let mut offset = 0;
    for (i, part) in key.split('|').enumerate() {
        if i == index {
            return Span::new(start + offset, start + offset + part.len());
        }
        offset += part.len() + 1;
    }
    key_span
}

fn field_predicate(ctx: &mut Ctx<'_>, key: &str, key_span: Span, v: &Node) -> Option<FieldPredicate> {
    let mut parts = key.split('|');
    let field = parts.next().filter(|f| !f.is_empty()).map(str::to_string);
    let mut modifiers = Vec::new();
    let mut bad = false;
    for (i, name) in parts.enumerate() {
        match Modifier::parse(name) {
            Some(m) => modifiers.push(m),
            None => {
                bad = true;
                let span = key_part_span(ctx, key, key_span, i + 1);
                let lower = Modifier::parse(&name.to_ascii_lowercase());
                let help = match lower
                    .map(Modifier::as_str)
                    .or_else(|| did_you_mean(name, Modifier::ALL.iter().map(|m| m.as_str())))
                {
                    Some(m) => format!("did you mean `{m}`?"),
                    None => "see the Sigma specification's modifier list (contains, startswith, endswith, re, cidr, …)"
                        .into(),
                };
                ctx.report(Code::UnknownModifier, format!("unknown modifier `{name}`"), span, Some(help));
            }
        }
    }
    if bad {
        return None;
    }
    for p in modifier::check_chain(&modifiers) {
        let span = key_part_span(ctx, key, key_span, p.at + 1);
        ctx.report(Code::InvalidModifierCombination, p.message, span, Some(p.help));
    }
    if let NodeKind::Map(_) = v.kind {
        ctx.report(
            Code::InvalidDetection,
            format!("value of `{key}` is a mapping"),
            v.span,
            Some(
                "a field takes a value or a list of values; nest maps as a list of maps under the search identifier"
                    .into(),
            ),
        );
        return None;
    }
    let is_list = v.as_seq().is_some();
    let values = predicate_values(ctx, Some(key), &modifiers, v);
    if is_list && values.is_empty() && v.as_seq().is_some_and(<[Node]>::is_empty) {
        ctx.report(
            Code::InvalidDetection,
            format!("`{key}` has an empty value list"),
            v.span,
            Some("add values or remove the entry".into()),
        );
    }
    if modifiers.contains(&Modifier::All) && values.len() == 1 {
        ctx.report(
            Code::AllWithSingleValue,
            format!("`|all` on `{key}` with a single value changes nothing"),
            key_part_span(ctx, key, key_span, modifiers.iter().position(|m| *m == Modifier::All).unwrap_or(0) + 1),
            Some("drop `|all`, or list the values that must all match".into()),
        );
    }
    if modifiers.contains(&Modifier::Expand)
        && !values.iter().any(|val| matches!(&val.kind, ValueKind::String(s) if s.placeholders().next().is_some()))
    {
        ctx.report(
            Code::ExpandWithoutPlaceholder,
            format!("`|expand` on `{key}` but no value has a `%placeholder%`"),
            key_span,
            Some("drop `|expand`, or write the placeholder as `%name%`".into()),
        );
    }
    check_mixed_types(ctx, key, &values, v.span);
    Some(FieldPredicate { field, modifiers, values, is_list, key_span })
}

fn check_mixed_types(ctx: &mut Ctx<'_>, key: &str, values: &[Value], span: Span) {
    let class = |v: &Value| match v.kind {
        ValueKind::Null => 0,
        ValueKind::Bool(_) => 1,
        ValueKind::Int(_) | ValueKind::Float(_) => 2,
        _ => 3,
    };
    let mut kinds: Vec<u8> = values.iter().map(class).filter(|c| *c != 0).collect();
    kinds.sort_unstable();
    kinds.dedup();
    if kinds.len() > 1 {
        ctx.report(
            Code::MixedValueTypes,
            format!("values of `{key}` mix types"),
            span,
            Some("quote numbers that are meant as text, or split the entry so each list has one type".into()),
        );
    }
}

fn predicate_values(ctx: &mut Ctx<'_>, key: Option<&str>, modifiers: &[Modifier], v: &Node) -> Vec<Value> {
    let items: Vec<&Node> = match &v.kind {
        NodeKind::Seq(items) => items.iter().collect(),
        _ => vec![v],
    };
    let in_list = v.as_seq().is_some();
    let mut out = Vec::new();
    for item in items {
        let NodeKind::Scalar { value, text, .. } = &item.kind else {
            ctx.report(
                Code::InvalidDetection,
                format!("value is {}, expected a scalar", item.describe()),
                item.span,
                Some("values are strings, numbers, booleans or null".into()),
            );
            continue;
        };
        if *value == Scalar::Null && in_list {
            ctx.report(
                Code::NullInList,
                "`null` inside a value list",
                item.span,
                Some("the specification forbids null in lists: write a separate `Field: null` entry in another map of a list".into()),
            );
            continue;
        }
        if let Some(kind) = typed_value(ctx, key.unwrap_or("keyword"), modifiers, value, text, item.span) {
            out.push(Value { kind, text: text.clone(), span: item.span });
        }
    }
    out
}

fn typed_value(
    ctx: &mut Ctx<'_>,
    key: &str,
    modifiers: &[Modifier],
    value: &Scalar,
    text: &str,
    span: Span,
) -> Option<ValueKind> {
    let has = |c: ModifierClass| modifiers.iter().any(|m| m.class() == c);
    let bad = |ctx: &mut Ctx<'_>, msg: String, help: &str| {
        ctx.report(Code::InvalidModifierValue, msg, span, Some(help.to_string()));
        None
    };
    if has(ModifierClass::Exists) {
        return match value {
            Scalar::Bool(b) => Some(ValueKind::Bool(*b)),
            _ => bad(
                ctx,
                format!("`{key}` takes `true` or `false`, found `{text}`"),
                "write `Field|exists: true` or `false` (unquoted)",
            ),
        };
    }
    if *value == Scalar::Null {
        return Some(ValueKind::Null);
    }
    if has(ModifierClass::Regex) {
        return check_regex(ctx, modifiers, text, span).then(|| ValueKind::Regex(text.to_string()));
    }
    if has(ModifierClass::Cidr) {
        return if is_cidr(text) {
            Some(ValueKind::Cidr(text.to_string()))
        } else {
            bad(
                ctx,
                format!("`{text}` is not an IPv4 or IPv6 network"),
                "write a network in CIDR notation, e.g. `10.0.0.0/8` or `fe80::/10`",
            )
        };
    }
    if has(ModifierClass::Compare) || has(ModifierClass::TimePart) {
        return match value {
            Scalar::Int(i) => Some(ValueKind::Int(*i)),
            Scalar::Float(f) => Some(ValueKind::Float(*f)),
            _ => match (text.trim().parse::<i64>(), text.trim().parse::<f64>()) {
                (Ok(i), _) => Some(ValueKind::Int(i)),
                (_, Ok(f)) if f.is_finite() => Some(ValueKind::Float(f)),
                _ => bad(
                    ctx,
                    format!("`{key}` needs a number, found `{text}`"),
                    "numeric modifiers (lt, lte, gt, gte, minute … year) compare numbers",
                ),
            },
        };
    }
    if has(ModifierClass::FieldRef) {
        return Some(ValueKind::FieldRef(text.to_string()));
    }
    Some(match value {
        Scalar::Bool(b) => ValueKind::Bool(*b),
        Scalar::Int(i) => ValueKind::Int(*i),
        Scalar::Float(f) => ValueKind::Float(*f),
        Scalar::Null => ValueKind::Null,
        Scalar::Str => ValueKind::String(SigmaString::parse(text, has(ModifierClass::Expand))),
    })
}

fn check_regex(ctx: &mut Ctx<'_>, modifiers: &[Modifier], text: &str, span: Span) -> bool {
    let mut b = regex_syntax::ParserBuilder::new();
    b.case_insensitive(modifiers.contains(&Modifier::ReI))
        .multi_line(modifiers.contains(&Modifier::ReM))
        .dot_matches_new_line(modifiers.contains(&Modifier::ReS));
    match b.build().parse(text) {
        Ok(_) => true,
        Err(e) => {
            let msg = e.to_string();
            let detail = msg
                .lines()
                .rev()
                .find(|l| l.starts_with("error:"))
                .unwrap_or("invalid syntax")
                .trim_start_matches("error: ");
            if msg.contains("look-around") || msg.contains("backreferences") {
                ctx.report(
                    Code::UnsupportedRegex,
                    format!("regex uses {detail}"),
                    span,
                    Some("Sigma regexes are a PCRE subset; rewrite without look-around/backreferences so linear-time engines can run it".into()),
                );
                true
            } else {
                ctx.report(
                    Code::InvalidModifierValue,
                    format!("invalid regex: {detail}"),
                    span,
                    Some("check the escaping: in single-quoted YAML a backslash needs no doubling".into()),
                );
                false
            }
        }
    }
}

/// True for `addr/prefix` (IPv4 or IPv6) or a bare address.
pub fn is_cidr(text: &str) -> bool {
    let (addr, prefix) = match text.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (text, None),
    };
    let Ok(ip) = addr.parse::<std::net::IpAddr>() else { return false };
    let max = if ip.is_ipv4() { 32 } else { 128 };
    prefix.is_none_or(|p| p.parse::<u8>().is_ok_and(|n| n <= max) && p.bytes().all(|b| b.is_ascii_digit()))
}

// ---------------------------------------------------------------- filters and correlations

fn reference_list(ctx: &mut Ctx<'_>, what: &str, v: Option<&Node>, span: Span, code: Code) -> Vec<Spanned<String>> {
    match v {
        Some(v) => {
            let list = string_list(ctx, what, v);
            if list.is_empty() {
                ctx.report(
                    code,
                    format!("`{what}` names no rule"),
                    v.span,
                    Some("list the ids or names of the rules it applies to".into()),
                );
            }
            list
        }
        None => {
            ctx.report(
                code,
                format!("missing `{what}`"),
                span,
                Some("list the ids or names of the rules it applies to".into()),
            );
            Vec::new()
        }
    }
}

fn filter_rule(ctx: &mut Ctx<'_>, root: &Node, meta: Metadata, filter: &Node) -> FilterRule {
    let key_span = root
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some("filter")))
        .map_or(filter.span, |(k, _)| k.span);
    require_title(ctx, root, key_span);
    let logsource = match root.get("logsource") {
        Some(ls) => Some(logsource(ctx, ls)),
        None => {
            ctx.report(
                Code::MissingField,
                "filter has no `logsource`",
                key_span,
                Some("add the logsource of the rules it filters".into()),
            );
            None
        }
    };
    let rules = reference_list(ctx, "rules", filter.get("rules"), key_span, Code::InvalidFilter);
    let body = without_key(filter, "rules");
    let detection = if filter.as_map().is_some() {
        detection(ctx, &body, true)
    } else {
        ctx.report(
            Code::InvalidFilter,
            format!("`filter` must be a mapping, found {}", filter.describe()),
            filter.span,
            None,
        );
        Detection::default()
    };
    FilterRule { meta, logsource, rules, detection, span: root.span }
}

/// Parse `5m`, `1h`, `30s`, `2d`, `1w`, `1M`, `1y`.
pub fn parse_timespan(s: &str) -> Option<Timespan> {
    let (num, unit) = s.split_at(s.len().checked_sub(1)?);
    let n: u64 = num.parse().ok()?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        "w" => 604_800,
        "M" => 2_592_000,
        "y" => 31_536_000,
        _ => return None,
    };
    Some(Timespan { seconds: n.checked_mul(mult)? })
}

fn correlation(ctx: &mut Ctx<'_>, root: &Node, meta: Metadata, c: &Node) -> CorrelationRule {
    let key_span = root
        .as_map()
        .and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some("correlation")))
        .map_or(c.span, |(k, _)| k.span);
    require_title(ctx, root, key_span);
    let mut rule = CorrelationRule {
        meta,
        kind: None,
        rules: Vec::new(),
        group_by: Vec::new(),
        timespan: None,
        condition: None,
        aliases: Vec::new(),
        generate: None,
        span: root.span,
    };
    let Some(entries) = c.as_map() else {
        ctx.report(
            Code::InvalidCorrelation,
            format!("`correlation` must be a mapping, found {}", c.describe()),
            c.span,
            None,
        );
        return rule;
    };
    let bad = |ctx: &mut Ctx<'_>, msg: String, span: Span, help: &str| {
        ctx.report(Code::InvalidCorrelation, msg, span, Some(help.into()))
    };
    for (k, v) in entries {
        let Some(key) = k.as_str() else { continue };
        match key {
            "type" => {
                let s = Spanned::new(v.as_str().unwrap_or("").to_string(), v.span);
                rule.kind = parse_enum(ctx, "correlation type", &s, CorrelationType::NAMES, CorrelationType::parse);
            }
            "rules" => rule.rules = reference_list(ctx, "rules", Some(v), k.span, Code::InvalidCorrelation),
            "group-by" => rule.group_by = plain_list(ctx, key, v),
            "timespan" | "timeframe" => match v.as_str().and_then(parse_timespan) {
                Some(t) => rule.timespan = Some(Spanned::new(t, v.span)),
                None => bad(
                    ctx,
                    format!("`{}` is not a timespan", v.as_str().unwrap_or("?")),
                    v.span,
                    "write a number and a unit: 30s, 5m, 1h, 2d, 1w, 1M, 1y",
                ),
            },
            "condition" => rule.condition = correlation_condition(ctx, v),
            "aliases" => rule.aliases = aliases(ctx, v),
            "generate" => match &v.kind {
                NodeKind::Scalar { value: Scalar::Bool(b), .. } => rule.generate = Some(*b),
                _ => bad(
                    ctx,
                    "`generate` must be `true` or `false`".into(),
                    v.span,
                    "write `generate: true` or `generate: false`",
                ),
            },
            other => bad(
                ctx,
                format!("unknown correlation key `{other}`"),
                k.span,
                "correlation keys are type, rules, group-by, timespan, condition, aliases, generate",
            ),
        }
    }
    let kind = rule.kind;
    if entries.iter().all(|(k, _)| k.as_str() != Some("type")) {
        bad(
            ctx,
            "correlation has no `type`".into(),
            key_span,
            "add `type: event_count` (or value_count, temporal, temporal_ordered, value_sum, value_avg, value_percentile, value_median)",
        );
    }
    if rule.rules.is_empty() && c.get("rules").is_none() {
        bad(ctx, "correlation has no `rules`".into(), key_span, "list the ids or names of the correlated rules");
    }
    if rule.timespan.is_none() && c.get("timespan").is_none() && c.get("timeframe").is_none() {
        bad(ctx, "correlation has no `timespan`".into(), key_span, "add `timespan: 5m` (or the window you need)");
    }
    if let Some(kind) = kind {
        match &rule.condition {
            None if kind.needs_condition() => {
                bad(ctx, "correlation has no `condition`".into(), key_span, "add e.g. `condition: { gte: 10 }`")
            }
            Some(cond) if kind.needs_field() && cond.field.is_none() => bad(
                ctx,
                "this correlation type needs `field` in its condition".into(),
                c.get("condition").map_or(key_span, |n| n.span),
                "add `field: <the field whose values are aggregated>`",
            ),
            _ => {}
        }
    }
    rule
}

fn correlation_condition(ctx: &mut Ctx<'_>, v: &Node) -> Option<CorrelationCondition> {
    let Some(entries) = v.as_map() else {
        ctx.report(
            Code::InvalidCorrelation,
            format!("correlation `condition` must be a mapping, found {}", v.describe()),
            v.span,
            Some("write e.g. `condition: { gte: 10 }`".into()),
        );
        return None;
    };
    let mut cond = CorrelationCondition::default();
    for (k, val) in entries {
        let Some(key) = k.as_str() else { continue };
        if key == "field" {
            cond.field = match &val.kind {
                NodeKind::Seq(_) => Some(plain_list(ctx, key, val).join(",")),
                _ => scalar_text(ctx, key, val),
            };
        } else if let Some(op) = CompareOp::parse(key) {
            match val.as_str().and_then(|t| t.parse::<f64>().ok()) {
                Some(n) => cond.thresholds.push((op, n)),
                None => {
                    ctx.report(Code::InvalidCorrelation, format!("threshold `{key}` must be a number"), val.span, None)
                }
            }
        } else if let Some(t) = val.as_str() {
            cond.extra.push((key.to_string(), t.to_string()));
        }
    }
    if cond.thresholds.is_empty() {
        ctx.report(
            Code::InvalidCorrelation,
            "correlation condition has no threshold",
            v.span,
            Some("add one of gt, gte, lt, lte, eq, neq with a number".into()),
        );
    }
    Some(cond)
}

fn aliases(ctx: &mut Ctx<'_>, v: &Node) -> Vec<FieldAlias> {
    let Some(entries) = v.as_map() else {
        ctx.report(
            Code::InvalidCorrelation,
            format!("`aliases` must be a mapping, found {}", v.describe()),
            v.span,
            None,
        );
        return Vec::new();
    };
    entries
        .iter()
        .filter_map(|(k, m)| {
            let alias = k.as_str()?.to_string();
            let Some(map) = m.as_map() else {
                ctx.report(
                    Code::InvalidCorrelation,
                    format!("alias `{alias}` must map rule names to field names"),
                    m.span,
                    None,
                );
                return None;
            };
            let mapping =
                map.iter().filter_map(|(r, f)| Some((r.as_str()?.to_string(), f.as_str()?.to_string()))).collect();
            Some(FieldAlias { alias, mapping })
        })
        .collect()
}
