// Runs demos under the exact Pyodide runtime the site ships, in node, with no browser (tests/test_pyodide.py).
//   node tests/pyodide_demos.mjs RUNTIME_DIR DLBOOK_ZIP CASES_JSON
// CASES_JSON: {"packages": [...], "demos": {key: spec_json}, "cases": [{key, values}]}. Prints one JSON line:
// {"boot_s", "results": [{key, values, ok, error?, nan?, w?, h?, ink?}]}.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { bootDlbook } from "../_assets/live/boot.mjs"; // the start-up the page's worker runs

const [runtime, zip, casesFile] = process.argv.slice(2);
const { loadPyodide } = await import(pathToFileURL(path.join(runtime, "pyodide.mjs")).href);
const { packages, demos, cases } = JSON.parse(fs.readFileSync(casesFile, "utf8"));
const t0 = performance.now();
const py = await loadPyodide({ indexURL: runtime + path.sep });
await py.loadPackage(packages, { messageCallback: () => {} });
const fonts = path.join(runtime, "fontlist.json");
const browser = bootDlbook(py, new Uint8Array(fs.readFileSync(zip)),
  fs.existsSync(fonts) ? new Uint8Array(fs.readFileSync(fonts)) : null);
const results = [];
const registered = new Set();
for (const [key, spec] of Object.entries(demos)) {
  try { browser.register_demo(key, spec); registered.add(key); } catch (e) {
    results.push({ key, values: null, ok: false, error: `register: ${String(e).slice(-1500)}` });
  }
}
const boot = (performance.now() - t0) / 1000;
for (const { id, key, values } of cases) {
  if (!registered.has(key)) continue;
  const t = performance.now();
  try {
    const out = browser.check_demo(key, JSON.stringify(values));
    const r = out.toJs({ dict_converter: Object.fromEntries });
    out.destroy();
    results.push({ id, key, values, ok: true, ms: performance.now() - t, ...r });
  } catch (e) {
    results.push({ id, key, values, ok: false, error: String(e).slice(-1500) });
  }
}
const version = py.runPython("import sys, numpy, matplotlib; f'Pyodide Python {sys.version.split()[0]}, numpy {numpy.__version__}, matplotlib {matplotlib.__version__}'");
process.stdout.write(JSON.stringify({ boot_s: boot, version, results }) + "\n");
