"""Forms of the case library: a case, a workflow step, a file, an adoption record, a topic."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from cases.choices import KeyTask
from cases.models import Topic
from cases.services.cases import MAX_REASON, MAX_SUMMARY, MAX_TITLE
from core import richtext
from orgs.forms import BootstrapFormMixin
from orgs.pickers import OrgField, bind_user

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class CaseForm(BootstrapFormMixin, forms.Form):
    """A case's content; the body is HTML from the editor (format=html) or plain text without JavaScript."""

    org = OrgField(purpose="entry", label=_("案例来源单位"))
    title = forms.CharField(label=_("标题"), max_length=MAX_TITLE)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    summary = forms.CharField(
        label=_("摘要"), max_length=MAX_SUMMARY, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("不超过 300 字，概括做法和成效，显示在案例库列表中。"),
    )  # fmt: skip
    body = forms.CharField(label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 14}))
    format = forms.ChoiceField(choices=[("text", "text"), ("html", "html")], required=False, widget=forms.HiddenInput)
    tasks = forms.MultipleChoiceField(
        label=_("重点任务"), choices=KeyTask.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    topics = forms.ModelMultipleChoiceField(
        label=_("专题"), queryset=Topic.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    author_name = forms.CharField(label=_("撰写人"), max_length=40, required=False)
    author_position = forms.CharField(label=_("撰写人职务"), max_length=60, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, user, current_topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        bind_user(self, user)
        from django.db.models import Q

        self.fields["topics"].queryset = Topic.objects.filter(
            Q(is_active=True) | Q(pk__in=[t.pk for t in current_topics])
        )
        for name in ("tasks", "topics"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        if self.data.get("format") != "html":
            body = richtext.from_plain(body)
        return body

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("format", None)
        data.pop("version", None)
        data["topics"] = list(data.get("topics") or [])
        return data


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("原因"), required=False, max_length=MAX_REASON, widget=forms.Textarea)


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class FileForm(forms.Form):
    file = forms.FileField(label=_("附件或照片"))


class ReplicationForm(BootstrapFormMixin, forms.Form):
    org = OrgField(purpose="entry", label=_("复制推广单位"))
    adopted_on = forms.DateField(label=_("借鉴日期"), widget=DATE)
    adopted = forms.CharField(
        label=_("借鉴或改进的做法"), max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("写明照搬了哪些做法，结合本单位实际做了哪些调整。"),
    )  # fmt: skip
    result = forms.CharField(
        label=_("取得的效果（可选）"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        bind_user(self, user)


class TopicForm(BootstrapFormMixin, forms.Form):
    name = forms.CharField(label=_("专题名称"), max_length=40)
    order = forms.IntegerField(label=_("排序"), min_value=0, max_value=9999, initial=100)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)
