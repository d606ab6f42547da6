//! EQL highlighting from the lexer's tokens: what a name is follows from its neighbours
//! (a call's `(`, a step's `where`, a pipe's `|`), as the parser reads them.

use super::lex::{P, T, Token, lex};
use super::parse::RESERVED;
use crate::highlight::{Class, Token as Hl, comments};

/// Names that are keywords only where EQL puts them (not reserved: they are field names
/// elsewhere): `any where`, `with maxspan=`, `with runs=`, `descendant of`.
const CONTEXT_KEYWORDS: &[&str] = &["any", "maxspan", "runs", "size", "descendant", "child", "event"];

/// The query's classified ranges; `None` when it does not scan.
pub(crate) fn highlight(text: &str) -> Option<Vec<Hl>> {
    let toks = lex(text).ok()?;
    let mut out = Vec::with_capacity(toks.len());
    let mut prev_end = 0;
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
                P::LParen | P::RParen | P::LBracket | P::RBracket | P::Comma => continue,
                // `process.name`: the dot of a field name.
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
    let next = toks.get(k + 1);
    let next_is = |p: P| next.is_some_and(|n| n.t == T::Punct(p));
    let prev = k.checked_sub(1).map(|j| &toks[j]);
    let lower = word.to_ascii_lowercase();
    if lower == "true" || lower == "false" {
        return Class::Bool;
    }
    // A unit of a duration (`maxspan=5m`).
    if !t.spaced && prev.is_some_and(|p| p.t == T::Num) {
        return Class::Number;
    }
    if prev.is_some_and(|p| p.t == T::Punct(P::Pipe)) {
        return Class::Command;
    }
    // A call: `name(`, `name~(`.
    if next.is_some_and(|n| !n.spaced)
        && (next_is(P::LParen)
            || (next_is(P::Tilde) && toks.get(k + 2).is_some_and(|n| n.t == T::Punct(P::LParen) && !n.spaced)))
    {
        return Class::Function;
    }
    if RESERVED.contains(&lower.as_str()) {
        return Class::Keyword;
    }
    // An event category: the name before `where`.
    if next.is_some_and(|n| n.t == T::Ident && text[n.span.start..n.span.end].eq_ignore_ascii_case("where")) {
        return Class::Keyword;
    }
    if CONTEXT_KEYWORDS.contains(&lower.as_str())
        && (next_is(P::Assign)
            || next.is_some_and(|n| n.t == T::Ident && text[n.span.start..n.span.end].eq_ignore_ascii_case("of")))
    {
        return Class::Keyword;
    }
    // A field name's parts after a dot stay a field; so does everything else.
    Class::Field
}
