from django.urls import path

from orgs import views
from orgs.transfer import views as transfer

app_name = "orgs"
urlpatterns = [
    path("", views.org_tree, name="org_tree"),
    path("pick.json", views.org_pick, name="org_pick"),
    # Before the organisation pages: "transfer" is not an organisation code there.
    path("transfer/", transfer.transfer, name="transfer"),
    path("transfer/export.<str:fmt>", transfer.transfer_export, name="transfer_export"),
    path("transfer/template.xlsx", transfer.transfer_template, name="transfer_template"),
    path("transfer/<str:token>/", transfer.transfer_preview, name="transfer_preview"),
    path("transfer/<str:token>/confirm/", transfer.transfer_confirm, name="transfer_confirm"),
    path("transfer/<str:token>/discard/", transfer.transfer_discard, name="transfer_discard"),
    path("<str:code>/", views.org_detail, name="org_detail"),
    path("<str:code>/children/", views.org_children, name="org_children"),
    path("<str:code>/edit/", views.org_edit, name="org_edit"),
    path("<str:code>/new/", views.org_create, name="org_create"),
    path("<str:code>/move/", views.org_move, name="org_move"),
    path("<str:code>/close/", views.org_close, name="org_close"),
    path("<str:code>/assignments/new/", views.assignment_create, name="assignment_create"),
    path("<str:code>/assignments/<int:pk>/end/", views.assignment_end, name="assignment_end"),
]
