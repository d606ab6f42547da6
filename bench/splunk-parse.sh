#!/usr/bin/env bash
# Benchmark: parse every SPL search of Splunk's security_content (../shared/corpus/splunk,
# 1,711 detections, macros expanded with its macros/) with detwiki-splunk, and in the same run
# Sigma's parser over SigmaHQ `rules*`, and print count, bytes, time, MB/s and the ratio.
# No SPL parser is installable from a package registry, so the comparison is throughput
# beside detwiki's own Sigma parser.
#
#   bench/splunk-parse.sh
#
# A release build of the example `parse_corpus` of detwiki-splunk: it reads the files first,
# then times (mean of 5 passes) the searches alone (expand + parse + lower), the whole
# detection files (YAML + expand + parse), and `detwiki_sigma::parse_str` over every `.yml`
# of `rules*`.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
SPLUNK=$SHARED/corpus/splunk/detections
SIGMA=$SHARED/corpus/sigma

[ -d "$SPLUNK" ] || { echo "missing $SPLUNK (set DETWIKI_SHARED)" >&2; exit 2; }
[ -d "$SIGMA" ] || { echo "missing $SIGMA (set DETWIKI_SHARED)" >&2; exit 2; }
(cd "$ROOT" && cargo build --release -q -p detwiki-splunk --example parse_corpus) \
    || { echo "cargo build failed" >&2; exit 3; }
echo "load average: $(cat /proc/loadavg)"
"$ROOT/target/release/examples/parse_corpus" "$SPLUNK" --sigma "$SIGMA"/rules*
echo "load average: $(cat /proc/loadavg)"
