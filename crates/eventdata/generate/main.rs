//! Generate `data/events.json` (the tables of detwiki-eventdata) from the shared event sources.
//!
//! ```sh
//! cargo run -p detwiki-eventdata --example generate            # reads $DETWIKI_SHARED or ../shared
//! ```
//!
//! Inputs (see `../shared/eventdata/README.md`): `eventdata/ossem-dd` (Sysmon schema, data
//! dictionaries), `eventdata/ms-sysinternals` (sysmon.md), `eventdata/winevt-kb` (message strings,
//! providers), `eventdata/evtxecmd` (maps with example events), `eventdata/nsa`, `eventdata/acsc`,
//! `eventdata/palantir` (collection guidance), and `events/evtx-attack-samples` (real events, read
//! with the hunt engine's reader). Nothing is invented: a fact no source has is left out, and
//! every text keeps the id of its source. The output is deterministic (sorted, no timestamps).

#![allow(missing_docs)]
// Records of the generator are plain tuples of the sources' facts.
#![allow(clippy::type_complexity)]

mod parse;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use detwiki_eventdata::{
    Data, EventInfo, Example, Field, Part, Provider, Recommendation, Requirement, Source, Sourced, Template,
};

const SYSMON: &str = "Microsoft-Windows-Sysmon";
const SYSMON_CHANNEL: &str = "Microsoft-Windows-Sysmon/Operational";
const SECURITY: &str = "Microsoft-Windows-Security-Auditing";
/// Longest example value kept; longer ones are cut and say so.
const MAX_VALUE: usize = 1200;

type Res<T> = Result<T, String>;

fn read(p: &Path) -> Res<String> {
    let bytes = std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn files(dir: &Path, ext: &str) -> Res<Vec<PathBuf>> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).map_err(|e| format!("{}: {e}", d.display()))? {
            let p = e.map_err(|e| e.to_string())?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.to_string_lossy().ends_with(ext) {
                out.push(p);
            }
        }
    }
    out.sort();
    Ok(out)
}

fn commit(dir: &Path) -> String {
    read(&dir.join("SOURCE.txt"))
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("commit: ").or_else(|| l.strip_prefix("commits: ")))
                .map(|c| c.split_whitespace().next().unwrap_or("").to_string())
        })
        .unwrap_or_default()
}

fn sourced(text: impl Into<String>, source: &str) -> Sourced {
    Sourced { text: text.into(), source: source.to_string() }
}

fn level_name(tag: &str) -> String {
    match tag {
        "Informational" => "Information".into(),
        "Always" => "Log Always".into(),
        other => other.to_string(),
    }
}

fn level_number(n: &str) -> Option<&'static str> {
    Some(match n {
        "0" => "Log Always",
        "1" => "Critical",
        "2" => "Error",
        "3" => "Warning",
        "4" => "Information",
        "5" => "Verbose",
        _ => return None,
    })
}

/// The engine's flat fields of a sample or reference event, long values cut.
fn example(source: &str, origin: String, fields: Vec<(String, String)>) -> Example {
    let mut truncated = false;
    let fields = fields
        .into_iter()
        .map(|(n, v)| {
            if v.chars().count() > MAX_VALUE {
                truncated = true;
                let total = v.chars().count();
                let cut: String = v.chars().take(MAX_VALUE).collect();
                (n, format!("{cut}… ({} more characters)", total - MAX_VALUE))
            } else {
                (n, v)
            }
        })
        .collect();
    Example { source: source.into(), origin, fields, truncated }
}

/// The real event with the fewest empty values, then the smallest, per (channel, event id) in the EVTX samples, as the hunt engine reads it.
fn samples(dir: &Path) -> BTreeMap<(String, u32), (usize, String, Vec<(String, String)>, String)> {
    use detwiki_engine::read::{EventHandler, Input, Position, ReadProblem, collect_inputs, read_input};
    type Best = BTreeMap<(String, u32), (usize, String, Vec<(String, String)>, String)>;
    struct H<'a> {
        root: &'a Path,
        best: Mutex<Best>,
    }
    impl EventHandler for H<'_> {
        type State = ();
        fn state(&self) {}
        fn event(&self, _: &mut (), input: &Input, at: Position, ev: &detwiki_engine::Event) {
            let get = |n: &str| ev.get(n).map(|v| v.raw.to_string());
            let (Some(ch), Some(id)) = (get("Channel"), get("EventID").and_then(|i| i.parse::<u32>().ok())) else {
                return;
            };
            let fields: Vec<(String, String)> = ev.fields().map(|(n, v)| (n.to_string(), v.raw.to_string())).collect();
            // the event with the fewest empty values, then the smallest: a telling yet short example
            let empty = fields.iter().filter(|(_, v)| v.is_empty() || v == "-").count();
            let size = empty * 1_000_000 + fields.iter().map(|(n, v)| n.len() + v.len()).sum::<usize>();
            let rel = input.path.strip_prefix(self.root).unwrap_or(&input.path).to_string_lossy().replace('\\', "/");
            let origin = match at.record {
                Some(r) => format!("{rel}, record {r}"),
                None => rel,
            };
            let provider = get("Provider_Name").unwrap_or_default();
            let mut best = self.best.lock().expect("no panics while held");
            let slot = best.entry((ch, id)).or_insert((usize::MAX, String::new(), Vec::new(), String::new()));
            if (size, &origin) < (slot.0, &slot.1) {
                *slot = (size, origin, fields, provider);
            }
        }
        fn batch_done(&self, _: &mut (), _: u64, _: u64) {}
        fn problem(&self, _: Option<u64>, p: ReadProblem) {
            eprintln!("warning: {}: {}", p.path.display(), p.message);
        }
    }
    let (inputs, problems) = collect_inputs(&[dir.to_path_buf()]);
    for p in problems {
        eprintln!("warning: {}: {}", p.path.display(), p.message);
    }
    let h = H { root: dir, best: Mutex::new(BTreeMap::new()) };
    for input in &inputs {
        read_input(input, &h);
    }
    h.best.into_inner().expect("no panics while held")
}

#[derive(Default)]
struct Builder {
    events: BTreeMap<(String, u32), EventInfo>,
}

impl Builder {
    fn entry(&mut self, provider: &str, id: u32) -> &mut EventInfo {
        self.events.entry((provider.to_string(), id)).or_insert_with(|| EventInfo {
            provider: provider.to_string(),
            id,
            ..EventInfo::default()
        })
    }
}

fn main() {
    if let Err(e) = run() {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

fn run() -> Res<()> {
    let shared = detwiki_testdata::shared_path();
    let ed = shared.join("eventdata");
    if !ed.is_dir() {
        return Err(format!("{} not found: set DETWIKI_SHARED to the shared data folder", ed.display()));
    }
    let out_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("data/events.json");

    let sources = vec![
        src(
            &ed,
            "ossem-dd",
            "OSSEM Data Dictionaries (OSSEM-DD)",
            "OTRF/OSSEM-DD",
            "MIT",
            "the Sysmon schema (fields, types, levels, versions); field types and descriptions, titles, descriptions, levels, tasks and audit subcategories of Security-Auditing, PowerShell and other providers",
        ),
        src(
            &ed.join("ms-sysinternals"),
            "sysinternals",
            "Microsoft Sysinternals documentation (sysmon.md)",
            "MicrosoftDocs/sysinternals",
            "CC-BY-4.0",
            "the title and description of every Sysmon event",
        ),
        src(
            &ed,
            "winevt-kb",
            "libyal winevt-kb (Windows message strings)",
            "libyal/winevt-kb",
            "Apache-2.0",
            "message templates, task names and %%NNNN strings from adtschema.dll, msobjs.dll, services.exe, psevents.dll, pwrshmsg.dll, schedsvc.dll, ci.dll, qmgr.dll and wevtsvc.dll; provider GUIDs and log types",
        ),
        src(
            &ed,
            "evtxecmd",
            "EvtxECmd maps (Eric Zimmerman)",
            "EricZimmerman/evtx",
            "MIT",
            "reference example events, and titles of events no other source describes",
        ),
        src(
            &ed,
            "nsa",
            "NSA Event Forwarding Guidance",
            "nsacyber/Event-Forwarding-Guidance",
            "CC0-1.0",
            "the events NSA recommends collecting (RecommendedEvents.csv, NT6 subscriptions)",
        ),
        src(
            &ed,
            "acsc",
            "ASD/ACSC Windows event logging",
            "AustralianCyberSecurityCentre/windows_event_logging",
            "BSD-3-Clause",
            "ASD's ACSC event-forwarding subscriptions",
        ),
        src(
            &ed,
            "palantir",
            "Palantir Windows Event Forwarding",
            "palantir/windows-event-forwarding",
            "MIT",
            "Palantir's event-forwarding subscriptions",
        ),
        Source {
            id: "evtx-attack-samples".into(),
            name: "EVTX-ATTACK-SAMPLES (sbousseaden)".into(),
            repo: "sbousseaden/EVTX-ATTACK-SAMPLES".into(),
            commit: commit(&shared.join("events/evtx-attack-samples")),
            licence: "see the repository".into(),
            gives: "real recorded events, read with detwiki's hunt engine".into(),
        },
        Source {
            id: "taxonomy".into(),
            name: "detwiki's logsource taxonomy".into(),
            repo: String::new(),
            commit: String::new(),
            licence: "MIT OR Apache-2.0".into(),
            gives: "the channel of a provider no other source names".into(),
        },
    ];

    // ---- winevt-kb: message files and providers
    let wk = ed.join("winevt-kb/docs/sources");
    let mut message_files: HashMap<String, parse::MessageFile> = HashMap::new();
    for p in files(&wk.join("message-files"), ".md")? {
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        let dll = name.trim_start_matches("MessageFile-").trim_end_matches(".md").to_ascii_lowercase();
        message_files.insert(dll, parse::message_file(&read(&p)?));
    }
    let mut provider_docs: Vec<parse::ProviderDoc> = Vec::new();
    for p in files(&wk.join("eventlog-providers"), ".md")? {
        provider_docs.push(parse::provider_md(&read(&p)?));
    }
    let msobjs = message_files.get("msobjs.dll").cloned().unwrap_or_default();
    let resolve = |n: u32| parse::newest(&msobjs, n).map(|(_, t)| parse::clean_short(t));
    let files_of = |provider: &str| -> Vec<&parse::MessageFile> {
        provider_docs
            .iter()
            .filter(|d| d.name.eq_ignore_ascii_case(provider))
            .flat_map(|d| d.message_files.iter())
            .filter_map(|f| {
                let base = f.rsplit(['\\', '/']).next().unwrap_or(f).to_ascii_lowercase();
                message_files.get(&base)
            })
            .collect()
    };

    let mut b = Builder::default();

    // ---- Sysmon: schema + sysmon.md + OSSEM-DD field descriptions
    let schema = parse::sysmon_schema(&read(&ed.join("ossem-dd/resources/schemas/sysmon/sysmonv15.15_4.90.xml"))?)?;
    let md = parse::sysmon_md(&read(&ed.join("ms-sysinternals/sysinternals/downloads/sysmon.md"))?);
    let mut sysmon_desc: BTreeMap<u32, HashMap<String, String>> = BTreeMap::new();
    let mut ossem_examples: BTreeMap<(String, u32), (String, parse::XmlEvent)> = BTreeMap::new();
    for p in files(&ed.join("ossem-dd/windows/sysmon/events"), ".yml")? {
        let e = parse::ossem_event(&read(&p)?).map_err(|e| format!("{}: {e}", p.display()))?;
        if let Some(x) = e.example.clone() {
            ossem_examples.insert((SYSMON.to_string(), e.id), (rel_name(&ed, &p), x));
        }
        let m = sysmon_desc.entry(e.id).or_default();
        for (name, _, d) in e.fields {
            if let Some(d) = d {
                m.insert(name.to_ascii_lowercase(), d);
            }
        }
    }
    for s in &schema {
        let e = b.entry(SYSMON, s.id);
        e.channel = SYSMON_CHANNEL.into();
        e.version = Some(s.version);
        if let Some((title, desc)) = md.get(&s.id) {
            e.title = Some(sourced(title, "sysinternals"));
            if !desc.is_empty() {
                e.description = Some(sourced(desc, "sysinternals"));
            }
        }
        e.level = Some(sourced(level_name(&s.level), "ossem-dd"));
        let task = match &s.rulename {
            Some(r) => format!("{} (rule: {r})", s.template),
            None => s.template.clone(),
        };
        e.task = Some(sourced(task, "ossem-dd"));
        e.opcode = Some(sourced("Info", "ossem-dd"));
        let mut parts = vec![Part::Text(format!("{}:", s.template))];
        for (i, (name, _)) in s.fields.iter().enumerate() {
            parts.push(Part::Text(format!("\n{name}: ")));
            parts.push(Part::Param(i + 1));
        }
        e.template = Some(Template {
            parts,
            params: s.fields.iter().map(|(n, _)| n.clone()).collect(),
            source: "ossem-dd".into(),
            origin: "Sysmon schema 4.90: the template name, then one `Field: %N` line per field".into(),
        });
        e.fields = s
            .fields
            .iter()
            .map(|(name, ty)| {
                let key = name.to_ascii_lowercase();
                // case folded, so OSSEM-DD's `…GUID` spellings match the schema's `…Guid`
                let own = sysmon_desc.get(&s.id).and_then(|m| m.get(&key));
                let any = || sysmon_desc.values().find_map(|m| m.get(&key));
                Field {
                    name: name.clone(),
                    ty: Some(ty.clone()).filter(|t| !t.is_empty()),
                    description: own.or_else(any).map(|d| sourced(d, "ossem-dd")),
                }
            })
            .collect();
        e.fields_source = Some("ossem-dd".into());
        e.requires.push(Requirement {
            text: match &s.rulename {
                Some(r) => format!("Sysmon configuration: a <{r}> rule that includes the event"),
                None => "Sysmon installed (this event is always written)".into(),
            },
            kind: "sysmon".into(),
            category: None,
            source: "ossem-dd".into(),
        });
    }

    // ---- OSSEM-DD providers (the newest version of each event)
    let mut ossem: BTreeMap<(String, u32), parse::OssemEvent> = BTreeMap::new();
    let mut ossem_files = files(&ed.join("ossem-dd/windows/etw-providers"), ".yml")?;
    ossem_files.extend(files(&ed.join("ossem-dd/windows/powershell/events"), ".yml")?);
    for p in ossem_files {
        if !p.file_name().is_some_and(|n| n.to_string_lossy().starts_with("event-")) {
            continue;
        }
        let e = parse::ossem_event(&read(&p)?).map_err(|e| format!("{}: {e}", p.display()))?;
        let key = (e.log_source.clone(), e.id);
        if let Some(x) = e.example.clone() {
            ossem_examples.insert(key.clone(), (rel_name(&ed, &p), x));
        }
        if ossem.get(&key).is_none_or(|o| o.version <= e.version) {
            ossem.insert(key, e);
        }
    }
    for ((provider, id), o) in &ossem {
        let e = b.entry(provider, *id);
        e.version = Some(o.version);
        if let Some(t) = parse::ossem_title(&o.name) {
            e.title = Some(sourced(t, "ossem-dd"));
        }
        if let Some(d) = &o.description {
            e.description = Some(sourced(d, "ossem-dd"));
        }
        e.fields = o
            .fields
            .iter()
            .map(|(n, t, d)| Field {
                name: n.clone(),
                ty: t.clone(),
                description: d.as_ref().map(|d| sourced(d, "ossem-dd")),
            })
            .collect();
        e.fields_source = Some("ossem-dd".into());
        for t in &o.tags {
            if let Some(l) = t.strip_prefix("etw_level_") {
                e.level = Some(sourced(level_name(l), "ossem-dd"));
            } else if let Some(k) = t.strip_prefix("etw_task_") {
                if k != "task_0" && k != "None" {
                    e.task = Some(sourced(k, "ossem-dd"));
                }
            } else if let Some(op) = t.strip_prefix("etw_opcode_") {
                let op = if op == "Tobeusedwhenoperationisjustexecutingamethod" { "Info" } else { op };
                e.opcode = Some(sourced(op, "ossem-dd"));
            }
        }
        if provider == SECURITY {
            e.channel = "Security".into();
            let sub = o.tags.iter().find(|t| t.starts_with("Audit "));
            if let Some(sub) = sub {
                let cat = o.tags.iter().find(|t| !t.starts_with("etw_") && !t.starts_with("Audit ")).cloned();
                e.requires.push(Requirement {
                    text: sub.clone(),
                    kind: "audit".into(),
                    category: cat,
                    source: "ossem-dd".into(),
                });
            }
        }
    }

    // ---- EvtxECmd maps
    let mut maps: BTreeMap<(String, u32), parse::MapFile> = BTreeMap::new();
    let mut channels_seen: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for p in files(&ed.join("evtxecmd/evtx/Maps"), ".map")? {
        let m = match parse::evtxecmd_map(&read(&p)?) {
            Ok(m) => m,
            Err(e) => {
                eprintln!("warning: {}: {e}", p.display());
                continue;
            }
        };
        *channels_seen.entry(m.provider.clone()).or_default().entry(m.channel.clone()).or_default() += 1;
        maps.entry((m.provider.clone(), m.id)).or_insert(m);
    }

    // ---- real samples
    let samples_dir = shared.join("events/evtx-attack-samples");
    let samples = if samples_dir.is_dir() { samples(&samples_dir) } else { BTreeMap::new() };
    eprintln!("{} (channel, event id) pairs in the samples", samples.len());
    for ((ch, _), (_, _, _, prov)) in &samples {
        if !prov.is_empty() {
            *channels_seen.entry(prov.clone()).or_default().entry(ch.clone()).or_default() += 1;
        }
    }

    for ((provider, id), m) in &maps {
        let e = b.entry(provider, *id);
        if e.channel.is_empty() {
            e.channel = m.channel.clone();
        }
        if e.fields.is_empty()
            && let Some(x) = &m.example
        {
            let sys = system_names(x);
            e.fields = x
                .fields
                .iter()
                .filter(|(n, _)| !sys.contains(n.as_str()))
                .map(|(n, _)| Field { name: n.clone(), ty: None, description: None })
                .collect();
            e.fields_source = Some("evtxecmd".into());
        }
    }

    // ---- channels of the rest: samples, maps, winevt-kb log types, the taxonomy
    let taxonomy_channels: BTreeMap<String, String> = detwiki_taxonomy::logsource::mappings()
        .iter()
        .flat_map(|m| m.events.iter())
        .filter_map(|e| Some((e.provider_name?.to_string(), e.channel.to_string())))
        .collect();
    for ((provider, id), e) in b.events.iter_mut() {
        if !e.channel.is_empty() {
            continue;
        }
        if let Some(((ch, _), _)) = samples.iter().find(|((_, sid), s)| sid == id && &s.3 == provider) {
            e.channel = ch.clone();
        } else if let Some(ch) = channels_seen.get(provider).and_then(|m| m.iter().max_by_key(|(_, n)| **n)) {
            e.channel = ch.0.clone();
        } else if let Some(ch) =
            provider_docs.iter().find(|d| d.name.eq_ignore_ascii_case(provider)).and_then(|d| d.logs.first())
        {
            e.channel = ch.clone();
        } else if let Some(ch) = taxonomy_channels.get(provider) {
            e.channel = ch.clone();
        } else if provider == "PowerShell" {
            // OSSEM-DD's classic PowerShell events (400, 403, 600, 800)
            e.channel = provider_docs
                .iter()
                .find(|d| d.name == "PowerShell")
                .and_then(|d| d.logs.first().cloned())
                .unwrap_or_default();
        }
    }
    b.events.retain(|(p, id), e| {
        if e.channel.is_empty() {
            eprintln!("note: {p} {id}: no source names its channel; left out");
        }
        !e.channel.is_empty()
    });

    // ---- templates, task names, titles from the message strings
    for ((provider, id), e) in b.events.iter_mut() {
        if provider == SYSMON {
            continue;
        }
        let version = e.version.unwrap_or(0);
        let mfs = files_of(provider);
        let hit = mfs.iter().find_map(|mf| parse::event_message(mf, *id, version).map(|h| (h, *mf)));
        if let Some(((ver, msg_id, text), mf)) = hit {
            let parts = parse::template_parts(&text, &resolve);
            let params =
                if e.fields.is_empty() { Vec::new() } else { e.fields.iter().map(|f| f.name.clone()).collect() };
            let dll = provider_docs
                .iter()
                .find(|d| d.name.eq_ignore_ascii_case(provider))
                .and_then(|d| d.message_files.first())
                .map(|f| f.rsplit(['\\', '/']).next().unwrap_or(f).to_string())
                .unwrap_or_default();
            e.template = Some(Template {
                parts,
                params,
                source: "winevt-kb".into(),
                origin: format!("{dll} {ver}, 0x{msg_id:08x}"),
            });
            if e.task.is_none()
                && let Some(req) = e.requires.iter().find(|r| r.kind == "audit")
            {
                let want = req.text.trim_start_matches("Audit ");
                let found = mf
                    .iter()
                    .rev()
                    .flat_map(|(_, m)| m.iter())
                    .find(|(k, v)| *k >> 16 == 0x7000 && parse::clean_short(v).eq_ignore_ascii_case(want));
                if let Some((_, v)) = found {
                    e.task = Some(sourced(parse::clean_short(v), "winevt-kb"));
                }
            }
        }
        if e.title.is_none()
            && let Some(t) = &e.template
        {
            let first = first_sentence(t);
            if !first.is_empty() {
                e.title = Some(sourced(first, "winevt-kb"));
            }
        }
        if e.title.is_none()
            && let Some(d) = maps.get(&(provider.clone(), *id)).and_then(|m| m.description.clone())
        {
            e.title = Some(sourced(d, "evtxecmd"));
        }
    }
    // Security events that only the message strings know of
    if let Some(adt) = message_files.get("adtschema.dll") {
        let newest = adt.last().map(|(_, m)| m.clone()).unwrap_or_default();
        for (&msg_id, _) in newest.iter().filter(|(k, _)| *k >> 16 == 0 && (4096..8192).contains(&(**k & 0xffff))) {
            let id = msg_id & 0xffff;
            if b.events.contains_key(&(SECURITY.to_string(), id)) {
                continue;
            }
            let Some((ver, mid, text)) = parse::event_message(adt, id, 0) else { continue };
            let t = Template {
                parts: parse::template_parts(&text, &resolve),
                params: Vec::new(),
                source: "winevt-kb".into(),
                origin: format!("adtschema.dll {ver}, 0x{mid:08x}"),
            };
            let title = first_sentence(&t);
            let e = b.entry(SECURITY, id);
            e.channel = "Security".into();
            e.title = (!title.is_empty()).then(|| sourced(title, "winevt-kb"));
            e.template = Some(t);
        }
    }

    // ---- examples: a real sample, else the EvtxECmd map's, else OSSEM-DD's
    for ((provider, id), e) in b.events.iter_mut() {
        let key = (e.channel.clone(), *id);
        if let Some((_, origin, fields, _)) = samples.get(&key) {
            e.example = Some(example("evtx-attack-samples", origin.clone(), fields.clone()));
        } else if let Some(x) = maps.get(&(provider.clone(), *id)).and_then(|m| m.example.as_ref()) {
            let name = format!("{}_{}_{}.map", e.channel.replace('/', "-"), provider, id);
            e.example = Some(example("evtxecmd", name, x.fields.clone()));
        } else if let Some((name, x)) = ossem_examples.get(&(provider.clone(), *id)) {
            e.example = Some(example("ossem-dd", name.clone(), x.fields.clone()));
        }
        // levels and tasks an example states
        if let Some(x) = &e.example {
            let get = |n: &str| x.fields.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
            if e.level.is_none()
                && let Some(l) = get("Level").and_then(level_number)
            {
                e.level = Some(sourced(l, &x.source));
            }
            if e.task.is_none()
                && let Some(task) = get("Task").and_then(|t| t.parse::<u32>().ok())
            {
                let name = files_of(provider).iter().find_map(|mf| parse::task_name(mf, task));
                if let Some(n) = name {
                    e.task = Some(sourced(n, "winevt-kb"));
                }
            }
            if e.opcode.is_none() && get("Opcode") == Some("0") {
                e.opcode = Some(sourced("Info", &x.source));
            }
        }
    }

    // ---- collection guidance
    let mut recs: Vec<(String, Option<String>, Option<Vec<u32>>, Recommendation)> = Vec::new();
    for (cat, name, id, ch, prov) in parse::nsa_csv(&read(&ed.join("nsa/Events/RecommendedEvents.csv"))?)? {
        recs.push((
            ch,
            Some(prov),
            Some(vec![id]),
            Recommendation {
                by: "nsa".into(),
                what: format!("RecommendedEvents.csv: {cat} — {name}"),
                whole_channel: false,
            },
        ));
    }
    for (by, dir, ext) in [
        ("nsa", ed.join("nsa/Subscriptions"), ".xml"),
        ("acsc", ed.join("acsc/events"), "_sub.xml"),
        ("palantir", ed.join("palantir/wef-subscriptions"), ".xml"),
    ] {
        for p in files(&dir, ext)? {
            let selects = match parse::subscription(&read(&p)?) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("warning: {}: {e}", p.display());
                    continue;
                }
            };
            let what = p.strip_prefix(ed.join(by)).unwrap_or(&p).to_string_lossy().replace('\\', "/");
            for s in selects {
                let whole = s.ids.is_none();
                recs.push((
                    s.channel,
                    s.provider,
                    s.ids,
                    Recommendation { by: by.into(), what: what.clone(), whole_channel: whole },
                ));
            }
        }
    }
    for e in b.events.values_mut() {
        for (ch, prov, ids, r) in &recs {
            if !ch.eq_ignore_ascii_case(&e.channel) {
                continue;
            }
            if prov.as_ref().is_some_and(|p| !p.is_empty() && !p.eq_ignore_ascii_case(&e.provider)) {
                continue;
            }
            if ids.as_ref().is_some_and(|ids| !ids.contains(&e.id)) {
                continue;
            }
            if !e.collection.contains(r) {
                e.collection.push(r.clone());
            }
        }
        e.collection.sort_by(|a, b| (&a.by, a.whole_channel, &a.what).cmp(&(&b.by, b.whole_channel, &b.what)));
    }

    // ---- providers
    let mut providers: BTreeMap<String, Provider> = BTreeMap::new();
    for e in b.events.values() {
        let p = providers
            .entry(e.provider.clone())
            .or_insert_with(|| Provider { name: e.provider.clone(), ..Provider::default() });
        if !p.channels.contains(&e.channel) {
            p.channels.push(e.channel.clone());
        }
        if p.guid.is_none() {
            p.guid =
                provider_docs.iter().find(|d| d.name.eq_ignore_ascii_case(&e.provider)).and_then(|d| d.guid.clone());
        }
        if p.guid.is_none()
            && let Some(x) = &e.example
        {
            p.guid = x.fields.iter().find(|(k, _)| k == "Provider_Guid").map(|(_, v)| v.clone());
        }
    }
    for p in providers.values_mut() {
        p.channels.sort();
    }

    // Placeholders that stand for the fields in order are not written out (the library fills
    // them in from the fields): the file stays small.
    for e in b.events.values_mut() {
        let names: Vec<&String> = e.fields.iter().map(|f| &f.name).collect();
        if let Some(t) = &mut e.template
            && t.params.iter().collect::<Vec<_>>() == names
        {
            t.params.clear();
        }
    }
    // An event some source names but none describes (no title, fields or template) is left out.
    let events: Vec<EventInfo> =
        b.events.into_values().filter(|e| e.title.is_some() || !e.fields.is_empty() || e.template.is_some()).collect();
    let data = Data { sources, providers: providers.into_values().collect(), events };
    write(&out_path, &data)?;
    let n = data.events.len();
    let samples_used = data.events.iter().filter(|e| e.example.as_ref().is_some_and(Example::is_sample)).count();
    eprintln!("wrote {} ({n} events, {samples_used} with a real sample)", out_path.display());
    Ok(())
}

/// A path inside the event data folder, `/`-separated.
fn rel_name(ed: &Path, p: &Path) -> String {
    p.strip_prefix(ed).unwrap_or(p).to_string_lossy().replace('\\', "/")
}

fn src(dir: &Path, id: &str, name: &str, repo: &str, licence: &str, gives: &str) -> Source {
    let d = if dir.ends_with(id) || dir.ends_with("ms-sysinternals") { dir.to_path_buf() } else { dir.join(id) };
    Source {
        id: id.into(),
        name: name.into(),
        repo: repo.into(),
        commit: commit(&d),
        licence: licence.into(),
        gives: gives.into(),
    }
}

/// Field names of an example's System part (flattened), so that map-only events list only their
/// own (EventData / UserData) fields.
fn system_names(x: &parse::XmlEvent) -> BTreeSet<&str> {
    const SYSTEM: &[&str] = &[
        "Provider",
        "EventID",
        "Version",
        "Level",
        "Task",
        "Opcode",
        "Keywords",
        "TimeCreated",
        "EventRecordID",
        "Correlation",
        "Execution",
        "Channel",
        "Computer",
        "Security",
        "Qualifiers",
    ];
    x.fields
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| SYSTEM.iter().any(|s| *n == *s || n.strip_prefix(s).is_some_and(|r| r.starts_with('_'))))
        .collect()
}

/// The template's first sentence (its first line, without the final period), placeholders as
/// `{Field}`: the title Windows shows.
fn first_sentence(t: &Template) -> String {
    let text = t.render();
    let line = text.lines().map(str::trim).find(|l| !l.is_empty()).unwrap_or("");
    let line = match line.find(". ") {
        Some(i) => &line[..i],
        None => line,
    };
    line.trim_end_matches(['.', ':']).trim().to_string()
}

/// One event per line, so that regenerating shows a readable diff.
fn write(path: &Path, d: &Data) -> Res<()> {
    let j = |v: &dyn erased::Ser| v.json();
    let mut out = String::from("{\"sources\":[\n");
    out.push_str(&d.sources.iter().map(|s| j(s)).collect::<Vec<_>>().join(",\n"));
    out.push_str("\n],\"providers\":[\n");
    out.push_str(&d.providers.iter().map(|s| j(s)).collect::<Vec<_>>().join(",\n"));
    out.push_str("\n],\"events\":[\n");
    out.push_str(&d.events.iter().map(|s| j(s)).collect::<Vec<_>>().join(",\n"));
    out.push_str("\n]}\n");
    std::fs::write(path, out).map_err(|e| format!("{}: {e}", path.display()))
}

mod erased {
    pub trait Ser {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Ser for T {
        fn json(&self) -> String {
            serde_json::to_string(self).expect("plain data serialises")
        }
    }
}
