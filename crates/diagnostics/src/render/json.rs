//! One JSON object per diagnostic.
//!
//! Wire format (stable; new keys may be added):
//!
//! ```text
//! {"type":"finding","file":"r.yml","severity":"error","code":"unknown-modifier",
//!  "message":"unknown modifier `contians`","help":"did you mean `contains`?",
//!  "line":9,"column":21,"end_line":9,"end_column":29,"labels":[{"line":..,"column":..,"message":..}]}
//! ```
//!
//! `line`/`column` are 1-based (column in characters); they are `null` for diagnostics about a
//! whole file, and `file` is `null` for one about no file.

use std::io::{self, Write};

use serde_json::{Value, json};

use crate::{Diagnostic, SourceMap};

/// Write each diagnostic as one line.
pub fn write<'d>(
    out: &mut impl Write,
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    sources: &SourceMap<'_>,
) -> io::Result<()> {
    for d in diagnostics {
        serde_json::to_writer(&mut *out, &diagnostic(d, sources))?;
        writeln!(out)?;
    }
    Ok(())
}

/// One diagnostic as a JSON object.
pub fn diagnostic(d: &Diagnostic, sources: &SourceMap<'_>) -> Value {
    let file = sources.file_of(d);
    let range = sources.range(d);
    let labels: Vec<Value> = d
        .labels
        .iter()
        .map(|l| {
            let lc = file.map(|f| f.line_col(l.span.start));
            json!({"line": lc.map(|l| l.line), "column": lc.map(|l| l.column), "message": l.message})
        })
        .collect();
    json!({
        "type": "finding",
        "file": file.map(|f| f.name()),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Code, Span};

    #[test]
    fn a_finding_with_its_range_and_labels() {
        let mut map = SourceMap::new();
        let id = map.add("r.yml", "a: 1\nbé: 2\n");
        let d = Diagnostic::new(Code::DuplicateKey, "key `bé` repeated", Some(Span::new(5, 8)))
            .with_label(Span::new(0, 1), "first here")
            .in_file(id);
        let mut out = Vec::new();
        write(&mut out, [&d], &map).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "{\"type\":\"finding\",\"file\":\"r.yml\",\"severity\":\"error\",\"code\":\"duplicate-key\",\
             \"message\":\"key `bé` repeated\",\"help\":null,\"line\":2,\"column\":1,\"end_line\":2,\
             \"end_column\":3,\"labels\":[{\"line\":1,\"column\":1,\"message\":\"first here\"}]}\n"
        );
        let whole = diagnostic(&Diagnostic::new(Code::Io, "cannot search", None), &map);
        assert_eq!((&whole["file"], &whole["line"]), (&Value::Null, &Value::Null));
    }
}
