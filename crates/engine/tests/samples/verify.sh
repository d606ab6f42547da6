#!/bin/bash
# Re-establish the expected counts of tests/samples.rs without the engine:
# dump every sample to JSON with the evtx crate, flatten with the shared
# flatten.jq, and count the events each hand-written jq filter (pairs.def:
# rule, file, filter; helpers in prelude.jq) selects.
#   crates/engine/tests/samples/verify.sh [SHARED_DIR]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=${1:-${DETWIKI_SHARED:-$here/../../../../../shared}}
samples="$shared/events/evtx-attack-samples"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cargo build -q --release -p detwiki-engine --example evtx_to_jsonl
dump="$(cargo metadata --format-version 1 --no-deps | jq -r .target_directory)/release/examples/evtx_to_jsonl"
find "$samples" -name '*.evtx' | sort | while IFS= read -r f; do
  rel="${f#"$samples"/}"
  "$dump" "$f" | jq -c -f "$shared/bench/rsigma/flatten.jq" | jq -c --arg file "$rel" '. + {_file: $file}'
done > "$tmp/flat.jsonl"
while IFS=$'\t' read -r rule file filter; do
  [ -z "$rule" ] && continue
  n=$(jq -c --arg f "$file" "include \"prelude\"; select(._file == \$f) | select($filter)" -L "$here" "$tmp/flat.jsonl" | wc -l)
  printf '%s\t%s\t%s\n' "$n" "$rule" "$file"
done < "$here/pairs.def"
