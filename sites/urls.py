"""Pages of the demonstration sites: sites, batches and nominations, guidance groups, visits, follow-ups, ratings."""

from django.urls import path

from sites.views import batches, guidance
from sites.views import sites as site_views

app_name = "sites"
urlpatterns = [
    # Sites: the list and its export, one site's profile and the office's steps on it, my guidance.
    path("", site_views.site_list, name="home"),
    path("export.xlsx", site_views.site_xlsx, name="sites_xlsx"),
    path("mine/", site_views.my_guidance, name="mine"),
    path("<int:pk>/", site_views.site_detail, name="site"),
    path("<int:pk>/step/<str:step>/", site_views.site_step, name="site_step"),
    path("<int:pk>/summary/", site_views.site_summary, name="site_summary"),
    path("<int:pk>/reveal/", site_views.site_reveal, name="site_reveal"),
    path("<int:pk>/visits/new/", guidance.visit_create, name="visit_create"),
    path("<int:pk>/rating/", guidance.rating_edit, name="rating"),
    # Batches and nominations.
    path("batches/", batches.batch_list, name="batches"),
    path("batches/new/", batches.batch_create, name="batch_create"),
    path("batches/<int:pk>/", batches.batch_detail, name="batch"),
    path("batches/<int:pk>/edit/", batches.batch_edit, name="batch_edit"),
    path("batches/<int:pk>/announce/", batches.batch_announce, name="batch_announce"),
    path("batches/<int:pk>/export.xlsx", batches.batch_xlsx, name="batch_xlsx"),
    path("batches/<int:pk>/nominate/", batches.nomination_create, name="nominate"),
    path("nominations/<int:pk>/", batches.nomination_detail, name="nomination"),
    path("nominations/<int:pk>/step/<str:step>/", batches.nomination_step, name="nomination_step"),
    path("nominations/<int:pk>/files/<int:file>/", batches.nomination_file, name="nomination_file"),
    path("nominations/<int:pk>/reveal/", batches.nomination_reveal, name="nomination_reveal"),
    # Guidance groups, visits, follow-ups and ratings.
    path("groups/", guidance.group_list, name="groups"),
    path("groups/new/", guidance.group_edit, name="group_create"),
    path("groups/<int:pk>/", guidance.group_detail, name="group"),
    path("groups/<int:pk>/edit/", guidance.group_edit, name="group_edit"),
    path("ratings/lock/", guidance.ratings_lock, name="ratings_lock"),
    path("visits/<int:pk>/", guidance.visit_detail, name="visit"),
    path("visits/<int:pk>/files/<int:file>/", guidance.visit_file, name="visit_file"),
    path("visits/<int:pk>/followups/", guidance.followup_create, name="followup_create"),
    path("followups/<int:pk>/close/", guidance.followup_close, name="followup_close"),
]
