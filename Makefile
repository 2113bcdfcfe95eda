# Two commands: `make run` and `make test`. Everything else is a helper of these.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := coordinator
PG_TEST_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: run test install install-dev translations messages bench lint clean

$(BIN)/activate:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(BIN)/activate
	$(BIN)/pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations
install-dev: $(VENV)/.installed-dev translations

translations: $(VENV)/.installed
	@if ls coordinator/translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then \
	  $(BIN)/pybabel -q compile -d coordinator/translations; fi

run: install
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	@echo "SITISEK berjalan di http://127.0.0.1:5000  (Ctrl+C untuk berhenti)"
	@echo "Penjadwal pengingat berjalan sebagai proses tersendiri (flask scheduler)."
	@$(BIN)/flask scheduler & sched=$$!; \
	  trap 'kill $$sched 2>/dev/null; wait $$sched 2>/dev/null' EXIT INT TERM; \
	  $(BIN)/flask run --host 127.0.0.1 --port 5000

# pytest-xdist spreads the suite over the cores (one database per worker, tests/databases.py). Each run prints
# its wall time.
TEST_WORKERS ?= auto
PYTEST := $(BIN)/pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

test: install-dev
	@mkdir -p test-artifacts
	@start=$$(date +%s); $(PYTEST) tests; rc=$$?; \
	  echo "== SQLite run (browser tests included): $$(( $$(date +%s) - start )) s =="; exit $$rc
	@if $(BIN)/python -c "import psycopg,sys; psycopg.connect('$(PG_TEST_URL)', connect_timeout=3).close()" 2>/dev/null; then \
	  echo "== PostgreSQL at $(PG_TEST_URL): running the suite again on it (browser tests ran on SQLite) =="; \
	  start=$$(date +%s); TEST_DATABASE_URL=$(PG_TEST_URL) $(PYTEST) -m "not e2e and not engine_independent" tests; rc=$$?; \
	  echo "== PostgreSQL run: $$(( $$(date +%s) - start )) s =="; exit $$rc; \
	else echo "== PostgreSQL at $(PG_TEST_URL) does not answer: SKIPPING the PostgreSQL run =="; fi

lint: install-dev
	$(BIN)/ruff check coordinator tests bench deploy config.py run.py
	$(BIN)/mypy

bench: install
	$(BIN)/pip install -q -r requirements-bench.txt
	$(BIN)/python -m bench.pages
	$(BIN)/python -m bench.setup
	$(BIN)/python -m bench.ats
	$(BIN)/python -m bench.reminders
	$(BIN)/python -m bench.report
	$(BIN)/python -m bench.verval
	$(BIN)/python -m bench.offline
	$(BIN)/python -m bench.rad
	$(BIN)/python -m bench.load
	$(BIN)/python -m bench.maps
	$(BIN)/python -m bench.leaders
	$(BIN)/python -m bench.review

clean:
	rm -rf $(VENV) instance/coordinator.db* test-artifacts

# Refresh the English catalogue after changing user-visible text (Indonesian is the source language).
messages: $(VENV)/.installed
	$(BIN)/pybabel -q extract -F babel.cfg -k _l -k N_ -o coordinator/translations/messages.pot .
	@if [ -f coordinator/translations/en/LC_MESSAGES/messages.po ]; then \
	  $(BIN)/pybabel -q update -N -i coordinator/translations/messages.pot -d coordinator/translations -l en; \
	else $(BIN)/pybabel -q init -i coordinator/translations/messages.pot -d coordinator/translations -l en; fi
