//! Canonical KQL text: keywords in lower case, one space around them, parentheses only where
//! the tree needs them. What it prints parses back to the same tree.

use std::fmt::{self, Display, Formatter, Write as _};

use super::{Expr, Literal, LiteralKind, Query, ValueExpr};
use crate::query::PatternPart;

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.root {
            Some(root) => root.fmt(f),
            None => Ok(()),
        }
    }
}

fn grouped(f: &mut Formatter<'_>, e: &Expr, parens: bool) -> fmt::Result {
    if parens { write!(f, "({e})") } else { write!(f, "{e}") }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or { items, .. } => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" or ")?;
                    }
                    grouped(f, item, matches!(item, Expr::Or { .. }))?;
                }
                Ok(())
            }
            Expr::And { items, .. } => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" and ")?;
                    }
                    grouped(f, item, matches!(item, Expr::Or { .. } | Expr::And { .. }))?;
                }
                Ok(())
            }
            Expr::Not { expr, .. } => {
                f.write_str("not ")?;
                grouped(f, expr, matches!(**expr, Expr::Or { .. } | Expr::And { .. }))
            }
            Expr::Match { field, values, .. } => match values {
                ValueExpr::Value { value } => write!(f, "{field}:{value}"),
                list => write!(f, "{field}:({list})"),
            },
            Expr::Range { field, op, value, .. } => write!(f, "{field} {} {value}", op.as_str()),
            Expr::Exists { field, .. } => write!(f, "{field}:*"),
            Expr::Nested { field, query, .. } => write!(f, "{field}:{{ {query} }}"),
            Expr::FreeText { value, .. } => value.fmt(f),
        }
    }
}

impl Display for ValueExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let group = |f: &mut Formatter<'_>, v: &ValueExpr, parens: bool| {
            if parens { write!(f, "({v})") } else { write!(f, "{v}") }
        };
        match self {
            ValueExpr::Value { value } => value.fmt(f),
            ValueExpr::Or { items, .. } => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" or ")?;
                    }
                    group(f, item, matches!(item, ValueExpr::Or { .. }))?;
                }
                Ok(())
            }
            ValueExpr::And { items, .. } => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" and ")?;
                    }
                    group(f, item, matches!(item, ValueExpr::Or { .. } | ValueExpr::And { .. }))?;
                }
                Ok(())
            }
            ValueExpr::Not { expr, .. } => {
                f.write_str("not ")?;
                group(f, expr, matches!(**expr, ValueExpr::Or { .. } | ValueExpr::And { .. }))
            }
        }
    }
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            LiteralKind::Quoted(s) => {
                f.write_char('"')?;
                for c in s.chars() {
                    match c {
                        '"' => f.write_str("\\\"")?,
                        '\\' => f.write_str("\\\\")?,
                        '\n' => f.write_str("\\n")?,
                        '\r' => f.write_str("\\r")?,
                        '\t' => f.write_str("\\t")?,
                        c => f.write_char(c)?,
                    }
                }
                f.write_char('"')
            }
            LiteralKind::Unquoted(p) => {
                let mut text = String::new();
                for part in &p.parts {
                    match part {
                        PatternPart::Literal(s) => text.push_str(&escape_unquoted(s)),
                        PatternPart::AnyString => text.push('*'),
                        // KQL has no single-character wildcard; a `?` is a literal character.
                        PatternPart::AnyChar => text.push('?'),
                    }
                }
                f.write_str(&text)
            }
        }
    }
}

/// Escape an unquoted literal: special characters, `\t\r\n`, and the words `or`, `and`,
/// `not` where they would read as keywords.
fn escape_unquoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let bytes = s.as_bytes();
    let space = |b: Option<&u8>| matches!(b, Some(b' ' | b'\t' | b'\r' | b'\n'));
    let mut i = 0;
    while i < s.len() {
        let c = s[i..].chars().next().expect("in bounds");
        let word_start = i == 0 || space(bytes.get(i - 1));
        if word_start {
            let kw = ["or", "and", "not"].into_iter().find(|w| {
                bytes.get(i..i + w.len()).is_some_and(|x| x.eq_ignore_ascii_case(w.as_bytes()))
                    && (space(bytes.get(i + w.len())) || i + w.len() == s.len() || (*w != "not" && i > 0))
            });
            if let Some(w) = kw {
                out.push('\\');
                out.push_str(&s[i..i + w.len()]);
                i += w.len();
                continue;
            }
        }
        match c {
            '\\' | '(' | ')' | ':' | '<' | '>' | '"' | '*' | '{' | '}' => {
                out.push('\\');
                out.push(c);
            }
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            // `\not ` would read as the escaped keyword `not`.
            '\n' if s[i + 1..].get(..2).is_some_and(|w| w.eq_ignore_ascii_case("ot")) => out.push_str("\\u000a"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
        i += c.len_utf8();
    }
    out
}
