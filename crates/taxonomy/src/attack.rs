//! MITRE ATT&CK (Enterprise) tables and Sigma tag resolution.
//!
//! The tables live in the generated `attack_data.rs` (see `generate/attack.py`): the 15 v19
//! tactics in matrix order, the 697 active v19 techniques, plus every technique ATT&CK v18.1 knew
//! that v19 no longer lists as active (revoked, deprecated or retired), groups, campaigns,
//! software and the (deprecated) data sources.
//!
//! ## Tactic naming decisions
//!
//! - Tags are matched on the ATT&CK *shortname*, case-insensitively, with `_` and `-` (and
//!   spaces) equivalent: `attack.command-and-control`, `attack.command_and_control` and
//!   `attack.Command_And_Control` all name TA0011. Tactic ids (`attack.ta0011`) work too.
//! - [`Tactic::display`] is the name with " and " written " & " (`Command & Control`), as the wiki
//!   shows it.
//! - v19 renamed TA0005 from *Defense Evasion* to **Stealth** (same id, same STIX object) and
//!   split part of its former techniques off into the new **Defense Impairment** (TA0112).
//!   Hence [`tactic`]`("defense-evasion")` returns TA0005 (it is the former name of that very
//!   tactic), while for coverage [`tactic_scope`]`("defense-evasion")` stands for both TA0005 and
//!   TA0112: a rule written against v18 that says `attack.defense-evasion` + a technique that v19
//!   moved to Defense Impairment is still consistent.
//!
//! ## Coverage decisions
//!
//! See [`analyze`]: a row per tactic under which a technique tag falls according to ATT&CK,
//! restricted to the tactics the rule tags; a technique none of whose tactics is tagged gets rows
//! for all its ATT&CK tactics (and a lint finding).

use serde::Serialize;

use crate::attack_data as data;

/// An ATT&CK Enterprise tactic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Tactic {
    /// Tactic id, e.g. `TA0011`.
    pub id: &'static str,
    /// ATT&CK shortname (the tag form), e.g. `command-and-control`.
    pub shortname: &'static str,
    /// ATT&CK name, e.g. `Command and Control`.
    pub name: &'static str,
    /// Name as the wiki shows it, e.g. `Command & Control`.
    pub display: &'static str,
}

impl Tactic {
    /// The tactic's page on attack.mitre.org.
    pub fn url(&self) -> String {
        format!("https://attack.mitre.org/tactics/{}", self.id)
    }
}

/// Lifecycle of an ATT&CK object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    /// Current (v19 for techniques; v18.1 for groups, campaigns, software).
    Active,
    /// Revoked in ATT&CK; `by` is the object ATT&CK's `revoked-by` relationship names.
    Revoked {
        /// Replacement id, where ATT&CK names one.
        by: Option<&'static str>,
    },
    /// Deprecated in ATT&CK, without replacement.
    Deprecated,
    /// Active in v18.1 but no longer in v19 (the v19 Defense Evasion split). The available v19
    /// extract has no `revoked-by` relationships, so `successor` is inferred by the generator
    /// from the new v19 technique of the same (or near-identical) name.
    Retired {
        /// Inferred v19 successor id.
        successor: Option<&'static str>,
    },
}

/// An ATT&CK technique or sub-technique.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Technique {
    /// Technique id, e.g. `T1219.002`.
    pub id: &'static str,
    /// Own name, e.g. `Remote Desktop Software`.
    pub name: &'static str,
    /// Name with its parent for sub-techniques, e.g. `Remote Access Tools: Remote Desktop Software`.
    pub full_name: &'static str,
    /// Tactic ids as ATT&CK lists them: v19 for active techniques, v18.1 for the others
    /// (v18 `defense-evasion` written as TA0005). See [`Technique::current_tactics`].
    pub tactics: &'static [&'static str],
    /// Parent technique id for sub-techniques.
    pub parent: Option<&'static str>,
    /// Lifecycle.
    pub status: Status,
}

impl Technique {
    /// Whether this is a sub-technique (`T1234.001`).
    pub fn is_subtechnique(&self) -> bool {
        self.parent.is_some()
    }

    /// Whether v19 lists it as active.
    pub fn is_active(&self) -> bool {
        self.status == Status::Active
    }

    /// Label as the wiki shows it: `T1090 Proxy`, `T1219.002 Remote Access Tools: Remote Desktop Software`.
    pub fn label(&self) -> String {
        format!("{} {}", self.id, self.full_name)
    }

    /// The technique's page on attack.mitre.org.
    pub fn url(&self) -> String {
        format!("https://attack.mitre.org/techniques/{}", self.id.replace('.', "/"))
    }

    /// The ATT&CK tactics of this technique, in matrix order.
    pub fn tactic_list(&self) -> Vec<&'static Tactic> {
        tactics().iter().filter(|t| self.tactics.contains(&t.id)).collect()
    }

    /// Direct replacement: `revoked-by` target or inferred successor.
    pub fn replacement(&self) -> Option<&'static Technique> {
        match self.status {
            Status::Revoked { by: Some(id) } | Status::Retired { successor: Some(id) } => technique(id),
            _ => None,
        }
    }

    /// The technique that stands for this one today: itself when active, else the end of its
    /// replacement chain (which may itself be deprecated), else itself.
    pub fn current(&'static self) -> &'static Technique {
        let mut t = self;
        for _ in 0..8 {
            match t.replacement() {
                Some(next) => t = next,
                None => break,
            }
        }
        t
    }

    /// Tactic ids used for coverage: those of [`Technique::current`].
    pub fn current_tactics(&'static self) -> &'static [&'static str] {
        self.current().tactics
    }
}

/// An ATT&CK group (intrusion set) or campaign.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Group {
    /// Id, e.g. `G0016` (group) or `C0024` (campaign).
    pub id: &'static str,
    /// Name, e.g. `APT29`.
    pub name: &'static str,
    /// Other names (the name itself excluded).
    pub aliases: &'static [&'static str],
    /// Lifecycle (v18.1).
    pub status: Status,
}

/// Kind of ATT&CK software.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SoftwareKind {
    /// STIX `malware`.
    Malware,
    /// STIX `tool`.
    Tool,
}

/// An ATT&CK software entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Software {
    /// Id, e.g. `S0002`.
    pub id: &'static str,
    /// Name, e.g. `Mimikatz`.
    pub name: &'static str,
    /// Malware or tool.
    pub kind: SoftwareKind,
    /// Other names (the name itself excluded).
    pub aliases: &'static [&'static str],
    /// Lifecycle (v18.1).
    pub status: Status,
}

/// An ATT&CK data source (deprecated since v18, still seen in tags such as `attack.ds0005`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct DataSource {
    /// Id, e.g. `DS0005`.
    pub id: &'static str,
    /// Name, e.g. `WMI`.
    pub name: &'static str,
}

/// The ATT&CK release the active tables follow, e.g. `Enterprise ATT&CK (2026-04-14)` (v19).
pub fn version() -> &'static str {
    data::VERSION
}

/// All tactics in v19 matrix order (Reconnaissance … Stealth, Defense Impairment, … Impact).
pub fn tactics() -> &'static [Tactic] {
    data::TACTICS
}

/// All techniques (active and not), sorted by id.
pub fn techniques() -> &'static [Technique] {
    data::TECHNIQUES
}

/// All groups, sorted by id.
pub fn groups() -> &'static [Group] {
    data::GROUPS
}

/// All software, sorted by id.
pub fn software_list() -> &'static [Software] {
    data::SOFTWARE
}

fn normalize_tactic(s: &str) -> String {
    s.trim()
        .chars()
        .map(|c| match c {
            '_' | ' ' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Tactic for a tag part (`command-and-control`, `command_and_control`, `Stealth`,
/// `defense-impairment`, `ta0011`) or `None`. The v18 name `defense-evasion` yields TA0005
/// (Stealth), the id v19 kept for it.
pub fn tactic(tag_part: &str) -> Option<&'static Tactic> {
    let n = normalize_tactic(tag_part);
    let n = if n == "defense-evasion" { "stealth" } else { &n };
    tactics().iter().find(|t| t.shortname == n || t.id.eq_ignore_ascii_case(n))
}

/// The v19 tactics a tactic tag stands for when judging coverage: one tactic, except the v18
/// `defense-evasion`, which v19 split into Stealth (TA0005) and Defense Impairment (TA0112).
pub fn tactic_scope(tag_part: &str) -> Vec<&'static Tactic> {
    if normalize_tactic(tag_part) == "defense-evasion" {
        ["TA0005", "TA0112"].iter().filter_map(|id| tactic(id)).collect()
    } else {
        tactic(tag_part).into_iter().collect()
    }
}

fn find_by_id<T>(table: &'static [T], id: &str, key: impl Fn(&T) -> &str) -> Option<&'static T> {
    let id = id.trim().to_ascii_uppercase();
    table.binary_search_by(|x| key(x).cmp(id.as_str())).ok().map(|i| &table[i])
}

/// Technique by id, case-insensitive: `T1090`, `t1219.002`. Includes revoked/deprecated/retired.
pub fn technique(id: &str) -> Option<&'static Technique> {
    find_by_id(data::TECHNIQUES, id, |t| t.id)
}

/// Group by id, case-insensitive (`G0016`).
pub fn group(id: &str) -> Option<&'static Group> {
    find_by_id(data::GROUPS, id, |g| g.id)
}

/// Campaign by id, case-insensitive (`C0024`).
pub fn campaign(id: &str) -> Option<&'static Group> {
    find_by_id(data::CAMPAIGNS, id, |g| g.id)
}

/// Software by id, case-insensitive (`S0002`).
pub fn software(id: &str) -> Option<&'static Software> {
    find_by_id(data::SOFTWARE, id, |s| s.id)
}

/// Data source by id, case-insensitive (`DS0005`).
pub fn data_source(id: &str) -> Option<&'static DataSource> {
    find_by_id(data::DATA_SOURCES, id, |d| d.id)
}

/// What a Sigma tag refers to. Borrowed parts point into the tag given to [`resolve_tag`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", content = "ref", rename_all = "snake_case")]
pub enum TagRef<'a> {
    /// `attack.<tactic>` (any accepted spelling, see [`tactic`]).
    Tactic(&'static Tactic),
    /// `attack.t1234` / `attack.t1234.001` (active or not).
    Technique(&'static Technique),
    /// `attack.g0016`.
    Group(&'static Group),
    /// `attack.c0024`.
    Campaign(&'static Group),
    /// `attack.s0002`.
    Software(&'static Software),
    /// `attack.ds0005` (deprecated data source).
    DataSource(&'static DataSource),
    /// An `attack.` tag naming nothing ATT&CK knows; holds the part after `attack.`.
    UnknownAttack(&'a str),
    /// `cve.2021-44228`; holds `2021-44228`.
    Cve(&'a str),
    /// `car.2016-04-005` (MITRE Cyber Analytics Repository); holds `2016-04-005`.
    Car(&'a str),
    /// `detection.threat-hunting`, `detection.emerging-threats`, `detection.dfir`.
    Detection(&'a str),
    /// `stp.1u` (Summiting the Pyramid score).
    Stp(&'a str),
    /// `tlp.amber` (Traffic Light Protocol).
    Tlp(&'a str),
    /// Any other `namespace.value` tag.
    Other {
        /// Part before the first dot.
        namespace: &'a str,
        /// Part after the first dot.
        value: &'a str,
    },
    /// A tag without a `namespace.` prefix (or with an empty part).
    Malformed(&'a str),
}

fn is_id(v: &str, prefix: &str, sub: bool) -> bool {
    let Some(rest) = v.get(..prefix.len()).filter(|p| p.eq_ignore_ascii_case(prefix)).map(|_| &v[prefix.len()..])
    else {
        return false;
    };
    let (main, subpart) = match rest.split_once('.') {
        Some((m, s)) if sub => (m, Some(s)),
        Some(_) => return false,
        None => (rest, None),
    };
    main.len() == 4
        && main.bytes().all(|b| b.is_ascii_digit())
        && subpart.is_none_or(|s| s.len() == 3 && s.bytes().all(|b| b.is_ascii_digit()))
}

/// Resolve a full Sigma tag (`attack.t1090`, `attack.command_and_control`, `attack.g0016`,
/// `attack.s0002`, `cve.2021-44228`, `detection.threat-hunting`, `car.2016-04-005`, `stp.1u`,
/// `tlp.amber`, …). Namespaces are case-insensitive.
pub fn resolve_tag(tag: &str) -> TagRef<'_> {
    let tag = tag.trim();
    let Some((ns, value)) = tag.split_once('.') else {
        return TagRef::Malformed(tag);
    };
    if ns.is_empty() || value.is_empty() {
        return TagRef::Malformed(tag);
    }
    match ns.to_ascii_lowercase().as_str() {
        "attack" => {
            let found = if is_id(value, "t", true) {
                technique(value).map(TagRef::Technique)
            } else if is_id(value, "g", false) {
                group(value).map(TagRef::Group)
            } else if is_id(value, "c", false) {
                campaign(value).map(TagRef::Campaign)
            } else if is_id(value, "s", false) {
                software(value).map(TagRef::Software)
            } else if is_id(value, "ds", false) {
                data_source(value).map(TagRef::DataSource)
            } else {
                tactic(value).map(TagRef::Tactic)
            };
            found.unwrap_or(TagRef::UnknownAttack(value))
        }
        "cve" => TagRef::Cve(value),
        "car" => TagRef::Car(value),
        "detection" => TagRef::Detection(value),
        "stp" => TagRef::Stp(value),
        "tlp" => TagRef::Tlp(value),
        _ => TagRef::Other { namespace: ns, value },
    }
}

/// One row of a rule's "MITRE ATT&CK coverage" table: `Command & Control | T1090 Proxy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoverageRow {
    /// The tactic (rows come in matrix order).
    pub tactic: &'static Tactic,
    /// The rule's technique tags under it, sorted by id (as tagged: a revoked technique is shown
    /// as itself, placed by its replacement's tactics).
    pub techniques: Vec<&'static Technique>,
}

/// A rule's ATT&CK coverage rows plus findings for lint.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Coverage {
    /// The table rows, in matrix order.
    pub rows: Vec<CoverageRow>,
    /// Tagged tactics under which none of the rule's techniques falls (the seed rule's
    /// `attack.lateral-movement`). For `defense-evasion` the tactic reported is TA0005.
    pub tactic_without_technique: Vec<&'static Tactic>,
    /// Techniques none of whose ATT&CK tactics the rule tags; they got rows for all of them.
    pub technique_without_tagged_tactic: Vec<&'static Technique>,
    /// Tagged techniques v19 no longer lists as active (revoked, deprecated, retired).
    pub outdated_techniques: Vec<&'static Technique>,
    /// `attack.` tags naming nothing known (the part after `attack.`).
    pub unknown_attack: Vec<String>,
}

/// ATT&CK coverage of a rule from its tags.
///
/// - A row appears for each tactic under which at least one of the rule's technique tags falls
///   according to ATT&CK (using [`Technique::current_tactics`], so revoked/retired techniques are
///   placed by their replacement), restricted to the tactics the rule tags (with
///   [`tactic_scope`], so `defense-evasion` covers Stealth and Defense Impairment).
/// - A technique none of whose tactics is tagged (including rules tagging no tactic at all) is
///   shown under every ATT&CK tactic of it, and reported in `technique_without_tagged_tactic`.
/// - A tagged tactic with no technique under it gives no row; it is reported in
///   `tactic_without_technique`.
///
/// Groups, software, campaigns and non-ATT&CK tags do not make rows.
pub fn analyze<I, S>(tags: I) -> Coverage
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut tagged_tactics: Vec<(&'static Tactic, Vec<&'static Tactic>)> = Vec::new();
    let mut techs: Vec<&'static Technique> = Vec::new();
    let mut cov = Coverage::default();
    for tag in tags {
        let tag = tag.as_ref();
        match resolve_tag(tag) {
            TagRef::Tactic(t) if !tagged_tactics.iter().any(|(x, _)| x.id == t.id) => {
                let value = tag.trim().split_once('.').map_or("", |(_, v)| v);
                tagged_tactics.push((t, tactic_scope(value)));
            }
            TagRef::Technique(t) if !techs.iter().any(|x| x.id == t.id) => techs.push(t),
            TagRef::UnknownAttack(v) => cov.unknown_attack.push(v.to_string()),
            _ => {}
        }
    }
    let scope: Vec<&str> = tagged_tactics.iter().flat_map(|(_, s)| s.iter().map(|t| t.id)).collect();
    let mut placed: Vec<(&'static str, &'static Technique)> = Vec::new();
    for t in &techs {
        if !t.is_active() {
            cov.outdated_techniques.push(t);
        }
        let own = t.current_tactics();
        let chosen: Vec<&str> = own.iter().copied().filter(|id| scope.contains(id)).collect();
        let chosen = if chosen.is_empty() {
            cov.technique_without_tagged_tactic.push(t);
            own.to_vec()
        } else {
            chosen
        };
        placed.extend(chosen.into_iter().map(|id| (id, *t)));
    }
    for tactic in tactics() {
        let mut in_row: Vec<&'static Technique> =
            placed.iter().filter(|(id, _)| *id == tactic.id).map(|(_, t)| *t).collect();
        if in_row.is_empty() {
            continue;
        }
        in_row.sort_by_key(|t| t.id);
        in_row.dedup_by_key(|t| t.id);
        cov.rows.push(CoverageRow { tactic, techniques: in_row });
    }
    for (t, s) in &tagged_tactics {
        if !cov.rows.iter().any(|r| s.iter().any(|x| x.id == r.tactic.id)) {
            cov.tactic_without_technique.push(t);
        }
    }
    cov
}

/// The rows of [`analyze`].
pub fn coverage<I, S>(tags: I) -> Vec<CoverageRow>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    analyze(tags).rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_consistent() {
        assert_eq!(tactics().len(), 15);
        let active = techniques().iter().filter(|t| t.is_active()).count();
        assert_eq!(active, 697);
        assert!(techniques().windows(2).all(|w| w[0].id < w[1].id));
        assert!(groups().windows(2).all(|w| w[0].id < w[1].id));
        assert!(software_list().windows(2).all(|w| w[0].id < w[1].id));
        for t in techniques() {
            for id in t.tactics {
                assert!(tactic(id).is_some(), "{} has unknown tactic {id}", t.id);
            }
            if t.is_active() {
                assert!(!t.tactics.is_empty(), "{} has no tactic", t.id);
            }
            if let Some(p) = t.parent {
                assert!(technique(p).is_some(), "{} parent {p} missing", t.id);
                assert!(t.id.starts_with(p));
            }
            if let Status::Revoked { by: Some(r) } | Status::Retired { successor: Some(r) } = t.status {
                assert!(technique(r).is_some(), "{} replacement {r} missing", t.id);
            }
        }
        let t1090 = technique("T1090").unwrap();
        assert_eq!(t1090.name, "Proxy");
        assert_eq!(t1090.tactics, &["TA0011"]);
        assert_eq!(t1090.label(), "T1090 Proxy");
    }

    #[test]
    fn tactic_spellings() {
        let c2 = tactic("command-and-control").unwrap();
        assert_eq!(c2.id, "TA0011");
        assert_eq!(c2.display, "Command & Control");
        assert_eq!(c2.name, "Command and Control");
        assert_eq!(tactic("command_and_control"), Some(c2));
        assert_eq!(tactic("Command_And_Control"), Some(c2));
        assert_eq!(tactic("TA0011"), Some(c2));
        assert_eq!(tactic("stealth").unwrap().id, "TA0005");
        assert_eq!(tactic("defense-impairment").unwrap().id, "TA0112");
        assert_eq!(tactic("defense_evasion").unwrap().id, "TA0005");
        assert_eq!(tactic_scope("defense-evasion").len(), 2);
        assert!(tactic("lateral").is_none());
        let order: Vec<&str> = tactics().iter().map(|t| t.shortname).collect();
        assert_eq!(order[0], "reconnaissance");
        assert_eq!(order[6..8], ["stealth", "defense-impairment"]);
        assert_eq!(order[14], "impact");
    }

    #[test]
    fn techniques_and_statuses() {
        let t = technique("t1219.002").unwrap();
        assert_eq!(t.full_name, "Remote Access Tools: Remote Desktop Software");
        assert_eq!(t.parent, Some("T1219"));
        assert_eq!(t.label(), "T1219.002 Remote Access Tools: Remote Desktop Software");
        assert_eq!(t.url(), "https://attack.mitre.org/techniques/T1219/002");
        // Revoked with replacement (v18.1 revoked-by).
        let t1089 = technique("T1089").unwrap();
        assert_eq!(t1089.status, Status::Revoked { by: Some("T1562.001") });
        // … whose replacement v19 retired in favour of T1685 (Defense Impairment).
        assert_eq!(t1089.current().id, "T1685");
        assert_eq!(t1089.current_tactics(), &["TA0112"]);
        assert_eq!(technique("T1064").unwrap().status, Status::Deprecated);
        assert_eq!(technique("T1070.001").unwrap().status, Status::Retired { successor: Some("T1685.005") });
        assert!(technique("T9999").is_none());
    }

    #[test]
    fn groups_software() {
        let g = group("g0016").unwrap();
        assert_eq!(g.name, "APT29");
        assert!(g.aliases.contains(&"Cozy Bear"));
        let s = software("S0002").unwrap();
        assert_eq!(s.name, "Mimikatz");
        assert_eq!(s.kind, SoftwareKind::Tool);
        assert_eq!(data_source("ds0005").unwrap().name, "WMI");
        assert!(campaign("C0001").is_some());
    }

    #[test]
    fn tags() {
        assert!(matches!(resolve_tag("attack.t1090"), TagRef::Technique(t) if t.id == "T1090"));
        assert!(matches!(resolve_tag("attack.T1090.001"), TagRef::Technique(t) if t.id == "T1090.001"));
        assert!(matches!(resolve_tag("attack.command-and-control"), TagRef::Tactic(t) if t.id == "TA0011"));
        assert!(matches!(resolve_tag("attack.g0016"), TagRef::Group(g) if g.name == "APT29"));
        assert!(matches!(resolve_tag("attack.s0002"), TagRef::Software(s) if s.name == "Mimikatz"));
        assert!(matches!(resolve_tag("attack.ds0005"), TagRef::DataSource(_)));
        assert_eq!(resolve_tag("attack.t9999"), TagRef::UnknownAttack("t9999"));
        assert_eq!(resolve_tag("attack.g9999"), TagRef::UnknownAttack("g9999"));
        assert_eq!(resolve_tag("attack.foo"), TagRef::UnknownAttack("foo"));
        assert_eq!(resolve_tag("cve.2021-44228"), TagRef::Cve("2021-44228"));
        assert_eq!(resolve_tag("detection.threat-hunting"), TagRef::Detection("threat-hunting"));
        assert_eq!(resolve_tag("car.2016-04-005"), TagRef::Car("2016-04-005"));
        assert_eq!(resolve_tag("stp.1u"), TagRef::Stp("1u"));
        assert_eq!(resolve_tag("tlp.amber"), TagRef::Tlp("amber"));
        assert_eq!(resolve_tag("foo.bar.baz"), TagRef::Other { namespace: "foo", value: "bar.baz" });
        assert_eq!(resolve_tag("nodot"), TagRef::Malformed("nodot"));
    }

    #[test]
    fn seed_rule_coverage() {
        let cov = analyze(["attack.lateral-movement", "attack.command-and-control", "attack.t1090"]);
        assert_eq!(cov.rows.len(), 1);
        assert_eq!(cov.rows[0].tactic.display, "Command & Control");
        let labels: Vec<String> = cov.rows[0].techniques.iter().map(|t| t.label()).collect();
        assert_eq!(labels, ["T1090 Proxy"]);
        assert_eq!(cov.tactic_without_technique.len(), 1);
        assert_eq!(cov.tactic_without_technique[0].id, "TA0008");
        assert!(cov.technique_without_tagged_tactic.is_empty());
        assert!(cov.outdated_techniques.is_empty());
    }

    #[test]
    fn coverage_restricts_and_falls_back() {
        // T1053.005 is execution, persistence and privilege escalation; the rule says persistence.
        let rows = coverage(vec!["attack.persistence".to_string(), "attack.t1053.005".to_string()]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].tactic.id, "TA0003");
        // No tactic tagged: one row per ATT&CK tactic of the technique.
        let cov = analyze(["attack.t1053.005"]);
        let ids: Vec<&str> = cov.rows.iter().map(|r| r.tactic.id).collect();
        assert_eq!(ids, ["TA0002", "TA0003", "TA0004"]);
        assert_eq!(cov.technique_without_tagged_tactic.len(), 1);
        // Old spelling + technique v19 moved to Defense Impairment.
        let cov = analyze(["attack.defense_evasion", "attack.t1562.001"]);
        assert_eq!(cov.rows.len(), 1);
        assert_eq!(cov.rows[0].tactic.id, "TA0112");
        assert_eq!(cov.rows[0].techniques[0].id, "T1562.001");
        assert!(cov.tactic_without_technique.is_empty());
        assert!(cov.technique_without_tagged_tactic.is_empty());
        assert_eq!(cov.outdated_techniques.len(), 1);
        // Unknown ids are reported, not rows.
        let cov = analyze(["attack.t9999", "attack.g0016"]);
        assert!(cov.rows.is_empty());
        assert_eq!(cov.unknown_attack, ["t9999"]);
    }
}
