"""Forms of the round, rating, self-assessment and score-card pages.

Forms only shape input: every rule (stage, permission, version, who may rate or appeal) is checked
again by assessment.services, whose Chinese messages the views put on the form.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessment.choices import CriterionKind, FrameworkStatus
from assessment.forms.common import CHECKBOXES, DATE_WIDGET, VersionForm
from assessment.models import Criterion, Framework, Participant, Round
from orgs.choices import OrgKind, Role
from orgs.forms import BootstrapFormMixin
from orgs.models import Organisation
from orgs.scoping import in_subtree, within

REPORT_CHOICES = 200  # the latest reports of the organisation's subtree offered as evidence
# Who the office usually names to rate: its own staff, the leading group's departments, guidance groups.
RATER_ROLES = (Role.OFFICE_ADMIN, Role.OFFICE_REVIEWER, Role.DEPT_VIEWER, Role.GUIDANCE, Role.LEADER)


# --- Opening a round ---------------------------------------------------------------------------------


def top_enterprises() -> list[Organisation]:
    """Open enterprises that are not inside another enterprise: each is assessed with its own subtree."""
    enterprises = list(Organisation.objects.filter(kind=OrgKind.ENTERPRISE, closed_on__isnull=True).order_by("path"))
    kept: list[Organisation] = []
    for org in enterprises:
        if not any(in_subtree(org, k) for k in kept[-1:]):
            kept.append(org)
    return kept


class RoundOpenForm(BootstrapFormMixin, forms.Form):
    """A new round: the framework, its name and deadlines, and who is assessed."""

    framework = forms.ModelChoiceField(
        error_messages={"required": gettext_lazy("请选择已发布的考核方案。")},
        label=gettext_lazy("考核方案"),
        queryset=Framework.objects.none(),
        empty_label=gettext_lazy("请选择已发布的考核方案"),
    )
    name = forms.CharField(
        label=gettext_lazy("轮次名称"), max_length=200, error_messages={"required": gettext_lazy("请填写轮次名称。")}
    )
    self_deadline = forms.DateField(label=gettext_lazy("自评截止日期"), required=False, widget=DATE_WIDGET)
    appeal_deadline = forms.DateField(
        label=gettext_lazy("申诉截止日期"),
        required=False,
        widget=DATE_WIDGET,
        help_text=gettext_lazy("结果公布后，被考核单位可在此日期（含）前对单项得分提出申诉。"),
    )
    all_enterprises = forms.BooleanField(label=gettext_lazy("全部企业"), required=False)
    under = forms.ModelMultipleChoiceField(
        label=gettext_lazy("所选产业（系统）工会或州市下的全部企业"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )
    orgs = forms.ModelMultipleChoiceField(
        label=gettext_lazy("逐个选择被考核单位"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["framework"].queryset = Framework.objects.filter(status=FrameworkStatus.ISSUED).order_by(
            "-year", "-number"
        )
        self.enterprises = top_enterprises()
        self.parents = list(
            Organisation.objects.filter(kind__in=(OrgKind.UNION, OrgKind.PREFECTURE), closed_on__isnull=True).order_by(
                "path"
            )
        )
        self.fields["under"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in self.parents])
        self.fields["orgs"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in self.enterprises] + [o.pk for o in self.parents if o.kind == OrgKind.UNION]
        )

    def groups(self) -> list[tuple[Organisation | None, list[Organisation]]]:
        """Enterprises under their union (or prefecture), for the grouped checkbox list."""
        unions = [o for o in self.parents if o.kind == OrgKind.UNION] + [
            o for o in self.parents if o.kind == OrgKind.PREFECTURE
        ]
        placed: set[int] = set()
        result: list[tuple[Organisation | None, list[Organisation]]] = []
        for union in unions:
            members = [e for e in self.enterprises if in_subtree(e, union) and e.pk not in placed]
            placed.update(e.pk for e in members)
            if members or union.kind == OrgKind.UNION:
                result.append((union, members))
        rest = [e for e in self.enterprises if e.pk not in placed]
        if rest:
            result.append((None, rest))
        return result

    def chosen_ids(self) -> set[str]:
        """The organisations ticked one by one, to tick them again when the form comes back with an error."""
        return {str(v) for v in (self["orgs"].value() or [])}

    def selected(self) -> list[Organisation]:
        """Every organisation chosen by any of the three ways, once, in tree order."""
        data = self.cleaned_data
        chosen: dict[int, Organisation] = {o.pk: o for o in data.get("orgs") or []}
        if data.get("all_enterprises"):
            chosen.update({o.pk: o for o in self.enterprises})
        for parent in data.get("under") or []:
            chosen.update({o.pk: o for o in self.enterprises if in_subtree(o, parent)})
        return sorted(chosen.values(), key=lambda o: o.path)


# --- Round management -------------------------------------------------------------------------------


class ComputeForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("计算说明（可选）"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("例如：补录评分后重新计算")}),
    )


class ReopenForm(VersionForm):
    reason = forms.CharField(
        label=gettext_lazy("重新开启的原因"),
        error_messages={"required": gettext_lazy("请填写重新开启的原因。")},
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("例如：已验收数据更正、申诉成立需改正评分。原结果保留可查。"),
    )


def rater_candidates():
    from accounts.models import User

    return (
        User.objects.filter(is_active=True, memberships__is_active=True, memberships__role__in=RATER_ROLES)
        .distinct()
        .order_by("username")
    )


class RaterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


class RaterAssignForm(BootstrapFormMixin, forms.Form):
    """Name a rater for all qualitative criteria (or one) over all participants (or one subtree)."""

    user = RaterChoiceField(
        label=gettext_lazy("评分人"),
        queryset=None,
        empty_label=gettext_lazy("请选择评分人"),
        error_messages={"required": gettext_lazy("请选择评分人。")},
    )
    criterion = forms.ModelChoiceField(
        label=gettext_lazy("考核指标"),
        queryset=Criterion.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部定性评价指标"),
    )
    org = forms.ModelChoiceField(
        label=gettext_lazy("评分范围"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=gettext_lazy("全部被考核单位"),
    )

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = rater_candidates()
        self.fields["criterion"].queryset = Criterion.objects.filter(
            dimension__framework_id=round_.framework_id, kind=CriterionKind.QUALITATIVE
        ).select_related("dimension")
        from reporting.queries import unions_above

        orgs = [p.org for p in round_.participants.select_related("org")]
        scope = {o.pk for o in orgs} | {u.pk for u in unions_above(orgs).values() if u is not None}
        self.fields["org"].queryset = Organisation.objects.filter(pk__in=scope).order_by("path")


class CalibrationForm(BootstrapFormMixin, forms.Form):
    """The office's level for one qualitative criterion of one participant, with the reason."""

    participant = forms.IntegerField(widget=forms.HiddenInput)
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    level = forms.ChoiceField(
        label=gettext_lazy("校准等级"), error_messages={"required": gettext_lazy("请选择该定性指标的一个评分等级。")}
    )
    reason = forms.CharField(
        label=gettext_lazy("校准理由"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写校准理由。")},
    )

    def __init__(self, *args, criterion: Criterion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        levels = criterion.levels if criterion is not None else []
        self.fields["level"].choices = [("", _("请选择等级"))] + [(lv["code"], lv["label"]) for lv in levels]


class EntryForm(BootstrapFormMixin, forms.Form):
    """A bonus, deduction or veto event: the item is chosen as "criterion:item" from one list."""

    participant = forms.ModelChoiceField(
        label=gettext_lazy("被考核单位"),
        queryset=Participant.objects.none(),
        empty_label=gettext_lazy("请选择单位"),
        error_messages={"required": gettext_lazy("请选择被考核单位。")},
    )
    target = forms.ChoiceField(label=gettext_lazy("事项"), error_messages={"required": gettext_lazy("请选择事项。")})
    note = forms.CharField(
        label=gettext_lazy("事由和依据"),
        error_messages={"required": gettext_lazy("请写明事由和依据。")},
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("写明文件名称、文号或发生经过，将显示在该单位的评分表上。"),
    )

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participant"].queryset = round_.participants.select_related("org").order_by("org__path")
        self.fields["participant"].label_from_instance = lambda p: p.org.name
        self.criteria = {
            c.pk: c
            for c in Criterion.objects.filter(
                dimension__framework_id=round_.framework_id,
                kind__in=(CriterionKind.BONUS, CriterionKind.DEDUCTION, CriterionKind.VETO),
            ).order_by("dimension__sort_order", "sort_order", "id")
        }
        groups: dict[str, list[tuple[str, str]]] = {}
        for c in self.criteria.values():
            label = str(c.get_kind_display())
            if c.kind == CriterionKind.VETO:
                groups.setdefault(label, []).append((f"{c.pk}:", c.name))
                continue
            for item in c.items:
                sign = "+" if c.kind == CriterionKind.BONUS else "−"
                text = _("%(criterion)s · %(item)s（%(sign)s%(points)s 分）") % {
                    "criterion": c.name, "item": item["label"], "sign": sign, "points": item["points"],
                }  # fmt: skip
                groups.setdefault(label, []).append((f"{c.pk}:{item['code']}", text))
        self.fields["target"].choices = [("", _("请选择事项"))] + list(groups.items())

    def clean_target(self) -> tuple[Criterion, str]:
        raw = self.cleaned_data["target"]
        pk, _sep, item = raw.partition(":")
        criterion = self.criteria.get(int(pk)) if pk.isdigit() else None
        if criterion is None:
            raise forms.ValidationError(_("请选择事项。"))
        return criterion, item


class AppealAnswerForm(VersionForm):
    upheld = forms.TypedChoiceField(
        label=gettext_lazy("答复结论"),
        choices=[("0", gettext_lazy("维持原评分")), ("1", gettext_lazy("申诉成立"))],
        coerce=lambda v: v == "1",
        error_messages={"required": gettext_lazy("请选择答复结论。")},
        widget=forms.RadioSelect(attrs=CHECKBOXES),
    )
    answer = forms.CharField(
        label=gettext_lazy("答复意见"),
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写答复意见。")},
    )


class RankingFilterForm(forms.Form):
    """Overall ranking, or within one peer group of the round."""

    peer = forms.ChoiceField(label=gettext_lazy("排名范围"), required=False)

    def __init__(self, *args, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        groups = round_.participants.order_by("peer_label", "peer_key").values_list("peer_key", "peer_label").distinct()
        self.fields["peer"].choices = [("", _("全部被考核单位"))] + [
            (key, _("同类：%(label)s") % {"label": label or key}) for key, label in groups
        ]
        self.fields["peer"].widget.attrs["class"] = "form-select form-select-sm w-auto"


class CalibrationFilterForm(forms.Form):
    criterion = forms.ChoiceField(label=gettext_lazy("考核指标"), required=False)
    state = forms.ChoiceField(
        label=gettext_lazy("范围"),
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            ("open", gettext_lazy("待校准（评分不一致或尚无评分）")),
            ("done", gettext_lazy("已校准")),
        ],
    )
    q = forms.CharField(label=gettext_lazy("单位"), required=False, max_length=100)

    def __init__(self, *args, criteria: list[Criterion], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["criterion"].choices = [("", _("全部定性评价指标"))] + [(str(c.pk), c.name) for c in criteria]
        for name in ("criterion", "state"):
            self.fields[name].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["q"].widget.attrs.update(
            {"class": "form-control form-control-sm", "type": "search", "placeholder": _("名称或代码")}
        )


# --- Raters, organisations ----------------------------------------------------------------------------


class RatingForm(BootstrapFormMixin, forms.Form):
    """A rater's level, comment and evidence on one qualitative criterion of one organisation."""

    level = forms.ChoiceField(
        label=gettext_lazy("评分等级"),
        widget=forms.RadioSelect(attrs=CHECKBOXES),
        error_messages={"required": gettext_lazy("请选择评分等级。")},
    )
    comment = forms.CharField(
        label=gettext_lazy("评语"),
        error_messages={"required": gettext_lazy("请填写评语，说明评分理由。")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("说明评定该等级的理由，将显示在该单位的评分表上。"),
    )
    evidence = forms.CharField(
        label=gettext_lazy("依据（可选）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("例如：查阅的材料、现场检查情况。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, criterion: Criterion, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = [(lv["code"], lv["label"]) for lv in criterion.levels]


class SelfAssessmentForm(BootstrapFormMixin, forms.Form):
    note = forms.CharField(
        label=gettext_lazy("自评说明"),
        error_messages={"required": gettext_lazy("请填写自评说明。")},
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("概述本单位本年度产改工作的做法和成效，对照各考核指标说明完成情况。"),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class EvidenceForm(BootstrapFormMixin, forms.Form):
    """One piece of evidence: a file, a link or one of the organisation's reports (exactly one)."""

    criterion = forms.ModelChoiceField(
        label=gettext_lazy("对应考核指标"),
        queryset=Criterion.objects.none(),
        required=False,
        empty_label=gettext_lazy("整体（不针对单项指标）"),
    )
    title = forms.CharField(
        label=gettext_lazy("标题"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("上传文件或选择报表时可留空，自动使用文件名或报表名称。"),
    )
    file = forms.FileField(
        label=gettext_lazy("上传文件"), required=False, help_text=gettext_lazy("PDF、Word、Excel 或图片，20 MB 以内。")
    )
    url = forms.CharField(label=gettext_lazy("或填写链接"), max_length=500, required=False)
    report = forms.ModelChoiceField(
        label=gettext_lazy("或选择本单位的报表"),
        queryset=None,
        required=False,
        empty_label=gettext_lazy("不选择"),
    )

    def __init__(self, *args, participant: Participant, user, **kwargs):
        super().__init__(*args, **kwargs)
        from reporting.models import Report

        self.fields["criterion"].queryset = (
            Criterion.objects.filter(dimension__framework_id=participant.round.framework_id)
            .exclude(kind__in=(CriterionKind.DEDUCTION, CriterionKind.VETO))
            .select_related("dimension")
            .order_by("dimension__sort_order", "dimension_id", "sort_order", "id")
        )
        recent = list(
            Report.objects.visible_to(user)
            .filter(within("org__path", [participant.org]))
            .order_by("-period__start", "org__path")
            .values_list("pk", flat=True)[:REPORT_CHOICES]
        )
        self.fields["report"].queryset = (
            Report.objects.filter(pk__in=recent)
            .select_related("org", "dataset", "period")
            .order_by("-period__start", "org__path")
        )
        self.fields["report"].label_from_instance = lambda r: f"{r.period.label} · {r.dataset.name} · {r.org.name}"


class AppealForm(BootstrapFormMixin, forms.Form):
    criterion = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=gettext_lazy("申诉理由"),
        error_messages={"required": gettext_lazy("请写明申诉理由。")},
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("写明对哪项数据或评分有异议、理由和可以核实的依据。"),
    )
