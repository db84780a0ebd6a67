"""Pages of the reform ledger: ledgers, tasks and roadmaps, written reports, alerts, timelines, summaries."""

from django.urls import path

from ledger.views import alerts, ledgers, timeline

app_name = "ledger"
urlpatterns = [
    # Ledgers: the list in scope, one organisation's ledger and its parts, the office's settings.
    path("", ledgers.ledger_home, name="home"),
    path("settings/", ledgers.settings_page, name="settings"),
    path("org/<str:code>/", ledgers.ledger_detail, name="detail"),
    # --- Alerts and timeline: the alert list, its export and recompute; one organisation's events ---
    path("alerts/", alerts.alert_list, name="alerts"),
    path("alerts/export.xlsx", alerts.alerts_xlsx, name="alerts_xlsx"),
    path("alerts/refresh/", alerts.alerts_refresh, name="alerts_refresh"),
    path("org/<str:code>/timeline/", timeline.org_timeline, name="timeline"),
]
