//! Search: a prebuilt index over titles, ids, file names, technique ids and
//! names, tags, indicator values, authors and descriptions, and its ranking.
//!
//! The same ranking runs in the browser (`assets/app.js`, over the index the
//! build writes to `assets/search-index.js`) and in `detwiki serve`
//! (`GET /api/search?q=`), so both give the same results in the same order.
//!
//! Wire format of the index (`window.DETWIKI_SEARCH = …`):
//! `{"docs": [[title, url, corpus, level, id], …], "terms": {token: [doc, weight, doc, weight, …]}}`.
//!
//! Ranking: the query is split into tokens (lowercase letters and digits, two
//! or more characters). A query token matches an index token exactly (10),
//! as its prefix (7), or — from 4 characters on — within an edit distance of 1
//! (2 from 8 characters on) (5). A document's score for a query token is the
//! best match times the weight of the field where the token occurs (title 10,
//! id 9, file name 8, technique 6, tag 5, indicator value 3, author and
//! description 2); documents must match every query token; the score is the
//! sum; ties keep catalog order.

use std::collections::{BTreeMap, HashMap};

use detwiki_catalog::Catalog;
use serde::Serialize;

use crate::paths;

/// A document: `[title, url, corpus, level, id]`.
#[derive(Clone, Debug, Serialize)]
pub struct Doc(pub String, pub String, pub String, pub String, pub String);

/// The search index.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SearchIndex {
    /// Documents, in catalog order.
    pub docs: Vec<Doc>,
    /// Token → flattened `(doc, weight)` pairs.
    pub terms: BTreeMap<String, Vec<u32>>,
}

/// A search result.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Hit {
    /// Title.
    pub title: String,
    /// Site-relative URL of the rule page.
    pub url: String,
    /// Corpus.
    pub corpus: String,
    /// Level.
    pub level: String,
    /// Rule id.
    pub id: String,
    /// Score.
    pub score: u32,
}

/// Lowercase tokens of letters and digits, two characters or more.
pub fn tokens(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric()).filter(|t| t.chars().count() >= 2).map(str::to_lowercase)
}

/// The tokens of [`tokens`], each handed to `f` without an allocation when it is ASCII
/// (lowercased into `scratch`). ASCII text is split byte by byte; only runs holding other
/// characters go through the `char` split of [`tokens`].
fn each_token(s: &str, scratch: &mut String, mut f: impl FnMut(&str)) {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii() && !b[i].is_ascii_alphanumeric() {
            i += 1;
            continue;
        }
        // A run of ASCII letters and digits and non-ASCII characters: it starts and ends at
        // ASCII bytes or the ends of `s`, so at character boundaries.
        let start = i;
        let mut ascii = true;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || !b[i].is_ascii()) {
            ascii &= b[i].is_ascii();
            i += 1;
        }
        let run = &s[start..i];
        if ascii {
            if run.len() >= 2 {
                scratch.clear();
                scratch.extend(run.bytes().map(|b| char::from(b.to_ascii_lowercase())));
                f(scratch);
            }
            continue;
        }
        for piece in run.split(|c: char| !c.is_alphanumeric()) {
            if piece.is_ascii() {
                if piece.len() >= 2 {
                    scratch.clear();
                    scratch.extend(piece.bytes().map(|b| char::from(b.to_ascii_lowercase())));
                    f(scratch);
                }
            } else if piece.chars().count() >= 2 {
                f(&piece.to_lowercase());
            }
        }
    }
}

const MAX_INDICATOR_VALUES: usize = 60;

type FnvBuild = std::hash::BuildHasherDefault<Fnv>;

/// FNV-1a: a fast hash for short tokens (the index is built from trusted, bounded input).
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        // Mix the high bits, which the hash table also uses.
        let h = self.0;
        (h ^ (h >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (h >> 29)
    }
}

/// Hand every field of a rule that is searched to `add`, with its weight.
fn each_field(r: &detwiki_catalog::RuleEntry, mut add: impl FnMut(&str, u32)) {
    add(&r.title, 10);
    add(&r.id, 9);
    add(r.path.rsplit('/').next().unwrap_or(&r.path), 8);
    for row in &r.attack {
        for t in &row.techniques {
            add(&t.id, 6);
            add(&t.name, 6);
        }
        add(&row.tactic, 5);
    }
    for t in &r.tags {
        add(t, 5);
    }
    let values = r.indicators.iter().filter(|row| !row.key.exclusion).flat_map(|row| &row.values);
    for v in values.take(MAX_INDICATOR_VALUES) {
        add(&v.value, 3);
    }
    if let Some(a) = &r.author {
        add(a, 2);
    }
    if let Some(desc) = &r.description {
        add(desc, 2);
    }
}

impl SearchIndex {
    /// Index every rule of the catalog.
    pub fn build(c: &Catalog) -> SearchIndex {
        use rayon::prelude::*;
        // Each token's postings, in document order: one pass over the rules, each token
        // occurrence looked up once; a token met again in the same rule keeps its best weight.
        let mut ids: HashMap<String, usize, FnvBuild> = HashMap::default();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut scratch = String::new();
        for (d, r) in c.rules.iter().enumerate() {
            let d = d as u32;
            each_field(r, |text, w| {
                each_token(text, &mut scratch, |t| {
                    let id = match ids.get(t) {
                        Some(&id) => id,
                        None => {
                            ids.insert(t.to_string(), postings.len());
                            postings.push(Vec::new());
                            postings.len() - 1
                        }
                    };
                    let p = &mut postings[id];
                    match p.len().checked_sub(2) {
                        Some(at) if p[at] == d => p[at + 1] = p[at + 1].max(w),
                        _ => p.extend([d, w]),
                    }
                });
            });
        }
        let mut postings: Vec<Option<Vec<u32>>> = postings.into_iter().map(Some).collect();
        let mut tokens: Vec<(String, usize)> = ids.into_iter().collect();
        tokens.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let terms: Vec<(String, Vec<u32>)> =
            tokens.into_iter().map(|(t, id)| (t, postings[id].take().unwrap_or_default())).collect();
        let docs = c
            .rules
            .iter()
            .map(|r| {
                Doc(
                    r.title.clone(),
                    paths::rule_url(r),
                    r.corpus.clone(),
                    r.level.unwrap_or("").to_string(),
                    r.id.clone(),
                )
            })
            .collect();
        SearchIndex { docs, terms: terms.into_iter().collect() }
    }

    /// The best `limit` rules for a query, best first.
    pub fn search(&self, query: &str, limit: usize) -> Vec<Hit> {
        let mut q: Vec<String> = Vec::new();
        for t in tokens(query) {
            if !q.contains(&t) && q.len() < 8 {
                q.push(t);
            }
        }
        if q.is_empty() {
            return Vec::new();
        }
        let mut total: Option<HashMap<u32, u32>> = None;
        for term in &q {
            let mut scores: HashMap<u32, u32> = HashMap::new();
            for (token, postings) in &self.terms {
                let m = match_score(term, token);
                if m == 0 {
                    continue;
                }
                for pair in postings.chunks_exact(2) {
                    let s = m * pair[1];
                    let e = scores.entry(pair[0]).or_insert(0);
                    *e = (*e).max(s);
                }
            }
            total = Some(match total {
                None => scores,
                Some(prev) => prev.into_iter().filter_map(|(d, s)| scores.get(&d).map(|x| (d, s + x))).collect(),
            });
        }
        let mut hits: Vec<(u32, u32)> = total.unwrap_or_default().into_iter().collect();
        hits.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        hits.into_iter()
            .take(limit)
            .map(|(d, score)| {
                let doc = &self.docs[d as usize];
                Hit {
                    title: doc.0.clone(),
                    url: doc.1.clone(),
                    corpus: doc.2.clone(),
                    level: doc.3.clone(),
                    id: doc.4.clone(),
                    score,
                }
            })
            .collect()
    }
}

/// How well query token `q` matches index token `t`: 10 exact, 7 prefix, 5 typo, 0 none.
pub fn match_score(q: &str, t: &str) -> u32 {
    if q == t {
        return 10;
    }
    let ql = q.chars().count();
    if ql >= 2 && t.starts_with(q) {
        return 7;
    }
    if ql >= 4 {
        let d = if ql >= 8 { 2 } else { 1 };
        if t.chars().count().abs_diff(ql) <= d && within(q, t, d) {
            return 5;
        }
    }
    0
}

/// Whether the edit distance of `a` and `b` is at most `d`.
fn within(a: &str, b: &str, d: usize) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        let mut row_min = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            row_min = row_min.min(cur[j + 1]);
        }
        if row_min > d {
            return false;
        }
        prev = cur;
    }
    prev[b.len()] <= d
}

/// A rule in `api/rules.json`.
#[derive(Debug, Serialize)]
pub struct RuleSummary<'a> {
    /// Id.
    pub id: &'a str,
    /// Title.
    pub title: &'a str,
    /// Corpus.
    pub corpus: &'a str,
    /// Path in the corpus.
    pub path: &'a str,
    /// Page.
    pub url: String,
    /// The rule's JSON (same schema as `detwiki rule --format json`).
    pub json: String,
    /// `rule`, `filter`, `correlation`.
    pub kind: &'a str,
    /// Level.
    pub level: Option<&'a str>,
    /// Status.
    pub status: Option<&'a str>,
    /// Author.
    pub author: Option<&'a str>,
    /// Date.
    pub date: Option<&'a str>,
    /// Modified.
    pub modified: Option<&'a str>,
    /// Logsource.
    pub logsource: &'a detwiki_catalog::LogsourceRef,
    /// Tactic ids.
    pub tactics: Vec<&'a str>,
    /// Technique ids.
    pub techniques: Vec<&'a str>,
}

/// The rules summary.
pub fn summary(c: &Catalog) -> Vec<RuleSummary<'_>> {
    c.rules
        .iter()
        .map(|r| RuleSummary {
            id: &r.id,
            title: &r.title,
            corpus: &r.corpus,
            path: &r.path,
            url: paths::rule_url(r),
            json: paths::rule_json_url(r),
            kind: r.kind,
            level: r.level,
            status: r.status,
            author: r.author.as_deref(),
            date: r.date.as_deref(),
            modified: r.modified.as_deref(),
            logsource: &r.logsource,
            tactics: r.attack.iter().map(|a| a.tactic_id.as_str()).collect(),
            techniques: {
                let mut t: Vec<&str> =
                    r.attack.iter().flat_map(|a| a.techniques.iter().map(|t| t.id.as_str())).collect();
                t.sort_unstable();
                t.dedup();
                t
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn match_kinds() {
        assert_eq!(match_score("portproxy", "portproxy"), 10);
        assert_eq!(match_score("portpr", "portproxy"), 7);
        assert_eq!(match_score("portprxy", "portproxy"), 5);
        assert_eq!(match_score("protproxy", "portproxy"), 5);
        assert_eq!(match_score("abc", "abd"), 0);
        assert_eq!(match_score("whoam", "whoami"), 7);
        assert_eq!(match_score("wohami", "whoami"), 0, "a swap is two edits below 8 characters");
    }

    #[test]
    fn each_token_gives_the_tokens() {
        for s in [
            "\\Services\\PortProxy\\v4tov4\\tcp\\ T1090.001 a",
            "Ünïcode naïve–café, ÄB x\u{a0}yz ab\u{2014}cd é e9 ÉCOLE\u{3000}東京 日本語 a1",
            "",
            "a",
            "ab",
            "x\u{e9}",
            "\u{e9}\u{e9}-Ab.",
        ] {
            let mut got = Vec::new();
            each_token(s, &mut String::new(), |t| got.push(t.to_string()));
            assert_eq!(got, tokens(s).collect::<Vec<_>>(), "{s:?}");
        }
    }

    #[test]
    fn tokenizer() {
        let t: Vec<String> = tokens("\\Services\\PortProxy\\v4tov4\\tcp\\ T1090.001 a").collect();
        assert_eq!(t, ["services", "portproxy", "v4tov4", "tcp", "t1090", "001"]);
    }
}
