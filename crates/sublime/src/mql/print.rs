//! The canonical text of an MQL tree: one line, single spaces, parentheses only where the
//! precedence needs them. Parsing the printed text gives the same tree (spans aside).

use std::fmt::{self, Display, Formatter, Write};

use super::{Arg, Base, Expr, Quote, Segment};

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        write_expr(f, self, 0)
    }
}

fn quote(f: &mut impl Write, raw: &str, q: Quote) -> fmt::Result {
    let c = match q {
        Quote::Single => '\'',
        Quote::Double => '"',
    };
    write!(f, "{c}{raw}{c}")
}

fn list(f: &mut impl Write, items: &[Expr]) -> fmt::Result {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write_expr(f, e, 0)?;
    }
    Ok(())
}

fn args(f: &mut impl Write, args: &[Arg]) -> fmt::Result {
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        if let Some(n) = &a.name {
            write!(f, "{n}=")?;
        }
        write_expr(f, &a.value, 0)?;
    }
    Ok(())
}

/// Write `e`, in parentheses when it binds less tightly than `min`.
pub(crate) fn write_expr(f: &mut impl Write, e: &Expr, min: u8) -> fmt::Result {
    let paren = e.precedence() < min;
    if paren {
        f.write_char('(')?;
    }
    match e {
        Expr::Bool { value, .. } => write!(f, "{value}")?,
        Expr::Null { .. } => f.write_str("null")?,
        Expr::Number { text, .. } => f.write_str(text)?,
        Expr::Str { raw, quote: q, .. } => quote(f, raw, *q)?,
        Expr::List { name, .. } => write!(f, "${name}")?,
        Expr::Path { base, segments, .. } => {
            let mut first_after_dots = false;
            match base {
                Base::Root(r) => f.write_str(r)?,
                Base::Relative(n) => {
                    for _ in 0..*n {
                        f.write_char('.')?;
                    }
                    first_after_dots = true;
                }
                Base::Expr(b) => write_expr(f, b, 8)?,
            }
            for s in segments {
                match s {
                    Segment::Field(name) if first_after_dots => f.write_str(name)?,
                    Segment::Field(name) => write!(f, ".{name}")?,
                    Segment::Index(i) => {
                        f.write_char('[')?;
                        write_expr(f, i, 0)?;
                        f.write_char(']')?;
                    }
                }
                first_after_dots = false;
            }
        }
        Expr::Call { name, args: a, .. } => {
            write!(f, "{name}(")?;
            args(f, a)?;
            f.write_char(')')?;
        }
        Expr::Not { expr, .. } => {
            f.write_str("not ")?;
            write_expr(f, expr, 3)?;
        }
        Expr::Neg { expr, .. } => {
            f.write_char('-')?;
            write_expr(f, expr, 7)?;
        }
        Expr::Binary { op, lhs, rhs, .. } => {
            let p = op.precedence();
            let (l, r) = if op.is_comparison() { (p + 1, p + 1) } else { (p, p + 1) };
            write_expr(f, lhs, l)?;
            write!(f, " {} ", op.as_str())?;
            write_expr(f, rhs, r)?;
        }
        Expr::IsNull { expr, negated, .. } => {
            write_expr(f, expr, 5)?;
            f.write_str(if *negated { " is not null" } else { " is null" })?;
        }
        Expr::Tuple { items, .. } => {
            f.write_char('(')?;
            list(f, items)?;
            if items.len() == 1 {
                f.write_char(',')?;
            }
            f.write_char(')')?;
        }
        Expr::Range { first, rest, .. } => {
            write_expr(f, first, 5)?;
            for (op, e) in rest {
                write!(f, " {} ", op.as_str())?;
                write_expr(f, e, 5)?;
            }
        }
        Expr::Of { count, items, .. } => {
            write!(f, "{count} of (")?;
            list(f, items)?;
            f.write_char(')')?;
        }
        Expr::Array { items, .. } => {
            f.write_char('[')?;
            list(f, items)?;
            f.write_char(']')?;
        }
    }
    if paren {
        f.write_char(')')?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::mql::parse;

    #[test]
    fn prints_canonical_text() {
        for (src, want) in [
            (
                "type.inbound\nand  any(body.links, .href_url.domain.tld == \"onion\")",
                "type.inbound and any(body.links, .href_url.domain.tld == \"onion\")",
            ),
            ("(a or b) and not (c and d)", "(a or b) and not (c and d)"),
            ("not (a == b)", "not a == b"),
            ("x not in~ ('a' ,'b')", "x not in~ ('a', 'b')"),
            ("strings.icontains(., ..email.email)", "strings.icontains(., ..email.email)"),
            ("f(x, mode='a').y[0]['k']", "f(x, mode='a').y[0]['k']"),
            ("(length(a) - 1) * 2 > -1", "(length(a) - 1) * 2 > -1"),
            ("a - (b - c)", "a - (b - c)"),
            ("x is not null and ('a',)", "x is not null and ('a',)"),
            ("(a == b) == c", "(a == b) == c"),
            ("0 < length(x)  <= 8", "0 < length(x) <= 8"),
            ("(a < b) < c", "(a < b) < c"),
            ("2 of ( a ,b )", "2 of (a, b)"),
        ] {
            assert_eq!(parse(src).unwrap().to_string(), want, "{src}");
        }
    }
}
