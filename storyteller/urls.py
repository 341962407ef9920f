"""The storyteller's journey: accounts, telling a story, consent, review, withdrawal."""

from __future__ import annotations

from django.urls import path

from storyteller.views import (
    accounts,
    chapters,
    consent,
    my_stories,
    redactions,
    review,
    studio,
    upload,
    withdraw,
)

app_name = "storyteller"

urlpatterns = [
    path("accounts/invite/", accounts.invite, name="invite"),
    path("accounts/join/<str:token>/", accounts.join, name="join"),
    path("accounts/signup/", accounts.signup, name="signup"),
    path("my-stories/", my_stories.my_stories, name="my_stories"),
    path("my-stories/progress.json", my_stories.progress_json, name="progress"),
    path("my-stories/new/", upload.story_new, name="new"),
    path("my-stories/uploads/", upload.upload_start, name="upload_start"),
    path("my-stories/uploads/<uuid:session_id>/", upload.upload_chunk, name="upload_chunk"),
    path(
        "my-stories/uploads/<uuid:session_id>/finish/",
        upload.upload_finish,
        name="upload_finish",
    ),
    path("my-stories/<int:pk>/", my_stories.story_detail, name="detail"),
    path("my-stories/<int:pk>/consent/", consent.consent_change, name="consent"),
    path("my-stories/<int:pk>/chapters/", chapters.chapters, name="chapters"),
    path("my-stories/<int:pk>/review/", review.review_page, name="review"),
    path(
        "my-stories/<int:pk>/review/<int:segment_id>/",
        review.segment_edit,
        name="segment_edit",
    ),
    path("my-stories/<int:pk>/review/<int:segment_id>/join/", studio.join, name="join"),
    path("my-stories/<int:pk>/review/<int:segment_id>/split/", studio.split, name="split"),
    path(
        "my-stories/<int:pk>/review/<int:segment_id>/speaker/",
        studio.line_speaker,
        name="line_speaker",
    ),
    path(
        "my-stories/<int:pk>/review/<int:segment_id>/language/",
        studio.line_language,
        name="line_language",
    ),
    path("my-stories/<int:pk>/review/replace/", studio.replace, name="replace"),
    path("my-stories/<int:pk>/review/undo/", studio.undo, name="undo"),
    path("my-stories/<int:pk>/review/speakers/", studio.speakers, name="speakers"),
    path("my-stories/<int:pk>/review/redact/", redactions.redact, name="redact"),
    path(
        "my-stories/<int:pk>/review/redactions/<int:redaction_id>/undo/",
        redactions.undo,
        name="redaction_undo",
    ),
    path(
        "my-stories/<int:pk>/review/destroy-original/",
        redactions.destroy_original,
        name="destroy_original",
    ),
    path("my-stories/<int:pk>/approve/", review.approve, name="approve"),
    path("my-stories/<int:pk>/retranscribe/", review.retranscribe, name="retranscribe"),
    path("my-stories/<int:pk>/withdraw/", withdraw.withdraw, name="withdraw"),
]
