# Two commands for a user: `make run` (set up and serve the demo) and `make test` (set up and test).
# Each step is skipped when already done, so running them again is quick.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app app
APP_STAMP := $(VENV)/.installed-app
DEV_STAMP := $(VENV)/.installed-dev
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: setup run test system-deps system-deps-test migrate demo-data

setup: system-deps $(APP_STAMP) migrate demo-data

run: setup
	@$(FLASK) demo logins
	@echo "Mở http://$(HOST):$(PORT) trong trình duyệt (Ctrl+C để dừng)."
	$(FLASK) run --host $(HOST) --port $(PORT)

test: system-deps-test setup $(DEV_STAMP)
	$(PY) -m pytest

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

migrate: $(APP_STAMP)
	@$(FLASK) db upgrade

demo-data: migrate
	@$(FLASK) directive load directives/ --if-empty
	@$(FLASK) demo activity
