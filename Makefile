# 产改通 — set-up and everyday commands. `make run` and `make test` do everything from nothing.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
UV_VERSION := 0.13.9
# Debian packages: fonts and PDF libraries for reports, Chromium for the browser tests,
# gettext for translations, the PostgreSQL 15 server binaries for CI's throwaway cluster.
DEB_PACKAGES := fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils \
	chromium gettext python3-venv libreoffice-calc-nogui
LOCAL_ENV := CHANGAI_HTTPS=0 CHANGAI_DEMO_MODE=1 CHANGAI_MANIFEST_STATIC=0 CHANGAI_BASE_URL=http://127.0.0.1:8000

.PHONY: run test install system-deps migrate demo lint bench bench-rush drills clean prod-check

run: install migrate demo  ## install, migrate, load the demo province, serve on http://127.0.0.1:8000
	@# The background worker (imports, recomputes) runs next to the server and stops with it.
	$(LOCAL_ENV) $(VPY) manage.py run_worker --interval 1 & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(LOCAL_ENV) $(VPY) manage.py runserver 127.0.0.1:8000

test: install  ## install and run every test in parallel workers (SQLite, or PostgreSQL when DATABASE_URL is set)
	$(LOCAL_ENV) $(VPY) manage.py makemigrations --check --dry-run
	$(VPY) -m pytest -q -n auto --dist loadscope

system-deps:
	@missing=""; for p in $(DEB_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then \
		echo "Installing Debian packages:$$missing"; \
		export DEBIAN_FRONTEND=noninteractive; \
		apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends $$missing >/dev/null; \
	else \
		echo "Missing Debian packages (install them as root: apt-get install$$missing)"; \
		echo "Without them PDF output and the browser tests cannot run."; \
	fi

install: system-deps $(VENV)/.installed

$(VENV)/.installed: requirements.txt
	test -x $(VPY) || $(PYTHON) -m venv $(VENV)
	$(VPY) -m pip install -q --disable-pip-version-check 'uv==$(UV_VERSION)'
	UV_PYTHON_DOWNLOADS=never $(VPY) -m uv pip install -q --python $(VPY) -r requirements.txt
	touch $@

migrate: install
	mkdir -p var
	$(LOCAL_ENV) $(VPY) manage.py migrate --noinput

demo: migrate  ## load (or refresh) the demo province; safe to run again
	$(LOCAL_ENV) $(VPY) manage.py load_demo

lint: install
	$(VPY) -m ruff check .
	$(VPY) -m ruff format --check .

prod-check: install  ## start gunicorn + worker on loopback against a fresh PostgreSQL database and use them (docs/deploy.md)
	$(VPY) deploy/prod_check.py

bench: install  ## benchmarks (see bench/README.md); results under bench/results/, table in README.md
	$(VPY) -m bench.orgtree
	$(VPY) -m bench.excel_import
	$(VPY) -m bench.analytics
	$(VPY) -m bench.assessment
	$(VPY) -m bench.onboarding
	$(VPY) -m bench.readme

bench-rush: install  ## the deadline-day rush (bench/rush.py): SQLite, then PostgreSQL when DATABASE_URL is set; minutes each
	env -u DATABASE_URL $(VPY) -m bench.rush
	if [ -n "$$DATABASE_URL" ]; then $(VPY) -m bench.rush; fi
	$(VPY) -m bench.readme

drills: install  ## fault drills against the production stack (deploy/drills/faults.py; root: its own cluster, a tmpfs)
	$(VPY) deploy/drills/faults.py

clean:
	rm -rf $(VENV) var build
