"""Test-process settings and shared fixtures.

The environment the suite runs in is set in pyproject.toml ([tool.pytest.ini_options] env),
before Django reads its settings. DJANGO_ALLOW_ASYNC_UNSAFE is set there because Playwright's
sync API keeps an event loop running in the test thread.
"""

import os

import pytest

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": CHROMIUM_ARGS,
    }


def _flush_with_audit_purge():
    # The audit table refuses deletes; test flushes between transactional tests lift that.
    from django.core.management.commands import flush

    from core import audit

    original = flush.Command.handle
    if getattr(original, "_changai_wrapped", False):
        return

    def handle(self, *args, **options):
        with audit.purge_permitted():
            return original(self, *args, **options)

    handle._changai_wrapped = True
    flush.Command.handle = handle


def _hypothesis_profile():
    # The suite runs in parallel workers on a machine of two cores: generating inputs may be slow there
    # without anything being wrong, so neither a slow draw nor a slow example fails a property test.
    from hypothesis import HealthCheck, settings

    settings.register_profile("suite", deadline=None, suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile("suite")


def pytest_configure(config):
    _flush_with_audit_purge()
    _hypothesis_profile()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Production Argon2 parameters cost ~0.15 s a hash (accounts/hashers.py); tests use the same algorithm, cheaply.
    # Hashes made with other parameters still verify (Argon2 stores them in the hash), and
    # accounts/tests/test_deploy.py checks the production parameters in a subprocess.
    settings.PASSWORD_HASHERS = ["accounts.tests.hashers.FastArgon2PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture(autouse=True)
def _audit_anchor_dir(settings, tmp_path_factory):
    # Each test's audit anchors in a folder of its own (created only if a test writes one).
    import uuid

    settings.AUDIT_ANCHOR_DIR = tmp_path_factory.getbasetemp() / f"anchors-{uuid.uuid4().hex}"


@pytest.fixture(autouse=True)
def _chinese_unless_a_test_says_otherwise():
    # A request with the language cookie activates English for the thread, and it stays active after the
    # response (the test client runs the view in this thread): every test starts in the platform's language.
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def tree(db):
    """A small province (see orgs/tests/factories.py): unions A and B, enterprises, a department."""
    from orgs.tests.factories import make_tree

    return make_tree()
