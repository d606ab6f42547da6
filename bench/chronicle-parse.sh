#!/usr/bin/env bash
# Benchmark: YARA-L parser throughput beside Sigma's, in one run. A release build of the
# example `parse_bench` of detwiki-chronicle reads every `.yaral` file of
# ../shared/corpus/chronicle/rules (community and _deprecated) and times
# `detwiki_chronicle::read` over them (parse, lowering, ATT&CK), then every Sigma rule file of
# SigmaHQ `rules*` through `detwiki_sigma::parse_bytes` (YAML, rule model, condition); median
# of ROUNDS passes each (default 20). Prints files, bytes, ms per pass, MB/s for both, and the
# ratio of throughputs. No reference YARA-L parser is installable from a registry, so Sigma's
# parser is the comparison.
#
#   bench/chronicle-parse.sh
#   ROUNDS=50 DETWIKI_SHARED=/path/to/shared bench/chronicle-parse.sh
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
YARAL=$SHARED/corpus/chronicle/rules
SIGMA=$SHARED/corpus/sigma

[ -d "$YARAL" ] || { echo "missing $YARAL (set DETWIKI_SHARED)" >&2; exit 2; }
[ -d "$SIGMA" ] || { echo "missing $SIGMA (set DETWIKI_SHARED)" >&2; exit 2; }
(cd "$ROOT" && cargo build --release -q -p detwiki-chronicle --example parse_bench) \
    || { echo "cargo build failed" >&2; exit 3; }

# Warm the page cache for both sides.
find "$YARAL" "$SIGMA"/rules* -type f -print0 | xargs -0 cat > /dev/null
echo "load: $(cat /proc/loadavg)"
out=$("$ROOT/target/release/examples/parse_bench" "$YARAL" "$SIGMA"/rules*)
echo "$out"
python3 - "$out" <<'PY'
import re, sys
rates = dict(re.findall(r"^(\w+): .* ([\d.]+) MB/s$", sys.argv[1], re.M))
y, s = float(rates["yaral"]), float(rates["sigma"])
print(f"ratio: YARA-L {y:.1f} MB/s / Sigma {s:.1f} MB/s = {y / s:.2f}x")
PY
