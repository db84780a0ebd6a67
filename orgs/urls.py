from django.urls import path

from orgs import views

app_name = "orgs"
urlpatterns = [
    path("<str:code>/", views.org_detail, name="org_detail"),
]
