#!/usr/bin/env python3
"""Timing helper for bench/lint-vs-pysigma.sh: load Sigma rule directories with pySigma.

Loads the given files/directories the way a pySigma user would:

    SigmaCollection.load_ruleset([dir, ...], collect_errors=True)

and prints ONE line of JSON on stdout:

    {"pysigma_version": ..., "python_version": ..., "files": N, "rules": N,
     "correlation_rules": N, "filters": N, "errors": N, "error_files": N,
     "import_seconds": s, "load_seconds": s, "conditions_seconds": s|null,
     "condition_errors": N|null, "fatal": null|"...", "fatal_file": null|"..."}

- "rules" counts SigmaRule objects, "correlation_rules" SigmaCorrelationRule objects,
  "filters" SigmaFilter objects held in the collection.
- "errors" is len(collection.errors); "error_files" is the number of distinct files those
  errors point at (errors without a source location count as one extra "file").
- "import_seconds" is the time to import sigma.collection; "load_seconds" is the time spent
  inside load_ruleset only. The caller times the whole process (interpreter start-up included).
- load_ruleset does NOT parse rule conditions (pySigma parses them lazily, at conversion
  time). With --conditions every condition of every loaded rule is also parsed
  (SigmaCondition.parsed), timed separately as "conditions_seconds".
- With collect_errors=True pySigma still raises on some problems (YAML syntax errors, bad
  UTF-8, unresolvable correlation references): then "fatal" holds the exception, "fatal_file"
  the file being loaded when it happened, and the exit code is 2.

Options: --conditions, --show-errors N (print the first N errors to stderr).
Exit codes: 0 loaded (even with collected errors), 2 pySigma aborted the load, 64 usage.
"""

import json
import sys
import time

T_START = time.perf_counter()


def main(argv: list[str]) -> int:
    parse_conditions = False
    show_errors = 0
    inputs: list[str] = []
    args = iter(argv)
    for arg in args:
        if arg == "--conditions":
            parse_conditions = True
        elif arg == "--show-errors":
            try:
                show_errors = int(next(args))
            except (StopIteration, ValueError):
                print("pysigma_load.py: --show-errors needs a number", file=sys.stderr)
                return 64
        elif arg in ("-h", "--help"):
            print(__doc__)
            return 0
        else:
            inputs.append(arg)
    if not inputs:
        print("usage: pysigma_load.py [--conditions] [--show-errors N] DIR_OR_FILE...", file=sys.stderr)
        return 64

    t0 = time.perf_counter()
    from sigma.collection import SigmaCollection  # the import is part of what a user pays
    from sigma.correlations import SigmaCorrelationRule
    from sigma.rule import SigmaRule

    import_seconds = time.perf_counter() - t0

    try:
        from importlib.metadata import version

        pysigma_version = version("pysigma")
    except Exception:  # pragma: no cover - metadata missing
        pysigma_version = "unknown"

    seen_files: list[str] = []

    def on_beforeload(path):
        # Cheap bookkeeping (one list append per file): counts files and remembers the
        # file in flight so that a fatal error can name it.
        seen_files.append(str(path))
        return path

    result = {
        "pysigma_version": pysigma_version,
        "python_version": sys.version.split()[0],
        "inputs": inputs,
        "files": 0,
        "rules": 0,
        "correlation_rules": 0,
        "filters": 0,
        "errors": 0,
        "error_files": 0,
        "import_seconds": round(import_seconds, 6),
        "load_seconds": None,
        "conditions_seconds": None,
        "condition_errors": None,
        "fatal": None,
        "fatal_file": None,
    }

    t1 = time.perf_counter()
    try:
        collection = SigmaCollection.load_ruleset(
            inputs, collect_errors=True, on_beforeload=on_beforeload
        )
    except Exception as exc:  # pySigma aborted the whole load
        result["load_seconds"] = round(time.perf_counter() - t1, 6)
        result["files"] = len(seen_files)
        result["fatal"] = f"{type(exc).__name__}: {exc}"[:2000]
        result["fatal_file"] = seen_files[-1] if seen_files else None
        print(json.dumps(result))
        return 2
    result["load_seconds"] = round(time.perf_counter() - t1, 6)

    result["files"] = len(seen_files)
    result["rules"] = sum(1 for r in collection.rules if isinstance(r, SigmaRule))
    result["correlation_rules"] = sum(
        1 for r in collection.rules if isinstance(r, SigmaCorrelationRule)
    )
    result["filters"] = len(collection.filters)
    result["errors"] = len(collection.errors)
    error_files = {
        str(e.source.path) if getattr(e, "source", None) is not None and e.source.path else None
        for e in collection.errors
    }
    result["error_files"] = len(error_files)

    for e in collection.errors[:show_errors]:
        where = e.source.path if getattr(e, "source", None) is not None else "?"
        print(f"pysigma error: {where}: {type(e).__name__}: {e}", file=sys.stderr)

    if parse_conditions:
        t2 = time.perf_counter()
        condition_errors = 0
        for rule in collection.rules:
            if not isinstance(rule, SigmaRule):
                continue
            for cond in getattr(rule.detection, "parsed_condition", None) or []:
                try:
                    cond.parsed  # noqa: B018 - property access does the parse
                except Exception as exc:
                    condition_errors += 1
                    if condition_errors <= show_errors:
                        print(
                            f"pysigma condition error: {rule.source}: {type(exc).__name__}: {exc}",
                            file=sys.stderr,
                        )
        result["conditions_seconds"] = round(time.perf_counter() - t2, 6)
        result["condition_errors"] = condition_errors

    result["process_seconds_in_python"] = round(time.perf_counter() - T_START, 6)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
