from django.urls import path

from dataexport import views

app_name = "dataexport"

urlpatterns = [
    path("", views.home, name="home"),
    path("start/", views.start, name="start"),
    path("<int:pk>/download/", views.download, name="download"),
]
