//! The demo corpus embedded in the binary: a dozen rules written for detwiki
//! that cover the main features (process creation, registry, network, a
//! service rule pinning an EventID, `not 1 of filter_*`, a duplicate pair,
//! `|all`, `|re`, `|cidr`, keywords, a correlation rule, and a rule full of
//! HTML and `javascript:` links that must render inert). `detwiki build` and
//! `detwiki serve` use it when no `--corpus` is given.

use detwiki_catalog::{Catalog, CorpusSpec, SourceFile};
use detwiki_sigma::Limits;

/// The demo corpus name.
pub const NAME: &str = "demo";

/// The demo rule files: (file name, text).
pub const FILES: &[(&str, &str)] = &[
    ("aws_cloudtrail_disable_logging.yml", include_str!("../demo/rules/aws_cloudtrail_disable_logging.yml")),
    ("correlation_brute_force.yml", include_str!("../demo/rules/correlation_brute_force.yml")),
    ("file_event_win_xss_demo.yml", include_str!("../demo/rules/file_event_win_xss_demo.yml")),
    ("lnx_auth_keywords_su_failure.yml", include_str!("../demo/rules/lnx_auth_keywords_su_failure.yml")),
    ("net_connection_win_rdp_to_internal.yml", include_str!("../demo/rules/net_connection_win_rdp_to_internal.yml")),
    (
        "proc_creation_win_powershell_encoded.yml",
        include_str!("../demo/rules/proc_creation_win_powershell_encoded.yml"),
    ),
    ("proc_creation_win_rundll32_no_dll.yml", include_str!("../demo/rules/proc_creation_win_rundll32_no_dll.yml")),
    ("proc_creation_win_tscon_localsystem.yml", include_str!("../demo/rules/proc_creation_win_tscon_localsystem.yml")),
    ("proc_creation_win_whoami_priv.yml", include_str!("../demo/rules/proc_creation_win_whoami_priv.yml")),
    ("proc_creation_win_whoami_priv_copy.yml", include_str!("../demo/rules/proc_creation_win_whoami_priv_copy.yml")),
    (
        "registry_event_portproxy_registry_key.yml",
        include_str!("../demo/rules/registry_event_portproxy_registry_key.yml"),
    ),
    (
        "registry_set_portproxy_unusual_process.yml",
        include_str!("../demo/rules/registry_set_portproxy_unusual_process.yml"),
    ),
    ("win_security_logon_failure.yml", include_str!("../demo/rules/win_security_logon_failure.yml")),
    ("win_system_service_install_susp.yml", include_str!("../demo/rules/win_system_service_install_susp.yml")),
];

/// The demo's sample events: (file name, JSON lines). Real events of the
/// evtx-attack-samples (Sysmon, Security, System), flattened as the engine names fields, chosen
/// so that most demo rules fire; `detwiki build` and `serve` run the demo over them when no
/// `--events` is given, so a fresh machine shows "Seen in sample data".
pub const EVENTS: &[(&str, &str)] = &[("demo-events.jsonl", include_str!("../demo/events/demo-events.jsonl"))];

/// Parse the demo files into a catalog.
pub fn catalog() -> Catalog {
    let spec = CorpusSpec { name: NAME.into(), paths: vec![std::path::PathBuf::from("(embedded demo)")] };
    let files = FILES
        .iter()
        .map(|(name, text)| SourceFile {
            corpus: 0,
            path: std::path::PathBuf::from(name),
            rel_path: (*name).to_string(),
            text: (*text).to_string(),
            parsed: detwiki_sigma::parse_bytes(text.as_bytes(), &Limits::default()),
            language: detwiki_catalog::lang::by_name("sigma"),
        })
        .collect();
    Catalog::from_files(&[spec], files, Vec::new())
}

#[cfg(test)]
mod tests {
    #[test]
    fn demo_corpus_parses_whole() {
        let c = super::catalog();
        assert!(c.failed.is_empty());
        assert_eq!(c.rules.len(), super::FILES.len());
        assert_eq!(c.index.duplicates.len(), 1, "one duplicate pair");
        assert!(c.rules.iter().any(|r| r.kind == detwiki_sigma::DocumentKind::Correlation));
    }
}
