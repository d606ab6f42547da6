//! The YARA-L tokenizer: byte spans into the file, comments skipped.
//!
//! `/` is ambiguous in YARA-L: after an operand (a field, a number, `)`) it divides, anywhere
//! else it opens a regular expression (`$e.f = /x.*/`). The lexer decides from the previous
//! token, which is all the grammar needs.

use crate::Span;

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A word: a keyword, a section name, a function name part, a meta key, `true`.
    Ident(String),
    /// `$name` (an event variable, a placeholder, an outcome or match variable).
    Var(String),
    /// `#name` (the count of an event or placeholder variable, in the condition).
    Count(String),
    /// `%name` (a reference list).
    Ref(String),
    /// `"…"` (escapes resolved).
    Str(String),
    /// `` `…` `` (taken as written: a raw string, mostly for regexes).
    Raw(String),
    /// `/…/` (the pattern as written, `\/` kept).
    Regex(String),
    /// A number as written (`10`, `0.5`).
    Number(String),
    /// A duration (`5m`, `1h`, `30s`, `2d`).
    Duration(String),
    /// Punctuation or an operator (`(`, `!=`, `.`, `:` …).
    Punct(&'static str),
}

/// A token with its place.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where.
    pub span: Span,
    /// A line break comes between the previous token and this one.
    pub line_start: bool,
}

/// A lexing failure: what, where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LexError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
}

const PUNCT: &[&str] =
    &["!=", "<=", ">=", "(", ")", "[", "]", "{", "}", ",", ".", ":", "=", "<", ">", "+", "-", "*", "/", "!"];

/// Words that are keywords whatever their case.
const KEYWORDS: &[&str] = &["and", "or", "not", "in", "nocase", "regex", "cidr", "true", "false"];

fn ends_operand(t: Option<&Token>) -> bool {
    matches!(
        t.map(|t| &t.tok),
        Some(
            Tok::Var(_)
                | Tok::Count(_)
                | Tok::Ref(_)
                | Tok::Str(_)
                | Tok::Raw(_)
                | Tok::Regex(_)
                | Tok::Number(_)
                | Tok::Duration(_)
                | Tok::Punct(")" | "]")
        )
    ) || matches!(t.map(|t| &t.tok), Some(Tok::Ident(w)) if !is_operator_word(w))
}

/// Words after which an operand comes (so a `/` after them opens a regex).
fn is_operator_word(w: &str) -> bool {
    matches!(w, "and" | "or" | "not" | "in" | "regex" | "cidr" | "any" | "all" | "nocase")
}

fn is_word_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_'
}

fn is_word(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'_'
}

/// Tokenize `text`; comments (`//`, `/* */`) and white space are skipped.
pub fn lex(text: &str) -> Result<Vec<Token>, LexError> {
    let mut out = Vec::new();
    lex_into(text, &mut out, &mut Vec::new()).map(|()| out)
}

/// Tokenize `text` for highlighting: the tokens up to the first error, and the comments.
pub fn lex_lossy(text: &str) -> (Vec<Token>, Vec<Span>) {
    let (mut out, mut comments) = (Vec::new(), Vec::new());
    let _ = lex_into(text, &mut out, &mut comments);
    (out, comments)
}

fn lex_into(text: &str, out: &mut Vec<Token>, comments: &mut Vec<Span>) -> Result<(), LexError> {
    let b = text.as_bytes();
    let mut i = 0;
    let mut line_start = true;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            line_start |= c == b'\n';
            i += 1;
            continue;
        }
        let start = i;
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            comments.push(Span::new(start, i));
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            match text[i + 2..].find("*/") {
                Some(end) => {
                    line_start |= text[i..i + 2 + end].contains('\n');
                    i = i + 2 + end + 2;
                    comments.push(Span::new(start, i));
                }
                None => {
                    return Err(LexError { message: "unterminated `/*` comment".into(), span: Span::new(i, i + 2) });
                }
            }
            continue;
        }
        let tok = if c == b'"' {
            let mut s = String::new();
            i += 1;
            loop {
                let Some(ch) = text[i..].chars().next() else {
                    return Err(LexError {
                        message: "unterminated string: expected `\"`".into(),
                        span: Span::new(start, i),
                    });
                };
                if ch == '"' {
                    i += 1;
                    break;
                }
                if ch == '\\' {
                    let Some(next) = text[i + 1..].chars().next() else {
                        return Err(LexError {
                            message: "unterminated string: expected `\"`".into(),
                            span: Span::new(start, i + 1),
                        });
                    };
                    match next {
                        '"' | '\\' => s.push(next),
                        'n' => s.push('\n'),
                        't' => s.push('\t'),
                        // Other escapes are kept as written (`"\."` in a regex string).
                        _ => {
                            s.push('\\');
                            s.push(next);
                        }
                    }
                    i += 1 + next.len_utf8();
                    continue;
                }
                s.push(ch);
                i += ch.len_utf8();
            }
            Tok::Str(s)
        } else if c == b'`' {
            match text[i + 1..].find('`') {
                Some(end) => {
                    let s = text[i + 1..i + 1 + end].to_string();
                    i = i + 1 + end + 1;
                    Tok::Raw(s)
                }
                None => {
                    return Err(LexError {
                        message: "unterminated raw string: expected `` ` ``".into(),
                        span: Span::new(i, i + 1),
                    });
                }
            }
        } else if c == b'/' && !ends_operand(out.last()) {
            i += 1;
            let mut s = String::new();
            loop {
                let Some(ch) = text[i..].chars().next() else {
                    return Err(LexError {
                        message: "unterminated regular expression: expected `/`".into(),
                        span: Span::new(start, i),
                    });
                };
                if ch == '\n' {
                    return Err(LexError {
                        message: "unterminated regular expression: expected `/` before the end of the line".into(),
                        span: Span::new(start, i),
                    });
                }
                if ch == '/' {
                    i += 1;
                    break;
                }
                if ch == '\\' {
                    if let Some(next) = text[i + 1..].chars().next().filter(|n| *n != '\n') {
                        s.push('\\');
                        s.push(next);
                        i += 1 + next.len_utf8();
                        continue;
                    }
                }
                s.push(ch);
                i += ch.len_utf8();
            }
            Tok::Regex(s)
        } else if matches!(c, b'$' | b'#' | b'%') {
            i += 1;
            while i < b.len() && is_word(b[i]) {
                i += 1;
            }
            if i == start + 1 {
                return Err(LexError {
                    message: format!("expected a name after `{}`", c as char),
                    span: Span::new(start, start + 1),
                });
            }
            let name = text[start + 1..i].to_string();
            match c {
                b'$' => Tok::Var(name),
                b'#' => Tok::Count(name),
                _ => Tok::Ref(name),
            }
        } else if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            if i < b.len() && matches!(b[i], b's' | b'm' | b'h' | b'd') && !b.get(i + 1).is_some_and(|x| is_word(*x)) {
                i += 1;
                Tok::Duration(text[start..i].to_string())
            } else {
                Tok::Number(text[start..i].to_string())
            }
        } else if is_word_start(c) {
            while i < b.len() && is_word(b[i]) {
                i += 1;
            }
            let word = &text[start..i];
            let after_dot = matches!(out.last(), Some(Token { tok: Tok::Punct("."), .. }));
            // Keywords are case-insensitive (`AND`, `NOCASE`); field names after `.` are not.
            match KEYWORDS.iter().find(|k| k.eq_ignore_ascii_case(word)) {
                Some(k) if !after_dot => Tok::Ident((*k).to_string()),
                _ => Tok::Ident(word.to_string()),
            }
        } else if let Some(p) = PUNCT.iter().find(|p| text[i..].starts_with(**p)) {
            i += p.len();
            Tok::Punct(p)
        } else {
            let ch = text[i..].chars().next().unwrap_or('?');
            return Err(LexError {
                message: format!("unexpected character `{ch}`"),
                span: Span::new(i, i + ch.len_utf8()),
            });
        };
        out.push(Token { tok, span: Span::new(start, i), line_start });
        line_start = false;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        lex(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn slash_is_a_regex_after_an_operator_and_division_after_an_operand() {
        assert_eq!(
            toks("$e.f = /a\\/b/ nocase"),
            vec![
                Tok::Var("e".into()),
                Tok::Punct("."),
                Tok::Ident("f".into()),
                Tok::Punct("="),
                Tok::Regex("a\\/b".into()),
                Tok::Ident("nocase".into())
            ]
        );
        assert_eq!(toks("$x / 2")[1], Tok::Punct("/"));
    }

    #[test]
    fn strings_durations_comments_and_sigils() {
        assert_eq!(
            toks("\"a\\\"b\" `c\\d` 5m 10 // x\n/* y */ #e %list"),
            vec![
                Tok::Str("a\"b".into()),
                Tok::Raw("c\\d".into()),
                Tok::Duration("5m".into()),
                Tok::Number("10".into()),
                Tok::Count("e".into()),
                Tok::Ref("list".into())
            ]
        );
    }

    #[test]
    fn unterminated_things_are_errors_with_their_place() {
        assert_eq!(lex("x = \"abc").unwrap_err().span, Span::new(4, 8));
        assert!(lex("/* open").is_err());
        assert!(lex("$e.f = /abc\n").is_err());
        assert_eq!(lex("a @ b").unwrap_err().message, "unexpected character `@`");
    }
}
