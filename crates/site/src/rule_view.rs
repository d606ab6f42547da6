//! A rule's page as data: every section of the seed page, in its order, with what each one
//! shows decided here once — which header fields, the event labels (`Event ID 13`, the channel
//! where a provider has that id on several), the note where there are no event rows (the
//! unmapped reason, the unknown logsource, a correlation rule), where a section is cut and what
//! is left out. Two renderers only lay it out: the site's HTML ([`crate::templates::rule`]) and
//! the CLI's text (`detwiki rule --format text`).
//!
//! ```text
//! RuleEntry + Ctx (site: links to every other page) ──RulePage::site──┐
//! RuleEntry + Catalog (no links)               ──RulePage::text──┴─▶ RulePage ─▶ HTML | text
//! ```
//!
//! The model borrows from the rule and the catalog: building it copies no title, value or body.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use detwiki_catalog::{Catalog, EventMapping, EventRow, Finding, RuleEntry};
use detwiki_sigma::{DocumentKind, Level, RelationType, Status};

use crate::paths::{self, Paths};
use crate::views::{Ctx, corpus_title, kind_label};

// ------------------------------------------------------------------------------------------
// Limits of a page.

/// Values per indicator row shown on a rule page; the rest are in the rule's JSON.
pub const MAX_VALUES_PER_ROW: usize = 50;

/// Values shown on a rule page over all its indicator rows.
pub const MAX_VALUES_PER_PAGE: usize = 100;

/// Stage lines shown on a rule page over all its stages (each stage shows at least 10).
pub const MAX_STAGE_LINES_PER_PAGE: usize = 180;

/// Lines of a stage shown on a rule page; the whole detection is in the rule body.
pub const MAX_STAGE_LINES: usize = 60;

/// Text of a stage shown on a rule page (bytes, whole lines; a first line longer than that is
/// cut): a query written as a few very long lines (an IOC list of a Sentinel rule, the DLL
/// names of an Elastic rule) is bounded by its bytes, not its lines.
pub const MAX_STAGE_BYTES: usize = 8 * 1024;

/// Text of all stages shown on a rule page (bytes; each stage still shows
/// [`MIN_STAGE_BYTES`]).
pub const MAX_STAGE_BYTES_PER_PAGE: usize = 12 * 1024;

/// What every stage may show even when the page's budget of stage text is spent (bytes).
pub const MIN_STAGE_BYTES: usize = 1024;

/// Text of indicator values shown on a rule page (bytes, over all rows; each row still shows
/// its first value): long values (a Sublime rule's phrases, a regex) are bounded by their bytes,
/// not only by their number.
pub const MAX_VALUE_BYTES_PER_PAGE: usize = 8 * 1024;

/// A value longer than this (bytes) is shown cut, with a mark; it is whole in the rule's JSON.
pub const MAX_VALUE_BYTES: usize = 512;

/// A rule body longer than this (bytes) is shown cut, its complete YAML written beside the page.
/// Highlighting can double the size of YAML (a quoted value per line, or non-ASCII text), so
/// this keeps the body section within about 32 KB and the page within 60 KB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// How much of a cut body is shown (bytes, whole lines).
pub const SHOWN_BODY_BYTES: usize = 8 * 1024;

/// A body its language highlights (Elastic's TOML, its query token by token) is also cut when
/// its highlighted HTML would be longer than this (bytes): a query's markup can outweigh its
/// text several times over, so the byte bound of the source alone does not keep the body
/// section within about 32 KB.
pub const MAX_HIGHLIGHTED_BODY_BYTES: usize = 32 * 1024;

/// Text a language's own section (Panther's tests and Python, Splunk's expanded search …) shows
/// on a rule page (bytes of the text, before escaping); the rest of it is in the rule's JSON.
pub const MAX_SECTION_BYTES: usize = 6 * 1024;

/// Text all of a rule's language sections show together (bytes); a section past it shows its
/// heading and what it holds, the whole of it in the rule's JSON.
pub const MAX_SECTIONS_BYTES: usize = 16 * 1024;

/// When less than this is left of [`MAX_SECTIONS_BYTES`], the remaining sections are only
/// named, in one paragraph that links the rule's JSON.
pub const MIN_SECTION_ROOM: usize = 512;

/// A rule page's size the site keeps to (bytes of HTML): a page over it is laid out again with
/// [`Limits::tighter`] bounds, at most three times (the body's bound does not change).
pub const MAX_RULE_PAGE_BYTES: usize = 60 * 1024;

/// The bounds a rule page's stages, indicators and language sections are laid out with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Stage text over all stages (bytes).
    pub stage_bytes_per_page: usize,
    /// Text of one stage (bytes).
    pub stage_bytes: usize,
    /// Indicator values over all rows.
    pub values_per_page: usize,
    /// Indicator value text over all rows (bytes).
    pub value_bytes_per_page: usize,
    /// Text of one language section (bytes).
    pub section_bytes: usize,
    /// Text of all language sections (bytes).
    pub sections_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            stage_bytes_per_page: MAX_STAGE_BYTES_PER_PAGE,
            stage_bytes: MAX_STAGE_BYTES,
            values_per_page: MAX_VALUES_PER_PAGE,
            value_bytes_per_page: MAX_VALUE_BYTES_PER_PAGE,
            section_bytes: MAX_SECTION_BYTES,
            sections_bytes: MAX_SECTIONS_BYTES,
        }
    }
}

impl Limits {
    /// Half of every bound, for a page laid out too large.
    pub fn tighter(self) -> Limits {
        Limits {
            stage_bytes_per_page: self.stage_bytes_per_page / 2,
            stage_bytes: self.stage_bytes / 2,
            values_per_page: self.values_per_page / 2,
            value_bytes_per_page: self.value_bytes_per_page / 2,
            section_bytes: self.section_bytes / 2,
            sections_bytes: self.sections_bytes / 2,
        }
    }
}

/// Whether a rule's page shows its body cut (and the complete rule file is written beside it).
pub fn body_is_cut(r: &RuleEntry) -> bool {
    let text = r.body.trim_end();
    if text.len() > MAX_BODY_BYTES {
        return true;
    }
    // Only a body of some size can grow past the bound (markup is a few times the text at most).
    match detwiki_catalog::lang::by_name(r.language).and_then(|l| l.highlight) {
        Some(h) if text.len() > MAX_HIGHLIGHTED_BODY_BYTES / 6 => {
            let mut html = String::new();
            crate::html::highlight_ranges(&mut html, text, &h(text));
            html.len() > MAX_HIGHLIGHTED_BODY_BYTES
        }
        _ => false,
    }
}

/// The first whole lines of `text` within [`SHOWN_BODY_BYTES`] (a first line longer than
/// that is cut at a character boundary), and how many lines they are.
pub(crate) fn body_head(text: &str) -> (&str, usize) {
    let mut end = 0;
    let mut lines = 0;
    for line in text.split_inclusive('\n') {
        if end + line.len() > SHOWN_BODY_BYTES {
            break;
        }
        end += line.len();
        lines += 1;
    }
    if lines == 0 {
        end = SHOWN_BODY_BYTES.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        lines = 1;
    }
    (text[..end].trim_end_matches('\n'), lines)
}

// ------------------------------------------------------------------------------------------
// The model.

/// A text, with the site-relative URL of its page when it has one (never in text output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Linked<'a> {
    /// The text.
    pub text: Cow<'a, str>,
    /// Site-relative URL.
    pub url: Option<Cow<'a, str>>,
}

/// A rule's page.
#[derive(Debug)]
pub struct RulePage<'a> {
    /// Breadcrumb: the rule's corpus.
    pub crumb: Crumb<'a>,
    /// The rule's title.
    pub title: &'a str,
    /// The fields under the title.
    pub header: Header<'a>,
    /// The description, trimmed; `None` when there is none or it is blank.
    pub description: Option<&'a str>,
    /// What only the rule's language has (Elastic: rule type, index patterns …), in order;
    /// empty for Sigma.
    pub details: &'a [(String, String)],
    /// Sections only the rule's language has, in order; empty for Sigma.
    pub sections: &'a [detwiki_catalog::lang::Section],
    /// The bounds the page is laid out with.
    pub limits: Limits,
    /// What the ATT&CK section says when `attack` is empty: no technique tagged, or (for a
    /// language with no ATT&CK mapping, Sublime) that its rules have none.
    pub attack_none: String,
    /// MITRE ATT&CK coverage: a row per tactic (empty: no technique tagged).
    pub attack: Vec<TacticRow<'a>>,
    /// Tags that are not ATT&CK tactics or techniques, as shown (`G0046 FIN7`, or as written).
    pub other_tags: Vec<Cow<'a, str>>,
    /// Event coverage.
    pub events: Events<'a>,
    /// The rule body.
    pub body: Body<'a>,
    /// Stages and predicates (none for a correlation rule).
    pub stages: Vec<StageView<'a>>,
    /// Indicator rows.
    pub indicators: Vec<IndicatorLine<'a>>,
    /// References, each linked when it is an http(s) URL.
    pub references: Vec<Reference<'a>>,
    /// False positives as written.
    pub falsepositives: &'a [String],
    /// Related rules.
    pub related: Vec<Related<'a>>,
    /// Duplicates and neighbors.
    pub neighbors: NeighborsView<'a>,
    /// Findings about the rule.
    pub findings: &'a [Finding],
    /// The URL of the rule's JSON (site-relative).
    pub json_url: String,
    /// The "Seen in sample data" section, made by [`crate::proof::rule_section`] (HTML, its text
    /// escaped); `None` when the site was built without sample events.
    pub samples_html: Option<String>,
    /// "Fires together" under Neighbors, made by [`crate::proof::fires_together_html`] (HTML).
    pub fires_together_html: Option<String>,
}

/// The breadcrumb of a rule page: `Detection rules › Sigma` (a Sigma rule: its corpus, named;
/// another language's rule: the language, `Detection rules › Elastic`).
#[derive(Debug)]
pub struct Crumb<'a> {
    /// The corpus (the rules list's `?corpus=` filter).
    pub corpus: &'a str,
    /// The corpus as the breadcrumb names it (`Sigma`).
    pub title: String,
}

/// The fields under a rule's title; each `None` or empty is not shown.
#[derive(Debug)]
pub struct Header<'a> {
    /// Level.
    pub level: Option<&'static str>,
    /// Status.
    pub status: Option<&'static str>,
    /// The `author` field as written.
    pub author: Option<&'a str>,
    /// Each author named in it (split at commas), with its page.
    pub authors: Vec<Linked<'a>>,
    /// Creation date.
    pub date: Option<&'a str>,
    /// Last modification date.
    pub modified: Option<&'a str>,
    /// Corpus.
    pub corpus: &'a str,
    /// The logsource label (`windows / registry_event`), with its page.
    pub logsource: Option<Linked<'a>>,
    /// The kind of document, when it is not a plain detection rule (`correlation`, `filter`).
    pub kind: Option<&'static str>,
    /// Rule id.
    pub id: &'a str,
    /// The rule file, relative to its corpus.
    pub file: &'a str,
}

/// A tactic of the ATT&CK section with the rule's techniques under it.
#[derive(Debug)]
pub struct TacticRow<'a> {
    /// The tactic (`Command & Control`) and its page.
    pub tactic: Linked<'a>,
    /// The techniques.
    pub techniques: Vec<TechniqueView<'a>>,
}

/// A technique the rule is tagged with.
#[derive(Debug)]
pub struct TechniqueView<'a> {
    /// `T1090`.
    pub id: &'a str,
    /// `Proxy`.
    pub name: &'a str,
    /// Its page.
    pub url: Option<String>,
    /// Its state when ATT&CK no longer lists it as active (`revoked`, `deprecated` …).
    pub inactive: Option<&'static str>,
    /// What replaced it, when it was revoked.
    pub replaced_by: Option<&'a str>,
}

/// The event coverage section: rows, then a note when the rows do not say it all.
#[derive(Debug)]
pub struct Events<'a> {
    /// The events the rule reads.
    pub rows: Vec<EventLine<'a>>,
    /// Why there are no rows: the logsource is known to have none (with the reason), is not in
    /// the taxonomy, or the rule is a correlation rule.
    pub note: Option<Cow<'a, str>>,
}

/// An event the rule reads.
#[derive(Debug)]
pub struct EventLine<'a> {
    /// The provider (`Sysmon`) and its page.
    pub provider: Linked<'a>,
    /// The event within its provider (`Event ID 13`, `Event ID 8003 (<channel>)` where the
    /// provider has that id on several channels, `any event of <channel>`) and its page.
    pub event: Linked<'a>,
    /// The provider's title of the event (may be empty).
    pub title: &'a str,
}

impl EventLine<'_> {
    /// The event as one name: `Event ID 13: RegistryEvent (Value Set)`, or `Event ID 4624`
    /// when it has no title (never a dangling colon).
    pub fn name(&self) -> String {
        paths::event_name(&self.event.text, self.title)
    }
}

/// The rule body.
#[derive(Debug)]
pub struct Body<'a> {
    /// The whole YAML document as written (trailing blank lines trimmed); another language's
    /// whole rule file.
    pub text: &'a str,
    /// Its format: `yaml` (Sigma), `toml` (Elastic): the language's first file extension.
    pub format: &'static str,
    /// Its language's highlighter; `None` for Sigma, whose YAML the site highlights.
    pub highlight: Option<detwiki_catalog::lang::HighlightFn>,
    /// What a page shows when the body is too long for it.
    pub cut: Option<BodyCut<'a>>,
}

/// A body shown cut.
#[derive(Debug)]
pub struct BodyCut<'a> {
    /// The first lines shown.
    pub head: &'a str,
    /// How many lines those are.
    pub shown_lines: usize,
    /// Lines of the whole body.
    pub lines: usize,
    /// Its size in KB (rounded up).
    pub kb: usize,
    /// The complete rule file beside the page (site-relative; `.yml` for Sigma, the
    /// language's extension for others).
    pub yaml_url: String,
}

/// A stage of the detection.
#[derive(Debug)]
pub struct StageView<'a> {
    /// Stage number.
    pub stage: usize,
    /// What it evaluates (`condition`, `selection`).
    pub label: &'a str,
    /// Its whole text (YAML).
    pub text: &'a str,
    /// The part a page shows: the whole text, or its first lines.
    pub shown: Cow<'a, str>,
    /// Lines left out of `shown`.
    pub more_lines: usize,
}

/// An indicator row: a field, how it is compared, the values.
#[derive(Debug)]
pub struct IndicatorLine<'a> {
    /// The field (`(keyword)` for keywords) and its page.
    pub field: Linked<'a>,
    /// How it is compared (`contains (cased)`, `… (exclusion)`).
    pub kind: String,
    /// Whether the rule excludes these values (`not`).
    pub exclusion: bool,
    /// Every value, in the rule's order.
    pub values: Vec<ValueView<'a>>,
    /// How many of `values` a page shows (the rest are in the rule's JSON).
    pub shown: usize,
}

impl IndicatorLine<'_> {
    /// The values a page shows.
    pub fn shown_values(&self) -> &[ValueView<'_>] {
        &self.values[..self.shown]
    }

    /// The values a page leaves out.
    pub fn more(&self) -> usize {
        self.values.len() - self.shown
    }
}

impl ValueView<'_> {
    /// The value as a page shows it: its first [`MAX_VALUE_BYTES`] when it is longer.
    pub fn shown_value(&self) -> &str {
        let mut end = self.value.len().min(MAX_VALUE_BYTES);
        while !self.value.is_char_boundary(end) {
            end -= 1;
        }
        &self.value[..end]
    }

    /// Whether a page shows the value cut.
    pub fn is_cut(&self) -> bool {
        self.value.len() > MAX_VALUE_BYTES
    }
}

/// An indicator value with its corpus count.
#[derive(Debug)]
pub struct ValueView<'a> {
    /// The value.
    pub value: &'a str,
    /// `corpus 22 (sigma 20, acme 2)`.
    pub count: CorpusCount<'a>,
    /// The page of the rules behind the count (for values of two rules or more).
    pub url: Option<&'a str>,
}

/// How many rules of the catalog look for a value, and per corpus: shown as
/// `corpus 22 (sigma 20, acme 2)`.
#[derive(Clone, Copy, Debug)]
pub struct CorpusCount<'a> {
    /// Rules of the whole catalog (this one included).
    pub total: usize,
    /// Per corpus.
    pub by_corpus: &'a BTreeMap<std::sync::Arc<str>, usize>,
}

impl fmt::Display for CorpusCount<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "corpus {} (", self.total)?;
        for (i, (c, n)) in self.by_corpus.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            write!(f, "{c} {n}")?;
        }
        f.write_str(")")
    }
}

/// A reference.
#[derive(Debug)]
pub struct Reference<'a> {
    /// As written.
    pub text: &'a str,
    /// The URL to link, when it is an http(s) URL.
    pub href: Option<String>,
}

/// Another rule, by id: its title and page when the catalog has it.
#[derive(Debug)]
pub struct RuleRef<'a> {
    /// The id.
    pub id: &'a str,
    /// The rule's title and page; `None` when it is not in the catalog.
    pub rule: Option<Linked<'a>>,
}

/// A related rule.
#[derive(Debug)]
pub struct Related<'a> {
    /// The relation (`derived`, `obsolete` …; `related` when not given).
    pub relation: &'static str,
    /// The rule.
    pub rule: RuleRef<'a>,
}

/// The neighbors section.
#[derive(Debug)]
pub struct NeighborsView<'a> {
    /// Rules with the same matching logic.
    pub duplicates: Vec<RuleRef<'a>>,
    /// How many other rules read exactly the same events.
    pub same_events: usize,
    /// The page listing them (site-relative), on the site.
    pub same_events_url: Option<String>,
    /// The rules sharing most indicators, with how many.
    pub closest: Vec<(RuleRef<'a>, usize)>,
}

// ------------------------------------------------------------------------------------------
// Building it.

/// What a page is built with besides the rule.
enum Around<'a> {
    /// The site: every other page has a place.
    Site {
        ctx: Ctx<'a>,
        /// The rule's position in the catalog (for its indicator pages).
        at: Option<usize>,
    },
    /// The catalog alone: no links.
    Catalog { cat: &'a Catalog, by_id: BTreeMap<&'a str, &'a RuleEntry> },
}

impl<'a> Around<'a> {
    fn paths(&self) -> Option<&'a Paths> {
        match self {
            Around::Site { ctx, .. } => Some(&ctx.derived.paths),
            Around::Catalog { .. } => None,
        }
    }

    /// A URL of the site, when there are links.
    fn url(&self, f: impl FnOnce(&'a Paths) -> Option<&'a String>) -> Option<Cow<'a, str>> {
        self.paths().and_then(f).map(|u| Cow::Borrowed(u.as_str()))
    }

    /// A URL made from the rule's data, when there are links.
    fn owned_url(&self, f: impl FnOnce() -> String) -> Option<String> {
        self.paths().map(|_| f())
    }

    fn linked(&self, text: &'a str, f: impl FnOnce(&'a Paths) -> Option<&'a String>) -> Linked<'a> {
        Linked { text: Cow::Borrowed(text), url: self.url(f) }
    }

    /// How the event of row `e` (index key `key`) is named: the site's label of its event page, or
    /// the same label made here, with the channel when its provider has the id on more than one
    /// channel in the catalog.
    fn label(&self, key: &str, e: &EventRow) -> Cow<'a, str> {
        match self {
            Around::Site { ctx, .. } => match ctx.derived.paths.event_labels.get(key) {
                Some(l) => Cow::Borrowed(l.as_str()),
                None => Cow::Owned(paths::event_label(e.event_id, &e.channel, false)),
            },
            Around::Catalog { cat, .. } => {
                let channels = cat
                    .index
                    .events
                    .values()
                    .filter(|x| x.event_id == e.event_id && x.provider == e.provider)
                    .take(2)
                    .count();
                Cow::Owned(paths::event_label(e.event_id, &e.channel, channels > 1))
            }
        }
    }

    fn rule(&self, id: &'a str) -> RuleRef<'a> {
        let rule = match self {
            Around::Site { ctx, .. } => ctx.derived.by_id.get(id).map(|&i| Linked {
                text: Cow::Borrowed(ctx.cat.rules[i].title.as_str()),
                url: Some(Cow::Borrowed(ctx.derived.rule_urls[i].as_str())),
            }),
            Around::Catalog { by_id, .. } => {
                by_id.get(id).map(|r| Linked { text: Cow::Borrowed(r.title.as_str()), url: None })
            }
        };
        RuleRef { id, rule }
    }

    fn value_page(&self, row: usize, value: usize) -> Option<&'a str> {
        match self {
            Around::Site { ctx, at: Some(at) } => ctx.value_page_ref(*at, row, value),
            _ => None,
        }
    }
}

impl<'a> RulePage<'a> {
    /// The page of `r` on the site, linked to every other page of `ctx`; `at` is the rule's
    /// position in the catalog (for its indicator pages), when it is one of its rules.
    pub fn site(ctx: Ctx<'a>, r: &'a RuleEntry, at: Option<usize>) -> RulePage<'a> {
        RulePage::build(&Around::Site { ctx, at }, r)
    }

    /// The page of `r` with no links, from the catalog alone (for text output).
    pub fn text(cat: &'a Catalog, r: &'a RuleEntry) -> RulePage<'a> {
        RulePage::build(&Around::Catalog { cat, by_id: cat.by_id() }, r)
    }

    /// Lay out the page's stages, indicators and language sections with tighter bounds
    /// ([`Limits::tighter`]), for a page that came out larger than [`MAX_RULE_PAGE_BYTES`].
    pub fn tighten(&mut self) {
        self.limits = self.limits.tighter();
        limit_stages(&mut self.stages, self.limits);
        limit_indicators(&mut self.indicators, self.limits);
    }

    fn build(around: &Around<'a>, r: &'a RuleEntry) -> RulePage<'a> {
        RulePage {
            crumb: Crumb {
                corpus: &r.corpus,
                title: match detwiki_catalog::lang::by_name(r.language) {
                    Some(l) if l.name != detwiki_catalog::lang::SIGMA.name => l.title.to_string(),
                    _ => corpus_title(&r.corpus),
                },
            },
            title: &r.title,
            header: header(around, r),
            description: r.description.as_deref().map(str::trim).filter(|d| !d.is_empty()),
            details: &r.details,
            sections: &r.sections,
            limits: Limits::default(),
            attack_none: match detwiki_catalog::lang::by_name(r.language) {
                Some(l) if !l.attack => {
                    format!("{} rules have no ATT&CK mapping; their own taxonomy is in the sections above.", l.title)
                }
                _ => "No ATT&CK technique tagged.".to_string(),
            },
            attack: attack(around, r),
            other_tags: r
                .other_tags
                .iter()
                .map(|t| match &t.name {
                    Some(n) => Cow::Owned(format!("{} {n}", t.id)),
                    None => Cow::Borrowed(t.tag.as_str()),
                })
                .collect(),
            events: events(around, r),
            body: body(r),
            stages: stages(r, Limits::default()),
            indicators: indicators(around, r, Limits::default()),
            references: r.references.iter().map(|u| Reference { text: u, href: crate::html::safe_href(u) }).collect(),
            falsepositives: &r.falsepositives,
            related: r
                .related
                .iter()
                .map(|rel| Related {
                    relation: rel.relation.map_or("related", RelationType::as_str),
                    rule: around.rule(&rel.id),
                })
                .collect(),
            neighbors: NeighborsView {
                duplicates: r.neighbors.duplicates.iter().map(|id| around.rule(id)).collect(),
                same_events: r.neighbors.same_events,
                same_events_url: None,
                closest: r.neighbors.closest.iter().map(|n| (around.rule(&n.id), n.shared_indicators)).collect(),
            },
            findings: &r.findings,
            json_url: paths::rule_json_url(r),
            samples_html: None,
            fires_together_html: None,
        }
    }
}

fn non_empty(s: &Option<String>) -> Option<&str> {
    s.as_deref().filter(|s| !s.is_empty())
}

fn header<'a>(around: &Around<'a>, r: &'a RuleEntry) -> Header<'a> {
    let authors = r
        .author
        .iter()
        .flat_map(|a| a.split(','))
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(|name| around.linked(name, |p| p.authors.get(name)))
        .collect();
    let label = r.logsource.label();
    let logsource = (!label.is_empty()).then(|| {
        let url = around.url(|p| p.logsources.get(&label));
        Linked { text: Cow::Owned(label), url }
    });
    Header {
        level: r.level.map(Level::as_str),
        status: r.status.map(Status::as_str),
        author: r.author.as_deref(),
        authors,
        date: non_empty(&r.date),
        modified: non_empty(&r.modified),
        corpus: &r.corpus,
        logsource,
        kind: (r.kind != DocumentKind::Rule).then(|| r.kind.as_str()),
        id: &r.id,
        file: &r.path,
    }
}

fn attack<'a>(around: &Around<'a>, r: &'a RuleEntry) -> Vec<TacticRow<'a>> {
    r.attack
        .iter()
        .map(|row| TacticRow {
            tactic: Linked {
                text: Cow::Borrowed(row.tactic.as_str()),
                url: around.owned_url(|| paths::tactic_url(&row.tactic_id)).map(Cow::Owned),
            },
            techniques: row
                .techniques
                .iter()
                .map(|t| TechniqueView {
                    id: &t.id,
                    name: &t.name,
                    url: around.owned_url(|| paths::technique_url(&t.id)),
                    inactive: (t.status != "active").then_some(t.status),
                    replaced_by: t.replaced_by.as_deref().filter(|x| !x.is_empty()),
                })
                .collect(),
        })
        .collect()
}

/// The event index key of a rule's event row (`provider|channel|id`).
fn event_key(e: &EventRow) -> String {
    match e.event_id {
        Some(id) => format!("{}|{}|{id}", e.provider, e.channel),
        None => format!("{}|{}|", e.provider, e.channel),
    }
}

/// The note of a correlation rule, which has no logsource of its own.
pub const CORRELATION_EVENTS_NOTE: &str = "A correlation rule reads the events of the rules it correlates.";

fn events<'a>(around: &Around<'a>, r: &'a RuleEntry) -> Events<'a> {
    let rows = r
        .events
        .iter()
        .map(|e| {
            let key = event_key(e);
            EventLine {
                provider: around.linked(&e.provider, |p| p.providers.get(&e.provider)),
                event: Linked { text: around.label(&key, e), url: around.url(|p| p.events.get(&key)) },
                title: &e.title,
            }
        })
        .collect();
    let note = match &r.event_mapping {
        EventMapping::Mapped => None,
        EventMapping::Unmapped { reason } => Some(Cow::Owned(format!("No known event mapping: {reason}"))),
        EventMapping::Unknown if r.kind == DocumentKind::Correlation => Some(Cow::Borrowed(CORRELATION_EVENTS_NOTE)),
        EventMapping::Unknown => {
            Some(Cow::Owned(format!("No known event mapping for logsource {}", r.logsource.label())))
        }
    };
    Events { rows, note }
}

fn body(r: &RuleEntry) -> Body<'_> {
    let text = r.body.trim_end();
    let cut = body_is_cut(r).then(|| {
        let (head, shown_lines) = body_head(text);
        BodyCut {
            head,
            shown_lines,
            lines: text.lines().count(),
            kb: text.len().div_ceil(1024),
            yaml_url: paths::rule_yaml_url(r),
        }
    });
    let language = detwiki_catalog::lang::by_name(r.language);
    let format = match language {
        Some(l) if l.name != detwiki_catalog::lang::SIGMA.name => l.extensions.first().copied().unwrap_or("text"),
        _ => "yaml",
    };
    Body { text, format, highlight: language.and_then(|l| l.highlight), cut }
}

/// Each stage with the lines a page shows ([`limit_stages`]).
fn stages(r: &RuleEntry, limits: Limits) -> Vec<StageView<'_>> {
    let mut views: Vec<StageView<'_>> = r
        .stages
        .iter()
        .map(|s| StageView { stage: s.stage, label: &s.label, text: &s.text, shown: Cow::Borrowed(""), more_lines: 0 })
        .collect();
    limit_stages(&mut views, limits);
    views
}

/// Decide what each stage shows: at most [`MAX_STAGE_LINES`] and `limits.stage_bytes`, and
/// over all stages [`MAX_STAGE_LINES_PER_PAGE`] (each still shows 10) and
/// `limits.stage_bytes_per_page` (each still shows [`MIN_STAGE_BYTES`]).
fn limit_stages(stages: &mut [StageView<'_>], limits: Limits) {
    let mut budget = MAX_STAGE_LINES_PER_PAGE;
    let mut bytes = limits.stage_bytes_per_page;
    for s in stages {
        let max = MAX_STAGE_LINES.min(budget.max(10));
        let room = limits.stage_bytes.min(bytes).max(MIN_STAGE_BYTES);
        let lines = s.text.lines().count();
        let (shown, shown_lines) = stage_head(s.text, max, room);
        budget = budget.saturating_sub(shown_lines);
        bytes = bytes.saturating_sub(shown.len());
        s.more_lines = lines - shown_lines.min(lines);
        s.shown = Cow::Borrowed(shown);
    }
}

/// The first lines of a stage's `text`: at most `max_lines` whole lines within `max_bytes`
/// (a first line longer than that is cut at a character boundary and not counted as shown),
/// and how many whole lines that is. The result is a prefix of `text`, so a stage quoted from
/// the body is still found in it.
fn stage_head(text: &str, max_lines: usize, max_bytes: usize) -> (&str, usize) {
    let mut end = 0;
    let mut lines = 0;
    for line in text.split_inclusive('\n') {
        if lines == max_lines || end + line.trim_end_matches('\n').len() > max_bytes {
            break;
        }
        end += line.len();
        lines += 1;
    }
    if lines == 0 && !text.is_empty() {
        let mut cut = max_bytes.min(text.len());
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        return (&text[..cut], 0);
    }
    if end == text.len() {
        return (text, lines);
    }
    (text[..end].trim_end_matches('\n'), lines)
}

/// Each indicator row with every value, and how many a page shows ([`limit_indicators`]).
fn indicators<'a>(around: &Around<'a>, r: &'a RuleEntry, limits: Limits) -> Vec<IndicatorLine<'a>> {
    let mut lines: Vec<IndicatorLine<'a>> = r
        .indicators
        .iter()
        .enumerate()
        .map(|(ri, row)| {
            let field = match row.key.field.as_deref() {
                Some(f) => around.linked(f, |p| p.fields.get(f)),
                None => Linked { text: Cow::Borrowed("(keyword)"), url: None },
            };
            let values = row
                .values
                .iter()
                .enumerate()
                .map(|(vi, v)| ValueView {
                    value: &v.value,
                    count: CorpusCount { total: v.corpus_count, by_corpus: &v.by_corpus },
                    url: around.value_page(ri, vi),
                })
                .collect();
            IndicatorLine { field, kind: kind_label(&row.key), exclusion: row.key.exclusion, values, shown: 0 }
        })
        .collect();
    limit_indicators(&mut lines, limits);
    lines
}

/// Decide how many values each indicator row shows: at most [`MAX_VALUES_PER_ROW`] of a row,
/// and over all rows `limits.values_per_page` values and `limits.value_bytes_per_page` of their
/// text (a row with any bytes left shows its first value, cut at [`MAX_VALUE_BYTES`]).
fn limit_indicators(rows: &mut [IndicatorLine<'_>], limits: Limits) {
    let mut budget = limits.values_per_page;
    let mut bytes = limits.value_bytes_per_page;
    for row in rows {
        let most = row.values.len().min(MAX_VALUES_PER_ROW).min(budget);
        let mut shown = 0;
        for v in &row.values[..most] {
            let len = v.value.len().min(MAX_VALUE_BYTES);
            if len > bytes && (shown > 0 || bytes == 0) {
                break;
            }
            bytes = bytes.saturating_sub(len);
            shown += 1;
        }
        budget -= shown;
        row.shown = shown;
    }
}

#[cfg(test)]
mod tests;
