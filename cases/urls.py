"""Pages of the case library: the library and its export, my cases, review, spread, topics, one case."""

from django.urls import path

from cases.views import cases, library

app_name = "cases"
urlpatterns = [
    path("", library.library, name="library"),
    path("export.xlsx", library.library_xlsx, name="library_xlsx"),
    path("mine/", library.mine, name="mine"),
    path("review/", library.review, name="review"),
    path("spread/", library.spread, name="spread"),
    path("topics/", library.topics, name="topics"),
    path("new/", cases.case_create, name="create"),
    path("<int:pk>/", cases.case_detail, name="detail"),
    path("<int:pk>/edit/", cases.case_edit, name="edit"),
    path("<int:pk>/delete/", cases.case_delete, name="delete"),
    path("<int:pk>/step/<str:step>/", cases.case_step, name="step"),
    path("<int:pk>/docx/", cases.case_docx, name="docx"),
    path("<int:pk>/files/add/", cases.file_add, name="file_add"),
    path("<int:pk>/files/<int:file>/", cases.file_download, name="file"),
    path("<int:pk>/files/<int:file>/preview/", cases.file_preview, name="file_preview"),
    path("<int:pk>/files/<int:file>/remove/", cases.file_remove, name="file_remove"),
    path("<int:pk>/adopt/", cases.case_adopt, name="adopt"),
    path("replications/<int:pk>/delete/", cases.replication_delete, name="replication_delete"),
]
