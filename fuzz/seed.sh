#!/usr/bin/env bash
# Seed the fuzz corpora from the SigmaHQ corpus snapshot (never committed: fuzz/corpus/ is
# gitignored).
#
#   fuzz/corpus/rule_file/     a sample of rule files from rules*/, deprecated/, unsupported/
#   fuzz/corpus/condition/     every distinct `detection.condition` string (one per file)
#   fuzz/corpus/sigma_string/  a handful of hand-written values (escapes, wildcards, placeholders)
#   fuzz/corpus/evtx_chunk/    the first chunk of a sample of events/evtx-attack-samples/*.evtx
#   fuzz/corpus/json_event/    hand-written event lines (flat, evtx_dump's nested shape, ECS …)
#   fuzz/corpus/kusto_query/   a few hand-written Kusto (Sentinel) queries
#   fuzz/corpus/spl/           hand-written Splunk searches (every construct the parser reads)
#   fuzz/corpus/{kql,eql,esql}/ the query fixtures of crates/elastic/tests/fixtures, and every
#                              query of the Elastic corpus (needs python3 >= 3.11 for tomllib)
#   fuzz/corpus/mql/           a few hand-written MQL queries (Sublime rules' `source`)
#
# Usage: fuzz/seed.sh            (from anywhere; SHARED defaults to ../shared beside the repo)
#        DETWIKI_SHARED=/path/to/shared SEED_RULES=1000 fuzz/seed.sh
# Without the shared corpus it still seeds the in-repo condition list and the value seeds.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(dirname "$here")"
cd "$repo"
shared="${DETWIKI_SHARED:-../shared}"
sigma="$shared/corpus/sigma"
sample="${SEED_RULES:-600}"   # rule files to copy; 0 = all

rules_dir="$here/corpus/rule_file"
cond_dir="$here/corpus/condition"
str_dir="$here/corpus/sigma_string"
evtx_dir="$here/corpus/evtx_chunk"
json_dir="$here/corpus/json_event"
query_dirs=("$here/corpus/kql" "$here/corpus/eql" "$here/corpus/esql" "$here/corpus/kusto_query")
mkdir -p "$rules_dir" "$cond_dir" "$str_dir" "$evtx_dir" "$json_dir" "${query_dirs[@]}"
spl_dir="$here/corpus/spl"
query_dirs=("$here/corpus/kql" "$here/corpus/eql" "$here/corpus/esql")
mkdir -p "$rules_dir" "$cond_dir" "$str_dir" "$evtx_dir" "$json_dir" "$spl_dir" "${query_dirs[@]}"
# Seeds are named seed-*; libFuzzer's own finds (hash names) are left alone.
find "$rules_dir" "$cond_dir" "$str_dir" "$evtx_dir" "$json_dir" "${query_dirs[@]}" -maxdepth 1 -name 'seed-*' -delete

rule_files=()
if [ -d "$sigma" ]; then
    # Every rule file, in a stable order, then an even sample of them.
    mapfile -t rule_files < <(find "$sigma"/rules* "$sigma"/deprecated "$sigma"/unsupported \
        -type f \( -name '*.yml' -o -name '*.yaml' \) 2>/dev/null | LC_ALL=C sort)
    total=${#rule_files[@]}
    step=1
    if [ "$sample" -gt 0 ] && [ "$total" -gt "$sample" ]; then step=$(( (total + sample - 1) / sample )); fi
    copied=0
    for (( i = 0; i < total; i += step )); do
        f="${rule_files[$i]}"
        # cat, not cp: the snapshot is read-only and copies must stay writable.
        cat "$f" > "$rules_dir/seed-$(basename "$f")"
        copied=$((copied + 1))
    done
    echo "rule_file: $copied of $total rule files from $sigma"
else
    echo "rule_file: no corpus at $sigma (set DETWIKI_SHARED); rule_file starts from the condition list only" >&2
fi

# Distinct conditions: `condition: text` on one line, and the `- text` items of a list-form
# condition. Block scalars (`condition: |`) are skipped. The in-repo list of the corpus's
# conditions is added too, so the condition seeds exist without the shared snapshot.
conditions="$(mktemp)"
trap 'rm -f "$conditions"' EXIT
{
    if [ "${#rule_files[@]}" -gt 0 ]; then
        printf '%s\0' "${rule_files[@]}" | xargs -0 awk '
            function unquote(s) {
                sub(/^[ \t]+/, "", s); sub(/[ \t]+(#.*)?$/, "", s)
                if (s ~ /^'\''.*'\''$/) { s = substr(s, 2, length(s) - 2); gsub(/'\'\''/, "'\''", s) }
                else if (s ~ /^".*"$/) { s = substr(s, 2, length(s) - 2) }
                return s
            }
            FNR == 1 { inlist = 0 }
            {
                sub(/\r$/, "")
                if (inlist) {
                    match($0, /^[ \t]*/)
                    if (RLENGTH > ind && $0 ~ /^[ \t]*- /) { s = $0; sub(/^[ \t]*- /, "", s); print unquote(s); next }
                    inlist = 0
                }
                if ($0 ~ /^[ \t]+condition:[ \t]*/) {
                    match($0, /^[ \t]*/); ind = RLENGTH
                    s = $0; sub(/^[ \t]+condition:[ \t]*/, "", s)
                    if (s == "" || s ~ /^#/) inlist = 1
                    else if (s !~ /^[|>]/) print unquote(s)
                }
            }'
    fi
    grep -v '^#' "$repo/crates/sigma/src/condition/corpus_conditions.txt" || true
} | grep -v '^[[:space:]]*$' | LC_ALL=C sort -u > "$conditions"
n=0
while IFS= read -r c; do
    n=$((n + 1))
    # The condition target reads its first byte as the span base: a space (32), then the text.
    printf ' %s' "$c" > "$cond_dir/seed-$n"
done < "$conditions"
echo "condition: $n distinct conditions"

# sigma_string: the first byte's low bit is `expand` ('0' off, '1' on).
n=0
for v in '0*\cmd.exe' '0C:\Windows\System32\' '0a\*b\?c\\d' '0\\\\server\share*' '0x?y*z' '0dir\' '0\' \
         '1%admins%' '1\%x%' '1100%' '1a%b%c' '1%%' '1%a b%' '1\\%x%' '1*%u%\*?'; do
    n=$((n + 1))
    printf '%s' "$v" > "$str_dir/seed-$n"
done
echo "sigma_string: $n values"

# evtx_chunk: the first chunk (64 KiB after the 4 KiB file header) of every 7th sample file.
samples="$shared/events/evtx-attack-samples"
if [ -d "$samples" ]; then
    mapfile -t evtx_files < <(find "$samples" -type f -name '*.evtx' | LC_ALL=C sort)
    n=0
    for (( i = 0; i < ${#evtx_files[@]}; i += 7 )); do
        n=$((n + 1))
        dd if="${evtx_files[$i]}" of="$evtx_dir/seed-$n" bs=4096 skip=1 count=16 status=none
    done
    echo "evtx_chunk: $n chunks from $samples"
else
    echo "evtx_chunk: no samples at $samples (set DETWIKI_SHARED); evtx_chunk starts empty" >&2
fi

# json_event: one line each.
n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" > "$json_dir/seed-$n"
done <<'LINES'
{"EventID":1,"Channel":"Microsoft-Windows-Sysmon/Operational","Image":"C:\\Windows\\System32\\cmd.exe","CommandLine":"cmd /c whoami"}
{"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{"Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing","Guid":"{54849625-5478-4994-a5ba-3e3b0328c30d}"}},"EventID":4688,"TimeCreated":{"#attributes":{"SystemTime":"2019-02-13T18:01:47.5624124Z"}},"Correlation":null,"Execution":{"#attributes":{"ProcessID":4,"ThreadID":56}},"Channel":"Security","Computer":"PC01","Security":null},"EventData":{"NewProcessName":"C:\\Windows\\System32\\TSTheme.exe","CommandLine":""}}}
{"Event":{"System":{"EventID":1102,"Channel":"Security"},"UserData":{"LogFileCleared":{"#attributes":{"xmlns":"http://manifests.microsoft.com/win/2004/08/windows/eventlog"},"SubjectUserName":"user01"}}}}
{"Event":{"System":{"EventID":1040},"EventData":{"Data":{"#text":["a","b"]},"Binary":"00FF"}}}
{"winlog":{"channel":"Security","event_id":4624,"event_data":{"LogonType":"3","TargetUserName":"bob"}},"process":{"command_line":"powershell -enc SQBFAFgA"},"tags":["a","b"],"n":1.5e3,"neg":-7,"ok":true}
{"k":"\u00e9\u0000\ud83d\ude00\n\"q\"","Threat Name":"HackTool:Win32/Mimikatz","empty":{},"list":[],"nested":[[1,[2,{"x":null}]]]}
LINES
echo "json_event: $n lines"

# mql: a few hand-written queries covering the grammar (never corpus files).
mql_dir="$here/corpus/mql"
mkdir -p "$mql_dir"
find "$mql_dir" -maxdepth 1 -name 'seed-*' -delete
n=0
while IFS= read -r q; do
    n=$((n + 1))
    printf '%s\n' "$q" > "$mql_dir/seed-$n"
done <<'MQL'
type.inbound and any(body.links, .href_url.domain.tld == "onion") // comment
not profile.by_sender_email().solicited and sender.email.domain.root_domain not in~ $free_email_providers
0 < length(attachments) <= 3 and length(filter(attachments, .file_extension in~ ('html', 'htm'))) > 0
2 of (strings.ilike(subject.subject, '*invoice*', '*pay*'), regex.icontains(body.current_thread.text, 'a''b\s+', "c\"d"), x is not null)
any(ml.nlu_classifier(body.current_thread.text).intents, .name == "cred_theft" and ..x[0]["k"] != -1.5 * (2 + 3) % 4)
ml.link_analysis(., mode="aggressive").credphish.disposition =~ 'phishing' or [1, 2,] == (3,) or a !~ b
MQL
echo "mql: $n hand-written queries"
# kusto_query: hand-written queries, one per construct family.
n=0
while IFS= read -r q; do
    n=$((n + 1))
    printf '%b' "$q" > "$here/corpus/kusto_query/seed-$n"
done <<'KUSTO'
SecurityEvent\n| where EventID == 4688 and CommandLine has_any ("-enc", "iex")\n| extend Host = Computer
let procs = dynamic(["a.exe", 'b.exe']);\nDeviceProcessEvents\n| where FileName in~ (procs) and not(ProcessCommandLine !contains @'C:\\x')
let Base = (T: (*)) { T | where x between (1 .. 10) };\nBase(SigninLogs) | summarize count() by bin(TimeGenerated, 1h), UserPrincipalName
union isfuzzy=true SigninLogs, (AADNonInteractiveUserSignInLogs | where ResultType == "0")\n| join kind=inner (AuditLogs) on $left.UserId == $right.Id
Syslog | parse kind=regex flags=i SyslogMessage with * "user=" User:string " " * | mv-expand X to typeof(string) | project-away Foo*
datatable(a: string) ["x", "y"] | where a matches regex "^[a-z]+$" and tolower(a) startswith h'x'
KUSTO
echo "kusto_query: $n hand-written queries"
# panther_python: a few hand-written rule modules (never corpus files).
py_dir="$here/corpus/panther_python"
mkdir -p "$py_dir"
find "$py_dir" -maxdepth 1 -name 'seed-*' -delete
cat > "$py_dir/seed-1" <<'PY'
import re
from panther_base_helpers import deep_get
ACTIONS = {"Delete", "Stop"}
PAT = re.compile(r"^adm")

def rule(event):
    if event.get("status") != "SUCCESS":
        return False
    name = event.deep_get("actor", "name", default="")
    return event.get("action") in ACTIONS and (PAT.search(name) or name.endswith((".exe", ".dll")))
PY
cat > "$py_dir/seed-2" <<'PY'
def helper(event):
    return deep_get(event, "a", "b") == 1

def rule(event):
    for x in event.get("items", []):
        if "x" in x:
            return True
    return helper(event) or any(k in event.get("cmd", "").lower() for k in ["curl", "wget"])
PY
printf 'AnalysisType: rule\nRuleID: A.B\nDetection:\n  - Key: action\n    Condition: Equals\n    Value: x\n' > "$py_dir/seed-3"
echo "panther_python: 3 seeds"
# spl: hand-written searches, one a line.
n=0
while IFS= read -r line; do
    n=$((n + 1))
    printf '%s' "$line" > "$spl_dir/seed-$n"
done <<'LINES'
index=main sourcetype=x EventCode=1 Image="*\\cmd.exe" (CommandLine="*-enc*" OR CommandLine=*/c*) NOT User IN ("SYSTEM", svc*)
| tstats summariesonly=false count min(_time) as firstTime from datamodel=Endpoint.Processes where Processes.process_name=cmd.exe Processes.process!=*whoami* by Processes.dest | rename Processes.* as *
| from datamodel Risk.All_Risk | search normalized_risk_object IN ($user$) count>=3 | stats count by src
`sysmon` EventCode=13 TargetObject="*\\Run\\*" | eval x=lower(Details), y='a b'.":"+1 | where like(x, "%\\temp\\%") OR match(x, "(?i)^a|b$") AND NOT isnull(y) AND z IN ("a", "b")
a="x|y" [search b=1 | head 1] | rex field=f "(?<n>a|b)" | where count > 5 AND -len(f) < .5 | `foo(1, "a,b")` | `x_filter`
LINES
echo "spl: $n searches"

# kql / eql / esql: the in-repo fixtures, then every query of the Elastic corpus.
for lang in kql eql esql; do
    n=0
    for f in "$repo/crates/elastic/tests/fixtures/$lang"/*; do
        n=$((n + 1))
        cat "$f" > "$here/corpus/$lang/seed-fixture-$n"
    done
    echo "$lang: $n fixtures"
done
elastic="$shared/corpus/elastic"
if [ -d "$elastic" ] && python3 -c 'import tomllib' 2>/dev/null; then
    python3 - "$elastic" "$here/corpus" <<'PY'
import pathlib, sys, tomllib
root, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
dirs = {"kuery": "kql", "eql": "eql", "esql": "esql"}
counts = dict.fromkeys(dirs.values(), 0)
for path in sorted(root.rglob("*.toml")):
    rule = tomllib.loads(path.read_text(encoding="utf-8")).get("rule", {})
    query = rule.get("query")
    lang = dirs.get(rule.get("language", "eql"))
    if isinstance(query, str) and lang:
        counts[lang] += 1
        (out / lang / f"seed-{counts[lang]}").write_text(query, encoding="utf-8")
print(", ".join(f"{k}: {v} corpus queries" for k, v in counts.items()))
PY
else
    echo "kql/eql/esql: no Elastic corpus at $elastic or no python3 >= 3.11; fixtures only" >&2
fi

# yaral: a few hand-written YARA-L rules (never corpus files): every section, joins,
# functions, reference lists, nocase, a regex, and a broken rule.
yaral_dir="$here/corpus/yaral"
mkdir -p "$yaral_dir"
find "$yaral_dir" -maxdepth 1 -name 'seed-*' -delete
cat > "$yaral_dir/seed-single.yaral" <<'YARAL'
rule single {
  meta:
    author = "seed"
    tactic = "TA0002"
    technique = "T1059.001"
  events:
    $e.metadata.event_type = "PROCESS_LAUNCH"
    re.regex($e.target.process.file.full_path, `\\powershell\.exe$`) nocase
    strings.contains(strings.to_lower($e.target.process.command_line), " -enc ")
    not $e.principal.user.userid in %admins
  condition:
    $e
}
YARAL
cat > "$yaral_dir/seed-multi.yaral" <<'YARAL'
/* two events */
rule multi {
  meta:
    mitre_attack_url = "https://attack.mitre.org/techniques/T1098/003/"
  events:
    $a.metadata.log_type = "GCP_CLOUDAUDIT"
    $a.principal.user.userid = $user
    $b.target.user.userid = $user
    $a.principal.ip = $b.principal.ip
    ($b.network.received_bytes > 1024 or $b.target.url = /\.exe$/)
    not net.ip_in_range_cidr($b.principal.ip, "10.0.0.0/8")
    $a.metadata.event_timestamp.seconds < $b.metadata.event_timestamp.seconds
  match:
    $user over 10m after $a
  outcome:
    $risk_score = max(if($a.target.labels["role"] = "owner", 80, 20) + 5)
    $ips = array_distinct($b.principal.ip)
  condition:
    $a and #b >= 2 and !$c
  options:
    allow_zero_values = true
}
YARAL
printf 'rule broken {\n events:\n  $e.a = = 1\n condition:\n  $e\n}\n' > "$yaral_dir/seed-broken.yaral"
echo "yaral: 3 hand-written rules"
