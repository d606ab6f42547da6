#!/usr/bin/env bash
# Browser test of the wiki in headless Chromium: installs what it needs (Debian's chromium,
# playwright-core from npm), builds the fixture corpus (the demo rules, seed rule among them, and
# one file that does not parse, as corpus "sigma"), serves it with `detwiki serve --events` (the demo's
# sample events) on a free loopback port and runs run.mjs.
# Where ../shared/corpus/sigma/rules exists, it then serves that corpus and checks the seed
# rule and search there too. Screenshots go to target/browser/.
#
#   bash tests/browser/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$repo"

if [ ! -x /usr/bin/chromium ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
fi
(cd "$here" && npm ci --no-audit --no-fund --loglevel=error)

cargo build -q -p detwiki
bin="$repo/target/debug/detwiki"
shots="$repo/target/browser"
work="$(mktemp -d)"
server=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

# Start `detwiki serve` with the given corpus flags; waits until it answers.
serve() {
  local port; port="$(free_port)"
  "$bin" serve --quiet "$@" --addr "127.0.0.1:$port" >"$work/serve.log" 2>&1 &
  server=$!
  for _ in $(seq 1 600); do
    if node -e "fetch('http://127.0.0.1:$port/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))" 2>/dev/null; then
      base="http://127.0.0.1:$port"
      return 0
    fi
    if ! kill -0 "$server" 2>/dev/null; then cat "$work/serve.log"; return 1; fi
    sleep 0.2
  done
  echo "detwiki serve did not answer"; cat "$work/serve.log"; return 1
}
stop() { kill "$server"; wait "$server" || true; server=""; }

cp -r "$repo/crates/site/demo/rules" "$work/corpus"
# A file that does not parse: the home page's "Left out" count leads to its findings.
printf 'title: Broken Whoami\nlogsource:\n    product: windows\n    category: process_creation\ndetection:\n    sel:\n        CommandLine|contians: whoami\n    condition: sel\n' >"$work/corpus/broken_whoami.yml"
"$bin" build --quiet --corpus sigma="$work/corpus" --out "$work/site"
serve --corpus sigma="$work/corpus" --events "$repo/crates/site/demo/events"
node "$here/run.mjs" --base "$base" --shots "$shots"
stop
grep -q 'request' "$work/serve.log" || { echo "serve logged no requests"; exit 1; }

# The demo rules beside the Elastic fixtures: language filter, highlighting, chips, search.
serve --corpus sigma="$work/corpus" --corpus elastic="$repo/crates/elastic/tests/fixtures/rules"
node "$here/run.mjs" --base "$base" --shots "$shots" --languages
stop

sigmahq="$repo/../shared/corpus/sigma/rules"
if [ -d "$sigmahq" ]; then
  samples="$repo/../shared/events/evtx-attack-samples"
  if [ -d "$samples" ]; then serve --corpus sigma="$sigmahq" --events "$samples"; else serve --corpus sigma="$sigmahq" --events "$repo/crates/site/demo/events"; fi
  node "$here/run.mjs" --base "$base" --shots "$shots" --sigmahq
  stop
else
  echo "SKIPPED: SigmaHQ pass ($sigmahq not present)"
fi
