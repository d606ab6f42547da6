//! ES|QL highlighting: the source command from the parser's reading of `FROM` (index patterns
//! are not tokens), the rest from the lexer's tokens.

use super::lex::{P, T, Token, lex};
use super::parse::{RESERVED, UNITS, source};
use crate::highlight::{Class, Token as Hl, comments};
use crate::span::Span;

/// The query's classified ranges; `None` when it does not scan.
pub(crate) fn highlight(text: &str) -> Option<Vec<Hl>> {
    let (src, end) = source(text).ok()?;
    let toks = lex(text, end).ok()?;
    let mut out = Vec::with_capacity(toks.len() + src.indices.len() + 2);
    comments(text, 0, src.span.start, &mut out);
    let cmd_end = src.span.start + src.command.len();
    out.push(Hl { span: Span::new(src.span.start, cmd_end), class: Class::Command });
    let mut prev_end = cmd_end;
    for ix in &src.indices {
        comments(text, prev_end, ix.span.start, &mut out);
        out.push(Hl { span: ix.span, class: Class::Source });
        prev_end = ix.span.end;
    }
    // `METADATA _id, _index`: a keyword, then field names.
    let meta = &text[prev_end..src.span.end];
    let mut at = prev_end;
    for word in meta.split(|c: char| c == ',' || c.is_whitespace()) {
        if !word.is_empty() {
            let start = at + (text[at..].find(word).unwrap_or(0));
            let class = if word.eq_ignore_ascii_case("metadata") { Class::Keyword } else { Class::Field };
            out.push(Hl { span: Span::new(start, start + word.len()), class });
            at = start + word.len();
        }
    }
    let mut prev_end = src.span.end;
    for (k, t) in toks.iter().enumerate() {
        comments(text, prev_end, t.span.start, &mut out);
        prev_end = t.span.end;
        let class = match &t.t {
            T::Eof => break,
            T::Str(_) => Class::String,
            T::Num => Class::Number,
            T::Backtick(_) => Class::Field,
            T::Ident => ident(text, &toks, k),
            T::Punct(p) => match p {
                P::Pipe => Class::Pipe,
                P::LParen | P::RParen | P::LBracket | P::RBracket | P::LBrace | P::RBrace | P::Comma => continue,
                P::Dot => Class::Field,
                _ => Class::Operator,
            },
        };
        out.push(Hl { span: t.span, class });
    }
    Some(out)
}

fn ident(text: &str, toks: &[Token], k: usize) -> Class {
    let t = &toks[k];
    let word = &text[t.span.start..t.span.end];
    let lower = word.to_ascii_lowercase();
    let prev = k.checked_sub(1).map(|j| &toks[j]);
    let next = toks.get(k + 1);
    if prev.is_some_and(|p| p.t == T::Punct(P::Pipe)) {
        return Class::Command;
    }
    if lower == "true" || lower == "false" {
        return Class::Bool;
    }
    if RESERVED.contains(&lower.as_str()) {
        return Class::Keyword;
    }
    if next.is_some_and(|n| n.t == T::Punct(P::LParen)) {
        return Class::Function;
    }
    // A type after `::`, a unit after a number (`15 minutes`).
    if prev.is_some_and(|p| p.t == T::Punct(P::Cast)) {
        return Class::Keyword;
    }
    if prev.is_some_and(|p| p.t == T::Num) && UNITS.iter().any(|u| u.eq_ignore_ascii_case(word)) {
        return Class::Number;
    }
    Class::Field
}
