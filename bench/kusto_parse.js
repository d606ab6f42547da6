// Parse Kusto queries (one JSON string a line, from `kusto_parse_corpus --dump`) with Microsoft's
// Kusto.Language parser (npm @kusto/language-service-next, the C# parser compiled to
// JavaScript), syntax only (KustoCode.Parse: no schema, no semantic analysis). Prints the
// query count, bytes, the mean time of PASSES passes after one warm-up pass, MB/s and how
// many queries have syntax errors.
//   node bench/kusto_parse.js QUERIES.jsonl NODE_MODULES_DIR [PASSES]
const fs = require('fs');
const path = require('path');
const [file, modules, passesArg] = process.argv.slice(2);
const dir = path.join(modules, '@kusto/language-service-next');
global.Bridge = require(path.join(dir, 'bridge.js'));
require(path.join(dir, 'Kusto.Language.Bridge.js'));
const queries = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l).map((l) => JSON.parse(l));
const bytes = queries.reduce((n, q) => n + Buffer.byteLength(q, 'utf8'), 0);
const passes = Number(passesArg || 5);
let withErrors = 0;
for (const q of queries) {
    const errs = Kusto.Language.KustoCode.Parse(q).GetDiagnostics();
    if (errs.Count > 0) withErrors++;
}
const t0 = process.hrtime.bigint();
for (let p = 0; p < passes; p++) {
    for (const q of queries) Kusto.Language.KustoCode.Parse(q);
}
const ms = Number(process.hrtime.bigint() - t0) / 1e6 / passes;
console.log(`kusto.language: ${queries.length} queries, ${bytes} bytes, ${withErrors} with syntax errors, ${ms.toFixed(1)} ms per pass, ${(bytes / ms / 1e3).toFixed(1)} MB/s`);
