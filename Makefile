# `make run` and `make test` set everything up on a fresh machine (a local virtualenv in .venv).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test install lint format bench clean browser-deps

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/catalogue serve --host 127.0.0.1 --port 5000

# Headless Chromium for the browser tests (Debian packages; needs root or sudo).
browser-deps:
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  SUDO=$$(command -v sudo || true); \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q chromium chromium-driver; }

test: $(STAMP)
	$(BIN)/ruff check catalogue webapp tests bench
	$(BIN)/python -m pytest -q

lint: $(STAMP)
	$(BIN)/ruff format --check catalogue webapp tests bench
	$(BIN)/ruff check catalogue webapp tests bench

format: $(STAMP)
	$(BIN)/ruff format catalogue webapp tests bench
	$(BIN)/ruff check --fix catalogue webapp tests bench

clean:
	rm -rf $(VENV) instance
