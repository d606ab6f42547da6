#!/usr/bin/env bash
# Benchmark (a): hunt every EVTX file of evtx-attack-samples with every rule of rules/,
# versus only parsing the same files with the same `evtx` crate (records rendered to JSON,
# as evtx_dump does) on the same thread count. One process, both sides alternating,
# best of N runs; prints both throughputs and the ratio (target: hunt <= 1.2x parse, issue 15).
#   bench/hunt-vs-parse.sh [THREADS...]      (default: 1 and all cores)
#   RUNS=9 bench/hunt-vs-parse.sh 2
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
RULES=$SHARED/corpus/sigma/rules
SAMPLES=$SHARED/events/evtx-attack-samples
[ -d "$RULES" ] && [ -d "$SAMPLES" ] || { echo "need $RULES and $SAMPLES (set DETWIKI_SHARED)" >&2; exit 2; }
(cd "$ROOT" && cargo build --release -q -p detwiki-engine --example hunt_vs_parse) || exit 3
BIN=$ROOT/target/release/examples/hunt_vs_parse
THREADS=("$@")
[ ${#THREADS[@]} -eq 0 ] && THREADS=(1 "$(nproc)")
for t in "${THREADS[@]}"; do
    echo "== threads $t"
    "$BIN" "$RULES" "$SAMPLES" "$t" "${RUNS:-5}"
done
