"""Two app servers and a worker against one database (issue 17, item 6): nothing a person does lives in one
process. Two gunicorns (A and B) on two loopback ports behind a simulated TLS proxy and a background worker
started with B's settings share one database (PostgreSQL, or a SQLite file shared by all three) and one cache:

- a session signed in on A continues on B (same cookie, same CSRF token);
- a dashboard answer cached on B is served by both, and is fresh on B as soon as a report is accepted on A;
- a job queued through A is run by the worker started next to B.

The database is a copy of the test database as this test committed it (a tiny province made directly, not
the demo). The cache is the one production uses on one host (a folder shared by the processes,
CHANGAI_CACHE_DIR), or Redis with CHANGAI_TWO_SERVERS_CACHE=redis (the drill in docs/deploy.md, "Two app
servers"): then Redis must answer at CHANGAI_TWO_SERVERS_REDIS_URL (default redis://127.0.0.1:6379/15, a
database of its own that the drill empties) or the test fails saying so.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from accounts.tests.test_deploy import HOST, ROOT, production_env
from analytics.tests.helpers import accepted_report
from core.tests.dbcopy import DatabaseCopy, database_copy
from orgs.choices import Role
from orgs.tests.factories import TEST_PASSWORD, make_tree
from reporting.choices import ReportStatus
from reporting.tests.factories import load_workforce

pytestmark = pytest.mark.django_db(transaction=True)

CACHE = os.environ.get("CHANGAI_TWO_SERVERS_CACHE", "file")
REDIS_URL = os.environ.get("CHANGAI_TWO_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/15")
START_SECONDS = 90  # loading the app on a busy 2-core machine; a server that is up answers at once


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_or_fail() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"CHANGAI_TWO_SERVERS_CACHE=redis, but no Redis answers at {REDIS_URL} ({error}). Start Redis, or "
            "point CHANGAI_TWO_SERVERS_REDIS_URL at one, or run the file-cache variant (unset the variable)."
        )


# --- The processes -------------------------------------------------------------------------------------------


@dataclass
class Stack:
    database: DatabaseCopy  # the one database of the three processes, a copy of the test database
    a: str
    b: str
    worker: subprocess.Popen


def _start(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 - the project's own gunicorn and manage.py
        [sys.executable, *args], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True,  # a group of its own: gunicorn's workers are stopped with their master
    )  # fmt: skip


def _wait_until_listening(port: int, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"a server stopped while starting:\n{log.read_text()[-3000:]}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"a server did not start within {START_SECONDS} s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def stack(tmp_path):
    """Servers A and B and the worker started next to B, on a copy of the test database as the test left it."""

    def start() -> Stack:
        database = copies.enter_context(database_copy(tmp_path))
        shared = tmp_path / "shared"
        env = production_env(
            CHANGAI_MANIFEST_STATIC="0",  # collecting takes half a minute; test_production_server covers it
            CHANGAI_MEDIA_ROOT=str(shared / "media"),
            CHANGAI_CACHE_DIR=str(shared / "cache"),
            CHANGAI_JOB_PROGRESS_DIR=str(shared / "job-progress"),
            CHANGAI_AUDIT_ANCHOR_DIR=str(shared / "anchors"),
            CHANGAI_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
            CHANGAI_TRUSTED_PROXY_COUNT="1",
            CHANGAI_WEB_WORKERS="1",
            CHANGAI_WEB_THREADS="2",
            **database.env,
        )
        if CACHE == "redis":
            _redis_or_fail()
            env["CHANGAI_REDIS_URL"] = REDIS_URL
            import redis

            redis.Redis.from_url(REDIS_URL).flushdb()  # a database of Redis's own for this drill
        ports = {"a": _free_port(), "b": _free_port()}
        processes = []
        for name, port in ports.items():
            log = tmp_path / f"{name}.log"
            server_env = {**env, "CHANGAI_BIND": f"127.0.0.1:{port}"}
            processes.append(
                (_start(["-m", "gunicorn", "-c", "changai/gunicorn.conf.py", "changai.wsgi"], server_env, log), log)
            )
        worker_log = tmp_path / "worker.log"
        worker = _start(["manage.py", "run_worker", "--interval", "0.2"], env, worker_log)
        processes.append((worker, worker_log))
        started.extend(processes)
        for (process, log), port in zip(processes, ports.values(), strict=False):
            _wait_until_listening(port, process, log)
        return Stack(database, f"http://127.0.0.1:{ports['a']}", f"http://127.0.0.1:{ports['b']}", worker)

    started: list = []
    with ExitStack() as copies:  # the copy is dropped after the processes stop
        yield start
        _stop(started)


def _stop(started: list) -> None:
    for process, _log in started:
        # gunicorn stops at once on SIGINT (SIGTERM waits for idle keep-alive connections); the worker
        # finishes its task on SIGTERM.
        process.send_signal(signal.SIGTERM if "run_worker" in process.args else signal.SIGINT)
    for process, log in started:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=30)
        with suppress(ProcessLookupError):  # a worker process its master left behind
            os.killpg(process.pid, signal.SIGKILL)
        print(f"--- {log.name}\n{log.read_text()[-2000:]}")  # shown when the test fails


class Person:
    """A browser behind the proxy: one cookie jar, sent to whichever server the proxy picks."""

    def __init__(self):
        self.cookies: dict[str, str] = {}

    def _headers(self, path: str, extra: dict | None = None) -> dict:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.8.0.7"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def _keep(self, response: requests.Response) -> requests.Response:
        # The cookies are Secure (__Host-), which requests keeps for https only: the proxy's side is plain HTTP.
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def get(self, server: str, path: str) -> requests.Response:
        response = requests.get(server + path, headers=self._headers(path), allow_redirects=False, timeout=60)
        return self._keep(response)

    def post(self, server: str, path: str, **kwargs) -> requests.Response:
        extra = {
            "X-CSRFToken": self.cookies.get("__Host-csrftoken", ""),
            "Referer": f"https://{HOST}{path}",
            **kwargs.pop("headers", {}),
        }
        response = requests.post(
            server + path, headers=self._headers(path, extra), allow_redirects=False, timeout=60, **kwargs
        )
        return self._keep(response)

    def sign_in(self, server: str, username: str) -> requests.Response:
        page = self.get(server, "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.post(
            server,
            "/accounts/login/",
            data={"csrfmiddlewaretoken": token, "username": username, "password": TEST_PASSWORD},
        )


def _cert_rate(page: requests.Response) -> str:
    """The 持证率 tile's figure on the dashboard page."""
    assert page.status_code == 200, page.status_code
    found = re.search(r'data-indicator="CERT_RATE".*?class="kpi-value" data-value>\s*([^<\s]+)', page.text, re.S)
    assert found, page.text[:3000]
    return found.group(1)


# --- The province: a tiny tree, one report accepted, one approved and waiting for the office ------------------


@pytest.fixture
def province():
    tree = make_tree()
    year, _quarter = load_workforce()
    accepted_report(tree, year, "2021", tree.ent_a1, nonmigrant=600, certified=300)  # 持证率 50.00%
    waiting = accepted_report(
        tree, year, "2021", tree.ent_b1, nonmigrant=600, certified=60, status=ReportStatus.APPROVED
    )
    office = tree.user(Role.OFFICE_ADMIN, tree.office)
    return {"office": office.username, "waiting": waiting.pk, "version": waiting.version}


def _job_end(database: DatabaseCopy, job_id: int) -> tuple[str, str]:
    """The job's status and worker once it has ended (or after a minute)."""
    deadline = time.monotonic() + 60
    while True:
        status, worker = database.query("SELECT status, worker FROM core_job WHERE id = ?", (job_id,))[0]
        if status not in ("queued", "running") or time.monotonic() > deadline:
            return status, worker
        time.sleep(0.2)


def test_two_servers_share_sessions_the_dashboard_cache_and_the_job_queue(province, stack):
    servers = stack()
    a, b, database = servers.a, servers.b, servers.database
    office = Person()

    # A session signed in on A continues on B.
    signed_in = office.sign_in(a, province["office"])
    assert signed_in.status_code == 302 and signed_in.headers["Location"] == "/", signed_in.text[:500]
    assert office.get(b, "/").status_code == 200
    assert office.get(b, "/accounts/login/").status_code == 302  # B knows the person is signed in

    # A dashboard answer cached on B is the one both servers serve …
    assert _cert_rate(office.get(b, "/analytics/")) == "50.00%"
    tampered = "UPDATE analytics_nodeaggregate SET total = total * 2 WHERE element_id IN " \
        "(SELECT id FROM reporting_dataelement WHERE code = 'WF_CERTIFIED')"  # fmt: skip
    database.query(tampered)  # behind the platform's back: no generation changes
    assert _cert_rate(office.get(b, "/analytics/")) == "50.00%"  # B answers from the cache
    assert _cert_rate(office.get(a, "/analytics/")) == "50.00%"  # and so does A: the cache is shared
    database.query(tampered.replace("total * 2", "total / 2"))

    # … and fresh on B as soon as A accepts a report.
    accepted = office.post(
        a, f"/api/v1/reports/{province['waiting']}/accept/", json={}, headers={"If-Match": f'"{province["version"]}"'}
    )
    assert accepted.status_code == 200, accepted.text[:500]
    assert accepted.json()["status"] == ReportStatus.ACCEPTED
    assert _cert_rate(office.get(b, "/analytics/")) == "30.00%"  # (300 + 60) ÷ (600 + 600)

    # A job queued through A runs on the worker started next to B.
    page = office.get(a, "/ledger/alerts/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    queued = office.post(a, "/ledger/alerts/refresh/", data={"csrfmiddlewaretoken": token})
    assert queued.status_code == 302 and "/jobs/" in queued.headers["Location"], queued.status_code
    job_id = int(re.search(r"/jobs/(\d+)/", queued.headers["Location"]).group(1))
    status, worker = _job_end(database, job_id)
    assert status == "done", (status, worker)
    assert f":{servers.worker.pid}:" in worker  # the worker next to B, not a server
    assert "已完成" in office.get(b, f"/jobs/{job_id}/").text

    # Signed out on B (with the CSRF token A set), signed out on A.
    assert office.post(b, "/accounts/logout/").status_code == 302
    assert office.get(a, "/").headers["Location"].startswith("/accounts/login/")
