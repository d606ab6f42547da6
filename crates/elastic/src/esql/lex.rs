//! ES|QL tokens: names, `` `quoted names` ``, strings (`"…"` with escapes, `"""…"""` raw),
//! numbers, punctuation. `//` and `/* */` comments and whitespace are skipped.

use crate::query::QueryError;
use crate::span::Span;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum P {
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Dot,
    Pipe,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Assign,
    Cast,
    Colon,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Question,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum T {
    Ident,
    Backtick(String),
    Str(String),
    Num,
    Punct(P),
    Eof,
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub t: T,
    pub span: Span,
    pub spaced: bool,
}

/// Skip whitespace and comments from `i`; the offset of the next token.
pub(crate) fn skip_trivia(text: &str, mut i: usize) -> Result<usize, QueryError> {
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            i += 1;
        } else if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
        } else if text[i..].starts_with("/*") {
            let Some(end) = text[i + 2..].find("*/") else {
                return Err(QueryError::syntax(
                    "unterminated comment",
                    Span::new(i, i + 2),
                    "close the comment with `*/`",
                ));
            };
            i += 2 + end + 2;
        } else {
            break;
        }
    }
    Ok(i)
}

/// Tokens of `text[from..]` (offsets stay those of `text`), ending with [`T::Eof`].
pub(crate) fn lex(text: &str, from: usize) -> Result<Vec<Token>, QueryError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = from;
    loop {
        let next = skip_trivia(text, i)?;
        let spaced = next > i || out.is_empty();
        i = next;
        if i >= bytes.len() {
            break;
        }
        let b = bytes[i];
        let start = i;
        let t = if b.is_ascii_alphabetic() || b == b'_' || b == b'@' {
            while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'@')) {
                i += 1;
            }
            T::Ident
        } else if b.is_ascii_digit() {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
                while i < bytes.len() && bytes[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if matches!(bytes.get(i), Some(b'e' | b'E')) {
                let mut j = i + 1;
                if matches!(bytes.get(j), Some(b'+' | b'-')) {
                    j += 1;
                }
                if bytes.get(j).is_some_and(u8::is_ascii_digit) {
                    i = j;
                    while i < bytes.len() && bytes[i].is_ascii_digit() {
                        i += 1;
                    }
                }
            }
            T::Num
        } else if text[i..].starts_with("\"\"\"") {
            let Some(end) = text[i + 3..].find("\"\"\"") else {
                return Err(QueryError::syntax(
                    "unterminated raw string",
                    Span::new(i, i + 3),
                    "close it with `\"\"\"`",
                ));
            };
            let mut end = i + 3 + end;
            while bytes.get(end + 3) == Some(&b'"') {
                end += 1;
            }
            let s = text[i + 3..end].to_string();
            i = end + 3;
            T::Str(s)
        } else if b == b'"' {
            let (s, end) = string(text, i)?;
            i = end;
            T::Str(s)
        } else if b == b'`' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                let Some(n) = text[j..].find('`') else {
                    return Err(QueryError::syntax(
                        "unterminated quoted name",
                        Span::new(i, i + 1),
                        "close the name with `` ` ``; write a backtick inside it as ``` `` ```",
                    ));
                };
                s.push_str(&text[j..j + n]);
                j += n + 1;
                if bytes.get(j) == Some(&b'`') {
                    s.push('`');
                    j += 1;
                } else {
                    break;
                }
            }
            i = j;
            T::Backtick(s)
        } else {
            let two = text.get(i..i + 2).unwrap_or("");
            let (p, len) = match two {
                "==" => (P::EqEq, 2),
                "!=" => (P::Ne, 2),
                "<=" => (P::Le, 2),
                ">=" => (P::Ge, 2),
                "::" => (P::Cast, 2),
                _ => match b {
                    b'(' => (P::LParen, 1),
                    b')' => (P::RParen, 1),
                    b'[' => (P::LBracket, 1),
                    b']' => (P::RBracket, 1),
                    b'{' => (P::LBrace, 1),
                    b'}' => (P::RBrace, 1),
                    b',' => (P::Comma, 1),
                    b'.' => (P::Dot, 1),
                    b'|' => (P::Pipe, 1),
                    b'<' => (P::Lt, 1),
                    b'>' => (P::Gt, 1),
                    b'=' => (P::Assign, 1),
                    b':' => (P::Colon, 1),
                    b'+' => (P::Plus, 1),
                    b'-' => (P::Minus, 1),
                    b'*' => (P::Star, 1),
                    b'/' => (P::Slash, 1),
                    b'%' => (P::Percent, 1),
                    b'?' => (P::Question, 1),
                    _ => {
                        let c = text[i..].chars().next().expect("in bounds");
                        return Err(QueryError::syntax(
                            format!("unexpected character `{c}`"),
                            Span::new(i, i + c.len_utf8()),
                            "quote strings in `\"…\"` and names with special characters in `` `…` ``",
                        ));
                    }
                },
            };
            i += len;
            T::Punct(p)
        };
        out.push(Token { t, span: Span::new(start, i), spaced });
    }
    out.push(Token { t: T::Eof, span: Span::point(text.len()), spaced: true });
    Ok(out)
}

pub(crate) fn string(text: &str, start: usize) -> Result<(String, usize), QueryError> {
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        let Some(c) = text[i..].chars().next() else {
            return Err(QueryError::syntax(
                "unterminated string",
                Span::new(start, start + 1),
                "close the string with `\"`; ES|QL strings take the escapes `\\\\`, `\\\"`, `\\n`, `\\r`, `\\t`",
            ));
        };
        match c {
            '"' => return Ok((s, i + 1)),
            '\n' | '\r' => {
                return Err(QueryError::syntax(
                    "line break inside a string",
                    Span::new(start, i),
                    "close the string on the same line, or use a raw `\"\"\"…\"\"\"` string",
                ));
            }
            '\\' => {
                let esc = text[i + 1..].chars().next();
                let ch = match esc {
                    Some('\\') => '\\',
                    Some('"') => '"',
                    Some('n') => '\n',
                    Some('r') => '\r',
                    Some('t') => '\t',
                    other => {
                        let len = other.map_or(0, char::len_utf8);
                        return Err(QueryError::syntax(
                            format!("unknown escape `\\{}` in a string", other.map(String::from).unwrap_or_default()),
                            Span::new(i, i + 1 + len),
                            "write `\\\\` for a backslash (or use a raw `\"\"\"…\"\"\"` string); the escapes are `\\\\`, `\\\"`, `\\n`, `\\r`, `\\t`",
                        ));
                    }
                };
                s.push(ch);
                i += 2;
            }
            c => {
                s.push(c);
                i += c.len_utf8();
            }
        }
    }
}
