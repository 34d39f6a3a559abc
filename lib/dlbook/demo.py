"""Interactive demos that work with a kernel *and* in the static online book.

A demo's author writes two pure functions once:

* ``compute(**values) -> data``: the numbers (no plotting, no widgets);
* ``draw(data) -> matplotlib.figure.Figure``: the picture (no computing).

:class:`Demo` wires them to controls (:class:`Slider`, :class:`Choice`). When a
notebook displays a demo it sends two representations:

* a live ipywidgets view: Jupyter, Binder and Colab show it and recompute for any
  value of the controls;
* a static HTML view in which every point of the controls' grid is pre-rendered
  to a small PNG, with HTML range inputs and twenty lines of JavaScript that swap
  the frames. The book (``_config.yml`` ranks ``text/html`` above widget views)
  shows this one, so its sliders respond with no kernel, no server and no
  request to another host.

In the online book the pre-rendered view is only the first paint: when the reader
touches a demo or scrolls it into view, Python (Pyodide) starts in a Web Worker and
the same ``compute``/``draw`` run for any value of the controls (:mod:`dlbook.browser`).
A demo that closes over notebook results passes them as ``data`` (numpy arrays and
numbers): ``compute`` receives them as extra keywords, and the page ships them.

Factories decorated with :func:`register` are listed by :func:`registered`,
so the test suite and the benchmarks can sweep every demo of the book.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import itertools
import json
import math
import os
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
from matplotlib.figure import Figure
from PIL import Image

#: Most frames a static demo may pre-render (keeps the page light and the build fast).
MAX_FRAMES = 150
#: Largest static view, in bytes of HTML, that a demo may make. In the book the frames (nearly all of it) move
#: to a file the page loads only when the demo comes into view, so this bounds that one download.
MAX_HTML_BYTES = 4_000_000


def _nice(x: float) -> float | int:
    """Round a grid value so that labels read 0.3, not 0.30000000000000004."""
    r = float(f"{x:.10g}")
    return int(r) if r.is_integer() else r


@dataclass(frozen=True)
class Slider:
    """A numeric control from ``low`` to ``high`` in steps of ``step``.

    The live widget moves in steps of ``step``; the static page pre-renders
    ``frames`` evenly spaced values (default: every step), both ends included.
    """

    name: str
    low: float
    high: float
    step: float
    value: float
    label: str = ""
    frames: int | None = None

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"Slider name must be a Python identifier; got {self.name!r}")
        if not (np.isfinite(self.low) and np.isfinite(self.high) and self.low < self.high):
            raise ValueError(f"Slider {self.name!r} needs finite low < high; got {self.low}, {self.high}")
        if not (self.step > 0):
            raise ValueError(f"Slider {self.name!r} needs step > 0; got {self.step}")
        if not (self.low <= self.value <= self.high):
            raise ValueError(f"Slider {self.name!r}: value {self.value} is outside [{self.low}, {self.high}]")
        if self.frames is not None and self.frames < 2:
            raise ValueError(f"Slider {self.name!r} needs frames >= 2; got {self.frames}")

    @property
    def is_int(self) -> bool:
        return all(float(v).is_integer() for v in (self.low, self.high, self.step))

    def grid(self) -> list[float | int]:
        """The values pre-rendered for the static page, ends included."""
        n = self.frames or int(round((self.high - self.low) / self.step)) + 1
        values = [_nice(v) for v in np.linspace(self.low, self.high, n)]
        return [int(round(v)) for v in values] if self.is_int else values

    def sweep(self) -> list[float | int]:
        """Every value the live widget can take (for tests), ends included."""
        n = int(round((self.high - self.low) / self.step)) + 1
        values = [_nice(v) for v in np.linspace(self.low, self.high, n)]
        return [int(round(v)) for v in values] if self.is_int else values

    def position(self, value: float) -> int | None:
        """Where ``value`` sits in :meth:`sweep` (to within 1e-9), or ``None`` if the widget cannot send it."""
        hits = np.flatnonzero(np.isclose(self.sweep(), float(value), rtol=0.0, atol=1e-9))
        return int(hits[0]) if hits.size else None

    def labels(self) -> list[str]:
        return [_label(v) for v in self.grid()]

    def widget(self) -> Any:
        import ipywidgets as w

        cls = w.IntSlider if self.is_int else w.FloatSlider
        return cls(
            value=self.value, min=self.low, max=self.high, step=self.step,
            description=self.label or self.name, continuous_update=False,
            style={"description_width": "initial"}, layout=w.Layout(width="420px"),
        )


@dataclass(frozen=True)
class Choice:
    """A control taking one of a few ``options`` (a list of values, or of ``(label, value)`` pairs)."""

    name: str
    options: Sequence[Any]
    value: Any
    label: str = ""

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"Choice name must be a Python identifier; got {self.name!r}")
        if len(self.options) < 2:
            raise ValueError(f"Choice {self.name!r} needs at least two options")
        if self.value not in self.grid():
            raise ValueError(f"Choice {self.name!r}: value {self.value!r} is not one of {self.grid()}")

    def pairs(self) -> list[tuple[str, Any]]:
        return [o if isinstance(o, tuple) else (str(o), o) for o in self.options]

    def grid(self) -> list[Any]:
        return [v for _, v in self.pairs()]

    def sweep(self) -> list[Any]:
        return self.grid()

    def labels(self) -> list[str]:
        return [lab for lab, _ in self.pairs()]

    def widget(self) -> Any:
        import ipywidgets as w

        return w.Dropdown(options=self.pairs(), value=self.value, description=self.label or self.name,
                          style={"description_width": "initial"})


Control = Slider | Choice


#: Pixel density of demo frames: rendered at ``dpi * DENSITY`` and shown at ``1 / DENSITY`` of their pixel size,
#: so they stay sharp on high-density (retina, phone) screens.
DENSITY = 2


def figure_png(fig: Figure, dpi: int = 72, colors: int = 64) -> bytes:
    """Render a figure to a small palette PNG (deterministic bytes, no metadata).

    Draws straight into the Agg buffer (no intermediate PNG), so a 2x frame costs about what a 1x frame did.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig.set_dpi(dpi)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    img = Image.fromarray(np.asarray(canvas.buffer_rgba())[..., :3])
    out = io.BytesIO()
    img.quantize(colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE).save(
        out, format="PNG", optimize=True)
    return out.getvalue()


def png_size(png: bytes) -> tuple[int, int]:
    """``(width, height)`` in pixels of PNG bytes (read from the header)."""
    if png[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError("not PNG bytes")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


_JS = """(function(){var root=document.currentScript.parentElement;
var spec=JSON.parse(root.querySelector('script.dlbook-demo-data').textContent);
var img=root.querySelector('img.dlbook-demo-frame');
var inputs=Array.prototype.slice.call(root.querySelectorAll('[data-dlbook-control]'));
var waiting=null;
function frames(then){if(spec.frames){then();return;}var got=(window.dlbookFrames||{})[spec.id];
if(got){spec.frames=got;then();return;}if(waiting){waiting.push(then);return;}waiting=[then];
var s=document.createElement('script');s.src=spec.src;s.onload=function(){spec.frames=window.dlbookFrames[spec.id];
var w=waiting;waiting=null;w.forEach(function(f){f();});};document.head.appendChild(s);}
function update(show){var k=0;inputs.forEach(function(el,i){var j=Number(el.value);k=k*spec.sizes[i]+j;
var out=root.querySelector('output[data-for="'+el.id+'"]');if(out){out.textContent=spec.labels[i][j];}
if(el.type==='range'){el.setAttribute('aria-valuetext',spec.labels[i][j]);}});
if(show===false||root.hasAttribute('data-live')){return;}
frames(function(){if(root.hasAttribute('data-live')){return;}var f=spec.index[k],t=root.querySelector('.dlbook-demo-text');
if(t&&!t.dataset.note){t.dataset.note=t.textContent;}
if(f<0){if(t){t.textContent=spec.offgrid;}root.setAttribute('data-frame','');return;}
if(t){t.textContent=t.dataset.note;}img.src='data:image/png;base64,'+spec.frames[f];
root.setAttribute('data-frame',String(k));});}
inputs.forEach(function(el){el.addEventListener('input',update);el.addEventListener('change',update);});
if(!spec.frames&&window.IntersectionObserver){var io=new IntersectionObserver(function(es){
if(es.some(function(e){return e.isIntersecting;})){io.disconnect();frames(function(){});}},{rootMargin:'300px'});io.observe(root);}
update(false);})();"""


@dataclass
class Demo:
    """A demo: pure ``compute`` and ``draw`` functions wired to controls.

    ``compute(**values)`` receives one keyword per control; ``draw(data)``
    returns a :class:`matplotlib.figure.Figure` (create it with
    ``Figure(...)``, not ``pyplot``, so no global state builds up).

    ``data`` (optional) holds what the demo needs from the notebook, such as
    trained weights: a dict of numpy arrays and numbers that ``compute`` also
    receives as keywords (``compute(**data, **values)``); the online page ships
    it beside the demo. ``in_browser=False`` keeps a demo pre-rendered online
    (``browser_note`` says why); see :mod:`dlbook.browser` for what computes live.
    """

    compute: Callable[..., Any]
    draw: Callable[[Any], Figure]
    controls: Sequence[Control]
    title: str = ""
    alt: str = "interactive figure"
    dpi: int = 72
    data: dict[str, Any] | None = None
    in_browser: bool = True
    browser_note: str = ""
    _live: Any = field(default=None, init=False, repr=False)
    _default_png: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        names = [c.name for c in self.controls]
        if not names:
            raise ValueError("a Demo needs at least one control")
        if len(set(names)) != len(names):
            raise ValueError(f"control names must be unique; got {names}")
        clash = sorted(set(names) & set(self.data or {}))
        if clash:
            raise ValueError(f"data keys {clash} are also control names; give them different names")
        n = self.n_frames
        if n > MAX_FRAMES:
            raise ValueError(f"the static grid has {n} frames; at most {MAX_FRAMES} are allowed "
                             "(give a Slider fewer `frames`)")

    # -- the pure part -------------------------------------------------
    @property
    def defaults(self) -> dict[str, Any]:
        return {c.name: c.value for c in self.controls}

    @property
    def n_frames(self) -> int:
        return math.prod(len(c.grid()) for c in self.controls)

    def frame(self, **values: Any) -> Figure:
        """Compute and draw one setting of the controls (missing ones take their defaults)."""
        return self.draw(self.compute(**(self.data or {}), **{**self.defaults, **values}))

    def _coarse_static(self) -> bool:
        """Whether the page pre-renders only the coarse star grid: the demo computes live, DLBOOK_FRAMES≠full."""
        from dlbook import browser

        return os.environ.get("DLBOOK_FRAMES", "coarse") != "full" and browser.live_reason(self) is None

    def static_grids(self) -> list[list[Any]]:
        """The values of each control the page pre-renders.

        A demo that computes live online pre-renders only a coarse grid: each slider's two ends and its default
        (choices keep every option), and of those only the default and each control moved alone (see
        ``_grid_points``). Those frames are the first paint and the fallback while Python starts; the live view
        then computes any value. A demo that stays pre-rendered gets its whole declared grid. Set
        ``DLBOOK_FRAMES=full`` to pre-render every demo's whole grid (for a site built without the runtime).
        """
        full = [c.grid() for c in self.controls]
        if not self._coarse_static():
            return full
        return [_coarse(g, c.value) if isinstance(c, Slider) else g for c, g in zip(self.controls, full)]

    def _grid_points(self) -> list[tuple[tuple[int, ...], bool]]:
        """Every point of the static grid as control indices, in page order, and whether it is pre-rendered.

        A live demo pre-renders its default and each control moved alone (a star through the default); the
        combinations of two or more moved controls are computed live. A pre-rendered-only demo renders them all.
        """
        grids = self.static_grids()
        start = tuple(_nearest(g, c.value) for c, g in zip(self.controls, grids))
        star = len(grids) > 1 and self._coarse_static()
        return [(idx, not star or sum(i != j for i, j in zip(idx, start)) <= 1)
                for idx in itertools.product(*(range(len(g)) for g in grids))]

    def settings(self) -> list[dict[str, Any]]:
        """Every pre-rendered point of the static grid, in the order the page indexes them."""
        grids = self.static_grids()
        return [{c.name: g[i] for c, g, i in zip(self.controls, grids, idx)}
                for idx, rendered in self._grid_points() if rendered]

    # -- the static view -----------------------------------------------
    def static_html(self) -> str:
        """The pre-rendered view: controls, frames and the script that switches them."""
        frames: list[str] = []
        seen: dict[str, int] = {}
        index: list[int] = []
        size = None
        grids = self.static_grids()
        for idx, rendered in self._grid_points():
            if not rendered:
                index.append(-1)
                continue
            setting = {c.name: g[i] for c, g, i in zip(self.controls, grids, idx)}
            raw = figure_png(self.frame(**setting), dpi=self.dpi * DENSITY)
            if setting == self.defaults:
                self._default_png = raw  # the notebook widget's first image: not drawn a second time
            size = size or png_size(raw)
            png = base64.b64encode(raw).decode("ascii")
            if png not in seen:
                seen[png] = len(frames)
                frames.append(png)
            index.append(seen[png])
        labels = [[_label(v) for v in g] if isinstance(c, Slider) else c.labels() for c, g in zip(self.controls, grids)]
        spec = {"sizes": [len(g) for g in grids], "labels": labels, "index": index, "frames": frames,
                "offgrid": "Pre-rendered one control at a time; this combination is computed once Python has "
                           "started in the page (or open the notebook)."}
        uid = "dlbook-demo-" + hashlib.sha1(json.dumps(spec["labels"]).encode() + frames[0][:4096].encode()
                                            + self.title.encode()).hexdigest()[:10]
        spec["id"] = uid  # the book moves `frames` to a file loaded on first use (dlbook.sphinxext)
        rows = []
        for i, (c, g) in enumerate(zip(self.controls, grids)):
            start = _nearest(g, c.value)
            cid = f"{uid}-{c.name}"
            text = html.escape(c.label or c.name)
            if isinstance(c, Slider):
                ctl = (f'<input type="range" id="{cid}" data-dlbook-control min="0" max="{len(g) - 1}" '
                       f'step="1" value="{start}" aria-label="{text}" aria-valuetext="{html.escape(labels[i][start])}">')
            else:
                opts = "".join(f'<option value="{j}"{" selected" if j == start else ""}>{html.escape(lab)}</option>'
                               for j, lab in enumerate(labels[i]))
                ctl = f'<select id="{cid}" data-dlbook-control aria-label="{text}">{opts}</select>'
            readout = f'<output data-for="{cid}">{html.escape(labels[i][start])}</output>' if isinstance(c, Slider) else ""
            rows.append(f'<div class="dlbook-demo-row"><label for="{cid}">{text}</label> {ctl} {readout}</div>')
        first = frames[index[_flat_index([_nearest(g, c.value) for c, g in zip(self.controls, grids)], spec["sizes"])]]
        from dlbook import browser

        why_not = browser.live_reason(self)
        note = (f"Pre-rendered for {sum(i >= 0 for i in index)} settings, so it works in the online book without Python; "
                "open the notebook (launch button at the top of the page) to compute live for any value.")
        if why_not is None:
            live = ('<script type="application/json" class="dlbook-demo-live">'
                    f'{_json_in_html(browser.live_spec(self))}</script>')
            status = "pre-rendered"
        else:
            live, status = "", "pre-rendered only"
            note += f" It stays pre-rendered online: {why_not}."
        title = f'<div class="dlbook-demo-title"><strong>{html.escape(self.title)}</strong></div>' if self.title else ""
        return (f'<div class="dlbook-demo" id="{uid}" data-frames="{len(frames)}">{title}'
                f'<div class="dlbook-demo-controls">{"".join(rows)}</div>'
                f'<img class="dlbook-demo-frame" alt="{html.escape(self.alt)}" width="{size[0] // DENSITY}" '
                f'height="{size[1] // DENSITY}" style="max-width:100%;height:auto" '
                f'src="data:image/png;base64,{first}">'
                f'<div class="dlbook-demo-note" style="font-size:0.8em;opacity:0.75">'
                f'<span class="dlbook-demo-status" role="status">{status}</span> · '
                f'<span class="dlbook-demo-text">{html.escape(note)}</span></div>'
                f'<script type="application/json" class="dlbook-demo-data">{json.dumps(spec)}</script>'
                f"{live}<script>{_JS}</script></div>")

    # -- the live view -------------------------------------------------
    def live(self) -> Any:
        """An ipywidgets view that recomputes on every change (needs a kernel)."""
        import ipywidgets as w

        widgets = {c.name: c.widget() for c in self.controls}
        first = self._default_png or figure_png(self.frame(), dpi=self.dpi * DENSITY)
        image = w.Image(format="png", value=first, width=png_size(first)[0] // DENSITY)

        def update(_change: Any = None) -> None:
            image.value = figure_png(self.frame(**{k: v.value for k, v in widgets.items()}), dpi=self.dpi * DENSITY)

        for wdg in widgets.values():
            wdg.observe(update, names="value")
        header = [w.HTML(f"<b>{html.escape(self.title)}</b>")] if self.title else []
        return w.VBox([*header, *widgets.values(), image])

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        static = self.static_html()  # first: it draws the default frame the widget then reuses
        if self._live is None:
            self._live = self.live()
        bundle = self._live._repr_mimebundle_(include=include, exclude=exclude)
        bundle = bundle[0] if isinstance(bundle, tuple) else bundle
        bundle["text/html"] = static
        bundle["text/plain"] = f"<Demo {self.title or 'demo'}: {', '.join(c.name for c in self.controls)}>"
        return bundle


def _json_in_html(obj: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</script>`` can close it early)."""
    return json.dumps(obj).replace("<", "\\u003c").replace(">", "\\u003e")


def _coarse(grid: Sequence[Any], value: Any) -> list[Any]:
    """A slider's grid cut to its two ends and its default value (so the first paint is exactly the default)."""
    default = _nice(value)
    default = int(round(default)) if all(isinstance(g, int) for g in grid) else default
    return sorted({grid[0], default, grid[-1]}, key=float)


def _label(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def _nearest(grid: Sequence[Any], value: Any) -> int:
    if value in grid:
        return list(grid).index(value)
    return int(np.argmin([abs(float(g) - float(value)) for g in grid]))


def _flat_index(idx: Sequence[int], sizes: Sequence[int]) -> int:
    k = 0
    for i, s in zip(idx, sizes):
        k = k * s + i
    return k


_REGISTRY: dict[str, Callable[[], Demo]] = {}


def register(factory: Callable[[], Demo]) -> Callable[[], Demo]:
    """Decorator: list a demo factory so tests and benchmarks sweep it."""
    _REGISTRY[f"{factory.__module__}.{factory.__qualname__}"] = factory
    return factory


def registered() -> dict[str, Callable[[], Demo]]:
    """Every registered demo factory of the library, by dotted name."""
    import importlib
    import pkgutil

    import dlbook

    for mod in pkgutil.walk_packages(dlbook.__path__, "dlbook."):
        importlib.import_module(mod.name)
    return dict(sorted(_REGISTRY.items()))
