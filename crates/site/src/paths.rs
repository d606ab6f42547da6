//! Where every page lives. URLs are site-relative paths (`rules/sigma/x/index.html`),
//! percent-encoded per segment; pages print them after their `root` prefix
//! (`../../../`) so the site works from any folder, a static host or `file://`.
//!
//! Page names come from the catalog (corpus names, slugs) or are made unique
//! here over sorted names (providers, fields, authors, logsources), so they are
//! stable from build to build for the same corpus.

use std::collections::{BTreeMap, HashMap, HashSet};

use detwiki_catalog::indicators::RowKey;
use detwiki_catalog::{Catalog, RuleEntry};
use detwiki_sigma::DocumentKind;
use detwiki_taxonomy::logsource::{self, Lookup, Platform};

use crate::html::pct;

/// A name made safe as one path segment: no separators, no leading dot.
pub fn segment(s: &str) -> String {
    let mut out: String = s.chars().map(|c| if c == '/' || c == '\\' || c.is_control() { '_' } else { c }).collect();
    if out.is_empty() || out.starts_with('.') {
        out.insert(0, '_');
    }
    out
}

/// Lowercase letters and digits joined by `-`, at most 60 characters.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 60 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_string();
    if out.is_empty() { "x".into() } else { out }
}

/// Unique slugs for sorted names (`name`, `name-2`, …).
fn unique_slugs<'a>(names: impl Iterator<Item = &'a String>) -> HashMap<String, String> {
    let mut taken = HashSet::new();
    let mut out = HashMap::new();
    for n in names {
        let base = slugify(n);
        let mut s = base.clone();
        let mut i = 2;
        while !taken.insert(s.clone()) {
            s = format!("{base}-{i}");
            i += 1;
        }
        out.insert(n.clone(), s);
    }
    out
}

/// The identity of one indicator value as text (row key + normalised value).
pub fn indicator_key(key: &RowKey, norm: &str) -> String {
    format!(
        "{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}\u{1}{}",
        key.field.as_deref().unwrap_or(""),
        key.kind.as_str(),
        key.transforms.join(","),
        key.cased,
        key.exclusion,
        norm
    )
}

/// 64-bit FNV-1a, as 16 hex digits: a stable page name for an indicator.
fn fnv(s: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// A platform page: Windows, Linux, macOS, each cloud or identity source, network, applications.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct PlatformKey {
    /// Sort rank (Windows first).
    pub rank: u8,
    /// Page name.
    pub slug: String,
    /// Title.
    pub title: String,
}

fn cloud_title(product: &str) -> String {
    match product {
        "aws" => "AWS".into(),
        "azure" => "Azure".into(),
        "gcp" => "Google Cloud".into(),
        "m365" => "Microsoft 365".into(),
        "okta" => "Okta".into(),
        "onelogin" => "OneLogin".into(),
        "github" => "GitHub".into(),
        "bitbucket" => "Bitbucket".into(),
        "kubernetes" => "Kubernetes".into(),
        "google_workspace" => "Google Workspace".into(),
        "cisco" => "Cisco".into(),
        other => other.to_string(),
    }
}

/// The platform of a rule's logsource (the taxonomy's, or by product when unmapped).
pub fn platform_of(r: &RuleEntry) -> PlatformKey {
    let ls = &r.logsource;
    let product = ls.product.as_deref().map(str::to_lowercase);
    let by_table = match logsource::lookup(ls.product.as_deref(), ls.category.as_deref(), ls.service.as_deref()) {
        Lookup::Mapped(m) => Some(m.platform),
        _ => None,
    };
    let platform = by_table.or(match product.as_deref() {
        Some("windows") => Some(Platform::Windows),
        Some("linux") => Some(Platform::Linux),
        Some("macos") => Some(Platform::MacOs),
        _ => None,
    });
    let key = |rank, slug: &str, title: &str| PlatformKey { rank, slug: slug.into(), title: title.into() };
    match platform {
        Some(Platform::Windows) => key(0, "windows", "Windows"),
        Some(Platform::Linux) => key(1, "linux", "Linux"),
        Some(Platform::MacOs) => key(2, "macos", "macOS"),
        Some(Platform::Cloud) => {
            let p = product.unwrap_or_else(|| "cloud".into());
            PlatformKey { rank: 3, slug: slugify(&p), title: cloud_title(&p) }
        }
        Some(Platform::Network) => key(4, "network", "Network"),
        Some(Platform::Application) => key(5, "application", "Applications"),
        None if r.kind == DocumentKind::Correlation => key(7, "correlations", "Correlations"),
        None => key(6, "other", "Other sources"),
    }
}

/// Page locations for one catalog.
#[derive(Debug, Default)]
pub struct Paths {
    /// Event index key → page URL (`events/sysmon/13/index.html`).
    pub events: HashMap<String, String>,
    /// Event index key → how a list names the event within its provider: `Event ID 13`, with
    /// the channel when the provider has that id on more than one channel
    /// (`Event ID 8003 (Microsoft-Windows-AppLocker/MSI and Script)`), `any event of <channel>`.
    pub event_labels: HashMap<String, String>,
    /// Provider → page URL.
    pub providers: BTreeMap<String, String>,
    /// Field → page URL.
    pub fields: HashMap<String, String>,
    /// Author → page URL.
    pub authors: HashMap<String, String>,
    /// Logsource label → page URL.
    pub logsources: HashMap<String, String>,
    /// Indicator position → page URL (values shared by at least two rules have one).
    pub indicator_pages: Vec<Option<String>>,
    /// Rule position → platform.
    pub platforms: Vec<PlatformKey>,
    /// Left-out file (position in [`Catalog::failed`]) → its page, where its rule's page would be
    /// (`rules/<corpus>/<file stem>/index.html`, suffixed when a rule has that name).
    pub left_out: Vec<String>,
    /// The folder under `rules/` of the rules list's pages after the first: `page`, or `page_`
    /// (`page__` …) when a corpus is named so, as corpus folders are `rules/<corpus>/`.
    pub list_pages: String,
}

impl Paths {
    /// Assign every page of the catalog its place.
    pub fn new(c: &Catalog) -> Paths {
        let mut p = Paths::default();
        let providers: std::collections::BTreeSet<&String> = c.index.events.values().map(|e| &e.provider).collect();
        let prov = unique_slugs(providers.iter().copied());
        for (name, slug) in &prov {
            p.providers.insert(name.clone(), format!("events/{}/index.html", pct(slug)));
        }
        let mut seen: HashMap<(String, Option<u32>), usize> = HashMap::new();
        for e in c.index.events.values() {
            *seen.entry((e.provider.clone(), e.event_id)).or_default() += 1;
        }
        let mut taken = HashSet::new();
        for (key, e) in &c.index.events {
            let id = e.event_id.map_or_else(|| "any".to_string(), |n| n.to_string());
            let mut leaf =
                if seen[&(e.provider.clone(), e.event_id)] > 1 { format!("{id}-{}", slugify(&e.channel)) } else { id };
            let dir = p.providers[&e.provider].trim_end_matches("index.html").to_string();
            while !taken.insert(format!("{dir}{leaf}")) {
                leaf.push('_');
            }
            p.events.insert(key.clone(), format!("{dir}{}/index.html", pct(&leaf)));
            let ambiguous = seen[&(e.provider.clone(), e.event_id)] > 1;
            p.event_labels.insert(key.clone(), event_label(e.event_id, &e.channel, ambiguous));
        }
        for (name, slug) in unique_slugs(c.index.fields.keys()) {
            p.fields.insert(name, format!("fields/{}/index.html", pct(&slug)));
        }
        for (name, slug) in unique_slugs(c.index.authors.keys()) {
            p.authors.insert(name, format!("authors/{}/index.html", pct(&slug)));
        }
        for (name, slug) in unique_slugs(c.index.logsources.keys()) {
            p.logsources.insert(name, format!("logsources/{}/index.html", pct(&slug)));
        }
        let mut used = HashSet::new();
        p.indicator_pages = vec![None; c.index.indicators.len()];
        for (pos, ind) in c.index.indicators.iter().enumerate() {
            if ind.rules.len() > 1 {
                let key = indicator_key(&ind.key, &ind.norm);
                let mut name = fnv(&key);
                while !used.insert(name.clone()) {
                    name = fnv(&format!("{name}{key}"));
                }
                p.indicator_pages[pos] = Some(format!("indicators/{name}.html"));
            }
        }
        p.platforms = c.rules.iter().map(platform_of).collect();
        p.left_out = left_out_urls(c);
        p.list_pages = "page".into();
        while c.corpora.iter().any(|k| segment(&k.name) == p.list_pages) {
            p.list_pages.push('_');
        }
        p
    }

    /// The URL of page `page` (from 1) of the rules list: `rules/index.html`, then
    /// `rules/page/2/index.html` ….
    pub fn rules_list_url(&self, page: usize) -> String {
        if page <= 1 { "rules/index.html".into() } else { format!("rules/{}/{page}/index.html", pct(&self.list_pages)) }
    }
}

/// The page of each left-out file: its file stem in its corpus, like a rule's page, with `-2`,
/// `-3` … when a rule (or another left-out file) already has that name.
fn left_out_urls(c: &Catalog) -> Vec<String> {
    let mut taken: HashSet<(String, String)> = c.rules.iter().map(|r| (segment(&r.corpus), segment(&r.slug))).collect();
    c.failed
        .iter()
        .map(|f| {
            let corpus = segment(&f.corpus);
            let stem = f.path.rsplit('/').next().unwrap_or(&f.path);
            let stem = stem.strip_suffix(".yml").or_else(|| stem.strip_suffix(".yaml")).unwrap_or(stem);
            let base = segment(stem);
            let mut name = base.clone();
            let mut n = 2;
            while !taken.insert((corpus.clone(), name.clone())) {
                name = format!("{base}-{n}");
                n += 1;
            }
            format!("rules/{}/{}/index.html", pct(&corpus), pct(&name))
        })
        .collect()
}

/// How a list names an event within its provider: `Event ID 13`; with the channel when the
/// provider has that id on more than one channel (`ambiguous`: `Event ID 8003
/// (Microsoft-Windows-AppLocker/MSI and Script)`); `any event of <channel>` for a source without ids.
pub fn event_label(event_id: Option<u32>, channel: &str, ambiguous: bool) -> String {
    match event_id {
        Some(n) if ambiguous => format!("Event ID {n} ({channel})"),
        Some(n) => format!("Event ID {n}"),
        None => format!("any event of {channel}"),
    }
}

/// An event's name in a list: its label, then its title when it has one (`Event ID 13:
/// RegistryEvent (Value Set)`; `Event ID 4624` with no title, never a dangling colon).
pub fn event_name(label: &str, title: &str) -> String {
    if title.is_empty() { label.to_string() } else { format!("{label}: {title}") }
}

/// The page listing every left-out file.
pub const LEFT_OUT_URL: &str = "left-out/index.html";

/// The rule's page page URL.
pub fn rule_url(r: &RuleEntry) -> String {
    format!("rules/{}/{}/index.html", pct(&segment(&r.corpus)), pct(&segment(&r.slug)))
}

/// The rule's JSON URL.
pub fn rule_json_url(r: &RuleEntry) -> String {
    format!("rules/{}/{}.json", pct(&segment(&r.corpus)), pct(&segment(&r.slug)))
}

/// The URL of the rule's complete YAML (written for rules whose page shows the body cut).
pub fn rule_yaml_url(r: &RuleEntry) -> String {
    format!("rules/{}/{}.yml", pct(&segment(&r.corpus)), pct(&segment(&r.slug)))
}

/// The rule's YAML file, relative to the site root.
pub fn rule_yaml_file(r: &RuleEntry) -> String {
    format!("rules/{}/{}.yml", segment(&r.corpus), segment(&r.slug))
}

/// The rule's page file, relative to the site root.
pub fn rule_file(r: &RuleEntry) -> String {
    format!("rules/{}/{}/index.html", segment(&r.corpus), segment(&r.slug))
}

/// The rule's JSON file, relative to the site root.
pub fn rule_json_file(r: &RuleEntry) -> String {
    format!("rules/{}/{}.json", segment(&r.corpus), segment(&r.slug))
}

/// A technique page URL (`techniques/T1090.001/index.html`).
pub fn technique_url(id: &str) -> String {
    format!("techniques/{}/index.html", pct(&segment(id)))
}

/// A tactic page URL.
pub fn tactic_url(id: &str) -> String {
    format!("tactics/{}/index.html", pct(&segment(id)))
}

/// A platform page URL.
pub fn platform_url(slug: &str) -> String {
    format!("platforms/{}/index.html", pct(slug))
}

/// The file that a folder or page URL names (decoded, `index.html` added to folders).
pub fn file_of(url: &str) -> String {
    let decoded = crate::html::pct_decode(url);
    if decoded.ends_with('/') || decoded.is_empty() { format!("{decoded}index.html") } else { decoded }
}

/// `../` once per folder of a site-relative file path.
pub fn root_of(file: &str) -> String {
    "../".repeat(file.matches('/').count())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slugify("Florian Roth (Nextron Systems)"), "florian-roth-nextron-systems");
        assert_eq!(slugify("<script>"), "script");
        assert_eq!(slugify("!!!"), "x");
        assert_eq!(segment(".."), "_..");
        assert_eq!(segment("a/b"), "a_b");
        let names = ["Image".to_string(), "image".to_string()];
        let m = unique_slugs(names.iter());
        assert_eq!((m["Image"].as_str(), m["image"].as_str()), ("image", "image-2"));
        assert_eq!(root_of("rules/sigma/x/index.html"), "../../../");
        assert_eq!(file_of("events/sysmon/13/"), "events/sysmon/13/index.html");
    }
}
