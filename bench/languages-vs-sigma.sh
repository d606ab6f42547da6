#!/usr/bin/env bash
# Analysis and site build of Sigma (`rules*`) + Elastic (both repositories) against Sigma alone,
# in one run: the cost per rule of the mixed catalog must stay within 1.3x of Sigma alone's
# (issue 11, benchmark b).
#
#   bench/languages-vs-sigma.sh                  # release build, 3 runs each, median
#   bench/languages-vs-sigma.sh --runs 5
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
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
sigma="$SHARED/corpus/sigma"
elastic="$SHARED/corpus/elastic"
[ -d "$sigma" ] && [ -d "$elastic" ] || { echo "no corpora under $SHARED/corpus (set DETWIKI_SHARED)" >&2; exit 1; }
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
both_args=("${sigma_args[@]}" --corpus "elastic=$elastic")
out="${out:-$ROOT/target/bench-languages}"
mkdir -p "$ROOT/target"
trash="$out.old-$$"
mkdir -p "$trash"
trap 'rm -rf "$trash"' EXIT

now() { date +%s.%N; }
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# side NAME ARGS…: prints "analysis-seconds build-seconds rules"
side() {
  local name="$1"; shift
  local an=() bu=() i t0 t1
  for i in $(seq 1 "$runs"); do
    t0=$(now); "$bin" catalog --quiet "$@" >/dev/null; t1=$(now)
    an+=("$(echo "$t1 - $t0" | bc -l)")
    if [ -e "$out/$name" ]; then mv "$out/$name" "$trash/$name-$i"; fi
    sync
    t0=$(now); "$bin" build --format json "$@" --out "$out/$name" >"$ROOT/target/bench-languages-$name.json"; t1=$(now)
    bu+=("$(echo "$t1 - $t0" | bc -l)")
  done
  local rules
  rules=$(sed -n 's/.*"rules":\([0-9]*\).*/\1/p' "$ROOT/target/bench-languages-$name.json")
  echo "$(printf '%s\n' "${an[@]}" | median) $(printf '%s\n' "${bu[@]}" | median) $rules ${an[*]} | ${bu[*]}" >&2
  echo "$(printf '%s\n' "${an[@]}" | median) $(printf '%s\n' "${bu[@]}" | median) $rules"
}

mkdir -p "$out"
read -r sa sb sr < <(side sigma "${sigma_args[@]}")
read -r ba bb br < <(side both "${both_args[@]}")
per() { echo "$1 * 1000000 / $2" | bc -l; }
printf 'sigma alone:     %s rules; analysis %.2fs (%.1f us/rule), build %.2fs (%.1f us/rule)\n' \
  "$sr" "$sa" "$(per "$sa" "$sr")" "$sb" "$(per "$sb" "$sr")"
printf 'sigma + elastic: %s rules; analysis %.2fs (%.1f us/rule), build %.2fs (%.1f us/rule)\n' \
  "$br" "$ba" "$(per "$ba" "$br")" "$bb" "$(per "$bb" "$br")"
printf 'cost per rule, mixed / sigma alone: analysis %.2fx, build %.2fx  (target <= 1.3x)\n' \
  "$(echo "($ba / $br) / ($sa / $sr)" | bc -l)" "$(echo "($bb / $br) / ($sb / $sr)" | bc -l)"
