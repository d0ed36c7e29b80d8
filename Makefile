# The two commands of the README: `make demo` (score the bundled examples) and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo serve test test-wordpress lint install train reproduce bench

$(BIN)/reliability: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

install: $(BIN)/reliability

# Scores the bundled examples into a fresh SQLite store (.demo/store.db), as `serve` would store them.
demo: install
	rm -rf .demo
	$(BIN)/reliability score --db .demo/store.db service/examples/*.json service/examples/*.txt service/examples/*.html

serve: install
	$(BIN)/reliability serve

lint: install
	$(BIN)/ruff check service training tests bench
	$(BIN)/mypy service training

test: lint
	$(BIN)/pytest -q

# The WordPress plugin's tests alone (`make test` runs them too): a real WordPress (Debian's
# package), MariaDB, `php -S`, a live `reliability serve` and headless chromium; artifacts
# (screenshots, logs, timings.json) in test-artifacts/wordpress/.
test-wordpress: install
	$(BIN)/ruff check tests/wordpress
	$(BIN)/pytest -q tests/wordpress

train: install
	$(BIN)/python -m training --data ../shared/data

# Trains every artifact twice from the data into a temporary folder: the two runs must be
# byte-identical, and models/ the same model (thresholds identical, cards equal but for their
# sha256 and the float noise of another CPU: see training/reproduce.py).
reproduce: install
	rm -rf .reproduce
	$(BIN)/python -m training --data ../shared/data --out .reproduce/first
	$(BIN)/python -m training --data ../shared/data --out .reproduce/second
	$(BIN)/python -m training.reproduce .reproduce/first .reproduce/second models
	rm -rf .reproduce

bench: install
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_api_latency.py
