# tokki-analytics: two commands on a fresh machine.
#   make demo   set up .venv and audit data_samples/ into reports/
#   make test   set up .venv with the test tools and run the tests
#   make lab    open the notebooks (tokki_analytics/notebooks/) in JupyterLab
#   make generate  rewrite what is derived from the declarations (rules, forms, settings):
#               the GX suites (tokki_analytics/gx/expectations/), docs/FORMS.md and
#               docs/RULES.md; tests fail while a committed copy is stale
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
export GX_ANALYTICS_ENABLED := False
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test lint format samples generate clean setup setup-test lab

demo: $(VENV)/.installed-run
	$(BIN)/tokki load data_samples
	$(BIN)/tokki run data_samples --out reports --history reports/.history
	$(BIN)/tokki notebook briefing --data data_samples --contractor C001 --run reports \
	  --out reports/briefing
	$(BIN)/tokki template data_samples --all --force --out reports/templates
	$(BIN)/tokki check data_samples/C002_有限会社玉野ソリューションズ --data data_samples \
	  --out reports/intake_C002 --quiet || [ $$? -eq 1 ]

# Open JupyterLab on the notebooks (package data: tokki_analytics/notebooks/) with the
# project's kernel (python3 of .venv), on this machine only; without JupyterLab's news feed,
# update check and PyPI extension search (nothing leaves the machine); kernels reached over
# local sockets rather than TCP ports; the notebook's own kernel started without asking
# (.lab-settings/overrides.json in the notebooks folder).
LAB_FLAGS := --ServerApp.ip=127.0.0.1 --LabApp.news_url=None \
  --LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate \
  --LabApp.extension_manager=readonly --KernelManager.transport=ipc \
  --LabApp.app_settings_dir=tokki_analytics/notebooks/.lab-settings
LAB_ROOT := $(shell [ "$$(id -u)" = 0 ] && echo --allow-root)
lab: $(VENV)/.installed-run
	$(BIN)/jupyter lab tokki_analytics/notebooks $(LAB_FLAGS) $(LAB_ROOT)

# System packages the tests need, installed when missing (defined before the rules that list
# them: make expands a prerequisite when it reads the rule). Debian's Chromium drives the
# browser tests (playwright uses it and downloads no browser); a Japanese font renders the
# screenshots' text; a Java runtime runs the Spark engine's tests (pyspark starts a JVM);
# LibreOffice Calc (headless) opens, edits (through its Python bridge, python3-uno, driven by
# Debian's python3) and saves tokki's workbooks as an auditor or contractor without Excel
# would. CHROMIUM, JA_FONT, JAVA, LIBREOFFICE and UNO_MODULE may point elsewhere; the install
# step is planned whenever the file is missing.
CHROMIUM ?= /usr/bin/chromium
JA_FONT ?= /usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf
JAVA ?= $(or $(shell command -v java),/usr/bin/java)
LIBREOFFICE ?= /usr/bin/soffice
UNO_MODULE ?= /usr/lib/python3/dist-packages/uno.py
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends
$(CHROMIUM):
	$(APT_INSTALL) chromium || ($(SUDO) apt-get update -qq && $(APT_INSTALL) chromium)
$(JA_FONT):
	$(APT_INSTALL) fonts-ipaexfont-gothic \
	  || ($(SUDO) apt-get update -qq && $(APT_INSTALL) fonts-ipaexfont-gothic)
$(JAVA):
	$(APT_INSTALL) default-jre-headless \
	  || ($(SUDO) apt-get update -qq && $(APT_INSTALL) default-jre-headless)
$(LIBREOFFICE):
	$(APT_INSTALL) libreoffice-calc-nogui \
	  || ($(SUDO) apt-get update -qq && $(APT_INSTALL) libreoffice-calc-nogui)
$(UNO_MODULE): | $(LIBREOFFICE)
	$(APT_INSTALL) python3-uno || ($(SUDO) apt-get update -qq && $(APT_INSTALL) python3-uno)

# The tests, then the linters: ruff (style, complexity 10) and mypy (every function of the
# package annotated and type-checked; configuration in pyproject.toml).
# Test files run in parallel on every core (pytest-xdist; one file stays in one worker).
test: $(VENV)/.installed-test $(CHROMIUM) $(JA_FONT) $(JAVA) $(LIBREOFFICE) $(UNO_MODULE)
	$(BIN)/python -m pytest -q -n auto --dist loadfile
	$(BIN)/ruff check .
	$(BIN)/mypy

lint: $(VENV)/.installed-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: $(VENV)/.installed-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Regenerate what is derived from the declarations: the expectation suites (package data)
# and the references docs/FORMS.md and docs/RULES.md.
generate: $(VENV)/.installed-run
	$(BIN)/python -m tokki_analytics.gx.suites
	$(BIN)/python -m tokki_analytics.docs

# Regenerate the committed sample prefecture and its answer key.
samples: $(VENV)/.installed-run
	rm -rf data_samples tests/answer_keys/data_samples
	$(BIN)/tokki samples data_samples --contractors 8 --seed 1 --key-dir tests/answer_keys/data_samples


setup: $(VENV)/.installed-run
setup-test: $(VENV)/.installed-test

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is needed"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-run: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[notebooks]"
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed-run

clean:
	rm -rf $(VENV) reports .pytest_cache .ruff_cache .hypothesis
