"""The audit log for the audit administrator: search, read one entry, export. Nothing changes it.

Only a holder of AUDIT_VIEW (the audit administrator) gets in; every other role, the system
administrator included (三权分立), gets 403 and the attempt is itself audited. There are no
edit or delete views, and the API (`AuditEntryViewSet`) is read-only.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from django import forms
from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET
from django_filters import rest_framework as filters
from rest_framework import permissions, serializers
from rest_framework.settings import api_settings
from rest_framework.viewsets import ReadOnlyModelViewSet

from core import audit, exports, integrity, registry
from core.actor import Actor
from core.api import ThrottleFirstMixin
from core.models import AuditEntry

PAGE_SIZE = 50
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
EXPORT_MAX_ROWS = 100_000


def event_label(event: str) -> str:
    """The event's label, declared by its app (core/registry.py); the code when none is."""
    return registry.event_label(event)


class _AddressFilter(filters.CharFilter):
    # Validated as an address first: PostgreSQL stores it as inet and would fail on other text.
    field_class = forms.GenericIPAddressField


class AuditEntryFilter(filters.FilterSet):
    """Search criteria shared by the page, its export and the API."""

    date_from = filters.DateFilter(label=gettext_lazy("起始日期"), method="filter_date_from")
    date_to = filters.DateFilter(label=gettext_lazy("截止日期"), method="filter_date_to")
    user = filters.CharFilter(label=gettext_lazy("用户名"), field_name="username", lookup_expr="icontains")
    event = filters.CharFilter(label=gettext_lazy("事件（名称或代码）"), method="filter_event")
    object_type = filters.CharFilter(label=gettext_lazy("对象类型"))
    object_id = filters.CharFilter(label=gettext_lazy("对象ID"))
    success = filters.BooleanFilter(label=gettext_lazy("结果"))
    ip = _AddressFilter(label=gettext_lazy("客户端地址"))

    class Meta:
        model = AuditEntry
        fields = ["date_from", "date_to", "user", "event", "object_type", "object_id", "success", "ip"]

    @staticmethod
    def _local_midnight(day: dt.date) -> dt.datetime:
        return timezone.make_aware(dt.datetime.combine(day, dt.time.min))

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(at__gte=self._local_midnight(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(at__lt=self._local_midnight(value + dt.timedelta(days=1)))

    def filter_event(self, queryset, name, value):
        """Events whose label contains the words (提交, 登录, 导出…), or whose code starts with them."""
        text = value.strip()
        codes = registry.events_matching(text)
        return queryset.filter(Q(event__startswith=text) | Q(event__in=codes))

    def described(self) -> dict[str, str]:
        """The criteria in use, as text (for the export's own audit row)."""
        data = getattr(self.form, "cleaned_data", {}) or {}
        return {name: str(value) for name, value in data.items() if value not in (None, "")}


def _ensure_audit_viewer(request) -> None:
    if not registry.allows("audit.view", request.user):
        raise PermissionDenied(_("只有审计管理员可以查阅审计日志。"))  # audited by RefusalAuditMiddleware


def _filtered(request) -> tuple[AuditEntryFilter, Any]:
    filterset = AuditEntryFilter(request.GET or None, queryset=AuditEntry.objects.order_by("-id"), request=request)
    if filterset.is_bound and not filterset.is_valid():
        return filterset, AuditEntry.objects.none()  # a wrong criterion shows nothing, not everything
    return filterset, filterset.qs


def _querystring(request, drop: tuple[str, ...] = ("page",)) -> str:
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    for key in [k for k, v in params.items() if v == ""]:
        params.pop(key)
    return params.urlencode()


@require_GET
def entry_list(request):
    """Entries matching the filters, newest first, 50 a page."""
    _ensure_audit_viewer(request)
    filterset, entries = _filtered(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.event_label = event_label(entry.event)
    context = {"filterset": filterset, "page": page, "querystring": _querystring(request), "section": "audit"}
    if not getattr(request, "htmx", False):
        context["anchor"] = _anchor_shown(audit.latest_anchor())
        context["integrity"] = integrity.last_check()
    template = "core/audit_list.html" + ("#results" if getattr(request, "htmx", False) else "")
    return render(request, template, context)


def _anchor_shown(anchor: dict | None) -> dict | None:
    """The last anchor as the page shows it: when, up to which row, how many rows, and its head hash."""
    if anchor is None:
        return None
    at = dt.datetime.strptime(anchor["at"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
    return {**anchor, "at": timezone.localtime(at)}


def _field_labels(object_type: str) -> dict[str, str]:
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return {}
    return {f.name: str(f.verbose_name) for f in model._meta.concrete_fields}


def display_value(value: Any) -> str:
    """A stored audit value as a person reads it."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    if isinstance(value, str) and _ISO_DATETIME.match(value):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_aware(moment):  # stored in UTC; shown in local time like the rest of the page
            return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


@require_GET
def entry_detail(request, pk: int):
    """One entry with its before/after values as a field-by-field comparison."""
    _ensure_audit_viewer(request)
    entry = get_object_or_404(AuditEntry, pk=pk)
    labels = _field_labels(entry.object_type) if entry.object_type else {}
    changes = [
        {"field": name, "label": labels.get(name, name), "before": display_value(old), "after": display_value(new)}
        for name, (old, new) in audit.diff(entry.before, entry.after).items()
    ]
    details = [{"key": key, "value": display_value(value)} for key, value in sorted((entry.detail or {}).items())]
    context = {
        "entry": entry,
        "event_label": event_label(entry.event),
        "changes": changes,
        "details": details,
        "is_create": entry.before is None and entry.after is not None,
        "section": "audit",
    }
    return render(request, "core/audit_detail.html", context)


EXPORT_HEADERS = [
    gettext_lazy("编号"),
    gettext_lazy("时间"),
    gettext_lazy("用户名"),
    gettext_lazy("角色"),
    gettext_lazy("机构代码"),
    gettext_lazy("事件"),
    gettext_lazy("事件代码"),
    gettext_lazy("结果"),
    gettext_lazy("客户端地址"),
    gettext_lazy("请求ID"),
    gettext_lazy("对象类型"),
    gettext_lazy("对象ID"),
    gettext_lazy("对象"),
    gettext_lazy("修改前"),
    gettext_lazy("修改后"),
    gettext_lazy("详情"),
    gettext_lazy("记录哈希"),
]


def _export_rows(entries):
    ok, failed = _("成功"), _("失败")
    for e in entries.iterator(chunk_size=2000):
        yield [
            e.id,
            e.at,
            e.username,
            e.role,
            e.org_code,
            event_label(e.event),
            e.event,
            ok if e.success else failed,
            e.ip,
            e.request_id,
            e.object_type,
            e.object_id,
            e.object_repr,
            e.before,
            e.after,
            e.detail,
            e.entry_hash,
        ]


@require_GET
def entry_export(request, fmt: str):
    """The filtered entries as .xlsx or .csv; the export is itself audited with its row count."""
    _ensure_audit_viewer(request)
    wait = exports.rate_limited(request, "audit")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    filterset, entries = _filtered(request)
    if filterset.is_bound and not filterset.is_valid():
        messages.error(request, _("筛选条件有误，未导出。请修正后重试。"))
        return redirect(f"{reverse('audit:entry_list')}?{_querystring(request)}")
    # Rows appended while the file is written are left out, so the count below stays exact.
    last_id = AuditEntry.objects.aggregate(last=Max("id"))["last"] or 0
    entries = entries.filter(id__lte=last_id)
    total = entries.count()
    if total > EXPORT_MAX_ROWS:
        messages.error(
            request,
            _("符合条件的记录有%(n)d条，超过单次导出上限%(max)d条，请缩小时间范围后再导出。")
            % {"n": total, "max": EXPORT_MAX_ROWS},
        )
        return redirect(f"{reverse('audit:entry_list')}?{_querystring(request)}")
    fileobj, count = exports.export_file(
        fmt, sheet_title=_("审计日志"), headers=[str(h) for h in EXPORT_HEADERS], rows=_export_rows(entries)
    )
    audit.record(
        Actor.from_request(request),
        "audit.export",
        object_type=AuditEntry._meta.label_lower,
        detail={"format": fmt, "rows": count, "filters": filterset.described(), "last_id": last_id},
    )
    stem = _("审计日志") + timezone.localtime().strftime("-%Y%m%d-%H%M%S")
    return exports.export_response(fileobj, fmt=fmt, filename_stem=stem)


# --- JSON API (read-only) -----------------------------------------------------------------


class AuditEntrySerializer(serializers.ModelSerializer):
    event_label = serializers.SerializerMethodField()

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "user_id",
            "username",
            "role",
            "org_code",
            "event",
            "event_label",
            "success",
            "ip",
            "request_id",
            "object_type",
            "object_id",
            "object_repr",
            "before",
            "after",
            "detail",
            "prev_hash",
            "entry_hash",
        ]
        read_only_fields = fields

    def get_event_label(self, entry: AuditEntry) -> str:
        return event_label(entry.event)


class CanViewAudit(permissions.BasePermission):
    message = gettext_lazy("只有审计管理员可以查阅审计日志。")

    def has_permission(self, request, view) -> bool:
        return registry.allows("audit.view", request.user)


class AuditEntryViewSet(ThrottleFirstMixin, ReadOnlyModelViewSet):
    """The audit log, newest first, for the audit administrator. No method changes an entry (405)."""

    permission_classes = [*api_settings.DEFAULT_PERMISSION_CLASSES, CanViewAudit]
    serializer_class = AuditEntrySerializer
    filterset_class = AuditEntryFilter
    queryset = AuditEntry.objects.order_by("-id")
    lookup_value_regex = "[0-9]+"
