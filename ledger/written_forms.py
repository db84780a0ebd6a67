"""Forms of the written report pages: a round, a section's text, a file, a reviewer's step and comment."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core import richtext
from ledger.choices import Aspect
from ledger.services.written import MAX_REASON_CHARS

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class RoundForm(forms.Form):
    code = forms.CharField(label=_("代码"), max_length=20, help_text=_("如 2026H1、2026。"))
    title = forms.CharField(label=_("名称"), max_length=200)
    period_start = forms.DateField(label=_("报告期开始"), widget=DATE)
    period_end = forms.DateField(label=_("报告期结束"), widget=DATE)
    due_on = forms.DateField(label=_("报送截止日期"), widget=DATE)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("code", "title"):
            self.fields[name].widget.attrs["class"] = "form-control"


class SectionForm(forms.Form):
    """One aspect's text: HTML from the editor (format=html), or plain text typed without JavaScript."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    body = forms.CharField(label=_("内容"), required=False, widget=forms.Textarea(attrs={"rows": 8}))
    format = forms.ChoiceField(choices=[("text", "text"), ("html", "html")], required=False, widget=forms.HiddenInput)

    def clean_body(self):
        body = self.cleaned_data.get("body") or ""
        if self.data.get("format") != "html":
            body = richtext.from_plain(body)
        return body


class AttachForm(forms.Form):
    file = forms.FileField(label=_("附件"))


class VersionForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)


class StepForm(forms.Form):
    """A workflow step: the overall reason, and for a reviewer a reason and a comment per aspect."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("原因"), required=False, max_length=MAX_REASON_CHARS, widget=forms.Textarea)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for aspect in Aspect.values:
            self.fields[f"reason_{aspect}"] = forms.CharField(required=False, max_length=MAX_REASON_CHARS)
            self.fields[f"comment_{aspect}"] = forms.CharField(required=False, max_length=MAX_REASON_CHARS)

    def section_reasons(self) -> dict[int, str]:
        return {a: self.cleaned_data.get(f"reason_{a}", "") for a in Aspect.values if self.data.get(f"reason_{a}")}

    def section_comments(self) -> dict[int, str]:
        # Only the aspects whose comment box was sent: a form without them leaves comments as they are.
        return {a: self.cleaned_data.get(f"comment_{a}", "") for a in Aspect.values if f"comment_{a}" in self.data}


class CommentForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    comment = forms.CharField(label=_("审核意见"), required=False, max_length=MAX_REASON_CHARS, widget=forms.Textarea)
