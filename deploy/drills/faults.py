"""Fault drills against the production stack on loopback (docs/faults.md has the results).

    .venv/bin/python deploy/drills/faults.py            # every drill; needs root (a cluster of its own, a tmpfs)
    .venv/bin/python deploy/drills/faults.py kill disk  # some of them: kill, restart, disk, upload

It starts a PostgreSQL cluster of its own with .ci/pg_up.sh (never the machine's main service), builds a
small province in it with bench/rush.py's bulk insert, and runs gunicorn (changai/gunicorn.conf.py, one
worker process so the drill knows whom to kill) and `manage.py run_worker` against it, behind a simulated
TLS proxy. Then:

- **kill**: (a) a submission is killed in the middle of its transaction: the drill holds the audit chain's
  lock, so the submit has written its snapshot and status and waits for the audit row; the gunicorn worker
  is killed (SIGKILL) there. Nothing of the submission may remain; gunicorn replaces the worker and the
  same person's retry succeeds. (b) A background import is killed the same way inside the worker
  (`CHANGAI_IMPORT_INLINE_LIMIT` lowered so a workbook goes to the worker): no value may remain, the next
  worker must mark the job failed with a message asking to try again, and a new upload must go through.
- **restart**: `pg_ctl restart` of the cluster while 40 reporters fill and submit (locust, as in the rush):
  errors only around the restart, none 20 s after it, the worker process still alive, every acknowledged
  value and submission present afterwards, and a job queued after the restart runs.
- **disk**: the upload folder on a 512 KB tmpfs filled to the last byte: an upload answers 507 with
  "服务器存储空间不足", leaves no file, and the server keeps serving.
- **upload**: a 21 MB upload answers 413 with "文件过大" before anything is read or written.

Exit status 0 when every drill passed; the findings go to bench/results/faults-postgresql.json.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "deploy")]

import requests  # noqa: E402
from prod_check import Browser  # noqa: E402

from bench import rush  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="(\d+)"')
KEY = re.compile(r'name="idempotency_key" value="([^"]+)"')
AUDIT_LOCK = "SELECT pg_advisory_lock(hashtext('core_auditentry'))"
AUDIT_UNLOCK = "SELECT pg_advisory_unlock(hashtext('core_auditentry'))"
findings: dict[str, dict] = {}


def say(text: str) -> None:
    print(text, flush=True)


def check(drill: str, name: str, ok: bool, detail="") -> None:
    findings.setdefault(drill, {"checks": [], "ok": True})
    findings[drill]["checks"].append({"check": name, "ok": bool(ok), "detail": detail})
    findings[drill]["ok"] &= bool(ok)
    say(f"  [{'ok' if ok else 'FAILED'}] {name}{': ' + str(detail) if detail != '' else ''}")


class Person(Browser):
    def sign_in_as(self, account: dict) -> None:
        self.sign_in(account["username"], account["password"])

    def fill(self, account: dict) -> None:
        page = self.get(f"/reporting/reports/{account['report']}/entry/").text
        version = VERSION.search(page).group(1)
        data = {"autosave": "1", "version": version, "original": "{}", **account["values"]}
        answer = self.send("POST", f"/reporting/reports/{account['report']}/entry/", data=data)
        if answer.status_code != 200 or not answer.json().get("ok"):
            raise RuntimeError(f"saving: {answer.status_code} {answer.text[:300]}")

    def submit_form(self, account: dict) -> dict:
        page = self.get(f"/reporting/reports/{account['report']}/").text
        return {"csrfmiddlewaretoken": CSRF.search(page).group(1), "version": VERSION.search(page).group(1),
                "idempotency_key": KEY.search(page).group(1)}  # fmt: skip

    def upload(self, account: dict) -> str:
        """Upload the workbook; the preview's path."""
        page = self.get(account["excel_page"]).text
        with open(account["workbook"], "rb") as handle:
            answer = self.send(
                "POST", account["excel_page"], data={"csrfmiddlewaretoken": CSRF.search(page).group(1)},
                files={"file": ("填报.xlsx", handle.read())},
            )  # fmt: skip
        if answer.status_code != 302:
            raise RuntimeError(f"upload: {answer.status_code}")
        return "/" + answer.headers["Location"].split("://", 1)[-1].split("/", 1)[-1]


# --- The drills ----------------------------------------------------------------------------------------------


def waiting_on_audit_lock(db, seconds: float = 60) -> bool:
    """Whether a session now waits for the audit chain's advisory lock (polled up to `seconds`)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row = db.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'"
        ).fetchone()
        if row[0]:
            return True
        time.sleep(0.2)
    return False


def web_worker_pids(stack) -> list[int]:
    import psutil

    return [child.pid for child in psutil.Process(stack.web.pid).children()]


def drill_kill(stack, env, people, admin) -> None:
    from core.jobs import Job
    from core.models import AuditEntry
    from reporting.models import DataValue, Report, ReportSnapshot

    say("kill (a): a submission killed inside its transaction")
    account = people["reporter"][0]
    person = Person(stack.url)
    person.sign_in_as(account)
    person.fill(account)
    form = person.submit_form(account)
    admin.execute(AUDIT_LOCK)
    outcome: dict = {}

    def post() -> None:
        try:
            outcome["status"] = person.send(
                "POST", f"/reporting/reports/{account['report']}/submit/", data=form
            ).status_code
        except requests.RequestException as error:
            outcome["error"] = type(error).__name__

    thread = threading.Thread(target=post)
    thread.start()
    check("kill", "the submission reached its audit row and waits there", waiting_on_audit_lock(admin))
    killed = web_worker_pids(stack)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    admin.execute(AUDIT_UNLOCK)
    thread.join(timeout=60)
    check("kill", "the client got no answer (connection dropped)", "error" in outcome, outcome)
    report = Report.objects.get(pk=account["report"])
    check("kill", "nothing of the submission remains", report.status == "draft"
          and not ReportSnapshot.objects.filter(report=report).exists()
          and not AuditEntry.objects.filter(event="reporting.report.submit", object_id=str(report.pk)).exists(),
          {"status": report.status})  # fmt: skip
    for _ in range(300):
        pids = web_worker_pids(stack)
        if pids and pids != killed:
            break
        time.sleep(0.2)
    time.sleep(2)
    retry = person.send("POST", f"/reporting/reports/{account['report']}/submit/", data=person.submit_form(account))
    report.refresh_from_db()
    check("kill", "gunicorn replaced the worker and the retry submitted once", retry.status_code == 302
          and report.status == "submitted" and ReportSnapshot.objects.filter(report=report).count() == 1,
          {"status": retry.status_code})  # fmt: skip

    say("kill (b): a background import killed inside its transaction in the worker")
    account = people["uploader"][0]
    person = Person(stack.url)
    person.sign_in_as(account)
    preview = person.upload(account)
    page = person.get(preview).text
    stack.worker.send_signal(signal.SIGSTOP)  # queue the job first, then let the worker meet the held lock
    confirmed = person.send("POST", f"{preview}confirm/", data={"csrfmiddlewaretoken": CSRF.search(page).group(1)})
    job_path = "/" + confirmed.headers.get("Location", "").split("://", 1)[-1].split("/", 1)[-1]
    check("kill", "the import went to the background worker", "/jobs/" in job_path, job_path)
    admin.execute(AUDIT_LOCK)
    stack.worker.send_signal(signal.SIGCONT)
    check("kill", "the import wrote its values and waits for its audit row", waiting_on_audit_lock(admin))
    stack.worker.kill()
    stack.worker.wait(timeout=30)
    admin.execute(AUDIT_UNLOCK)
    time.sleep(1)
    job = Job.objects.filter(kind="reporting.excel_import").order_by("-pk").first()
    check("kill", "no value of the killed import remains",
          not DataValue.objects.filter(report_id=account["report"]).exists())  # fmt: skip
    stack.worker = subprocess.Popen(  # noqa: S603
        [rush.PY, "manage.py", "run_worker", "--interval", "1"], cwd=rush.ROOT, env=stack.env,
        stdout=stack.log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(150):
        job.refresh_from_db()
        if job.status != "running":
            break
        time.sleep(0.2)
    shown = person.get(job_path).text
    check("kill", "the restarted worker marked the job failed and the page asks to try again",
          job.status == "failed" and "重新" in (job.error or ""),
          {"status": job.status, "error": job.error})  # fmt: skip
    check("kill", "the job page shows it", "失败" in shown)
    preview = person.upload(account)
    page = person.get(preview).text
    person.send("POST", f"{preview}confirm/", data={"csrfmiddlewaretoken": CSRF.search(page).group(1)})
    for _ in range(300):
        if DataValue.objects.filter(report_id=account["report"]).count() == len(account["values"]):
            break
        time.sleep(0.2)
    check("kill", "uploading again imports every value once",
          DataValue.objects.filter(report_id=account["report"]).count() == len(account["values"]))  # fmt: skip


def drill_restart(stack, env, people, work, cluster: str) -> None:
    from reporting.models import DataValue

    say("restart: PostgreSQL restarted under load")
    marks: dict[str, float] = {}

    def restart() -> None:
        marks["down"] = time.time()
        subprocess.run(  # noqa: S603 - the cluster this drill started
            ["/usr/sbin/runuser", "-u", "postgres", "--", "/usr/lib/postgresql/15/bin/pg_ctl", "-D", f"{cluster}/data",
             "-m", "fast", "-w", "-l", f"{cluster}/server.log", "restart"],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,  # the server keeps pipes open
        )  # fmt: skip
        marks["up"] = time.time()

    timer = threading.Timer(15, restart)
    timer.start()
    pool = {"reporter": people["reporter"][1:41], "uploader": [], "leader": people["leader"]}
    samples, ledger = rush.run_locust(
        stack.url, work, "restart", pool, classes={"reporter": len(pool["reporter"])},
        users=len(pool["reporter"]), ramp=5, seconds=150, think=0.5, stop_when_done=True,
    )  # fmt: skip
    timer.join()
    errors = [s for s in samples if s["status"] >= 500 or s["status"] == 0]
    late = [s for s in errors if s["t"] > marks["up"] + 20]
    after = [s for s in samples if s["t"] > marks["up"]]
    first_ok = min((s["t"] for s in after if 200 <= s["status"] < 400), default=None)
    check("restart", "the restart took", True, f"{marks['up'] - marks['down']:.1f} s")
    check("restart", "errors only around the restart, none 20 s after it", not late,
          {"errors": len(errors), "after 20 s": len(late), "requests": len(samples),
           "statuses": sorted({s['status'] for s in errors})})  # fmt: skip
    check("restart", "first answer after the restart", first_ok is not None,
          f"{first_ok - marks['up']:.1f} s after it" if first_ok else "none")  # fmt: skip
    check("restart", "the background worker is still running", stack.worker.poll() is None)
    from django.db import connection

    connection.close()  # this script's own connection did not survive the restart (the app's are checked)
    reconciliation = rush.reconcile(pool, ledger)
    check("restart", "every acknowledged value and submission present, none doubled",
          reconciliation["values_lost"] == reconciliation["values_wrong"] == reconciliation["values_doubled"] == 0
          and reconciliation["submissions_missing_or_doubled"] == 0,
          {k: reconciliation[k] for k in ("values_acknowledged", "values_lost", "values_doubled",
                                          "submissions_acknowledged", "submissions_present_once")})  # fmt: skip
    account = people["uploader"][1]
    person = Person(stack.url)
    person.sign_in_as(account)
    preview = person.upload(account)
    page = person.get(preview).text
    person.send("POST", f"{preview}confirm/", data={"csrfmiddlewaretoken": CSRF.search(page).group(1)})
    for _ in range(300):
        if DataValue.objects.filter(report_id=account["report"]).exists():
            break
        time.sleep(0.2)
    check("restart", "a job queued after the restart runs",
          DataValue.objects.filter(report_id=account["report"]).count() == len(account["values"]))  # fmt: skip


def drill_disk(env, people, work) -> None:
    say("disk: the upload folder full")
    full = work / "imports-full"
    full.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(full)], capture_output=True)  # noqa: S603, S607
    if mounted.returncode:
        check("disk", "a 512 KB tmpfs for the upload folder", False, mounted.stderr.decode()[:200])
        return
    stack = None
    try:
        filler = full / "filler"
        with contextlib.suppress(OSError), open(filler, "wb", buffering=0) as handle:
            while True:
                handle.write(b"\0" * 4096)
        before = sorted(p.name for p in full.iterdir())
        stack = rush.Stack({**env, "CHANGAI_IMPORT_DIR": str(full)}, workers=1, threads=2, jobs=False)
        account = people["uploader"][2]
        person = Person(stack.url)
        person.sign_in_as(account)
        page = person.get(account["excel_page"]).text
        with open(account["workbook"], "rb") as handle:
            answer = person.send(
                "POST", account["excel_page"], data={"csrfmiddlewaretoken": CSRF.search(page).group(1)},
                files={"file": ("填报.xlsx", handle.read())},
            )  # fmt: skip
        check("disk", "the upload answers 507 with a Chinese message", answer.status_code == 507
              and "服务器存储空间不足" in answer.text, answer.status_code)  # fmt: skip
        check("disk", "no file left behind", sorted(p.name for p in full.iterdir()) == before)
        check("disk", "the server keeps serving", person.get("/reporting/reports/").status_code == 200)
        filler.unlink()
        with open(account["workbook"], "rb") as handle:
            answer = person.send(
                "POST", account["excel_page"], data={"csrfmiddlewaretoken": CSRF.search(page).group(1)},
                files={"file": ("填报.xlsx", handle.read())},
            )  # fmt: skip
        check("disk", "with space again the same upload goes through", answer.status_code == 302)
    finally:
        if stack is not None:
            stack.stop()
        subprocess.run(["umount", str(full)], check=False)  # noqa: S603, S607


def drill_upload(stack, people, work) -> None:
    say("upload: a file over the limit")
    account = people["uploader"][3]
    person = Person(stack.url)
    person.sign_in_as(account)
    page = person.get(account["excel_page"]).text
    imports = Path(stack.env["CHANGAI_IMPORT_DIR"])
    before = sorted(p.name for p in imports.iterdir()) if imports.exists() else []
    answer = person.send(
        "POST", account["excel_page"], data={"csrfmiddlewaretoken": CSRF.search(page).group(1)},
        files={"file": ("大文件.xlsx", b"PK" + b"\0" * (21 * 1024 * 1024))},
    )  # fmt: skip
    check("upload", "413 with a Chinese message", answer.status_code == 413 and "文件过大" in answer.text,
          answer.status_code)  # fmt: skip
    after = sorted(p.name for p in imports.iterdir()) if imports.exists() else []
    check("upload", "nothing written", after == before)


# --- Command line --------------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    chosen = set(argv) or {"kill", "restart", "disk", "upload"}
    up = subprocess.run(["bash", str(ROOT / ".ci" / "pg_up.sh")], capture_output=True, text=True, check=True)  # noqa: S603, S607
    exports = dict(re.findall(r"(\w+)=(\S+)", up.stdout))
    cluster = exports["PGDATA_DIR"]
    os.environ["DATABASE_URL"] = exports["DATABASE_URL"]
    os.environ.setdefault("CHANGAI_SECRET_KEY", "drill-" + "x" * 60)
    os.environ["CHANGAI_AUDIT_KEYS"] = "d1:" + "y" * 60
    os.environ["CHANGAI_PII_KEYS"] = "d1:" + "ab" * 32
    work = Path(tempfile.mkdtemp(prefix="changai-drills-"))
    os.environ["CHANGAI_AUDIT_ANCHOR_DIR"] = str(work / "anchors")
    stack = None
    cleanup = None
    started = time.monotonic()
    try:
        cleanup = rush.prepare(keep=False)
        import django

        django.setup()
        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", verbosity=0, interactive=False)
        people = rush.build_people({"drill": (60, 6)}, 2, work)["drill"]
        rush.write_workbooks(people["uploader"])
        connection.close()
        env = rush.server_env(os.environ["DATABASE_URL"], work)
        env["CHANGAI_IMPORT_INLINE_LIMIT"] = "10"  # a 60-value workbook goes to the worker
        stack = rush.Stack(env, workers=1, threads=4)
        import psycopg

        with psycopg.connect(os.environ["DATABASE_URL"], autocommit=True) as admin:
            drills = {
                "kill": lambda: drill_kill(stack, env, people, admin),
                "restart": lambda: drill_restart(stack, env, people, work, cluster),
                "upload": lambda: drill_upload(stack, people, work),
                "disk": lambda: drill_disk(env, people, work),
            }
            for name, drill in drills.items():
                if name not in chosen:
                    continue
                try:
                    drill()
                except Exception as error:  # noqa: BLE001 - a drill that breaks is a failed drill, and the rest run
                    check(name, "the drill ran to its end", False, f"{type(error).__name__}: {error}"[:300])
    finally:
        if stack is not None:
            stack.stop()
        with contextlib.suppress(Exception):  # the cluster goes anyway
            if cleanup is not None:
                cleanup()
        subprocess.run(["bash", str(ROOT / ".ci" / "pg_down.sh"), cluster], check=False)  # noqa: S603, S607
        shutil.rmtree(work, ignore_errors=True)
    ok = all(f["ok"] for f in findings.values())
    result = {"generated_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "seconds": round(time.monotonic() - started),
              "load_average": os.getloadavg(), "drills": findings, "ok": ok}  # fmt: skip
    out = ROOT / "bench" / "results" / "faults-postgresql.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    say(f"drills {'passed' if ok else 'FAILED'} ({result['seconds']} s); {out.relative_to(ROOT)}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
