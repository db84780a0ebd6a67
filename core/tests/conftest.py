"""Core tests' fixtures: events no app declares (declared for the tests that write them), and a job
progress store of each test's own."""

import pytest

from core import registry
from reporting.tests.conftest import clock, wf  # noqa: F401 - the reporting fixtures the kernel tests share

TEST_EVENTS = {
    "test.event": "测试事件",
    "test.first": "测试事件一",
    "test.second": "测试事件二",
    "test.formula": "测试公式注入",
    "test.deadlock.a": "测试死锁（甲）",
    "test.deadlock.b": "测试死锁（乙）",
}


@pytest.fixture(autouse=True)
def _test_events(monkeypatch):
    for code, label in TEST_EVENTS.items():
        monkeypatch.setitem(registry._events, code, label)


@pytest.fixture(autouse=True)
def _job_progress_dir(settings, tmp_path):
    # Job progress goes to a file cache shared by processes (settings.CACHES["jobs"]): one per test.
    settings.CACHES = {
        **settings.CACHES,
        "jobs": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "job-progress"),
        },
    }
