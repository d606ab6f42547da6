//! ATT&CK as YARA-L rules write it in `meta:`, under its several spellings:
//! `tactic = "TA0003"`, `technique = "T1547.001"` (ids, comma-separated);
//! `mitre_attack_tactic = "Persistence, Privilege Escalation"` (names);
//! `mitre_attack_technique = "Account Manipulation: Additional Cloud Roles"` (a name);
//! `mitre_attack_url = "https://attack.mitre.org/techniques/T1098/003/"` (URLs);
//! `mitre = "credential_access, t1003"` (tactic names and technique ids mixed). The values
//! are returned as found, with the value's span; resolving names to ids is the caller's (it
//! has the ATT&CK tables).

use serde::Serialize;

use crate::Span;
use crate::ast::Rule;

/// What a reference names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AttackKind {
    /// A tactic id (`TA0003`) or name (`Privilege Escalation`, `credential_access`).
    Tactic,
    /// A technique id (`T1547.001`).
    TechniqueId,
    /// A technique name (`Account Manipulation: Additional Cloud Roles`), to look up.
    TechniqueName,
}

/// One ATT&CK reference of a rule's meta.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AttackRef {
    /// What it names.
    pub kind: AttackKind,
    /// The id or name as written (an id from a URL as `T1098.003`).
    pub text: String,
    /// The meta key it came from.
    pub key: String,
    /// The value's span.
    pub span: Span,
}

/// A technique id (`T1234`, `t1234.001`), normalised to upper case.
fn technique_id(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    let digits = |x: &[u8]| x.iter().all(u8::is_ascii_digit);
    let ok = b.len() >= 5
        && b[0].eq_ignore_ascii_case(&b'T')
        && digits(&b[1..5])
        && (b.len() == 5 || (b.len() == 9 && b[5] == b'.' && digits(&b[6..9])));
    ok.then(|| s.to_ascii_uppercase())
}

fn tactic_id(s: &str) -> Option<String> {
    let s = s.trim();
    let b = s.as_bytes();
    (b.len() == 6 && b[..2].eq_ignore_ascii_case(b"TA") && b[2..].iter().all(u8::is_ascii_digit))
        .then(|| s.to_ascii_uppercase())
}

/// Ids in an attack.mitre.org URL: `/techniques/T1098/003/` → `T1098.003`, `/tactics/TA0003`.
fn url_ids(url: &str) -> Vec<(AttackKind, String)> {
    let mut out = Vec::new();
    for part in url.split(['\n', ',', ' ']).filter(|p| !p.is_empty()) {
        let segs: Vec<&str> = part.split('/').filter(|s| !s.is_empty()).collect();
        for (i, seg) in segs.iter().enumerate() {
            if let Some(t) = technique_id(seg) {
                let sub = segs.get(i + 1).filter(|n| n.len() == 3 && n.bytes().all(|c| c.is_ascii_digit()));
                out.push((
                    AttackKind::TechniqueId,
                    match sub {
                        Some(n) if t.len() == 5 => format!("{t}.{n}"),
                        _ => t,
                    },
                ));
                break;
            }
            if let Some(t) = tactic_id(seg) {
                out.push((AttackKind::Tactic, t));
                break;
            }
        }
    }
    out
}

/// The ATT&CK references of `rule`'s meta, in the order written.
pub fn attack_refs(rule: &Rule) -> Vec<AttackRef> {
    let mut out: Vec<AttackRef> = Vec::new();
    for m in &rule.meta {
        let key = m.key.name.to_ascii_lowercase();
        let value = m.value.text();
        let mut push = |kind, text: String| {
            if !text.is_empty() && !out.iter().any(|r| r.kind == kind && r.text == text) {
                out.push(AttackRef { kind, text, key: m.key.name.clone(), span: m.value_span });
            }
        };
        match key.as_str() {
            "tactic" | "mitre_attack_tactic" | "mitre_tactic" | "tactics" => {
                for t in value.split(',').map(str::trim) {
                    push(AttackKind::Tactic, tactic_id(t).unwrap_or_else(|| t.to_string()));
                }
            }
            "technique" | "techniques" | "mitre_attack_technique_id" | "technique_id" => {
                for t in value.split(',').map(str::trim) {
                    match technique_id(t) {
                        Some(id) => push(AttackKind::TechniqueId, id),
                        None => push(AttackKind::TechniqueName, t.to_string()),
                    }
                }
            }
            "mitre_attack_technique" | "mitre_technique" => match technique_id(&value) {
                Some(id) => push(AttackKind::TechniqueId, id),
                None => push(AttackKind::TechniqueName, value.trim().to_string()),
            },
            "mitre_attack_url" | "mitre_url" => {
                for (kind, id) in url_ids(&value) {
                    push(kind, id);
                }
            }
            "mitre" => {
                for t in value.split(',').map(str::trim) {
                    match (technique_id(t), tactic_id(t)) {
                        (Some(id), _) => push(AttackKind::TechniqueId, id),
                        (_, Some(id)) => push(AttackKind::Tactic, id),
                        _ => push(AttackKind::Tactic, t.to_string()),
                    }
                }
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::parse_file;

    fn refs(meta: &str) -> Vec<(AttackKind, String)> {
        let f = parse_file(&format!("rule r {{\n meta:\n{meta}\n condition:\n  $e\n}}"));
        attack_refs(&f.rules[0].rule).into_iter().map(|r| (r.kind, r.text)).collect()
    }

    #[test]
    fn every_spelling_is_read() {
        use AttackKind::*;
        assert_eq!(
            refs("tactic = \"TA0003\"\ntechnique = \"T1547.001\""),
            vec![(Tactic, "TA0003".into()), (TechniqueId, "T1547.001".into())]
        );
        assert_eq!(
            refs(
                "mitre_attack_tactic = \"Persistence, Privilege Escalation\"\n\
                 mitre_attack_technique = \"Account Manipulation: Additional Cloud Roles\"\n\
                 mitre_attack_url = \"https://attack.mitre.org/techniques/T1098/003/\""
            ),
            vec![
                (Tactic, "Persistence".into()),
                (Tactic, "Privilege Escalation".into()),
                (TechniqueName, "Account Manipulation: Additional Cloud Roles".into()),
                (TechniqueId, "T1098.003".into())
            ]
        );
        assert_eq!(
            refs("mitre = \"credential_access, t1003\""),
            vec![(Tactic, "credential_access".into()), (TechniqueId, "T1003".into())]
        );
        assert_eq!(
            refs("mitre_attack_url = \"https://attack.mitre.org/tactics/TA0005/\""),
            vec![(Tactic, "TA0005".into())]
        );
    }
}
