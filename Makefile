# Two commands do all set-up on a fresh machine with only Python 3.11:
#   make repro   build .venv from requirements.lock if needed, then `dvc repro -P` (all stages)
#   make test    same set-up, then the test suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
KERNEL := aoresearch
STAMP  := $(VENV)/.installed

.PHONY: env repro test lab bench lock clean-env push pull suites

env: $(STAMP)

# The stamp depends on the lock and the package metadata: editing either re-syncs the venv.
# --compile-bytecode: every stage and test subprocess imports the libraries from .pyc files; on a
# machine with PYTHONDONTWRITEBYTECODE set (as here) each `import great_expectations` otherwise
# compiled it from source again (here 15.4 CPU s instead of 5.4; README, "Tests").
$(STAMP): requirements.lock pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=/path/to/python3.11 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)
	$(BIN)/uv pip sync --quiet --compile-bytecode --python $(BIN)/python requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	$(BIN)/python -m ipykernel install --sys-prefix --name $(KERNEL) --display-name "aoresearch (Python 3.11)" >/dev/null
	touch $(STAMP)

# Stage commands call `python`: the project venv comes first on PATH.
export PATH := $(abspath $(BIN)):$(PATH)

# -P (all pipelines): with one dvc.yaml the same stages as `dvc repro`, but DVC reads dvc.yaml and
# dvc.lock once instead of twice (a no-op ~0.2 s faster; benchmarks/pipeline.py measures both).
repro: env
	dvc repro -P

# Results without recomputing (README, "Getting the results without recomputing"): whoever ran
# the pipeline pushes every cached output to the default remote (.dvc/config); a reviewer's
# clone pulls them, and `dvc status` then reports the pipeline up to date.
push: env
	dvc push

pull: env
	@dvc pull || { echo "error: some outputs recorded in dvc.lock are not in DVC remote '$$(dvc remote default)' ($$(dvc remote list | awk -v r="$$(dvc remote default)" '$$1 == r {print $$2}')). Whoever ran the pipeline for this commit runs 'make push'; or point the remote at the storage they pushed to (README, 'Getting the results without recomputing')."; exit 1; }
	dvc status

# The suite runs on every core (pytest-xdist); a test file stays on one worker, so its module and
# session fixtures are built once there. `make test PYTEST_WORKERS=0` runs it in one process.
# The run ends with its 25 slowest tests and fixtures, so every CI log says where the time went.
PYTEST_WORKERS ?= auto
test: env
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --durations=25 $(PYTEST_ARGS)

# Save the Great Expectations suites, validation definitions and checkpoints into gx/ (commit them);
# hand edits of gx/expectations/*.json are kept, `make suites RESET=1` drops them (gx/README.md).
suites: env
	$(BIN)/python pipelines/validate.py suites $(if $(RESET),--reset)

lab: env
	$(BIN)/jupyter lab notebooks/

bench: env
	$(BIN)/python benchmarks/run_all.py

# Re-pin after changing dependencies in pyproject.toml (needs the package index).
lock: env
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 --excludes requirements.exclude.txt -o requirements.lock

clean-env:
	rm -rf $(VENV)
