# The two commands: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test lint bench worker migrate clean drill

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
	($(BIN)/python manage.py db_worker --interval 2 --no-reload & echo $$! > data/worker.pid) && \
	trap 'kill $$(cat data/worker.pid) 2>/dev/null' EXIT INT TERM && \
	echo "Serving on http://127.0.0.1:$(PORT)/ (registration form: http://127.0.0.1:$(PORT)/register/)" && \
	$(BIN)/python manage.py runserver 127.0.0.1:$(PORT) --noreload

test: $(STAMP)
	$(BIN)/python -m pytest -n $${TEST_WORKERS:-auto} $(PYTEST_ARGS)

# The modules mypy checks (services, selectors, access, geometry, audit chain, outbox); the list only grows.
MYPY_MODULES := cameraregistry/geo accounts/access.py accounts/permissions.py accounts/auth_events.py \
	audit/chain.py audit/services.py audit/log_reads.py registrations/selectors.py registrations/rules.py \
	registrations/inputs.py registrations/audited_reads.py notifications/services.py canvass/services.py

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check .
	DEBUG=true $(BIN)/mypy $(MYPY_MODULES)

bench: $(STAMP)
	$(BIN)/python -m bench

worker: $(STAMP)
	$(BIN)/python manage.py db_worker

drill: $(STAMP)
	$(BIN)/python -m drills
