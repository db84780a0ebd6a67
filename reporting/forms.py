"""Forms of the reporting pages: metadata (elements, categories, data sets, versions, rules) and
completeness (extensions, period locks, the filter). They validate input; writes go through
reporting.services, which check permissions and write the audit row.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.forms.models import fields_for_model
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import UserError
from orgs.choices import OrgKind
from orgs.forms import DATE_WIDGET, BootstrapFormMixin, VersionedForm
from orgs.pickers import OrgField, bind_user
from reporting import periods
from reporting.choices import Timeliness
from reporting.models import (
    Category,
    CategoryCombo,
    DataElement,
    DataSet,
    Report,
    SectionElement,
    ValidationRule,
    code_validator,
)
from reporting.pickers import PeriodField
from reporting.queries import Layout
from reporting.services.metadata import DATASET_FIELDS, ELEMENT_FIELDS
from reporting.validation import expression_problems

CODE_HELP = gettext_lazy("大写字母、数字和下划线，以字母开头，例如 WF_WORKERS；保存后不能修改。")


def _upper_code(value: str) -> str:
    return (value or "").strip().upper()


class CodeField(forms.CharField):
    """A metadata code: trimmed, upper-cased, checked against the models' pattern."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", gettext_lazy("代码"))
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("help_text", CODE_HELP)
        super().__init__(**kwargs)
        self.validators.append(code_validator)

    def to_python(self, value):
        return _upper_code(super().to_python(value))


# --- Data elements ------------------------------------------------------------------------------------


def _element_fields(names) -> dict[str, forms.Field]:
    fields = fields_for_model(DataElement, fields=list(names))
    if "description" in fields:
        fields["description"].widget.attrs["rows"] = 3
    return fields


def _combo_field(required: bool = False) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label=gettext_lazy("分类组合"),
        queryset=CategoryCombo.objects.order_by("-is_default", "code"),
        required=required,
        empty_label=gettext_lazy("无分类"),
        help_text=gettext_lazy("按哪些分类拆分填报，例如农民工身份×性别；不拆分则选“无分类”。"),
    )


class DataElementForm(BootstrapFormMixin, forms.Form):
    """A new data element (services.data_element_create)."""

    code = CodeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = _element_fields(["name", "short_name", "value_type", "unit", "aggregation"])
        fields["category_combo"] = _combo_field()
        fields.update(_element_fields(["migrant_scope", "population", "source", "description"]))
        self.fields.update(fields)
        self.style_fields()

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        if data.get("category_combo") is None:
            data.pop("category_combo", None)
        return data


class DataElementEditForm(VersionedForm):
    """The changeable fields of an element; type and combo are frozen once a published version uses it."""

    def __init__(self, *args, frozen: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        version = self.fields.pop("version")
        fields = _element_fields(["name", "short_name", "value_type", "unit", "aggregation"])
        fields["category_combo"] = _combo_field(required=True)
        fields["category_combo"].empty_label = None
        fields.update(_element_fields(["migrant_scope", "population", "source", "description", "is_active"]))
        self.fields.update(fields)
        self.fields["version"] = version
        self.frozen = frozen
        if frozen:
            for name in ("value_type", "category_combo"):
                self.fields[name].disabled = True
                self.fields[name].help_text = _("已在已发布的报表版本中使用，不能修改；如口径变化，请新建数据元。")
        self.style_fields()

    @classmethod
    def initial_for(cls, element: DataElement) -> dict:
        initial = {name: getattr(element, name) for name in ELEMENT_FIELDS}
        initial.update(value_type=element.value_type, category_combo=element.category_combo_id, version=element.version)
        return initial

    def changes(self, element: DataElement) -> dict:
        """The fields that differ from the element as stored (without the version)."""
        names = [*ELEMENT_FIELDS, "value_type", "category_combo"]
        return {name: self.cleaned_data[name] for name in names if self.cleaned_data[name] != getattr(element, name)}


# --- Categories and combos --------------------------------------------------------------------------

_OPTION_LINE = re.compile(r"^\s*(?P<code>\S+?)\s*(?:[=＝:：,，\s]\s*)(?P<name>.+?)\s*$")


def parse_option_lines(text: str) -> list[tuple[str, str]]:
    """Options typed one per line as "CODE 名称" (or CODE=名称); ValidationError naming each bad line."""
    options, errors = [], []
    for number, line in enumerate((text or "").splitlines(), start=1):
        if not line.strip():
            continue
        match = _OPTION_LINE.match(line)
        if not match:
            errors.append(
                _("第 %(n)d 行“%(line)s”应为“代码 名称”，例如“MIGRANT 农民工”。") % {"n": number, "line": line.strip()}
            )
            continue
        code = _upper_code(match.group("code"))
        try:
            code_validator(code)
        except ValidationError:
            errors.append(
                _("第 %(n)d 行的代码“%(code)s”无效：只能包含大写字母、数字和下划线，并以字母开头。")
                % {"n": number, "code": code}
            )
            continue
        options.append((code, match.group("name")))
    if errors:
        raise ValidationError(errors)
    return options


class CategoryForm(BootstrapFormMixin, forms.Form):
    """A new category with its options (services.category_create)."""

    code = CodeField()
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    options = forms.CharField(
        label=gettext_lazy("选项"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=gettext_lazy("每行一个选项：代码 名称，例如“MIGRANT 农民工”；顺序即填报顺序，至少两个。"),
    )

    def clean_options(self) -> list[tuple[str, str]]:
        options = parse_option_lines(self.cleaned_data["options"])
        if len(options) < 2:
            raise ValidationError(_("分类至少需要两个选项。"))
        return options


class CategoryOptionForm(BootstrapFormMixin, forms.Form):
    """One more option at the end of a category (services.category_option_add)."""

    code = CodeField(help_text="")
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)


class CategoryComboForm(BootstrapFormMixin, forms.Form):
    """A combo of up to three categories, in order (services.category_combo_create)."""

    code = CodeField()
    name = forms.CharField(label=gettext_lazy("名称"), max_length=100)
    category_1 = forms.ModelChoiceField(label=gettext_lazy("第一分类"), queryset=Category.objects.order_by("code"))
    category_2 = forms.ModelChoiceField(
        label=gettext_lazy("第二分类"), queryset=Category.objects.order_by("code"), required=False
    )
    category_3 = forms.ModelChoiceField(
        label=gettext_lazy("第三分类"), queryset=Category.objects.order_by("code"), required=False
    )

    def clean(self):
        data = super().clean()
        chosen = [data.get(f"category_{i}") for i in (1, 2, 3) if data.get(f"category_{i}")]
        if len({c.pk for c in chosen}) != len(chosen):
            raise ValidationError(_("同一个分类不能选两次。"))
        data["categories"] = chosen
        return data


# --- Data sets --------------------------------------------------------------------------------------

REPORTING_KINDS = [(k.value, k.label) for k in (OrgKind.UNION, OrgKind.ENTERPRISE, OrgKind.UNIT, OrgKind.PREFECTURE)]


def _dataset_fields(names) -> dict[str, forms.Field]:
    fields = fields_for_model(DataSet, fields=[n for n in names if n != "assigned_kinds"])
    if "description" in fields:
        fields["description"].widget.attrs["rows"] = 3
    if "assigned_kinds" in names:
        fields["assigned_kinds"] = forms.MultipleChoiceField(
            label=gettext_lazy("填报机构类型"),
            choices=REPORTING_KINDS,
            required=False,
            widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            help_text=gettext_lazy("不选表示任何类型；再结合下方的“填报机构范围”限定到某些机构的下级。"),
        )
    if "outlier_ratio" in fields:
        fields["outlier_ratio"].help_text = _("与上期相比变化超过此比例时提示审核人，0.5 表示 50%。")
    return fields


DATASET_FORM_FIELDS = [n for n in DATASET_FIELDS if n != "is_active"]


class DataSetForm(BootstrapFormMixin, forms.Form):
    """A new data set (services.dataset_create); it starts with an empty draft version 1."""

    code = CodeField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = _dataset_fields(["name", "short_name", "period_type"])
        fields.update(_dataset_fields([n for n in DATASET_FORM_FIELDS if n not in ("name", "short_name")]))
        self.fields.update(fields)
        self.style_fields()

    def values(self) -> dict:
        return dict(self.cleaned_data)


class DataSetEditForm(VersionedForm):
    """A data set's name, who reports and its deadline rule (services.dataset_update)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        version = self.fields.pop("version")
        self.fields.update(_dataset_fields(DATASET_FIELDS))
        self.fields["version"] = version
        self.style_fields()

    @classmethod
    def initial_for(cls, dataset: DataSet) -> dict:
        initial = {name: getattr(dataset, name) for name in DATASET_FIELDS}
        initial["version"] = dataset.version
        return initial

    def changes(self, dataset: DataSet) -> dict:
        return {n: self.cleaned_data[n] for n in DATASET_FIELDS if self.cleaned_data[n] != getattr(dataset, n)}


class DataSetAssignForm(BootstrapFormMixin, forms.Form):
    """Add an organisation (by code) to the data set's reporting scope."""

    org = forms.CharField(
        label=gettext_lazy("机构代码"), max_length=64, help_text=gettext_lazy("可在组织机构页面查询机构代码。")
    )
    include_descendants = forms.BooleanField(label=gettext_lazy("含全部下级机构"), required=False, initial=True)

    def clean_org(self) -> str:
        return self.cleaned_data["org"].strip()


class DraftForm(BootstrapFormMixin, forms.Form):
    """Start the next draft version (a copy of the latest one)."""

    note = forms.CharField(label=gettext_lazy("修订说明"), max_length=300, required=False)


# --- Sections and their elements ----------------------------------------------------------------------


class SectionForm(BootstrapFormMixin, forms.Form):
    code = CodeField()
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    description = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SectionEditForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("名称"), max_length=200)
    description = forms.CharField(label=gettext_lazy("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


BOUND_FIELD = {"max_digits": 20, "decimal_places": 4, "required": False}


class _BoundsMixin:
    def clean(self):
        data = super().clean()
        low, high = data.get("min_value"), data.get("max_value")
        if low is not None and high is not None and low > high:
            self.add_error("min_value", _("最小值不能大于最大值。"))
        return data


class SectionElementAddForm(_BoundsMixin, BootstrapFormMixin, forms.Form):
    """Ask one more element in a section (services.section_element_add)."""

    element = forms.ModelChoiceField(label=gettext_lazy("数据元"), queryset=DataElement.objects.none())
    category_combo = forms.ModelChoiceField(
        label=gettext_lazy("分类组合"),
        queryset=CategoryCombo.objects.order_by("-is_default", "code"),
        required=False,
        empty_label=gettext_lazy("按数据元本身的分类组合"),
    )
    required = forms.BooleanField(label=gettext_lazy("必填"), required=False, initial=True)
    min_value = forms.DecimalField(label=gettext_lazy("最小值"), **BOUND_FIELD)
    max_value = forms.DecimalField(label=gettext_lazy("最大值"), **BOUND_FIELD)
    help_text = forms.CharField(label=gettext_lazy("填报说明"), max_length=500, required=False)

    def __init__(self, *args, version, **kwargs):
        super().__init__(*args, **kwargs)
        used = SectionElement.objects.filter(dataset_version=version).values("element_id")
        self.fields["element"].queryset = (
            DataElement.objects.filter(is_active=True).exclude(pk__in=used).order_by("code")
        )
        self.fields["element"].label_from_instance = lambda e: f"{e.code} {e.name}"


class SectionElementEditForm(_BoundsMixin, BootstrapFormMixin, forms.Form):
    """Required flag, bounds and hint of an element in a draft version (services.section_element_update)."""

    required = forms.BooleanField(label=gettext_lazy("必填"), required=False)
    min_value = forms.DecimalField(label=gettext_lazy("最小值"), **BOUND_FIELD)
    max_value = forms.DecimalField(label=gettext_lazy("最大值"), **BOUND_FIELD)
    help_text = forms.CharField(label=gettext_lazy("填报说明"), max_length=500, required=False)

    @classmethod
    def initial_for(cls, item: SectionElement) -> dict:
        return {n: getattr(item, n) for n in ("required", "min_value", "max_value", "help_text")}


class TotalRelationForm(BootstrapFormMixin, forms.Form):
    """Declare that an element's disaggregation adds up to a total (services.total_relation_add)."""

    total_element = forms.ChoiceField(label=gettext_lazy("合计数据元"))
    total_key = forms.CharField(
        label=gettext_lazy("合计分类键"),
        required=False,
        max_length=300,
        help_text=gettext_lazy("合计本身有分类时填写，例如 NONMIGRANT；留空表示数据元的全部。"),
    )
    parts_element = forms.ChoiceField(label=gettext_lazy("分项数据元"))

    def __init__(self, *args, layout: Layout, **kwargs):
        super().__init__(*args, **kwargs)
        items = layout.section_elements
        self.fields["total_element"].choices = [
            (se.element.code, f"{se.element.code} {se.element.name}") for se in items
        ]
        self.fields["parts_element"].choices = [
            (se.element.code, f"{se.element.code} {se.element.name}")
            for se in items
            if not se.category_combo.is_default
        ]
        self.style_fields()

    def clean_total_key(self) -> str:
        return ".".join(_upper_code(p) for p in (self.cleaned_data["total_key"] or "").split(".") if p.strip())


# --- Validation rules ---------------------------------------------------------------------------------------

RULE_FORM_FIELDS = ["name", "left", "operator", "right", "importance", "message", "missing_value_strategy"]


class RuleForm(BootstrapFormMixin, forms.Form):
    """A configured rule; its expressions are parsed against the version's elements as the form is cleaned."""

    def __init__(self, *args, known: dict[str, set[str]], creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if creating:
            self.fields["code"] = CodeField(max_length=100)
        fields = fields_for_model(ValidationRule, fields=[*RULE_FORM_FIELDS, *([] if creating else ["is_active"])])
        for name in ("left", "right"):
            fields[name].widget = forms.TextInput(attrs={"class": "form-control font-monospace", "spellcheck": "false"})
            fields[name].help_text = _(
                "例如 #{WF_CERTIFIED} 或 #{WF_WORKERS_GROUP.NONMIGRANT} * 0.5；可用 + - * / 和括号。"
            )
        self.fields.update(fields)
        self.known = known
        self.style_fields()

    def _clean_expression(self, name: str) -> str:
        text = (self.cleaned_data.get(name) or "").strip()
        problems = expression_problems(text, self.known)
        if problems:
            raise ValidationError(problems)
        return text

    def clean_left(self) -> str:
        return self._clean_expression("left")

    def clean_right(self) -> str:
        return self._clean_expression("right")

    @classmethod
    def initial_for(cls, rule: ValidationRule) -> dict:
        return {name: getattr(rule, name) for name in [*RULE_FORM_FIELDS, "is_active"]}

    def values(self) -> dict:
        return {k: v for k, v in self.cleaned_data.items() if k != "code"}


class RuleTestForm(BootstrapFormMixin, forms.Form):
    """Pick a report to evaluate a rule against (the reports offered are those the user may see)."""

    report = forms.ModelChoiceField(label=gettext_lazy("用于测试的报表"), queryset=Report.objects.none())

    def __init__(self, *args, reports, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["report"].queryset = reports
        self.fields["report"].label_from_instance = lambda r: (
            f"{r.org.name} · {r.period.label} · {r.get_status_display()}"
        )


# --- Completeness: filter, extensions, locks ------------------------------------------------------------------

GROUPINGS = [("union", gettext_lazy("按产业系统公司工会")), ("prefecture", gettext_lazy("按州市"))]


class CompletenessForm(BootstrapFormMixin, forms.Form):
    """Which round to show, how to group it and which rows to list."""

    dataset = forms.ModelChoiceField(
        label=gettext_lazy("报表"), queryset=DataSet.objects.none(), to_field_name="code", empty_label=None
    )
    period = forms.CharField(label=gettext_lazy("报告期"), max_length=10, required=False)
    timeliness = forms.ChoiceField(
        label=gettext_lazy("报送情况"),
        required=False,
        choices=[
            ("", gettext_lazy("全部")),
            ("unreported", gettext_lazy("尚未报送（未报送或未到截止日）")),
            *Timeliness.choices,
        ],
    )
    union = forms.CharField(label=gettext_lazy("产业系统公司工会"), required=False, max_length=64)
    prefecture = forms.CharField(label=gettext_lazy("州市"), required=False, max_length=6)
    q = forms.CharField(
        label=gettext_lazy("单位名称或代码"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )

    def __init__(self, *args, datasets, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dataset"].queryset = datasets
        self.style_fields()

    def clean_period(self) -> str:
        code = (self.cleaned_data.get("period") or "").strip().upper()
        if not code:
            return ""
        try:
            spec = periods.parse_code(code)
        except UserError as error:
            raise ValidationError(error.message) from error
        dataset = self.cleaned_data.get("dataset")
        if dataset is not None and spec.period_type != dataset.period_type:
            raise ValidationError(
                _("“%(dataset)s”是%(type)s，报告期“%(code)s”不是这一类型。")
                % {"dataset": dataset.name, "type": dataset.get_period_type_display(), "code": code}
            )
        return spec.code


class ExcelGoForm(BootstrapFormMixin, forms.Form):
    """The Excel page's "其他报告期或单位": a data set, a period from the list and an organisation the user
    may fill, typed by name, short name, pinyin initials or code."""

    dataset = forms.ChoiceField(label=gettext_lazy("报表"))
    period = PeriodField()
    org = OrgField(purpose="entry", label=gettext_lazy("填报单位"))

    def __init__(self, *args, user, include_periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.datasets = {d.code: d for d in DataSet.objects.filter(is_active=True).order_by("code")}
        choices = []
        for dataset in self.datasets.values():
            kind = dataset.get_period_type_display()
            choices.append((dataset.code, dataset.name if kind in dataset.name else f"{dataset.name}（{kind}）"))
        self.fields["dataset"].choices = choices
        self.fields["period"].offer(include_periods)
        bind_user(self, user)

    def clean(self):
        data = super().clean()
        dataset = self.datasets.get(data.get("dataset") or "")
        code = data.get("period")
        if dataset is not None and code and periods.parse_code(code).period_type != dataset.period_type:
            kind = dataset.get_period_type_display()
            self.add_error(
                "period",
                _("“%(dataset)s”是%(kind)s，请选择%(kind)s的报告期。") % {"dataset": dataset.name, "kind": kind},
            )
        return data


class DeadlineExtensionForm(BootstrapFormMixin, forms.Form):
    """Extend the deadline of a round, for one subtree or for everyone (services.deadline_extend)."""

    org = OrgField(
        purpose="accept",
        label=gettext_lazy("机构"),
        required=False,
        help_text=gettext_lazy(
            "输入名称、拼音首字母或代码并从列表中选择，只为该机构及其下级延期；留空表示为全部填报单位延期。"
        ),
    )
    new_deadline = forms.DateField(label=gettext_lazy("新截止日期"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=gettext_lazy("延期原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": gettext_lazy("请填写延期原因。")},
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        bind_user(self, user)  # the organisation is looked up where the user may accept reports

    def clean_reason(self) -> str:
        reason = (self.cleaned_data.get("reason") or "").strip()
        if not reason:
            raise ValidationError(_("请填写延期原因。"))
        return reason


class PeriodLockForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("锁定原因"), max_length=500, required=False)


class PeriodUnlockForm(BootstrapFormMixin, forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("解除锁定的原因"),
        max_length=500,
        error_messages={"required": gettext_lazy("请填写解除锁定的原因。")},
    )
