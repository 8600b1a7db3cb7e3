# Two commands for a user: `make run` (set up and serve the demo) and `make test` (set up and test).
# Each step is skipped when already done, so running them again is quick.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
APP_STAMP := $(VENV)/.installed-app
DEV_STAMP := $(VENV)/.installed-dev
# axe-core checks the pages' accessibility in the browser tests; fetched from the npm registry for the
# tests only (never served by the application)
AXE_VERSION := 4.10.3
AXE := $(VENV)/axe-core-$(AXE_VERSION)/axe.min.js
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test system-deps system-deps-test migrate demo-data

setup: system-deps $(APP_STAMP) migrate demo-data

run: setup
	@$(FLASK) demo logins
	@echo "Mở http://$(HOST):$(PORT) trong trình duyệt (Ctrl+C để dừng)."
	$(FLASK) run --host $(HOST) --port $(PORT)

test: system-deps-test setup $(DEV_STAMP) $(AXE)
	AXE_JS=$(AXE) $(PY) -m pytest

system-deps:
	@PYTHON=$(PYTHON) scripts/system-deps.sh run

system-deps-test:
	@PYTHON=$(PYTHON) scripts/system-deps.sh test

$(PY):
	$(PYTHON) -m venv $(VENV)

$(APP_STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	@touch $@

$(DEV_STAMP): requirements.txt requirements-dev.txt | $(PY)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@ $(APP_STAMP)

$(AXE): | $(PY)
	@mkdir -p $(dir $(AXE))
	@cd $(dir $(AXE)) && npm pack axe-core@$(AXE_VERSION) --silent >/dev/null && \
		tar xzf axe-core-$(AXE_VERSION).tgz --strip-components=1 package/axe.min.js package/LICENSE && \
		rm axe-core-$(AXE_VERSION).tgz

migrate: $(APP_STAMP)
	@$(FLASK) db upgrade

demo-data: migrate
	@$(FLASK) directive load directives/ --if-empty
	@$(FLASK) demo activity
	@$(FLASK) signing demo >/dev/null
	@$(FLASK) exchange codes >/dev/null
