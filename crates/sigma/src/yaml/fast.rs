//! A fast reader for the plain block YAML that rule files are written in, giving exactly the
//! tree (nodes, texts, spans) that the `saphyr-parser` path gives, or `None`: then the caller
//! reads the file with `saphyr-parser`, which knows all of YAML and reports what is wrong.
//!
//! It reads one document of block mappings and block sequences (indentless ones too) whose
//! scalars are plain or quoted on one line, or literal/folded block scalars (`|`, `|-`, `>`,
//! `>-`), with comments and blank lines anywhere. Anything else gives `None` at once: a tab or
//! a carriage return anywhere, document markers and directives, flow collections, anchors,
//! aliases, tags, explicit keys, plain or quoted scalars over several lines, escapes it does not
//! know, block scalar headers with an indentation or `+`, nesting over the depth limit. So no
//! file is ever read differently: a file either gets saphyr's tree or saphyr reads it (a
//! corpus test and a property test compare both on every file they take).
//!
//! Spans follow saphyr's markers, as the saphyr path turns them into byte spans: a document
//! and a mapping start at their first key, an indented sequence at its first `-`, an indentless
//! one at its first item; collections end where the next token starts (or at the end of the
//! text); a quoted value ends at the end of its line (trailing comment included), a block
//! scalar where the line that ends it has its indentation; an empty value is an empty span at
//! its `:`.

use super::{Document, Limits, Node, NodeKind, Scalar, resolve_plain};
use crate::span::Span;

/// Read `text` on the fast path; `None` when it holds anything the fast path leaves to
/// saphyr.
pub(super) fn parse(text: &str, limits: &Limits) -> Option<Vec<Document>> {
    let b = text.as_bytes();
    if has_tab_or_cr(b) {
        return None;
    }
    let mut r = Reader { s: text, b, depth: 0, nodes: 0, limits };
    let first = r.next_content(0)?;
    if r.is_marker(first.line) {
        return None;
    }
    let (root, next) = r.block(first, 0)?;
    if next.is_some() {
        // Content left at a lower indentation than the root: not one node.
        return None;
    }
    Some(vec![Document { span: Span::new(first.at, b.len()), root: Some(root) }])
}

/// A tab or a carriage return anywhere: not for us.
fn has_tab_or_cr(b: &[u8]) -> bool {
    b.iter().any(|&c| c == b'\t' || c == b'\r')
}

/// The first character of a line with content (not blank, not only a comment).
#[derive(Clone, Copy, Debug)]
struct Content {
    /// Byte offset of the line's start.
    line: usize,
    /// Byte offset of its first non-space character.
    at: usize,
}

impl Content {
    fn col(self) -> usize {
        self.at - self.line
    }
}

struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    depth: usize,
    nodes: usize,
    limits: &'a Limits,
}

impl<'a> Reader<'a> {
    fn line_end(&self, from: usize) -> usize {
        self.b[from..].iter().position(|&c| c == b'\n').map_or(self.b.len(), |i| from + i)
    }

    /// The next line with content, from the start of a line at `from`.
    fn next_content(&self, mut from: usize) -> Option<Content> {
        while from < self.b.len() {
            let mut i = from;
            while i < self.b.len() && self.b[i] == b' ' {
                i += 1;
            }
            match self.b.get(i) {
                None => return None,
                Some(b'\n') => from = i + 1,
                Some(b'#') => from = self.line_end(i) + 1,
                Some(_) => return Some(Content { line: from, at: i }),
            }
        }
        None
    }

    /// The content after the line that holds `pos`.
    fn after_line(&self, pos: usize) -> Option<Content> {
        let end = self.line_end(pos);
        if end >= self.b.len() { None } else { self.next_content(end + 1) }
    }

    /// `---`, `...` or a directive at a line start.
    fn is_marker(&self, line: usize) -> bool {
        let rest = &self.b[line..];
        let three = |m: &[u8]| rest.starts_with(m) && matches!(rest.get(3), None | Some(b' ' | b'\n'));
        three(b"---") || three(b"...") || rest.first() == Some(&b'%')
    }

    fn end_of(&self, next: Option<Content>) -> usize {
        next.map_or(self.b.len(), |c| c.at)
    }

    fn count(&mut self) -> Option<()> {
        self.nodes += 1;
        (self.nodes <= self.limits.max_nodes).then_some(())
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= self.limits.max_depth).then_some(())
    }

    /// `-` followed by a space, a line end or the end of the text.
    fn is_dash(&self, at: usize) -> bool {
        self.b.get(at) == Some(&b'-') && matches!(self.b.get(at + 1), None | Some(b' ' | b'\n'))
    }

    /// A block node (a mapping or a sequence) whose first token is at `c`; returns it and the
    /// content after it (at a lower indentation, or none).
    fn block(&mut self, c: Content, _parent: usize) -> Option<(Node, Option<Content>)> {
        if self.is_marker(c.line) {
            return None;
        }
        if self.is_dash(c.at) { self.seq(c, c.at) } else { self.map(c) }
    }

    /// A block sequence whose items' `-` are at `c`'s column; it starts at `start`.
    fn seq(&mut self, c: Content, start: usize) -> Option<(Node, Option<Content>)> {
        self.enter()?;
        let col = c.col();
        let mut items = Vec::new();
        let mut cur = c;
        let next = loop {
            if self.is_marker(cur.line) {
                return None;
            }
            // After `-` and its spaces.
            let mut p = cur.at + 1;
            while self.b.get(p) == Some(&b' ') {
                p += 1;
            }
            let (item, next) = match self.b.get(p) {
                None | Some(b'\n' | b'#') => {
                    // The item is on the lines below, more indented; an empty item is left to saphyr.
                    let below = self.after_line(cur.at)?;
                    if below.col() <= col {
                        return None;
                    }
                    self.block(below, col)?
                }
                Some(_) if self.is_dash(p) => return None,
                Some(_) => {
                    if self.key_colon(p).is_some() {
                        let line = self.line_start(p);
                        self.map(Content { line, at: p })?
                    } else {
                        self.value_scalar(p, col)?
                    }
                }
            };
            self.count()?;
            items.push(item);
            match next {
                Some(n) if n.col() == col && self.is_dash(n.at) => cur = n,
                Some(n) if n.col() > col => return None,
                other => break other,
            }
        };
        self.depth -= 1;
        let end = self.end_of(next);
        self.count()?;
        Some((Node { kind: NodeKind::Seq(items), span: Span::new(start, end.max(start)) }, next))
    }

    fn line_start(&self, at: usize) -> usize {
        self.b[..at].iter().rposition(|&c| c == b'\n').map_or(0, |i| i + 1)
    }

    /// A block mapping whose first key is at `c` (its column the mapping's).
    fn map(&mut self, c: Content) -> Option<(Node, Option<Content>)> {
        self.enter()?;
        let col = c.col();
        let mut entries = Vec::new();
        let mut cur = c;
        let next = loop {
            if self.is_marker(cur.line) {
                return None;
            }
            let (key, colon) = self.key(cur.at)?;
            let mut p = colon + 1;
            while self.b.get(p) == Some(&b' ') {
                p += 1;
            }
            let (value, next) = match self.b.get(p) {
                None | Some(b'\n' | b'#') => {
                    let below = self.after_line(colon);
                    match below {
                        Some(n) if n.col() > col => {
                            if self.is_dash(n.at) {
                                self.seq(n, n.at)?
                            } else {
                                self.block(n, col)?
                            }
                        }
                        // An indentless sequence: its items' `-` at the key's column.
                        Some(n) if n.col() == col && self.is_dash(n.at) => {
                            let mut q = n.at + 1;
                            while self.b.get(q) == Some(&b' ') {
                                q += 1;
                            }
                            if matches!(self.b.get(q), None | Some(b'\n' | b'#')) {
                                return None;
                            }
                            self.seq(n, q)?
                        }
                        other => {
                            self.count()?;
                            let null = Node {
                                kind: NodeKind::Scalar { value: Scalar::Null, text: String::new(), quoted: false },
                                span: Span::point(colon),
                            };
                            (null, other)
                        }
                    }
                }
                Some(_) => self.value_scalar(p, col)?,
            };
            self.count()?;
            entries.push((key, value));
            match next {
                Some(n) if n.col() == col => {
                    if self.is_dash(n.at) {
                        return None;
                    }
                    cur = n;
                }
                Some(n) if n.col() > col => return None,
                other => break other,
            }
        };
        self.depth -= 1;
        let end = self.end_of(next);
        self.count()?;
        Some((Node { kind: NodeKind::Map(entries), span: Span::new(c.at, end.max(c.at)) }, next))
    }

    /// Where the `:` of a key starting at `at` is, when the line holds a key there.
    fn key_colon(&self, at: usize) -> Option<usize> {
        match self.b.get(at)? {
            b'"' | b'\'' => {
                let close = self.quote_close(at)?;
                (self.b.get(close) == Some(&b':') && matches!(self.b.get(close + 1), None | Some(b' ' | b'\n')))
                    .then_some(close)
            }
            _ => {
                let end = self.line_end(at);
                let mut i = at;
                while i < end {
                    match self.b[i] {
                        b':' if matches!(self.b.get(i + 1), None | Some(b' ' | b'\n')) => return Some(i),
                        b'#' if i > at && self.b[i - 1] == b' ' => return None,
                        _ => {}
                    }
                    i += 1;
                }
                None
            }
        }
    }

    /// The key at `at` and its `:`.
    fn key(&mut self, at: usize) -> Option<(Node, usize)> {
        let colon = self.key_colon(at)?;
        self.count()?;
        let node = match self.b[at] {
            b'"' | b'\'' => {
                let (text, close) = self.quoted(at)?;
                if close != colon {
                    return None;
                }
                Node { kind: NodeKind::Scalar { value: Scalar::Str, text, quoted: true }, span: Span::new(at, close) }
            }
            _ => {
                let raw = &self.s[at..colon];
                if raw.ends_with(' ') || !plain_start(raw.as_bytes()) {
                    return None;
                }
                Node {
                    kind: NodeKind::Scalar { value: resolve_plain(raw), text: raw.to_string(), quoted: false },
                    span: Span::new(at, colon),
                }
            }
        };
        Some((node, colon))
    }

    /// One past the closing quote of the quoted scalar at `at`, on its line.
    fn quote_close(&self, at: usize) -> Option<usize> {
        let q = self.b[at];
        let mut i = at + 1;
        while i < self.b.len() {
            match self.b[i] {
                b'\n' => return None,
                b'\\' if q == b'"' => i += 2,
                c if c == q => {
                    if q == b'\'' && self.b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                    } else {
                        return Some(i + 1);
                    }
                }
                _ => i += 1,
            }
        }
        None
    }

    /// The text of the quoted scalar at `at` and one past its closing quote.
    fn quoted(&self, at: usize) -> Option<(String, usize)> {
        let close = self.quote_close(at)?;
        let inner = &self.s[at + 1..close - 1];
        let text = if self.b[at] == b'\'' { inner.replace("''", "'") } else { unescape(inner)? };
        Some((text, close))
    }

    /// A scalar value that starts at `p` on a line of a collection at column `col`; returns it
    /// and the content after it.
    fn value_scalar(&mut self, p: usize, col: usize) -> Option<(Node, Option<Content>)> {
        self.count()?;
        let end = self.line_end(p);
        match self.b[p] {
            b'"' | b'\'' => {
                let (text, close) = self.quoted(p)?;
                let rest = &self.s[close..end];
                let rest_trim = rest.trim_start_matches(' ');
                if !(rest_trim.is_empty() || rest_trim.starts_with('#') && rest.len() > rest_trim.len()) {
                    return None;
                }
                let next = self.no_continuation(end, col)?;
                let node =
                    Node { kind: NodeKind::Scalar { value: Scalar::Str, text, quoted: true }, span: Span::new(p, end) };
                Some((node, next))
            }
            b'|' | b'>' => self.block_scalar(p, col),
            _ => {
                let raw = &self.s[p..end];
                let bytes = raw.as_bytes();
                if !plain_start(bytes) {
                    return None;
                }
                let mut stop = bytes.len();
                for (i, &c) in bytes.iter().enumerate() {
                    match c {
                        b'#' if i > 0 && bytes[i - 1] == b' ' => {
                            stop = i;
                            break;
                        }
                        // `a: b: c` is no plain scalar; leave it to saphyr.
                        b':' if matches!(bytes.get(i + 1), None | Some(b' ')) => return None,
                        _ => {}
                    }
                }
                let value = raw[..stop].trim_end_matches(' ');
                let next = self.no_continuation(end, col)?;
                let node = Node {
                    kind: NodeKind::Scalar { value: resolve_plain(value), text: value.to_string(), quoted: false },
                    span: Span::new(p, p + value.len()),
                };
                Some((node, next))
            }
        }
    }

    /// The content after a one-line scalar, which must not be more indented than its
    /// collection: that would continue the scalar (or be an error), both saphyr's to read.
    fn no_continuation(&self, line_end: usize, col: usize) -> Option<Option<Content>> {
        if line_end >= self.b.len() {
            return Some(None);
        }
        match self.next_content(line_end + 1) {
            Some(n) if n.col() > col => None,
            next => Some(next),
        }
    }

    /// A literal or folded block scalar whose header is at `p`.
    fn block_scalar(&mut self, p: usize, col: usize) -> Option<(Node, Option<Content>)> {
        let folded = self.b[p] == b'>';
        let mut h = p + 1;
        let strip = self.b.get(h) == Some(&b'-');
        if strip {
            h += 1;
        }
        // Only spaces and a comment may follow the header.
        let head_end = self.line_end(p);
        let rest = &self.s[h..head_end];
        let trimmed = rest.trim_start_matches(' ');
        if !(trimmed.is_empty() || trimmed.starts_with('#') && rest.len() > trimmed.len()) {
            return None;
        }
        if head_end >= self.b.len() {
            return None;
        }
        // The content's indentation is its first line's; leading blank lines are saphyr's.
        let first = head_end + 1;
        let indent = self.b[first..].iter().take_while(|&&c| c == b' ').count();
        match self.b.get(first + indent) {
            None | Some(b'\n') => return None,
            Some(_) => {}
        }
        if indent <= col {
            return None;
        }
        let mut lines: Vec<&str> = Vec::new();
        let mut at = first;
        // Where it ends, and the start of the line that ends it.
        let (end_at, ender) = loop {
            if at >= self.b.len() {
                break (self.b.len(), None);
            }
            let le = self.line_end(at);
            let line = &self.s[at..le];
            let spaces = line.bytes().take_while(|&c| c == b' ').count();
            if spaces == line.len() {
                // A blank line: more spaces than the indentation would be content.
                if spaces > indent {
                    return None;
                }
                lines.push("");
            } else if spaces < indent {
                break (at + spaces, Some(at));
            } else {
                lines.push(&line[indent..]);
            }
            if le >= self.b.len() {
                break (self.b.len(), None);
            }
            at = le + 1;
        };
        // A block scalar that runs into the end of a text without a last line break: saphyr
        // has its own reading of its last line.
        if ender.is_none() && !self.s.ends_with('\n') {
            return None;
        }
        // Trailing blank lines are chomped.
        while lines.last() == Some(&"") {
            lines.pop();
        }
        let mut text = String::new();
        if folded {
            if lines.iter().any(|l| l.starts_with(' ')) {
                return None;
            }
            let mut blank = 0;
            for (i, l) in lines.iter().enumerate() {
                if l.is_empty() {
                    blank += 1;
                    continue;
                }
                if i > 0 {
                    if blank == 0 {
                        text.push(' ');
                    } else {
                        text.extend(std::iter::repeat_n('\n', blank));
                    }
                }
                blank = 0;
                text.push_str(l);
            }
        } else {
            text = lines.join("\n");
        }
        if !strip && !lines.is_empty() {
            text.push('\n');
        }
        let start = first + indent;
        let node = Node {
            kind: NodeKind::Scalar { value: Scalar::Str, text, quoted: true },
            span: Span::new(start, end_at.max(start)),
        };
        // The content after it is found from the line that ended it.
        Some((node, ender.and_then(|line| self.next_content(line))))
    }
}

/// A plain scalar may start with none of YAML's indicators (a `-`, `?` or `:` only when a
/// space follows, which the callers check).
fn plain_start(b: &[u8]) -> bool {
    match b.first() {
        None => false,
        Some(
            b'[' | b']' | b'{' | b'}' | b',' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`'
            | b'#',
        ) => false,
        Some(b'-' | b'?' | b':') => b.len() > 1 && b[1] != b' ',
        Some(_) => true,
    }
}

/// A double-quoted scalar's escapes; `None` for one this reader leaves to saphyr.
fn unescape(s: &str) -> Option<String> {
    if !s.contains('\\') {
        return Some(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let e = chars.next()?;
        out.push(match e {
            '\\' => '\\',
            '"' => '"',
            '/' => '/',
            'n' => '\n',
            't' => '\t',
            ' ' => ' ',
            '0' => '\0',
            _ => return None,
        });
    }
    Some(out)
}
