# Reproducible evaluation report: Leadership for Empowered and Healthy Communities.
#
#   make book   set up .venv from requirements.txt, run what is out of date, build HTML
#   make test   the same set-up and build, then the test suite
#   make help   every target
#
# Make, not Jupyter Book's cache, decides what runs: each notebook is a target whose
# prerequisites are the notebook, the raw data it reads and the package.  When one
# re-runs, `lehc_report.tools.execute` stores its outputs in the book's execution cache and
# the book is re-read in full (`--all`), so pages that glue from it are never stale.
# A prose-only edit re-renders without executing anything; with nothing changed,
# `make book` does no work.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules
# Three notebooks at a time (two cores, but kernels spend part of their start-up waiting);
# 02, 03 and 04 all follow 01,
# which writes the tidy table they read.  JOBS=1 for a serial build.
JOBS ?= 3
MAKEFLAGS += --jobs=$(JOBS) --output-sync=target
.DELETE_ON_ERROR:

DATA ?= data
BUILD ?= _build
VENV ?= .venv
PYTHON_BOOT ?= $(shell command -v python3.11 || command -v python3)
PY := $(VENV)/bin/python
JB := $(VENV)/bin/jupyter-book

export LEHC_DATA := $(abspath $(DATA))
export LEHC_BUILD := $(abspath $(BUILD))
export PATH := $(abspath $(VENV))/bin:$(PATH)
export MPLBACKEND := Agg
export PYDEVD_DISABLE_FILE_VALIDATION := 1
export PYTHONHASHSEED := 0

STAMPS := $(BUILD)/stamps
VENV_OK := $(VENV)/.installed
# The analysis package: what notebooks import.  tools/ (execution, PDF printer, verifier,
# benchmark, QDPX export, generator) and book/ (the Sphinx extension) shape no result,
# so editing them runs no notebook.
PACKAGE := $(shell find src/lehc_report -name '*.py' -not -path '*/__pycache__/*' -not -path '*/tools/*' -not -path '*/book/*' 2>/dev/null) pyproject.toml
FRAMEWORK := $(firstword $(wildcard $(DATA)/framework.yml) data/framework.yml)
CODEBOOK := $(firstword $(wildcard $(DATA)/codebook.yml) data/codebook.yml)
SA_RAW := $(wildcard $(DATA)/self_assessment_*.csv $(DATA)/self_assessment_*.xlsx $(DATA)/participants.csv $(DATA)/cohort.yml) $(FRAMEWORK)
QUAL_RAW := $(wildcard $(addprefix $(DATA)/,respondents.csv survey_returns.csv interview_segments.csv codings.csv double_coded.csv case_studies.yml)) $(CODEBOOK) data/survey_instrument.yml
# The privacy settings shape what is withheld and what the scan refuses: a change re-runs what uses them.
PRIVACY := privacy.yml $(wildcard data/deny_list.txt $(DATA)/deny_list.txt)
DATA_FOLDER := $(STAMPS)/data-folder
BOOK_SRC := $(wildcard book/*.md book/_static/*) _config.yml _toc.yml $(wildcard src/lehc_report/book/*.py)
NOTEBOOKS := 01_clean 02_quant 03_qual 04_robust 05_about
NB_DONE := $(NOTEBOOKS:%=$(STAMPS)/%.done)
RUN_NOTEBOOK = $(PY) -m lehc_report.tools.execute $< --cache $(BUILD)/.jupyter_cache && touch $@

.PHONY: help setup data book html pdf test verify manifest qdpx bench clean FORCE

help: ## List the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'
	@echo "  Variables: DATA=$(DATA) (cohort data folder), CHROMIUM (browser for PDF/browser tests)"

setup: $(VENV_OK) ## Create .venv from the pinned requirements (done by every target)

$(VENV_OK): requirements.txt constraints.txt pyproject.toml
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt -c constraints.txt
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	@touch $@

# Rewritten only when DATA points at another folder, so that switching cohorts re-runs everything.
# Outputs of the previous cohort are removed then, so none can be mistaken for this one's.
$(DATA_FOLDER): FORCE
	@mkdir -p $(@D); echo "$(LEHC_DATA)" | cmp -s - $@ \
	  || { rm -rf $(BUILD)/generated $(BUILD)/results $(BUILD)/tidy; echo "$(LEHC_DATA)" > $@; }

data: $(VENV_OK) ## Regenerate the synthetic self-assessment data in data/ (byte-identical)
	$(PY) -m lehc_report.tools.synthetic data

# ---- notebooks: each re-runs only when what it reads has changed -------------------

$(STAMPS)/01_clean.done: notebooks/01_clean.md $(SA_RAW) $(PACKAGE) $(DATA_FOLDER) $(VENV_OK)
	$(RUN_NOTEBOOK)
$(STAMPS)/02_quant.done: notebooks/02_quant.md $(STAMPS)/01_clean.done privacy.yml $(PACKAGE) $(VENV_OK)
	$(RUN_NOTEBOOK)
$(STAMPS)/03_qual.done: notebooks/03_qual.md $(QUAL_RAW) $(PRIVACY) $(STAMPS)/01_clean.done $(PACKAGE) $(DATA_FOLDER) $(VENV_OK)
	$(RUN_NOTEBOOK)
$(STAMPS)/04_robust.done: notebooks/04_robust.md $(STAMPS)/01_clean.done privacy.yml analysis.yml $(PACKAGE) $(VENV_OK)
	$(RUN_NOTEBOOK)
$(STAMPS)/05_about.done: notebooks/05_about.md $(SA_RAW) $(QUAL_RAW) $(PRIVACY) $(PACKAGE) $(DATA_FOLDER) requirements.txt $(VENV_OK)
	$(RUN_NOTEBOOK)

# ---- the book: built aside, swapped in only when the build succeeded ---------------
book: $(BUILD)/html/index.html ## Build the HTML report into _build/html (sets everything up)
html: book

$(BUILD)/html/index.html: $(NB_DONE) $(BOOK_SRC)
	@echo "book: building HTML$(if $(filter $(STAMPS)/% _config.yml _toc.yml,$?), (all pages re-read: results changed),)"
	$(JB) build . --path-output $(BUILD)/work --builder html -W --keep-going -q \
	  $(if $(filter $(STAMPS)/% _config.yml _toc.yml,$?),--all) \
	  || { echo "make: the HTML build failed; the previous report in $(BUILD)/html is untouched"; exit 1; }
	@rm -rf $(BUILD)/html.new $(BUILD)/html.old
	@cp -a $(BUILD)/work/_build/html $(BUILD)/html.new
	@if [ -d $(BUILD)/html ]; then mv $(BUILD)/html $(BUILD)/html.old; fi
	@mv $(BUILD)/html.new $(BUILD)/html && rm -rf $(BUILD)/html.old
	@touch $@  # cp -a keeps old mtimes; the target must be newer than what it was built from
	@echo "book: $(BUILD)/html/index.html"

# ---- the PDF: the singlehtml book printed by headless Chromium (offline) -----------
# CHROMIUM=/path/to/browser overrides the search.  Built aside and moved into place,
# so a failed build leaves the previous PDF as it was.
CHROMIUM ?= $(firstword $(wildcard /usr/bin/chromium /usr/bin/chromium-browser /usr/bin/google-chrome))
PDF := $(BUILD)/pdf/book.pdf
# singlehtml writes the root document (book/index.html) under its own name; its
# top-level index.html only redirects there.
PDF_ROOT_PAGE := $(BUILD)/work-pdf/_build/singlehtml/book/index.html

pdf: $(PDF) ## Print the report to _build/pdf/book.pdf (needs Chromium: apt-get install chromium)

# Order-only on the HTML build: the two Sphinx builds then never share the cache at once.
$(PDF): $(NB_DONE) $(BOOK_SRC) src/lehc_report/tools/pdf.py | $(BUILD)/html/index.html
	@if [ -z "$(CHROMIUM)" ] || [ ! -x "$(CHROMIUM)" ]; then \
	  echo "make: no Chromium$(if $(CHROMIUM), at CHROMIUM=$(CHROMIUM),) to print the PDF with."; \
	  echo "      Install it (Debian/Ubuntu: apt-get install chromium) or point CHROMIUM=/path/to/chromium at one."; \
	  exit 1; fi
	@echo "pdf: building the single-page book$(if $(filter $(STAMPS)/% _config.yml _toc.yml,$?), (all pages re-read),)"
	$(JB) build . --path-output $(BUILD)/work-pdf --builder singlehtml -W --keep-going -q \
	  $(if $(filter $(STAMPS)/% _config.yml _toc.yml,$?),--all) \
	  || { echo "make: the single-page build failed; the previous $(PDF) is untouched"; exit 1; }
	@mkdir -p $(@D)
	$(PY) -m lehc_report.tools.pdf $(PDF_ROOT_PAGE) $@.tmp --chromium "$(CHROMIUM)" \
	  || { rm -f $@.tmp; echo "make: printing the PDF failed; the previous $(PDF) is untouched"; exit 1; }
	@mv -f $@.tmp $@
	@echo "pdf: $@"

# ---- reproducibility: every artefact against results/MANIFEST.sha256 ----------------
manifest: book ## Record the sha256 of every result CSV, figure and table in results/MANIFEST.sha256
	$(PY) -m lehc_report.tools.verify manifest --build $(BUILD) --manifest results/MANIFEST.sha256

verify: $(VENV_OK) ## Rebuild everything from the raw data (no cache) and compare with results/MANIFEST.sha256
	$(PY) -m lehc_report.tools.verify verify --build $(BUILD) --manifest results/MANIFEST.sha256 --make "$(MAKE)"

test: book pdf ## Set up, build the HTML and PDF reports and run the test suite
	$(PY) -m pytest -q

qdpx: $(BUILD)/lehc.qdpx ## Export the qualitative coding as a REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder

$(BUILD)/lehc.qdpx: $(QUAL_RAW) $(PACKAGE) src/lehc_report/tools/qdpx.py $(DATA_FOLDER) $(VENV_OK)
	@mkdir -p $(@D)
	$(PY) -m lehc_report.tools.qdpx $(DATA) $@
	@echo "qdpx: $@ (holds every respondent's full text: for the coding team, not for publication)"

bench: $(VENV_OK) ## Time cold, no-change and prose-edit builds against a bare Jupyter Book build
	$(PY) -m lehc_report.tools.bench

clean: ## Remove everything built (keeps .venv)
	rm -rf $(BUILD)

FORCE:

# ---- the report across cohorts (issue 16) -------------------------------------------
# NETWORK=path/to/network.yml lists the cohorts (id, label, year, region, data folder
# relative to the file); see README.md.  Results go to $(BUILD)/network/results, each
# cohort's own report to $(BUILD)/network/cohorts/<id>/html, the network report to
# $(BUILD)/network/html/index.html and $(BUILD)/network/pdf/network.pdf.
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

network-demo: $(VENV_OK) ## Six synthetic cohorts in _build/network-demo (BUILD), then make network on them
	rm -rf "$(NETWORK_DEMO)"
	$(PY) -m lehc_report.tools.network demo "$(NETWORK_DEMO)"
	$(MAKE) --no-print-directory network NETWORK="$(NETWORK_DEMO)/network.yml"
