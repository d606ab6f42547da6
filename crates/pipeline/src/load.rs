//! Reading pipeline YAML with positions: every problem is a [`Diagnostic`] with a
//! `pipeline-…` code, the span it is about, what is wrong, and what to do. The reader knows the
//! text, not the file: the caller adds the text to a source map and attaches its id
//! ([`Diagnostic::in_file`]) to show `file:line:column` and the line.

use detwiki_diagnostics::{Code, Diagnostic};
use detwiki_sigma::condition::{Condition, parse_condition};
use detwiki_sigma::yaml::{Node, NodeKind, Scalar, parse_documents};
use detwiki_sigma::{Limits, Modifier, Span};

use super::{
    AddedPredicate, Conds, FIELD_CONDITIONS, FieldCond, Item, Logic, Pipeline, PlaceholderSelection, RULE_CONDITIONS,
    RuleCond, TRANSFORMATIONS, Transformation,
};

/// pySigma transformation types that detwiki does not apply (named so the error can say so).
const PYSIGMA_OTHERS: &[&str] = &[
    "field_name_transform",
    "hashes_fields",
    "query_expression_placeholders",
    "add_field",
    "remove_field",
    "set_field",
    "replace_string",
    "map_string",
    "set_state",
    "regex",
    "set_value",
    "convert_type",
    "strict_field_mapping_failure",
    "set_custom_attribute",
    "nest",
    "case",
];

/// What reading a pipeline found: errors (the pipeline is not used) and warnings.
struct Ctx {
    errors: Vec<Diagnostic>,
    warnings: Vec<Diagnostic>,
}

/// A diagnostic at `span` (help left out when empty).
fn at(code: Code, span: Span, message: String, help: String) -> Diagnostic {
    let d = Diagnostic::new(code, message, Some(span));
    if help.is_empty() { d } else { d.with_help(help) }
}

impl Ctx {
    fn err(&mut self, code: Code, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.errors.push(at(code, span, message.into(), help.into()));
    }

    fn warn(&mut self, code: Code, span: Span, message: impl Into<String>, help: impl Into<String>) {
        self.warnings.push(at(code, span, message.into(), help.into()));
    }

    fn string(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::Scalar { value: Scalar::Null, .. } => {
                self.err(
                    Code::PipelineInvalidType,
                    node.span,
                    format!("{what} is empty"),
                    format!("give {what} a value"),
                );
                None
            }
            NodeKind::Scalar { text, .. } => Some(text.clone()),
            _ => {
                self.err(
                    Code::PipelineInvalidType,
                    node.span,
                    format!("{what} must be a string, found {}", node.describe()),
                    "write a single value",
                );
                None
            }
        }
    }

    fn opt_string(&mut self, node: Option<&Node>, what: &str) -> Option<String> {
        match node {
            Some(n) if n.is_null() => None,
            Some(n) => self.string(n, what),
            None => None,
        }
    }

    fn strings(&mut self, node: &Node, what: &str) -> Option<Vec<String>> {
        match &node.kind {
            NodeKind::Seq(items) => items.iter().map(|i| self.string(i, what)).collect(),
            NodeKind::Scalar { .. } => self.string(node, what).map(|s| vec![s]),
            NodeKind::Map(_) => {
                self.err(
                    Code::PipelineInvalidType,
                    node.span,
                    format!("{what} must be a string or a list of strings, found a mapping"),
                    "",
                );
                None
            }
        }
    }

    fn bool(&mut self, node: &Node, what: &str) -> bool {
        match &node.kind {
            NodeKind::Scalar { value: Scalar::Bool(b), .. } => *b,
            _ => {
                self.err(
                    Code::PipelineInvalidType,
                    node.span,
                    format!("{what} must be `true` or `false`, found {}", node.describe()),
                    "",
                );
                false
            }
        }
    }

    fn map<'n>(&mut self, node: &'n Node, what: &str, help: &str) -> Option<&'n [(Node, Node)]> {
        let m = node.as_map();
        if m.is_none() {
            self.err(
                Code::PipelineInvalidType,
                node.span,
                format!("{what} must be a mapping, found {}", node.describe()),
                help,
            );
        }
        m
    }
}

/// Read a pipeline from YAML `text`; `origin` (a path, or `builtin:NAME`) is its name when it
/// gives none. `Err`: every error found (warnings are in [`Pipeline::warnings`]).
pub fn load(text: &str, origin: &str) -> Result<Pipeline, Vec<Diagnostic>> {
    let mut cx = Ctx { errors: Vec::new(), warnings: Vec::new() };
    let docs = match parse_documents(text, &Limits::default()) {
        Ok(d) => d,
        Err(e) => {
            cx.err(
                Code::PipelineYaml,
                e.span().unwrap_or_default(),
                format!("YAML: {e}"),
                "fix the YAML syntax at this position",
            );
            return Err(cx.errors);
        }
    };
    let mut roots = docs.into_iter().filter_map(|d| d.root);
    let Some(root) = roots.next() else {
        cx.err(
            Code::PipelineDocuments,
            Span::default(),
            "the file holds no pipeline",
            "a pipeline is a mapping with `name` and `transformations`",
        );
        return Err(cx.errors);
    };
    if let Some(extra) = roots.next() {
        cx.err(
            Code::PipelineDocuments,
            extra.span,
            "a pipeline file holds one YAML document",
            "give each pipeline its own file",
        );
    }
    let mut p = Pipeline { name: origin.to_string(), ..Pipeline::default() };
    let Some(entries) = cx.map(&root, "a pipeline", "write `name:`, `priority:`, `vars:` and `transformations:`")
    else {
        return Err(cx.errors);
    };
    for (k, v) in entries {
        let key = k.as_str().unwrap_or_default();
        match key {
            "name" => {
                if let Some(n) = cx.string(v, "`name`") {
                    p.name = n;
                }
            }
            "priority" => match &v.kind {
                NodeKind::Scalar { value: Scalar::Int(i), .. } => p.priority = *i,
                _ => cx.err(
                    Code::PipelineInvalidType,
                    v.span,
                    format!("`priority` must be an integer, found {}", v.describe()),
                    "e.g. `priority: 20`",
                ),
            },
            "vars" => {
                let Some(m) = cx.map(v, "`vars`", "write `vars: {name: [values]}`") else { continue };
                for (name, values) in m {
                    let Some(name) = cx.string(name, "a variable name") else { continue };
                    if let Some(vals) = cx.strings(values, &format!("variable `{name}`")) {
                        p.vars.insert(name, vals);
                    }
                }
            }
            "transformations" => match v.as_seq() {
                Some(items) => {
                    for it in items {
                        if let Some(item) = item(&mut cx, it) {
                            p.items.push(item);
                        }
                    }
                }
                None if v.is_null() => {}
                None => cx.err(
                    Code::PipelineInvalidType,
                    v.span,
                    format!("`transformations` must be a list, found {}", v.describe()),
                    "write `- type: …` items",
                ),
            },
            "postprocessing" | "finalizers" => cx.warn(
                Code::PipelineIgnoredKey,
                k.span,
                format!("`{key}` is ignored: it shapes a backend's query text, and hunt evaluates rules directly"),
                "nothing to do unless you expected it to change which events match",
            ),
            "allowed_backends" => {}
            _ => cx.err(
                Code::PipelineUnknownKey,
                k.span,
                format!("unknown pipeline key `{key}`"),
                "a pipeline has `name`, `priority`, `vars`, `transformations` (and `postprocessing`, `finalizers`, `allowed_backends`, which hunt ignores)",
            ),
        }
    }
    if cx.errors.is_empty() {
        p.warnings = cx.warnings;
        Ok(p)
    } else {
        Err(cx.errors)
    }
}

const ITEM_KEYS: &[&str] = &[
    "type",
    "id",
    "rule_conditions",
    "rule_cond_op",
    "rule_cond_not",
    "rule_cond_expr",
    "field_name_conditions",
    "field_name_cond_op",
    "field_name_cond_not",
    "field_name_cond_expr",
    "detection_item_conditions",
    "detection_item_cond_op",
    "detection_item_cond_not",
    "detection_item_cond_expr",
];

fn params_of(kind: &str) -> &'static [&'static str] {
    match kind {
        "field_name_mapping" | "field_name_prefix_mapping" => &["mapping"],
        "field_name_prefix" => &["prefix"],
        "field_name_suffix" => &["suffix"],
        "add_condition" => &["conditions", "name", "template", "negated"],
        "change_logsource" => &["category", "product", "service"],
        "value_placeholders" | "wildcard_placeholders" => &["include", "exclude"],
        "rule_failure" | "detection_item_failure" => &["message"],
        _ => &[],
    }
}

fn item(cx: &mut Ctx, node: &Node) -> Option<Item> {
    let entries = cx.map(node, "a transformation", "write `- type: field_name_mapping` and its parameters")?;
    let get = |name: &str| entries.iter().find(|(k, _)| k.as_str() == Some(name)).map(|(_, v)| v);
    let Some(type_node) = get("type") else {
        cx.err(
            Code::PipelineMissingKey,
            node.span,
            "transformation without `type`",
            format!("add `type:`, one of: {}", TRANSFORMATIONS.join(", ")),
        );
        return None;
    };
    let kind = cx.string(type_node, "`type`")?;
    if !TRANSFORMATIONS.contains(&kind.as_str()) {
        let what = if PYSIGMA_OTHERS.contains(&kind.as_str()) {
            format!("transformation type `{kind}` is not supported by detwiki hunt")
        } else {
            format!("unknown transformation type `{kind}`")
        };
        cx.err(
            Code::PipelineUnsupportedTransformation,
            type_node.span,
            what,
            format!("supported types: {}", TRANSFORMATIONS.join(", ")),
        );
        return None;
    }
    let params = params_of(&kind);
    for (k, _) in entries {
        let key = k.as_str().unwrap_or_default();
        if !ITEM_KEYS.contains(&key) && !params.contains(&key) {
            let accepted = if params.is_empty() { "none".to_string() } else { params.join(", ") };
            cx.err(
                Code::PipelineUnknownKey,
                k.span,
                format!("`{kind}` has no parameter `{key}`"),
                format!("its parameters: {accepted}"),
            );
        }
    }
    let required = |cx: &mut Ctx, name: &str| {
        let n = get(name);
        if n.is_none() {
            cx.err(
                Code::PipelineMissingKey,
                type_node.span,
                format!("`{kind}` needs `{name}`"),
                format!("add `{name}:` to this transformation"),
            );
        }
        n
    };
    let transformation = match kind.as_str() {
        "field_name_mapping" | "field_name_prefix_mapping" => {
            let node = required(cx, "mapping")?;
            let m = mapping(cx, node)?;
            if kind == "field_name_mapping" {
                Transformation::FieldNameMapping(m)
            } else {
                Transformation::FieldNamePrefixMapping(m)
            }
        }
        "field_name_prefix" => {
            let node = required(cx, "prefix")?;
            Transformation::FieldNamePrefix(cx.string(node, "`prefix`")?)
        }
        "field_name_suffix" => {
            let node = required(cx, "suffix")?;
            Transformation::FieldNameSuffix(cx.string(node, "`suffix`")?)
        }
        "add_condition" => {
            let conds = required(cx, "conditions")?;
            let m = cx.map(conds, "`conditions`", "write `conditions: {Field: value}`")?;
            let mut conditions = Vec::new();
            for (k, v) in m {
                if let Some(p) = added_predicate(cx, k, v) {
                    conditions.push(p);
                }
            }
            Transformation::AddCondition {
                conditions,
                name: cx.opt_string(get("name"), "`name`"),
                template: get("template").is_some_and(|n| cx.bool(n, "`template`")),
                negated: get("negated").is_some_and(|n| cx.bool(n, "`negated`")),
            }
        }
        "change_logsource" => Transformation::ChangeLogsource {
            category: cx.opt_string(get("category"), "`category`"),
            product: cx.opt_string(get("product"), "`product`"),
            service: cx.opt_string(get("service"), "`service`"),
        },
        "drop_detection_item" => Transformation::DropDetectionItem,
        "value_placeholders" | "wildcard_placeholders" => {
            let include = get("include").and_then(|n| cx.strings(n, "`include`"));
            let exclude = get("exclude").and_then(|n| cx.strings(n, "`exclude`"));
            if include.is_some() && exclude.is_some() {
                cx.err(
                    Code::PipelineConflictingKeys,
                    type_node.span,
                    "`include` and `exclude` cannot both be given",
                    "keep one of them",
                );
            }
            let sel = PlaceholderSelection { include, exclude };
            if kind == "value_placeholders" {
                Transformation::ValuePlaceholders(sel)
            } else {
                Transformation::WildcardPlaceholders(sel)
            }
        }
        "rule_failure" | "detection_item_failure" => {
            let node = required(cx, "message")?;
            let msg = cx.string(node, "`message`")?;
            if kind == "rule_failure" {
                Transformation::RuleFailure(msg)
            } else {
                Transformation::DetectionItemFailure(msg)
            }
        }
        _ => return None,
    };
    let rule_conditions = conds(cx, &get, "rule", rule_cond).unwrap_or_default();
    let mut field_conditions: Conds<FieldCond> = conds(cx, &get, "field_name", field_cond).unwrap_or_default();
    if let Some(n) = get("detection_item_conditions") {
        cx.warn(
            Code::PipelineMisplacedConditions,
            n.span,
            "pySigma reads `include_fields` / `exclude_fields` under `field_name_conditions`",
            "move them there to keep the file valid for pySigma",
        );
        let item_conds: Conds<FieldCond> = conds(cx, &get, "detection_item", field_cond).unwrap_or_default();
        if field_conditions.conds.is_empty() {
            field_conditions = item_conds;
        } else if !item_conds.conds.is_empty() {
            cx.err(
                Code::PipelineConflictingKeys,
                n.span,
                "field conditions are given both under `field_name_conditions` and `detection_item_conditions`",
                "put them all under `field_name_conditions`",
            );
        }
    }
    let id = get("id").and_then(|n| cx.string(n, "`id`"));
    Some(Item { id, transformation, rule_conditions, field_conditions })
}

fn mapping(cx: &mut Ctx, node: &Node) -> Option<Vec<(String, Vec<String>)>> {
    let m = cx.map(node, "`mapping`", "write `mapping: {SigmaField: log.field}`")?;
    let mut out = Vec::new();
    for (k, v) in m {
        if k.is_null() {
            cx.err(
                Code::PipelineInvalidValue,
                k.span,
                "a null key (keyword mapping) is not supported",
                "map named fields only",
            );
            continue;
        }
        let Some(from) = cx.string(k, "a field name") else { continue };
        let Some(to) = cx.strings(v, &format!("the mapping of `{from}`")) else { continue };
        if to.is_empty() {
            cx.err(
                Code::PipelineInvalidValue,
                v.span,
                format!("`{from}` maps to an empty list"),
                "map it to at least one field",
            );
            continue;
        }
        out.push((from, to));
    }
    Some(out)
}

fn added_predicate(cx: &mut Ctx, key: &Node, value: &Node) -> Option<AddedPredicate> {
    let k = cx.string(key, "a condition field")?;
    let mut parts = k.split('|');
    let field = parts.next().filter(|f| !f.is_empty()).map(str::to_string);
    let mut modifiers = Vec::new();
    for m in parts {
        match Modifier::parse(m) {
            Some(m) => modifiers.push(m),
            None => {
                cx.err(
                    Code::PipelineInvalidValue,
                    key.span,
                    format!("unknown modifier `{m}` in `{k}`"),
                    "use the Sigma modifiers (contains, startswith, endswith, re …)",
                );
                return None;
            }
        }
    }
    let scalar = |cx: &mut Ctx, n: &Node| match &n.kind {
        NodeKind::Scalar { value, text, .. } => Some((value.clone(), text.clone())),
        _ => {
            cx.err(
                Code::PipelineInvalidType,
                n.span,
                format!("a value of `{k}` must be a scalar, found {}", n.describe()),
                "",
            );
            None
        }
    };
    let (values, is_list) = match &value.kind {
        NodeKind::Seq(items) => (items.iter().map(|i| scalar(cx, i)).collect::<Option<Vec<_>>>()?, true),
        _ => (vec![scalar(cx, value)?], false),
    };
    if modifiers.contains(&Modifier::Re) {
        for (_, t) in &values {
            if let Err(e) = regex::Regex::new(t) {
                cx.err(Code::PipelineInvalidValue, value.span, format!("regex `{t}` does not compile: {e}"), "");
            }
        }
    }
    Some(AddedPredicate { field, modifiers, values, is_list })
}

type Getter<'g, 'n> = dyn Fn(&str) -> Option<&'n Node> + 'g;

/// `{prefix}_conditions` with `{prefix}_cond_op`, `_cond_not`, `_cond_expr`.
fn conds<C>(
    cx: &mut Ctx,
    get: &Getter<'_, '_>,
    prefix: &str,
    one: fn(&mut Ctx, &Node, &str) -> Option<C>,
) -> Option<Conds<C>> {
    let list = get(&format!("{prefix}_conditions"));
    let op = get(&format!("{prefix}_cond_op"));
    let not = get(&format!("{prefix}_cond_not"));
    let expr = get(&format!("{prefix}_cond_expr"));
    let mut out = Conds::default();
    if let Some(n) = not {
        out.negate = cx.bool(n, &format!("`{prefix}_cond_not`"));
    }
    let mut keyed = false;
    if let Some(list) = list {
        match &list.kind {
            NodeKind::Seq(items) => {
                for (i, it) in items.iter().enumerate() {
                    if let Some(c) = one(cx, it, prefix) {
                        out.conds.push(((i + 1).to_string(), c));
                    }
                }
            }
            NodeKind::Map(entries) => {
                keyed = true;
                for (k, v) in entries {
                    let Some(id) = cx.string(k, "a condition id") else { continue };
                    if let Some(c) = one(cx, v, prefix) {
                        out.conds.push((id, c));
                    }
                }
            }
            _ if list.is_null() => {}
            _ => cx.err(
                Code::PipelineInvalidType,
                list.span,
                format!("`{prefix}_conditions` must be a list or a mapping, found {}", list.describe()),
                "write `- type: …` items",
            ),
        }
    }
    if let Some(op) = op {
        match op.as_str() {
            Some("and") => out.logic = Logic::All,
            Some("or") => out.logic = Logic::Any,
            _ => cx.err(Code::PipelineInvalidValue, op.span, format!("`{prefix}_cond_op` must be `and` or `or`"), ""),
        }
    }
    if let Some(e) = expr {
        if op.is_some() {
            cx.err(
                Code::PipelineConflictingKeys,
                e.span,
                format!("`{prefix}_cond_expr` and `{prefix}_cond_op` cannot both be given"),
                "keep the expression",
            );
        }
        if !keyed {
            cx.err(
                Code::PipelineConditionExpression,
                e.span,
                format!("`{prefix}_cond_expr` needs `{prefix}_conditions` as a mapping of id: condition"),
                "",
            );
        }
        let text = cx.string(e, &format!("`{prefix}_cond_expr`"))?;
        // Plain scalars start at the node; quoted ones one character later.
        let quoted = matches!(&e.kind, NodeKind::Scalar { quoted: true, .. });
        let base = e.span.start + usize::from(quoted);
        match parse_condition(&text, base) {
            Ok(parsed) => {
                let ids: Vec<String> = out.conds.iter().map(|(n, _)| n.clone()).collect();
                let mut used = Vec::new();
                let mut ok = true;
                for leaf in parsed.root.leaves() {
                    match leaf {
                        Condition::Identifier { name, span } => {
                            if !ids.contains(name) {
                                cx.err(
                                    Code::PipelineConditionExpression,
                                    *span,
                                    format!("`{name}` is not a condition id"),
                                    format!("ids: {}", ids.join(", ")),
                                );
                                ok = false;
                            }
                            used.push(name.clone());
                        }
                        Condition::Quantified { span, .. } => {
                            cx.err(
                                Code::PipelineConditionExpression,
                                *span,
                                "`… of …` is not allowed in a condition expression",
                                "use and / or / not",
                            );
                            ok = false;
                        }
                        _ => {}
                    }
                }
                for id in ids.iter().filter(|i| !used.contains(i)) {
                    cx.err(
                        Code::PipelineConditionExpression,
                        e.span,
                        format!("condition `{id}` is not used by the expression"),
                        "use it or remove it",
                    );
                    ok = false;
                }
                if ok {
                    out.logic = Logic::Expr(parsed.root);
                }
            }
            Err(ce) => cx.err(
                Code::PipelineConditionExpression,
                ce.span,
                format!("`{prefix}_cond_expr`: {}", ce.message),
                ce.help.unwrap_or_default(),
            ),
        }
    }
    Some(out)
}

fn cond_type<'n>(cx: &mut Ctx, node: &'n Node, supported: &[&str]) -> Option<(String, &'n [(Node, Node)])> {
    let m = cx.map(node, "a condition", "write `- type: logsource` and its parameters")?;
    let Some(t) = m.iter().find(|(k, _)| k.as_str() == Some("type")).map(|(_, v)| v) else {
        cx.err(
            Code::PipelineMissingKey,
            node.span,
            "condition without `type`",
            format!("add `type:`, one of: {}", supported.join(", ")),
        );
        return None;
    };
    let kind = cx.string(t, "`type`")?;
    if !supported.contains(&kind.as_str()) {
        cx.err(
            Code::PipelineUnsupportedCondition,
            t.span,
            format!("unsupported condition type `{kind}` here"),
            format!("supported: {}", supported.join(", ")),
        );
        return None;
    }
    Some((kind, m))
}

fn check_params(cx: &mut Ctx, kind: &str, m: &[(Node, Node)], allowed: &[&str]) {
    for (k, _) in m {
        let key = k.as_str().unwrap_or_default();
        if key != "type" && !allowed.contains(&key) {
            cx.err(
                Code::PipelineUnknownKey,
                k.span,
                format!("condition `{kind}` has no parameter `{key}`"),
                format!("its parameters: {}", allowed.join(", ")),
            );
        }
    }
}

fn rule_cond(cx: &mut Ctx, node: &Node, _prefix: &str) -> Option<RuleCond> {
    let mut supported = RULE_CONDITIONS.to_vec();
    supported.push("rule_ids");
    let (kind, m) = cond_type(cx, node, &supported)?;
    let get = |name: &str| m.iter().find(|(k, _)| k.as_str() == Some(name)).map(|(_, v)| v);
    match kind.as_str() {
        "logsource" => {
            check_params(cx, &kind, m, &["category", "product", "service"]);
            Some(RuleCond::Logsource {
                category: cx.opt_string(get("category"), "`category`"),
                product: cx.opt_string(get("product"), "`product`"),
                service: cx.opt_string(get("service"), "`service`"),
            })
        }
        "tag" => {
            check_params(cx, &kind, m, &["tag", "tags"]);
            let mut tags = Vec::new();
            for k in ["tag", "tags"] {
                if let Some(n) = get(k) {
                    tags.extend(cx.strings(n, "`tag`")?);
                }
            }
            if tags.is_empty() {
                cx.err(
                    Code::PipelineMissingKey,
                    node.span,
                    "condition `tag` needs `tag:`",
                    "e.g. `tag: attack.execution`",
                );
                return None;
            }
            Some(RuleCond::Tag(tags))
        }
        "rule_id" | "rule_ids" => {
            check_params(cx, &kind, m, &["id", "ids", "rule_id", "rule_ids"]);
            let mut ids = Vec::new();
            for k in ["id", "ids", "rule_id", "rule_ids"] {
                if let Some(n) = get(k) {
                    ids.extend(cx.strings(n, "`id`")?);
                }
            }
            if ids.is_empty() {
                cx.err(
                    Code::PipelineMissingKey,
                    node.span,
                    format!("condition `{kind}` needs `id:` (or `ids:`)"),
                    "give the rule ids",
                );
                return None;
            }
            Some(RuleCond::RuleId(ids))
        }
        "rule_attribute" => {
            check_params(cx, &kind, m, &["attribute", "value", "op"]);
            let Some(a) = get("attribute") else {
                cx.err(
                    Code::PipelineMissingKey,
                    node.span,
                    "condition `rule_attribute` needs `attribute:`",
                    "e.g. `attribute: level`",
                );
                return None;
            };
            let attribute = cx.string(a, "`attribute`")?;
            let Some(v) = get("value") else {
                cx.err(Code::PipelineMissingKey, node.span, "condition `rule_attribute` needs `value:`", "");
                return None;
            };
            let value = cx.string(v, "`value`")?;
            let op = cx.opt_string(get("op"), "`op`").unwrap_or_else(|| "eq".into());
            const OPS: &[&str] = &["eq", "ne", "gte", "gt", "lte", "lt", "in", "not_in"];
            if !OPS.contains(&op.as_str()) {
                cx.err(
                    Code::PipelineInvalidValue,
                    get("op").map_or(node.span, |n| n.span),
                    format!("unknown op `{op}`"),
                    format!("ops: {}", OPS.join(", ")),
                );
                return None;
            }
            if attribute == "id" && matches!(op.as_str(), "eq") {
                return Some(RuleCond::RuleId(vec![value]));
            }
            Some(RuleCond::Attribute { attribute, value, op })
        }
        _ => None,
    }
}

fn field_cond(cx: &mut Ctx, node: &Node, prefix: &str) -> Option<FieldCond> {
    let (kind, m) = if prefix == "detection_item" {
        let m = cx.map(node, "a condition", "")?;
        let t = m.iter().find(|(k, _)| k.as_str() == Some("type")).and_then(|(_, v)| v.as_str());
        if !t.is_some_and(|t| FIELD_CONDITIONS.contains(&t)) {
            let span = m.iter().find(|(k, _)| k.as_str() == Some("type")).map_or(node.span, |(_, v)| v.span);
            cx.err(
                Code::PipelineUnsupportedCondition,
                span,
                format!("detection item condition `{}` is not supported", t.unwrap_or("?")),
                "supported: include_fields, exclude_fields (pySigma's match_string, is_null … are not)",
            );
            return None;
        }
        (t.unwrap_or_default().to_string(), m)
    } else {
        cond_type(cx, node, FIELD_CONDITIONS)?
    };
    check_params(cx, &kind, m, &["fields", "mode", "type"]);
    let get = |name: &str| m.iter().find(|(k, _)| k.as_str() == Some(name)).map(|(_, v)| v);
    let Some(f) = get("fields") else {
        cx.err(
            Code::PipelineMissingKey,
            node.span,
            format!("condition `{kind}` needs `fields:`"),
            "list the field names",
        );
        return None;
    };
    let fields = cx.strings(f, "`fields`")?;
    let mode = cx.opt_string(get("mode"), "`mode`").unwrap_or_else(|| "plain".into());
    let mut cond = FieldCond { exclude: kind == "exclude_fields", plain: Vec::new(), patterns: Vec::new() };
    match mode.as_str() {
        "plain" => cond.plain = fields,
        "re" => {
            for p in fields {
                match regex::Regex::new(&format!("^(?:{p})")) {
                    Ok(r) => cond.patterns.push(r),
                    Err(e) => cx.err(
                        Code::PipelineInvalidValue,
                        f.span,
                        format!("field pattern `{p}` does not compile: {e}"),
                        "",
                    ),
                }
            }
        }
        other => {
            let span = get("mode").map_or(node.span, |n| n.span);
            cx.err(Code::PipelineInvalidValue, span, format!("unknown mode `{other}`"), "`mode` is `plain` or `re`");
            return None;
        }
    }
    Some(cond)
}

#[cfg(test)]
mod tests {
    use super::*;
    use detwiki_diagnostics::{SourceFile, SourceMap, render};

    /// A diagnostic with its 1-based position in the text it is about.
    struct Found {
        code: Code,
        line: usize,
        column: usize,
        message: String,
        help: String,
    }

    impl std::fmt::Display for Found {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            write!(f, "{}:{}: {} [{}]", self.line, self.column, self.message, self.code)
        }
    }

    fn found(text: &str, d: Diagnostic) -> Found {
        let lc = SourceFile::new("p.yml", text).line_col(d.span.map_or(0, |s| s.start));
        Found { code: d.code, line: lc.line, column: lc.column, message: d.message, help: d.help.unwrap_or_default() }
    }

    fn errors(text: &str) -> Vec<Found> {
        load(text, "p.yml").expect_err("should fail").into_iter().map(|d| found(text, d)).collect()
    }

    fn at(e: &Found) -> (usize, usize) {
        (e.line, e.column)
    }

    #[test]
    fn unsupported_transformation_names_the_supported_ones() {
        let e = errors("name: x\ntransformations:\n  - type: replace_string\n    regex: a\n");
        assert_eq!(at(&e[0]), (3, 11));
        assert_eq!(e[0].code, Code::PipelineUnsupportedTransformation);
        assert!(e[0].message.contains("`replace_string` is not supported"), "{}", e[0]);
        assert!(e[0].help.contains("field_name_mapping") && e[0].help.contains("drop_detection_item"));
        let e = errors("transformations:\n  - type: field_name_mappin\n    mapping: {}\n");
        assert!(e[0].message.contains("unknown transformation type"), "{}", e[0]);
        assert_eq!(e[0].code, Code::PipelineUnsupportedTransformation);
    }

    #[test]
    fn an_error_renders_with_file_line_column_and_caret_through_the_shared_renderer() {
        let text = "transformations:\n  - type: field_name_mappin\n    mapping: {}\n";
        let mut sources = SourceMap::new();
        let file = sources.add("pipelines/site.yml", text);
        let d = load(text, "pipelines/site.yml").expect_err("fails").remove(0).in_file(file);
        let want = format!(
            "error: unknown transformation type `field_name_mappin`\n --> pipelines/site.yml:2:11\n  |\n\
             2 |   - type: field_name_mappin\n  |           ^^^^^^^^^^^^^^^^^\n  |\n  = help: supported types: {}",
            TRANSFORMATIONS.join(", ")
        );
        assert_eq!(render::human::render(&d, &sources, false), want);
    }

    /// One example per pipeline code: the first problem found has it.
    #[test]
    fn each_problem_class_has_its_code() {
        let item = |body: &str| format!("transformations:\n  - {body}\n");
        let cases = [
            ("transformations:\n  - type: [unclosed\n".to_string(), Code::PipelineYaml),
            (String::new(), Code::PipelineDocuments),
            ("name: a\n---\nname: b\n".into(), Code::PipelineDocuments),
            ("name: x\nbogus: 1\n".into(), Code::PipelineUnknownKey),
            (item("type: field_name_prefix\n    prefix: a\n    prefx: b"), Code::PipelineUnknownKey),
            (item("type: field_name_prefix"), Code::PipelineMissingKey),
            (item("mapping: {a: b}"), Code::PipelineMissingKey),
            ("priority: x\n".into(), Code::PipelineInvalidType),
            (item("type: field_name_mapping\n    mapping: [a]"), Code::PipelineInvalidType),
            (item("type: field_name_mapping\n    mapping: {a: []}"), Code::PipelineInvalidValue),
            (item("type: add_condition\n    conditions: {a|contians: x}"), Code::PipelineInvalidValue),
            (item("type: drop_detection_item\n    rule_cond_op: xor"), Code::PipelineInvalidValue),
            (item("type: replace_string"), Code::PipelineUnsupportedTransformation),
            (item("type: field_name_mappin"), Code::PipelineUnsupportedTransformation),
            (
                item("type: drop_detection_item\n    rule_conditions:\n      - type: contains_field"),
                Code::PipelineUnsupportedCondition,
            ),
            (item("type: value_placeholders\n    include: [a]\n    exclude: [b]"), Code::PipelineConflictingKeys),
            (
                item(
                    "type: drop_detection_item\n    rule_conditions: {a: {type: tag, tag: x}}\n    rule_cond_expr: a and b",
                ),
                Code::PipelineConditionExpression,
            ),
        ];
        for (text, code) in &cases {
            let e = errors(text);
            assert_eq!(e[0].code, *code, "{text:?}: {}", e[0]);
            assert_eq!(code.severity(), detwiki_diagnostics::Severity::Error);
        }
        let warnings =
            |text: &str| -> Vec<Code> { load(text, "p.yml").expect("loads").warnings.iter().map(|d| d.code).collect() };
        assert_eq!(warnings("finalizers: []\n"), [Code::PipelineIgnoredKey]);
        let misplaced = item(
            "type: drop_detection_item\n    detection_item_conditions:\n      - type: include_fields\n        fields: [x]",
        );
        assert_eq!(warnings(&misplaced), [Code::PipelineMisplacedConditions]);
        // Every code of the domain has an example.
        let seen: Vec<Code> =
            cases.iter().map(|(_, c)| *c).chain(warnings("finalizers: []\n")).chain(warnings(&misplaced)).collect();
        for c in detwiki_diagnostics::Domain::Pipeline.codes() {
            assert!(seen.contains(c), "no example of {c}");
        }
    }

    #[test]
    fn malformed_items_point_at_the_place() {
        // Missing parameter: at the type.
        let e = errors("transformations:\n  - type: field_name_prefix\n");
        assert_eq!((at(&e[0]), e[0].message.as_str()), ((2, 11), "`field_name_prefix` needs `prefix`"));
        // Unknown parameter: at its key.
        let e = errors("transformations:\n  - type: field_name_prefix\n    prefix: a.\n    prefx: b\n");
        assert_eq!(at(&e[0]), (4, 5));
        assert!(e[0].help.contains("prefix"));
        // Wrong shape.
        let e = errors("transformations:\n  - type: field_name_mapping\n    mapping: [a, b]\n");
        assert_eq!(at(&e[0]), (3, 14));
        assert!(e[0].message.contains("must be a mapping, found a list"));
        // No type.
        let e = errors("transformations:\n  - mapping: {a: b}\n");
        assert_eq!(at(&e[0]), (2, 5));
        // Unknown top-level key.
        let e = errors("name: x\ntransformation: []\n");
        assert_eq!(at(&e[0]), (2, 1));
        // YAML syntax.
        let e = errors("transformations:\n  - type: [unclosed\n");
        assert!(e[0].message.starts_with("YAML"), "{}", e[0]);
        assert!(e[0].line >= 2);
    }

    #[test]
    fn malformed_conditions() {
        let e = errors(
            "transformations:\n  - type: drop_detection_item\n    rule_conditions:\n      - type: contains_field\n        field: x\n",
        );
        assert_eq!(at(&e[0]), (4, 15));
        assert!(e[0].help.contains("logsource") && e[0].help.contains("tag"));
        let e = errors(
            "transformations:\n  - type: drop_detection_item\n    rule_conditions:\n      - type: logsource\n        prodct: x\n",
        );
        assert_eq!(at(&e[0]), (5, 9));
        let e = errors(
            "transformations:\n  - type: drop_detection_item\n    rule_conditions:\n      a:\n        type: tag\n        tag: x\n    \
             rule_cond_expr: a and b\n",
        );
        assert_eq!(at(&e[0]), (7, 27));
        assert!(e[0].message.contains("`b` is not a condition id"));
        let e = errors("transformations:\n  - type: drop_detection_item\n    rule_cond_op: xor\n");
        assert_eq!(at(&e[0]), (3, 19));
        let e = errors(
            "transformations:\n  - type: drop_detection_item\n    field_name_conditions:\n      - type: include_fields\n        \
             fields: ['(']\n        mode: re\n",
        );
        assert_eq!(at(&e[0]), (5, 17));
        let e = errors(
            "transformations:\n  - type: drop_detection_item\n    detection_item_conditions:\n      - type: match_string\n        \
             pattern: x\n",
        );
        assert_eq!(at(&e[0]), (4, 15));
        assert!(e[0].message.contains("match_string"));
    }

    #[test]
    fn add_condition_modifiers_are_checked() {
        let e = errors("transformations:\n  - type: add_condition\n    conditions:\n      a|contians: x\n");
        assert_eq!(at(&e[0]), (4, 7));
        assert!(e[0].message.contains("contians"));
    }

    #[test]
    fn postprocessing_is_a_warning_and_vars_are_read() {
        let p = load("name: n\npriority: 3\nvars:\n  a: [x, 1]\n  b: y\npostprocessing: []\ntransformations:\n", "p")
            .unwrap();
        assert_eq!((p.name.as_str(), p.priority), ("n", 3));
        assert_eq!(p.vars["a"], ["x", "1"]);
        assert_eq!(p.vars["b"], ["y"]);
        assert_eq!(p.warnings.len(), 1);
        let w = found("name: n\npriority: 3\nvars:\n  a: [x, 1]\n  b: y\npostprocessing: []\n", p.warnings[0].clone());
        assert_eq!(
            (w.line, w.code, p.warnings[0].severity),
            (6, Code::PipelineIgnoredKey, detwiki_diagnostics::Severity::Warning)
        );
    }

    #[test]
    fn several_documents_or_none() {
        assert_eq!(errors("").len(), 1);
        let e = errors("name: a\n---\nname: b\n");
        assert_eq!(e[0].line, 3);
    }
}
