"""Fixtures for the reporting tests: a settable clock and the workforce data sets."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from reporting.tests.factories import at, load_workforce


class Clock:
    """Stands in for `django.utils.timezone.now` (services, auto_now fields and audit all read it)."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.UTC)

    def set(self, now: dt.datetime) -> None:
        self.now = now


@pytest.fixture
def clock(monkeypatch):
    """Beijing time 2022-01-10 10:00: the 2021 yearly round is open (due 2022-01-31)."""
    fake = Clock(at(2022, 1, 10))
    monkeypatch.setattr(timezone, "now", fake)
    return fake


@pytest.fixture
def wf(tree, clock):
    """The workforce data sets (WF_Y, WF_Q), with the tree and the clock in place."""
    return load_workforce()
