# Two commands on a fresh machine with Python 3.11+:  make run  and  make test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DATA := var

.PHONY: run test lint lock messages clean

$(BIN)/tocsin: pyproject.toml requirements.lock
	$(PYTHON) -c 'import sys; sys.exit("Tocsin needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.lock
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(DATA)/secret_key:
	mkdir -p $(DATA)
	umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))' > $@

run: $(BIN)/tocsin $(DATA)/secret_key
	TOCSIN_SECRET_KEY_FILE=$(DATA)/secret_key TOCSIN_DATA_DIR=$(DATA) $(BIN)/tocsin migrate --noinput
	TOCSIN_SECRET_KEY_FILE=$(DATA)/secret_key TOCSIN_DATA_DIR=$(DATA) $(BIN)/tocsin demo
	TOCSIN_SECRET_KEY_FILE=$(DATA)/secret_key TOCSIN_DATA_DIR=$(DATA) $(BIN)/tocsin serve --host 127.0.0.1 --port 8000

test: $(BIN)/tocsin
	$(BIN)/pytest

# mypy runs even when ruff finds something, so one run reports both.
lint: $(BIN)/tocsin
	$(BIN)/ruff check tocsin bench; ruff=$$?; $(BIN)/mypy tocsin && exit $$ruff

# Regenerate the lock after changing dependencies in pyproject.toml.
lock: $(BIN)/tocsin
	$(BIN)/pip install --quiet uv
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --python-version 3.11 -o requirements.lock

# Refresh the translation catalogues (needs GNU gettext) and compile them; then
# translate every new entry in tocsin/locale/ru/LC_MESSAGES/django.po and run it
# again, so the committed .mo matches (test_translations checks both).
messages: $(BIN)/tocsin
	cd tocsin && TOCSIN_SECRET_KEY=unused TOCSIN_DATA_DIR=../$(DATA) ../$(BIN)/tocsin makemessages -l ru --no-location --no-obsolete
	cd tocsin && TOCSIN_SECRET_KEY=unused TOCSIN_DATA_DIR=../$(DATA) ../$(BIN)/tocsin compilemessages

clean:
	rm -rf $(VENV) build *.egg-info
