//! A rule's page as HTML: the layout of [`RulePage`] in an askama template, `templates/rule.html`,
//! which includes a file per section (`templates/rule/*.html`), in the seed page's order. The
//! template is compiled with the crate, so a section naming a field or method the model lacks
//! fails the build. It escapes with the site's own escaper ([`Html`]), as every other page does.

use std::borrow::Cow;
use std::fmt;

use askama::Template as _;

use crate::html::{highlight_ranges, highlight_yaml, write_escaped};
use crate::rule_view::RulePage;
use detwiki_catalog::lang::Highlight;

/// The site's escaper (`&`, `<`, `>`, `"`: every attribute is double-quoted), named for `.html`
/// templates in `askama.toml`.
#[derive(Clone, Copy)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: fmt::Write>(&self, mut dest: W, s: &str) -> fmt::Result {
        write_escaped(&mut dest, s)
    }
}

#[derive(askama::Template)]
#[template(path = "rule.html")]
struct RuleHtml<'a> {
    p: &'a RulePage<'a>,
    root: &'a str,
}

impl RuleHtml<'_> {
    /// A query-string value, percent-encoded.
    fn query(&self, s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        super::query_value(&mut out, s);
        out
    }

    /// What only the rule's language has (Elastic: rule type, index patterns …): a key → value
    /// table, escaped here and printed with `|safe`; nothing for Sigma rules.
    fn details(&self) -> String {
        let items = self.p.details;
        let mut out = String::new();
        if items.is_empty() {
            return out;
        }
        out.push_str(
            "\n\n<section id=\"details\" aria-labelledby=\"h-details\">\n<h2 id=\"h-details\">Details</h2>\n<table>",
        );
        for (k, v) in items {
            out.push_str("\n<tr><th scope=\"row\">");
            super::esc(&mut out, k);
            out.push_str("</th><td>");
            super::esc(&mut out, v);
            out.push_str("</td></tr>");
        }
        out.push_str("\n</table>\n</section>");
        out
    }

    /// Sections only the rule's language has (Splunk's "How to implement", Panther's tests),
    /// after Details, each escaped here and printed with `|safe`; nothing when there are none.
    /// Long code (more than 20 lines) is folded under a `<details>`.
    fn sections(&self) -> String {
        use detwiki_catalog::lang::SectionBody;
        let mut out = String::new();
        for (i, sec) in self.p.sections.iter().enumerate() {
            let id = format!("section-{}", i + 1);
            out.push_str("\n\n<section id=\"");
            out.push_str(&id);
            out.push_str("\" class=\"lang-section\" aria-labelledby=\"h-");
            out.push_str(&id);
            out.push_str("\">\n<h2 id=\"h-");
            out.push_str(&id);
            out.push_str("\">");
            super::esc(&mut out, &sec.title);
            out.push_str("</h2>");
            match &sec.body {
                SectionBody::Text { text } => {
                    for para in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
                        out.push_str("\n<p>");
                        super::esc(&mut out, para);
                        out.push_str("</p>");
                    }
                }
                SectionBody::List { items } => {
                    out.push_str("\n<ul>");
                    for item in items {
                        out.push_str("\n<li>");
                        super::esc(&mut out, item);
                        out.push_str("</li>");
                    }
                    out.push_str("\n</ul>");
                }
                SectionBody::Code { language, text } => {
                    let lines = text.lines().count();
                    let fold = lines > 20;
                    if fold {
                        out.push_str(&format!("\n<details><summary>{lines} lines of "));
                        super::esc(&mut out, language);
                        out.push_str("</summary>");
                    }
                    out.push_str("\n<pre class=\"code\" data-language=\"");
                    super::esc(&mut out, language);
                    out.push_str("\"><code>");
                    super::esc(&mut out, text);
                    out.push_str("</code></pre>");
                    if fold {
                        out.push_str("\n</details>");
                    }
                }
                SectionBody::Table { header, rows } => {
                    out.push_str("\n<table>\n<thead><tr>");
                    for h in header {
                        out.push_str("<th scope=\"col\">");
                        super::esc(&mut out, h);
                        out.push_str("</th>");
                    }
                    out.push_str("</tr></thead>\n<tbody>");
                    for row in rows {
                        out.push_str("\n<tr>");
                        for cell in row {
                            out.push_str("<td>");
                            super::esc(&mut out, cell);
                            out.push_str("</td>");
                        }
                        out.push_str("</tr>");
                    }
                    out.push_str("\n</tbody>\n</table>");
                }
            }
            out.push_str("\n</section>");
        }
        out
    }

    /// The body's text (the whole body or its first lines, a prefix of it) highlighted as
    /// HTML, its text escaped: printed with `|safe`. YAML through [`highlight_yaml`]; another
    /// language through its own highlighter, run over the whole body so that a string or
    /// query running past the cut is still read as one.
    fn code<'s>(&self, text: &'s str) -> Code<'s> {
        let ranges = self.p.body.highlight.map(|h| Cow::Owned(h(self.p.body.text)));
        Code { text, ranges, yaml: self.p.body.format == "yaml" }
    }

    /// A stage's text as HTML: a stage quoted from a highlighted body as it is written there
    /// (Elastic's whole query, highlighted in the body just above) only escaped — not taken
    /// for YAML, and without markup that would double the query's weight on the page; the
    /// others, written in Sigma syntax, highlighted as YAML.
    fn stage<'s>(&'s self, shown: &'s str) -> Code<'s> {
        let quoted = self.p.body.highlight.is_some() && !shown.is_empty() && self.p.body.text.contains(shown);
        if quoted {
            return Code { text: shown, ranges: Some(Cow::Owned(Vec::new())), yaml: false };
        }
        Code { text: shown, ranges: None, yaml: true }
    }

    /// The body's format as a name (`YAML`, `TOML`).
    fn format_name(&self) -> String {
        self.p.body.format.to_ascii_uppercase()
    }

    /// The media type of the complete file beside a cut page.
    fn media_type(&self) -> String {
        match self.p.body.format {
            "yaml" => "text/yaml".into(),
            "toml" => "application/toml".into(),
            _ => "text/plain".into(),
        }
    }
}

/// A rule body (or its first lines, or a stage) highlighted as HTML, through one buffer per
/// thread.
struct Code<'a> {
    /// What to show.
    text: &'a str,
    /// Its language's ranges (over `text` or a longer text it begins).
    ranges: Option<Cow<'a, [Highlight]>>,
    /// Without ranges: YAML is highlighted by the site, anything else only escaped.
    yaml: bool,
}

impl Code<'_> {
    /// The class of its `<pre>`: `yaml`, or `hl` for a language's highlighting.
    fn class(&self) -> &'static str {
        if self.ranges.is_some() { "hl" } else { "yaml" }
    }
}

impl fmt::Display for Code<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        thread_local! {
            static BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        BUF.with_borrow_mut(|buf| {
            buf.clear();
            match &self.ranges {
                Some(r) => highlight_ranges(buf, self.text, r),
                None if self.yaml => highlight_yaml(buf, self.text),
                None => {
                    let _ = write_escaped(&mut *buf, self.text);
                }
            }
            f.write_str(buf)
        })
    }
}

/// Append a rule's page content (the `main` block) to `out`.
pub fn rule(out: &mut String, p: &RulePage<'_>, root: &str) {
    // Writing into a String cannot fail, and every value the template prints is infallible.
    let _ = RuleHtml { p, root }.render_into(out);
}
