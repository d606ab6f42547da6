#!/usr/bin/env bash
# Side-by-side: load the whole SigmaHQ corpus with detwiki (`detwiki lint`) and with pySigma
# (`SigmaCollection.load_ruleset(..., collect_errors=True)`) in one run; print both wall times
# (best and median of N runs), what each side loaded, and the ratio pySigma/detwiki.
# See bench/README.md for what is measured and the caveats.
set -euo pipefail

usage() {
    cat <<'EOF'
usage: bench/lint-vs-pysigma.sh [options]

  --runs N          timed runs per side (default 3); the two sides alternate run by run
  --pysigma-only    measure pySigma only (no cargo build)
  --detwiki-only    measure detwiki only (no venv needed)
  --no-build        do not run cargo; use $DETWIKI_BIN or target/release/detwiki as it is
  --conditions      pySigma side also parses every rule condition (load_ruleset does not);
                    timed inside the same process, reported separately
  --show-errors N   print the first N pySigma errors (and detwiki stderr lines) per side
  --target X        ratio the claim needs (default 50)
  -h, --help        this text

environment:
  DETWIKI_SHARED    shared dir holding corpus/sigma (default: $ROOT/../shared)
  BENCH_VENV        venv for pySigma (default: $ROOT/target/bench-venv; created if absent)
  PYSIGMA_VERSION   pySigma version pinned in the venv (default 2.0.1; needs Python >= 3.11)
  PYTHON            interpreter used to create the venv (default: first of python3,
                    python3.13, python3.12, python3.11 that is >= 3.11)
  DETWIKI_BIN       detwiki binary (default: $ROOT/target/release/detwiki); setting it
                    skips the cargo build
EOF
}

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$SCRIPT_DIR/.." && pwd)
SHARED=${DETWIKI_SHARED:-$ROOT/../shared}
VENV=${BENCH_VENV:-$ROOT/target/bench-venv}
PYSIGMA_PIN=${PYSIGMA_VERSION:-2.0.1}
BIN=${DETWIKI_BIN:-$ROOT/target/release/detwiki}

RUNS=3
DO_PY=1
DO_DW=1
BUILD=1
CONDITIONS=0
SHOW_ERRORS=0
TARGET=50

die() { echo "lint-vs-pysigma: $*" >&2; exit 2; }

while [[ $# -gt 0 ]]; do
    case $1 in
        --runs) [[ ${2:-} =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive integer"; RUNS=$2; shift 2 ;;
        --runs=*) RUNS=${1#--runs=}; [[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "--runs needs a positive integer"; shift ;;
        --pysigma-only) DO_DW=0; shift ;;
        --detwiki-only) DO_PY=0; shift ;;
        --no-build) BUILD=0; shift ;;
        --conditions) CONDITIONS=1; shift ;;
        --show-errors) [[ ${2:-} =~ ^[0-9]+$ ]] || die "--show-errors needs a number"; SHOW_ERRORS=$2; shift 2 ;;
        --target) [[ ${2:-} =~ ^[0-9]+([.][0-9]+)?$ ]] || die "--target needs a number"; TARGET=$2; shift 2 ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; exit 64 ;;
    esac
done
[[ $DO_PY == 1 || $DO_DW == 1 ]] || die "--pysigma-only and --detwiki-only exclude each other"

# --- corpus ---------------------------------------------------------------------------------
SHARED=$(cd "$SHARED" 2>/dev/null && pwd || printf '%s' "$SHARED")
CORPUS=$SHARED/corpus/sigma
if [[ ! -d $CORPUS ]]; then
    die "SigmaHQ corpus not found at $CORPUS
  (looked in \${DETWIKI_SHARED:-\$ROOT/../shared} = $SHARED; set DETWIKI_SHARED to the dir holding corpus/sigma)"
fi
mapfile -t DIRS < <(find "$CORPUS" -mindepth 1 -maxdepth 1 -type d -name 'rules*' | LC_ALL=C sort)
[[ ${#DIRS[@]} -gt 0 ]] || die "no rules* directories under $CORPUS"
NFILES=$(find "${DIRS[@]}" -type f -name '*.yml' | wc -l)

OUT=$ROOT/target/bench-out/lint-vs-pysigma
mkdir -p "$OUT"

# --- tools ----------------------------------------------------------------------------------
HAVE_GNU_TIME=0
if [[ -x /usr/bin/time ]] && /usr/bin/time -v -o /dev/null true >/dev/null 2>&1; then
    HAVE_GNU_TIME=1
fi

# Any Python 3 will do for summarising outputs; the venv one is preferred once it exists.
SUMMARY_PY=""
for c in "$VENV/bin/python" python3 /usr/bin/python3; do
    if command -v "$c" >/dev/null 2>&1; then SUMMARY_PY=$c; break; fi
done
[[ -n $SUMMARY_PY ]] || die "no python3 found (needed to read the JSON outputs)"

py_ok() { # interpreter is >= 3.11
    "$1" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' >/dev/null 2>&1
}

setup_venv() {
    if [[ ! -x $VENV/bin/python ]]; then
        local py=""
        for c in ${PYTHON:-} python3 python3.13 python3.12 python3.11; do
            if command -v "$c" >/dev/null 2>&1 && py_ok "$c"; then py=$c; break; fi
        done
        [[ -n $py ]] || die "pySigma $PYSIGMA_PIN needs Python >= 3.11 and none was found (set PYTHON=/path/to/python3.11+)"
        echo "== creating venv $VENV with $py ($("$py" -c 'import sys; print(sys.version.split()[0])'))"
        mkdir -p "$(dirname "$VENV")"
        "$py" -m venv "$VENV" || die "python -m venv failed (on Debian: apt-get install python3-venv)"
    fi
    py_ok "$VENV/bin/python" || die "venv $VENV has Python < 3.11; remove it or set BENCH_VENV"
    local have
    have=$("$VENV/bin/python" -c 'import importlib.metadata as m; print(m.version("pysigma"))' 2>/dev/null || true)
    if [[ $have != "$PYSIGMA_PIN" ]]; then
        echo "== pip install pysigma==$PYSIGMA_PIN into $VENV${have:+ (had $have)}"
        "$VENV/bin/python" -m pip install --disable-pip-version-check -q "pysigma==$PYSIGMA_PIN" \
            || die "pip install pysigma==$PYSIGMA_PIN failed (is PyPI reachable?)"
    fi
    SUMMARY_PY=$VENV/bin/python
}

build_detwiki() {
    if [[ $BUILD == 1 && -z ${DETWIKI_BIN:-} ]]; then
        echo "== cargo build --release -p detwiki"
        if ! (cd "$ROOT" && cargo build --release -p detwiki); then
            cat >&2 <<EOF

lint-vs-pysigma: 'cargo build --release -p detwiki' FAILED (see the cargo output above).
  The detwiki side cannot be measured without the binary. Either fix the build, or
    bench/lint-vs-pysigma.sh --pysigma-only          # measure the peer alone
    DETWIKI_BIN=/path/to/detwiki bench/lint-vs-pysigma.sh --no-build
EOF
            exit 3
        fi
    fi
    [[ -x $BIN ]] || die "detwiki binary not found or not executable: $BIN
  (build it with 'cargo build --release -p detwiki', or use --pysigma-only)"
}

# --- timing ---------------------------------------------------------------------------------
# run_timed OUT ERR CMD...  -> T_WALL T_CPU (user+sys, s) T_RSS (MiB or n/a) T_RC
run_timed() {
    local out=$1 err=$2
    shift 2
    local tf=$OUT/time.txt rf=$OUT/rusage.txt
    local -a wrap=()
    [[ $HAVE_GNU_TIME == 1 ]] && wrap=(/usr/bin/time -v -o "$rf")
    local TIMEFORMAT='%3R %3U %3S'
    set +e
    { time "${wrap[@]}" "$@" >"$out" 2>"$err"; } 2>"$tf"
    T_RC=$?
    set -e
    local real user sys
    read -r real user sys <"$tf"
    T_WALL=$real
    T_CPU=$(awk -v u="$user" -v s="$sys" 'BEGIN { printf "%.3f", u + s }')
    T_RSS=n/a
    if [[ $HAVE_GNU_TIME == 1 && -s $rf ]]; then
        T_RSS=$(awk -F: '/Maximum resident set size/ { printf "%.1f MiB", $2 / 1024 }' "$rf")
        [[ -n $T_RSS ]] || T_RSS=n/a
    fi
}

# best_median V... -> "best median"
best_median() {
    printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END {
        m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
        printf "%.3f %.3f\n", a[1], m }'
}

# --- the two sides --------------------------------------------------------------------------
PY_WALL=() PY_CPU=() PY_LOAD=() PY_RSS=() PY_FAIL=0 PY_JSON=""
DW_WALL=() DW_CPU=() DW_RSS=() DW_FAIL=0 DW_RC=""

run_pysigma() {
    local i=$1 out=$OUT/pysigma.$1.json err=$OUT/pysigma.$1.err
    local -a extra=(--show-errors "$SHOW_ERRORS")
    [[ $CONDITIONS == 1 ]] && extra+=(--conditions)
    run_timed "$out" "$err" "$VENV/bin/python" "$SCRIPT_DIR/pysigma_load.py" "${extra[@]}" "${DIRS[@]}"
    if [[ $T_RC != 0 ]]; then
        PY_FAIL=1
        echo "   pySigma run $i: exit $T_RC after ${T_WALL}s" >&2
        if [[ -s $out ]]; then
            "$SUMMARY_PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print("   pySigma aborted the load:", d.get("fatal"), "\n   while loading:", d.get("fatal_file"))' "$out" >&2 || true
        fi
        tail -n 20 "$err" | sed 's/^/   | /' >&2
        return
    fi
    [[ $SHOW_ERRORS -gt 0 && -s $err ]] && sed 's/^/   | /' "$err" | head -n "$((SHOW_ERRORS * 2))"
    local load
    load=$("$SUMMARY_PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["load_seconds"] + (d["conditions_seconds"] or 0))' "$out")
    PY_WALL+=("$T_WALL") PY_CPU+=("$T_CPU") PY_LOAD+=("$load") PY_RSS+=("$T_RSS")
    PY_JSON=$out
    printf '   pySigma run %d: wall %7.3f s  (in-process load %.3f s)  cpu %7.3f s  peak RSS %s\n' \
        "$i" "$T_WALL" "$load" "$T_CPU" "$T_RSS"
}

run_detwiki() {
    local i=$1 out=$OUT/detwiki.$1.jsonl err=$OUT/detwiki.$1.err
    run_timed "$out" "$err" "$BIN" lint --quiet --format json "${DIRS[@]}"
    DW_RC=$T_RC
    if [[ $T_RC != 0 && $T_RC != 1 ]]; then
        DW_FAIL=1
        echo "   detwiki run $i: exit $T_RC (expected 0 = clean/warnings or 1 = errors) after ${T_WALL}s" >&2
        tail -n 20 "$err" | sed 's/^/   | /' >&2
        return
    fi
    [[ $SHOW_ERRORS -gt 0 && -s $err ]] && sed 's/^/   | /' "$err" | head -n "$SHOW_ERRORS"
    DW_WALL+=("$T_WALL") DW_CPU+=("$T_CPU") DW_RSS+=("$T_RSS")
    printf '   detwiki run %d: wall %7.3f s  exit %d  cpu %7.3f s  peak RSS %s\n' \
        "$i" "$T_WALL" "$T_RC" "$T_CPU" "$T_RSS"
}

# What detwiki printed: its JSON-lines schema is its own; count lines, tally severities, and
# show any summary-looking object (keys such as files/rules/errors) verbatim.
summarize_detwiki() {
    "$SUMMARY_PY" - "$1" <<'PY'
import collections, json, sys
lines = objs = bad = 0
sev = collections.Counter()
files = set()
summary = None
with open(sys.argv[1], encoding="utf-8", errors="replace") as fh:
    for line in fh:
        if not line.strip():
            continue
        lines += 1
        try:
            o = json.loads(line)
        except ValueError:
            bad += 1
            continue
        objs += 1
        if not isinstance(o, dict):
            continue
        keys = set(o)
        if o.get("type") == "summary" or "summary" in keys or ({"rules", "files"} & keys and not {"severity", "level"} & keys):
            summary = o.get("summary", o)
            continue
        s = o.get("severity", o.get("level"))
        if s is not None:
            sev[str(s)] += 1
        f = o.get("file", o.get("path"))
        if f is not None:
            files.add(str(f))
print(f"{lines} JSON lines ({bad} not JSON)", end="")
if sev:
    print(" — " + ", ".join(f"{k} {v}" for k, v in sev.most_common()), end="")
if files:
    print(f" in {len(files)} files", end="")
print()
if summary is not None:
    print("         summary line: " + json.dumps(summary)[:400])
PY
}

# --- go -------------------------------------------------------------------------------------
echo "== lint-vs-pysigma: $NFILES .yml files in ${#DIRS[@]} dirs under $CORPUS"
printf '   %s\n' "${DIRS[@]#"$CORPUS"/}"
echo "   machine: $(nproc) cores; $RUNS timed runs per side; outputs in ${OUT#"$ROOT"/}/"
[[ $HAVE_GNU_TIME == 1 ]] || echo "   (GNU /usr/bin/time not available: peak memory not reported; apt-get install time)"

if [[ $DO_DW == 1 ]]; then build_detwiki; fi
if [[ $DO_PY == 1 ]]; then
    setup_venv
    PYV=$("$VENV/bin/python" -c 'import importlib.metadata as m, sys; print(m.version("pysigma"), sys.version.split()[0])')
    echo "   pySigma ${PYV% *} on Python ${PYV#* } ($VENV)"
fi
if [[ $DO_DW == 1 ]]; then echo "   detwiki: $BIN ($(cd "$ROOT" && git rev-parse --short HEAD 2>/dev/null || echo 'no git rev'))"; fi

# Warm the page cache so that neither side pays for cold reads.
find "${DIRS[@]}" -type f -name '*.yml' -exec cat {} + >/dev/null

echo "== timed runs"
for ((i = 1; i <= RUNS; i++)); do
    if [[ $DO_PY == 1 ]]; then run_pysigma "$i"; fi
    if [[ $DO_DW == 1 ]]; then run_detwiki "$i"; fi
done

echo
echo "== results ($NFILES files; best / median of $RUNS)"
RC=0
if [[ $DO_PY == 1 ]]; then
    if [[ ${#PY_WALL[@]} -gt 0 ]]; then
        read -r PY_BEST PY_MED < <(best_median "${PY_WALL[@]}")
        read -r PYL_BEST PYL_MED < <(best_median "${PY_LOAD[@]}")
        read -r _ PYC_MED < <(best_median "${PY_CPU[@]}")
        printf 'pySigma  wall %8.3f s best  %8.3f s median   (whole python process: interpreter start-up + import + load)\n' "$PY_BEST" "$PY_MED"
        printf '         in-process %s %.3f s best  %.3f s median\n' \
            "$([[ $CONDITIONS == 1 ]] && echo 'load_ruleset + condition parsing' || echo 'load_ruleset')" "$PYL_BEST" "$PYL_MED"
        printf '         cpu (user+sys) %.3f s median   peak RSS %s\n' "$PYC_MED" "${PY_RSS[-1]}"
        "$SUMMARY_PY" - "$PY_JSON" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f"         loaded: {d['rules']} SigmaRule, {d['correlation_rules']} SigmaCorrelationRule, "
      f"{d['filters']} filters from {d['files']} files; {d['errors']} errors in {d['error_files']} files; "
      f"import {d['import_seconds']:.3f} s")
if d.get("condition_errors") is not None:
    print(f"         conditions parsed: {d['condition_errors']} condition errors ({d['conditions_seconds']:.3f} s)")
PY
    fi
    [[ $PY_FAIL == 0 ]] || { echo "pySigma  FAILED in at least one run (see above)"; RC=1; }
fi
if [[ $DO_DW == 1 ]]; then
    if [[ ${#DW_WALL[@]} -gt 0 ]]; then
        read -r DW_BEST DW_MED < <(best_median "${DW_WALL[@]}")
        read -r _ DWC_MED < <(best_median "${DW_CPU[@]}")
        printf 'detwiki  wall %8.3f s best  %8.3f s median   (detwiki lint --quiet --format json; exit %s)\n' "$DW_BEST" "$DW_MED" "$DW_RC"
        printf '         cpu (user+sys) %.3f s median   peak RSS %s\n' "$DWC_MED" "${DW_RSS[-1]}"
        printf '         output: %s\n' "$(summarize_detwiki "$OUT/detwiki.$RUNS.jsonl" 2>&1 || echo 'could not read')"
    fi
    [[ $DW_FAIL == 0 ]] || { echo "detwiki  FAILED in at least one run (see above)"; RC=1; }
fi
if [[ $DO_PY == 1 && $DO_DW == 1 && ${#PY_WALL[@]} -gt 0 && ${#DW_WALL[@]} -gt 0 ]]; then
    awk -v pb="$PY_BEST" -v pm="$PY_MED" -v db="$DW_BEST" -v dm="$DW_MED" \
        -v pc="$PYC_MED" -v dc="$DWC_MED" -v t="$TARGET" -v plb="$PYL_BEST" 'BEGIN {
        if (db <= 0) db = 0.001; if (dm <= 0) dm = 0.001; if (dc <= 0) dc = 0.001
        rb = pb / db; rm = pm / dm
        printf "ratio pySigma/detwiki (wall): %.1fx best/best, %.1fx median/median   -> target >= %gx: %s\n",
            rb, rm, t, (rb >= t && rm >= t) ? "MET" : "NOT MET"
        printf "ratio on cpu time (user+sys, medians): %.1fx   (pySigma is single-threaded; detwiki may use all cores)\n", pc / dc
        printf "ratio vs pySigma in-process load only (best): %.1fx\n", plb / db
    }'
fi
exit $RC
