//! Helpers shared by the test files: compact text forms of predicate trees and stages, for
//! snapshots a reader can check at a glance.

#![allow(dead_code)]

use std::fmt::Write as _;

use detwiki_elastic::predicate::{PredicateTree, Stage, Value};

/// `field kind [values]` with `~` after the kind when case-insensitive.
pub fn render_tree(t: &PredicateTree, depth: usize, out: &mut String) {
    let pad = "  ".repeat(depth);
    match t {
        PredicateTree::And { items } | PredicateTree::Or { items } => {
            let op = if matches!(t, PredicateTree::And { .. }) { "and" } else { "or" };
            let _ = writeln!(out, "{pad}{op}:");
            items.iter().for_each(|i| render_tree(i, depth + 1, out));
        }
        PredicateTree::Not { item } => {
            let _ = writeln!(out, "{pad}not:");
            render_tree(item, depth + 1, out);
        }
        PredicateTree::Pred(p) => {
            let values: Vec<String> = p.values.iter().map(render_value).collect();
            let field = p.field.as_deref().unwrap_or("<any field>");
            let ci = if p.case_insensitive { "~" } else { "" };
            let _ = writeln!(out, "{pad}{field} {}{ci} [{}]", p.kind.as_str(), values.join(", "));
        }
        PredicateTree::Related { relation, category, tree, .. } => {
            let _ = writeln!(out, "{pad}{relation} of {}:", category.as_deref().unwrap_or("any"));
            render_tree(tree, depth + 1, out);
        }
        PredicateTree::Opaque { text, .. } => {
            let _ = writeln!(out, "{pad}opaque: {text}");
        }
    }
}

pub fn render_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Number(n) => n.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Pattern(p) => format!("pattern {:?}", p.to_wildcard_string()),
    }
}

pub fn render_stages(stages: &[Stage]) -> String {
    let mut out = String::new();
    for (i, s) in stages.iter().enumerate() {
        let _ = write!(out, "stage {i} ({:?}", s.role);
        if let Some(c) = &s.category {
            let _ = write!(out, ", category {c}");
        }
        if !s.by.is_empty() {
            let _ = write!(out, ", by {}", s.by.join(", "));
        }
        if let Some(m) = &s.maxspan {
            let _ = write!(out, ", maxspan {m} = {:?} ms", s.maxspan_ms);
        }
        if let Some(r) = s.runs {
            let _ = write!(out, ", runs {r}");
        }
        if let Some(a) = &s.alias {
            let _ = write!(out, ", as {a}");
        }
        out.push_str(")\n");
        match &s.tree {
            Some(t) => render_tree(t, 1, &mut out),
            None => out.push_str("  (matches every event)\n"),
        }
    }
    out
}

/// The text of `rel` under `tests/fixtures`.
pub fn fixture(rel: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}
