# clem: `make` (or `make help`) lists the targets.
# The two commands a new user needs: `make run` and `make test`.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.clem-installed
ARGS   ?=

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lab bench sample clean-outputs clean

help: ## List the targets with one line each
	@echo "clem: make <target>"
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dask]"
	$(BIN)/python -m ipykernel install --sys-prefix --name clem --display-name "Python (clem)" >/dev/null
	@touch $(STAMP)

install: $(STAMP) ## Create .venv if missing, install clem with its test and Dask extras, register the 'clem' kernel inside .venv

run: $(STAMP) ## Run the main job on the bundled sample survey -> outputs/<survey>/index.html (extra flags: ARGS="--lang en")
	$(BIN)/clem run $(ARGS)

test: $(STAMP) ## Pass the whole test suite: unit tests and notebook tests (nbval); lists the 10 slowest tests
	$(BIN)/python -m pytest --durations=10 $(ARGS)

test-fast: $(STAMP) ## The tests not marked slow (no simulations, notebook runs or full pipeline runs): under a minute
	$(BIN)/python -m pytest -m "not slow" $(ARGS)

lab: $(STAMP) ## Open the notebooks in JupyterLab (kernel 'Python (clem)')
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP) ## Run the benchmarks (not part of `make test`); figures go to benchmarks/results/
	$(BIN)/python -m benchmarks $(ARGS)

sample: $(STAMP) ## Rebuild the synthetic sample survey and its complaint register in data/ (byte for byte)
	$(BIN)/python data/make_sample.py
	$(BIN)/python data/make_complaints.py

clean-outputs: ## Delete everything under outputs/ except its README
	find outputs -mindepth 1 ! -name README.md -exec rm -rf {} +

clean: clean-outputs ## Also delete the virtual environment
	rm -rf $(VENV)
