//! rustc-style diagnostics:
//!
//! ```text
//! error[unknown-modifier]: unknown modifier `contians`
//!  --> rules/windows/proc_creation_win_whoami.yml:9:21
//!   |
//! 9 |         CommandLine|contians: 'whoami'
//!   |                     ^^^^^^^^
//!   = help: did you mean `contains`?
//! ```

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};
use detwiki_sigma::Severity;

use super::{Finding, Summary};

/// Write every finding.
pub fn write(out: &mut impl Write, findings: &[&Finding<'_>], color: bool) -> io::Result<()> {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    for f in findings {
        writeln!(out, "{}", renderer.render(&report(f)))?;
        writeln!(out)?;
    }
    Ok(())
}

fn report<'a>(f: &'a Finding<'a>) -> Vec<Group<'a>> {
    let d = &f.diagnostic;
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    let path = f.display_path();
    let title = level.primary_title(d.message.as_str()).id(d.code.as_str());
    let mut group = match d
        .span
        .filter(|s| s.end <= f.text.len() && f.text.is_char_boundary(s.start) && f.text.is_char_boundary(s.end))
    {
        Some(span) => {
            let mut snippet =
                Snippet::source(f.text).path(path).annotation(AnnotationKind::Primary.span(span.start..span.end));
            for l in &d.labels {
                if l.span.end <= f.text.len() {
                    snippet = snippet
                        .annotation(AnnotationKind::Context.span(l.span.start..l.span.end).label(l.message.as_str()));
                }
            }
            title.element(snippet)
        }
        None => title.element(annotate_snippets::Origin::path(path)),
    };
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    vec![group]
}

/// The closing line: files, rules, errors, warnings, time.
pub fn write_summary(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    use super::counted;
    writeln!(
        out,
        "checked {} ({}, {}, {}): {}, {} in {:.2}s",
        counted(s.files, "file", "files"),
        counted(s.rules, "rule", "rules"),
        counted(s.filters, "filter", "filters"),
        counted(s.correlations, "correlation", "correlations"),
        counted(s.errors, "error", "errors"),
        counted(s.warnings, "warning", "warnings"),
        s.seconds
    )
}
