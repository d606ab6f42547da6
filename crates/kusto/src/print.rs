//! Canonical text of a query tree: one operator per line after `| `, one space around
//! binary operators, strings as they were written (plain, verbatim, obfuscated). Parsing the
//! printed text gives the same tree (spans aside).

use std::fmt::{self, Display, Formatter, Write};

use crate::ast::*;
use crate::lex::StrStyle;

impl Display for Query {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        statements(f, &self.statements, ";\n")
    }
}

fn statements(f: &mut Formatter<'_>, list: &[Statement], sep: &str) -> fmt::Result {
    for (i, s) in list.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{s}")?;
    }
    Ok(())
}

impl Display for Statement {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Statement::Let { name, value, .. } => {
                write!(f, "let {} = ", name_text(name))?;
                match value {
                    LetValue::Expr { expr } => write!(f, "{expr}"),
                    LetValue::Function { view, params, body } => {
                        if *view {
                            f.write_str("view ")?;
                        }
                        f.write_char('(')?;
                        list(f, params, ", ")?;
                        f.write_str(") { ")?;
                        statements(f, body, "; ")?;
                        f.write_str(" }")
                    }
                }
            }
            Statement::Tabular { expr } => write!(f, "{expr}"),
            Statement::Other { text, .. } => f.write_str(text),
        }
    }
}

fn list<T: Display>(f: &mut Formatter<'_>, items: &[T], sep: &str) -> fmt::Result {
    for (i, x) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(sep)?;
        }
        write!(f, "{x}")?;
    }
    Ok(())
}

impl Display for Param {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(&name_text(&self.name))?;
        if let Some(t) = &self.ty {
            write!(f, ": {t}")?;
        }
        if let Some(d) = &self.default {
            write!(f, " = {d}")?;
        }
        Ok(())
    }
}

impl Display for OpParam {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

fn params(f: &mut Formatter<'_>, ps: &[OpParam]) -> fmt::Result {
    for p in ps {
        write!(f, " {p}")?;
    }
    Ok(())
}

impl Display for Operator {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.kind {
            OpKind::Where { predicate } => write!(f, "where {predicate}"),
            OpKind::Join { name, params: ps, right, on } => {
                f.write_str(name)?;
                params(f, ps)?;
                write!(f, " {right}")?;
                if !on.is_empty() {
                    f.write_str(" on ")?;
                    list(f, on, ", ")?;
                }
                Ok(())
            }
            OpKind::Union { params: ps, sides } => {
                f.write_str("union")?;
                params(f, ps)?;
                f.write_char(' ')?;
                list(f, sides, ", ")
            }
            OpKind::Parse { name, params: ps, source, pattern } => {
                f.write_str(name)?;
                params(f, ps)?;
                write!(f, " {source} with")?;
                for p in pattern {
                    match p {
                        ParsePart::Star => f.write_str(" *")?,
                        ParsePart::Text { value, style } => write!(f, " {}", string(value, *style))?,
                        ParsePart::Column { name, ty } => {
                            write!(f, " {}", name_text(name))?;
                            if let Some(t) = ty {
                                write!(f, ":{t}")?;
                            }
                        }
                    }
                }
                Ok(())
            }
            OpKind::MvApply { params: ps, clauses: cs, on } => {
                f.write_str("mv-apply")?;
                params(f, ps)?;
                clauses(f, cs)?;
                f.write_str(" on (")?;
                list(f, on, " | ")?;
                f.write_char(')')
            }
            OpKind::Generic { name, params: ps, clauses: cs } => {
                f.write_str(name)?;
                params(f, ps)?;
                clauses(f, cs)
            }
        }
    }
}

fn clauses(f: &mut Formatter<'_>, cs: &[Clause]) -> fmt::Result {
    for c in cs {
        if let Some(k) = &c.keyword {
            write!(f, " {k}")?;
        }
        if !c.items.is_empty() {
            f.write_char(' ')?;
            list(f, &c.items, ", ")?;
        }
    }
    Ok(())
}

impl Display for Item {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self.names.as_slice() {
            [] => {}
            [one] => write!(f, "{} = ", name_text(one))?,
            many => {
                f.write_char('(')?;
                for (i, n) in many.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(&name_text(n))?;
                }
                f.write_str(") = ")?;
            }
        }
        write!(f, "{}", self.expr)?;
        for s in &self.suffix {
            write!(f, " {s}")?;
        }
        if let Some(d) = &self.default {
            write!(f, " default = {d}")?;
        }
        Ok(())
    }
}

/// A name as written in a query: bare when it can be, else `['…']`.
pub fn name_text(name: &str) -> String {
    let bare = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '$')
        && name.chars().all(|c| c.is_alphanumeric() || c == '_' || c == '$');
    if bare { name.to_string() } else { format!("[{}]", string(name, StrStyle::Plain)) }
}

/// A string literal in the given style.
pub fn string(value: &str, style: StrStyle) -> String {
    let escaped = || {
        let mut s = String::with_capacity(value.len() + 2);
        s.push('"');
        for c in value.chars() {
            match c {
                '"' => s.push_str("\\\""),
                '\\' => s.push_str("\\\\"),
                '\n' => s.push_str("\\n"),
                '\r' => s.push_str("\\r"),
                '\t' => s.push_str("\\t"),
                '\0' => s.push_str("\\0"),
                c => s.push(c),
            }
        }
        s.push('"');
        s
    };
    match style {
        StrStyle::Plain => escaped(),
        StrStyle::Obfuscated => format!("h{}", escaped()),
        StrStyle::Verbatim if value.contains('\n') || value.contains('\r') => {
            if value.contains("```") {
                escaped()
            } else {
                format!("```{value}```")
            }
        }
        StrStyle::Verbatim => format!("@\"{}\"", value.replace('"', "\"\"")),
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Ident { name, quoted, .. } => {
                if *quoted {
                    write!(f, "[{}]", string(name, StrStyle::Plain))
                } else {
                    f.write_str(name)
                }
            }
            Expr::Str { value, style, .. } => f.write_str(&string(value, *style)),
            Expr::Num { text, .. } => f.write_str(text),
            Expr::Literal { func, text, .. } => write!(f, "{func}({text})"),
            Expr::Star { .. } => f.write_char('*'),
            Expr::List { items, .. } => {
                f.write_char('(')?;
                list(f, items, ", ")?;
                // `(x)` reads back as `x` in parentheses: a list of one keeps its comma.
                f.write_str(if items.len() == 1 { ",)" } else { ")" })
            }
            Expr::Array { items, .. } => {
                f.write_str(open_bracket(items))?;
                list(f, items, ", ")?;
                f.write_char(']')
            }
            Expr::Object { entries, .. } => {
                f.write_char('{')?;
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}: {v}", string(k, StrStyle::Plain))?;
                }
                f.write_char('}')
            }
            Expr::Paren { inner, .. } => write!(f, "({inner})"),
            Expr::Call { func, args, .. } => {
                write!(f, "{func}(")?;
                list(f, args, ", ")?;
                f.write_char(')')
            }
            Expr::Member { target, name, quoted, .. } => {
                if *quoted {
                    write!(f, "{target}.[{}]", string(name, StrStyle::Plain))
                } else {
                    write!(f, "{target}.{name}")
                }
            }
            Expr::Index { target, index, .. } => write!(f, "{target}[{index}]"),
            Expr::Unary { op, operand, .. } => {
                // `-.3` does not lex as minus and a number (`- .3` does: found by the
                // `kusto_query` fuzz target).
                let text = operand.to_string();
                let gap = if text.starts_with('.') { " " } else { "" };
                write!(f, "{op}{gap}{text}")
            }
            Expr::Binary { op, lhs, rhs, .. } => write!(f, "{lhs} {op} {rhs}"),
            Expr::Between { negated, expr, lo, hi, .. } => {
                write!(f, "{expr} {}between ({lo} .. {hi})", if *negated { "!" } else { "" })
            }
            Expr::Pipe { source, ops, .. } => {
                write!(f, "{source}")?;
                for op in ops {
                    write!(f, "\n| {op}")?;
                }
                Ok(())
            }
            Expr::Tabular { op } => write!(f, "{op}"),
            Expr::Named { name, value, .. } => write!(f, "{} = {value}", name_text(name)),
            Expr::ExternalData { columns, urls, with, .. } => {
                f.write_str("externaldata(")?;
                list(f, columns, ", ")?;
                f.write_str(") [")?;
                list(f, urls, ", ")?;
                f.write_char(']')?;
                if !with.is_empty() {
                    f.write_str(" with (")?;
                    list(f, with, ", ")?;
                    f.write_char(')')?;
                }
                Ok(())
            }
            Expr::Datatable { columns, values, .. } => {
                f.write_str("datatable(")?;
                list(f, columns, ", ")?;
                f.write_str(") ")?;
                f.write_str(open_bracket(values))?;
                list(f, values, ", ")?;
                f.write_char(']')
            }
        }
    }
}

/// The `[` that opens a list of `items`: `[ ` before one string alone, which printed `["x"]`
/// would lex as the bracketed name `x` (found by the `kusto_query` fuzz target).
fn open_bracket(items: &[Expr]) -> &'static str {
    if matches!(items, [Expr::Str { .. }]) { "[ " } else { "[" }
}
