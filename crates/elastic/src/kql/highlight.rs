//! KQL highlighting from the parse tree (KQL has no separate lexer: the parser reads the
//! text byte by byte): fields and values from the tree's spans; what lies between them is,
//! by the grammar, only `and`/`or`/`not`, `:`, range operators, `*` (exists) and brackets.

use super::{Expr, Literal, LiteralKind, ValueExpr, parse};
use crate::highlight::{Class, Token as Hl};
use crate::span::Span;

/// The query's classified ranges; `None` when it does not parse.
pub(crate) fn highlight(text: &str) -> Option<Vec<Hl>> {
    let q = parse(text).ok()?;
    let mut tree = Vec::new();
    if let Some(root) = &q.root {
        expr(root, &mut tree);
    }
    tree.sort_by_key(|t: &Hl| t.span.start);
    // The grammar's words and operators between the tree's ranges.
    let mut out = Vec::with_capacity(tree.len() * 2);
    let mut last = 0;
    for t in tree {
        if t.span.start < last {
            continue;
        }
        between(text, last, t.span.start, &mut out);
        last = t.span.end;
        out.push(t);
    }
    between(text, last, text.len(), &mut out);
    Some(out)
}

fn between(text: &str, from: usize, to: usize, out: &mut Vec<Hl>) {
    let b = text.as_bytes();
    let mut i = from;
    while i < to {
        let start = i;
        let class = if b[i].is_ascii_alphabetic() {
            while i < to && b[i].is_ascii_alphabetic() {
                i += 1;
            }
            Class::Keyword
        } else if matches!(b[i], b':' | b'<' | b'>' | b'*') {
            i += 1;
            if matches!(b[start], b'<' | b'>') && i < to && b[i] == b'=' {
                i += 1;
            }
            Class::Operator
        } else {
            i += text[i..].chars().next().map_or(1, char::len_utf8);
            continue;
        };
        out.push(Hl { span: Span::new(start, i), class });
    }
}

fn expr(e: &Expr, out: &mut Vec<Hl>) {
    match e {
        Expr::Or { items, .. } | Expr::And { items, .. } => items.iter().for_each(|i| expr(i, out)),
        Expr::Not { expr: inner, .. } => expr(inner, out),
        Expr::Match { field, values, .. } => {
            out.push(Hl { span: field.span, class: Class::Field });
            value_expr(values, out);
        }
        Expr::Range { field, value, .. } => {
            out.push(Hl { span: field.span, class: Class::Field });
            literal(value, out);
        }
        Expr::Exists { field, .. } => out.push(Hl { span: field.span, class: Class::Field }),
        Expr::Nested { field, query, .. } => {
            out.push(Hl { span: field.span, class: Class::Field });
            expr(query, out);
        }
        Expr::FreeText { value, .. } => literal(value, out),
    }
}

fn value_expr(v: &ValueExpr, out: &mut Vec<Hl>) {
    match v {
        ValueExpr::Value { value } => literal(value, out),
        ValueExpr::Or { items, .. } | ValueExpr::And { items, .. } => items.iter().for_each(|i| value_expr(i, out)),
        ValueExpr::Not { expr, .. } => value_expr(expr, out),
    }
}

fn literal(l: &Literal, out: &mut Vec<Hl>) {
    let class = match &l.kind {
        LiteralKind::Quoted(_) => Class::String,
        LiteralKind::Unquoted(_) => {
            let t = l.text();
            if t == "true" || t == "false" {
                Class::Bool
            } else if !t.is_empty() && t.parse::<f64>().is_ok() {
                Class::Number
            } else {
                Class::String
            }
        }
    };
    out.push(Hl { span: l.span, class });
}
