//! # detwiki-site: the detection wiki
//!
//! ```text
//! Catalog (detwiki-catalog) ──view models (rule_view, pages, views)──templates (askama, Rust)──▶ HTML
//!                           ──serde──▶ rule JSON, api/rules.json, Navigator layers
//!                           ──search──▶ prebuilt search index (JS, loaded on demand) + ranking
//! ```
//!
//! The site renders what the catalog computes; it derives no facts of its own.
//! [`render`] produces every file of the site and hands each to a sink, so
//! the same pages are written to disk by [`write::build`]; [`Site`] makes the
//! same files one at a time, on request, for `detwiki serve`. Each page is first a view model
//! (a rule's page: [`rule_view::RulePage`], which `detwiki rule --format text` lays out too; the
//! others: [`pages`] and [`views`]), then laid out by the [`templates`] (the rule page: an askama
//! template, a file per section; the others: functions that append to a `String`, one per
//! section), which escape every string from a rule; links are made only for http(s) URLs
//! ([`html::safe_href`]).
//!
//! ```no_run
//! let catalog = detwiki_site::demo::catalog();
//! let stats = detwiki_site::write::build(&catalog, &Default::default(), std::path::Path::new("site"), &|_| {}, &|| {})
//!     .unwrap();
//! println!("{} pages", stats.pages);
//! ```

pub mod demo;
pub mod eventref;
pub mod html;
pub mod navigator;
pub mod pages;
pub mod paths;
pub mod proof;
pub mod rule_view;
pub mod search;
pub mod techguide;
pub mod telemetry;
pub mod templates;
pub mod views;
pub mod write;

use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use detwiki_catalog::Catalog;
use rayon::prelude::*;
use serde::Serialize;

use crate::pages::{ListPage, RulesPage};
use crate::paths::PlatformKey;
use crate::rule_view::RulePage;
use crate::views::{Counted, Ctx};

/// Why the site could not be made.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// JSON serialisation failed.
    #[error("serialising {page}: {source}")]
    Json {
        /// The page.
        page: String,
        /// The error.
        #[source]
        source: serde_json::Error,
    },
    /// Writing failed.
    #[error("{path}: {source}")]
    Io {
        /// Where.
        path: String,
        /// The error.
        #[source]
        source: std::io::Error,
    },
    /// The output folder holds something that is not a detwiki site.
    #[error("{0}")]
    Refused(String),
}

/// Build options.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Absolute URL where the site will be published (for links inside Navigator layers).
    pub base_url: Option<String>,
    /// The events the user collects: the rules list, the matrix and technique pages say which
    /// rules can fire with them.
    pub telemetry: Option<telemetry::Telemetry>,
    /// What the rules did on sample events (`--events`): each rule page's "Seen in sample data",
    /// the sample pages, "Fires together". Made for the same catalog (its rule positions).
    pub samples: Option<std::sync::Arc<proof::Samples>>,
}

/// What a render produced.
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct Stats {
    /// Rules.
    pub rules: usize,
    /// HTML pages.
    pub pages: usize,
    /// Files (pages, JSON, assets).
    pub files: usize,
    /// Bytes of all files.
    pub bytes: u64,
    /// Bytes of the largest rule page.
    pub largest_rule_page: u64,
}

/// The CSS of every page.
pub const STYLE_CSS: &str = include_str!("../assets/style.css");
/// The icon of every page.
pub const FAVICON_SVG: &str = include_str!("../assets/favicon.svg");
/// The script of every page (search, rules list filters).
pub const APP_JS: &str = include_str!("../assets/app.js");
/// The "My telemetry" choice kept in the browser (loaded by `app.js` when needed).
pub const TELEMETRY_JS: &str = include_str!("../assets/telemetry.js");

/// One file of the site to produce.
#[derive(Debug)]
enum Job {
    Rule(usize),
    RuleJson(usize),
    RuleYaml(usize),
    Home,
    /// A page of the rules list, from 1.
    RulesList(usize),
    RulesData,
    Search,
    Technique(String),
    Tactic(String),
    Event(String),
    /// The JSON beside an event page.
    EventJson(String),
    /// An event of the event data that no rule reads.
    ReferenceEvent(String),
    /// The JSON beside a technique page.
    TechniqueJson(String),
    /// The "My telemetry" choice page.
    TelemetryPage,
    /// Its data (`assets/telemetry-data.js`).
    TelemetryData,
    Provider(String),
    EventsIndex,
    Logsource(String),
    LogsourcesIndex,
    Platform(PlatformKey),
    PlatformsIndex,
    Field(String),
    FieldsIndex,
    Author(String),
    AuthorsIndex,
    Indicator(usize),
    LeftOut(usize),
    LeftOutList,
    Static(&'static str, &'static str),
    ApiRules,
    SearchIndex,
    Navigator(Option<String>),
    /// The rules reading exactly the same events as others (a group of [`proof::SameEvents`]).
    SameEvents(usize),
    /// Sample data: the index, its JSON, the rules never fired, a file's page and JSON.
    SamplesIndex,
    SamplesJson,
    SamplesNeverFired,
    Sample(usize),
    SampleJson(usize),
}

/// What every page of one catalog needs, computed once.
struct Prepared {
    derived: views::Derived,
    providers: BTreeMap<String, Vec<Counted>>,
    platforms: BTreeMap<PlatformKey, Vec<usize>>,
    field_values: BTreeMap<String, Vec<usize>>,
    same_events: proof::SameEvents,
}

impl Prepared {
    fn new(cat: &Catalog, opts: &Options) -> Prepared {
        let field_values = || {
            let mut field_values: BTreeMap<String, Vec<usize>> = BTreeMap::new();
            for (k, ind) in cat.index.indicators.iter().enumerate() {
                if let Some(f) = ind.key.field.as_deref() {
                    match field_values.get_mut(f) {
                        Some(v) => v.push(k),
                        None => {
                            field_values.insert(f.to_string(), vec![k]);
                        }
                    }
                }
            }
            field_values
        };
        let (mut derived, field_values) = rayon::join(|| views::Derived::new(cat), field_values);
        derived.telemetry = opts.telemetry.as_ref().map(|t| cat.rules.iter().map(|r| t.verdict(r)).collect());
        let ctx = Ctx::new(cat, &derived);
        let ((providers, platforms), same_events) =
            rayon::join(|| rayon::join(|| ctx.providers(), || ctx.platforms()), || proof::SameEvents::new(cat));
        Prepared { derived, providers, platforms, field_values, same_events }
    }
}

struct Renderer<'a> {
    ctx: Ctx<'a>,
    opts: &'a Options,
    prep: &'a Prepared,
}

/// Append a whole HTML page at `file` to `out`: the frame of every page around
/// what `main` appends (given the page's `root`, `../` per folder).
/// `samples`: the build has sample data (the site header links to it).
fn html(out: &mut Vec<u8>, file: &str, samples: bool, title: &str, main: impl FnOnce(&mut String, &str)) {
    let root = paths::root_of(file);
    // The bytes of a String are valid UTF-8, and `out` holds only what earlier pages wrote.
    let mut s = String::from_utf8(std::mem::take(out)).unwrap_or_default();
    templates::page(&mut s, &root, title, samples, |o| main(o, &root));
    *out = s.into_bytes();
}

/// A rule's page, laid out again with tighter bounds while it is larger than
/// [`rule_view::MAX_RULE_PAGE_BYTES`] (at most three times).
fn rule_html(out: &mut Vec<u8>, file: &str, samples: bool, title: &str, page: &mut RulePage<'_>) {
    let start = out.len();
    for tries in 0.. {
        html(out, file, samples, title, |o, root| templates::rule(o, page, root));
        if out.len() - start <= rule_view::MAX_RULE_PAGE_BYTES || tries == 3 {
            break;
        }
        out.truncate(start);
        page.tighten();
    }
}

fn json<T: Serialize + ?Sized>(out: &mut Vec<u8>, file: &str, v: &T, pretty: bool) -> Result<(), Error> {
    let r = if pretty { serde_json::to_writer_pretty(&mut *out, v) } else { serde_json::to_writer(&mut *out, v) };
    r.map_err(|e| Error::Json { page: file.into(), source: e })
}

impl Renderer<'_> {
    /// The sample data (only sample jobs ask, and there are none without it).
    fn samples(&self) -> &proof::Samples {
        static NONE: OnceLock<proof::Samples> = OnceLock::new();
        self.opts.samples.as_deref().unwrap_or_else(|| NONE.get_or_init(proof::Samples::default))
    }

    /// A technique page, with which of its rules fired when the build has sample data.
    fn technique_page(&self, id: &str) -> RulesPage {
        let mut p = self.ctx.technique_page(id);
        if let Some(s) = self.opts.samples.as_deref() {
            p.seen = Some(proof::rules_seen(&self.ctx, s, &self.ctx.technique_rules[id]));
        }
        p
    }

    fn rules_page(&self, out: &mut Vec<u8>, file: &str, p: RulesPage) {
        html(out, file, self.opts.samples.is_some(), &p.title, |o, root| templates::rules_page(o, &self.ctx, &p, root));
    }

    fn list(&self, out: &mut Vec<u8>, file: &str, p: ListPage) {
        html(out, file, self.opts.samples.is_some(), p.title, |o, root| {
            templates::list(o, p.title, p.intro, &p.groups, root)
        });
    }

    /// The site-relative file a job produces.
    fn file(&self, job: &Job) -> String {
        let c = self.ctx.cat;
        let dir = |u: &str| paths::file_of(u);
        match job {
            Job::Rule(i) => paths::rule_file(&c.rules[*i]),
            Job::RuleJson(i) => paths::rule_json_file(&c.rules[*i]),
            Job::RuleYaml(i) => paths::rule_yaml_file(&c.rules[*i]),
            Job::Home => "index.html".into(),
            Job::RulesList(page) => dir(&self.ctx.paths.rules_list_url(*page)),
            Job::RulesData => "assets/rules-list.js".into(),
            Job::Search => "search/index.html".into(),
            Job::Technique(id) => dir(&paths::technique_url(id)),
            Job::Tactic(id) => dir(&paths::tactic_url(id)),
            Job::Event(key) | Job::ReferenceEvent(key) => dir(&self.ctx.paths.events[key]),
            Job::EventJson(key) => paths::json_beside(&self.ctx.paths.events[key]),
            Job::TelemetryPage => "telemetry/index.html".into(),
            Job::TelemetryData => "assets/telemetry-data.js".into(),
            Job::TechniqueJson(id) => paths::json_beside(&paths::technique_url(id)),
            Job::Provider(name) => dir(&self.ctx.paths.providers[name]),
            Job::EventsIndex => "events/index.html".into(),
            Job::Logsource(label) => dir(&self.ctx.paths.logsources[label]),
            Job::LogsourcesIndex => "logsources/index.html".into(),
            Job::Platform(k) => dir(&paths::platform_url(&k.slug)),
            Job::PlatformsIndex => "platforms/index.html".into(),
            Job::Field(f) => dir(&self.ctx.paths.fields[f]),
            Job::FieldsIndex => "fields/index.html".into(),
            Job::Author(a) => dir(&self.ctx.paths.authors[a]),
            Job::AuthorsIndex => "authors/index.html".into(),
            Job::Indicator(k) => dir(self.ctx.paths.indicator_pages[*k].as_deref().unwrap_or_default()),
            Job::LeftOut(k) => dir(&self.ctx.paths.left_out[*k]),
            Job::LeftOutList => paths::LEFT_OUT_URL.into(),
            Job::Static(file, _) => (*file).into(),
            Job::ApiRules => "api/rules.json".into(),
            Job::SearchIndex => "assets/search-index.js".into(),
            Job::Navigator(corpus) => {
                format!("api/navigator/{}.json", paths::segment(corpus.as_deref().unwrap_or("all")))
            }
            Job::SameEvents(g) => dir(&self.prep.same_events.groups[*g].url),
            Job::SamplesIndex => "samples/index.html".into(),
            Job::SamplesJson => "samples/index.json".into(),
            Job::SamplesNeverFired => "samples/never-fired/index.html".into(),
            Job::Sample(k) => dir(&self.samples().files[*k].url),
            Job::SampleJson(k) => dir(&self.samples().files[*k].json_url),
        }
    }

    /// The bytes of the file `file` that `job` produces, in a new buffer.
    fn body(&self, job: &Job, file: &str, search: Option<&search::SearchIndex>) -> Result<Vec<u8>, Error> {
        let mut out = Vec::new();
        self.body_into(&mut out, job, file, search)?;
        Ok(out)
    }

    /// Append the bytes of the file `file` that `job` produces to `out`; `search` is the search
    /// index when already built.
    fn body_into(
        &self,
        out: &mut Vec<u8>,
        job: &Job,
        file: &str,
        search: Option<&search::SearchIndex>,
    ) -> Result<(), Error> {
        let c = self.ctx.cat;
        let prep = self.prep;
        match job {
            Job::Rule(i) => {
                let r = &c.rules[*i];
                let mut page = RulePage::site(self.ctx, r, Some(*i));
                page.neighbors.same_events_url = prep.same_events.url_of(*i).map(str::to_string);
                if let Some(s) = self.opts.samples.as_deref() {
                    let root = paths::root_of(file);
                    let (mut a, mut b) = (String::new(), String::new());
                    proof::rule_section(&mut a, &self.ctx, s, *i, &root);
                    proof::fires_together_html(&mut b, &self.ctx, s, *i, &root);
                    (page.samples_html, page.fires_together_html) = (Some(a), Some(b));
                }
                rule_html(out, file, self.opts.samples.is_some(), &r.title, &mut page);
            }
            Job::RuleJson(i) => {
                match self.opts.samples.as_deref() {
                    None => json(out, file, &c.rules[*i], false)?,
                    Some(s) => {
                        /// A rule's JSON with what it did on the sample events.
                        #[derive(Serialize)]
                        struct WithSamples<'a> {
                            #[serde(flatten)]
                            rule: &'a detwiki_catalog::RuleEntry,
                            samples: serde_json::Value,
                        }
                        let v = WithSamples { rule: &c.rules[*i], samples: proof::rule_json(&self.ctx, s, *i) };
                        json(out, file, &v, false)?
                    }
                }
                out.push(b'\n');
            }
            Job::RuleYaml(i) => {
                out.extend_from_slice(c.rules[*i].body.trim_end().as_bytes());
                out.push(b'\n');
            }
            Job::Home => {
                let mut home = self.ctx.home();
                if let Some(s) = self.opts.samples.as_deref() {
                    home.add_samples(&self.ctx, s);
                }
                html(out, file, self.opts.samples.is_some(), "Detection wiki", |o, root| {
                    templates::home(o, &home, root)
                });
            }
            Job::RulesList(page) => {
                let list = self.ctx.rules_list(*page);
                let title = if list.pages > 1 { format!("All rules, page {page}") } else { "All rules".into() };
                html(out, file, self.opts.samples.is_some(), &title, |o, root| templates::rules_list(o, &list, root));
            }
            Job::RulesData => {
                out.extend_from_slice(b"window.DETWIKI_RULES=");
                json(out, file, &self.ctx.rules_data(), false)?;
                out.extend_from_slice(b";\n");
            }
            Job::Search => html(out, file, self.opts.samples.is_some(), "Search", templates::search),
            Job::Technique(id) => self.rules_page(out, file, self.technique_page(id)),
            Job::Tactic(id) => self.rules_page(out, file, self.ctx.tactic_page(id)),
            Job::Event(key) => self.rules_page(out, file, self.ctx.event_page(key)),
            Job::ReferenceEvent(key) => self.rules_page(out, file, self.ctx.reference_event_page(key)),
            Job::TelemetryPage => {
                html(out, file, self.opts.samples.is_some(), "My telemetry", templates::telemetry_page)
            }
            Job::TelemetryData => {
                out.extend_from_slice(b"window.DETWIKI_TELEMETRY=");
                json(out, file, &telemetry::client_data(&self.ctx), false)?;
                out.extend_from_slice(b";\n");
            }
            Job::EventJson(key) => {
                let p = match self.ctx.cat.index.events.contains_key(key) {
                    true => self.ctx.event_page(key),
                    false => self.ctx.reference_event_page(key),
                };
                json(out, file, &pages::PageJson::of(&p, &self.ctx), false)?;
                out.push(b'\n');
            }
            Job::TechniqueJson(id) => {
                let p = self.technique_page(id);
                json(out, file, &pages::PageJson::of(&p, &self.ctx), false)?;
                out.push(b'\n');
            }
            Job::Provider(name) => {
                let events = prep.providers.get(name).cloned().unwrap_or_default();
                self.rules_page(out, file, self.ctx.provider_page(name, events))
            }
            Job::EventsIndex => self.list(out, file, self.ctx.events_index(&prep.providers)),
            Job::Logsource(label) => self.rules_page(out, file, self.ctx.logsource_page(label)),
            Job::LogsourcesIndex => self.list(out, file, self.ctx.logsources_index()),
            Job::Platform(k) => self.rules_page(out, file, self.ctx.platform_page(k, &prep.platforms[k])),
            Job::PlatformsIndex => self.list(out, file, self.ctx.platforms_index(&prep.platforms)),
            Job::Field(f) => {
                let values = prep.field_values.get(f.as_str()).map_or(&[][..], Vec::as_slice);
                self.rules_page(out, file, self.ctx.field_page(f, values));
            }
            Job::FieldsIndex => self.list(out, file, self.ctx.fields_index()),
            Job::Author(a) => self.rules_page(out, file, self.ctx.author_page(a)),
            Job::AuthorsIndex => self.list(out, file, self.ctx.authors_index()),
            Job::Indicator(k) => self.rules_page(out, file, self.ctx.indicator_page(*k)),
            Job::LeftOut(k) => {
                let title = format!("{} (left out)", c.failed[*k].path);
                html(out, file, self.opts.samples.is_some(), &title, |o, root| {
                    templates::left_out(o, &self.ctx, *k, root)
                });
            }
            Job::LeftOutList => html(out, file, self.opts.samples.is_some(), "Files left out", |o, root| {
                templates::left_out_list(o, &self.ctx, root)
            }),
            Job::Static(_, text) => out.extend_from_slice(text.as_bytes()),
            Job::ApiRules => json(out, file, &search::summary(c), false)?,
            Job::SearchIndex => {
                let built;
                let idx = match search {
                    Some(s) => s,
                    None => {
                        built = search::SearchIndex::build_with(&self.ctx, self.opts.samples.as_deref());
                        &built
                    }
                };
                out.extend_from_slice(b"window.DETWIKI_SEARCH=");
                json(out, file, idx, false)?;
                out.extend_from_slice(b";\n");
            }
            Job::Navigator(corpus) => {
                let layer = navigator::layer(c, corpus.as_deref(), self.opts.base_url.as_deref());
                json(out, file, &layer, true)?;
            }
            Job::SameEvents(g) => {
                let group = &prep.same_events.groups[*g];
                let mut p = self.ctx.rules_page("Events", proof::same_events_title(group), &group.rules, false);
                p.crumbs.push(views::Link::to("Events", "events/index.html"));
                self.rules_page(out, file, p);
            }
            Job::SamplesIndex => {
                let s = self.samples();
                html(out, file, self.opts.samples.is_some(), "Sample data", |o, root| proof::index_page(o, s, root));
            }
            Job::SamplesJson => json(out, file, &proof::index_json(&self.ctx, self.samples()), false)?,
            Job::SamplesNeverFired => {
                let s = self.samples();
                let mut p = self.ctx.rules_page(
                    "Sample data",
                    "Rules never exercised by any sample".into(),
                    &s.never_fired(),
                    false,
                );
                p.crumbs.push(views::Link::to("Sample data", "samples/index.html"));
                p.facts.push(("Note".into(), views::Link::text(proof::never_fired_intro(s))));
                self.rules_page(out, file, p);
            }
            Job::Sample(k) => {
                let s = self.samples();
                html(out, file, self.opts.samples.is_some(), &s.files[*k].name, |o, root| {
                    proof::sample_page(o, &self.ctx, s, *k, root)
                });
            }
            Job::SampleJson(k) => json(out, file, &proof::sample_json(&self.ctx, self.samples(), *k), false)?,
        }
        Ok(())
    }
}

fn jobs(cat: &Catalog, prep: &Prepared, opts: &Options) -> Vec<Job> {
    let c = cat;
    let mut jobs: Vec<Job> = vec![
        Job::Home,
        Job::RulesData,
        Job::Search,
        Job::EventsIndex,
        Job::LogsourcesIndex,
        Job::PlatformsIndex,
        Job::FieldsIndex,
        Job::AuthorsIndex,
        Job::LeftOutList,
        Job::Static("assets/style.css", STYLE_CSS),
        Job::Static("assets/app.js", APP_JS),
        Job::Static("assets/telemetry.js", TELEMETRY_JS),
        Job::TelemetryPage,
        Job::TelemetryData,
        Job::Static("assets/favicon.svg", FAVICON_SVG),
        Job::Static(".detwiki-site", "This folder is a site written by `detwiki build`; the next build replaces it.\n"),
        Job::ApiRules,
        Job::SearchIndex,
        Job::Navigator(None),
    ];
    jobs.extend(c.corpora.iter().map(|k| Job::Navigator(Some(k.name.clone()))));
    jobs.extend((1..=pages::rules_list_pages(c.rules.len())).map(Job::RulesList));
    for (i, r) in c.rules.iter().enumerate() {
        jobs.push(Job::Rule(i));
        jobs.push(Job::RuleJson(i));
        if rule_view::body_is_cut(r) {
            jobs.push(Job::RuleYaml(i));
        }
    }
    jobs.extend((0..c.failed.len()).map(Job::LeftOut));
    let techniques = Ctx::new(cat, &prep.derived).technique_ids();
    jobs.extend(techniques.iter().cloned().map(Job::TechniqueJson));
    jobs.extend(techniques.into_iter().map(Job::Technique));
    jobs.extend(c.index.tactics.keys().cloned().map(Job::Tactic));
    jobs.extend(c.index.events.keys().cloned().map(Job::Event));
    let reference = &prep.derived.paths.reference_events;
    jobs.extend(reference.keys().cloned().map(Job::ReferenceEvent));
    jobs.extend(c.index.events.keys().chain(reference.keys()).cloned().map(Job::EventJson));
    // Providers with rules, and those only the event data knows.
    jobs.extend(prep.derived.paths.providers.keys().cloned().map(Job::Provider));
    jobs.extend(c.index.logsources.keys().cloned().map(Job::Logsource));
    jobs.extend(prep.platforms.keys().cloned().map(Job::Platform));
    jobs.extend(c.index.fields.keys().cloned().map(Job::Field));
    jobs.extend(c.index.authors.keys().cloned().map(Job::Author));
    jobs.extend(
        c.index.indicators.iter().enumerate().filter(|(_, i)| i.rules.len() > 1).map(|(k, _)| Job::Indicator(k)),
    );
    jobs.extend((0..prep.same_events.groups.len()).map(Job::SameEvents));
    if let Some(s) = &opts.samples {
        jobs.extend([Job::SamplesIndex, Job::SamplesJson, Job::SamplesNeverFired]);
        for k in 0..s.files.len() {
            jobs.extend([Job::Sample(k), Job::SampleJson(k)]);
        }
    }
    jobs
}

/// A sink for produced files: `(site-relative path, bytes)`; called from many threads.
pub type Sink<'a> = dyn Fn(&str, &[u8]) -> Result<(), Error> + Sync + 'a;

/// Render the whole site, handing every file to `sink` (in parallel, in no
/// particular order). `start` is called once, before any file is made, with the
/// site-relative path of every file (to make their folders, count them …).
pub fn render(
    cat: &Catalog,
    opts: &Options,
    start: &dyn Fn(&[String]) -> Result<(), Error>,
    sink: &Sink<'_>,
) -> Result<Stats, Error> {
    let prep = Prepared::new(cat, opts);
    let r = Renderer { ctx: Ctx::new(cat, &prep.derived), opts, prep: &prep };
    let jobs = jobs(cat, &prep, opts);
    let files: Vec<String> = jobs.par_iter().map(|j| r.file(j)).collect();
    start(&files)?;
    let pages = AtomicUsize::new(0);
    let bytes = AtomicU64::new(0);
    let largest = AtomicU64::new(0);
    thread_local! {
        /// One buffer per thread, reused from file to file.
        static BUF: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    jobs.par_iter().zip(&files).try_for_each(|(job, file)| {
        BUF.with_borrow_mut(|out| {
            out.clear();
            r.body_into(out, job, file, None)?;
            if file.ends_with(".html") {
                pages.fetch_add(1, Ordering::Relaxed);
            }
            if matches!(job, Job::Rule(_)) {
                largest.fetch_max(out.len() as u64, Ordering::Relaxed);
            }
            bytes.fetch_add(out.len() as u64, Ordering::Relaxed);
            sink(file, out)
        })
    })?;
    Ok(Stats {
        rules: cat.rules.len(),
        pages: pages.into_inner(),
        files: jobs.len(),
        bytes: bytes.into_inner(),
        largest_rule_page: largest.into_inner(),
    })
}

/// Render one rule's page alone (for tests and previews).
pub fn render_rule_page(cat: &Catalog, rule: &detwiki_catalog::RuleEntry) -> String {
    let derived = views::Derived::new(cat);
    let ctx = Ctx::new(cat, &derived);
    let file = paths::rule_file(rule);
    let at = cat.rules.iter().position(|x| std::ptr::eq(x, rule));
    let mut page = Vec::new();
    let mut view = RulePage::site(ctx, rule, at);
    rule_html(&mut page, &file, false, &rule.title, &mut view);
    String::from_utf8(page).unwrap_or_default()
}

/// Render the whole site into memory: site-relative path → bytes.
pub fn render_to_memory(cat: &Catalog, opts: &Options) -> Result<(BTreeMap<String, Vec<u8>>, Stats), Error> {
    let files = std::sync::Mutex::new(BTreeMap::new());
    let stats = render(cat, opts, &|_| Ok(()), &|path, bytes| {
        files.lock().expect("no panics while holding the lock").insert(path.to_string(), bytes.to_vec());
        Ok(())
    })?;
    Ok((files.into_inner().expect("no panics while holding the lock"), stats))
}

/// The site of one catalog kept in memory, each file rendered on its first
/// request and cached: what `detwiki serve` answers from. Making one costs the
/// page places and lookups only, not the pages, so a server can swap in the
/// site of a changed catalog at once (the cache goes with the old site).
pub struct Site {
    cat: Catalog,
    prep: Prepared,
    opts: Options,
    jobs: Vec<Job>,
    routes: HashMap<String, usize>,
    cache: Vec<OnceLock<Vec<u8>>>,
    search: OnceLock<search::SearchIndex>,
}

impl std::fmt::Debug for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Site").field("rules", &self.cat.rules.len()).field("files", &self.jobs.len()).finish()
    }
}

impl Site {
    /// The site of `cat`; nothing is rendered yet.
    pub fn new(cat: Catalog, opts: Options) -> Site {
        let prep = Prepared::new(&cat, &opts);
        let jobs = jobs(&cat, &prep, &opts);
        let routes = {
            let r = Renderer { ctx: Ctx::new(&cat, &prep.derived), opts: &opts, prep: &prep };
            jobs.iter().enumerate().map(|(i, j)| (r.file(j), i)).collect()
        };
        let cache = jobs.iter().map(|_| OnceLock::new()).collect();
        Site { cat, prep, opts, jobs, routes, cache, search: OnceLock::new() }
    }

    /// The catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.cat
    }

    /// How many files the site has.
    pub fn len(&self) -> usize {
        self.jobs.len()
    }

    /// Whether the site has no file (never: the home page is always there).
    pub fn is_empty(&self) -> bool {
        self.jobs.is_empty()
    }

    /// Whether `file` (site-relative, `rules/index.html`) is a file of the site.
    pub fn contains(&self, file: &str) -> bool {
        self.routes.contains_key(file)
    }

    /// The bytes of `file`, rendered now when first asked for; `None` when
    /// the site has no such file.
    pub fn get(&self, file: &str) -> Option<Result<&[u8], Error>> {
        let &i = self.routes.get(file)?;
        if let Some(b) = self.cache[i].get() {
            return Some(Ok(b));
        }
        let r = Renderer { ctx: Ctx::new(&self.cat, &self.prep.derived), opts: &self.opts, prep: &self.prep };
        let search = matches!(self.jobs[i], Job::SearchIndex).then(|| self.search());
        Some(r.body(&self.jobs[i], file, search).map(|body| self.cache[i].get_or_init(|| body).as_slice()))
    }

    /// The bytes of `file` when it was already made.
    pub fn cached(&self, file: &str) -> Option<&[u8]> {
        self.cache[*self.routes.get(file)?].get().map(Vec::as_slice)
    }

    /// The page of left-out file `k` (position in [`Catalog::failed`]), site-relative.
    pub fn left_out_page(&self, k: usize) -> Option<&str> {
        self.prep.derived.paths.left_out.get(k).map(String::as_str)
    }

    /// The source file of left-out file `k`, when the catalog still has it.
    pub fn left_out_file(&self, k: usize) -> Option<&detwiki_catalog::SourceFile> {
        let i = (*self.prep.derived.left_out_files.get(k)?)?;
        self.cat.files.get(i).map(|f| &**f)
    }

    /// The search index, when already built.
    pub fn search_if_built(&self) -> Option<&search::SearchIndex> {
        self.search.get()
    }

    /// The search index (built on first use).
    pub fn search(&self) -> &search::SearchIndex {
        self.search.get_or_init(|| {
            search::SearchIndex::build_with(&Ctx::new(&self.cat, &self.prep.derived), self.opts.samples.as_deref())
        })
    }
}
