//! A JSON array of events (`[{…}, {…}]`, as PowerShell's `ConvertTo-Json` writes them), read
//! element by element as it streams in: a scan that only tracks strings and nesting finds
//! where each element ends, and the elements are read like JSON lines (in batches, in
//! parallel). An element's position is the line (and column) it starts at.

use std::io::BufRead;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use rayon::iter::{ParallelBridge, ParallelIterator};

use super::{BATCH_BYTES, EventHandler, Input, PooledEvent, Position, ReadProblem, bad_json};
use crate::json;

/// Read the JSON array `reader` holds.
pub(super) fn read<H: EventHandler>(input: &Input, reader: impl BufRead + Send, h: &H, counted: &AtomicU64) {
    let mut scan = Scanner::new(reader);
    let batches = std::iter::from_fn(|| scan.batch());
    batches.enumerate().par_bridge().for_each_init(
        || (h.state(), PooledEvent::take()),
        |(state, event), (b, batch)| {
            let event = &mut event.0;
            let mut events = 0;
            for e in &batch.elements {
                if let Err(err) = json::flatten(&batch.data[e.text.clone()], event) {
                    h.problem(Some(b as u64), bad_json(input, &err, e.line, e.column));
                    continue;
                }
                events += 1;
                h.event(state, input, Position { record: None, line: Some(e.line) }, event);
            }
            counted.fetch_add(events, Ordering::Relaxed);
            h.batch_done(state, b as u64, batch.bytes);
        },
    );
    if let Some((line, column, message)) = scan.problem {
        let location = Some(format!("line {line}, column {column}"));
        h.problem(None, ReadProblem { path: input.path.clone(), location, message });
    }
}

/// Elements of the array, in the order of the input.
struct Batch {
    data: Vec<u8>,
    elements: Vec<Element>,
    /// Bytes of the input scanned.
    bytes: u64,
}

struct Element {
    /// Its text in the batch's data.
    text: Range<usize>,
    line: u64,
    column: u64,
}

/// Where the scan is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the `[`.
    Start,
    /// Where an element (or the `]`) can start.
    Before,
    /// In an element: nested `depth` deep, in a string (after a backslash).
    In { depth: u32, string: bool, escape: bool },
    /// After an element: a `,` or the `]`.
    After,
    /// After the `]`.
    End,
    /// Nothing more to read.
    Done,
}

/// What stopped a scan: line, column, message.
type Stop = (u64, u64, String);

struct Scanner<R> {
    reader: R,
    state: State,
    /// Position of the next byte.
    line: u64,
    column: u64,
    /// Where the current element starts (in the batch being filled; line, column).
    start: (usize, u64, u64),
    /// What stopped the scan.
    problem: Option<Stop>,
}

impl<R: BufRead> Scanner<R> {
    fn new(reader: R) -> Self {
        Scanner { reader, state: State::Start, line: 1, column: 1, start: (0, 1, 1), problem: None }
    }

    /// The next batch of whole elements (at least [`BATCH_BYTES`] of them, or the rest).
    fn batch(&mut self) -> Option<Batch> {
        let Scanner { reader, state: scan_state, line, column, start, problem } = self;
        let mut b = Batch { data: Vec::new(), elements: Vec::new(), bytes: 0 };
        let stop = |line: u64, column: u64, message: &str| Some((line, column, message.to_string()));
        while *scan_state != State::Done {
            let buf = match reader.fill_buf() {
                Ok(buf) => buf,
                Err(e) => {
                    *problem = stop(*line, *column, &format!("read error: {e}"));
                    *scan_state = State::Done;
                    break;
                }
            };
            if buf.is_empty() {
                *problem = match *scan_state {
                    State::End => None,
                    State::In { .. } => stop(
                        *line,
                        *column,
                        "the input ends inside an element of the JSON array (cut short?): it is lost",
                    ),
                    _ => stop(*line, *column, "the input ends before the JSON array is closed with `]` (cut short?)"),
                };
                *scan_state = State::Done;
                break;
            }
            let mut used = 0;
            let mut full = false;
            let mut state = *scan_state;
            let element = |b: &mut Batch, start: (usize, u64, u64)| {
                let (at, line, column) = start;
                b.elements.push(Element { text: at..b.data.len(), line, column });
            };
            for &c in buf {
                let what = match state {
                    State::In { depth, string: true, escape } => {
                        b.data.push(c);
                        let string = escape || c != b'"';
                        let escape = !escape && c == b'\\';
                        if !string && depth == 0 {
                            element(&mut b, *start);
                            Ok(State::After)
                        } else {
                            Ok(State::In { depth, string, escape })
                        }
                    }
                    State::In { depth, .. } => match c {
                        b',' | b']' if depth == 0 => {
                            element(&mut b, *start);
                            Ok(if c == b',' { State::Before } else { State::End })
                        }
                        b' ' | b'\t' | b'\r' | b'\n' if depth == 0 => {
                            element(&mut b, *start);
                            Ok(State::After)
                        }
                        _ => {
                            b.data.push(c);
                            Ok(match c {
                                b'"' => State::In { depth, string: true, escape: false },
                                b'{' | b'[' => State::In { depth: depth + 1, string: false, escape: false },
                                b'}' | b']' if depth == 1 => {
                                    element(&mut b, *start);
                                    State::After
                                }
                                b'}' | b']' if depth > 1 => {
                                    State::In { depth: depth - 1, string: false, escape: false }
                                }
                                _ => state,
                            })
                        }
                    },
                    _ if c.is_ascii_whitespace() => Ok(state),
                    State::Start if c == b'[' => Ok(State::Before),
                    State::Start => Err("a JSON array starts with `[`"),
                    // `]` after a `,` too: a trailing comma loses nothing.
                    State::Before | State::After if c == b']' => Ok(State::End),
                    State::Before if c == b',' => Err("bad JSON array: a `,` where an element should be"),
                    State::Before => {
                        *start = (b.data.len(), *line, *column);
                        b.data.push(c);
                        Ok(match c {
                            b'"' => State::In { depth: 0, string: true, escape: false },
                            b'{' | b'[' => State::In { depth: 1, string: false, escape: false },
                            _ => State::In { depth: 0, string: false, escape: false },
                        })
                    }
                    State::After if c == b',' => Ok(State::Before),
                    State::After => Err("bad JSON array: expected `,` or `]` after an element"),
                    State::End => Err("text after the end of the JSON array (one array per input)"),
                    State::Done => Ok(State::Done),
                };
                state = match what {
                    Ok(s) => s,
                    Err(message) => {
                        *problem = stop(*line, *column, message);
                        state = State::Done;
                        break;
                    }
                };
                used += 1;
                if c == b'\n' {
                    *line += 1;
                    *column = 1;
                } else {
                    *column += 1;
                }
                if b.data.len() >= BATCH_BYTES && matches!(state, State::Before | State::After | State::End) {
                    full = true;
                    break;
                }
            }
            *scan_state = state;
            b.bytes += used as u64;
            reader.consume(used);
            if full {
                break;
            }
        }
        (b.bytes > 0 || !b.elements.is_empty()).then_some(b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The elements' texts and positions, and the problem, of `text` read in batches of any size.
    fn scan(text: &str) -> (Vec<(String, u64, u64)>, Option<Stop>) {
        let mut s = Scanner::new(std::io::BufReader::with_capacity(3, text.as_bytes()));
        let mut out = Vec::new();
        while let Some(b) = s.batch() {
            for e in b.elements {
                out.push((String::from_utf8(b.data[e.text].to_vec()).unwrap(), e.line, e.column));
            }
        }
        (out, s.problem)
    }

    fn e(t: &str, line: u64, column: u64) -> (String, u64, u64) {
        (t.to_string(), line, column)
    }

    #[test]
    fn elements_and_where_they_start() {
        let text = "\u{feff}[\n  {\"a\": \"x,]}\\\"\"},\n  {\"b\": [1, {\"c\": 2}]} , 7,\"s\" ,null\n]\n";
        let (els, problem) = scan(text.trim_start_matches('\u{feff}'));
        assert_eq!(problem, None);
        assert_eq!(
            els,
            [
                e("{\"a\": \"x,]}\\\"\"}", 2, 3),
                e("{\"b\": [1, {\"c\": 2}]}", 3, 3),
                e("7", 3, 26),
                e("\"s\"", 3, 28),
                e("null", 3, 33)
            ]
        );
        assert_eq!(scan("[]").0, []);
        assert_eq!(scan(" [ {\"a\":1}, ] ").0, [e("{\"a\":1}", 1, 4)], "a trailing comma");
    }

    #[test]
    fn what_stops_the_scan() {
        let (els, p) = scan("[{\"a\":1},\n{\"a\":2");
        assert_eq!(els, [e("{\"a\":1}", 1, 2)]);
        assert_eq!(
            p,
            Some((2, 7, "the input ends inside an element of the JSON array (cut short?): it is lost".into()))
        );
        let (els, p) = scan("[{\"a\":1}, {\"a\":2}");
        assert_eq!(els.len(), 2);
        assert!(p.unwrap().2.contains("before the JSON array is closed"));
        let (els, p) = scan("[{\"a\":1} {\"a\":2}]");
        assert_eq!(els.len(), 1);
        assert_eq!(p, Some((1, 10, "bad JSON array: expected `,` or `]` after an element".into())));
        let (_, p) = scan("[1] [2]");
        assert_eq!(p, Some((1, 5, "text after the end of the JSON array (one array per input)".into())));
        let (_, p) = scan("[1,,2]");
        assert_eq!(p.unwrap().0, 1);
    }

    #[test]
    fn batches_end_between_elements() {
        let one = format!("{{\"a\": \"{}\"}}", "x".repeat(1000));
        let n = 3 * BATCH_BYTES / one.len();
        let text = format!("[{}]", vec![one.as_str(); n].join(",\n"));
        let mut s = Scanner::new(std::io::BufReader::new(text.as_bytes()));
        let (mut batches, mut elements, mut bytes) = (0, 0, 0);
        while let Some(b) = s.batch() {
            batches += 1;
            bytes += b.bytes;
            for e in &b.elements {
                assert_eq!(&b.data[e.text.clone()], one.as_bytes());
                assert_eq!(e.line, elements as u64 + 1);
                elements += 1;
            }
        }
        assert_eq!((elements, bytes, s.problem), (n, text.len() as u64, None));
        assert!((3..=4).contains(&batches), "{batches} batches");
    }
}
