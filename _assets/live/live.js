// Live demos: the page side. Each <div class="dlbook-demo"> first shows its pre-rendered frames (they work without
// this script). When the reader touches a demo or scrolls one into view, Python starts in a Web Worker
// (worker.mjs); once it is up, every control moves in its own step and the figure is computed for exactly that
// value. Slider moves are coalesced: while a frame is being computed only the latest value waits.
// The status line reads "pre-rendered" -> "starting Python…" -> "live".
const demos = [...document.querySelectorAll("div.dlbook-demo")].filter((d) => d.querySelector("script.dlbook-demo-live"));
const perf = (window.dlbookLive = { log: [], errors: [], started: null, ready: null, timings: null });
const state = {};
let worker = null;

function setStatus(s, text, title = "") {
  const el = s.el.querySelector(".dlbook-demo-status");
  if (el) { el.textContent = text; el.title = title; }
  s.el.setAttribute("data-live-status", text);
}

function decimals(step) {
  const t = String(step);
  return t.includes("e-") ? Number(t.split("e-")[1]) : (t.split(".")[1] || "").length;
}

function show(c, v) {
  return c.int ? String(Math.round(v)) : String(Number(Number(v).toFixed(Math.min(10, decimals(c.step) + 1))));
}

for (const el of demos) {
  const spec = JSON.parse(el.querySelector("script.dlbook-demo-live").textContent);
  // The notebook data sits in its own file (the build moved it out of the page): the worker fetches it at start.
  if (spec.data_src) spec.data_url = new URL(spec.data_src, document.baseURI).href;
  state[el.id] = { el, spec, text: JSON.stringify(spec), values: {}, live: false, busy: false, pending: false };
}

function request(key) {
  const s = state[key];
  if (!s.live) return;
  if (s.busy) { s.pending = true; return; }
  s.busy = true;
  s.pending = false;
  s.sent = performance.now();
  worker.postMessage({ type: "render", key, values: { ...s.values } });
}

// Switch a demo's inputs from frame indices to the controls' own values, and listen to them.
function goLive(s) {
  s.el.setAttribute("data-live", "");
  for (const c of s.spec.controls) {
    const inp = s.el.querySelector(`#${CSS.escape(`${s.el.id}-${c.name}`)}`);
    if (!inp) continue;
    if (c.kind === "slider") {
      const v = c.grid[Number(inp.value)] ?? c.value;
      Object.assign(inp, { min: c.low, max: c.high, step: c.step });
      inp.value = v;
      s.values[c.name] = Number(inp.value);
      const out = s.el.querySelector(`output[data-for="${inp.id}"]`);
      inp.addEventListener("input", () => {
        s.values[c.name] = Number(inp.value);
        if (out) out.textContent = show(c, inp.value);
        inp.setAttribute("aria-valuetext", show(c, inp.value));
        request(s.el.id);
      });
    } else {
      s.values[c.name] = Number(inp.value);
      inp.addEventListener("change", () => { s.values[c.name] = Number(inp.value); request(s.el.id); });
    }
  }
  s.live = true;
  setStatus(s, "starting Python…");
  request(s.el.id); // the first live frame: computed for the values shown
}

function fail(message) {
  perf.errors.push(message);
  for (const s of Object.values(state)) {
    if (!s.firstFrame) setStatus(s, "pre-rendered", `Python could not start here: ${message}`);
  }
  console.warn(`dlbook live demos stay pre-rendered: ${message}`);
}

function start() {
  if (worker || !demos.length) return;
  perf.started = performance.now();
  for (const s of Object.values(state)) setStatus(s, "starting Python…");
  try {
    worker = new Worker(new URL("./worker.mjs", import.meta.url), { type: "module" });
  } catch (e) { fail(String(e)); return; }
  worker.onerror = (e) => fail(e.message || "the worker did not load");
  worker.onmessage = (ev) => {
    const m = ev.data;
    if (m.type === "ready") {
      perf.ready = performance.now();
      perf.timings = m.timings;
      for (const s of Object.values(state)) goLive(s);
    } else if (m.type === "frame") {
      const s = state[m.key];
      const img = s.el.querySelector("img.dlbook-demo-frame");
      const put = (blob) => {
        const old = img.src;
        img.src = URL.createObjectURL(blob);
        if (old.startsWith("blob:")) URL.revokeObjectURL(old);
        img.setAttribute("data-live-values", m.values);
        const now = performance.now();
        perf.log.push({ key: m.key, pyMs: m.pyMs, workerMs: m.ms, roundTripMs: now - s.sent, at: now, first: !s.firstFrame });
        if (!s.firstFrame) {
          s.firstFrame = now;
          setStatus(s, "live", "computed by Python in your browser (Pyodide) for every value of the controls");
          const text = s.el.querySelector(".dlbook-demo-text");
          if (text) text.textContent = "Computed live by Python in your browser (Pyodide): move any control to any value.";
        }
        s.busy = false;
        if (s.pending) request(m.key);
      };
      if (m.blob) put(m.blob);
      else {
        const c = document.createElement("canvas");
        c.width = m.pixels.width; c.height = m.pixels.height;
        c.getContext("2d").putImageData(m.pixels, 0, 0);
        c.toBlob(put, "image/png");
      }
    } else if (m.type === "error") {
      if (m.stage === "init") { fail(m.error); return; }
      const s = state[m.key];
      perf.errors.push(m.error);
      s.busy = false;
      setStatus(s, "live (last update failed)", m.error);
      console.error(`dlbook demo ${m.key}: ${m.error}`);
    }
  };
  const packages = [...new Set(Object.values(state).flatMap((s) => s.spec.packages))];
  worker.postMessage({ type: "init", packages, demos: Object.values(state).map((s) => ({ key: s.el.id, spec: s.text })) });
}

// ?live=off keeps the pre-rendered frames (for readers on a slow machine, and for the frame test).
const off = new URLSearchParams(location.search).get("live") === "off";
if (demos.length && !off) {
  const seen = new IntersectionObserver((entries) => {
    if (entries.some((e) => e.isIntersecting)) { seen.disconnect(); start(); }
  });
  for (const el of demos) {
    seen.observe(el);
    for (const ev of ["pointerdown", "focusin", "keydown", "touchstart"]) el.addEventListener(ev, start, { once: true, passive: true });
  }
}
