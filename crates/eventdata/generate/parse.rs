//! One parser per source. Each takes the file's text and returns plain records; `main.rs` joins
//! them. None of them invents text: what a source does not have stays `None`.

use std::collections::BTreeMap;

use detwiki_sigma::yaml::{Limits, Node, parse_documents};

// ---------------------------------------------------------------------------------------------
// Sysmon schema (OSSEM-DD resources/schemas/sysmon/*.xml)

/// A Sysmon event of the schema.
#[derive(Clone, Debug, PartialEq)]
pub struct SysmonEvent {
    pub id: u32,
    pub level: String,
    pub template: String,
    pub rulename: Option<String>,
    pub version: u32,
    /// (name, inType without `win:`)
    pub fields: Vec<(String, String)>,
}

pub fn sysmon_schema(xml: &str) -> Result<Vec<SysmonEvent>, String> {
    let doc = roxmltree::Document::parse(xml.trim_start_matches('\u{feff}')).map_err(|e| e.to_string())?;
    let mut out = Vec::new();
    for ev in doc.descendants().filter(|n| n.has_tag_name("event")) {
        let Some(id) = ev.attribute("value").and_then(|v| v.parse().ok()) else { continue };
        let fields = ev
            .children()
            .filter(|n| n.has_tag_name("data"))
            .filter_map(|d| {
                let name = d.attribute("name")?;
                let ty = d.attribute("inType").unwrap_or("").trim_start_matches("win:");
                Some((name.to_string(), ty.to_string()))
            })
            .collect();
        out.push(SysmonEvent {
            id,
            level: ev.attribute("level").unwrap_or("").to_string(),
            template: ev.attribute("template").unwrap_or("").to_string(),
            rulename: ev.attribute("rulename").map(str::to_string),
            version: ev.attribute("version").and_then(|v| v.parse().ok()).unwrap_or(0),
            fields,
        });
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Sysinternals' sysmon.md: `### Event ID N: Title`, then paragraphs

pub fn sysmon_md(md: &str) -> BTreeMap<u32, (String, String)> {
    let mut out = BTreeMap::new();
    let mut current: Option<(u32, String, Vec<String>)> = None;
    let flush = |c: Option<(u32, String, Vec<String>)>, out: &mut BTreeMap<u32, (String, String)>| {
        if let Some((id, title, lines)) = c {
            let text = lines.join("\n");
            let paras: Vec<String> = text
                .split("\n\n")
                .map(|p| p.lines().map(str::trim).collect::<Vec<_>>().join(" "))
                .filter(|p| !p.is_empty())
                .collect();
            out.insert(id, (title, paras.join("\n\n").trim().to_string()));
        }
    };
    for line in md.lines() {
        if line.starts_with('#') {
            flush(current.take(), &mut out);
            if let Some(rest) = line.strip_prefix("### Event ID ")
                && let Some((id, title)) = rest.split_once(':')
                && let Ok(id) = id.trim().parse()
            {
                current = Some((id, title.trim().to_string(), Vec::new()));
            }
        } else if let Some((_, _, lines)) = &mut current {
            lines.push(line.to_string());
        }
    }
    flush(current, &mut out);
    out
}

// ---------------------------------------------------------------------------------------------
// OSSEM-DD event YAML

#[derive(Clone, Debug, Default, PartialEq)]
pub struct OssemEvent {
    pub name: String,
    pub description: Option<String>,
    pub log_source: String,
    pub id: u32,
    pub version: u32,
    /// (name, type, description)
    pub fields: Vec<(String, Option<String>, Option<String>)>,
    pub tags: Vec<String>,
    /// The `event_sample` in `xml` format, flattened.
    pub example: Option<XmlEvent>,
}

fn text(n: Option<&Node>) -> Option<String> {
    let n = n?;
    if n.is_null() {
        return None;
    }
    let s = n.as_str()?.trim();
    (!s.is_empty() && s != "TBD").then(|| s.to_string())
}

pub fn ossem_event(yaml: &str) -> Result<OssemEvent, String> {
    let docs = parse_documents(yaml, &Limits::default()).map_err(|e| format!("{e:?}"))?;
    let root = docs.into_iter().find_map(|d| d.root).ok_or("empty document")?;
    let id = text(root.get("event_id")).and_then(|s| s.parse().ok()).ok_or("no event_id")?;
    let fields = root
        .get("event_fields")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|f| Some((text(f.get("name"))?, text(f.get("type")), text(f.get("description")))))
        .collect();
    let tags = root
        .get("tags")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter_map(|t| t.as_str().map(str::to_string))
        .collect();
    let example = root
        .get("event_sample")
        .and_then(Node::as_seq)
        .unwrap_or(&[])
        .iter()
        .filter(|s| s.get("format").and_then(Node::as_str) == Some("xml"))
        .find_map(|s| xml_event(s.get("sample")?.as_str()?.trim()).ok());
    Ok(OssemEvent {
        example,
        name: text(root.get("name")).unwrap_or_default(),
        description: text(root.get("description")),
        log_source: text(root.get("log_source")).unwrap_or_default(),
        id,
        version: text(root.get("event_version")).and_then(|s| s.parse().ok()).unwrap_or(0),
        fields,
        tags,
    })
}

/// The title in an OSSEM-DD `name`: `Event ID 4688: A new process has been created` → the text
/// after the colon. Names like `Event 4624 - task_0` carry no title.
pub fn ossem_title(name: &str) -> Option<String> {
    let rest = name.strip_prefix("Event ID ")?;
    let (_, title) = rest.split_once(':')?;
    let t = title.trim();
    (!t.is_empty()).then(|| t.to_string())
}

// ---------------------------------------------------------------------------------------------
// winevt-kb message files: `### versions`, then `0xID | text\r\n` rows; the newest section last

/// Sections in file order: (versions, id → raw text).
pub type MessageFile = Vec<(String, BTreeMap<u32, String>)>;

pub fn message_file(md: &str) -> MessageFile {
    let mut out: MessageFile = Vec::new();
    for line in md.lines() {
        if let Some(v) = line.strip_prefix("### ") {
            out.push((v.trim().to_string(), BTreeMap::new()));
            continue;
        }
        let Some((id, msg)) = line.split_once(" | ") else { continue };
        let Some(hex) = id.trim().strip_prefix("0x") else { continue };
        let Ok(id) = u32::from_str_radix(hex, 16) else { continue };
        if let Some((_, map)) = out.last_mut() {
            let msg = msg.trim_end();
            let msg = msg.strip_suffix("\\r\\n").unwrap_or(msg);
            map.insert(id, msg.replace("\\|", "|"));
        }
    }
    out
}

/// The newest text of message `id`.
pub fn newest(mf: &MessageFile, id: u32) -> Option<(&str, &str)> {
    mf.iter().rev().find_map(|(v, m)| m.get(&id).map(|t| (v.as_str(), t.as_str())))
}

/// The message id of event `event` (version `version`): the newest section that has one; in it,
/// the id equal to the event id, else the one whose version byte is `version`, else the highest.
/// Ids whose top nibble marks a task, opcode, keyword, level, channel or map are not events.
pub fn event_message(mf: &MessageFile, event: u32, version: u32) -> Option<(String, u32, String)> {
    for (v, map) in mf.iter().rev() {
        let cands: Vec<u32> = map
            .keys()
            .copied()
            .filter(|id| id & 0xffff == event && matches!(id >> 28, 0x0 | 0x4 | 0x8 | 0xb | 0xc))
            .collect();
        if cands.is_empty() {
            continue;
        }
        let pick = cands
            .iter()
            .find(|&&id| id == event)
            .or_else(|| cands.iter().find(|&&id| (id >> 16) & 0xff == version))
            .or_else(|| cands.iter().max())
            .copied()?;
        return Some((v.clone(), pick, map[&pick].clone()));
    }
    None
}

/// A task name (`0x7000TTTT`) in the newest section that has it.
pub fn task_name(mf: &MessageFile, task: u32) -> Option<String> {
    newest(mf, 0x7000_0000 | (task & 0xffff)).map(|(_, t)| clean_short(t))
}

/// A one-line string (task, `%%NNNN` value) without its trailing newline markers.
pub fn clean_short(t: &str) -> String {
    t.replace("%n", " ").replace("%t", " ").trim().to_string()
}

/// A message string as template parts: `%n` → newline, `%t` → tab, `%%NNNN` → its `msobjs`
/// text, `%N` (with an optional `!fmt!`) → placeholder N.
pub fn template_parts(msg: &str, msobjs: &dyn Fn(u32) -> Option<String>) -> Vec<detwiki_eventdata::Part> {
    use detwiki_eventdata::Part;
    let mut parts = Vec::new();
    let mut buf = String::new();
    let b = msg.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'%' || i + 1 >= b.len() {
            let ch = msg[i..].chars().next().expect("in bounds");
            buf.push(ch);
            i += ch.len_utf8();
            continue;
        }
        let c = b[i + 1];
        match c {
            b'n' | b'r' => {
                buf.push('\n');
                i += 2;
            }
            b't' => {
                buf.push('\t');
                i += 2;
            }
            b'b' => {
                buf.push(' ');
                i += 2;
            }
            b'.' | b'!' => {
                buf.push(c as char);
                i += 2;
            }
            b'%' => {
                let digits = b[i + 2..].iter().take_while(|d| d.is_ascii_digit()).count();
                let code = msg[i + 2..i + 2 + digits].parse::<u32>().ok();
                match code.and_then(msobjs) {
                    Some(t) => buf.push_str(&t),
                    None => buf.push_str(&msg[i..i + 2 + digits]),
                }
                i += 2 + digits;
            }
            b'0'..=b'9' => {
                let digits = b[i + 1..].iter().take_while(|d| d.is_ascii_digit()).count();
                let n: usize = msg[i + 1..i + 1 + digits].parse().unwrap_or(0);
                i += 1 + digits;
                // `%1!s!` style format specifications
                if i < b.len()
                    && b[i] == b'!'
                    && let Some(end) = msg[i + 1..].find('!')
                {
                    i += end + 2;
                }
                if !buf.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut buf)));
                }
                parts.push(Part::Param(n));
            }
            _ => {
                buf.push('%');
                i += 1;
            }
        }
    }
    if !buf.is_empty() {
        parts.push(Part::Text(buf.trim_end().to_string()));
    }
    parts
}

/// winevt-kb `Provider-*.md`: name, GUID, log types, message files.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProviderDoc {
    pub name: String,
    pub guid: Option<String>,
    pub logs: Vec<String>,
    pub message_files: Vec<String>,
}

pub fn provider_md(md: &str) -> ProviderDoc {
    let mut p = ProviderDoc::default();
    let mut label = String::new();
    for line in md.lines().map(str::trim) {
        if let Some(l) = line.strip_prefix("<td><b>").and_then(|l| l.strip_suffix("</b></td>")) {
            label = l.trim_end_matches(':').to_string();
            continue;
        }
        let Some(v) = line.strip_prefix("<td>").and_then(|l| l.strip_suffix("</td>")) else { continue };
        let vals = || v.split("<br>").map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        match label.as_str() {
            "Name" if p.name.is_empty() => p.name = v.to_string(),
            "Identifier" if p.guid.is_none() => p.guid = Some(v.to_string()),
            "Log type(s)" => p.logs.extend(vals()),
            "Event message file(s)" => p.message_files.extend(vals()),
            _ => {}
        }
        label.clear();
    }
    p.logs.dedup();
    p
}

// ---------------------------------------------------------------------------------------------
// EvtxECmd maps: header keys, and the example event in the comment lines after
// `# Example Event Data:`

#[derive(Clone, Debug, Default, PartialEq)]
pub struct MapFile {
    pub channel: String,
    pub provider: String,
    pub id: u32,
    pub description: Option<String>,
    pub example: Option<XmlEvent>,
}

pub fn evtxecmd_map(text: &str) -> Result<MapFile, String> {
    let mut m = MapFile::default();
    let mut lines = text.lines();
    let mut xml = String::new();
    let mut in_example = false;
    for line in lines.by_ref() {
        let unquote = |v: &str| v.trim().trim_matches('"').to_string();
        if let Some(v) = line.strip_prefix("Channel:") {
            m.channel = unquote(v);
        } else if let Some(v) = line.strip_prefix("Provider:") {
            m.provider = unquote(v);
        } else if let Some(v) = line.strip_prefix("EventId:") {
            m.id = v.trim().parse().map_err(|_| format!("bad EventId `{}`", v.trim()))?;
        } else if let Some(v) = line.strip_prefix("Description:") {
            let v = unquote(v);
            m.description = (!v.is_empty()).then_some(v);
        } else if line.starts_with('#') && line.contains("Example") && line.contains("Data") {
            in_example = true;
        } else if in_example {
            let Some(l) = line.strip_prefix('#') else { break };
            xml.push_str(l);
            xml.push('\n');
        }
    }
    if m.channel.is_empty() || m.provider.is_empty() {
        return Err("no Channel or Provider".into());
    }
    if let (Some(start), Some(end)) = (xml.find("<Event"), xml.rfind("</Event>")) {
        m.example = xml_event(&xml[start..end + "</Event>".len()]).ok();
    }
    Ok(m)
}

/// An event's XML flattened the way the hunt engine flattens EVTX records.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct XmlEvent {
    pub fields: Vec<(String, String)>,
}

#[cfg(test)]
impl XmlEvent {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

pub fn xml_event(xml: &str) -> Result<XmlEvent, String> {
    let doc = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
    let mut fields = Vec::new();
    let root = doc.root_element();
    for sect in root.children().filter(|n| n.is_element()) {
        match sect.tag_name().name() {
            "System" => {
                for c in sect.children().filter(|n| n.is_element()) {
                    let name = c.tag_name().name();
                    if let Some(t) = c.text().map(str::trim).filter(|t| !t.is_empty()) {
                        fields.push((name.to_string(), t.to_string()));
                    }
                    for a in c.attributes() {
                        fields.push((format!("{name}_{}", a.name()), a.value().to_string()));
                    }
                }
            }
            "EventData" => {
                for d in sect.children().filter(|n| n.is_element()) {
                    let name = d.attribute("Name").unwrap_or(d.tag_name().name());
                    fields.push((name.to_string(), d.text().unwrap_or("").trim().to_string()));
                }
            }
            _ => {
                for leaf in sect.descendants().filter(|n| n.is_element() && !n.children().any(|c| c.is_element())) {
                    fields.push((leaf.tag_name().name().to_string(), leaf.text().unwrap_or("").trim().to_string()));
                }
            }
        }
    }
    Ok(XmlEvent { fields })
}

// ---------------------------------------------------------------------------------------------
// Collection guidance: event-forwarding subscriptions (XPath selects) and the NSA CSV

/// One `<Select>` of a subscription: channel, provider filter, event ids (None = the whole channel).
#[derive(Clone, Debug, PartialEq)]
pub struct Select {
    pub channel: String,
    pub provider: Option<String>,
    pub ids: Option<Vec<u32>>,
}

/// The selects of a subscription file (its `<Query>` holds a `<QueryList>`, often as CDATA), or
/// of a bare `<QueryList>`. `<Suppress>` elements are left out.
pub fn subscription(xml: &str) -> Result<Vec<Select>, String> {
    let xml = xml.trim_start_matches('\u{feff}');
    let doc = roxmltree::Document::parse(xml).map_err(|e| e.to_string())?;
    if doc.root_element().has_tag_name("QueryList") {
        return Ok(query_list(&doc));
    }
    let mut out = Vec::new();
    for q in doc.descendants().filter(|n| n.has_tag_name("Query") && n.attribute("Id").is_none()) {
        let inner: String = q.children().filter_map(|c| c.text()).collect();
        let inner = inner.trim();
        if inner.is_empty() {
            continue;
        }
        let d = roxmltree::Document::parse(inner).map_err(|e| format!("query: {e}"))?;
        out.extend(query_list(&d));
    }
    if out.is_empty() {
        out.extend(query_list(&doc));
    }
    Ok(out)
}

fn query_list(doc: &roxmltree::Document) -> Vec<Select> {
    doc.descendants()
        .filter(|n| n.has_tag_name("Select"))
        .filter_map(|s| {
            let channel = s.attribute("Path")?.to_string();
            let x = s.text().unwrap_or("");
            let ids = xpath_ids(x);
            // an XPath without an event id selects the whole channel only when it is `*`;
            // other filters (levels, keywords, data) cannot be attributed to ids
            if ids.is_none() && x.trim() != "*" {
                return None;
            }
            Some(Select { channel, provider: xpath_provider(x), ids })
        })
        .collect()
}

fn xpath_provider(x: &str) -> Option<String> {
    let at = x.find("Provider[@Name=")? + "Provider[@Name=".len();
    let rest = &x[at..];
    let q = rest.chars().next()?;
    let rest = &rest[q.len_utf8()..];
    Some(rest[..rest.find(q)?].to_string())
}

/// `EventID=N`, `EventID >= a and EventID <= b` in an XPath; None when it names no id.
pub fn xpath_ids(x: &str) -> Option<Vec<u32>> {
    let compact: String = x.chars().filter(|c| !c.is_whitespace()).collect();
    let mut ids = Vec::new();
    let mut lows = Vec::new();
    let mut rest = compact.as_str();
    while let Some(at) = rest.find("EventID") {
        rest = &rest[at + "EventID".len()..];
        let (op, tail) = if let Some(t) = rest.strip_prefix(">=") {
            (">=", t)
        } else if let Some(t) = rest.strip_prefix("<=") {
            ("<=", t)
        } else if let Some(t) = rest.strip_prefix("!=") {
            ("!=", t)
        } else if let Some(t) = rest.strip_prefix('=') {
            ("=", t)
        } else {
            continue;
        };
        let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
        let Ok(n) = tail[..digits].parse::<u32>() else { continue };
        match op {
            "=" => ids.push(n),
            ">=" => lows.push(n),
            "<=" => {
                if let Some(lo) = lows.pop() {
                    ids.extend(lo..=n);
                }
            }
            _ => {}
        }
        rest = &tail[digits..];
    }
    (!ids.is_empty()).then(|| {
        ids.sort_unstable();
        ids.dedup();
        ids
    })
}

/// NSA `RecommendedEvents.csv`: (category, name, id, channel, provider).
pub fn nsa_csv(text: &str) -> Result<Vec<(String, String, u32, String, String)>, String> {
    let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for row in r.records() {
        let row = row.map_err(|e| e.to_string())?;
        let get = |i: usize| row.get(i).unwrap_or("").trim().to_string();
        let Ok(id) = get(2).parse() else { continue };
        out.push((get(0), get(1), id, get(4), get(5)));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use detwiki_eventdata::Part;

    #[test]
    fn sysmon_schema_events_and_types() {
        let xml = r#"<manifest><events>
          <event name="SYSMONEVENT_CREATE_PROCESS" value="1" level="Informational" template="Process Create" rulename="ProcessCreate" version="5">
            <data name="RuleName" inType="win:UnicodeString" outType="xs:string" />
            <data name="ProcessGuid" inType="win:GUID" />
          </event></events></manifest>"#;
        let ev = sysmon_schema(xml).unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].id, 1);
        assert_eq!(ev[0].rulename.as_deref(), Some("ProcessCreate"));
        assert_eq!(ev[0].fields[1], ("ProcessGuid".into(), "GUID".into()));
    }

    #[test]
    fn sysmon_md_titles_and_paragraphs() {
        let md = "## Events\n\n### Event ID 1: Process creation\n\nThe process creation\nevent provides.\n\nSecond.\n\n### Event ID 2: A process changed\n\nText.\n## Other\nno\n";
        let m = sysmon_md(md);
        assert_eq!(m[&1], ("Process creation".into(), "The process creation event provides.\n\nSecond.".into()));
        assert_eq!(m[&2].1, "Text.");
    }

    #[test]
    fn ossem_event_fields_and_title() {
        let y = "name: 'Event ID 4688: A new process has been created'\ndescription: This event generates.\nlog_source: Microsoft-Windows-Security-Auditing\nevent_id: '4688'\nevent_version: '2'\nevent_fields:\n- standard_name: TBD\n  name: SubjectUserSid\n  type: SID\n  description: SID of account.\n- name: Other\n  type: UInt32\n  description:\ntags:\n- etw_level_Informational\n- Audit Process Creation\n";
        let e = ossem_event(y).unwrap();
        assert_eq!((e.id, e.version), (4688, 2));
        assert_eq!(ossem_title(&e.name).as_deref(), Some("A new process has been created"));
        assert_eq!(e.fields[0], ("SubjectUserSid".into(), Some("SID".into()), Some("SID of account.".into())));
        assert_eq!(e.fields[1].2, None);
        assert_eq!(e.tags[1], "Audit Process Creation");
        assert_eq!(ossem_title("Event 4624 - task_0"), None);
        let with_sample = format!(
            "{y}event_sample:\n- format: xml\n  sample: |-\n    <Event><System><EventID>4688</EventID></System><EventData><Data Name=\"A\">b</Data></EventData></Event>\n"
        );
        let e = ossem_event(&with_sample).unwrap();
        assert_eq!(e.example.unwrap().fields, [("EventID".to_string(), "4688".to_string()), ("A".into(), "b".into())]);
    }

    #[test]
    fn message_files_pick_the_newest_event_message() {
        let md = "## x.dll\n\n### 6.0\n\nMessage identifier | Message string\n--- | ---\n0x70003100 | Logon\\r\\n\n0xb0001210 | Old %1\\r\\n\n### 10.0\n\n0x00001210 | An account was%n%tlogged on: %1!s! %%1843%n\\r\\n\n0x70003100 | Logon\\r\\n\n";
        let mf = message_file(md);
        assert_eq!(mf.len(), 2);
        let (v, id, text) = event_message(&mf, 4624, 2).unwrap();
        assert_eq!((v.as_str(), id), ("10.0", 0x1210));
        let parts = template_parts(&text, &|n| (n == 1843).then(|| "No".to_string()));
        assert_eq!(
            parts,
            vec![Part::Text("An account was\n\tlogged on: ".into()), Part::Param(1), Part::Text(" No".into())]
        );
        assert_eq!(task_name(&mf, 12544).as_deref(), Some("Logon"));
    }

    #[test]
    fn provider_docs() {
        let md = "<td><b>Name:</b></td>\n<td>Service Control Manager</td>\n<td><b>Identifier:</b></td>\n<td>{555908d1}</td>\n<td><b>Log type(s):</b></td>\n<td>System</td>\n<td><b>Event message file(s):</b></td>\n<td>%SystemRoot%\\system32\\services.exe</td>\n";
        let p = provider_md(md);
        assert_eq!(p.name, "Service Control Manager");
        assert_eq!(p.logs, ["System"]);
        assert_eq!(p.message_files, ["%SystemRoot%\\system32\\services.exe"]);
    }

    #[test]
    fn evtxecmd_map_with_example() {
        let m = "Author: x\nDescription: Successful logon\nEventId: 4624\nChannel: Security\nProvider: Microsoft-Windows-Security-Auditing\nMaps:\n  -\n    Property: X\n\n# Example Event Data:\n# <Event>\n#   <System>\n#     <Provider Name=\"Microsoft-Windows-Security-Auditing\" />\n#     <EventID>4624</EventID>\n#   </System>\n#   <EventData>\n#     <Data Name=\"LogonType\">3</Data>\n#   </EventData>\n# </Event>\n";
        let m = evtxecmd_map(m).unwrap();
        assert_eq!((m.channel.as_str(), m.id), ("Security", 4624));
        let ex = m.example.unwrap();
        assert_eq!(ex.get("Provider_Name"), Some("Microsoft-Windows-Security-Auditing"));
        assert_eq!(ex.get("EventID"), Some("4624"));
        assert_eq!(ex.get("LogonType"), Some("3"));
    }

    #[test]
    fn subscriptions_ids_ranges_and_whole_channels() {
        let xml = r#"<Subscription xmlns="http://schemas.microsoft.com/2006/03/windows/events/subscription"><Query><![CDATA[
<QueryList><Query Id="0" Path="Security">
  <Select Path="Security">*[System[(EventID &gt;=4624 and EventID &lt;=4626)]]</Select>
  <Select Path="Security">*[System[Provider[@Name='Microsoft-Windows-Security-Auditing'] and (EventID=4634 or EventID=4647)]]</Select>
  <Select Path="Microsoft-Windows-Sysmon/Operational">*</Select>
  <Select Path="System">*[System[(Level=1 or Level=2)]]</Select>
  <Suppress Path="Security">*[System[(EventID=4625)]]</Suppress>
</Query></QueryList>]]></Query></Subscription>"#;
        let s = subscription(xml).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s[0].ids.as_deref(), Some(&[4624, 4625, 4626][..]));
        assert_eq!(s[1].provider.as_deref(), Some("Microsoft-Windows-Security-Auditing"));
        assert_eq!(s[1].ids.as_deref(), Some(&[4634, 4647][..]));
        assert_eq!(s[2].ids, None);
    }

    #[test]
    fn nsa_csv_rows() {
        let csv = "Category,Name,ID,Level,Event Log,Event Source,\n\"Account Usage\",\"Account Lockouts\",\"4740\",\"Information\",\"Security\",\"Microsoft-Windows-Security-Auditing\",\n";
        let rows = nsa_csv(csv).unwrap();
        assert_eq!(rows[0].2, 4740);
        assert_eq!(rows[0].3, "Security");
    }
}
