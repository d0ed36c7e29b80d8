# The two commands of the README: `make demo` (score the bundled examples) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test lint install train bench

$(BIN)/reliability: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/reliability

demo: install
	$(BIN)/reliability score service/examples/*.json service/examples/*.txt service/examples/*.html

lint: install
	$(BIN)/ruff check service training tests bench
	$(BIN)/mypy service training

test: lint
	$(BIN)/pytest -q

train: install
	$(BIN)/python -m training --data ../shared/data

bench: install
	$(BIN)/python bench/bench_scoring.py
