//! The event: flattened fields, the way SigmaHQ's Windows rules expect them.
//!
//! An [`Event`] is a list of `(name, value)` pairs kept in four reusable
//! buffers (names, raw values, lower-cased values, slots), so that reading
//! millions of events allocates nothing once the buffers have grown. Values
//! are stored each followed by a NUL, raw and lower-cased alike, so that an
//! ASCII event's lower-cased buffer is one lower-casing pass over the raw one.
//!
//! Field naming (see `docs/design.md`, "Matching Windows events the way SigmaHQ
//! means it"), done by the readers ([`crate::json`], and `binxml` for EVTX records, which
//! gives the same fields as the JSON the `evtx` crate renders):
//!
//! - `EventData` `<Data Name="X">` values are field `X`; `UserData` leaves are
//!   fields by their own name;
//! - System values by name (`EventID`, `Channel`, `Computer` …) and their
//!   attributes joined by `_` (`Provider_Name`, `Execution_ProcessID`,
//!   `Security_UserID`, `TimeCreated_SystemTime`);
//! - other JSON by dotted path (`process.command_line`), arrays as several
//!   values of one field.
//!
//! Values are text: numbers are their decimal text, booleans `true`/`false`,
//! JSON `null` is a value of kind [`Kind::Null`] (a field that is present and
//! null), which is not the empty string.

/// What kind of JSON value a field held. Matching compares text; the kind
/// only separates `null` from the empty string.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A string.
    Str,
    /// A number (its decimal text).
    Num,
    /// A boolean (`true` / `false`).
    Bool,
    /// JSON `null` (text is empty).
    Null,
}

#[derive(Clone, Copy, Debug)]
struct Slot {
    name: (u32, u32),
    raw: (u32, u32),
    low: (u32, u32),
    kind: Kind,
}

/// One value of a field: as written, lower-cased, and its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FieldValue<'a> {
    /// The value as it is in the event.
    pub raw: &'a str,
    /// The value lower-cased (Unicode simple case mapping, char by char).
    pub lower: &'a str,
    /// Its kind.
    pub kind: Kind,
}

impl FieldValue<'_> {
    /// True for JSON `null`.
    pub fn is_null(&self) -> bool {
        self.kind == Kind::Null
    }
}

/// A flattened event with reusable buffers; see the module documentation.
#[derive(Clone, Debug, Default)]
pub struct Event {
    names: String,
    /// Raw values, each followed by a NUL.
    text: String,
    /// Lower-cased values, each followed by a NUL.
    lower: String,
    slots: Vec<Slot>,
    spaced_names: bool,
}

impl Event {
    /// An empty event.
    pub fn new() -> Self {
        Self::default()
    }

    /// Forget every field, keeping the buffers.
    pub fn clear(&mut self) {
        self.names.clear();
        self.text.clear();
        self.lower.clear();
        self.slots.clear();
        self.spaced_names = false;
    }

    /// Add a field value (a field may have several).
    pub fn push(&mut self, name: &str, value: &str, kind: Kind) {
        let l0 = self.lower.len();
        lowercase_into(&mut self.lower, value);
        let l1 = self.lower.len();
        // A separator so that prefilter needles do not run across values often.
        self.lower.push('\0');
        self.push_raw(name, value, kind);
        if let Some(s) = self.slots.last_mut() {
            s.low = (l0 as u32, l1 as u32);
        }
    }

    /// Add a field whose value `write` appends to the event's text, without its lower-cased
    /// form (as [`Event::push_raw`]). Nothing is added when `write` fails, nor when the value
    /// is empty and `keep_empty` is false; returns whether a value was added.
    #[inline]
    pub(crate) fn push_with<E>(
        &mut self,
        name: &str,
        keep_empty: bool,
        write: impl FnOnce(&mut String) -> Result<Kind, E>,
    ) -> Result<bool, E> {
        let v0 = self.text.len();
        let kind = match write(&mut self.text) {
            Ok(k) => k,
            Err(e) => {
                self.text.truncate(v0);
                return Err(e);
            }
        };
        let v1 = self.text.len();
        if v1 == v0 && !keep_empty {
            return Ok(false);
        }
        self.text.push('\0');
        let n0 = self.names.len();
        self.names.push_str(name);
        self.spaced_names |= has_space(name.as_bytes());
        self.slots.push(Slot {
            name: (n0 as u32, self.names.len() as u32),
            raw: (v0 as u32, v1 as u32),
            low: (0, 0),
            kind,
        });
        Ok(true)
    }

    /// Add a field value without its lower-cased form: the caller calls
    /// [`Event::lower_pending`] before the event is used.
    #[inline]
    pub(crate) fn push_raw(&mut self, name: &str, value: &str, kind: Kind) {
        let pushed = self.push_with(name, true, |text| {
            text.push_str(value);
            Ok::<_, std::convert::Infallible>(kind)
        });
        debug_assert!(matches!(pushed, Ok(true)));
    }

    /// Lower-case the values of a cleared event filled with [`Event::push_raw`]:
    /// all at once when the values are ASCII (same offsets), else value by value.
    pub(crate) fn lower_pending(&mut self) {
        self.lower.clear();
        if self.text.is_ascii() {
            self.lower.push_str(&self.text);
            self.lower.make_ascii_lowercase();
            for s in &mut self.slots {
                s.low = s.raw;
            }
        } else {
            for s in &mut self.slots {
                let l0 = self.lower.len();
                lowercase_into(&mut self.lower, &self.text[s.raw.0 as usize..s.raw.1 as usize]);
                s.low = (l0 as u32, self.lower.len() as u32);
                self.lower.push('\0');
            }
        }
    }

    /// Number of field values.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// True when the event has no field.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    fn value_of(&self, s: &Slot) -> FieldValue<'_> {
        FieldValue {
            raw: &self.text[s.raw.0 as usize..s.raw.1 as usize],
            lower: &self.lower[s.low.0 as usize..s.low.1 as usize],
            kind: s.kind,
        }
    }

    fn name_of(&self, s: &Slot) -> &str {
        &self.names[s.name.0 as usize..s.name.1 as usize]
    }

    /// Every value of field `name`. Names match exactly; when the event has
    /// names with spaces (Defender's `Threat Name`), a rule's space-less
    /// `ThreatName` finds them too.
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = FieldValue<'a>> + 'a {
        let exact = self.slots.iter().any(|s| self.name_of(s) == name);
        let spaced = !exact && self.spaced_names;
        self.slots
            .iter()
            .filter(move |s| {
                let n = self.name_of(s);
                if exact { n == name } else { spaced && eq_without_spaces(n, name) }
            })
            .map(|s| self.value_of(s))
    }

    /// The first value of field `name`.
    pub fn get<'a>(&'a self, name: &'a str) -> Option<FieldValue<'a>> {
        self.values(name).next()
    }

    /// True when field `name` is present (even if null).
    pub fn has(&self, name: &str) -> bool {
        self.values(name).next().is_some()
    }

    /// Every field value with its name, in event order.
    pub fn fields(&self) -> impl Iterator<Item = (&str, FieldValue<'_>)> {
        self.slots.iter().map(|s| (self.name_of(s), self.value_of(s)))
    }

    /// Every value lower-cased, joined by NUL: the text the literal prefilter scans.
    pub fn lower_text(&self) -> &str {
        &self.lower
    }

    /// Value of slot `i` (see [`Event::len`]).
    pub(crate) fn value_at(&self, i: usize) -> FieldValue<'_> {
        self.value_of(&self.slots[i])
    }

    /// Name of slot `i`.
    pub(crate) fn name_at(&self, i: usize) -> &str {
        self.name_of(&self.slots[i])
    }

    /// Every field name, concatenated in slot order (see [`Event::name_end`]).
    pub(crate) fn names_text(&self) -> &str {
        &self.names
    }

    /// Where the name of slot `i` ends in [`Event::names_text`].
    pub(crate) fn name_end(&self, i: usize) -> u32 {
        self.slots[i].name.1
    }

    /// True when some field name has a space.
    pub(crate) fn has_spaced_names(&self) -> bool {
        self.spaced_names
    }

    /// Build an event from pairs (tests and examples).
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Self {
        let mut e = Event::new();
        for (k, v) in pairs {
            e.push(k, v, Kind::Str);
        }
        e
    }
}

/// A field as compiled rules name it: its name, and its id in the ruleset's
/// field table (for the indexed lookup of [`crate::ruleset`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldKey {
    /// The field name as the event names it.
    pub name: Box<str>,
    /// Its id in the field table.
    pub id: u32,
}

/// Access to the values of an event's fields, by compiled field key.
pub trait Fields {
    /// The event.
    fn event(&self) -> &Event;
    /// Every value of the field.
    fn values<'a>(&'a self, key: &'a FieldKey) -> impl Iterator<Item = FieldValue<'a>> + 'a;
}

impl Fields for Event {
    fn event(&self) -> &Event {
        self
    }
    fn values<'a>(&'a self, key: &'a FieldKey) -> impl Iterator<Item = FieldValue<'a>> + 'a {
        Event::values(self, &key.name)
    }
}

/// True if `b` has a space (eight bytes at a time: names are short, a call to memchr costs more).
#[inline]
fn has_space(b: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        let x = u64::from_le_bytes(w) ^ (LO * u64::from(b' '));
        if x.wrapping_sub(LO) & !x & HI != 0 {
            return true;
        }
    }
    chunks.remainder().contains(&b' ')
}

fn eq_without_spaces(with_spaces: &str, name: &str) -> bool {
    let mut a = with_spaces.bytes().filter(|&b| b != b' ');
    let mut b = name.bytes();
    loop {
        match (a.next(), b.next()) {
            (None, None) => return true,
            (Some(x), Some(y)) if x == y => {}
            _ => return false,
        }
    }
}

/// Append `s` lower-cased to `out`: ASCII fast path, otherwise each char's
/// lower-case mapping (char by char, so that `lower(a + b) = lower(a) + lower(b)`,
/// which the prefilter relies on).
pub fn lowercase_into(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        for c in s.chars() {
            if c.is_ascii() {
                out.push(c.to_ascii_lowercase());
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
}

/// `s` lower-cased as [`lowercase_into`] does.
pub fn lowercase(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    lowercase_into(&mut out, s);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_and_lowercase() {
        let mut e = Event::new();
        e.push("Image", r"C:\Windows\CMD.exe", Kind::Str);
        e.push("Initiated", "true", Kind::Bool);
        e.push("Empty", "", Kind::Str);
        e.push("Gone", "", Kind::Null);
        let v = e.get("Image").unwrap();
        assert_eq!(v.lower, r"c:\windows\cmd.exe");
        assert_eq!(e.get("Initiated").unwrap().raw, "true");
        assert!(!e.get("Empty").unwrap().is_null());
        assert!(e.get("Gone").unwrap().is_null());
        assert!(e.get("image").is_none(), "names are exact");
        e.clear();
        assert!(e.is_empty());
    }

    #[test]
    fn spaced_names_found_by_spaceless_rule_names() {
        let mut e = Event::new();
        e.push("Threat Name", "HackTool:Win32/Mimikatz", Kind::Str);
        assert_eq!(e.get("ThreatName").unwrap().raw, "HackTool:Win32/Mimikatz");
        assert_eq!(e.get("Threat Name").unwrap().raw, "HackTool:Win32/Mimikatz");
        assert!(e.get("Threat").is_none());
    }

    #[test]
    fn unicode_lowercase() {
        assert_eq!(lowercase("ÄÖÜ Straße"), "äöü straße");
        assert_eq!(lowercase("ПРИВЕТ"), "привет");
    }
}
