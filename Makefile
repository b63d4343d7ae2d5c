# Two commands for a newcomer: `make run` and `make test`. Each installs what it needs.
SHELL := /bin/bash
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
export DATABASE_URL ?= postgresql+asyncpg://root@127.0.0.1:5432/hotline
export AMQP_URL ?= amqp://guest:guest@127.0.0.1:5672/
export S3_ENDPOINT ?= 127.0.0.1:9000

.PHONY: install run test bench bench-intake migrate seed dept-queue lint

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) -m services.cli migrate

seed: migrate
	$(PY) -m services.cli seed

run: seed
	@mkdir -p var
	@$(PY) -m services.cli procfile > var/Procfile
	@echo "Starting the platform (Ctrl-C stops all):"
	@$(PY) -m services.cli banner
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(VENV)/bin/honcho -f var/Procfile -d $(CURDIR) start

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

bench: install
	PATH=$(CURDIR)/$(VENV)/bin:$$PATH $(PY) -m bench.platform $(if $(N),--tickets $(N)) $(if $(C),--concurrency $(C)) $(if $(RATE),--rate $(RATE))

bench-intake: install
	$(PY) -m bench.intake $(if $(N),--tickets $(N)) $(if $(C),--concurrency $(C)) $(if $(RATE),--rate $(RATE))

dept-queue: install
	$(PY) -m services.cli dept-queue $(UNIT)

lint: install
	$(VENV)/bin/ruff check services tests bench
