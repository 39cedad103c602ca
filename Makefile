# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test quick durations lint bench worker migrate clean drill

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

data/local.env: | $(STAMP)
	$(BIN)/python scripts/make_local_env.py data/local.env

run: $(STAMP) data/local.env
	set -a && . ./data/local.env && set +a && \
	export SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" && \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py seed_demo --if-empty && \
	$(BIN)/python manage.py demo_signins && \
	($(BIN)/python manage.py run_worker --interval 2 & echo $$! > data/worker.pid) && \
	(while $(BIN)/python manage.py worker_heartbeat >/dev/null; do sleep 60; done & echo $$! > data/heartbeat.pid) && \
	trap 'kill $$(cat data/worker.pid) $$(cat data/heartbeat.pid) 2>/dev/null' EXIT INT TERM && \
	echo "Serving on http://127.0.0.1:$(PORT)/ (registration form: http://127.0.0.1:$(PORT)/register/)" && \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload

# `make test`: the whole suite (browser and accessibility walks, live servers, the API contract test,
# backups), on a test database built by the migrations; CI runs it on SQLite and PostgreSQL.
# `make quick`: the loop while coding: every test not marked slow, on a database made straight from the models.
# Both keep bytecode caches, pytest's rewritten test modules too, under .venv/ even where the environment
# sets PYTHONDONTWRITEBYTECODE: each test process collects the suite in ~4 s instead of ~12 s.
# --dist worksteal: a worker that runs out of tests takes queued ones from the other, so the long browser and
# backup tests do not leave a core idle at the end (whole suite on SQLite: 201 s -> 190 s).
PYTEST := env -u PYTHONDONTWRITEBYTECODE PYTHONPYCACHEPREFIX="$(CURDIR)/$(VENV)/pycache" \
	$(BIN)/python -m pytest -n $${TEST_WORKERS:-auto} --dist worksteal

test: $(STAMP)
	$(PYTEST) $(PYTEST_ARGS)

quick: $(STAMP)
	$(PYTEST) -m "not slow" --nomigrations $(PYTEST_ARGS)

# Times every test `make quick` could run and records those over conftest.QUICK_LIMIT_S in
# tests/quick_durations.json, which `make quick` then leaves out (commit the file).
durations: $(STAMP)
	RECORD_TEST_DURATIONS=1 $(PYTEST) -m "not slow" --nomigrations -q $(PYTEST_ARGS)

# The modules mypy checks (services, selectors, access, geometry, audit chain, outbox); the list only grows.
MYPY_MODULES := cameraregistry/geo accounts/access.py accounts/permissions.py accounts/auth_events.py \
	audit/chain.py audit/services.py audit/log_reads.py registrations/selectors.py registrations/rules.py \
	registrations/inputs.py registrations/audited_reads.py \
	footage/services.py footage/selectors.py owners/services.py administration/selectors.py administration/imports \
	administration/tasks.py canvass/selectors.py canvass/candidates.py notifications registrations/form_nonce.py \
	cameraregistry/db_unavailable.py cameraregistry/wall_clock.py cameraregistry/management/commands/run_worker.py \
	accounts/services.py administration/services.py agencies/selectors.py agencies/services.py api/case_selectors.py \
	api/selectors.py api/services.py audit/selectors.py owners/selectors.py registrations/services webhooks/selectors.py \
	webhooks/services.py canvass/services.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	DEBUG=true $(BIN)/mypy $(MYPY_MODULES)

bench: $(STAMP)
	$(BIN)/python -m bench

worker: $(STAMP)
	$(BIN)/python manage.py run_worker

drill: $(STAMP)
	$(BIN)/python -m drills
