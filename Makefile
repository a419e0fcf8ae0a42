# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STORE ?= kg-data
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: run test install lint typecheck unit debian-deps vocab gazetteer clean

run: install
	$(BIN)/kg build examples --store $(STORE)

test: install debian-deps lint typecheck unit

install: $(STAMP)

$(STAMP):
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

# Programs from Debian that the tests use: rapper (an independent RDF parser) and chromium
# (the headless browser the page tests drive through playwright; never `playwright install`).
debian-deps:
	@command -v rapper >/dev/null 2>&1 || { \
	  echo "installing raptor2-utils (rapper) from Debian"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq raptor2-utils >/dev/null; }
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing chromium from Debian"; \
	  $(SUDO) apt-get update -qq && $(SUDO) apt-get install -y -qq chromium >/dev/null; }

lint:
	$(BIN)/ruff check kg tests scripts

typecheck:
	$(BIN)/mypy

unit:
	$(BIN)/python -m pytest

# Regenerate derived files after editing their sources.
vocab:
	$(BIN)/python -m kg.vocab_gen

gazetteer:
	$(BIN)/python scripts/make_gazetteer.py --shared ../shared

# Extraction speed, kg against bare spaCy, on ../shared/corpus (or BENCH_ARGS, e.g.
# BENCH_ARGS='--repeat 3 --json'); see the docstring of scripts/bench_extract.py.
.PHONY: bench
bench:
	$(BIN)/python scripts/bench_extract.py $(BENCH_ARGS)

# Linking to Wikidata against a local Oxigraph server holding a synthetic Wikidata-shaped
# dataset (100,000 items): requests per actor, a cached re-run, actors linked per second,
# precision against the truth; e.g. BENCH_ARGS='--actors 500 --json'. See the docstring
# of scripts/bench_reconcile.py.
.PHONY: bench-reconcile
bench-reconcile: install
	$(BIN)/python scripts/bench_reconcile.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) $(STORE) .mypy_cache .ruff_cache .pytest_cache

# queries/README.md from the named queries and their outputs on examples/ (a test checks it).
.PHONY: query-readme bench-queries
query-readme:
	$(BIN)/python scripts/make_query_readme.py

# A KG of >1M triples for the benchmarks, in BENCH_STORE: synthetic documents
# (scripts/synth_kg.py) plus the real corpus. Named queries' p50/p95 on it (several
# minutes); `scripts/bench_serve.py --store $(BENCH_STORE)` times the server on it.
.PHONY: bench-kg
BENCH_STORE ?= /tmp/kg-bench
bench-kg:
	rm -rf $(BENCH_STORE)
	$(BIN)/python scripts/synth_kg.py --store $(BENCH_STORE) --documents 8000 \
	  --build examples ../shared/corpus ../shared/designations

bench-queries: bench-kg
	$(BIN)/python scripts/bench_queries.py --store $(BENCH_STORE) --repeat 20 --as-of 2025-06-01
