#!/usr/bin/env bash
# Analysis and site build of Sigma (`rules*`) + every other rule language of the shared corpora
# against Sigma alone, in one run: the cost per rule of the mixed catalog must stay within 1.3x
# of Sigma alone's (issues 11, 12, 13). It prints the cost per KB of rule text too (an Elastic
# rule file holds 2-3x the text of a Sigma rule, so cost per rule compares rules of different
# sizes), and the peak memory (max RSS) of each side.
#
#   bench/languages-vs-sigma.sh                  # release build, 3 runs each, median; all languages
#   bench/languages-vs-sigma.sh --runs 5
#   bench/languages-vs-sigma.sh --languages elastic,splunk,kusto   # Sigma + these
#   bench/languages-vs-sigma.sh --out /dev/shm/detwiki-bench   # write the sites to tmpfs
#   DETWIKI_BIN=path/to/detwiki bench/languages-vs-sigma.sh    # skip the cargo build
#
# Analysis = `detwiki catalog --quiet` (load, parse, analyse, index, the catalog JSON to
# /dev/null). Build = `detwiki build --format json` (the same analysis, then every page written).
# Rules = the rules in each catalog (from the build summary). Each build starts with no output
# folder (the previous one is moved aside outside the timing, as build-vs-analysis.sh does).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${DETWIKI_SHARED:-$ROOT/../shared}"
runs=3
out=""
languages="elastic,splunk,kusto,panther,sublime,chronicle"
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --languages) languages="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
sigma="$SHARED/corpus/sigma"
[ -d "$sigma" ] || { echo "no corpora under $SHARED/corpus (set DETWIKI_SHARED)" >&2; exit 1; }
# Each language's corpus as the shared snapshot lays it out (Splunk and Panther with the
# macros, data sources and helpers their rules read).
corpus_of() {
  case "$1" in
    elastic) echo "$SHARED/corpus/elastic" ;;
    splunk) echo "$SHARED/corpus/splunk" ;;
    kusto) echo "$SHARED/corpus/kusto" ;;
    panther) echo "$SHARED/corpus/panther" ;;
    sublime) echo "$SHARED/corpus/sublime/detection-rules" ;;
    chronicle) echo "$SHARED/corpus/chronicle/rules" ;;
    *) echo "unknown language $1" >&2; exit 2 ;;
  esac
}
other_args=()
other_dirs=()
for l in ${languages//,/ }; do
  d=$(corpus_of "$l")
  [ -d "$d" ] || { echo "no $l corpus at $d (set DETWIKI_SHARED)" >&2; exit 1; }
  other_args+=(--corpus "$l=$d")
  other_dirs+=("$d")
done
bin="${DETWIKI_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$ROOT" && cargo build --release -q -p detwiki)
  bin="$ROOT/target/release/detwiki"
fi
sigma_args=()
for d in "$sigma"/rules*; do
  # Only folders with rules (SigmaHQ's rules-dfir holds a README alone).
  [ -d "$d" ] && [ -n "$(find "$d" -name '*.yml' -print -quit)" ] && sigma_args+=(--corpus "$(basename "$d")=$d")
done
both_args=("${sigma_args[@]}" "${other_args[@]}")
out="${out:-$ROOT/target/bench-languages}"
mkdir -p "$ROOT/target"
trash="$out.old-$$"
mkdir -p "$trash"
trap 'rm -rf "$trash"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# timed FILE CMD…: runs CMD, appends "wall cpu maxrss_kb" (seconds; cpu = user + system) to FILE.
# CPU time is the steadier figure on a shared machine: wall time waits for other jobs.
timed() {
  local f="$1"; shift
  local tf; tf=$(mktemp)
  /usr/bin/time -f "%e %U %S %M" -o "$tf" "$@"
  awk '{printf "%s %.3f %s\n", $1, $2 + $3, $4}' "$tf" >>"$f"
  rm -f "$tf"
}

# one NAME ARGS…: one analysis and one build of a side, timed into $ROOT/target/bench-languages-NAME.{an,bu}
one() {
  local name="$1" i="$2"; shift 2
  timed "$ROOT/target/bench-languages-$name.an" "$bin" catalog --quiet "$@" >/dev/null
  if [ -e "$out/$name" ]; then mv "$out/$name" "$trash/$name-$i"; fi
  sync
  timed "$ROOT/target/bench-languages-$name.bu" "$bin" build --format json "$@" --out "$out/$name" >"$ROOT/target/bench-languages-$name.json"
}

# col FILE N: the median of column N
col() { awk -v n="$2" '{print $n}' "$1" | median; }

mkdir -p "$out"
rm -f "$ROOT"/target/bench-languages-{sigma,both}.{an,bu}
# The sides interleaved, so that both see the same load.
for i in $(seq 1 "$runs"); do
  one sigma "$i" "${sigma_args[@]}"
  one both "$i" "${both_args[@]}"
done
sr=$(sed -n 's/.*"rules":\([0-9]*\).*/\1/p' "$ROOT/target/bench-languages-sigma.json")
br=$(sed -n 's/.*"rules":\([0-9]*\).*/\1/p' "$ROOT/target/bench-languages-both.json")
for n in sigma both; do
  for k in an bu; do echo "$n $k (wall cpu): $(tr '\n' ' ' <"$ROOT/target/bench-languages-$n.$k")" >&2; done
done
sa=$(col "$ROOT/target/bench-languages-sigma.an" 1); sb=$(col "$ROOT/target/bench-languages-sigma.bu" 1)
ba=$(col "$ROOT/target/bench-languages-both.an" 1); bb=$(col "$ROOT/target/bench-languages-both.bu" 1)
sac=$(col "$ROOT/target/bench-languages-sigma.an" 2); sbc=$(col "$ROOT/target/bench-languages-sigma.bu" 2)
bac=$(col "$ROOT/target/bench-languages-both.an" 2); bbc=$(col "$ROOT/target/bench-languages-both.bu" 2)
per() { echo "$1 * 1000000 / $2" | bc -l; }
# Bytes of rule text on each side: Elastic rules carry 2-3x the text of a Sigma rule
# (investigation guides, long value lists), and every phase's work grows with the text.
bytes_of() { find "$@" -type f \( -name '*.yml' -o -name '*.yaml' -o -name '*.toml' -o -name '*.py' -o -name '*.yaral' \) -print0 | du -cb --apparent-size --files0-from=- | tail -1 | cut -f1; }
sigma_dirs=()
for d in "$sigma"/rules*; do [ -d "$d" ] && sigma_dirs+=("$d"); done
sbytes=$(bytes_of "${sigma_dirs[@]}")
bbytes=$(bytes_of "${sigma_dirs[@]}" "${other_dirs[@]}")
printf 'sigma alone:     %s rules; analysis %.2fs (%.1f us/rule), build %.2fs (%.1f us/rule)\n' \
  "$sr" "$sa" "$(per "$sa" "$sr")" "$sb" "$(per "$sb" "$sr")"
printf 'sigma + %s: %s rules; analysis %.2fs (%.1f us/rule), build %.2fs (%.1f us/rule)\n' \
  "$languages" "$br" "$ba" "$(per "$ba" "$br")" "$bb" "$(per "$bb" "$br")"
printf 'cost per rule, mixed / sigma alone: analysis %.2fx, build %.2fx  (target <= 1.3x)\n' \
  "$(echo "($ba / $br) / ($sa / $sr)" | bc -l)" "$(echo "($bb / $br) / ($sb / $sr)" | bc -l)"
printf 'CPU (user + system) per rule, mixed / sigma alone: analysis %.2fx (%.2fs vs %.2fs), build %.2fx (%.2fs vs %.2fs)\n' \
  "$(echo "($bac / $br) / ($sac / $sr)" | bc -l)" "$bac" "$sac" "$(echo "($bbc / $br) / ($sbc / $sr)" | bc -l)" "$bbc" "$sbc"
printf 'rule text: sigma alone %.1f MB (%.2f KB/rule), mixed %.1f MB (%.2f KB/rule)\n' \
  "$(echo "$sbytes / 1000000" | bc -l)" "$(echo "$sbytes / 1000 / $sr" | bc -l)" \
  "$(echo "$bbytes / 1000000" | bc -l)" "$(echo "$bbytes / 1000 / $br" | bc -l)"
printf 'cost per KB of rule text, mixed / sigma alone: analysis %.2fx, build %.2fx\n' \
  "$(echo "($ba / $bbytes) / ($sa / $sbytes)" | bc -l)" "$(echo "($bb / $bbytes) / ($sb / $sbytes)" | bc -l)"
printf 'peak memory (max RSS, median): analysis %d MB vs %d MB, build %d MB vs %d MB (mixed vs sigma alone)\n' \
  "$(( $(col "$ROOT/target/bench-languages-both.an" 3) / 1024 ))" "$(( $(col "$ROOT/target/bench-languages-sigma.an" 3) / 1024 ))" \
  "$(( $(col "$ROOT/target/bench-languages-both.bu" 3) / 1024 ))" "$(( $(col "$ROOT/target/bench-languages-sigma.bu" 3) / 1024 ))"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
