//! ES|QL tokens: names, `` `quoted names` ``, strings (`"…"` with escapes, `"""…"""` raw),
//! numbers, punctuation. `//` and `/* */` comments and whitespace are skipped.

use crate::query::QueryError;
use crate::scan;
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

/// A token's kind.
pub(crate) type T = scan::Tok<P>;

/// A token.
pub(crate) type Token = scan::Token<P>;

pub(crate) use crate::scan::skip_trivia;

/// Two-character punctuation, tried before [`ONE`].
const TWO: &[(&str, P)] = &[("==", P::EqEq), ("!=", P::Ne), ("<=", P::Le), (">=", P::Ge), ("::", P::Cast)];

/// One-character punctuation.
const ONE: &[(u8, P)] = &[
    (b'(', P::LParen),
    (b')', P::RParen),
    (b'[', P::LBracket),
    (b']', P::RBracket),
    (b'{', P::LBrace),
    (b'}', P::RBrace),
    (b',', P::Comma),
    (b'.', P::Dot),
    (b'|', P::Pipe),
    (b'<', P::Lt),
    (b'>', P::Gt),
    (b'=', P::Assign),
    (b':', P::Colon),
    (b'+', P::Plus),
    (b'-', P::Minus),
    (b'*', P::Star),
    (b'/', P::Slash),
    (b'%', P::Percent),
    (b'?', P::Question),
];

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
            i = scan::name_end(bytes, i, |b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'@'));
            T::Ident
        } else if b.is_ascii_digit() {
            i = scan::number_end(bytes, i);
            T::Num
        } else if text[i..].starts_with("\"\"\"") {
            let (s, end) = scan::raw_string(text, i)?;
            i = end;
            T::Str(s)
        } else if b == b'"' {
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
                "quote strings in `\"…\"` and names with special characters in `` `…` ``",
            )?;
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
