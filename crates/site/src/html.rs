//! HTML helpers: escaping, the YAML highlighter, link safety and URL path
//! encoding. The templates ([`crate::templates`]) escape every string they
//! print; the only markup they copy as is (highlighted YAML, rules-table rows)
//! is built from escaped text here and in [`crate::views`].

use std::fmt::Write as _;

/// Escape text for HTML element content and double-quoted attribute values
/// (the templates quote every attribute with `"`, so `'` needs no escape).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_into(&mut out, s);
    out
}

fn escape_into(out: &mut String, s: &str) {
    let _ = write_escaped(out, s);
}

/// Write `s` escaped, copying the runs between special characters whole.
pub fn write_escaped(out: &mut impl std::fmt::Write, s: &str) -> std::fmt::Result {
    let bytes = s.as_bytes();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        // Skip eight bytes at a time while none of them needs escaping.
        if let Some(chunk) = bytes.get(i..i + 8)
            && !has_special(u64::from_le_bytes(chunk.try_into().unwrap_or_default()))
        {
            i += 8;
            continue;
        }
        let rep = match bytes[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => {
                i += 1;
                continue;
            }
        };
        out.write_str(&s[last..i])?;
        out.write_str(rep)?;
        i += 1;
        last = i;
    }
    out.write_str(&s[last..])
}

/// Whether any byte of `w` is `&`, `<`, `>` or `"` (SWAR: a byte equal to the
/// one looked for is a zero byte of the XOR).
#[inline]
fn has_special(w: u64) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGH;
    (zero(w ^ (ONES * u64::from(b'&')))
        | zero(w ^ (ONES * u64::from(b'<')))
        | zero(w ^ (ONES * u64::from(b'>')))
        | zero(w ^ (ONES * u64::from(b'"'))))
        != 0
}

/// The URL when it may be linked: only `http://` and `https://` URLs (any
/// case, no leading blanks or control characters) are; `javascript:`,
/// `data:` and everything else stay text.
pub fn safe_href(url: &str) -> Option<String> {
    let u = url.trim();
    let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    let ok = (lower.starts_with("http://") || lower.starts_with("https://"))
        && !u.chars().any(|c| c.is_control() || c.is_whitespace());
    ok.then(|| u.to_string())
}

/// Percent-encode one URL path segment (everything but unreserved characters).
pub fn pct(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for b in segment.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Decode `%XX` escapes of a URL path (invalid escapes are kept as written).
pub fn pct_decode(path: &str) -> String {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(h * 16 + l);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// Highlight YAML as written with simple spans: keys (`k`), quoted strings
/// (`s`) and comments (`c`). Everything is escaped; the text is otherwise
/// unchanged, so copying it out of the page gives the file back.
pub fn highlight_yaml(out: &mut String, text: &str) {
    out.reserve(text.len() * 5 / 4 + 64);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        highlight_line(out, line);
    }
}

/// Write `text` with the classified ranges of a language's highlighter ([`Highlight`]s,
/// sorted and disjoint, computed over `text` or a longer text it begins) wrapped in
/// `<span class=…>`; everything escaped. A range running past the end of `text` is cut there;
/// ranges that are not on character boundaries, out of order or empty are left plain, so a
/// highlighter's mistake can cost colour, never text.
///
/// [`Highlight`]: detwiki_catalog::lang::Highlight
pub fn highlight_ranges(out: &mut String, text: &str, ranges: &[detwiki_catalog::lang::Highlight]) {
    out.reserve(text.len() * 5 / 4 + 64);
    let mut last = 0;
    for r in ranges {
        let end = r.end.min(text.len());
        if r.start < last || r.start >= end || !text.is_char_boundary(r.start) || !text.is_char_boundary(end) {
            if r.start >= text.len() {
                break;
            }
            continue;
        }
        escape_into(out, &text[last..r.start]);
        span(out, class_name(r.class), &text[r.start..end]);
        last = end;
    }
    escape_into(out, &text[last..]);
}

/// The CSS class of a highlighted range (`k`, `s`, `c` as in YAML).
fn class_name(c: detwiki_catalog::lang::HighlightClass) -> &'static str {
    use detwiki_catalog::lang::HighlightClass as C;
    match c {
        C::Key => "k",
        C::Table => "t",
        C::String => "s",
        C::Number => "n",
        C::Bool => "b",
        C::Comment => "c",
        C::Field => "f",
        C::Keyword => "kw",
        C::Command => "cm",
        C::Operator => "o",
        C::Function => "fn",
        C::Pipe => "p",
        C::Source => "src",
    }
}

fn span(out: &mut String, class: &str, text: &str) {
    if text.is_empty() {
        return;
    }
    out.push_str("<span class=");
    out.push_str(class);
    out.push('>');
    escape_into(out, text);
    out.push_str("</span>");
}

/// Byte offset of a comment (`#` at the start or after a blank, outside quotes).
/// Every character it looks for is ASCII, so it walks bytes; the character before a
/// `#` or an opening quote is decoded only there.
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    // Most lines have no `#` at all (a memchr).
    if !b.contains(&b'#') {
        return None;
    }
    let prev = |i: usize| line[..i].chars().next_back().unwrap_or(' ');
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(b'\'') if c == b'\'' => {
                if b.get(i + 1) == Some(&b'\'') {
                    i += 1;
                } else {
                    quote = None;
                }
            }
            // The escaped character is skipped (its other bytes, if any, are never ASCII).
            Some(b'"') if c == b'\\' => i += 1,
            Some(b'"') if c == b'"' => quote = None,
            Some(_) => {}
            None if c == b'#' && prev(i).is_whitespace() => return Some(i),
            None if (c == b'\'' || c == b'"') && {
                let p = prev(i);
                p.is_whitespace() || "[{,:-".contains(p)
            } =>
            {
                quote = Some(c)
            }
            None => {}
        }
        i += 1;
    }
    None
}

fn highlight_line(out: &mut String, line: &str) {
    let (code, comment) = match comment_start(line) {
        Some(i) => line.split_at(i),
        None => (line, ""),
    };
    let indent = code.len() - code.trim_start().len();
    escape_into(out, &code[..indent]);
    let mut rest = &code[indent..];
    while let Some(r) = rest.strip_prefix("- ").or_else(|| (rest == "-").then_some("")) {
        out.push_str(&rest[..rest.len() - r.len()]);
        rest = r;
    }
    if let Some(colon) = key_end(rest) {
        span(out, "k", &rest[..colon]);
        out.push(':');
        rest = &rest[colon + 1..];
    }
    value(out, rest);
    span(out, "c", comment);
}

/// Where a plain `key:` ends (the colon), for lines that start with a key.
fn key_end(s: &str) -> Option<usize> {
    if s.starts_with(['\'', '"', '[', '{', '#', '|', '>']) {
        return None;
    }
    let b = s.as_bytes();
    (0..b.len()).find(|&i| b[i] == b':' && (i + 1 == b.len() || b[i + 1] == b' ')).filter(|&i| i > 0)
}

fn value(out: &mut String, s: &str) {
    let trimmed = s.trim_start();
    let lead = s.len() - trimmed.len();
    escape_into(out, &s[..lead]);
    let t = trimmed.trim_end();
    let quoted =
        t.len() >= 2 && ((t.starts_with('\'') && t.ends_with('\'')) || (t.starts_with('"') && t.ends_with('"')));
    if quoted {
        span(out, "s", t);
        escape_into(out, &trimmed[t.len()..]);
    } else {
        escape_into(out, trimmed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_every_special_character_wherever_it_is() {
        let specials = ['&', '<', '>', '"'];
        for len in 0..20 {
            for at in 0..len {
                for c in specials {
                    let mut s: String = "aé'b/cdefghijklmnopqrstuvwxyz".chars().take(len).collect();
                    if at < s.chars().count() {
                        let i = s.char_indices().nth(at).unwrap().0;
                        s.insert(i, c);
                    }
                    let want: String = s
                        .chars()
                        .map(|ch| match ch {
                            '&' => "&amp;".to_string(),
                            '<' => "&lt;".to_string(),
                            '>' => "&gt;".to_string(),
                            '"' => "&quot;".to_string(),
                            o => o.to_string(),
                        })
                        .collect();
                    assert_eq!(escape(&s), want, "{s:?}");
                }
            }
        }
    }

    #[test]
    fn only_http_links() {
        assert_eq!(safe_href(" https://x.org/a "), Some("https://x.org/a".into()));
        assert_eq!(safe_href("HTTP://x.org"), Some("HTTP://x.org".into()));
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href("JaVaScRiPt:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,x"), None);
        assert_eq!(safe_href("https://x.org/\"><script>"), Some("https://x.org/\"><script>".into()));
        assert_eq!(safe_href("https://x.org/a b"), None);
        assert_eq!(safe_href("//evil.org"), None);
    }

    #[test]
    fn yaml_spans_are_escaped() {
        let mut h = String::new();
        highlight_yaml(&mut h, "title: <b>x</b>\n  # c <i>\n    TargetObject|contains: '\\a<'\n    - 'x' # tail");
        assert_eq!(
            h,
            "<span class=k>title</span>: &lt;b&gt;x&lt;/b&gt;\n  <span class=c># c &lt;i&gt;</span>\n    \
             <span class=k>TargetObject|contains</span>: <span class=s>'\\a&lt;'</span>\n    \
             - <span class=s>'x'</span> <span class=c># tail</span>"
        );
    }

    #[test]
    fn highlighted_ranges_are_escaped_cut_and_never_lose_text() {
        use detwiki_catalog::lang::{Highlight, HighlightClass as C};
        let hl = |start, end, class| Highlight { start, end, class };
        let text = "k = \"</pre><b>é\" # <i>";
        let ranges = [
            hl(0, 1, C::Key),
            hl(4, 17, C::String),
            // Out of order, overlapping, empty: left plain.
            hl(2, 3, C::Operator),
            hl(15, 18, C::Number),
            hl(17, 17, C::Bool),
            hl(18, 23, C::Comment),
        ];
        let mut h = String::new();
        highlight_ranges(&mut h, text, &ranges);
        assert_eq!(
            h,
            "<span class=k>k</span> = <span class=s>&quot;&lt;/pre&gt;&lt;b&gt;é&quot;</span> \
             <span class=c># &lt;i&gt;</span>"
        );
        // Shown cut: a range past the end stops there.
        let mut h = String::new();
        highlight_ranges(&mut h, &text[..10], &ranges);
        assert_eq!(h, "<span class=k>k</span> = <span class=s>&quot;&lt;/pre</span>");
        // A range inside a character is left plain.
        let mut h = String::new();
        highlight_ranges(&mut h, "aé<", &[hl(2, 4, C::String)]);
        assert_eq!(h, "aé&lt;");
    }

    /// The char-by-char version `comment_start` replaced, to compare with.
    fn comment_start_chars(line: &str) -> Option<usize> {
        let mut quote: Option<char> = None;
        let mut prev = ' ';
        let mut chars = line.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match quote {
                Some('\'') if c == '\'' => {
                    if chars.peek().map(|x| x.1) == Some('\'') {
                        chars.next();
                    } else {
                        quote = None;
                    }
                }
                Some('"') if c == '\\' => {
                    chars.next();
                }
                Some('"') if c == '"' => quote = None,
                Some(_) => {}
                None if c == '#' && prev.is_whitespace() => return Some(i),
                None if (c == '\'' || c == '"') && (prev.is_whitespace() || "[{,:-".contains(prev)) => quote = Some(c),
                None => {}
            }
            prev = c;
        }
        None
    }

    #[test]
    fn comment_start_as_before() {
        let pieces = ["a", " ", "#", "'", "\"", "\\", "é", "\u{a0}", ":", "-", "[", "''", "\\é"];
        // Every line of up to five pieces.
        let mut lines = vec![String::new()];
        for _ in 0..5 {
            let mut next = Vec::new();
            for l in &lines {
                for p in pieces {
                    next.push(format!("{l}{p}"));
                }
            }
            lines.extend(next);
            lines.sort();
            lines.dedup();
        }
        for l in &lines {
            assert_eq!(comment_start(l), comment_start_chars(l), "{l:?}");
        }
    }

    #[test]
    fn hash_inside_quotes_is_not_a_comment() {
        assert_eq!(comment_start("a: 'x # y'"), None);
        assert_eq!(comment_start("a: x#y"), None);
        assert_eq!(comment_start("a: x # y"), Some(5));
    }

    #[test]
    fn percent_round_trip() {
        assert_eq!(pct("space & name"), "space%20%26%20name");
        assert_eq!(pct_decode("space%20%26%20name"), "space & name");
        assert_eq!(pct_decode("%zz%4"), "%zz%4");
    }
}
