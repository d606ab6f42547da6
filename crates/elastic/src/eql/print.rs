//! Canonical EQL text: keywords in lower case, parentheses only where precedence needs them,
//! strings double-quoted with escapes, one step per line. What it prints parses back to the
//! same tree.

use std::fmt::{self, Display, Formatter, Write as _};

use super::parse::RESERVED;
use super::{ArithOp, Body, Category, Duration, EventQuery, Expr, Field, Literal, Pipe, Query, Step};
use crate::query::{BP_ADD, BP_AND, BP_CMP, BP_MUL, BP_NEG, BP_NOT, BP_OR};

const BP_ATOM: u8 = 100;

fn bp(e: &Expr) -> u8 {
    match e {
        Expr::Or { .. } => BP_OR,
        Expr::And { .. } => BP_AND,
        Expr::Not { .. } => BP_NOT,
        Expr::Compare { .. } | Expr::Match { .. } | Expr::In { .. } => BP_CMP,
        Expr::Arith { op: ArithOp::Add | ArithOp::Sub, .. } => BP_ADD,
        Expr::Arith { .. } => BP_MUL,
        Expr::Neg { .. } => BP_NEG,
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
        Expr::Match { left, op, patterns, .. } => {
            write_expr(f, left, BP_CMP)?;
            match op {
                super::MatchOp::Colon => f.write_str(" : ")?,
                op => write!(f, " {} ", op.as_str())?,
            }
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
        Expr::In { left, values, negated, case_insensitive, .. } => {
            write_expr(f, left, BP_CMP)?;
            f.write_str(if *negated { " not in" } else { " in" })?;
            f.write_str(if *case_insensitive { "~ (" } else { " (" })?;
            write_list(f, values)?;
            f.write_char(')')
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
        Expr::Call { name, case_insensitive, args, .. } => {
            f.write_str(name)?;
            if *case_insensitive {
                f.write_char('~')?;
            }
            f.write_char('(')?;
            write_list(f, args)?;
            f.write_char(')')
        }
        Expr::Lineage { relation, query, .. } => write!(f, "{} of [{query}]", relation.as_str()),
        Expr::Field(field) => field.fmt(f),
        Expr::Literal { value, .. } => value.fmt(f),
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, self, 0)
    }
}

fn is_name(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && (b[0].is_ascii_alphabetic() || matches!(b[0], b'_' | b'@' | b'$'))
        && b.iter().all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'@' | b'$'))
}

fn is_reserved(s: &str) -> bool {
    RESERVED.iter().any(|r| r.eq_ignore_ascii_case(s))
}

fn write_quoted_name(f: &mut Formatter<'_>, s: &str) -> fmt::Result {
    f.write_char('`')?;
    f.write_str(&s.replace('`', "``"))?;
    f.write_char('`')
}

impl Display for Field {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.optional {
            f.write_char('?')?;
        }
        for (i, seg) in self.path.iter().enumerate() {
            if i > 0 {
                f.write_char('.')?;
            }
            if is_name(seg) && !(i == 0 && is_reserved(seg)) {
                f.write_str(seg)?;
            } else {
                write_quoted_name(f, seg)?;
            }
        }
        Ok(())
    }
}

/// `s` as an EQL double-quoted string.
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
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
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
        }
    }
}

impl Display for Category {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if is_name(&self.name) && !is_reserved(&self.name) {
            f.write_str(&self.name)
        } else {
            f.write_str(&quote(&self.name))
        }
    }
}

impl Display for EventQuery {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{} where {}", self.category, self.condition)
    }
}

impl Display for Duration {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.value, self.unit)
    }
}

fn write_by(f: &mut Formatter<'_>, by: &[Expr]) -> fmt::Result {
    if by.is_empty() {
        return Ok(());
    }
    f.write_str(" by ")?;
    write_list(f, by)
}

impl Display for Step {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.missing {
            f.write_char('!')?;
        }
        write!(f, "[{}]", self.query)?;
        write_by(f, &self.by)?;
        if let Some(runs) = self.runs {
            write!(f, " with runs={runs}")?;
        }
        if let Some(alias) = &self.alias {
            write!(f, " as {alias}")?;
        }
        Ok(())
    }
}

impl Display for Pipe {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "| {}", self.name)?;
        if !self.args.is_empty() {
            f.write_char(' ')?;
            write_list(f, &self.args)?;
        }
        Ok(())
    }
}

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.body {
            Body::Event(e) => e.fmt(f)?,
            Body::Sequence(s) => {
                f.write_str("sequence")?;
                write_by(f, &s.by)?;
                if let Some(m) = &s.maxspan {
                    write!(f, " with maxspan={m}")?;
                }
                for step in &s.steps {
                    write!(f, "\n  {step}")?;
                }
                if let Some(u) = &s.until {
                    write!(f, "\nuntil {u}")?;
                }
            }
            Body::Sample(s) => {
                f.write_str("sample")?;
                write_by(f, &s.by)?;
                for step in &s.steps {
                    write!(f, "\n  {step}")?;
                }
            }
        }
        for p in &self.pipes {
            write!(f, "\n{p}")?;
        }
        Ok(())
    }
}
