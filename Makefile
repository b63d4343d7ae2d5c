# Two commands for a newcomer: `make run` and `make test`. Each installs what it needs.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export DATABASE_URL ?= postgresql+asyncpg://root@127.0.0.1:5432/hotline
export AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672/
export S3_ENDPOINT ?= 127.0.0.1:9000

CONSOLE := services/console
# The console's front-end libraries come from npm (package-lock.json); their dist files are
# copied into static/vendor, which git ignores.
VENDOR := $(CONSOLE)/static/vendor/.installed
H5 := services/console/h5
H5_VENDOR := $(H5)/static/vendor/.installed

.PHONY: install run test test-faults bench bench-intake bench-console migrate seed dept-queue lint browser

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

$(VENDOR): $(CONSOLE)/package.json $(CONSOLE)/package-lock.json
	cd $(CONSOLE) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(CONSOLE)/static/vendor
	cp $(CONSOLE)/node_modules/htmx.org/dist/htmx.min.js $(CONSOLE)/static/vendor/
	touch $@

$(H5_VENDOR): $(H5)/package.json $(H5)/package-lock.json
	cd $(H5) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	mkdir -p $(H5)/static/vendor/leaflet
	cp $(H5)/node_modules/htmx.org/dist/htmx.min.js $(H5)/static/vendor/
	cp $(H5)/node_modules/leaflet/dist/leaflet.js $(H5)/node_modules/leaflet/dist/leaflet.css $(H5)/static/vendor/leaflet/
	touch $@

install: $(VENV)/.installed $(VENDOR) $(H5_VENDOR)

# The browser tests drive Debian's Chromium; installed where we may (root), else say what is missing.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; } || \
		{ echo "chromium is missing: apt-get install chromium fonts-noto-cjk"; exit 1; }

migrate: install
	$(PY) -m services.cli migrate

seed: migrate
	$(PY) -m services.cli seed

run: seed
	@mkdir -p var
	@$(PY) -m services.cli procfile > var/Procfile
	@echo "Starting the platform (Ctrl-C stops all):"
	@$(PY) -m services.cli banner
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(PY) -m services.cli supervise var/Procfile

test: install browser
	$(PY) -m pytest $(PYTEST_ARGS)

# PostgreSQL and RabbitMQ cut away from the services through the tests' own TCP proxy
# (part of `make test` too).
test-faults: install
	$(PY) -m pytest tests/faults $(PYTEST_ARGS)

bench: install
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(PY) -m bench.platform $(if $(N),--tickets $(N)) $(if $(C),--concurrency $(C)) $(if $(RATE),--rate $(RATE))

bench-console: install
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(PY) -m bench.console $(if $(N),--tickets $(N)) $(if $(C),--concurrency $(C)) $(if $(DB),--database $(DB))

bench-intake: install
	$(PY) -m bench.intake $(if $(N),--tickets $(N)) $(if $(C),--concurrency $(C)) $(if $(RATE),--rate $(RATE))

.PHONY: bench-classifier classifier
bench-classifier: install
	$(PY) -m bench.classifier $(if $(ROUNDS),--rounds $(ROUNDS))

# A fresh install has no dispatcher history: the routing classifier starts from the corpus.
classifier: migrate
	$(PY) -m services.cli routing-train --corpus tests/routing/corpus/train.jsonl

dept-queue: install
	$(PY) -m services.cli dept-queue $(UNIT)

lint: install
	$(VENV)/bin/ruff check services tests bench
