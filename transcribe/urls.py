from __future__ import annotations

from django.urls import path

from transcribe import views

app_name = "transcribe"
urlpatterns = [
    path("<int:pk>.<str:fmt>", views.transcript_download, name="download"),
]
