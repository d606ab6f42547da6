//! Readers: EVTX files (the `evtx` crate), JSON lines (plain, `.gz`, stdin),
//! folders of them. Each reader turns records into [`Event`]s with reusable
//! buffers and hands them to an [`EventHandler`], in parallel on the current
//! rayon pool: EVTX by 64 KiB chunk, JSON lines by batches of lines. A corrupt
//! chunk, record or line is reported as a [`ReadProblem`] and skipped.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use rayon::iter::{ParallelBridge, ParallelIterator};

#[cfg(feature = "evtx")]
use crate::binxml;
use crate::event::Event;
use crate::json;

/// The kinds of input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputKind {
    /// A Windows `.evtx` file.
    Evtx,
    /// JSON lines.
    Jsonl,
    /// Gzip-compressed JSON lines.
    JsonlGz,
    /// JSON lines on standard input (`-`).
    Stdin,
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
    /// JSON line number (1-based).
    pub line: Option<u64>,
}

/// A part of an input that could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadProblem {
    /// The input.
    pub path: PathBuf,
    /// Where: `chunk 3`, `record 1234`, `line 17`, or nothing for the whole file.
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

/// Receives the events of inputs, on many threads at once.
pub trait EventHandler: Sync {
    /// Per-thread state (scratch buffers, local counters).
    type State: Send;
    /// A fresh state.
    fn state(&self) -> Self::State;
    /// One event.
    fn event(&self, state: &mut Self::State, input: &Input, at: Position, event: &Event);
    /// End of a chunk or batch: flush what the state holds. `bytes` of the input were consumed.
    fn batch_done(&self, state: &mut Self::State, bytes: u64);
    /// A part of an input that could not be read.
    fn problem(&self, problem: ReadProblem);
}

/// The inputs under `paths`: files as given (by extension; unknown ones are
/// read as JSON lines), folders searched recursively for `.evtx`, `.json`,
/// `.jsonl`, `.ndjson` and their `.gz` forms, sorted by name. `-` is stdin.
pub fn collect_inputs(paths: &[PathBuf]) -> (Vec<Input>, Vec<ReadProblem>) {
    let mut inputs = Vec::new();
    let mut problems = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            inputs.push(Input { path: p.clone(), kind: InputKind::Stdin, size: 0 });
            continue;
        }
        if p.is_file() {
            let kind = kind_of(p).unwrap_or(InputKind::Jsonl);
            inputs.push(Input { path: p.clone(), kind, size: p.metadata().map_or(0, |m| m.len()) });
            continue;
        }
        if !p.exists() {
            problems.push(ReadProblem { path: p.clone(), location: None, message: "no such file or folder".into() });
            continue;
        }
        for entry in walkdir::WalkDir::new(p).sort_by_file_name() {
            match entry {
                Ok(e) if e.file_type().is_file() => {
                    if let Some(kind) = kind_of(e.path()) {
                        let size = e.metadata().map_or(0, |m| m.len());
                        inputs.push(Input { path: e.into_path(), kind, size });
                    }
                }
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

fn kind_of(p: &Path) -> Option<InputKind> {
    let name = p.file_name()?.to_str()?.to_ascii_lowercase();
    if name.ends_with(".evtx") {
        Some(InputKind::Evtx)
    } else if [".jsonl.gz", ".json.gz", ".ndjson.gz"].iter().any(|e| name.ends_with(e)) {
        Some(InputKind::JsonlGz)
    } else if [".jsonl", ".json", ".ndjson"].iter().any(|e| name.ends_with(e)) {
        Some(InputKind::Jsonl)
    } else {
        None
    }
}

/// Read one input, calling `h` for every event. Returns the number of events.
pub fn read_input<H: EventHandler>(input: &Input, h: &H) -> u64 {
    let counted = std::sync::atomic::AtomicU64::new(0);
    let result = match input.kind {
        InputKind::Evtx => read_evtx(input, h, &counted),
        InputKind::Jsonl => File::open(&input.path).map(|f| read_lines(input, BufReader::new(f), h, &counted)),
        InputKind::JsonlGz => File::open(&input.path).map(|f| {
            let gz = flate2::read::MultiGzDecoder::new(BufReader::new(f));
            read_lines(input, BufReader::with_capacity(1 << 16, gz), h, &counted)
        }),
        InputKind::Stdin => {
            read_lines(input, BufReader::with_capacity(1 << 16, io::stdin()), h, &counted);
            Ok(())
        }
    };
    if let Err(e) = result {
        h.problem(ReadProblem { path: input.path.clone(), location: None, message: e.to_string() });
    }
    counted.into_inner()
}

#[cfg(feature = "evtx")]
fn read_evtx<H: EventHandler>(input: &Input, h: &H, counted: &std::sync::atomic::AtomicU64) -> io::Result<()> {
    use std::sync::Arc;
    use std::sync::atomic::Ordering;

    use evtx::{EvtxParser, ParserSettings};

    let settings = ParserSettings::new().num_threads(1);
    let mut parser = EvtxParser::from_path(&input.path)
        .map_err(|e| io::Error::other(format!("not a readable EVTX file: {e}")))?
        .with_configuration(settings.clone());
    let settings = Arc::new(settings);
    parser.chunks().enumerate().par_bridge().for_each_init(
        || (h.state(), PooledEvent::take()),
        |(state, event), (n, chunk)| {
            let event = &mut event.0;
            let problem = |location: String, message: String| {
                h.problem(ReadProblem { path: input.path.clone(), location: Some(location), message })
            };
            let mut data = match chunk {
                Ok(d) => d,
                Err(e) => return problem(format!("chunk {n}"), error_chain(&e)),
            };
            let mut chunk = match data.parse(Arc::clone(&settings)) {
                Ok(c) => c,
                Err(e) => return problem(format!("chunk {n}"), error_chain(&e)),
            };
            let mut events = 0;
            // Taken out of the thread's slot for the chunk (so a nested read gets its own).
            let mut direct = DIRECT.take();
            read_chunk(n, &mut chunk, &mut direct, event, &problem, |id, event| {
                events += 1;
                h.event(state, input, Position { record: Some(id), line: None }, event);
            });
            DIRECT.set(direct);
            counted.fetch_add(events, Ordering::Relaxed);
            h.batch_done(state, evtx_chunk_size());
        },
    );
    Ok(())
}

/// Read the records of parsed chunk number `n` into `event`, one after another, handing each to
/// `emit` (with its record id) and each problem to `problem`: straight from BinXML where
/// [`binxml`] plans the record, else through the JSON the `evtx` crate renders.
#[cfg(feature = "evtx")]
fn read_chunk(
    n: usize,
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
                if read_json(record, check, direct, event, problem) {
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
                        problem(format!("chunk {n}"), error_chain(&e));
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
                if read_json(record, check, direct, event, problem) {
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
    read_chunk(0, &mut chunk, &mut binxml::Reader::default(), &mut event, &on_problem, |id, e| on_event(id, e));
}

/// Render `record` as JSON and flatten it into `event` (then give the direct reading its
/// `check`, if any); false, reported, when either fails.
#[cfg(feature = "evtx")]
fn read_json(
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

#[cfg(feature = "evtx")]
fn evtx_chunk_size() -> u64 {
    65536
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

/// Lines are read in batches of about this many bytes, each batch handled by one thread.
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
    let batches = std::iter::from_fn(|| {
        if failed.is_some() {
            return None;
        }
        let mut data = Vec::with_capacity(BATCH_BYTES + 4096);
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
    batches.par_bridge().for_each_init(
        || (h.state(), PooledEvent::take()),
        |(state, event), batch| {
            let event = &mut event.0;
            let mut events = 0;
            for (i, line) in batch.data.split(|&b| b == b'\n').enumerate() {
                let line = line.strip_suffix(b"\r").unwrap_or(line);
                if line.iter().all(u8::is_ascii_whitespace) {
                    continue;
                }
                let n = batch.first_line + i as u64;
                if let Err(e) = json::flatten(line, event) {
                    h.problem(ReadProblem {
                        path: input.path.clone(),
                        location: Some(format!("line {n}")),
                        message: format!("bad JSON: {e}"),
                    });
                    continue;
                }
                events += 1;
                h.event(state, input, Position { record: None, line: Some(n) }, event);
            }
            counted.fetch_add(events, Ordering::Relaxed);
            h.batch_done(state, batch.data.len() as u64);
        },
    );
    if let Some(e) = failed {
        h.problem(ReadProblem {
            path: input.path.clone(),
            location: Some(format!("line {line_no}")),
            message: format!("read error: {e}"),
        });
    }
}

/// Read from any reader (tests, embedding): JSON lines.
pub fn read_jsonl_from<H: EventHandler>(input: &Input, reader: impl Read + Send, h: &H) -> u64 {
    let counted = std::sync::atomic::AtomicU64::new(0);
    read_lines(input, BufReader::new(reader), h, &counted);
    counted.into_inner()
}
