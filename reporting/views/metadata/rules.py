"""Metadata pages for a version's validation rules: list, form, live expression check, test box."""

from __future__ import annotations

import difflib
import re

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.actor import Actor
from core.errors import ConflictError, UserError
from orgs.choices import Action
from reporting import forms as f
from reporting import queries, services
from reporting.expressions import ExpressionError, Ref, parse, references
from reporting.models import DataSetVersion, Report, ValidationRule
from reporting.validation import evaluate_rule, expression_problems
from reporting.views.metadata.common import (
    changed_fields,
    check_manager,
    check_reader,
    draft_or_message,
    get_version,
    make_read_only,
    post_action,
)

TEST_REPORTS_LIMIT = 200


# --- Validation rules ---------------------------------------------------------------------------------------------


@require_GET
def rule_list(request: HttpRequest, pk: int) -> HttpResponse:
    """A version's rules, configured first, then the generated sum rules."""
    may_manage = check_reader(request)
    version = get_version(pk)
    layout = queries.version_layout(version)
    rules = list(version.rules.order_by("is_generated", "code"))
    for rule in rules:
        rule.readable = _readable(rule, layout)
    context = {
        "version": version,
        "dataset": version.dataset,
        "may_manage": may_manage,
        "editable": may_manage and not version.is_published,
        "rules": rules,
    }
    return render(request, "reporting/metadata_rule_list.html", context)


def _readable(rule: ValidationRule, layout: queries.Layout) -> str:
    """The rule with references replaced by the element names: 持证人数 ≤ 产业工人构成·非农民工."""
    parts = []
    for side in (rule.left, rule.right):
        try:
            node = parse(side)
        except ExpressionError:
            parts.append(side)
            continue
        text = side
        for ref in references(node):
            text = text.replace(str(ref), layout.describe(ref), 1)
        parts.append(text)
    return f"{parts[0]} {rule.get_operator_display()} {parts[1]}"


def _test_reports(request: HttpRequest, version: DataSetVersion):
    return (
        Report.objects.visible_to(request.user, Action.VIEW)
        .filter(dataset=version.dataset)
        .select_related("org", "period")
        .order_by("-period__start", "org__path")
    )


def _rule_context(request, version, form, *, rule=None, may_manage=True, changes=None) -> dict:
    reports = _test_reports(request, version)
    return {
        "version": version,
        "dataset": version.dataset,
        "form": form,
        "rule": rule,
        "may_manage": may_manage,
        "editable": may_manage and not version.is_published and not (rule and rule.is_generated),
        "changes": changes,
        "test_form": f.RuleTestForm(reports=reports[:TEST_REPORTS_LIMIT]),
        "known": _known_elements(queries.version_layout(version)),
    }


def _known_elements(layout) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(code, name, [(option code, option name)]) of every element an expression may reference."""
    known = []
    for code in sorted(layout.option_names):
        item = layout.element(code)
        options = sorted(layout.option_names[code].items())
        known.append((code, item.element.name if item else "", options))
    return known


_REF_CODE = re.compile(r"#\{\s*([A-Za-z0-9_]+)")


def _suggestions(text: str, layout) -> list[str]:
    """For each element code in `text` that the version does not know, the closest codes it does."""
    known = layout.option_names
    hints = []
    for code in dict.fromkeys(_REF_CODE.findall(text)):
        if code in known:
            continue
        close = difflib.get_close_matches(code.upper(), list(known), n=2, cutoff=0.75)
        if close:
            named = "、".join(f"#{{{c}}}（{layout.describe(Ref(c, ()))}）" for c in close)
            hints.append(_("您是否要写 %(names)s？") % {"names": named})
    return hints


@require_http_methods(["GET", "POST"])
def rule_create(request: HttpRequest, pk: int) -> HttpResponse:
    check_manager(request)
    version = get_version(pk)
    known = queries.version_layout(version).known_options()
    form = f.RuleForm(request.POST or None, known=known, creating=True)
    if request.method == "POST" and form.is_valid() and draft_or_message(request, version):
        try:
            rule = services.rule_create(
                by=Actor.from_request(request),
                dataset_version=version,
                code=form.cleaned_data["code"],
                **form.values(),
            )
        except UserError as error:
            form.add_service_error(error)
        else:
            messages.success(request, _("已新增校验规则“%(name)s”。") % {"name": rule.name})
            return redirect("reporting:rule_list", pk=version.pk)
    return render(request, "reporting/metadata_rule_form.html", _rule_context(request, version, form))


@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """A rule's page: its fields (editable in a draft), the live expression check and the test box."""
    may_manage = check_reader(request)
    rule = get_object_or_404(ValidationRule.objects.select_related("dataset_version__dataset"), pk=pk)
    version = rule.dataset_version
    known = queries.version_layout(version).known_options()
    changes = None
    if request.method == "POST":
        check_manager(request)
        form = f.RuleForm(request.POST, known=known, creating=False, initial=f.RuleForm.initial_for(rule))
        version_sent = request.POST.get("version", "")
        if form.is_valid() and draft_or_message(request, version):
            try:
                services.rule_update(
                    by=Actor.from_request(request),
                    rule=rule,
                    version=int(version_sent) if version_sent.isdigit() else 0,
                    **{k: v for k, v in form.values().items() if v != getattr(rule, k)},
                )
            except ConflictError as error:
                form.add_error(None, error.message)
                rule.refresh_from_db()
                changes = changed_fields(form, rule, list(f.RULE_FORM_FIELDS) + ["is_active"], form.cleaned_data)
            except UserError as error:
                form.add_service_error(error)
            else:
                messages.success(request, _("已保存校验规则“%(name)s”。") % {"name": form.cleaned_data["name"]})
                return redirect("reporting:rule_list", pk=version.pk)
    else:
        form = f.RuleForm(initial=f.RuleForm.initial_for(rule), known=known, creating=False)
    context = _rule_context(request, version, form, rule=rule, may_manage=may_manage, changes=changes)
    if not context["editable"]:
        make_read_only(form)
    return render(request, "reporting/metadata_rule_form.html", context)


@require_POST
def rule_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Activate or deactivate a configured rule of a draft version."""
    check_manager(request)
    rule = get_object_or_404(ValidationRule.objects.select_related("dataset_version"), pk=pk)
    active = request.POST.get("active") == "1"
    version_sent = request.POST.get("version", "")
    done = _("已启用校验规则“%(name)s”。") if active else _("已停用校验规则“%(name)s”。")
    return post_action(
        request,
        lambda by: services.rule_update(
            by=by, rule=rule, version=int(version_sent) if version_sent.isdigit() else 0, is_active=active
        ),
        success=done % {"name": rule.name},
        redirect_to=reverse("reporting:rule_list", args=[rule.dataset_version_id]),
    )


@require_POST
def rules_generate(request: HttpRequest, pk: int) -> HttpResponse:
    """Regenerate a draft's sum rules from its total relations."""
    check_manager(request)
    version = get_version(pk)
    return post_action(
        request,
        lambda by: services.rules_generate(by=by, dataset_version=version),
        success=lambda rules: _("已根据合计关系生成 %(n)d 条求和校验规则。") % {"n": len(rules)},
        redirect_to=reverse("reporting:rule_list", args=[version.pk]),
    )


_POSITION = re.compile(r"第 (\d+) 个字符")


def _highlighted(text: str, message: str):
    """The expression with the character the parser stopped at marked, or None when no position is known."""
    match = _POSITION.search(message)
    if not match:
        return None
    index = int(match.group(1)) - 1
    if not 0 <= index < len(text):
        return None
    return format_html(
        '{}<mark class="expr-error">{}</mark>{}', text[:index], text[index : index + 1], text[index + 1 :]
    )


@require_GET
def expression_check(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: check one expression as it is typed; the errors name the position, the references are spelled out."""
    check_reader(request)
    version = get_version(pk)
    side = "right" if "right" in request.GET else "left"
    text = (request.GET.get(side) or "").strip()
    layout = queries.version_layout(version)
    problems = expression_problems(text, layout.known_options()) if text else []
    if problems:
        problems = [*problems, *_suggestions(text, layout)]
    refs = []
    if text and not problems:
        refs = [layout.describe(ref) for ref in references(parse(text))]
    context = {
        "text": text,
        "problems": problems,
        "highlight": _highlighted(text, problems[0]) if problems else None,
        "refs": refs,
        "side": side,
    }
    return render(request, "reporting/metadata_rule_form.html#expression_check", context)


@require_POST
def rule_test(request: HttpRequest, pk: int) -> HttpResponse:
    """htmx: evaluate a rule against a report the user may see; writes nothing.

    With the rule form's fields (left, operator, right, …) the rule is tested as typed, unsaved;
    with only `rule` (a read-only page) the stored rule of this version is tested.
    """
    check_reader(request)
    version = get_version(pk)
    layout = queries.version_layout(version)
    test_form = f.RuleTestForm(request.POST, reports=_test_reports(request, version))
    context: dict = {"test_form": test_form}
    rule = None
    if "left" in request.POST:
        rule_form = f.RuleForm(request.POST, known=layout.known_options(), creating=False)
        for name in ("name", "message", "is_active"):
            rule_form.fields.pop(name)
        if rule_form.is_valid():
            data = rule_form.cleaned_data
            rule = ValidationRule(
                dataset_version=version,
                code="TEST",
                left=data["left"],
                operator=data["operator"],
                right=data["right"],
                importance=data["importance"],
                missing_value_strategy=data["missing_value_strategy"],
                message=(request.POST.get("message") or "").strip() or _("校验未通过"),
            )
        else:
            context["error"] = "；".join(
                f"{rule_form.fields[k].label}：{'；'.join(v)}"
                for k, v in rule_form.errors.items()
                if k in rule_form.fields
            )
    else:
        rule_pk = request.POST.get("rule", "")
        rule = version.rules.filter(pk=int(rule_pk)).first() if rule_pk.isdigit() else None
        if rule is None:
            context["error"] = _("请先填写左侧和右侧表达式。")
    if not test_form.is_valid():
        context["error"] = _("请选择一份您有权查看的、属于本报表的填报记录。")
    if "error" not in context:
        report = test_form.cleaned_data["report"]
        values = queries.value_map(queries.report_values(report))
        context.update(report=report, outcome=evaluate_rule(rule, values, layout.describe))
    return render(request, "reporting/metadata_rule_form.html#test_result", context)
