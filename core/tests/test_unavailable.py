"""A full disk and an unreachable database answer in plain Chinese (507 and 503), never 500.

The drills in deploy/drills/faults.py meet both for real (a filled tmpfs, a PostgreSQL restart under load);
these check the answers themselves, for a page and for the API."""

from __future__ import annotations

import errno

import pytest
from django.db import OperationalError
from django.test import RequestFactory

from core.middleware import DatabaseUnavailableMiddleware, StorageFullMiddleware


def _never(request):
    raise AssertionError("not reached")


@pytest.mark.parametrize("path", ["/reporting/reports/1/entry/", "/api/v1/reports/"])
def test_a_lost_database_connection_answers_503_with_retry_after(path):
    request = RequestFactory().get(path)
    error = OperationalError("consuming input failed: server closed the connection unexpectedly")
    response = DatabaseUnavailableMiddleware(_never).process_exception(request, error)
    assert response.status_code == 503
    assert response["Retry-After"] == "10"
    assert "数据库暂时无法访问" in response.content.decode()


def test_other_errors_are_left_to_the_error_page():
    request = RequestFactory().get("/")
    assert DatabaseUnavailableMiddleware(_never).process_exception(request, ValueError("x")) is None
    assert StorageFullMiddleware(_never).process_exception(request, OSError(errno.EACCES, "denied")) is None


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EDQUOT, errno.EFBIG])
def test_a_full_disk_on_the_api_answers_507_in_json(code):
    request = RequestFactory().post("/api/v1/reports/1/import/")
    response = StorageFullMiddleware(_never).process_exception(request, OSError(code, "full"))
    assert response.status_code == 507
    assert response["Content-Type"] == "application/json"
    assert "服务器存储空间不足" in response.content.decode()
