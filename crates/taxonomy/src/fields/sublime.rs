//! Sublime's Message Data Model (MDM) fields → the canonical vocabulary.
//!
//! An email's links meet the URLs of proxy and web rules: the canonical names are Sigma's
//! `proxy` taxonomy fields (`c-uri`, `cs-host`, `c-uri-stem`, `c-uri-query`). A link is found
//! wherever MDM puts one (`body.links`, `body.current_thread.links`, an attachment's
//! `file.explode(…).scan.url.urls` …), so a row matches the *end* of a field path
//! (`href_url.url`), never a path with a computed step (`ml.link_analysis(…).effective_url.url`
//! is what the analysis found, not the link). Every other MDM field (`sender.email.email`,
//! `subject.subject`, `attachments.file_extension`, …) has no counterpart in Sigma's
//! vocabulary and keeps its own name. `docs/sublime.md` documents the table.

use super::{FieldMapping, Rewrite};

const fn row(field: &'static str, canonical: &'static str) -> FieldMapping {
    FieldMapping { field, categories: &[], canonical, rewrite: Rewrite::Same }
}

/// MDM field endings → canonical.
pub const MDM: &[FieldMapping] = &[
    row("href_url.url", "c-uri"),
    row("href_url.domain.domain", "cs-host"),
    row("href_url.path", "c-uri-stem"),
    row("href_url.query_params", "c-uri-query"),
];

/// The canonical name of the MDM field path `field`, when it has one.
pub fn mdm_to_canonical(field: &str) -> Option<FieldMapping> {
    if field.contains('(') {
        return None;
    }
    MDM.iter()
        .find(|m| field == m.field || field.strip_suffix(m.field).is_some_and(|head| head.ends_with('.')))
        .copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_fields_map_by_their_ending() {
        assert_eq!(mdm_to_canonical("body.links.href_url.url").unwrap().canonical, "c-uri");
        assert_eq!(mdm_to_canonical("body.current_thread.links.href_url.domain.domain").unwrap().canonical, "cs-host");
        assert!(mdm_to_canonical("body.links.href_url.domain.root_domain").is_none());
        assert!(mdm_to_canonical("ml.link_analysis(body.links).effective_url.href_url.url").is_none());
        assert!(mdm_to_canonical("sender.email.email").is_none());
        assert!(mdm_to_canonical("xhref_url.url").is_none());
    }
}
