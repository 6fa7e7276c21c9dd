# Everything runs from a project-local virtualenv and a project-local AIRFLOW_HOME, so a fresh
# clone needs nothing but Python 3.11 and these targets. Every target is safe to run twice.

PYTHON ?= python3
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

export AIRFLOW_HOME := $(CURDIR)/.airflow
export AIRFLOW__CORE__DAGS_FOLDER := $(CURDIR)/dags
export AIRFLOW__CORE__PLUGINS_FOLDER := $(CURDIR)/plugins
export AIRFLOW__CORE__LOAD_EXAMPLES := False
export AIRFLOW__CORE__EXECUTOR := LocalExecutor
export AIRFLOW__DATABASE__SQL_ALCHEMY_CONN := sqlite:///$(AIRFLOW_HOME)/airflow.db
export HCC_WAREHOUSE_PATH ?= $(AIRFLOW_HOME)/demo_warehouse.db
export AIRFLOW_CONN_HCC_WAREHOUSE := sqlite:///$(HCC_WAREHOUSE_PATH)
# The second demo warehouse of include/config/warehouses.yaml (dw_amer, New York).
export HCC_DW_AMER_PATH ?= $(AIRFLOW_HOME)/demo_warehouse_dw_amer.db
export AIRFLOW_CONN_HCC_DW_AMER := sqlite:///$(HCC_DW_AMER_PATH)
export HCC_PROJECT_ROOT := $(CURDIR)
export PYTHONPATH := $(CURDIR)/plugins
export NO_PROXY := *
# `airflow standalone` starts its components by running `airflow` from PATH.
export PATH := $(BIN):$(PATH)

AIRFLOW_READY := $(AIRFLOW_HOME)/.ready
# What `make env` prints: the variables above, so a shell of your own runs `hcc` and `airflow`
# against the demo exactly as the targets do.
ENV_VARS := AIRFLOW_HOME AIRFLOW__CORE__DAGS_FOLDER AIRFLOW__CORE__PLUGINS_FOLDER \
	AIRFLOW__CORE__LOAD_EXAMPLES AIRFLOW__CORE__EXECUTOR AIRFLOW__DATABASE__SQL_ALCHEMY_CONN \
	HCC_WAREHOUSE_PATH AIRFLOW_CONN_HCC_WAREHOUSE HCC_DW_AMER_PATH AIRFLOW_CONN_HCC_DW_AMER \
	HCC_PROJECT_ROOT PYTHONPATH NO_PROXY

.PHONY: venv airflow-home demo test test-fast airflow bench lint clean env

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt constraints.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt -c constraints.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Metadata DB migrated, the pools declared (sizes from core/names.py through `hcc pools`).
# `airflow db migrate` and `airflow pools import` are idempotent.
airflow-home: $(AIRFLOW_READY)

$(AIRFLOW_READY): $(STAMP)
	mkdir -p $(AIRFLOW_HOME)
	$(BIN)/airflow db migrate > $(AIRFLOW_HOME)/migrate.log 2>&1 || (cat $(AIRFLOW_HOME)/migrate.log; exit 1)
	$(BIN)/hcc pools > $(AIRFLOW_HOME)/pools.json
	$(BIN)/airflow pools import $(AIRFLOW_HOME)/pools.json > /dev/null
	touch $@

demo: $(AIRFLOW_READY)
	$(BIN)/python -m hcc_operators.demo

test: $(AIRFLOW_READY)
	$(BIN)/python -m pytest -q

# Pure logic only: no Airflow metadata DB needed.
test-fast: $(STAMP)
	$(BIN)/python -m pytest -q tests/core tests/warehouse

airflow: $(AIRFLOW_READY)
	$(BIN)/python -m hcc_operators.demo --prepare-only
	AIRFLOW__API__HOST=127.0.0.1 AIRFLOW__API__PORT=8080 $(BIN)/airflow standalone

bench: $(AIRFLOW_READY)
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check plugins dags tests bench
	$(BIN)/ruff format --check plugins dags tests bench

# Usage: eval "$$(make -s env)"  (then `hcc status`, `airflow dags list`, ... in that shell)
env:
	@$(foreach v,$(ENV_VARS),echo "export $(v)='$($(v))'";)
	@echo "export PATH='$(BIN)':\"\$$PATH\""

clean:
	rm -rf $(AIRFLOW_HOME) tests/output
