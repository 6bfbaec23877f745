# Two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
DB     ?= data/monitoring.duckdb
PORT   ?= 8501
# `make run` is a developer's command: tracebacks shown (.streamlit/config.toml hides them).
ERROR_DETAILS ?= full
# make run reloads changed code (a deployment does not: .streamlit/config.toml).
FILE_WATCHER ?= auto
# Tests run in this many processes (pytest-xdist; a module stays in one process, with its
# fixtures): one per core, at most 4. JOBS=0 runs them in this process, in order.
JOBS ?= auto
PYTEST := $(PY) -m pytest -q -n $(JOBS) --maxprocesses 4 --dist loadfile

.PHONY: run test lint unit app e2e setup system-packages db sample bench soak clean \
	messages translations-check translations-compile

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

setup: $(VENV)/.installed

# chromium, nginx, openssl, poppler-utils: installed with apt-get when missing (as root or
# with passwordless sudo), else a message saying what to install.
system-packages:
	bash scripts/system-packages.sh

$(DB): | $(VENV)/.installed
	$(PY) -m monitoring init --db $(DB) --sample

db: $(DB)

run: setup $(DB)
	$(PY) -m monitoring first-start --db $(DB) --base-url http://localhost:$(PORT)
	MONITORING_DB=$(DB) $(VENV)/bin/streamlit run server.py --server.port $(PORT) --browser.gatherUsageStats false \
		--client.showErrorDetails $(ERROR_DETAILS) --server.fileWatcherType $(FILE_WATCHER)

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo  # the import rules in pyproject.toml

unit: setup
	$(PYTEST) tests/unit

app: setup
	$(PYTEST) tests/app

e2e: setup system-packages
	$(PYTEST) tests/e2e

test: system-packages lint
	$(PYTEST)

# Languages (docs/translations.md): extract the code's messages and update every catalogue
# (AREAS=frame to update one area), check them, or compile .mo files (optional).
messages: setup
	$(PY) scripts/translations.py update $(AREAS)

translations-check: setup
	$(PY) scripts/translations.py check

translations-compile: setup
	$(PY) scripts/translations.py compile

sample: setup
	$(PY) scripts/generate_sample.py

bench: setup system-packages  # Chromium and PostgreSQL for their steps; make bench [SCALE=0.1] [VALUES=N] [ONLY=pages,upload,browser]
	$(PY) -m tests.bench.run $(if $(SCALE),--scale $(SCALE)) $(if $(VALUES),--values $(VALUES)) $(if $(ONLY),--only $(ONLY))

soak: setup  # make soak [KILLS=10] [SERVED_KILLS=4] [SESSIONS=1,10,50] [SECONDS=40] [ONLY=kills,capacity]
	$(PY) -m tests.bench.soak $(if $(KILLS),--kills $(KILLS)) $(if $(SERVED_KILLS),--served-kills $(SERVED_KILLS)) \
		$(if $(SESSIONS),--sessions $(SESSIONS)) $(if $(SECONDS),--seconds $(SECONDS)) $(if $(ONLY),--only $(ONLY))

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache tests/e2e/screenshots
