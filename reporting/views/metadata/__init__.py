"""Metadata pages of the reform office: data elements, categories and combos, data sets, their
versions (sections, elements, totals) and validation rules.

Metadata belongs to no organisation: the office's administrators (Action.METADATA_MANAGE) change
it, the office's reviewers read it (and get 403 for a change), for everyone else the pages do not
exist (404, orgs.scoping.office_or_404). Every write goes through
reporting.services, which checks the right again and writes the audit row. A published version is
frozen: its pages are read-only, and reports keep the version they were filled against.
"""

from django.urls import path

from reporting.views.metadata.common import may_read_metadata
from reporting.views.metadata.datasets import (
    dataset_assign,
    dataset_create,
    dataset_detail,
    dataset_unassign,
    metadata_home,
    section_create,
    section_delete,
    section_edit,
    section_element_add,
    section_element_edit,
    section_element_move,
    section_element_remove,
    section_move,
    total_relation_add,
    total_relation_remove,
    version_create_draft,
    version_detail,
    version_publish,
)
from reporting.views.metadata.elements import (
    category_create,
    category_list,
    category_option_add,
    combo_create,
    element_create,
    element_edit,
    element_list,
)
from reporting.views.metadata.rules import (
    expression_check,
    rule_create,
    rule_edit,
    rule_list,
    rule_test,
    rule_toggle,
    rules_generate,
)

__all__ = ["may_read_metadata", "urlpatterns"]

urlpatterns = [
    path("metadata/", metadata_home, name="metadata_home"),
    path("metadata/elements/", element_list, name="element_list"),
    path("metadata/elements/new/", element_create, name="element_create"),
    path("metadata/elements/<int:pk>/", element_edit, name="element_edit"),
    path("metadata/categories/", category_list, name="category_list"),
    path("metadata/categories/new/", category_create, name="category_create"),
    path("metadata/categories/<int:pk>/options/new/", category_option_add, name="category_option_add"),
    path("metadata/combos/new/", combo_create, name="combo_create"),
    path("metadata/datasets/new/", dataset_create, name="dataset_create"),
    path("metadata/datasets/<int:pk>/", dataset_detail, name="dataset_detail"),
    path("metadata/datasets/<int:pk>/assign/", dataset_assign, name="dataset_assign"),
    path("metadata/datasets/<int:pk>/unassign/", dataset_unassign, name="dataset_unassign"),
    path("metadata/datasets/<int:pk>/draft/", version_create_draft, name="version_create_draft"),
    path("metadata/versions/<int:pk>/", version_detail, name="version_detail"),
    path("metadata/versions/<int:pk>/publish/", version_publish, name="version_publish"),
    path("metadata/versions/<int:pk>/sections/new/", section_create, name="section_create"),
    path("metadata/versions/<int:pk>/totals/new/", total_relation_add, name="total_relation_add"),
    path("metadata/versions/<int:pk>/rules/", rule_list, name="rule_list"),
    path("metadata/versions/<int:pk>/rules/new/", rule_create, name="rule_create"),
    path("metadata/versions/<int:pk>/rules/generate/", rules_generate, name="rules_generate"),
    path("metadata/versions/<int:pk>/rules/check/", expression_check, name="expression_check"),
    path("metadata/versions/<int:pk>/rules/test/", rule_test, name="rule_test"),
    path("metadata/sections/<int:pk>/edit/", section_edit, name="section_edit"),
    path("metadata/sections/<int:pk>/move/", section_move, name="section_move"),
    path("metadata/sections/<int:pk>/delete/", section_delete, name="section_delete"),
    path("metadata/sections/<int:pk>/elements/new/", section_element_add, name="section_element_add"),
    path("metadata/items/<int:pk>/edit/", section_element_edit, name="section_element_edit"),
    path("metadata/items/<int:pk>/move/", section_element_move, name="section_element_move"),
    path("metadata/items/<int:pk>/remove/", section_element_remove, name="section_element_remove"),
    path("metadata/totals/<int:pk>/remove/", total_relation_remove, name="total_relation_remove"),
    path("metadata/rules/<int:pk>/", rule_edit, name="rule_edit"),
    path("metadata/rules/<int:pk>/toggle/", rule_toggle, name="rule_toggle"),
]
