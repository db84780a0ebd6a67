"""`make prod-check`: start the production stack on loopback and use it as people do.

gunicorn (changai/gunicorn.conf.py, 2 workers) and the background worker against a fresh PostgreSQL
database, static files collected, behind a simulated TLS proxy (the headers nginx sends). Then: a reporter
signs in and saves a value of his returned report through the API (with the version he read), and the office
queues the ledger's alert refresh, which the worker runs to the end. Every step is timed; any failure stops
the check with a non-zero exit and the servers' last lines.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/changai_prodcheck make prod-check

The database named in DATABASE_URL is dropped and created again: never point it at real data.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

import requests

ROOT = Path(__file__).resolve().parents[1]
HOST = "changai.local"
PY = sys.executable


def step(text: str, started: float) -> None:
    print(f"[{time.monotonic() - started:6.1f}s] {text}", flush=True)


def fail(text: str, *processes) -> None:
    print(f"FAILED: {text}", flush=True)
    for process in processes:
        process.terminate()
        out = process.communicate(timeout=30)[0] or ""
        print("\n".join(out.splitlines()[-30:]))
    sys.exit(1)


def recreate_database(url: str) -> None:
    import psycopg

    name = urlparse(url).path.lstrip("/")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", name):
        sys.exit(f"database name {name!r} is not a plain identifier")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        db.execute(f"CREATE DATABASE {name}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Browser:
    """A person's session through the proxy: Secure cookies kept by hand (the loopback side is plain HTTP)."""

    def __init__(self, base: str):
        self.base, self.cookies = base, {}

    def _headers(self, extra=None) -> dict:
        headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.8.0.7"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.update(extra or {})
        return headers

    def _keep(self, response) -> requests.Response:
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def get(self, path: str, **kwargs) -> requests.Response:
        headers = self._headers(kwargs.pop("headers", None))
        return self._keep(requests.get(self.base + path, headers=headers, allow_redirects=False, timeout=60, **kwargs))

    def send(self, method: str, path: str, **kwargs) -> requests.Response:
        csrf = self.cookies.get("__Host-csrftoken", "")
        extra = {"X-CSRFToken": csrf, "Referer": f"https://{HOST}{path}", **kwargs.pop("headers", {})}
        response = requests.request(
            method, self.base + path, headers=self._headers(extra), allow_redirects=False, timeout=60, **kwargs
        )
        return self._keep(response)

    def sign_in(self, username: str, password: str) -> None:
        page = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        answer = self.send(
            "POST", "/accounts/login/", data={"csrfmiddlewaretoken": token, "username": username, "password": password}
        )
        if answer.status_code != 302:
            raise RuntimeError(f"sign-in of {username}: {answer.status_code}")


def main() -> None:
    url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/changai_prodcheck")
    if not url.startswith("postgres"):
        sys.exit("prod-check runs against PostgreSQL: set DATABASE_URL=postgres://…/changai_prodcheck")
    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="changai-prodcheck-"))
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("CHANGAI_")}
    env.update(
        DATABASE_URL=url,
        CHANGAI_SECRET_KEY=secrets.token_urlsafe(64),
        CHANGAI_AUDIT_KEYS="k1:" + secrets.token_urlsafe(48),
        CHANGAI_PII_KEYS="k1:" + secrets.token_hex(32),
        CHANGAI_HTTPS="1",
        CHANGAI_DEMO_MODE="1",  # the demo's accounts and reports are the people who use it here
        CHANGAI_ALLOWED_HOSTS=HOST,
        CHANGAI_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
        CHANGAI_TRUSTED_PROXY_COUNT="1",
        CHANGAI_MANIFEST_STATIC="1",
        CHANGAI_STATIC_ROOT=str(work / "static"),
        CHANGAI_MEDIA_ROOT=str(work / "media"),
        CHANGAI_CACHE_DIR=str(work / "cache"),
        CHANGAI_JOB_PROGRESS_DIR=str(work / "jobs"),
        CHANGAI_AUDIT_ANCHOR_DIR=str(work / "anchors"),
        CHANGAI_BIND=f"127.0.0.1:{port}",
        CHANGAI_WEB_WORKERS="2",
    )

    def manage(*args: str) -> None:
        done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)  # noqa: S603
        if done.returncode:
            fail(f"manage.py {' '.join(args)}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")

    recreate_database(url)
    step("fresh database", started)
    manage("migrate", "--noinput", "-v0")
    step("migrated", started)
    manage("collectstatic", "--noinput", "-v0")
    step("static files collected", started)
    manage("check", "--deploy", "--fail-level", "ERROR")
    manage("load_demo")
    step("demo province loaded", started)

    web = subprocess.Popen(  # noqa: S603
        [PY, "-m", "gunicorn", "-c", "changai/gunicorn.conf.py", "changai.wsgi"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    worker = subprocess.Popen(  # noqa: S603
        [PY, "manage.py", "run_worker", "--interval", "1"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if web.poll() is not None:
                    fail("gunicorn did not start", web, worker)
                time.sleep(0.1)
        step("gunicorn and the worker started", started)
        base = f"http://127.0.0.1:{port}"
        os.environ.update(env)
        import django

        django.setup()
        from orgs.demo import DEMO_PASSWORD, KUNMING_POWER

        reporter = Browser(base)
        reporter.sign_in("reporter", DEMO_PASSWORD)
        listed = reporter.get(f"/api/v1/reports/?org={KUNMING_POWER}&status=returned").json()
        report = (listed.get("results") or listed)[0]
        values = reporter.get(f"/api/v1/reports/{report['id']}/values/").json()
        saved = reporter.send(
            "PATCH",
            f"/api/v1/reports/{report['id']}/values/",
            json={"values": [{"element": "WF_NOTES", "value": "生产环境检查：填报说明已保存。"}]},
            headers={"If-Match": f'"{values["version"]}"'},
        )
        if saved.status_code != 200 or saved.json()["version"] != values["version"] + 1:
            fail(f"saving a value: {saved.status_code} {saved.text[:500]}", web, worker)
        step(f"reporter signed in and saved report {report['id']} (version {saved.json()['version']})", started)

        office = Browser(base)
        office.sign_in("office_admin", DEMO_PASSWORD)
        page = office.get("/ledger/alerts/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        queued = office.send("POST", "/ledger/alerts/refresh/", data={"csrfmiddlewaretoken": token})
        job_url = queued.headers.get("Location", "")
        if queued.status_code != 302 or "/jobs/" not in job_url:
            fail(f"queueing the alert refresh: {queued.status_code}", web, worker)
        for _ in range(240):
            text = office.get(urlparse(job_url).path).text
            if "已完成" in text or "失败" in text:
                break
            time.sleep(0.5)
        if "已完成" not in text:
            fail("the alert refresh job did not finish", web, worker)
        step(f"the office's job ran on the worker ({job_url})", started)
    finally:
        for process in (web, worker):
            process.terminate()
            process.wait(timeout=60)
    print("prod-check passed")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "changai.settings")
    main()
