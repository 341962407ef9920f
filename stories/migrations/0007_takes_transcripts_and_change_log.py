"""The domain takes the transcript (from transcribe) and the change log (from search)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = [
    ("transcribe", "transcript", "stories", "transcript"),
    ("transcribe", "segment", "stories", "segment"),
    ("transcribe", "segmentrevision", "stories", "segmentrevision"),
    ("archive_search", "outboxentry", "stories", "storychange"),
]


def move_content_types(apps, schema_editor):
    """Keep the content type rows (and the permissions and pages that point at them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, old_model, new_app, new_model in MOVED:
        old = ContentType.objects.filter(app_label=old_app, model=old_model)
        if ContentType.objects.filter(app_label=new_app, model=new_model).exists():
            old.delete()
        else:
            old.update(app_label=new_app, model=new_model)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("transcribe", "0002_transcription_job"),
        ("archive_search", "0003_distinct_terms"),
        ("stories", "0006_value_descriptions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="StoryChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("story_id", models.BigIntegerField(db_index=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        ("last_attempt_at", models.DateTimeField(blank=True, null=True)),
                    ],
                    options={
                        "db_table": "archive_search_outboxentry",
                        "ordering": ["id"],
                    },
                ),
                migrations.CreateModel(
                    name="Segment",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("index", models.PositiveIntegerField()),
                        ("start", models.FloatField(help_text="Seconds from the start.")),
                        ("end", models.FloatField()),
                        ("text", models.TextField()),
                        ("confidence", models.FloatField(blank=True, null=True)),
                        ("words", models.JSONField(blank=True, null=True)),
                        ("edited_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "edited_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "transcribe_segment",
                        "ordering": ["transcript", "index"],
                    },
                ),
                migrations.CreateModel(
                    name="SegmentRevision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("old_text", models.TextField()),
                        ("new_text", models.TextField()),
                        ("edited_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "edited_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "segment",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="revisions",
                                to="stories.segment",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "transcribe_segmentrevision",
                        "ordering": ["segment", "edited_at", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="Transcript",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("language", models.CharField(blank=True, max_length=16)),
                        ("language_probability", models.FloatField(blank=True, null=True)),
                        (
                            "engine",
                            models.CharField(
                                blank=True, help_text="Engine, or 'import'.", max_length=64
                            ),
                        ),
                        ("model_name", models.CharField(blank=True, max_length=255)),
                        ("duration", models.FloatField(blank=True, null=True)),
                        (
                            "note",
                            models.TextField(
                                blank=True,
                                help_text="Anything the engine wants the reader to know.",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("approved_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "approved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "story",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="transcript",
                                to="stories.story",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "transcribe_transcript",
                    },
                ),
                migrations.AddField(
                    model_name="segment",
                    name="transcript",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="segments",
                        to="stories.transcript",
                    ),
                ),
                migrations.DeleteModel(
                    name="Tag",
                ),
                migrations.AddConstraint(
                    model_name="segment",
                    constraint=models.UniqueConstraint(
                        fields=("transcript", "index"), name="unique_segment_index"
                    ),
                ),
                migrations.AddConstraint(
                    model_name="segment",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("end__gte", models.F("start"))),
                        name="segment_end_after_start",
                    ),
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
