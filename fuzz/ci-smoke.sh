#!/usr/bin/env bash
# Short, bounded fuzz run of every target, for CI. Exit status: 0 when every target ran
# clean, or when fuzzing is skipped (cargo-fuzz missing); 1 when a target failed (the
# reproducer is in fuzz/artifacts/<target>/) or could not be built.
#
#   fuzz/ci-smoke.sh                     20 s per target (FUZZ_SECONDS=20)
#   FUZZ_SECONDS=0 fuzz/ci-smoke.sh      replay the seed corpus only, no new inputs
#   FUZZ_RUNS=0 fuzz/ci-smoke.sh         no bound on runs: fuzz for the whole time (deeper, but
#                                        how far a run gets then depends on the machine's speed)
#   FUZZ_INSTALL=1 fuzz/ci-smoke.sh      `cargo install cargo-fuzz` first if it is missing
#   FUZZ_TARGETS="rule_file condition"   a subset of the targets (default: all, `cargo fuzz list`:
#                                        condition, eql, esql, evtx_chunk, json_event, kql,
#                                        kusto_query, mql, panther_python, rule_file, sigma_string, spl, yaral)
#
# Each target stops at FUZZ_RUNS inputs (default 20,000) or FUZZ_SECONDS, whichever comes
# first. With the fixed seed, a run bounded by inputs is the same on every machine: CI passes
# or fails as it does here, instead of a faster machine reaching further into the sequence
# (the time bound then only guards a slow target, evtx_chunk).
#
# Works on stable Rust: RUSTC_BOOTSTRAP=1 lets stable rustc take cargo-fuzz's -Z flags.
# Fuzz runs use one process (no -jobs/-workers) and do not add to fuzz/corpus/: new inputs go
# to a temporary directory that is deleted afterwards.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
seconds="${FUZZ_SECONDS:-20}"
runs="${FUZZ_RUNS:-20000}"

if ! cargo fuzz --version >/dev/null 2>&1; then
    if [ "${FUZZ_INSTALL:-0}" = 1 ]; then
        echo "fuzz: installing cargo-fuzz (FUZZ_INSTALL=1)"
        cargo install --locked cargo-fuzz
    else
        echo "fuzz: SKIPPED: cargo-fuzz is not installed (run with FUZZ_INSTALL=1 to install it, ~1 min)"
        exit 0
    fi
fi

# cargo-fuzz passes nightly -Z flags to rustc; stable accepts them under RUSTC_BOOTSTRAP.
if ! rustc --version | grep -q nightly; then export RUSTC_BOOTSTRAP=1; fi

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

# AddressSanitizer by default; fall back to no sanitizer where ASan cannot link.
sanitizer=()
start=$(date +%s)
if ! cargo fuzz build 2>"$scratch/build.log"; then
    echo "fuzz: build with AddressSanitizer failed, retrying with --sanitizer none"
    sanitizer=(--sanitizer none)
    if ! cargo fuzz build "${sanitizer[@]}" 2>>"$scratch/build.log"; then
        cat "$scratch/build.log" >&2
        echo "fuzz: FAILED: the fuzz targets do not build" >&2
        exit 1
    fi
fi
echo "fuzz: targets built in $(( $(date +%s) - start )) s"

read -r -a targets <<<"${FUZZ_TARGETS:-$(cargo fuzz list | tr '\n' ' ')}"

# Seed corpora are gitignored; make them when a target's is missing (a checkout seeded before
# a target was added too; uses ../shared when it exists).
for t in "${targets[@]}"; do
    if [ ! -d "corpus/$t" ]; then ./seed.sh; break; fi
done
failed=()
for t in "${targets[@]}"; do
    mkdir -p "$scratch/$t"
    dirs=("$scratch/$t")
    [ -d "corpus/$t" ] && dirs+=("corpus/$t")
    if [ "$seconds" = 0 ]; then
        limit=(-runs=0)
    elif [ "$runs" = 0 ]; then
        limit=(-max_total_time="$seconds")
    else
        limit=(-max_total_time="$seconds" -runs="$runs")
    fi
    start=$(date +%s)
    # A fixed seed keeps CI runs repeatable; FUZZ_SEED=0 lets libFuzzer pick one.
    if cargo fuzz run "${sanitizer[@]}" "$t" "${dirs[@]}" -- "${limit[@]}" -seed="${FUZZ_SEED:-1}" -print_final_stats=1 \
        >"$scratch/$t.log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$scratch/$t.log" | tail -n 1)
        echo "fuzz: $t ok (${execs:-?} runs in $(( $(date +%s) - start )) s)"
    else
        tail -n 40 "$scratch/$t.log" >&2
        echo "fuzz: $t FAILED; reproducer in fuzz/artifacts/$t/ (cargo fuzz run $t <file>)" >&2
        failed+=("$t")
    fi
done
if [ "${#failed[@]}" -gt 0 ]; then
    echo "fuzz: FAILED: ${failed[*]}" >&2
    exit 1
fi
echo "fuzz: all ${#targets[@]} targets ok"
