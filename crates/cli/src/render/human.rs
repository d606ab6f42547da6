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
use detwiki_sigma::{Severity, Span};

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
    let labels: Vec<(Span, &str)> = d.labels.iter().map(|l| (l.span, l.message.as_str())).collect();
    let title = level(d.severity).primary_title(d.message.as_str()).id(d.code.as_str());
    vec![group(title, f.display_path(), f.text, d.span, &labels, d.help.as_deref())]
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

/// The title, then the source line(s) with a caret under `span` (only the path when there is
/// no usable span), then the help.
fn group<'a>(
    title: annotate_snippets::Title<'a>,
    path: String,
    text: &'a str,
    span: Option<Span>,
    labels: &[(Span, &'a str)],
    help: Option<&'a str>,
) -> Group<'a> {
    let usable = |s: &Span| s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end);
    let mut group = match span.filter(|s| usable(s) && !text.is_empty()) {
        Some(span) => {
            let mut snippet =
                Snippet::source(text).path(path).annotation(AnnotationKind::Primary.span(span.start..span.end));
            for (l, message) in labels {
                if usable(l) {
                    snippet = snippet.annotation(AnnotationKind::Context.span(l.start..l.end).label(*message));
                }
            }
            title.element(snippet)
        }
        None => title.element(annotate_snippets::Origin::path(path)),
    };
    if let Some(help) = help {
        group = group.element(Level::HELP.message(help));
    }
    group
}

/// A problem in a file that is not a rule (a pipeline, a placeholders file, `detwiki.toml`),
/// shown as findings are: `error: what`, ` --> file:line:col`, the line with a caret, the help.
pub struct Message<'a> {
    /// Error or warning.
    pub severity: Severity,
    /// What is wrong.
    pub message: &'a str,
    /// The file, as shown.
    pub path: String,
    /// Its text (spans index into it).
    pub text: &'a str,
    /// Where, when known.
    pub span: Option<Span>,
    /// What to do (empty: none).
    pub help: &'a str,
}

/// Write one [`Message`] and a blank line.
pub fn write_message(out: &mut impl Write, m: &Message<'_>, color: bool) -> io::Result<()> {
    let renderer = if color { Renderer::styled() } else { Renderer::plain() };
    let title = level(m.severity).primary_title(m.message);
    let help = (!m.help.is_empty()).then_some(m.help);
    let report = [group(title, m.path.clone(), m.text, m.span, &[], help)];
    writeln!(out, "{}", renderer.render(&report))?;
    writeln!(out)
}

/// Color for messages on stderr: when it is a terminal and `NO_COLOR` is not set.
pub fn stderr_color() -> bool {
    std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none()
}

/// The closing line: files, rules, errors, warnings, allowed findings (when any), time.
pub fn write_summary(out: &mut impl Write, s: &Summary) -> io::Result<()> {
    use super::counted;
    let allowed = if s.allowed > 0 { format!(", {} allowed", s.allowed) } else { String::new() };
    writeln!(
        out,
        "checked {} ({}, {}, {}): {}, {}{allowed} in {:.2}s",
        counted(s.files, "file", "files"),
        counted(s.rules, "rule", "rules"),
        counted(s.filters, "filter", "filters"),
        counted(s.correlations, "correlation", "correlations"),
        counted(s.errors, "error", "errors"),
        counted(s.warnings, "warning", "warnings"),
        s.seconds
    )
}
