"""The limit of the rush: the same requests served by minimal Django views doing the same database writes.

Loaded only by bench/rush.py, as the settings module of a second gunicorn (DJANGO_SETTINGS_MODULE=
bench.rush_limit): the platform's settings with Django's default middleware and this module as the URL
configuration, so the capacity runs can send the very same rush mix (same paths, same forms) to it.
What each view does is what any Django application must do for that request and nothing more:

- sign-in: the user row, the same Argon2 password check, a new session row, `last_login` updated;
- 我的报表, the entry page, the report page: the report rows of the user's organisation and their values;
- save: the report row locked, its version checked, the changed values inserted or updated, the
  report's version raised and one log row appended (in place of the audit row), in one transaction;
- submit: the report row locked, version checked, status changed, a snapshot of the values inserted and
  one log row appended;
- the dashboard: one aggregate over the submitted values.

No scope door, no validation rules, no audit chain, no templates: the distance between the two is the
price of those.
"""

from __future__ import annotations

import json
import uuid

from django.db import connection, transaction
from django.db.models import Count, Sum
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse
from django.middleware.csrf import get_token
from django.urls import path
from django.utils import timezone

from changai.settings import *  # noqa: F403 - the platform's settings, then the two changes below

ROOT_URLCONF = "bench.rush_limit"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
LOG_TABLE = "bench_rush_log"
_cells: dict[tuple[int, str, str], tuple[int, int]] = {}


def create_log_table() -> None:
    """The table the limit's writes append to (made by bench/rush.py in the throwaway database)."""
    key = "integer PRIMARY KEY AUTOINCREMENT" if connection.vendor == "sqlite" else "bigserial PRIMARY KEY"
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {LOG_TABLE} (id {key}, at timestamp, user_id bigint, "  # noqa: S608
            "event varchar(50), object_id bigint, detail text)"
        )


def _log(user_id: int, event: str, object_id: int, detail: dict) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {LOG_TABLE} (at, user_id, event, object_id, detail) VALUES (%s, %s, %s, %s, %s)",  # noqa: S608
            [timezone.now(), user_id, event, object_id, json.dumps(detail, ensure_ascii=False)],
        )


def _page(request, body: str, status: int = 200) -> HttpResponse:
    token = get_token(request)
    return HttpResponse(
        f'<html><body><input type="hidden" name="csrfmiddlewaretoken" value="{token}">{body}</body></html>',
        status=status,
    )


def _report(request, pk: int):
    from reporting.models import Report

    if not request.user.is_authenticated:
        return None
    return Report.objects.filter(pk=pk, org__memberships__user=request.user).first()


def _stored(report_id: int) -> dict[str, str]:
    from reporting.models import DataValue

    rows = DataValue.objects.filter(report_id=report_id).values_list("element__code", "option_combo__key", "value")
    return {f"cell:{code}:{key}": value for code, key, value in rows}


def _cell_ids(version_id: int, code: str, key: str) -> tuple[int, int] | None:
    if not _cells:
        from reporting.models import CategoryOptionCombo, SectionElement

        elements = SectionElement.objects.select_related("element")
        combos = list(CategoryOptionCombo.objects.all())
        for se in elements:
            for combo in combos:
                if combo.combo_id == se.category_combo_id:
                    _cells[(se.dataset_version_id, se.element.code, combo.key)] = (se.element_id, combo.pk)
    return _cells.get((version_id, code, key))


def login(request):
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.models import User

    if request.method == "GET":
        return _page(request, '<form method="post"><input name="username"><input name="password"></form>')
    user = User.objects.filter(username=request.POST.get("username", "")).first()
    if user is None or not user.check_password(request.POST.get("password", "")):
        return _page(request, "wrong", status=200)
    request.session.cycle_key()
    request.session[SESSION_KEY] = str(user.pk)
    request.session[BACKEND_SESSION_KEY] = AUTHENTICATION_BACKENDS[-1]  # noqa: F405 - the model backend
    request.session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    User.objects.filter(pk=user.pk).update(last_login=timezone.now())
    return HttpResponseRedirect("/")


def my_reports(request):
    from reporting.models import Report

    rows = Report.objects.filter(org__memberships__user=request.user).values_list("id", "status", "version")
    return _page(request, "".join(f'<a href="/reporting/reports/{pk}/">{s} {v}</a>' for pk, s, v in rows))


def entry(request, pk: int):
    from reporting.models import DataValue, Report

    report = _report(request, pk)
    if report is None:
        return HttpResponse(status=404)
    if request.method == "GET":
        original = json.dumps(_stored(pk), ensure_ascii=False).replace("&", "&amp;").replace('"', "&quot;")
        return _page(
            request, f'<input name="version" value="{report.version}"><input name="original" value="{original}">'
        )
    original = json.loads(request.POST.get("original") or "{}")
    edits = {
        name: value for name, value in request.POST.items() if name.startswith("cell:") and original.get(name) != value
    }
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=pk)
        if locked.version != int(request.POST.get("version", 0)):
            return JsonResponse({"ok": False, "conflict": True}, status=409)
        existing = {(v.element_id, v.option_combo_id): v for v in DataValue.objects.filter(report_id=pk)}
        new_version, now = locked.version + 1, timezone.now()
        created, updated = [], []
        for name, value in edits.items():
            _prefix, code, key = name.split(":", 2)
            ids = _cell_ids(locked.dataset_version_id, code, key)
            if ids is None:
                continue
            number = int(value) if value.isdigit() else None
            old = existing.get(ids)
            if old is None:
                created.append(
                    DataValue(report_id=pk, element_id=ids[0], option_combo_id=ids[1], value=value, number=number,
                              changed_in=new_version, updated_by=request.user, updated_at=now)
                )  # fmt: skip
            else:
                old.value, old.number, old.changed_in, old.updated_at = value, number, new_version, now
                updated.append(old)
        DataValue.objects.bulk_create(created)
        DataValue.objects.bulk_update(updated, ["value", "number", "changed_in", "updated_at"])
        Report.objects.filter(pk=pk).update(version=new_version, updated_at=now)
        _log(request.user.pk, "save", pk, {"version": new_version, "changes": edits})
    return JsonResponse({"ok": True, "version": new_version, "changed": len(edits), "values": edits})


def detail(request, pk: int):
    report = _report(request, pk)
    if report is None:
        return HttpResponse(status=404)
    values = _stored(pk)
    return _page(
        request,
        f'<input name="version" value="{report.version}">'
        f'<input name="idempotency_key" value="{uuid.uuid4().hex}"><p>{len(values)}</p>',
    )


def submit(request, pk: int):
    from reporting.models import Report, ReportSnapshot

    if _report(request, pk) is None:
        return HttpResponse(status=404)
    with transaction.atomic():
        locked = Report.objects.select_for_update().get(pk=pk)
        if locked.version != int(request.POST.get("version", 0)):
            return HttpResponse(status=409)
        now = timezone.now()
        ReportSnapshot.objects.create(
            report_id=pk, number=1, values=_stored(pk), submitted_by=request.user, submitted_at=now,
            idempotency_key=request.POST.get("idempotency_key", ""),
        )  # fmt: skip
        Report.objects.filter(pk=pk).update(
            status="submitted", version=locked.version + 1, submitted_at=now, first_submitted_at=now, updated_at=now
        )
        _log(request.user.pk, "submit", pk, {})
    return HttpResponseRedirect(f"/reporting/reports/{pk}/")


def dashboard(request):
    from reporting.models import DataValue

    totals = DataValue.objects.filter(report__status="submitted", number__isnull=False).aggregate(
        total=Sum("number"), cells=Count("id")
    )
    return _page(request, f"<p>{totals['total']} {totals['cells']}</p>")


urlpatterns = [
    path("accounts/login/", login),
    path("reporting/reports/", my_reports),
    path("reporting/reports/<int:pk>/entry/", entry),
    path("reporting/reports/<int:pk>/", detail),
    path("reporting/reports/<int:pk>/submit/", submit),
    path("analytics/", dashboard),
]
