# The two commands a newcomer needs: `make demo` and `make test`.
# Both set up everything on a fresh machine first: the system packages the browser test needs
# (Debian's chromium and chromium-driver), a virtual environment in .venv with the CPU build of
# PyTorch 2.13.0 installed before anything else (a bare `torch` would pull CUDA), then the
# package with its dev extras.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: install system-deps demo test bench serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --upgrade pip
	$(PY) -m pip install torch==2.13.0
	$(PY) -m pip install -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Headless Chromium for the web page's browser test. Installed when missing and apt-get can run
# (as root); elsewhere the browser test skips and says why.
system-deps:
	@if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then \
		if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium chromium-driver; \
		else \
			echo "chromium/chromedriver missing and apt-get unavailable: the browser test will skip"; \
		fi; \
	fi

demo: install
	$(VENV)/bin/atelier demo

test: install system-deps
	$(PY) -m pytest -q

bench: install
	$(PY) benchmarks/world_throughput.py
	$(PY) benchmarks/serve_load.py

serve: install
	$(VENV)/bin/atelier serve

clean:
	rm -rf $(VENV) out .pytest_cache
