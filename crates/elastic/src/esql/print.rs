//! Canonical ES|QL text: keywords in lower case, one command per line, parentheses only where
//! precedence needs them. Commands this front end does not understand are printed as
//! written. What it prints parses back to the same tree.

use std::fmt::{self, Display, Formatter, Write as _};

use super::parse::RESERVED;
use super::{ArithOp, Assign, Command, CommandBody, Expr, Literal, NamePattern, PatternOp, Query, SortKey};
use crate::query::{BP_ADD, BP_AND, BP_CMP, BP_MUL, BP_NEG, BP_NOT, BP_OR};

const BP_CAST: u8 = 15;
const BP_ATOM: u8 = 100;

fn bp(e: &Expr) -> u8 {
    match e {
        Expr::Or { .. } => BP_OR,
        Expr::And { .. } => BP_AND,
        Expr::Not { .. } => BP_NOT,
        Expr::Compare { .. }
        | Expr::Pattern { .. }
        | Expr::In { .. }
        | Expr::IsNull { .. }
        | Expr::MatchQuery { .. } => BP_CMP,
        Expr::Arith { op: ArithOp::Add | ArithOp::Sub, .. } => BP_ADD,
        Expr::Arith { .. } => BP_MUL,
        Expr::Neg { .. } => BP_NEG,
        Expr::Cast { .. } => BP_CAST,
        _ => BP_ATOM,
    }
}

fn write_list(f: &mut Formatter<'_>, items: &[Expr]) -> fmt::Result {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_expr(f, e, 0)?;
    }
    Ok(())
}

fn write_expr(f: &mut Formatter<'_>, e: &Expr, min: u8) -> fmt::Result {
    if bp(e) < min {
        f.write_char('(')?;
        write_expr(f, e, 0)?;
        return f.write_char(')');
    }
    match e {
        Expr::Or { items, .. } | Expr::And { items, .. } => {
            let (word, own) = if matches!(e, Expr::Or { .. }) { (" or ", BP_OR) } else { (" and ", BP_AND) };
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    f.write_str(word)?;
                }
                write_expr(f, item, own + 1)?;
            }
            Ok(())
        }
        Expr::Not { expr, .. } => {
            f.write_str("not ")?;
            write_expr(f, expr, BP_NOT)
        }
        Expr::Compare { left, op, right, .. } => {
            write_expr(f, left, BP_CMP)?;
            write!(f, " {} ", op.as_str())?;
            write_expr(f, right, BP_CMP + 1)
        }
        Expr::Pattern { left, op, negated, patterns, .. } => {
            write_expr(f, left, BP_CMP)?;
            f.write_str(if *negated { " not" } else { "" })?;
            f.write_str(match op {
                PatternOp::Like => " like ",
                PatternOp::Rlike => " rlike ",
            })?;
            match patterns.as_slice() {
                // A single pattern starting with `(` would read as a list: only atoms go bare.
                [one] if bp(one) == BP_ATOM => write_expr(f, one, BP_CMP + 1),
                list => {
                    f.write_char('(')?;
                    write_list(f, list)?;
                    f.write_char(')')
                }
            }
        }
        Expr::In { left, values, negated, .. } => {
            write_expr(f, left, BP_CMP)?;
            f.write_str(if *negated { " not in (" } else { " in (" })?;
            write_list(f, values)?;
            f.write_char(')')
        }
        Expr::IsNull { expr, negated, .. } => {
            write_expr(f, expr, BP_CMP)?;
            f.write_str(if *negated { " is not null" } else { " is null" })
        }
        Expr::MatchQuery { left, right, .. } => {
            write_expr(f, left, BP_CMP)?;
            f.write_str(" : ")?;
            write_expr(f, right, BP_CMP + 1)
        }
        Expr::Arith { left, op, right, .. } => {
            let own = bp(e);
            write_expr(f, left, own)?;
            write!(f, " {} ", op.as_str())?;
            write_expr(f, right, own + 1)
        }
        Expr::Neg { expr, .. } => {
            f.write_char('-')?;
            write_expr(f, expr, BP_NEG)
        }
        Expr::Cast { expr, to, .. } => {
            write_expr(f, expr, BP_CAST)?;
            write!(f, "::{to}")
        }
        Expr::Call { name, args, .. } => {
            write!(f, "{name}(")?;
            write_list(f, args)?;
            f.write_char(')')
        }
        Expr::Star { .. } => f.write_char('*'),
        Expr::Field(n) => n.fmt(f),
        Expr::Literal { value, .. } => value.fmt(f),
        Expr::Raw { text, .. } => f.write_str(text),
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, self, 0)
    }
}

/// `s` as an ES|QL double-quoted string.
pub(crate) fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Display for Literal {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::String(s) => f.write_str(&quote(s)),
            Literal::Number(n) => f.write_str(n),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Null => f.write_str("null"),
            Literal::Timespan(n, unit) => write!(f, "{n} {unit}"),
            Literal::Param(name) => write!(f, "?{name}"),
        }
    }
}

fn plain_segment(s: &str, first: bool) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || matches!(b[0], b'_' | b'@' | b'*'))
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'@' | b'*'))
        && !(first && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s)))
}

impl Display for NamePattern {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.path.iter().enumerate() {
            if i > 0 {
                f.write_char('.')?;
            }
            if plain_segment(seg, i == 0) {
                f.write_str(seg)?;
            } else {
                write!(f, "`{}`", seg.replace('`', "``"))?;
            }
        }
        Ok(())
    }
}

impl Display for Assign {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if let Some(n) = &self.name {
            write!(f, "{n} = ")?;
        }
        self.expr.fmt(f)?;
        if let Some(w) = &self.filter {
            write!(f, " where {w}")?;
        }
        Ok(())
    }
}

fn join<T: Display>(f: &mut Formatter<'_>, items: &[T]) -> fmt::Result {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        x.fmt(f)?;
    }
    Ok(())
}

impl Display for SortKey {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.expr.fmt(f)?;
        match self.ascending {
            Some(true) => f.write_str(" asc")?,
            Some(false) => f.write_str(" desc")?,
            None => {}
        }
        match self.nulls_first {
            Some(true) => f.write_str(" nulls first")?,
            Some(false) => f.write_str(" nulls last")?,
            None => {}
        }
        Ok(())
    }
}

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.body {
            CommandBody::Other => return f.write_str(&self.text),
            _ => f.write_str(&self.name)?,
        }
        match &self.body {
            CommandBody::Where { condition } => write!(f, " {condition}"),
            CommandBody::Eval { fields } => {
                f.write_char(' ')?;
                join(f, fields)
            }
            CommandBody::Stats { aggregates, by } => {
                if !aggregates.is_empty() {
                    f.write_char(' ')?;
                    join(f, aggregates)?;
                }
                if !by.is_empty() {
                    f.write_str(" by ")?;
                    join(f, by)?;
                }
                Ok(())
            }
            CommandBody::Keep { fields } | CommandBody::Drop { fields } => {
                f.write_char(' ')?;
                join(f, fields)
            }
            CommandBody::Rename { pairs } => {
                for (i, (old, new)) in pairs.iter().enumerate() {
                    f.write_str(if i > 0 { ", " } else { " " })?;
                    write!(f, "{old} as {new}")?;
                }
                Ok(())
            }
            CommandBody::Sort { keys } => {
                f.write_char(' ')?;
                join(f, keys)
            }
            CommandBody::Limit { count } => write!(f, " {count}"),
            CommandBody::MvExpand { field } => write!(f, " {field}"),
            CommandBody::Grok { input, pattern } => write!(f, " {input} {}", quote(pattern)),
            CommandBody::Dissect { input, pattern, options } => {
                write!(f, " {input} {}", quote(pattern))?;
                if !options.is_empty() {
                    f.write_char(' ')?;
                    join(f, options)?;
                }
                Ok(())
            }
            CommandBody::Other => Ok(()),
        }
    }
}

fn plain_index(s: &str) -> bool {
    !s.is_empty()
        && !s.eq_ignore_ascii_case("metadata")
        && !s.contains("//")
        && !s.contains("/*")
        && s.chars().all(|c| !c.is_whitespace() && !matches!(c, ',' | '|' | '"'))
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source.command)?;
        for (i, index) in self.source.indices.iter().enumerate() {
            f.write_str(if i > 0 { ", " } else { " " })?;
            if plain_index(&index.name) {
                f.write_str(&index.name)?;
            } else {
                f.write_str(&quote(&index.name))?;
            }
        }
        if !self.source.metadata.is_empty() {
            write!(f, " metadata {}", self.source.metadata.join(", "))?;
        }
        for c in &self.commands {
            write!(f, "\n| {c}")?;
        }
        Ok(())
    }
}
