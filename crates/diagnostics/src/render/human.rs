//! rustc-style diagnostics:
//!
//! ```text
//! error[unknown-modifier]: unknown modifier `contians`
//!  --> rules/windows/proc_creation_win_whoami.yml:9:21
//!   |
//! 9 |         CommandLine|contians: 'whoami'
//!   |                     ^^^^^^^^
//!   |
//!   = help: did you mean `contains`?
//! ```
//!
//! The title names the code for lint codes only ([`Domain::is_lint`](crate::Domain::is_lint)):
//! `error: `mapping` must be a mapping, found a list` for a pipeline. A diagnostic with a file
//! but no usable span shows the file's name alone; one with no file, the title and help alone.

use std::io::{self, Write};

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use crate::{Diagnostic, Severity, SourceMap, Span};

/// Write each diagnostic followed by a blank line.
pub fn write<'d>(
    out: &mut impl Write,
    diagnostics: impl IntoIterator<Item = &'d Diagnostic>,
    sources: &SourceMap<'_>,
    color: bool,
) -> io::Result<()> {
    let renderer = renderer(color);
    for d in diagnostics {
        writeln!(out, "{}", renderer.render(&report(d, sources)))?;
        writeln!(out)?;
    }
    Ok(())
}

/// One diagnostic as text, without the blank line that [`write`] puts after it.
pub fn render(d: &Diagnostic, sources: &SourceMap<'_>, color: bool) -> String {
    renderer(color).render(&report(d, sources))
}

fn renderer(color: bool) -> Renderer {
    if color { Renderer::styled() } else { Renderer::plain() }
}

fn level(s: Severity) -> Level<'static> {
    match s {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    }
}

/// The title, then the source line(s) with a caret under the span (only the path when there is
/// no usable span), then the help.
fn report<'a>(d: &'a Diagnostic, sources: &'a SourceMap<'_>) -> Vec<Group<'a>> {
    let mut title = level(d.severity).primary_title(d.message.as_str());
    if d.code.domain().is_lint() {
        title = title.id(d.code.as_str());
    }
    let mut group = match sources.file_of(d) {
        Some(file) => {
            let text = file.text();
            let usable =
                |s: &Span| s.end <= text.len() && text.is_char_boundary(s.start) && text.is_char_boundary(s.end);
            match d.span.filter(|s| usable(s) && !text.is_empty()) {
                Some(span) => {
                    let mut snippet = Snippet::source(text)
                        .path(file.name())
                        .annotation(AnnotationKind::Primary.span(span.start..span.end));
                    for l in d.labels.iter().filter(|l| usable(&l.span)) {
                        snippet = snippet.annotation(
                            AnnotationKind::Context.span(l.span.start..l.span.end).label(l.message.as_str()),
                        );
                    }
                    title.element(snippet)
                }
                None => title.element(annotate_snippets::Origin::path(file.name())),
            }
        }
        None => Group::with_title(title),
    };
    if let Some(help) = &d.help {
        group = group.element(Level::HELP.message(help.as_str()));
    }
    vec![group]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Code;

    #[test]
    fn a_lint_finding_names_its_code_file_line_and_column() {
        let mut map = SourceMap::new();
        let text = "detection:\n  sel:\n    CommandLine|contians: x\n";
        let id = map.add("rules/r.yml", text);
        let start = text.find("contians").unwrap();
        let d =
            Diagnostic::new(Code::UnknownModifier, "unknown modifier `contians`", Some(Span::new(start, start + 8)))
                .with_help("did you mean `contains`?")
                .in_file(id);
        let want = "error[unknown-modifier]: unknown modifier `contians`\n --> rules/r.yml:3:17\n  |\n\
                    3 |     CommandLine|contians: x\n  |                 ^^^^^^^^\n  |\n  = help: did you mean `contains`?";
        assert_eq!(render(&d, &map, false), want);
        let mut out = Vec::new();
        write(&mut out, [&d], &map, false).unwrap();
        assert_eq!(String::from_utf8(out).unwrap(), format!("{want}\n\n"));
    }

    #[test]
    fn other_domains_title_with_the_message_alone() {
        let mut map = SourceMap::new();
        let id = map.add("p.yml", "transformations: 3\n");
        let d = Diagnostic::new(
            Code::PipelineInvalidType,
            "`transformations` must be a list, found an integer",
            Some(Span::new(17, 18)),
        )
        .in_file(id);
        let have = render(&d, &map, false);
        assert!(have.starts_with("error: `transformations` must be a list"), "{have}");
        assert!(have.contains(" --> p.yml:1:18\n"), "{have}");
    }

    #[test]
    fn without_a_span_the_file_and_without_a_file_the_title() {
        let mut map = SourceMap::new();
        let id = map.add("gone.yml", "");
        let d = Diagnostic::new(Code::Io, "cannot read file", None).in_file(id);
        assert_eq!(render(&d, &map, false), "error[io-error]: cannot read file\n --> gone.yml");
        // A span that is not in the text (or splits a character) is shown as no span.
        let id = map.add("é.yml", "é");
        let d = Diagnostic::new(Code::YamlSyntax, "bad", Some(Span::new(1, 2))).in_file(id);
        assert_eq!(render(&d, &map, false), "error[yaml-syntax]: bad\n --> é.yml");
        let d = Diagnostic::new(Code::ConfigInvalid, "no file", None).with_help("do this");
        assert_eq!(render(&d, &map, false), "error: no file\n  |\n  = help: do this");
    }
}
