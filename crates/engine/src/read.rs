//! Readers: EVTX files (the `evtx` crate), JSON lines (plain, `.gz`, stdin), JSON arrays of
//! events, folders of them. Each reader turns records into [`Event`]s with reusable buffers
//! and hands them to an [`EventHandler`], in parallel on the current rayon pool: EVTX by
//! 64 KiB chunk, JSON by batches of lines (or of array elements). Batches are numbered in the
//! order of the input, so that a handler can put what they give back in that order.
//!
//! Inputs are recognised by their content, not their name: the `ElfFile` signature is an EVTX
//! file, gzip's magic a compressed one, and text is read as JSON lines when it is (or as a JSON
//! array of events); anything else (YAML, other text, binary data, an EVTX file without its
//! signature) is a [`ReadProblem`] of that file saying what it looks like. A corrupt chunk,
//! record or line is reported and skipped; so is a file cut short (the chunks its header
//! declares that are missing, or cut, are reported; the whole records of a cut chunk are read).

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::iter::{ParallelBridge, ParallelIterator};

#[cfg(feature = "evtx")]
use crate::binxml;
use crate::event::Event;
use crate::json;

mod array;
mod sniff;

/// The kinds of input, as their first bytes tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A Windows `.evtx` file (it starts with the `ElfFile` signature).
    Evtx,
    /// Anything else that is not empty: read as JSON lines, or as a JSON array of events, when
    /// its content is one; otherwise reported as what it looks like (YAML, text, binary …).
    Jsonl,
    /// Gzip-compressed (its content is recognised as [`InputKind::Jsonl`]'s).
    JsonlGz,
    /// JSON lines on standard input (`-`), recognised as [`InputKind::Jsonl`]'s.
    Stdin,
    /// An empty file: no events.
    Empty,
}

/// One input file.
#[derive(Clone, Debug)]
pub struct Input {
    /// Its path (`-` for stdin).
    pub path: PathBuf,
    /// What it holds.
    pub kind: InputKind,
    /// Size in bytes (0 for stdin).
    pub size: u64,
}

/// Where in an input a record is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Position {
    /// EVTX record id.
    pub record: Option<u64>,
    /// JSON line number (1-based; for an element of a JSON array, the line it starts on).
    pub line: Option<u64>,
}

/// A part of an input that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadProblem {
    /// The input.
    pub path: PathBuf,
    /// Where: `chunk 3`, `record 1234`, `line 17, column 4`, or nothing for the whole file.
    pub location: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl std::fmt::Display for ReadProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{}: {l}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Receives the events of an input, on many threads at once.
///
/// The input is read in batches (EVTX chunks, batches of JSON lines), numbered from 0 in the
/// order of the input (for EVTX, the order of the records). Every batch ends with one call to
/// [`EventHandler::batch_done`], also a batch that could not be read.
pub trait EventHandler: Sync {
    /// Per-thread state (scratch buffers, local counters).
    type State: Send;
    /// A fresh state.
    fn state(&self) -> Self::State;
    /// One event of the batch being read with `state`.
    fn event(&self, state: &mut Self::State, input: &Input, at: Position, event: &Event);
    /// End of batch `batch`: flush what the state holds. `bytes` of the input were consumed.
    fn batch_done(&self, state: &mut Self::State, batch: u64, bytes: u64);
    /// A part of an input that could not be read: in batch `batch` (reported before that batch
    /// is done), or (`None`) in the input as a whole (reported at any time before
    /// [`read_input`] returns: these come after the input's batches).
    fn problem(&self, batch: Option<u64>, problem: ReadProblem);
}

/// What hunt reads, for the messages about inputs that are something else.
pub const WHAT_HUNT_READS: &str =
    "hunt reads EVTX, JSON lines (.json, .jsonl, .ndjson, .gz), a JSON array of events, or - (JSON lines on stdin)";

/// The inputs under `paths`: files as given (whatever their name), folders searched recursively
/// for `.evtx`, `.json`, `.jsonl`, `.ndjson` and their `.gz` forms, sorted by name; `-` is
/// stdin. What a file is comes from its first bytes ([`InputKind`]); a file that turns out not
/// to be a log is reported when it is read. The problems are paths that do not exist and
/// folders that cannot be walked.
pub fn collect_inputs(paths: &[PathBuf]) -> (Vec<Input>, Vec<ReadProblem>) {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input { path: p.clone(), kind: InputKind::Stdin, size: 0 });
            continue;
        }
        if p.is_file() {
            inputs.push(sniff::input(p.clone()));
            continue;
        }
        if !p.exists() {
            problems.push(ReadProblem { path: p.clone(), location: None, message: "no such file or folder".into() });
            continue;
        }
        for entry in walkdir::WalkDir::new(p).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_file() && has_log_name(e.path()) => inputs.push(sniff::input(e.into_path())),
                Ok(_) => {}
                Err(e) => problems.push(ReadProblem {
                    path: e.path().map_or_else(|| p.clone(), Path::to_path_buf),
                    location: None,
                    message: e.to_string(),
                }),
            }
        }
    }
    (inputs, problems)
}

/// Whether a folder walk picks the file: `.evtx`, `.json`, `.jsonl`, `.ndjson`, and `.gz` of the JSON ones.
fn has_log_name(p: &Path) -> bool {
    let Some(name) = p.file_name().and_then(|n| n.to_str()).map(str::to_ascii_lowercase) else { return false };
    let name = name.strip_suffix(".gz").filter(|n| !n.ends_with(".evtx")).unwrap_or(&name);
    [".evtx", ".json", ".jsonl", ".ndjson"].iter().any(|e| name.ends_with(e))
}

/// Read one input, calling `h` for every event. Returns the number of events.
pub fn read_input<H: EventHandler>(input: &Input, h: &H) -> u64 {
    let counted = std::sync::atomic::AtomicU64::new(0);
    let result = match input.kind {
        InputKind::Evtx => read_evtx(input, h, &counted),
        InputKind::Empty => Ok(()),
        InputKind::Jsonl => {
            File::open(&input.path).and_then(|f| read_json(input, BufReader::new(f), false, h, &counted))
        }
        InputKind::JsonlGz => File::open(&input.path).and_then(|f| {
            let gz = flate2::read::MultiGzDecoder::new(BufReader::new(f));
            read_json(input, BufReader::with_capacity(1 << 16, gz), true, h, &counted)
        }),
        InputKind::Stdin => read_json(input, BufReader::with_capacity(1 << 16, io::stdin()), false, h, &counted),
    };
    if let Err(e) = result {
        h.problem(None, ReadProblem { path: input.path.clone(), location: None, message: e.to_string() });
    }
    counted.into_inner()
}

/// Read JSON from `reader` (gunzipped when `gz`): recognised by its first bytes, then read as
/// JSON lines or as a JSON array, or reported as what it is.
fn read_json<H: EventHandler>(
    input: &Input,
    mut reader: impl BufRead + Send,
    gz: bool,
    h: &H,
    counted: &std::sync::atomic::AtomicU64,
) -> io::Result<()> {
    let mut head = sniff::head(&mut reader)?;
    let content = sniff::content(&head.bytes, head.complete, gz, &input.path);
    // A UTF-8 byte order mark is no part of the first line.
    if head.bytes.starts_with(b"\xEF\xBB\xBF") {
        head.bytes.drain(..3);
    }
    let reader = io::Cursor::new(head.bytes).chain(reader);
    match content {
        sniff::Content::Lines => read_lines(input, reader, h, counted),
        sniff::Content::Array => array::read(input, reader, h, counted),
        sniff::Content::Blank => {}
        sniff::Content::Other(what) => {
            h.problem(None, ReadProblem { path: input.path.clone(), location: None, message: what })
        }
    }
    Ok(())
}

/// The size of an EVTX file header, and of a chunk.
#[cfg(feature = "evtx")]
const EVTX_HEADER: u64 = 4096;
#[cfg(feature = "evtx")]
const EVTX_CHUNK: u64 = 65536;

/// A piece of an EVTX file to read: a whole chunk as the `evtx` crate found it, or the
/// chunk (its number in the file, from 0) the file is cut in, with the bytes left of it.
#[cfg(feature = "evtx")]
// Moved once per chunk, as the evtx crate's own chunk items are.
#[allow(clippy::large_enum_variant)]
enum Piece {
    Whole(evtx::err::Result<evtx::EvtxChunkData>),
    Cut(u64, Vec<u8>),
}

/// The chunks of an EVTX file in record order, as `evtx::EvtxParser::chunks` walks them: from
/// the chunk whose header names the lowest record id to the end of the file (reading past the
/// chunks the file's size accounts for until a read fails), then from the start of the file up
/// to that chunk; empty (all-zero) chunks are passed over, a chunk that cannot be read or whose
/// header is bad is an error numbered as the `evtx` crate numbers it.
///
/// Walked here rather than by the crate only for the empty-chunk test: the crate tests a chunk
/// byte by byte, which on the samples (208 of 565 chunks empty, preallocated logs) was 17% of a
/// hunt's instructions; here a chunk that begins as one does is not empty, and an empty one is
/// tested a block at a time.
#[cfg(feature = "evtx")]
struct ChunkWalk {
    file: File,
    /// Chunks the file's size accounts for (after its header block).
    count: u64,
    /// The next chunk to try.
    next: u64,
    /// Where the walk started (the oldest records); once wrapped, where it ends.
    oldest: u64,
    wrapped: bool,
}

#[cfg(feature = "evtx")]
impl ChunkWalk {
    fn new(mut file: File, count: u64) -> ChunkWalk {
        let oldest = Self::oldest(&mut file, count);
        ChunkWalk { file, count, next: oldest, oldest, wrapped: false }
    }

    /// The chunk whose header names the lowest first record id (a header with a reversed
    /// range says nothing); 0 if none does.
    fn oldest(file: &mut File, count: u64) -> u64 {
        use std::io::{Seek, SeekFrom};
        let mut oldest = (u64::MAX, 0);
        let mut header = [0u8; 512];
        for n in 0..count {
            if file.seek(SeekFrom::Start(EVTX_HEADER + n * EVTX_CHUNK)).is_err()
                || file.read_exact(&mut header).is_err()
            {
                break;
            }
            if let Ok(h) = evtx::EvtxChunkHeader::from_bytes(&header)
                && h.first_event_record_id <= h.last_event_record_id
                && h.first_event_record_id < oldest.0
            {
                oldest = (h.first_event_record_id, n);
            }
        }
        oldest.1
    }

    /// Chunk `n`: `None` if it is empty.
    fn chunk(&mut self, n: u64) -> evtx::err::Result<Option<evtx::EvtxChunkData>> {
        use evtx::err::{ChunkError, EvtxError};
        use std::io::{Seek, SeekFrom};
        let fail = |e: ChunkError| EvtxError::FailedToParseChunk { chunk_id: n, source: Box::new(e) };
        let offset = n.checked_mul(EVTX_CHUNK).and_then(|o| o.checked_add(EVTX_HEADER));
        let offset = offset.ok_or_else(|| fail(ChunkError::IncompleteChunk))?;
        self.file.seek(SeekFrom::Start(offset)).map_err(|e| fail(ChunkError::FailedToSeekToChunk(e)))?;
        let mut data = Vec::with_capacity(EVTX_CHUNK as usize);
        let read =
            (&mut self.file).take(EVTX_CHUNK).read_to_end(&mut data).map_err(|_| fail(ChunkError::IncompleteChunk))?;
        if read as u64 != EVTX_CHUNK {
            return Err(fail(ChunkError::IncompleteChunk));
        }
        let empty = !data.starts_with(b"ElfChnk\0")
            && data.chunks(4096).all(|block| block.iter().fold(0u8, |acc, &b| acc | b) == 0);
        if empty {
            return Ok(None);
        }
        let mut chunk = evtx::EvtxChunkData::new(data, false).map_err(fail)?;
        chunk.number = Some(n);
        Ok(Some(chunk))
    }
}

#[cfg(feature = "evtx")]
impl Iterator for ChunkWalk {
    type Item = evtx::err::Result<evtx::EvtxChunkData>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let end = if self.wrapped { self.oldest } else { u64::MAX };
            while self.next < end {
                let n = self.next;
                match self.chunk(n) {
                    Ok(None) => self.next = n.checked_add(1)?,
                    Ok(Some(chunk)) => {
                        self.next = n.checked_add(1)?;
                        return Some(Ok(chunk));
                    }
                    // Past the chunks the file's size accounts for, a failed read is its end.
                    Err(_) if n >= self.count => break,
                    Err(e) => {
                        self.next = n.checked_add(1)?;
                        return Some(Err(e));
                    }
                }
            }
            if self.wrapped || self.oldest == 0 {
                return None;
            }
            self.wrapped = true;
            self.next = 0;
        }
    }
}

#[cfg(feature = "evtx")]
fn read_evtx<H: EventHandler>(input: &Input, h: &H, counted: &std::sync::atomic::AtomicU64) -> io::Result<()> {
    use std::io::{Seek, SeekFrom};
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use evtx::{EvtxParser, ParserSettings};

    let whole_file =
        |message: String| h.problem(None, ReadProblem { path: input.path.clone(), location: None, message });
    let mut file = File::open(&input.path)?;
    let size = file.metadata()?.len();
    if size < EVTX_HEADER {
        whole_file(format!(
            "cut short inside its file header ({} of {} bytes): no chunk to read",
            thousands(size),
            thousands(EVTX_HEADER)
        ));
        return Ok(());
    }
    // The chunk the file is cut in, if any: one the header declares, or one that begins as a
    // chunk does (a log whose header was not updated yet).
    let whole_chunks = (size - EVTX_HEADER) / EVTX_CHUNK;
    let left = (size - EVTX_HEADER) % EVTX_CHUNK;
    let mut tail = Vec::new();
    if left > 0 {
        file.seek(SeekFrom::Start(EVTX_HEADER + whole_chunks * EVTX_CHUNK))?;
        (&mut file).take(left).read_to_end(&mut tail)?;
        file.rewind()?;
    }
    let settings = ParserSettings::new().num_threads(1);
    let walk_file = file.try_clone()?;
    let parser = EvtxParser::from_read_seek(file)
        .map_err(|e| io::Error::other(format!("not a readable EVTX file: {}", error_chain(&e))))?
        .with_configuration(settings.clone());
    let declared = u64::from(parser.header().chunk_count);
    let header_block = u64::from(parser.header().header_block_size);
    drop(parser);
    let cut = (!tail.is_empty() && (whole_chunks < declared || tail.starts_with(b"ElfChnk\0")))
        .then_some(Piece::Cut(whole_chunks, tail));
    let settings = Arc::new(settings);
    // Which chunks the evtx crate found (it passes over empty ones).
    let mut seen = vec![false; usize::try_from(whole_chunks.min(declared)).unwrap_or(0)];
    let pieces = ChunkWalk::new(walk_file, size.saturating_sub(header_block) / EVTX_CHUNK)
        .map(Piece::Whole)
        .inspect(|p| {
            let number = match p {
                Piece::Whole(Ok(d)) => d.number,
                Piece::Whole(Err(evtx::err::EvtxError::FailedToParseChunk { chunk_id, .. })) => Some(*chunk_id),
                _ => None,
            };
            if let Some(s) = number.and_then(|n| seen.get_mut(usize::try_from(n).ok()?)) {
                *s = true;
            }
        })
        .chain(cut);
    pieces.enumerate().par_bridge().for_each_init(
        || (h.state(), PooledEvent::take()),
        |(state, event), (batch, piece)| {
            let batch = batch as u64;
            let event = &mut event.0;
            let problem = |location: String, message: String| {
                h.problem(Some(batch), ReadProblem { path: input.path.clone(), location: Some(location), message })
            };
            let (mut data, number, cut) = match piece {
                // Its records' errors are told where they are with the chunk's number from 1
                // (the evtx crate counts from 0).
                Piece::Whole(Ok(mut d)) => {
                    let n = d.number.take();
                    (d, n, None)
                }
                Piece::Whole(Err(evtx::err::EvtxError::FailedToParseChunk { chunk_id, source })) => {
                    problem(chunk_name(Some(chunk_id)), error_chain(&source));
                    return h.batch_done(state, batch, EVTX_CHUNK);
                }
                Piece::Whole(Err(e)) => {
                    problem(chunk_name(None), error_chain(&e));
                    return h.batch_done(state, batch, EVTX_CHUNK);
                }
                Piece::Cut(n, bytes) => match cut_chunk(bytes) {
                    Ok((data, cut)) => (data, Some(n), Some(cut)),
                    Err(message) => {
                        problem(chunk_name(Some(n)), message);
                        return h.batch_done(state, batch, left);
                    }
                },
            };
            let name = chunk_name(number);
            let mut chunk = match data.parse(Arc::clone(&settings)) {
                Ok(c) => c,
                Err(e) => {
                    problem(name, error_chain(&e));
                    return h.batch_done(state, batch, EVTX_CHUNK);
                }
            };
            let mut events = 0;
            let mut last_read = None;
            // Taken out of the thread's slot for the chunk (so a nested read gets its own).
            let mut direct = DIRECT.take();
            read_chunk(&name, &mut chunk, &mut direct, event, &problem, |id, event| {
                events += 1;
                last_read = Some(id);
                h.event(state, input, Position { record: Some(id), line: None }, event);
            });
            DIRECT.set(direct);
            counted.fetch_add(events, Ordering::Relaxed);
            if let Some(cut) = &cut {
                problem(name, cut.message(last_read, events));
            }
            h.batch_done(state, batch, if cut.is_some() { left } else { EVTX_CHUNK });
        },
    );
    let present = whole_chunks + u64::from(left > 0);
    if declared > present {
        let (first, last) = (present + 1, declared);
        let which = if first == last { format!("chunk {first}") } else { format!("chunks {first}–{last}") };
        let verb = if first == last { "is" } else { "are" };
        whole_file(format!(
            "{which} of the {declared} the file header declares {verb} missing ({} bytes): the file ends after {} \
             bytes (cut short?)",
            thousands((declared - present) * EVTX_CHUNK),
            thousands(size)
        ));
    }
    for (n, _) in seen.iter().enumerate().filter(|(_, s)| !**s) {
        h.problem(
            None,
            ReadProblem {
                path: input.path.clone(),
                location: Some(chunk_name(Some(n as u64))),
                message: format!(
                    "all zeros, though the file header declares {declared} chunks: its records, if it had any, are lost"
                ),
            },
        );
    }
    Ok(())
}

/// How to name chunk `n` (counted from 0 in the file) in messages: from 1, as the file header
/// counts them.
#[cfg(feature = "evtx")]
fn chunk_name(n: Option<u64>) -> String {
    n.map_or_else(|| "a chunk".to_string(), |n| format!("chunk {}", n + 1))
}

/// A chunk the file is cut in: what was lost.
#[cfg(feature = "evtx")]
struct Cut {
    /// Bytes of the chunk in the file.
    left: usize,
    /// The records the chunk header declares.
    declared: Option<(u64, u64)>,
}

#[cfg(feature = "evtx")]
impl Cut {
    /// The problem, once the whole records before the cut were read (`read` of them, the last
    /// of them `last`).
    fn message(&self, last: Option<u64>, read: u64) -> String {
        let cut = format!("cut after {} of {} bytes", thousands(self.left as u64), thousands(EVTX_CHUNK));
        let lost = match self.declared {
            Some((first, end)) => {
                let from = last.map_or(first, |l| l.saturating_add(1));
                match from.cmp(&end) {
                    std::cmp::Ordering::Less => Some(format!("records {from}–{end} are lost")),
                    std::cmp::Ordering::Equal => Some(format!("record {end} is lost")),
                    // Its records all end before the cut.
                    std::cmp::Ordering::Greater => None,
                }
            }
            None => Some("the records after the cut are lost".to_string()),
        };
        let read = match read {
            0 => "no whole record before the cut".to_string(),
            1 => "the whole record before the cut is read".to_string(),
            n => format!("the {n} whole records before the cut are read"),
        };
        match lost {
            Some(lost) => format!("{cut}: {lost} ({read})"),
            None => format!("{cut}, after its last record ({read})"),
        }
    }
}

/// The chunk whose first `bytes` are left in a file cut short, made whole (zeros after the cut)
/// with its header saying that its records end with the last whole one; what was lost.
#[cfg(feature = "evtx")]
fn cut_chunk(mut bytes: Vec<u8>) -> Result<(evtx::EvtxChunkData, Cut), String> {
    let left = bytes.len();
    let cut = format!("cut after {} of {} bytes", thousands(left as u64), thousands(EVTX_CHUNK));
    if left < 512 {
        return Err(format!("{cut}, inside its header: its records are lost"));
    }
    bytes.resize(EVTX_CHUNK as usize, 0);
    let mut data = evtx::EvtxChunkData::new(bytes, false)
        .map_err(|e| format!("{cut}, and its header cannot be read ({}): its records are lost", error_chain(&e)))?;
    let h = &data.header;
    let declared = (h.first_event_record_id <= h.last_event_record_id)
        .then_some((h.first_event_record_id, h.last_event_record_id));
    let whole = binxml::whole_records(&data.data, h, left);
    let header = &mut data.header;
    match whole {
        Some((last, start, end)) => {
            header.last_event_record_id = last;
            header.last_event_record_number = last;
            header.last_event_record_data_offset = start as u32;
            header.free_space_offset = end as u32;
        }
        // No record to read.
        None => header.free_space_offset = 512,
    }
    Ok((data, Cut { left, declared }))
}

/// `n` with thousands separators (`786,432`).
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Read the records of parsed chunk `name` into `event`, one after another, handing each to
/// `emit` (with its record id) and each problem to `problem`: straight from BinXML where
/// [`binxml`] plans the record, else through the JSON the `evtx` crate renders.
#[cfg(feature = "evtx")]
fn read_chunk(
    name: &str,
    chunk: &mut evtx::EvtxChunk<'_>,
    direct: &mut binxml::Reader,
    event: &mut Event,
    problem: &impl Fn(String, String),
    mut emit: impl FnMut(u64, &Event),
) {
    direct.new_chunk();
    let bytes: &[u8] = chunk.data;
    match binxml::records(bytes, chunk.header) {
        // A well-formed chunk: its records are read here, and only those that need JSON go
        // through the evtx crate's iterator (advanced to them).
        Some(records) => {
            // Lazy: it reads nothing until asked for a record.
            let mut iter = chunk.iter();
            for r in records {
                let check = match direct.read(bytes, &bytes[r.binxml.clone()], event) {
                    binxml::Direct::Done => {
                        emit(r.id, event);
                        continue;
                    }
                    binxml::Direct::Json { check } => check,
                };
                let record = iter.find_map(|x| x.ok().filter(|x| x.binxml_offset as usize == r.binxml.start));
                let Some(record) = record else {
                    problem(format!("record {}", r.id), "the evtx reader does not read this record".into());
                    continue;
                };
                if read_json_record(record, check, direct, event, problem) {
                    emit(r.id, event);
                }
            }
        }
        // Anything unusual: the evtx crate walks the chunk (and reports what is wrong).
        None => {
            for record in chunk.iter() {
                let record = match record {
                    Ok(r) => r,
                    Err(e) => {
                        problem(name.to_string(), error_chain(&e));
                        continue;
                    }
                };
                let id = record.event_record_id;
                let window =
                    record.binxml_offset as usize..(record.binxml_offset as usize + record.binxml_size as usize);
                let check = match bytes.get(window).map(|b| direct.read(bytes, b, event)) {
                    Some(binxml::Direct::Done) => {
                        emit(id, event);
                        continue;
                    }
                    Some(binxml::Direct::Json { check }) => check,
                    None => None,
                };
                if read_json_record(record, check, direct, event, problem) {
                    emit(id, event);
                }
            }
        }
    }
}

/// Read one EVTX chunk (the 64 KiB that follow the file header or another chunk) as `hunt`
/// reads it, handing each event to `on_event` with its record id and each problem to
/// `on_problem` (where, what). For fuzzing and tests; `hunt` reads whole files.
#[cfg(feature = "evtx")]
pub fn read_evtx_chunk(bytes: &[u8], mut on_event: impl FnMut(u64, &Event), on_problem: impl Fn(String, String)) {
    let settings = std::sync::Arc::new(evtx::ParserSettings::new().num_threads(1));
    let mut data = match evtx::EvtxChunkData::new(bytes.to_vec(), false) {
        Ok(d) => d,
        Err(e) => return on_problem("chunk".into(), error_chain(&e)),
    };
    let mut chunk = match data.parse(settings) {
        Ok(c) => c,
        Err(e) => return on_problem("chunk".into(), error_chain(&e)),
    };
    let mut event = Event::new();
    read_chunk("chunk", &mut chunk, &mut binxml::Reader::default(), &mut event, &on_problem, |id, e| on_event(id, e));
}

/// Render `record` as JSON and flatten it into `event` (then give the direct reading its
/// `check`, if any); false, reported, when either fails.
#[cfg(feature = "evtx")]
fn read_json_record(
    record: evtx::EvtxRecord<'_>,
    check: Option<binxml::CheckToken>,
    direct: &mut binxml::Reader,
    event: &mut Event,
    problem: &impl Fn(String, String),
) -> bool {
    let id = record.event_record_id;
    let flattened = match record.into_json_bytes() {
        Ok(rendered) => json::flatten(&rendered.data, event).map_err(|e| e.to_string()),
        Err(e) => Err(error_chain(&e)),
    };
    if let Err(message) = flattened {
        problem(format!("record {id}"), message);
        return false;
    }
    if let Some(token) = check {
        direct.check(token, event);
    }
    true
}

#[cfg(feature = "evtx")]
thread_local! {
    /// Template plans of the direct EVTX reading, kept per worker thread across chunks and files.
    static DIRECT: std::cell::Cell<binxml::Reader> = std::cell::Cell::new(binxml::Reader::default());
}

#[cfg(not(feature = "evtx"))]
fn read_evtx<H: EventHandler>(_: &Input, _: &H, _: &std::sync::atomic::AtomicU64) -> io::Result<()> {
    Err(io::Error::other("this build reads no EVTX (feature `evtx` is off)"))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        s.push_str(": ");
        s.push_str(&x.to_string());
        src = x.source();
    }
    s
}

thread_local! {
    /// Events whose buffers have grown, kept per worker thread across chunks and files.
    static EVENTS: std::cell::RefCell<Vec<Event>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// An event taken from the thread's pool, given back when dropped.
struct PooledEvent(Event);

impl PooledEvent {
    fn take() -> Self {
        PooledEvent(EVENTS.with_borrow_mut(Vec::pop).unwrap_or_default())
    }
}

impl Drop for PooledEvent {
    fn drop(&mut self) {
        let e = std::mem::take(&mut self.0);
        EVENTS.with_borrow_mut(|v| v.push(e));
    }
}

/// Lines (and array elements) are read in batches of about this many bytes, each batch
/// handled by one thread.
const BATCH_BYTES: usize = 1 << 20;

struct Batch {
    data: Vec<u8>,
    first_line: u64,
}

fn read_lines<H: EventHandler>(
    input: &Input,
    mut reader: impl BufRead + Send,
    h: &H,
    counted: &std::sync::atomic::AtomicU64,
) {
    use std::sync::atomic::Ordering;
    let mut line_no = 1u64;
    let mut failed: Option<io::Error> = None;
    // Batch buffers are given back and reused: a fresh megabyte per batch costs page faults
    // (the allocator returns buffers this large to the system).
    let spare: std::sync::Mutex<Vec<Vec<u8>>> = std::sync::Mutex::new(Vec::new());
    let batches = std::iter::from_fn(|| {
        if failed.is_some() {
            return None;
        }
        let reused = spare.lock().ok().and_then(|mut s| s.pop());
        let mut data = reused.unwrap_or_else(|| Vec::with_capacity(BATCH_BYTES + 4096));
        data.clear();
        let first_line = line_no;
        while data.len() < BATCH_BYTES {
            match reader.read_until(b'\n', &mut data) {
                Ok(0) => break,
                Ok(_) => line_no += 1,
                Err(e) => {
                    failed = Some(e);
                    break;
                }
            }
        }
        (!data.is_empty()).then_some(Batch { data, first_line })
    });
    batches.enumerate().par_bridge().for_each_init(
        || (h.state(), PooledEvent::take()),
        |(state, event), (b, batch)| {
            let event = &mut event.0;
            let mut events = 0;
            for (i, line) in lines(&batch.data).enumerate() {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let n = batch.first_line + i as u64;
                if let Err(e) = json::flatten(line, event) {
                    h.problem(Some(b as u64), bad_json(input, &e, n, 1));
                    continue;
                }
                events += 1;
                h.event(state, input, Position { record: None, line: Some(n) }, event);
            }
            counted.fetch_add(events, Ordering::Relaxed);
            h.batch_done(state, b as u64, batch.data.len() as u64);
            if let Ok(mut s) = spare.lock() {
                s.push(batch.data);
            }
        },
    );
    if let Some(e) = failed {
        h.problem(
            None,
            ReadProblem {
                path: input.path.clone(),
                location: Some(format!("line {line_no}")),
                message: format!("read error: {e}"),
            },
        );
    }
}

/// The lines of `data`, split at each `\n` (as `split` would: the text after the last one too,
/// empty or not), found with memchr rather than byte by byte.
fn lines(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    let mut rest = Some(data);
    std::iter::from_fn(move || {
        let r = rest?;
        match memchr::memchr(b'\n', r) {
            Some(k) => {
                rest = Some(&r[k + 1..]);
                Some(&r[..k])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

/// The problem of JSON text that starts at `line`, `column` of the input and does not parse:
/// where it is in the input (serde_json's position is within the text), and what is wrong.
fn bad_json(input: &Input, e: &serde_json::Error, line: u64, column: u64) -> ReadProblem {
    let (message, at) = json::error_parts(e);
    let location = match at {
        Some((1, c)) => format!("line {line}, column {}", column + c.max(1) - 1),
        Some((l, c)) => format!("line {}, column {c}", line + l - 1),
        None => format!("line {line}"),
    };
    ReadProblem { path: input.path.clone(), location: Some(location), message: format!("bad JSON: {message}") }
}

/// Read from any reader (tests, embedding): JSON lines.
pub fn read_jsonl_from<H: EventHandler>(input: &Input, reader: impl Read + Send, h: &H) -> u64 {
    let counted = std::sync::atomic::AtomicU64::new(0);
    read_lines(input, BufReader::new(reader), h, &counted);
    counted.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The chunk walk gives what `evtx::EvtxParser::chunks` gives — the same chunks (numbers,
    /// bytes) or errors, in the same order — on every sample, and on copies made to wrap around
    /// (the oldest chunk moved to the middle), to hold empty and broken chunks, and to end in a
    /// partial chunk.
    #[cfg(feature = "evtx")]
    #[test]
    fn chunk_walk_is_the_evtx_crates_walk() {
        // Per chunk: its number and bytes, or the error's text.
        type Walked = Vec<Result<(Option<u64>, Vec<u8>), String>>;
        let Some(dir) = detwiki_testdata::require("events/evtx-attack-samples") else { return };
        let walk = |path: &Path| -> Walked {
            let size = std::fs::metadata(path).unwrap().len();
            let parser = evtx::EvtxParser::from_path(path).unwrap();
            let block = u64::from(parser.header().header_block_size);
            ChunkWalk::new(File::open(path).unwrap(), size.saturating_sub(block) / EVTX_CHUNK)
                .map(|c| c.map(|c| (c.number, c.data)).map_err(|e| error_chain(&e)))
                .collect()
        };
        let crate_walk = |path: &Path| -> Walked {
            let mut parser = evtx::EvtxParser::from_path(path).unwrap();
            parser.chunks().map(|c| c.map(|c| (c.number, c.data)).map_err(|e| error_chain(&e))).collect()
        };
        let tmp = tempfile::tempdir().unwrap();
        let (mut files, mut multi) = (0, 0);
        for entry in walkdir::WalkDir::new(&dir).sort_by_file_name() {
            let entry = entry.unwrap();
            if entry.path().extension().is_none_or(|x| x != "evtx") {
                continue;
            }
            files += 1;
            assert_eq!(walk(entry.path()), crate_walk(entry.path()), "{}", entry.path().display());
            let bytes = std::fs::read(entry.path()).unwrap();
            let chunks = (bytes.len() - 4096) / 65536;
            if chunks < 2 {
                continue;
            }
            multi += 1;
            // Rotated (wraps around), with an empty chunk, a broken one and a partial tail.
            let mut body: Vec<u8> = bytes[4096..4096 + chunks * 65536].to_vec();
            body.rotate_left(65536);
            body.extend(std::iter::repeat_n(0u8, 65536));
            let mut broken = vec![0u8; 65536];
            broken[..4].copy_from_slice(b"Junk");
            body.extend(broken);
            body.extend(&bytes[4096..4096 + 1000]);
            let path = tmp.path().join("changed.evtx");
            std::fs::write(&path, [&bytes[..4096], &body[..]].concat()).unwrap();
            assert_eq!(walk(&path), crate_walk(&path), "{} changed", entry.path().display());
        }
        assert!(files > 200 && multi > 10, "{files} files, {multi} of several chunks");
    }

    #[test]
    fn lines_split_as_split_does() {
        for data in [&b""[..], b"\n", b"a", b"a\n", b"a\nb", b"a\n\nb\n", b"\n\na\r\n"] {
            let want: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
            assert_eq!(lines(data).collect::<Vec<_>>(), want, "{data:?}");
        }
    }

    #[test]
    fn numbers_with_thousands_separators() {
        let t: Vec<String> = [0, 999, 1000, 65_536, 786_432, 1_118_208].into_iter().map(thousands).collect();
        assert_eq!(t, ["0", "999", "1,000", "65,536", "786,432", "1,118,208"]);
    }

    #[test]
    fn a_folder_walk_picks_logs_by_name() {
        for yes in ["a.evtx", "A.EVTX", "a.json", "a.jsonl", "a.ndjson", "a.json.gz", "a.jsonl.gz", "a.ndjson.gz"] {
            assert!(has_log_name(Path::new(yes)), "{yes}");
        }
        for no in ["a.yml", "a.txt", "a.gz", "a.evtx.gz", "a.json.bak", "evtx"] {
            assert!(!has_log_name(Path::new(no)), "{no}");
        }
    }
}
