"""Filters over organisations, shared by the tree browser's search and any list that needs them."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from orgs.choices import Action, OrgKind
from orgs.models import Organisation
from orgs.queries import orgs_search


class OrganisationFilter(django_filters.FilterSet):
    """Search text (name, short name, code prefix, pinyin initials), kind, and whether closed ones show.

    The queryset given must already be scoped (`Organisation.objects.visible_to(...)`); the text
    search goes through `orgs.queries.orgs_search`, which applies the same scope again.
    """

    q = django_filters.CharFilter(
        label=_("搜索"),
        method="filter_text",
        widget=forms.TextInput(
            attrs={
                "type": "search",
                "placeholder": _("名称、简称、机构代码或拼音首字母，如 yndw"),
                "autocomplete": "off",
            }
        ),
    )
    kind = django_filters.ChoiceFilter(label=_("类型"), choices=OrgKind.choices, empty_label=_("全部类型"))
    closed = django_filters.BooleanFilter(label=_("显示已撤销"), method="filter_closed", widget=forms.CheckboxInput)

    class Meta:
        model = Organisation
        fields = ["q", "kind", "closed"]

    def filter_text(self, queryset, name, value):
        text = (value or "").strip()
        if not text:
            return queryset
        user = getattr(self.request, "user", None)
        return queryset & orgs_search(user=user, text=text, action=Action.ORG_VIEW, limit=None)

    def filter_closed(self, queryset, name, value):
        return queryset if value else queryset.filter(closed_on__isnull=True)

    @property
    def searching(self) -> bool:
        """Whether a text or a kind was asked for (otherwise the page shows the tree)."""
        data = self.form.cleaned_data if self.form.is_valid() else {}
        return bool((data.get("q") or "").strip() or data.get("kind"))

    @property
    def include_closed(self) -> bool:
        return bool(self.form.is_valid() and self.form.cleaned_data.get("closed"))
