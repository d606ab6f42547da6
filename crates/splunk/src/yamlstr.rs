//! A YAML scalar's value with, for every byte of the value, the byte of the file it came from:
//! so that an SPL parse error inside a (possibly multi-line, quoted, escaped) `search:` scalar
//! points at its place in the file.

use detwiki_diagnostics::Span;

/// A scalar's value and where each of its bytes is in the file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappedStr {
    /// The value (YAML escapes and line folding resolved).
    pub text: String,
    /// For each byte of `text`, its offset in the file; one more entry for the end.
    map: Vec<usize>,
}

impl MappedStr {
    /// A value whose bytes all point at `at` (used when the scalar's source could not be
    /// decoded the way the YAML parser did).
    pub fn at(text: &str, at: usize) -> MappedStr {
        MappedStr { text: text.to_string(), map: vec![at; text.len() + 1] }
    }

    /// A value written verbatim from file offset `start` on.
    pub fn verbatim(text: &str, start: usize) -> MappedStr {
        MappedStr { text: text.to_string(), map: (start..=start + text.len()).collect() }
    }

    /// The file offset of value byte `i` (the end for anything past it).
    pub fn offset(&self, i: usize) -> usize {
        self.map.get(i).or(self.map.last()).copied().unwrap_or(0)
    }

    /// Map every file offset through `f` (when the text parsed was a patched copy).
    pub fn remap(&mut self, f: impl Fn(usize) -> usize) {
        for m in &mut self.map {
            *m = f(*m);
        }
    }

    /// A value span → a file span.
    pub fn span(&self, s: Span) -> Span {
        let start = self.offset(s.start);
        let end = if s.end > s.start { self.offset(s.end - 1) + 1 } else { start };
        Span::new(start, end.max(start))
    }
}

/// Decode the scalar written at `file[start..]` whose value the YAML parser read as `value`.
/// Handles single- and double-quoted, plain and block (`|`, `>`) scalars; when the decoding
/// disagrees with `value`, every byte maps to `start`.
pub fn decode(file: &str, start: usize, value: &str) -> MappedStr {
    let Some(src) = file.get(start..) else { return MappedStr::at(value, start) };
    let decoded = match src.as_bytes().first() {
        Some(b'\'') => quoted(src, start, true),
        Some(b'"') => quoted(src, start, false),
        Some(b'|' | b'>') => block(file, start),
        _ => plain(src, start),
    };
    match decoded {
        Some(m) if m.text == value => m,
        _ => MappedStr::at(value, start),
    }
}

struct Out {
    text: String,
    map: Vec<usize>,
}

impl Out {
    fn new() -> Out {
        Out { text: String::new(), map: Vec::new() }
    }
    fn push(&mut self, c: char, at: usize) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.map.push(at);
        }
    }
    fn finish(mut self, end: usize) -> MappedStr {
        self.map.push(end);
        MappedStr { text: self.text, map: self.map }
    }
}

/// Fold a line break inside a flow scalar: trailing spaces of the line go, then one break is a
/// space and each further empty line a newline. `i` is at the `\n`; returns where the next
/// line's content starts.
fn fold(src: &str, mut i: usize, start: usize, out: &mut Out) -> usize {
    while out.text.ends_with([' ', '\t']) {
        out.text.pop();
        out.map.pop();
    }
    let b = src.as_bytes();
    let at = i;
    let mut breaks = 0;
    while i < b.len() && matches!(b[i], b'\n' | b'\r' | b' ' | b'\t') {
        if b[i] == b'\n' {
            breaks += 1;
        }
        i += 1;
    }
    if breaks <= 1 {
        out.push(' ', start + at);
    } else {
        for _ in 1..breaks {
            out.push('\n', start + at);
        }
    }
    i
}

fn quoted(src: &str, start: usize, single: bool) -> Option<MappedStr> {
    let mut out = Out::new();
    let mut i = 1;
    let b = src.as_bytes();
    while i < b.len() {
        let c = src[i..].chars().next()?;
        match c {
            '\'' if single => {
                if b.get(i + 1) == Some(&b'\'') {
                    out.push('\'', start + i);
                    i += 2;
                } else {
                    return Some(out.finish(start + i));
                }
            }
            '"' if !single => return Some(out.finish(start + i)),
            '\\' if !single => {
                let e = *b.get(i + 1)?;
                let ch = match e {
                    b'n' => '\n',
                    b't' => '\t',
                    b'r' => '\r',
                    b'0' => '\0',
                    b'\\' => '\\',
                    b'"' => '"',
                    b'/' => '/',
                    b' ' => ' ',
                    b'\n' => {
                        i += 2;
                        while i < b.len() && matches!(b[i], b' ' | b'\t') {
                            i += 1;
                        }
                        continue;
                    }
                    _ => return None,
                };
                out.push(ch, start + i);
                i += 2;
            }
            '\r' => i += 1,
            '\n' => i = fold(src, i, start, &mut out),
            _ => {
                out.push(c, start + i);
                i += c.len_utf8();
            }
        }
    }
    None
}

fn plain(src: &str, start: usize) -> Option<MappedStr> {
    // A plain scalar ends at a line that is less indented than its continuation lines, at
    // ` #`, or at the end; multi-line plain values fold like quoted ones.
    let mut out = Out::new();
    let b = src.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let c = src[i..].chars().next()?;
        if c == '\n' {
            // Continuation only when the next non-empty line is indented.
            let mut j = i + 1;
            while j < b.len() && matches!(b[j], b'\n' | b'\r' | b' ' | b'\t') {
                j += 1;
            }
            let line_start = src[..j].rfind('\n').map_or(0, |p| p + 1);
            if j >= b.len() || j == line_start {
                break;
            }
            i = fold(src, i, start, &mut out);
            continue;
        }
        if c == '#' && out.text.ends_with(' ') {
            break;
        }
        if c != '\r' {
            out.push(c, start + i);
        }
        i += c.len_utf8();
    }
    while out.text.ends_with([' ', '\t']) {
        out.text.pop();
        out.map.pop();
    }
    Some(out.finish(start + i))
}

fn block(file: &str, start: usize) -> Option<MappedStr> {
    let header_end = file[start..].find('\n')? + start;
    let header = &file[start..header_end];
    let literal = header.starts_with('|');
    let keep = header.contains('+');
    let strip = header.contains('-');
    let mut out = Out::new();
    let mut i = header_end + 1;
    let mut indent: Option<usize> = None;
    let mut pending_breaks: Vec<usize> = Vec::new();
    let mut first = true;
    let mut prev_more_indented = false;
    while i <= file.len() {
        let line_end = file[i..].find('\n').map_or(file.len(), |p| p + i);
        let line = file[i..line_end].trim_end_matches('\r');
        let spaces = line.len() - line.trim_start_matches(' ').len();
        if line.trim().is_empty() {
            pending_breaks.push(i);
        } else {
            let ind = *indent.get_or_insert(spaces);
            if spaces < ind {
                break;
            }
            let more = spaces > ind || line[ind..].starts_with('\t');
            if !first {
                if literal || more || prev_more_indented {
                    out.push('\n', i.saturating_sub(1));
                    for &b in &pending_breaks {
                        out.push('\n', b);
                    }
                } else if pending_breaks.is_empty() {
                    out.push(' ', i.saturating_sub(1));
                } else {
                    for &b in &pending_breaks {
                        out.push('\n', b);
                    }
                }
            } else {
                for &b in &pending_breaks {
                    out.push('\n', b);
                }
            }
            pending_breaks.clear();
            for (k, c) in line[ind..].char_indices() {
                out.push(c, i + ind + k);
            }
            first = false;
            prev_more_indented = more;
        }
        if line_end >= file.len() {
            break;
        }
        i = line_end + 1;
    }
    let end = out.map.last().map_or(start, |e| e + 1);
    if !first && !strip {
        out.push('\n', end);
        if keep {
            for &b in &pending_breaks {
                out.push('\n', b);
            }
        }
    }
    Some(out.finish(end))
}

/// PyYAML (which security_content is written for) accepts continuation lines of a
/// multi-line quoted scalar at column 0; YAML 1.2 parsers do not. The text with one space put
/// in front of each such line, and the offsets (in the patched text) of the spaces put in;
/// `None` when no line needed it.
pub fn indent_continuations(text: &str) -> Option<(String, Vec<usize>)> {
    let mut out = String::with_capacity(text.len() + 64);
    let mut inserted = Vec::new();
    let mut in_quote: Option<char> = None;
    for line in text.split_inclusive('\n') {
        if in_quote.is_some() && !line.starts_with([' ', '\t', '\n', '\r']) {
            inserted.push(out.len());
            out.push(' ');
        }
        out.push_str(line);
        // Track whether the line leaves a top-level quoted scalar open.
        let mut chars = line.char_indices().peekable();
        if in_quote.is_none() {
            // `key: '…` or `key: "…` at column 0.
            let Some(colon) = line.find(": ") else { continue };
            if line.starts_with([' ', '-', '#']) {
                continue;
            }
            let rest = line[colon + 2..].trim_start();
            let Some(q) = rest.chars().next().filter(|c| *c == '\'' || *c == '"') else { continue };
            in_quote = Some(q);
            let skip = line.len() - rest.len() + 1;
            chars = line[skip..].char_indices().peekable();
        }
        let q = in_quote.unwrap_or('\'');
        let mut escaped = false;
        while let Some((_, c)) = chars.next() {
            if q == '"' && c == '\\' && !escaped {
                escaped = true;
                continue;
            }
            if c == q && !escaped {
                if q == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                    chars.next();
                } else {
                    in_quote = None;
                    break;
                }
            }
            escaped = false;
        }
    }
    (!inserted.is_empty()).then_some((out, inserted))
}

/// A patched-text offset → the original text's (see [`indent_continuations`]).
pub fn unpatch(inserted: &[usize], at: usize) -> usize {
    at - inserted.partition_point(|&i| i < at)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_quoted_multi_line_folds_and_maps() {
        let file = "search: 'a ''b''\n  | c'\nx: 1\n";
        let start = file.find('\'').unwrap();
        let m = decode(file, start, "a 'b' | c");
        assert_eq!(m.text, "a 'b' | c");
        assert_eq!(m.offset(0), start + 1);
        let bar = m.text.find('|').unwrap();
        assert_eq!(&file[m.offset(bar)..m.offset(bar) + 1], "|");
    }

    #[test]
    fn double_quoted_escapes_map_to_their_backslash() {
        let file = "search: \"a\\\\b\"\n";
        let m = decode(file, 8, "a\\b");
        assert_eq!(m.text, "a\\b");
        assert_eq!(m.offset(2), 12);
    }

    #[test]
    fn block_literal_keeps_lines() {
        let file = "search: |-\n  a\n  | b\nx: 1\n";
        let m = decode(file, 8, "a\n| b");
        assert_eq!(m.text, "a\n| b");
        assert_eq!(&file[m.offset(2)..m.offset(2) + 1], "|");
    }

    #[test]
    fn column_zero_continuations_are_indented_and_mapped_back() {
        let text = "a: 'x\n| y'\nb: 1\n";
        let (patched, ins) = indent_continuations(text).unwrap();
        assert_eq!(patched, "a: 'x\n | y'\nb: 1\n");
        let bar = patched.find('|').unwrap();
        assert_eq!(&text[unpatch(&ins, bar)..unpatch(&ins, bar) + 1], "|");
        assert!(indent_continuations("a: 'x'\nb: 1\n").is_none());
    }

    #[test]
    fn disagreement_falls_back_to_the_start() {
        let m = decode("x: 'a'", 3, "zzz");
        assert_eq!(m.offset(2), 3);
    }
}
