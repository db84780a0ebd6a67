"""Pages of the assessment app: the office's frameworks (views_frameworks), rounds, rating, score cards."""

from assessment import views, views_exports, views_frameworks

app_name = "assessment"
urlpatterns = [*views_frameworks.urlpatterns, *views.urlpatterns, *views_exports.urlpatterns]
