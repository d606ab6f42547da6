#!/usr/bin/env bash
# The full wiki build of every SigmaHQ rules* folder vs the catalog analysis alone, in one run.
#
#   bench/build-vs-analysis.sh             # release build, 3 runs each, median
#   bench/build-vs-analysis.sh --runs 5
#   bench/build-vs-analysis.sh --out /dev/shm/detwiki-bench   # write to tmpfs (no disk I/O)
#   DETWIKI_BIN=path/to/detwiki bench/build-vs-analysis.sh   # skip the cargo build
#
# Each build starts with no output folder (the previous run's is moved aside outside the timing and
# deleted after the last run), so the time is render + write, not the deletion of an old site.
# Deleting the old site right before a build would also slow the build's file creation: ext4's
# inode allocator skips inodes freed in the last seconds (`recently_deleted`), and with 14,000
# freshly freed inodes that search took up to 10 s of kernel time here.
#
# Analysis = `detwiki catalog --quiet` (load, parse, analyse, index, print the catalog JSON to
# /dev/null). Build = `detwiki build --format json` (the same analysis, then every page, JSON
# file, search index and layer written to a temporary folder and swapped in).
# Targets (issue 4): build <= 2x analysis; every rule page < 60 KB of HTML.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${DETWIKI_SHARED:-$ROOT/../shared}"
runs=3
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
sigma="$SHARED/corpus/sigma"
[ -d "$sigma" ] || { echo "no SigmaHQ corpus at $sigma (set DETWIKI_SHARED)" >&2; exit 1; }
bin="${DETWIKI_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$ROOT" && cargo build --release -q -p detwiki)
  bin="$ROOT/target/release/detwiki"
fi
args=()
for d in "$sigma"/rules*; do
  # A folder with no rule file is a usage error for detwiki (the snapshot's rules-dfir holds a README only).
  [ -d "$d" ] && [ -n "$(find "$d" \( -name '*.yml' -o -name '*.yaml' \) -print -quit)" ] || continue
  args+=(--corpus "$(basename "$d")=$d")
done
out="${out:-$ROOT/target/bench-site}"
mkdir -p "$ROOT/target"

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

trash="$out.old-$$"
mkdir -p "$trash"
trap 'rm -rf "$trash"' EXIT
analysis=(); alone=(); build=()
for i in $(seq 1 "$runs"); do
  # The analysis alone: the whole catalog computed, one rule printed.
  t0=$(now); "$bin" rule a54f842a-3713-4b45-8c84-5f136fdebd3c --quiet "${args[@]}" >/dev/null; t1=$(now)
  alone+=("$(echo "$t1 - $t0" | bc -l)")
  # The analysis written out as the catalog JSON (41 MB), for comparison.
  t0=$(now); "$bin" catalog --quiet "${args[@]}" >/dev/null; t1=$(now)
  analysis+=("$(echo "$t1 - $t0" | bc -l)")
  if [ -e "$out" ]; then mv "$out" "$trash/$i"; fi
  sync
  t0=$(now); "$bin" build --format json "${args[@]}" --out "$out" >"$ROOT/target/bench-build.json"; t1=$(now)
  build+=("$(echo "$t1 - $t0" | bc -l)")
done
a=$(printf '%s\n' "${analysis[@]}" | median)
o=$(printf '%s\n' "${alone[@]}" | median)
b=$(printf '%s\n' "${build[@]}" | median)
summary="$(cat "$ROOT/target/bench-build.json")"
field() { echo "$summary" | sed -n "s/.*\"$1\":\([0-9.]*\).*/\1/p"; }
# Rule pages: rules/<corpus>/<slug>/index.html, not the rules list's pages rules/page/<n>/index.html.
rule_page_files() { find "$out/rules" -mindepth 3 -name index.html -not -regex '.*/rules/page_*/[0-9]+/index.html' "$@"; }
rule_pages=$(rule_page_files | wc -l)
over=$(rule_page_files -size +60k | wc -l)
sizes=$(rule_page_files -printf '%s\n' | sort -n)
pct() { echo "$sizes" | awk -v p="$1" '{a[NR]=$1} END {i=int(NR*p/100); if (i<1) i=1; print a[i]}'; }

printf 'corpora:            %s\n' "$(printf '%s ' "${args[@]}" | sed 's/--corpus //g; s/=[^ ]*//g')"
printf 'rules:              %s\n' "$(field rules)"
printf 'analysis alone (rule): %.2fs  (runs: %s)\n' "$o" "${alone[*]}"
printf 'analysis + catalog JSON: %.2fs  (runs: %s)\n' "$a" "${analysis[*]}"
printf 'build (whole site): %.2fs  (runs: %s)\n' "$b" "${build[*]}"
printf 'ratio build/analysis: %.2fx  (target <= 2x)\n' "$(echo "$b / $o" | bc -l)"
printf 'ratio build/(analysis + catalog JSON): %.2fx\n' "$(echo "$b / $a" | bc -l)"
printf 'pages: %s HTML, files: %s, total bytes: %s (%.1f MB)\n' "$(field pages)" "$(field files)" "$(field bytes)" "$(echo "$(field bytes) / 1000000" | bc -l)"
printf 'rule pages: %s; median %s B, p95 %s B, p99 %s B, largest %s B; over 60 KB: %s\n' \
  "$rule_pages" "$(pct 50)" "$(pct 95)" "$(pct 99)" "$(field largest_rule_page_bytes)" "$over"
if [ "$over" -gt 0 ]; then
  echo "rule pages over 60 KB (their YAML bodies alone are that long):"
  rule_page_files -size +60k -printf '  %s B  %p\n' | sort -rn | head -10 | sed "s#$out/##"
fi
