"""Fixtures for the assessment tests: the reporting tests' clock and workforce data sets."""

from reporting.tests.conftest import clock, wf  # noqa: F401 - fixtures re-exported for this package
