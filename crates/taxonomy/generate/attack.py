#!/usr/bin/env python3
"""Generate src/attack_data.rs (the ATT&CK tables of detwiki-taxonomy).

Usage:  python3 generate/attack.py [SHARED_ATTACK_DIR]

SHARED_ATTACK_DIR holds the ATT&CK inputs described in its README.md:
  enterprise-attack-v19-compact.json      v19 tactics + the 697 active techniques
  attack-patterns-lookup-v18.1.json       all 835 v18.1 techniques (revoked/deprecated too)
  relationships-lookup-v18.1.json         `revoked-by` relationships
  groups-campaigns-lookup-v18.1.json      groups (G....) and campaigns (C....)
  software-lookup-v18.1.json              software (S....)
  detection-objects-lookup-v18.1.json     data sources (DS....), deprecated in v18
  infrastructure-lookup-v18.1.json        v18.1 tactics and matrix (tactic order)

Default SHARED_ATTACK_DIR: ../../../shared/attack relative to the crate directory, i.e.
/work/shared/attack when the crate lives at /work/main/crates/taxonomy.

Python 3.11, standard library only. The JSON files are never copied into the crate: only the
compact tables below are written.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

CRATE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_SHARED = CRATE_DIR / ".." / ".." / ".." / "shared" / "attack"
OUTPUT = CRATE_DIR / "src" / "attack_data.rs"

REQUIRED = [
    "enterprise-attack-v19-compact.json",
    "attack-patterns-lookup-v18.1.json",
    "relationships-lookup-v18.1.json",
    "groups-campaigns-lookup-v18.1.json",
    "software-lookup-v18.1.json",
    "detection-objects-lookup-v18.1.json",
    "infrastructure-lookup-v18.1.json",
]

# v19 split v18's Defense Evasion (TA0005) into Stealth (TA0005, same id, renamed) and the new
# Defense Impairment (TA0112). Where TA0112 sits in the matrix: right after TA0005.
V19_INSERT_AFTER = {"TA0112": "TA0005"}

# Techniques active in v18.1 that v19 no longer lists. The v19 extract carries no revoked-by
# relationships, so their successors are inferred: first by identical name among the techniques
# new in v19, then by this hand-made table of near-identical names (same behaviour, v19 wording).
# None = no single v19 successor (the behaviour is spread over several new techniques).
RETIRED_SUCCESSORS = {
    "T1562": None,  # Impair Defenses -> the whole Defense Impairment tactic (TA0112)
    "T1562.002": "T1685.001",  # Disable Windows Event Logging -> Disable or Modify Windows Event Log
    "T1562.003": "T1690",  # Impair Command History Logging -> Prevent Command History Logging
    "T1562.006": None,  # Indicator Blocking
    "T1562.007": "T1686.001",  # Disable or Modify Cloud Firewall -> Cloud Firewall
    "T1562.008": "T1685.002",  # Disable or Modify Cloud Logs -> Disable or Modify Cloud Log
    "T1562.011": "T1685.003",  # Spoof Security Alerting -> Modify or Spoof Tool UI
    "T1562.012": "T1685.004",  # Disable or Modify Linux Audit System -> ... Log
    "T1562.013": "T1686.002",  # Disable or Modify Network Device Firewall -> Network Device Firewall
}


def fail(msg: str) -> None:
    print(f"generate/attack.py: error: {msg}", file=sys.stderr)
    sys.exit(1)


def rs(s: str | None) -> str:
    """A Rust string literal (or None) for s."""
    if s is None:
        return "None"
    out = s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "")
    return f'"{out}"'


def some(s: str | None) -> str:
    return "None" if s is None else f"Some({rs(s)})"


def strs(items: list[str]) -> str:
    return "&[" + ", ".join(rs(x) for x in items) + "]"


def id_key(ext_id: str):
    """Sort key matching Rust's str ordering (plain byte order)."""
    return ext_id.encode()


def status_rs(revoked: bool, deprecated: bool, by: str | None) -> str:
    if revoked:
        return f"Status::Revoked {{ by: {some(by)} }}"
    if deprecated:
        return "Status::Deprecated"
    return "Status::Active"


def main() -> None:
    if len(sys.argv) > 2 or (len(sys.argv) == 2 and sys.argv[1] in ("-h", "--help")):
        print(__doc__)
        sys.exit(0 if len(sys.argv) == 2 else 2)
    src = Path(sys.argv[1]) if len(sys.argv) == 2 else DEFAULT_SHARED
    src = src.resolve()
    if not src.is_dir():
        fail(
            f"ATT&CK input directory {src} does not exist; pass the shared attack directory "
            "(the one with enterprise-attack-v19-compact.json) as the first argument"
        )
    missing = [f for f in REQUIRED if not (src / f).is_file()]
    if missing:
        fail(f"{src} lacks {', '.join(missing)}")

    def load(name: str):
        with open(src / name, encoding="utf-8") as fh:
            return json.load(fh)

    v19 = load("enterprise-attack-v19-compact.json")
    patterns = load("attack-patterns-lookup-v18.1.json")["attack_patterns"]
    relationships = load("relationships-lookup-v18.1.json")["relationships"]
    groups_campaigns = load("groups-campaigns-lookup-v18.1.json")["groups_campaigns"]
    software = load("software-lookup-v18.1.json")["software"]
    data_sources = load("detection-objects-lookup-v18.1.json")["data_sources"]
    infra = load("infrastructure-lookup-v18.1.json")

    # ---- tactics, in matrix order --------------------------------------------------------
    v19_tactics = {t["id"]: t for t in v19["tactics"].values()}
    by_stix = {t["stix_id"]: t for t in infra["tactics"]}
    order = [by_stix[r]["external_id"] for r in infra["matrices"][0]["tactic_refs"]]
    for new, after in V19_INSERT_AFTER.items():
        if new not in order:
            order.insert(order.index(after) + 1, new)
    if set(order) != set(v19_tactics):
        fail(f"v19 tactics {sorted(v19_tactics)} differ from the matrix order {order}")
    shortname_to_id = {t["shortname"]: t["id"] for t in v19_tactics.values()}
    # v18.1 shortnames that v19 renamed (TA0005 defense-evasion -> stealth).
    for t in infra["tactics"]:
        shortname_to_id.setdefault(t["shortname"], t["external_id"])

    # ---- techniques ----------------------------------------------------------------------
    stix_to_ext = {}
    for coll in (patterns, groups_campaigns, software):
        for x in coll:
            stix_to_ext[x["stix_id"]] = x["external_id"]
    revoked_by = {}
    for r in relationships:
        if r["relationship_type"] == "revoked-by":
            s, t = stix_to_ext.get(r["source_ref"]), stix_to_ext.get(r["target_ref"])
            if s and t:
                revoked_by[s] = t

    v18 = {p["external_id"]: p for p in patterns}
    v19_tech = v19["techniques"]
    names = {tid: t["name"] for tid, t in v18.items()}
    names.update({tid: t["name"] for tid, t in v19_tech.items()})
    new_in_v19_by_name = {t["name"]: tid for tid, t in v19_tech.items() if tid not in v18}

    rows = []
    for tid in sorted(set(v18) | set(v19_tech), key=id_key):
        parent = tid.split(".")[0] if "." in tid else None
        if tid in v19_tech:
            t = v19_tech[tid]
            tactics = [shortname_to_id[s] for s in t["tactics"]]
            status = "Status::Active"
        else:
            p = v18[tid]
            tactics = [shortname_to_id[s] for s in p["tactics"]]
            if p["revoked"] or p["deprecated"]:
                status = status_rs(p["revoked"], p["deprecated"], revoked_by.get(tid))
            else:
                succ = RETIRED_SUCCESSORS.get(tid, new_in_v19_by_name.get(p["name"]))
                if tid not in RETIRED_SUCCESSORS and p["name"] not in new_in_v19_by_name:
                    fail(f"{tid} {p['name']} is active in v18.1 but not in v19 and has no successor rule")
                status = f"Status::Retired {{ successor: {some(succ)} }}"
        tactics = sorted(set(tactics), key=order.index)
        name = names[tid]
        full = f"{names[parent]}: {name}" if parent and parent in names else name
        rows.append(
            f"    Technique {{ id: {rs(tid)}, name: {rs(name)}, full_name: {rs(full)}, "
            f"tactics: {strs(tactics)}, parent: {some(parent)}, status: {status} }},"
        )

    # ---- groups, campaigns, software, data sources ---------------------------------------
    def actor_rows(items, kind_of=None):
        out = []
        for x in sorted(items, key=lambda x: id_key(x["external_id"])):
            aliases = [a for a in (x.get("aliases") or []) if a != x["name"]]
            status = status_rs(x["revoked"], x["deprecated"], revoked_by.get(x["external_id"]))
            kind = f"kind: {kind_of(x)}, " if kind_of else ""
            out.append(
                f"    {{ id: {rs(x['external_id'])}, name: {rs(x['name'])}, {kind}"
                f"aliases: {strs(aliases)}, status: {status} }},"
            )
        return out

    groups = [g for g in groups_campaigns if g["stix_type"] == "intrusion-set"]
    campaigns = [g for g in groups_campaigns if g["stix_type"] == "campaign"]
    group_rows = ["    Group " + r[4:] for r in actor_rows(groups)]
    campaign_rows = ["    Group " + r[4:] for r in actor_rows(campaigns)]
    sw_rows = [
        "    Software " + r[4:]
        for r in actor_rows(
            software,
            lambda x: "SoftwareKind::Tool" if x["stix_type"] == "tool" else "SoftwareKind::Malware",
        )
    ]
    ds_rows = [
        f"    DataSource {{ id: {rs(d['external_id'])}, name: {rs(d['name'])} }},"
        for d in sorted(data_sources, key=lambda d: id_key(d["external_id"]))
    ]

    tactic_rows = []
    for tid in order:
        t = v19_tactics[tid]
        display = t["name"].replace(" and ", " & ")
        tactic_rows.append(
            f"    Tactic {{ id: {rs(tid)}, shortname: {rs(t['shortname'])}, name: {rs(t['name'])}, "
            f"display: {rs(display)} }},"
        )

    out = [
        "// @generated by generate/attack.py — do not edit.",
        f"// Sources: {v19['version']} (enterprise-attack-v19-compact.json) and ATT&CK v18.1",
        "// lookup tables (revoked/deprecated techniques, revoked-by, groups, campaigns, software,",
        "// data sources). ATT&CK is © The MITRE Corporation, used under the ATT&CK terms of use.",
        "",
        "use crate::attack::{DataSource, Group, Software, SoftwareKind, Status, Tactic, Technique};",
        "",
        f'/// ATT&CK release the active tables follow.\npub(crate) const VERSION: &str = {rs(v19["version"])};',
        "",
        "/// Enterprise tactics in matrix order.",
        "pub(crate) static TACTICS: &[Tactic] = &[",
        *tactic_rows,
        "];",
        "",
        "/// Techniques and sub-techniques (v19 active + v18.1 revoked/deprecated/retired), sorted by id.",
        "pub(crate) static TECHNIQUES: &[Technique] = &[",
        *rows,
        "];",
        "",
        "/// Groups (intrusion sets), sorted by id.",
        "pub(crate) static GROUPS: &[Group] = &[",
        *group_rows,
        "];",
        "",
        "/// Campaigns, sorted by id.",
        "pub(crate) static CAMPAIGNS: &[Group] = &[",
        *campaign_rows,
        "];",
        "",
        "/// Software (malware and tools), sorted by id.",
        "pub(crate) static SOFTWARE: &[Software] = &[",
        *sw_rows,
        "];",
        "",
        "/// Data sources (deprecated since v18, still used in some tags), sorted by id.",
        "pub(crate) static DATA_SOURCES: &[DataSource] = &[",
        *ds_rows,
        "];",
        "",
    ]
    OUTPUT.write_text("\n".join(out), encoding="utf-8")
    print(
        f"wrote {OUTPUT}: {len(tactic_rows)} tactics, {len(rows)} techniques, {len(group_rows)} groups, "
        f"{len(campaign_rows)} campaigns, {len(sw_rows)} software, {len(ds_rows)} data sources"
    )


if __name__ == "__main__":
    main()
