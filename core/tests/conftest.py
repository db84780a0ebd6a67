"""Events the core tests write that no app declares: declared for the test that uses them only."""

import pytest

from core import registry

TEST_EVENTS = {
    "test.event": "测试事件",
    "test.first": "测试事件一",
    "test.second": "测试事件二",
    "test.formula": "测试公式注入",
}


@pytest.fixture(autouse=True)
def _test_events(monkeypatch):
    for code, label in TEST_EVENTS.items():
        monkeypatch.setitem(registry._events, code, label)
