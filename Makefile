# news-archive: `make serve` and `make test` work on a fresh machine with Python 3 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DB ?= news.db
HOST ?= 127.0.0.1
PORT ?= 8001

.PHONY: setup serve test browser bench stress clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

# Ingest the bundled sample (idempotent: unchanged files are skipped), then serve it.
serve: $(STAMP)
	$(BIN)/news-archive ingest data --db $(DB) --silent
	$(BIN)/news-archive serve --db $(DB) --host $(HOST) --port $(PORT)

test: $(STAMP) browser
	$(BIN)/python -m pytest

# Browser tests drive Debian's Chromium (never a downloaded browser).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then \
		sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null; \
	else \
		echo "chromium is not installed and cannot be installed without root: browser tests will be skipped"; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts

# The performance benchmark of issue 4: slow, never part of `make test`. It needs ../shared beside the
# checkout. Quick run: `make bench SIZES=21k`; more: `make bench BENCH_ARGS="--peer --rounds 3"`;
# corpora and databases go to $(BENCH_DIR) (default bench/work). See docs/benchmarks.md.
SIZES ?= 21k,208k,1M
BENCH_ARGS ?=
bench: $(STAMP)
	$(BIN)/python bench/run.py --sizes $(SIZES) $(BENCH_ARGS)
	$(BIN)/python bench/chart.py

# Reliability runs of issue 5: long, never part of `make test`. Bigger fuzzing (20,000 mutated files, a
# 9 MB article (10 MB is the most a file may be), 5,000 parser examples) with the fault and live-ingest tests, then the kill -9 loop, then
# 16 clients for 60 s. STRESS_DB=path/to/archive.db loads that archive (e.g. the 1M one of `make bench`);
# without it the Reuters corpus from ../shared is used. Figures and commands: docs/reliability.md.
STRESS_DB ?=
CRASH_ARGS ?=
LOAD_ARGS ?=
stress: $(STAMP)
	NEWS_ARCHIVE_FUZZ_FILES=20000 NEWS_ARCHIVE_BIG_ARTICLE_MB=9 NEWS_ARCHIVE_HYPOTHESIS_EXAMPLES=5000 \
		$(BIN)/python -m pytest -q -s -p no:cacheprovider tests/test_fuzz.py tests/test_faults.py tests/test_live.py
	$(BIN)/python stress/crash_loop.py $(CRASH_ARGS)
	$(BIN)/python stress/load.py $(if $(STRESS_DB),--db $(STRESS_DB)) $(LOAD_ARGS)
