#!/usr/bin/env bash
# Benchmark: parse every Kusto query of the Microsoft Sentinel corpus snapshot
# (../shared/corpus/kusto, 1,061 rules) with detwiki-kusto and with Microsoft's own parser,
# Kusto.Language (npm @kusto/language-service-next, the C# parser compiled to JavaScript,
# syntax only), in one run, and print both times, throughputs and the ratio.
#
#   bench/kusto-parse.sh
#   KUSTO_NPM_VERSION=12.4.1 BENCH_KUSTO_NPM=/tmp/kusto-npm bench/kusto-parse.sh
#
# Both sides parse the same query texts, as YAML loads them (detwiki's loader reads the files
# and dumps the queries; reading YAML is not timed on either side); each side times 5 passes
# over all queries after reading them (node: after one warm-up pass) and reports the mean.
# - detwiki: `cargo build --release` of the example `kusto_parse_corpus` of detwiki-kusto;
# - Kusto.Language: `npm install` into ${BENCH_KUSTO_NPM:-target/bench-kusto-npm} (created
#   when missing, never committed), run by bench/kusto_parse.js.
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
CORPUS=$SHARED/corpus/kusto
OUT=$ROOT/target/bench-out/kusto-parse
NPM_DIR=${BENCH_KUSTO_NPM:-$ROOT/target/bench-kusto-npm}
VERSION=${KUSTO_NPM_VERSION:-12.4.1}

[ -d "$CORPUS" ] || { echo "missing $CORPUS (set DETWIKI_SHARED)" >&2; exit 2; }
command -v node >/dev/null || { echo "node is needed for the reference side" >&2; exit 2; }
mkdir -p "$OUT" "$NPM_DIR"

(cd "$ROOT" && cargo build --release -q -p detwiki-kusto --example kusto_parse_corpus) \
    || { echo "cargo build failed" >&2; exit 3; }
if [ ! -f "$NPM_DIR/node_modules/@kusto/language-service-next/Kusto.Language.Bridge.js" ]; then
    (cd "$NPM_DIR" && npm install --no-audit --no-fund "@kusto/language-service-next@$VERSION" >/dev/null)
fi

echo "load: $(cat /proc/loadavg)"
ours=$("$ROOT/target/release/examples/kusto_parse_corpus" "$CORPUS" --dump "$OUT/queries.jsonl")
theirs=$(node "$SCRIPT_DIR/kusto_parse.js" "$OUT/queries.jsonl" "$NPM_DIR/node_modules" 5)
echo "$ours"
echo "$theirs"
a=$(sed -E 's/.* ([0-9.]+) ms per pass.*/\1/' <<<"$ours")
b=$(sed -E 's/.* ([0-9.]+) ms per pass.*/\1/' <<<"$theirs")
python3 -c "print(f'ratio: Kusto.Language / detwiki = {float($b) / float($a):.1f}x')"
echo "load: $(cat /proc/loadavg)"
