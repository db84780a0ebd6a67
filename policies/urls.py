"""Pages of the policy library: measures, what an organisation may enjoy, notices, uptake, import."""

from django.urls import path

from policies.views import imports, library, mine, notices, uptake

app_name = "policies"
urlpatterns = [
    path("", library.library, name="library"),
    path("measures/new/", library.measure_new, name="measure_new"),
    path("measures/<int:pk>/", library.measure_detail, name="measure"),
    path("measures/<int:pk>/edit/", library.measure_edit, name="measure_edit"),
    path("measures/<int:pk>/status/", library.measure_status, name="measure_status"),
    path("measures/<int:pk>/rules/add/", library.rule_add, name="rule_add"),
    path("measures/<int:pk>/files/add/", library.file_add, name="file_add"),
    path("measures/<int:pk>/orgs/", library.measure_orgs, name="measure_orgs"),
    path("measures/<int:pk>/notify/", notices.notice_send, name="notice_send"),
    path("rules/<int:pk>/delete/", library.rule_delete, name="rule_delete"),
    path("files/<int:pk>/", library.file_download, name="file"),
    # 政策找企业: what an organisation may enjoy, and the notices sent to it.
    path("mine/", mine.mine, name="mine"),
    path("notices/<int:pk>/", mine.notice_detail, name="notice"),
    path("notices/<int:pk>/open/", mine.notice_open, name="notice_open"),
    # The office's notices.
    path("notices/", notices.notices, name="notices"),
    path("notices/sent/<int:pk>/", notices.notice_sent, name="notice_sent"),
    # Uptake: rounds, forms, analytics.
    path("uptake/", uptake.uptake, name="uptake"),
    path("uptake/rounds/open/", uptake.round_open, name="round_open"),
    path("uptake/rounds/<int:pk>/", uptake.round_detail, name="round"),
    path("uptake/rounds/<int:pk>/export.xlsx", uptake.round_xlsx, name="round_xlsx"),
    path("uptake/<int:pk>/", uptake.uptake_form, name="uptake_form"),
    # Import from .xlsx.
    path("import/", imports.import_page, name="import"),
    path("import/template.xlsx", imports.import_template, name="import_template"),
    path("import/confirm/", imports.import_confirm, name="import_confirm"),
]
