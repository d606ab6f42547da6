//! Syntax highlighting of Elastic rule files: classified byte ranges, no markup.
//!
//! [`highlight_file`] walks the TOML with the `toml_parser` event parser (the lexer and parser
//! under the `toml` crate the loader reads rules with): table headers (`[rule]`,
//! `[[rule.threat]]`), keys, strings, numbers, booleans, comments. The rule's query string
//! (`query`, and `threat_query` of indicator-match rules) is highlighted in its own language
//! instead, from the tokens of that language's own scanner ([`highlight_query`]): EQL's and
//! ES|QL's lexers (`scan.rs`), KQL's parse tree. A query that does not scan or parse stays one
//! TOML string, as the file has it.
//!
//! The ranges are sorted, never overlap and never split a character; text between them is
//! plain (whitespace, `=`, brackets, commas). The caller escapes the text and wraps the ranges.

use toml_parser::decoder::Encoding;
use toml_parser::parser::{Event, EventKind};

use crate::rule::{Language, RuleType};
use crate::span::Span;
use crate::tomlstr;

/// What a range of a rule file is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Class {
    /// A TOML key (`name`, `rule_id`).
    Key,
    /// A table header, brackets included (`[rule]`, `[[rule.threat]]`).
    Table,
    /// A string: a TOML string, a quoted query string, a KQL value.
    String,
    /// A number (a TOML date or time too; a query's duration like `5m`).
    Number,
    /// `true`, `false`.
    Bool,
    /// A comment.
    Comment,
    /// A field name of a query.
    Field,
    /// A keyword of a query (`where`, `and`, `sequence`, `by`; an EQL event category).
    Keyword,
    /// An ES|QL or EQL pipe command (`WHERE`, `STATS`, `head`), and ES|QL's `FROM`.
    Command,
    /// An operator (`==`, `:`, `<`, `~`, `=`).
    Operator,
    /// A function name (`startsWith`, `cidrmatch`, `COUNT`).
    Function,
    /// The `|` between commands.
    Pipe,
    /// An ES|QL index pattern after `FROM`.
    Source,
}

/// One classified range.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Where (byte offsets).
    pub span: Span,
    /// What it is.
    pub class: Class,
}

/// The keys whose string values are queries, and the keys that say their language.
const QUERY_KEYS: &[(&str, &str)] = &[("query", "language"), ("threat_query", "threat_language")];

/// A top-level value of the rule table that highlighting needs.
struct Value {
    key: String,
    span: Span,
    encoding: Option<Encoding>,
}

/// Highlight a whole rule file. Never fails: text the TOML parser rejects is left plain.
pub fn highlight_file(text: &str) -> Vec<Token> {
    let source = toml_parser::Source::new(text);
    let tokens = source.lex().into_vec();
    let mut events: Vec<Event> = Vec::new();
    toml_parser::parser::parse_document(&tokens, &mut |e: Event| events.push(e), &mut ());

    let mut out: Vec<Token> = Vec::new();
    let mut values: Vec<Value> = Vec::new();
    let mut in_header = false;
    let mut table: Vec<String> = Vec::new();
    let mut key: Vec<String> = Vec::new();
    let mut depth = 0usize;
    let push = |out: &mut Vec<Token>, s: toml_parser::Span, class| {
        if s.end() > s.start() {
            out.push(Token { span: Span::new(s.start(), s.end()), class });
        }
    };
    for e in &events {
        let s = e.span();
        match e.kind() {
            EventKind::StdTableOpen | EventKind::ArrayTableOpen => {
                in_header = true;
                table.clear();
                key.clear();
                push(&mut out, s, Class::Table);
            }
            EventKind::StdTableClose | EventKind::ArrayTableClose => {
                in_header = false;
                push(&mut out, s, Class::Table);
            }
            EventKind::SimpleKey => {
                let name = key_name(&text[s.start()..s.end()]);
                if in_header {
                    table.push(name);
                    push(&mut out, s, Class::Table);
                } else {
                    if depth == 0 {
                        key.push(name);
                    }
                    push(&mut out, s, Class::Key);
                }
            }
            EventKind::KeySep if in_header => push(&mut out, s, Class::Table),
            EventKind::ArrayOpen | EventKind::InlineTableOpen => depth += 1,
            EventKind::ArrayClose | EventKind::InlineTableClose => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    key.clear();
                }
            }
            EventKind::Scalar => {
                let raw = &text[s.start()..s.end()];
                let class = match e.encoding() {
                    Some(_) => Class::String,
                    None if raw == "true" || raw == "false" => Class::Bool,
                    None => Class::Number,
                };
                if depth == 0 {
                    let in_rule = table.is_empty() || table == ["rule"];
                    if in_rule && key.len() == 1 {
                        values.push(Value {
                            key: key[0].clone(),
                            span: Span::new(s.start(), s.end()),
                            encoding: e.encoding(),
                        });
                    }
                    key.clear();
                }
                push(&mut out, s, class);
            }
            EventKind::Comment => push(&mut out, s, Class::Comment),
            _ => {}
        }
    }

    // Each query string: its tokens in place of the one string range.
    let string_value = |k: &str| {
        values.iter().find(|v| v.key == k && v.encoding.is_some()).and_then(|v| {
            let raw = &text[v.span.start..v.span.end];
            tomlstr::decode(raw, v.span.start).map(|(s, _)| s)
        })
    };
    let rule_type = string_value("type");
    for (query_key, language_key) in QUERY_KEYS {
        let Some(v) = values.iter().find(|v| v.key == *query_key && v.encoding.is_some()) else { continue };
        let language = match string_value(language_key) {
            Some(l) => Language::parse(&l),
            None if *query_key == "query" => match rule_type.as_deref().map(RuleType::parse) {
                Some(RuleType::Eql) | None => Language::Eql,
                Some(RuleType::Esql) => Language::Esql,
                _ => Language::Kuery,
            },
            None => Language::Kuery,
        };
        let raw = &text[v.span.start..v.span.end];
        let Some((query, map)) = tomlstr::decode(raw, v.span.start) else { continue };
        let inner = highlight_query(&language, &query);
        if inner.is_empty() {
            continue;
        }
        let Some(at) = out.iter().position(|t| t.span == v.span) else { continue };
        let mut replaced: Vec<Token> = Vec::with_capacity(inner.len() + 2);
        let open = map.offset(0).min(v.span.end);
        let close = map.end_offset(query.len()).clamp(open, v.span.end);
        let delimiter = |start: usize, end: usize| Token { span: Span::new(start, end), class: Class::String };
        if open > v.span.start {
            replaced.push(delimiter(v.span.start, open));
        }
        let mut last = open;
        for t in inner {
            let span = map.span(t.span);
            if span.start < last || span.end <= span.start || span.end > close {
                continue;
            }
            last = span.end;
            replaced.push(Token { span, class: t.class });
        }
        if close < v.span.end {
            replaced.push(delimiter(close, v.span.end));
        }
        out.splice(at..=at, replaced);
    }
    merge(out)
}

/// A key as written, its quotes taken off.
fn key_name(raw: &str) -> String {
    let t = raw.trim();
    match t.as_bytes() {
        [b'"' | b'\'', .., b'"' | b'\''] if t.len() >= 2 => t[1..t.len() - 1].to_string(),
        _ => t.to_string(),
    }
}

/// Highlight a query on its own (spans into `text`). Empty when the query does not scan (or,
/// for KQL, parse), or the language is one that is kept as text (Lucene).
pub fn highlight_query(language: &Language, text: &str) -> Vec<Token> {
    let tokens = match language {
        Language::Kuery => crate::kql::highlight(text),
        Language::Eql => crate::eql::highlight(text),
        Language::Esql => crate::esql::highlight(text),
        Language::Lucene | Language::Other(_) => None,
    };
    tokens.map(merge).unwrap_or_default()
}

/// Join touching ranges of the same class that are one name (`process` `.` `name` is one
/// field, `[`, `rule`, `]` one table header, `5` `m` one duration).
fn merge(mut tokens: Vec<Token>) -> Vec<Token> {
    tokens.sort_by_key(|t| t.span.start);
    let mut out: Vec<Token> = Vec::with_capacity(tokens.len());
    for t in tokens {
        match out.last_mut() {
            Some(last)
                if last.class == t.class
                    && last.span.end == t.span.start
                    && matches!(t.class, Class::Field | Class::Table | Class::Number) =>
            {
                last.span.end = t.span.end;
            }
            Some(last) if t.span.start < last.span.end => {}
            _ => out.push(t),
        }
    }
    out
}

/// Comments in `text[from..to]` (whitespace and comments between two tokens of EQL or ES|QL).
pub(crate) fn comments(text: &str, from: usize, to: usize, out: &mut Vec<Token>) {
    let mut i = from;
    while i < to {
        let rest = &text[i..to];
        if rest.starts_with("//") {
            let end = rest.find('\n').map_or(to, |n| i + n);
            out.push(Token { span: Span::new(i, end), class: Class::Comment });
            i = end;
        } else if let Some(body) = rest.strip_prefix("/*") {
            let end = body.find("*/").map_or(to, |n| i + 2 + n + 2);
            out.push(Token { span: Span::new(i, end), class: Class::Comment });
            i = end;
        } else {
            i += rest.chars().next().map_or(1, char::len_utf8);
        }
    }
}

#[cfg(test)]
mod tests;
