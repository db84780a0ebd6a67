from django.urls import path

from orgs import views

app_name = "orgs"
urlpatterns = [
    path("", views.org_tree, name="org_tree"),
    path("pick.json", views.org_pick, name="org_pick"),
    path("<str:code>/", views.org_detail, name="org_detail"),
    path("<str:code>/children/", views.org_children, name="org_children"),
    path("<str:code>/edit/", views.org_edit, name="org_edit"),
    path("<str:code>/new/", views.org_create, name="org_create"),
    path("<str:code>/move/", views.org_move, name="org_move"),
    path("<str:code>/close/", views.org_close, name="org_close"),
    path("<str:code>/assignments/new/", views.assignment_create, name="assignment_create"),
    path("<str:code>/assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
]
