//! Highlighting of a `.yaral` file: classified byte ranges, sorted and disjoint, from the
//! lexer's tokens (up to a lexing error) and comments. The catalog maps the classes to its own.

use crate::Span;
use crate::ast::SectionKind;
use crate::lex::{Tok, Token, lex_lossy};

/// What a highlighted range is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A section header (`events:`).
    Section,
    /// A `meta:`/`options:` key, the rule's name.
    Key,
    /// A keyword (`rule`, `and`, `nocase`, `over`).
    Keyword,
    /// A field path or variable (`$e.principal.ip`, `$user`, `#e`).
    Field,
    /// A function name (`strings.contains`).
    Function,
    /// A string, raw string or regex.
    String,
    /// A number or duration.
    Number,
    /// `true`/`false`.
    Bool,
    /// An operator.
    Operator,
    /// A reference list (`%list`).
    List,
    /// A comment.
    Comment,
}

/// A classified range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Highlight {
    /// Where.
    pub span: Span,
    /// What.
    pub class: Class,
}

const KEYWORDS: &[&str] =
    &["rule", "and", "or", "not", "in", "nocase", "regex", "cidr", "any", "all", "over", "by", "before", "after"];

fn is_punct(t: Option<&Token>, p: &str) -> bool {
    matches!(t, Some(Token { tok: Tok::Punct(x), .. }) if *x == p)
}

/// The highlighted ranges of `text`.
pub fn highlight(text: &str) -> Vec<Highlight> {
    let (toks, comments) = lex_lossy(text);
    let mut out: Vec<Highlight> = comments.into_iter().map(|span| Highlight { span, class: Class::Comment }).collect();
    let mut section: Option<SectionKind> = None;
    let mut i = 0;
    while i < toks.len() {
        let t = &toks[i];
        let next = toks.get(i + 1);
        let mut end = i;
        let class = match &t.tok {
            Tok::Ident(w) if is_punct(next, ":") && SectionKind::from_word(w).is_some() => {
                section = SectionKind::from_word(w);
                end = i + 1;
                Some(Class::Section)
            }
            Tok::Ident(_) if i > 0 && matches!(&toks[i - 1].tok, Tok::Ident(w) if w == "rule") => Some(Class::Key),
            Tok::Ident(_)
                if matches!(section, Some(SectionKind::Meta | SectionKind::Options)) && is_punct(next, "=") =>
            {
                Some(Class::Key)
            }
            Tok::Ident(w) if w == "true" || w == "false" => Some(Class::Bool),
            Tok::Ident(w) if KEYWORDS.contains(&w.as_str()) => Some(Class::Keyword),
            Tok::Ident(_) => {
                // `a.b.c(`: a function name.
                let mut j = i;
                while is_punct(toks.get(j + 1), ".") && matches!(toks.get(j + 2).map(|t| &t.tok), Some(Tok::Ident(_))) {
                    j += 2;
                }
                if matches!(toks.get(j + 1), Some(Token { tok: Tok::Punct("("), line_start: false, .. })) {
                    end = j;
                    Some(Class::Function)
                } else {
                    None
                }
            }
            Tok::Var(_) | Tok::Count(_) => {
                // The path after the variable: `.field`, `["key"]`, `[0]`, adjacent.
                let mut j = i;
                loop {
                    let at = toks[j].span.end;
                    match (toks.get(j + 1), toks.get(j + 2), toks.get(j + 3)) {
                        (Some(d), Some(Token { tok: Tok::Ident(_), .. }), _)
                            if d.span.start == at && d.tok == Tok::Punct(".") =>
                        {
                            j += 2
                        }
                        (Some(b), Some(_), Some(c))
                            if b.span.start == at && b.tok == Tok::Punct("[") && c.tok == Tok::Punct("]") =>
                        {
                            j += 3
                        }
                        _ => break,
                    }
                }
                end = j;
                Some(Class::Field)
            }
            Tok::Ref(_) => Some(Class::List),
            Tok::Str(_) | Tok::Raw(_) | Tok::Regex(_) => Some(Class::String),
            Tok::Number(_) | Tok::Duration(_) => Some(Class::Number),
            Tok::Punct(p) if matches!(*p, "=" | "!=" | "<" | "<=" | ">" | ">=" | "+" | "-" | "*" | "/" | "!") => {
                Some(Class::Operator)
            }
            Tok::Punct(_) => None,
        };
        if let Some(class) = class {
            out.push(Highlight { span: Span::new(t.span.start, toks[end].span.end), class });
        }
        i = end + 1;
    }
    out.sort_by_key(|h| h.span.start);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_keys_fields_functions_and_comments() {
        let text = "// c\nrule r {\n meta:\n  author = \"x\"\n events:\n  strings.contains($e.a[\"k\"].b, `v`) nocase and $e.n > 5m\n}";
        let got: Vec<(&str, Class)> =
            highlight(text).iter().map(|h| (&text[h.span.start..h.span.end], h.class)).collect();
        assert_eq!(
            got,
            vec![
                ("// c", Class::Comment),
                ("rule", Class::Keyword),
                ("r", Class::Key),
                ("meta:", Class::Section),
                ("author", Class::Key),
                ("=", Class::Operator),
                ("\"x\"", Class::String),
                ("events:", Class::Section),
                ("strings.contains", Class::Function),
                ("$e.a[\"k\"].b", Class::Field),
                ("`v`", Class::String),
                ("nocase", Class::Keyword),
                ("and", Class::Keyword),
                ("$e.n", Class::Field),
                (">", Class::Operator),
                ("5m", Class::Number),
            ]
        );
        for w in highlight(text).windows(2) {
            assert!(w[0].span.end <= w[1].span.start, "disjoint and sorted");
        }
    }
}
