//! What an event is, on its page and its provider's: the reference facts of `detwiki-eventdata`
//! (title, description, level, task, opcode, version, message template, typed fields, an
//! example, collection guidance, sources credited) beside what the catalog's rules read.
//!
//! Every event the data knows gets a page, whether or not a rule reads it: [`reference_only`]
//! lists those no catalog event stands for, under the provider name the taxonomy gives them.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use detwiki_catalog::Catalog;
use detwiki_eventdata::{EventInfo, Part, Source, Sourced};
use serde::Serialize;

use crate::templates::{esc, name_counts, num};

/// The event data's entry for a catalog event (`provider` as the taxonomy names it).
pub fn info_for(provider: &str, channel: &str, id: u32) -> Option<&'static EventInfo> {
    detwiki_eventdata::lookup(channel, id).or_else(|| {
        let etw = detwiki_taxonomy::logsource::mappings()
            .iter()
            .flat_map(|m| m.events.iter())
            .find(|e| e.provider == provider && e.channel.eq_ignore_ascii_case(channel))
            .and_then(|e| e.provider_name)?;
        detwiki_eventdata::lookup_provider(etw, id)
    })
}

/// The provider name the wiki shows for an event of the data: the taxonomy's (its row for the
/// whole channel first), else the ETW name without `Microsoft-Windows-`.
pub fn display_provider(e: &EventInfo) -> String {
    let rows = || detwiki_taxonomy::logsource::mappings().iter().flat_map(|m| m.events.iter());
    let same = |r: &&detwiki_taxonomy::logsource::EventSource| {
        r.provider_name.is_some_and(|p| p.eq_ignore_ascii_case(&e.provider))
    };
    rows()
        .filter(same)
        .filter(|r| r.channel.eq_ignore_ascii_case(&e.channel))
        .min_by_key(|r| r.event_id.is_some())
        .or_else(|| rows().find(same))
        .map(|r| r.provider.to_string())
        .unwrap_or_else(|| e.provider.strip_prefix("Microsoft-Windows-").unwrap_or(&e.provider).to_string())
}

/// Events of the data that no catalog event stands for (no rule reads them), by the index key
/// they get (`provider|channel|id`).
pub fn reference_only(cat: &Catalog) -> BTreeMap<String, (String, &'static EventInfo)> {
    let read: HashSet<(String, u32)> =
        cat.index.events.values().filter_map(|e| Some((e.channel.to_ascii_lowercase(), e.event_id?))).collect();
    let mut out = BTreeMap::new();
    for e in detwiki_eventdata::events() {
        if read.contains(&(e.channel.to_ascii_lowercase(), e.id)) {
            continue;
        }
        let provider = display_provider(e);
        out.insert(format!("{provider}|{}|{}", e.channel, e.id), (provider, e));
    }
    out
}

/// One field of an event page: the data's facts and the rules that read it.
#[derive(Clone, Debug, Serialize)]
pub struct FieldRow {
    /// Name.
    pub name: String,
    /// Type, when a source gives it.
    #[serde(rename = "type")]
    pub ty: Option<String>,
    /// Description.
    pub description: Option<Sourced>,
    /// Its field page, when rules use it.
    #[serde(skip)]
    pub url: Option<String>,
    /// Rules of the page that read it.
    pub rules: usize,
    /// The same per language (`sigma`, `elastic`).
    pub by_language: Vec<(String, usize)>,
    /// False for a field the rules read that the sources do not list for this event.
    pub in_schema: bool,
}

/// The reference section of an event page.
#[derive(Clone, Debug, Serialize)]
pub struct EventRef {
    /// The data.
    pub info: &'static EventInfo,
    /// Its fields with rule counts, then the fields rules read that it does not list.
    pub fields: Vec<FieldRow>,
    /// The sources the page shows facts of.
    pub sources: Vec<&'static Source>,
}

/// Build the reference of `info` for a page whose rules are `rules` (positions in `cat`), each
/// rule's fields renamed through its event row's field map for this event.
pub fn event_ref(
    cat: &Catalog,
    info: &'static EventInfo,
    rules: &[usize],
    field_urls: &std::collections::HashMap<String, String>,
) -> EventRef {
    // field (lower-cased) → language → rules
    let mut reads: BTreeMap<String, (String, BTreeMap<&'static str, usize>)> = BTreeMap::new();
    for &i in rules {
        let r = &cat.rules[i];
        let map: Vec<(String, String)> = r
            .events
            .iter()
            .find(|e| e.event_id == Some(info.id) && e.channel.eq_ignore_ascii_case(&info.channel))
            .map(|e| e.field_map.clone())
            .unwrap_or_default();
        let fields: BTreeSet<&str> = r.indicators.iter().filter_map(|row| row.key.field.as_deref()).collect();
        let mut seen = HashSet::new();
        for f in fields {
            let f = map.iter().find(|(a, _)| a == f).map_or(f, |(_, b)| b.as_str());
            if !seen.insert(f.to_ascii_lowercase()) {
                continue;
            }
            let slot = reads.entry(f.to_ascii_lowercase()).or_insert_with(|| (f.to_string(), BTreeMap::new()));
            *slot.1.entry(r.language).or_default() += 1;
        }
    }
    let row = |name: &str,
               ty: Option<String>,
               description: Option<Sourced>,
               in_schema: bool,
               reads: Option<&(String, BTreeMap<&'static str, usize>)>| {
        let by_language: Vec<(String, usize)> =
            reads.map(|(_, m)| m.iter().map(|(l, n)| (l.to_string(), *n)).collect()).unwrap_or_default();
        FieldRow {
            name: name.to_string(),
            ty,
            description,
            url: field_urls.get(name).cloned(),
            rules: by_language.iter().map(|(_, n)| n).sum(),
            by_language,
            in_schema,
        }
    };
    let mut fields: Vec<FieldRow> = info
        .fields
        .iter()
        .map(|f| row(&f.name, f.ty.clone(), f.description.clone(), true, reads.get(&f.name.to_ascii_lowercase())))
        .collect();
    let listed: HashSet<String> = info.fields.iter().map(|f| f.name.to_ascii_lowercase()).collect();
    for (k, r) in &reads {
        if !listed.contains(k) && !SYSTEM_FIELDS.iter().any(|s| s.eq_ignore_ascii_case(k)) {
            fields.push(row(&r.0, None, None, false, Some(r)));
        }
    }
    EventRef { info, fields, sources: sources_of(info) }
}

/// Fields every event has (its System part), which the field table does not list.
const SYSTEM_FIELDS: &[&str] =
    &["EventID", "Channel", "Provider_Name", "Computer", "Level", "Task", "Opcode", "Keywords", "Version"];

/// The sources whose facts `e` shows, in the data's order.
fn sources_of(e: &EventInfo) -> Vec<&'static Source> {
    let mut ids: BTreeSet<&str> = BTreeSet::new();
    for s in [&e.title, &e.description, &e.level, &e.task, &e.opcode].into_iter().flatten() {
        ids.insert(&s.source);
    }
    if let Some(t) = &e.template {
        ids.insert(&t.source);
    }
    if let Some(s) = &e.fields_source {
        ids.insert(s);
    }
    for f in &e.fields {
        if let Some(d) = &f.description {
            ids.insert(&d.source);
        }
    }
    if let Some(x) = &e.example {
        ids.insert(&x.source);
    }
    for r in &e.collection {
        ids.insert(&r.by);
    }
    for r in &e.requires {
        ids.insert(&r.source);
    }
    detwiki_eventdata::data().sources.iter().filter(|s| ids.contains(s.id.as_str())).collect()
}

/// The credit name of source `id` (`OSSEM-DD`), for "from …" notes.
fn source_name(id: &str) -> &str {
    match id {
        "ossem-dd" => "OSSEM-DD",
        "sysinternals" => "Sysinternals",
        "winevt-kb" => "winevt-kb",
        "evtxecmd" => "EvtxECmd",
        "nsa" => "NSA",
        "acsc" => "ASD/ACSC",
        "palantir" => "Palantir",
        "evtx-attack-samples" => "EVTX-ATTACK-SAMPLES",
        "taxonomy" => "detwiki's taxonomy",
        other => other,
    }
}

/// "not in OSSEM-DD, Sysinternals, winevt-kb or EvtxECmd": where a fact was looked for.
const LOOKED_IN: &str = "OSSEM-DD, Sysinternals, winevt-kb or EvtxECmd";

fn from(out: &mut String, source: &str) {
    out.push_str(" <span class=\"src\">(");
    esc(out, source_name(source));
    out.push_str(")</span>");
}

/// A fact or the note that no source has it.
fn fact(out: &mut String, label: &str, v: Option<&Sourced>) {
    out.push_str("\n<div><dt>");
    esc(out, label);
    out.push_str("</dt><dd>");
    match v {
        Some(s) => {
            esc(out, &s.text);
            from(out, &s.source);
        }
        None => {
            out.push_str("<span class=\"none\">not in ");
            esc(out, LOOKED_IN);
            out.push_str("</span>");
        }
    }
    out.push_str("</dd></div>");
}

/// The event page's reference sections: facts, description, message template, fields,
/// example, collection, sources.
pub fn render(out: &mut String, r: &EventRef, root: &str) {
    let e = r.info;
    out.push_str("\n<section id=\"event-reference\">\n<h2>About this event</h2>\n<dl class=\"facts\">");
    out.push_str("\n<div><dt>Provider (ETW)</dt><dd><code>");
    esc(out, &e.provider);
    out.push_str("</code></dd></div>\n<div><dt>Channel</dt><dd><code>");
    esc(out, &e.channel);
    out.push_str("</code></dd></div>");
    fact(out, "Title", e.title.as_ref());
    fact(out, "Level", e.level.as_ref());
    fact(out, "Task", e.task.as_ref());
    fact(out, "Opcode", e.opcode.as_ref());
    out.push_str("\n<div><dt>Version</dt><dd>");
    match e.version {
        Some(v) => num(out, v as usize),
        None => out.push_str("<span class=\"none\">not in the sources</span>"),
    }
    out.push_str("</dd></div>\n</dl>");
    out.push_str("\n<h3>Description</h3>");
    match &e.description {
        Some(d) => {
            for para in d.text.split("\n\n") {
                out.push_str("\n<p>");
                esc(out, para);
                out.push_str("</p>");
            }
            out.push_str("\n<p class=\"note\">From ");
            esc(out, source_name(&d.source));
            out.push_str(".</p>");
        }
        None => {
            out.push_str("\n<p class=\"none\">No description in ");
            esc(out, LOOKED_IN);
            out.push_str(".</p>");
        }
    }
    out.push_str("\n</section>");
    template(out, e);
    fields(out, r, root);
    example(out, e);
    collection(out, e);
    credits(out, &r.sources);
}

fn template(out: &mut String, e: &EventInfo) {
    out.push_str("\n<section id=\"message\">\n<h2>Message template</h2>");
    let Some(t) = &e.template else {
        out.push_str("\n<p class=\"none\">No message template in winevt-kb or the Sysmon schema.</p>\n</section>");
        return;
    };
    out.push_str("\n<p class=\"note\">Placeholders are shown as the fields they stand for. From ");
    esc(out, source_name(&t.source));
    out.push_str(": ");
    esc(out, &t.origin);
    out.push_str(".</p>\n<pre class=\"message\">");
    for p in &t.parts {
        match p {
            Part::Text(s) => esc(out, s),
            Part::Param(n) => {
                out.push_str("<span class=\"ph\">");
                match t.param_name(*n) {
                    Some(name) => {
                        out.push('{');
                        esc(out, name);
                        out.push('}');
                    }
                    None => {
                        out.push('%');
                        num(out, *n);
                    }
                }
                out.push_str("</span>");
            }
        }
    }
    out.push_str("</pre>\n</section>");
}

fn fields(out: &mut String, r: &EventRef, root: &str) {
    let e = r.info;
    out.push_str("\n<section id=\"event-fields\">\n<h2>Fields <span class=\"n\">");
    num(out, e.fields.len());
    out.push_str("</span></h2>");
    if e.fields.is_empty() {
        out.push_str("\n<p class=\"none\">No field list in ");
        esc(out, LOOKED_IN);
        out.push_str(".</p>");
    } else if let Some(s) = &e.fields_source {
        out.push_str("\n<p class=\"note\">Names");
        if e.fields.iter().any(|f| f.ty.is_some()) {
            out.push_str(" and types");
        }
        out.push_str(" from ");
        esc(out, source_name(s));
        out.push_str("; rules counted per language, each once per field.</p>");
    }
    if r.fields.is_empty() {
        out.push_str("\n</section>");
        return;
    }
    out.push_str(
        "\n<div class=\"tablewrap\"><table class=\"event-fields\">\n<thead><tr><th scope=\"col\">Field</th>\
         <th scope=\"col\">Type</th><th scope=\"col\">Description</th><th scope=\"col\" class=\"num\">Rules</th>\
         </tr></thead>\n<tbody>",
    );
    for f in &r.fields {
        out.push_str("\n<tr><td><code>");
        match &f.url {
            Some(u) => {
                out.push_str("<a href=\"");
                esc(out, root);
                esc(out, u);
                out.push_str("\">");
                esc(out, &f.name);
                out.push_str("</a>");
            }
            None => esc(out, &f.name),
        }
        out.push_str("</code></td><td>");
        match &f.ty {
            Some(t) => esc(out, t),
            None => out.push_str("<span class=\"none\">—</span>"),
        }
        out.push_str("</td><td>");
        match (&f.description, f.in_schema) {
            (Some(d), _) => {
                esc(out, &d.text);
                from(out, &d.source);
            }
            (None, true) => out.push_str("<span class=\"none\">no description in the sources</span>"),
            (None, false) => {
                out.push_str("<span class=\"none\">read by rules; not a field of this event in the sources</span>")
            }
        }
        out.push_str("</td><td class=\"num\">");
        num(out, f.rules);
        if f.by_language.len() > 1 || f.by_language.first().is_some_and(|(l, _)| l != "sigma") {
            out.push_str(" <span class=\"src\">(");
            name_counts(out, f.by_language.iter().map(|(l, n)| (l.as_str(), *n)));
            out.push_str(")</span>");
        }
        out.push_str("</td></tr>");
    }
    out.push_str("\n</tbody></table></div>\n</section>");
}

fn example(out: &mut String, e: &EventInfo) {
    out.push_str("\n<section id=\"example\">\n<h2>Example event</h2>");
    let Some(x) = &e.example else {
        out.push_str(
            "\n<p class=\"none\">No example in the EVTX samples, the EvtxECmd maps or OSSEM-DD.</p>\n</section>",
        );
        return;
    };
    out.push_str("\n<p class=\"note\">");
    if x.is_sample() {
        out.push_str("A real event, recorded in EVTX-ATTACK-SAMPLES: <code>");
    } else {
        out.push_str("A reference example (no sample event in EVTX-ATTACK-SAMPLES), from ");
        esc(out, source_name(&x.source));
        out.push_str(": <code>");
    }
    esc(out, &x.origin);
    out.push_str("</code>. Fields as <code>detwiki hunt</code> reads them");
    if x.truncated {
        out.push_str("; long values are cut, and say so");
    }
    out.push_str(".</p>\n<div class=\"tablewrap\"><table class=\"example\">\n<thead><tr><th scope=\"col\">Field</th><th scope=\"col\">Value</th></tr></thead>\n<tbody>");
    for (n, v) in &x.fields {
        out.push_str("\n<tr><td><code>");
        esc(out, n);
        out.push_str("</code></td><td><code class=\"val\">");
        esc(out, v);
        out.push_str("</code></td></tr>");
    }
    out.push_str("\n</tbody></table></div>\n</section>");
}

fn collection(out: &mut String, e: &EventInfo) {
    out.push_str("\n<section id=\"collection\">\n<h2>Collection</h2>");
    if e.requires.is_empty() {
        out.push_str("\n<p class=\"none\">No audit policy or Sysmon configuration in the sources.</p>");
    } else {
        out.push_str("\n<p>Needs: ");
        for (k, r) in e.requires.iter().enumerate() {
            if k > 0 {
                out.push_str("; ");
            }
            if r.kind == "audit" {
                out.push_str("audit policy <strong>");
                esc(out, &r.text);
                out.push_str("</strong>");
                if let Some(c) = &r.category {
                    out.push_str(" (category ");
                    esc(out, c);
                    out.push(')');
                }
            } else {
                esc(out, &r.text);
            }
            from(out, &r.source);
        }
        out.push_str(".</p>");
    }
    if e.collection.is_empty() {
        out.push_str(
            "\n<p class=\"none\">Not selected by the NSA, ASD/ACSC or Palantir event-forwarding guidance.</p>",
        );
    } else {
        out.push_str("\n<ul class=\"collection\">");
        let mut by: Vec<&str> = e.collection.iter().map(|r| r.by.as_str()).collect();
        by.dedup();
        for g in by {
            out.push_str("\n<li><strong>");
            esc(out, source_name(g));
            out.push_str("</strong> recommends it: ");
            for (k, r) in e.collection.iter().filter(|r| r.by == g).enumerate() {
                if k > 0 {
                    out.push_str(", ");
                }
                out.push_str("<code>");
                esc(out, &r.what);
                out.push_str("</code>");
                if r.whole_channel {
                    out.push_str(" (the whole channel)");
                }
            }
            out.push_str("</li>");
        }
        out.push_str("\n</ul>");
    }
    out.push_str("\n</section>");
}

fn credits(out: &mut String, sources: &[&Source]) {
    if sources.is_empty() {
        return;
    }
    out.push_str("\n<section id=\"sources\">\n<h2>Sources</h2>\n<ul class=\"sources\">");
    for s in sources {
        out.push_str("\n<li>");
        if s.repo.is_empty() {
            esc(out, &s.name);
        } else {
            out.push_str("<a href=\"https://github.com/");
            esc(out, &s.repo);
            out.push_str("\" rel=\"noopener\">");
            esc(out, &s.name);
            out.push_str("</a>");
        }
        out.push_str(" (");
        esc(out, &s.licence);
        if !s.commit.is_empty() {
            out.push_str(", commit ");
            esc(out, s.commit.get(..10).unwrap_or(&s.commit));
        }
        out.push_str("): ");
        esc(out, &s.gives);
        out.push_str("</li>");
    }
    out.push_str("\n</ul>\n<p class=\"note\">Text from Microsoft (Sysmon schema, Windows message strings, Sysinternals documentation under CC-BY-4.0) is shown as these sources publish it.</p>\n</section>");
}

/// A provider's events as the data knows them, each with its page.
#[derive(Clone, Debug, Serialize)]
pub struct ProviderRef {
    /// Channels.
    pub channels: Vec<String>,
    /// Events: page URL (when it has one), data.
    pub events: Vec<(Option<String>, usize, &'static EventInfo)>,
}

/// The data's events of the provider shown as `provider` (the events of its catalog events and
/// of its reference-only ones), with their pages and rule counts.
pub fn provider_ref(entries: impl Iterator<Item = (Option<String>, usize, &'static EventInfo)>) -> Option<ProviderRef> {
    let mut events: Vec<(Option<String>, usize, &'static EventInfo)> = entries.collect();
    if events.is_empty() {
        return None;
    }
    events.sort_by(|a, b| (a.2.id, &a.2.channel).cmp(&(b.2.id, &b.2.channel)));
    events.dedup_by(|a, b| std::ptr::eq(a.2, b.2));
    let channels: BTreeSet<String> = events.iter().map(|e| e.2.channel.clone()).collect();
    Some(ProviderRef { channels: channels.into_iter().collect(), events })
}

/// The provider page's list of events with the same facts in brief.
pub fn render_provider(out: &mut String, p: &ProviderRef, root: &str) {
    out.push_str("\n<section id=\"provider-events\">\n<h2>Events</h2>\n<p class=\"lead\">");
    num(out, p.events.len());
    out.push_str(if p.events.len() == 1 { " event across " } else { " events across " });
    num(out, p.channels.len());
    out.push_str(if p.channels.len() == 1 { " channel" } else { " channels" });
    out.push_str(", as the sources describe them (rules or not).</p>");
    out.push_str(
        "\n<div class=\"tablewrap\"><table class=\"provider-events\">\n<thead><tr><th scope=\"col\" class=\"num\">Event ID</th>\
         <th scope=\"col\">Title</th><th scope=\"col\">Channel</th><th scope=\"col\">Level</th><th scope=\"col\">Task</th>\
         <th scope=\"col\" class=\"num\">Fields</th><th scope=\"col\">Example</th><th scope=\"col\">Recommended by</th>\
         <th scope=\"col\" class=\"num\">Rules</th></tr></thead>\n<tbody>",
    );
    for (url, rules, e) in &p.events {
        out.push_str("\n<tr><td class=\"num\">");
        let id = e.id.to_string();
        match url {
            Some(u) => {
                out.push_str("<a href=\"");
                esc(out, root);
                esc(out, u);
                out.push_str("\">");
                esc(out, &id);
                out.push_str("</a>");
            }
            None => esc(out, &id),
        }
        out.push_str("</td><td>");
        opt(out, e.title.as_ref());
        out.push_str("</td><td><code>");
        esc(out, &e.channel);
        out.push_str("</code></td><td>");
        opt(out, e.level.as_ref());
        out.push_str("</td><td>");
        opt(out, e.task.as_ref());
        out.push_str("</td><td class=\"num\">");
        num(out, e.fields.len());
        out.push_str("</td><td>");
        out.push_str(match &e.example {
            Some(x) if x.is_sample() => "real sample",
            Some(_) => "reference",
            None => "<span class=\"none\">none</span>",
        });
        out.push_str("</td><td>");
        let mut by: Vec<&str> = e.collection.iter().map(|r| source_name(&r.by)).collect();
        by.dedup();
        if by.is_empty() {
            out.push_str("<span class=\"none\">—</span>");
        } else {
            esc(out, &by.join(", "));
        }
        out.push_str("</td><td class=\"num\">");
        num(out, *rules);
        out.push_str("</td></tr>");
    }
    out.push_str("\n</tbody></table></div>\n</section>");
}

fn opt(out: &mut String, v: Option<&Sourced>) {
    match v {
        Some(s) => esc(out, &s.text),
        None => out.push_str("<span class=\"none\">—</span>"),
    }
}

/// Words a search finds the event by besides its title: its task and level.
pub fn search_words(e: &EventInfo) -> Vec<String> {
    [&e.task, &e.title].into_iter().flatten().map(|s| s.text.clone()).collect()
}
