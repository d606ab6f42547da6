//! A YAML document tree that keeps source positions, built from `saphyr-parser`'s
//! event parser with hard limits on size, nesting depth and alias expansion.
//!
//! Rule files are untrusted: a "billion laughs" alias bomb, a 100,000-level
//! nested flow sequence or a 1 GB file must each end in one diagnostic, never
//! in a hang, a stack overflow or an out-of-memory kill.

use std::collections::HashMap;

use saphyr_parser::{Event, Marker, Parser, ScalarStyle};

mod fast;

use crate::span::Span;

/// Limits applied while reading one file.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    /// Largest accepted file, in bytes.
    pub max_file_size: usize,
    /// Deepest accepted nesting of sequences and mappings.
    pub max_depth: usize,
    /// Most nodes that alias expansion may add to one file.
    pub max_alias_nodes: usize,
    /// Most nodes in one file, aliases included.
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self { max_file_size: 4 << 20, max_depth: 64, max_alias_nodes: 10_000, max_nodes: 1_000_000 }
    }
}

/// A scalar as resolved by the YAML 1.2 core schema, with the text as written.
#[derive(Clone, Debug, PartialEq)]
pub enum Scalar {
    /// `null`, `~` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer that fits in `i64`.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// Any other text, quoted or not.
    Str,
}

/// One YAML node and where it is in the file.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// What the node holds.
    pub kind: NodeKind,
    /// Where it is written (for aliases: where the alias is).
    pub span: Span,
}

/// The kinds of YAML nodes.
#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    /// A scalar: resolved type, text as loaded (escapes resolved), and whether it was quoted.
    Scalar {
        /// Resolved type.
        value: Scalar,
        /// The scalar's text after YAML unescaping.
        text: String,
        /// True for single- or double-quoted scalars (and block literals).
        quoted: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The scalar text, if this is a scalar.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar { text, .. } => Some(text),
            _ => None,
        }
    }

    /// True for a `null` scalar.
    pub fn is_null(&self) -> bool {
        matches!(self.kind, NodeKind::Scalar { value: Scalar::Null, .. })
    }

    /// Entries, if this is a mapping.
    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    /// Items, if this is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The value under `key` in a mapping (first occurrence).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// A short noun for messages: "a mapping", "a list", "a string" …
    pub fn describe(&self) -> &'static str {
        match &self.kind {
            NodeKind::Map(_) => "a mapping",
            NodeKind::Seq(_) => "a list",
            NodeKind::Scalar { value, .. } => match value {
                Scalar::Null => "null",
                Scalar::Bool(_) => "a boolean",
                Scalar::Int(_) => "an integer",
                Scalar::Float(_) => "a number",
                Scalar::Str => "a string",
            },
        }
    }

    fn count(&self) -> usize {
        match &self.kind {
            NodeKind::Scalar { .. } => 1,
            NodeKind::Seq(s) => 1 + s.iter().map(Node::count).sum::<usize>(),
            NodeKind::Map(m) => 1 + m.iter().map(|(k, v)| k.count() + v.count()).sum::<usize>(),
        }
    }
}

/// One YAML document of a file.
#[derive(Clone, Debug, PartialEq)]
pub struct Document {
    /// The root node (`None` for an empty document).
    pub root: Option<Node>,
    /// Where the document starts.
    pub span: Span,
}

/// Why a file could not be read as YAML.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum YamlError {
    /// The file is larger than [`Limits::max_file_size`].
    #[error("file is {size} bytes, more than the limit of {limit} bytes")]
    TooLarge {
        /// File size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The YAML scanner or parser rejected the text.
    #[error("{message}")]
    Syntax {
        /// The parser's message, cleaned up.
        message: String,
        /// Where it stopped.
        span: Span,
    },
    /// Nesting deeper than [`Limits::max_depth`].
    #[error("nesting deeper than {limit} levels")]
    TooDeep {
        /// The limit.
        limit: usize,
        /// The node that went too deep.
        span: Span,
    },
    /// Alias expansion or node count over the limits.
    #[error("aliases expand to more than {limit} nodes")]
    AliasLimit {
        /// The limit.
        limit: usize,
        /// The alias that crossed it.
        span: Span,
    },
    /// An alias names an anchor that is not defined before it.
    #[error("alias refers to an unknown anchor")]
    UnknownAnchor {
        /// The alias.
        span: Span,
    },
}

impl YamlError {
    /// Where the problem is, if known.
    pub fn span(&self) -> Option<Span> {
        match self {
            YamlError::TooLarge { .. } => None,
            YamlError::Syntax { span, .. }
            | YamlError::TooDeep { span, .. }
            | YamlError::AliasLimit { span, .. }
            | YamlError::UnknownAnchor { span } => Some(*span),
        }
    }
}

/// Converts the parser's character offsets into byte offsets.
struct Offsets<'a> {
    text: &'a str,
    /// Byte offset of every character, or `None` when the text is ASCII.
    table: Option<Vec<usize>>,
}

impl<'a> Offsets<'a> {
    fn new(text: &'a str) -> Self {
        let table = (!text.is_ascii())
            .then(|| text.char_indices().map(|(i, _)| i).chain(std::iter::once(text.len())).collect());
        Self { text, table }
    }

    fn byte(&self, m: &Marker) -> usize {
        match &self.table {
            None => m.index().min(self.text.len()),
            Some(t) => t.get(m.index()).copied().unwrap_or(self.text.len()),
        }
    }
}

enum Frame {
    Seq { items: Vec<Node>, start: usize, anchor: usize },
    Map { entries: Vec<(Node, Node)>, key: Option<Node>, start: usize, anchor: usize },
}

struct Builder<'a> {
    offsets: Offsets<'a>,
    limits: Limits,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    nodes: usize,
}

/// Parse every YAML document of `text`: plain block YAML on a fast path of our own, anything
/// else with `saphyr-parser` (the same tree either way; see `yaml/fast.rs`).
pub fn parse_documents(text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    if text.len() > limits.max_file_size {
        return Err(YamlError::TooLarge { size: text.len(), limit: limits.max_file_size });
    }
    if let Some(docs) = fast::parse(text, limits) {
        return Ok(docs);
    }
    parse_documents_saphyr(text, limits)
}

/// What the fast path of [`parse_documents`] reads, or `None` when it leaves `text` to
/// `saphyr-parser`. For tests that compare both paths.
#[doc(hidden)]
pub fn parse_documents_fast(text: &str, limits: &Limits) -> Option<Vec<Document>> {
    fast::parse(text, limits)
}

/// [`parse_documents`] with `saphyr-parser` alone. For tests that compare both paths.
#[doc(hidden)]
pub fn parse_documents_saphyr(text: &str, limits: &Limits) -> Result<Vec<Document>, YamlError> {
    if text.len() > limits.max_file_size {
        return Err(YamlError::TooLarge { size: text.len(), limit: limits.max_file_size });
    }
    let mut parser = Parser::new_from_str(text);
    let mut ended = false;
    let mut b = Builder {
        offsets: Offsets::new(text),
        limits: *limits,
        stack: Vec::new(),
        anchors: HashMap::new(),
        alias_nodes: 0,
        nodes: 0,
    };
    let mut docs = Vec::new();
    let mut doc_start = 0;
    let mut root: Option<Node> = None;
    while !ended {
        let Some(next) = parser.next_event() else { break };
        let (event, span) = next.map_err(|e| {
            let at = b.offsets.byte(e.marker());
            // One character, not one byte: a span must not split a character.
            let span = Span::new(at, at + text.get(at..).and_then(|r| r.chars().next()).map_or(0, char::len_utf8));
            // saphyr-parser has its own nesting limit; report it as ours.
            if e.info().contains("recursion limit") {
                YamlError::TooDeep { limit: limits.max_depth, span }
            } else if e.info().contains("unknown anchor") {
                YamlError::UnknownAnchor { span: Span::new(at, alias_end(text, at)) }
            } else {
                YamlError::Syntax { message: clean_scan_message(e.info()), span }
            }
        })?;
        let at = b.offsets.byte(&span.start);
        let end = b.offsets.byte(&span.end).max(at);
        match event {
            Event::StreamEnd => ended = true,
            Event::StreamStart | Event::Nothing => {}
            Event::DocumentStart(_) => {
                doc_start = at;
                root = None;
                b.anchors.clear();
            }
            Event::DocumentEnd => {
                docs.push(Document { root: root.take(), span: Span::new(doc_start, at.max(doc_start)) })
            }
            Event::SequenceStart(anchor, _) => {
                b.push(Frame::Seq { items: Vec::new(), start: at, anchor }, at)?;
            }
            Event::MappingStart(anchor, _) => {
                b.push(Frame::Map { entries: Vec::new(), key: None, start: at, anchor }, at)?;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let node = b.pop(at);
                if let Some(n) = b.add(node)? {
                    root = Some(n);
                }
            }
            Event::Scalar(value, style, anchor, _tag) => {
                let node = scalar_node(text, Span::new(at, end), value.into_owned(), style);
                if anchor > 0 {
                    b.anchors.insert(anchor, node.clone());
                }
                if let Some(n) = b.add(node)? {
                    root = Some(n);
                }
            }
            Event::Alias(id) => {
                let span = Span::new(at, alias_end(text, at));
                let mut node = b.anchors.get(&id).cloned().ok_or(YamlError::UnknownAnchor { span })?;
                b.alias_nodes += node.count();
                b.nodes += node.count();
                if b.alias_nodes > b.limits.max_alias_nodes || b.nodes > b.limits.max_nodes {
                    return Err(YamlError::AliasLimit { limit: b.limits.max_alias_nodes, span });
                }
                node.span = span;
                if let Some(n) = b.add(node)? {
                    root = Some(n);
                }
            }
        }
    }
    Ok(docs)
}

impl Builder<'_> {
    fn push(&mut self, frame: Frame, at: usize) -> Result<(), YamlError> {
        if self.stack.len() >= self.limits.max_depth {
            return Err(YamlError::TooDeep { limit: self.limits.max_depth, span: Span::new(at, at + 1) });
        }
        self.stack.push(frame);
        Ok(())
    }

    fn pop(&mut self, end: usize) -> Node {
        match self.stack.pop() {
            Some(Frame::Seq { items, start, anchor }) => {
                self.anchored(anchor, Node { kind: NodeKind::Seq(items), span: Span::new(start, end.max(start)) })
            }
            Some(Frame::Map { entries, start, anchor, .. }) => {
                // The parser starts a block mapping at its first `:`; start it at its first key.
                let start = entries.first().map_or(start, |(k, _)| k.span.start.min(start));
                self.anchored(anchor, Node { kind: NodeKind::Map(entries), span: Span::new(start, end.max(start)) })
            }
            None => Node { kind: NodeKind::Seq(Vec::new()), span: Span::point(end) },
        }
    }

    fn anchored(&mut self, anchor: usize, node: Node) -> Node {
        if anchor > 0 {
            self.anchors.insert(anchor, node.clone());
        }
        node
    }

    /// Attach a finished node to its parent; returns it when it is a document root.
    fn add(&mut self, node: Node) -> Result<Option<Node>, YamlError> {
        self.nodes += 1;
        if self.nodes > self.limits.max_nodes {
            return Err(YamlError::AliasLimit { limit: self.limits.max_nodes, span: node.span });
        }
        match self.stack.last_mut() {
            None => Ok(Some(node)),
            Some(Frame::Seq { items, .. }) => {
                items.push(node);
                Ok(None)
            }
            Some(Frame::Map { entries, key, .. }) => {
                match key.take() {
                    None => *key = Some(node),
                    Some(k) => entries.push((k, node)),
                }
                Ok(None)
            }
        }
    }
}

fn scalar_node(text: &str, span: Span, value: String, style: ScalarStyle) -> Node {
    let quoted = style != ScalarStyle::Plain;
    let resolved = if quoted { Scalar::Str } else { resolve_plain(&value) };
    // The parser's end marker is exact for single-line scalars; fall back to
    // scanning the source when it is missing.
    let end = if span.end > span.start { span.end } else { scalar_end(text, span.start, &value, style) };
    Node { kind: NodeKind::Scalar { value: resolved, text: value, quoted }, span: Span::new(span.start, end) }
}

/// Where a scalar that starts at `at` ends in the source.
fn scalar_end(text: &str, at: usize, value: &str, style: ScalarStyle) -> usize {
    let rest = text.get(at..).unwrap_or("");
    let end = match style {
        ScalarStyle::Plain => {
            if rest.starts_with(value) {
                value.len()
            } else {
                rest.find(['\n', '\r']).unwrap_or(rest.len())
            }
        }
        ScalarStyle::SingleQuoted => closing_quote(rest, b'\''),
        ScalarStyle::DoubleQuoted => closing_quote(rest, b'"'),
        _ => rest.find(['\n', '\r']).unwrap_or(rest.len()),
    };
    at + end
}

fn closing_quote(rest: &str, q: u8) -> usize {
    let b = rest.as_bytes();
    let mut i = 1;
    while i < b.len() {
        if q == b'"' && b[i] == b'\\' {
            i += 2;
            continue;
        }
        if b[i] == q {
            if q == b'\'' && b.get(i + 1) == Some(&b'\'') {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    b.len()
}

fn alias_end(text: &str, at: usize) -> usize {
    let rest = text.get(at..).unwrap_or("");
    at + rest.find(|c: char| c.is_whitespace() || c == ',' || c == ']' || c == '}').unwrap_or(rest.len())
}

/// YAML 1.2 core schema resolution of a plain scalar.
fn resolve_plain(s: &str) -> Scalar {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Scalar::Null,
        "true" | "True" | "TRUE" => return Scalar::Bool(true),
        "false" | "False" | "FALSE" => return Scalar::Bool(false),
        _ => {}
    }
    let first = s.as_bytes()[0];
    if !(first.is_ascii_digit() || matches!(first, b'-' | b'+' | b'.')) {
        return Scalar::Str;
    }
    if let Some(hex) = s.strip_prefix("0x") {
        return i64::from_str_radix(hex, 16).map_or(Scalar::Str, Scalar::Int);
    }
    if let Some(oct) = s.strip_prefix("0o") {
        return i64::from_str_radix(oct, 8).map_or(Scalar::Str, Scalar::Int);
    }
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return s.parse().map_or(Scalar::Str, Scalar::Int);
    }
    match s {
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Scalar::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Scalar::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Scalar::Float(f64::NAN),
        _ => {}
    }
    let is_float = digits.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'-' | b'+'))
        && digits.bytes().any(|b| b.is_ascii_digit());
    if is_float {
        if let Ok(f) = s.parse::<f64>() {
            return Scalar::Float(f);
        }
    }
    Scalar::Str
}

fn clean_scan_message(info: &str) -> String {
    info.trim().trim_end_matches('.').to_string()
}

impl serde::Serialize for Node {
    /// Scalars as their resolved JSON type, sequences as arrays, mappings as
    /// objects keyed by the key's text (file order kept).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        match &self.kind {
            NodeKind::Scalar { value, text, .. } => match value {
                Scalar::Null => s.serialize_none(),
                Scalar::Bool(b) => s.serialize_bool(*b),
                Scalar::Int(i) => s.serialize_i64(*i),
                Scalar::Float(f) if f.is_finite() => s.serialize_f64(*f),
                _ => s.serialize_str(text),
            },
            NodeKind::Seq(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for i in items {
                    seq.serialize_element(i)?;
                }
                seq.end()
            }
            NodeKind::Map(entries) => {
                let mut map = s.serialize_map(Some(entries.len()))?;
                for (k, v) in entries {
                    map.serialize_entry(k.as_str().unwrap_or("?"), v)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> Node {
        parse_documents(text, &Limits::default()).unwrap().remove(0).root.unwrap()
    }

    #[test]
    fn spans_are_byte_offsets_of_keys_and_values() {
        let text = "title: é x\ndetection:\n  sel:\n    CommandLine|contains: 'whoami'\n";
        let root = one(text);
        let (k, v) = &root.as_map().unwrap()[0];
        assert_eq!(&text[k.span.start..k.span.end], "title");
        assert_eq!(&text[v.span.start..v.span.end], "é x");
        let sel = root.get("detection").unwrap().get("sel").unwrap();
        let (k, v) = &sel.as_map().unwrap()[0];
        assert_eq!(&text[k.span.start..k.span.end], "CommandLine|contains");
        assert_eq!(&text[v.span.start..v.span.end], "'whoami'");
    }

    #[test]
    fn core_schema_types() {
        let root = one("a: 4688\nb: '4688'\nc: null\nd: ~\ne: true\nf: 1.5\ng: 0x10\nh: abc\ni:\n");
        let kind = |k: &str| match &root.get(k).unwrap().kind {
            NodeKind::Scalar { value, .. } => value.clone(),
            _ => panic!(),
        };
        assert_eq!(kind("a"), Scalar::Int(4688));
        assert_eq!(kind("b"), Scalar::Str);
        assert_eq!(kind("c"), Scalar::Null);
        assert_eq!(kind("d"), Scalar::Null);
        assert_eq!(kind("e"), Scalar::Bool(true));
        assert_eq!(kind("f"), Scalar::Float(1.5));
        assert_eq!(kind("g"), Scalar::Int(16));
        assert_eq!(kind("h"), Scalar::Str);
        assert_eq!(kind("i"), Scalar::Null);
    }

    #[test]
    fn multi_document_files_keep_every_document() {
        let docs = parse_documents("a: 1\n---\nb: 2\n---\nc: 3\n", &Limits::default()).unwrap();
        assert_eq!(docs.len(), 3);
        assert!(docs[2].root.as_ref().unwrap().get("c").is_some());
    }

    #[test]
    fn alias_bomb_is_refused() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..10 {
            let p = i - 1;
            text.push_str(&format!(
                "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
            ));
        }
        let err = parse_documents(&text, &Limits::default()).unwrap_err();
        assert!(matches!(err, YamlError::AliasLimit { .. }), "{err:?}");
    }

    #[test]
    fn deep_nesting_is_refused_without_overflow() {
        let text = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let err = parse_documents(&text, &Limits::default()).unwrap_err();
        assert!(matches!(err, YamlError::TooDeep { .. }), "{err:?}");
    }

    #[test]
    fn oversized_file_is_refused() {
        let limits = Limits { max_file_size: 10, ..Limits::default() };
        assert!(matches!(parse_documents("a: 12345678901", &limits), Err(YamlError::TooLarge { .. })));
    }

    #[test]
    fn syntax_errors_have_a_position() {
        let err = parse_documents("a: [1, 2\nb: 3\n", &Limits::default()).unwrap_err();
        let YamlError::Syntax { span, .. } = err else { panic!("{err:?}") };
        assert!(span.start > 0);
    }

    #[test]
    fn plain_aliases_resolve() {
        let root = one("x: &v hello\ny: *v\n");
        assert_eq!(root.get("y").unwrap().as_str(), Some("hello"));
    }
}
