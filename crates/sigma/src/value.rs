//! Sigma string values: wildcards, escapes and placeholders
//! (Sigma specification v2.1, "Escaping" and "Placeholders").
//!
//! In a plain string value `*` matches any run of characters and `?` one
//! character. A backslash escapes them: `\*` and `\?` are literal, `\\` is one
//! literal backslash. A backslash before any other character, and a trailing
//! or lone backslash, is itself (`C:\Windows\cmd.exe` needs no doubling).
//! With `|expand`, `%name%` is a placeholder and `\%` a literal percent sign.

use serde::Serialize;

/// One piece of a parsed string value.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum Part {
    /// Literal text (escapes resolved).
    Literal(String),
    /// `*`: any run of characters, possibly empty.
    AnyChars,
    /// `?`: exactly one character.
    OneChar,
    /// `%name%` under `|expand`.
    Placeholder(String),
}

/// A string value split into literal text, wildcards and placeholders.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(transparent)]
pub struct SigmaString {
    /// The parts, adjacent literals merged.
    pub parts: Vec<Part>,
}

impl SigmaString {
    /// Parse `raw` as written in a rule (after YAML unescaping).
    /// `placeholders` turns `%name%` into [`Part::Placeholder`] (the `expand` modifier).
    pub fn parse(raw: &str, placeholders: bool) -> Self {
        let mut s = SigmaString::default();
        let mut lit = String::new();
        let bytes = raw.as_bytes();
        // Every special character is ASCII: the text between two of them is copied in one go
        // (a char-by-char copy was 5% of `lint`'s instructions over SigmaHQ).
        let special = |c: u8| matches!(c, b'\\' | b'*' | b'?') || (placeholders && c == b'%');
        let mut i = 0;
        while i < bytes.len() {
            let at = bytes[i..].iter().position(|&c| special(c)).map_or(bytes.len(), |n| i + n);
            lit.push_str(&raw[i..at]);
            let Some(&c) = bytes.get(at) else { break };
            i = at + 1;
            match c {
                b'\\' => match bytes.get(i) {
                    Some(&n @ (b'*' | b'?' | b'\\')) => {
                        lit.push(char::from(n));
                        i += 1;
                    }
                    Some(b'%') if placeholders => {
                        lit.push('%');
                        i += 1;
                    }
                    _ => lit.push('\\'),
                },
                b'*' => {
                    s.flush(&mut lit);
                    s.parts.push(Part::AnyChars);
                }
                b'?' => {
                    s.flush(&mut lit);
                    s.parts.push(Part::OneChar);
                }
                _ => {
                    // `%name%` with a closing `%` and a name of letters, digits, `_-.`.
                    let rest = &raw[i..];
                    match rest.find('%') {
                        Some(n) if n > 0 && rest[..n].chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)) => {
                            s.flush(&mut lit);
                            s.parts.push(Part::Placeholder(rest[..n].to_string()));
                            i += n + 1;
                        }
                        _ => lit.push('%'),
                    }
                }
            }
        }
        s.flush(&mut lit);
        s
    }

    /// A string of literal text only.
    pub fn literal(text: &str) -> Self {
        let mut s = SigmaString::default();
        if !text.is_empty() {
            s.parts.push(Part::Literal(text.to_string()));
        }
        s
    }

    fn flush(&mut self, lit: &mut String) {
        if !lit.is_empty() {
            self.parts.push(Part::Literal(std::mem::take(lit)));
        }
    }

    /// True if the value has a `*` or `?` wildcard.
    pub fn has_wildcards(&self) -> bool {
        self.parts.iter().any(|p| matches!(p, Part::AnyChars | Part::OneChar))
    }

    /// Names of the placeholders in the value.
    pub fn placeholders(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Placeholder(n) => Some(n.as_str()),
            _ => None,
        })
    }

    /// The value when it is literal text only.
    pub fn as_literal(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [] => Some(""),
            [Part::Literal(s)] => Some(s),
            _ => None,
        }
    }

    /// Prepend `*` (for `endswith`/`contains`) unless it already starts with one.
    pub fn prepend_any(&mut self) {
        if self.parts.first() != Some(&Part::AnyChars) {
            self.parts.insert(0, Part::AnyChars);
        }
    }

    /// Append `*` (for `startswith`/`contains`) unless it already ends with one.
    pub fn append_any(&mut self) {
        if self.parts.last() != Some(&Part::AnyChars) {
            self.parts.push(Part::AnyChars);
        }
    }
}

impl std::fmt::Display for SigmaString {
    /// Writes the value back in Sigma syntax, escaping what needs it.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // With placeholders the value is read under `|expand`, where `%` is special too.
        let expand = self.parts.iter().any(|p| matches!(p, Part::Placeholder(_)));
        for p in &self.parts {
            match p {
                Part::AnyChars => f.write_str("*")?,
                Part::OneChar => f.write_str("?")?,
                Part::Placeholder(n) => write!(f, "%{n}%")?,
                Part::Literal(s) => {
                    let mut chars = s.chars().peekable();
                    while let Some(c) = chars.next() {
                        match c {
                            '*' | '?' => write!(f, "\\{c}")?,
                            '%' if expand => f.write_str("\\%")?,
                            // A backslash needs doubling only where it would
                            // otherwise escape the next character.
                            '\\' if matches!(chars.peek(), None | Some('*' | '?' | '\\'))
                                || (expand && chars.peek() == Some(&'%')) =>
                            {
                                f.write_str("\\\\")?
                            }
                            c => write!(f, "{c}")?,
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Part::*;

    fn lit(s: &str) -> Part {
        Literal(s.to_string())
    }

    #[test]
    fn wildcards() {
        assert_eq!(SigmaString::parse("*\\cmd.exe", false).parts, vec![AnyChars, lit("\\cmd.exe")]);
        assert_eq!(SigmaString::parse("a?c*", false).parts, vec![lit("a"), OneChar, lit("c"), AnyChars]);
    }

    #[test]
    fn escapes_follow_the_specification() {
        assert_eq!(SigmaString::parse(r"a\*b", false).parts, vec![lit("a*b")]);
        assert_eq!(SigmaString::parse(r"a\?b", false).parts, vec![lit("a?b")]);
        assert_eq!(SigmaString::parse(r"\\server\share", false).parts, vec![lit(r"\server\share")]);
        // Four backslashes are the two of a UNC path.
        assert_eq!(SigmaString::parse(r"\\\\server", false).parts, vec![lit(r"\\server")]);
        // A backslash before an ordinary character is itself.
        assert_eq!(SigmaString::parse(r"C:\Windows\cmd.exe", false).parts, vec![lit(r"C:\Windows\cmd.exe")]);
        // Trailing and lone backslashes are literal.
        assert_eq!(SigmaString::parse(r"dir\", false).parts, vec![lit(r"dir\")]);
        assert_eq!(SigmaString::parse(r"\", false).parts, vec![lit(r"\")]);
        // An escaped backslash before a wildcard leaves the wildcard active.
        assert_eq!(SigmaString::parse(r"a\\*", false).parts, vec![lit(r"a\"), AnyChars]);
    }

    #[test]
    fn placeholders_only_with_expand() {
        assert_eq!(SigmaString::parse("%admins%", true).parts, vec![Placeholder("admins".into())]);
        assert_eq!(SigmaString::parse("%admins%", false).parts, vec![lit("%admins%")]);
        assert_eq!(SigmaString::parse(r"\%x%", true).parts, vec![lit("%x%")]);
        assert_eq!(SigmaString::parse("100%", true).parts, vec![lit("100%")]);
        assert_eq!(SigmaString::parse("a%b%c", true).parts, vec![lit("a"), Placeholder("b".into()), lit("c")]);
    }

    #[test]
    fn empty_string_has_no_parts() {
        assert!(SigmaString::parse("", false).parts.is_empty());
        assert_eq!(SigmaString::parse("", false).as_literal(), Some(""));
    }

    #[test]
    fn display_round_trips() {
        for raw in [r"*\cmd.exe", r"a\*b", r"\\\\srv\share", r"dir\", "x?y*", r"a\\*"] {
            let s = SigmaString::parse(raw, false);
            assert_eq!(SigmaString::parse(&s.to_string(), false), s, "{raw} -> {s}");
        }
    }
}

#[cfg(test)]
mod parse_oracle {
    use super::*;
    use proptest::prelude::*;

    /// The char-by-char reading `parse` replaced: the oracle it must agree with.
    fn naive(raw: &str, placeholders: bool) -> SigmaString {
        let mut s = SigmaString::default();
        let mut lit = String::new();
        let mut chars = raw.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.peek() {
                    Some(&n @ ('*' | '?' | '\\')) => {
                        lit.push(n);
                        chars.next();
                    }
                    Some('%') if placeholders => {
                        lit.push('%');
                        chars.next();
                    }
                    _ => lit.push('\\'),
                },
                '*' => {
                    s.flush(&mut lit);
                    s.parts.push(Part::AnyChars);
                }
                '?' => {
                    s.flush(&mut lit);
                    s.parts.push(Part::OneChar);
                }
                '%' if placeholders => {
                    let rest: String = chars.clone().take_while(|&c| c != '%').collect();
                    let closed = chars.clone().nth(rest.chars().count()) == Some('%');
                    if closed && !rest.is_empty() && rest.chars().all(|c| c.is_alphanumeric() || "_-.".contains(c)) {
                        s.flush(&mut lit);
                        for _ in 0..=rest.chars().count() {
                            chars.next();
                        }
                        s.parts.push(Part::Placeholder(rest));
                    } else {
                        lit.push('%');
                    }
                }
                c => lit.push(c),
            }
        }
        s.flush(&mut lit);
        s
    }

    proptest! {
        #[test]
        fn parse_agrees_with_the_char_by_char_reading(raw in "[a-zé_.\\- %*?\\\\]{0,24}", placeholders: bool) {
            prop_assert_eq!(SigmaString::parse(&raw, placeholders), naive(&raw, placeholders));
        }
    }

    #[test]
    fn parse_examples() {
        for raw in ["", "a*b?c", "\\*x\\\\y\\?", "%foo%bar", "%", "%%", "%a b%", "\\%x%", "é%é%*", "trailing\\"] {
            for p in [false, true] {
                assert_eq!(SigmaString::parse(raw, p), naive(raw, p), "{raw:?} placeholders={p}");
            }
        }
    }
}
