//! JSON lines: one object per finding, then one summary object.
//!
//! Wire format (stable; new keys may be added):
//!
//! ```text
//! {"type":"finding","file":"r.yml","severity":"error","code":"unknown-modifier",
//!  "message":"unknown modifier `contians`","help":"did you mean `contains`?",
//!  "line":9,"column":21,"end_line":9,"end_column":29,"labels":[{"line":..,"column":..,"message":..}]}
//! {"type":"summary","files":1,"files_with_errors":1,"rules":1,"filters":0,"correlations":0,
//!  "errors":1,"warnings":0,"allowed":0,"by_code":{"unknown-modifier":1},"seconds":0.01}
//! ```
//!
//! `line`/`column` are 1-based (column in characters); they are `null` for
//! findings about a whole file.

use std::io::{self, Write};

use detwiki_sigma::LineIndex;
use serde_json::{Value, json};

use super::{Finding, Summary};

/// Write findings then the summary, one JSON object per line.
pub fn write(out: &mut impl Write, findings: &[&Finding<'_>], summary: &Summary) -> io::Result<()> {
    for f in findings {
        serde_json::to_writer(&mut *out, &finding(f))?;
        writeln!(out)?;
    }
    let mut s = serde_json::to_value(summary)?;
    if let Value::Object(m) = &mut s {
        m.insert("type".into(), json!("summary"));
    }
    serde_json::to_writer(&mut *out, &s)?;
    writeln!(out)
}

/// One finding as a JSON object.
pub fn finding(f: &Finding<'_>) -> Value {
    let d = &f.diagnostic;
    let range = f.range();
    let idx = LineIndex::new(f.text);
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| {
            let lc = idx.line_col(f.text, l.span.start);
            json!({"line": lc.line, "column": lc.column, "message": l.message})
        })
        .collect();
    json!({
        "type": "finding",
        "file": f.display_path(),
        "severity": d.severity,
        "code": d.code,
        "message": d.message,
        "help": d.help,
        "line": range.map(|r| r.0.line),
        "column": range.map(|r| r.0.column),
        "end_line": range.map(|r| r.1.line),
        "end_column": range.map(|r| r.1.column),
        "labels": labels,
    })
}
