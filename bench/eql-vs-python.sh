#!/usr/bin/env bash
# Benchmark: parse every EQL query of both Elastic repositories (detection-rules and
# protections-artifacts, ../shared/corpus/elastic) with detwiki-elastic and with the `eql`
# Python package (Elastic's reference implementation), one run each, and print both times
# and the ratio (target >= 50x).
#
#   bench/eql-vs-python.sh
#   EQL_VERSION=1.0.1 BENCH_EQL_VENV=/tmp/venv bench/eql-vs-python.sh
#
# Both sides read the TOML files first and time the query parsing alone:
# - detwiki: `cargo build --release` of the example `parse_corpus`, run with `--eql-time`
#   (collects the EQL query of every rule with detwiki's own loader, then times
#   `eql::parse` over them);
# - eql: a venv at ${BENCH_EQL_VENV:-target/bench-eql-venv} (created when missing, never
#   committed) with `eql==$EQL_VERSION` from PyPI, running bench/eql_parse.py (tomllib, then
#   `eql.parse_query` over the same queries; see its docstring for the parser switches).
# The queries `eql` rejects are listed (with and without its allow_runs / allow_sample /
# allow_negation switches) in target/bench-out/eql-vs-python/eql-rejects.tsv.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
CORPUS=$SHARED/corpus/elastic
OUT=$ROOT/target/bench-out/eql-vs-python
VENV=${BENCH_EQL_VENV:-$ROOT/target/bench-eql-venv}
EQL_VERSION=${EQL_VERSION:-1.0.1}

[ -d "$CORPUS" ] || { echo "missing $CORPUS (set DETWIKI_SHARED)" >&2; exit 2; }
python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
    || { echo "python3 >= 3.11 is needed (tomllib)" >&2; exit 2; }
mkdir -p "$OUT"

(cd "$ROOT" && cargo build --release -q -p detwiki-elastic --example parse_corpus) \
    || { echo "cargo build failed" >&2; exit 3; }
DETWIKI=$ROOT/target/release/examples/parse_corpus

if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
if [ "$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("eql"))' 2>/dev/null)" != "$EQL_VERSION" ]; then
    "$VENV/bin/pip" install -q "eql==$EQL_VERSION"
fi

# Read the files once so that both sides start with a warm page cache.
find "$CORPUS" -name '*.toml' -print0 | xargs -0 cat > /dev/null

echo "corpus: $CORPUS"
det=$("$DETWIKI" --eql-time "$CORPUS")
echo "detwiki: $det"
py=$("$VENV/bin/python" "$SCRIPT_DIR/eql_parse.py" "$OUT/eql-rejects.tsv" "$CORPUS")
echo "eql $EQL_VERSION: $py"

python3 - "$det" "$py" "$OUT/eql-rejects.tsv" <<'PY'
import json, re, sys
det, py, rejects = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3]
m = re.match(r"eql: (\d+) parsed, (\d+) failed of (\d+) queries in ([\d.]+) ms", det)
if not m:
    sys.exit(f"cannot read detwiki's line: {det!r}")
ok, failed, n, ms = int(m[1]), int(m[2]), int(m[3]), float(m[4])
py_ms = py["seconds"] * 1000
print(f"detwiki: {n} queries, {ok} parsed, {failed} failed, {ms:9.1f} ms ({n / ms * 1000:,.0f} queries/s)")
print(f"eql:     {py['queries']} queries, {py['parsed']} parsed, {py['rejected']} rejected, {py_ms:9.1f} ms "
      f"({py['queries'] / py['seconds']:,.0f} queries/s)")
print(f"ratio eql/detwiki: {py_ms / ms:.0f}x (target >= 50x)")
if n != py["queries"]:
    print(f"note: the two sides found different query counts ({n} vs {py['queries']})")
lines = [l.rstrip("\n").split("\t") for l in open(rejects, encoding="utf-8")]
for name in ("with-switches", "strict"):
    items = [l for l in lines if l[0] == name]
    label = "with allow_runs/allow_sample/allow_negation" if name == "with-switches" else "without those switches"
    print(f"eql rejects {len(items)} queries {label}" + (":" if items else ""))
    for _, path, kind, msg in items[:40]:
        print(f"  {path.split('corpus/elastic/')[-1]}: {kind}: {msg}")
    if len(items) > 40:
        print(f"  … {len(items) - 40} more in {rejects}")
PY
