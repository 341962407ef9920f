from django.urls import path

from research import views

app_name = "search"

urlpatterns = [
    path("", views.public_search, name="public"),
    path("research/", views.research_search, name="research"),
]
