"""Forms of the framework pages (the reform office's method editor): a new framework or version, its
settings, dimensions and criteria.

A criterion's lists are typed in the text formats of assessment.forms.formats.
Forms only shape input: assessment.services checks every rule again and its messages go on the form.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.models import Indicator
from assessment import facts, services
from assessment.choices import (
    INDICATOR_KINDS,
    Area,
    Combine,
    CriterionKind,
    Curve,
    Grade,
    GradeMethod,
    PeerGroup,
)
from assessment.forms.common import CHECKBOXES
from assessment.forms.formats import (
    CODE,
    PercentField,
    PlainDecimalField,
    bands_text,
    items_text,
    levels_text,
    parse_bands,
    parse_items,
    parse_levels,
    plain,
)
from assessment.models import Criterion, Dimension, Framework
from orgs.choices import Industry, OrgKind, Ownership
from orgs.forms import BootstrapFormMixin, VersionedForm

LEVELS_EXAMPLE = "A|好|100%|机构健全、工作有成效\nB|较好|80%|工作有推进\nC|一般|60%\nD|差|0%"
ITEMS_EXAMPLE = "HONOUR|获全国五一劳动奖状|3\nLATE|逾期或未报送报表|1|reports_late"
# Organisations a criterion can be limited to (rounds assess unions, enterprises, units and prefectures).
APPLICABLE_KINDS = [
    (k.value, k.label)
    for k in (OrgKind.UNION, OrgKind.ENTERPRISE, OrgKind.UNIT, OrgKind.PREFECTURE, OrgKind.DEPARTMENT)
]

# The fields each kind of criterion reads, besides code, name, points, description and applicability.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    CriterionKind.INDICATOR_TARGET: ("indicator", "target", "curve", "floor", "cap", "bands"),
    CriterionKind.INDICATOR_RANK: ("indicator", "curve", "floor", "cap", "bands"),
    CriterionKind.INDICATOR_IMPROVEMENT: ("indicator", "full_at"),
    CriterionKind.FACT: ("fact",),
    CriterionKind.QUALITATIVE: ("levels", "combine"),
    CriterionKind.BONUS: ("items",),
    CriterionKind.DEDUCTION: ("items",),
    CriterionKind.VETO: ("grade_cap", "veto_fact"),
}


# A criterion's rule parameters when its kind does not use them (the model's defaults): a kind change
# leaves nothing behind that the fingerprint or the fact gathering would still read.
def rule_defaults() -> dict:
    return {
        "indicator": None,
        "target": None,
        "floor": Decimal("0.6"),
        "cap": Decimal(1),
        "curve": Curve.LINEAR,
        "bands": [],
        "full_at": None,
        "fact": "",
        "levels": [],
        "combine": Combine.MEAN,
        "items": [],
        "grade_cap": "",
    }


def _points_field(label, **kwargs) -> PlainDecimalField:
    return PlainDecimalField(label=label, max_digits=8, decimal_places=2, min_value=0, **kwargs)


# --- Frameworks ------------------------------------------------------------------------------------------------


class FrameworkCreateForm(BootstrapFormMixin, forms.Form):
    """A new framework for a year: empty, a copy of last year's latest version, or a copy of a chosen version."""

    EMPTY, LAST_YEAR, VERSION = "empty", "last_year", "version"
    START_CHOICES = [
        (EMPTY, gettext_lazy("空白方案")),
        (LAST_YEAR, gettext_lazy("复制上年最新版本")),
        (VERSION, gettext_lazy("复制指定版本")),
    ]

    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    start = forms.ChoiceField(
        label=gettext_lazy("新方案的内容"), choices=START_CHOICES, widget=forms.RadioSelect(attrs=CHECKBOXES)
    )
    copy_from = forms.ModelChoiceField(
        label=gettext_lazy("复制的版本"), queryset=Framework.objects.none(), required=False
    )
    name = forms.CharField(
        label=gettext_lazy("名称"),
        max_length=200,
        required=False,
        help_text=gettext_lazy("复制时可留空：沿用原名称，其中的年份改为新年度。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["copy_from"].queryset = Framework.objects.order_by("-year", "-number")
        self.fields["copy_from"].label_from_instance = lambda f: (
            _("%(year)d年 · %(name)s")
            % {
                "year": f.year,
                "name": f,
            }
        )

    def clean(self):
        data = super().clean()
        year, start = data.get("year"), data.get("start")
        source = None
        if year is not None and start == self.LAST_YEAR:
            source = Framework.objects.filter(year=year - 1).order_by("-number").first()
            if source is None:
                self.add_error("start", _("%(year)d年还没有考核方案，不能复制上年。") % {"year": year - 1})
        elif start == self.VERSION:
            source = data.get("copy_from")
            if source is None:
                self.add_error("copy_from", _("请选择要复制的方案版本。"))
        name = (data.get("name") or "").strip()
        if not name and source is not None and year is not None:
            name = source.name.replace(str(source.year), str(year))
        if not name and start == self.EMPTY:
            self.add_error("name", _("请填写方案名称。"))
        data["name"], data["source"] = name, source
        return data


class FrameworkSettingsForm(VersionedForm):
    """A framework's name, full points, grading (thresholds or quotas) and peer groups."""

    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    total_points = _points_field(gettext_lazy("满分"))
    grade_method = forms.ChoiceField(
        label=gettext_lazy("定等方式"), choices=GradeMethod.choices, widget=forms.RadioSelect(attrs=CHECKBOXES)
    )
    threshold_excellent = _points_field(gettext_lazy("优秀分数线"))
    threshold_good = _points_field(gettext_lazy("良好分数线"))
    threshold_pass = _points_field(
        gettext_lazy("合格分数线"), help_text=gettext_lazy("按比例定等时，未进入优秀、良好比例且不低于此线的为合格。")
    )
    quota_excellent = PlainDecimalField(
        label=gettext_lazy("优秀比例（%）"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    quota_good = PlainDecimalField(
        label=gettext_lazy("良好比例（%）"), max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    peer_group = forms.ChoiceField(
        label=gettext_lazy("同类排名依据"),
        choices=PeerGroup.choices,
        help_text=gettext_lazy("除全部被考核单位的总排名外，另在同类单位中排名。"),
    )
    notes = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    THRESHOLDS = (
        ("threshold_excellent", Grade.EXCELLENT),
        ("threshold_good", Grade.GOOD),
        ("threshold_pass", Grade.PASS),
    )
    QUOTAS = (("quota_excellent", Grade.EXCELLENT), ("quota_good", Grade.GOOD))

    def clean_total_points(self):
        points = self.cleaned_data["total_points"]
        if points is not None and points <= 0:
            raise ValidationError(_("满分应大于 0。"))
        return points

    @classmethod
    def initial_for(cls, framework: Framework) -> dict:
        initial = {
            "version": framework.version,
            "name": framework.name,
            "total_points": plain(framework.total_points),
            "grade_method": framework.grade_method,
            "peer_group": framework.peer_group,
            "notes": framework.notes,
        }
        for name, grade in cls.THRESHOLDS:
            value = (framework.thresholds or {}).get(grade)
            initial[name] = plain(value) if value not in (None, "") else ""
        for name, grade in cls.QUOTAS:
            value = (framework.quotas or {}).get(grade)
            initial[name] = plain(value) if value not in (None, "") else "0"
        return initial

    def service_data(self) -> dict:
        data = self.cleaned_data
        return {
            "name": data["name"].strip(),
            "total_points": data["total_points"],
            "grade_method": data["grade_method"],
            "thresholds": {grade.value: plain(data[name]) for name, grade in self.THRESHOLDS},
            "quotas": {grade.value: plain(data[name]) for name, grade in self.QUOTAS},
            "peer_group": data["peer_group"],
            "notes": data.get("notes", "").strip(),
        }

    def add_service_error(self, error) -> None:
        field = {"thresholds": "threshold_excellent", "quotas": "quota_excellent"}.get(error.field, error.field)
        self.add_error(field if field in self.fields else None, error.message)


# --- Dimensions and criteria -----------------------------------------------------------------------------------


class DimensionForm(BootstrapFormMixin, forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("代码"),
        regex=CODE,
        max_length=32,
        error_messages={"invalid": gettext_lazy("代码只能包含大写字母、数字和下划线，并以字母开头。")},
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    area = forms.ChoiceField(label=gettext_lazy("考核内容"), choices=Area.choices)
    points = _points_field(gettext_lazy("分值"))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the version loaded, for conflicts


class CriterionForm(BootstrapFormMixin, forms.Form):
    """One criterion; only the fields of the chosen kind are shown, read and saved (KIND_FIELDS)."""

    code = forms.RegexField(
        label=gettext_lazy("代码"),
        regex=CODE,
        max_length=32,
        error_messages={"invalid": gettext_lazy("代码只能包含大写字母、数字和下划线，并以字母开头。")},
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)  # the version loaded, for conflicts
    dimension = forms.ModelChoiceField(label=gettext_lazy("所属维度"), queryset=Dimension.objects.none())
    kind = forms.ChoiceField(label=gettext_lazy("类型"), choices=CriterionKind.choices)
    points = _points_field(gettext_lazy("分值"), required=False)
    description = forms.CharField(
        label=gettext_lazy("评分细则"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("写给被考核单位和评分人看的说明。"),
    )  # fmt: skip

    indicator = forms.ModelChoiceField(label=gettext_lazy("指标"), queryset=Indicator.objects.none(), required=False)
    target = PlainDecimalField(
        label=gettext_lazy("目标值"), max_digits=20, decimal_places=4, required=False,
        help_text=gettext_lazy("按指标的单位填写（如持证率 20 表示 20%）；"
                               "留空则用指标的年度目标（本单位的优先，其次全省）。"),
    )  # fmt: skip
    curve = forms.ChoiceField(
        label=gettext_lazy("计分方式"), choices=Curve.choices, widget=forms.RadioSelect(attrs=CHECKBOXES)
    )
    floor = PercentField(
        label=gettext_lazy("起评线（%）"), max_digits=8, decimal_places=2, min_value=0, required=False,
        help_text=gettext_lazy("线性计分：达标率（或同类百分位）不高于此值得 0 分。"),
    )  # fmt: skip
    cap = PercentField(
        label=gettext_lazy("满分线（%）"), max_digits=8, decimal_places=2, min_value=0, required=False,
        help_text=gettext_lazy("线性计分：达到此值得满分，起评线与满分线之间按比例。"),
    )  # fmt: skip
    bands = forms.CharField(
        label=gettext_lazy("分档"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "100%|100%\n90%|80%\n80%|60%"}),
        help_text=gettext_lazy("分档计分时填写，每行一档：“下限|得分比例”，都写百分数。达标率（或百分位）达到下限即得该比例的分值。"),
    )  # fmt: skip
    full_at = PlainDecimalField(
        label=gettext_lazy("满分提升幅度"), max_digits=12, decimal_places=4, required=False,
        help_text=gettext_lazy("百分比指标为百分点（如 2 表示提高 2 个百分点）；人均值等其他比值按指标自身的单位"
                               "（如人均培训学时 4 表示提高 4 学时）；数量类为增长百分比（如 10 表示增长 10%）。"),
    )  # fmt: skip
    fact = forms.ChoiceField(label=gettext_lazy("平台事实"), required=False)
    levels = forms.CharField(
        label=gettext_lazy("评分等级"), required=False,
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": LEVELS_EXAMPLE}),
        help_text=gettext_lazy("每行一个等级：“代码|名称|得分比例|说明”，得分比例写百分数，说明可省略。"),
    )  # fmt: skip
    combine = forms.ChoiceField(label=gettext_lazy("多人评分合成"), choices=Combine.choices)
    items = forms.CharField(
        label=gettext_lazy("加（扣）分事项"), required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": ITEMS_EXAMPLE}),
        help_text=gettext_lazy("每行一项：“代码|名称|分值|平台事实”。分值为每次发生的分数；填了平台事实的按事实自动计次，"
                               "否则由产改办逐次登记。合计不超过本项分值（上限）。"),
    )  # fmt: skip
    grade_cap = forms.ChoiceField(label=gettext_lazy("否决后最高等次"), choices=Grade.choices, required=False)
    veto_fact = forms.ChoiceField(
        label=gettext_lazy("自动否决的平台事实"), required=False,
        help_text=gettext_lazy("可选：该事实发生即否决；也可由产改办登记否决事项。"),
    )  # fmt: skip

    kinds = forms.MultipleChoiceField(
        label=gettext_lazy("适用机构类型"), choices=APPLICABLE_KINDS, required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )  # fmt: skip
    ownerships = forms.MultipleChoiceField(
        label=gettext_lazy("适用所有制"), choices=Ownership.choices, required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
    )  # fmt: skip
    industries = forms.MultipleChoiceField(
        label=gettext_lazy("适用行业"), choices=Industry.choices, required=False,
        widget=forms.CheckboxSelectMultiple(attrs=CHECKBOXES),
        help_text=gettext_lazy("三项都不选表示适用于全部单位；选了的须同时满足。"),
    )  # fmt: skip

    COMMON = ("code", "name", "dimension", "kind", "points", "description", "version")
    APPLICABILITY = ("kinds", "ownerships", "industries")

    def __init__(self, *args, framework: Framework | None = None, current: Criterion | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if framework is not None:
            self.fields["dimension"].queryset = framework.dimensions.order_by("sort_order", "id")
        indicators = Indicator.objects.filter(is_active=True)
        if current is not None and current.indicator_id:
            indicators = Indicator.objects.filter(is_active=True) | Indicator.objects.filter(pk=current.indicator_id)
        self.fields["indicator"].queryset = indicators.order_by("task", "sort_order", "code")
        self.fields["indicator"].label_from_instance = lambda i: f"{i.name}（{i.unit or '—'}）· {i.code}"
        self.fields["fact"].choices = [("", "——")] + facts.fact_choices(counted=False)
        self.fields["veto_fact"].choices = [("", _("不自动否决"))] + facts.fact_choices(counted=True)
        self.fields["grade_cap"].choices = [("", "——"), *Grade.choices]

    @classmethod
    def initial_for(cls, criterion: Criterion) -> dict:
        kind = criterion.kind
        return {
            "version": criterion.version,
            "code": criterion.code,
            "name": criterion.name,
            "dimension": criterion.dimension_id,
            "kind": kind,
            "points": plain(criterion.points),
            "description": criterion.description,
            "indicator": criterion.indicator_id,
            "target": plain(criterion.target) if criterion.target is not None else "",
            "curve": criterion.curve,
            "floor": criterion.floor,
            "cap": criterion.cap,
            "bands": bands_text(criterion.bands),
            "full_at": plain(criterion.full_at) if criterion.full_at is not None else "",
            "fact": criterion.fact if kind == CriterionKind.FACT else "",
            "veto_fact": criterion.fact if kind == CriterionKind.VETO else "",
            "levels": levels_text(criterion.levels),
            "combine": criterion.combine,
            "items": items_text(criterion.items),
            "grade_cap": criterion.grade_cap,
            "kinds": list(criterion.kinds),
            "ownerships": list(criterion.ownerships),
            "industries": list(criterion.industries),
        }

    @staticmethod
    def blank_initial(kind: str) -> dict:
        return {
            "kind": kind,
            "curve": Curve.LINEAR,
            "floor": Decimal("0.6"),
            "cap": Decimal(1),
            "combine": Combine.MEAN,
        }

    def current_kind(self) -> str:
        kind = (self.data.get(self.add_prefix("kind")) if self.is_bound else None) or self.initial.get("kind")
        return kind if kind in CriterionKind.values else CriterionKind.INDICATOR_TARGET

    def kind_fields(self) -> list:
        """The bound fields the chosen kind reads (shown under the kind selector)."""
        kind = self.current_kind()
        self.fields["points"].label = self.points_label()
        names = ("points",) if kind != CriterionKind.VETO else ()
        return [self[name] for name in names + KIND_FIELDS[kind]]

    def points_label(self) -> str:
        kind = self.current_kind()
        if kind in (CriterionKind.BONUS, CriterionKind.DEDUCTION):
            return _("分值上限")
        return _("分值")

    def applicability_fields(self) -> list:
        return [self[name] for name in self.APPLICABILITY]

    def clean_bands(self):
        if (
            self.cleaned_data.get("kind") in (CriterionKind.INDICATOR_TARGET, CriterionKind.INDICATOR_RANK)
            and self.cleaned_data.get("curve") == Curve.BANDS
        ):
            return parse_bands(self.cleaned_data.get("bands", ""))
        return []

    def clean_levels(self):
        if self.cleaned_data.get("kind") == CriterionKind.QUALITATIVE:
            return parse_levels(self.cleaned_data.get("levels", ""))
        return []

    def clean_items(self):
        if self.cleaned_data.get("kind") in (CriterionKind.BONUS, CriterionKind.DEDUCTION):
            return parse_items(self.cleaned_data.get("items", ""))
        return []

    def full_clean(self):
        # Fields a kind does not read are not shown, so they must not hold up the form.
        if self.is_bound:
            kind = self.data.get(self.add_prefix("kind"))
            used = set(self.COMMON) | set(self.APPLICABILITY) | set(KIND_FIELDS.get(kind, ()))
            self.initial = dict(self.initial)
            for name, field in self.fields.items():
                field.required = field.required and name in used
                if name not in used:
                    field.disabled = True  # ignore whatever was sent for it …
                    self.initial[name] = None  # … and what it held before
        super().full_clean()

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind not in CriterionKind.values:
            return data
        if kind != CriterionKind.VETO and data.get("points") is None and "points" not in self.errors:
            self.add_error("points", _("请填写分值。"))
        names = {"fact": "veto_fact" if kind == CriterionKind.VETO else "fact"}
        for field, message in services.criterion_problems(self.service_data()):
            name = names.get(field, field)
            if name in self.errors:
                continue  # the field's own error already says what is wrong
            self.add_error(name if name in self.fields else None, message)
        return data

    def service_data(self) -> dict:
        """The criterion's fields for services.criterion_save; parameters the kind does not read are reset."""
        data = self.cleaned_data
        kind = data["kind"]
        defaults = rule_defaults()
        values = {
            "code": data.get("code", ""),
            "name": (data.get("name") or "").strip(),
            "description": (data.get("description") or "").strip(),
            "kind": kind,
            "points": data.get("points") if kind != CriterionKind.VETO else Decimal(0),
            **defaults,
            "kinds": list(data.get("kinds") or []),
            "ownerships": list(data.get("ownerships") or []),
            "industries": list(data.get("industries") or []),
        }
        for name in KIND_FIELDS[kind]:
            if name == "veto_fact":
                values["fact"] = data.get("veto_fact") or ""
            elif name in ("floor", "cap"):
                # Blank is an error for a linear curve (criterion_problems says so); bands do not read them.
                value = data.get(name)
                values[name] = value if value is not None or data.get("curve") != Curve.BANDS else defaults[name]
            else:
                value = data.get(name)
                values[name] = value if value is not None else defaults.get(name)
        if kind in INDICATOR_KINDS and values["curve"] != Curve.BANDS:
            values["bands"] = []
        return values
