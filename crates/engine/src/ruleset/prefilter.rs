//! The literal prefilter: per route, Aho-Corasick automata over the literals an instance
//! needs, so that only instances whose literals occur in an event are evaluated.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aho_corasick::Anchored;
use aho_corasick::MatchKind;
use aho_corasick::automaton::Automaton;

use crate::compile::{CompiledDetection, Cond, Pred};
use crate::event::lowercase;
use crate::matcher::{Matcher, RegexFlags, WordBuild};

/// Shortest literal worth prefiltering on (bytes).
pub const MIN_NEEDLE: usize = 3;

/// A literal of the prefilter: the field it must occur in (`None`: any field) and the text.
pub(super) type Needle = (Option<u32>, String);

/// The literal automata of one route: which of its instances may match an event.
#[derive(Debug)]
pub(super) struct Prefilter {
    /// The route's instances, in evaluation order; "positions" index this list.
    pub(super) order: Vec<u32>,
    /// Positions of the instances without a literal set (always evaluated).
    pub(super) always: Vec<u32>,
    /// Per field with literals: the field id and its automaton.
    pub(super) fields: Vec<(u32, Scan)>,
    /// Literals of keywords, searched in every value.
    pub(super) any: Option<Scan>,
    /// Per literal (numbered across all automata): positions of the instances that need it.
    pub(super) needle_positions: Vec<Vec<u32>>,
}

/// One automaton; its pattern `k` is literal `base + k` of the prefilter.
#[derive(Debug)]
pub(super) struct Scan {
    pub(super) ac: Arc<Literals>,
    pub(super) base: u32,
}

/// The literal automata built so far, by their (sorted) literals: prefilters with the same
/// literals for a field share one (whatever the field's name), and a set is built once.
#[derive(Debug, Default)]
pub(super) struct Automata(Mutex<HashMap<Vec<Box<str>>, Built, foldhash::fast::FixedState>>);

/// An automaton, or `None` when it could not be built (size limits).
type Built = Option<Arc<Literals>>;

/// How many threads a start-up job may use: the machine's cores.
pub(super) fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

/// Run `work(t)` for `t` in `0..threads`: 0 on this thread, the others on scoped threads
/// started for it (not rayon: see [`super::Ruleset`]'s `needles_on_all_cores`). A thread that
/// cannot be started leaves its share undone: callers build what is left where it is needed.
pub(super) fn on_threads(threads: usize, work: impl Fn(usize) + Sync) {
    let work = &work;
    std::thread::scope(|s| {
        for t in 1..threads {
            let _ = std::thread::Builder::new().spawn_scoped(s, move || work(t));
        }
        work(0);
    });
}

impl Automata {
    /// The automata of several literal sets (each sorted, distinct), in order, the new ones
    /// built on every core, largest first (scoped threads, for the reason given at
    /// [`super::Ruleset`]'s `needles_on_all_cores`).
    fn get_all(&self, sets: &[Vec<&str>]) -> Vec<Option<Arc<Literals>>> {
        use std::sync::atomic::{AtomicUsize, Ordering};
        /// Literal bytes below which a set is built where it is asked for.
        const SMALL: usize = 4096;
        let size = |set: &Vec<&str>| set.iter().map(|t| t.len()).sum::<usize>();
        let done: Vec<std::sync::OnceLock<Built>> = sets.iter().map(|_| std::sync::OnceLock::new()).collect();
        let mut big: Vec<usize> = (0..sets.len()).filter(|&i| size(&sets[i]) >= SMALL).collect();
        let threads = cores().min(big.len());
        if threads >= 2 {
            big.sort_unstable_by_key(|&i| std::cmp::Reverse(size(&sets[i])));
            let next = AtomicUsize::new(0);
            on_threads(threads, |_| {
                while let Some(&i) = big.get(next.fetch_add(1, Ordering::Relaxed)) {
                    let _ = done[i].set(self.get(&sets[i]));
                }
            });
        }
        done.into_iter().zip(sets).map(|(d, set)| d.into_inner().unwrap_or_else(|| self.get(set))).collect()
    }

    /// The automaton of `texts` (sorted, distinct), built if new; `None` if it cannot be built.
    fn get(&self, texts: &[&str]) -> Option<Arc<Literals>> {
        let key: Vec<Box<str>> = texts.iter().map(|&t| t.into()).collect();
        if let Some(found) = self.0.lock().ok().and_then(|m| m.get(&key).cloned()) {
            return found;
        }
        // Built outside the lock (another thread may build the same set meanwhile: the first
        // one stored wins, both are the same automaton).
        let built = Literals::build(texts).map(Arc::new);
        match self.0.lock() {
            Ok(mut m) => m.entry(key).or_insert(built).clone(),
            Err(_) => built,
        }
    }
}

impl Prefilter {
    /// Build for instances `order` (evaluation order), whose literal sets are
    /// `needles(id)` (`None` = not filtered), with automata from `automata`.
    pub(super) fn build<'n>(
        order: Vec<u32>,
        needles: impl Fn(u32) -> Option<&'n [Needle]>,
        automata: &Automata,
    ) -> Prefilter {
        // Per field (None = keywords): literal texts and, per literal, the positions needing it.
        type Group<'t> = (Option<u32>, Vec<&'t str>, Vec<Vec<u32>>);
        let mut groups: Vec<Group<'_>> = Vec::new();
        let mut index: HashMap<(Option<u32>, &str), (usize, usize), foldhash::fast::FixedState> = HashMap::default();
        let mut always = Vec::new();
        for (pos, &id) in order.iter().enumerate() {
            let pos = pos as u32;
            let Some(set) = needles(id) else {
                always.push(pos);
                continue;
            };
            for (field, text) in set {
                let (g, k) = *index.entry((*field, text.as_str())).or_insert_with(|| {
                    let g = match groups.iter().position(|(f, ..)| f == field) {
                        Some(g) => g,
                        None => {
                            groups.push((*field, Vec::new(), Vec::new()));
                            groups.len() - 1
                        }
                    };
                    groups[g].1.push(text);
                    groups[g].2.push(Vec::new());
                    (g, groups[g].1.len() - 1)
                });
                let list = &mut groups[g].2[k];
                if list.last() != Some(&pos) {
                    list.push(pos);
                }
            }
        }
        let mut pf = Prefilter { order, always, fields: Vec::new(), any: None, needle_positions: Vec::new() };
        // Literals in byte order: the automaton then depends only on the set.
        // A field's literals, each with the positions that need it.
        type Sorted<'t> = (Option<u32>, Vec<(&'t str, Vec<u32>)>);
        let groups: Vec<Sorted<'_>> = groups
            .into_iter()
            .map(|(field, texts, positions)| {
                let mut sorted: Vec<(&str, Vec<u32>)> = texts.into_iter().zip(positions).collect();
                sorted.sort_unstable_by(|a, b| a.0.cmp(b.0));
                (field, sorted)
            })
            .collect();
        let built = automata.get_all(&groups.iter().map(|(_, g)| g.iter().map(|t| t.0).collect()).collect::<Vec<_>>());
        for ((field, sorted), ac) in groups.into_iter().zip(built) {
            let base = pf.needle_positions.len() as u32;
            let Some(ac) = ac else {
                // Cannot build (size limits): evaluate these instances always.
                pf.always.extend(sorted.into_iter().flat_map(|t| t.1));
                continue;
            };
            pf.needle_positions.extend(sorted.into_iter().map(|t| t.1));
            match field {
                Some(f) => pf.fields.push((f, Scan { ac, base })),
                None => pf.any = Some(Scan { ac, base }),
            }
        }
        pf.always.sort_unstable();
        pf.always.dedup();
        pf
    }
}

/// An Aho-Corasick automaton (standard semantics, unanchored, no prefilter), stepped
/// byte by byte: every occurrence of every literal is reported, overlapping ones too.
///
/// A contiguous NFA, never a DFA: on these literal sets (up to thousands of literals per field)
/// a DFA is 5-20 times larger, takes most of a route's build time, and scans no faster here —
/// field values are short, and a large table's cache misses cost what the NFA's failure
/// transitions do (bench/README.md, hunt-vs-json).
#[derive(Debug)]
pub(super) struct Literals(aho_corasick::nfa::contiguous::NFA);

impl Literals {
    /// The automaton of `texts`; `None` if it cannot be built (size limits).
    pub(super) fn build(texts: &[&str]) -> Option<Literals> {
        aho_corasick::nfa::contiguous::Builder::new()
            .match_kind(MatchKind::Standard)
            .prefilter(false)
            .build(texts)
            .ok()
            .map(Literals)
    }

    /// Call `found(pattern)` for every occurrence of a literal in `text`.
    #[inline]
    pub(super) fn scan(&self, text: &[u8], mut found: impl FnMut(usize)) {
        let a = &self.0;
        let Ok(mut sid) = a.start_state(Anchored::No) else { return };
        for &b in text {
            sid = a.next_state(Anchored::No, sid, b);
            if a.is_special(sid) {
                if a.is_dead(sid) {
                    return;
                }
                for i in 0..a.match_len(sid) {
                    found(a.match_pattern(sid, i).as_usize());
                }
            }
        }
    }
}

/// The literals of which an event must contain one for `det` to match (`None`: no such set).
pub(super) fn instance_needles(det: &CompiledDetection) -> Option<Vec<Needle>> {
    cond_needles(&det.cond, det)
}

/// Literals (with the field they must occur in) of which an event must contain
/// one for `cond` to hold; `None` = no such set.
fn cond_needles(cond: &Cond, det: &CompiledDetection) -> Option<Vec<Needle>> {
    match cond {
        Cond::And(xs) => best(xs.iter().filter_map(|x| cond_needles(x, det))),
        Cond::Or(xs) => union(xs.iter().map(|x| cond_needles(x, det))),
        Cond::AtLeast(_, xs) => union(xs.iter().map(|&i| search_needles(det, i))),
        Cond::Search(i) => search_needles(det, *i),
        Cond::Not(_) | Cond::Const(true) => None,
        Cond::Const(false) => Some(Vec::new()),
    }
}

fn search_needles(det: &CompiledDetection, i: u32) -> Option<Vec<Needle>> {
    let s = &det.searches[i as usize];
    union(s.groups.iter().map(|g| best(g.iter().filter_map(pred_needles))))
}

/// A predicate's literals, tied to its field: its values are only ever compared
/// with that field's values ([`Fields::values`]), or with every value for keywords.
fn pred_needles(p: &Pred) -> Option<Vec<Needle>> {
    let field = p.field.as_ref().map(|k| k.id);
    let value = |alts: &Vec<Matcher>| union(alts.iter().map(|m| matcher_needle(m, field)));
    if p.all { best(p.values.iter().filter_map(value)) } else { union(p.values.iter().map(value)) }
}

fn matcher_needle(m: &Matcher, field: Option<u32>) -> Option<Vec<Needle>> {
    let texts = match m {
        Matcher::Str(s) => s.needle().filter(|n| useful_needle(n, field.is_some())).map(|n| vec![n]),
        Matcher::Re(r) => regex_needles(r.as_str(), r.flags(), field.is_some()),
        _ => None,
    };
    texts.map(|ts| ts.into_iter().map(|t| (field, t)).collect())
}

/// Selective enough to guard an instance. In a named field's own automaton any literal is:
/// `EventID: 16` is then evaluated for Sysmon 16 only, a regex that needs a backtick for
/// command lines with one. Keywords are searched in every value: 3 bytes, or any non-ASCII
/// character (rare in logs).
fn useful_needle(n: &str, in_field: bool) -> bool {
    !n.is_empty() && (in_field || n.len() >= MIN_NEEDLE || !n.is_ascii())
}

/// Literals of which every match of the regex contains one, lower-cased; `None`
/// when there is no such finite set of useful literals, the pattern parsed with
/// `flags` (inline `(?i)` flags apply too). The most selective of: the prefix or suffix
/// literals of the whole pattern (regex-syntax's extractor), and, recursively,
/// those of any part every match must contain (a tail or an element of a
/// concatenation, a group, a repetition of at least one; an alternation gives
/// the union of its branches' sets). So `(?i)\.exe\s+[^"]{0,64}werfaultsecure\.exe`
/// is guarded by (part of) `werfaultsecure.exe`, not by `.exe`.
fn regex_needles(pattern: &str, flags: RegexFlags, in_field: bool) -> Option<Vec<String>> {
    // Parsed with the modifiers' flags, as the regex is built: a case-insensitive regex matches
    // by Unicode case folding (`s` matches `ſ`, whose lower case is itself), so its literals
    // must be taken from the folded classes, not from the pattern's own letters lower-cased.
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(flags.case_insensitive)
        .multi_line(flags.multi_line)
        .dot_matches_new_line(flags.dot_matches_new_line)
        .build()
        .parse(pattern)
        .ok()?;
    let mut budget = REGEX_NEEDLE_BUDGET;
    required_literals(&hir, &mut budget, in_field)
}

/// Most sub-expressions [`regex_needles`] looks into, per pattern.
const REGEX_NEEDLE_BUDGET: u32 = 64;

fn required_literals(hir: &regex_syntax::hir::Hir, budget: &mut u32, in_field: bool) -> Option<Vec<String>> {
    use regex_syntax::hir::HirKind;
    use regex_syntax::hir::literal::ExtractKind;
    if *budget == 0 {
        return None;
    }
    *budget -= 1;
    let mut sets: Vec<Vec<String>> =
        [ExtractKind::Prefix, ExtractKind::Suffix].into_iter().filter_map(|k| extracted(hir, k, in_field)).collect();
    match hir.kind() {
        HirKind::Capture(c) => sets.extend(required_literals(&c.sub, budget, in_field)),
        HirKind::Repetition(r) if r.min > 0 => sets.extend(required_literals(&r.sub, budget, in_field)),
        HirKind::Concat(xs) => {
            // Every match contains a match of each tail of the concatenation (its
            // prefix literals: `(?i)werfault` is a run of one-letter classes) and of each element.
            for i in 1..xs.len() {
                if *budget == 0 {
                    break;
                }
                *budget -= 1;
                let tail = regex_syntax::hir::Hir::concat(xs[i..].to_vec());
                sets.extend(extracted(&tail, ExtractKind::Prefix, in_field));
            }
            for x in xs {
                sets.extend(required_literals(x, budget, in_field));
            }
        }
        HirKind::Alternation(xs) => {
            let branches: Vec<Option<Vec<String>>> =
                xs.iter().map(|x| required_literals(x, budget, in_field)).collect();
            sets.extend(union(branches.into_iter()));
        }
        _ => {}
    }
    sets.into_iter()
        .filter(|s| !s.is_empty())
        .max_by_key(|s| (s.iter().map(String::len).min().unwrap_or(0), std::cmp::Reverse(s.len())))
}

/// The prefix or suffix literals of `hir`, lower-cased, if finite and all useful.
fn extracted(
    hir: &regex_syntax::hir::Hir,
    kind: regex_syntax::hir::literal::ExtractKind,
    in_field: bool,
) -> Option<Vec<String>> {
    let mut ex = regex_syntax::hir::literal::Extractor::new();
    ex.kind(kind);
    let seq = ex.extract(hir);
    let lits = seq.literals()?;
    if lits.is_empty() {
        return None;
    }
    let mut out: Vec<String> = Vec::new();
    for l in lits {
        let s = std::str::from_utf8(l.as_bytes()).ok().filter(|s| useful_needle(s, in_field))?;
        let s = lowercase(s);
        if !out.contains(&s) {
            out.push(s);
        }
    }
    Some(out)
}

/// Every element of every set, once, in order of first occurrence; `None` if a set is `None`.
/// Duplicates are found by hash (lists of hundreds of values are common), then compared.
fn union<T: Eq + std::hash::Hash>(sets: impl Iterator<Item = Option<Vec<T>>>) -> Option<Vec<T>> {
    use std::hash::BuildHasher;
    let mut out: Vec<T> = Vec::new();
    // Hash of each element of `out` → its index (the first with that hash; others are compared).
    let mut seen: HashMap<u64, usize, foldhash::fast::FixedState> = HashMap::default();
    let hasher = foldhash::fast::FixedState::default();
    for s in sets {
        for n in s? {
            let h = hasher.hash_one(&n);
            match seen.get(&h) {
                Some(&i) if out[i] == n || out[i + 1..].contains(&n) => {}
                Some(_) => out.push(n),
                None => {
                    seen.insert(h, out.len());
                    out.push(n);
                }
            }
        }
    }
    Some(out)
}

/// The most selective of several sufficient sets: longest shortest literal, then fewest.
fn best(sets: impl Iterator<Item = Vec<Needle>>) -> Option<Vec<Needle>> {
    sets.max_by_key(|s| (s.iter().map(|n| n.1.len()).min().unwrap_or(usize::MAX), std::cmp::Reverse(s.len())))
}

/// Per-thread memo of literal scans: which literals an automaton found in a value, for values
/// seen before. Logs repeat their values (the same image paths, command lines, users and
/// hosts, event after event): on the evtx-attack-samples 86 % of the field scans, and 68 % of
/// the bytes scanned, are of a value the same automaton already scanned. Looking a value up
/// costs a hash and a comparison of its bytes; scanning it walks the automaton's transitions,
/// which are megabytes of data a busy machine evicts from the cache.
///
/// Bounded ([`ScanMemo::MAX_ENTRIES`], [`ScanMemo::MAX_BYTES`]): when full it starts again.
/// Each entry holds its automaton (an `Arc`), so an automaton is never freed, nor its address
/// reused, while a value scanned with it is remembered.
#[derive(Debug, Default)]
pub(super) struct ScanMemo {
    /// Hash of (automaton, value) → entry.
    map: HashMap<u64, u32, WordBuild>,
    entries: Vec<MemoEntry>,
    /// The values, back to back.
    bytes: Vec<u8>,
    /// The literals found, back to back (automaton-relative ids).
    found: Vec<u32>,
    /// Scratch for the literals of the value being scanned.
    pending: Vec<u32>,
}

#[derive(Debug)]
struct MemoEntry {
    ac: Arc<Literals>,
    value: (u32, u32),
    found: (u32, u32),
}

impl ScanMemo {
    /// Most values remembered.
    const MAX_ENTRIES: usize = 4096;
    /// Most bytes of values remembered.
    const MAX_BYTES: usize = 256 * 1024;
    /// Shorter values are scanned each time (scanning them costs what a lookup does).
    const MIN_LEN: usize = 16;

    /// Call `found(literal)` for the literals `ac` finds in `text` (each at least once; the
    /// caller ignores repeats), from the memo when `text` was scanned with `ac` before.
    #[inline]
    pub(super) fn scan(&mut self, ac: &Arc<Literals>, text: &[u8], mut found: impl FnMut(usize)) {
        if text.len() < Self::MIN_LEN || text.len() > Self::MAX_BYTES / 16 {
            return ac.scan(text, found);
        }
        let hash = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = WordBuild.build_hasher();
            h.write_usize(Arc::as_ptr(ac) as usize);
            h.write(text);
            h.finish()
        };
        if let Some(&i) = self.map.get(&hash) {
            let e = &self.entries[i as usize];
            if Arc::ptr_eq(&e.ac, ac) && self.bytes[e.value.0 as usize..e.value.1 as usize] == *text {
                for &k in &self.found[e.found.0 as usize..e.found.1 as usize] {
                    found(k as usize);
                }
                return;
            }
            // Another value with the same hash: scanned, not remembered.
            return ac.scan(text, found);
        }
        let mut pending = std::mem::take(&mut self.pending);
        pending.clear();
        ac.scan(text, |k| {
            pending.push(k as u32);
            found(k);
        });
        pending.sort_unstable();
        pending.dedup();
        if self.entries.len() >= Self::MAX_ENTRIES || self.bytes.len() + text.len() > Self::MAX_BYTES {
            self.map.clear();
            self.entries.clear();
            self.bytes.clear();
            self.found.clear();
        }
        let value = (self.bytes.len() as u32, (self.bytes.len() + text.len()) as u32);
        self.bytes.extend_from_slice(text);
        let start = self.found.len() as u32;
        self.found.extend_from_slice(&pending);
        self.map.insert(hash, self.entries.len() as u32);
        self.entries.push(MemoEntry { ac: Arc::clone(ac), value, found: (start, self.found.len() as u32) });
        self.pending = pending;
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::{Literals, ScanMemo, regex_needles};
    use crate::matcher::RegexFlags;

    fn scanned(ac: &Literals, text: &str) -> Vec<usize> {
        let mut v = Vec::new();
        ac.scan(text.as_bytes(), |k| v.push(k));
        v.sort_unstable();
        v.dedup();
        v
    }

    fn memoized(memo: &mut ScanMemo, ac: &Arc<Literals>, text: &str) -> Vec<usize> {
        let mut v = Vec::new();
        memo.scan(ac, text.as_bytes(), |k| v.push(k));
        v.sort_unstable();
        v.dedup();
        v
    }

    /// A memoized scan finds what a scan does: the first time, from memory the next times,
    /// for each automaton apart, and after the memo filled up and started again.
    #[test]
    fn the_scan_memo_finds_what_a_scan_finds() {
        let a = Arc::new(Literals::build(&["rundll32", "\\temp\\", "-enc"]).unwrap());
        let b = Arc::new(Literals::build(&["temp", "powershell"]).unwrap());
        let mut memo = ScanMemo::default();
        let values = [
            "c:\\windows\\system32\\rundll32.exe c:\\temp\\x.dll,entry",
            "powershell.exe -nop -enc aqbfafgaiaa=",
            "c:\\program files\\nothing here at all.exe",
            "short",
        ];
        for round in 0..3 {
            for v in values {
                for ac in [&a, &b] {
                    assert_eq!(memoized(&mut memo, ac, v), scanned(ac, v), "round {round}: {v}");
                }
            }
        }
        // Past its bounds it starts again, and still answers right.
        for i in 0..ScanMemo::MAX_ENTRIES + 10 {
            let v = format!("value number {i} with -enc inside");
            assert_eq!(memoized(&mut memo, &a, &v), scanned(&a, &v));
        }
        assert!(memo.entries.len() <= ScanMemo::MAX_ENTRIES && memo.bytes.len() <= ScanMemo::MAX_BYTES);
        assert_eq!(memoized(&mut memo, &a, values[0]), scanned(&a, values[0]));
    }

    #[test]
    fn union_keeps_first_occurrences_in_order() {
        let sets = vec![Some(vec![3, 1, 3]), Some(vec![2, 1, 4]), Some(vec![])];
        assert_eq!(super::union(sets.into_iter()), Some(vec![3, 1, 2, 4]));
        assert_eq!(super::union(vec![Some(vec![1]), None].into_iter()), None);
        let many: Vec<Option<Vec<String>>> =
            (0..3).map(|k| Some((0..500).map(|i| (i * k % 7).to_string()).collect())).collect();
        assert_eq!(super::union(many.into_iter()), Some((0..7).map(|i: i32| i.to_string()).collect()));
    }

    #[test]
    fn regex_literals_from_the_most_selective_part() {
        let werfault = regex_needles(
            r#"(?i)\.exe["']?\s+[^"]{0,64}werfaultsecure\.exe["']?\s+\d{2,10}"#,
            RegexFlags::default(),
            false,
        )
        .unwrap();
        assert!(werfault.iter().all(|l| l.len() >= 4 && "werfaultsecure.exe".contains(l.as_str())), "{werfault:?}");
        assert_eq!(regex_needles(r"(?:abc|xyz)\d+", RegexFlags::default(), false).unwrap(), ["abc", "xyz"]);
        assert_eq!(regex_needles(r"\d+(?:foo|barbaz)\d+", RegexFlags::default(), false).unwrap(), ["foo", "barbaz"]);
        assert_eq!(
            regex_needles(r"a?\d+(?:xy)+hello", RegexFlags::default(), false),
            Some(vec!["xyhello".to_string()])
        );
        assert_eq!(regex_needles(r"\d+(?:foo|b)\d+", RegexFlags::default(), false), None);
        assert_eq!(regex_needles(r"(?:abc)?\d+", RegexFlags::default(), false), None);
        // In a field's own automaton a short literal guards too.
        assert_eq!(
            regex_needles(r"\w+`(?:\w+|-|.)`[\w+|\s]", RegexFlags::default(), true),
            Some(vec!["`".to_string()])
        );
        assert_eq!(regex_needles(r"\d+(?:foo|b)\d+", RegexFlags::default(), true).unwrap(), ["foo", "b"]);
        assert_eq!(regex_needles(r"\w+`", RegexFlags::default(), false), None);
    }
}
