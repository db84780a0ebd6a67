"""What the browser tests share: where screenshots go, the window sizes, and a clock that stands still."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

SHOTS = Path(__file__).resolve().parents[2] / "build" / "screenshots"
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


class FixedClock:
    """Stands in for `django.utils.timezone.now` in the live server's thread and the test's."""

    def __init__(self, now: dt.datetime):
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now.astimezone(dt.UTC)
