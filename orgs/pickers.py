"""The organisation picker: a form field that takes a code, a name, a unique short name or pinyin initials,
and the widget that searches as you type (static/js/org-picker.js,
orgs/templates/orgs/widgets/org_picker.html).

Without JavaScript the widget is a plain text input and the field still resolves what was typed. With it,
the input lists matches from `orgs:org_pick` (JSON, the same scope as the field) and a chosen organisation
is posted by its code. The field looks organisations up through the door: one whose user may not act on
it with the field's action reads as unknown, with the same message.
"""

from __future__ import annotations

from django import forms
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.choices import Action
from orgs.models import Organisation
from orgs.queries import OrgNotResolved, org_resolve

# What a picker is for, named in its search address, and the action its organisations must allow.
PURPOSES: dict[str, str] = {
    "view": Action.ORG_VIEW,
    "data": Action.VIEW,
    "entry": Action.EDIT,
    "accept": Action.ACCEPT,
    "users": Action.USER_MANAGE,
}


class OrgPickerWidget(forms.TextInput):
    """A text input that becomes an ARIA combobox listing matching organisations."""

    template_name = "orgs/widgets/org_picker.html"

    def __init__(self, purpose: str = "view", attrs=None):
        if purpose not in PURPOSES:
            raise ValueError(f"unknown picker purpose {purpose!r}")
        self.purpose = purpose
        base = {"autocomplete": "off", "spellcheck": "false", "maxlength": "200"}
        super().__init__({**base, **(attrs or {})})

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["picker"] = {"url": f"{reverse('orgs:org_pick')}?for={self.purpose}"}
        return context


class OrgField(forms.CharField):
    """An organisation the form's user may act on, typed as a code, a name, a unique short name or initials.

    The form sets `field.user` (see `bind_user`); cleaning returns the Organisation, or None when the
    field is optional and empty.
    """

    widget = OrgPickerWidget

    def __init__(self, *, purpose: str = "view", **kwargs):
        kwargs.setdefault("label", _("机构"))
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("help_text", _("输入机构名称、简称、拼音首字母或代码，从列表中选择。"))
        kwargs.setdefault("widget", OrgPickerWidget(purpose))
        super().__init__(**kwargs)
        self.purpose = purpose
        self.user = None

    def clean(self, value) -> Organisation | None:
        text = super().clean(value)
        if not text:
            return None
        if self.user is None:
            raise RuntimeError("OrgField needs the form's user (orgs.pickers.bind_user)")
        try:
            return org_resolve(user=self.user, text=text, action=PURPOSES[self.purpose])
        except OrgNotResolved as error:
            raise forms.ValidationError(error.message, code="org") from None


def bind_user(form: forms.BaseForm, user) -> None:
    """Tell every OrgField of `form` whose organisations to look up."""
    for field in form.fields.values():
        if isinstance(field, OrgField):
            field.user = user
