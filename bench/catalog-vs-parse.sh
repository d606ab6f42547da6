#!/usr/bin/env bash
# The whole catalog analysis (every rules* folder as its own corpus, corpus counts, indexes,
# duplicates, neighbors) against the lint-only parse of the same files, in one run: the analysis
# alone (`detwiki rule`: everything computed, one rule printed) and with the whole catalog
# written as JSON (`detwiki catalog`).
# Prints best and median wall time of N runs per side, peak memory, and the ratio.
# Targets (issue 3): analysis <= 2x parse, < 1.5 s wall, < 500 MB peak (release build).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
BIN=${DETWIKI_BIN:-$ROOT/target/release/detwiki}
RUNS=${RUNS:-5}
CORPUS=$SHARED/corpus/sigma
if [[ ! -d $CORPUS ]]; then
    echo "catalog-vs-parse: SigmaHQ corpus not found at $CORPUS (set DETWIKI_SHARED)" >&2
    exit 2
fi
if [[ -z ${DETWIKI_BIN:-} ]]; then
    (cd "$ROOT" && cargo build --release -q -p detwiki) || { echo "catalog-vs-parse: cargo build failed" >&2; exit 3; }
fi
mapfile -t DIRS < <(find "$CORPUS" -mindepth 1 -maxdepth 1 -type d -name 'rules*' | LC_ALL=C sort)
CORPORA=()
for d in "${DIRS[@]}"; do CORPORA+=(--corpus "$(basename "$d")=$d"); done
OUT=$ROOT/target/bench-out/catalog-vs-parse
mkdir -p "$OUT"
TIME=$(command -v /usr/bin/time || true)

# run NAME CMD... : one timed run; appends "seconds peak_kb" to $OUT/NAME.times
run() {
    # Wall time from bash's microsecond clock (GNU time's %e rounds to 10 ms, a tenth
    # of the parse side); peak RSS from GNU time when it is installed.
    local name=$1; shift
    local start end rss=0
    start=$EPOCHREALTIME
    if [[ -n $TIME ]]; then
        "$TIME" -f "%M" -o "$OUT/$name.rss" "$@" >"$OUT/$name.out" 2>/dev/null || true
        rss=$(tail -1 "$OUT/$name.rss")
    else
        "$@" >"$OUT/$name.out" 2>/dev/null || true
    fi
    end=$EPOCHREALTIME
    echo "$(echo "$end - $start" | bc) $rss" >>"$OUT/$name.times"
}

rm -f "$OUT"/*.times
for _ in $(seq "$RUNS"); do
    run parse "$BIN" lint --quiet --format json "${DIRS[@]}"
    run analysis "$BIN" catalog --quiet "${CORPORA[@]}"
    # The whole analysis (every count, index, duplicate and neighbor) with one rule printed:
    # the analysis alone, without writing the 41 MB catalog JSON.
    run analysis-only "$BIN" rule a54f842a-3713-4b45-8c84-5f136fdebd3c --quiet "${CORPORA[@]}"
done

stats() { # prints "best median peak_mb"
    sort -n "$OUT/$1.times" | awk '{t[NR]=$1; if ($2>m) m=$2} END {printf "%.3f %.3f %.0f\n", t[1], t[int((NR+1)/2)], m/1024}'
}
read -r pb pm pmem < <(stats parse)
read -r ab am amem < <(stats analysis)
read -r ob om omem < <(stats analysis-only)
rules=$(grep -o '"rules":[0-9]*' "$OUT/parse.out" | tail -1 | cut -d: -f2)
bytes=$(wc -c <"$OUT/analysis.out")
echo "corpus: ${#DIRS[@]} rules* folders, ${rules:-?} rules; $RUNS runs per side on $(nproc) cores"
printf '%-34s best %6.3f s  median %6.3f s  peak %5s MB\n' "parse (detwiki lint)" "$pb" "$pm" "$pmem"
printf '%-34s best %6.3f s  median %6.3f s  peak %5s MB\n' "analysis (detwiki rule)" "$ob" "$om" "$omem"
printf '%-34s best %6.3f s  median %6.3f s  peak %5s MB  (%s bytes of JSON)\n' "analysis + JSON (detwiki catalog)" "$ab" "$am" "$amem" "$bytes"
awk -v a="$om" -v p="$pm" 'BEGIN {printf "ratio analysis/parse (median): %.2fx  (target <= 2x; analysis < 1.5 s, < 500 MB)\n", a/p}'
awk -v a="$am" -v p="$pm" 'BEGIN {printf "ratio analysis+JSON/parse (median): %.2fx  (the whole catalog written out as JSON as well)\n", a/p}'
