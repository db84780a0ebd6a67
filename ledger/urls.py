"""Pages of the reform ledger: ledgers, tasks and roadmaps, written reports, alerts, timelines, summaries."""

from django.urls import path

from ledger.views import ledgers

app_name = "ledger"
urlpatterns = [
    # Ledgers: the list in scope, one organisation's ledger and its parts, the office's settings.
    path("", ledgers.ledger_home, name="home"),
    path("settings/", ledgers.settings_page, name="settings"),
    path("org/<str:code>/", ledgers.ledger_detail, name="detail"),
]
