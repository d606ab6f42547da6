//! Search: a prebuilt index over the rules (titles, ids, file names, technique ids and names,
//! tags, indicator values, authors and descriptions) and over the wiki's other pages
//! (techniques, tactics, events, event providers, fields, authors, logsources, platforms), and
//! its ranking.
//!
//! The same ranking runs in the browser (`assets/app.js`, over the index the
//! build writes to `assets/search-index.js`) and in `detwiki serve`
//! (`GET /api/search?q=`), so both give the same results in the same order.
//!
//! Wire format of the index (`window.DETWIKI_SEARCH = …`):
//! `{"docs": [[title, url, corpus, level, id, kind, rules, language], …], "terms": {token: [doc, weight, doc, weight, …]}}`
//! — `kind` is `rule`, `technique`, `tactic`, `event`, `provider`, `field`, `author`,
//! `logsource`, `platform` or `sample` (a sample file of `--events`: `rules` is the rules that fired
//! on it); `rules` is the number of rules on a page that is not a rule's (0
//! for rules); `corpus`, `level` and `language` (the rule language's title: `Sigma`,
//! `Elastic`) are empty for those pages, `id` is a technique's or tactic's id. Rules come first, in catalog order, then the other pages kind by kind
//! (technique, tactic, platform, provider, logsource, event, field, author), most rules first.
//!
//! Ranking: the query is split into tokens (lowercase letters and digits, two
//! or more characters, or a single digit). A query token matches an index token exactly (10),
//! as its prefix (7, from two characters on), or — from 4 characters on, numbers excepted — within
//! an edit distance of 1 (2 from 8 characters on) (5). A document's score for a query token is the
//! best match times the weight of the field where the token occurs (a rule's title 10,
//! id 9, file name 8, technique 6, tag 5, indicator value 3, author, description and language
//! 2 (the rule language, `elastic`, and its query language and rule type, `eql`, `kuery` or
//! `kql`, `new_terms`); another page's name 12, an event's or provider's channel 4): a page named by
//! the query ranks above the rules that merely mention it. Documents must match every query
//! token; the score is the sum; ties keep index order.

use std::collections::{BTreeMap, HashMap};

use detwiki_catalog::Catalog;
use detwiki_sigma::{Level, Status};
use serde::Serialize;

use crate::paths;
use crate::views::{Ctx, Derived};

/// A document: `[title, url, corpus, level, id, kind, rules, language]`.
#[derive(Clone, Debug, Serialize)]
pub struct Doc(pub String, pub String, pub String, pub String, pub String, pub &'static str, pub u32, pub &'static str);

/// Weight of a page's name (above a rule's title, so that the page a query names ranks first).
const PAGE_NAME: u32 = 12;
/// Weight of an event's or provider's channel.
const CHANNEL: u32 = 4;

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
    /// Site-relative URL of the page.
    pub url: String,
    /// What kind of page: `rule`, `technique`, `tactic`, `event`, `provider`, `field`, `author`,
    /// `logsource`, `platform`.
    pub kind: String,
    /// Corpus (rules).
    pub corpus: String,
    /// Level (rules).
    pub level: String,
    /// Rule id, or the technique's or tactic's id.
    pub id: String,
    /// Rules on the page (pages other than rules).
    pub rules: u32,
    /// The rule's language (`Sigma`, `Elastic`); empty for other pages.
    pub language: String,
    /// Score.
    pub score: u32,
}

/// How a result names its kind of page (`Technique`, `Event provider` …).
pub fn kind_label(kind: &str) -> &'static str {
    match kind {
        "rule" => "Rule",
        "technique" => "Technique",
        "tactic" => "Tactic",
        "event" => "Event",
        "provider" => "Event provider",
        "field" => "Field",
        "author" => "Author",
        "logsource" => "Logsource",
        "platform" => "Platform",
        "sample" => "Sample file",
        _ => "Page",
    }
}

/// Lowercase tokens of letters and digits, two characters or more, or a single digit (`sysmon 1`).
pub fn tokens(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !c.is_alphanumeric()).filter(|t| keep(t)).map(str::to_lowercase)
}

/// Whether a run of letters and digits is a token.
fn keep(t: &str) -> bool {
    match t.as_bytes() {
        [] => false,
        [b] => b.is_ascii_digit(),
        _ => t.chars().nth(1).is_some(),
    }
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
            if keep(run) {
                scratch.clear();
                scratch.extend(run.bytes().map(|b| char::from(b.to_ascii_lowercase())));
                f(scratch);
            }
            continue;
        }
        for piece in run.split(|c: char| !c.is_alphanumeric()) {
            if piece.is_ascii() {
                if keep(piece) {
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
    add(r.language, 2);
    for (k, v) in &r.details {
        if LANGUAGE_DETAILS.contains(&k.as_str()) {
            add(v, 2);
            if let Some((_, alias)) = QUERY_LANGUAGE_ALIASES.iter().find(|(l, _)| l == v) {
                add(alias, 2);
            }
        }
    }
}

/// The Details a rule is also found by, beside its language's name: its query language and
/// rule type (`eql`, `esql`, `kuery`; `new_terms`, `threshold`).
const LANGUAGE_DETAILS: &[&str] = &["Query language", "Rule type"];

/// Other names of query languages (`kuery` is KQL).
const QUERY_LANGUAGE_ALIASES: &[(&str, &str)] = &[("kuery", "kql")];

/// A page other than a rule's, to be found by search.
struct Page {
    kind: &'static str,
    title: String,
    url: String,
    id: String,
    rules: usize,
    /// More text to find it by (channels), with its weight.
    more: Vec<String>,
}

/// The pages other than rules' that search finds, kind by kind (the broader first: a platform
/// before a logsource before an event), most rules first.
fn pages(ctx: &Ctx<'_>) -> Vec<Page> {
    let c = ctx.cat;
    let page = |kind, title: String, url: String, id: &str, rules: usize| Page {
        kind,
        title,
        url,
        id: id.to_string(),
        rules,
        more: Vec::new(),
    };
    let mut out: Vec<Vec<Page>> = Vec::new();
    out.push(
        ctx.technique_rules
            .iter()
            .map(|(id, rules)| {
                let name = c
                    .index
                    .techniques
                    .get(id)
                    .map(|t| t.name.clone())
                    .or_else(|| detwiki_taxonomy::attack::technique(id).map(|t| t.full_name.to_string()))
                    .unwrap_or_default();
                page("technique", format!("{id} {name}"), paths::technique_url(id), id, rules.len())
            })
            .collect(),
    );
    out.push(
        c.index
            .tactics
            .iter()
            .map(|(id, t)| page("tactic", format!("{} ({id})", t.name), paths::tactic_url(id), id, t.rules.len()))
            .collect(),
    );
    let mut platforms: BTreeMap<&paths::PlatformKey, usize> = BTreeMap::new();
    for k in &ctx.paths.platforms {
        *platforms.entry(k).or_default() += 1;
    }
    out.push(
        platforms
            .into_iter()
            .map(|(k, n)| page("platform", k.title.clone(), paths::platform_url(&k.slug), "", n))
            .collect(),
    );
    let mut providers: BTreeMap<&str, (Vec<usize>, std::collections::BTreeSet<&str>)> = BTreeMap::new();
    for e in c.index.events.values() {
        let (rules, channels) = providers.entry(e.provider.as_str()).or_default();
        rules.extend(&e.rules);
        channels.insert(e.channel.as_str());
    }
    out.push(
        providers
            .into_iter()
            .filter_map(|(name, (mut rules, channels))| {
                rules.sort_unstable();
                rules.dedup();
                let mut p = page("provider", name.to_string(), ctx.paths.providers.get(name)?.clone(), "", rules.len());
                p.more.extend(channels.into_iter().map(str::to_string));
                Some(p)
            })
            .collect(),
    );
    let named = |kind, map: &BTreeMap<String, Vec<usize>>, urls: &std::collections::HashMap<String, String>| {
        map.iter()
            .filter_map(|(name, rules)| {
                let shown = if name.is_empty() { "(no logsource)".to_string() } else { name.clone() };
                Some(page(kind, shown, urls.get(name)?.clone(), "", rules.len()))
            })
            .collect::<Vec<Page>>()
    };
    out.push(named("logsource", &c.index.logsources, &ctx.paths.logsources));
    out.push(
        c.index
            .events
            .iter()
            .filter_map(|(key, e)| {
                let mut p = page("event", ctx.event_title(key), ctx.paths.events.get(key)?.clone(), "", e.rules.len());
                p.more.push(e.channel.clone());
                // the task names it too ("logon" finds Security 4624, "An account was successfully logged on")
                if let Some(info) = e.event_id.and_then(|id| crate::eventref::info_for(&e.provider, &e.channel, id)) {
                    p.more.extend(info.task.iter().map(|t| t.text.clone()));
                }
                Some(p)
            })
            .chain(ctx.paths.reference_events.iter().filter_map(|(key, (provider, info))| {
                let label = ctx.paths.event_labels.get(key)?;
                let title = info.title.as_ref().map_or("", |t| t.text.as_str());
                let name = format!("{provider} {}", paths::event_name(label, title));
                let mut p = page("event", name, ctx.paths.events.get(key)?.clone(), "", 0);
                p.more.push(info.channel.clone());
                p.more.extend(info.task.iter().map(|t| t.text.clone()));
                Some(p)
            }))
            .collect(),
    );
    out.push(named("field", &c.index.fields, &ctx.paths.fields));
    out.push(named("author", &c.index.authors, &ctx.paths.authors));
    out.into_iter()
        .flat_map(|mut kind| {
            kind.sort_by(|a, b| b.rules.cmp(&a.rules).then_with(|| a.title.cmp(&b.title)));
            kind
        })
        .collect()
}

impl SearchIndex {
    /// Index every rule of the catalog and the wiki's other pages.
    pub fn build(c: &Catalog) -> SearchIndex {
        let derived = Derived::new(c);
        Self::build_for(&Ctx::new(c, &derived))
    }

    /// [`SearchIndex::build`] with the catalog's lookups already made.
    pub fn build_for(ctx: &Ctx<'_>) -> SearchIndex {
        Self::build_with(ctx, None)
    }

    /// [`SearchIndex::build_for`], with the pages of the sample files (`sample`, after the
    /// other pages, most rules fired first) when there are samples.
    pub fn build_with(ctx: &Ctx<'_>, samples: Option<&crate::proof::Samples>) -> SearchIndex {
        use rayon::prelude::*;
        let c = ctx.cat;
        let mut pages = pages(ctx);
        if let Some(s) = samples {
            pages.extend(s.search_pages().into_iter().map(|(title, url, rules)| Page {
                kind: "sample",
                title,
                url,
                id: String::new(),
                rules,
                more: Vec::new(),
            }));
        }
        // Each token's postings, in document order: one pass over the documents, each token
        // occurrence looked up once; a token met again in the same document keeps its best weight.
        let mut ids: HashMap<String, usize, FnvBuild> = HashMap::default();
        let mut postings: Vec<Vec<u32>> = Vec::new();
        let mut scratch = String::new();
        let mut add = |d: u32, text: &str, w: u32| {
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
        };
        for (d, r) in c.rules.iter().enumerate() {
            each_field(r, |text, w| add(d as u32, text, w));
        }
        for (k, p) in pages.iter().enumerate() {
            let d = (c.rules.len() + k) as u32;
            add(d, &p.title, PAGE_NAME);
            for m in &p.more {
                add(d, m, CHANNEL);
            }
        }
        let mut postings: Vec<Option<Vec<u32>>> = postings.into_iter().map(Some).collect();
        let mut tokens: Vec<(String, usize)> = ids.into_iter().collect();
        tokens.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let terms: Vec<(String, Vec<u32>)> =
            tokens.into_iter().map(|(t, id)| (t, postings[id].take().unwrap_or_default())).collect();
        let mut docs: Vec<Doc> = c
            .rules
            .iter()
            .enumerate()
            .map(|(i, r)| {
                Doc(
                    r.title.clone(),
                    ctx.rule_urls[i].clone(),
                    r.corpus.clone(),
                    r.level.map_or("", Level::as_str).to_string(),
                    r.id.clone(),
                    "rule",
                    0,
                    detwiki_catalog::lang::by_name(r.language).map_or("", |l| l.title),
                )
            })
            .collect();
        docs.extend(
            pages
                .into_iter()
                .map(|p| Doc(p.title, p.url, String::new(), String::new(), p.id, p.kind, p.rules as u32, "")),
        );
        SearchIndex { docs, terms: terms.into_iter().collect() }
    }

    /// The best `limit` documents for a query, best first.
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
                    kind: doc.5.to_string(),
                    corpus: doc.2.clone(),
                    level: doc.3.clone(),
                    id: doc.4.clone(),
                    rules: doc.6,
                    language: doc.7.to_string(),
                    score,
                }
            })
            .collect()
    }
}

/// How well query token `q` matches index token `t`: 10 exact, 7 prefix, 5 typo (not for
/// numbers), 0 none.
pub fn match_score(q: &str, t: &str) -> u32 {
    if q == t {
        return 10;
    }
    let ql = q.chars().count();
    if ql >= 2 && t.starts_with(q) {
        return 7;
    }
    // Numbers (event ids) are exact: 4648 is no typo of 4688.
    if ql >= 4 && !q.bytes().all(|b| b.is_ascii_digit()) {
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
            kind: r.kind.as_str(),
            level: r.level.map(Level::as_str),
            status: r.status.map(Status::as_str),
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
        assert_eq!(match_score("4688", "4648"), 0, "numbers are exact");
        assert_eq!(match_score("4688", "46880"), 7);
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
            "sysmon 1 a 9 \u{e9}1 x-7-y \u{e9}\u{a0}3",
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
        // A single digit is a token (`sysmon 1`); a single letter is not.
        let t: Vec<String> = tokens("Sysmon 1 x 9").collect();
        assert_eq!(t, ["sysmon", "1", "9"]);
        assert_eq!(match_score("1", "1"), 10);
        assert_eq!(match_score("1", "13"), 0, "a single digit matches only itself");
    }
}
