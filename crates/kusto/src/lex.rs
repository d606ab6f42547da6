//! Kusto query text → tokens with byte spans. Comments (`//` to the end of the line) and
//! whitespace are skipped; string literals are unescaped here (`"a\"b"`, `'x'`, verbatim
//! `@'C:\x'` / `@"…"` with doubled quotes, obfuscated `h"…"`, multi-line ```` ```…``` ````).

use crate::error::QueryError;
use crate::span::Span;

/// What a token is.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A name: letters, digits, `_`, `$` (`$left`), or a bracketed name (`['a b']`).
    Ident(String),
    /// A bracketed name `['a b']` / `["x"]`.
    Quoted(String),
    /// A string literal, unescaped, with how it was written.
    Str(String, StrStyle),
    /// A number, as written (`10`, `1.5`, `0x1F`, `1e3`, and timespans `5m`, `1d`).
    Num(String),
    /// Punctuation and operators (`|`, `==`, `=~`, `..` …).
    Punct(&'static str),
    /// End of the text.
    Eof,
}

/// How a string literal was written (the printer writes it back the same way when it can).
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StrStyle {
    /// `"…"` or `'…'` with backslash escapes.
    Plain,
    /// `@"…"` / `@'…'`: no escapes.
    Verbatim,
    /// `h"…"`: hidden from logs, the value is the same.
    Obfuscated,
}

/// One token.
#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where (byte range of the query text).
    pub span: Span,
    /// Whitespace or a comment comes right before it.
    pub spaced: bool,
}

const PUNCT: &[&str] = &[
    "==", "!=", "<>", "=~", "!~", "<=", ">=", "=>", "..", "|", "(", ")", "[", "]", "{", "}", ",", ";", ".", "=", "<",
    ">", "+", "-", "*", "/", "%", ":", "!", "~", "?", "@",
];

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Tokenize `text`. The last token is [`Tok::Eof`].
pub fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut spaced = true;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            spaced = true;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            spaced = true;
            continue;
        }
        let start = i;
        let ch = text[i..].chars().next().unwrap_or(' ');
        let tok = if c == b'"' || c == b'\'' {
            let (s, end) = plain_string(text, i)?;
            i = end;
            Tok::Str(s, StrStyle::Plain)
        } else if (c == b'@' || c == b'h' || c == b'H')
            && matches!(b.get(i + 1), Some(b'"' | b'\''))
            && (c == b'@' || spaced || out.last().is_none_or(|t: &Token| matches!(t.tok, Tok::Punct(_))))
        {
            if c == b'@' {
                let (s, end) = verbatim_string(text, i + 1)?;
                i = end;
                Tok::Str(s, StrStyle::Verbatim)
            } else {
                let (s, end) = plain_string(text, i + 1)?;
                i = end;
                Tok::Str(s, StrStyle::Obfuscated)
            }
        } else if (c == b'h' || c == b'H') && b.get(i + 1) == Some(&b'@') && matches!(b.get(i + 2), Some(b'"' | b'\''))
        {
            let (s, end) = verbatim_string(text, i + 2)?;
            i = end;
            Tok::Str(s, StrStyle::Obfuscated)
        } else if text[i..].starts_with("```") {
            let Some(len) = text[i + 3..].find("```") else {
                return Err(QueryError::syntax(
                    "this ``` string is not closed",
                    Span::new(i, i + 3),
                    "close the multi-line string with ```",
                ));
            };
            let s = text[i + 3..i + 3 + len].to_string();
            i = i + 6 + len;
            Tok::Str(s, StrStyle::Verbatim)
        } else if c.is_ascii_digit() || (c == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit) && spaced) {
            i = number_end(b, i);
            Tok::Num(text[start..i].to_string())
        } else if is_ident_start(ch) {
            while let Some(ch) = text[i..].chars().next().filter(|c| is_ident_char(*c)) {
                i += ch.len_utf8();
            }
            Tok::Ident(text[start..i].to_string())
        } else if c == b'['
            && matches!(b.get(i + 1), Some(b'"' | b'\''))
            && (spaced
                || !out
                    .last()
                    .is_some_and(|t: &Token| matches!(t.tok, Tok::Ident(_) | Tok::Quoted(_) | Tok::Punct(")" | "]"))))
            && bracket_name_end(text, i).is_some()
        {
            let (s, end) = bracket_name_end(text, i).unwrap_or_default();
            i = end;
            Tok::Quoted(s)
        } else if let Some(p) = PUNCT.iter().find(|p| text[i..].starts_with(**p)) {
            i += p.len();
            Tok::Punct(p)
        } else {
            return Err(QueryError::syntax(
                format!("unexpected character `{ch}`"),
                Span::new(i, i + ch.len_utf8()),
                "remove it, or quote it in a string",
            ));
        };
        out.push(Token { tok, span: Span::new(start, i), spaced });
        spaced = false;
    }
    // The end is where the text ends, not after its trailing blank lines.
    out.push(Token { tok: Tok::Eof, span: Span::point(text.trim_end().len()), spaced: true });
    Ok(out)
}

fn number_end(b: &[u8], mut i: usize) -> usize {
    if b[i] == b'0' && matches!(b.get(i + 1), Some(b'x' | b'X')) {
        i += 2;
        while i < b.len() && b[i].is_ascii_hexdigit() {
            i += 1;
        }
        return i;
    }
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
        i += 1;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    if i < b.len()
        && matches!(b[i], b'e' | b'E')
        && (b.get(i + 1).is_some_and(u8::is_ascii_digit)
            || (matches!(b.get(i + 1), Some(b'+' | b'-')) && b.get(i + 2).is_some_and(u8::is_ascii_digit)))
    {
        i += 2;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
    }
    // A unit suffix: timespans (`5m`, `1d`, `10ms`, `2hours`), `1tick`.
    while i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'_') {
        i += 1;
    }
    i
}

/// `"…"`/`'…'` starting at `i` (the quote): the unescaped value and the end offset.
fn plain_string(text: &str, i: usize) -> Result<(String, usize), QueryError> {
    let quote = text.as_bytes()[i] as char;
    let mut out = String::new();
    let mut chars = text[i + 1..].char_indices();
    while let Some((off, ch)) = chars.next() {
        let at = i + 1 + off;
        match ch {
            c if c == quote => return Ok((out, at + 1)),
            '\n' => break,
            '\\' => match chars.next() {
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, 'r')) => out.push('\r'),
                Some((_, '0')) => out.push('\0'),
                Some((_, c)) => out.push(c),
                None => break,
            },
            c => out.push(c),
        }
    }
    let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
    Err(QueryError::syntax(
        format!("this string is not closed: expected {quote} before the end of the line"),
        Span::new(i, end.max(i + 1)),
        format!("add the closing {quote} (a {quote} inside the string is written \\{quote})"),
    ))
}

/// `@"…"` with the quote at `i`: doubled quotes stand for one.
fn verbatim_string(text: &str, i: usize) -> Result<(String, usize), QueryError> {
    let quote = text.as_bytes()[i] as char;
    let mut out = String::new();
    let mut chars = text[i + 1..].char_indices().peekable();
    while let Some((off, ch)) = chars.next() {
        if ch == '\n' {
            break;
        }
        if ch == quote {
            if chars.peek().is_some_and(|(_, c)| *c == quote) {
                chars.next();
                out.push(quote);
                continue;
            }
            return Ok((out, i + 1 + off + 1));
        }
        out.push(ch);
    }
    let end = text[i..].find('\n').map_or(text.len(), |n| i + n);
    Err(QueryError::syntax(
        format!("this verbatim string is not closed: expected {quote} before the end of the line"),
        Span::new(i.saturating_sub(1), end.max(i + 1)),
        format!("add the closing {quote} (in @{quote}…{quote} a {quote} is written twice)"),
    ))
}

/// `['name']` at `i`: the name and the end offset, when it is one.
fn bracket_name_end(text: &str, i: usize) -> Option<(String, usize)> {
    let (s, end) = plain_string(text, i + 1).ok()?;
    let rest = &text[end..];
    let trimmed = rest.trim_start_matches([' ', '\t']);
    trimmed.starts_with(']').then(|| (s, end + (rest.len() - trimmed.len()) + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn strings_numbers_and_operators() {
        assert_eq!(
            toks(r#"a =~ "x\"y" and b !~ @'C:\w' // note"#),
            vec![
                Tok::Ident("a".into()),
                Tok::Punct("=~"),
                Tok::Str("x\"y".into(), StrStyle::Plain),
                Tok::Ident("and".into()),
                Tok::Ident("b".into()),
                Tok::Punct("!~"),
                Tok::Str(r"C:\w".into(), StrStyle::Verbatim),
                Tok::Eof
            ]
        );
        assert_eq!(
            toks("ago(1d) 0x1F 1.5e3"),
            vec![
                Tok::Ident("ago".into()),
                Tok::Punct("("),
                Tok::Num("1d".into()),
                Tok::Punct(")"),
                Tok::Num("0x1F".into()),
                Tok::Num("1.5e3".into()),
                Tok::Eof
            ]
        );
        assert_eq!(
            toks("['a b'] h'secret' @\"x\"\"y\""),
            vec![
                Tok::Quoted("a b".into()),
                Tok::Str("secret".into(), StrStyle::Obfuscated),
                Tok::Str("x\"y".into(), StrStyle::Verbatim),
                Tok::Eof
            ]
        );
    }

    #[test]
    fn an_open_string_is_an_error_at_its_quote() {
        let e = lex("x == \"abc\n| y").unwrap_err();
        assert_eq!(e.span, Span::new(5, 9));
        assert!(e.message.contains("not closed"));
    }
}
