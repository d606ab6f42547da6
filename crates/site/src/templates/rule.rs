//! A rule's page as HTML: the layout of [`RulePage`] in an askama template, `templates/rule.html`,
//! which includes a file per section (`templates/rule/*.html`), in the seed page's order. The
//! template is compiled with the crate, so a section naming a field or method the model lacks
//! fails the build. It escapes with the site's own escaper ([`Html`]), as every other page does.

use std::borrow::Cow;
use std::fmt;

use askama::Template as _;

use crate::html::{highlight_ranges, highlight_yaml, write_escaped};
use crate::rule_view::{MIN_SECTION_ROOM, RulePage};
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
    /// Long code (more than 20 lines) is folded under a `<details>`. Each section shows at most
    /// `limits.section_bytes` of its text and all of them `limits.sections_bytes`; what is left
    /// out is counted, with a link to the rule's JSON, which holds every section whole.
    fn sections(&self) -> String {
        use detwiki_catalog::lang::SectionBody;
        let mut out = String::new();
        let mut budget = self.p.limits.sections_bytes;
        for (i, sec) in self.p.sections.iter().enumerate() {
            if budget < MIN_SECTION_ROOM {
                self.more_sections(&mut out, &self.p.sections[i..]);
                break;
            }
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
            let mut room = Room { left: self.p.limits.section_bytes.min(budget), spent: 0, cut: false };
            let by_page = budget < self.p.limits.section_bytes;
            match &sec.body {
                SectionBody::Text { text } => {
                    let paras: Vec<&str> = text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect();
                    let mut shown = 0;
                    let mut partial = false;
                    for para in &paras {
                        if room.take(para.len()) {
                            out.push_str("\n<p>");
                            super::esc(&mut out, para);
                            out.push_str("</p>");
                            shown += 1;
                            continue;
                        }
                        if shown == 0 && room.left > 0 {
                            // One paragraph longer than the room: its beginning.
                            let head = head_within(para, room.left);
                            room.take(head.len());
                            out.push_str("\n<p>");
                            super::esc(&mut out, head);
                            out.push_str(" …</p>");
                            shown = 1;
                            partial = true;
                        }
                        break;
                    }
                    if partial || shown < paras.len() {
                        self.more(&mut out, &mut room, paras.len() - shown, "paragraph", "paragraphs");
                    }
                }
                SectionBody::List { items } => {
                    let shown = items.iter().take_while(|item| room.take(item.len())).count();
                    if shown > 0 {
                        out.push_str("\n<ul>");
                        for item in &items[..shown] {
                            out.push_str("\n<li>");
                            super::esc(&mut out, item);
                            out.push_str("</li>");
                        }
                        out.push_str("\n</ul>");
                    }
                    if shown < items.len() {
                        self.more(&mut out, &mut room, items.len() - shown, "item", "items");
                    }
                }
                SectionBody::Code { language, text } => {
                    let lines = text.lines().count();
                    let head = lines_within(text, room.left);
                    room.take(head.len());
                    let shown = head.lines().count();
                    if !head.is_empty() {
                        let fold = lines > 20;
                        if fold {
                            out.push_str(&format!("\n<details><summary>{lines} lines of "));
                            super::esc(&mut out, language);
                            out.push_str("</summary>");
                        }
                        out.push_str("\n<pre class=\"code\" data-language=\"");
                        super::esc(&mut out, language);
                        out.push_str("\"><code>");
                        super::esc(&mut out, head);
                        out.push_str("</code></pre>");
                        if fold {
                            out.push_str("\n</details>");
                        }
                    }
                    if head.len() < text.trim_end_matches('\n').len() {
                        self.more(&mut out, &mut room, lines - shown, "line", "lines");
                    }
                }
                SectionBody::Table { header, rows } => {
                    let shown = rows.iter().take_while(|row| room.take(row.iter().map(String::len).sum())).count();
                    if shown > 0 {
                        out.push_str("\n<table>\n<thead><tr>");
                        for h in header {
                            out.push_str("<th scope=\"col\">");
                            super::esc(&mut out, h);
                            out.push_str("</th>");
                        }
                        out.push_str("</tr></thead>\n<tbody>");
                        for row in &rows[..shown] {
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
                    if shown < rows.len() {
                        self.more(&mut out, &mut room, rows.len() - shown, "row", "rows");
                    }
                }
            }
            budget -= room.spent;
            if room.cut && by_page {
                // Cut by the page's bound rather than its own: the sections after it are named.
                budget = 0;
            }
            out.push_str("\n</section>");
        }
        out
    }

    /// The sections past the page's bound, named in one paragraph (the first few titles) with
    /// a link to the rule's JSON.
    fn more_sections(&self, out: &mut String, rest: &[detwiki_catalog::lang::Section]) {
        const NAMED: usize = 8;
        out.push_str("\n\n<section id=\"sections-more\" class=\"lang-section\" aria-labelledby=\"h-sections-more\">\n<h2 id=\"h-sections-more\">More</h2>\n<p class=\"muted\">");
        let n = rest.len();
        out.push_str(&format!("{n} more section{} in the <a href=\"", if n == 1 { "" } else { "s" }));
        super::esc(out, self.root);
        super::esc(out, &self.p.json_url);
        out.push_str("\">rule's JSON</a>: ");
        for (i, sec) in rest.iter().take(NAMED).enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            super::esc(out, &sec.title);
        }
        if n > NAMED {
            out.push_str(&format!(" and {} more", n - NAMED));
        }
        out.push_str(".</p>\n</section>");
    }

    /// "… N more lines in the rule's JSON" under a section cut to the page's bounds.
    fn more(&self, out: &mut String, room: &mut Room, n: usize, one: &str, many: &str) {
        room.cut = true;
        out.push_str("\n<p class=\"muted\">… ");
        if n > 0 {
            out.push_str(&format!("{n} more {} ", if n == 1 { one } else { many }));
        } else {
            out.push_str("the rest ");
        }
        out.push_str("in the <a href=\"");
        super::esc(out, self.root);
        super::esc(out, &self.p.json_url);
        out.push_str("\">rule's JSON</a></p>");
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

/// The beginning of `text` within `max` bytes, cut at a character boundary.
fn head_within(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// The first whole lines of `text` within `max` bytes (a first line longer than that is cut
/// at a character boundary).
fn lines_within(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = 0;
    for line in text.split_inclusive('\n') {
        if end + line.len() > max {
            break;
        }
        end += line.len();
    }
    if end == 0 {
        return head_within(text, max);
    }
    text[..end].trim_end_matches('\n')
}

/// What a language section may still show (bytes of text) and what it has shown.
struct Room {
    left: usize,
    spent: usize,
    /// Whether the section was cut.
    cut: bool,
}

impl Room {
    /// Whether a part of `len` bytes fits; if so it is counted.
    fn take(&mut self, len: usize) -> bool {
        if len > self.left {
            return false;
        }
        self.left -= len;
        self.spent += len;
        true
    }
}
