//! The home page as HTML: the layout of [`Home`], one function per section.

use crate::pages::{Cell, Column, Home};
use crate::paths;

use super::{a, a_or_text, counted_noun, counted_table, esc, link, num, query_value};

/// The home page: corpora, counts, the ATT&CK matrix, links to browse.
pub fn home(out: &mut String, p: &Home, root: &str) {
    lead(out, p);
    corpora(out, p, root);
    counts(out, p, root);
    samples(out, p, root);
    matrix(out, p, root);
    browse(out, root);
}

/// `3,780 rules from 6 corpora: what each rule looks for …`.
fn lead(out: &mut String, p: &Home) {
    out.push_str("\n<h1>Detection wiki</h1>\n<p class=\"lead\">");
    counted_noun(out, p.rules, "rule", "rules");
    out.push_str(" from ");
    counted_noun(out, p.corpora.len(), "corpus", "corpora");
    out.push_str(
        ": what each rule looks for, the telemetry it needs, the ATT&amp;CK techniques it claims and the \
         indicators it shares with other rules.</p>",
    );
}

/// Each corpus with its rules, files and files left out (linked to their list).
fn corpora(out: &mut String, p: &Home, root: &str) {
    out.push_str(
        "\n\n<section id=\"corpora\" aria-labelledby=\"h-corpora\">\n\
         <h2 id=\"h-corpora\">Corpora</h2>\n<div class=\"tablewrap\"><table>\n<thead><tr><th scope=\"col\">Corpus</th>\
         <th scope=\"col\" class=\"num\">Rules</th><th scope=\"col\" class=\"num\">Files</th>\
         <th scope=\"col\" class=\"num\">Left out</th></tr></thead>\n<tbody>",
    );
    for c in &p.corpora {
        out.push_str("\n<tr><td><a href=\"");
        esc(out, root);
        out.push_str("rules/index.html?corpus=");
        query_value(out, &c.name);
        out.push_str("\">");
        esc(out, &c.name);
        out.push_str("</a></td><td class=\"num\">");
        num(out, c.rules);
        out.push_str("</td><td class=\"num\">");
        num(out, c.files);
        out.push_str("</td><td class=\"num\">");
        if c.failed > 0 {
            out.push_str("<a href=\"");
            esc(out, root);
            out.push_str(paths::LEFT_OUT_URL);
            out.push_str("#corpus-");
            esc(out, &crate::html::pct(&paths::segment(&c.name)));
            out.push_str("\">");
            num(out, c.failed);
            out.push_str("</a>");
        } else {
            num(out, c.failed);
        }
        out.push_str("</td></tr>");
    }
    out.push_str("\n</tbody></table></div>\n</section>");
}

/// With sample data: files, events, rules fired, hits, rules never fired (linked to their list).
fn samples(out: &mut String, p: &Home, root: &str) {
    let Some(s) = &p.samples else { return };
    out.push_str(
        "\n\n<section id=\"samples\" aria-labelledby=\"h-samples\">\n<h2 id=\"h-samples\">Sample data</h2>\n\
         <p>The rules run over sample logs (<code>--events</code>) with the engine of <code>detwiki hunt</code>; \
         each rule and technique page says what they found.</p>\n<dl class=\"facts\">\n<div><dt>Files</dt><dd>",
    );
    a(out, root, "samples/index.html", itoa::Buffer::new().format(s.files));
    out.push_str("</dd></div>\n<div><dt>Events</dt><dd>");
    out.push_str(itoa::Buffer::new().format(s.events));
    out.push_str("</dd></div>\n<div><dt>Rules fired</dt><dd>");
    num(out, s.fired);
    out.push_str("</dd></div>\n<div><dt>Hits</dt><dd>");
    out.push_str(itoa::Buffer::new().format(s.hits));
    out.push_str("</dd></div>\n<div><dt>Never fired</dt><dd>");
    a(out, root, "samples/never-fired/index.html", itoa::Buffer::new().format(s.never_fired));
    out.push_str("</dd></div>\n</dl>\n</section>");
}

/// Rules by level, status, product and platform.
fn counts(out: &mut String, p: &Home, root: &str) {
    out.push_str("\n\n<section id=\"counts\" aria-labelledby=\"h-counts\">\n<h2 id=\"h-counts\">Rules by ");
    if !p.languages.is_empty() {
        out.push_str("language, ");
    }
    out.push_str("level, status and product</h2>\n<div class=\"cols\">");
    if !p.languages.is_empty() {
        out.push_str("\n<div id=\"languages\">\n<h3>Language</h3>\n");
        counted_table(out, &p.languages, root, "Language");
        out.push_str("\n</div>");
    }
    for (title, rows) in &p.counts {
        out.push_str("\n<div>\n<h3>");
        esc(out, title);
        out.push_str("</h3>\n");
        counted_table(out, rows, root, title);
        out.push_str("\n</div>");
    }
    out.push_str("\n<div>\n<h3>Platform</h3>\n");
    counted_table(out, &p.platforms, root, "Platform");
    out.push_str("\n</div>\n</div>\n</section>");
}

/// The ATT&CK matrix: a column per tactic, then the tagged techniques no longer active.
fn matrix(out: &mut String, p: &Home, root: &str) {
    out.push_str(
        "\n\n<section id=\"matrix\" aria-labelledby=\"h-matrix\">\n\
         <h2 id=\"h-matrix\">MITRE ATT&amp;CK matrix</h2>\n<p class=\"note\">Rule counts per technique (",
    );
    esc(out, p.attack_version);
    out.push_str(
        "); a technique's count includes its sub-techniques' rules. Darker cells have more rules. Navigator layers: ",
    );
    for (i, l) in p.layers.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        link(out, l, root);
    }
    out.push_str(". Which rules can fire with the events you collect: <a href=\"");
    esc(out, root);
    out.push_str("telemetry/index.html\">My telemetry</a>.</p>");
    if p.samples.is_some() {
        out.push_str(
            "\n<p class=\"note\" id=\"samples-note\">With sample data (<code>--events</code>): each technique \
             says how many of its rules fired on the <a href=\"",
        );
        esc(out, root);
        out.push_str("samples/index.html\">samples</a>.</p>");
    }
    if p.matrix.iter().flat_map(|c| &c.cells).any(|c| c.fires.is_some()) {
        out.push_str(
            "\n<p class=\"note\" id=\"telemetry-note\">With your telemetry (<code>--telemetry</code>): each \
             technique says how many of its rules can fire with the events you collect; techniques none of whose \
             rules can fire are greyed.</p>",
        );
    }
    out.push_str("\n<div class=\"matrix\" role=\"region\" aria-label=\"ATT&amp;CK matrix\" tabindex=\"0\">");
    for col in &p.matrix {
        column(out, col, root);
    }
    out.push_str("\n</div>");
    if !p.outdated.is_empty() {
        out.push_str("\n<h3>Tagged techniques that ATT&amp;CK no longer lists as active</h3>\n");
        counted_table(out, &p.outdated, root, "Technique");
    }
    out.push_str("\n</section>");
}

/// A tactic: its techniques with rules (sub-techniques folded under each), then those without.
fn column(out: &mut String, col: &Column, root: &str) {
    out.push_str("\n<section class=\"tactic\">\n<h3>");
    a_or_text(out, root, col.url.as_deref(), &col.tactic);
    out.push_str(" <span class=\"n\">");
    num(out, col.count);
    out.push_str("</span></h3>\n<ul>");
    for c in col.cells.iter().filter(|c| c.count > 0) {
        out.push_str("\n<li class=\"cell s");
        num(out, usize::from(c.shade));
        if c.fires == Some(0) {
            out.push_str(" blind");
        }
        out.push_str("\">");
        cell(out, c, root);
        if !c.subs.is_empty() {
            out.push_str("<details><summary>");
            num(out, c.subs.len());
            out.push_str(" sub-technique");
            if c.subs.len() != 1 {
                out.push('s');
            }
            out.push_str("</summary><ul>");
            for s in &c.subs {
                out.push_str("<li class=\"cell s");
                num(out, usize::from(s.shade));
                if s.fires == Some(0) {
                    out.push_str(" blind");
                }
                out.push_str("\">");
                cell(out, s, root);
                out.push_str("</li>");
            }
            out.push_str("\n</ul></details>");
        }
        out.push_str("</li>");
    }
    out.push_str("\n</ul>");
    gaps(out, col);
    out.push_str("\n</section>");
}

/// A technique with rules: id, name and count, linked to its page.
fn cell(out: &mut String, c: &Cell, root: &str) {
    out.push_str("<a href=\"");
    esc(out, root);
    esc(out, c.url.as_deref().unwrap_or_default());
    out.push_str("\"><span class=\"tid\">");
    esc(out, &c.id);
    out.push_str("</span> ");
    esc(out, &c.name);
    out.push_str(" <span class=\"n\">");
    num(out, c.count);
    out.push_str("</span>");
    if let Some(f) = c.fires {
        out.push_str(" <span class=\"fires\" title=\"rules that can fire with your telemetry\">");
        num(out, f);
        out.push_str(" can fire</span>");
    }
    if let Some(f) = c.fired {
        out.push_str(" <span class=\"fired");
        if f == 0 {
            out.push_str(" none");
        }
        out.push_str("\" title=\"rules that fired on the sample data\">");
        num(out, f);
        out.push_str(" fired</span>");
    }
    out.push_str("</a>");
}

/// The techniques of a tactic without rules, folded.
fn gaps(out: &mut String, col: &Column) {
    let gaps: Vec<&Cell> = col.cells.iter().filter(|c| c.count == 0).collect();
    if gaps.is_empty() {
        return;
    }
    out.push_str("\n<details class=\"gaps\"><summary>");
    num(out, gaps.len());
    out.push_str(" without rules</summary><ul>");
    for c in gaps {
        out.push_str("<li class=\"cell s0\"><span class=\"tid\">");
        esc(out, &c.id);
        out.push_str("</span> ");
        esc(out, &c.name);
        out.push_str("</li>");
    }
    out.push_str("\n</ul></details>");
}

/// Links to the lists of the site.
fn browse(out: &mut String, root: &str) {
    out.push_str(
        "\n\n<section id=\"browse\" aria-labelledby=\"h-browse\">\n<h2 id=\"h-browse\">Browse</h2>\n<ul class=\"browse\">",
    );
    for (url, text, rest) in [
        ("rules/index.html", "All rules", ", with filters and sorting"),
        ("events/index.html", "Events", " by provider"),
        ("logsources/index.html", "Logsources", ""),
        ("platforms/index.html", "Platforms", ""),
        ("fields/index.html", "Fields", ""),
        ("authors/index.html", "Authors", ""),
        (paths::LEFT_OUT_URL, "Files left out", ", with what lint reports about each"),
        ("api/rules.json", "api/rules.json", ", a summary of every rule for scripts"),
    ] {
        out.push_str("\n<li>");
        a(out, root, url, text);
        out.push_str(rest);
        out.push_str("</li>");
    }
    out.push_str("\n</ul>\n</section>\n");
}
