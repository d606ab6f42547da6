//! A rule's page as HTML: the layout of [`RulePage`], one function per section, in the seed
//! page's order. What each section shows is decided by the model; this only marks it up.

use crate::html::highlight_yaml;
use crate::rule_view::{
    Body, Crumb, Events, Header, IndicatorLine, Linked, NeighborsView, Related, RulePage, RuleRef, StageView, TacticRow,
};

use super::{a, a_or_text, esc, esc_display, ext_link, list_section, num, query_value};

/// A rule's page content (the `main` block).
pub fn rule(out: &mut String, p: &RulePage<'_>, root: &str) {
    crumbs(out, &p.crumb, root);
    out.push_str("\n<article class=\"rule\">");
    header(out, p, root);
    description(out, p.description);
    details(out, p.details);
    attack(out, p, root);
    events(out, &p.events, root);
    body(out, &p.body, root);
    stages(out, p, root);
    indicators(out, p, root);
    references(out, p);
    falsepositives(out, p.falsepositives);
    related(out, &p.related, root);
    neighbors(out, &p.neighbors, root);
    findings(out, p.findings);
    out.push_str("\n</article>\n");
}

/// A model link: its page after `root` when it has one, else its text.
fn linked(out: &mut String, l: &Linked<'_>, root: &str) {
    a_or_text(out, root, l.url.as_deref(), &l.text);
}

/// `Detection rules › Sigma`, the corpus linked to the rules list filtered on it.
fn crumbs(out: &mut String, c: &Crumb<'_>, root: &str) {
    out.push_str("\n<nav class=\"crumbs\" aria-label=\"Breadcrumb\"><ol>\n<li><a href=\"");
    esc(out, root);
    out.push_str("rules/index.html\">Detection rules</a></li>\n<li><a href=\"");
    esc(out, root);
    out.push_str("rules/index.html?corpus=");
    query_value(out, c.corpus);
    out.push_str("\">");
    esc(out, &c.title);
    out.push_str("</a></li>\n</ol></nav>");
}

/// The title and the fields under it.
fn header(out: &mut String, p: &RulePage<'_>, root: &str) {
    let h: &Header<'_> = &p.header;
    out.push_str("\n<header class=\"rule-head\" id=\"header\">\n<h1>");
    esc(out, p.title);
    out.push_str("</h1>\n<dl class=\"meta\">");
    if let Some(level) = h.level {
        out.push_str("<div><dt>Level</dt><dd><span class=\"lvl lvl-");
        esc(out, level);
        out.push_str("\">");
        esc(out, level);
        out.push_str("</span></dd></div>");
    }
    if let Some(status) = h.status {
        out.push_str("<div><dt>Status</dt><dd>");
        esc(out, status);
        out.push_str("</dd></div>");
    }
    if !h.authors.is_empty() {
        out.push_str("<div><dt>Author</dt><dd>");
        for (i, name) in h.authors.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            linked(out, name, root);
        }
        out.push_str("</dd></div>");
    }
    for (dt, date) in [("Date", h.date), ("Modified", h.modified)] {
        if let Some(d) = date {
            out.push_str("<div><dt>");
            out.push_str(dt);
            out.push_str("</dt><dd><time>");
            esc(out, d);
            out.push_str("</time></dd></div>");
        }
    }
    out.push_str("\n<div><dt>Corpus</dt><dd>");
    esc(out, h.corpus);
    out.push_str("</dd></div>");
    if let Some(l) = &h.logsource {
        out.push_str("<div><dt>Logsource</dt><dd>");
        linked(out, l, root);
        out.push_str("</dd></div>");
    }
    if let Some(kind) = h.kind {
        out.push_str("<div><dt>Kind</dt><dd>");
        esc(out, kind);
        out.push_str("</dd></div>");
    }
    out.push_str("\n<div><dt>Id</dt><dd><code>");
    esc(out, h.id);
    out.push_str("</code></dd></div>\n<div><dt>File</dt><dd><code>");
    esc(out, h.file);
    out.push_str("</code> · <a href=\"");
    esc(out, root);
    esc(out, &p.json_url);
    out.push_str("\">JSON</a></dd></div>\n</dl>\n</header>");
}

fn description(out: &mut String, d: Option<&str>) {
    if let Some(d) = d {
        out.push_str("\n<p class=\"desc\" id=\"description\">");
        esc(out, d);
        out.push_str("</p>");
    }
}

/// MITRE ATT&CK coverage: a row per tactic, then the other tags.
fn attack(out: &mut String, p: &RulePage<'_>, root: &str) {
    out.push_str(
        "\n\n<section id=\"attack\" aria-labelledby=\"h-attack\">\n<h2 id=\"h-attack\">MITRE ATT&amp;CK coverage</h2>",
    );
    if p.attack.is_empty() {
        out.push_str("\n<p class=\"none\">No ATT&amp;CK technique tagged.</p>");
    } else {
        out.push_str(
            "\n<div class=\"tablewrap\"><table>\n<thead><tr><th scope=\"col\">Tactic</th>\
             <th scope=\"col\">Techniques</th></tr></thead>\n<tbody>",
        );
        for row in &p.attack {
            tactic_row(out, row, root);
        }
        out.push_str("\n</tbody></table></div>");
    }
    if !p.other_tags.is_empty() {
        out.push_str("\n<p class=\"tags\">Other tags: ");
        for t in &p.other_tags {
            out.push_str("<span class=\"tag\">");
            esc(out, t);
            out.push_str("</span> ");
        }
        out.push_str("</p>");
    }
    out.push_str("\n</section>");
}

fn tactic_row(out: &mut String, row: &TacticRow<'_>, root: &str) {
    out.push_str("\n<tr><td>");
    linked(out, &row.tactic, root);
    out.push_str("</td><td>");
    for (i, t) in row.techniques.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str("<a href=\"");
        esc(out, root);
        esc(out, t.url.as_deref().unwrap_or_default());
        out.push_str("\">");
        esc(out, t.id);
        out.push(' ');
        esc(out, t.name);
        out.push_str("</a>");
        if let Some(state) = t.inactive {
            out.push_str(" <span class=\"badge\" title=\"");
            esc(out, state);
            out.push_str(" in ATT&amp;CK");
            if let Some(rep) = t.replaced_by {
                out.push_str("; replaced by ");
                esc(out, rep);
            }
            out.push_str("\">");
            esc(out, state);
            out.push_str("</span>");
        }
    }
    out.push_str("</td></tr>");
}

/// Event coverage: the rows, then the note.
fn events(out: &mut String, ev: &Events<'_>, root: &str) {
    out.push_str("\n\n<section id=\"events\" aria-labelledby=\"h-events\">\n<h2 id=\"h-events\">Event coverage</h2>");
    if !ev.rows.is_empty() {
        out.push_str(
            "\n<div class=\"tablewrap\"><table>\n<thead><tr><th scope=\"col\">Provider</th>\
             <th scope=\"col\">Event</th><th scope=\"col\">Title</th></tr></thead>\n<tbody>",
        );
        for e in &ev.rows {
            out.push_str("\n<tr><td>");
            linked(out, &e.provider, root);
            out.push_str("</td><td>");
            linked(out, &e.event, root);
            out.push_str("</td><td>");
            esc(out, e.title);
            out.push_str("</td></tr>");
        }
        out.push_str("\n</tbody></table></div>");
    }
    if let Some(note) = &ev.note {
        out.push_str("\n<p class=\"none\">");
        esc(out, note);
        out.push_str("</p>");
    }
    out.push_str("\n</section>");
}

/// What only the rule's language has: a key → value table (nothing for Sigma rules).
fn details(out: &mut String, items: &[(String, String)]) {
    if items.is_empty() {
        return;
    }
    out.push_str(
        "\n\n<section id=\"details\" aria-labelledby=\"h-details\">\n<h2 id=\"h-details\">Details</h2>\n<table>",
    );
    for (k, v) in items {
        out.push_str("\n<tr><th scope=\"row\">");
        esc(out, k);
        out.push_str("</th><td>");
        esc(out, v);
        out.push_str("</td></tr>");
    }
    out.push_str("\n</table>\n</section>");
}

/// The rule body, highlighted; cut, with a link to the complete YAML, when too long.
/// Another language's body (TOML) is shown as written, not highlighted.
fn body(out: &mut String, b: &Body<'_>, root: &str) {
    if b.format != "yaml" {
        out.push_str(
            "\n\n<section id=\"body\" aria-labelledby=\"h-body\">\n<h2 id=\"h-body\">Rule body <span class=\"tag\">",
        );
        esc(out, b.format);
        out.push_str("</span></h2>\n<pre class=\"");
        esc(out, b.format);
        out.push_str("\" tabindex=\"0\"><code>");
        esc(out, b.text);
        out.push_str("</code></pre>\n</section>");
        return;
    }
    out.push_str(
        "\n\n<section id=\"body\" aria-labelledby=\"h-body\">\n<h2 id=\"h-body\">Rule body \
         <span class=\"tag\">yaml</span></h2>\n<pre class=\"yaml\" tabindex=\"0\"><code>",
    );
    match &b.cut {
        Some(cut) => {
            highlight_yaml(out, cut.head);
            out.push_str("</code></pre>\n<p class=\"note\" id=\"body-cut\">Showing the first ");
            num(out, cut.shown_lines);
            out.push_str(" of ");
            num(out, cut.lines);
            out.push_str(" lines (");
            num(out, cut.kb);
            out.push_str(" KB of YAML). <a href=\"");
            esc(out, root);
            esc(out, &cut.yaml_url);
            out.push_str("\" type=\"text/yaml\">The complete YAML</a> is beside this page.</p>");
        }
        None => {
            highlight_yaml(out, b.text);
            out.push_str("</code></pre>");
        }
    }
    out.push_str("\n</section>");
}

/// Stages and predicates, each cut where the page's budget of lines runs out.
fn stages(out: &mut String, p: &RulePage<'_>, root: &str) {
    out.push_str(
        "\n\n<section id=\"stages\" aria-labelledby=\"h-stages\">\n<h2 id=\"h-stages\">Stages and Predicates</h2>",
    );
    let yaml_url = p.body.cut.as_ref().map(|c| c.yaml_url.as_str());
    for s in &p.stages {
        stage(out, s, yaml_url, root);
    }
    if p.stages.is_empty() {
        out.push_str(
            "\n<p class=\"none\">No detection stages (a correlation rule works on the results of other rules).</p>",
        );
    }
    out.push_str("\n</section>");
}

/// A stage; the lines it leaves out are in the complete YAML (`yaml_url`) or the body above.
fn stage(out: &mut String, s: &StageView<'_>, yaml_url: Option<&str>, root: &str) {
    out.push_str("\n<div class=\"stage\">\n<h3>Stage ");
    num(out, s.stage);
    out.push_str(": <code>");
    esc(out, s.label);
    out.push_str("</code></h3>\n<pre class=\"yaml\" tabindex=\"0\"><code>");
    highlight_yaml(out, &s.shown);
    out.push_str("</code></pre>");
    if s.more_lines > 0 {
        out.push_str("\n<p class=\"muted\">… ");
        num(out, s.more_lines);
        out.push_str(" more lines: see the ");
        match yaml_url {
            Some(y) => a(out, root, y, "complete YAML"),
            None => out.push_str("<a href=\"#body\">rule body</a>"),
        }
        out.push_str(".</p>");
    }
    out.push_str("\n</div>");
}

/// Indicators: a row per field and comparison, its values with their corpus counts.
fn indicators(out: &mut String, p: &RulePage<'_>, root: &str) {
    out.push_str(
        "\n\n<section id=\"indicators\" aria-labelledby=\"h-indicators\">\n<h2 id=\"h-indicators\">\
         Indicators</h2>\n<p class=\"note\">Each row is a field, how it is compared, and the values the rule \
         looks for. After each value, <q>corpus N</q> counts the rules of the catalog that look for the same value \
         in the same field the same way, this rule included (per corpus in brackets); from 2 on it links to \
         them. High counts point to widely used indicators; <q>corpus 1</q> means only this rule looks for it.</p>",
    );
    if p.indicators.is_empty() {
        out.push_str("\n<p class=\"none\">No indicators.</p>");
    } else {
        out.push_str(
            "\n<div class=\"tablewrap\"><table class=\"ind\">\n<thead><tr><th scope=\"col\">Field</th>\
             <th scope=\"col\">Kind</th><th scope=\"col\">Values</th></tr></thead>\n<tbody>",
        );
        for row in &p.indicators {
            indicator_row(out, row, &p.json_url, root);
        }
        out.push_str("\n</tbody></table></div>");
    }
    out.push_str("\n</section>");
}

fn indicator_row(out: &mut String, row: &IndicatorLine<'_>, json_url: &str, root: &str) {
    out.push_str("\n<tr");
    if row.exclusion {
        out.push_str(" class=\"excl\"");
    }
    out.push_str("><td>");
    linked(out, &row.field, root);
    out.push_str("</td><td>");
    esc(out, &row.kind);
    out.push_str("</td><td><ul class=\"values\">");
    for v in &row.values[..row.shown] {
        out.push_str("\n<li><code class=\"val\">");
        esc(out, v.value);
        out.push_str("</code> ");
        match v.url {
            Some(u) => {
                out.push_str("<a class=\"count\" href=\"");
                esc(out, root);
                esc(out, u);
                out.push_str("\">");
            }
            None => out.push_str("<span class=\"count\" title=\"only this rule\">"),
        }
        esc_display(out, v.count);
        out.push_str(if v.url.is_some() { "</a></li>" } else { "</span></li>" });
    }
    let more = row.more();
    if more > 0 {
        out.push_str("\n<li class=\"muted\">… ");
        num(out, more);
        out.push_str(" more values in the <a href=\"");
        esc(out, root);
        esc(out, json_url);
        out.push_str("\">rule's JSON</a></li>");
    }
    out.push_str("\n</ul></td></tr>");
}

fn references(out: &mut String, p: &RulePage<'_>) {
    list_section(
        out,
        "\n<section id=\"references\" aria-labelledby=\"h-references\">\n<h2 id=\"h-references\">References</h2>\n<ul class=\"refs\">",
        &p.references,
        |out, r| match &r.href {
            Some(href) => ext_link(out, href, r.text),
            None => esc(out, r.text),
        },
    );
}

fn falsepositives(out: &mut String, items: &[String]) {
    list_section(
        out,
        "\n<section id=\"falsepositives\" aria-labelledby=\"h-fp\">\n<h2 id=\"h-fp\">False positives</h2>\n<ul>",
        items,
        |out, f| esc(out, f),
    );
}

fn related(out: &mut String, items: &[Related<'_>], root: &str) {
    list_section(
        out,
        "\n<section id=\"related\" aria-labelledby=\"h-related\">\n<h2 id=\"h-related\">Related rules</h2>\n<ul>",
        items,
        |out, rel| {
            out.push_str("<span class=\"tag\">");
            esc(out, rel.relation);
            out.push_str("</span> ");
            if rule_ref(out, &rel.rule, root) {
                out.push_str(" <code>");
                esc(out, rel.rule.id);
                out.push_str("</code>");
            } else {
                out.push_str(" (not in the catalog)");
            }
        },
    );
}

/// Equivalent rules, how many rules read the same events, the closest rules.
fn neighbors(out: &mut String, n: &NeighborsView<'_>, root: &str) {
    out.push_str(
        "\n\n<section id=\"neighbors\" aria-labelledby=\"h-neighbors\">\n<h2 id=\"h-neighbors\">Neighbors</h2>\n\
         <h3>Equivalent rules</h3>",
    );
    if n.duplicates.is_empty() {
        out.push_str("\n<p class=\"none\">No other rule has the same matching logic.</p>");
    } else {
        out.push_str("\n<ul>");
        for d in &n.duplicates {
            out.push_str("\n<li>");
            rule_ref(out, d, root);
            out.push_str("</li>");
        }
        out.push_str("\n</ul>");
    }
    out.push_str("\n<h3>Rules on the same events</h3>\n<p>");
    num(out, n.same_events);
    out.push_str(if n.same_events == 1 { " other rule reads" } else { " other rules read" });
    out.push_str(" exactly the same events.</p>");
    if !n.closest.is_empty() {
        out.push_str("\n<ul>");
        for (r, shared) in &n.closest {
            out.push_str("\n<li>");
            rule_ref(out, r, root);
            out.push_str(" <span class=\"muted\">(");
            num(out, *shared);
            out.push_str(if *shared == 1 { " shared indicator)" } else { " shared indicators)" });
            out.push_str("</span></li>");
        }
        out.push_str("\n</ul>");
    }
    out.push_str("\n</section>");
}

fn findings(out: &mut String, items: &[detwiki_catalog::Finding]) {
    list_section(
        out,
        "\n<section id=\"findings\" aria-labelledby=\"h-findings\">\n<h2 id=\"h-findings\">Findings</h2>\n<ul>",
        items,
        |out, f| {
            out.push_str("<span class=\"sev sev-");
            esc(out, f.severity.as_str());
            out.push_str("\">");
            esc(out, f.severity.as_str());
            out.push_str("</span> <code>");
            esc(out, f.code.as_str());
            out.push_str("</code>");
            if let (Some(l), Some(c)) = (f.line, f.column) {
                out.push_str(" at ");
                num(out, l);
                out.push(':');
                num(out, c);
            }
            out.push_str(": ");
            esc(out, &f.message);
        },
    );
}

/// Another rule: its title linked to its page, or its id as text when the catalog has no
/// such rule; whether it was linked.
fn rule_ref(out: &mut String, r: &RuleRef<'_>, root: &str) -> bool {
    match &r.rule {
        Some(l) => {
            linked(out, l, root);
            true
        }
        None => {
            esc(out, r.id);
            false
        }
    }
}
