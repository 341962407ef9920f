"""Tags move from the domain (stories) to the coding engine; the table keeps its name."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


MOVED = [("stories", "tag", "coding", "tag")]


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
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("stories", "0007_takes_transcripts_and_change_log"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Tag",
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
                        ("start_seconds", models.FloatField(blank=True, null=True)),
                        ("end_seconds", models.FloatField(blank=True, null=True)),
                        ("char_start", models.PositiveIntegerField(blank=True, null=True)),
                        ("char_end", models.PositiveIntegerField(blank=True, null=True)),
                        (
                            "quote",
                            models.TextField(
                                blank=True, help_text="The excerpt's words, as tagged."
                            ),
                        ),
                        ("memo", models.TextField(blank=True)),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("accepted", "Accepted"),
                                    ("proposed", "Proposed by the storyteller"),
                                    ("declined", "Declined"),
                                ],
                                default="accepted",
                                max_length=16,
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("updated_at", models.DateTimeField(auto_now=True)),
                        ("reviewed_at", models.DateTimeField(blank=True, null=True)),
                        ("review_note", models.TextField(blank=True)),
                        (
                            "created_by",
                            models.ForeignKey(
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="tags_made",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "reviewed_by",
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
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tags",
                                to="stories.story",
                            ),
                        ),
                        (
                            "theme",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tags",
                                to="stories.theme",
                            ),
                        ),
                        (
                            "updated_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "value",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="tags",
                                to="stories.value",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "stories_tag",
                        "ordering": ["story", "start_seconds", "char_start", "id"],
                        "indexes": [
                            models.Index(fields=["story", "status"], name="tag_story_status")
                        ],
                        "constraints": [
                            models.CheckConstraint(
                                condition=models.Q(
                                    models.Q(("value__isnull", False), ("theme__isnull", True)),
                                    models.Q(("value__isnull", True), ("theme__isnull", False)),
                                    _connector="OR",
                                ),
                                name="tag_has_value_or_theme",
                            ),
                            models.CheckConstraint(
                                condition=models.Q(
                                    ("start_seconds__isnull", True),
                                    ("end_seconds__isnull", True),
                                    ("end_seconds__gte", models.F("start_seconds")),
                                    _connector="OR",
                                ),
                                name="tag_time_range_ordered",
                            ),
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
