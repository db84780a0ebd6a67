"""Pages of the reform ledger: ledgers, tasks and roadmaps, written reports, alerts, timelines, summaries."""

from django.urls import path

from ledger.views import alerts, ledgers, tasks, timeline
from ledger.views import roadmap as roadmap_views
from ledger.views import summary as summary_views
from ledger.views import task_list as task_list_views
from ledger.views import written as written_views

app_name = "ledger"
urlpatterns = [
    # Ledgers: the list in scope, one organisation's ledger and its parts, the office's settings.
    path("", ledgers.ledger_home, name="home"),
    path("add/", ledgers.ledger_add, name="add"),
    path("settings/", ledgers.settings_page, name="settings"),
    path("org/<str:code>/", ledgers.ledger_detail, name="detail"),
    path("org/<str:code>/plan/", ledgers.plan_save, name="plan_save"),
    path("org/<str:code>/members/add/", ledgers.member_add, name="member_add"),
    path("org/<str:code>/officers/add/", ledgers.officer_add, name="officer_add"),
    path("members/<int:pk>/end/", ledgers.member_end, name="member_end"),
    path("officers/<int:pk>/end/", ledgers.officer_end, name="officer_end"),
    path("officers/<int:pk>/reveal/", ledgers.officer_reveal, name="officer_reveal"),
    path("documents/<int:pk>/", ledgers.document_download, name="document"),
    # Tasks: 定目标、定责任、定期限, progress updates and milestones.
    path("org/<str:code>/tasks/new/", tasks.task_create, name="task_create"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("tasks/<int:pk>/edit/", tasks.task_edit, name="task_edit"),
    path("tasks/<int:pk>/delete/", tasks.task_delete, name="task_delete"),
    path("tasks/<int:pk>/updates/add/", tasks.update_add, name="update_add"),
    path("tasks/<int:pk>/milestones/add/", tasks.milestone_add, name="milestone_add"),
    path("milestones/<int:pk>/done/", tasks.milestone_done, name="milestone_done"),
    path("milestones/<int:pk>/delete/", tasks.milestone_delete, name="milestone_delete"),
    # Nine-aspect written reports: rounds, who has submitted, an organisation's reports, one report, exports.
    path("written/", written_views.written_rounds, name="written_rounds"),
    path("written/rounds/open/", written_views.written_round_open, name="written_round_open"),
    path("written/rounds/<int:pk>/", written_views.written_round, name="written_round"),
    path("written/rounds/<int:pk>/edit/", written_views.written_round_edit, name="written_round_edit"),
    path("written/rounds/<int:pk>/docx/", written_views.written_round_docx, name="written_round_docx"),
    path("org/<str:code>/written/", written_views.org_written, name="org_written"),
    path("org/<str:code>/written/start/", written_views.written_start, name="written_start"),
    path("written/<int:pk>/", written_views.written_report, name="written"),
    path("written/<int:pk>/docx/", written_views.written_docx, name="written_docx"),
    path("written/<int:pk>/step/<str:step>/", written_views.written_step, name="written_step"),
    path("written/<int:pk>/aspects/<int:aspect>/", written_views.written_section, name="written_section"),
    path("written/<int:pk>/aspects/<int:aspect>/attach/", written_views.written_attach, name="written_attach"),
    path("written/<int:pk>/aspects/<int:aspect>/comment/", written_views.written_comment, name="written_comment"),
    path("written/<int:pk>/files/<int:document>/", written_views.written_attachment, name="written_attachment"),
    path("written/<int:pk>/files/<int:document>/remove/", written_views.written_detach, name="written_detach"),
    # --- Roadmap, the province's task view and the summaries (roadmap part) ---
    path("org/<str:code>/roadmap/", roadmap_views.roadmap_page, name="roadmap"),
    path("tasks/", task_list_views.task_list, name="tasks"),
    path("tasks/export.xlsx", task_list_views.tasks_xlsx, name="tasks_xlsx"),
    path("summary/", summary_views.summary_page, name="summary"),
    # --- Alerts and timeline: the alert list, its export and recompute; one organisation's events ---
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/export.xlsx", alerts.alerts_xlsx, name="alerts_xlsx"),
    path("alerts/refresh/", alerts.alerts_refresh, name="alerts_refresh"),
    path("org/<str:code>/timeline/", timeline.org_timeline, name="timeline"),
]
