from __future__ import annotations

from django.urls import path

from coding import import_views, views

app_name = "coding"

urlpatterns = [
    path("", views.workspace, name="workspace"),
    path("stories/<int:pk>/", views.story_code, name="story"),
    path("stories/<int:pk>/agreement/", views.story_agreement, name="agreement"),
    path("tags/<int:pk>/edit/", views.tag_edit, name="tag_edit"),
    path("tags/<int:pk>/remove/", views.tag_delete, name="tag_delete"),
    path("tags/<int:pk>/adopt/", views.tag_adopt, name="tag_adopt"),
    path("tags/<int:pk>/accept/", views.tag_review, {"decision": "accept"}, name="tag_accept"),
    path("tags/<int:pk>/decline/", views.tag_review, {"decision": "decline"}, name="tag_decline"),
    path("export/", views.export, name="export"),
    path("import/", import_views.import_project, name="import"),
    path("import/<int:pk>/", import_views.import_summary, name="import_summary"),
    path(
        "import/themes/<int:pk>/", import_views.imported_theme_review, name="imported_theme_review"
    ),
    path("stories/<int:pk>/suggest-theme/", views.theme_suggest, name="theme_suggest"),
    path("theme-suggestions/", views.theme_suggestions, name="theme_suggestions"),
    *(
        path(
            f"theme-suggestions/<int:pk>/{decision}/",
            views.theme_suggestion_review,
            {"decision": decision},
            name=f"theme_suggestion_{decision}",
        )
        for decision in ("accept", "merge", "decline")
    ),
]
