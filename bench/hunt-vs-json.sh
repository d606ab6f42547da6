#!/usr/bin/env bash
# Scanning JSON lines: `detwiki hunt --threads 1` with every rule of rules/ against a bare
# serde_json::Value parse of the same lines (crates/engine/examples/json_parse.rs: read line by
# line, parse, drop) on one thread. The events: every record of evtx-attack-samples rendered
# by the `evtx` crate and flattened with the shared flatten.jq (what bench/hunt-vs-rsigma.sh
# feeds both tools), 1 copy and 20 copies.
#
# Scanning cost = user CPU of 20 copies minus user CPU of 1 copy (start-up cancels out),
# each the best of N interleaved runs (wall time is noisy on a shared machine; CPU time less).
# Target: hunt <= 1.2x the parse. Then peak RSS of `hunt` (all cores) over 1 copy, 20 copies
# and about 1 GB (170 copies): target <= 150 MB, flat.
#   bench/hunt-vs-json.sh [--runs N] [--no-big]
#   DETWIKI_BIN=path/to/detwiki bench/hunt-vs-json.sh      # use a given hunt binary
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
RUNS=5
BIG=1
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --no-big) BIG=0; shift ;;
        -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
        *) echo "hunt-vs-json: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "hunt-vs-json: --runs needs a positive integer" >&2; exit 64; }
if [ ! -d "$SHARED/corpus/sigma/rules" ] || [ ! -d "$SHARED/events/evtx-attack-samples" ] \
    || [ ! -f "$SHARED/bench/rsigma/flatten.jq" ]; then
    echo "hunt-vs-json: need corpus/sigma/rules, events/evtx-attack-samples and bench/rsigma/flatten.jq in $SHARED" >&2
    echo "  (the shared data is looked for in \${DETWIKI_SHARED:-\$ROOT/../shared}; set DETWIKI_SHARED)" >&2
    exit 2
fi
SHARED=$(cd "$SHARED" && pwd)
RULES=$SHARED/corpus/sigma/rules
SAMPLES=$SHARED/events/evtx-attack-samples
command -v jq > /dev/null || { echo "hunt-vs-json: jq is needed (apt-get install jq)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "hunt-vs-json: GNU time is needed (apt-get install time)" >&2; exit 2; }
(cd "$ROOT" && cargo build --release -q -p detwiki-engine --example json_parse --example evtx_to_jsonl) \
    || { echo "hunt-vs-json: cargo build failed" >&2; exit 3; }
if [ -z "${DETWIKI_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --release -q -p detwiki) || { echo "hunt-vs-json: cargo build failed" >&2; exit 3; }
fi
BIN=${DETWIKI_BIN:-$ROOT/target/release/detwiki}
PARSE=$ROOT/target/release/examples/json_parse
DUMP=$ROOT/target/release/examples/evtx_to_jsonl
OUT=$ROOT/target/bench-out/hunt-vs-json
mkdir -p "$OUT"

# The events (kept between runs; delete $OUT to rebuild them).
if [ ! -s "$OUT/events.1.jsonl" ]; then
    find "$SAMPLES" -name '*.evtx' -print0 | sort -z | xargs -0 "$DUMP" \
        | jq -c -f "$SHARED/bench/rsigma/flatten.jq" > "$OUT/events.1.jsonl.tmp"
    mv "$OUT/events.1.jsonl.tmp" "$OUT/events.1.jsonl"
fi
copies() { # N: the events N times, as $OUT/events.N.jsonl
    [ -s "$OUT/events.$1.jsonl" ] && return
    for _ in $(seq "$1"); do cat "$OUT/events.1.jsonl"; done > "$OUT/events.$1.jsonl.tmp"
    mv "$OUT/events.$1.jsonl.tmp" "$OUT/events.$1.jsonl"
}
copies 20
EVENTS1=$(wc -l < "$OUT/events.1.jsonl")

# run NAME CMD... : "user sys wall rss_kb" of one run
run() {
    local name=$1; shift
    /usr/bin/time -f '%U %S %e %M' -o "$OUT/$name.rusage" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || true
    tail -1 "$OUT/$name.rusage"
}

cat "$BIN" "$PARSE" "$OUT/events.1.jsonl" "$OUT/events.20.jsonl" > /dev/null
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
: > "$OUT/times"
for _ in $(seq "$RUNS"); do
    for c in 1 20; do
        echo "parse $c $(run "parse.$c" "$PARSE" "$OUT/events.$c.jsonl")" >> "$OUT/times"
        echo "hunt $c $(run "hunt.$c" "$BIN" hunt -q --threads 1 --format jsonl --corpus "sigma=$RULES" "$OUT/events.$c.jsonl")" >> "$OUT/times"
    done
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
HITS1=$(wc -l < "$OUT/hunt.1.out")
HITS20=$(wc -l < "$OUT/hunt.20.out")
VALUES20=$(cut -d' ' -f1 "$OUT/parse.20.out")

echo "hunt-vs-json: $EVENTS1 events a copy ($(stat -c %s "$OUT/events.1.jsonl") bytes), 20 copies = $VALUES20 values;"
echo "  hunt: every rule of $RULES, --threads 1, $HITS1 hits on 1 copy, $HITS20 on 20; $BIN"
echo "  $(nproc) cores; load average $LOAD0 before, $LOAD1 after; best of $RUNS interleaved runs"
awk -v ev=$((EVENTS1 * 19)) '
    { k = $1 " " $2; u = $3; us = $3 + $4
      if (!(k in bu) || u < bu[k]) bu[k] = u
      if (!(k in bus) || us < bus[k]) bus[k] = us
      if (!(k in bw) || $5 < bw[k]) bw[k] = $5 }
    END {
        for (s = 0; s < 2; s++) {
            side = s ? "hunt" : "parse"
            du = bu[side " 20"] - bu[side " 1"]; dus = bus[side " 20"] - bus[side " 1"]
            scan[side] = du; scans[side] = dus
            printf "  %-5s user CPU: 1 copy %.2f s, 20 copies %.2f s -> scanning 19 copies %.2f s (%.0f events/s); user+sys %.2f s; wall best %.2f / %.2f s\n",
                side, bu[side " 1"], bu[side " 20"], du, ev / (du > 0 ? du : 1e-9), dus, bw[side " 1"], bw[side " 20"]
        }
        r = scan["hunt"] / (scan["parse"] > 0 ? scan["parse"] : 1e-9)
        printf "  ratio hunt/parse, scanning user CPU: %.2fx (target <= 1.2x: %s); user+sys: %.2fx\n",
            r, (r <= 1.2) ? "met" : "NOT met", scans["hunt"] / (scans["parse"] > 0 ? scans["parse"] : 1e-9)
    }' "$OUT/times"

# Peak memory, all cores (what a user runs), as the input grows.
SIZES=(1 20)
if [ "$BIG" = 1 ]; then copies 170; SIZES+=(170); fi
line="  peak RSS of hunt (all cores):"
for c in "${SIZES[@]}"; do
    read -r _ _ wall kb < <(run "mem.$c" "$BIN" hunt -q --format jsonl --corpus "sigma=$RULES" "$OUT/events.$c.jsonl")
    line+=" $c x ($(( $(stat -c %s "$OUT/events.$c.jsonl") / 1000000 )) MB) $((kb / 1024)) MB in ${wall} s;"
done
echo "${line%;} (target <= 150 MB, flat)"
# The 1 GB copy is rebuilt in seconds: do not leave it on a shared disk.
rm -f "$OUT/events.170.jsonl"
