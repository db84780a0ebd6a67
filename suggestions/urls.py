"""Every route of the 五小 and suggestion pages."""

from django.urls import path

from suggestions.views import campaigns, stats, suggestions

app_name = "suggestions"

urlpatterns = [
    path("", suggestions.suggestion_list, name="list"),
    path("suggestions.xlsx", suggestions.suggestion_xlsx, name="xlsx"),
    path("new/", suggestions.suggestion_create, name="create"),
    path("<int:pk>/", suggestions.suggestion_detail, name="detail"),
    path("<int:pk>/edit/", suggestions.suggestion_edit, name="edit"),
    path("<int:pk>/step/", suggestions.suggestion_step, name="step"),
    path("campaigns/", campaigns.campaign_list, name="campaigns"),
    path("campaigns/new/", campaigns.campaign_create, name="campaign_create"),
    path("campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_edit"),
    path("stats/", stats.stats_page, name="stats"),
    path("stats.xlsx", stats.stats_xlsx, name="stats_xlsx"),
]
