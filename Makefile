# The two commands of the README: `make run` and `make test`. Everything else here serves them.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 6543
INI ?= development.ini
PACKAGES := trainings participants certificates evaluations reports

ifdef DATABASE_URL
export DATABASE_URL
endif

.PHONY: run test lint catalogs extract-messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip setuptools wheel

# Reinstall when the dependency list changes; the stamp files keep repeated runs fast.
$(VENV)/.installed: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-testing: setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[testing]'
	touch $@ $(VENV)/.installed

# Message catalogs are compiled at install time; .mo files are never committed. Only the
# catalogs that changed are compiled again (a second `make run` starts no compiler).
# Beside each package's `capacita` domain, trainings/locale holds what deform's and colander's own
# catalogs leave untranslated (their `deform` and `colander` domains; it takes precedence).
CATALOGS := $(wildcard $(addsuffix /locale/*/LC_MESSAGES/*.po,$(PACKAGES)))
catalogs: $(CATALOGS:.po=.mo)
%.mo: %.po | $(BIN)/python
	@$(BIN)/pybabel --quiet compile -D $(notdir $*) -i $< -o $@

# Links in emails and certificates point to the port being served. `capacita serve` migrates
# (when behind), loads the demo (when empty), makes an account (when none), then serves with a
# `capacita worker` beside it (mail into var/mail/*.eml, certificate PDFs) — one start-up of
# the application; Ctrl-C stops both.
run: export CAPACITA_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
run: export PYTHONWARNINGS = ignore:pkg_resources is deprecated
run: $(VENV)/.installed catalogs
	@$(BIN)/capacita -c $(INI) serve --port $(PORT) --remember var/organiser-login.txt

lint: $(VENV)/.installed-testing
	$(BIN)/ruff check .

# axe-core (accessibility checks in the browser tests) comes from the npm registry; the browser
# itself is Debian's Chromium — nothing downloads a browser.
AXE := $(VENV)/npm/node_modules/axe-core/axe.min.js
$(AXE):
	@if command -v chromium >/dev/null && command -v npm >/dev/null; then \
	  npm install --silent --no-audit --no-fund --prefix $(VENV)/npm axe-core@4.10; fi

test: $(VENV)/.installed-testing catalogs lint $(AXE)
	@command -v chromium >/dev/null || echo "** Chromium is not installed: the browser tests (tests/browser) are SKIPPED. apt-get install chromium to run them."
	$(BIN)/pytest

# For developers: refresh each package's catalogs after changing user-visible strings.
# The trainings package also owns the shared layout and the error pages.
TEMPLATES_trainings := templates/trainings templates/errors templates/layout.jinja2
TEMPLATES_participants := templates/participants
TEMPLATES_certificates := templates/certificates
TEMPLATES_evaluations := templates/evaluations
TEMPLATES_reports := templates/reports
extract-messages: $(VENV)/.installed-testing
	@for package in $(PACKAGES); do \
	  case $$package in trainings) templates="$(TEMPLATES_trainings)";; participants) templates="$(TEMPLATES_participants)";; \
	    certificates) templates="$(TEMPLATES_certificates)";; reports) templates="$(TEMPLATES_reports)";; \
	    evaluations) templates="$(TEMPLATES_evaluations)";; esac; \
	  mkdir -p $$package/locale; \
	  $(BIN)/pybabel --quiet extract -F babel.cfg --project=capacita --no-location --sort-output --width=100 \
	    -o $$package/locale/capacita.pot $$package $$(for t in $$templates; do [ -e $$t ] && echo $$t; done) && \
	  for lang in es en fr; do \
	    if [ -f $$package/locale/$$lang/LC_MESSAGES/capacita.po ]; then \
	      $(BIN)/pybabel --quiet update -N --ignore-obsolete --width=100 -D capacita -i $$package/locale/capacita.pot -d $$package/locale -l $$lang; \
	    else \
	      $(BIN)/pybabel --quiet init --width=100 -D capacita -i $$package/locale/capacita.pot -d $$package/locale -l $$lang; \
	    fi; \
	  done; \
	done

clean:
	rm -rf $(VENV) var .pytest_cache .ruff_cache
