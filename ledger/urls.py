"""Pages of the reform ledger: ledgers, tasks and roadmaps, written reports, alerts, timelines, summaries."""

from django.urls import path

from ledger.views import ledgers
from ledger.views import roadmap as roadmap_views
from ledger.views import summary as summary_views
from ledger.views import task_list as task_list_views

app_name = "ledger"
urlpatterns = [
    # Ledgers: the list in scope, one organisation's ledger and its parts, the office's settings.
    path("", ledgers.ledger_home, name="home"),
    path("settings/", ledgers.settings_page, name="settings"),
    path("org/<str:code>/", ledgers.ledger_detail, name="detail"),
    # --- Roadmap, the province's task view and the summaries (roadmap part) ---
    path("org/<str:code>/roadmap/", roadmap_views.roadmap_page, name="roadmap"),
    path("tasks/", task_list_views.task_list, name="tasks"),
    path("tasks/export.xlsx", task_list_views.tasks_xlsx, name="tasks_xlsx"),
    path("summary/", summary_views.summary_page, name="summary"),
]
