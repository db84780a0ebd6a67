from django.urls import path

from analytics.views import charts, dashboard, definitions, drill, pivot, reconcile, saved_views
from analytics.views import map as prefecture

app_name = "analytics"

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("dashboard/export.xlsx", dashboard.dashboard_export, name="dashboard_export"),
    path("pivot/", pivot.pivot, name="pivot"),
    path("pivot/export.xlsx", pivot.pivot_export, name="pivot_export"),
    path("drill/", drill.drill_through, name="drill_through"),
    path("charts/", charts.charts, name="charts"),
    path("map/", prefecture.prefecture_map, name="map"),
    path("reconcile/", reconcile.reconcile_page, name="reconcile"),
    path("views/", saved_views.saved_views, name="views"),
    path("views/save/", saved_views.saved_view_save, name="view_save"),
    path("views/<int:pk>/", saved_views.saved_view_open, name="view_open"),
    path("views/<int:pk>/delete/", saved_views.saved_view_delete, name="view_delete"),
    # Indicator definitions and department statistics.
    path("indicators/", definitions.indicator_list, name="indicator_list"),
    path("indicators/new/", definitions.indicator_create, name="indicator_create"),
    path("indicators/check/", definitions.expression_check, name="expression_check"),
    path("indicators/<str:code>/", definitions.indicator_detail, name="indicator_detail"),
    path("indicators/<str:code>/edit/", definitions.indicator_edit, name="indicator_edit"),
    path("indicators/<str:code>/targets/", definitions.target_set, name="target_set"),
    path("external/", definitions.external_list, name="external_list"),
]
