//! SARIF 2.1.0 (OASIS), the format code-scanning services read.

use std::io::{self, Write};

use detwiki_sigma::{Code, Severity};
use serde_json::{Value, json};

use super::Finding;

/// Write one SARIF log with one run.
pub fn write(out: &mut impl Write, findings: &[&Finding<'_>]) -> io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &log(findings))?;
    writeln!(out)
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

/// The SARIF log object.
pub fn log(findings: &[&Finding<'_>]) -> Value {
    let rules: Vec<Value> = Code::ALL
        .iter()
        .map(|c| {
            json!({
                "id": c.as_str(),
                "shortDescription": {"text": c.summary()},
                "defaultConfiguration": {"level": level(c.severity())},
            })
        })
        .collect();
    let results: Vec<Value> = findings
        .iter()
        .map(|f| {
            let d = &f.diagnostic;
            let mut region = json!({});
            if let Some((s, e)) = f.range() {
                region =
                    json!({"startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column});
            }
            let mut text = d.message.clone();
            if let Some(h) = &d.help {
                text.push_str(" (help: ");
                text.push_str(h);
                text.push(')');
            }
            let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": uri(&f.display_path())}}});
            if region.as_object().is_some_and(|r| !r.is_empty()) {
                location["physicalLocation"]["region"] = region;
            }
            json!({
                "ruleId": d.code.as_str(),
                "ruleIndex": Code::ALL.iter().position(|c| *c == d.code),
                "level": level(d.severity),
                "message": {"text": text},
                "locations": [location],
            })
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "detwiki",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/SigmaHQ/sigma-specification",
                "rules": rules,
            }},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    })
}

/// A relative URI reference for a path: `/` separators, spaces and `%` escaped.
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
