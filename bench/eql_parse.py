"""Parse every EQL query of the Elastic corpora with the `eql` Python package, timed.

Usage: python eql_parse.py REJECTS_FILE DIR...

Reads every `.toml` under the folders (tomllib), keeps the EQL queries (`language = "eql"`, or
no language: Elastic Defend behaviour rules), then times `eql.parse_query` over them alone,
with the package's switches for what Elastic's rules use: Elasticsearch syntax
(`elasticsearch_syntax`; `elastic_endpoint_syntax` for the Elastic Defend behaviour rules,
which have no `[metadata]`), unknown functions and fields allowed (`ignore_missing_functions`,
`ignore_missing_fields`: there is no schema here), and the newer constructs allowed
(`allow_runs` for `with runs=`, `allow_sample` for `sample by`, `allow_negation` for missing
events `![…]`). Prints one JSON line: queries, parsed, rejected, seconds, and (from a second,
untimed pass without the three `allow_*` switches) rejected_strict; writes each rejected
query's pass, file, error class and message to REJECTS_FILE.
"""

import json
import pathlib
import sys
import time
import tomllib

import eql


def queries(dirs):
    out = []
    for d in dirs:
        for path in sorted(pathlib.Path(d).rglob("*.toml")):
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            rule = data.get("rule", {})
            query = rule.get("query")
            if not isinstance(query, str) or rule.get("language", "eql") != "eql":
                continue
            endpoint = "metadata" not in data
            out.append((str(path), query, endpoint))
    return out


def parse(query, endpoint, strict=False):
    p = eql.parser
    syntax = p.elastic_endpoint_syntax if endpoint else p.elasticsearch_syntax
    if strict:
        with syntax, p.ignore_missing_functions, p.ignore_missing_fields:
            return eql.parse_query(query)
    with syntax, p.ignore_missing_functions, p.ignore_missing_fields, p.allow_runs, p.allow_sample, p.allow_negation:
        return eql.parse_query(query)


def run(qs, strict):
    rejected = []
    for path, query, endpoint in qs:
        try:
            parse(query, endpoint, strict)
        except Exception as e:  # eql raises EqlError subclasses; anything else counts too
            message = getattr(e, "error_msg", None) or (str(e).splitlines() or [""])[0]
            where = f"line {e.line + 1}, column {e.column + 1}" if hasattr(e, "line") and hasattr(e, "column") else ""
            rejected.append((path, type(e).__name__, f"{message} ({where})" if where else message))
    return rejected


def main():
    rejects_file, dirs = sys.argv[1], sys.argv[2:]
    qs = queries(dirs)
    start = time.perf_counter()
    rejected = run(qs, strict=False)
    seconds = time.perf_counter() - start
    strict = run(qs, strict=True)
    with open(rejects_file, "w", encoding="utf-8") as f:
        for name, items in (("with-switches", rejected), ("strict", strict)):
            for path, kind, msg in items:
                f.write(f"{name}\t{path}\t{kind}\t{msg}\n")
    print(json.dumps({
        "queries": len(qs),
        "parsed": len(qs) - len(rejected),
        "rejected": len(rejected),
        "seconds": seconds,
        "rejected_strict": len(strict),
    }))


if __name__ == "__main__":
    main()
