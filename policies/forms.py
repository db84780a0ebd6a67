"""Forms of the policy library's pages: a measure, a rule, a notice, an uptake round, the import upload."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from policies.choices import Category
from policies.models import Measure
from policies.rules import FIELDS, OPERATORS

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class MeasureForm(forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    body = forms.CharField(
        label=_("政策全文"), required=False, widget=forms.Textarea(attrs={"rows": 10, "class": "form-control"}),
        help_text=_("可直接粘贴正文；空行分段。"),
    )  # fmt: skip

    class Meta:
        model = Measure
        fields = [
            "title", "issuer", "doc_number", "issued_on", "category", "eligible_text", "benefits", "apply_steps",
            "apply_where", "apply_contact", "apply_deadline", "valid_from", "valid_to", "body",
        ]  # fmt: skip
        widgets = {
            "issued_on": DATE, "apply_deadline": DATE, "valid_from": DATE, "valid_to": DATE,
            "eligible_text": forms.Textarea(attrs={"rows": 3}), "benefits": forms.Textarea(attrs={"rows": 3}),
            "apply_steps": forms.Textarea(attrs={"rows": 3}),
        }  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.body:
            from core import richtext

            self.initial["body"] = richtext.as_paragraphs(self.instance.body)
        for name, field in self.fields.items():
            if name == "category":
                field.widget.attrs.setdefault("class", "form-select")
            elif not isinstance(field.widget, forms.HiddenInput):
                field.widget.attrs.setdefault("class", "form-control")


def _rule_value_choices():
    groups = []
    for key, spec in FIELDS.items():
        if spec.kind == "choice":
            groups.append((str(spec.label), [(f"{key}:{code}", name) for code, name in spec.choices()]))
    return groups


class RuleForm(forms.Form):
    field = forms.ChoiceField(label=_("条件项"), choices=[])
    operator = forms.ChoiceField(label=_("比较方式"), choices=[(k, v) for k, v in OPERATORS.items()])
    options = forms.MultipleChoiceField(
        label=_("取值（类型、所有制、行业、州市）"), required=False, choices=[],
        help_text=_("可按住 Ctrl 多选；只取与条件项相同分组中的选项。"),
    )  # fmt: skip
    number = forms.CharField(label=_("取值（数字）"), required=False, max_length=30)
    flag = forms.ChoiceField(
        label=_("取值（是/否）"), required=False, choices=[("", "—"), ("1", _("是")), ("0", _("否"))]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [
            (k, f"{v.label}{'（' + v.unit + '）' if v.unit else ''}") for k, v in FIELDS.items()
        ]
        self.fields["options"].choices = _rule_value_choices()
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class", "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            )
        self.fields["options"].widget.attrs["size"] = 8

    def value(self) -> str:
        """The value for the chosen field, from the input that fits its kind."""
        data = self.cleaned_data
        spec = FIELDS[data["field"]]
        if spec.kind == "choice":
            prefix = data["field"] + ":"
            return ",".join(v[len(prefix) :] for v in data.get("options") or [] if v.startswith(prefix))
        if spec.kind == "boolean":
            return data.get("flag") or ""
        return data.get("number") or ""


class NoticeForm(forms.Form):
    title = forms.CharField(
        label=_("标题"), max_length=200, required=False, help_text=_("留空则为“政策推送：政策名称”。")
    )
    message = forms.CharField(
        label=_("内容"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("留空则自动写入政策的支持内容和申请方式。"),
    )  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class RoundForm(forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=2018, max_value=2100)
    title = forms.CharField(
        label=_("名称"), max_length=200, required=False, help_text=_("留空则为“X年度政策落实情况”。")
    )
    opens_on = forms.DateField(label=_("开始填报日期"), widget=DATE)
    due_on = forms.DateField(label=_("截止日期"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "form-control")


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Excel 文件（.xlsx）"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx", "class": "form-control"}),
    )


class LibraryFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    category = forms.ChoiceField(label=_("类别"), required=False, choices=[("", _("全部")), *Category.choices])
    issuer = forms.CharField(label=_("发文单位"), required=False, max_length=200)
    valid_now = forms.BooleanField(label=_("只看现行有效"), required=False)
    status = forms.CharField(required=False, max_length=12)
