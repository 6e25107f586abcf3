# Weight Initialization, Hands-On: the two commands a reader needs are `make book` and `make test`.
# Every target that needs Python first sets up .venv (only when requirements.txt or
# pyproject.toml changed since the last install).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium

# The one book build: -W turns every warning into an error, -n reports every broken
# reference, --keep-going lists all of them before failing, --all rebuilds every page (an
# incremental build left unchanged pages with a stale sidebar after a chapter's title
# changed; a full build takes about 15 s). tests/book/test_book_html.py runs the same command.
BOOK_BUILD := $(VENV)/bin/jupyter-book build . -W -n --keep-going --all

LINT_PATHS := $(wildcard wtinit_lib tests benchmarks chapters tools _ext conftest.py)
NOTEBOOKS  := $(sort $(wildcard chapters/*.ipynb))

# JupyterLab refuses to run as root without this flag (containers, CI machines).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Every notebook run (tests and re-execution) goes through tools/notebook_env.py, which sets what
# the outputs depend on (thread counts, the inline figure backend, no CPU-emulation variables), so
# a stray variable in your shell cannot change what the notebooks print.
NB_ENV := $(PY) tools/notebook_env.py exec --

# The book's defaults for JupyterLab in this venv (see tools/jupyterlab-overrides.json): save
# widget state with the notebook, so that a saved playground reopens without "model not found",
# and never fetch Jupyter's news. Settings a reader makes in JupyterLab still win.
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.d/wtinit-book.json

.PHONY: venv book pdf test test-portable browser lint format notebooks lab serve clean

venv: $(STAMP) $(LAB_OVERRIDES)

$(STAMP): requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(LAB_OVERRIDES): tools/jupyterlab-overrides.json $(STAMP)
	install -D -m 644 $< $@

book: $(STAMP)
	$(BOOK_BUILD)

# The whole book as one PDF, _build/pdf/book.pdf: Jupyter Book's single-page HTML build (in
# _build/pdf, apart from `make book`'s) printed by Chromium, offline. See tools/build_pdf.py.
pdf: $(STAMP) browser
	$(PY) tools/build_pdf.py

# Unit tests, nbval on every notebook in chapters/ and the browser tests (the book's pages,
# JupyterLab, the PDF); the options live in [tool.pytest.ini_options] in pyproject.toml.
test: $(STAMP) $(LAB_OVERRIDES) browser
	$(NB_ENV) $(PY) -m pytest

# nbval on every chapter again, once per emulated CPU (see tools/notebook_env.py: an x86-64 CPU
# without AVX2, an AVX2 CPU without AVX-512, two threads per process). The stored outputs must
# not depend on the CPU; CI runs this after `make test`. About 2 minutes per emulation.
test-portable: $(STAMP)
	$(PY) tools/notebook_env.py check

# The browser tests and `make pdf` drive Debian's Chromium (never a downloaded browser build).
browser:
	@if [ -x $(CHROMIUM) ]; then \
	  true; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium with apt-get (needed by the browser tests and make pdf)"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "the browser tests and make pdf need $(CHROMIUM): run 'sudo apt-get install chromium' (Debian/Ubuntu)" >&2; \
	  exit 1; \
	fi

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINT_PATHS)
	$(VENV)/bin/ruff format --check $(LINT_PATHS)

format: $(STAMP)
	$(VENV)/bin/ruff check --fix $(LINT_PATHS)
	$(VENV)/bin/ruff format $(LINT_PATHS)

# Re-execute every chapter in place with the venv's kernel, then strip volatile metadata.
# Same environment as the test run (tools/notebook_env.py). Run after changing a notebook or
# wtinit_lib, so that the stored outputs (what the book shows and what nbval compares) are
# current; then `make test-portable`.
notebooks: $(STAMP)
	$(NB_ENV) $(VENV)/bin/jupyter nbconvert --to notebook --execute --inplace \
	  --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=600 $(NOTEBOOKS)
	$(PY) tools/clean_notebooks.py $(NOTEBOOKS)

lab: $(STAMP) $(LAB_OVERRIDES)
	$(NB_ENV) $(VENV)/bin/jupyter lab --ip 127.0.0.1 --no-browser $(ALLOW_ROOT)

serve:
	@test -f _build/html/index.html || { echo "No book yet: run 'make book' first" >&2; exit 1; }
	$(PYTHON) -m http.server --directory _build/html --bind 127.0.0.1 8000

clean:
	rm -rf _build .pytest_cache .ruff_cache
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path ./$(VENV) -prune -o -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
