//! A rule's page as plain text: the layout of the site's rule-page model
//! ([`detwiki_site::rule_view::RulePage`]), in the order of the seed page:
//! breadcrumb, title, header, description, ATT&CK coverage, event coverage,
//! rule body, stages and predicates, indicators, then references, false
//! positives, related rules, neighbors and findings. What each section holds
//! is the model's; text shows every value and line (a page cuts long ones).

use std::io::{self, Write};

use detwiki_catalog::{Catalog, RuleEntry};
use detwiki_site::rule_view::{Events, Header, IndicatorLine, NeighborsView, RulePage, RuleRef};

/// The sections only the rule's language has, each whole.
fn sections(out: &mut impl Write, sections: &[detwiki_catalog::lang::Section]) -> io::Result<()> {
    use detwiki_catalog::lang::SectionBody;
    for s in sections {
        writeln!(out, "\n{}", s.title)?;
        match &s.body {
            SectionBody::Text { text } | SectionBody::Code { text, .. } => writeln!(out, "{}", text.trim_end())?,
            SectionBody::List { items } => {
                for i in items {
                    writeln!(out, "- {i}")?;
                }
            }
            SectionBody::Table { header, rows } => {
                writeln!(out, "| {} |", header.join(" | "))?;
                for r in rows {
                    writeln!(out, "| {} |", r.join(" | "))?;
                }
            }
        }
    }
    Ok(())
}

/// Write the page.
pub fn write(out: &mut impl Write, r: &RuleEntry, catalog: &Catalog) -> io::Result<()> {
    let p = RulePage::text(catalog, r);
    writeln!(out, "Detection rules › {}", p.crumb.title)?;
    writeln!(out, "{}", p.title)?;
    header(out, &p.header)?;
    if let Some(d) = p.description {
        writeln!(out, "{d}")?;
    }
    if !p.details.is_empty() {
        writeln!(out, "Details")?;
        for (k, v) in p.details {
            writeln!(out, "| {k} | {v} |")?;
        }
    }
    sections(out, p.sections)?;
    attack(out, &p)?;
    events(out, &p.events)?;
    writeln!(out, "\nRule body {}", p.body.format)?;
    writeln!(out, "{}", p.body.text)?;
    writeln!(out, "\nStages and Predicates")?;
    for s in &p.stages {
        writeln!(out, "Stage {}: {}", s.stage, s.label)?;
        writeln!(out, "{}", s.text)?;
    }
    indicators(out, &p.indicators)?;
    list(out, "References", p.references.iter().map(|r| r.text))?;
    list(out, "False positives", p.falsepositives.iter().map(String::as_str))?;
    if !p.related.is_empty() {
        writeln!(out, "\nRelated rules")?;
        for rel in &p.related {
            let title = rel.rule.rule.as_ref().map_or("(not in the catalog)", |l| &l.text);
            writeln!(out, "- {}: {} {title}", rel.relation, rel.rule.id)?;
        }
    }
    neighbors(out, &p.neighbors)?;
    if !p.findings.is_empty() {
        writeln!(out, "\nFindings")?;
        for f in p.findings {
            writeln!(
                out,
                "- {}[{}] {}:{}: {}",
                f.severity.as_str(),
                f.code,
                f.line.unwrap_or(0),
                f.column.unwrap_or(0),
                f.message
            )?;
        }
    }
    Ok(())
}

/// `level: medium · status: test · author: … · corpus: sigma · id: …`.
fn header(out: &mut impl Write, h: &Header<'_>) -> io::Result<()> {
    let fields = [
        ("level", h.level),
        ("status", h.status),
        ("author", h.author),
        ("date", h.date),
        ("modified", h.modified),
        ("corpus", Some(h.corpus)),
        ("id", Some(h.id)),
    ];
    let shown: Vec<String> = fields.iter().filter_map(|(k, v)| v.map(|v| format!("{k}: {v}"))).collect();
    writeln!(out, "{}", shown.join(" · "))
}

fn attack(out: &mut impl Write, p: &RulePage<'_>) -> io::Result<()> {
    writeln!(out, "\nMITRE ATT&CK coverage")?;
    if p.attack.is_empty() {
        return match p.attack_none.strip_prefix("No ATT&CK") {
            Some(rest) => writeln!(out, "(no ATT&CK{})", rest.trim_end_matches('.')),
            None => writeln!(out, "({})", p.attack_none.trim_end_matches('.')),
        };
    }
    writeln!(out, "| Tactic | Techniques |\n|---|---|")?;
    for row in &p.attack {
        let t: Vec<String> = row.techniques.iter().map(|t| format!("{} {}", t.id, t.name)).collect();
        writeln!(out, "| {} | {} |", row.tactic.text, t.join(", "))?;
    }
    Ok(())
}

fn events(out: &mut impl Write, ev: &Events<'_>) -> io::Result<()> {
    writeln!(out, "\nEvent coverage")?;
    if !ev.rows.is_empty() {
        writeln!(out, "| Provider | Event | Title |\n|---|---|---|")?;
        for e in &ev.rows {
            writeln!(out, "| {} | {} | {} |", e.provider.text, e.event.text, e.title)?;
        }
    }
    if let Some(note) = &ev.note {
        writeln!(out, "{note}")?;
    }
    Ok(())
}

fn indicators(out: &mut impl Write, rows: &[IndicatorLine<'_>]) -> io::Result<()> {
    writeln!(out, "\nIndicators")?;
    if rows.is_empty() {
        return writeln!(out, "(none)");
    }
    writeln!(out, "| Field | Kind | Values |\n|---|---|---|")?;
    for row in rows {
        let values: Vec<String> = row.values.iter().map(|v| format!("{} — {}", v.value, v.count)).collect();
        writeln!(out, "| {} | {} | {} |", row.field.text, row.kind, values.join("; "))?;
    }
    Ok(())
}

fn neighbors(out: &mut impl Write, n: &NeighborsView<'_>) -> io::Result<()> {
    let title = |r: &RuleRef<'_>| r.rule.as_ref().map_or("?", |l| &l.text).to_string();
    writeln!(out, "\nNeighbors")?;
    if n.duplicates.is_empty() {
        writeln!(out, "Equivalent rules: none")?;
    }
    for d in &n.duplicates {
        writeln!(out, "Equivalent: {} {}", d.id, title(d))?;
    }
    writeln!(out, "Rules on the same events: {}", n.same_events)?;
    for (r, shared) in &n.closest {
        writeln!(out, "- {} {} ({shared} shared indicators)", r.id, title(r))?;
    }
    Ok(())
}

fn list<'a>(out: &mut impl Write, title: &str, items: impl ExactSizeIterator<Item = &'a str>) -> io::Result<()> {
    if items.len() == 0 {
        return Ok(());
    }
    writeln!(out, "\n{title}")?;
    for i in items {
        writeln!(out, "- {i}")?;
    }
    Ok(())
}
