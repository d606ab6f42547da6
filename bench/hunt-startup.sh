#!/usr/bin/env bash
# Start-up of `detwiki hunt`: every rule of rules/ loaded and compiled, then one small EVTX
# file hunted, against `detwiki lint` of the same rules, in the same run. Runs alternate
# (hunt, lint, hunt, lint …); prints each side's best and median wall time, CPU time and peak
# RSS, and the median of the per-run ratios hunt/lint (target <= 2x, and hunt <= 0.2 s).
#   bench/hunt-startup.sh [--runs N] [--input FILE.evtx]
#   DETWIKI_BIN=path/to/detwiki bench/hunt-startup.sh      # use a given binary, no build
set -euo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
RULES=$SHARED/corpus/sigma/rules
INPUT=$SHARED/events/evtx-attack-samples/Execution/exec_sysmon_1_ftp.evtx
RUNS=11
while [ $# -gt 0 ]; do
    case $1 in
        --runs) RUNS=$2; shift 2 ;;
        --input) INPUT=$2; shift 2 ;;
        -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
        *) echo "hunt-startup: unknown option $1 (see --help)" >&2; exit 64 ;;
    esac
done
if [ ! -d "$RULES" ] || [ ! -f "$INPUT" ]; then
    echo "hunt-startup: need $RULES and $INPUT" >&2
    echo "  (the shared data is looked for in \${DETWIKI_SHARED:-\$ROOT/../shared} = $SHARED; set DETWIKI_SHARED)" >&2
    exit 2
fi
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || { echo "hunt-startup: --runs needs a positive integer" >&2; exit 64; }
SHARED=$(cd "$SHARED" && pwd); RULES=$SHARED/corpus/sigma/rules
[ -x /usr/bin/time ] || { echo "hunt-startup: GNU time is needed for CPU time and peak RSS (apt-get install time)" >&2; exit 2; }
if [ -z "${DETWIKI_BIN:-}" ]; then
    (cd "$ROOT" && cargo build --release -q -p detwiki) || { echo "hunt-startup: cargo build failed" >&2; exit 3; }
fi
BIN=${DETWIKI_BIN:-$ROOT/target/release/detwiki}
OUT=$ROOT/target/bench-out/hunt-startup
mkdir -p "$OUT"

# one NAME CMD... : runs CMD (stdout to a file), appends "wall cpu rss_mb" to $OUT/NAME.times
one() {
    local name=$1; shift
    local t0 t1
    t0=$EPOCHREALTIME
    /usr/bin/time -f '%U %S %M' -o "$OUT/$name.rusage" "$@" > "$OUT/$name.out" 2> "$OUT/$name.err" || true
    t1=$EPOCHREALTIME
    read -r u s m < <(tail -1 "$OUT/$name.rusage")
    awk -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" -v m="$m" \
        'BEGIN { printf "%.4f %.2f %.1f\n", b - a, u + s, m / 1024 }' >> "$OUT/$name.times"
}

# Warm the page cache (rules and binary) for both sides.
find "$RULES" -type f -name '*.yml' -exec cat {} + > /dev/null
cat "$BIN" "$INPUT" > /dev/null
rm -f "$OUT"/*.times
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
for _ in $(seq "$RUNS"); do
    one hunt "$BIN" hunt -q --format jsonl --corpus "sigma=$RULES" "$INPUT"
    one lint "$BIN" lint -q --format json "$RULES"
done
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)
HITS=$(wc -l < "$OUT/hunt.out")

echo "hunt-startup: $(find "$RULES" -name '*.yml' | wc -l) rule files of $RULES; input $(basename "$INPUT") ($(stat -c %s "$INPUT") bytes, $HITS hits)"
echo "  $(nproc) cores; load average $LOAD0 before, $LOAD1 after; $RUNS runs per side, alternating; $BIN"
paste "$OUT/hunt.times" "$OUT/lint.times" | awk -v target=2 '
    function median(a, n,   i, j, t) {
        for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return (n % 2) ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
    }
    { n++; hw[n] = $1; hc[n] = $2; hm[n] = $3; lw[n] = $4; lc[n] = $5; lm[n] = $6; r[n] = $1 / $4
      if (n == 1 || $1 < hb) hb = $1; if (n == 1 || $4 < lb) lb = $4 }
    END {
        printf "  hunt: wall best %.3f s, median %.3f s; cpu median %.2f s; peak RSS median %.0f MB\n", hb, median(hw, n), median(hc, n), median(hm, n)
        printf "  lint: wall best %.3f s, median %.3f s; cpu median %.2f s; peak RSS median %.0f MB\n", lb, median(lw, n), median(lc, n), median(lm, n)
        m = median(r, n)
        printf "  ratio hunt/lint: median of per-run ratios %.2fx, best/best %.2fx (target <= %gx: %s)\n", m, hb / lb, target, (m <= target) ? "met" : "NOT met"
    }'
