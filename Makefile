# Every target builds its own virtual environment from scratch when it is missing.
#
# PyTorch is installed *first*, with an explicit spec, so that pip never resolves a bare
# "torch" requirement on its own (which would pull the newest release). TORCH_INDEX is empty
# by default, so the build is whatever the configured package index serves for the spec: on
# Linux from PyPI the CUDA-enabled wheel, several GB (a CPU-only install needs the CPU index
# below). Empty is what works on a machine that reaches only its package index.
# Override for your machine, e.g.:
#   make test TORCH_SPEC="torch" TORCH_INDEX="--index-url https://download.pytorch.org/whl/cpu"
#   make test TORCH_SPEC="torch" TORCH_INDEX="--index-url https://download.pytorch.org/whl/cuXXX"
# (cuXXX: a CUDA tag PyTorch publishes for the release and your driver, e.g. cu128)
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
TORCH_SPEC ?= torch==2.13.0
TORCH_INDEX ?=
EXTRAS ?= dev,docs
PYTEST_ARGS ?=

STAMP := $(VENV)/.seqpool-installed

.PHONY: venv test test-mindeps demo bench bench-run docs lint format clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install "$(TORCH_SPEC)" $(TORCH_INDEX)
	$(BIN)/python -m pip install -e ".[$(EXTRAS)]"
	touch $(STAMP)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite on the oldest versions pyproject.toml allows (ci/min-dependencies.txt), in an
# environment of its own; the test tools themselves are the newest that accept them.
MIN_VENV ?= .venv-mindeps
MIN_CONSTRAINTS := ci/min-dependencies.txt
MIN_STAMP := $(MIN_VENV)/.seqpool-installed

$(MIN_STAMP): pyproject.toml $(MIN_CONSTRAINTS)
	$(PYTHON) -m venv $(MIN_VENV)
	$(MIN_VENV)/bin/python -m pip install --upgrade pip
	$(MIN_VENV)/bin/python -m pip install -c $(MIN_CONSTRAINTS) torch $(TORCH_INDEX)
	$(MIN_VENV)/bin/python -m pip install -c $(MIN_CONSTRAINTS) -e ".[test,docs]"
	touch $(MIN_STAMP)

test-mindeps: $(MIN_STAMP)
	$(MIN_VENV)/bin/python -m pip list --format=freeze | grep -iE '^(torch|numpy|pandas|scikit-learn|skorch|scipy|threadpoolctl|numba)=='
	$(MIN_VENV)/bin/python -m pytest $(PYTEST_ARGS)

demo: $(STAMP)
	$(BIN)/seqpool compare

# The benchmarks run in their own environment: the bench extra brings the peers they are
# compared with (aeon's MiniRocket), whose pins must not touch the development one.
BENCH_VENV ?= .venv-bench

bench:
	$(MAKE) venv VENV=$(BENCH_VENV) EXTRAS=bench,dask
	$(MAKE) bench-run BIN=$(BENCH_VENV)/bin

bench-run:
	$(BIN)/python benchmarks/bench_archive.py
	$(BIN)/python benchmarks/bench_hydra.py
	$(BIN)/python benchmarks/bench_regression.py
	$(BIN)/python benchmarks/bench_order.py
	$(BIN)/python benchmarks/bench_training.py
	$(BIN)/python benchmarks/bench_encoder.py
	$(BIN)/python benchmarks/bench_gridsearch.py
	$(BIN)/python benchmarks/bench_ucr.py
	$(BIN)/python benchmarks/bench_reshape.py
	$(BIN)/python benchmarks/bench_verdicts.py
	$(BIN)/python benchmarks/bench_memory.py

docs: $(STAMP)
	$(BIN)/python -m sphinx -W --keep-going -b html docs docs/_build/html

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) $(BENCH_VENV) $(MIN_VENV) docs/_build docs/auto_examples docs/generated .pytest_cache .ruff_cache
