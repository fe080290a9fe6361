# Rempart: `make serve` runs the web app, `make test` runs every check. Both set everything up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEB_STAMP := $(VENV)/.debian

.PHONY: setup serve test lint typecheck pytest bench clean translations

setup: $(DEB_STAMP) $(STAMP) translations

$(DEB_STAMP): scripts/install-debian-packages.sh
	bash scripts/install-debian-packages.sh
	@mkdir -p $(VENV) && touch $@

$(STAMP): pyproject.toml setup.py src/rempart/detect/_pdqmih.c $(DEB_STAMP)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

translations: $(STAMP)
	$(BIN)/rempart i18n compile

serve: setup
	$(BIN)/rempart serve

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/lint-imports

typecheck: setup
	$(BIN)/mypy

pytest: setup
	$(BIN)/pytest -n 2 --dist loadgroup

test: lint typecheck pytest

bench: setup
	for bench in benchmarks/bench_*.py; do $(BIN)/python $$bench || exit 1; done

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
