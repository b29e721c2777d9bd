# Reproducible evaluation report: Leadership for Empowered and Healthy Communities.
#
#   make book   set up .venv from requirements.txt, run what is out of date, build HTML
#   make test   the same set-up and build, then the test suite
#   make help   every target
#
# Content, not dates, decides what runs.  Before Make looks at anything,
# `lehc_report.tools.build prepare` checks and marks the build folder and hashes what each
# notebook reads (data files by the one fallback rule of lehc_report.inputs.folder,
# settings, package, notebook, and which files are present), rewriting
# $(BUILD)/stamps/<nb>.inputs only when that hash changed.  Then Make runs *inside* the
# build folder (a second pass of this file, LEHC_INNER=1), where every target and
# prerequisite is a short relative name: a BUILD or DATA path with spaces or non-ASCII
# characters, or a data file named `self_assessment_end (1).csv`, never reaches Make's
# prerequisite lists.  A notebook that re-runs is stored by `lehc_report.tools.execute` in
# the build's execution cache and the book is re-read in full (`--all`); a prose-only edit
# re-renders without executing anything; with nothing changed `make book` does no work.
#
# BUILD (default _build) holds everything of one build: execution cache, tidy data,
# results, generated tables and figures, logs, Sphinx work folders, pages, PDF.  The
# chapters name generated files by name only (```{generated-table} framework```), and
# lehc_report.book.sphinxext finds them in this build's folder.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules
.DELETE_ON_ERROR:

DATA ?= data
BUILD ?= _build
VENV ?= .venv
PY := $(VENV)/bin/python
# Jupyter Book's command line without the import that costs 1.6 s a run (see the module).
JB := $(PY) -m lehc_report.tools.jupyter_book
# Read by lehc_report.paths.get_paths alone (relative values are relative to the project).
export LEHC_DATA := $(DATA)
export LEHC_BUILD := $(BUILD)
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PYTHONHASHSEED := 0
# Dates in every output (About page, PDF) come from the source, never the clock: the last
# commit's time, else 1 January 2013.  Never exported empty (Sphinx reads it as a float).
SOURCE_DATE_EPOCH ?= $(or $(shell git log -1 --format=%ct 2>/dev/null),1356998400)
export SOURCE_DATE_EPOCH
NOTEBOOKS := 01_clean 02_quant 03_qual 04_robust 05_about
CHROMIUM ?= $(firstword $(wildcard /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome))

ifndef LEHC_INNER
# ==== in the project folder ==========================================================
# Make runs independent targets side by side (JOBS=1: one at a time, and one notebook at a
# time); how many notebooks run at once is the notebook runner's (one per CPU).
MAKEFLAGS += --jobs=$(or $(JOBS),3) --output-sync=target
PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3)
VENV_OK := $(VENV)/.installed
export PATH := $(abspath $(VENV))/bin:$(PATH)
# Check and mark BUILD, write the fingerprints, then make $(1) inside the build folder,
# holding the build's lock (lehc_report.tools.publish): a second build of the same
# folder waits for the first, and a lock left by a killed build never blocks.
IN_BUILD = build="$$($(PY) -m lehc_report.tools.build prepare)" && \
  $(PY) -m lehc_report.tools.publish lock "$$build" -- \
  $(MAKE) --no-print-directory -C "$$build" -f "$(CURDIR)/Makefile" LEHC_INNER=1 ROOT="$(CURDIR)" $(1)

.PHONY: help setup data book html pdf docx lab test test-full verify manifest qdpx bench clean

help: ## List the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' Makefile | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'
	@echo "  Variables: DATA=$(DATA) (cohort data folder), BUILD=$(BUILD) (build folder), CHROMIUM (browser for PDF/browser tests)"

setup: $(VENV_OK) ## Create .venv from the pinned requirements (done by every target)

$(VENV_OK): requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

data: $(VENV_OK) ## Regenerate the synthetic self-assessment data in data/ (byte-identical)
	$(PY) -m lehc_report.tools.synthetic data

book: $(VENV_OK) ## Build the HTML report into $(BUILD)/html (sets everything up)
	@+$(call IN_BUILD,html/index.html)
html: book

pdf: $(VENV_OK) ## Print the report to $(BUILD)/pdf/book.pdf, the notebooks to pdf/notebooks.pdf (needs Chromium)
	@+$(call IN_BUILD,pdf/book.pdf)

qdpx: $(VENV_OK) ## Export the qualitative coding as a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder
	@+$(call IN_BUILD,lehc.qdpx)

# Word for reviewers: the report's pages of the HTML build, through pandoc (which ships
# inside the pypandoc-binary wheel: nothing is downloaded); the analysis notebooks are
# left out, as in the PDF.  Two builds from the same HTML are byte-identical.
docx: $(VENV_OK) ## Write the report as Word ($(BUILD)/docx/report.docx) for reviewers' comments
	@+$(call IN_BUILD,docx/report.docx)

# JupyterLab for working on a notebook: the MyST notebooks open as notebooks (jupytext;
# .jupyter/ holds the project's JupyterLab settings), and kernels get the environment the
# build gives notebook runs (LEHC_DATA, LEHC_BUILD, ... exported above).  The notebooks
# read the tidy table notebook 01 writes, so that runs first if it is out of date.  The
# "+" lets the server's log (its URL with the token) through as it is written.  Listens
# on 127.0.0.1 only; --allow-root only when run as root (containers, CI).
LAB_PORT ?= 8888
lab: $(VENV_OK) ## Start JupyterLab on LAB_PORT=8888 (no browser) for DATA/BUILD; prints the URL with its token
	@+$(call IN_BUILD,stamps/notebooks.done)
	+JUPYTER_CONFIG_DIR="$(abspath .jupyter)" $(VENV)/bin/jupyter lab --no-browser \
	  --ServerApp.port=$(LAB_PORT) --ServerApp.port_retries=0 --ServerApp.root_dir="$(CURDIR)" \
	  --ServerApp.ip=127.0.0.1 --LabApp.extension_manager=readonly $(if $(filter 0,$(shell id -u)),--allow-root)

# ---- reproducibility: every artefact against results/MANIFEST.sha256 ----------------
manifest: book ## Record the sha256 of every result CSV, figure and table in results/MANIFEST.sha256
	$(PY) -m lehc_report.tools.verify manifest --build "$$LEHC_BUILD" --manifest results/MANIFEST.sha256

verify: $(VENV_OK) ## Rebuild everything from the raw data (no cache) and compare with results/MANIFEST.sha256
	$(PY) -m lehc_report.tools.verify verify --build "$$LEHC_BUILD" --manifest results/MANIFEST.sha256 --make "$(MAKE)"

test: $(VENV_OK) ## Set up, build the HTML, PDF and Word reports and run the test suite (all but the slow checks)
	@+$(call IN_BUILD,html/index.html pdf/book.pdf docx/report.docx)
	$(PY) -m pytest -q -m "not slow"

test-full: $(VENV_OK) ## The slow checks (whole builds in copies, kill loops, loaded machine, browser payloads, JupyterLab); run after make test
	@+$(call IN_BUILD,html/index.html pdf/book.pdf docx/report.docx)
	$(PY) -m pytest -q -m slow

bench: $(VENV_OK) ## Time cold, notebook-edit, no-change and prose-edit builds against a bare Jupyter Book build
	$(PY) -m lehc_report.tools.bench

clean: ## Remove the build folder $(BUILD), if it is one (marked); keeps .venv
	@$(PY) -m lehc_report.tools.build clean

else
# ==== inside the build folder (CURDIR = BUILD; ROOT = the project) ===================
# Recipes run project commands from ROOT, and name the build folder as "$(CURDIR)".
NB_DONE := stamps/notebooks.done
# Pages are re-read in full when a notebook ran or the book's configuration changed.
REREAD_ALL = $(filter-out stamps/book.inputs,$?)

# One process runs the notebooks that are out of date (stamps/<nb>.done older than
# stamps/<nb>.inputs) and those that read what they write: 02, 03 and 04 read the tidy
# table 01 writes.  One notebook per CPU at a time (JOBS=1: one at a time), each in a kernel
# forked from a process that imported the analysis stack once (lehc_report.tools.forked_kernels).
NOTEBOOK_NEEDS := 02_quant=01_clean 03_qual=01_clean 04_robust=01_clean
$(NB_DONE): $(NOTEBOOKS:%=stamps/%.inputs)
	@cd "$(ROOT)" && $(PY) -m lehc_report.tools.execute $(NOTEBOOKS:%=notebooks/%.md) --cache "$(CURDIR)/.jupyter_cache" \
	  --stamps "$(CURDIR)/stamps" --needs $(NOTEBOOK_NEEDS) $(if $(JOBS),--jobs $(JOBS))
	@touch $@

# ---- the book: built aside, swapped in only when the build succeeded ---------------
# Precious: stopped by a signal (Ctrl-C, SIGTERM) after the swap, Make would otherwise
# delete the target, the published report's index.html (or the PDF), as it changed.
.PRECIOUS: html/index.html pdf/book.pdf
# A Sphinx build that did not finish (killed, or failed) can leave a page cut short with
# a new date, which the next incremental build would take as up to date, and a search
# index without the pages it wrote.  $(1)/.unfinished exists from the start of a Sphinx
# build until it succeeds; found at the start, it holds "--all": every page is re-read
# and rewritten.
SPHINX_STARTS = mkdir -p $(1) && if test -e $(1)/.unfinished; then echo --all > $(1)/.unfinished; else : > $(1)/.unfinished; fi
html/index.html: $(NB_DONE) stamps/book.inputs stamps/book-config.inputs
	@echo "book: building HTML$(if $(REREAD_ALL), (all pages re-read: results or configuration changed),)"
	@$(call SPHINX_STARTS,work)
	@cd "$(ROOT)" && $(JB) build . --path-output "$(CURDIR)/work" --builder html -W --keep-going -q \
	  $(if $(REREAD_ALL),--all) $$(cat "$(CURDIR)/work/.unfinished") \
	  || { echo "make: the HTML build failed; the previous report in $(CURDIR)/html is untouched"; exit 1; }
	@rm -f work/.unfinished
	@cd "$(ROOT)" && $(PY) -m lehc_report.tools.exit_gate --build "$(CURDIR)" --data "$$LEHC_DATA" --html --pages "$(CURDIR)/work/_build/html" || { echo "make: personal data in the outputs (above); the previous report in $(CURDIR)/html is untouched"; exit 1; }
	@# html is a symbolic link to a complete version, replaced by one rename (atomic):
	@# killed at any moment, a complete report, the previous or the new one, is in place.
	@cd "$(ROOT)" && $(PY) -m lehc_report.tools.publish copy "$(CURDIR)/work/_build/html" "$(CURDIR)/html" >/dev/null
	@touch $@  # the copy keeps old mtimes; the target must be newer than what it was built from
	@echo "book: $(CURDIR)/html/index.html"

# ---- the PDF: the singlehtml book printed by headless Chromium (offline) -----------
# Two PDFs from one page: book.pdf, the report (chapters, appendices, data chapter), and
# notebooks.pdf, the analysis notebooks for reviewers (see lehc_report.tools.pdf.PARTS).
# CHROMIUM=/path/to/browser overrides the search.  Built aside and moved into place,
# so a failed build leaves the previous PDF as it was.  singlehtml writes the root
# document (book/index.html) under its own name; its top-level index.html only redirects there.
# Order-only on the HTML build: the two Sphinx builds then never share the cache at once.
pdf/book.pdf: $(NB_DONE) stamps/book.inputs stamps/book-config.inputs stamps/pdf.inputs | html/index.html
	@if [ -z "$(CHROMIUM)" ] || [ ! -x "$(CHROMIUM)" ]; then \
	  echo "make: no Chromium$(if $(CHROMIUM), at CHROMIUM=$(CHROMIUM),) to print the PDF with."; \
	  echo "      Install it (Debian/Ubuntu: apt-get install chromium) or point CHROMIUM=/path/to/chromium at one."; \
	  exit 1; fi
	@echo "pdf: building the single-page book$(if $(REREAD_ALL), (all pages re-read),)"
	@$(call SPHINX_STARTS,work-pdf)
	@cd "$(ROOT)" && $(JB) build . --path-output "$(CURDIR)/work-pdf" --builder singlehtml -W --keep-going -q \
	  $(if $(REREAD_ALL),--all) $$(cat "$(CURDIR)/work-pdf/.unfinished") \
	  || { echo "make: the single-page build failed; the previous $(CURDIR)/pdf/book.pdf is untouched"; exit 1; }
	@rm -f work-pdf/.unfinished
	@mkdir -p pdf
	@# The printer writes beside the page and replaces pdf/book.pdf by one rename.
	@# The exit gate reads both PDFs before either replaces its predecessor.
	@cd "$(ROOT)" && $(PY) -m lehc_report.tools.pdf "$(CURDIR)/work-pdf/_build/singlehtml/book/index.html" "$(CURDIR)/$@" --notebooks "$(CURDIR)/pdf/notebooks.pdf" --chromium "$(CHROMIUM)" --exit-gate "$$LEHC_DATA" \
	  || { echo "make: the PDF was not published (above); the previous $(CURDIR)/pdf/book.pdf is untouched"; exit 1; }
	@echo "pdf: $(CURDIR)/$@"

docx/report.docx: html/index.html stamps/docx.inputs
	cd "$(ROOT)" && $(PY) -m lehc_report.tools.docx --html "$(CURDIR)/html" --toc _toc.yml --out "$(CURDIR)/$@" --exit-gate "$$LEHC_DATA"

lehc.qdpx: stamps/03_qual.inputs stamps/qdpx.inputs
	cd "$(ROOT)" && $(PY) -m lehc_report.tools.exit_gate --inputs-for-qdpx --data "$$LEHC_DATA"
	cd "$(ROOT)" && $(PY) -m lehc_report.tools.qdpx "$$LEHC_DATA" "$(CURDIR)/$@"
	cd "$(ROOT)" && $(PY) -m lehc_report.tools.exit_gate --build "$(CURDIR)" --data "$$LEHC_DATA" --qdpx
	@echo "qdpx: $(CURDIR)/$@ (holds every respondent's full text: for the coding team, not for publication)"
endif

ifndef LEHC_INNER
# ---- the report across cohorts (issue 16) -------------------------------------------
# NETWORK=path/to/network.yml lists the cohorts (id, label, year, region, data folder
# relative to the file); see README.md.  Results go to $(BUILD)/network/results, each
# cohort's own report to $(BUILD)/network/cohorts/<id>/html (a build folder of its own),
# the network report to $(BUILD)/network/html/index.html and $(BUILD)/network/pdf/network.pdf.
NETWORK ?=
NETWORK_DEMO := $(BUILD)/network-demo
NEED_NETWORK = @test -n "$(NETWORK)" || { echo "make: give NETWORK=path/to/network.yml (make network-demo writes and builds an example)"; exit 1; }
.PHONY: network network-results network-demo

network-results: $(VENV_OK) ## Every cohort's and the pooled results of NETWORK=file.yml (no HTML)
	$(NEED_NETWORK)
	$(PY) -m lehc_report.tools.network results "$(NETWORK)" --build "$(BUILD)"

network: $(VENV_OK) ## Each cohort's report, then the network report (HTML, PDF) of NETWORK=file.yml
	$(NEED_NETWORK)
	+MAKE="$(MAKE)" $(PY) -m lehc_report.tools.network cohorts "$(NETWORK)" --build "$(BUILD)"
	$(PY) -m lehc_report.tools.network report "$(NETWORK)" --build "$(BUILD)" --chromium "$(CHROMIUM)"

network-demo: $(VENV_OK) ## Seven synthetic cohorts in $(BUILD)/network-demo, then make network on them
	rm -rf "$(NETWORK_DEMO)"
	$(PY) -m lehc_report.tools.network demo "$(NETWORK_DEMO)" --build "$(BUILD)"
	$(MAKE) --no-print-directory network NETWORK="$(NETWORK_DEMO)/network.yml"
endif
