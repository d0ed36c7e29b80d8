# The two commands of the README: `make demo` (score the bundled examples) and `make test`
# (everything the tests need, then lint, import contracts, the suite and the reproducibility
# check; .ci/run runs exactly `make test`).
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo serve test system-deps test-wordpress lint install train reproduce bench

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

# Debian packages (tests/debian-packages.txt) and a PostgreSQL server, where missing (needs root
# to install: it says so and exits 3 otherwise).
system-deps:
	bash tests/system-deps.sh

# ruff, mypy, and the import contracts of pyproject.toml (import-linter: dependencies point one way).
lint: install
	$(BIN)/ruff check service training tests bench
	$(BIN)/mypy service training
	$(BIN)/lint-imports

test: system-deps lint
	$(BIN)/pytest -q
	$(MAKE) reproduce

# The WordPress plugin's tests alone (`make test` runs them too): a real WordPress (Debian's
# package), MariaDB, `php -S`, a live `reliability serve` and headless chromium; artifacts
# (screenshots, logs, timings.json) in test-artifacts/wordpress/.
test-wordpress: system-deps install
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
	$(BIN)/python bench/bench_long_article.py
