//! MQL tokens: one pass over the query's bytes, comments and white space skipped.

use super::Quote;
use super::parse::QueryError;
use crate::span::Span;

/// What a token is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tok {
    /// A word: a name, a keyword (`and`, `or`, `not`, `in`, `is`, `null`, `true`, `false`).
    Word(String),
    /// `in~`.
    InCi,
    /// A number as written.
    Number(String),
    /// A string: the text between the quotes, as written.
    Str(String, Quote),
    /// `$name`.
    List(String),
    /// `.`
    Dot,
    /// `,`
    Comma,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `=`
    Assign,
    /// `==`
    EqEq,
    /// `!=`
    Ne,
    /// `=~`
    EqCi,
    /// `!~`
    NeCi,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `*`
    Star,
    /// `/`
    Slash,
    /// `%`
    Percent,
    /// The end of the query.
    Eof,
}

impl Tok {
    /// The token as a user reads it in a message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{w}`"),
            Tok::InCi => "`in~`".into(),
            Tok::Number(n) => format!("number `{n}`"),
            Tok::Str(..) => "a string".into(),
            Tok::List(n) => format!("`${n}`"),
            Tok::Eof => "the end of the query".into(),
            other => format!("`{}`", other.symbol()),
        }
    }

    fn symbol(&self) -> &'static str {
        match self {
            Tok::Dot => ".",
            Tok::Comma => ",",
            Tok::LParen => "(",
            Tok::RParen => ")",
            Tok::LBracket => "[",
            Tok::RBracket => "]",
            Tok::Assign => "=",
            Tok::EqEq => "==",
            Tok::Ne => "!=",
            Tok::EqCi => "=~",
            Tok::NeCi => "!~",
            Tok::Lt => "<",
            Tok::Le => "<=",
            Tok::Gt => ">",
            Tok::Ge => ">=",
            Tok::Plus => "+",
            Tok::Minus => "-",
            Tok::Star => "*",
            Tok::Slash => "/",
            Tok::Percent => "%",
            _ => "",
        }
    }
}

/// A token and where it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Token {
    /// What it is.
    pub tok: Tok,
    /// Where.
    pub span: Span,
}

fn is_word_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// The tokens of `text`, ending with [`Tok::Eof`].
pub fn tokens(text: &str) -> Result<Vec<Token>, QueryError> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 4);
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let start = i;
        let tok = match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                i += 1;
                continue;
            }
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'\'' | b'"' => {
                let quote = if c == b'\'' { Quote::Single } else { Quote::Double };
                i += 1;
                loop {
                    match b.get(i) {
                        None => {
                            return Err(QueryError::syntax(
                                "unterminated string",
                                Span::new(start, b.len()),
                                format!("close the string with `{}`", c as char),
                            ));
                        }
                        // `''` inside a single-quoted string is one `'`.
                        Some(&q) if q == c && quote == Quote::Single && b.get(i + 1) == Some(&b'\'') => i += 2,
                        Some(&q) if q == c => break,
                        Some(b'\\') if quote == Quote::Double && i + 1 < b.len() => i += 2,
                        Some(_) => i += 1,
                    }
                }
                i += 1;
                Tok::Str(text[start + 1..i - 1].to_string(), quote)
            }
            b'$' => {
                i += 1;
                while i < b.len() && is_word(b[i]) {
                    i += 1;
                }
                if i == start + 1 {
                    return Err(QueryError::syntax(
                        "expected a list name after `$`",
                        Span::new(start, start + 1),
                        "write a list as `$name`",
                    ));
                }
                Tok::List(text[start + 1..i].to_string())
            }
            b'0'..=b'9' => {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
                    i += 1;
                    while i < b.len() && b[i].is_ascii_digit() {
                        i += 1;
                    }
                }
                Tok::Number(text[start..i].to_string())
            }
            c if is_word_start(c) => {
                while i < b.len() && is_word(b[i]) {
                    i += 1;
                }
                let w = &text[start..i];
                if w == "in" && b.get(i) == Some(&b'~') {
                    i += 1;
                    Tok::InCi
                } else {
                    Tok::Word(w.to_string())
                }
            }
            _ => {
                let two = b.get(i + 1).copied();
                let (tok, len) = match (c, two) {
                    (b'=', Some(b'=')) => (Tok::EqEq, 2),
                    (b'=', Some(b'~')) => (Tok::EqCi, 2),
                    (b'!', Some(b'=')) => (Tok::Ne, 2),
                    (b'!', Some(b'~')) => (Tok::NeCi, 2),
                    (b'<', Some(b'=')) => (Tok::Le, 2),
                    (b'>', Some(b'=')) => (Tok::Ge, 2),
                    (b'=', _) => (Tok::Assign, 1),
                    (b'<', _) => (Tok::Lt, 1),
                    (b'>', _) => (Tok::Gt, 1),
                    (b'.', _) => (Tok::Dot, 1),
                    (b',', _) => (Tok::Comma, 1),
                    (b'(', _) => (Tok::LParen, 1),
                    (b')', _) => (Tok::RParen, 1),
                    (b'[', _) => (Tok::LBracket, 1),
                    (b']', _) => (Tok::RBracket, 1),
                    (b'+', _) => (Tok::Plus, 1),
                    (b'-', _) => (Tok::Minus, 1),
                    (b'*', _) => (Tok::Star, 1),
                    (b'/', _) => (Tok::Slash, 1),
                    (b'%', _) => (Tok::Percent, 1),
                    _ => {
                        let ch = text[i..].chars().next().unwrap_or('?');
                        return Err(QueryError::syntax(
                            format!("unexpected character `{ch}`"),
                            Span::new(i, i + ch.len_utf8()),
                            "MQL has fields, strings, numbers, `$lists`, calls and the operators == != =~ !~ < <= > >= in in~ and or not + - * / %",
                        ));
                    }
                };
                i += len;
                tok
            }
        };
        out.push(Token { tok, span: Span::new(start, i) });
    }
    out.push(Token { tok: Tok::Eof, span: Span::point(b.len()) });
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        tokens(s).unwrap().into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn strings_single_are_raw_double_escape_quotes() {
        assert_eq!(toks(r"':/\'"), vec![Tok::Str(r":/\".into(), Quote::Single), Tok::Eof]);
        assert_eq!(toks(r#""a\"b""#), vec![Tok::Str(r#"a\"b"#.into(), Quote::Double), Tok::Eof]);
        assert_eq!(
            toks("'a''b' ''"),
            vec![Tok::Str("a''b".into(), Quote::Single), Tok::Str(String::new(), Quote::Single), Tok::Eof]
        );
    }

    #[test]
    fn operators_comments_and_in_ci() {
        assert_eq!(
            toks("a in~ $x // c\n!= =~ !~ <= >= = ."),
            vec![
                Tok::Word("a".into()),
                Tok::InCi,
                Tok::List("x".into()),
                Tok::Ne,
                Tok::EqCi,
                Tok::NeCi,
                Tok::Le,
                Tok::Ge,
                Tok::Assign,
                Tok::Dot,
                Tok::Eof
            ]
        );
        assert_eq!(toks("1.5 2"), vec![Tok::Number("1.5".into()), Tok::Number("2".into()), Tok::Eof]);
    }

    #[test]
    fn errors_have_spans() {
        let e = tokens("a == 'x").unwrap_err();
        assert_eq!(e.span, Span::new(5, 7));
        let e = tokens("a # b").unwrap_err();
        assert_eq!((e.span, e.message.as_str()), (Span::new(2, 3), "unexpected character `#`"));
    }
}
