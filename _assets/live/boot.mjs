// Python's start-up, shared by the page's worker (worker.mjs) and the node test (tests/pyodide_demos.mjs):
// unpack the shipped dlbook package and make it importable, select matplotlib's Agg backend and install the font
// cache built with the runtime (dlbook.pyodide_runtime.precompile; matplotlib cannot save one in the browser,
// so without it every visit would spend half a second listing fonts), and have new_figure hand out copies of
// figures it built before (dlbook.plotting.reuse_figures: a quarter of a frame's time).
const BOOT = `import os, sys, zipfile
zipfile.ZipFile('/tmp/dlbook.zip').extractall('/dlbook_lib')
sys.path.insert(0, '/dlbook_lib')
import matplotlib
matplotlib.use('Agg')
if os.path.exists('/tmp/fontlist.json'):  # where Pyodide's matplotlib looks for its font cache
    os.replace('/tmp/fontlist.json', os.path.join(os.path.dirname(matplotlib.__file__), 'fontlist.json'))
from dlbook import plotting
plotting.reuse_figures()`;

/** Boot dlbook in Pyodide `py` from the bytes of dlbook.zip and of fontlist.json (null when there is none). */
export function bootDlbook(py, zip, fontList) {
  py.FS.writeFile("/tmp/dlbook.zip", zip);
  if (fontList) py.FS.writeFile("/tmp/fontlist.json", fontList);
  py.runPython(BOOT);
  return py.pyimport("dlbook.browser");
}
