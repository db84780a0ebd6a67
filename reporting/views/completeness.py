"""Completeness and timeliness pages: who reported on time, late or not at all, by group union and by
prefecture; the deadline-day page the office keeps open (it refreshes itself every minute), with each
missing organisation's contacts and one-click reminders (催报) for whoever reviews it; deadline
extensions and period locks; the table as .xlsx.

Rows come from `queries.reports_due(user=…)`, so each user sees the organisations in their own
scope (a union administrator its subtree, the office the province). Extensions and locks are the
office's: the views answer 404 to anyone else before the services check again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from core import audit, deadlines, exports, pii
from core.actor import Actor
from core.errors import UserError
from core.masking import mask_email
from orgs.choices import Action, OrgKind, Role
from orgs.models import Organisation
from orgs.scoping import (
    can,
    ensure_action,
    get_visible_or_404,
    has_action,
    is_office,
    office_or_404,
    visible_or_province_wide,
)
from reporting import forms as f
from reporting import queries, services
from reporting.choices import Timeliness
from reporting.models import DataSet, DeadlineExtension, Period
from reporting.periods import period_from_code

ROWS_PER_PAGE = 100
MISSING_LIMIT = 500
REFRESH_SECONDS = 60


# --- Access and the round being looked at ---------------------------------------------------------------------


def _ensure_viewer(request: HttpRequest) -> None:
    """Anyone who may see business data somewhere; the rows are then limited to their scope."""
    if not has_action(request.user, Action.VIEW):
        raise PermissionDenied(_("您没有查看报送进度的权限。"))


def _ensure_office(request: HttpRequest) -> None:
    """Extensions and locks are the office's (orgs.scoping.is_office); for anyone else they do not exist."""
    office_or_404(request.user)


def _datasets():
    return DataSet.objects.filter(is_active=True, versions__published_at__isnull=False).distinct().order_by("code")


class Round:
    """The data set and period a page shows, chosen by the filter form (defaults: first data set, current round)."""

    def __init__(self, request: HttpRequest, data=None):
        datasets = _datasets()
        data = (data if data is not None else request.GET).copy()
        self.datasets = datasets
        first = datasets.first()
        if not data.get("dataset") and first is not None:
            data["dataset"] = first.code
        self.form = f.CompletenessForm(data, datasets=datasets)
        self.dataset: DataSet | None = None
        self.period: Period | None = None
        self.rounds: list = []
        if not self.form.is_valid():
            self.dataset = self.form.cleaned_data.get("dataset") or first
            if "period" in self.form.errors:
                return
        else:
            self.dataset = self.form.cleaned_data["dataset"]
        if self.dataset is None:
            return
        self.rounds = queries.recent_rounds(self.dataset)
        code = self.form.cleaned_data.get("period") or (self.rounds[0].code if self.rounds else "")
        if code:
            self.period = period_from_code(code)  # reference data, created on first use

    @property
    def choices(self) -> list[tuple[str, str]]:
        """The periods to offer: the recent rounds, plus the one asked for when it is older."""
        options = [(spec.code, spec.label) for spec in self.rounds]
        if self.period is not None and self.period.code not in {code for code, _label in options}:
            options.append((self.period.code, self.period.label))
        return options

    @property
    def ready(self) -> bool:
        return self.dataset is not None and self.period is not None

    def query(self, **extra) -> str:
        params = {"dataset": self.dataset.code, "period": self.period.code} if self.ready else {}
        params.update({k: v for k, v in extra.items() if v})
        return urlencode(params)


def _filtered(rows, groups, data: dict) -> list:
    timeliness = data.get("timeliness") or ""
    union, prefecture = data.get("union") or "", data.get("prefecture") or ""
    text = (data.get("q") or "").strip().lower()
    result = []
    for row in rows:
        group = groups[row.org.pk]
        if timeliness == "unreported" and row.reported:
            continue
        if timeliness and timeliness != "unreported" and row.timeliness != timeliness:
            continue
        if union and group.union_key != (union if union != "-" else ""):
            continue
        if prefecture and group.prefecture_key != (prefecture if prefecture != "-" else ""):
            continue
        if text and text not in row.org.name.lower() and text not in row.org.code.lower():
            continue
        result.append(row)
    return result


def _round_facts(dataset: DataSet, period: Period, user) -> dict:
    regular = queries.regular_deadline(dataset, period)
    spec = period.spec
    today = deadlines.today()
    return {
        "regular_deadline": regular,
        "opens_on": queries.opening_day(dataset, spec),
        "closes_on": regular + dt.timedelta(days=dataset.grace_days),
        "days_to_deadline": (regular - today).days,
        "days_past_deadline": (today - regular).days,
        "lock": queries.period_lock_of(dataset, period),
        # Only the extensions for the whole province or for organisations in the viewer's scope:
        # another branch's extension (who, why, granted by whom) is none of the viewer's business.
        "extensions": list(
            visible_or_province_wide(DeadlineExtension.objects.filter(dataset=dataset, period=period), user)
            .select_related("org", "granted_by")
            .order_by("-created_at", "-id")
        ),
    }


def _report_url(report) -> str:
    """The report's page, or "" when there is no report (or the entry pages are not installed)."""
    if report is None:
        return ""
    try:
        return reverse("reporting:report_detail", kwargs={"pk": report.pk})
    except NoReverseMatch:
        return ""


def _table_context(request: HttpRequest, chosen: Round, *, extension_form=None) -> dict:
    context: dict = {"round": chosen, "form": chosen.form, "may_act": is_office(request.user)}
    if not chosen.ready:
        return context
    dataset, period = chosen.dataset, chosen.period
    rows = queries.reports_due(dataset=dataset, period=period, user=request.user)
    groups = queries.due_row_groups(rows, period)
    by_union, by_prefecture = queries.summaries_by_groups(rows, groups)
    data = chosen.form.cleaned_data if chosen.form.is_valid() else {}
    listed = _filtered(rows, groups, data)
    page = Paginator(listed, ROWS_PER_PAGE).get_page(request.GET.get("page"))
    context.update(
        dataset=dataset,
        period=period,
        total=queries.reports_due_total(rows),
        by_union=by_union,
        by_prefecture=by_prefecture,
        page_obj=page,
        rows=[(row, groups[row.org.pk], _report_url(row.report)) for row in page.object_list],
        listed_count=len(listed),
        page_extra="&" + chosen.query(**{k: data.get(k) for k in ("timeliness", "union", "prefecture", "q")}),
        export_query=chosen.query(**{k: data.get(k) for k in ("timeliness", "union", "prefecture", "q")}),
        extension_form=extension_form or f.DeadlineExtensionForm(),
        lock_form=f.PeriodLockForm(),
        unlock_form=f.PeriodUnlockForm(),
        may_export=has_action(request.user, Action.EXPORT),
        **_round_facts(dataset, period, request.user),
    )
    return context


# --- Pages ---------------------------------------------------------------------------------------------------


@require_GET
def completeness(request: HttpRequest) -> HttpResponse:
    """The completeness table of one round: totals, by group union, by prefecture, and the organisations."""
    _ensure_viewer(request)
    context = _table_context(request, Round(request))
    template = "reporting/completeness_table.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#results"
    return render(request, template, context)


def _unreported_groups(summaries) -> list[tuple]:
    """(group, organisations not yet reported) for the groups still waiting for someone, most first."""
    waiting = [(group, group.expected - group.reported) for group in summaries]
    return sorted((item for item in waiting if item[1] > 0), key=lambda item: (-item[1], item[0].name))


@dataclass(frozen=True)
class Contact:
    """One person to call about a missing report, as the platform holds them (accounts have a name and an
    e-mail address, no telephone); the address masked (a***@example.cn) unless the viewer may see personal
    data of that organisation in full."""

    user: object
    role: str
    email: str
    masked: bool
    union: str = ""
    phone: str = ""  # always masked here (138****5678); the full number only through contact_phone (audited)
    may_reveal: bool = False

    @property
    def name(self) -> str:
        return self.user.full_name or self.user.username


def _board_contacts(user, orgs: list[Organisation]) -> dict[int, list[Contact]]:
    """Each organisation's reporters and liaisons, and the administrators of its union (its own when it is a
    union, otherwise the union above, which the reminders after the deadline also reach); three queries."""
    people = queries.org_contacts(org.pk for org in orgs)
    above = queries.unions_above(org for org in orgs if org.kind != OrgKind.UNION)
    union_of = {org.pk: (org if org.kind == OrgKind.UNION else above.get(org.pk)) for org in orgs}
    admins = queries.org_contacts({u.pk for u in union_of.values() if u is not None}, roles=(Role.UNION_ADMIN,))
    result: dict[int, list[Contact]] = {}
    for org in orgs:
        full = can(user, Action.PII_VIEW, org)
        union = union_of[org.pk]
        found = [(m, "") for m in people.get(org.pk, [])]
        if union is not None:
            found += [(m, "" if union.pk == org.pk else union.name) for m in admins.get(union.pk, [])]
        seen: set[tuple[int, str]] = set()
        contacts = []
        for membership, union_name in found:
            if (membership.user_id, membership.role) in seen:
                continue
            seen.add((membership.user_id, membership.role))
            email = membership.user.email or ""
            contacts.append(
                Contact(
                    user=membership.user,
                    role=membership.get_role_display(),
                    email=email if full else mask_email(email) if email else "",
                    masked=bool(email) and not full,
                    union=union_name,
                    phone=pii.shown(membership.user, "phone"),
                    may_reveal=full and bool(membership.user.phone),
                )
            )
        result[org.pk] = contacts
    return result


def _deadline_context(request: HttpRequest, chosen: Round, *, extension_form=None) -> dict:
    context: dict = {
        "round": chosen,
        "form": chosen.form,
        "may_act": is_office(request.user),
        "may_remind": has_action(request.user, Action.REVIEW),
        "refresh_seconds": REFRESH_SECONDS,
        "now": timezone.now(),
    }
    if not chosen.ready:
        return context
    dataset, period = chosen.dataset, chosen.period
    rows = queries.reports_due(dataset=dataset, period=period, user=request.user)
    groups = queries.due_row_groups(rows, period)
    missing = [row for row in rows if not row.reported]
    missing.sort(key=lambda row: (groups[row.org.pk].union_key == "", groups[row.org.pk].union_key, row.org.path))
    shown = missing[:MISSING_LIMIT]
    contacts = _board_contacts(request.user, [row.org for row in shown])
    reminded = queries.last_reminders(dataset, period, [row.org.pk for row in shown])
    regular = queries.regular_deadline(dataset, period)
    by_union, by_prefecture = queries.summaries_by_groups(rows, groups)
    context.update(
        dataset=dataset,
        period=period,
        total=queries.reports_due_total(rows),
        missing_by_union=_unreported_groups(by_union),
        missing_by_prefecture=_unreported_groups(by_prefecture),
        missing=[
            (
                row,
                groups[row.org.pk],
                contacts.get(row.org.pk, []),
                row.deadline > regular,
                reminded.get(row.org.pk),
                context["may_remind"] and can(request.user, Action.REVIEW, row.org),
            )
            for row in shown
        ],
        missing_count=len(missing),
        late_count=sum(1 for row in missing if row.timeliness == Timeliness.MISSING),
        missing_more=len(missing) > MISSING_LIMIT,
        live_query=chosen.query(),
        extension_form=extension_form or f.DeadlineExtensionForm(),
        lock_form=f.PeriodLockForm(),
        unlock_form=f.PeriodUnlockForm(),
        **_round_facts(dataset, period, request.user),
    )
    return context


@require_GET
def deadline_day(request: HttpRequest) -> HttpResponse:
    """The deadline-day page: counts and the organisations still missing with their contacts; htmx
    polls it every minute and swaps in the live part."""
    _ensure_viewer(request)
    context = _deadline_context(request, Round(request))
    template = "reporting/completeness_deadline.html"
    if request.htmx and not request.htmx.history_restore_request:
        template += "#live"
    return render(request, template, context)


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return fallback


def _posted_round(request: HttpRequest) -> tuple[DataSet, Period]:
    """The round named by the hidden fields of a posted form; 404 for anything else (a tampered form)."""
    dataset = get_object_or_404(_datasets(), code=request.POST.get("dataset", ""))
    try:
        period = period_from_code(request.POST.get("period", ""))
    except UserError as error:
        raise Http404(error.message) from error
    if period.period_type != dataset.period_type:
        raise Http404(_("报告期与报表的报告期类型不符。"))
    return dataset, period


@require_POST
def extend_deadline(request: HttpRequest) -> HttpResponse:
    """The office extends a round's deadline for one subtree or everyone; errors are shown on the page it came from."""
    _ensure_office(request)
    dataset, period = _posted_round(request)
    form = f.DeadlineExtensionForm(request.POST, user=request.user)
    page = "deadline" if request.POST.get("page") == "deadline" else "table"
    if form.is_valid():
        org = form.cleaned_data["org"]  # None: everyone; found where the user may accept reports
        if not form.errors:
            try:
                extension = services.deadline_extend(
                    by=Actor.from_request(request),
                    dataset=dataset,
                    period=period,
                    new_deadline=form.cleaned_data["new_deadline"],
                    reason=form.cleaned_data["reason"],
                    org=org,
                )
            except UserError as error:
                form.add_service_error(error)
            else:
                whom = org.name if org else _("全部填报单位")
                messages.success(
                    request,
                    _("已将%(whom)s的%(period)s“%(dataset)s”截止日期延至 %(day)s。")
                    % {
                        "whom": whom,
                        "period": period.label,
                        "dataset": dataset.name,
                        "day": extension.new_deadline.isoformat(),
                    },
                )
                name = "reporting:deadline_day" if page == "deadline" else "reporting:completeness"
                query = urlencode({"dataset": dataset.code, "period": period.code})
                return redirect(_back(request, f"{reverse(name)}?{query}"))
    chosen = Round(request, data={"dataset": dataset.code, "period": period.code})
    if page == "deadline":
        context = _deadline_context(request, chosen, extension_form=form)
        return render(request, "reporting/completeness_deadline.html", context)
    context = _table_context(request, chosen, extension_form=form)
    return render(request, "reporting/completeness_table.html", context)


@require_POST
def lock_period(request: HttpRequest) -> HttpResponse:
    _ensure_office(request)
    dataset, period = _posted_round(request)
    form = f.PeriodLockForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.period_lock(by=Actor.from_request(request), dataset=dataset, period=period, reason=reason)
    except UserError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("已锁定%(period)s“%(dataset)s”：不能再填报、提交或审核，已验收的报表已锁定。")
            % {"period": period.label, "dataset": dataset.name},
        )
    query = urlencode({"dataset": dataset.code, "period": period.code})
    return redirect(_back(request, f"{reverse('reporting:completeness')}?{query}"))


@require_POST
def unlock_period(request: HttpRequest) -> HttpResponse:
    _ensure_office(request)
    dataset, period = _posted_round(request)
    form = f.PeriodUnlockForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写解除锁定的原因。"))
    else:
        try:
            services.period_unlock(
                by=Actor.from_request(request), dataset=dataset, period=period, reason=form.cleaned_data["reason"]
            )
        except UserError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("已解除%(period)s“%(dataset)s”的锁定。") % {"period": period.label, "dataset": dataset.name}
            )
    query = urlencode({"dataset": dataset.code, "period": period.code})
    return redirect(_back(request, f"{reverse('reporting:completeness')}?{query}"))


def _reminded_message(result: services.ManualReminders) -> tuple[str, list[str]]:
    """The success message (how many were reminded) and the notes on those not reminded now."""
    notes = [
        _("%(org)s%(when)s（%(by)s），今天不再重复催报。") % {"org": org.name, "when": last.label, "by": last.by}
        for org, last in result.already
    ]
    if result.nobody:
        notes.append(
            _("%(orgs)s没有可通知的填报员或工会管理员，未发送。") % {"orgs": "、".join(o.name for o in result.nobody)}
        )
    if result.not_needed:
        notes.append(_("%(orgs)s已报送，无需催报。") % {"orgs": "、".join(o.name for o in result.not_needed)})
    return _("已催报 %(n)d 家单位（站内通知和电子邮件）。") % {"n": len(result.sent)}, notes


@require_POST
def contact_phone(request: HttpRequest, code: str, user_id: int) -> HttpResponse:
    """ "查看完整": the full telephone of one of a unit's contacts on the deadline board, for a reviewer of the unit
    who may see personal data there; audited (core.pii). 404 outside the review scope or for someone who is not
    one of the unit's contacts; 403 without the right to see personal data."""
    org = get_visible_or_404(Organisation.objects, request.user, Action.REVIEW, code=code)
    if not can(request.user, Action.PII_VIEW, org):
        raise PermissionDenied(_("您无权查看该单位联系人的完整电话。"))
    contact = next((c for c in _board_contacts(request.user, [org])[org.pk] if c.user.pk == user_id), None)
    if contact is None:
        raise Http404
    return pii.reveal_response(request, contact.user, "phone")


@require_POST
def remind(request: HttpRequest) -> HttpResponse:
    """催报: remind one organisation (`org`, its code) or every late organisation the user may review
    (`all`), now, with the daily job's message; at most once per organisation, round and day.

    403 for someone who reviews nothing; 404 for an organisation outside the user's review scope.
    """
    ensure_action(request.user, Action.REVIEW)
    dataset, period = _posted_round(request)
    if request.POST.get("all"):
        reviewable = Organisation.objects.visible_to(request.user, Action.REVIEW)
        late = [
            row.org.pk
            for row in queries.reports_due(dataset=dataset, period=period, user=request.user)
            if row.timeliness == Timeliness.MISSING
        ]
        orgs = list(reviewable.filter(pk__in=late).order_by("path"))
    else:
        orgs = [get_visible_or_404(Organisation.objects, request.user, Action.REVIEW, code=request.POST.get("org", ""))]
    try:
        if not orgs:
            raise UserError(_("没有逾期未报的单位，无需催报。"))
        result = services.reminders_send_now(by=Actor.from_request(request), dataset=dataset, period=period, orgs=orgs)
    except UserError as error:
        messages.error(request, error.message)
    else:
        text, notes = _reminded_message(result)
        if result.sent or not result.already:
            messages.success(request, text)
        for note in notes:
            messages.warning(request, note)
    query = urlencode({"dataset": dataset.code, "period": period.code})
    return redirect(_back(request, f"{reverse('reporting:deadline_day')}?{query}"))


EXPORT_HEADERS = [
    gettext_lazy("单位代码"),
    gettext_lazy("单位名称"),
    gettext_lazy("产业系统公司工会"),
    gettext_lazy("州市"),
    gettext_lazy("填报状态"),
    gettext_lazy("报送情况"),
    gettext_lazy("截止日期"),
    gettext_lazy("首次提交时间"),
    gettext_lazy("最近提交时间"),
]


@require_GET
def completeness_export(request: HttpRequest) -> HttpResponse:
    """The completeness table (with the page's filters) as .xlsx; audited with its row count, rate-limited."""
    _ensure_viewer(request)
    ensure_action(request.user, Action.EXPORT)
    wait = exports.rate_limited(request, "completeness")
    if wait:
        response = HttpResponse(_("导出过于频繁，请%(s)d秒后再试。") % {"s": wait}, status=429)
        response["Retry-After"] = str(wait)
        return response
    chosen = Round(request)
    if not chosen.ready:
        messages.error(request, _("请选择报表和报告期后再导出。"))
        return redirect("reporting:completeness")
    dataset, period = chosen.dataset, chosen.period
    rows = queries.reports_due(dataset=dataset, period=period, user=request.user)
    groups = queries.due_row_groups(rows, period)
    data = chosen.form.cleaned_data if chosen.form.is_valid() else {}
    listed = _filtered(rows, groups, data)
    labels = dict(Timeliness.choices)

    def lines():
        for row in listed:
            group = groups[row.org.pk]
            report = row.report
            yield [
                row.org.code,
                row.org.name,
                group.union_name,
                group.prefecture_name,
                row.status_label,
                str(labels[row.timeliness]),
                row.deadline,
                report.first_submitted_at if report else None,
                report.submitted_at if report else None,
            ]

    fileobj, count = exports.export_file(
        "xlsx", sheet_title=_("报送进度"), headers=[str(h) for h in EXPORT_HEADERS], rows=lines()
    )
    audit.record(
        Actor.from_request(request),
        "reporting.completeness.export",
        dataset,
        after=None,
        detail={
            "format": "xlsx",
            "rows": count,
            "period": period.code,
            "filters": {k: v for k, v in data.items() if k in ("timeliness", "union", "prefecture", "q") and v},
        },
    )
    stem = _("报送进度-%(dataset)s-%(period)s") % {"dataset": dataset.code, "period": period.code}
    return exports.export_response(fileobj, fmt="xlsx", filename_stem=stem)
