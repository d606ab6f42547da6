#!/usr/bin/env bash
# Benchmark (b): detwiki hunt vs rsigma on the same events (evtx-attack-samples dumped with
# the evtx crate and flattened with the shared flatten.jq) and the same rules (rules/).
# rsigma gets the shared logsource pipeline and --logsource-routing (see
# shared/bench/rsigma/README.md); detwiki routes with its own taxonomy.
# Prints wall time, events/s and peak RSS of each side (best of N, whole process),
# the ratio, and the hit counts compared rule by rule.
#   bench/hunt-vs-rsigma.sh [--runs N] [--copies K]
#   RSIGMA_BIN=/path/to/rsigma bench/hunt-vs-rsigma.sh
# --copies K concatenates the events K times (a larger input, so that scanning and not
# start-up dominates; hit counts are then K times the single-copy counts).
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
RULES=$SHARED/corpus/sigma/rules
SAMPLES=$SHARED/events/evtx-attack-samples
PIPELINE=$SHARED/bench/rsigma/rsigma_windows_pipeline.yml
FLATTEN=$SHARED/bench/rsigma/flatten.jq
RSIGMA=${RSIGMA_BIN:-$(command -v rsigma || echo /work/.cache/rsigma/bin/rsigma)}
OUT=$ROOT/target/bench-out/hunt-vs-rsigma
RUNS=3; COPIES=1
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --copies) COPIES=$2; shift 2 ;;
        *) echo "unknown option $1" >&2; exit 64 ;;
    esac
done
for p in "$RULES" "$SAMPLES" "$PIPELINE" "$FLATTEN"; do [ -e "$p" ] || { echo "missing $p" >&2; exit 2; }; done
[ -x "$RSIGMA" ] || { echo "no rsigma binary at $RSIGMA (cargo install rsigma --version 0.23.0 --locked --root DIR; set RSIGMA_BIN)" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq is needed" >&2; exit 2; }
mkdir -p "$OUT"
(cd "$ROOT" && cargo build --release -q -p detwiki -p detwiki-engine --example evtx_to_jsonl) || exit 3
DETWIKI=$ROOT/target/release/detwiki
DUMP=$ROOT/target/release/examples/evtx_to_jsonl

ONE=$OUT/events.1.jsonl
if [ ! -s "$ONE" ]; then
    find "$SAMPLES" -name '*.evtx' -print0 | sort -z | xargs -0 "$DUMP" | jq -c -f "$FLATTEN" > "$ONE"
fi
EVENTS=$OUT/events.$COPIES.jsonl
if [ ! -s "$EVENTS" ]; then
    for _ in $(seq "$COPIES"); do cat "$ONE"; done > "$EVENTS"
fi
N=$(wc -l < "$EVENTS")
echo "input: $N events ($COPIES x $(wc -l < "$ONE")), $(du -h "$EVENTS" | cut -f1); rules: $RULES"
echo "rsigma: $("$RSIGMA" --version 2>&1 | head -1); detwiki: $("$DETWIKI" --version)"

measure() { # name cmd... ; prints "wall_s rss_kb" of the best run, output in $OUT/name.out
    local name=$1; shift
    local best=999999 rss=0
    for _ in $(seq "$RUNS"); do
        /usr/bin/time -f "%e %M" -o "$OUT/$name.time" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || true
        read -r wall kb < <(tail -1 "$OUT/$name.time")
        if awk "BEGIN{exit !($wall < $best)}"; then best=$wall; rss=$kb; fi
    done
    echo "$best $rss"
}
read -r dw drss < <(measure detwiki "$DETWIKI" hunt -q --format jsonl --corpus "sigma=$RULES" "$EVENTS")
read -r rw rrss < <(measure rsigma "$RSIGMA" engine eval -r "$RULES" -p "$PIPELINE" --logsource-routing \
    --event-logsource product=windows -e "@$EVENTS")
awk -v n="$N" -v dw="$dw" -v rw="$rw" -v dr="$drss" -v rr="$rrss" 'BEGIN {
    printf "detwiki: %6.2f s wall  %9.0f events/s  peak %5.0f MB\n", dw, n / dw, dr / 1024;
    printf "rsigma:  %6.2f s wall  %9.0f events/s  peak %5.0f MB\n", rw, n / rw, rr / 1024;
    printf "ratio rsigma/detwiki wall: %.2fx (target >= 3x)\n", rw / dw }'

python3 - "$OUT/detwiki.out" "$OUT/rsigma.out" "$RULES" <<'PY'
import json, sys, os, collections
det, rs, rules = sys.argv[1:4]
def count(path, keys):
    c = collections.Counter()
    for line in open(path):
        line = line.strip()
        if not line.startswith("{"):
            continue
        o = json.loads(line)
        rid = next((o[k] for k in keys if o.get(k)), None)
        if rid is None and isinstance(o.get("rule"), dict):
            rid = o["rule"].get("id") or o["rule"].get("title")
        c[rid] += 1
    return c
d = count(det, ["rule_id"])
r = count(rs, ["rule_id", "id"])
titles = {}
for root, _, files in os.walk(rules):
    for f in files:
        if f.endswith(".yml"):
            for l in open(os.path.join(root, f), encoding="utf-8", errors="replace"):
                if l.startswith("id: "):
                    titles[l[4:].strip()] = os.path.join(root, f)[len(rules) + 1:]
                    break
print(f"hits: detwiki {sum(d.values())} from {len(d)} rules; rsigma {sum(r.values())} from {len(r)} rules")
diff = sorted(set(d) | set(r), key=lambda k: (titles.get(k, str(k))))
n = 0
for k in diff:
    if d.get(k, 0) != r.get(k, 0):
        n += 1
        print(f"  {d.get(k, 0):6} {r.get(k, 0):6}  {titles.get(k, k)}")
print(f"{n} rules differ (columns: detwiki, rsigma)")
PY
