# The two commands a newcomer needs: `make demo` and `make test`.
# Both set up everything on a fresh machine first: a virtual environment in .venv with the
# CPU build of PyTorch 2.13.0 installed before anything else (a bare `torch` would pull CUDA),
# then the package with its dev extras.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install demo test bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

demo: install
	$(VENV)/bin/atelier demo

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) benchmarks/world_throughput.py

clean:
	rm -rf $(VENV) out .pytest_cache
