"""What the forms of the assessment pages share: widgets, and the version a stage change was loaded at."""

from __future__ import annotations

from django import forms

from orgs.forms import BootstrapFormMixin

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
CHECKBOXES = {"class": "form-check-input"}


class VersionForm(BootstrapFormMixin, forms.Form):
    """A stage change on a row the user loaded at `version` (stale versions are refused by the service)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
