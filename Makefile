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

# Retrains every artifact from the data into a temporary folder and fails unless each file is
# byte-identical to the committed one in models/ (the artifacts come from such a clean run).
reproduce: install
	rm -rf .reproduce
	$(BIN)/python -m training --data ../shared/data --out .reproduce
	cd .reproduce && for f in *.joblib *.md thresholds.json; do cmp "$$f" "../models/$$f" || exit 1; done
	@echo "reproduce: every artifact in models/ is byte-identical to a fresh training run"
	rm -rf .reproduce

bench: install
	$(BIN)/python bench/bench_scoring.py
	$(BIN)/python bench/bench_api_latency.py
