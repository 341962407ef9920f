"""The story media path: recordings and photos, streamed only through the visibility rule."""

from __future__ import annotations

from django.urls import path

from stories import views

app_name = "stories"

urlpatterns = [
    path("story-media/<int:pk>/<str:part>", views.story_media, name="media"),
]
