#!/usr/bin/env bash
# Benchmark: the MQL parser over every query of sublime-rules (../shared/corpus/sublime), and,
# in the same run, Sigma's parser over SigmaHQ rules* (there is no MQL parser to install
# from a registry: Sublime's own is not published). One release build of the example
# `parse_corpus` of detwiki-sublime, which reads every file first and then times, best of
# BENCH_RUNS (default 10) runs each:
#   mql           mql::parse over the 1,189 query texts alone (no files, no YAML)
#   sublime-file  detwiki_sublime::parse_str over the rule files (YAML + MQL)
#   sigma-file    detwiki_sigma::parse_str over SigmaHQ rules* (YAML + detection + condition)
# and prints count, bytes, time and MB/s for each, the machine load, and the ratios.
#
#   bench/sublime-parse.sh
#   BENCH_RUNS=20 DETWIKI_SHARED=/path/to/shared bench/sublime-parse.sh
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
SUBLIME=$SHARED/corpus/sublime/detection-rules
SIGMA=$SHARED/corpus/sigma

[ -d "$SUBLIME" ] || { echo "missing $SUBLIME (set DETWIKI_SHARED)" >&2; exit 2; }
[ -d "$SIGMA" ] || { echo "missing $SIGMA (set DETWIKI_SHARED)" >&2; exit 2; }

(cd "$ROOT" && cargo build --release -q -p detwiki-sublime --example parse_corpus) \
    || { echo "cargo build failed" >&2; exit 3; }
BIN=$ROOT/target/release/examples/parse_corpus

echo "load: $(cat /proc/loadavg)"
out=$("$BIN" --bench "$SUBLIME" --sigma "$SIGMA"/rules*)
echo "$out"
echo "load: $(cat /proc/loadavg)"
mbs() { echo "$out" | sed -n "s/^$1: .*, \([0-9.]*\) MB\/s$/\1/p"; }
awk -v m="$(mbs mql)" -v f="$(mbs sublime-file)" -v s="$(mbs sigma-file)" 'BEGIN {
    printf "MQL parse vs Sigma rule-file parse: %.2fx the MB/s; Sublime file (YAML + MQL) vs Sigma file: %.2fx\n", m / s, f / s
}'
