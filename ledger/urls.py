"""Pages of the reform ledger: ledgers, tasks and roadmaps, written reports, alerts, timelines, summaries."""

app_name = "ledger"
urlpatterns = [
    # Ledgers: the list in scope, one organisation's ledger and its parts.
]
