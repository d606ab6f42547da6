//! EVTX record → [`Event`] straight from the record's BinXML, without rendering JSON.
//!
//! Nearly every EVTX record is one *template instance*: a template definition
//! stored once in the chunk (the XML shape, with substitution slots) and the
//! record's own substitution values. This module walks a chunk's records, reads
//! each record's values and the template definition from the chunk bytes (once
//! per thread), compiles the definition into a *plan* (which slot
//! becomes which field, by the naming rules of [`crate::event`]), and fills the
//! event from the values. Rendering the record as JSON and scanning that JSON
//! back costs about as much as parsing the file; this costs a fraction of it.
//!
//! The JSON rendering of the `evtx` crate stays the reference. The shapes of
//! Windows events are planned: `Event` with `System` (elements with attributes
//! and at most one value), `EventData` (`<Data Name="…">` values) and
//! `UserData` (elements named by themselves), each possibly a nested template
//! instance (as in Security's and in saved logs). Anything else (unnamed or
//! repeated names, mixed content, arrays, values of other types, chunks that
//! are not well-formed) is read through JSON, record by record. And each plan
//! checks itself: the first record of each *empty-value signature* (which slots
//! are NULL, which are empty, in the record and its nested instance) is read
//! both ways and compared field by field. A plan that ever differs from the
//! JSON reading is dropped for the rest of the run, so the direct reading only
//! gives what the JSON reading gives.

use std::collections::HashMap;
use std::rc::Rc;

use evtx::EvtxChunkHeader;
use evtx::EvtxRecordHeader;

use crate::event::{Event, Kind};

/// Most plans (and template definitions) a thread keeps; Windows logs have a few hundred.
const MAX_PLANS: usize = 4096;

/// Per-thread state: plans by template, checked signatures.
#[derive(Default)]
pub(crate) struct Reader {
    /// The plans of this thread, each with what has been checked of it.
    plans: Vec<Checked>,
    by_plan: HashMap<Rc<Plan>, usize, foldhash::fast::RandomState>,
    /// For the chunk being read: template definition offset → plan index (`None`: not planned).
    chunk: HashMap<u32, Option<usize>, foldhash::fast::RandomState>,
    /// Across chunks: template definition (GUID, size and bytes) → plan index.
    defined: HashMap<Box<[u8]>, Option<usize>, foldhash::fast::RandomState>,
    /// The reference reading of a record being checked.
    reference: Event,
    /// The buffers of a record's values and its nested instance's, from record to record.
    spare: [Vec<Val<'static>>; 2],
}

struct Checked {
    plan: Rc<Plan>,
    /// Empty-value signatures seen agreeing with the JSON reading.
    agreed: Vec<Signature>,
    /// The plan disagreed once: it is not used again.
    failed: bool,
}

/// Which slots hold NULL and which an empty value, in the record's instance and in its nested
/// one (with the nested plan). Records of one plan and signature render alike.
#[derive(Clone, Copy, PartialEq, Eq, Default)]
struct Signature {
    null: u128,
    empty: u128,
    nested: Option<(usize, u128, u128)>,
}

/// What the caller does with a record.
pub(crate) enum Direct {
    /// `event` holds the record's fields.
    Done,
    /// Read it through JSON (then call [`Reader::check`] when `check` is set).
    Json { check: Option<CheckToken> },
}

/// A pending comparison of a direct reading (kept in the reader) with the JSON one.
pub(crate) struct CheckToken {
    plan: usize,
    signature: Signature,
}

/// A record's values, and those of its nested instance, with their plans.
struct Planned<'a> {
    plan: usize,
    values: Vec<Val<'a>>,
    nested: Option<(usize, Vec<Val<'a>>)>,
}

impl Reader {
    /// Forget the template offsets of the previous chunk (and everything, once this thread
    /// holds more than [`MAX_PLANS`] plans or template definitions: input can be crafted).
    pub(crate) fn new_chunk(&mut self) {
        self.chunk.clear();
        if self.plans.len() > MAX_PLANS || self.defined.len() > MAX_PLANS {
            *self = Reader::default();
        }
    }

    /// Fill `event` from a record's values when its template is planned. `binxml` is the
    /// record's BinXML, a slice of `chunk`.
    pub(crate) fn read(&mut self, chunk: &[u8], binxml: &[u8], event: &mut Event) -> Direct {
        let Some(p) = self.planned(chunk, binxml) else { return Direct::Json { check: None } };
        let direct = self.read_planned(&p, event);
        self.spare[0] = recycle(p.values);
        if let Some((_, v)) = p.nested {
            self.spare[1] = recycle(v);
        }
        direct
    }

    /// A planned record: into `event` when its signature agreed before; into the reference
    /// event, to be checked against the JSON reading, when it is new.
    fn read_planned(&mut self, p: &Planned<'_>, event: &mut Event) -> Direct {
        let json = Direct::Json { check: None };
        let Some(signature) = self.signature(p) else { return json };
        let checked = &self.plans[p.plan];
        if checked.failed {
            return json;
        }
        if checked.agreed.contains(&signature) {
            return if self.fill(p, event).is_ok() { Direct::Done } else { json };
        }
        let mut reference = std::mem::take(&mut self.reference);
        let filled = self.fill(p, &mut reference).is_ok();
        self.reference = reference;
        if filled { Direct::Json { check: Some(CheckToken { plan: p.plan, signature }) } } else { json }
    }

    /// Fill `event` by the record's plan, unchecked (for tests); false when not planned.
    #[cfg(test)]
    fn read_unchecked(&mut self, chunk: &[u8], binxml: &[u8], event: &mut Event) -> bool {
        self.planned(chunk, binxml).is_some_and(|p| self.fill(&p, event).is_ok())
    }

    /// The record's plan and values (and those of its nested instance).
    fn planned<'a>(&mut self, chunk: &'a [u8], binxml: &'a [u8]) -> Option<Planned<'a>> {
        let mut values = recycle(std::mem::take(&mut self.spare[0]));
        let offset = instance(chunk, binxml, &mut values)?;
        let plan = self.plan_at(chunk, offset)?;
        let nested = match self.plans[plan].plan.nested {
            None => None,
            Some(slot) => match values.get(usize::from(slot)) {
                Some(Val::BinXml(bytes)) => {
                    let mut nested = recycle(std::mem::take(&mut self.spare[1]));
                    let offset = instance(chunk, bytes, &mut nested)?;
                    Some((self.plan_at(chunk, offset)?, nested))
                }
                // An empty nested instance has no fields (the JSON has `null`).
                Some(Val::Null) => None,
                _ => return None,
            },
        };
        Some(Planned { plan, values, nested })
    }

    fn signature(&self, p: &Planned<'_>) -> Option<Signature> {
        let (null, empty) = masks(&p.values)?;
        let nested = match &p.nested {
            None => None,
            Some((plan, values)) => {
                let (n, e) = masks(values)?;
                Some((*plan, n, e))
            }
        };
        Some(Signature { null, empty, nested })
    }

    /// Compare the JSON reading `event` with the direct one kept for `token`.
    pub(crate) fn check(&mut self, token: CheckToken, event: &Event) {
        let same = self.reference.len() == event.len()
            && self
                .reference
                .fields()
                .zip(event.fields())
                .all(|((n1, v1), (n2, v2))| n1 == n2 && v1.raw == v2.raw && v1.kind == v2.kind);
        let checked = &mut self.plans[token.plan];
        if same {
            checked.agreed.push(token.signature);
        } else {
            checked.failed = true;
        }
    }

    /// The plan of the template defined at `offset` in the chunk.
    ///
    /// A template is parsed once per thread, not once per chunk: a definition with the GUID,
    /// size and bytes of one seen before is taken to be the same template. (Its names are
    /// chunk offsets, and a name that is not inline could in theory differ from chunk to chunk:
    /// that takes a file crafted to differ from what Windows writes, and it could only rename
    /// fields of the records it holds, which whoever crafts the file controls anyway.)
    fn plan_at(&mut self, chunk: &[u8], offset: u32) -> Option<usize> {
        if let Some(p) = self.chunk.get(&offset) {
            return *p;
        }
        let start = offset as usize;
        let size = Cur { b: chunk, i: start + 20 }.u32()? as usize;
        let definition = chunk.get(start + 4..(start + 24).checked_add(size)?)?;
        let p = match self.defined.get(definition) {
            Some(p) => *p,
            None => {
                let p = template(chunk, start).and_then(|t| plan(&t)).map(|plan| {
                    *self.by_plan.entry(Rc::new(plan)).or_insert_with_key(|plan| {
                        self.plans.push(Checked { plan: Rc::clone(plan), agreed: Vec::new(), failed: false });
                        self.plans.len() - 1
                    })
                });
                self.defined.insert(definition.into(), p);
                p
            }
        };
        self.chunk.insert(offset, p);
        p
    }

    fn fill(&mut self, p: &Planned<'_>, event: &mut Event) -> Result<(), Unplanned> {
        event.clear();
        fill_ops(&self.plans[p.plan].plan.ops, &p.values, event)?;
        if let Some((plan, values)) = &p.nested {
            fill_ops(&self.plans[*plan].plan.ops, values, event)?;
        }
        event.lower_pending();
        Ok(())
    }
}

/// One record of a chunk: its id and where its BinXML is in the chunk.
pub(crate) struct RawRecord {
    pub(crate) id: u64,
    pub(crate) binxml: std::ops::Range<usize>,
}

/// The records of a well-formed chunk, as the evtx crate walks them: one after another from
/// the chunk header to the free space, ids counting up from the first to the last, each size
/// repeated at its end. `None` for anything else (the evtx crate then walks the chunk).
pub(crate) fn records(chunk: &[u8], header: &EvtxChunkHeader) -> Option<Vec<RawRecord>> {
    let end = header.free_space_offset as usize;
    if end > chunk.len() || header.first_event_record_id > header.last_event_record_id {
        return None;
    }
    // The header's ids are not trusted for the size: a record takes at least 28 bytes.
    let count = (header.last_event_record_id - header.first_event_record_id).saturating_add(1);
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(usize::MAX).min(end / 28));
    let (mut at, mut id) = (FIRST_RECORD, header.first_event_record_id);
    while at < end {
        let (record, next) = record_at(chunk, at, end, id)?;
        out.push(record);
        (at, id) = (next, id.checked_add(1)?);
    }
    (id.checked_sub(1) == Some(header.last_event_record_id)).then_some(out)
}

/// The whole records at the start of a chunk of which only the first `len` bytes are left (a
/// file cut short): the id and offset of the last of them, and the offset it ends at. `None`
/// when not even the first record is whole.
pub(crate) fn whole_records(chunk: &[u8], header: &EvtxChunkHeader, len: usize) -> Option<(u64, usize, usize)> {
    let end = (header.free_space_offset as usize).min(len).min(chunk.len());
    let (mut at, mut id, mut last) = (FIRST_RECORD, header.first_event_record_id, None);
    while at < end {
        let Some((_, next)) = record_at(chunk, at, end, id) else { break };
        last = Some((id, at, next));
        let Some(following) = id.checked_add(1) else { break };
        (at, id) = (next, following);
    }
    last
}

/// Where a chunk's first record starts (after the chunk header).
const FIRST_RECORD: usize = 512;

/// The record at `at` when it is whole before `end`, has id `id` and repeats its size at its
/// end; with the offset the next one starts at.
fn record_at(chunk: &[u8], at: usize, end: usize, id: u64) -> Option<(RawRecord, usize)> {
    let h = EvtxRecordHeader::from_bytes_at(chunk, at).ok()?;
    let size = h.data_size as usize;
    let next = at.checked_add(size).filter(|&n| size >= 28 && n <= end)?;
    let copy = chunk.get(next - 4..next)?;
    if h.event_record_id != id || u32::from_le_bytes([copy[0], copy[1], copy[2], copy[3]]) != h.data_size {
        return None;
    }
    Some((RawRecord { id, binxml: at + 24..next - 4 }, next))
}

/// An empty vector of values of another lifetime, in the allocation of `v` (collecting an
/// emptied vector into one of a type of the same layout reuses its allocation).
fn recycle<'b>(mut v: Vec<Val<'_>>) -> Vec<Val<'b>> {
    v.clear();
    v.into_iter().map(|_| Val::Null).collect()
}

/// The NULL and empty slots of `values` (slots past 128 are not planned).
fn masks(values: &[Val<'_>]) -> Option<(u128, u128)> {
    if values.len() > 128 {
        return None;
    }
    let (mut null, mut empty) = (0, 0);
    for (i, v) in values.iter().enumerate() {
        match v {
            Val::Null => null |= 1u128 << i,
            Val::Utf16(b) if utf16_empty(b) => empty |= 1u128 << i,
            Val::Binary([]) => empty |= 1u128 << i,
            _ => {}
        }
    }
    Some((null, empty))
}

/// The template instance that BinXML `bytes` (a slice of `chunk`: a record's, or a nested
/// value) consists of: its template definition's offset and its values.
fn instance<'a>(chunk: &'a [u8], bytes: &'a [u8], values: &mut Vec<Val<'a>>) -> Option<u32> {
    let base = (bytes.as_ptr() as usize).checked_sub(chunk.as_ptr() as usize)?;
    let end = base.checked_add(bytes.len()).filter(|&e| e <= chunk.len())?;
    let mut c = Cur { b: &chunk[..end], i: base };
    if c.peek()? == 0x0f {
        c.i += 4;
    }
    if c.u8()? != 0x0c {
        return None;
    }
    c.i += 1;
    let _template_id = c.u32()?;
    let offset = c.u32()?;
    if offset as usize == c.i {
        // The definition itself follows: header (24 bytes, its size at 20), then its data.
        let size = Cur { b: c.b, i: c.i + 20 }.u32()? as usize;
        c.i = c.i.checked_add(24 + size)?;
    }
    let n = c.u32()? as usize;
    let table = c.b.get(c.i..c.i.checked_add(n.checked_mul(4)?)?)?;
    c.i += table.len();
    values.clear();
    for d in table.chunks_exact(4) {
        let size = usize::from(u16::from_le_bytes([d[0], d[1]]));
        let raw = c.b.get(c.i..c.i + size)?;
        c.i += size;
        values.push(Val::decode(d[2], raw));
    }
    matches!(c.peek(), None | Some(0x00)).then_some(offset)
}

/// A substitution value, as far as this reader renders it.
#[derive(Clone, Copy, Debug)]
enum Val<'a> {
    Null,
    /// Text of the template itself.
    Lit(&'a str),
    Utf16(&'a [u8]),
    Int(i64),
    UInt(u64),
    Bool(bool),
    Hex(u64),
    Guid([u8; 16]),
    FileTime(u64),
    Sid(&'a [u8]),
    Binary(&'a [u8]),
    BinXml(&'a [u8]),
    /// Anything else (left to JSON).
    Other,
}

impl<'a> Val<'a> {
    /// A value of BinXML type `ty` stored in `b` (MS-EVEN6 2.2.14, the types planned).
    fn decode(ty: u8, b: &'a [u8]) -> Val<'a> {
        fn le<const N: usize>(b: &[u8]) -> Option<[u8; N]> {
            b.try_into().ok()
        }
        let v = match ty {
            // A NULL that still holds bytes, or a string of an odd size, is a broken record:
            // the evtx crate reads those its own way, so they go to it.
            0x00 => b.is_empty().then_some(Val::Null),
            0x01 => (b.len() % 2 == 0).then_some(Val::Utf16(b)),
            0x03 => le::<1>(b).map(|x| Val::Int(i8::from_le_bytes(x).into())),
            0x04 => le::<1>(b).map(|x| Val::UInt(u8::from_le_bytes(x).into())),
            0x05 => le::<2>(b).map(|x| Val::Int(i16::from_le_bytes(x).into())),
            0x06 => le::<2>(b).map(|x| Val::UInt(u16::from_le_bytes(x).into())),
            0x07 => le::<4>(b).map(|x| Val::Int(i32::from_le_bytes(x).into())),
            0x08 => le::<4>(b).map(|x| Val::UInt(u32::from_le_bytes(x).into())),
            0x09 => le::<8>(b).map(|x| Val::Int(i64::from_le_bytes(x))),
            0x0a => le::<8>(b).map(|x| Val::UInt(u64::from_le_bytes(x))),
            0x0d => le::<4>(b).and_then(|x| match i32::from_le_bytes(x) {
                0 => Some(Val::Bool(false)),
                1 => Some(Val::Bool(true)),
                _ => None,
            }),
            0x0e => Some(Val::Binary(b)),
            0x0f => le::<16>(b).map(Val::Guid),
            0x11 => le::<8>(b).map(|x| Val::FileTime(u64::from_le_bytes(x))),
            // Revision, count, 6-byte authority, then exactly `count` sub-authorities.
            0x13 => (b.len() >= 8 && b.len() == 8 + 4 * usize::from(b[1])).then_some(Val::Sid(b)),
            0x14 => le::<4>(b).map(|x| Val::Hex(u32::from_le_bytes(x).into())),
            0x15 => le::<8>(b).map(|x| Val::Hex(u64::from_le_bytes(x))),
            0x21 => Some(Val::BinXml(b)),
            _ => None,
        };
        v.unwrap_or(Val::Other)
    }
}

// ---------------------------------------------------------------------------
// Template definitions (MS-EVEN6 2.2.12: BinXML with substitution tokens)
// ---------------------------------------------------------------------------

#[derive(Debug)]
struct Elem {
    name: String,
    dependency: Option<u16>,
    attrs: Vec<(String, Part)>,
    content: Content,
    /// A substitution after child elements (`<Event><System>…</System>%n</Event>`).
    tail: Option<Part>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Part {
    Lit(Box<str>),
    /// A substitution: its slot, whether it is optional, and its declared type (templates
    /// that differ only in declared types are different plans, checked apart).
    Sub {
        slot: u16,
        optional: bool,
        ty: u8,
    },
}

#[derive(Debug)]
enum Content {
    Empty,
    Part(Part),
    Children(Vec<Elem>),
}

/// A cursor over the chunk bytes.
struct Cur<'a> {
    b: &'a [u8],
    i: usize,
}

impl Cur<'_> {
    fn u8(&mut self) -> Option<u8> {
        let v = *self.b.get(self.i)?;
        self.i += 1;
        Some(v)
    }
    fn u16(&mut self) -> Option<u16> {
        let v = self.b.get(self.i..self.i + 2)?;
        self.i += 2;
        Some(u16::from_le_bytes([v[0], v[1]]))
    }
    fn u32(&mut self) -> Option<u32> {
        let v = self.b.get(self.i..self.i + 4)?;
        self.i += 4;
        Some(u32::from_le_bytes([v[0], v[1], v[2], v[3]]))
    }
    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }
    /// `n` UTF-16LE code units as a string (no NUL, no lone surrogate).
    fn utf16(&mut self, n: usize) -> Option<String> {
        let bytes = self.b.get(self.i..self.i + 2 * n)?;
        self.i += 2 * n;
        let mut s = String::with_capacity(n);
        utf16_into(bytes, &mut s).then_some(s)
    }
}

/// Deepest element nesting planned (Windows events are three or four deep).
const MAX_DEPTH: usize = 16;

/// The template definition at `offset` in the chunk: its root element.
fn template(chunk: &[u8], offset: usize) -> Option<Elem> {
    // Header: next template offset (4), GUID (16), data size (4).
    let mut c = Cur { b: chunk, i: offset + 20 };
    let size = c.u32()? as usize;
    let end = c.i.checked_add(size)?;
    if end > chunk.len() {
        return None;
    }
    if c.peek()? == 0x0f {
        c.i += 4;
    }
    let root = match c.u8()? {
        t @ (0x01 | 0x41) => element(&mut c, t, 0)?,
        _ => return None,
    };
    // Then the end of the fragment.
    (c.u8()? == 0x00 && c.i <= end).then_some(root)
}

/// A name in the chunk's string table: next offset (4), hash (2), length (2), UTF-16, NUL.
fn name_at(chunk: &[u8], offset: usize) -> Option<String> {
    let mut c = Cur { b: chunk, i: offset.checked_add(6)? };
    let n = c.u16()? as usize;
    c.utf16(n)
}

/// A name reference: the offset, and the name inline right after it when it points there.
fn name_ref(c: &mut Cur<'_>) -> Option<String> {
    let at = c.u32()? as usize;
    let name = name_at(c.b, at)?;
    if at == c.i {
        c.i += 6 + 2 + 2 * name.encode_utf16().count() + 2;
    }
    Some(name)
}

/// An element whose start token `t` was just read.
fn element(c: &mut Cur<'_>, t: u8, depth: usize) -> Option<Elem> {
    if depth > MAX_DEPTH {
        return None;
    }
    let dependency = Some(c.u16()?).filter(|&d| d != 0xffff);
    let _size = c.u32()?;
    // Nameless elements and attributes are left to the renderer.
    let name = name_ref(c).filter(|n| !n.is_empty())?;
    if t & 0x40 != 0 {
        let _attr_size = c.u32()?;
    }
    let mut attrs = Vec::new();
    loop {
        match c.u8()? {
            0x06 | 0x46 => {
                let attr = name_ref(c).filter(|n| !n.is_empty())?;
                let part = part(c, c.peek()?)?;
                // An attribute of several parts (text and values) is not planned.
                if !matches!(c.peek()?, 0x06 | 0x46 | 0x02 | 0x03) {
                    return None;
                }
                attrs.push((attr, part));
            }
            0x03 => return Some(Elem { name, dependency, attrs, content: Content::Empty, tail: None }),
            0x02 => break,
            _ => return None,
        }
    }
    let mut content = Content::Empty;
    let mut tail = None;
    loop {
        match c.peek()? {
            0x04 => {
                c.i += 1;
                return Some(Elem { name, dependency, attrs, content, tail });
            }
            t @ (0x01 | 0x41) => {
                c.i += 1;
                let child = element(c, t, depth + 1)?;
                match &mut content {
                    Content::Empty => content = Content::Children(vec![child]),
                    Content::Children(v) if tail.is_none() => v.push(child),
                    _ => return None,
                }
            }
            t => {
                let p = part(c, t)?;
                match content {
                    Content::Empty => content = Content::Part(p),
                    Content::Children(_) if tail.is_none() && matches!(p, Part::Sub { .. }) => tail = Some(p),
                    _ => return None,
                }
            }
        }
    }
}

/// A value token (a string) or a substitution, starting with token `t` at the cursor.
fn part(c: &mut Cur<'_>, t: u8) -> Option<Part> {
    match t {
        0x05 | 0x45 => {
            c.i += 1;
            // Only string values (type 0x01: length-prefixed UTF-16) are planned.
            if c.u8()? != 0x01 {
                return None;
            }
            let n = c.u16()? as usize;
            Some(Part::Lit(c.utf16(n)?.into()))
        }
        0x0d | 0x0e => {
            c.i += 1;
            let slot = c.u16()?;
            let ty = c.u8()?;
            // Arrays (0x80) are read through JSON.
            if ty & 0x80 != 0 {
                return None;
            }
            Some(Part::Sub { slot, optional: t == 0x0e, ty })
        }
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// Plans: the fields of a template, by the naming rules of `crate::event`
// ---------------------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Plan {
    ops: Vec<Op>,
    /// The slot of the nested instance, if any.
    nested: Option<u16>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Op {
    /// An element: each attribute a field (`E_attr` in `System`, `attr` elsewhere), its value
    /// field `E`; empty ones are left out, and when nothing is left of a leaf element it is
    /// field `E` = null.
    Elem { name: Box<str>, dependency: Option<u16>, attrs: Vec<(Box<str>, Part)>, content: Option<Part>, leaf: bool },
    /// `<Data Name="X">value</Data>`: field `X`.
    Data { name: Box<str>, dependency: Option<u16>, content: Option<Part> },
    /// A nested template instance in a slot, read by its own plan (nothing when NULL).
    Nested { slot: u16 },
}

/// The plan of a template: a record's (`Event`) or a nested instance's (`EventData`,
/// `UserData` or the element inside `UserData`).
fn plan(root: &Elem) -> Option<Plan> {
    let mut p = Plan { ops: Vec::new(), nested: None };
    match root.name.as_str() {
        "Event" => {
            let Content::Children(sections) = &root.content else { return None };
            for s in sections {
                // A section may depend on the slot of its nested instance (left out when NULL,
                // which gives no fields either way).
                let own_slot = matches!((&s.content, s.dependency), (Content::Part(Part::Sub { slot, .. }), Some(d)) if *slot == d);
                if (s.dependency.is_some() && !own_slot) || !s.attrs.is_empty() {
                    return None;
                }
                match s.name.as_str() {
                    "System" => {
                        let Content::Children(children) = &s.content else { return None };
                        distinct(children)?;
                        for e in children {
                            let attrs = e
                                .attrs
                                .iter()
                                .map(|(a, p)| (format!("{}_{a}", e.name).into_boxed_str(), p.clone()))
                                .collect();
                            let content = leaf(&e.content)?;
                            let name = e.name.as_str().into();
                            p.ops.push(Op::Elem { name, dependency: e.dependency, attrs, content, leaf: true });
                        }
                    }
                    "EventData" | "UserData" => section(s, &mut p)?,
                    _ => return None,
                }
            }
            // `<Event><System>…</System>%n</Event>`: the rest is a nested instance in slot n.
            if let Some(Part::Sub { slot, .. }) = &root.tail {
                nested(*slot, &mut p)?;
            }
        }
        "EventData" | "UserData" if root.dependency.is_none() => {
            // Its attributes (`<EventData Name="…">`) are fields by their own name.
            if !root.attrs.is_empty() {
                let attrs = root.attrs.iter().map(|(a, p)| (a.as_str().into(), p.clone())).collect();
                p.ops.push(Op::Elem {
                    name: root.name.as_str().into(),
                    dependency: None,
                    attrs,
                    content: None,
                    leaf: false,
                });
            }
            section(root, &mut p)?
        }
        // The element inside `<UserData>`, named by itself.
        _ => leaves(root, &mut p.ops)?,
    }
    Some(p)
}

fn nested(slot: u16, p: &mut Plan) -> Option<()> {
    if p.nested.is_some() {
        return None;
    }
    p.nested = Some(slot);
    p.ops.push(Op::Nested { slot });
    Some(())
}

/// `EventData` or `UserData`: empty (no field), a nested instance, `<Data Name="X">` values, or
/// elements named by themselves.
fn section(s: &Elem, p: &mut Plan) -> Option<()> {
    if s.tail.is_some() {
        return None;
    }
    match &s.content {
        Content::Empty => Some(()),
        Content::Part(Part::Sub { slot, .. }) => nested(*slot, p),
        Content::Part(Part::Lit(_)) => None,
        Content::Children(children) if s.name == "EventData" && children.iter().all(|e| e.name == "Data") => {
            let mut names: Vec<&str> = Vec::new();
            for e in children {
                let [(attr, Part::Lit(name))] = e.attrs.as_slice() else { return None };
                if attr != "Name" || name.is_empty() || names.contains(&&**name) {
                    return None;
                }
                names.push(name);
                p.ops.push(Op::Data { name: name.clone(), dependency: e.dependency, content: leaf(&e.content)? });
            }
            Some(())
        }
        Content::Children(children) => {
            distinct(children)?;
            children.iter().try_for_each(|e| leaves(e, &mut p.ops))
        }
    }
}

/// An element whose fields are named by themselves: its attributes, its value, its children.
fn leaves(e: &Elem, ops: &mut Vec<Op>) -> Option<()> {
    if e.tail.is_some() || e.name.is_empty() {
        return None;
    }
    let attrs: Vec<(Box<str>, Part)> = e.attrs.iter().map(|(a, p)| (a.as_str().into(), p.clone())).collect();
    let name: Box<str> = e.name.as_str().into();
    match &e.content {
        Content::Children(children) => {
            // Leaving out an element with children is not planned.
            if e.dependency.is_some() {
                return None;
            }
            distinct(children)?;
            ops.push(Op::Elem { name, dependency: None, attrs, content: None, leaf: false });
            children.iter().try_for_each(|c| leaves(c, ops))
        }
        other => {
            ops.push(Op::Elem { name, dependency: e.dependency, attrs, content: leaf(other)?, leaf: true });
            Some(())
        }
    }
}

/// Siblings of one name would be renamed or grouped by the renderer: not planned.
fn distinct(children: &[Elem]) -> Option<()> {
    children.iter().enumerate().all(|(i, e)| children[..i].iter().all(|f| f.name != e.name)).then_some(())
}

/// The value of an element without child elements (`None`: empty).
fn leaf(content: &Content) -> Option<Option<Part>> {
    match content {
        Content::Empty => Some(None),
        Content::Part(p) => Some(Some(p.clone())),
        Content::Children(_) => None,
    }
}

// ---------------------------------------------------------------------------
// Filling an event
// ---------------------------------------------------------------------------

/// A value this reader does not render (left to JSON).
struct Unplanned;

fn fill_ops<'a>(ops: &'a [Op], values: &[Val<'a>], event: &mut Event) -> Result<(), Unplanned> {
    fn value<'a>(p: &'a Part, values: &[Val<'a>]) -> Option<Val<'a>> {
        match p {
            Part::Lit(s) => Some(Val::Lit(s)),
            Part::Sub { slot, .. } => values.get(usize::from(*slot)).copied().filter(|v| !matches!(v, Val::Null)),
        }
    }
    let null =
        |slot: &Option<u16>| slot.and_then(|s| values.get(usize::from(s))).is_some_and(|v| matches!(v, Val::Null));
    for op in ops {
        match op {
            Op::Elem { name, dependency, attrs, content, leaf } => {
                if null(dependency) {
                    continue;
                }
                // Empty attributes and values are left out; an element left with nothing is null.
                let mut any = false;
                for (field, p) in attrs {
                    if let Some(v) = value(p, values) {
                        any |= event.push_with(field, false, |t| value_text(&v, t))?;
                    }
                }
                if let Some(v) = content.as_ref().and_then(|p| value(p, values)) {
                    any |= event.push_with(name, false, |t| value_text(&v, t))?;
                }
                if !any && *leaf {
                    event.push_raw(name, "", Kind::Null);
                }
            }
            Op::Data { name, dependency, content } => {
                if null(dependency) {
                    continue;
                }
                match content.as_ref().and_then(|p| value(p, values)) {
                    Some(v) => {
                        event.push_with(name, true, |t| value_text(&v, t))?;
                    }
                    None => event.push_raw(name, "", Kind::Null),
                }
            }
            // Filled by the nested plan.
            Op::Nested { .. } => {}
        }
    }
    Ok(())
}

/// Append a scalar value as the `evtx` crate's JSON renders it to `text`; the kind of JSON value.
fn value_text(v: &Val<'_>, text: &mut String) -> Result<Kind, Unplanned> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let hex = |text: &mut String, x: u8, upper: bool| {
        for d in [x >> 4, x & 15] {
            let c = char::from(HEX[usize::from(d)]);
            text.push(if upper { c.to_ascii_uppercase() } else { c });
        }
    };
    match *v {
        Val::Lit(s) => {
            text.push_str(s);
            Ok(Kind::Str)
        }
        Val::Utf16(b) => {
            if !utf16_into(b, text) {
                return Err(Unplanned);
            }
            Ok(Kind::Str)
        }
        Val::Int(n) => {
            text.push_str(itoa::Buffer::new().format(n));
            Ok(Kind::Num)
        }
        Val::UInt(n) => {
            text.push_str(itoa::Buffer::new().format(n));
            Ok(Kind::Num)
        }
        Val::Bool(b) => {
            text.push_str(if b { "true" } else { "false" });
            Ok(Kind::Bool)
        }
        Val::Hex(n) => {
            text.push_str("0x");
            let digits = (64 - n.leading_zeros()).div_ceil(4).max(1);
            for k in (0..digits).rev() {
                text.push(char::from(HEX[((n >> (4 * k)) & 15) as usize]));
            }
            Ok(Kind::Str)
        }
        Val::Guid(g) => {
            // Data1-3 little-endian, lower-case, in braces.
            text.push('{');
            for (i, idx) in [3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15].into_iter().enumerate() {
                if matches!(i, 4 | 6 | 8 | 10) {
                    text.push('-');
                }
                hex(text, g[idx], false);
            }
            text.push('}');
            Ok(Kind::Str)
        }
        Val::FileTime(t) => {
            filetime(t, text);
            Ok(Kind::Str)
        }
        Val::Sid(b) => {
            let &[revision, count, a0, a1, a2, a3, a4, a5, ref subs @ ..] = b else { return Err(Unplanned) };
            let authority = u64::from_be_bytes([0, 0, a0, a1, a2, a3, a4, a5]);
            let mut n = itoa::Buffer::new();
            text.push_str("S-");
            text.push_str(n.format(revision));
            text.push('-');
            text.push_str(n.format(authority));
            for sub in subs.chunks_exact(4).take(usize::from(count)) {
                text.push('-');
                text.push_str(n.format(u32::from_le_bytes([sub[0], sub[1], sub[2], sub[3]])));
            }
            Ok(Kind::Str)
        }
        Val::Binary(b) => {
            for &x in b {
                hex(text, x, true);
            }
            Ok(Kind::Str)
        }
        Val::Null | Val::BinXml(_) | Val::Other => Err(Unplanned),
    }
}

/// A FILETIME (100 ns since 1601) as `YYYY-MM-DDTHH:MM:SS.fffffffZ`, as the `evtx` crate writes it.
fn filetime(t: u64, text: &mut String) {
    const TICKS_PER_SEC: u64 = 10_000_000;
    const TICKS_PER_DAY: u64 = 86_400 * TICKS_PER_SEC;
    let mut f = [0u64; 7];
    if t <= i64::MAX as u64 {
        let (days, ticks) = (t / TICKS_PER_DAY, t % TICKS_PER_DAY);
        // Howard Hinnant's civil_from_days, counted from 0000-03-01 (584,694 days before 1601).
        let z = days + 584_694;
        let (era, doe) = (z / 146_097, z % 146_097);
        let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let secs = ticks / TICKS_PER_SEC;
        f = [
            (yoe + era * 400 + u64::from(month <= 2)) % 10_000,
            month,
            doy - (153 * mp + 2) / 5 + 1,
            secs / 3_600,
            secs / 60 % 60,
            secs % 60,
            ticks % TICKS_PER_SEC,
        ];
    }
    let mut buf = *b"0000-00-00T00:00:00.0000000Z";
    for (v, (at, width)) in f.into_iter().zip([(0, 4), (5, 2), (8, 2), (11, 2), (14, 2), (17, 2), (20, 7)]) {
        let mut v = v;
        for d in buf[at..at + width].iter_mut().rev() {
            *d = b'0' + (v % 10) as u8;
            v /= 10;
        }
    }
    text.push_str(std::str::from_utf8(&buf).unwrap_or_default());
}

/// True when UTF-16LE `b` is empty up to its first NUL.
fn utf16_empty(b: &[u8]) -> bool {
    matches!(b, [] | [_] | [0, 0, ..])
}

/// Append UTF-16LE `b`, up to its first NUL (as the renderer reads a string value), to `out`;
/// false on a lone surrogate.
fn utf16_into(b: &[u8], out: &mut String) -> bool {
    const LANES: u64 = 0x0001_0001_0001_0001;
    let b = &b[..b.len() & !1];
    out.reserve(b.len() / 2);
    // The ASCII run at the start (most values are all ASCII), four code units at a time.
    let mut i = 0;
    let mut buf = [0u8; 64];
    let mut n = 0;
    while let Some(w) = b.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) {
        let w = u64::from_le_bytes(w);
        if w & 0xff80_ff80_ff80_ff80 != 0 || w.wrapping_sub(LANES) & !w & (LANES << 15) != 0 {
            break;
        }
        let packed = (w & 0xff) | (w >> 8 & 0xff00) | (w >> 16 & 0xff_0000) | (w >> 24 & 0xff00_0000);
        buf[n..n + 4].copy_from_slice(&(packed as u32).to_le_bytes());
        n += 4;
        if n == buf.len() {
            out.push_str(std::str::from_utf8(&buf).unwrap_or_default());
            n = 0;
        }
        i += 8;
    }
    // ASCII, so always UTF-8.
    out.push_str(std::str::from_utf8(&buf[..n]).unwrap_or_default());
    for ch in char::decode_utf16(b[i..].chunks_exact(2).map(|u| u16::from_le_bytes([u[0], u[1]]))) {
        match ch {
            Ok('\0') => break,
            Ok(c) => out.push(c),
            Err(_) => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::Arc;

    use super::*;

    fn samples() -> Option<PathBuf> {
        detwiki_testdata::require("events/evtx-attack-samples")
    }

    fn fields(e: &Event) -> Vec<(String, String, Kind)> {
        e.fields().map(|(n, v)| (n.to_string(), v.raw.to_string(), v.kind)).collect()
    }

    /// Every planned record of evtx-attack-samples, read without its check, gives exactly the
    /// fields (names, values, kinds, order) of its JSON reading; and most records are planned.
    #[test]
    fn direct_reading_equals_the_json_reading_on_every_sample() {
        let Some(dir) = samples() else { return };
        let settings = Arc::new(evtx::ParserSettings::new().num_threads(1));
        let (mut records, mut planned, mut differ, mut chunks) = (0, 0, Vec::new(), 0);
        let mut unplanned = std::collections::BTreeMap::new();
        let mut reader = Reader::default();
        let (mut direct, mut json) = (Event::new(), Event::new());
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|x| x != "evtx") {
                continue;
            }
            let mut parser = evtx::EvtxParser::from_path(entry.path()).unwrap();
            for chunk in parser.chunks() {
                chunks += 1;
                let mut data = chunk.unwrap();
                let mut chunk = data.parse(Arc::clone(&settings)).unwrap();
                reader.new_chunk();
                let bytes: &[u8] = chunk.data;
                let walked = super::records(bytes, chunk.header).expect("a well-formed chunk");
                let mut walked = walked.into_iter();
                for record in chunk.iter() {
                    let record = record.unwrap();
                    records += 1;
                    let raw = walked.next().expect("as many records walked as evtx reads");
                    assert_eq!((raw.id, raw.binxml.start), (record.event_record_id, record.binxml_offset as usize));
                    assert_eq!(raw.binxml.len(), record.binxml_size as usize);
                    let ok = reader.read_unchecked(bytes, &bytes[raw.binxml], &mut direct);
                    let id = record.event_record_id;
                    crate::json::flatten(&record.into_json_bytes().unwrap().data, &mut json).unwrap();
                    if !ok {
                        let ch = json.get("Channel").map(|v| v.raw.to_string()).unwrap_or_default();
                        let eid = json.get("EventID").map(|v| v.raw.to_string()).unwrap_or_default();
                        let c = unplanned.entry(format!("{ch} {eid}")).or_insert(0);
                        *c += 1;
                    }
                    if ok {
                        planned += 1;
                        if fields(&direct) != fields(&json) {
                            differ.push(format!("{} record {id}", entry.path().display()));
                        }
                    }
                }
                assert!(walked.next().is_none(), "no more records walked than evtx reads");
            }
        }
        assert_eq!(records, 8255, "records in evtx-attack-samples");
        assert!(
            differ.is_empty(),
            "{} records read differently, first: {:?}",
            differ.len(),
            &differ[..differ.len().min(5)]
        );
        assert!(planned * 100 >= records * 85, "only {planned} of {records} records planned");
        eprintln!("{chunks} chunks; {planned} of {records} records read straight from BinXML; not: {unplanned:?}");
    }

    /// A chunk header whose record ids do not match its records (here: a last id of u64::MAX)
    /// is not walked here; the evtx crate reads the chunk, and its records come out the same.
    #[test]
    fn a_chunk_header_that_lies_is_left_to_the_evtx_crate() {
        let Some(dir) = samples() else { return };
        let file = std::fs::read(dir.join("Execution/Sysmon_Exec_CompiledHTML.evtx")).unwrap();
        let chunk = &file[4096..4096 + 65536];
        let read = |bytes: &[u8]| {
            let mut events = Vec::new();
            crate::read::read_evtx_chunk(bytes, |id, e| events.push((id, fields(e))), |w, m| panic!("{w}: {m}"));
            events
        };
        let honest = read(chunk);
        assert!(!honest.is_empty());
        let header = evtx::EvtxChunkHeader::from_bytes(chunk).unwrap();
        assert!(super::records(chunk, &header).is_some());

        let mut lying = chunk.to_vec();
        lying[32..40].copy_from_slice(&u64::MAX.to_le_bytes());
        let header = evtx::EvtxChunkHeader::from_bytes(&lying).unwrap();
        assert!(super::records(&lying, &header).is_none());
        assert_eq!(read(&lying), honest);
    }
}
