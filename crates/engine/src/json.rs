//! JSON → [`Event`]: one streaming pass with serde, no intermediate tree.
//!
//! Two shapes are recognised:
//!
//! - the Windows event as the `evtx` crate and `evtx_dump` render it,
//!   `{"Event": {"System": {…}, "EventData": {…}, "UserData": {…}}}`:
//!   flattened the way SigmaHQ's rules expect (see [`crate::event`]);
//!   `RenderingInfo` and the `Event` element's own attributes are skipped;
//! - any other object: leaves by dotted path (`winlog.event_data.Image`),
//!   arrays as several values of the same field.

use std::fmt::{self, Write as _};

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::event::{Event, Kind};

/// Flatten one JSON object into `event` (which is cleared first).
pub fn flatten(bytes: &[u8], event: &mut Event) -> Result<(), serde_json::Error> {
    event.clear();
    let mut ctx = Ctx { event, name: String::new(), key: String::new(), num: String::new() };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    Node { ctx: &mut ctx, mode: Mode::Root, start: 0 }.deserialize(&mut de)?;
    de.end()
}

/// Reusable scratch for [`flatten`].
struct Ctx<'e> {
    event: &'e mut Event,
    /// The current field name is `name[start..]` of the node being read.
    name: String,
    key: String,
    num: String,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// The top-level object.
    Root,
    /// Generic JSON: children by dotted path.
    Path,
    /// Inside `Event`.
    EventRoot,
    /// Inside `Event.System`: children by name.
    System,
    /// A System element with attributes: `#attributes` children joined by `_`.
    SystemElem,
    /// Inside `EventData` / `UserData`: leaves by their own name.
    Leaves,
    /// Ignored.
    Skip,
}

struct Node<'c, 'e> {
    ctx: &'c mut Ctx<'e>,
    mode: Mode,
    /// Where the current name starts in `ctx.name`.
    start: usize,
}

impl<'de> DeserializeSeed<'de> for Node<'_, '_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        if self.mode == Mode::Skip {
            d.deserialize_ignored_any(IgnoredAny)?;
            return Ok(());
        }
        d.deserialize_any(self)
    }
}

impl Node<'_, '_> {
    fn leaf(&mut self, value: &str, kind: Kind) {
        let name = &self.ctx.name[self.start..];
        if !name.is_empty() {
            self.ctx.event.push(name, value, kind);
        }
    }

    fn number(&mut self, v: impl fmt::Display) {
        let mut num = std::mem::take(&mut self.ctx.num);
        num.clear();
        let _ = write!(num, "{v}");
        self.leaf(&num, Kind::Num);
        self.ctx.num = num;
    }

    /// Decimal digits without the formatting machinery (EVTX has many small integers).
    fn unsigned(&mut self, v: u64) {
        let mut buf = [0u8; 20];
        let mut i = buf.len();
        let mut n = v;
        loop {
            i -= 1;
            buf[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.leaf(std::str::from_utf8(&buf[i..]).unwrap_or("0"), Kind::Num);
    }

    /// The child's mode and name for `key` (already in `ctx.key`); returns
    /// the child's name start. The caller truncates `ctx.name` afterwards.
    fn child(&mut self) -> (Mode, usize) {
        let ctx = &mut *self.ctx;
        let key = ctx.key.as_str();
        let here = ctx.name.len();
        let own = self.start;
        let fresh = |name: &mut String, key: &str| {
            name.push_str(key);
            here
        };
        match self.mode {
            Mode::Root if key == "Event" => (Mode::EventRoot, fresh(&mut ctx.name, key)),
            // evtx_dump's element text: `{"Data": {"#text": [...]}}` is field `Data`.
            Mode::Path if key == "#text" => (Mode::Path, own),
            Mode::Root | Mode::Path => {
                if here > own {
                    ctx.name.push('.');
                }
                ctx.name.push_str(key);
                (Mode::Path, own)
            }
            Mode::EventRoot => match key {
                "System" => (Mode::System, here),
                "EventData" | "UserData" => (Mode::Leaves, here),
                _ if key.starts_with('#') || key == "RenderingInfo" => (Mode::Skip, here),
                _ => (Mode::Leaves, here),
            },
            Mode::System => {
                if let Some(base) = key.strip_suffix("_attributes") {
                    // evtx_dump --separate-json-attributes
                    ctx.name.push_str(base);
                    (Mode::SystemElem, here)
                } else {
                    (Mode::SystemElem, fresh(&mut ctx.name, key))
                }
            }
            Mode::SystemElem => match key {
                "#text" => (Mode::Leaves, own),
                "#attributes" => (Mode::SystemElem, own),
                _ => {
                    ctx.name.push('_');
                    ctx.name.push_str(key);
                    (Mode::SystemElem, own)
                }
            },
            Mode::Leaves => match key {
                "#text" => (Mode::Leaves, own),
                "#attributes" => (Mode::Leaves, here),
                _ => (Mode::Leaves, fresh(&mut ctx.name, key)),
            },
            Mode::Skip => (Mode::Skip, here),
        }
    }
}

impl<'de> Visitor<'de> for Node<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(mut self, v: bool) -> Result<(), E> {
        self.leaf(if v { "true" } else { "false" }, Kind::Bool);
        Ok(())
    }
    fn visit_i64<E>(mut self, v: i64) -> Result<(), E> {
        if v >= 0 {
            self.unsigned(v as u64);
        } else {
            self.number(v);
        }
        Ok(())
    }
    fn visit_u64<E>(mut self, v: u64) -> Result<(), E> {
        self.unsigned(v);
        Ok(())
    }
    fn visit_f64<E>(mut self, v: f64) -> Result<(), E> {
        self.number(v);
        Ok(())
    }
    fn visit_str<E>(mut self, v: &str) -> Result<(), E> {
        self.leaf(v, Kind::Str);
        Ok(())
    }
    fn visit_unit<E>(mut self) -> Result<(), E> {
        self.leaf("", Kind::Null);
        Ok(())
    }
    fn visit_none<E>(mut self) -> Result<(), E> {
        self.leaf("", Kind::Null);
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mode = if self.mode == Mode::Root { Mode::Path } else { self.mode };
        while seq.next_element_seed(Node { ctx: &mut *self.ctx, mode, start: self.start })?.is_some() {}
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        while map.next_key_seed(Key(&mut self.ctx.key))?.is_some() {
            let len = self.ctx.name.len();
            let (mode, start) = self.child();
            map.next_value_seed(Node { ctx: &mut *self.ctx, mode, start })?;
            self.ctx.name.truncate(len);
        }
        Ok(())
    }
}

/// Reads a map key into a reusable string.
struct Key<'k>(&'k mut String);

impl<'de> DeserializeSeed<'de> for Key<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Key<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a key")
    }
    fn visit_str<E>(self, v: &str) -> Result<(), E> {
        self.0.clear();
        self.0.push_str(v);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flat(json: &str) -> Vec<(String, String, Kind)> {
        let mut e = Event::new();
        flatten(json.as_bytes(), &mut e).unwrap();
        e.fields().map(|(n, v)| (n.to_string(), v.raw.to_string(), v.kind)).collect()
    }

    fn pairs(json: &str) -> Vec<(String, String)> {
        flat(json).into_iter().map(|(n, v, _)| (n, v)).collect()
    }

    fn p(n: &str, v: &str) -> (String, String) {
        (n.to_string(), v.to_string())
    }

    #[test]
    fn windows_shape_system_and_eventdata() {
        let json = r##"{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},
          "System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"{5770385F}"}},
            "EventID":1,"Level":4,
            "TimeCreated":{"#attributes":{"SystemTime":"2019-03-19T23:43:52.123Z"}},
            "EventRecordID":42,"Correlation":null,
            "Execution":{"#attributes":{"ProcessID":1952,"ThreadID":3788}},
            "Channel":"Microsoft-Windows-Sysmon/Operational","Computer":"PC01",
            "Security":{"#attributes":{"UserID":"S-1-5-18"}}},
          "EventData":{"Image":"C:\\Windows\\cmd.exe","Initiated":true,"RuleName":null}}}"##;
        let got = pairs(json);
        for want in [
            p("Provider_Name", "Microsoft-Windows-Sysmon"),
            p("Provider_Guid", "{5770385F}"),
            p("EventID", "1"),
            p("Level", "4"),
            p("TimeCreated_SystemTime", "2019-03-19T23:43:52.123Z"),
            p("EventRecordID", "42"),
            p("Execution_ProcessID", "1952"),
            p("Execution_ThreadID", "3788"),
            p("Channel", "Microsoft-Windows-Sysmon/Operational"),
            p("Computer", "PC01"),
            p("Security_UserID", "S-1-5-18"),
            p("Image", r"C:\Windows\cmd.exe"),
            p("Initiated", "true"),
        ] {
            assert!(got.contains(&want), "{want:?} missing from {got:?}");
        }
        assert!(!got.iter().any(|(n, _)| n == "xmlns"));
        let null = flat(json).into_iter().find(|(n, ..)| n == "RuleName").unwrap();
        assert_eq!(null.2, Kind::Null);
    }

    #[test]
    fn event_id_with_qualifiers() {
        let got = pairs(r##"{"Event":{"System":{"EventID":{"#attributes":{"Qualifiers":16384},"#text":7045}}}}"##);
        assert_eq!(got, vec![p("EventID_Qualifiers", "16384"), p("EventID", "7045")]);
    }

    #[test]
    fn userdata_leaves_by_own_name() {
        let got = pairs(
            r##"{"Event":{"System":{"EventID":5858},"UserData":{"Operation_ClientFailure":
              {"#attributes":{"xmlns":"http://manifests.microsoft.com/win/2006/windows/WMI"},
               "Id":"{00000000}","Operation":"Start IWbemServices::ExecQuery"}}}}"##,
        );
        assert!(got.contains(&p("Operation", "Start IWbemServices::ExecQuery")));
        assert!(got.contains(&p("Id", "{00000000}")));
    }

    #[test]
    fn unnamed_data_values() {
        let got = pairs(r##"{"Event":{"EventData":{"Data":{"#text":["a","b"]},"Binary":"00FF"}}}"##);
        assert_eq!(got, vec![p("Data", "a"), p("Data", "b"), p("Binary", "00FF")]);
    }

    #[test]
    fn generic_json_dotted_paths_and_arrays() {
        let got =
            pairs(r##"{"winlog":{"event_data":{"Image":"x"},"event_id":1},"tags":["a","b"],"n":1.5,"Event":"s"}"##);
        assert_eq!(
            got,
            vec![
                p("winlog.event_data.Image", "x"),
                p("winlog.event_id", "1"),
                p("tags", "a"),
                p("tags", "b"),
                p("n", "1.5"),
                p("Event", "s")
            ]
        );
    }

    #[test]
    fn element_text_in_flat_objects_is_the_element() {
        let got = pairs(r##"{"Provider_Name":"ESENT","Data":{"#text":["a","ntds.dit"]}}"##);
        assert_eq!(got, vec![p("Provider_Name", "ESENT"), p("Data", "a"), p("Data", "ntds.dit")]);
    }

    #[test]
    fn flat_objects() {
        let got = pairs(r##"{"EventID":4688,"NewProcessName":"C:\\x.exe","Channel":"Security"}"##);
        assert_eq!(got, vec![p("EventID", "4688"), p("NewProcessName", r"C:\x.exe"), p("Channel", "Security")]);
    }

    #[test]
    fn errors_on_bad_json() {
        let mut e = Event::new();
        assert!(flatten(b"{\"a\":", &mut e).is_err());
        assert!(flatten(b"{} x", &mut e).is_err());
    }
}
