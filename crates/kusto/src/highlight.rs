//! Highlighting of a Kusto query as classified byte ranges of its text (sorted, disjoint),
//! from the lexer's tokens: the catalog maps them into the rule file.

use crate::lex::{Tok, lex};
use crate::parse::WORD_OPS;
use crate::span::Span;

/// What a highlighted range is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// `let`, `and`, `or`, `by`, `on`, `kind` …
    Keyword,
    /// A tabular operator after `|` (`where`, `mv-expand`).
    Command,
    /// `==`, `has`, `!in~`, `matches regex` …
    Operator,
    /// A function name.
    Function,
    /// `|`.
    Pipe,
    /// A string literal.
    String,
    /// A number or timespan.
    Number,
    /// A column or other name.
    Field,
    /// A table: the first name of a tabular statement.
    Source,
    /// A `//` comment.
    Comment,
}

const KEYWORDS: &[&str] = &[
    "let",
    "and",
    "or",
    "by",
    "on",
    "with",
    "kind",
    "to",
    "from",
    "step",
    "of",
    "asc",
    "desc",
    "nulls",
    "first",
    "last",
    "true",
    "false",
    "null",
    "set",
    "declare",
    "view",
    "union",
    "print",
    "range",
    "datatable",
    "externaldata",
    "default",
    "isfuzzy",
    "withsource",
    "typeof",
];

/// The classified ranges of `text` (empty when it does not even tokenize).
pub fn query(text: &str) -> Vec<(Span, Class)> {
    let Ok(toks) = lex(text) else { return Vec::new() };
    let mut out: Vec<(Span, Class)> = Vec::new();
    let mut gap_start = 0;
    let mut statement_start = true;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        // Comments sit in the gaps between tokens.
        let gap = &text[gap_start.min(t.span.start)..t.span.start];
        let mut from = 0;
        while let Some(at) = gap[from..].find("//") {
            let s = gap_start + from + at;
            let e = text[s..].find('\n').map_or(text.len(), |n| s + n).min(t.span.start);
            out.push((Span::new(s, e), Class::Comment));
            from = e - gap_start;
            if from >= gap.len() {
                break;
            }
        }
        let prev = i.checked_sub(1).map(|p| &toks[p].tok);
        let next = toks.get(i + 1).map(|n| &n.tok);
        let class = match &t.tok {
            Tok::Eof => break,
            Tok::Punct("|") => Some(Class::Pipe),
            Tok::Punct(";") => None,
            Tok::Punct(
                "==" | "!=" | "<>" | "=~" | "!~" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "%" | "=" | "!"
                | "~",
            ) => Some(Class::Operator),
            Tok::Punct(_) => None,
            Tok::Str(..) => Some(Class::String),
            Tok::Num(_) => Some(Class::Number),
            Tok::Quoted(_) => Some(Class::Field),
            Tok::Ident(w) => Some(if matches!(prev, Some(Tok::Punct("|"))) {
                Class::Command
            } else if KEYWORDS.contains(&w.as_str()) {
                Class::Keyword
            } else if WORD_OPS.contains(&w.as_str()) || matches!(w.as_str(), "between" | "matches" | "regex") {
                Class::Operator
            } else if matches!(next, Some(Tok::Punct("("))) {
                Class::Function
            } else if statement_start {
                Class::Source
            } else {
                Class::Field
            }),
        };
        statement_start =
            matches!(t.tok, Tok::Punct(";")) || (statement_start && matches!(&t.tok, Tok::Ident(w) if w == "let"));
        let mut span = t.span;
        // `mv-expand`, `project-away`: one command.
        if class == Some(Class::Command)
            && let (Some(dash), Some(rest)) = (toks.get(i + 1), toks.get(i + 2))
            && dash.tok == Tok::Punct("-")
            && !dash.spaced
            && matches!(rest.tok, Tok::Ident(_))
            && !rest.spaced
        {
            span = Span::new(span.start, rest.span.end);
            i += 2;
        }
        if let Some(c) = class {
            out.push((span, c));
        }
        gap_start = span.end;
        i += 1;
    }
    out.sort_by_key(|(s, _)| s.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_classified() {
        let text = "SecurityEvent // all\n| where EventID == 4688 and tolower(X) has 'a' | mv-expand";
        let got: Vec<(&str, Class)> = query(text).into_iter().map(|(s, c)| (&text[s.start..s.end], c)).collect();
        assert_eq!(
            got,
            [
                ("SecurityEvent", Class::Source),
                ("// all", Class::Comment),
                ("|", Class::Pipe),
                ("where", Class::Command),
                ("EventID", Class::Field),
                ("==", Class::Operator),
                ("4688", Class::Number),
                ("and", Class::Keyword),
                ("tolower", Class::Function),
                ("X", Class::Field),
                ("has", Class::Operator),
                ("'a'", Class::String),
                ("|", Class::Pipe),
                ("mv-expand", Class::Command),
            ]
        );
    }
}
