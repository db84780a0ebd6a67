"""Forms of the analytics pages: the query every table, chart and map is built from, and the
definitions the reform office keeps (indicators, targets, department statistics, saved views)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from analytics.choices import IndicatorTask, Level
from analytics.models import Indicator
from core.errors import UserError
from orgs.choices import Action, OrgKind
from orgs.forms import BootstrapFormMixin
from reporting import periods
from reporting.choices import COUNTABLE_TYPES, Aggregation, MigrantScope, PeriodType
from reporting.pickers import PeriodField, period_choices

PERIOD_TYPES = [
    (PeriodType.YEAR, gettext_lazy("年度")),
    (PeriodType.HALF_YEAR, gettext_lazy("半年")),
    (PeriodType.QUARTER, gettext_lazy("季度")),
]
ANALYSED_TYPES = tuple(kind for kind, _label in PERIOD_TYPES)
CHART_KINDS = [
    ("bar", gettext_lazy("柱状图")),
    ("line", gettext_lazy("折线图（趋势）")),
    ("stacked", gettext_lazy("堆积柱状图")),
    ("ranking", gettext_lazy("排名")),
]
COLUMN_LAYOUTS = [("period", gettext_lazy("列为报告期")), ("option", gettext_lazy("列为分类选项"))]
COMPARE_CHOICES = [
    ("", gettext_lazy("不对比")),
    ("yoy", gettext_lazy("同比（与上年同期）")),
    ("baseline", gettext_lazy("与基期比较")),
]


def measure_choices(keep: str = "") -> list:
    """Indicators grouped by task, then the report's data items that no indicator already shows, grouped by
    the section of the form that asks them (基本情况, 思想引领, …), each measure once. `keep` (the measure
    asked for, e.g. by a saved view or a link) is listed even when an indicator shows it."""
    from reporting.models import DataElement, SectionElement

    groups: dict[str, list] = {}
    plain: set[str] = set()  # elements an indicator shows as they are (#{CODE}, no denominator, × 1)
    for indicator in Indicator.objects.filter(is_active=True).order_by("sort_order", "code"):
        groups.setdefault(indicator.get_task_display(), []).append((f"indicator:{indicator.code}", indicator.name))
        numerator = indicator.numerator.strip()
        if not indicator.denominator.strip() and indicator.factor == 1 and numerator.startswith("#{"):
            code = numerator[2:-1] if numerator.endswith("}") else ""
            if code and "." not in code and "#" not in code:
                plain.add(code)
    choices: list = [(str(_("指标 · %(task)s") % {"task": task}), items) for task, items in groups.items()]
    elements = list(
        DataElement.objects.filter(is_active=True, value_type__in=COUNTABLE_TYPES)
        .exclude(aggregation=Aggregation.NONE)
        .exclude(code__in=plain - {keep.partition(":")[2]} if keep.startswith("element:") else plain)
        .order_by("code")
    )
    section_of: dict[int, str] = {}
    order: dict[str, tuple] = {}
    asked = (
        SectionElement.objects.filter(element__in=elements, dataset_version__published_at__isnull=False)
        .order_by("dataset_version__dataset__period_type", "section__sort_order", "sort_order")
        .values_list("element_id", "section__name", "section__sort_order")
    )
    for element_id, section, sort_order in asked:
        section_of.setdefault(element_id, section)
        order.setdefault(section, (sort_order, len(order)))
    by_section: dict[str, list] = {}
    for element in sorted(elements, key=lambda e: (order.get(section_of.get(e.pk, ""), (9999, 0)), e.name)):
        section = section_of.get(element.pk) or str(_("其他"))
        by_section.setdefault(section, []).append((f"element:{element.code}", element.name))
    for section, items in by_section.items():
        choices.append((str(_("报表数据项 · %(section)s") % {"section": section}), items))
    return choices


def searchable(field: forms.Field) -> None:
    """A long select that static/analytics/measure-search.js gives a search box above it (CSP: no inline JS)."""
    field.widget.attrs.update(
        {
            "data-search": str(_("输入名称筛选，如“持证”")),
            "data-search-empty": str(_("没有匹配的指标或数据项")),
            "title": str(_("指标按五项任务分组；“报表数据项”是报表中直接填报的数字，已作为指标列出的不再重复。")),
        }
    )


def category_choices() -> list:
    from reporting.models import Category

    return [("", _("不分列"))] + [(c.code, c.name) for c in Category.objects.order_by("code")]


def default_measure() -> str:
    key = Indicator.objects.filter(is_active=True, is_key=True).order_by("sort_order", "code").first()
    first = key or Indicator.objects.filter(is_active=True).order_by("sort_order", "code").first()
    return f"indicator:{first.code}" if first else ""


def _period_code(value: str, field: str) -> str:
    value = (value or "").strip().upper()
    try:
        return periods.parse_code(value).code
    except Exception as error:  # UserError with the Chinese message
        raise forms.ValidationError(getattr(error, "message", str(error)), code=field) from error


class QueryForm(BootstrapFormMixin, forms.Form):
    """The question a pivot table, chart or map answers. Read from GET; every field has a default."""

    measure = forms.ChoiceField(label=gettext_lazy("指标或数据元"))
    org = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)
    region = forms.RegexField(regex=r"^\d{6}$", required=False, widget=forms.HiddenInput)
    level = forms.ChoiceField(label=gettext_lazy("行（汇总层级）"), choices=Level.choices, initial=Level.CHILDREN)
    period_type = forms.ChoiceField(label=gettext_lazy("报告期类型"), choices=PERIOD_TYPES, initial=PeriodType.YEAR)
    period_from = PeriodField(label=gettext_lazy("起始报告期"), period_types=ANALYSED_TYPES, required=False)
    period_to = PeriodField(label=gettext_lazy("截止报告期"), period_types=ANALYSED_TYPES, required=False)
    by_category = forms.ChoiceField(label=gettext_lazy("分列"), required=False)
    columns = forms.ChoiceField(label=gettext_lazy("列"), choices=COLUMN_LAYOUTS, initial="period", required=False)
    include_submitted = forms.BooleanField(label=gettext_lazy("含已提交未验收的数据"), required=False)
    restate = forms.BooleanField(label=gettext_lazy("按当前隶属关系汇总"), required=False)
    compare = forms.ChoiceField(label=gettext_lazy("对比"), choices=COMPARE_CHOICES, required=False)
    # Chosen from the periods that exist (a code only through the API); checked against the compared periods by
    # the engine, whose messages say what to choose instead.
    baseline = forms.CharField(
        label=gettext_lazy("基期"),
        max_length=10,
        required=False,
        widget=forms.Select,
        help_text=gettext_lazy("与基期比较时选择，如 2015（“十二五”末）。"),
    )

    def __init__(self, data=None, *, current_year: str, default_level: str = Level.CHILDREN, **kwargs):
        self.current_year = current_year
        data = data.copy() if data is not None else {}
        defaults = {
            "measure": default_measure(),
            "level": default_level,
            "period_type": PeriodType.YEAR,
            "columns": "period",
        }
        for key, value in defaults.items():
            if not data.get(key):
                data[key] = value
        if not data.get("period_from") and not data.get("period_to"):
            data["period_from"], data["period_to"] = self._default_range(data["period_type"])
        else:  # one end given: the other is the same period (as clean() reads it), so the lists show it chosen
            data["period_from"] = data.get("period_from") or data.get("period_to")
            data["period_to"] = data.get("period_to") or data.get("period_from")
        super().__init__(data, **kwargs)
        self.fields["measure"].choices = measure_choices(keep=str(data.get("measure") or ""))
        searchable(self.fields["measure"])
        self.fields["by_category"].choices = category_choices()
        # The periods chosen (a bookmarked view may name one no report has used) stay in the lists.
        chosen = [data.get("period_from") or "", data.get("period_to") or ""]
        self.fields["period_from"].offer(chosen)
        self.fields["period_to"].offer(chosen)
        self.fields["baseline"].widget.choices = period_choices(
            period_types=ANALYSED_TYPES, include=[str(data.get("baseline") or "")], blank=_("不选")
        )

    def _default_range(self, period_type: str) -> tuple[str, str]:
        if period_type not in ANALYSED_TYPES:
            period_type = PeriodType.YEAR
        year = int(self.current_year)
        if period_type == PeriodType.QUARTER:
            return f"{year}Q1", f"{year}Q4"
        if period_type == PeriodType.HALF_YEAR:
            return f"{year}H1", f"{year}H2"
        return str(year - 1), str(year)

    def clean_period_from(self):
        value = self.cleaned_data.get("period_from")
        return _period_code(value, "period_from") if value else ""

    def clean_period_to(self):
        value = self.cleaned_data.get("period_to")
        return _period_code(value, "period_to") if value else ""

    def clean(self):
        data = super().clean()
        period_type = data.get("period_type") or PeriodType.YEAR
        first, last = data.get("period_from") or "", data.get("period_to") or ""
        if not first and not last:
            first, last = self._default_range(period_type)
        data["period_from"] = first or last
        data["period_to"] = last or first
        baseline = (data.get("baseline") or "").strip().upper()
        data["baseline"] = baseline
        if baseline and not data.get("compare"):
            data["compare"] = "baseline"  # a baseline typed in means comparing with it
        if data.get("compare") != "baseline":
            data["baseline"] = ""
        elif not any(name in self.errors for name in ("period_type", "period_from", "period_to")):
            from analytics import engine

            try:
                codes = engine.period_codes(period_type, data["period_from"], data["period_to"])
                data["baseline"] = engine.check_baseline(baseline, codes).code
            except UserError as error:
                self.add_error("baseline", error.message)
        return data

    def comparison(self) -> tuple[str, str] | None:
        """(kind, baseline code) of the comparison asked for, None for none (call after is_valid())."""
        kind = self.cleaned_data.get("compare") or ""
        if not kind:
            return None
        return kind, self.cleaned_data.get("baseline") or ""

    def period_codes(self) -> tuple[str, ...]:
        from analytics import engine

        data = self.cleaned_data
        return engine.period_codes(data["period_type"], data["period_from"], data["period_to"])

    def query(self, **overrides):
        """The engine's Query for the cleaned form (call after is_valid())."""
        from analytics.engine import Query

        data = self.cleaned_data
        fields = {
            "measure": data["measure"],
            "org": data.get("org") or None,
            "level": data["level"],
            "periods": self.period_codes(),
            "by_category": data.get("by_category") or None,
            "region": data.get("region") or None,
            "include_submitted": bool(data.get("include_submitted")),
            "restate": bool(data.get("restate")),
        }
        fields.update(overrides)
        return Query(**fields)

    def params(self, **overrides) -> dict:
        """The cleaned values as URL parameters (for links that change one thing), empty ones left out."""
        data = dict(self.cleaned_data) if self.is_bound and hasattr(self, "cleaned_data") else {}
        data.update(overrides)
        result = {}
        for key in (
            "measure",
            "org",
            "region",
            "level",
            "period_type",
            "period_from",
            "period_to",
            "by_category",
            "columns",
            "kind",
            "compare",
            "baseline",
        ):
            value = data.get(key)
            if value not in (None, ""):
                result[key] = value
        for key in ("include_submitted", "restate"):
            if data.get(key):
                result[key] = "1"
        return result


class ChartForm(QueryForm):
    kind = forms.ChoiceField(label=gettext_lazy("图表类型"), choices=CHART_KINDS, initial="bar", required=False)

    def clean_kind(self):
        return self.cleaned_data.get("kind") or "bar"


class MapForm(BootstrapFormMixin, forms.Form):
    """The map answers one measure for one period, by prefecture."""

    measure = forms.ChoiceField(label=gettext_lazy("指标或数据元"))
    period = PeriodField(label=gettext_lazy("报告期"), period_types=ANALYSED_TYPES, required=False)
    include_submitted = forms.BooleanField(label=gettext_lazy("含已提交未验收的数据"), required=False)

    def __init__(self, data=None, *, current_year: str, **kwargs):
        self.current_year = current_year
        data = data.copy() if data is not None else {}
        if not data.get("measure"):
            data["measure"] = default_measure()
        if not data.get("period"):
            data["period"] = current_year
        super().__init__(data, **kwargs)
        self.fields["measure"].choices = measure_choices(keep=str(data.get("measure") or ""))
        searchable(self.fields["measure"])
        self.fields["period"].offer([data["period"]])

    def clean_period(self):
        value = self.cleaned_data.get("period")
        return _period_code(value, "period") if value else self.current_year


# --- Definitions (the reform office) -------------------------------------------------------------------


class IndicatorForm(BootstrapFormMixin, forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("代码"),
        regex=r"^[A-Z][A-Z0-9_]*$",
        max_length=64,
        error_messages={"invalid": gettext_lazy("代码只能由大写字母、数字和下划线组成，并以字母开头。")},
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    short_name = forms.CharField(label=gettext_lazy("简称"), max_length=100, required=False)
    task = forms.ChoiceField(label=gettext_lazy("所属任务"), choices=IndicatorTask.choices)
    numerator = forms.CharField(
        label=gettext_lazy("分子"),
        max_length=1000,
        widget=forms.TextInput(attrs={"class": "form-control expr-input", "placeholder": "#{WF_CERTIFIED}"}),
        help_text=gettext_lazy("用 #{数据元代码} 或 #{数据元代码.分类选项代码} 引用填报数据，可用 + - * / 和括号。"),
    )
    denominator = forms.CharField(
        label=gettext_lazy("分母"),
        max_length=1000,
        required=False,
        widget=forms.TextInput(
            attrs={"class": "form-control expr-input", "placeholder": "#{WF_WORKERS_GROUP.NONMIGRANT}"}
        ),
        help_text=gettext_lazy("留空表示总量指标；汇总时先分别求和分子、分母，再相除。"),
    )
    factor = forms.DecimalField(
        label=gettext_lazy("乘数"),
        max_digits=12,
        decimal_places=4,
        initial=100,
        help_text=gettext_lazy("百分比填 100，总量填 1。"),
    )
    decimals = forms.IntegerField(label=gettext_lazy("小数位数"), min_value=0, max_value=6, initial=2)
    unit = forms.CharField(label=gettext_lazy("单位"), max_length=20, required=False, initial="%")
    migrant_scope = forms.ChoiceField(label=gettext_lazy("农民工口径"), choices=MigrantScope.choices)
    scope = forms.CharField(
        label=gettext_lazy("口径说明"), max_length=300, help_text=gettext_lazy("统计对象、是否含农民工、数据来源。")
    )
    description = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    higher_is_better = forms.BooleanField(label=gettext_lazy("越大越好"), required=False, initial=True)
    is_key = forms.BooleanField(label=gettext_lazy("驾驶舱关键指标"), required=False)
    is_active = forms.BooleanField(label=gettext_lazy("启用"), required=False, initial=True)
    sort_order = forms.IntegerField(label=gettext_lazy("顺序"), min_value=0, initial=0, required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def clean_sort_order(self):
        return self.cleaned_data.get("sort_order") or 0


class ExpressionCheckForm(forms.Form):
    numerator = forms.CharField(max_length=1000, required=False)
    denominator = forms.CharField(max_length=1000, required=False)


TARGET_KINDS = (OrgKind.CATEGORY, OrgKind.PREFECTURE, OrgKind.UNION, OrgKind.ENTERPRISE, OrgKind.UNIT)
TARGET_SUGGESTIONS = 500


class TargetForm(BootstrapFormMixin, forms.Form):
    """A year's target, for the province (no organisation) or for one organisation within the office's scope."""

    year = forms.IntegerField(label=gettext_lazy("年度"), min_value=2000, max_value=2100)
    value = forms.DecimalField(label=gettext_lazy("目标值"), max_digits=20, decimal_places=4)
    org = forms.CharField(
        label=gettext_lazy("适用机构"),
        max_length=64,
        required=False,
        widget=forms.TextInput(
            attrs={"list": "target-orgs", "placeholder": gettext_lazy("留空为全省；或输入机构代码")}
        ),
        help_text=gettext_lazy(
            "为某个州市、产业系统或企业单独设定目标时填写其机构代码；该机构的驾驶舱和透视表优先使用它。"
        ),
    )
    note = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)

    def __init__(self, *args, user=None, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def org_suggestions(self) -> list[tuple[str, str]]:
        """(code, name) of the organisations a target is usually set for, within the user's scope: the
        prefectures, the industry unions and the enterprises directly under them (at most a few hundred)."""
        from orgs.models import Organisation

        if self.user is None:
            return []
        visible = Organisation.objects.visible_to(self.user, Action.METADATA_MANAGE).filter(closed_on__isnull=True)
        groups = list(
            visible.filter(kind__in=(OrgKind.PREFECTURE, OrgKind.UNION))
            .order_by("path")
            .values_list("code", "name", "path")
        )
        paths = {path for _code, _name, path in groups}
        depths = {len(path) // Organisation.steplen + 1 for path in paths}
        below = visible.filter(kind=OrgKind.ENTERPRISE, depth__in=depths).order_by("path")
        rows = [(code, name) for code, name, _path in groups]
        for code, name, path in below.values_list("code", "name", "path").iterator(chunk_size=2000):
            if len(rows) >= TARGET_SUGGESTIONS:
                break
            if path[: -Organisation.steplen] in paths:
                rows.append((code, name))
        return rows

    def clean_org(self):
        """The organisation named by its code, within the user's scope; None for the province's target."""
        from orgs.models import Organisation

        code = (self.cleaned_data.get("org") or "").strip()
        if not code:
            return None
        org = (
            Organisation.objects.visible_to(self.user, Action.METADATA_MANAGE)
            .filter(code=code, closed_on__isnull=True)
            .first()
            if self.user is not None
            else None
        )
        if org is None:
            raise forms.ValidationError(_("机构代码“%(code)s”不存在或不在您的管理范围内。") % {"code": code})
        return org


class ExternalFigureForm(BootstrapFormMixin, forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("代码"),
        regex=r"^[A-Z][A-Z0-9_]*$",
        max_length=64,
        error_messages={"invalid": gettext_lazy("代码只能由大写字母、数字和下划线组成，并以字母开头。")},
    )
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    period = forms.CharField(label=gettext_lazy("报告期"), max_length=10, help_text=gettext_lazy("如 2020 或 2021Q2。"))
    region = forms.ChoiceField(label=gettext_lazy("行政区划"), required=False)
    value = forms.DecimalField(label=gettext_lazy("数值"), max_digits=20, decimal_places=4)
    unit = forms.CharField(label=gettext_lazy("单位"), max_length=20, required=False)
    scope = forms.CharField(
        label=gettext_lazy("口径说明"),
        max_length=300,
        help_text=gettext_lazy("如：全省高技能人才，含非公企业和农民工。"),
    )
    source = forms.CharField(
        label=gettext_lazy("数据来源"), max_length=200, help_text=gettext_lazy("如：省人力资源社会保障厅统计。")
    )
    note = forms.CharField(label=gettext_lazy("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from orgs.models import Region

        self.fields["region"].choices = [("", _("全省"))] + [
            (r.code, r.name) for r in Region.objects.filter(parent__isnull=False).order_by("code")
        ]

    def clean_period(self):
        return _period_code(self.cleaned_data.get("period"), "period")


class SavedViewForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    description = forms.CharField(label=gettext_lazy("说明"), max_length=300, required=False)
    shared = forms.BooleanField(label=gettext_lazy("共享给其他用户"), required=False)
    kind = forms.ChoiceField(choices=[("pivot", "pivot"), ("chart", "chart"), ("map", "map")], widget=forms.HiddenInput)
    query = forms.CharField(max_length=2000, widget=forms.HiddenInput)
