//! EQL tokens: names, strings (`"…"` with escapes, `"""…"""` raw, and the legacy `'…'`,
//! `?"…"`, `?'…'` of the Python `eql` package), numbers, punctuation; comments (`//`, `/* */`)
//! and whitespace are skipped, but whether a token touches the previous one is kept
//! (`like~`, `maxspan=5m`, `?field`, `a.b` need it).

use crate::query::QueryError;
use crate::scan;
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

/// A token's kind.
pub(crate) type T = scan::Tok<P>;

/// A token.
pub(crate) type Token = scan::Token<P>;

fn ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || matches!(b, b'_' | b'@' | b'$')
}

fn ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@' | b'$')
}

const STRING_HELP: &str = "EQL strings are `\"…\"` with the escapes `\\\\`, `\\\"`, `\\'`, `\\n`, `\\r`, `\\t` and `\\u{…}`, or raw `\"\"\"…\"\"\"`";

/// Two-character punctuation, tried before [`ONE`].
const TWO: &[(&str, P)] = &[("==", P::EqEq), ("!=", P::Ne), ("<=", P::Le), (">=", P::Ge)];

/// One-character punctuation.
const ONE: &[(u8, P)] = &[
    (b'(', P::LParen),
    (b')', P::RParen),
    (b'[', P::LBracket),
    (b']', P::RBracket),
    (b',', P::Comma),
    (b'.', P::Dot),
    (b'|', P::Pipe),
    (b'<', P::Lt),
    (b'>', P::Gt),
    (b':', P::Colon),
    (b'=', P::Assign),
    (b'+', P::Plus),
    (b'-', P::Minus),
    (b'*', P::Star),
    (b'/', P::Slash),
    (b'%', P::Percent),
    (b'~', P::Tilde),
    (b'!', P::Bang),
    (b'?', P::Question),
];

/// Split `text` into tokens, ending with [`T::Eof`].
pub(crate) fn lex(text: &str) -> Result<Vec<Token>, QueryError> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    loop {
        let next = scan::skip_trivia(text, i)?;
        let spaced = next > i || out.is_empty();
        i = next;
        if i >= bytes.len() {
            break;
        }
        let b = bytes[i];
        let start = i;
        let t = if ident_start(b) {
            i = scan::name_end(bytes, i, ident_continue);
            T::Ident
        } else if b.is_ascii_digit() {
            i = scan::number_end(bytes, i);
            T::Num
        } else if text[i..].starts_with("\"\"\"") {
            let (s, end) = scan::raw_string(text, i)?;
            i = end;
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
            let (s, end) = scan::quoted_name(text, i)?;
            i = end;
            T::Backtick(s)
        } else {
            let (p, len) = scan::punct(
                text,
                i,
                TWO,
                ONE,
                "quote values in `\"…\"`; EQL names are letters, digits, `_`, `@` and `.`, or `` `quoted` ``",
            )?;
            i += len;
            T::Punct(p)
        };
        out.push(Token { t, span: Span::new(start, i), spaced });
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
