//! ATT&CK Navigator layers (layer format 4.5, domain `enterprise-attack`):
//! one technique entry per technique and tactic under which the rules place it,
//! score = number of rules, with a link to the technique's page.

use std::collections::BTreeMap;

use detwiki_catalog::Catalog;
use detwiki_taxonomy::attack;
use serde::Serialize;

use crate::paths;

/// A layer.
#[derive(Debug, Serialize)]
pub struct Layer {
    /// Name.
    pub name: String,
    /// Versions.
    pub versions: Versions,
    /// `enterprise-attack`.
    pub domain: &'static str,
    /// Description.
    pub description: String,
    /// Sorting: 3 = by score, descending.
    pub sorting: u8,
    /// Hide techniques without rules.
    #[serde(rename = "hideDisabled")]
    pub hide_disabled: bool,
    /// Techniques.
    pub techniques: Vec<TechniqueEntry>,
    /// Colour scale.
    pub gradient: Gradient,
    /// Legend.
    #[serde(rename = "legendItems")]
    pub legend_items: Vec<()>,
    /// Metadata.
    pub metadata: Vec<Meta>,
    /// Show technique ids.
    pub layout: Layout,
}

/// Layer versions.
#[derive(Debug, Serialize)]
pub struct Versions {
    /// ATT&CK major version.
    pub attack: &'static str,
    /// Navigator version.
    pub navigator: &'static str,
    /// Layer format.
    pub layer: &'static str,
}

/// Colour scale.
#[derive(Debug, Serialize)]
pub struct Gradient {
    /// Colours.
    pub colors: [&'static str; 2],
    /// Lowest score.
    #[serde(rename = "minValue")]
    pub min_value: usize,
    /// Highest score.
    #[serde(rename = "maxValue")]
    pub max_value: usize,
}

/// Layout.
#[derive(Debug, Serialize)]
pub struct Layout {
    /// `side`.
    pub layout: &'static str,
    /// Show ids.
    #[serde(rename = "showID")]
    pub show_id: bool,
    /// Show names.
    #[serde(rename = "showName")]
    pub show_name: bool,
}

/// Name/value metadata.
#[derive(Debug, Serialize)]
pub struct Meta {
    /// Name.
    pub name: String,
    /// Value.
    pub value: String,
}

/// A technique entry.
#[derive(Debug, Serialize)]
pub struct TechniqueEntry {
    /// `T1090`.
    #[serde(rename = "techniqueID")]
    pub technique_id: String,
    /// Tactic shortname.
    pub tactic: String,
    /// Rule count.
    pub score: usize,
    /// `12 rules`.
    pub comment: String,
    /// Enabled.
    pub enabled: bool,
    /// Link to the technique page.
    pub links: Vec<LinkEntry>,
    /// Show sub-techniques.
    #[serde(rename = "showSubtechniques")]
    pub show_subtechniques: bool,
}

/// A link.
#[derive(Debug, Serialize)]
pub struct LinkEntry {
    /// Label.
    pub label: String,
    /// URL.
    pub url: String,
}

/// The layer of one corpus (`Some(name)`) or of all.
pub fn layer(c: &Catalog, corpus: Option<&str>, base_url: Option<&str>) -> Layer {
    let mut counts: BTreeMap<(String, String), usize> = BTreeMap::new();
    for r in c.rules.iter().filter(|r| corpus.is_none_or(|k| r.corpus == k)) {
        for row in &r.attack {
            let Some(tactic) = attack::tactics().iter().find(|t| t.id == row.tactic_id) else { continue };
            for t in &row.techniques {
                *counts.entry((t.id.clone(), tactic.shortname.to_string())).or_default() += 1;
            }
        }
    }
    let max = counts.values().copied().max().unwrap_or(0);
    let base = base_url.map(|b| format!("{}/", b.trim_end_matches('/'))).unwrap_or_default();
    let has_subs: Vec<String> =
        counts.keys().filter_map(|(id, _)| id.split_once('.').map(|(p, _)| p.to_string())).collect();
    let techniques = counts
        .into_iter()
        .map(|((id, tactic), n)| TechniqueEntry {
            show_subtechniques: has_subs.contains(&id),
            links: vec![LinkEntry { label: "detwiki".into(), url: format!("{base}{}", paths::technique_url(&id)) }],
            technique_id: id,
            tactic,
            score: n,
            comment: format!("{n} rule{}", if n == 1 { "" } else { "s" }),
            enabled: true,
        })
        .collect();
    let name = match corpus {
        Some(k) => format!("detwiki: {k}"),
        None => "detwiki: all corpora".to_string(),
    };
    Layer {
        name,
        versions: Versions { attack: "19", navigator: "5.1.0", layer: "4.5" },
        domain: "enterprise-attack",
        description: "Rule counts per technique (score = number of rules).".into(),
        sorting: 3,
        hide_disabled: false,
        techniques,
        gradient: Gradient { colors: ["#e8f1fb", "#1f5fa8"], min_value: 0, max_value: max.max(1) },
        legend_items: Vec::new(),
        metadata: vec![Meta { name: "generator".into(), value: "detwiki".into() }],
        layout: Layout { layout: "side", show_id: true, show_name: true },
    }
}
