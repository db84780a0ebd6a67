from analytics import views, views_definitions

app_name = "analytics"

urlpatterns = views.urlpatterns + views_definitions.urlpatterns
