from django.urls import path

from research import excerpt_views, views

app_name = "search"

urlpatterns = [
    path("", views.public_search, name="public"),
    path("research/", views.research_search, name="research"),
    path("research/excerpts/", excerpt_views.excerpts_search, name="excerpts"),
    path("research/excerpts/export/", excerpt_views.excerpts_search_export, name="excerpts_export"),
]
