# The two commands: `make run` (demo portal on the embedded default) and `make test` (the whole suite
# against PostgreSQL and Redis). Everything else here serves those two.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000
VAR_DIR ?= $(CURDIR)/var
export VAR_DIR PORT
# The Procfile's gunicorn and celery are the ones installed in the virtualenv.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)

# Tests and check-deploy talk to the real services.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/unionportal
TEST_REDIS_URL    ?= redis://127.0.0.1:6379/1
# pytest-xdist workers for the bulk of the suite (each gets its own test database); `auto` is one per core.
TEST_WORKERS      ?= auto

# A production-like environment for `make check-deploy` (README, "Configuration").
DEPLOY_ENV = DEBUG=0 SECRET_KEY=check-deploy-$(shell printf '%064d' 0 | tr 0 k)-not-a-real-key \
	ALLOWED_HOSTS=portal.example.cn CSRF_TRUSTED_ORIGINS=https://portal.example.cn \
	SECURE_SSL_REDIRECT=1 SECURE_COOKIES=1 SECURE_HSTS_SECONDS=31536000 \
	SECURE_HSTS_INCLUDE_SUBDOMAINS=1 SECURE_HSTS_PRELOAD=1 USE_X_FORWARDED_PROTO=1 TRUSTED_PROXY_COUNT=1 \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL)

.PHONY: run test screenshots lint migrations-check check-deploy compilemessages makemessages browser-deps clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(VENV)/bin/python requirements.txt
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

# Compiled translations come from Babel (pure Python): `make run` needs no gettext system package.
# Compiled only when the catalogue changed: the smoke test's `make run` must not rewrite the .mo that the
# test processes beside it are reading.
MO := locale/zh_Hans/LC_MESSAGES/django.mo
$(MO): locale/zh_Hans/LC_MESSAGES/django.po | $(VENV)/.installed
	$(VENV)/bin/pybabel compile --domain django --directory locale --statistics 2>&1 | grep -v '^$$' || true
	@test -f $@ && touch $@

compilemessages: $(MO)

# Extracting strings needs GNU gettext (a developer's tool, not a runtime one).
makemessages: $(VENV)/.installed
	$(PY) manage.py makemessages --locale zh_Hans --ignore '.venv/*' --ignore 'var/*' --no-obsolete

run: $(VENV)/.installed compilemessages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@test -f $(VAR_DIR)/.demo-seeded || ($(PY) manage.py seed_demo && touch $(VAR_DIR)/.demo-seeded)
	@echo "Serving http://127.0.0.1:$(PORT)/  (Ctrl-C stops web, worker and beat)"
	OTP_REQUIRED_FOR_ADMINS=$${OTP_REQUIRED_FOR_ADMINS:-0} $(VENV)/bin/honcho -f Procfile start --port $(PORT)

browser-deps:
	@command -v chromium >/dev/null && dpkg -s fonts-wqy-microhei >/dev/null 2>&1 || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei; }

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

migrations-check: $(VENV)/.installed
	$(PY) manage.py makemigrations --check --dry-run

check-deploy: $(VENV)/.installed
	env $(DEPLOY_ENV) $(PY) manage.py check --deploy --fail-level WARNING

# The bulk of the suite runs on xdist workers, a file per worker at a time (module fixtures are built once).
# Beside it, in one process of its own, run the tests that start processes of their own (`make run`, Celery
# workers and beats) and the `serial` ones that xdist cannot schedule: they mostly wait on their subprocesses, so
# they overlap the bulk instead of following it (6:15 one after the other, 3:08 side by side, here). Their output
# follows the bulk's; each run has its own test databases (test_<name>, test_<name>_gw<n>). Either failing fails.
ALONE = smoke or worker or serial
test: $(VENV)/.installed-dev browser-deps lint migrations-check compilemessages check-deploy
	@mkdir -p test-output
	@DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(VENV)/bin/pytest -p no:cacheprovider -m "$(ALONE)" > test-output/alone.log 2>&1 & alone=$$!; \
	DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile -m "not ($(ALONE))"; bulk=$$?; \
	wait $$alone; alone_status=$$?; \
	echo "--- the tests that start processes of their own (test-output/alone.log) ---"; cat test-output/alone.log; \
	test $$bulk -eq 0 && test $$alone_status -eq 0

# Refresh the README's screenshots from the browser tests.
screenshots: $(VENV)/.installed-dev browser-deps compilemessages
	SCREENSHOT_DIR=$(CURDIR)/docs/screenshots DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(VENV)/bin/pytest -m browser -q

clean:
	rm -rf $(VENV) var test-output
