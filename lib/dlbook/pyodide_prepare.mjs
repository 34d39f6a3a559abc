// Precompile a checked Pyodide runtime under its own CPython (dlbook.pyodide_runtime.precompile runs this).
//   node pyodide_prepare.mjs RUNTIME_DIR OUT_DIR PYODIDE_RUNTIME_PY ARCHIVE...
// Writes OUT_DIR/ARCHIVE for each archive that holds Python modules (compiled by sourceless()) and
// OUT_DIR/fontlist.json (matplotlib's font cache, by font_list_json()). The Python side is the module
// dlbook/pyodide_runtime.py itself, imported inside Pyodide.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

const [runtime, out, module, ...archives] = process.argv.slice(2);
try {
  const { loadPyodide } = await import(pathToFileURL(path.join(runtime, "pyodide.mjs")).href);
  const py = await loadPyodide({ indexURL: runtime + path.sep, stdout: () => {}, stderr: () => {} });
  await py.loadPackage(["matplotlib"], { messageCallback: () => {} });
  py.FS.mkdirTree("/tmp/prepare");
  py.FS.writeFile("/tmp/prepare/dlbook_pyodide_runtime.py", fs.readFileSync(module, "utf8"));
  py.runPython("import sys; sys.path.insert(0, '/tmp/prepare')");
  const rt = py.pyimport("dlbook_pyodide_runtime");
  for (const name of archives) {
    const root = name === "python_stdlib.zip" ? rt.STDLIB_ROOT : rt.SITE_ROOT;
    py.FS.writeFile("/tmp/prepare/archive", new Uint8Array(fs.readFileSync(path.join(runtime, name))));
    const archive = py.runPython("open('/tmp/prepare/archive', 'rb').read()");
    const compiled = rt.sourceless(archive, root);
    const bytes = compiled.toJs();
    archive.destroy();
    compiled.destroy();
    fs.writeFileSync(path.join(out, name), bytes);
  }
  fs.writeFileSync(path.join(out, "fontlist.json"), rt.font_list_json());
} catch (e) {
  // the message only: a stack from pyodide.asm.js would quote a screenful of minified code
  process.stderr.write(`${String(e.message || e).slice(-1500)}\n`);
  process.exit(1);
}
