//! Canonical text: `Display` for the pipeline and both expression languages. Printing and
//! parsing again gives the same tree (spans and the raw argument text aside).

use std::fmt::{self, Display, Formatter, Write};

use super::lex::{is_ident_char, is_ident_start};
use super::{BinOp, Body, Command, Expr, Pipeline, SearchExpr, Value};

/// A double-quoted string: `"` escaped, and a backslash only where the lexer would read it as
/// an escape (before `"`, `\\` or the closing quote), so `"C:\\x\.y"` prints as written.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' if matches!(chars.peek(), None | Some('"' | '\\')) => out.push_str("\\\\"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Display for Value {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        if self.quoted { f.write_str(&quote(&self.text)) } else { f.write_str(&self.text) }
    }
}

impl Display for Pipeline {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        for (i, c) in self.commands.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            } else if !c.implicit {
                f.write_str("| ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl Display for Command {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        let mut args = String::new();
        match &self.body {
            Body::Search { expr } => {
                if let Some(e) = expr {
                    write!(args, "{e}")?;
                }
            }
            Body::Where { expr } => write!(args, "{expr}")?,
            Body::Eval { assignments } => {
                for (i, (name, e)) in assignments.iter().enumerate() {
                    if i > 0 {
                        args.push_str(", ");
                    }
                    write!(args, "{}={e}", field(name))?;
                }
            }
            Body::DataModel { head, datamodel, filter, by } => {
                let mut parts: Vec<String> = Vec::new();
                if !head.is_empty() {
                    parts.push(head.clone());
                }
                if let Some(dm) = datamodel {
                    let from = if self.name == "from" { "" } else { "from " };
                    parts.push(format!("{from}datamodel={}", search_field(dm, true, "")));
                }
                if let Some(e) = filter {
                    parts.push(format!("where {e}"));
                }
                if let Some(b) = by {
                    parts.push(format!("by {b}"));
                }
                args = parts.join(" ");
            }
            Body::Other => args = self.args.clone(),
        }
        // A base search whose first word is `search` would read back as the `search`
        // command: parenthesised, it reads back as the same expression.
        let first_word = args.split_whitespace().next().unwrap_or("");
        match (self.implicit, args.is_empty()) {
            (true, _) if first_word.eq_ignore_ascii_case("search") => write!(f, "({args})"),
            (true, _) => f.write_str(&args),
            (false, true) => f.write_str(&self.name),
            (false, false) => write!(f, "{} {args}", self.name),
        }
    }
}

impl SearchExpr {
    fn fmt_in(&self, f: &mut Formatter<'_>, parent: u8) -> fmt::Result {
        // Binding: AND 1, OR 2, NOT and terms 3. A child binding less tightly than its
        // parent needs, or as tightly as an AND/OR parent (to keep the nesting), parentheses.
        let own = match self {
            SearchExpr::And { .. } => 1,
            SearchExpr::Or { .. } => 2,
            _ => 3,
        };
        // An OR inside an implicit AND needs none (OR binds tighter) but reads better with them.
        let paren = own < 3 && (own <= parent || parent == 1);
        if paren {
            f.write_str("(")?;
        }
        match self {
            SearchExpr::And { items } | SearchExpr::Or { items } => {
                let sep = if own == 1 { " " } else { " OR " };
                for (i, it) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(sep)?;
                    }
                    it.fmt_in(f, own)?;
                }
            }
            SearchExpr::Not { item } => {
                f.write_str("NOT ")?;
                item.fmt_in(f, 2)?;
            }
            SearchExpr::Compare { field, field_quoted, cmp, value, .. } => {
                write!(f, "{}{}{value}", search_field(field, *field_quoted, cmp.as_str()), cmp.as_str())?
            }
            SearchExpr::In { field, field_quoted, values, .. } => {
                write!(f, "{} IN (", search_field(field, *field_quoted, " IN"))?;
                for (i, v) in values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str(")")?;
            }
            // The word `IN` searched for, in parentheses: bare, a parenthesised item after it
            // (`z IN (a OR b)`) would read back as the preceding term's `IN` list.
            SearchExpr::Term { value, .. } if !value.quoted && value.text.eq_ignore_ascii_case("IN") => {
                write!(f, "({value})")?
            }
            SearchExpr::Term { value, .. } => write!(f, "{value}")?,
            SearchExpr::Subsearch { text, .. } => write!(f, "[{text}]")?,
        }
        if paren {
            f.write_str(")")?;
        }
        Ok(())
    }
}

/// A field of the search language as it is printed before `after` (its operator): bare when it
/// has none of the characters that end a word; else quoted when it was written quoted; else
/// bare when it reads back as the same one word there, else quoted. A field written bare stays
/// bare where it can: quoting it would hide a backtick in it from the command splitter.
fn search_field(name: &str, quoted: bool, after: &str) -> String {
    let plain = !name.is_empty()
        && !name.contains(|c: char| c.is_whitespace() || "()[],\"=<>!`|".contains(c))
        && !["AND", "OR", "NOT"].contains(&name);
    if plain {
        return name.to_string();
    }
    if quoted {
        return quote(name);
    }
    let reads_back = !["AND", "OR", "NOT"].iter().any(|k| name.eq_ignore_ascii_case(k))
        && super::lex::search(&format!("{name}{after} x")).is_ok_and(
            |toks| matches!(toks.first(), Some((super::lex::STok::Word(w), s)) if w == name && s.end == name.len()),
        );
    if reads_back { name.to_string() } else { quote(name) }
}

impl Display for SearchExpr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        self.fmt_in(f, 0)
    }
}

const KEYWORDS: &[&str] = &["AND", "OR", "XOR", "NOT", "LIKE", "IN"];

/// A field name as the eval language writes it: bare when it lexes as one name, else quoted.
fn field(name: &str) -> String {
    let mut chars = name.chars();
    let bare = chars.next().is_some_and(is_ident_start)
        && name.chars().all(|c| is_ident_char(c) || c == '.')
        && !name.ends_with('.')
        && !name.contains("..")
        && !KEYWORDS.iter().any(|k| name.eq_ignore_ascii_case(k));
    if bare { name.to_string() } else { format!("'{name}'") }
}

impl Expr {
    fn prec(&self) -> u8 {
        match self {
            Expr::Binary { op, .. } => op.precedence(),
            Expr::Not { .. } => 3,
            Expr::In { .. } => 4,
            _ => 9,
        }
    }

    fn child(&self, f: &mut Formatter<'_>, min: u8) -> fmt::Result {
        if self.prec() < min { write!(f, "({self})") } else { write!(f, "{self}") }
    }
}

impl Display for Expr {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Field { name, .. } => f.write_str(&field(name)),
            Expr::Str { value, .. } => f.write_str(&quote(value)),
            Expr::Num { text, .. } => f.write_str(text),
            Expr::Not { item, .. } => {
                f.write_str("NOT ")?;
                item.child(f, 3)
            }
            Expr::Neg { item, .. } => {
                f.write_str("-")?;
                item.child(f, 9)
            }
            Expr::Binary { op, left, right, .. } => {
                let p = op.precedence();
                left.child(f, p)?;
                match op {
                    BinOp::Or | BinOp::Xor | BinOp::And | BinOp::Like => write!(f, " {} ", op.as_str())?,
                    _ => write!(f, " {} ", op.as_str())?,
                }
                right.child(f, p + 1)
            }
            Expr::In { item, list, .. } => {
                item.child(f, 5)?;
                f.write_str(" IN (")?;
                for (i, e) in list.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str(")")
            }
            Expr::Call { name, args, .. } => {
                write!(f, "{name}(")?;
                for (i, e) in args.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{e}")?;
                }
                f.write_str(")")
            }
        }
    }
}
