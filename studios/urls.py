"""Pages of the innovation studios: studios, results, alliances, annual reviews."""

from django.urls import path

from studios.views import alliances, results, reviews
from studios.views import studios as studio_views

app_name = "studios"
urlpatterns = [
    path("", studio_views.studio_list, name="home"),
    path("export.xlsx", studio_views.studio_xlsx, name="studios_xlsx"),
    path("new/", studio_views.studio_create, name="studio_create"),
    path("people/", studio_views.people_options, name="people"),
    path("<int:pk>/", studio_views.studio_detail, name="studio"),
    path("<int:pk>/edit/", studio_views.studio_edit, name="studio_edit"),
    path("<int:pk>/name/", studio_views.studio_name, name="studio_name"),
    path("<int:pk>/revoke/", studio_views.studio_revoke, name="studio_revoke"),
    path("<int:pk>/members/new/", studio_views.member_add, name="member_add"),
    path("<int:pk>/members/<int:member>/leave/", studio_views.member_leave, name="member_leave"),
    path("<int:pk>/funds/new/", studio_views.fund_add, name="fund_add"),
    path("<int:pk>/results/new/", results.result_create, name="result_create"),
    path("<int:pk>/reviews/new/", reviews.review_start, name="review_start"),
    path("results/", results.result_list, name="results"),
    path("results/export.xlsx", results.result_xlsx, name="results_xlsx"),
    path("results/<int:pk>/edit/", results.result_edit, name="result_edit"),
    path("alliances/", alliances.alliance_list, name="alliances"),
    path("alliances/new/", alliances.alliance_edit, name="alliance_create"),
    path("alliances/<int:pk>/", alliances.alliance_detail, name="alliance"),
    path("alliances/<int:pk>/edit/", alliances.alliance_edit, name="alliance_edit"),
    path("alliances/<int:pk>/activities/", alliances.activity_add, name="activity_add"),
    path("reviews/", reviews.review_list, name="reviews"),
    path("reviews/<int:pk>/", reviews.review_detail, name="review"),
    path("reviews/<int:pk>/step/<str:step>/", reviews.review_step, name="review_step"),
    path("reviews/<int:pk>/rate/", reviews.review_rate, name="review_rate"),
]
