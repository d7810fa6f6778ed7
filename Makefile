# Phủ Số — the two commands a newcomer needs: `make run` and `make test`.
PY      ?= python3.11
VENV    := .venv
BIN     := $(VENV)/bin
FLASK   := $(BIN)/flask --app wsgi
STAMP   := $(VENV)/.installed
DEV_STAMP := $(VENV)/.installed-dev
PROVINCE ?= 92
# pytest-xdist processes for the suite (each worker has its own database)
WORKERS ?= 2

.PHONY: run test test-shifted-clock serve setup db demo translations messages lint screenshots clean

run: setup db demo ## set up everything and serve on http://127.0.0.1:5000 with demo data
	$(FLASK) run --host 127.0.0.1 --port 5000

test: setup $(DEV_STAMP) ## the whole suite: ruff, mypy over app/, then pytest (SQLite, or PostgreSQL via TEST_DATABASE_URL)
	bash .ci/ensure-chromium
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -n $(WORKERS)

test-shifted-clock: setup $(DEV_STAMP) ## the Python suite with the machine's clock 400 days ahead (Debian's faketime)
	command -v faketime >/dev/null || { [ "$$(id -u)" = 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime >/dev/null; }
	faketime -f "+400d" $(BIN)/pytest -n $(WORKERS) -m "not browser"

screenshots: setup $(DEV_STAMP) ## PNGs of every page of every role at 360 and 1280 px, from the demo data, into screenshots/
	bash .ci/ensure-chromium
	rm -rf screenshots; PHUSO_SCREENSHOTS=screenshots $(BIN)/pytest -q tests/browser/test_every_page_on_phone.py \
	  || echo "Some pages are wider than a phone (listed above); their screenshots are taken all the same."
	@echo "Screenshots in screenshots/ ($$(ls screenshots | wc -l) files)"

serve: setup ## production: migrate, then gunicorn with gunicorn.conf.py (set DATABASE_URL, SECRET_KEY, PHUSO_HTTPS)
	$(FLASK) db upgrade
	$(BIN)/gunicorn -c gunicorn.conf.py wsgi:app

setup: $(STAMP) translations

$(STAMP): requirements.txt
	@command -v $(PY) >/dev/null || { echo "Python 3.11 is required ($(PY) not found)"; exit 1; }
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

$(DEV_STAMP): $(STAMP) requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(DEV_STAMP)

translations: $(STAMP) ## compile the catalogs (.mo files are not kept in git)
	$(BIN)/pybabel compile -d translations --statistics

db: setup
	$(FLASK) db upgrade
	$(FLASK) geo load --province $(PROVINCE)

demo: db
	$(FLASK) demo seed --province $(PROVINCE)

messages: $(STAMP) ## extract strings and update both catalogs after changing text
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 --no-location --sort-output -w 100 -o translations/messages.pot .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete -w 100

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) instance/*.db*
