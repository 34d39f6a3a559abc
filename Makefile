# Deep Learning, Interactively: set-up, build and tests. See README.md.
#   make book   set up .venv and build the HTML book into _build/html
#   make test   set up .venv and run every test (notebooks, library, build, browser)
#   make lab    set up .venv and open the notebooks in JupyterLab
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

.PHONY: setup book test lab bench runtime clean

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) (set PYTHON=... to another Python 3.11)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --upgrade pip
	# torch first and exactly pinned: a looser requirement pulls several GB of CUDA wheels
	$(PIP) install torch==2.13.0
	$(PIP) install -r requirements.txt -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

setup: $(STAMP)

book: setup
	$(BIN)/jupyter-book build . -W -n --keep-going
	@echo "The book is in _build/html: open _build/html/index.html in a browser."

test: setup
	$(BIN)/python -m pytest

# The browser runtime of the live demos (Pyodide from npm + PyPI, sha256-checked), cached in ~/.cache/dlbook.
# `make book` does this itself; this target only assembles or checks it and says where it is.
runtime: setup
	$(BIN)/python -m dlbook.pyodide_runtime

lab: setup
	$(BIN)/jupyter lab chapters/

bench: setup
	$(BIN)/python -m benchmarks

clean:
	rm -rf _build $(VENV)
