// The Python side of the live demos: a module Web Worker that owns the Pyodide interpreter, so the page never
// blocks. The build copies the runtime to _live/pyodide/ and the dlbook package to _live/dlbook.zip, beside
// _static/ (this file is _static/live/worker.mjs). The worker imports dlbook.browser and calls its register_demo()
// and render_frame(): the demos' own compute/draw, the same functions the notebook runs.
import { loadPyodide } from "../../_live/pyodide/pyodide.mjs";
import { bootDlbook } from "./boot.mjs";

const base = new URL("../../_live/", import.meta.url);
let py = null;
let browser = null;
const lazy = {}; // import name -> Pyodide package, loaded the first time a demo imports it inside a function
const canvases = {};

async function boot({ packages, demos }) {
  const t0 = performance.now();
  const zip = fetch(new URL("dlbook.zip", base)).then((r) => {
    if (!r.ok) throw new Error(`dlbook.zip: HTTP ${r.status}`);
    return r.arrayBuffer();
  });
  // matplotlib's font cache, built with the runtime (absent when the build could not precompile it)
  const fonts = fetch(new URL("pyodide/fontlist.json", base)).then((r) => (r.ok ? r.arrayBuffer() : null), () => null);
  const specs = demos.map((d) => JSON.parse(d.spec));
  const data = specs.map((s) => s.data_url && fetch(s.data_url).then((r) => {
    if (!r.ok) throw new Error(`${s.data_url}: HTTP ${r.status}`);
    return r.arrayBuffer();
  }));
  data.forEach((p) => p && p.catch(() => {})); // awaited below, where a failed fetch stops the start-up
  py = await loadPyodide({ indexURL: new URL("pyodide/", base).href });
  const core = performance.now() - t0;
  await py.loadPackage(packages, { messageCallback: () => {}, errorCallback: (m) => console.warn(m) });
  const loaded = performance.now() - t0;
  const fontList = await fonts;
  browser = bootDlbook(py, new Uint8Array(await zip), fontList && new Uint8Array(fontList));
  py.FS.mkdirTree("/tmp/dlbook-data");
  for (const [i, d] of demos.entries()) {
    Object.assign(lazy, specs[i].lazy || {});
    let file = "";
    if (data[i]) {  // the demo's notebook data, fetched beside the runtime (dlbook.sphinxext moved it out of the page)
      file = `/tmp/dlbook-data/${d.key}.npz`;
      py.FS.writeFile(file, new Uint8Array(await data[i]));
    }
    browser.register_demo(d.key, d.spec, file);
  }
  return { core, loaded, imported: performance.now() - t0 };
}

async function toPng(w, h, rgba) {
  const pixels = new ImageData(new Uint8ClampedArray(rgba.buffer, rgba.byteOffset, rgba.byteLength), w, h);
  if (typeof OffscreenCanvas === "undefined") return { pixels }; // the page draws it
  const key = `${w}x${h}`;
  const c = (canvases[key] ||= new OffscreenCanvas(w, h));
  c.getContext("2d").putImageData(pixels, 0, 0);
  return { blob: await c.convertToBlob({ type: "image/png" }) };
}

async function render(key, values) {
  for (let attempt = 0; ; attempt++) {
    try {
      const out = browser.render_frame(key, JSON.stringify(values));
      const [w, h, rgba, used] = out.toJs();
      out.destroy();
      return { w, h, rgba, used };
    } catch (e) {
      const missing = /No module named '([\w]+)/.exec(String(e));
      // a demo may import several lazily loaded packages one after another (scipy, then threadpoolctl): load each
      // the first time it is missing, at most once per package
      if (missing && lazy[missing[1]] && attempt < Object.keys(lazy).length) {
        await py.loadPackage([lazy[missing[1]]], { messageCallback: () => {} });
        continue;
      }
      throw e;
    }
  }
}

self.onmessage = async (ev) => {
  const msg = ev.data;
  try {
    if (msg.type === "init") {
      const timings = await boot(msg);
      self.postMessage({ type: "ready", timings });
    } else if (msg.type === "render") {
      const t = performance.now();
      const { w, h, rgba, used } = await render(msg.key, msg.values);
      const py_ms = performance.now() - t;
      const image = await toPng(w, h, rgba);
      self.postMessage({ type: "frame", key: msg.key, values: used, pyMs: py_ms, ms: performance.now() - t, ...image });
    }
  } catch (e) {
    self.postMessage({ type: "error", key: msg.key, stage: msg.type, error: String(e).slice(-2000) });
  }
};
