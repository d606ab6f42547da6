//! SARIF 2.1.0 (OASIS), the format code-scanning services read: one log with one run.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::{Code, Diagnostic, Severity, SourceMap};

/// The tool a log is from.
#[derive(Clone, Copy, Debug)]
pub struct Tool<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its version.
    pub version: &'a str,
    /// Where to read about it.
    pub information_uri: &'a str,
    /// The codes it can report, listed as the run's rules; a result's `ruleIndex` is its code's
    /// position here.
    pub rules: &'a [Code],
}

/// Write the log, pretty-printed, and a line break.
pub fn write<'d>(
    out: &mut impl Write,
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    sources: &SourceMap<'_>,
    tool: &Tool<'_>,
) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(diagnostics, sources, tool))?;
    writeln!(out)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The SARIF log object.
pub fn log<'d>(
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    sources: &SourceMap<'_>,
    tool: &Tool<'_>,
) -> Value {
    let rules: Vec<Value> = tool
        .rules
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.summary()},
                "defaultConfiguration": {"level": level(c.severity())},
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics.into_iter().map(|d| result(d, sources, tool)).collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": tool.name,
                "version": tool.version,
                "informationUri": tool.information_uri,
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

fn result(d: &Diagnostic, sources: &SourceMap<'_>, tool: &Tool<'_>) -> Value {
    let mut text = d.message.clone();
    if let Some(h) = &d.help {
        text.push_str(" (help: ");
        text.push_str(h);
        text.push(')');
    }
    let locations: Vec<Value> = sources
        .file_of(d)
        .map(|file| {
            let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": uri(file.name())}}});
            if let Some((s, e)) = sources.range(d) {
                location["physicalLocation"]["region"] =
                    json!({"startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column});
            }
            location
        })
        .into_iter()
        .collect();
    json!({
        "ruleId": d.code.as_str(),
        "ruleIndex": tool.rules.iter().position(|c| *c == d.code),
        "level": level(d.severity),
        "message": {"text": text},
        "locations": locations,
    })
}

/// A relative URI reference for a path: `/` separators, spaces, `%`, `#` and `?` escaped.
fn uri(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for c in path.replace('\\', "/").chars() {
        match c {
            ' ' => out.push_str("%20"),
            '%' => out.push_str("%25"),
            '#' => out.push_str("%23"),
            '?' => out.push_str("%3F"),
            c => out.push(c),
        }
    }
    out.trim_start_matches("./").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Span;

    const TOOL: Tool<'static> =
        Tool { name: "t", version: "1", information_uri: "https://x.invalid", rules: Code::LINT };

    #[test]
    fn a_result_points_at_its_file_and_region() {
        let mut map = SourceMap::new();
        let id = map.add("./rules/a b#1.yml", "x: 1\n");
        let d =
            Diagnostic::new(Code::UnusedIdentifier, "unused", Some(Span::new(0, 1))).with_help("use it").in_file(id);
        let one = log([&d], &map, &TOOL);
        let r = &one["runs"][0]["results"][0];
        assert_eq!(r["ruleId"], "unused-identifier");
        assert_eq!(r["ruleIndex"], Code::LINT.iter().position(|c| *c == Code::UnusedIdentifier).unwrap());
        assert_eq!(r["message"]["text"], "unused (help: use it)");
        let loc = &r["locations"][0]["physicalLocation"];
        assert_eq!(loc["artifactLocation"]["uri"], "rules/a%20b%231.yml");
        assert_eq!(loc["region"], json!({"startLine": 1, "startColumn": 1, "endLine": 1, "endColumn": 2}));
        assert_eq!(one["runs"][0]["tool"]["driver"]["rules"].as_array().map(Vec::len), Some(Code::LINT.len()));
        // No span: the file without a region; no file: no location; a code not listed: no index.
        let whole = Diagnostic::new(Code::Io, "gone", None).in_file(id);
        let nowhere = Diagnostic::new(Code::ConfigInvalid, "bad", None);
        let both = log([&whole, &nowhere], &map, &TOOL);
        let results = &both["runs"][0]["results"];
        assert!(results[0]["locations"][0]["physicalLocation"].get("region").is_none());
        assert_eq!(results[1]["locations"], json!([]));
        assert_eq!(results[1]["ruleIndex"], Value::Null);
    }
}
