//! What an input is, from its first bytes: an EVTX file (`ElfFile` signature), gzip (its
//! magic), empty; and for text, once it is read (after gunzipping), JSON lines, a JSON array,
//! or something that is not a log (YAML, XML, other text, binary data, UTF-16 text, a JSON
//! document written over several lines), said in a message that tells what hunt reads.

use std::io::{self, BufRead, Read};
use std::path::{Path, PathBuf};

use super::{Input, InputKind, WHAT_HUNT_READS};

/// The input at `path`, its kind from its first bytes (a file that cannot be opened is left
/// to the reading, which reports why).
pub(super) fn input(path: PathBuf) -> Input {
    let mut magic = [0u8; 8];
    let mut got = 0;
    let size = match std::fs::File::open(&path) {
        Ok(mut f) => {
            while got < magic.len() {
                match f.read(&mut magic[got..]) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => got += n,
                }
            }
            f.metadata().map_or(0, |m| m.len())
        }
        Err(_) => return Input { path, kind: InputKind::Jsonl, size: 0 },
    };
    Input { path, kind: kind_of(&magic[..got]), size }
}

fn kind_of(magic: &[u8]) -> InputKind {
    match magic {
        [] => InputKind::Empty,
        b"ElfFile\0" => InputKind::Evtx,
        [0x1f, 0x8b, ..] => InputKind::JsonlGz,
        _ => InputKind::Jsonl,
    }
}

/// At most this much of a text input is looked at.
const HEAD_MAX: usize = 64 * 1024;

/// The first bytes of a text input.
pub(super) struct Head {
    pub(super) bytes: Vec<u8>,
    /// The whole input.
    pub(super) complete: bool,
}

/// Read the first bytes of `reader`: up to its first two lines that are neither blank nor
/// comments (`#`), at most [`HEAD_MAX`] bytes (so that a slow stream on stdin is not waited
/// for longer than its first lines).
pub(super) fn head(reader: &mut impl BufRead) -> io::Result<Head> {
    let mut bytes = Vec::new();
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok(Head { bytes, complete: true });
        }
        let n = buf.len().min(HEAD_MAX - bytes.len());
        bytes.extend_from_slice(&buf[..n]);
        reader.consume(n);
        if bytes.len() >= HEAD_MAX || significant_lines(&bytes).take(2).count() == 2 {
            return Ok(Head { bytes, complete: false });
        }
    }
}

/// The whole lines (ended by a newline) of `bytes` that are neither blank nor comments.
fn significant_lines(bytes: &[u8]) -> impl Iterator<Item = &[u8]> {
    let whole = bytes.iter().rposition(|&b| b == b'\n').map_or(&bytes[..0], |i| &bytes[..i]);
    whole.split(|&b| b == b'\n').map(<[u8]>::trim_ascii).filter(|l| !l.is_empty() && !l.starts_with(b"#"))
}

/// What a text input holds.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Content {
    /// JSON lines.
    Lines,
    /// A JSON array.
    Array,
    /// Nothing but white space: no events.
    Blank,
    /// Not a log: what it is and what hunt reads.
    Other(String),
}

/// What the input at `path` whose first bytes are `head` holds (`complete`: that is all of it;
/// `gz`: gunzipped).
pub(super) fn content(head: &[u8], complete: bool, gz: bool, path: &Path) -> Content {
    let noun = if path.as_os_str() == "-" { "input" } else { "file" };
    let not_log = |what: String| Content::Other(format!("{what}: {WHAT_HUNT_READS}"));
    let bytes = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Content::Other(format!(
            "a UTF-16 text {noun}: hunt reads UTF-8 (convert it first, e.g. `iconv -f UTF-16 -t UTF-8`, or write \
             it with PowerShell's `-Encoding utf8`)"
        ));
    }
    if gz && bytes.starts_with(b"ElfFile\0") {
        return Content::Other(
            "a gzip-compressed EVTX file: hunt reads EVTX files as they are (gunzip it first)".to_string(),
        );
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        // Cut inside a character at the end of the head: the text before it.
        Err(e) if e.error_len().is_none() && !complete => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or(""),
        Err(_) => "\0",
    };
    if text.contains('\0') {
        let start: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02x}")).collect();
        let start = start.join(" ");
        let named_evtx = !gz && path.extension().is_some_and(|x| x.eq_ignore_ascii_case("evtx"));
        return not_log(if named_evtx {
            format!("not an EVTX file: no ElfFile signature (it starts with {start})")
        } else {
            format!("a binary {noun}, not a log (it starts with {start})")
        });
    }
    let trimmed = text.trim_start();
    let Some(first) = trimmed.chars().next() else {
        return if complete { Content::Blank } else { Content::Lines };
    };
    match first {
        '[' => return Content::Array,
        '{' => return json_object_first(trimmed, complete),
        '<' => {
            return not_log(format!(
                "an XML {noun}, not a log (events saved as XML are not read: give hunt the .evtx file they come from)"
            ));
        }
        _ => {}
    }
    let line = trimmed.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with('#')).unwrap_or("");
    let yaml_name = path.extension().is_some_and(|x| x.eq_ignore_ascii_case("yml") || x.eq_ignore_ascii_case("yaml"));
    if yaml_name || looks_like_yaml(trimmed, line) {
        return not_log(format!("a YAML {noun}, not a log"));
    }
    let shown: String = line.chars().take(60).collect();
    let more = if shown.len() < line.len() { "…" } else { "" };
    not_log(format!("a text {noun}, not a log (its first line is `{shown}{more}`)"))
}

/// Text that starts with `{`: JSON lines when its first line is a whole JSON value (or is bad
/// JSON, reported as such), else a JSON document written over several lines.
fn json_object_first(text: &str, complete: bool) -> Content {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let first = lines.next().unwrap_or("");
    let whole_line = complete || text.len() > first.len();
    match serde_json::from_str::<serde::de::IgnoredAny>(first) {
        // A document goes on where its first line stops, and its second line is no object.
        Err(e) if e.is_eof() && whole_line && !lines.next().is_some_and(|l| l.trim_start().starts_with('{')) => {
            Content::Other(
                "a JSON document written over several lines, not JSON lines (one JSON object per line): \
                 `jq -c . FILE > FILE.jsonl` rewrites it as JSON lines"
                    .to_string(),
            )
        }
        _ => Content::Lines,
    }
}

/// YAML: a document marker or directive, a `key:` mapping, or a `- ` list.
fn looks_like_yaml(text: &str, line: &str) -> bool {
    if text.starts_with("---") || text.starts_with("%YAML") {
        return true;
    }
    let key = line.split_once(':').filter(|(k, rest)| {
        let mut chars = k.chars();
        chars.next().is_some_and(|c| c.is_alphabetic() || c == '_' || c == '"' || c == '\'')
            && chars.all(|c| c.is_alphanumeric() || " _-.\"'".contains(c))
            && (rest.is_empty() || rest.starts_with([' ', '\t']))
    });
    key.is_some() || line.starts_with("- ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(head: &str, name: &str) -> Content {
        content(head.as_bytes(), true, false, Path::new(name))
    }

    fn other(c: Content) -> String {
        match c {
            Content::Other(m) => m,
            c => panic!("not a log, yet {c:?}"),
        }
    }

    #[test]
    fn kinds_by_first_bytes() {
        assert_eq!(kind_of(b""), InputKind::Empty);
        assert_eq!(kind_of(b"ElfFile\0"), InputKind::Evtx);
        assert_eq!(kind_of(&[0x1f, 0x8b, 8, 0]), InputKind::JsonlGz);
        assert_eq!(kind_of(b"{\"a\":1}\n"), InputKind::Jsonl);
        assert_eq!(kind_of(b"ElfChnk\0"), InputKind::Jsonl, "anything else is looked at when read");
    }

    #[test]
    fn json_lines_arrays_and_blank() {
        assert_eq!(what("{\"a\": 1}\n{\"a\": 2}\n", "x.txt"), Content::Lines);
        assert_eq!(what("\u{feff}  {\"a\": 1}", "x.evtx"), Content::Lines, "a BOM, spaces, no newline");
        assert_eq!(what("{\"a\": tru}\n{\"a\": 2}\n", "x.json"), Content::Lines, "a bad first line is a bad line");
        assert_eq!(what("{\"a\":\n{\"b\": 2}\n", "x.json"), Content::Lines, "a cut first line is a bad line");
        assert_eq!(what("\n [\n  {\"a\": 1}\n]\n", "x.json"), Content::Array);
        assert_eq!(what(" \n\t\n", "x.jsonl"), Content::Blank);
        // Only a part of the input: a long first line is not judged.
        assert_eq!(content(b"{\"a\": \"aaaa", false, false, Path::new("x.json")), Content::Lines);
    }

    #[test]
    fn what_is_not_a_log() {
        let m = other(what("title: Whoami\nid: 1\n", "rule.json"));
        assert!(m.starts_with("a YAML file, not a log: hunt reads EVTX, JSON lines"), "{m}");
        assert!(other(what("# comment\n\nkey: value\n", "x.txt")).starts_with("a YAML file"));
        assert!(other(what("---\n", "x")).starts_with("a YAML file"));
        assert!(other(what("just words\n", "x.yml")).starts_with("a YAML file"), "by its name");
        let m = other(what("{\n  \"Event\": {\n    \"System\": 1\n  }\n}\n", "doc.json"));
        assert!(m.starts_with("a JSON document written over several lines, not JSON lines"), "{m}");
        assert!(m.contains("jq -c"), "{m}");
        assert!(other(what("<Events><Event/></Events>", "x.xml")).starts_with("an XML file"));
        let m = other(what("Date,Time,Event\n2024,1,2\n", "x.csv"));
        assert!(m.starts_with("a text file, not a log (its first line is `Date,Time,Event`)"), "{m}");
        let m = other(content(b"MZ\x90\x00\x03\x00\x00\x00\x04", true, false, Path::new("fake.EVTX")));
        assert!(
            m.starts_with("not an EVTX file: no ElfFile signature (it starts with 4d 5a 90 00 03 00 00 00)"),
            "{m}"
        );
        let m = other(content(b"PK\x03\x04\x00", true, false, Path::new("x.json")));
        assert!(m.starts_with("a binary file, not a log (it starts with 50 4b 03 04 00)"), "{m}");
        assert!(other(content(b"\xFF\xFE{\0", true, false, Path::new("x.json"))).starts_with("a UTF-16 text file"));
        let m = other(content(b"ElfFile\0\0\0", true, true, Path::new("x.evtx.gz")));
        assert!(m.contains("gunzip it first"), "{m}");
        let m = other(content(b"title: x\n", true, false, Path::new("-")));
        assert!(m.starts_with("a YAML input, not a log"), "{m}");
    }

    #[test]
    fn the_head_is_the_first_significant_lines() {
        let text = b"# c\n\n{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";
        let mut r = io::BufReader::with_capacity(4, &text[..]);
        let h = head(&mut r).unwrap();
        assert!(!h.complete);
        assert!(h.bytes.starts_with(b"# c\n\n{\"a\":1}\n{\"a\":2}\n"), "{:?}", String::from_utf8_lossy(&h.bytes));
        assert!(h.bytes.len() < text.len());
        let h = head(&mut &b"{\"a\":1}"[..]).unwrap();
        assert!(h.complete);
        assert_eq!(h.bytes, b"{\"a\":1}");
    }
}
