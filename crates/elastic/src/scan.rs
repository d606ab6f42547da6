//! Token scanning the EQL and ES|QL lexers share: comments and whitespace, numbers, raw
//! `"""…"""` strings, `` `quoted names` ``, and punctuation looked up in per-language tables.
//! What differs between the languages (name characters, quoted strings and their escapes,
//! the punctuation itself, the help texts) stays in each lexer and comes in as parameters.

use crate::query::QueryError;
use crate::span::Span;

/// Skip whitespace, `//` line comments and `/* */` block comments from `i`; the offset of the
/// next token (or the end of `text`).
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

/// The end of a name starting at `i`: the longest run of bytes `continues` accepts.
pub(crate) fn name_end(bytes: &[u8], mut i: usize, continues: impl Fn(u8) -> bool) -> usize {
    while i < bytes.len() && continues(bytes[i]) {
        i += 1;
    }
    i
}

fn digits_end(bytes: &[u8], i: usize) -> usize {
    name_end(bytes, i, |b| b.is_ascii_digit())
}

/// The end of a number starting with a digit at `i`: digits, then `.` and digits, then an
/// exponent (`e`, an optional sign, digits), the last two only when digits follow.
pub(crate) fn number_end(bytes: &[u8], i: usize) -> usize {
    let mut i = digits_end(bytes, i);
    if bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i = digits_end(bytes, i + 1);
    }
    if matches!(bytes.get(i), Some(b'e' | b'E')) {
        let mut j = i + 1;
        if matches!(bytes.get(j), Some(b'+' | b'-')) {
            j += 1;
        }
        if bytes.get(j).is_some_and(u8::is_ascii_digit) {
            i = digits_end(bytes, j);
        }
    }
    i
}

/// A raw `"""…"""` string starting at `i`: its text and the offset past it. Up to two more
/// quotes right before the closing ones belong to the string.
pub(crate) fn raw_string(text: &str, i: usize) -> Result<(String, usize), QueryError> {
    let Some(end) = text[i + 3..].find("\"\"\"") else {
        return Err(QueryError::syntax("unterminated raw string", Span::new(i, i + 3), "close it with `\"\"\"`"));
    };
    let mut end = i + 3 + end;
    while text.as_bytes().get(end + 3) == Some(&b'"') {
        end += 1;
    }
    Ok((text[i + 3..end].to_string(), end + 3))
}

/// A `` `quoted name` `` starting at `i`, doubled backticks resolved: the name and the
/// offset past it.
pub(crate) fn quoted_name(text: &str, i: usize) -> Result<(String, usize), QueryError> {
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
        if text.as_bytes().get(j) == Some(&b'`') {
            s.push('`');
            j += 1;
        } else {
            return Ok((s, j));
        }
    }
}

/// The punctuation at `i`: a two-character one from `two` first, else a one-character one
/// from `one`; with its length. An unknown character is an error with `help`.
pub(crate) fn punct<P: Copy>(
    text: &str,
    i: usize,
    two: &[(&str, P)],
    one: &[(u8, P)],
    help: &str,
) -> Result<(P, usize), QueryError> {
    let pair = text.get(i..i + 2).unwrap_or("");
    if let Some(&(_, p)) = two.iter().find(|(s, _)| *s == pair) {
        return Ok((p, 2));
    }
    let b = text.as_bytes()[i];
    if let Some(&(_, p)) = one.iter().find(|(c, _)| *c == b) {
        return Ok((p, 1));
    }
    let c = text[i..].chars().next().expect("in bounds");
    Err(QueryError::syntax(format!("unexpected character `{c}`"), Span::new(i, i + c.len_utf8()), help))
}
