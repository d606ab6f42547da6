//! Tokens of SPL's two expression languages. Both lexers return byte spans into the text
//! they are given, and an error (message, span) for an unterminated string or bracket.

use detwiki_diagnostics::Span;

use super::CmpOp;
use super::parse::ParseError;

/// A token of the search language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum STok {
    /// An unquoted word (`Processes.process_name`, `*\\cmd.exe`, `AND`).
    Word(String),
    /// A double-quoted string, unescaped.
    Str(String),
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `,`.
    Comma,
    /// `=`, `!=`, `<` …
    Cmp(CmpOp),
    /// `[ … ]`: the text between the brackets.
    Sub(String),
}

/// Unescape a double-quoted string body: `\"` and `\\` are escapes, other backslashes stay.
fn quoted(text: &str, start: usize) -> Result<(String, usize), ParseError> {
    let b = text.as_bytes();
    let mut out = String::new();
    let mut i = start + 1;
    while i < b.len() {
        match b[i] {
            b'"' => return Ok((out, i + 1)),
            b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\')) => {
                out.push(b[i + 1] as char);
                i += 2;
            }
            _ => {
                let c = text[i..].chars().next().unwrap_or('\u{fffd}');
                out.push(c);
                i += c.len_utf8();
            }
        }
    }
    Err(ParseError::new("unterminated string: expected a closing `\"`", Span::new(start, text.len())))
}

/// The end of the bracketed text starting at `start` (`[`), nested brackets and quotes
/// skipped.
pub(crate) fn bracket_end(text: &str, start: usize) -> Result<usize, ParseError> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i + 1);
                }
            }
            b'"' => {
                i = quoted(text, i)?.1;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Err(ParseError::new("unterminated subsearch: expected a closing `]`", Span::new(start, text.len())))
}

/// The end of the parenthesised text starting at `start` (`(`), quotes skipped; `None`
/// when it is not closed.
fn balanced(text: &str, start: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = start;
    while i < b.len() {
        match b[i] {
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'"' => {
                i = quoted(text, i).ok()?.1;
                continue;
            }
            b'|' => return None,
            _ => {}
        }
        i += 1;
    }
    None
}

/// The end of a backtick-quoted macro call at `start`; a lone backtick is one character.
fn backtick_end(text: &str, start: usize) -> usize {
    text[start + 1..].find('`').map_or(start + 1, |p| start + 1 + p + 1)
}

/// Lex the search language.
pub(crate) fn search(text: &str) -> Result<Vec<(STok, Span)>, ParseError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\n' | b'\r' => {
                i += 1;
                continue;
            }
            b'(' => {
                i += 1;
                STok::LParen
            }
            b')' => {
                i += 1;
                STok::RParen
            }
            b',' => {
                i += 1;
                STok::Comma
            }
            b'"' => {
                let (s, end) = quoted(text, i)?;
                i = end;
                STok::Str(s)
            }
            b'[' => {
                let end = bracket_end(text, i)?;
                i = end;
                STok::Sub(text[start + 1..end - 1].trim().to_string())
            }
            b'=' => {
                i += if b.get(i + 1) == Some(&b'=') { 2 } else { 1 };
                STok::Cmp(CmpOp::Eq)
            }
            b'!' if b.get(i + 1) == Some(&b'=') => {
                i += 2;
                STok::Cmp(CmpOp::Ne)
            }
            b'<' | b'>' => {
                let eq = b.get(i + 1) == Some(&b'=');
                i += if eq { 2 } else { 1 };
                STok::Cmp(match (c, eq) {
                    (b'<', false) => CmpOp::Lt,
                    (b'<', true) => CmpOp::Le,
                    (_, false) => CmpOp::Gt,
                    _ => CmpOp::Ge,
                })
            }
            _ => {
                // Inside a word, a `(` with its balanced `)` is part of it (`*GetCurrent()*`,
                // `relative_time(now(), "-1d")`); an unbalanced one, or one after `IN`/`NOT`
                // …, starts a group.
                while i < b.len() {
                    match b[i] {
                        b'(' if i > start
                            && !["in", "not", "and", "or"].iter().any(|k| text[start..i].eq_ignore_ascii_case(k)) =>
                        {
                            match balanced(text, i) {
                                Some(end) => i = end,
                                None => break,
                            }
                        }
                        b' ' | b'\t' | b'\n' | b'\r' | b'(' | b')' | b',' | b'"' | b'=' | b'<' | b'>' | b'[' | b']' => {
                            break;
                        }
                        b'!' if b.get(i + 1) == Some(&b'=') => break,
                        b'`' => i = backtick_end(text, i),
                        b'\\' if matches!(b.get(i + 1), Some(b'"' | b'\\')) => i += 2,
                        _ => i += text[i..].chars().next().map_or(1, char::len_utf8),
                    }
                }
                if i == start {
                    return Err(ParseError::new(
                        format!("unexpected `{}`", &text[start..start + 1]),
                        Span::new(start, start + 1),
                    ));
                }
                STok::Word(text[start..i].to_string())
            }
        };
        out.push((tok, Span::new(start, i)));
    }
    Ok(out)
}

/// A token of the eval language.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ETok {
    /// A name: a field, a function or a keyword (`AND`, `LIKE`).
    Ident(String),
    /// `'field name'`.
    QField(String),
    /// `"string"`.
    Str(String),
    /// A number.
    Num(String),
    /// An operator (`==`, `.`, `+` …).
    Op(&'static str),
    /// `(`.
    LParen,
    /// `)`.
    RParen,
    /// `,`.
    Comma,
}

pub(crate) fn is_ident_start(c: char) -> bool {
    c.is_ascii_alphabetic() || matches!(c, '_' | '@' | '$' | '{')
}

pub(crate) fn is_ident_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '@' | '$' | ':' | '{' | '}')
}

/// Lex the eval language.
pub(crate) fn expr(text: &str) -> Result<Vec<(ETok, Span)>, ParseError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let c = text[i..].chars().next().unwrap_or('\u{fffd}');
        let tok = match c {
            ' ' | '\t' | '\n' | '\r' => {
                i += 1;
                continue;
            }
            '(' => {
                i += 1;
                ETok::LParen
            }
            ')' => {
                i += 1;
                ETok::RParen
            }
            ',' => {
                i += 1;
                ETok::Comma
            }
            '"' => {
                let (s, end) = quoted(text, i)?;
                i = end;
                ETok::Str(s)
            }
            '\'' => {
                let Some(p) = text[i + 1..].find('\'') else {
                    return Err(ParseError::new(
                        "unterminated field name: expected a closing `'`",
                        Span::new(start, text.len()),
                    ));
                };
                i = i + 1 + p + 1;
                ETok::QField(text[start + 1..i - 1].to_string())
            }
            '.' if b.get(i + 1).is_some_and(u8::is_ascii_digit) => {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                ETok::Num(text[start..i].to_string())
            }
            '0'..='9' => {
                while i < b.len()
                    && (b[i].is_ascii_digit() || (b[i] == b'.' && b.get(i + 1).is_some_and(u8::is_ascii_digit)))
                {
                    i += 1;
                }
                ETok::Num(text[start..i].to_string())
            }
            c if is_ident_start(c) => {
                while i < b.len() {
                    let d = b[i] as char;
                    if is_ident_char(d)
                        || (d == '.' && b.get(i + 1).is_some_and(|n| is_ident_char(*n as char) || *n == b'{'))
                    {
                        i += 1;
                    } else {
                        break;
                    }
                }
                ETok::Ident(text[start..i].to_string())
            }
            _ => {
                const OPS: &[&str] = &["==", "!=", "<=", ">=", "=", "<", ">", "+", "-", "*", "/", "%", ".", "!"];
                let Some(op) = OPS.iter().find(|o| text[i..].starts_with(**o)) else {
                    return Err(ParseError::new(format!("unexpected `{c}`"), Span::new(start, start + c.len_utf8())));
                };
                i += op.len();
                ETok::Op(op)
            }
        };
        out.push((tok, Span::new(start, i)));
    }
    Ok(out)
}
