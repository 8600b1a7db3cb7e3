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
# the suite runs in one process per core (pytest-xdist); TEST_WORKERS=0 runs it in this process alone
TEST_WORKERS ?= auto
PORT ?= 5000
# DEMO=1 (default): the demo, with its accounts whose password everybody knows; `make run DEMO=0`: a real
# server, `flask setup --production` (one administrator, password printed once, no demo data)
DEMO ?= 1
export DEMO

.PHONY: setup run dev test system-deps system-deps-test migrate demo-data production-data

setup: system-deps $(APP_STAMP) migrate $(if $(filter 1,$(DEMO)),demo-data,production-data)

# gunicorn (gunicorn.conf.py: WEB_WORKERS processes × WEB_THREADS threads) and one job consumer (Huey;
# SQLite storage in instance/ unless REDIS_URL is set) in the background, stopped with the server;
# `make dev` keeps Flask's development server with the reloader and the debugger
run: setup
	@if [ "$(DEMO)" = 1 ]; then echo "CHẾ ĐỘ TRÌNH DIỄN (DEMO=1): dữ liệu mẫu, mật khẩu demo1234 ai cũng biết. Máy chủ thật: make run DEMO=0."; fi
	@$(FLASK) demo logins
	@echo "Mở http://$(HOST):$(PORT) trong trình duyệt (Ctrl+C để dừng)."
	@$(FLASK) jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		HOST=$(HOST) PORT=$(PORT) $(VENV)/bin/gunicorn -c gunicorn.conf.py

dev: setup
	@if [ "$(DEMO)" = 1 ]; then echo "CHẾ ĐỘ TRÌNH DIỄN (DEMO=1): dữ liệu mẫu, mật khẩu demo1234 ai cũng biết."; fi
	@$(FLASK) demo logins
	@$(FLASK) jobs worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
		$(FLASK) run --debug --host $(HOST) --port $(PORT)

test: system-deps-test setup $(DEV_STAMP) $(AXE)
	$(VENV)/bin/ruff check app tests bench
	AXE_JS=$(AXE) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile

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
	@$(FLASK) setup --demo
	@$(FLASK) signing demo >/dev/null
	@$(FLASK) exchange codes >/dev/null

production-data: migrate
	@$(FLASK) setup --production
