//! The event data (`detwiki-eventdata`) against what SigmaHQ's rules read: every event a rule
//! reads has a title, every Sysmon event is fully described, and every Security event id the
//! rules read has a title and typed fields.

use detwiki_catalog::{Catalog, CorpusSpec, LoadOptions};

fn sigmahq() -> Option<Catalog> {
    let shared = detwiki_testdata::require("corpus/sigma/rules")?;
    let sigma = shared.parent()?.to_path_buf();
    let specs: Vec<CorpusSpec> = std::fs::read_dir(&sigma)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.file_name().and_then(|n| n.to_str()).is_some_and(|n| n.starts_with("rules")))
        .map(|p| CorpusSpec { name: p.file_name().unwrap().to_string_lossy().into_owned(), paths: vec![p] })
        .collect();
    Some(Catalog::load(&specs, &LoadOptions::default()))
}

#[test]
fn every_sysmon_event_is_described() {
    let ids: Vec<u32> = (1..=29).chain([255]).collect();
    for id in ids {
        let e = detwiki_eventdata::lookup("Microsoft-Windows-Sysmon/Operational", id)
            .unwrap_or_else(|| panic!("Sysmon {id} missing"));
        assert!(e.title.is_some(), "Sysmon {id}: title");
        assert!(e.description.is_some(), "Sysmon {id}: description");
        assert!(e.task.is_some(), "Sysmon {id}: task");
        let t = e.template.as_ref().unwrap_or_else(|| panic!("Sysmon {id}: template"));
        assert_eq!(t.params.len(), e.fields.len(), "Sysmon {id}: a placeholder per field");
        assert!(!e.fields.is_empty() && e.fields.iter().all(|f| f.ty.is_some()), "Sysmon {id}: typed fields");
        // No source has an example of Sysmon's error event (255): its page says so.
        assert_eq!(e.example.is_some(), id != 255, "Sysmon {id}: example");
    }
    let e13 = detwiki_eventdata::lookup("Microsoft-Windows-Sysmon/Operational", 13).unwrap();
    assert_eq!(e13.title.as_ref().unwrap().text, "RegistryEvent (Value Set)");
    assert!(e13.template.as_ref().unwrap().render().contains("TargetObject: {TargetObject}"));
}

#[test]
fn security_4624_is_titled_from_the_data() {
    let e = detwiki_eventdata::lookup("Security", 4624).unwrap();
    assert_eq!(e.title.as_ref().unwrap().text, "An account was successfully logged on");
    assert_eq!(e.task.as_ref().unwrap().text, "Logon");
    assert!(e.field("LogonType").is_some_and(|f| f.ty.as_deref() == Some("UInt32")));
    assert!(e.collection.iter().any(|r| r.by == "nsa"));
    assert!(e.requires.iter().any(|r| r.kind == "audit" && r.text == "Audit Logon"));
}

#[test]
fn sigmahq_events_have_titles_and_security_ids_typed_fields() {
    let Some(c) = sigmahq() else { return };
    let mut untitled = Vec::new();
    let mut security = Vec::new();
    for e in c.index.events.values() {
        let Some(id) = e.event_id else { continue };
        if e.title.is_empty() {
            untitled.push(format!("{} {} {id}", e.provider, e.channel));
        }
        if e.channel == "Security" {
            security.push(id);
        }
    }
    // The events left without a title are those no source in ../shared/eventdata titles
    // (legacy pre-Vista Security ids, Application/System events of other providers, most of
    // Defender's and the Firewall's): 250 before the event data, 165 with titles from it alone.
    assert!(untitled.len() <= 160, "{} untitled events: {untitled:?}", untitled.len());
    for u in &untitled {
        let mut words = u.rsplitn(2, ' ');
        let id: u32 = words.next().unwrap().parse().unwrap();
        let rest = words.next().unwrap();
        let channel = rest.split_once(' ').map_or(rest, |(_, c)| c);
        let titled = detwiki_eventdata::lookup(channel, id).and_then(|e| e.title.as_ref());
        assert!(titled.is_none(), "{u} has a title in the data but not in the catalog");
    }
    let e4624 = c.index.events.values().find(|e| e.channel == "Security" && e.event_id == Some(4624)).unwrap();
    assert_eq!(e4624.title, "An account was successfully logged on");
    assert!(security.len() >= 70, "{} Security ids", security.len());
    let mut missing = Vec::new();
    for id in security {
        match detwiki_eventdata::lookup("Security", id) {
            Some(e) if e.title.is_some() && !e.fields.is_empty() && e.fields.iter().all(|f| f.ty.is_some()) => {}
            _ => missing.push(id),
        }
    }
    // Only Windows 2003's Security ids (below 1000, written before Vista renumbered them),
    // which no source in ../shared/eventdata describes.
    assert!(missing.iter().all(|&id| id < 1000), "Security ids without a title or typed fields: {missing:?}");
}
