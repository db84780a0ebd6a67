"""Pages of the labour and skill competitions."""

from django.urls import path

from competitions import views

app_name = "competitions"
urlpatterns = [
    path("", views.competition_list, name="home"),
    path("new/", views.competition_edit, name="competition_create"),
    path("summary/", views.summary, name="summary"),
    path("<int:pk>/", views.competition_detail, name="competition"),
    path("<int:pk>/edit/", views.competition_edit, name="competition_edit"),
    path("<int:pk>/step/", views.competition_step, name="competition_step"),
    path("<int:pk>/entries/new/", views.entry_create, name="entry_create"),
    path("<int:pk>/entries/template.xlsx", views.entries_template, name="entries_template"),
    path("<int:pk>/entries/import/", views.entries_import, name="entries_import"),
    path("<int:pk>/outcomes/", views.competition_outcomes, name="outcomes"),
    path("<int:pk>/results.xlsx", views.results_xlsx, name="results_xlsx"),
    path("entries/<int:pk>/delete/", views.entry_delete, name="entry_delete"),
    path("entries/<int:pk>/result/", views.result_record, name="result_record"),
    path("entries/<int:pk>/outcomes/", views.outcome_create, name="outcome_create"),
    path("entries/<int:pk>/pool/", views.entry_add_to_pool, name="entry_add_to_pool"),
]
