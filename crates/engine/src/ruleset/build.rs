//! Compiling rules into instances: each rule once per event source its logsource stands for,
//! pipelines and meta filters applied, instances filed under their route.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::Arc;

use detwiki_sigma::{
    CorrelationRule, Detection, Diagnostic, Document, FilterRule, Rule, SearchBody, SigmaFile, ValueKind,
};
use detwiki_taxonomy::logsource::{self, EventSource, Lookup};

use super::{Guarded, Instance, Options, RuleInfo, Ruleset, SkipReason, Skipped};
use crate::compile::{CompileError, CompiledDetection, Cond, FieldTable, compile_detection};
use crate::correlate::Correlations;
use crate::event::lowercase;
use crate::pipeline::Pipelines;
use crate::rules::info;

/// Collects rules and filters from parsed files.
#[derive(Default)]
pub struct RulesetBuilder {
    rules: Vec<(RuleInfo, Box<Rule>)>,
    filters: Vec<(RuleInfo, Box<FilterRule>)>,
    correlations: Vec<(RuleInfo, CorrelationRule)>,
    /// Left out by `keep`, unless a selected correlation refers to them.
    held_rules: Vec<(RuleInfo, Box<Rule>)>,
    held_correlations: Vec<(RuleInfo, CorrelationRule)>,
    /// Documents of files with errors: reported, never run.
    broken: Vec<Skipped>,
    /// Documents of files with errors that `keep` left out (reported only when a selected
    /// correlation refers to them).
    held_broken: Vec<Skipped>,
}

impl RulesetBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Add one parsed file. A file with an error finding runs none of its rules: each of its
    /// documents (that `keep` selects; filters always) is reported in [`Ruleset::skipped`] as
    /// [`SkipReason::FileErrors`] with the file's error findings, and a file that gave no
    /// document at all (its YAML does not read) is reported once, under its path. A file
    /// without errors is added as by [`RulesetBuilder::add`].
    pub fn add_file(
        &mut self,
        corpus: &str,
        path: &std::path::Path,
        file: &SigmaFile,
        keep: &dyn Fn(&detwiki_sigma::Metadata) -> bool,
    ) {
        if !file.has_errors() {
            self.add(corpus, path, &file.documents, keep);
            return;
        }
        self.add_broken(corpus, path, file, keep);
    }

    /// [`RulesetBuilder::add_file`] taking the parsed file: its rules are moved, not copied
    /// (what a caller that has no other use for them does: a whole corpus is not held twice).
    pub fn add_parsed(
        &mut self,
        corpus: &str,
        path: &std::path::Path,
        file: SigmaFile,
        keep: &dyn Fn(&detwiki_sigma::Metadata) -> bool,
    ) {
        if !file.has_errors() {
            for d in file.documents {
                self.add_document(corpus, path, d, keep);
            }
            return;
        }
        self.add_broken(corpus, path, &file, keep);
    }

    /// The documents of a file with errors, reported (never run).
    fn add_broken(
        &mut self,
        corpus: &str,
        path: &std::path::Path,
        file: &SigmaFile,
        keep: &dyn Fn(&detwiki_sigma::Metadata) -> bool,
    ) {
        let errors: Arc<[Diagnostic]> = file.diagnostics.iter().filter(|d| d.is_error()).cloned().collect();
        let skipped = |info: RuleInfo| Skipped { rule: info, reason: SkipReason::FileErrors(errors.clone()) };
        if file.documents.is_empty() {
            let info = RuleInfo {
                id: None,
                title: String::new(),
                name: None,
                level: None,
                tags: Vec::new(),
                corpus: corpus.to_string(),
                path: path.to_path_buf(),
                logsource: String::new(),
            };
            self.broken.push(skipped(info));
            return;
        }
        for d in &file.documents {
            let (meta, ls) = match d {
                Document::Rule(r) => (&r.meta, Some(&r.logsource)),
                Document::Filter(f) => (&f.meta, f.logsource.as_ref()),
                Document::Correlation(c) => (&c.meta, None),
            };
            let entry = skipped(info(corpus, path, meta, ls));
            if matches!(d, Document::Filter(_)) || keep(meta) {
                self.broken.push(entry);
            } else {
                self.held_broken.push(entry);
            }
        }
    }

    /// Append what `other` collected, after what this builder holds (in that order). A corpus
    /// can then be added file by file on every core, a builder per file, and merged in order.
    pub fn merge(&mut self, other: RulesetBuilder) {
        let RulesetBuilder { rules, filters, correlations, held_rules, held_correlations, broken, held_broken } = other;
        self.rules.extend(rules);
        self.filters.extend(filters);
        self.correlations.extend(correlations);
        self.held_rules.extend(held_rules);
        self.held_correlations.extend(held_correlations);
        self.broken.extend(broken);
        self.held_broken.extend(held_broken);
    }

    /// Add the documents of one parsed file, which must have no error finding (see
    /// [`RulesetBuilder::add_file`], which checks). `keep` selects rules and correlation rules (by
    /// `--rule`, level, tags); a rule it leaves out is still loaded when a selected
    /// correlation refers to it (then it gives hits only through the correlation, unless that
    /// says `generate: true`).
    pub fn add(
        &mut self,
        corpus: &str,
        path: &std::path::Path,
        docs: &[Document],
        keep: &dyn Fn(&detwiki_sigma::Metadata) -> bool,
    ) {
        for d in docs {
            self.add_document(corpus, path, d.clone(), keep);
        }
    }

    fn add_document(
        &mut self,
        corpus: &str,
        path: &std::path::Path,
        d: Document,
        keep: &dyn Fn(&detwiki_sigma::Metadata) -> bool,
    ) {
        match d {
            Document::Rule(r) => {
                let selected = keep(&r.meta);
                let entry = (info(corpus, path, &r.meta, Some(&r.logsource)), r);
                if selected { self.rules.push(entry) } else { self.held_rules.push(entry) }
            }
            Document::Filter(f) => {
                self.filters.push((info(corpus, path, &f.meta, f.logsource.as_ref()), f));
            }
            Document::Correlation(c) => {
                let selected = keep(&c.meta);
                let entry = (info(corpus, path, &c.meta, None), *c);
                if selected { self.correlations.push(entry) } else { self.held_correlations.push(entry) }
            }
        }
    }

    /// Bring back the rules and correlations that `keep` left out and a selected correlation
    /// refers to (through other correlations too).
    fn pull_referenced(&mut self) {
        let mut wanted: Vec<String> =
            self.correlations.iter().flat_map(|(_, c)| c.rules.iter().map(|r| r.value.clone())).collect();
        let named = |i: &RuleInfo, w: &str| i.id.as_deref() == Some(w) || i.name.as_deref() == Some(w);
        while let Some(w) = wanted.pop() {
            if let Some(k) = self.held_correlations.iter().position(|(i, _)| named(i, &w)) {
                let (i, c) = self.held_correlations.swap_remove(k);
                wanted.extend(c.rules.iter().map(|r| r.value.clone()));
                self.correlations.push((i, c));
            }
            while let Some(k) = self.held_rules.iter().position(|(i, _)| named(i, &w)) {
                let entry = self.held_rules.swap_remove(k);
                self.rules.push(entry);
            }
            while let Some(k) = self.held_broken.iter().position(|s| named(&s.rule, &w)) {
                let entry = self.held_broken.swap_remove(k);
                self.broken.push(entry);
            }
        }
    }

    /// Compile everything. Rules compile in parallel (each thread names fields in a table of
    /// its own), then are filed in load order, their fields named in the ruleset's table.
    pub fn build(mut self, opts: &Options) -> Ruleset {
        use rayon::prelude::*;
        self.pull_referenced();
        let mut set = Ruleset::empty(opts.routing);
        set.skipped = std::mem::take(&mut self.broken);
        let compiled: Vec<Compiled> = self
            .rules
            .par_iter()
            .map_init(FieldTable::default, |table, (info, raw)| self.compile_rule(info, raw, opts, table))
            .collect();
        let mut reported_filters = vec![false; self.filters.len()];
        let mut regexes = crate::compile::RegexCache::default();
        // Per instance: its event source and its rule as written (to name correlation fields).
        let mut origin: Vec<(Option<&'static EventSource>, usize)> = Vec::new();
        // The rules' infos move to the ruleset (the parsed rules stay, to name correlation fields).
        for (raw_index, ((info, _), c)) in self.rules.iter_mut().zip(compiled).enumerate() {
            let info = std::mem::take(info);
            // A filter that does not compile is reported once, where it first failed.
            for (fi, e) in c.filter_errors {
                if !std::mem::replace(&mut reported_filters[fi], true) {
                    set.skipped.push(Skipped { rule: self.filters[fi].0.clone(), reason: SkipReason::Filter(e) });
                }
            }
            let instances = match c.instances {
                Ok(instances) => instances,
                Err(reason) => {
                    set.skipped.push(Skipped { rule: info, reason });
                    continue;
                }
            };
            let rule_index = set.rules.len() as u32;
            set.rules.push(info);
            for mut x in instances {
                x.det.rename_fields(&mut |name| set.fields.id(name));
                x.det.share_regexes(&mut regexes);
                let pre = x.pre.into_iter().map(|(name, values)| (set.fields.intern(&name), values)).collect();
                for (name, list) in
                    [(x.channel_field, &mut set.channel_fields), (x.event_id_field, &mut set.event_id_fields)]
                {
                    if let Some(name) = name.filter(|n| !list.contains(n)) {
                        list.push(name);
                    }
                }
                origin.push((x.src, raw_index));
                let inst = Instance {
                    rule: rule_index,
                    regexes: x.det.regexes(),
                    det: x.det,
                    pre,
                    needles: Default::default(),
                };
                set.file_instance(x.src, inst);
            }
        }
        set.correlations =
            Correlations::compile(std::mem::take(&mut self.correlations), &mut set.rules, &mut set.skipped);
        self.name_correlation_fields(&mut set, &origin, &opts.pipelines);
        set.prefilter = opts.prefilter;
        set.prefilter_after = opts.prefilter_after;
        let ids = |names: &[String], t: &mut FieldTable| names.iter().map(|n| t.intern(n).id).collect();
        set.route_field_ids = (ids(&set.channel_fields, &mut set.fields), ids(&set.event_id_fields, &mut set.fields));
        // The parsed rules are not needed any more: freed on another thread, while the hunt starts.
        let parsed = (std::mem::take(&mut self.rules), std::mem::take(&mut self.held_rules));
        let _ = std::thread::Builder::new().name("drop-parsed".into()).spawn(move || drop(parsed));
        set
    }

    /// One rule's instances, one per event source its logsource (as the pipelines rewrite it)
    /// stands for, with the meta filters that apply to it; or why it is not used; and the
    /// filters that did not compile for it (left out). Field ids are `table`'s.
    fn compile_rule(&self, info: &RuleInfo, raw: &Rule, opts: &Options, table: &mut FieldTable) -> Compiled {
        let mut filter_errors = Vec::new();
        let instances = self.compile_instances(info, raw, opts, table, &mut filter_errors);
        Compiled { filter_errors, instances }
    }

    fn compile_instances(
        &self,
        info: &RuleInfo,
        raw: &Rule,
        opts: &Options,
        table: &mut FieldTable,
        filter_errors: &mut Vec<(usize, CompileError)>,
    ) -> Result<Vec<CompiledInstance>, SkipReason> {
        let pipelines = &opts.pipelines;
        // The rule as the pipelines rewrite it decides the routing (change_logsource).
        let rule: Cow<'_, Rule> = if pipelines.is_empty() {
            Cow::Borrowed(raw)
        } else {
            Cow::Owned(pipelines.apply(raw).map_err(|e| SkipReason::Compile(CompileError::Pipeline(e)))?)
        };
        let sources = event_sources(&rule, info, opts.routing)?;
        let filters: Vec<usize> = (0..self.filters.len())
            .filter(|&i| filter_applies(&self.filters[i].1, &self.filters[i].0, raw, info))
            .collect();
        let mut instances = Vec::new();
        for src in sources {
            // Without pipelines the taxonomy's field names are applied while compiling; with
            // them, first (Sigma name → the event source's name), then the pipelines, so
            // that a pipeline sees e.g. 4688's `NewProcessName` and maps it for its log shape.
            let taxonomy_map = |f: &str| src.map_or(f, |s| s.provider_field(f)).to_string();
            let identity = |f: &str| f.to_string();
            let map: &dyn Fn(&str) -> String = if pipelines.is_empty() { &taxonomy_map } else { &identity };
            let for_source = |r: &Rule| -> Result<Detection, CompileError> {
                let renamed = renamed_for_source(r, src);
                pipelines.apply(&renamed).map(|r| r.detection).map_err(CompileError::Pipeline)
            };
            let compiled = match src {
                _ if pipelines.is_empty() => Ok(Cow::Borrowed(&raw.detection)),
                // No field names of its own: the rule processed once serves.
                Some(s) if !s.field_map.is_empty() => for_source(raw).map(Cow::Owned),
                _ => Ok(Cow::Borrowed(&rule.detection)),
            }
            .and_then(|d| compile_detection(&d, map, &opts.placeholders, table));
            let mut det = compiled.map_err(SkipReason::Compile)?;
            for &fi in &filters {
                // A filter is rewritten as part of the rule it applies to (its metadata and logsource).
                let as_rule = || Rule { detection: self.filters[fi].1.detection.clone(), ..(*raw).clone() };
                let fdet = if pipelines.is_empty() {
                    Ok(Cow::Borrowed(&self.filters[fi].1.detection))
                } else {
                    for_source(&as_rule()).map(Cow::Owned)
                };
                match fdet.and_then(|d| compile_detection(&d, map, &opts.placeholders, table)) {
                    Ok(f) => {
                        let shift = det.searches.len() as u32;
                        det.cond = Cond::And(vec![det.cond, f.cond.shifted(shift)]);
                        det.searches.extend(f.searches);
                    }
                    Err(e) => filter_errors.push((fi, e)),
                }
            }
            instances.push(source_conditions(src, raw, pipelines, det));
        }
        Ok(instances)
    }

    /// A correlation's fields as each instance of a rule it refers to names them: the event
    /// source's names (4688's `NewProcessName` for `Image`), then the pipelines'.
    fn name_correlation_fields(
        &self,
        set: &mut Ruleset,
        origin: &[(Option<&'static EventSource>, usize)],
        pipelines: &Pipelines,
    ) {
        let rules = &self.rules;
        let instance_rules: Vec<u32> = set.instances.iter().map(|i| i.rule).collect();
        set.correlations.name_fields(&instance_rules, &|instance, field| {
            let (src, raw) = origin[instance as usize];
            let name = src.map_or(field, |s| s.provider_field(field));
            if pipelines.is_empty() { name.to_string() } else { pipelines.map_name(&rules[raw].1, name) }
        });
    }
}

/// What compiling one rule gave.
struct Compiled {
    /// Meta filters that apply to the rule and did not compile (index, why).
    filter_errors: Vec<(usize, CompileError)>,
    instances: Result<Vec<CompiledInstance>, SkipReason>,
}

/// One instance of a compiled rule, its fields not yet named in the ruleset's table.
struct CompiledInstance {
    src: Option<&'static EventSource>,
    det: CompiledDetection,
    /// The event source's own conditions: field name → accepted values (lower-cased).
    pre: Vec<(String, Vec<String>)>,
    /// With pipelines: where events keep their channel and event id, as the pipelines name them.
    channel_field: Option<String>,
    event_id_field: Option<String>,
}

/// The event source's own conditions (field → accepted values, lower-cased) under the names
/// the pipelines give them; with pipelines, also where events keep their channel and id.
fn source_conditions(
    src: Option<&'static EventSource>,
    raw: &Rule,
    pipelines: &Pipelines,
    det: CompiledDetection,
) -> CompiledInstance {
    let pipeline_name = |f: &str| if pipelines.is_empty() { f.to_string() } else { pipelines.map_name(raw, f) };
    let pre = src.map_or_else(Vec::new, |s| {
        s.conditions.iter().map(|(f, vs)| (pipeline_name(f), vs.iter().map(|v| lowercase(v)).collect())).collect()
    });
    let routed = !pipelines.is_empty() && src.is_some();
    CompiledInstance {
        src,
        det,
        pre,
        channel_field: routed.then(|| pipeline_name("Channel")),
        event_id_field: routed.then(|| pipeline_name("EventID")),
    }
}

/// The event sources `rule`'s logsource stands for (`[None]` without routing), or why none.
fn event_sources(rule: &Rule, info: &RuleInfo, routing: bool) -> Result<Vec<Option<&'static EventSource>>, SkipReason> {
    if !routing {
        return Ok(vec![None]);
    }
    let ls = &rule.logsource;
    match logsource::lookup(ls.product.as_deref(), ls.category.as_deref(), ls.service.as_deref()) {
        Lookup::Mapped(m) => Ok(m.events.iter().map(Some).collect()),
        Lookup::Unmapped(u) => Err(SkipReason::Unmappable(info.logsource.clone(), u.reason.to_string())),
        Lookup::Unknown => Err(SkipReason::NoMapping(info.logsource.clone())),
    }
}

impl Ruleset {
    /// A ruleset with no rules yet.
    fn empty(routing: bool) -> Ruleset {
        Ruleset {
            rules: Vec::new(),
            skipped: Vec::new(),
            instances: Vec::new(),
            routing,
            routes: HashMap::default(),
            all: Guarded::default(),
            prefilter: true,
            prefilter_after: 0,
            automata: Default::default(),
            fields: FieldTable::default(),
            channel_fields: vec!["Channel".into()],
            event_id_fields: vec!["EventID".into()],
            route_field_ids: (Vec::new(), Vec::new()),
            correlations: Correlations::default(),
        }
    }

    /// File a compiled instance under its route.
    fn file_instance(&mut self, src: Option<&EventSource>, inst: Instance) {
        let id = self.instances.len() as u32;
        self.instances.push(inst);
        self.all.list.push(id);
        if let Some(src) = src {
            let route = self.routes.entry(lowercase(src.channel)).or_default();
            match src.event_id {
                Some(eid) => route.by_id.entry(eid).or_default().list.push(id),
                None => route.any.list.push(id),
            }
        }
    }
}

/// `rule` with its field names (and field references) as event source `src` names them.
fn renamed_for_source(rule: &Rule, src: Option<&EventSource>) -> Rule {
    let mut r = rule.clone();
    let Some(src) = src.filter(|s| !s.field_map.is_empty()) else { return r };
    for id in &mut r.detection.identifiers {
        let groups: Vec<&mut detwiki_sigma::FieldGroup> = match &mut id.body {
            SearchBody::Fields(g) => vec![g],
            SearchBody::AnyOf(gs) => gs.iter_mut().collect(),
            SearchBody::Keywords(_) => Vec::new(),
        };
        for p in groups.into_iter().flat_map(|g| g.predicates.iter_mut()) {
            if let Some(f) = &p.field {
                p.field = Some(src.provider_field(f).to_string());
            }
            for v in &mut p.values {
                if let ValueKind::FieldRef(f) = &v.kind {
                    v.kind = ValueKind::FieldRef(src.provider_field(f).to_string());
                }
            }
        }
    }
    r
}

fn filter_applies(f: &FilterRule, finfo: &RuleInfo, rule: &Rule, rinfo: &RuleInfo) -> bool {
    if f.rules.is_empty() {
        // No rule list: every rule of the same logsource.
        return f.logsource.as_ref().is_some_and(|ls| {
            ls.product == rule.logsource.product
                && ls.category == rule.logsource.category
                && ls.service == rule.logsource.service
        });
    }
    let _ = finfo;
    let name = rule.meta.name.as_ref().map(|n| n.value.as_str());
    f.rules.iter().any(|r| Some(r.value.as_str()) == rinfo.id.as_deref() || Some(r.value.as_str()) == name)
}

#[cfg(test)]
mod tests {
    use super::{Options, RulesetBuilder, SkipReason};

    #[test]
    fn a_file_with_errors_runs_none_of_its_rules() {
        let typo = detwiki_sigma::parse_str(
            "title: Typo\nid: 22222222-2222-4222-8222-222222222222\nlogsource:\n  product: windows\n  \
             category: process_creation\ndetection:\n  sel:\n    Image|endswith: '.exe'\n    \
             CommandLine|contians: 'x'\n  condition: sel\n",
        );
        let unreadable = detwiki_sigma::parse_str("title: [unclosed\n");
        let good = detwiki_sigma::parse_str(
            "title: Good\nlogsource:\n  product: windows\n  category: process_creation\ndetection:\n  \
             sel:\n    Image|endswith: '.exe'\n  condition: sel\n",
        );
        let mut b = RulesetBuilder::new();
        b.add_file("t", "typo.yml".as_ref(), &typo, &|_| true);
        b.add_file("t", "unreadable.yml".as_ref(), &unreadable, &|_| true);
        b.add_file("t", "good.yml".as_ref(), &good, &|_| true);
        let set = b.build(&Options::default());
        assert_eq!(set.rules.iter().map(|r| r.title.as_str()).collect::<Vec<_>>(), ["Good"]);
        assert_eq!(set.skipped.len(), 2);
        let SkipReason::FileErrors(errors) = &set.skipped[0].reason else { panic!("{:?}", set.skipped[0]) };
        assert_eq!(set.skipped[0].rule.title, "Typo");
        assert_eq!(errors.iter().map(|d| d.code.as_str()).collect::<Vec<_>>(), ["unknown-modifier"]);
        assert_eq!(set.skipped[1].rule.path, std::path::Path::new("unreadable.yml"));
        assert_eq!(set.skipped[1].reason.key(), "errors-in-file");
        // A rule of a broken file that the selection leaves out is not reported.
        let mut b = RulesetBuilder::new();
        b.add_file("t", "typo.yml".as_ref(), &typo, &|_| false);
        b.add_file("t", "good.yml".as_ref(), &good, &|_| true);
        assert!(b.build(&Options::default()).skipped.is_empty());
    }
}
