"""Pages of the reform ledger: ledgers, tasks and roadmaps, written reports, alerts, timelines, summaries."""

from django.urls import path

from ledger.views import ledgers, tasks

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
]
