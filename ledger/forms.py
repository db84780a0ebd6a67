"""Forms of the ledger pages; they only parse input, the services (ledger/services/) check and write."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from ledger.choices import GroupRole, KeyTask, OfficerKind, TargetKind, TaskStatus
from ledger.models import Document, ReformSettings
from orgs.forms import DATE_WIDGET, BootstrapFormMixin

TEXTAREA = {"rows": 3}


class VersionForm(BootstrapFormMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def _documents(org, kinds):
    return Document.objects.filter(org=org, kind__in=kinds).order_by("-uploaded_at")


class PlanForm(VersionForm):
    """The implementation plan, the leading group and the quantified assessment method, in one form."""

    plan_issued_on = forms.DateField(label=_("实施方案印发日期"), required=False, widget=DATE_WIDGET)
    plan_title = forms.CharField(label=_("实施方案名称"), max_length=200, required=False)
    plan_issuer = forms.CharField(label=_("印发单位"), max_length=200, required=False)
    plan_doc_number = forms.CharField(
        label=_("实施方案文号"), max_length=100, required=False, help_text=_("如：云电工〔2019〕12号")
    )
    plan_file = forms.FileField(label=_("上传实施方案文件"), required=False, help_text=_("PDF、Word 或图片。"))
    group_established_on = forms.DateField(label=_("领导小组成立日期"), required=False, widget=DATE_WIDGET)
    group_doc_number = forms.CharField(label=_("成立文号"), max_length=100, required=False)
    group_file = forms.FileField(label=_("上传成立文件"), required=False)
    method_issued_on = forms.DateField(label=_("考核评价办法印发日期"), required=False, widget=DATE_WIDGET)
    method_title = forms.CharField(label=_("考核评价办法名称"), max_length=200, required=False)
    method_doc_number = forms.CharField(label=_("办法文号"), max_length=100, required=False)
    method_file = forms.FileField(label=_("上传考核评价办法文件"), required=False)
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    SECTIONS = (
        (_("实施方案"), ("plan_issued_on", "plan_title", "plan_issuer", "plan_doc_number", "plan_file")),
        (_("领导小组"), ("group_established_on", "group_doc_number", "group_file")),
        (_("量化考核评价办法"), ("method_issued_on", "method_title", "method_doc_number", "method_file")),
        (_("其他"), ("notes",)),
    )

    def sections(self):
        return [(title, [self[name] for name in names]) for title, names in self.SECTIONS]


class MemberForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=100)
    position = forms.CharField(label=_("职务"), max_length=200, required=False, help_text=_("如：党委书记、工会主席"))
    role = forms.ChoiceField(label=_("组内职务"), choices=GroupRole.choices)
    joined_on = forms.DateField(label=_("起始日期"), widget=DATE_WIDGET)
    user = forms.ModelChoiceField(
        label=_("平台账号（可选）"), queryset=None, required=False, empty_label=_("不关联账号")
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = users


class OfficerForm(MemberForm):
    kind = forms.ChoiceField(label=_("类别"), choices=OfficerKind.choices)
    phone = forms.CharField(label=_("联系电话"), max_length=30, required=False)
    email = forms.CharField(label=_("电子邮箱"), max_length=200, required=False)
    field_order = ["kind", "name", "position", "phone", "email", "joined_on", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["role"]
        self.fields["position"].label = _("部门及职务")
        self.fields["position"].help_text = ""


class EndForm(BootstrapFormMixin, forms.Form):
    left_on = forms.DateField(label=_("离任日期"), widget=DATE_WIDGET)


class TaskForm(BootstrapFormMixin, forms.Form):
    """A reform task: 定目标、定责任、定期限."""

    key_task = forms.ChoiceField(label=_("所属重点任务"), choices=KeyTask.choices)
    title = forms.CharField(label=_("任务名称"), max_length=200)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    owner_name = forms.CharField(label=_("责任人"), max_length=100)
    owner_unit = forms.CharField(label=_("责任部门"), max_length=200, required=False)
    owner = forms.ModelChoiceField(
        label=_("责任人账号（可选）"), queryset=None, required=False, empty_label=_("不关联账号")
    )
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE_WIDGET)
    deadline = forms.DateField(label=_("完成期限"), widget=DATE_WIDGET)
    status = forms.ChoiceField(label=_("状态"), choices=TaskStatus.choices, initial=TaskStatus.PLANNED)
    done_on = forms.DateField(label=_("完成日期"), required=False, widget=DATE_WIDGET)
    target_kind = forms.ChoiceField(
        label=_("目标类型"),
        choices=TargetKind.choices,
        widget=forms.RadioSelect,
        help_text=_("指标目标：进度由平台按已验收的报表计算；量化成果：填写目标数量，按进展填报累计完成值。"),
    )
    indicator = forms.ModelChoiceField(label=_("指标"), queryset=None, required=False, empty_label=_("请选择指标"))
    baseline_year = forms.IntegerField(label=_("基期年度"), required=False, min_value=2000, max_value=2100)
    target_year = forms.IntegerField(label=_("目标年度"), required=False, min_value=2000, max_value=2100)
    result_text = forms.CharField(label=_("成果目标"), max_length=300, required=False)
    result_unit = forms.CharField(label=_("计量单位"), max_length=20, required=False, help_text=_("如：个、人、项"))
    baseline = forms.DecimalField(
        label=_("基期值"),
        required=False,
        max_digits=20,
        decimal_places=4,
        help_text=_("指标目标可不填，由平台读取基期年度的数据。"),
    )
    target_value = forms.DecimalField(label=_("目标值"), required=False, max_digits=20, decimal_places=4)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, users=None, **kwargs):
        from analytics.models import Indicator

        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = users
        self.fields["indicator"].queryset = Indicator.objects.filter(is_active=True).order_by("task", "sort_order")
        self.fields["target_kind"].widget.attrs.pop("class", None)


class UpdateForm(BootstrapFormMixin, forms.Form):
    on = forms.DateField(label=_("进展日期"), widget=DATE_WIDGET)
    value = forms.DecimalField(
        label=_("累计完成值"),
        required=False,
        max_digits=20,
        decimal_places=4,
        help_text=_("量化成果任务必填：截至进展日期累计完成的数量。"),
    )
    note = forms.CharField(label=_("进展情况"), widget=forms.Textarea(attrs=TEXTAREA))
    evidence = forms.FileField(label=_("佐证材料（可选）"), required=False)


class MilestoneForm(BootstrapFormMixin, forms.Form):
    title = forms.CharField(label=_("节点"), max_length=200)
    due_on = forms.DateField(label=_("计划日期"), widget=DATE_WIDGET)
    done_on = forms.DateField(label=_("完成日期"), required=False, widget=DATE_WIDGET)


class SettingsForm(BootstrapFormMixin, forms.ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    class Meta:
        model = ReformSettings
        fields = ["reform_start", "plan_deadline", "group_deadline", "idle_months", "lag_points"]
        widgets = {
            "reform_start": DATE_WIDGET,
            "plan_deadline": DATE_WIDGET,
            "group_deadline": DATE_WIDGET,
        }


class ListFilterForm(forms.Form):
    """The ledger list's filters: union, prefecture, a name/code/pinyin search."""

    q = forms.CharField(label=_("单位名称、代码或拼音首字母"), required=False)
    union = forms.ChoiceField(label=_("产业（系统）工会"), required=False)
    prefecture = forms.ChoiceField(label=_("州市"), required=False)

    def __init__(self, *args, unions=(), prefectures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].choices = [("", _("全部"))] + list(unions)
        self.fields["prefecture"].choices = [("", _("全部"))] + list(prefectures)
        for field in self.fields.values():
            field.widget.attrs.setdefault(
                "class",
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm",
            )
