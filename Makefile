# The two README commands: `make demo` (run the app with a demo county) and `make test` (the whole suite).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: demo test test-services browser setup lint messages clean

$(VENV)/.installed: requirements.txt
	.ci/system-deps
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -r requirements.txt
	touch $@

setup: $(VENV)/.installed
	$(PY) manage.py compilemessages -l zh_Hans -v 0

# 1. A running app on SQLite with Celery eager, a demo county and one login per role: http://127.0.0.1:8000/
# Static files as production serves them: collected, compressed, cached (whitenoise; runserver's own is off).
demo: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py seed_demo
	XIJI_COMPRESSED_STATIC=1 $(PY) manage.py collectstatic --noinput -v 0
	XIJI_COMPRESSED_STATIC=1 $(PY) manage.py runserver 0.0.0.0:8000

# 2. The whole test suite (browser tests run separately: `make browser`), one worker process per core.
test: setup
	$(PY) -m pytest -m "not browser" -q -n auto --dist loadgroup

browser: setup
	.ci/system-deps --browser
	$(PY) -m pytest -m browser -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

messages: setup
	$(PY) manage.py makemessages -l zh_Hans --no-location --ignore=.venv --ignore=staticfiles --ignore=media

clean:
	rm -rf $(VENV) db.sqlite3 media staticfiles
