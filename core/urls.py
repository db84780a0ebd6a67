"""The audit log viewer (/audit/): list with filters, one entry, export. Read-only by design."""

from django.urls import path, re_path

from core import audit_views, views

app_name = "audit"
urlpatterns = [
    path("", audit_views.entry_list, name="entry_list"),
    path("<int:pk>/", audit_views.entry_detail, name="entry_detail"),
    re_path(r"^export/(?P<fmt>xlsx|csv)/$", audit_views.entry_export, name="entry_export"),
]

# Background jobs, included under the "core" namespace (changai/urls.py): /jobs/ and /jobs/<id>/.
job_urlpatterns = [
    path("", views.job_list, name="job_list"),
    path("<int:pk>/", views.job_detail, name="job_detail"),
]
