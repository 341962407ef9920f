"""The change log (the old outbox) belongs to the domain now (stories.StoryChange)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0007_takes_transcripts_and_change_log"),
        ("archive_search", "0003_distinct_terms"),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name="OutboxEntry",
                ),
            ],
        ),
    ]
