"""The people of the deadline-day rush, for locust (run by bench/rush.py; not a module of the app).

    python -m locust -f bench/rush_users.py --headless … (bench/rush.py passes everything)

Every simulated person works through the production stack the way the browser does, behind a simulated
TLS proxy (the headers nginx sends, one client address each, cookies kept by hand because the loopback
side is plain HTTP):

- `Reporter`: signs in, opens 我的报表, opens the report's entry grid, saves the cells in three drafts
  through the grid's background save (the same POST the page's script sends, with the version and the
  values the page was loaded with), opens the report page and submits it with its idempotency key;
- `Uploader`: signs in, opens the report's Excel page, downloads the template, uploads the filled
  workbook (prepared by bench/rush.py from a template downloaded the same way), opens the preview,
  confirms the import, and submits the report;
- `Leader`: signs in and opens the leaders' dashboard a few times, reading it between visits;
- `Visitor` (the capacity runs): one reporter visit after another without pause, or, one time in ten, a
  leader's sign-in and dashboard, each with a fresh account from the pool.

Each person takes the next account of its kind from RUSH_ACCOUNTS (a JSON file written by bench/rush.py)
and appends what the server acknowledged to RUSH_LEDGER: every save answered with its new version, every
submission answered as done, every sign-in; bench/rush.py reconciles the database against it afterwards.
Every request, with its kind, status and time, goes to RUSH_SAMPLES. A 5xx is a failure, never retried
silently: it is counted, then the person reloads the page and tries once more, as a person would.
"""

from __future__ import annotations

import json
import os
import random
import re
import threading
import time

from locust import HttpUser, between, constant, events, task
from locust.exception import StopUser

HOST = "changai.local"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ACCOUNTS = json.loads(open(os.environ["RUSH_ACCOUNTS"], encoding="utf-8").read())  # noqa: SIM115
LEDGER = open(os.environ["RUSH_LEDGER"], "a", encoding="utf-8")  # noqa: SIM115
SAMPLES = open(os.environ["RUSH_SAMPLES"], "a", encoding="utf-8")  # noqa: SIM115
THINK = float(os.environ.get("RUSH_THINK", "1.0"))  # mean seconds a person reads or types between requests
_lock = threading.Lock()
_next = dict.fromkeys(ACCOUNTS, 0)
_finished = {"count": 0}
TOTAL = int(os.environ.get("RUSH_TOTAL", "0"))  # people whose end stops the run (0: run until the time limit)

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION_INPUT = re.compile(r'name="version" value="(\d+)"')
ORIGINAL_INPUT = re.compile(r'name="original" value="([^"]*)"')
IDEMPOTENCY_INPUT = re.compile(r'name="idempotency_key" value="([^"]+)"')


def _take(kind: str, *, cycle: bool = False) -> dict | None:
    """The next unused account of `kind` (with `cycle`, round and round the pool); None when used up."""
    with _lock:
        pool = ACCOUNTS.get(kind, [])
        if not pool or (_next[kind] >= len(pool) and not cycle):
            return None
        account = pool[_next[kind] % len(pool)]
        _next[kind] += 1
        return account


def _write(handle, record: dict) -> None:
    with _lock:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()


@events.request.add_listener
def _sample(request_type, name, response_time, response_length, response=None, exception=None, **_kwargs):
    status = getattr(response, "status_code", 0) if response is not None else 0
    _write(SAMPLES, {"t": time.time(), "name": name, "ms": round(response_time, 2), "status": status or 0})


def _unescape(text: str) -> str:
    return (
        text.replace("&quot;", '"')
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
    )


class Person(HttpUser):
    """One person behind the proxy: a client address of their own, cookies kept by hand."""

    abstract = True
    wait_time = between(0.5 * THINK, 1.5 * THINK)

    def on_start(self) -> None:
        self.cookies: dict[str, str] = {}
        self.address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"  # noqa: S311

    # --- HTTP through the proxy ------------------------------------------------------------------------------

    def _headers(self, extra: dict | None = None) -> dict:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def request(self, method: str, path: str, name: str, expect: tuple[int, ...], **kwargs):
        """One request; a status outside `expect` is a failure (5xx always). Returns the response."""
        extra = kwargs.pop("headers", {})
        if method != "GET":
            extra = {
                "X-CSRFToken": self.cookies.get("__Host-csrftoken", ""),
                "Referer": f"https://{HOST}{path}",
                **extra,
            }
        with self.client.request(
            method, path, name=name, headers=self._headers(extra), allow_redirects=False, timeout=120,
            catch_response=True, **kwargs,
        ) as response:  # fmt: skip
            for cookie in response.cookies:
                self.cookies[cookie.name] = cookie.value
            self.client.cookies.clear()
            if response.status_code >= 500 or response.status_code == 0:
                response.failure(f"{response.status_code}")
            elif response.status_code not in expect:
                response.failure(f"unexpected {response.status_code}")
            else:
                response.success()
            return response

    def sign_in(self, account: dict) -> bool:
        for _attempt in range(2):
            page = self.request("GET", "/accounts/login/", "login page", (200,))
            token = CSRF_INPUT.search(page.text or "")
            if token is None:
                continue
            self.think()
            answer = self.request(
                "POST", "/accounts/login/", "sign in", (302,),
                data={"csrfmiddlewaretoken": token.group(1), "username": account["username"],
                      "password": account["password"]},
            )  # fmt: skip
            if answer.status_code == 302:
                _write(LEDGER, {"kind": "login", "user": account["username"]})
                return True
        return False

    def think(self) -> None:
        if THINK > 0:
            time.sleep(random.uniform(0.5 * THINK, 1.5 * THINK))  # noqa: S311

    def finished(self) -> None:
        with _lock:
            _finished["count"] += 1
            done = TOTAL and _finished["count"] >= TOTAL
        if done:
            # The last person is done: end the run now instead of waiting for the time limit.
            self.environment.runner.greenlet.spawn_later(0.5, self.environment.runner.quit)
        raise StopUser

    # --- A reporter's visit ----------------------------------------------------------------------------------

    def entry_page(self, report: int) -> tuple[int, dict] | None:
        page = self.request("GET", f"/reporting/reports/{report}/entry/", "entry page", (200,))
        version, original = VERSION_INPUT.search(page.text or ""), ORIGINAL_INPUT.search(page.text or "")
        if version is None or original is None:
            return None
        return int(version.group(1)), json.loads(_unescape(original.group(1)))

    def save(self, account: dict, cells: dict[str, str], page: list) -> bool:
        """The grid's background save of `cells` from the loaded `page` ([version, values as loaded]);
        the acknowledged save goes to the ledger. After a failure the page is reloaded and saved once more."""
        report = account["report"]
        for attempt in range(2):
            if attempt:
                loaded = self.entry_page(report)
                if loaded is None:
                    return False
                page[:] = loaded
            version, original = page
            data = {"autosave": "1", "version": str(version), "original": json.dumps(original, ensure_ascii=False)}
            data.update({**original, **cells})
            answer = self.request("POST", f"/reporting/reports/{report}/entry/", "save", (200,), data=data)
            body = answer.json() if answer.status_code == 200 else {}
            if body.get("ok") and not body.get("problems"):
                _write(LEDGER, {"kind": "save", "report": report, "version": body["version"], "cells": cells,
                                "changed": body.get("changed", 0)})  # fmt: skip
                page[:] = [body["version"], {**original, **cells}]
                return True
        return False

    def submit(self, account: dict) -> bool:
        report = account["report"]
        for _attempt in range(2):
            page = self.request("GET", f"/reporting/reports/{report}/", "report page", (200,))
            text = page.text or ""
            token, version, key = CSRF_INPUT.search(text), VERSION_INPUT.search(text), IDEMPOTENCY_INPUT.search(text)
            if not (token and version and key):
                continue
            self.think()
            answer = self.request(
                "POST", f"/reporting/reports/{report}/submit/", "submit", (302,),
                data={"csrfmiddlewaretoken": token.group(1), "version": version.group(1),
                      "idempotency_key": key.group(1)},
            )  # fmt: skip
            if answer.status_code == 302:
                _write(LEDGER, {"kind": "submit", "report": report})
                return True
        return False

    def reporter_visit(self, account: dict) -> None:
        if not self.sign_in(account):
            return
        self.think()
        self.request("GET", "/reporting/reports/", "my reports", (200,))
        self.think()
        loaded = self.entry_page(account["report"])
        if loaded is None:
            return
        page = list(loaded)
        cells = list(account["values"].items())
        third = (len(cells) + 2) // 3
        for start in range(0, len(cells), third):
            self.think()
            if not self.save(account, dict(cells[start : start + third]), page):
                return
        self.think()
        self.submit(account)

    def leader_visit(self, account: dict, visits: int) -> None:
        if not self.sign_in(account):
            return
        for _visit in range(visits):
            self.think()
            self.request("GET", "/analytics/", "dashboard", (200,))


class Reporter(Person):
    weight = int(os.environ.get("RUSH_REPORTERS", "0"))

    @task
    def rush(self) -> None:
        account = _take("reporter")
        if account is not None:
            self.reporter_visit(account)
        self.finished()


class Uploader(Person):
    weight = int(os.environ.get("RUSH_UPLOADERS", "0"))

    @task
    def rush(self) -> None:
        account = _take("uploader")
        if account is not None and self.sign_in(account):
            self.upload(account)
        self.finished()

    def upload(self, account: dict) -> None:
        page_path = account["excel_page"]
        page = self.request("GET", page_path, "excel page", (200,))
        token = CSRF_INPUT.search(page.text or "")
        self.request("GET", f"{page_path}template.xlsx?layout=single", "template", (200,))
        if token is None:
            return
        self.think()
        with open(account["workbook"], "rb") as handle:
            workbook = handle.read()
        answer = self.request(
            "POST", page_path, "upload", (302,), data={"csrfmiddlewaretoken": token.group(1)},
            files={"file": ("填报.xlsx", workbook, XLSX)},
        )  # fmt: skip
        preview = answer.headers.get("Location", "")
        if answer.status_code != 302 or "/uploads/" not in preview:
            return
        preview_path = "/" + preview.split("://", 1)[-1].split("/", 1)[-1] if "://" in preview else preview
        shown = self.request("GET", preview_path, "preview", (200,))
        token = CSRF_INPUT.search(shown.text or "")
        if token is None:
            return
        self.think()
        confirmed = self.request(
            "POST", f"{preview_path}confirm/", "confirm", (302,), data={"csrfmiddlewaretoken": token.group(1)}
        )
        if confirmed.status_code != 302:
            return
        _write(LEDGER, {"kind": "import", "report": account["report"], "cells": account["values"]})
        self.think()
        self.submit(account)


class Leader(Person):
    weight = int(os.environ.get("RUSH_LEADERS", "0"))

    @task
    def rush(self) -> None:
        account = _take("leader")
        if account is not None:
            self.leader_visit(account, int(os.environ.get("RUSH_DASHBOARD_VISITS", "3")))
        self.finished()


class Visitor(Person):
    """The capacity runs: visits back to back, each with a fresh account; no reading time."""

    weight = int(os.environ.get("RUSH_VISITORS", "0"))
    wait_time = constant(0)

    @task
    def visit(self) -> None:
        self.cookies = {}
        if random.random() < 0.1:  # noqa: S311
            account = _take("leader", cycle=True)
            if account is not None:
                self.leader_visit(account, 1)
                return
        account = _take("reporter")
        if account is None:
            raise StopUser
        self.reporter_visit(account)
