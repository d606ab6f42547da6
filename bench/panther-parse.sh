#!/usr/bin/env bash
# Benchmark: read the whole shared panther-analysis corpus (../shared/corpus/panther) with
# detwiki-panther, and compare, in the same run:
# - the Python parse alone: detwiki (`rustpython-parser` behind the token checks) vs CPython's
#   own `ast.parse` (the reference Python parser, python3 on the machine) over every `.py`;
# - the whole read (YAML + Python + lowering to predicates, one thread) in MB/s vs Sigma's
#   parser on SigmaHQ `rules*`: `detwiki lint -q` wall time per MB of each corpus (lint =
#   read + parse + checks, in parallel).
#
#   bench/panther-parse.sh
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
PANTHER=$SHARED/corpus/panther
SIGMA=$SHARED/corpus/sigma
[ -d "$PANTHER" ] || { echo "missing $PANTHER (set DETWIKI_SHARED)" >&2; exit 2; }
[ -d "$SIGMA" ] || { echo "missing $SIGMA (set DETWIKI_SHARED)" >&2; exit 2; }

(cd "$ROOT" && cargo build --release -q -p detwiki-panther --example panther_corpus && cargo build --release -q -p detwiki) \
    || { echo "cargo build failed" >&2; exit 3; }
EX=$ROOT/target/release/examples/panther_corpus
DETWIKI=$ROOT/target/release/detwiki

echo "load: $(cat /proc/loadavg)"
find "$PANTHER" "$SIGMA"/rules* -type f -print0 | xargs -0 cat > /dev/null

echo "--- Python parse alone"
"$EX" --python-only "$PANTHER"
python3 - "$PANTHER" <<'PY'
import ast, pathlib, sys, time
files = [p.read_text(encoding="utf-8") for p in sorted(pathlib.Path(sys.argv[1]).rglob("*.py"))]
n = sum(len(t.encode()) for t in files)
t0 = time.perf_counter()
failed = 0
for t in files:
    try:
        ast.parse(t)
    except SyntaxError:
        failed += 1
s = time.perf_counter() - t0
print(f"cpython ast.parse: {len(files)} files, {failed} failed, {n} bytes, {s:.3f} s, {n / 1e6 / s:.2f} MB/s")
PY

echo "--- whole read (YAML + Python + predicates), one thread"
"$EX" "$PANTHER"

echo "--- detwiki lint, wall time per MB (best of 3)"
lint() {
    local best=999
    for _ in 1 2 3; do
        local t0 t1
        t0=$(date +%s.%N)
        "$DETWIKI" lint -q "$@" > /dev/null 2>&1 || true
        t1=$(date +%s.%N)
        best=$(python3 -c "print(min($best, $t1 - $t0))")
    done
    echo "$best"
}
pb=$(find "$PANTHER" -type f \( -name '*.yml' -o -name '*.py' \) -print0 | xargs -0 cat | wc -c)
sb=$(find "$SIGMA"/rules* -type f -name '*.yml' -print0 | xargs -0 cat | wc -c)
pt=$(lint "$PANTHER")
st=$(lint "$SIGMA"/rules*)
python3 - "$pb" "$pt" "$sb" "$st" <<'PY'
import sys
pb, pt, sb, st = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
print(f"panther: {pb / 1e6:.2f} MB in {pt:.3f} s, {pb / 1e6 / pt:.2f} MB/s")
print(f"sigma rules*: {sb / 1e6:.2f} MB in {st:.3f} s, {sb / 1e6 / st:.2f} MB/s")
print(f"ratio (sigma MB/s / panther MB/s): {(sb / st) / (pb / pt):.2f}x")
PY
