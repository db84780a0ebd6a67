from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.i18n import set_language

from core.urls import job_urlpatterns
from orgs import views as orgs_views

urlpatterns = [
    path("", orgs_views.home, name="home"),
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/", include("accounts.urls")),
    path("orgs/", include("orgs.urls")),
    path("audit/", include("core.urls")),
    path("jobs/", include((job_urlpatterns, "core"))),
    path("reporting/", include("reporting.urls")),
    path("analytics/", include("analytics.urls")),
    path("assessment/", include("assessment.urls")),
    path("ledger/", include("ledger.urls")),
    path("policies/", include("policies.urls")),
    path("training/", include("training.urls")),
    path("sites/", include("sites.urls")),
    path("studios/", include("studios.urls")),
    path("cases/", include("cases.urls")),
    path("talent/", include("talent.urls")),
    path("publishing/", include("publishing.urls")),
    path("competitions/", include("competitions.urls")),
    path("suggestions/", include("suggestions.urls")),
    path("dataexport/", include("dataexport.urls")),
    path("api/v1/", include("changai.api")),
]
