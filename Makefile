# Every target sets up its own virtualenv: a fresh machine needs only python3.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: venv feeds test lint golden tables bench clean

$(STAMP): pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

venv: $(STAMP)

feeds: venv  ## build the bundled sample posts into public/
	$(BIN)/feedpub build posts --out public

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/actionlint examples/workflows/*.yml

test: lint  ## lint, type-check and run the whole test suite
	$(BIN)/pytest

golden: venv  ## regenerate tests/golden from posts/ (review the diff like code)
	rm -rf tests/golden
	$(BIN)/feedpub build posts --out tests/golden --no-cache --quiet

tables: venv  ## regenerate feedpub/data/hanzi.txt from hanzidentifier (review the diff)
	$(BIN)/python tools/hanzi_table.py

bench: venv  ## benchmark against the floor script (BENCH_N=10000,50000)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf public .feedpub-cache bench-out
