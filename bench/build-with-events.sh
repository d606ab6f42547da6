#!/usr/bin/env bash
# `detwiki build --events` (the wiki with every rule run over the sample logs) against `build`
# plus `hunt` run separately, in one run: SigmaHQ's rules* folders, all the evtx-attack-samples.
#
#   bench/build-with-events.sh              # release build, 5 interleaved runs, medians
#   bench/build-with-events.sh --runs 7
#   bench/build-with-events.sh --out /dev/shm/detwiki-bench   # write the sites to tmpfs
#   DETWIKI_BIN=path/to/detwiki bench/build-with-events.sh    # skip the cargo build
#
# Each run times, one after the other (interleaved, so load from other jobs falls on all three
# alike): `build` alone, `hunt --format jsonl` alone (to /dev/null), `build --events`. Each build
# starts with no output folder (the previous one is moved aside outside the timing, deleted at the
# end: see build-vs-analysis.sh for why). Wall time and CPU time (user + sys) are reported, medians
# over the runs, with the load average before and after.
# Target (issue 14): build --events <= (build + hunt) * 1.10.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SHARED="${DETWIKI_SHARED:-$ROOT/../shared}"
runs=5
out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
sigma="$SHARED/corpus/sigma"
events="$SHARED/events/evtx-attack-samples"
[ -d "$sigma" ] || { echo "no SigmaHQ corpus at $sigma: ../shared is missing (set DETWIKI_SHARED)" >&2; exit 1; }
[ -d "$events" ] || { echo "no samples at $events: ../shared is missing (set DETWIKI_SHARED)" >&2; exit 1; }
bin="${DETWIKI_BIN:-}"
if [ -z "$bin" ]; then
  (cd "$ROOT" && cargo build --release -q -p detwiki)
  bin="$ROOT/target/release/detwiki"
fi
args=()
for d in "$sigma"/rules*; do
  [ -d "$d" ] && [ -n "$(find "$d" \( -name '*.yml' -o -name '*.yaml' \) -print -quit)" ] || continue
  args+=(--corpus "$(basename "$d")=$d")
done
out="${out:-$ROOT/target/bench-site-events}"
mkdir -p "$ROOT/target"
trash="$out.old-$$"
mkdir -p "$trash"
trap 'rm -rf "$trash"' EXIT

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
# Run a command; print "wall cpu" in seconds (GNU time).
timed() {
  # A file per call: the caller reads the first line while this still runs.
  local f; f="$(mktemp "$ROOT/target/bench-time.XXXXXX")"
  /usr/bin/time -f '%e %U %S' -o "$f" "$@" >/dev/null 2>"$ROOT/target/bench-stderr.$$" || {
    local rc=$?
    # hunt exits 1 when it finds hits: that is a success here.
    if [ "$1" = "$bin" ] && [ "$2" = hunt ] && [ "$rc" = 1 ]; then :; else cat "$ROOT/target/bench-stderr.$$" >&2; exit "$rc"; fi
  }
  # The last line: GNU time writes "Command exited with non-zero status 1" first for hunt's hits.
  tail -n 1 "$f" | awk '{printf "%s %.3f\n", $1, $2 + $3}'
  rm -f "$f"
}
fresh() { if [ -e "$out" ]; then mv "$out" "$trash/$RANDOM$RANDOM"; fi; sync; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bw=(); bc_=(); hw=(); hc=(); ew=(); ec=()
for i in $(seq 1 "$runs"); do
  fresh; read -r w c < <(timed "$bin" build --quiet "${args[@]}" --out "$out"); bw+=("$w"); bc_+=("$c")
  read -r w c < <(timed "$bin" hunt --quiet --format jsonl "${args[@]}" "$events"); hw+=("$w"); hc+=("$c")
  fresh; read -r w c < <(timed "$bin" build --quiet "${args[@]}" --events "$events" --out "$out"); ew+=("$w"); ec+=("$c")
  printf 'run %d: build %ss, hunt %ss, build --events %ss (load %s)\n' "$i" "${bw[-1]}" "${hw[-1]}" "${ew[-1]}" "$(cut -d' ' -f1 /proc/loadavg)"
done
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
m() { printf '%s\n' "$@" | median; }
b=$(m "${bw[@]}"); h=$(m "${hw[@]}"); e=$(m "${ew[@]}")
bcpu=$(m "${bc_[@]}"); hcpu=$(m "${hc[@]}"); ecpu=$(m "${ec[@]}")
hits=$(jq '.hits' "$out/samples/index.json"); files=$(jq '.files | length' "$out/samples/index.json")
sum=$(echo "$b + $h" | bc -l); sumc=$(echo "$bcpu + $hcpu" | bc -l)
printf '\ncorpora: %s; events: %s files, %s hits\n' "$(printf '%s ' "${args[@]}" | sed 's/--corpus //g; s/=[^ ]*//g')" "$files" "$hits"
printf 'load average: before %s, after %s (%s cores)\n' "$load_before" "$load_after" "$(nproc)"
printf 'median wall: build %.2fs + hunt %.2fs = %.2fs; build --events %.2fs: %.3fx of the sum\n' "$b" "$h" "$sum" "$e" "$(echo "$e / $sum" | bc -l)"
printf 'median CPU:  build %.2fs + hunt %.2fs = %.2fs; build --events %.2fs: %.3fx of the sum\n' "$bcpu" "$hcpu" "$sumc" "$ecpu" "$(echo "$ecpu / $sumc" | bc -l)"
ok=$(echo "$e <= $sum * 1.10" | bc -l)
if [ "$ok" = 1 ]; then echo "target (<= sum + 10%): met"; else echo "target (<= sum + 10%): NOT met"; fi
rm -f "$ROOT/target/bench-stderr.$$"
