# Entry points: `make report` (main job) and `make test` (the test suite).
# Both bootstrap a virtual environment in .venv from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install data notebooks report test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test,dask]'
	touch $(STAMP)

install: $(STAMP)

data: $(STAMP)  ## re-parse seeds/ into data/ and regenerate docs/tables.md
	$(BIN)/sahel parse seeds/ --out data/
	$(BIN)/python -m sahel.schema

notebooks: $(STAMP)  ## re-execute the committed notebooks in place (after data/ changes)
	$(BIN)/python -m sahel.report

report: $(STAMP)  ## parse the seeds and render every notebook to reports/
	$(BIN)/sahel parse seeds/ --out data/
	$(BIN)/sahel report

test: $(STAMP)  ## unit tests and the docstrings' examples, then strict nbval on every notebook
	$(BIN)/python -m pytest tests sahel --doctest-modules
	$(BIN)/python -m pytest --nbval notebooks/ --nbval-sanitize-with notebooks/sanitize.cfg -p no:randomly

bench: $(STAMP)  ## benchmarks (not part of the tests)
	$(BIN)/python -m pip install --quiet -e '.[test,bench]'
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) reports .pytest_cache
