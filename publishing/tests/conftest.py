"""Fixtures for the publishing tests: the reporting tests' clock and workforce data sets (the records section)."""

from reporting.tests.conftest import clock, wf  # noqa: F401 - fixtures re-exported for this package
