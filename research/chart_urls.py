from django.urls import path

from research import chart_views, excerpt_views

app_name = "charts"

urlpatterns = [
    path("", chart_views.charts_page, name="index"),
    path("excerpts/", chart_views.excerpts_page, name="excerpts"),
    path("excerpts/export/", excerpt_views.chart_cell_export, name="excerpts_export"),
    path("stories/<int:story_id>/coders/", chart_views.coders_page, name="coders"),
    path("<slug:slug>.csv", chart_views.chart_csv, name="csv"),
]
