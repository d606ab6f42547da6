//! EQL tokens: names, strings (`"…"` with escapes, `"""…"""` raw, and the legacy `'…'`,
//! `?"…"`, `?'…'` of the Python `eql` package), numbers, punctuation; comments (`//`, `/* */`)
//! and whitespace are skipped, but whether a token touches the previous one is kept
//! (`like~`, `maxspan=5m`, `?field`, `a.b` need it).

use crate::query::QueryError;
use crate::span::Span;

/// Punctuation and operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum P {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Pipe,
    EqEq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Colon,
    Assign,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Tilde,
    Bang,
    Question,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum T {
    /// A name or keyword, as written.
    Ident,
    /// `` `name` ``, with doubled backticks resolved.
    Backtick(String),
    /// A string, escapes resolved.
    Str(String),
    /// A number, as written.
    Num,
    Punct(P),
    Eof,
}

#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub t: T,
    pub span: Span,
    /// Whitespace or a comment between this token and the previous one.
    pub spaced: bool,
}

fn ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'_' | b'@' | b'$')
}

fn ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@' | b'$')
}

const STRING_HELP: &str = "EQL strings are `\"…\"` with the escapes `\\\\`, `\\\"`, `\\'`, `\\n`, `\\r`, `\\t` and `\\u{…}`, or raw `\"\"\"…\"\"\"`";

/// Split `text` into tokens, ending with [`T::Eof`].
pub(crate) fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut spaced = true;
    while i < bytes.len() {
        let b = bytes[i];
        if b.is_ascii_whitespace() {
            i += 1;
            spaced = true;
            continue;
        }
        if text[i..].starts_with("//") {
            i = text[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
            spaced = true;
            continue;
        }
        if text[i..].starts_with("/*") {
            let Some(end) = text[i + 2..].find("*/") else {
                return Err(QueryError::syntax(
                    "unterminated comment",
                    Span::new(i, i + 2),
                    "close the comment with `*/`",
                ));
            };
            i += 2 + end + 2;
            spaced = true;
            continue;
        }
        let start = i;
        let t = if ident_start(b) {
            while i < bytes.len() && ident_continue(bytes[i]) {
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
            // Up to two more quotes right before the closing ones belong to the string.
            let mut end = i + 3 + end;
            while bytes.get(end + 3) == Some(&b'"') {
                end += 1;
            }
            let s = text[i + 3..end].to_string();
            i = end + 3;
            T::Str(s)
        } else if b == b'?' && matches!(bytes.get(i + 1), Some(b'"' | b'\'')) {
            let q = bytes[i + 1];
            let Some(end) = text[i + 2..].find(q as char) else {
                return Err(QueryError::syntax("unterminated raw string", Span::new(i, i + 2), STRING_HELP));
            };
            let s = text[i + 2..i + 2 + end].to_string();
            i += 2 + end + 1;
            T::Str(s)
        } else if b == b'"' || b == b'\'' {
            let (s, end) = string(text, i)?;
            i = end;
            T::Str(s)
        } else if b == b'`' {
            let mut s = String::new();
            let mut j = i + 1;
            loop {
                match text[j..].find('`') {
                    None => {
                        return Err(QueryError::syntax(
                            "unterminated quoted name",
                            Span::new(i, i + 1),
                            "close the name with `` ` ``; write a backtick inside it as ``` `` ```",
                        ));
                    }
                    Some(n) => {
                        s.push_str(&text[j..j + n]);
                        j += n + 1;
                        if bytes.get(j) == Some(&b'`') {
                            s.push('`');
                            j += 1;
                        } else {
                            break;
                        }
                    }
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
                _ => match b {
                    b'(' => (P::LParen, 1),
                    b')' => (P::RParen, 1),
                    b'[' => (P::LBracket, 1),
                    b']' => (P::RBracket, 1),
                    b',' => (P::Comma, 1),
                    b'.' => (P::Dot, 1),
                    b'|' => (P::Pipe, 1),
                    b'<' => (P::Lt, 1),
                    b'>' => (P::Gt, 1),
                    b':' => (P::Colon, 1),
                    b'=' => (P::Assign, 1),
                    b'+' => (P::Plus, 1),
                    b'-' => (P::Minus, 1),
                    b'*' => (P::Star, 1),
                    b'/' => (P::Slash, 1),
                    b'%' => (P::Percent, 1),
                    b'~' => (P::Tilde, 1),
                    b'!' => (P::Bang, 1),
                    b'?' => (P::Question, 1),
                    _ => {
                        let c = text[i..].chars().next().expect("in bounds");
                        return Err(QueryError::syntax(
                            format!("unexpected character `{c}`"),
                            Span::new(i, i + c.len_utf8()),
                            "quote values in `\"…\"`; EQL names are letters, digits, `_`, `@` and `.`, or `` `quoted` ``",
                        ));
                    }
                },
            };
            i += len;
            T::Punct(p)
        };
        out.push(Token { t, span: Span::new(start, i), spaced });
        spaced = false;
    }
    out.push(Token { t: T::Eof, span: Span::point(text.len()), spaced: true });
    Ok(out)
}

/// A `"…"` or `'…'` string starting at `start`: its value and the offset past it.
fn string(text: &str, start: usize) -> Result<(String, usize), QueryError> {
    let bytes = text.as_bytes();
    let quote = bytes[start];
    let mut s = String::new();
    let mut i = start + 1;
    loop {
        let Some(c) = text[i..].chars().next() else {
            return Err(QueryError::syntax("unterminated string", Span::new(start, start + 1), STRING_HELP));
        };
        if c as u32 == u32::from(quote) {
            return Ok((s, i + 1));
        }
        if c == '\n' || c == '\r' {
            return Err(QueryError::syntax(
                "line break inside a string",
                Span::new(start, i),
                "close the string on the same line, write `\\n`, or use a raw `\"\"\"…\"\"\"` string",
            ));
        }
        if c != '\\' {
            s.push(c);
            i += c.len_utf8();
            continue;
        }
        let esc = text[i + 1..].chars().next();
        let (ch, len) = match esc {
            Some('\\') => ('\\', 2),
            Some('"') => ('"', 2),
            Some('\'') => ('\'', 2),
            Some('n') => ('\n', 2),
            Some('r') => ('\r', 2),
            Some('t') => ('\t', 2),
            Some('u') if bytes.get(i + 2) == Some(&b'{') => {
                let close = text[i + 3..].find('}').map(|n| i + 3 + n);
                let ch = close
                    .and_then(|c| u32::from_str_radix(&text[i + 3..c], 16).ok())
                    .filter(|_| close.is_some_and(|c| c > i + 3 && c <= i + 11))
                    .and_then(char::from_u32);
                match (ch, close) {
                    (Some(ch), Some(c)) => (ch, c + 1 - i),
                    _ => {
                        return Err(QueryError::syntax(
                            "invalid unicode escape",
                            Span::new(i, close.map_or(i + 2, |c| c + 1)),
                            "write `\\u{` then 1 to 8 hex digits of a code point, then `}`",
                        ));
                    }
                }
            }
            other => {
                let len = other.map_or(0, char::len_utf8);
                return Err(QueryError::syntax(
                    format!("unknown escape `\\{}` in a string", other.map(String::from).unwrap_or_default()),
                    Span::new(i, i + 1 + len),
                    "write `\\\\` for a backslash; the escapes are `\\\\`, `\\\"`, `\\'`, `\\n`, `\\r`, `\\t` and `\\u{…}`",
                ));
            }
        };
        s.push(ch);
        i += len;
    }
}
