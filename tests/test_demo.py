"""The demo mechanism, and every registered demo of the book swept over its whole control range."""

from __future__ import annotations

import contextlib
import json
import re
import time
import warnings

import numpy as np
import pytest
from matplotlib.figure import Figure

from dlbook.demo import DENSITY, MAX_FRAMES, MAX_HTML_BYTES, Choice, Demo, Slider, figure_png, png_size, registered
from dlbook.plotting import new_figure

DEMOS = registered()


def _line(a: float, kind: str = "sin") -> dict:
    x = np.linspace(0, 1, 20)
    return {"x": x, "y": a * (np.sin(6 * x) if kind == "sin" else x)}


def _draw(data: dict) -> Figure:
    fig, (ax,) = new_figure()
    ax.plot(data["x"], data["y"])
    ax.set_ylim(-3, 3)
    return fig


def _toy() -> Demo:
    return Demo(_line, _draw, [Slider("a", -2, 2, 0.5, 1.0, "amplitude"), Choice("kind", ["sin", "line"], "sin")],
                title="toy")


def test_slider_grid_includes_both_ends() -> None:
    s = Slider("a", 0.0, 1.0, 0.1, 0.3, frames=5)
    assert s.grid() == [0, 0.25, 0.5, 0.75, 1]
    assert s.sweep()[0] == 0 and s.sweep()[-1] == 1 and len(s.sweep()) == 11
    assert Slider("k", 0, 64, 1, 8, frames=33).grid()[-1] == 64


@pytest.mark.parametrize("kwargs, message", [
    ({"low": 1.0, "high": 0.0}, "low < high"),
    ({"step": 0.0}, "step > 0"),
    ({"value": 5.0}, "outside"),
    ({"frames": 1}, "frames >= 2"),
])
def test_slider_rejects_bad_arguments(kwargs: dict, message: str) -> None:
    args = {"name": "a", "low": 0.0, "high": 1.0, "step": 0.1, "value": 0.5, **kwargs}
    with pytest.raises(ValueError, match=message):
        Slider(**args)


def test_choice_and_demo_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="not one of"):
        Choice("k", ["a", "b"], "c")
    with pytest.raises(ValueError, match="unique"):
        Demo(_line, _draw, [Slider("a", 0, 1, 0.5, 0), Slider("a", 0, 1, 0.5, 0)])
    with pytest.raises(ValueError, match="at most"):
        Demo(_line, _draw, [Slider("a", 0, 1, 0.001, 0)])


def test_static_html_indexes_every_setting_in_order() -> None:
    demo = _toy()
    page = demo.static_html()
    spec = json.loads(re.search(r'<script type="application/json" class="dlbook-demo-data">(.*?)</script>', page).group(1))
    assert spec["sizes"] == [9, 2]
    assert len(spec["index"]) == 18 == demo.n_frames
    # amplitude 0 draws the same flat line for both kinds: identical frames are stored once
    assert len(spec["frames"]) == 17
    # the frame the page shows for setting k is exactly the PNG of that setting
    import base64
    for k in (0, 5, 17):
        setting = demo.settings()[k]
        png = figure_png(demo.frame(**setting), dpi=demo.dpi * DENSITY)
        assert base64.b64decode(spec["frames"][spec["index"][k]]) == png
    # drawn at DENSITY times the pixels it is shown at (sharp on high-density screens)
    width = int(re.search(r'class="dlbook-demo-frame"[^>]* width="(\d+)"', page).group(1))
    assert png_size(png)[0] == DENSITY * width
    assert 'aria-valuetext="' in page
    assert "without Python" in page and 'data-dlbook-control' in page


def test_static_html_is_deterministic() -> None:
    assert _toy().static_html() == _toy().static_html()


def test_mimebundle_carries_live_widget_and_static_view() -> None:
    bundle = _toy()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["text/html"].startswith('<div class="dlbook-demo"')


def test_live_widget_recomputes_on_change() -> None:
    live = _toy().live()
    slider, image = live.children[1], live.children[-1]
    before = image.value
    slider.value = -2.0
    assert image.value != before


@pytest.mark.parametrize("name", list(DEMOS))
def test_every_demo_over_its_whole_range(name: str) -> None:
    """Each control swept end to end (others at their defaults; at most SWEEP_POINTS steps), and every static setting:
    no exception, no warning, no NaN; each update well under 0.1 s; the page weight within budget."""
    demo = DEMOS[name]()
    assert demo.n_frames <= MAX_FRAMES
    settings = [{c.name: v} for c in demo.controls for v in _spread(c.sweep())] + demo.settings()
    times = []
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for s in settings:
            start = time.process_time()
            data = demo.compute(**(demo.data or {}), **{**demo.defaults, **s})
            fig = demo.draw(data)
            times.append(time.process_time() - start)
            assert isinstance(fig, Figure)
            _assert_no_nan(data, f"{name} at {s}")
        page = demo.static_html()
    assert len(page.encode()) < MAX_HTML_BYTES, f"{name}: static view is {len(page) / 1e6:.2f} MB"
    # CPU time (not wall time, which a loaded machine inflates) of compute + draw; the full picture is in benchmarks/.
    assert np.median(times) < 0.1, f"{name}: median update took {np.median(times) * 1000:.0f} ms (budget 100 ms)"


def test_new_figure_builds_only_the_ticks_in_view() -> None:
    """matplotlib's locators return a tick beyond each end of the view, which it builds and never draws; the
    book's figures get only the ticks inside (still the default locator, so category axes use their own)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.ticker import AutoLocator

    from dlbook.plotting import InViewLocator, color_key

    fig, (ax, bx) = new_figure(ncols=2)
    ax.plot([0.3, 7.7], [-5.0, 5.0])
    bx.bar(["a", "b", "c"], [1.0, 2.0, 3.0])
    color_key(bx, [("first", "red"), ("second", "blue")])
    FigureCanvasAgg(fig).draw()
    for axis in (ax.xaxis, ax.yaxis, bx.yaxis):
        lo, hi = sorted(axis.get_view_interval())
        ticks = axis.get_majorticklocs()
        everything = AutoLocator()
        everything.set_params(nbins=5)
        everything.set_axis(axis)
        assert set(ticks) == {t for t in everything() if lo <= t <= hi} and len(ticks) < len(everything())
        assert isinstance(axis.get_major_locator(), InViewLocator)
    assert list(bx.get_xticks()) == [0, 1, 2] and type(bx.xaxis.get_major_locator()).__name__ == "StrCategoryLocator"
    # a log axis is compared in decades: nothing below 1e-6 is built, 1e6 is kept a hair outside the view
    from matplotlib.ticker import LogLocator

    from dlbook.plotting import InViewLogLocator
    for top in (1e6, 1e6 * (1 - 2e-12)):
        fig, (cx,) = new_figure()
        cx.semilogy([0, 1], [1e-5, 1e5])
        cx.set_ylim(1e-6, top)
        cx.yaxis.set_major_locator(InViewLogLocator(numticks=5))
        assert list(cx.get_yticks()) == [1e-6, 1e-3, 1.0, 1e3, 1e6]
        cx.yaxis.set_major_locator(LogLocator(numticks=5))
        assert cx.get_yticks()[0] < 1e-6  # what matplotlib's own locator would have built
    words = [(t.get_text(), t.get_color(), t.get_transform().transform(t.get_position())[1]) for t in bx.texts]
    assert [w[:2] for w in words] == [("first", "red"), ("second", "blue")]
    assert words[0][2] - words[1][2] == pytest.approx(1.25 * 7 / 72 * fig.dpi)  # a line apart, in pixels


def _title_boxes(fig: Figure) -> list[tuple[float, float]]:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    return [(t.get_window_extent(renderer).y0, t.get_window_extent(renderer).x0)
            for ax in fig.axes for t in (ax.title, ax._left_title, ax._right_title) if t.get_text()]


@pytest.mark.parametrize("name", list(DEMOS))
def test_fixed_titles_sit_where_matplotlib_would_put_them(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """dlbook.plotting.new_figure fixes each title just above its axes (matplotlib's search for what sits on top
    costs a tenth of a live frame): at the defaults every title lands where the automatic placement puts it."""
    from dlbook import plotting

    demo = DEMOS[name]()
    fixed = _title_boxes(demo.frame(**demo.defaults))
    monkeypatch.setattr(plotting, "rc_context", lambda *a, **k: contextlib.nullcontext())  # automatic placement
    automatic = _title_boxes(demo.frame(**demo.defaults))
    assert len(fixed) == len(automatic)
    for (y, x), (y_auto, x_auto) in zip(fixed, automatic):
        assert abs(y - y_auto) < 0.5 and abs(x - x_auto) < 0.5, f"{name}: a title moved from {y_auto:.1f} to {y:.1f} px"


def test_cd_demo_looks_up_the_fits_it_would_train() -> None:
    """The CD demo ships its trained fits as data (training stays out of the slider's update): each lookup is
    the fit that training for that k gives."""
    from dlbook.demos.partition_function import GRID_K_MAX, cd_spurious_compute, cd_spurious_demo

    demo = cd_spurious_demo()
    for k in (1, GRID_K_MAX // 2, GRID_K_MAX):
        shipped, trained = cd_spurious_compute(k, **demo.data), cd_spurious_compute(k)
        assert shipped["spurious"] == trained["spurious"]
        for method, fit in trained["fits"].items():
            np.testing.assert_array_equal(shipped["fits"][method], fit)


def test_kl_explorer_looks_up_the_fits_it_would_compute() -> None:
    """The KL explorer ships its fits as data (a reverse-KL fit takes 140-260 ms in the browser): each lookup is
    the fit the optimiser finds for that p (called afresh here, not through the cache), for every weight at one
    separation and every separation at one weight, at the values the browser sends; a p off the sliders' grid
    is fitted."""
    from dlbook import browser
    from dlbook.demos.probability import kl_explorer_compute, kl_explorer_demo, two_mode_mixture
    from dlbook.information import fit_forward_kl, fit_reverse_kl

    demo = kl_explorer_demo()
    sliders = {c["name"]: c for c in browser.live_spec(demo)["controls"]}
    snap = {name: [browser._snap(c, v) for v in np.arange(c["low"], c["high"] + c["step"] / 2, c["step"])]
            for name, c in sliders.items()}  # what the page's sliders send
    cases = [(2.75, w) for w in snap["weight"]] + [(d, 0.85) for d in snap["separation"]] + [(3.1, 0.62)]
    for sep, weight in cases:
        shipped = kl_explorer_compute(sep, weight, 0.5, 0.0, 1.0, **demo.data)
        p = two_mode_mixture(sep, weight, 0.5)
        fwd, rev = fit_forward_kl(*p), fit_reverse_kl(*p)
        assert (shipped["forward"].mean, shipped["forward"].std) == (fwd.mean, fwd.std)
        assert shipped["forward"].kl == pytest.approx(fwd.kl, rel=1e-12)
        assert shipped["reverse"] == rev, f"separation {sep}, weight {weight}"


def test_capacity_demo_looks_up_the_curves_it_would_compute() -> None:
    """The capacity demo ships its error curves (500 fits each) as data: each lookup is the curve computed afresh."""
    from dlbook.demos.ml_basics import (CAPACITY_SIZES, capacity_curves, polynomial_capacity_compute,
                                        polynomial_capacity_demo)

    demo = polynomial_capacity_demo()
    assert demo.controls[1].sweep() == list(CAPACITY_SIZES)
    for n in CAPACITY_SIZES:
        shipped = polynomial_capacity_compute(4, n, **demo.data)
        train, test = capacity_curves.__wrapped__(n)  # not through the cache the table was filled from
        np.testing.assert_array_equal(shipped["train_mse"], train)
        np.testing.assert_array_equal(shipped["test_mse"], test)


@pytest.mark.parametrize("name", list(DEMOS))
def test_reused_figures_draw_the_same_pixels(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """In the browser new_figure hands out unpickled copies of a figure built once (dlbook.plotting.reuse_figures):
    a live demo draws the same pixels on such a copy as on a fresh figure (checked with every control at its
    far end)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from dlbook import browser, plotting

    demo = DEMOS[name]()
    if browser.live_reason(demo) is not None:
        pytest.skip("pre-rendered: its figures never reach the browser")

    def pixels(values: dict) -> bytes:
        canvas = FigureCanvasAgg(demo.draw(demo.compute(**(demo.data or {}), **values)))
        canvas.draw()
        return bytes(canvas.buffer_rgba())

    far = {**demo.defaults, **{c.name: c.sweep()[-1] for c in demo.controls}}
    monkeypatch.setattr(plotting, "_TEMPLATES", None)
    fresh = pixels(far)
    monkeypatch.setattr(plotting, "_TEMPLATES", {})
    copied = pixels(far)  # new_figure pickles a template and draws on a copy of it
    assert (not plotting._TEMPLATES) == (name in NOT_ON_NEW_FIGURE), \
        f"{name}: NOT_ON_NEW_FIGURE should list exactly the live demos that draw without new_figure"
    assert copied == fresh


#: Live demos that build their figures without new_figure (so the browser draws them without templates).
NOT_ON_NEW_FIGURE = {"dlbook.demos.applications.ngram_demo", "dlbook.demos.applications.zca_demo",
                     "dlbook.demos.autoencoders.pca_codes_demo"}


#: Most values of one control the sweep visits: a slider with more steps is visited at this many evenly spread
#: steps, both ends included (the live page can take every step; tests/test_pyodide.py adds random ones).
SWEEP_POINTS = 41


def _spread(values: list) -> list:
    if len(values) <= SWEEP_POINTS:
        return values
    return [values[i] for i in np.unique(np.linspace(0, len(values) - 1, SWEEP_POINTS).round().astype(int))]


def test_sweeps_keep_both_ends_and_spread_evenly() -> None:
    steps = list(range(201))
    picked = _spread(steps)
    assert picked[0] == 0 and picked[-1] == 200 and len(picked) == SWEEP_POINTS
    assert set(np.diff(picked)) == {5} and _spread(steps[:30]) == steps[:30]


def _assert_no_nan(data, where: str) -> None:
    values = data.values() if isinstance(data, dict) else data if isinstance(data, (list, tuple)) else [data]
    for v in values:
        if isinstance(v, (dict, list, tuple)):
            _assert_no_nan(v, where)
        elif isinstance(v, (np.ndarray, float, np.floating)) and np.asarray(v).dtype.kind == "f":
            assert not np.any(np.isnan(v)), f"NaN in the data of {where}"


def test_live_demos_pre_render_a_coarse_grid(monkeypatch: pytest.MonkeyPatch) -> None:
    """A demo that computes live online pre-renders each slider's ends and default only; DLBOOK_FRAMES=full
    restores the whole declared grid; a demo kept pre-rendered always gets its whole grid."""
    from dlbook import browser

    demo = DEMOS["dlbook.demos.numerical.gd_quadratic_demo"]()
    assert browser.live_reason(demo) is None
    for c, g in zip(demo.controls, demo.static_grids()):
        if isinstance(c, Slider):
            assert g == sorted({c.grid()[0], c.grid()[-1], c.value}) and c.value in g
        else:
            assert g == c.grid()
    grids = demo.static_grids()
    assert len(demo.settings()) == 1 + sum(len(g) - 1 for g in grids) < demo.n_frames   # a star through the default
    spec = json.loads(re.search(r'class="dlbook-demo-data">(.*?)</script>', demo.static_html()).group(1))
    assert len(spec["index"]) == np.prod([len(g) for g in grids]) and spec["index"].count(-1) > 0
    assert "computed once Python has started" in spec["offgrid"]
    live = browser.live_spec(demo)
    assert [c["grid"] for c in live["controls"] if c["kind"] == "slider"] == \
        [g for c, g in zip(demo.controls, demo.static_grids()) if isinstance(c, Slider)]
    monkeypatch.setenv("DLBOOK_FRAMES", "full")
    assert len(demo.settings()) == demo.n_frames
    monkeypatch.delenv("DLBOOK_FRAMES")
    kept = Demo(demo.compute, demo.draw, demo.controls, in_browser=False)
    assert len(kept.settings()) == kept.n_frames
