//! TOML strings back to the file: a query is a TOML string, and a parse error inside it must
//! point at the character in the file, not at an offset inside the decoded string.
//!
//! [`decode`] reads the raw token (`'''…'''`, `'…'`, `"""…"""` or `"…"`) as the file holds it
//! and builds a [`StringMap`]: the decoded text in runs, each run knowing where it came from.
//! Literal strings map one to one (after the newline that TOML trims after an opening
//! `'''`); basic strings have escapes (`\\`, `\"`, `\u00e9` …), which map to the escape
//! that produced them, and line-ending backslashes, which produce nothing (TOML 1.1, "String").

use crate::span::Span;

/// One run of decoded text and where it is in the file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Run {
    /// Offset of the run in the decoded text.
    decoded: usize,
    /// Its length in the decoded text.
    decoded_len: usize,
    /// Offset of its source in the file.
    raw: usize,
    /// Length of its source in the file (equal to `decoded_len` for verbatim runs).
    raw_len: usize,
    /// Copied verbatim (so offsets inside map one to one), or one escape sequence.
    verbatim: bool,
}

/// Decoded-offset → file-offset map of one TOML string.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StringMap {
    runs: Vec<Run>,
    /// File offset of the first content byte (after the opening delimiter).
    content_start: usize,
    /// File offset just past the last content byte (before the closing delimiter).
    content_end: usize,
}

impl StringMap {
    /// A map for text that sits in the file as it is, starting at `offset`.
    pub fn verbatim(offset: usize, len: usize) -> Self {
        let runs = vec![Run { decoded: 0, decoded_len: len, raw: offset, raw_len: len, verbatim: true }];
        Self { runs, content_start: offset, content_end: offset + len }
    }

    /// File offset of the decoded character starting at `pos`.
    pub fn offset(&self, pos: usize) -> usize {
        let i = self.runs.partition_point(|r| r.decoded + r.decoded_len <= pos);
        match self.runs.get(i) {
            Some(r) if r.decoded <= pos => {
                if r.verbatim {
                    r.raw + (pos - r.decoded)
                } else {
                    r.raw
                }
            }
            Some(r) => r.raw,
            None => self.content_end,
        }
    }

    /// File offset just past the decoded character ending at `pos`.
    pub fn end_offset(&self, pos: usize) -> usize {
        if pos == 0 {
            return self.offset(0);
        }
        let i = self.runs.partition_point(|r| r.decoded + r.decoded_len < pos);
        match self.runs.get(i) {
            Some(r) if r.verbatim => r.raw + (pos - r.decoded),
            Some(r) => r.raw + r.raw_len,
            None => self.content_end,
        }
    }

    /// A span of the decoded text as a span of the file.
    pub fn span(&self, s: Span) -> Span {
        let start = self.offset(s.start);
        Span::new(start, self.end_offset(s.end).max(start))
    }
}

/// Decode the raw TOML string token `raw`, found at file offset `at`. `None` when `raw` is not
/// a well-formed TOML string token (the TOML parser has then reported it).
pub fn decode(raw: &str, at: usize) -> Option<(String, StringMap)> {
    let (delim, basic) = if raw.starts_with("'''") {
        (3, false)
    } else if raw.starts_with("\"\"\"") {
        (3, true)
    } else if raw.starts_with('\'') {
        (1, false)
    } else if raw.starts_with('"') {
        (1, true)
    } else {
        return None;
    };
    if raw.len() < 2 * delim {
        return None;
    }
    let mut start = delim;
    let end = raw.len() - delim;
    if delim == 3 {
        // A newline right after the opening delimiter is trimmed.
        if raw[start..].starts_with("\r\n") {
            start += 2;
        } else if raw[start..].starts_with('\n') {
            start += 1;
        }
    }
    if start > end {
        return None;
    }
    let content = &raw[start..end];
    let mut out = String::with_capacity(content.len());
    let mut map = StringMap { runs: Vec::new(), content_start: at + start, content_end: at + end };
    if !basic {
        out.push_str(content);
        map.runs.push(Run {
            decoded: 0,
            decoded_len: content.len(),
            raw: at + start,
            raw_len: content.len(),
            verbatim: true,
        });
        return Some((out, map));
    }
    let bytes = content.as_bytes();
    let mut i = 0;
    let mut run_start = 0;
    let flush = |out: &mut String, map: &mut StringMap, from: usize, to: usize| {
        if to > from {
            map.runs.push(Run {
                decoded: out.len(),
                decoded_len: to - from,
                raw: at + start + from,
                raw_len: to - from,
                verbatim: true,
            });
            out.push_str(&content[from..to]);
        }
    };
    while i < bytes.len() {
        if bytes[i] != b'\\' {
            i += 1;
            continue;
        }
        flush(&mut out, &mut map, run_start, i);
        let esc_start = i;
        let next = *bytes.get(i + 1)?;
        let (ch, len): (Option<char>, usize) = match next {
            b'b' => (Some('\u{8}'), 2),
            b't' => (Some('\t'), 2),
            b'n' => (Some('\n'), 2),
            b'f' => (Some('\u{c}'), 2),
            b'r' => (Some('\r'), 2),
            b'e' => (Some('\u{1b}'), 2),
            b'"' => (Some('"'), 2),
            b'\\' => (Some('\\'), 2),
            b'x' => (Some(hex_char(content.get(i + 2..i + 4)?)?), 4),
            b'u' => (Some(hex_char(content.get(i + 2..i + 6)?)?), 6),
            b'U' => (Some(hex_char(content.get(i + 2..i + 10)?)?), 10),
            b' ' | b'\t' | b'\r' | b'\n' if delim == 3 => {
                // Line-ending backslash: skip whitespace and newlines up to the next
                // non-whitespace character. There must be a newline in what is skipped.
                let mut j = i + 1;
                let mut newline = false;
                while j < bytes.len() && matches!(bytes[j], b' ' | b'\t' | b'\r' | b'\n') {
                    newline |= bytes[j] == b'\n';
                    j += 1;
                }
                if !newline {
                    return None;
                }
                (None, j - i)
            }
            _ => return None,
        };
        if let Some(c) = ch {
            map.runs.push(Run {
                decoded: out.len(),
                decoded_len: c.len_utf8(),
                raw: at + start + esc_start,
                raw_len: len,
                verbatim: false,
            });
            out.push(c);
        }
        i += len;
        run_start = i;
    }
    flush(&mut out, &mut map, run_start, bytes.len());
    Some((out, map))
}

fn hex_char(hex: &str) -> Option<char> {
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    char::from_u32(u32::from_str_radix(hex, 16).ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(file: &str, token_start: usize, expected: &str) -> (String, StringMap) {
        let raw_end = file.len();
        let (text, map) = decode(&file[token_start..raw_end], token_start).expect("decodes");
        assert_eq!(text, expected);
        // Every verbatim character maps to the same character in the file.
        for (i, c) in text.char_indices() {
            let off = map.offset(i);
            if file[off..].starts_with(c) {
                continue;
            }
            assert!(file[off..].starts_with('\\'), "{i} -> {off}");
        }
        (text, map)
    }

    #[test]
    fn literal_multiline_strings_map_one_to_one_after_the_trimmed_newline() {
        let file = "query = '''\nprocess where x == \"a\\\\b\"\n'''";
        let (text, map) = check(file, 8, "process where x == \"a\\\\b\"\n");
        let at = text.find("x ==").unwrap();
        assert_eq!(&file[map.offset(at)..map.offset(at) + 4], "x ==");
    }

    #[test]
    fn basic_strings_map_escapes_to_the_escape_sequence() {
        let file = r#"query = "a:\"b\\c\" and d:e""#;
        let (text, map) = check(file, 8, r#"a:"b\c" and d:e"#);
        let d = text.find("d:e").unwrap();
        assert_eq!(&file[map.offset(d)..map.offset(d) + 3], "d:e");
        // The escaped quote maps to its backslash, and a span over it ends after the escape.
        let q = text.find('"').unwrap();
        assert_eq!(&file[map.offset(q)..map.end_offset(q + 1)], "\\\"");
    }

    #[test]
    fn line_ending_backslashes_produce_nothing() {
        let file = "q = \"\"\"\nab \\\n    cd\"\"\"";
        let (_, map) = check(file, 4, "ab cd");
        assert_eq!(&file[map.offset(3)..map.offset(3) + 2], "cd");
    }

    #[test]
    fn unicode_escapes_decode() {
        let file = r#"q = "\u00e9\U0001F600x""#;
        let (text, map) = check(file, 4, "\u{e9}\u{1F600}x");
        assert_eq!(&file[map.offset(text.len() - 1)..], "x\"");
    }
}
