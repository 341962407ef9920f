"""The research pages and the API, for one include line in archive/urls.py.

/search/ (public), /search/research/ (signed in), the research charts at /research/charts/
(signed in), and the JSON API at /api/ (django-ninja; schema at /api/openapi.json, browsable
docs at /api/docs).
"""

from django.urls import include, path

from research.api import api

urlpatterns = [
    path("api/", api.urls),
    path("search/", include("research.search_urls")),
    path("research/charts/", include("research.chart_urls")),
]
