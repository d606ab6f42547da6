//! Highlighting a detection file: its top-level YAML keys, and its `search:` value token by
//! token (pipes, command names, fields, operators, strings, keywords, macro calls), each as a
//! byte range of the file, sorted and disjoint. The search is highlighted as written (macros
//! not expanded).

use detwiki_diagnostics::Span;
use detwiki_sigma::yaml;

use crate::spl::lex::{self, STok};
use crate::yamlstr;

/// What a highlighted range is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// A top-level key.
    Key,
    /// `|` between commands.
    Pipe,
    /// A command name.
    Command,
    /// A field compared in a search.
    Field,
    /// `=`, `!=`, `<` …
    Operator,
    /// A quoted string.
    String,
    /// `AND`, `OR`, `NOT`, `IN`, `by`, `as`, `where`, `from`.
    Keyword,
    /// A macro call.
    Function,
    /// A number.
    Number,
}

const KEYWORDS: &[&str] = &["AND", "OR", "NOT", "IN", "BY", "AS", "WHERE", "FROM", "OUTPUT", "OUTPUTNEW", "OVER"];

/// The classified ranges of a detection file's text.
pub fn highlight(text: &str) -> Vec<(Span, Class)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let key_end = line.find(':').filter(|&i| {
            i > 0 && line[..i].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') && !line.starts_with(' ')
        });
        if let Some(i) = key_end {
            out.push((Span::new(at, at + i), Class::Key));
        }
        at += line.len();
    }
    if let Ok(docs) = yaml::parse_documents(text, &yaml::Limits::default())
        && let Some(root) = docs.into_iter().next().and_then(|d| d.root)
        && let Some(node) = root.get("search")
        && let Some(value) = node.as_str()
    {
        let map = yamlstr::decode(text, node.span.start, value);
        search(value, &map, &mut out);
    }
    out.sort_by_key(|(s, _)| (s.start, s.end));
    let mut last_end = 0;
    out.retain(|(s, _)| {
        let keep = s.start >= last_end && s.end > s.start;
        if keep {
            last_end = s.end;
        }
        keep
    });
    out
}

fn search(value: &str, map: &yamlstr::MappedStr, out: &mut Vec<(Span, Class)>) {
    // Commands: split where the parser splits (outside quotes, brackets, backticks).
    for (n, (s, e)) in crate::spl::parse::split_ranges(value).into_iter().enumerate() {
        if n > 0 {
            out.push((map.span(Span::new(s - 1, s)), Class::Pipe));
        }
        let Ok(toks) = lex::search(&value[s..e]) else { continue };
        for (i, (t, span)) in toks.iter().enumerate() {
            let span = Span::new(s + span.start, s + span.end);
            let class = match t {
                STok::Word(w) if w.starts_with('`') => Some(Class::Function),
                // The first word of a command (not of the base search, unless it is `search`).
                STok::Word(w) if i == 0 && (n > 0 || w.eq_ignore_ascii_case("search")) => Some(Class::Command),
                STok::Word(w) if KEYWORDS.iter().any(|k| w.eq_ignore_ascii_case(k)) => Some(Class::Keyword),
                STok::Word(w) if w.parse::<f64>().is_ok() => Some(Class::Number),
                STok::Word(_) if matches!(toks.get(i + 1), Some((STok::Cmp(_), _))) => Some(Class::Field),
                STok::Str(_) => Some(Class::String),
                STok::Cmp(_) => Some(Class::Operator),
                _ => None,
            };
            if let Some(c) = class {
                out.push((map.span(span), c));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_pipes_commands_fields_and_strings() {
        let text = "name: x\nsearch: '`sysmon` Image=\"*\\\\a.exe\" | stats count by Image'\n";
        let h = highlight(text);
        let got: Vec<(&str, Class)> = h.iter().map(|(s, c)| (&text[s.start..s.end], *c)).collect();
        assert_eq!(
            got,
            [
                ("name", Class::Key),
                ("search", Class::Key),
                ("`sysmon`", Class::Function),
                ("Image", Class::Field),
                ("=", Class::Operator),
                ("\"*\\\\a.exe\"", Class::String),
                ("|", Class::Pipe),
                ("stats", Class::Command),
                ("by", Class::Keyword),
            ]
        );
    }
}
