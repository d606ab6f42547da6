#!/usr/bin/env python3
"""`detwiki serve` reload latency: time from saving a rule file to its new text being served.

    bench/serve-reload.py                      # release build, SigmaHQ `rules`, 10 edits
    bench/serve-reload.py --edits 20
    DETWIKI_BIN=path/to/detwiki bench/serve-reload.py   # skip the cargo build

Copies `corpus/sigma/rules` of the shared folder (${DETWIKI_SHARED:-../shared}) to a temporary
folder, starts `detwiki serve --corpus sigma=<copy>` on a free loopback port, waits until the
seed rule's page is served, then edits that rule's title N times. For each edit it writes the
file (one write, as an editor's save) and polls the rule's page every 5 ms until the new title
is in it. Also times: an added rule file (its page appears) and a removed one (its page is 404).
Target (issue 4): a saved rule shows up on reload within a second.
Standard library only.
"""

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SHARED = os.environ.get("DETWIKI_SHARED", os.path.join(ROOT, "..", "shared"))
REL = "windows/registry/registry_event/registry_event_portproxy_registry_key.yml"
PAGE = "rules/sigma/registry_event_portproxy_registry_key/"


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as e:
        return e.code, ""
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return None, ""


def wait_for(url, pred, timeout=30.0):
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        status, body = get(url)
        if pred(status, body):
            return time.monotonic()
        time.sleep(0.005)
    raise SystemExit(f"timed out waiting for {url}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--edits", type=int, default=10)
    args = ap.parse_args()
    src = os.path.join(SHARED, "corpus", "sigma", "rules")
    if not os.path.isdir(src):
        print(f"no SigmaHQ corpus at {src} (set DETWIKI_SHARED)", file=sys.stderr)
        return 1
    binary = os.environ.get("DETWIKI_BIN")
    if not binary:
        subprocess.run(["cargo", "build", "--release", "-q", "-p", "detwiki"], cwd=ROOT, check=True)
        binary = os.path.join(ROOT, "target", "release", "detwiki")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}/"
    tmp = tempfile.mkdtemp(prefix="detwiki-reload-")
    corpus = os.path.join(tmp, "rules")
    shutil.copytree(src, corpus)
    log = open(os.path.join(tmp, "serve.log"), "w")
    t_start = time.monotonic()
    proc = subprocess.Popen(
        [binary, "serve", "--quiet", "--corpus", f"sigma={corpus}", "--addr", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=log,
    )
    try:
        t_up = wait_for(base + PAGE, lambda st, _: st == 200, timeout=120)
        print(f"corpus: {sum(len(f) for _, _, f in os.walk(corpus))} files; first page served "
              f"{t_up - t_start:.2f}s after start")
        path = os.path.join(corpus, REL)
        text = open(path, encoding="utf-8").read()
        title = next(l for l in text.splitlines() if l.startswith("title:"))
        times = []
        for i in range(args.edits):
            marker = f"Reload probe {i} {time.time_ns()}"
            new = text.replace(title, f"title: {marker}", 1)
            time.sleep(0.3)
            t0 = time.monotonic()
            with open(path, "w", encoding="utf-8") as f:
                f.write(new)
            t1 = wait_for(base + PAGE, lambda st, body: marker in body)
            times.append(t1 - t0)
        ms = sorted(t * 1000 for t in times)
        print(f"edit -> new page served: median {statistics.median(ms):.0f} ms, "
              f"min {ms[0]:.0f} ms, max {ms[-1]:.0f} ms over {len(ms)} edits "
              f"(target < 1000 ms)")
        # An added file and a removed one.
        added = os.path.join(os.path.dirname(path), "zz_reload_probe_added.yml")
        time.sleep(0.3)
        t0 = time.monotonic()
        with open(added, "w", encoding="utf-8") as f:
            f.write(re.sub(r"(?m)^id: .*$", f"id: {uuid.uuid4()}", text.replace(title, "title: Added probe"), count=1))
        t1 = wait_for(base + "rules/sigma/zz_reload_probe_added/", lambda st, _: st == 200)
        print(f"new file -> its page served: {(t1 - t0) * 1000:.0f} ms")
        time.sleep(0.3)
        t0 = time.monotonic()
        os.remove(added)
        t1 = wait_for(base + "rules/sigma/zz_reload_probe_added/", lambda st, _: st == 404)
        print(f"removed file -> its page gone: {(t1 - t0) * 1000:.0f} ms")
        log.flush()
        rebuilt = [l.strip() for l in open(os.path.join(tmp, "serve.log")) if "rebuilt" in l]
        if rebuilt:
            print("last rebuild as logged:", rebuilt[-1])
        return 0 if statistics.median(ms) < 1000 else 1
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
