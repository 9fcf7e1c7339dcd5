# The two commands a newcomer needs: `make demo` (the whole pipeline, locally) and `make test` (every test).
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
SAM_VENV := .venv-sam
PY := $(VENV)/bin/python
export SAM_CLI_TELEMETRY := 0
export PYTHONDONTWRITEBYTECODE := 1

PYTHON313 := $(shell scripts/find-python313)

.PHONY: help demo test lint typecheck template-check build ci clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements-dev.txt layers/shared/requirements.txt
	$(PYTHON313) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(SAM_VENV)/.installed: requirements-sam.txt
	$(PYTHON313) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(SAM_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-sam.txt
	touch $@

demo: $(VENV)/.installed  ## run the whole pipeline locally: moto server + ICEYE simulator, no Docker, no AWS account
	PYTHONPATH=layers/shared:local $(PY) -m relay_local $(ARGS)

test: $(VENV)/.installed  ## run every test (unit, integration on moto + simulator, end-to-end)
	$(PY) -m pytest $(ARGS)

lint: $(VENV)/.installed  ## ruff
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: $(VENV)/.installed  ## mypy --strict
	$(VENV)/bin/mypy

template-check: $(VENV)/.installed $(SAM_VENV)/.installed  ## cfn-lint, sam validate --lint, and cfn-lint of the SAM-expanded template
	$(VENV)/bin/cfn-lint template.yaml
	$(SAM_VENV)/bin/sam validate --lint --region us-east-1
	AWS_DEFAULT_REGION=us-east-1 $(SAM_VENV)/bin/sam validate --region us-east-1
	$(PY) scripts/expand_template.py template.yaml > .expanded-template.json
	$(VENV)/bin/cfn-lint --ignore-checks W1020 -- .expanded-template.json

build: $(SAM_VENV)/.installed  ## sam build (no container; the python3.13 interpreter must be on PATH)
	PATH="$(dir $(PYTHON313)):$$PATH" $(SAM_VENV)/bin/sam build --cached --parallel

ci: lint typecheck template-check build test  ## everything CI runs

clean:  ## remove venvs and build output
	rm -rf $(VENV) $(SAM_VENV) .aws-sam .expanded-template.json .pytest_cache .mypy_cache .ruff_cache
