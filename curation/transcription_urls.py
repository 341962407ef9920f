from __future__ import annotations

from django.urls import path

from curation import transcriptions as admin_views

app_name = "transcribe_admin"
urlpatterns = [
    path("", admin_views.jobs, name="jobs"),
    path("<int:story_id>/rerun/", admin_views.rerun, name="rerun"),
    path("<int:story_id>/import/", admin_views.import_transcript, name="import"),
    path("<int:story_id>/redacted-again/", admin_views.rendition_again, name="rendition_again"),
]
