"""Reporting pages under /reporting/: the reporter's and reviewer's pages (views.entry), the office's
metadata (views.metadata), completeness and deadlines (views.completeness), and the .xlsx round trip
(views.excel)."""

from django.urls import path

from reporting.views import completeness, excel, history
from reporting.views.entry import attachments, detail, filling, inbox, my_reports
from reporting.views.metadata import datasets, elements, rules

app_name = "reporting"

entry_patterns = [
    path("reports/", my_reports.my_reports, name="my_reports"),
    path("reports/open/", my_reports.report_open_view, name="report_open"),
    path("reports/<int:pk>/", detail.report_detail, name="report_detail"),
    path("reports/<int:pk>/entry/", filling.report_entry, name="report_entry"),
    path("reports/<int:pk>/comment/", filling.value_comment_view, name="value_comment"),
    path("reports/<int:pk>/explain/", filling.warning_explain_view, name="warning_explain"),
    path("reports/<int:pk>/attachments/", attachments.attachment_upload, name="attachment_upload"),
    path(
        "reports/<int:pk>/attachments/<int:attachment_id>/",
        attachments.attachment_download,
        name="attachment_download",
    ),
    path(
        "reports/<int:pk>/attachments/<int:attachment_id>/delete/",
        attachments.attachment_delete,
        name="attachment_delete",
    ),
    *[
        path(f"reports/<int:pk>/{step}/", detail.report_step, {"step": step}, name=f"report_{step}")
        for step in detail.STEP_SERVICES
    ],
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/read-all/", inbox.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", inbox.notification_read, name="notification_read"),
    path("inbox/<int:pk>/open/", inbox.notification_open, name="notification_open"),
]

metadata_patterns = [
    path("metadata/", datasets.metadata_home, name="metadata_home"),
    path("metadata/elements/", elements.element_list, name="element_list"),
    path("metadata/elements/new/", elements.element_create, name="element_create"),
    path("metadata/elements/<int:pk>/", elements.element_edit, name="element_edit"),
    path("metadata/categories/", elements.category_list, name="category_list"),
    path("metadata/categories/new/", elements.category_create, name="category_create"),
    path("metadata/categories/<int:pk>/options/new/", elements.category_option_add, name="category_option_add"),
    path("metadata/combos/new/", elements.combo_create, name="combo_create"),
    path("metadata/datasets/new/", datasets.dataset_create, name="dataset_create"),
    path("metadata/datasets/<int:pk>/", datasets.dataset_detail, name="dataset_detail"),
    path("metadata/datasets/<int:pk>/assign/", datasets.dataset_assign, name="dataset_assign"),
    path("metadata/datasets/<int:pk>/unassign/", datasets.dataset_unassign, name="dataset_unassign"),
    path("metadata/datasets/<int:pk>/draft/", datasets.version_create_draft, name="version_create_draft"),
    path("metadata/versions/<int:pk>/", datasets.version_detail, name="version_detail"),
    path("metadata/versions/<int:pk>/publish/", datasets.version_publish, name="version_publish"),
    path("metadata/versions/<int:pk>/sections/new/", datasets.section_create, name="section_create"),
    path("metadata/versions/<int:pk>/totals/new/", datasets.total_relation_add, name="total_relation_add"),
    path("metadata/versions/<int:pk>/rules/", rules.rule_list, name="rule_list"),
    path("metadata/versions/<int:pk>/rules/new/", rules.rule_create, name="rule_create"),
    path("metadata/versions/<int:pk>/rules/generate/", rules.rules_generate, name="rules_generate"),
    path("metadata/versions/<int:pk>/rules/check/", rules.expression_check, name="expression_check"),
    path("metadata/versions/<int:pk>/rules/test/", rules.rule_test, name="rule_test"),
    path("metadata/sections/<int:pk>/edit/", datasets.section_edit, name="section_edit"),
    path("metadata/sections/<int:pk>/move/", datasets.section_move, name="section_move"),
    path("metadata/sections/<int:pk>/delete/", datasets.section_delete, name="section_delete"),
    path("metadata/sections/<int:pk>/elements/new/", datasets.section_element_add, name="section_element_add"),
    path("metadata/items/<int:pk>/edit/", datasets.section_element_edit, name="section_element_edit"),
    path("metadata/items/<int:pk>/move/", datasets.section_element_move, name="section_element_move"),
    path("metadata/items/<int:pk>/remove/", datasets.section_element_remove, name="section_element_remove"),
    path("metadata/totals/<int:pk>/remove/", datasets.total_relation_remove, name="total_relation_remove"),
    path("metadata/rules/<int:pk>/", rules.rule_edit, name="rule_edit"),
    path("metadata/rules/<int:pk>/toggle/", rules.rule_toggle, name="rule_toggle"),
]

completeness_patterns = [
    path("completeness/", completeness.completeness, name="completeness"),
    path("completeness/deadline/", completeness.deadline_day, name="deadline_day"),
    path("completeness/export.xlsx", completeness.completeness_export, name="completeness_export"),
    path("completeness/extend/", completeness.extend_deadline, name="extend_deadline"),
    path("completeness/contacts/<str:code>/<int:user_id>/phone/", completeness.contact_phone, name="contact_phone"),
    path("completeness/lock/", completeness.lock_period, name="lock_period"),
    path("completeness/unlock/", completeness.unlock_period, name="unlock_period"),
    path("completeness/remind/", completeness.remind, name="remind"),
]

excel_patterns = [
    path("excel/", excel.excel_home, name="excel_home"),
    path("excel/go/", excel.excel_go, name="excel_go"),
    path("excel/history/", history.history_home, name="history_home"),
    path("excel/history/<str:token>/", history.history_mapping, name="history_mapping"),
    path("excel/history/<str:token>/preview/", history.history_preview, name="history_preview"),
    path("excel/history/<str:token>/confirm/", history.history_confirm, name="history_confirm"),
    path("excel/history/<str:token>/discard/", history.history_discard, name="history_discard"),
    path("excel/uploads/<str:token>/", excel.excel_preview, name="excel_preview"),
    path("excel/uploads/<str:token>/confirm/", excel.excel_confirm, name="excel_confirm"),
    path("excel/uploads/<str:token>/discard/", excel.excel_discard, name="excel_discard"),
    path("excel/uploads/<str:token>/errors.xlsx", excel.excel_error_file, name="excel_error_file"),
    path("excel/<str:dataset>/<str:period>/<str:org>/", excel.excel_import, name="excel_import"),
    path("excel/<str:dataset>/<str:period>/<str:org>/template.xlsx", excel.excel_template, name="excel_template"),
]

urlpatterns = [*entry_patterns, *metadata_patterns, *completeness_patterns, *excel_patterns]
