//! JSON → [`Event`]: one streaming pass, no intermediate tree.
//!
//! Two shapes are recognised:
//!
//! - the Windows event as the `evtx` crate and `evtx_dump` render it,
//!   `{"Event": {"System": {…}, "EventData": {…}, "UserData": {…}}}`:
//!   flattened the way SigmaHQ's rules expect (see [`crate::event`]);
//!   `RenderingInfo` and the `Event` element's own attributes are skipped;
//! - any other object: leaves by dotted path (`winlog.event_data.Image`),
//!   arrays as several values of the same field.
//!
//! Two readers share the naming rules (`Mode` and `child`): a hand-written
//! scanner for the common case (valid UTF-8, unsigned integers, no surrogate
//! escapes, nesting below [`FAST_DEPTH`]: every record the `evtx` crate
//! renders), and serde_json for everything else. The scanner is at least as
//! strict as serde_json; whatever it refuses is read again by serde_json,
//! whose result (fields or error) is the answer. So both accept the same
//! inputs and produce the same fields, which a test checks on random input.

use std::cell::RefCell;
use std::fmt::{self, Write as _};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::event::{Event, Kind};

/// Flatten one JSON object into `event` (which is cleared first).
pub fn flatten(bytes: &[u8], event: &mut Event) -> Result<(), serde_json::Error> {
    if let Ok(text) = std::str::from_utf8(bytes) {
        let fast = SCRATCH.with(|cell| match cell.try_borrow_mut() {
            Ok(mut scratch) => fast_flatten(text, event, &mut scratch).is_ok(),
            Err(_) => false,
        });
        if fast {
            return Ok(());
        }
    }
    flatten_serde(bytes, event)
}

/// What is wrong with JSON that [`flatten`] refused, without serde_json's own position
/// (` at line 1 column 204`), and that position (line, column; 1-based, within the text given
/// to [`flatten`]), for the caller to say where in its input that is.
pub fn error_parts(e: &serde_json::Error) -> (String, Option<(u64, u64)>) {
    let text = e.to_string();
    if e.line() == 0 {
        return (text, None);
    }
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    let message = text.strip_suffix(&suffix).map_or_else(|| text.clone(), str::to_string);
    (message, Some((e.line() as u64, e.column() as u64)))
}

/// The serde_json reader alone (the reference for the scanner).
pub(crate) fn flatten_serde(bytes: &[u8], event: &mut Event) -> Result<(), serde_json::Error> {
    event.clear();
    let mut ctx = Ctx { event, name: String::new(), key: String::new(), num: String::new() };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Node { ctx: &mut ctx, mode: Mode::Root, start: 0 }.deserialize(&mut de)?;
    de.end()
}

/// Deepest nesting the scanner reads (serde_json allows 127 below a value it reads).
pub const FAST_DEPTH: u32 = 100;

/// Buffers of the scanner, kept per thread.
#[derive(Default)]
struct FastScratch {
    name: String,
    key: String,
    value: String,
}

thread_local! {
    static SCRATCH: RefCell<FastScratch> = RefCell::new(FastScratch::default());
}

/// The scanner refused the input (serde_json decides).
struct Refused;

type Fast<T = ()> = Result<T, Refused>;

fn fast_flatten(text: &str, event: &mut Event, scratch: &mut FastScratch) -> Fast {
    event.clear();
    scratch.name.clear();
    let mut sc = Scanner { s: text, b: text.as_bytes(), i: 0, depth: 0, scratch };
    let r = sc.value(event, Mode::Root, 0).and_then(|()| {
        sc.ws();
        if sc.i == sc.b.len() { Ok(()) } else { Err(Refused) }
    });
    if r.is_err() {
        event.clear();
    } else {
        event.lower_pending();
    }
    r
}

/// A string just read: a slice of the input, or unescaped into `scratch.value` / `scratch.key`.
#[derive(Clone, Copy)]
enum Str<'a> {
    Borrowed(&'a str),
    Scratch,
}

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

#[inline]
fn zero_bytes(x: u64) -> u64 {
    x.wrapping_sub(LO) & !x & HI
}

struct Scanner<'a, 's> {
    s: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
    scratch: &'s mut FastScratch,
}

impl<'a> Scanner<'a, '_> {
    #[inline(always)]
    fn ws(&mut self) {
        // Compact JSON (what the `evtx` crate writes) has none.
        if self.b.get(self.i).is_some_and(|&c| c > b' ') {
            return;
        }
        self.ws_slow();
    }

    #[inline(never)]
    fn ws_slow(&mut self) {
        while let Some(&c) = self.b.get(self.i) {
            if !matches!(c, b' ' | b'\n' | b'\t' | b'\r') {
                break;
            }
            self.i += 1;
        }
    }

    #[inline]
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Index of the first `"`, `\\` or control byte at or after `i` (or the end).
    #[inline(always)]
    fn scan(&self, mut i: usize) -> usize {
        let b = self.b;
        while let Some(chunk) = b.get(i..i + 8) {
            let Ok(arr) = <[u8; 8]>::try_from(chunk) else { break };
            let w = u64::from_le_bytes(arr);
            let m = zero_bytes(w ^ (LO * u64::from(b'"')))
                | zero_bytes(w ^ (LO * u64::from(b'\\')))
                | (w.wrapping_sub(LO * 0x20) & !w & HI);
            if m != 0 {
                return i + (m.trailing_zeros() / 8) as usize;
            }
            i += 8;
        }
        while let Some(&c) = b.get(i) {
            if c == b'"' || c == b'\\' || c < 0x20 {
                break;
            }
            i += 1;
        }
        i
    }

    /// A string whose opening quote is at `i`; escaped strings go to `scratch.value`
    /// (or `scratch.key` when `key`).
    #[inline(always)]
    fn string(&mut self, key: bool) -> Fast<Str<'a>> {
        let start = self.i + 1;
        let i = self.scan(start);
        if self.b.get(i) == Some(&b'"') {
            self.i = i + 1;
            return self.s.get(start..i).map(Str::Borrowed).ok_or(Refused);
        }
        self.string_escaped(key, start, i)
    }

    /// The rest of a string that has an escape (or an error) at `i`.
    fn string_escaped(&mut self, key: bool, start: usize, mut i: usize) -> Fast<Str<'a>> {
        let mut seg = start;
        let mut escaped = false;
        loop {
            match self.b.get(i) {
                Some(b'"') => {
                    self.i = i + 1;
                    let tail = self.s.get(seg..i).ok_or(Refused)?;
                    if !escaped {
                        return Ok(Str::Borrowed(tail));
                    }
                    let out = if key { &mut self.scratch.key } else { &mut self.scratch.value };
                    out.push_str(tail);
                    return Ok(Str::Scratch);
                }
                Some(b'\\') => {
                    let out = if key { &mut self.scratch.key } else { &mut self.scratch.value };
                    if !escaped {
                        out.clear();
                        escaped = true;
                    }
                    out.push_str(self.s.get(seg..i).ok_or(Refused)?);
                    let c = match self.b.get(i + 1) {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => {
                            let hex = self.b.get(i + 2..i + 6).ok_or(Refused)?;
                            let mut n = 0u32;
                            for &h in hex {
                                n = n * 16 + char::from(h).to_digit(16).ok_or(Refused)?;
                            }
                            i += 4;
                            // Surrogates (pairs or lone) are left to serde_json.
                            char::from_u32(n).ok_or(Refused)?
                        }
                        _ => return Err(Refused),
                    };
                    out.push(c);
                    i += 2;
                    seg = i;
                    i = self.scan(i);
                }
                _ => return Err(Refused),
            }
        }
    }

    fn value(&mut self, ev: &mut Event, mode: Mode, start: usize) -> Fast {
        self.ws();
        match self.peek().ok_or(Refused)? {
            b'{' => self.object(ev, mode, start),
            b'[' => {
                self.enter()?;
                self.i += 1;
                let mode = if mode == Mode::Root { Mode::Path } else { mode };
                self.ws();
                if self.peek() == Some(b']') {
                    self.i += 1;
                } else {
                    loop {
                        self.value(ev, mode, start)?;
                        self.ws();
                        match self.peek() {
                            Some(b',') => self.i += 1,
                            Some(b']') => {
                                self.i += 1;
                                break;
                            }
                            _ => return Err(Refused),
                        }
                    }
                }
                self.depth -= 1;
                Ok(())
            }
            b'"' => {
                let v = self.string(false)?;
                if mode != Mode::Skip {
                    let value = match v {
                        Str::Borrowed(s) => s,
                        Str::Scratch => self.scratch.value.as_str(),
                    };
                    leaf(ev, &self.scratch.name, start, value, Kind::Str);
                }
                Ok(())
            }
            b't' => self.ident(ev, mode, start, "true", Kind::Bool),
            b'f' => self.ident(ev, mode, start, "false", Kind::Bool),
            b'n' => self.ident(ev, mode, start, "null", Kind::Null),
            b'0'..=b'9' | b'-' => self.number(ev, mode, start),
            _ => Err(Refused),
        }
    }

    /// A number. An unsigned integer that fits u64 is copied as written; any other (negative,
    /// fraction, exponent, beyond u64) is checked against JSON's grammar here and its value read
    /// by serde_json, then written as the serde_json reader writes it (so both agree).
    #[inline(always)]
    fn number(&mut self, ev: &mut Event, mode: Mode, start: usize) -> Fast {
        let st = self.i;
        let b = self.b;
        let mut i = st;
        let mut fits = true;
        if b.get(i) == Some(&b'0') {
            i += 1;
        } else {
            let mut v: u64 = 0;
            while let Some(&d) = b.get(i).filter(|d| d.is_ascii_digit()) {
                match v.checked_mul(10).and_then(|v| v.checked_add(u64::from(d - b'0'))) {
                    Some(n) => v = n,
                    None => fits = false,
                }
                i += 1;
            }
        }
        if !fits || i == st || matches!(b.get(i), Some(b'0'..=b'9' | b'.' | b'e' | b'E')) {
            return self.other_number(ev, mode, start);
        }
        self.i = i;
        if mode != Mode::Skip {
            leaf(ev, &self.scratch.name, start, self.s.get(st..i).ok_or(Refused)?, Kind::Num);
        }
        Ok(())
    }

    /// A number that is not a u64 written plainly (see [`Scanner::number`]).
    #[inline(never)]
    fn other_number(&mut self, ev: &mut Event, mode: Mode, start: usize) -> Fast {
        let b = self.b;
        let st = self.i;
        let mut i = st;
        let digits = |i: &mut usize| {
            let from = *i;
            while b.get(*i).is_some_and(u8::is_ascii_digit) {
                *i += 1;
            }
            *i > from
        };
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        // JSON: no leading zero (serde_json's error is the answer then).
        if b.get(i) == Some(&b'0') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return Err(Refused);
        }
        if !digits(&mut i) {
            return Err(Refused);
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            if !digits(&mut i) {
                return Err(Refused);
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                return Err(Refused);
            }
        }
        let token = self.s.get(st..i).ok_or(Refused)?;
        let Ok(serde_json::Value::Number(n)) = serde_json::from_str::<serde_json::Value>(token) else {
            return Err(Refused);
        };
        self.i = i;
        if mode != Mode::Skip {
            // As the serde_json reader's visitor writes it (visit_u64 / visit_i64 / visit_f64).
            let text = &mut self.scratch.value;
            text.clear();
            if let Some(u) = n.as_u64() {
                text.push_str(itoa::Buffer::new().format(u));
            } else if let Some(x) = n.as_i64() {
                let _ = write!(text, "{x}");
            } else if let Some(f) = n.as_f64() {
                let _ = write!(text, "{f}");
            } else {
                return Err(Refused);
            }
            leaf(ev, &self.scratch.name, start, &self.scratch.value, Kind::Num);
        }
        Ok(())
    }

    fn ident(&mut self, ev: &mut Event, mode: Mode, start: usize, word: &'static str, kind: Kind) -> Fast {
        if !self.b[self.i..].starts_with(word.as_bytes()) {
            return Err(Refused);
        }
        self.i += word.len();
        if mode != Mode::Skip {
            let text = if kind == Kind::Null { "" } else { word };
            leaf(ev, &self.scratch.name, start, text, kind);
        }
        Ok(())
    }

    #[inline]
    fn enter(&mut self) -> Fast {
        self.depth += 1;
        if self.depth >= FAST_DEPTH { Err(Refused) } else { Ok(()) }
    }

    fn object(&mut self, ev: &mut Event, mode: Mode, start: usize) -> Fast {
        self.enter()?;
        self.i += 1;
        self.ws();
        if self.peek() == Some(b'}') {
            self.i += 1;
            self.depth -= 1;
            return Ok(());
        }
        loop {
            if self.peek() != Some(b'"') {
                return Err(Refused);
            }
            let key = self.string(true)?;
            self.ws();
            if self.peek() != Some(b':') {
                return Err(Refused);
            }
            self.i += 1;
            let len = self.scratch.name.len();
            let (cmode, cstart) = match key {
                Str::Borrowed(k) => child(mode, start, k, &mut self.scratch.name),
                Str::Scratch => {
                    let k = std::mem::take(&mut self.scratch.key);
                    let r = child(mode, start, &k, &mut self.scratch.name);
                    self.scratch.key = k;
                    r
                }
            };
            self.ws();
            match self.peek() {
                Some(b'"') => {
                    let v = self.string(false)?;
                    if cmode != Mode::Skip {
                        let value = match v {
                            Str::Borrowed(s) => s,
                            Str::Scratch => self.scratch.value.as_str(),
                        };
                        leaf(ev, &self.scratch.name, cstart, value, Kind::Str);
                    }
                }
                Some(b'0'..=b'9' | b'-') => self.number(ev, cmode, cstart)?,
                _ => self.value(ev, cmode, cstart)?,
            }
            self.scratch.name.truncate(len);
            self.ws();
            match self.peek() {
                Some(b',') => {
                    self.i += 1;
                    self.ws();
                }
                Some(b'}') => {
                    self.i += 1;
                    break;
                }
                _ => return Err(Refused),
            }
        }
        self.depth -= 1;
        Ok(())
    }
}

#[inline]
fn leaf(ev: &mut Event, name: &str, start: usize, value: &str, kind: Kind) {
    if let Some(name) = name.get(start..).filter(|n| !n.is_empty()) {
        ev.push_raw(name, value, kind);
    }
}

/// The child's mode and name for `key` of a node in `mode` whose name starts at
/// `own` in `name`; returns the child's name start. The caller truncates `name` afterwards.
fn child(mode: Mode, own: usize, key: &str, name: &mut String) -> (Mode, usize) {
    let here = name.len();
    let fresh = |name: &mut String, key: &str| {
        name.push_str(key);
        here
    };
    match mode {
        Mode::Root if key == "Event" => (Mode::EventRoot, fresh(name, key)),
        // evtx_dump's element text: `{"Data": {"#text": [...]}}` is field `Data`.
        Mode::Path if key == "#text" => (Mode::Path, own),
        Mode::Root | Mode::Path => {
            if here > own {
                name.push('.');
            }
            name.push_str(key);
            (Mode::Path, own)
        }
        Mode::EventRoot => match key {
            "System" => (Mode::System, here),
            "EventData" | "UserData" => (Mode::Leaves, here),
            _ if key.starts_with('#') || key == "RenderingInfo" => (Mode::Skip, here),
            _ => (Mode::Leaves, here),
        },
        Mode::System => {
            if let Some(base) = key.strip_suffix("_attributes") {
                // evtx_dump --separate-json-attributes
                name.push_str(base);
                (Mode::SystemElem, here)
            } else {
                (Mode::SystemElem, fresh(name, key))
            }
        }
        Mode::SystemElem => match key {
            "#text" => (Mode::Leaves, own),
            "#attributes" => (Mode::SystemElem, own),
            _ => {
                name.push('_');
                name.push_str(key);
                (Mode::SystemElem, own)
            }
        },
        Mode::Leaves => match key {
            "#text" => (Mode::Leaves, own),
            "#attributes" => (Mode::Leaves, here),
            _ => (Mode::Leaves, fresh(name, key)),
        },
        Mode::Skip => (Mode::Skip, here),
    }
}

/// Reusable scratch for [`flatten`].
struct Ctx<'e> {
    event: &'e mut Event,
    /// The current field name is `name[start..]` of the node being read.
    name: String,
    key: String,
    num: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The top-level object.
    Root,
    /// Generic JSON: children by dotted path.
    Path,
    /// Inside `Event`.
    EventRoot,
    /// Inside `Event.System`: children by name.
    System,
    /// A System element with attributes: `#attributes` children joined by `_`.
    SystemElem,
    /// Inside `EventData` / `UserData`: leaves by their own name.
    Leaves,
    /// Ignored.
    Skip,
}

struct Node<'c, 'e> {
    ctx: &'c mut Ctx<'e>,
    mode: Mode,
    /// Where the current name starts in `ctx.name`.
    start: usize,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.mode == Mode::Skip {
            d.deserialize_ignored_any(IgnoredAny)?;
            return Ok(());
        }
        d.deserialize_any(self)
    }
}

impl Node<'_, '_> {
    fn leaf(&mut self, value: &str, kind: Kind) {
        let name = &self.ctx.name[self.start..];
        if !name.is_empty() {
            self.ctx.event.push(name, value, kind);
        }
    }

    fn number(&mut self, v: impl fmt::Display) {
        let mut num = std::mem::take(&mut self.ctx.num);
        num.clear();
        let _ = write!(num, "{v}");
        self.leaf(&num, Kind::Num);
        self.ctx.num = num;
    }

    /// Decimal digits without the formatting machinery (EVTX has many small integers).
    fn unsigned(&mut self, v: u64) {
        self.leaf(itoa::Buffer::new().format(v), Kind::Num);
    }

    /// The child's mode and name for `key` (already in `ctx.key`).
    fn child(&mut self) -> (Mode, usize) {
        child(self.mode, self.start, &self.ctx.key, &mut self.ctx.name)
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(mut self, v: bool) -> Result<(), E> {
        self.leaf(if v { "true" } else { "false" }, Kind::Bool);
        Ok(())
    }
    fn visit_i64<E>(mut self, v: i64) -> Result<(), E> {
        if v >= 0 {
            self.unsigned(v as u64);
        } else {
            self.number(v);
        }
        Ok(())
    }
    fn visit_u64<E>(mut self, v: u64) -> Result<(), E> {
        self.unsigned(v);
        Ok(())
    }
    fn visit_f64<E>(mut self, v: f64) -> Result<(), E> {
        self.number(v);
        Ok(())
    }
    fn visit_str<E>(mut self, v: &str) -> Result<(), E> {
        self.leaf(v, Kind::Str);
        Ok(())
    }
    fn visit_unit<E>(mut self) -> Result<(), E> {
        self.leaf("", Kind::Null);
        Ok(())
    }
    fn visit_none<E>(mut self) -> Result<(), E> {
        self.leaf("", Kind::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mode = if self.mode == Mode::Root { Mode::Path } else { self.mode };
        while seq.next_element_seed(Node { ctx: &mut *self.ctx, mode, start: self.start })?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Key(&mut self.ctx.key))?.is_some() {
            let len = self.ctx.name.len();
            let (mode, start) = self.child();
            map.next_value_seed(Node { ctx: &mut *self.ctx, mode, start })?;
            self.ctx.name.truncate(len);
        }
        Ok(())
    }
}

/// Reads a map key into a reusable string.
struct Key<'k>(&'k mut String);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.clear();
        self.0.push_str(v);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(json: &str) -> Vec<(String, String, Kind)> {
        let mut e = Event::new();
        flatten(json.as_bytes(), &mut e).unwrap();
        e.fields().map(|(n, v)| (n.to_string(), v.raw.to_string(), v.kind)).collect()
    }

    fn pairs(json: &str) -> Vec<(String, String)> {
        flat(json).into_iter().map(|(n, v, _)| (n, v)).collect()
    }

    fn p(n: &str, v: &str) -> (String, String) {
        (n.to_string(), v.to_string())
    }

    #[test]
    fn errors_without_serde_position() {
        let mut e = Event::new();
        let err = flatten(br#"{"a": 1, "b": tru}"#, &mut e).unwrap_err();
        assert_eq!(error_parts(&err), ("expected ident".to_string(), Some((1, 18))));
        let err = flatten(b"{\"a\":\n 1 x}", &mut e).unwrap_err();
        assert_eq!(error_parts(&err), ("expected `,` or `}`".to_string(), Some((2, 4))));
    }

    #[test]
    fn windows_shape_system_and_eventdata() {
        let json = r##"{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},
          "System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"{5770385F}"}},
            "EventID":1,"Level":4,
            "TimeCreated":{"#attributes":{"SystemTime":"2019-03-19T23:43:52.123Z"}},
            "EventRecordID":42,"Correlation":null,
            "Execution":{"#attributes":{"ProcessID":1952,"ThreadID":3788}},
            "Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"PC01",
            "Security":{"#attributes":{"UserID":"S-1-5-18"}}},
          "EventData":{"Image":"C:\\Windows\\cmd.exe","Initiated":true,"RuleName":null}}}"##;
        let got = pairs(json);
        for want in [
            p("Provider_Name", "Microsoft-Windows-Sysmon"),
            p("Provider_Guid", "{5770385F}"),
            p("EventID", "1"),
            p("Level", "4"),
            p("TimeCreated_SystemTime", "2019-03-19T23:43:52.123Z"),
            p("EventRecordID", "42"),
            p("Execution_ProcessID", "1952"),
            p("Execution_ThreadID", "3788"),
            p("Channel", "Microsoft-Windows-Sysmon/Operational"),
            p("Computer", "PC01"),
            p("Security_UserID", "S-1-5-18"),
            p("Image", r"C:\Windows\cmd.exe"),
            p("Initiated", "true"),
        ] {
            assert!(got.contains(&want), "{want:?} missing from {got:?}");
        }
        assert!(!got.iter().any(|(n, _)| n == "xmlns"));
        let null = flat(json).into_iter().find(|(n, ..)| n == "RuleName").unwrap();
        assert_eq!(null.2, Kind::Null);
    }

    #[test]
    fn event_id_with_qualifiers() {
        let got = pairs(r##"{"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":16384},"#text":7045}}}}"##);
        assert_eq!(got, vec![p("EventID_Qualifiers", "16384"), p("EventID", "7045")]);
    }

    #[test]
    fn userdata_leaves_by_own_name() {
        let got = pairs(
            r##"{"Event":{"System":{"EventID":5858},"UserData":{"Operation_ClientFailure":
              {"#attributes":{"xmlns":"http://manifests.microsoft.com/win/2006/windows/WMI"},
               "Id":"{00000000}","Operation":"Start IWbemServices::ExecQuery"}}}}"##,
        );
        assert!(got.contains(&p("Operation", "Start IWbemServices::ExecQuery")));
        assert!(got.contains(&p("Id", "{00000000}")));
    }

    #[test]
    fn unnamed_data_values() {
        let got = pairs(r##"{"Event":{"EventData":{"Data":{"#text":["a","b"]},"Binary":"00FF"}}}"##);
        assert_eq!(got, vec![p("Data", "a"), p("Data", "b"), p("Binary", "00FF")]);
    }

    #[test]
    fn generic_json_dotted_paths_and_arrays() {
        let got =
            pairs(r##"{"winlog":{"event_data":{"Image":"x"},"event_id":1},"tags":["a","b"],"n":1.5,"Event":"s"}"##);
        assert_eq!(
            got,
            vec![
                p("winlog.event_data.Image", "x"),
                p("winlog.event_id", "1"),
                p("tags", "a"),
                p("tags", "b"),
                p("n", "1.5"),
                p("Event", "s")
            ]
        );
    }

    #[test]
    fn element_text_in_flat_objects_is_the_element() {
        let got = pairs(r##"{"Provider_Name":"ESENT","Data":{"#text":["a","ntds.dit"]}}"##);
        assert_eq!(got, vec![p("Provider_Name", "ESENT"), p("Data", "a"), p("Data", "ntds.dit")]);
    }

    #[test]
    fn flat_objects() {
        let got = pairs(r##"{"EventID":4688,"NewProcessName":"C:\\x.exe","Channel":"Security"}"##);
        assert_eq!(got, vec![p("EventID", "4688"), p("NewProcessName", r"C:\x.exe"), p("Channel", "Security")]);
    }

    /// Every field of `e`, with kinds and lower-cased values.
    fn dump(e: &Event) -> Vec<(String, String, String, Kind)> {
        e.fields().map(|(n, v)| (n.to_string(), v.raw.to_string(), v.lower.to_string(), v.kind)).collect()
    }

    /// The scanner (with its serde_json fallback) and serde_json alone agree.
    fn agree(bytes: &[u8]) {
        let (mut a, mut b) = (Event::new(), Event::new());
        let ra = flatten(bytes, &mut a);
        let rb = flatten_serde(bytes, &mut b);
        assert_eq!(ra.is_ok(), rb.is_ok(), "{:?}: {ra:?} vs {rb:?}", String::from_utf8_lossy(bytes));
        if ra.is_ok() {
            assert_eq!(dump(&a), dump(&b), "{:?}", String::from_utf8_lossy(bytes));
        }
    }

    #[test]
    fn scanner_edge_cases_agree_with_serde() {
        for case in [
            r##"{"a":"x\u0041\n\"\\\/\b\f\r\t"}"##,
            r##"{"a":"\ud83d\ude00"}"##,
            r##"{"a":"\ud83d"}"##,
            r##"{"a":"\ude00"}"##,
            r##"{"Event":{"#x":"\ud83d"}}"##,
            r##"{"a":"\u00e9","b":"é","c b":1}"##,
            r##"{"a":01}"##,
            r##"{"a":-1,"b":1.5,"c":1e3,"d":-0,"e":18446744073709551615,"f":18446744073709551616}"##,
            r##"{"a":[1,[2,[3]]],"b":{"c":{"d":null}}}"##,
            r##"{"a":1,}"##,
            r##"{"a":[1,]}"##,
            r##"{"a" : 1 , "b" :[ true , false ] } "##,
            r##"{"a":tru}"##,
            r##"{"a":"\x"}"##,
            "{\"a\":\"\u{1}\"}",
            r##"{"a":"x"} x"##,
            r##"[1,{"a":2}]"##,
            r##""s""##,
            r##"{"#text":"t","a":{"#text":["u","v"]}}"##,
            r##"{"Event":{"System":{"Provider_attributes":{"Name":"p"},"EventID":{"#attributes":{"Qualifiers":""},"#text":4}}}}"##,
            r##"{"Event":{"RenderingInfo":{"x":[1,{"y":"\ud800"}]},"EventData":{"Data":[{"#text":"a"},"b"]}}}"##,
            "",
            " ",
            "{",
            "{\"a\":\"",
        ] {
            agree(case.as_bytes());
        }
        let deep = format!("{}1{}", "[".repeat(200), "]".repeat(200));
        agree(deep.as_bytes());
        let deep = format!("{{\"Event\":{{\"#a\":{}1{}}}}}", "[".repeat(300), "]".repeat(300));
        agree(deep.as_bytes());
        let edge = format!("{}1{}", "[".repeat(127), "]".repeat(127));
        agree(edge.as_bytes());
        agree(b"{\"a\":\"\xff\"}");
        agree(b"{\"Event\":{\"#a\":\"\xff\"}}");
    }

    fn json_value() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let key = prop_oneof![
            Just("Event".to_string()),
            Just("System".to_string()),
            Just("EventData".to_string()),
            Just("UserData".to_string()),
            Just("RenderingInfo".to_string()),
            Just("#attributes".to_string()),
            Just("#text".to_string()),
            Just("Provider".to_string()),
            Just("Provider_attributes".to_string()),
            Just("Threat Name".to_string()),
            "[a-zA-Z#_ ]{0,6}",
        ];
        let string = prop_oneof![
            "[a-zA-Z0-9 .:-]{0,12}",
            Just(r"C:\\Windows\\cmd.exe".to_string()),
            Just(r"\u00c4\u0000\ud83d\ude00".to_string()),
            Just("ÄÖÜ Straße".to_string()),
            Just(r##"q\"q\/\t"##.to_string()),
        ];
        let leaf = prop_oneof![
            string.prop_map(|s| format!("\"{s}\"")),
            any::<u64>().prop_map(|n| n.to_string()),
            any::<i64>().prop_map(|n| n.to_string()),
            Just("1.5e3".to_string()),
            Just("-0".to_string()),
            Just("true".to_string()),
            Just("false".to_string()),
            Just("null".to_string()),
        ];
        leaf.prop_recursive(5, 48, 6, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..5).prop_map(|v| format!("[{}]", v.join(","))),
                proptest::collection::vec((key.clone(), inner), 0..6).prop_map(|v| {
                    let items: Vec<String> = v.into_iter().map(|(k, x)| format!("\"{k}\": {x}")).collect();
                    format!("{{ {} }}", items.join(" ,"))
                }),
            ]
        })
    }

    proptest::proptest! {
        #[test]
        fn scanner_agrees_with_serde(json in json_value(), cut in 0usize..400, byte in proptest::prelude::any::<u8>(), mutate in 0u8..4) {
            agree(json.as_bytes());
            let mut bytes = json.into_bytes();
            if !bytes.is_empty() {
                let at = cut % bytes.len();
                match mutate {
                    0 => bytes.truncate(at),
                    1 => bytes[at] = byte,
                    2 => bytes.insert(at, byte),
                    _ => { bytes.remove(at); }
                }
            }
            agree(&bytes);
        }
    }

    /// Numbers other than plain u64 (BITS-Client's `18446744073709552000`, negatives, fractions)
    /// are read by the scanner itself, the way the serde_json reader writes them.
    #[test]
    fn the_scanner_reads_every_valid_number() {
        let json = r#"{"a":18446744073709552000,"b":-1,"c":1.5,"d":1e3,"e":-0,"f":-9223372036854775809,"g":0.1e-2}"#;
        let (mut fast, mut reference) = (Event::new(), Event::new());
        assert!(fast_flatten(json, &mut fast, &mut FastScratch::default()).is_ok());
        flatten_serde(json.as_bytes(), &mut reference).unwrap();
        assert_eq!(dump(&fast), dump(&reference));
        assert_eq!(fast.get("a").map(|v| v.raw), Some("18446744073709552000"));
        for bad in [r#"{"a":01}"#, r#"{"a":-}"#, r#"{"a":1.}"#, r#"{"a":1e}"#, r#"{"a":--1}"#] {
            assert!(fast_flatten(bad, &mut fast, &mut FastScratch::default()).is_err(), "{bad}");
            agree(bad.as_bytes());
        }
    }

    #[test]
    fn errors_on_bad_json() {
        let mut e = Event::new();
        assert!(flatten(b"{\"a\":", &mut e).is_err());
        assert!(flatten(b"{} x", &mut e).is_err());
    }
}
