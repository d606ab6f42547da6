//! Value matchers: what one rule value compiles to, and how it meets one field value.
//!
//! Strings compare case-insensitively by default (Sigma specification v2.1,
//! "cased"): the pattern is lower-cased once at compile time and compared with
//! the event's lower-cased value ([`FieldValue::lower`]), so the hot path is a
//! plain byte comparison. Plain equality, prefix, suffix and substring never
//! use a regex; `*`/`?` globs use a small backtracking matcher, or ordered
//! substring search when the glob has no `?`.
//!
//! What is costly to build and rarely reached is built on first use, once, whichever thread
//! gets there first ([`OnceLock`]): a regex ([`LazyRegex`]), a substring searcher
//! ([`Contains`]); the automaton of a list of substrings ([`StrSet`]) once the list has been
//! searched for one substring at a time in a few values. A ruleset of thousands
//! of rules then compiles in a fraction of the time and memory, and an event only pays for the
//! matchers of the rules its route and the prefilter let through.

use std::net::IpAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, OnceLock};

use ipnet::IpNet;
use memchr::memmem::Finder;
use regex::Regex;

use crate::event::{FieldKey, FieldValue, Fields};

/// A compiled string comparison.
#[derive(Clone, Debug)]
pub struct StrMatch {
    /// The comparison.
    pub kind: StrKind,
    /// Compare the raw value (`|cased`), not the lower-cased one.
    pub cased: bool,
}

/// The shapes of a string comparison (pattern already lower-cased unless cased).
#[derive(Clone, Debug)]
pub enum StrKind {
    /// Whole value equal.
    Exact(Box<str>),
    /// `value*`.
    Prefix(Box<str>),
    /// `*value`.
    Suffix(Box<str>),
    /// `*value*`.
    Contains(Contains),
    /// `*`: any value.
    Any,
    /// Anything else.
    Glob(Box<Glob>),
}

/// A substring to search for (already lower-cased unless cased); its searcher is built on
/// first use.
#[derive(Clone, Debug)]
pub struct Contains {
    needle: Box<str>,
    finder: OnceLock<Box<Finder<'static>>>,
}

impl Contains {
    /// Search for `needle`.
    pub fn new(needle: &str) -> Self {
        Contains { needle: needle.into(), finder: OnceLock::new() }
    }

    /// The substring.
    pub fn needle(&self) -> &str {
        &self.needle
    }

    /// True if `s` contains the substring.
    #[inline]
    pub fn is_match(&self, s: &str) -> bool {
        let f = self.finder.get_or_init(|| Box::new(Finder::new(self.needle.as_bytes()).into_owned()));
        f.find(s.as_bytes()).is_some()
    }
}

/// A regular expression (`|re`), checked when the rule is compiled and built on first use.
///
/// The pattern is parsed with the flags and limits the `regex` crate uses, so a pattern that
/// does not parse makes the rule fail to compile with the `regex` crate's own message. The only
/// failure left for the build is the compiled size limit (10 MB of automaton, far beyond any
/// Sigma rule's regex); a regex that fails there matches nothing, and
/// [`LazyRegex::build_error`] says so after the hunt.
#[derive(Debug)]
pub struct LazyRegex {
    pattern: Box<str>,
    flags: RegexFlags,
    built: OnceLock<Result<Regex, String>>,
}

/// The `re` modifiers' flags.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct RegexFlags {
    /// `|i`.
    pub case_insensitive: bool,
    /// `|m`.
    pub multi_line: bool,
    /// `|s`.
    pub dot_matches_new_line: bool,
}

impl LazyRegex {
    /// Check `pattern` (as the `regex` crate would parse it with `flags`); the error is the
    /// `regex` crate's message.
    pub fn new(pattern: &str, flags: RegexFlags) -> Result<Self, String> {
        regex_syntax::ParserBuilder::new()
            .case_insensitive(flags.case_insensitive)
            .multi_line(flags.multi_line)
            .dot_matches_new_line(flags.dot_matches_new_line)
            .build()
            .parse(pattern)
            .map_err(|e| e.to_string())?;
        Ok(LazyRegex { pattern: pattern.into(), flags, built: OnceLock::new() })
    }

    /// The pattern as written (without the modifiers' flags).
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// The modifiers' flags.
    pub fn flags(&self) -> RegexFlags {
        self.flags
    }

    /// The regex, built now if it was not yet.
    pub fn regex(&self) -> Result<&Regex, &str> {
        self.built
            .get_or_init(|| {
                regex::RegexBuilder::new(&self.pattern)
                    .case_insensitive(self.flags.case_insensitive)
                    .multi_line(self.flags.multi_line)
                    .dot_matches_new_line(self.flags.dot_matches_new_line)
                    .dfa_size_limit(LAZY_DFA_BYTES)
                    .build()
                    .map_err(|e| e.to_string())
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// True if the regex matches somewhere in `s` (never, if it could not be built).
    #[inline]
    pub fn is_match(&self, s: &str) -> bool {
        self.regex().is_ok_and(|r| r.is_match(s))
    }

    /// Why the regex could not be built, if it was tried and failed.
    pub fn build_error(&self) -> Option<&str> {
        self.built.get().and_then(|r| r.as_ref().err()).map(String::as_str)
    }
}

/// The most memory a regex's lazy DFA may use per thread (the `regex` crate's default is 2 MB).
///
/// With 2 MB, a regex whose automaton is large — Unicode classes under a counted repetition,
/// `-k\s\w{1,64}` of svchost_uncommon_command_line_flags — gets no lazy DFA at all, and every
/// match runs the backtracker or the PikeVM: 1.3-2.4 µs per command line instead of 30-40 ns. The
/// cache grows with the states a search creates, so regexes that fitted before use no more.
const LAZY_DFA_BYTES: usize = 4 << 20;

/// One token of a glob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GlobPart {
    /// Literal text.
    Lit(Box<str>),
    /// `*`.
    Star,
    /// `?`: one character.
    One,
}

/// How many times something built on demand was used without being built, counted up to a
/// threshold: what is cheap to do the slow way a few times waits to be built until it has been
/// asked for often enough (a route's prefilter, a [`StrSet`]'s automaton).
#[derive(Debug, Default)]
pub(crate) struct EarlyUses(AtomicU32);

impl EarlyUses {
    /// True, and counted, while fewer than `limit` uses came before; false from then on.
    /// Counted only up to `limit` (never wraps), by whichever thread gets there: threads that
    /// race may count two uses as one, which only moves the build by a use.
    pub(crate) fn early(&self, limit: u32) -> bool {
        let n = self.0.load(Ordering::Relaxed);
        if n < limit {
            self.0.store(n + 1, Ordering::Relaxed);
            return true;
        }
        false
    }
}

/// A wildcard pattern.
#[derive(Clone, Debug)]
pub struct Glob {
    parts: Vec<GlobPart>,
    /// For globs without `?`: the literal segments, anchored at start / end.
    segments: Option<Segments>,
    /// For globs with `?`: the longest literal part, which every match contains. Looked for
    /// first: most values lack it, and the backtracking match then never runs (`*>?%appdata%\*`
    /// over every command line with a `>` in it).
    required: Option<Finder<'static>>,
}

#[derive(Clone, Debug)]
struct Segments {
    start: Option<Box<str>>,
    middle: Vec<Finder<'static>>,
    end: Option<Box<str>>,
}

impl Glob {
    /// Build from tokens (adjacent stars should be merged by the caller; harmless if not).
    pub fn new(parts: Vec<GlobPart>) -> Self {
        let lits: Vec<&str> =
            parts.iter().filter_map(|p| if let GlobPart::Lit(s) = p { Some(&**s) } else { None }).collect();
        let finder = |s: &str| Finder::new(s.as_bytes()).into_owned();
        if parts.contains(&GlobPart::One) {
            let required = lits.iter().max_by_key(|s| s.len()).map(|s| finder(s));
            return Glob { parts, segments: None, required };
        }
        let anchored_start = matches!(parts.first(), Some(GlobPart::Lit(_)));
        let anchored_end = matches!(parts.last(), Some(GlobPart::Lit(_)));
        let mut it = lits.into_iter();
        let start = if anchored_start { it.next().map(Box::from) } else { None };
        let mut rest: Vec<&str> = it.collect();
        let end = if anchored_end { rest.pop().map(Box::from) } else { None };
        let middle = rest.into_iter().map(finder).collect();
        Glob { segments: Some(Segments { start, middle, end }), parts, required: None }
    }

    /// True if `s` matches the whole pattern.
    pub fn is_match(&self, s: &str) -> bool {
        match &self.segments {
            Some(seg) => seg.is_match(s),
            None => self.required.as_ref().is_none_or(|f| f.find(s.as_bytes()).is_some()) && glob_match(&self.parts, s),
        }
    }
}

impl Segments {
    fn is_match(&self, s: &str) -> bool {
        let b = s.as_bytes();
        let mut pos = 0;
        let mut end = b.len();
        if let Some(p) = &self.start {
            if !b.starts_with(p.as_bytes()) {
                return false;
            }
            pos = p.len();
        }
        if let Some(p) = &self.end {
            if end - pos < p.len() || !b.ends_with(p.as_bytes()) {
                return false;
            }
            end -= p.len();
        }
        for f in &self.middle {
            match f.find(&b[pos..end]) {
                Some(i) => pos += i + f.needle().len(),
                None => return false,
            }
        }
        true
    }
}

/// Backtracking glob match over chars (`?` is one char). Worst case O(n·m).
pub fn glob_match(parts: &[GlobPart], s: &str) -> bool {
    let (mut pi, mut si) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    loop {
        if let Some(p) = parts.get(pi) {
            match p {
                GlobPart::Star => {
                    star = Some((pi, si));
                    pi += 1;
                    continue;
                }
                GlobPart::Lit(l) if s[si..].starts_with(&**l) => {
                    si += l.len();
                    pi += 1;
                    continue;
                }
                GlobPart::One if si < s.len() => {
                    si += s[si..].chars().next().map_or(1, char::len_utf8);
                    pi += 1;
                    continue;
                }
                _ => {}
            }
        } else if si == s.len() {
            return true;
        }
        // Mismatch: let the last star absorb one more char.
        match star {
            Some((sp, ss)) if ss < s.len() => {
                let next = ss + s[ss..].chars().next().map_or(1, char::len_utf8);
                star = Some((sp, next));
                pi = sp + 1;
                si = next;
            }
            _ => return false,
        }
    }
}

impl StrMatch {
    /// True if the value matches.
    #[inline]
    pub fn is_match(&self, v: &FieldValue<'_>) -> bool {
        let s = if self.cased { v.raw } else { v.lower };
        self.is_match_str(s)
    }

    /// True if `s` (already lower-cased unless cased) matches.
    #[inline]
    pub fn is_match_str(&self, s: &str) -> bool {
        match &self.kind {
            StrKind::Exact(p) => s == &**p,
            StrKind::Prefix(p) => s.starts_with(&**p),
            StrKind::Suffix(p) => s.ends_with(&**p),
            StrKind::Contains(c) => c.is_match(s),
            StrKind::Any => true,
            StrKind::Glob(g) => g.is_match(s),
        }
    }

    /// The longest literal every match must contain (lower-cased), for the prefilter.
    pub fn needle(&self) -> Option<String> {
        let lower = |s: &str| if self.cased { crate::event::lowercase(s) } else { s.to_string() };
        match &self.kind {
            StrKind::Exact(p) | StrKind::Prefix(p) | StrKind::Suffix(p) => Some(lower(p)),
            StrKind::Contains(c) => Some(lower(c.needle())),
            StrKind::Any => None,
            StrKind::Glob(g) => g
                .parts
                .iter()
                .filter_map(|p| match p {
                    GlobPart::Lit(l) => Some(&**l),
                    _ => None,
                })
                .max_by_key(|l| l.len())
                .map(lower),
        }
    }
}

/// Numeric comparison operators.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmpOp {
    /// `lt`.
    Lt,
    /// `lte`.
    Lte,
    /// `gt`.
    Gt,
    /// `gte`.
    Gte,
}

/// Parts of a timestamp (the time-part modifiers).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimePart {
    /// Minute 0–59.
    Minute,
    /// Hour 0–23.
    Hour,
    /// Day of month 1–31.
    Day,
    /// ISO week 1–53.
    Week,
    /// Month 1–12.
    Month,
    /// Year.
    Year,
}

/// How a `fieldref` compares the two values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RefKind {
    /// Equal.
    Eq,
    /// Starts with the other field's value.
    Prefix,
    /// Ends with it.
    Suffix,
    /// Contains it.
    Contains,
}

/// One compiled value of a predicate.
#[derive(Clone, Debug)]
pub enum Matcher {
    /// `null`: the field is missing or null.
    Null,
    /// `exists: true/false`.
    Exists(bool),
    /// A string comparison.
    Str(StrMatch),
    /// `neq`: present and not equal.
    Neq(StrMatch),
    /// `re` (shared by the clones of a predicate's fast path).
    Re(Arc<LazyRegex>),
    /// `cidr`.
    Cidr(IpNet),
    /// `lt`/`lte`/`gt`/`gte`.
    Cmp(CmpOp, f64),
    /// `minute` … `year`.
    Time(TimePart, i64),
    /// `fieldref`.
    FieldRef {
        /// The other field.
        other: FieldKey,
        /// Comparison.
        kind: RefKind,
        /// Case-sensitive.
        cased: bool,
    },
}

impl Matcher {
    /// True if the field `key` of `ev` satisfies this value.
    pub fn matches_field<F: Fields>(&self, ev: &F, key: &FieldKey) -> bool {
        match self {
            Matcher::Null => ev.values(key).all(|v| v.is_null()),
            Matcher::Exists(b) => ev.values(key).any(|v| !v.is_null()) == *b,
            _ => ev.values(key).any(|v| !v.is_null() && self.matches_value(ev, &v)),
        }
    }

    /// True if some value of any field of `ev` satisfies this value (keywords).
    pub fn matches_any<F: Fields>(&self, ev: &F) -> bool {
        match self {
            Matcher::Null | Matcher::Exists(_) => false,
            _ => ev.event().fields().any(|(_, v)| !v.is_null() && self.matches_value(ev, &v)),
        }
    }

    /// True if one non-null value satisfies this value.
    pub fn matches_value<F: Fields>(&self, ev: &F, v: &FieldValue<'_>) -> bool {
        match self {
            Matcher::Null => v.is_null(),
            Matcher::Exists(b) => *b,
            Matcher::Str(m) => m.is_match(v),
            Matcher::Neq(m) => !m.is_match(v),
            Matcher::Re(r) => r.is_match(v.raw),
            Matcher::Cidr(net) => parse_ip(v.raw).is_some_and(|ip| net.contains(&ip)),
            Matcher::Cmp(op, x) => parse_number(v.raw).is_some_and(|n| match op {
                CmpOp::Lt => n < *x,
                CmpOp::Lte => n <= *x,
                CmpOp::Gt => n > *x,
                CmpOp::Gte => n >= *x,
            }),
            Matcher::Time(part, x) => time_part(v.raw, *part) == Some(*x),
            Matcher::FieldRef { other, kind, cased } => ev.values(other).any(|o| {
                if o.is_null() {
                    return false;
                }
                let (a, b) = if *cased { (v.raw, o.raw) } else { (v.lower, o.lower) };
                match kind {
                    RefKind::Eq => a == b,
                    RefKind::Prefix => a.starts_with(b),
                    RefKind::Suffix => a.ends_with(b),
                    RefKind::Contains => a.contains(b),
                }
            }),
        }
    }
}

/// Many string values of one predicate OR'ed, matched at once: exact values
/// by hash, prefixes and suffixes by hash per length, substrings with one
/// Aho-Corasick automaton (built on first use), the rest (globs, `*`) one by one.
#[derive(Debug)]
pub struct StrSet {
    cased: bool,
    exact: ByteSet,
    prefix: Vec<(usize, ByteSet)>,
    suffix: Vec<(usize, ByteSet)>,
    contains: Vec<Box<[u8]>>,
    contains_search: OnceLock<ContainsSearch>,
    /// Values searched for the substrings one by one (up to [`StrSet::SEARCH_EACH`]; then the
    /// automaton is built).
    searched: EarlyUses,
    rest: Vec<StrMatch>,
}

/// How a [`StrSet`] looks for its substrings.
#[derive(Debug)]
enum ContainsSearch {
    /// One automaton for all.
    Automaton(aho_corasick::AhoCorasick),
    /// One by one (the automaton could not be built).
    Each(Vec<Finder<'static>>),
}

impl ContainsSearch {
    fn build(needles: &[Box<[u8]>]) -> Self {
        // A contiguous NFA: a tenth of a DFA's memory, and it only runs for the events that
        // reach this rule past the prefilter.
        let built = aho_corasick::AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::ContiguousNFA))
            .build(needles);
        match built {
            Ok(ac) => ContainsSearch::Automaton(ac),
            Err(_) => ContainsSearch::Each(needles.iter().map(|n| Finder::new(n).into_owned()).collect()),
        }
    }

    fn is_match(&self, b: &[u8]) -> bool {
        match self {
            ContainsSearch::Automaton(ac) => ac.is_match(b),
            ContainsSearch::Each(fs) => fs.iter().any(|f| f.find(b).is_some()),
        }
    }
}

type ByteSet = std::collections::HashSet<Box<[u8]>, WordBuild>;

/// A multiply-rotate hash taking eight bytes at a time (FxHash's step, with
/// rustc-hash's final rotation): field names and values are short, and the
/// keys are the rules' own names and values (no flooding concern beyond what
/// an unkeyed hash has anyway).
#[derive(Clone, Copy, Debug, Default)]
pub struct WordBuild;

/// The hasher of [`WordBuild`].
#[derive(Clone, Copy, Debug)]
pub struct WordHash(u64);

impl WordHash {
    const K: u64 = 0xf135_7aea_2e62_a9c5;

    #[inline]
    fn mix(&mut self, w: u64) {
        self.0 = (self.0 ^ w).wrapping_mul(Self::K);
    }
}

impl std::hash::BuildHasher for WordBuild {
    type Hasher = WordHash;
    fn build_hasher(&self) -> WordHash {
        WordHash(0)
    }
}

impl std::hash::Hasher for WordHash {
    #[inline]
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        let mut w = (rest.len() as u64) << 56;
        for (i, &b) in rest.iter().enumerate() {
            w |= u64::from(b) << (8 * i);
        }
        self.mix(w);
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
}

impl StrSet {
    /// Group string matchers (all with the same `cased`).
    pub fn new(matchers: Vec<StrMatch>, cased: bool) -> Self {
        let mut set = StrSet {
            cased,
            exact: ByteSet::default(),
            prefix: Vec::new(),
            suffix: Vec::new(),
            contains: Vec::new(),
            contains_search: OnceLock::new(),
            searched: EarlyUses::default(),
            rest: Vec::new(),
        };
        let by_len = |v: &mut Vec<(usize, ByteSet)>, p: &str| {
            let b: Box<[u8]> = p.as_bytes().into();
            match v.iter_mut().find(|(l, _)| *l == b.len()) {
                Some((_, s)) => {
                    s.insert(b);
                }
                None => {
                    let mut s = ByteSet::default();
                    let len = b.len();
                    s.insert(b);
                    v.push((len, s));
                }
            }
        };
        for m in matchers {
            match m.kind {
                StrKind::Exact(p) => {
                    set.exact.insert(p.as_bytes().into());
                }
                StrKind::Prefix(p) => by_len(&mut set.prefix, &p),
                StrKind::Suffix(p) => by_len(&mut set.suffix, &p),
                StrKind::Contains(c) => set.contains.push(c.needle.as_bytes().into()),
                _ => set.rest.push(m),
            }
        }
        set
    }

    /// True if the value matches one of the strings.
    pub fn is_match(&self, v: &FieldValue<'_>) -> bool {
        let s = if self.cased { v.raw } else { v.lower };
        let b = s.as_bytes();
        (!self.exact.is_empty() && self.exact.contains(b))
            || self.prefix.iter().any(|(l, set)| b.len() >= *l && set.contains(&b[..*l]))
            || self.suffix.iter().any(|(l, set)| b.len() >= *l && set.contains(&b[b.len() - l..]))
            || (!self.contains.is_empty() && self.contains_match(b))
            || self.rest.iter().any(|m| m.is_match_str(s))
    }

    /// Values a set searches for its substrings one by one before it builds their automaton.
    /// Building one costs what searching a few dozen values one substring at a time does
    /// (lists of 10–200 substrings, values of 50–500 bytes); most sets are reached by a few
    /// events of a small hunt, or never, and a set that many values reach builds it early on.
    const SEARCH_EACH: u32 = 8;

    fn contains_match(&self, b: &[u8]) -> bool {
        if let Some(search) = self.contains_search.get() {
            return search.is_match(b);
        }
        if self.searched.early(Self::SEARCH_EACH) {
            // No searcher built either: the first byte found by `memchr`, the rest compared.
            return self.contains.iter().any(|c| match c.split_first() {
                Some((&first, rest)) => {
                    memchr::memchr_iter(first, b).any(|i| b.get(i + 1..).is_some_and(|t| t.starts_with(rest)))
                }
                None => true,
            });
        }
        self.contains_search.get_or_init(|| ContainsSearch::build(&self.contains)).is_match(b)
    }
}

/// An IP address in an event value (`::ffff:a.b.c.d` and `[v6]` accepted).
pub fn parse_ip(s: &str) -> Option<IpAddr> {
    let s = s.trim();
    let s = s.strip_prefix('[').and_then(|x| x.strip_suffix(']')).unwrap_or(s);
    let s = s.split('%').next().unwrap_or(s);
    let ip: IpAddr = s.parse().ok()?;
    Some(match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    })
}

/// A number in an event value: decimal integer or float, or `0x` hexadecimal.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if let Some(h) = s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
        return u64::from_str_radix(h, 16).ok().map(|n| n as f64);
    }
    if let Ok(i) = s.parse::<i64>() {
        return Some(i as f64);
    }
    s.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// A part of a timestamp written `YYYY-MM-DD[T ]HH:MM[:SS…]` (the shapes EVTX and
/// JSON logs use; the time is taken as written, normally UTC, and what follows the minutes is
/// not read). The date must be in the calendar (`jiff` decides: no February 30).
pub fn time_part(s: &str, part: TimePart) -> Option<i64> {
    let b = s.trim().as_bytes();
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let d = b.get(r)?;
        if d.iter().all(u8::is_ascii_digit) { std::str::from_utf8(d).ok()?.parse().ok() } else { None }
    };
    if b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let date = jiff::civil::Date::new(
        i16::try_from(num(0..4)?).ok()?,
        i8::try_from(num(5..7)?).ok()?,
        i8::try_from(num(8..10)?).ok()?,
    )
    .ok()?;
    let time = || -> Option<jiff::civil::Time> {
        if !matches!(b.get(10), Some(b'T' | b't' | b' ')) || b.get(13) != Some(&b':') {
            return None;
        }
        jiff::civil::Time::new(i8::try_from(num(11..13)?).ok()?, i8::try_from(num(14..16)?).ok()?, 0, 0).ok()
    };
    Some(match part {
        TimePart::Year => i64::from(date.year()),
        TimePart::Month => i64::from(date.month()),
        TimePart::Day => i64::from(date.day()),
        TimePart::Hour => i64::from(time()?.hour()),
        TimePart::Minute => i64::from(time()?.minute()),
        TimePart::Week => i64::from(date.iso_week_date().week()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use GlobPart::*;

    fn lit(s: &str) -> GlobPart {
        Lit(s.into())
    }

    /// A set's substrings are searched one by one for its first values, then by its automaton:
    /// both find the same, on the same values, across the switch.
    #[test]
    fn str_set_searches_one_by_one_then_by_automaton() {
        let needles = ["\\temp\\", "-enc", "rundll32", "é", "aaa"];
        let set = StrSet::new(
            needles.iter().map(|n| StrMatch { kind: StrKind::Contains(Contains::new(n)), cased: false }).collect(),
            false,
        );
        let values = [
            "c:\\windows\\temp\\x.exe",
            "powershell -enc abc",
            "rundll3",
            "café",
            "aa",
            "baaab",
            "",
            "nothing",
            "-en",
            "xrundll32",
        ];
        for round in 0..3 {
            for v in values {
                let fv = FieldValue { raw: v, lower: v, kind: crate::event::Kind::Str };
                let want = needles.iter().any(|n| v.contains(n));
                assert_eq!(set.is_match(&fv), want, "round {round}: {v:?}");
            }
        }
        assert!(set.contains_search.get().is_some(), "built after {} values", StrSet::SEARCH_EACH);
    }

    #[test]
    fn globs() {
        let g = |p: Vec<GlobPart>, s: &str| {
            let fast = Glob::new(p.clone()).is_match(s);
            assert_eq!(fast, glob_match(&p, s), "{p:?} {s}");
            fast
        };
        assert!(g(vec![lit("a"), Star, lit("b"), Star, lit("c")], "axxbyyc"));
        assert!(g(vec![lit("a"), Star, lit("b"), Star, lit("c")], "abc"));
        assert!(!g(vec![lit("a"), Star, lit("b"), Star, lit("c")], "acb"));
        assert!(!g(vec![lit("ab"), Star, lit("bc")], "abc"), "anchors must not overlap");
        assert!(g(vec![Star, lit("x"), Star, lit("y")], "zzxzzy"));
        assert!(g(vec![lit("a"), One, lit("c")], "abc"));
        // The longest literal is looked for first; a value without it never matches.
        assert!(g(vec![Star, lit(">"), One, lit("%appdata%\\"), Star], "cmd /c echo x >\"%appdata%\\y"));
        assert!(!g(vec![Star, lit(">"), One, lit("%appdata%\\"), Star], "cmd /c echo x > %temp%\\y"));
        assert!(!g(vec![Star, lit(">"), One, lit("%appdata%\\"), Star], "%appdata%\\ >"));
        assert!(g(vec![lit("a"), One, lit("c")], "aäc"));
        assert!(!g(vec![lit("a"), One, lit("c")], "ac"));
        assert!(g(vec![Star, lit("a"), One], "bbab"));
        assert!(g(vec![Star, One, Star], "x"));
        assert!(!g(vec![Star, One, Star], ""));
    }

    /// A pattern is checked as the `regex` crate parses it (same flags, same message), and
    /// built only when first used.
    #[test]
    fn lazy_regex_checks_like_the_regex_crate() {
        let flags = |i, m, s| RegexFlags { case_insensitive: i, multi_line: m, dot_matches_new_line: s };
        for (pattern, f) in [
            ("a(b", flags(false, false, false)),
            ("x{2,1}", flags(false, false, false)),
            (r"\p{Nope}", flags(true, false, false)),
            ("(?<n>a)(?<n>b)", flags(false, true, true)),
            (r"(?-u:\xFF)", flags(false, false, false)),
        ] {
            let want = regex::RegexBuilder::new(pattern)
                .case_insensitive(f.case_insensitive)
                .multi_line(f.multi_line)
                .dot_matches_new_line(f.dot_matches_new_line)
                .build()
                .expect_err(pattern)
                .to_string();
            assert_eq!(LazyRegex::new(pattern, f).expect_err(pattern), want);
        }
        let r = LazyRegex::new("^A.B$", flags(true, true, true)).expect("valid");
        assert!(r.built.get().is_none(), "not built before use");
        assert!(r.is_match("x\na\nb"));
        assert!(r.build_error().is_none());
        assert_eq!(r.as_str(), "^A.B$");
    }

    #[test]
    fn numbers_and_ips() {
        assert_eq!(parse_number(" 42 "), Some(42.0));
        assert_eq!(parse_number("0x10"), Some(16.0));
        assert_eq!(parse_number("1.5"), Some(1.5));
        assert_eq!(parse_number("abc"), None);
        assert_eq!(parse_ip("::ffff:10.0.0.1"), "10.0.0.1".parse().ok());
        assert_eq!(parse_ip("[fe80::1]"), "fe80::1".parse().ok());
    }

    #[test]
    fn time_parts() {
        let t = "2019-03-19T23:43:52.123Z";
        assert_eq!(time_part(t, TimePart::Year), Some(2019));
        assert_eq!(time_part(t, TimePart::Month), Some(3));
        assert_eq!(time_part(t, TimePart::Day), Some(19));
        assert_eq!(time_part(t, TimePart::Hour), Some(23));
        assert_eq!(time_part(t, TimePart::Minute), Some(43));
        assert_eq!(time_part(t, TimePart::Week), Some(12));
        assert_eq!(time_part("2021-01-03 10:00:00", TimePart::Week), Some(53));
        assert_eq!(time_part("2024-12-30", TimePart::Week), Some(1));
        assert_eq!(time_part("not a date", TimePart::Year), None);
        assert_eq!(time_part("2023-02-29T10:00:00Z", TimePart::Day), None, "not in the calendar");
        assert_eq!(time_part("2024-02-29T24:00:00Z", TimePart::Hour), None);
        assert_eq!(time_part("2024-02-29T23:00:00Z", TimePart::Hour), Some(23));
    }
}
