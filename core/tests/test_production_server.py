"""The production stack's web part: gunicorn with changai/gunicorn.conf.py serves the app behind a TLS proxy,
with the settings read from the environment, and refuses to start without collected static files."""

import re
import runpy
import socket
import subprocess
import sys
import time

import pytest
import requests

from accounts.tests.test_deploy import HOST, ROOT, production_env, run


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    env = production_env(
        CHANGAI_MANIFEST_STATIC="0",  # collecting takes half a minute; the refusal without it is tested below
        CHANGAI_SQLITE_PATH=str(tmp_path / "db.sqlite3"),
        CHANGAI_MEDIA_ROOT=str(tmp_path / "media"),
        CHANGAI_JOB_PROGRESS_DIR=str(tmp_path / "jobs"),
        CHANGAI_AUDIT_ANCHOR_DIR=str(tmp_path / "anchors"),
        CHANGAI_PROXY_SSL_HEADER="HTTP_X_FORWARDED_PROTO",
        CHANGAI_TRUSTED_PROXY_COUNT="1",
        CHANGAI_BIND=f"127.0.0.1:{port}",
        CHANGAI_WEB_WORKERS="2",
    )
    migrated = run(["manage.py", "migrate", "--noinput", "-v0"], env)
    assert migrated.returncode == 0, migrated.stderr[-2000:]
    process = subprocess.Popen(  # noqa: S603 - the project's own gunicorn
        [sys.executable, "-m", "gunicorn", "-c", "changai/gunicorn.conf.py", "changai.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        if process.poll() is not None:
            pytest.fail("gunicorn stopped: " + (process.stdout.read() if process.stdout else ""))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=30)


def _get(session, url, **kwargs):
    headers = {"Host": HOST, "X-Forwarded-Proto": "https", "X-Forwarded-For": "10.1.2.3"}
    return session.get(url, headers=headers, allow_redirects=False, timeout=20, **kwargs)


def test_gunicorn_serves_pages_static_files_and_forms_behind_the_proxy(server):
    session = requests.Session()
    plain = session.get(f"{server}/accounts/login/", headers={"Host": HOST}, allow_redirects=False, timeout=20)
    assert plain.status_code == 301 and plain.headers["Location"].startswith("https://")  # no proxy header

    page = _get(session, f"{server}/accounts/login/")
    assert page.status_code == 200 and "登录" in page.text
    assert "Strict-Transport-Security" in page.headers
    script = re.search(r'src="(/static/[^"]+\.js)"', page.text).group(1)
    assert _get(session, f"{server}{script}").status_code == 200

    # A form post (perhaps to the other worker): nothing of the form lives in a process. The cookies are
    # Secure (__Host-), which requests keeps for https only: the proxy's side of the connection is plain.
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in session.cookies)
    assert "__Host-csrftoken" in cookies
    refused = requests.post(
        f"{server}/accounts/login/",
        data={"csrfmiddlewaretoken": token, "username": "nobody", "password": "wrong-password-123"},
        headers={
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{HOST}/accounts/login/",
            "Cookie": cookies,
        },
        allow_redirects=False,
        timeout=20,
    )
    assert refused.status_code == 200 and "用户名或密码" in refused.text


def test_the_server_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CHANGAI_WEB_WORKERS", "3")
    monkeypatch.setenv("CHANGAI_BIND", "127.0.0.1:9001")
    config = runpy.run_path(str(ROOT / "changai" / "gunicorn.conf.py"))
    assert (config["workers"], config["bind"], config["worker_class"]) == (3, "127.0.0.1:9001", "gthread")
    assert config["preload_app"] is True


def test_production_without_collected_static_files_refuses_to_start_and_says_how(tmp_path):
    env = production_env(CHANGAI_STATIC_ROOT=str(tmp_path / "static"))
    started = run(["-c", "import changai.wsgi"], env)
    assert started.returncode != 0
    assert "collectstatic" in started.stderr and "staticfiles.json" in started.stderr
    checked = run(["manage.py", "check", "--deploy"], env)
    assert "changai.E003" in checked.stdout + checked.stderr

    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "staticfiles.json").write_text('{"paths": {}, "version": "1.1"}')
    assert run(["-c", "import changai.wsgi"], env).returncode == 0


def test_processes_share_the_default_cache_so_no_dashboard_is_left_stale(tmp_path):
    # gunicorn's workers and the background worker are separate processes: an acceptance in one bumps the
    # generation that dashboard answers are keyed by, and every other process must see it.
    env = production_env(CHANGAI_CACHE_DIR=str(tmp_path / "cache"))
    bump = "from analytics import aggregates as a; g = a.generation(); a.cache.incr(a.GENERATION_KEY); print(g)"
    first = run(["manage.py", "shell", "-c", bump], env)
    assert first.returncode == 0, first.stderr[-2000:]
    seen = run(["manage.py", "shell", "-c", "from analytics import aggregates as a; print(a.generation())"], env)
    assert int(seen.stdout.strip().splitlines()[-1]) == int(first.stdout.strip().splitlines()[-1]) + 1
