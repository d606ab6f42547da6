//! A rule's page as plain text, in the order of the seed page: breadcrumb,
//! title, header, description, ATT&CK coverage, event coverage, rule body,
//! stages and predicates, indicators, then references, false positives,
//! related rules, neighbors and findings.

use std::io::{self, Write};

use detwiki_catalog::{Catalog, EventMapping, RuleEntry};
use detwiki_site::views::corpus_title;

/// Write the page.
pub fn write(out: &mut impl Write, r: &RuleEntry, catalog: &Catalog) -> io::Result<()> {
    writeln!(out, "Detection rules › {}", corpus_title(&r.corpus))?;
    writeln!(out, "{}", r.title)?;
    let mut header = Vec::new();
    for (k, v) in [
        ("level", r.level.map(|l| l.to_string())),
        ("status", r.status.map(|s| s.to_string())),
        ("author", r.author.clone()),
        ("date", r.date.clone()),
        ("modified", r.modified.clone()),
        ("corpus", Some(r.corpus.clone())),
        ("id", Some(r.id.clone())),
    ] {
        if let Some(v) = v {
            header.push(format!("{k}: {v}"));
        }
    }
    writeln!(out, "{}", header.join(" · "))?;
    if let Some(d) = &r.description {
        writeln!(out, "{}", d.trim())?;
    }
    writeln!(out, "\nMITRE ATT&CK coverage")?;
    if r.attack.is_empty() {
        writeln!(out, "(no ATT&CK technique tagged)")?;
    } else {
        writeln!(out, "| Tactic | Techniques |\n|---|---|")?;
        for row in &r.attack {
            let t: Vec<String> = row.techniques.iter().map(|t| format!("{} {}", t.id, t.name)).collect();
            writeln!(out, "| {} | {} |", row.tactic, t.join(", "))?;
        }
    }
    writeln!(out, "\nEvent coverage")?;
    match &r.event_mapping {
        EventMapping::Mapped => {
            writeln!(out, "| Provider | Event | Title |\n|---|---|---|")?;
            for e in &r.events {
                let ev =
                    e.event_id.map_or_else(|| format!("any event of {}", e.channel), |id| format!("Event ID {id}"));
                writeln!(out, "| {} | {} | {} |", e.provider, ev, e.title)?;
            }
        }
        EventMapping::Unmapped { reason } => writeln!(out, "No known event mapping: {reason}")?,
        EventMapping::Unknown => writeln!(out, "No known event mapping for logsource {}", r.logsource.label())?,
    }
    writeln!(out, "\nRule body yaml")?;
    writeln!(out, "{}", r.body.trim_end())?;
    writeln!(out, "\nStages and Predicates")?;
    for s in &r.stages {
        writeln!(out, "Stage {}: {}", s.stage, s.label)?;
        writeln!(out, "{}", s.text)?;
    }
    writeln!(out, "\nIndicators")?;
    if r.indicators.is_empty() {
        writeln!(out, "(none)")?;
    } else {
        writeln!(out, "| Field | Kind | Values |\n|---|---|---|")?;
        for row in &r.indicators {
            let mut kind = row.key.kind.as_str().to_string();
            for t in &row.key.transforms {
                kind.push_str(&format!(" ({t})"));
            }
            if row.key.cased {
                kind.push_str(" (cased)");
            }
            if row.key.exclusion {
                kind.push_str(" (exclusion)");
            }
            let values: Vec<String> = row
                .values
                .iter()
                .map(|v| {
                    let per: Vec<String> = v.by_corpus.iter().map(|(c, n)| format!("{c} {n}")).collect();
                    format!("{} — corpus {} ({})", v.value, v.corpus_count, per.join(", "))
                })
                .collect();
            writeln!(
                out,
                "| {} | {} | {} |",
                row.key.field.as_deref().unwrap_or("(keyword)"),
                kind,
                values.join("; ")
            )?;
        }
    }
    list(out, "References", &r.references)?;
    list(out, "False positives", &r.falsepositives)?;
    if !r.related.is_empty() {
        writeln!(out, "\nRelated rules")?;
        for rel in &r.related {
            let kind = rel.relation.map_or("related", detwiki_sigma::RelationType::as_str);
            writeln!(out, "- {kind}: {} {}", rel.id, rel.title.as_deref().unwrap_or("(not in the catalog)"))?;
        }
    }
    writeln!(out, "\nNeighbors")?;
    let by_id = catalog.by_id();
    let title = |id: &str| by_id.get(id).map_or("?", |r| r.title.as_str()).to_string();
    if r.neighbors.duplicates.is_empty() {
        writeln!(out, "Equivalent rules: none")?;
    } else {
        for d in &r.neighbors.duplicates {
            writeln!(out, "Equivalent: {d} {}", title(d))?;
        }
    }
    writeln!(out, "Rules on the same events: {}", r.neighbors.same_events)?;
    for n in &r.neighbors.closest {
        writeln!(out, "- {} {} ({} shared indicators)", n.id, title(&n.id), n.shared_indicators)?;
    }
    if !r.findings.is_empty() {
        writeln!(out, "\nFindings")?;
        for f in &r.findings {
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

fn list(out: &mut impl Write, title: &str, items: &[String]) -> io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n{title}")?;
    for i in items {
        writeln!(out, "- {i}")?;
    }
    Ok(())
}
