"""Fixtures for the ledger tests: the reporting tests' clock and data sets, ledgers on the small province."""

import pytest

from reporting.tests.conftest import clock, wf  # noqa: F401 - fixtures re-exported for this package


@pytest.fixture
def ledgers(tree):
    from ledger.tests.factories import make_ledgers

    return make_ledgers(tree)
