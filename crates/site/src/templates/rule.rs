//! A rule's page as HTML: the layout of [`RulePage`] in an askama template, `templates/rule.html`,
//! which includes a file per section (`templates/rule/*.html`), in the seed page's order. The
//! template is compiled with the crate, so a section naming a field or method the model lacks
//! fails the build. It escapes with the site's own escaper ([`Html`]), as every other page does.

use std::fmt;

use askama::Template as _;

use crate::html::{highlight_yaml, write_escaped};
use crate::rule_view::RulePage;

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

    /// Another language's body (Elastic's TOML): shown as written, escaped, not highlighted.
    fn other_body(&self) -> String {
        let b = &self.p.body;
        let mut out = String::from(
            "\n\n<section id=\"body\" aria-labelledby=\"h-body\">\n<h2 id=\"h-body\">Rule body <span class=\"tag\">",
        );
        super::esc(&mut out, b.format);
        out.push_str("</span></h2>\n<pre class=\"");
        super::esc(&mut out, b.format);
        out.push_str("\" tabindex=\"0\"><code>");
        super::esc(&mut out, b.text);
        out.push_str("</code></pre>\n</section>");
        out
    }

    /// YAML highlighted as HTML (its text escaped): printed with `|safe`.
    fn yaml<'s>(&self, text: &'s str) -> Yaml<'s> {
        Yaml(text)
    }
}

/// YAML highlighted as HTML ([`highlight_yaml`]), through one buffer per thread.
struct Yaml<'a>(&'a str);

impl fmt::Display for Yaml<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        thread_local! {
            static BUF: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
        }
        BUF.with_borrow_mut(|buf| {
            buf.clear();
            highlight_yaml(buf, self.0);
            f.write_str(buf)
        })
    }
}

/// Append a rule's page content (the `main` block) to `out`.
pub fn rule(out: &mut String, p: &RulePage<'_>, root: &str) {
    // Writing into a String cannot fail, and every value the template prints is infallible.
    let _ = RuleHtml { p, root }.render_into(out);
}
