//! The pages around the rule pages: home and matrix, tactics, techniques,
//! providers and events, logsources, platforms, fields, authors, indicators,
//! the rules list and the search page. Each function returns the view model
//! of one page; [`crate::render`] puts it through its template.

use std::collections::{BTreeMap, BTreeSet};

use detwiki_taxonomy::attack;
use serde::Serialize;

use crate::paths::{self, PlatformKey};
use crate::views::{CorpusGroup, Counted, Ctx, IndicatorStat, Link, RuleRow, kind_label};

/// Indicators listed on cross-rule pages.
const TOP_INDICATORS: usize = 25;

/// A page of rules with context (technique, tactic, event, logsource, author, field …).
#[derive(Debug, Serialize)]
pub struct RulesPage {
    /// What kind of page (`Technique`, `Event` …), for the breadcrumb.
    pub kind: &'static str,
    /// Breadcrumb links before the title.
    pub crumbs: Vec<Link>,
    /// Heading.
    pub title: String,
    /// Short facts (`label: value`).
    pub facts: Vec<(String, Link)>,
    /// Lists of related names with counts (sub-techniques, fields …), each with a heading.
    pub lists: Vec<(String, Vec<Counted>)>,
    /// Rules, by corpus.
    pub groups: Vec<CorpusGroup>,
    /// Number of rules.
    pub count: usize,
    /// Rules per language (`sigma` 22, `elastic` 9); empty when the catalog has one language.
    pub languages: Vec<(&'static str, usize)>,
    /// Most shared indicators.
    pub indicators: Vec<IndicatorStat>,
    /// Exclusions (`not` terms) of its rules.
    pub exclusions: Vec<IndicatorStat>,
    /// Whether to show the indicator sections.
    pub show_indicators: bool,
    /// An event page's reference sections (what the event is), from the event data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<crate::eventref::EventRef>,
    /// A provider page's events as the event data knows them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider_events: Option<crate::eventref::ProviderRef>,
    /// A technique page's events covered and authoring guide.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guide: Option<crate::techguide::Guide>,
    /// With sample data (a technique page): which of its rules fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seen: Option<crate::proof::RulesSeen>,
}

impl Ctx<'_> {
    pub(crate) fn rules_page(
        &self,
        kind: &'static str,
        title: String,
        rules: &[usize],
        with_indicators: bool,
    ) -> RulesPage {
        let (indicators, exclusions) =
            if with_indicators { self.top_indicators(rules, TOP_INDICATORS) } else { (Vec::new(), Vec::new()) };
        RulesPage {
            kind,
            crumbs: Vec::new(),
            title,
            facts: Vec::new(),
            lists: Vec::new(),
            groups: self.by_corpus(rules),
            count: rules.len(),
            languages: self.language_counts(rules),
            indicators,
            exclusions,
            show_indicators: with_indicators,
            reference: None,
            provider_events: None,
            guide: None,
            seen: None,
        }
    }

    /// Technique ids that get a page: every technique with rules, and parents of those.
    pub fn technique_ids(&self) -> Vec<String> {
        self.technique_rules.keys().cloned().collect()
    }

    /// A technique page.
    pub fn technique_page(&self, id: &str) -> RulesPage {
        let rules = &self.technique_rules[id];
        let t = attack::technique(id);
        let name = self
            .cat
            .index
            .techniques
            .get(id)
            .map(|t| t.name.clone())
            .or_else(|| t.map(|t| t.full_name.to_string()))
            .unwrap_or_default();
        let mut p = self.rules_page("Technique", format!("{id} {name}"), rules, true);
        p.crumbs.push(Link::to("ATT&CK", "index.html#matrix"));
        if let Some(t) = t {
            let tactics: Vec<String> = t.tactic_list().iter().map(|x| x.display.to_string()).collect();
            for tac in t.tactic_list() {
                let url = self.cat.index.tactics.contains_key(tac.id).then(|| paths::tactic_url(tac.id));
                p.facts.push(("Tactic".into(), Link { text: tac.display.into(), url, external: false }));
            }
            if tactics.is_empty() {
                p.facts.push(("Tactic".into(), Link::text_only("(none in ATT&CK v19)")));
            }
            if let Some(parent) = t.parent {
                let text = attack::technique(parent).map_or(parent.to_string(), |x| x.label());
                let url = self.technique_rules.contains_key(parent).then(|| paths::technique_url(parent));
                p.facts.push(("Parent technique".into(), Link { text, url, external: false }));
            }
            if !t.is_active() {
                let state = match t.replacement() {
                    Some(r) => format!("no longer active in ATT&CK; replaced by {}", r.label()),
                    None => "no longer active in ATT&CK".into(),
                };
                p.facts.push(("Status".into(), Link::text_only(&state)));
            }
            p.facts.push(("MITRE ATT&CK".into(), Link::ext(&t.url())));
            let subs: Vec<Counted> = attack::techniques()
                .iter()
                .filter(|s| s.parent == Some(t.id))
                .filter_map(|s| {
                    let n = self.technique_rules.get(s.id).map_or(0, Vec::len);
                    (n > 0).then(|| Counted { name: s.label(), url: Some(paths::technique_url(s.id)), count: n })
                })
                .collect();
            if !subs.is_empty() {
                p.lists.push(("Sub-techniques with rules".into(), subs));
            }
        }
        if let Some(t) = self.telemetry_summary(rules) {
            p.facts.push(("Your telemetry".into(), Link::text_only(&t)));
        }
        p.guide = Some(crate::techguide::guide(self, rules));
        p
    }

    /// A tactic page.
    pub fn tactic_page(&self, id: &str) -> RulesPage {
        let ix = &self.cat.index.tactics[id];
        let mut p = self.rules_page("Tactic", format!("{} ({id})", ix.name), &ix.rules, true);
        p.crumbs.push(Link::to("ATT&CK", "index.html#matrix"));
        if let Some(t) = attack::tactics().iter().find(|t| t.id == id) {
            p.facts.push(("MITRE ATT&CK".into(), Link::ext(&t.url())));
        }
        let mut techs: Vec<Counted> = self
            .cat
            .index
            .techniques
            .iter()
            .filter(|(_, t)| t.tactics.iter().any(|x| x == id))
            .map(|(tid, t)| Counted {
                name: format!("{tid} {}", t.name),
                url: Some(paths::technique_url(tid)),
                count: t.rules.len(),
            })
            .collect();
        techs.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
        p.lists.push(("Techniques".into(), techs));
        p
    }

    /// An event page.
    pub fn event_page(&self, key: &str) -> RulesPage {
        let e = &self.cat.index.events[key];
        let label = e.event_id.map_or_else(|| "any event".to_string(), |id| format!("Event ID {id}"));
        let mut p = self.rules_page("Event", self.event_title(key), &e.rules, true);
        p.crumbs.push(Link::to("Events", "events/index.html"));
        p.crumbs.push(Link::to(e.provider.clone(), self.paths.providers[&e.provider].clone()));
        p.facts.push(("Provider".into(), Link::to(e.provider.clone(), self.paths.providers[&e.provider].clone())));
        p.facts.push(("Channel".into(), Link::text_only(&e.channel)));
        p.facts.push(("Event".into(), Link::text_only(&label)));
        if !e.title.is_empty() {
            p.facts.push(("Title".into(), Link::text_only(&e.title)));
        }
        if let Some(id) = e.event_id
            && let Some(info) = crate::eventref::info_for(&e.provider, &e.channel, id)
        {
            p.reference = Some(crate::eventref::event_ref(self.cat, info, &e.rules, &self.paths.fields));
        } else {
            p.lists.push(("Fields the rules use".into(), self.field_counts(&e.rules)));
        }
        p
    }

    /// The page of an event of the event data that no rule reads (a key of
    /// [`crate::paths::Paths::reference_events`]).
    pub fn reference_event_page(&self, key: &str) -> RulesPage {
        let (provider, info) = &self.paths.reference_events[key];
        let label = &self.paths.event_labels[key];
        let title = info.title.as_ref().map_or("", |t| t.text.as_str());
        let mut p = self.rules_page("Event", format!("{provider} {}", paths::event_name(label, title)), &[], false);
        p.crumbs.push(Link::to("Events", "events/index.html"));
        p.crumbs.push(Link::to(provider.clone(), self.paths.providers[provider].clone()));
        p.facts.push(("Provider".into(), Link::to(provider.clone(), self.paths.providers[provider].clone())));
        p.facts.push(("Channel".into(), Link::text_only(&info.channel)));
        p.facts.push(("Event".into(), Link::text_only(&format!("Event ID {}", info.id))));
        p.reference = Some(crate::eventref::event_ref(self.cat, info, &[], &self.paths.fields));
        p
    }

    /// An event as a page title or a list across providers names it: `Sysmon Event ID 13:
    /// RegistryEvent (Value Set)`, `Security Event ID 4624` (no title), `AppLocker Event ID 8003
    /// (<channel>)` (an id on several channels), `Antivirus any event: …`.
    pub fn event_title(&self, key: &str) -> String {
        match self.cat.index.events.get(key) {
            Some(e) => self.event_title_of(key, &e.provider, e.event_id, &e.title),
            None => key.to_string(),
        }
    }

    /// [`Ctx::event_title`] with the title given (a rule's event row may name the event its own
    /// way: the syslog messages of one logsource).
    fn event_title_of(&self, key: &str, provider: &str, event_id: Option<u32>, title: &str) -> String {
        let label = match (event_id, self.paths.event_labels.get(key)) {
            (Some(_), Some(l)) => l.clone(),
            (Some(id), None) => format!("Event ID {id}"),
            (None, _) => "any event".to_string(),
        };
        format!("{provider} {}", paths::event_name(&label, title))
    }

    /// Events of each provider, with counts.
    pub fn providers(&self) -> BTreeMap<String, Vec<Counted>> {
        let mut out: BTreeMap<String, Vec<Counted>> = BTreeMap::new();
        for (key, e) in &self.cat.index.events {
            out.entry(e.provider.clone()).or_default().push(Counted {
                name: paths::event_name(&self.paths.event_labels[key], &e.title),
                url: Some(self.paths.events[key].clone()),
                count: e.rules.len(),
            });
        }
        out
    }

    /// A provider page.
    pub fn provider_page(&self, provider: &str, events: Vec<Counted>) -> RulesPage {
        let mut rules: Vec<usize> = self
            .cat
            .index
            .events
            .values()
            .filter(|e| e.provider == provider)
            .flat_map(|e| e.rules.iter().copied())
            .collect();
        rules.sort_unstable();
        rules.dedup();
        let mut p = self.rules_page("Provider", provider.to_string(), &rules, true);
        p.crumbs.push(Link::to("Events", "events/index.html"));
        let channels: BTreeSet<&str> =
            self.cat.index.events.values().filter(|e| e.provider == provider).map(|e| e.channel.as_str()).collect();
        for c in channels {
            p.facts.push(("Channel".into(), Link::text_only(c)));
        }
        let reference_only = self.paths.reference_events.iter().filter(|(_, (p, _))| p == provider);
        for (_, (_, e)) in reference_only.clone() {
            if !p.facts.iter().any(|(l, v)| l == "Channel" && v.text == e.channel) {
                p.facts.push(("Channel".into(), Link::text_only(&e.channel)));
            }
        }
        if !events.is_empty() {
            p.lists.push(("Events with rules".into(), events));
        }
        let known = self.cat.index.events.iter().filter(|(_, e)| e.provider == provider).filter_map(|(k, e)| {
            let info = crate::eventref::info_for(&e.provider, &e.channel, e.event_id?)?;
            Some((self.paths.events.get(k).cloned(), e.rules.len(), info))
        });
        let extra = reference_only.map(|(k, (_, e))| (self.paths.events.get(k).cloned(), 0, *e));
        p.provider_events = crate::eventref::provider_ref(known.chain(extra));
        p.lists.push(("Fields the rules use".into(), self.field_counts(&rules)));
        p
    }

    /// A logsource page.
    pub fn logsource_page(&self, label: &str) -> RulesPage {
        let rules = &self.cat.index.logsources[label];
        let shown = if label.is_empty() { "(no logsource)" } else { label };
        let mut p = self.rules_page("Logsource", shown.to_string(), rules, true);
        p.crumbs.push(Link::to("Logsources", "logsources/index.html"));
        if let Some(&first) = rules.first() {
            let k = &self.paths.platforms[first];
            p.facts.push(("Platform".into(), Link::to(k.title.clone(), paths::platform_url(&k.slug))));
        }
        let mut events: BTreeMap<String, Counted> = BTreeMap::new();
        for &i in rules {
            for e in &self.cat.rules[i].events {
                let key =
                    format!("{}|{}|{}", e.provider, e.channel, e.event_id.map_or(String::new(), |n| n.to_string()));
                events
                    .entry(key.clone())
                    .or_insert_with(|| Counted {
                        name: self.event_title_of(&key, &e.provider, e.event_id, &e.title),
                        url: self.paths.events.get(&key).cloned(),
                        count: 0,
                    })
                    .count += 1;
            }
        }
        p.lists.push(("Events".into(), events.into_values().collect()));
        p.lists.push(("Fields the rules use".into(), self.field_counts(rules)));
        p
    }

    /// Platforms with their rules.
    pub fn platforms(&self) -> BTreeMap<PlatformKey, Vec<usize>> {
        let mut out: BTreeMap<PlatformKey, Vec<usize>> = BTreeMap::new();
        for (i, k) in self.paths.platforms.iter().enumerate() {
            out.entry(k.clone()).or_default().push(i);
        }
        out
    }

    /// A platform page.
    pub fn platform_page(&self, key: &PlatformKey, rules: &[usize]) -> RulesPage {
        let mut p = self.rules_page("Platform", key.title.clone(), rules, false);
        p.crumbs.push(Link::to("Platforms", "platforms/index.html"));
        let mut ls: BTreeMap<String, usize> = BTreeMap::new();
        for &i in rules {
            *ls.entry(self.cat.rules[i].logsource.label()).or_default() += 1;
        }
        p.lists.push((
            "Logsources".into(),
            ls.into_iter()
                .map(|(l, n)| Counted {
                    url: self.paths.logsources.get(&l).cloned(),
                    name: if l.is_empty() { "(no logsource)".into() } else { l },
                    count: n,
                })
                .collect(),
        ));
        p
    }

    /// A field page.
    pub fn field_page(&self, field: &str, values: &[usize]) -> RulesPage {
        let rules = &self.cat.index.fields[field];
        let mut p = self.rules_page("Field", field.to_string(), rules, false);
        p.crumbs.push(Link::to("Fields", "fields/index.html"));
        p.show_indicators = true;
        p.indicators = values
            .iter()
            .take(100)
            .map(|&k| self.indicator_stat(k, self.cat.index.indicators[k].rules.len()))
            .collect();
        p
    }

    /// An author page.
    pub fn author_page(&self, author: &str) -> RulesPage {
        let rules = &self.cat.index.authors[author];
        let mut p = self.rules_page("Author", author.to_string(), rules, false);
        p.crumbs.push(Link::to("Authors", "authors/index.html"));
        p
    }

    /// An indicator page: the list behind a corpus count.
    pub fn indicator_page(&self, k: usize) -> RulesPage {
        let ind = &self.cat.index.indicators[k];
        let field = ind.key.field.clone().unwrap_or_else(|| "(keyword)".into());
        // The value alone (`true`) says little in a tab or a bookmark: field and kind first.
        let title = format!("{field} {} {}", kind_label(&ind.key), ind.value);
        let mut p = self.rules_page("Indicator", title, &ind.rules, false);
        p.crumbs.push(Link::to("Fields", "fields/index.html"));
        match ind.key.field.as_ref().and_then(|f| self.paths.fields.get(f)) {
            Some(u) => p.crumbs.push(Link::to(field.clone(), u.clone())),
            None => p.crumbs.push(Link::text_only(&field)),
        }
        p.facts.push(("Field".into(), Link::text_only(&field)));
        p.facts.push(("Kind".into(), Link::text_only(&kind_label(&ind.key))));
        let mut per: BTreeMap<&str, usize> = BTreeMap::new();
        for &i in &ind.rules {
            *per.entry(self.cat.rules[i].corpus.as_str()).or_default() += 1;
        }
        let per: Vec<String> = per.iter().map(|(c, n)| format!("{c} {n}")).collect();
        p.facts.push((
            "Corpus count".into(),
            Link::text_only(&format!("corpus {} ({})", ind.rules.len(), per.join(", "))),
        ));
        p
    }

    /// One page of the rules list (`page` from 1): its rows, in catalog order, and the filters
    /// over every rule.
    pub fn rules_list(&self, page: usize) -> RulesList {
        let total = self.cat.rules.len();
        let pages = rules_list_pages(total);
        let page = page.clamp(1, pages);
        let range = (page - 1) * RULES_PER_PAGE..(page * RULES_PER_PAGE).min(total);
        let rows: Vec<ListRow> = range.clone().map(|i| self.list_row(i)).collect();
        // Options over every rule: levels and statuses by severity and maturity, the rest by name.
        let opts =
            |order: &[&str], f: &dyn Fn(&detwiki_catalog::RuleEntry) -> Option<String>| -> Vec<(String, String)> {
                let set: BTreeSet<String> = self.cat.rules.iter().filter_map(f).filter(|s| !s.is_empty()).collect();
                let mut v: Vec<String> = set.into_iter().collect();
                v.sort_by_key(|x| order.iter().position(|o| o == x).unwrap_or(order.len()));
                v.into_iter().map(|s| (s.clone(), s)).collect()
            };
        let filters = vec![
            Filter { name: "level", label: "Level", options: opts(LEVEL_ORDER, &|r| r.level.map(|l| l.to_string())) },
            Filter {
                name: "status",
                label: "Status",
                options: opts(STATUS_ORDER, &|r| r.status.map(|s| s.to_string())),
            },
            Filter { name: "product", label: "Product", options: opts(&[], &|r| r.logsource.product.clone()) },
            Filter {
                name: "source",
                label: "Category / service",
                options: opts(&[], &|r| r.logsource.category.clone().or_else(|| r.logsource.service.clone())),
            },
            Filter {
                name: "tactic",
                label: "Tactic",
                options: attack::tactics()
                    .iter()
                    .filter(|t| self.cat.index.tactics.contains_key(t.id))
                    .map(|t| (t.id.to_string(), t.display.to_string()))
                    .collect(),
            },
            Filter {
                name: "corpus",
                label: "Corpus",
                options: self.cat.corpora.iter().map(|c| (c.name.clone(), c.name.clone())).collect(),
            },
        ];
        let mut filters = filters;
        if self.multi_language() {
            let options = self.languages.iter().map(|(l, _)| (l.name.to_string(), l.title.to_string())).collect();
            filters.insert(0, Filter { name: "language", label: "Language", options });
        }
        if self.telemetry.is_some() {
            let options = crate::telemetry::VERDICTS.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect();
            filters.push(Filter { name: "telemetry", label: "Your telemetry", options });
        }
        let page_urls = (1..=pages).map(|n| self.paths.rules_list_url(n)).collect();
        let telemetry = self.telemetry_summary(&(0..total).collect::<Vec<_>>());
        RulesList { rows, filters, page, pages, page_urls, first: range.start + 1, last: range.end, total, telemetry }
    }

    fn list_row(&self, i: usize) -> ListRow {
        let r = &self.cat.rules[i];
        ListRow {
            row: self.row(i),
            product: r.logsource.product.clone().unwrap_or_default(),
            source: r.logsource.category.clone().or_else(|| r.logsource.service.clone()).unwrap_or_default(),
            tactic_ids: r.attack.iter().map(|a| a.tactic_id.clone()).collect::<Vec<_>>().join(" "),
            tactics: r.attack.iter().map(|a| a.tactic.clone()).collect::<Vec<_>>().join(", "),
            date: r.modified.clone().or_else(|| r.date.clone()).unwrap_or_default(),
        }
    }

    /// Every rule of the list, for the script that filters, sorts and pages it in the browser
    /// (`assets/rules-list.js`).
    pub fn rules_data(&self) -> RulesData {
        let multi = self.multi_language();
        let rows = (0..self.cat.rules.len())
            .map(|i| {
                let l = self.list_row(i);
                DataRow(
                    l.row.title,
                    l.row.url,
                    l.row.level,
                    l.row.status,
                    l.product,
                    l.source,
                    l.tactic_ids,
                    l.row.corpus,
                    l.date,
                    self.telemetry.as_ref().map_or("", |v| v[i].as_str()),
                    multi.then_some(self.cat.rules[i].language),
                )
            })
            .collect();
        let tactics = attack::tactics().iter().map(|t| (t.id, t.display)).collect();
        RulesData { per_page: RULES_PER_PAGE, tactics, rows }
    }
}

/// The JSON beside an event or technique page: what the page shows, rules as their ids.
#[derive(Debug, Serialize)]
pub struct PageJson<'a> {
    /// `Event`, `Technique`.
    pub kind: &'static str,
    /// Heading.
    pub title: &'a str,
    /// Short facts.
    pub facts: Vec<(&'a str, &'a str)>,
    /// Rules (their page URLs), by corpus.
    pub rules: Vec<(&'a str, Vec<&'a str>)>,
    /// What the event is (event pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<&'a crate::eventref::EventRef>,
    /// Events covered and authoring guide (technique pages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub guide: Option<&'a crate::techguide::Guide>,
    /// With sample data (technique pages): which rules fired.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub samples: Option<&'a crate::proof::RulesSeen>,
    /// Exclusions of the rules.
    pub exclusions: &'a [IndicatorStat],
}

impl<'a> PageJson<'a> {
    /// The JSON of page `p`.
    pub fn of(p: &'a RulesPage, ctx: &'a Ctx<'_>) -> PageJson<'a> {
        PageJson {
            kind: p.kind,
            title: &p.title,
            facts: p.facts.iter().map(|(l, v)| (l.as_str(), v.text.as_str())).collect(),
            rules: p
                .groups
                .iter()
                .map(|g| (g.corpus.as_str(), g.rules.iter().map(|&i| ctx.rule_urls[i].as_str()).collect()))
                .collect(),
            event: p.reference.as_ref(),
            guide: p.guide.as_ref(),
            samples: p.seen.as_ref(),
            exclusions: &p.exclusions,
        }
    }
}

/// A list page: groups of names with rule counts, each under an optional heading.
#[derive(Debug)]
pub struct ListPage {
    /// Title.
    pub title: &'static str,
    /// What the list is.
    pub intro: &'static str,
    /// The groups.
    pub groups: Vec<(Option<Link>, Vec<Counted>)>,
}

impl ListPage {
    fn one(title: &'static str, intro: &'static str, rows: Vec<Counted>) -> ListPage {
        ListPage { title, intro, groups: vec![(None, rows)] }
    }
}

/// Most rules first, then by name.
fn by_count(rows: &mut [Counted]) {
    rows.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
}

impl Ctx<'_> {
    /// Providers, each with its events ([`Ctx::providers`]).
    pub fn events_index(&self, providers: &BTreeMap<String, Vec<Counted>>) -> ListPage {
        let mut groups: Vec<(Option<Link>, Vec<Counted>)> = providers
            .iter()
            .map(|(p, evs)| {
                let head = Link { text: p.clone(), url: self.paths.providers.get(p).cloned(), external: false };
                (Some(head), evs.clone())
            })
            .collect();
        // Providers that only the event data knows (no rule reads them): one row each.
        let mut data_only: BTreeMap<&str, usize> = BTreeMap::new();
        for (prov, _) in self.paths.reference_events.values() {
            if !providers.contains_key(prov) {
                *data_only.entry(prov).or_default() += 1;
            }
        }
        for (prov, n) in data_only {
            let url = self.paths.providers.get(prov).cloned();
            let head = Link { text: prov.to_string(), url: url.clone(), external: false };
            let what = if n == 1 { "1 event" } else { &format!("{n} events") };
            let row = Counted { name: format!("{what} in the reference, none read by rules"), url, count: 0 };
            groups.push((Some(head), vec![row]));
        }
        ListPage {
            title: "Events",
            intro: "Providers and their events, with the number of rules that read each.",
            groups,
        }
    }

    /// Every logsource label.
    pub fn logsources_index(&self) -> ListPage {
        let rows = self
            .cat
            .index
            .logsources
            .iter()
            .map(|(l, r)| Counted {
                name: if l.is_empty() { "(no logsource)".to_string() } else { l.clone() },
                url: self.paths.logsources.get(l).cloned(),
                count: r.len(),
            })
            .collect();
        ListPage::one("Logsources", "Every product/category/service the rules use.", rows)
    }

    /// Every platform ([`Ctx::platforms`]).
    pub fn platforms_index(&self, platforms: &BTreeMap<PlatformKey, Vec<usize>>) -> ListPage {
        let rows = platforms
            .iter()
            .map(|(k, r)| Counted { name: k.title.clone(), url: Some(paths::platform_url(&k.slug)), count: r.len() })
            .collect();
        ListPage::one(
            "Platforms",
            "Windows, Linux, macOS, each cloud and identity source, network and applications.",
            rows,
        )
    }

    /// Every field, most used first.
    pub fn fields_index(&self) -> ListPage {
        let mut rows: Vec<Counted> = self
            .cat
            .index
            .fields
            .iter()
            .map(|(f, r)| Counted { name: f.clone(), url: self.paths.fields.get(f).cloned(), count: r.len() })
            .collect();
        by_count(&mut rows);
        ListPage::one("Fields", "Every field the rules compare, with the number of rules using it.", rows)
    }

    /// Every author, most rules first.
    pub fn authors_index(&self) -> ListPage {
        let mut rows: Vec<Counted> = self
            .cat
            .index
            .authors
            .iter()
            .map(|(a, r)| Counted { name: a.clone(), url: self.paths.authors.get(a).cloned(), count: r.len() })
            .collect();
        by_count(&mut rows);
        ListPage::one("Authors", "Rule authors, with the number of rules each wrote.", rows)
    }
}

/// Rows of a page of the rules list.
pub const RULES_PER_PAGE: usize = 200;

/// Levels, most severe first (filters, sorting).
pub const LEVEL_ORDER: &[&str] = &["critical", "high", "medium", "low", "informational"];

/// Statuses, most mature first.
pub const STATUS_ORDER: &[&str] = &["stable", "test", "experimental", "deprecated", "unsupported"];

/// How many pages the rules list of `rules` rules has (at least one).
pub fn rules_list_pages(rules: usize) -> usize {
    rules.div_ceil(RULES_PER_PAGE).max(1)
}

/// A rule of [`RulesData`]: `[title, url, level, status, product, category or service,
/// tactic ids (space-separated), corpus, date, telemetry verdict (`fires`, `blind`, `no_events`;
/// empty without `--telemetry`), language]`, the language only when the catalog has more than one.
#[derive(Debug, Serialize)]
pub struct DataRow(
    pub String,
    pub String,
    pub &'static str,
    pub &'static str,
    pub String,
    pub String,
    pub String,
    pub String,
    pub String,
    pub &'static str,
    #[serde(skip_serializing_if = "Option::is_none")] pub Option<&'static str>,
);

/// The whole rules list for the browser (`window.DETWIKI_RULES`).
#[derive(Debug, Serialize)]
pub struct RulesData {
    /// Rows a page shows.
    pub per_page: usize,
    /// Tactic id → name.
    pub tactics: BTreeMap<&'static str, &'static str>,
    /// Every rule, in catalog order.
    pub rows: Vec<DataRow>,
}

impl Link {
    /// Plain text.
    pub fn text_only(text: &str) -> Link {
        Link { text: text.to_string(), url: None, external: false }
    }
    /// An external link when http(s).
    pub fn ext(url: &str) -> Link {
        let u = crate::html::safe_href(url);
        Link { text: url.to_string(), external: u.is_some(), url: u }
    }
}

/// A row of the rules list.
#[derive(Debug, Serialize)]
pub struct ListRow {
    /// The rule.
    pub row: RuleRow,
    /// Product.
    pub product: String,
    /// Category or service.
    pub source: String,
    /// Tactic ids, space-separated.
    pub tactic_ids: String,
    /// Tactic names, comma-separated.
    pub tactics: String,
    /// Last change.
    pub date: String,
}

/// A filter of the rules list.
#[derive(Debug, Serialize)]
pub struct Filter {
    /// Attribute name (`data-<name>`).
    pub name: &'static str,
    /// Label.
    pub label: &'static str,
    /// Values and labels.
    pub options: Vec<(String, String)>,
}

/// A page of the rules list.
#[derive(Debug, Serialize)]
pub struct RulesList {
    /// Rows of this page.
    pub rows: Vec<ListRow>,
    /// Filters (over every rule).
    pub filters: Vec<Filter>,
    /// This page, from 1.
    pub page: usize,
    /// Pages.
    pub pages: usize,
    /// The URL of each page, the first first.
    pub page_urls: Vec<String>,
    /// Position of the first row shown, from 1.
    pub first: usize,
    /// Position of the last row shown.
    pub last: usize,
    /// Rules in all.
    pub total: usize,
    /// With `--telemetry`: how many of them can fire with it.
    pub telemetry: Option<String>,
}

// ------------------------------------------------------------------------------------------
// Home.

/// A matrix cell.
#[derive(Debug, Serialize)]
pub struct Cell {
    /// `T1090`.
    pub id: String,
    /// Name.
    pub name: String,
    /// Rules (sub-techniques included).
    pub count: usize,
    /// Shade 0–5.
    pub shade: u8,
    /// Page, when it has rules.
    pub url: Option<String>,
    /// Sub-techniques with rules.
    pub subs: Vec<Cell>,
    /// Sub-techniques without rules.
    pub subs_without: usize,
    /// With `--telemetry`: the rules that can fire with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fires: Option<usize>,
    /// With sample data: its rules (sub-techniques included) that fired on the samples.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fired: Option<usize>,
}

/// A matrix column.
#[derive(Debug, Serialize)]
pub struct Column {
    /// Tactic as shown.
    pub tactic: String,
    /// Tactic page, when it has rules.
    pub url: Option<String>,
    /// Rules under the tactic.
    pub count: usize,
    /// Techniques, covered first.
    pub cells: Vec<Cell>,
}

/// The home page.
#[derive(Debug, Serialize)]
pub struct Home {
    /// Corpora.
    pub corpora: Vec<detwiki_catalog::CorpusInfo>,
    /// Total rules.
    pub rules: usize,
    /// Counts tables: (title, rows).
    pub counts: Vec<(String, Vec<Counted>)>,
    /// The matrix.
    pub matrix: Vec<Column>,
    /// Tagged techniques outside the v19 matrix (revoked, deprecated, retired).
    pub outdated: Vec<Counted>,
    /// Platforms.
    pub platforms: Vec<Counted>,
    /// ATT&CK version.
    pub attack_version: &'static str,
    /// Navigator layers.
    pub layers: Vec<Link>,
    /// Rules per language, each linked to the rules list filtered to it; empty when the
    /// catalog has one language.
    pub languages: Vec<Counted>,
    /// With sample data (`--events`): what the rules found in it.
    pub samples: Option<HomeSamples>,
}

/// The home page's "Sample data" block.
#[derive(Debug, Serialize)]
pub struct HomeSamples {
    /// Sample files.
    pub files: usize,
    /// Events read.
    pub events: u64,
    /// Rules that fired.
    pub fired: usize,
    /// Hits.
    pub hits: u64,
    /// Rules that ran without a hit.
    pub never_fired: usize,
}

impl Home {
    /// Add what the rules did on the sample data: the "Sample data" block, and per technique of
    /// the matrix the rules that fired.
    pub fn add_samples(&mut self, ctx: &Ctx<'_>, s: &crate::proof::Samples) {
        self.samples = Some(HomeSamples {
            files: s.files.len(),
            events: s.events,
            fired: s.fired(),
            hits: s.hits,
            never_fired: s.never_fired().len(),
        });
        let fired = |id: &str| {
            let rules = ctx.technique_rules.get(id).map_or(&[][..], Vec::as_slice);
            rules.iter().filter(|&&i| s.rules.get(i).is_some_and(|r| r.hits > 0)).count()
        };
        for c in self.matrix.iter_mut().flat_map(|col| col.cells.iter_mut()) {
            if c.count > 0 {
                c.fired = Some(fired(&c.id));
            }
            for sub in &mut c.subs {
                sub.fired = Some(fired(&sub.id));
            }
        }
    }
}

fn shade(n: usize, max: usize) -> u8 {
    if n == 0 || max == 0 {
        return 0;
    }
    let f = ((n as f64).ln_1p() / (max as f64).ln_1p() * 5.0).ceil() as u8;
    f.clamp(1, 5)
}

impl Ctx<'_> {
    fn count(&self, id: &str) -> usize {
        self.technique_rules.get(id).map_or(0, Vec::len)
    }

    /// With `--telemetry`: the rules of technique `id` that can fire with it.
    fn fires(&self, id: &str) -> Option<usize> {
        let v = self.telemetry.as_ref()?;
        let rules = self.technique_rules.get(id).map_or(&[][..], Vec::as_slice);
        Some(rules.iter().filter(|&&i| v[i] == crate::telemetry::Verdict::Fires).count())
    }

    /// "7 of 12 rules can fire with your telemetry; …" for a set of rules, with `--telemetry`.
    pub fn telemetry_summary(&self, rules: &[usize]) -> Option<String> {
        use crate::telemetry::Verdict;
        let v = self.telemetry.as_ref()?;
        let n = |want: Verdict| rules.iter().filter(|&&i| v[i] == want).count();
        let (fires, blind, none) = (n(Verdict::Fires), n(Verdict::Blind), n(Verdict::NoEvents));
        let mut s = format!("{fires} of {} rules can fire with your telemetry", rules.len());
        if blind > 0 {
            s.push_str(&format!("; {blind} read only events it does not collect"));
        }
        if none > 0 {
            s.push_str(&format!("; {none} name no known event"));
        }
        Some(s)
    }

    fn cell(&self, t: &attack::Technique, max: usize) -> Cell {
        let n = self.count(t.id);
        let all_subs: Vec<&attack::Technique> =
            attack::techniques().iter().filter(|s| s.parent == Some(t.id) && s.is_active()).collect();
        let subs: Vec<Cell> = all_subs
            .iter()
            .filter(|s| self.count(s.id) > 0)
            .map(|s| Cell {
                id: s.id.to_string(),
                name: s.name.to_string(),
                count: self.count(s.id),
                shade: shade(self.count(s.id), max),
                url: Some(paths::technique_url(s.id)),
                subs: Vec::new(),
                subs_without: 0,
                fires: self.fires(s.id),
                fired: None,
            })
            .collect();
        Cell {
            id: t.id.to_string(),
            name: t.name.to_string(),
            count: n,
            shade: shade(n, max),
            url: (n > 0).then(|| paths::technique_url(t.id)),
            fires: self.fires(t.id),
            fired: None,
            subs_without: all_subs.len() - subs.len(),
            subs,
        }
    }

    /// The home page view.
    pub fn home(&self) -> Home {
        let max = self.technique_rules.values().map(Vec::len).max().unwrap_or(0);
        let matrix = attack::tactics()
            .iter()
            .map(|tac| {
                let mut cells: Vec<Cell> = attack::techniques()
                    .iter()
                    .filter(|t| t.parent.is_none() && t.is_active() && t.tactics.contains(&tac.id))
                    .map(|t| self.cell(t, max))
                    .collect();
                cells.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
                let ix = self.cat.index.tactics.get(tac.id);
                Column {
                    tactic: tac.display.to_string(),
                    url: ix.map(|_| paths::tactic_url(tac.id)),
                    count: ix.map_or(0, |t| t.rules.len()),
                    cells,
                }
            })
            .collect();
        let outdated = self
            .technique_rules
            .iter()
            .filter(|(id, _)| attack::technique(id).is_none_or(|t| !t.is_active()))
            .map(|(id, rules)| Counted {
                name: attack::technique(id).map_or(id.clone(), |t| t.label()),
                url: Some(paths::technique_url(id)),
                count: rules.len(),
            })
            .collect();
        let counts = ["level", "status", "product"]
            .iter()
            .map(|k| {
                let rows = self.cat.index.counts.get(k).map_or_else(Vec::new, |m| {
                    let mut v: Vec<Counted> =
                        m.iter().map(|(n, c)| Counted { name: n.clone(), url: None, count: *c }).collect();
                    v.sort_by(|a, b| b.count.cmp(&a.count).then(a.name.cmp(&b.name)));
                    v
                });
                (crate::views::corpus_title(k), rows)
            })
            .collect();
        let platforms = self
            .platforms()
            .into_iter()
            .map(|(k, r)| Counted { name: k.title.clone(), url: Some(paths::platform_url(&k.slug)), count: r.len() })
            .collect();
        let mut layers = vec![Link::to("All corpora", "api/navigator/all.json")];
        for c in &self.cat.corpora {
            layers.push(Link::to(
                c.name.clone(),
                format!("api/navigator/{}.json", crate::html::pct(&paths::segment(&c.name))),
            ));
        }
        Home {
            corpora: self.cat.corpora.clone(),
            rules: self.cat.rules.len(),
            counts,
            matrix,
            outdated,
            platforms,
            attack_version: attack::version(),
            layers,
            languages: if self.multi_language() {
                self.languages
                    .iter()
                    .map(|(l, n)| Counted {
                        name: l.title.to_string(),
                        url: Some(format!("rules/index.html?language={}", l.name)),
                        count: *n,
                    })
                    .collect()
            } else {
                Vec::new()
            },
            samples: None,
        }
    }
}
