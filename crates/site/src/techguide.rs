//! A technique page's "Events covered" and "Authoring guide": the events its rules read, and
//! the fields they filter most, how (kinds) and with which values. Field names are the
//! catalog's canonical ones (`taxonomy::fields`), so rules of every language meet in one row;
//! each rule counts once per row. (The exclusions are the page's "Exclusions" section, the same
//! table every rules page has.)

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::Serialize;

use crate::templates::{a_or_text, esc, num};
use crate::views::{Ctx, kind_label};

/// Fields shown in the authoring guide.
const GUIDE_FIELDS: usize = 15;
/// Sample values shown per field.
const SAMPLES: usize = 4;

/// An event the technique's rules read.
#[derive(Clone, Debug, Serialize)]
pub struct Covered {
    /// Provider as the wiki names it.
    pub provider: String,
    /// Channel.
    pub channel: String,
    /// Event id.
    pub event_id: Option<u32>,
    /// Title (empty when no source has one).
    pub title: String,
    /// Its page.
    pub url: Option<String>,
    /// Rules of the technique that read it.
    pub rules: usize,
}

/// One field of the authoring guide.
#[derive(Clone, Debug, Serialize)]
pub struct GuideRow {
    /// Canonical field name.
    pub field: String,
    /// Its field page.
    pub url: Option<String>,
    /// Rules that filter on it (positive terms), each once.
    pub rules: usize,
    /// How: kind → rules.
    pub kinds: Vec<(String, usize)>,
    /// The values most rules use: value → rules.
    pub samples: Vec<(String, usize)>,
}

/// The events covered and the authoring guide of a set of rules.
#[derive(Clone, Debug, Serialize)]
pub struct Guide {
    /// Events, most rules first.
    pub events: Vec<Covered>,
    /// Fields, most rules first.
    pub fields: Vec<GuideRow>,
}

/// Per field: its rules, per kind its rules, per value its rules.
type Tally<'a> = (BTreeSet<usize>, BTreeMap<String, BTreeSet<usize>>, HashMap<&'a str, BTreeSet<usize>>);

/// Build the guide of `rules` (positions in the catalog).
pub fn guide(ctx: &Ctx<'_>, rules: &[usize]) -> Guide {
    let cat = ctx.cat;
    let mut events: BTreeMap<(String, String, Option<u32>), (String, usize)> = BTreeMap::new();
    let mut fields: HashMap<&str, Tally<'_>> = HashMap::new();
    for &i in rules {
        let r = &cat.rules[i];
        let mut seen = BTreeSet::new();
        for e in &r.events {
            if seen.insert((&e.provider, &e.channel, e.event_id)) {
                let slot = events
                    .entry((e.provider.clone(), e.channel.clone(), e.event_id))
                    .or_insert_with(|| (e.title.clone(), 0));
                slot.1 += 1;
            }
        }
        for row in r.indicators.iter().filter(|row| !row.key.exclusion) {
            let Some(f) = row.key.field.as_deref() else { continue };
            let slot = fields.entry(f).or_default();
            slot.0.insert(i);
            slot.1.entry(kind_label(&row.key)).or_default().insert(i);
            for v in &row.values {
                slot.2.entry(v.value.as_str()).or_default().insert(i);
            }
        }
    }
    let mut events: Vec<Covered> = events
        .into_iter()
        .map(|((provider, channel, event_id), (title, n))| {
            let key = format!("{provider}|{channel}|{}", event_id.map(|n| n.to_string()).unwrap_or_default());
            Covered { url: ctx.paths.events.get(&key).cloned(), provider, channel, event_id, title, rules: n }
        })
        .collect();
    events.sort_by(|a, b| b.rules.cmp(&a.rules).then((&a.provider, a.event_id).cmp(&(&b.provider, b.event_id))));
    let mut rows: Vec<GuideRow> = fields
        .into_iter()
        .map(|(f, (rs, kinds, values))| {
            let mut kinds: Vec<(String, usize)> = kinds.into_iter().map(|(k, s)| (k, s.len())).collect();
            kinds.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let mut samples: Vec<(String, usize)> = values.into_iter().map(|(v, s)| (v.to_string(), s.len())).collect();
            samples.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            samples.truncate(SAMPLES);
            GuideRow { field: f.to_string(), url: ctx.paths.fields.get(f).cloned(), rules: rs.len(), kinds, samples }
        })
        .collect();
    rows.sort_by(|a, b| b.rules.cmp(&a.rules).then(a.field.cmp(&b.field)));
    rows.truncate(GUIDE_FIELDS);
    Guide { events, fields: rows }
}

/// The two sections (each only when it has rows).
pub fn render(out: &mut String, g: &Guide, root: &str) {
    if !g.events.is_empty() {
        out.push_str(
            "\n<section id=\"events-covered\">\n<h2>Events covered</h2>\n<div class=\"tablewrap\"><table class=\"covered\">\
             \n<thead><tr><th scope=\"col\">Provider</th><th scope=\"col\" class=\"num\">Event ID</th><th scope=\"col\">Title</th>\
             <th scope=\"col\" class=\"num\">Rules</th></tr></thead>\n<tbody>",
        );
        for e in &g.events {
            out.push_str("\n<tr><td>");
            esc(out, &e.provider);
            out.push_str("</td><td class=\"num\">");
            let id = e.event_id.map_or_else(|| "any".to_string(), |n| n.to_string());
            a_or_text(out, root, e.url.as_deref(), &id);
            out.push_str("</td><td>");
            if e.title.is_empty() {
                out.push_str("<span class=\"none\">no title in the sources</span>");
            } else {
                esc(out, &e.title);
            }
            out.push_str("</td><td class=\"num\">");
            num(out, e.rules);
            out.push_str("</td></tr>");
        }
        out.push_str("\n</tbody></table></div>\n</section>");
    }
    if !g.fields.is_empty() {
        out.push_str(
            "\n<section id=\"authoring-guide\">\n<h2>Authoring guide</h2>\n<p class=\"note\">The fields these rules filter \
             most (canonical names, every language in one row; each rule counted once per row), how, and the values most \
             of them use.</p>\n<div class=\"tablewrap\"><table class=\"guide\">\n<thead><tr><th scope=\"col\">Field</th>\
             <th scope=\"col\" class=\"num\">Rules</th><th scope=\"col\">How</th><th scope=\"col\">Sample values</th></tr>\
             </thead>\n<tbody>",
        );
        for f in &g.fields {
            out.push_str("\n<tr><td><code>");
            a_or_text(out, root, f.url.as_deref(), &f.field);
            out.push_str("</code></td><td class=\"num\">");
            num(out, f.rules);
            out.push_str("</td><td>");
            for (k, (kind, n)) in f.kinds.iter().enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                esc(out, kind);
                out.push_str(" <span class=\"n\">");
                num(out, *n);
                out.push_str("</span>");
            }
            out.push_str("</td><td>");
            for (k, (v, n)) in f.samples.iter().enumerate() {
                if k > 0 {
                    out.push(' ');
                }
                out.push_str("<code class=\"val\">");
                esc(out, v);
                out.push_str("</code> <span class=\"n\">");
                num(out, *n);
                out.push_str("</span>");
            }
            out.push_str("</td></tr>");
        }
        out.push_str("\n</tbody></table></div>\n</section>");
    }
}
