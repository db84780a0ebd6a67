"""Filters shared by list pages and the API."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**31 - 1


class IntegerFilter(django_filters.NumberFilter):
    """A whole number within bounds (`min_value`, `max_value`): a value outside them is a field error,
    never a number handed to the database (PostgreSQL's integers, Python's dates)."""

    field_class = forms.IntegerField

    def __init__(self, *args, min_value: int = 0, max_value: int = MAX_ID, **kwargs):
        kwargs.setdefault("error_messages", {"invalid": _("应为整数（只能包含数字）。")})
        super().__init__(*args, min_value=min_value, max_value=max_value, **kwargs)
