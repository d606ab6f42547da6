//! The canonical text of a YARA-L tree: one statement a line, single spaces around
//! operators, parentheses only where precedence needs them. Parsing the printed text gives
//! the same tree again (spans aside): the round-trip tests check it on generated trees and on
//! every rule of the corpus.

use std::fmt::Write as _;

use crate::ast::{Expr, ExprKind, Literal, Rule, SectionKind, Segment};

/// `s` as a double-quoted YARA-L string.
pub fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

fn literal(l: &Literal) -> String {
    match l {
        Literal::String(s) => quote(s),
        Literal::Number(n) => n.clone(),
        Literal::Bool(b) => b.to_string(),
    }
}

/// How tightly an expression binds (operands: 8).
fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary { op, .. } => op.precedence(),
        ExprKind::Not { .. } | ExprKind::Quantified { .. } => 3,
        ExprKind::Nocase { .. } | ExprKind::InList { .. } => 4,
        ExprKind::Neg { .. } => 7,
        _ => 8,
    }
}

fn wrapped(e: &Expr, parens: bool, out: &mut String) {
    if parens {
        out.push('(');
        write_expr(e, out);
        out.push(')');
    } else {
        write_expr(e, out);
    }
}

/// Append the canonical text of `e` to `out`.
pub fn write_expr(e: &Expr, out: &mut String) {
    match &e.kind {
        ExprKind::Binary { op, lhs, rhs } => {
            let p = op.precedence();
            wrapped(lhs, prec(lhs) < p, out);
            out.push(' ');
            out.push_str(op.as_str());
            out.push(' ');
            wrapped(rhs, prec(rhs) <= p, out);
        }
        ExprKind::Not { bang, item } => {
            out.push_str(if *bang { "!" } else { "not " });
            wrapped(item, prec(item) < 3, out);
        }
        ExprKind::Neg { item } => {
            out.push('-');
            wrapped(item, prec(item) < 7, out);
        }
        ExprKind::Nocase { item } => {
            wrapped(item, prec(item) < 4, out);
            out.push_str(" nocase");
        }
        ExprKind::InList { item, mode, list } => {
            wrapped(item, prec(item) < 4, out);
            out.push_str(" in ");
            if let Some(m) = mode {
                out.push_str(m);
                out.push(' ');
            }
            out.push('%');
            out.push_str(list);
        }
        ExprKind::Quantified { quantifier, item } => {
            out.push_str(quantifier);
            out.push(' ');
            wrapped(item, prec(item) < 4, out);
        }
        ExprKind::Path { var, segments } => {
            out.push('$');
            out.push_str(var);
            for s in segments {
                match s {
                    Segment::Field(f) => {
                        out.push('.');
                        out.push_str(f);
                    }
                    Segment::Key(k) => {
                        out.push('[');
                        out.push_str(&quote(k));
                        out.push(']');
                    }
                    Segment::Index(i) => {
                        let _ = write!(out, "[{i}]");
                    }
                }
            }
        }
        ExprKind::Count { var } => {
            out.push('#');
            out.push_str(var);
        }
        ExprKind::Ref { list } => {
            out.push('%');
            out.push_str(list);
        }
        ExprKind::Call { name, args } => {
            out.push_str(name);
            out.push('(');
            for (i, a) in args.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_expr(a, out);
            }
            out.push(')');
        }
        ExprKind::Str { value, raw } => {
            if *raw {
                out.push('`');
                out.push_str(value);
                out.push('`');
            } else {
                out.push_str(&quote(value));
            }
        }
        ExprKind::Regex { pattern } => {
            out.push('/');
            out.push_str(pattern);
            out.push('/');
        }
        ExprKind::Number { value } | ExprKind::Duration { value } => out.push_str(value),
        ExprKind::Bool { value } => out.push_str(if *value { "true" } else { "false" }),
        ExprKind::Word { word } => out.push_str(word),
    }
}

/// The canonical text of `e`.
pub fn expr_to_string(e: &Expr) -> String {
    let mut s = String::new();
    write_expr(e, &mut s);
    s
}

/// The canonical text of a rule. Sections come in the order the rule wrote them.
pub fn rule_to_string(rule: &Rule) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "rule {} {{", rule.name.name);
    let mut done: Vec<SectionKind> = Vec::new();
    for (kind, _) in &rule.sections {
        let _ = writeln!(out, "  {}:", kind.as_str());
        if done.contains(kind) {
            continue;
        }
        done.push(*kind);
        match kind {
            SectionKind::Meta | SectionKind::Options => {
                let entries = if *kind == SectionKind::Meta { &rule.meta } else { &rule.options };
                for m in entries {
                    let _ = writeln!(out, "    {} = {}", m.key.name, literal(&m.value));
                }
            }
            SectionKind::Events => {
                for e in &rule.events {
                    let _ = writeln!(out, "    {}", expr_to_string(e));
                }
            }
            SectionKind::Match => {
                if let Some(m) = &rule.match_section {
                    let vars: Vec<String> = m.vars.iter().map(|v| format!("${}", v.name)).collect();
                    let _ = write!(out, "    {} {} {}", vars.join(", "), m.window_kind, m.window);
                    if let Some((w, v)) = &m.pivot {
                        let _ = write!(out, " {w} ${}", v.name);
                    }
                    out.push('\n');
                }
            }
            SectionKind::Outcome => {
                for a in &rule.outcome {
                    let _ = writeln!(out, "    ${} = {}", a.var.name, expr_to_string(&a.value));
                }
            }
            SectionKind::Condition => {
                if let Some(c) = &rule.condition {
                    let _ = writeln!(out, "    {}", expr_to_string(c));
                }
            }
        }
    }
    out.push_str("}\n");
    out
}
