"""Forms of the publishing pages: a submission, a step with its reason, an issue, an article, a recipient."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core import richtext
from orgs.pickers import OrgField, bind_user
from publishing.choices import RecipientLine, SubmissionKind
from publishing.services.issues import MAX_NOTE_CHARS
from publishing.services.submissions import MAX_REASON_CHARS

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        widget.attrs.setdefault("class", css)


class BodyField(forms.CharField):
    """Rich text: plain text typed in the textarea becomes paragraphs (blank lines split them)."""

    def clean(self, value):
        return richtext.from_plain(super().clean(value) or "")


class SubmissionForm(forms.Form):
    org = forms.ChoiceField(label=_("报送单位"))
    kind = forms.ChoiceField(label=_("类别"), choices=SubmissionKind.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    author = forms.CharField(label=_("作者"), max_length=100, required=False, help_text=_("撰稿人姓名，可不填。"))
    body = BodyField(label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 10}),
                     help_text=_("直接输入文字，空一行分段。"))  # fmt: skip
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, orgs=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.orgs = {o.code: o for o in orgs}
        self.fields["org"].choices = [(o.code, o.name) for o in orgs]
        _style(self)

    def clean_org(self):
        return self.orgs[self.cleaned_data["org"]]


class EditForm(SubmissionForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["org"]


class FileForm(forms.Form):
    file = forms.FileField(label=_("照片或附件"))
    photo = forms.BooleanField(label=_("这是照片（JPG/PNG）"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class StepForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("原因"), required=False, max_length=MAX_REASON_CHARS, widget=forms.Textarea(attrs={"rows": 2})
    )
    issue = forms.IntegerField(label=_("采用到"), required=False)


class IssueForm(forms.Form):
    date = forms.DateField(label=_("日期"), widget=DATE)
    editor_note = forms.CharField(label=_("编者按"), required=False, max_length=MAX_NOTE_CHARS,
                                  widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip
    print_line = forms.CharField(label=_("印发行"), required=False, max_length=200,
                                 help_text=_("留空则为“编印单位 日期印发”。"))  # fmt: skip
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class ArticleForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=200)
    date_line = forms.CharField(label=_("日期行"), max_length=100, required=False, help_text=_("如“2021年7月30日”。"))
    speaker_line = forms.CharField(
        label=_("署名行"), max_length=200, required=False, help_text=_("讲话人或作者、单位。")
    )
    body = BodyField(label=_("正文"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
                     help_text=_("直接输入文字，空一行分段。"))  # fmt: skip
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _style(self)


class RecipientForm(forms.Form):
    line = forms.ChoiceField(label=_("报/发"), choices=RecipientLine.choices)
    org = OrgField(purpose="view", label=_("单位"), required=False)
    text = forms.CharField(label=_("或输入文字"), max_length=200, required=False, help_text=_("如“省总工会领导”。"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        bind_user(self, user)
        _style(self)

    def clean(self):
        data = super().clean()
        if not data.get("org") and not (data.get("text") or "").strip():
            raise forms.ValidationError(_("请选择单位或输入文字。"))
        return data
