"""Every route of the talent-pool pages."""

from django.urls import path

from talent.views import people, rounds

app_name = "talent"

urlpatterns = [
    path("", people.person_list, name="home"),
    path("people.xlsx", people.person_xlsx, name="people_xlsx"),
    path("new/", people.person_create, name="person_create"),
    path("<int:pk>/", people.person_detail, name="person"),
    path("<int:pk>/edit/", people.person_edit, name="person_edit"),
    path("<int:pk>/remove/", people.person_remove, name="person_remove"),
    path("<int:pk>/restore/", people.person_restore, name="person_restore"),
    path("<int:pk>/reveal-id/", people.person_reveal_id, name="person_reveal_id"),
    path("<int:pk>/reveal-phone/", people.person_reveal_phone, name="person_reveal_phone"),
    path("<int:pk>/honours/", people.honour_add, name="honour_add"),
    path("<int:pk>/honours/<int:honour_pk>/remove/", people.honour_remove, name="honour_remove"),
    path("rounds/", rounds.round_list, name="rounds"),
    path("rounds/new/", rounds.round_create, name="round_create"),
    path("rounds/<int:pk>/", rounds.round_detail, name="round"),
    path("rounds/<int:pk>/nominate/", rounds.nominate, name="nominate"),
    path("rounds/<int:pk>/close/", rounds.round_close, name="round_close"),
    path("rounds/<int:pk>/decide/", rounds.round_decide, name="round_decide"),
    path("nominations/<int:pk>/step/", rounds.nomination_step, name="nomination_step"),
]
