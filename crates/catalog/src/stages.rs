//! Stages and predicates: Stage 0 is the whole condition; then one stage per
//! top-level term of the condition (`selection`, `not 1 of filter_*` …), each
//! with the predicates of the identifiers it uses, in Sigma syntax. A list of
//! maps is an `or:` of `and` groups; a field with several values is an `or:`
//! unless `|all`.

use std::fmt::Write as _;

use detwiki_sigma::condition::Condition;
use detwiki_sigma::{Detection, FieldGroup, FieldPredicate, Modifier, SearchBody, Value, ValueKind};
use serde::Serialize;

/// A predicate tree as the page shows it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum PredTree {
    /// All of the items.
    And {
        /// Items.
        items: Vec<PredTree>,
    },
    /// Any of the items.
    Or {
        /// Items.
        items: Vec<PredTree>,
    },
    /// The item does not hold (other languages' `not`; Sigma's stages show `not` in labels).
    Not {
        /// The negated item.
        item: Box<PredTree>,
    },
    /// `Field|modifiers: value(s)`; several values only under `|all`.
    Pred {
        /// The key as written (`Image|endswith`).
        key: String,
        /// The values, YAML-quoted as needed.
        values: Vec<String>,
    },
    /// A field-less value.
    Keyword {
        /// The value, YAML-quoted as needed.
        value: String,
    },
}

/// One identifier's predicates inside a stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StageIdentifier {
    /// The search identifier.
    pub name: String,
    /// Its predicates.
    pub tree: PredTree,
}

/// One stage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Stage {
    /// 0 for the whole condition, then 1, 2, …
    pub stage: usize,
    /// `condition` for stage 0, else the term (`not 1 of filter_*`).
    pub label: String,
    /// The stage in Sigma syntax: the condition text, or the identifiers' predicates.
    pub text: String,
    /// The identifiers the term uses, with their predicates.
    pub identifiers: Vec<StageIdentifier>,
}

/// The stages of a detection.
pub fn stages(detection: &Detection) -> Vec<Stage> {
    let texts: Vec<&str> = detection.conditions.iter().map(|c| c.text.trim()).collect();
    let stage0 = if texts.len() == 1 {
        texts[0].to_string()
    } else {
        texts.iter().map(|t| format!("({t})")).collect::<Vec<_>>().join(" or ")
    };
    let mut out = vec![Stage { stage: 0, label: "condition".into(), text: stage0, identifiers: Vec::new() }];
    let names: Vec<&str> = detection.identifiers.iter().map(|i| i.name.as_str()).collect();
    let mut terms: Vec<&Condition> = Vec::new();
    let parsed: Vec<&Condition> = detection.conditions.iter().filter_map(|c| c.parsed.as_ref()).collect();
    if parsed.len() == 1 {
        match parsed[0] {
            Condition::And(items) | Condition::Or(items) => terms.extend(items),
            other => terms.push(other),
        }
    } else {
        terms.extend(parsed);
    }
    for term in terms {
        let mut used: Vec<&str> = Vec::new();
        collect_identifiers(term, &names, &mut used);
        let identifiers: Vec<StageIdentifier> = used
            .iter()
            .filter_map(|n| detection.identifier(n))
            .map(|i| StageIdentifier { name: i.name.clone(), tree: body_tree(&i.body) })
            .collect();
        let mut text = String::new();
        for (k, i) in identifiers.iter().enumerate() {
            if k > 0 {
                text.push('\n');
            }
            let _ = writeln!(text, "{}:", i.name);
            write_tree(&mut text, &i.tree, 1);
        }
        out.push(Stage { stage: out.len(), label: term.to_string(), text: text.trim_end().to_string(), identifiers });
    }
    out
}

fn collect_identifiers<'a>(c: &Condition, names: &[&'a str], out: &mut Vec<&'a str>) {
    let mut push = |n: &str| {
        if let Some(&name) = names.iter().find(|x| **x == n)
            && !out.contains(&name)
        {
            out.push(name);
        }
    };
    match c {
        Condition::Or(v) | Condition::And(v) => v.iter().for_each(|x| collect_identifiers(x, names, out)),
        Condition::Not(x) => collect_identifiers(x, names, out),
        Condition::Identifier { name, .. } => push(name),
        Condition::Quantified { target, .. } => Condition::resolve(target, names).into_iter().for_each(push),
    }
}

/// The predicate tree of a search identifier.
pub fn body_tree(body: &SearchBody) -> PredTree {
    match body {
        SearchBody::Fields(g) => group_tree(g),
        SearchBody::AnyOf(gs) => single_or(gs.iter().map(group_tree).collect()),
        SearchBody::Keywords(vs) => single_or(vs.iter().map(|v| PredTree::Keyword { value: quote(v) }).collect()),
    }
}

fn single_or(mut items: Vec<PredTree>) -> PredTree {
    if items.len() == 1 { items.remove(0) } else { PredTree::Or { items } }
}

fn group_tree(g: &FieldGroup) -> PredTree {
    let mut items: Vec<PredTree> = g.predicates.iter().map(predicate_tree).collect();
    if items.len() == 1 { items.remove(0) } else { PredTree::And { items } }
}

fn predicate_tree(p: &FieldPredicate) -> PredTree {
    let key = p.key();
    let values: Vec<String> = p.values.iter().map(quote).collect();
    if values.len() > 1 && !p.has(Modifier::All) {
        PredTree::Or {
            items: values.into_iter().map(|v| PredTree::Pred { key: key.clone(), values: vec![v] }).collect(),
        }
    } else {
        PredTree::Pred { key, values }
    }
}

/// A value as a YAML scalar: strings single-quoted (as SigmaHQ writes them), the rest bare.
pub fn quote(v: &Value) -> String {
    match &v.kind {
        ValueKind::Null => "null".into(),
        ValueKind::Bool(_) | ValueKind::Int(_) | ValueKind::Float(_) => v.text.clone(),
        _ => format!("'{}'", v.text.replace('\'', "''")),
    }
}

/// Four spaces per level, without allocating.
fn pad(depth: usize) -> std::borrow::Cow<'static, str> {
    const SPACES: &str = "                                                                ";
    SPACES.get(..depth * 4).map_or_else(|| "    ".repeat(depth).into(), Into::into)
}

fn write_tree(out: &mut String, t: &PredTree, depth: usize) {
    let pad = pad(depth);
    match t {
        PredTree::And { items } => items.iter().for_each(|i| write_item(out, i, depth, "and")),
        PredTree::Or { items } => {
            let _ = writeln!(out, "{pad}or:");
            for i in items {
                write_item(out, i, depth + 1, "or");
            }
        }
        PredTree::Not { item } => {
            let _ = writeln!(out, "{pad}not:");
            write_tree(out, item, depth + 1);
        }
        PredTree::Pred { key, values } => write_pred(out, key, values, depth),
        PredTree::Keyword { value } => {
            let _ = writeln!(out, "{pad}- {value}");
        }
    }
}

/// An item inside an `and` (plain lines) or an `or` (list items).
fn write_item(out: &mut String, t: &PredTree, depth: usize, parent: &str) {
    let pad = pad(depth);
    match (parent, t) {
        ("and", _) => write_tree(out, t, depth),
        (_, PredTree::And { .. }) => {
            let _ = writeln!(out, "{pad}- and:");
            write_tree(out, t, depth + 1);
        }
        (_, PredTree::Or { .. }) => write_tree(out, t, depth),
        (_, PredTree::Not { item }) => {
            let _ = writeln!(out, "{pad}- not:");
            write_tree(out, item, depth + 1);
        }
        (_, PredTree::Pred { key, values }) => write_pred(out, key, values, depth),
        (_, PredTree::Keyword { value }) => {
            let _ = writeln!(out, "{pad}- {value}");
        }
    }
}

fn write_pred(out: &mut String, key: &str, values: &[String], depth: usize) {
    let pad = pad(depth);
    match values {
        [one] => {
            let _ = writeln!(out, "{pad}{key}: {one}");
        }
        many => {
            let _ = writeln!(out, "{pad}{key}:");
            for v in many {
                let _ = writeln!(out, "{pad}    - {v}");
            }
        }
    }
}

impl PredTree {
    /// The tree as indented text (`and:` / `or:` / `not:` above their items, a predicate as
    /// `key values`), `depth` levels in: how other languages' stages show their predicates.
    pub fn render(&self, depth: usize) -> String {
        let pad = "  ".repeat(depth);
        match self {
            PredTree::And { items } | PredTree::Or { items } => {
                let op = if matches!(self, PredTree::And { .. }) { "and" } else { "or" };
                let mut s = format!("{pad}{op}:\n");
                for i in items {
                    s.push_str(&i.render(depth + 1));
                }
                s
            }
            PredTree::Not { item } => format!("{pad}not:\n{}", item.render(depth + 1)),
            PredTree::Pred { key, values } => format!("{pad}{key} {}\n", values.join(", ")),
            PredTree::Keyword { value } => format!("{pad}{value}\n"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(yaml: &str) -> Detection {
        let f = detwiki_sigma::parse_str(yaml);
        assert!(!f.has_errors(), "{:?}", f.diagnostics);
        let detwiki_sigma::Document::Rule(r) = &f.documents[0] else { panic!() };
        r.detection.clone()
    }

    #[test]
    fn seed_rule_stages() {
        let d = det(
            "title: t\nlogsource:\n  category: registry_event\n  product: windows\ndetection:\n  selection:\n    TargetObject|contains: '\\Services\\PortProxy\\v4tov4\\tcp\\'\n  condition: selection\n",
        );
        let s = stages(&d);
        assert_eq!(s.len(), 2);
        assert_eq!((s[0].label.as_str(), s[0].text.as_str()), ("condition", "selection"));
        assert_eq!(s[1].label, "selection");
        assert_eq!(s[1].text, "selection:\n    TargetObject|contains: '\\Services\\PortProxy\\v4tov4\\tcp\\'");
    }

    #[test]
    fn tscon_stage_is_an_or_then_the_image() {
        let d = det(
            "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    User|contains:\n      - 'AUTHORI'\n      - 'AUTORI'\n    Image|endswith: '\\tscon.exe'\n  condition: selection\n",
        );
        let s = stages(&d);
        assert_eq!(
            s[1].text,
            "selection:\n    or:\n        User|contains: 'AUTHORI'\n        User|contains: 'AUTORI'\n    Image|endswith: '\\tscon.exe'"
        );
    }

    #[test]
    fn one_stage_per_top_level_term_with_quantifiers_resolved() {
        let d = det(
            "title: t\nlogsource:\n  product: windows\ndetection:\n  selection:\n    - A: 1\n    - B: 2\n      C: 3\n  filter_a:\n    D|all:\n      - x\n      - y\n  filter_b:\n    - kw1\n    - kw2\n  condition: selection and not 1 of filter_*\n",
        );
        let s = stages(&d);
        assert_eq!(s[0].text, "selection and not 1 of filter_*");
        assert_eq!(s[2].label, "not 1 of filter_*");
        assert_eq!(s[2].identifiers.len(), 2);
        assert_eq!(s[1].text, "selection:\n    or:\n        A: 1\n        - and:\n            B: 2\n            C: 3");
        assert_eq!(
            s[2].text,
            "filter_a:\n    D|all:\n        - 'x'\n        - 'y'\n\nfilter_b:\n    or:\n        - 'kw1'\n        - 'kw2'"
        );
    }
}
