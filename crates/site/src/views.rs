//! View models: what each page shows, built from the catalog and nothing else.
//! They hold text (escaped by the templates) and site-relative URLs; the only
//! HTML they carry is in `*_html` fields, made by [`crate::html`].

use std::collections::{BTreeMap, HashMap, HashSet};

use detwiki_catalog::{Catalog, Finding};
use detwiki_sigma::{Level, Status};
use detwiki_taxonomy::attack;
use serde::Serialize;

use crate::paths::{self, Paths};

/// A link.
#[derive(Clone, Debug, Serialize)]
pub struct Link {
    /// Text.
    pub text: String,
    /// Site-relative URL, or an absolute http(s) URL when `external`; `None` = plain text.
    pub url: Option<String>,
    /// Whether `url` leaves the site.
    pub external: bool,
}

impl Link {
    pub(crate) fn to(text: impl Into<String>, url: impl Into<String>) -> Link {
        Link { text: text.into(), url: Some(url.into()), external: false }
    }
    pub(crate) fn text(text: impl Into<String>) -> Link {
        Link { text: text.into(), url: None, external: false }
    }
}

/// A rule in a list.
#[derive(Clone, Debug, Serialize)]
pub struct RuleRow {
    /// Title.
    pub title: String,
    /// Page URL.
    pub url: String,
    /// Level.
    pub level: &'static str,
    /// Status.
    pub status: &'static str,
    /// Corpus.
    pub corpus: String,
    /// Logsource label.
    pub logsource: String,
}

/// Rules of one corpus.
#[derive(Clone, Debug, Serialize)]
pub struct CorpusGroup {
    /// Corpus name.
    pub corpus: String,
    /// Its rules (positions in the catalog), sorted by title.
    pub rules: Vec<usize>,
}

/// An indicator value with its count in some set of rules.
#[derive(Clone, Debug, Serialize)]
pub struct IndicatorStat {
    /// Field (`(keyword)` for keywords).
    pub field: String,
    /// Kind.
    pub kind: String,
    /// Value as shown.
    pub value: String,
    /// Rules of the set with it.
    pub count: usize,
    /// Rules of the whole catalog with it.
    pub corpus_count: usize,
    /// The indicator page, when it has one.
    pub url: Option<String>,
}

/// A name with a rule count.
#[derive(Clone, Debug, Serialize)]
pub struct Counted {
    /// Name.
    pub name: String,
    /// Link.
    pub url: Option<String>,
    /// Rules.
    pub count: usize,
}

/// What the views derive from a catalog once: page places and lookups. It is
/// owned (no borrow of the catalog), so a long-lived [`crate::Site`] keeps it
/// beside its catalog; [`Ctx`] pairs the two for building views.
#[derive(Debug)]
pub struct Derived {
    /// Page places.
    pub paths: Paths,
    /// Rule position by id.
    pub by_id: HashMap<String, usize>,
    /// Technique id → rule positions, sub-techniques' rules included.
    pub technique_rules: BTreeMap<String, Vec<usize>>,
    /// Per rule, per indicator row, per value: the position in the catalog's indicator index.
    pub value_pos: Vec<Vec<Vec<usize>>>,
    /// Per rule: its place in the order of rule lists (title, case-insensitive, then page URL).
    pub title_rank: Vec<usize>,
    /// Per rule: its row of a rules table after the page's `root` prefix
    /// (`rules/x/index.html">Title</a></td>…</tr>`), escaped.
    pub row_tail: Vec<String>,
    /// Per rule: its page URL.
    pub rule_urls: Vec<String>,
    /// Per left-out file (position in [`Catalog::failed`]): its source file in [`Catalog::files`].
    pub left_out_files: Vec<Option<usize>>,
}

impl Derived {
    /// Derive the lookups of `cat`.
    pub fn new(cat: &Catalog) -> Derived {
        // Page places on one side; per-rule lookups, list order and table rows on the other.
        let (paths, (by_id, technique_rules, value_pos, rule_urls, title_rank, row_tail)) =
            rayon::join(|| Paths::new(cat), || per_rule(cat));
        Derived {
            paths,
            by_id,
            technique_rules,
            value_pos,
            title_rank,
            row_tail,
            rule_urls,
            left_out_files: left_out_files(cat),
        }
    }
}

/// The source file of each left-out file, found by corpus and path.
fn left_out_files(cat: &Catalog) -> Vec<Option<usize>> {
    if cat.failed.is_empty() {
        return Vec::new();
    }
    let by_path: HashMap<(usize, &str), usize> =
        cat.files.iter().enumerate().map(|(i, f)| ((f.corpus, f.rel_path.as_str()), i)).collect();
    cat.failed
        .iter()
        .map(|f| {
            let corpus = cat.corpora.iter().position(|c| c.name == f.corpus)?;
            by_path.get(&(corpus, f.path.as_str())).copied()
        })
        .collect()
}

/// A finding of a left-out file, as `detwiki lint` shows it.
#[derive(Clone, Debug)]
pub struct ShownFinding<'a> {
    /// The finding.
    pub finding: &'a Finding,
    /// The source line it points at, when the file could be read.
    pub source: Option<SourceLine<'a>>,
}

/// A line of a rule file with a mark under the spot a finding points at.
#[derive(Clone, Debug)]
pub struct SourceLine<'a> {
    /// The line as written (without its line break).
    pub text: &'a str,
    /// The blanks before the mark: one per character before the spot (tabs kept, so the mark
    /// lines up under the spot).
    pub pad: String,
    /// Characters marked (at least 1).
    pub marks: usize,
}

/// What [`Derived`] knows per rule.
#[allow(clippy::type_complexity)]
fn per_rule(
    cat: &Catalog,
) -> (HashMap<String, usize>, BTreeMap<String, Vec<usize>>, Vec<Vec<Vec<usize>>>, Vec<String>, Vec<usize>, Vec<String>)
{
    use rayon::prelude::*;
    let by_id = cat.rules.iter().enumerate().map(|(i, r)| (r.id.clone(), i)).collect();
    let mut technique_rules: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (id, t) in &cat.index.techniques {
        technique_rules.entry(id.clone()).or_default().extend(&t.rules);
        if let Some(parent) = attack::technique(id).and_then(|t| t.parent) {
            technique_rules.entry(parent.to_string()).or_default().extend(&t.rules);
        }
    }
    for v in technique_rules.values_mut() {
        v.sort_unstable();
        v.dedup();
    }
    let last = cat.index.indicators.len().saturating_sub(1);
    let value_pos = cat
        .rules
        .par_iter()
        .map(|r| r.indicators.iter().map(|row| row.values.iter().map(|v| v.key_id.min(last)).collect()).collect())
        .collect();
    let rule_urls: Vec<String> = cat.rules.par_iter().map(paths::rule_url).collect();
    let mut order: Vec<(String, &str, usize)> =
        cat.rules.par_iter().enumerate().map(|(i, r)| (r.title.to_lowercase(), rule_urls[i].as_str(), i)).collect();
    order.par_sort_unstable();
    let mut title_rank = vec![0; cat.rules.len()];
    for (rank, (_, _, i)) in order.iter().enumerate() {
        title_rank[*i] = rank;
    }
    let row_tail = order_free_rows(cat, &rule_urls);
    (by_id, technique_rules, value_pos, rule_urls, title_rank, row_tail)
}

/// Each rule's row of a rules table, after the `root` prefix; the same HTML as
/// the row template it replaced (`macros.html`, `rule_table`).
fn order_free_rows(cat: &Catalog, urls: &[String]) -> Vec<String> {
    use crate::html::write_escaped;
    use rayon::prelude::*;
    cat.rules
        .par_iter()
        .zip(urls)
        .map(|(r, url)| {
            let mut s = String::with_capacity(200);
            let level = r.level.map_or("", Level::as_str);
            let _ = write_escaped(&mut s, url);
            s.push_str("\">");
            let _ = write_escaped(&mut s, &r.title);
            s.push_str("</a></td><td><span class=\"lvl lvl-");
            let _ = write_escaped(&mut s, level);
            s.push_str("\">");
            let _ = write_escaped(&mut s, level);
            s.push_str("</span></td><td>");
            let _ = write_escaped(&mut s, r.status.map_or("", Status::as_str));
            s.push_str("</td><td><code>");
            let _ = write_escaped(&mut s, &r.logsource.label());
            s.push_str("</code></td></tr>");
            s
        })
        .collect()
}

/// Shared context for building views: a catalog and what was derived from it.
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    /// The catalog.
    pub cat: &'a Catalog,
    /// Its lookups.
    pub derived: &'a Derived,
}

impl std::ops::Deref for Ctx<'_> {
    type Target = Derived;
    fn deref(&self) -> &Derived {
        self.derived
    }
}

impl<'a> Ctx<'a> {
    /// Pair a catalog with its lookups (made by [`Derived::new`] from the same catalog).
    pub fn new(cat: &'a Catalog, derived: &'a Derived) -> Ctx<'a> {
        Ctx { cat, derived }
    }

    /// The indicator page of a rule's value, when it has one.
    pub fn value_page(&self, rule: usize, row: usize, value: usize) -> Option<String> {
        self.value_page_ref(rule, row, value).map(str::to_string)
    }

    /// The indicator page of a rule's value, when it has one (borrowed).
    pub fn value_page_ref(&self, rule: usize, row: usize, value: usize) -> Option<&'a str> {
        let pos = *self.derived.value_pos.get(rule)?.get(row)?.get(value)?;
        self.derived.paths.indicator_pages.get(pos)?.as_deref()
    }

    /// An indicator of the catalog's index with a count within some set of rules.
    pub fn indicator_stat(&self, pos: usize, count: usize) -> IndicatorStat {
        let ind = &self.cat.index.indicators[pos];
        IndicatorStat {
            field: ind.key.field.clone().unwrap_or_else(|| "(keyword)".into()),
            kind: kind_label(&ind.key),
            value: ind.value.clone(),
            count,
            corpus_count: ind.rules.len(),
            url: self.paths.indicator_pages[pos].clone(),
        }
    }

    /// A rule row.
    pub fn row(&self, i: usize) -> RuleRow {
        let r = &self.cat.rules[i];
        RuleRow {
            title: r.title.clone(),
            url: self.rule_urls[i].clone(),
            level: r.level.map_or("", Level::as_str),
            status: r.status.map_or("", Status::as_str),
            corpus: r.corpus.clone(),
            logsource: r.logsource.label(),
        }
    }

    /// Rules grouped by corpus, in corpus order, each sorted by title.
    pub fn by_corpus(&self, rules: &[usize]) -> Vec<CorpusGroup> {
        let mut groups: Vec<CorpusGroup> = Vec::new();
        for (ci, c) in self.cat.corpora.iter().enumerate() {
            let mut rows: Vec<usize> =
                rules.iter().copied().filter(|&i| self.cat.rules[i].corpus_index == ci).collect();
            if rows.is_empty() {
                continue;
            }
            rows.sort_unstable_by_key(|&i| self.title_rank[i]);
            groups.push(CorpusGroup { corpus: c.name.clone(), rules: rows });
        }
        groups
    }

    /// A link to a rule by id (plain text when not in the catalog).
    pub fn rule_link(&self, id: &str) -> Link {
        match self.by_id.get(id) {
            Some(&i) => Link::to(self.cat.rules[i].title.clone(), self.rule_urls[i].clone()),
            None => Link::text(id),
        }
    }

    /// The indicator values used by a set of rules, positive ones and exclusions
    /// apart, each most shared within the set first, at most `limit` of each.
    pub fn top_indicators(&self, rules: &[usize], limit: usize) -> (Vec<IndicatorStat>, Vec<IndicatorStat>) {
        thread_local! {
            /// Per indicator position and polarity: rules of the set with it, and the last rule counted.
            static TALLY: std::cell::RefCell<(Vec<u32>, Vec<u32>)> = const { std::cell::RefCell::new((Vec::new(), Vec::new())) };
        }
        let inds = &self.cat.index.indicators;
        let (mut touched_pos, mut touched_excl): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        let counts_of = |counts: &[u32], touched: &[usize]| -> Vec<(usize, usize)> {
            touched.iter().map(|&k| (k / 2, counts[k] as usize)).collect()
        };
        let (pos, excl) = TALLY.with_borrow_mut(|(counts, last)| {
            if counts.len() < inds.len() * 2 {
                counts.resize(inds.len() * 2, 0);
                last.resize(inds.len() * 2, 0);
            }
            for (stamp, &i) in rules.iter().enumerate() {
                let stamp = stamp as u32 + 1;
                for (ri, row) in self.cat.rules[i].indicators.iter().enumerate() {
                    let polarity = usize::from(row.key.exclusion);
                    for &p in &self.value_pos[i][ri] {
                        let k = p * 2 + polarity;
                        // Each rule counts once per value, whatever its rows.
                        if last[k] == stamp {
                            continue;
                        }
                        last[k] = stamp;
                        if counts[k] == 0 {
                            if polarity == 1 { touched_excl.push(k) } else { touched_pos.push(k) }
                        }
                        counts[k] += 1;
                    }
                }
            }
            let out = (counts_of(counts, &touched_pos), counts_of(counts, &touched_excl));
            for &k in touched_pos.iter().chain(&touched_excl) {
                counts[k] = 0;
                last[k] = 0;
            }
            out
        });
        // Most shared within the set, then in the catalog, then the index's own order.
        let top = |mut list: Vec<(usize, usize)>| -> Vec<IndicatorStat> {
            let order = |a: &(usize, usize), b: &(usize, usize)| {
                b.1.cmp(&a.1).then(inds[b.0].rules.len().cmp(&inds[a.0].rules.len())).then(a.0.cmp(&b.0))
            };
            if list.len() > limit && limit > 0 {
                list.select_nth_unstable_by(limit - 1, order);
            }
            list.truncate(limit);
            list.sort_unstable_by(order);
            list.into_iter().map(|(pos, n)| self.indicator_stat(pos, n)).collect()
        };
        (top(pos), top(excl))
    }

    /// The findings of left-out file `k` (position in [`Catalog::failed`]), each with the source
    /// line it points at and the span it marks.
    pub fn left_out_findings(&self, k: usize) -> Vec<ShownFinding<'a>> {
        let failed = &self.cat.failed[k];
        let file = self.derived.left_out_files.get(k).copied().flatten().map(|i| &*self.cat.files[i]);
        // The catalog lists a file's findings errors first, in the parser's order otherwise: the
        // same order here gives each finding its span.
        let mut diags: Vec<&detwiki_sigma::Diagnostic> =
            file.map(|f| f.parsed.diagnostics.iter().collect()).unwrap_or_default();
        diags.sort_by_key(|d| d.severity != detwiki_sigma::Severity::Error);
        let spans_match = diags.len() == failed.diagnostics.len()
            && diags.iter().zip(&failed.diagnostics).all(|(d, f)| d.code == f.code);
        let index = file.map(|f| detwiki_sigma::LineIndex::new(&f.text));
        failed
            .diagnostics
            .iter()
            .enumerate()
            .map(|(i, finding)| {
                let source = match (file, &index, finding.line) {
                    (Some(f), Some(index), Some(line)) if line <= index.line_count() && !f.text.is_empty() => {
                        let ls = index.line_span(&f.text, line);
                        let text = &f.text[ls.start..ls.end];
                        let col = finding.column.unwrap_or(1).max(1) - 1;
                        let pad: String = text.chars().take(col).map(|c| if c == '\t' { '\t' } else { ' ' }).collect();
                        let marks = match diags.get(i).and_then(|d| d.span).filter(|_| spans_match) {
                            Some(sp) => {
                                let start = sp.start.clamp(ls.start, ls.end);
                                let end = sp.end.clamp(start, ls.end);
                                f.text.get(start..end).map_or(1, |s| s.chars().count()).max(1)
                            }
                            None => 1,
                        };
                        Some(SourceLine { text, pad, marks })
                    }
                    _ => None,
                };
                ShownFinding { finding, source }
            })
            .collect()
    }

    /// Fields used by a set of rules, with how many of them use each.
    pub fn field_counts(&self, rules: &[usize]) -> Vec<Counted> {
        let mut acc: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in rules {
            let fields: HashSet<&str> =
                self.cat.rules[i].indicators.iter().filter_map(|r| r.key.field.as_deref()).collect();
            for f in fields {
                *acc.entry(f).or_default() += 1;
            }
        }
        let mut list: Vec<Counted> = acc
            .into_iter()
            .map(|(f, n)| Counted { name: f.to_string(), url: self.paths.fields.get(f).cloned(), count: n })
            .collect();
        list.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        list
    }
}

/// Kind as shown: `ends_with`, plus transforms, `cased`, `exclusion`.
pub fn kind_label(key: &detwiki_catalog::indicators::RowKey) -> String {
    let mut k = key.kind.as_str().to_string();
    for t in &key.transforms {
        k.push_str(&format!(" ({t})"));
    }
    if key.cased {
        k.push_str(" (cased)");
    }
    if key.exclusion {
        k.push_str(" (exclusion)");
    }
    k
}

/// The corpus name as a breadcrumb shows it (`sigma` → `Sigma`).
pub fn corpus_title(name: &str) -> String {
    let mut c = name.chars();
    c.next().map_or_else(String::new, |f| f.to_uppercase().chain(c).collect())
}
