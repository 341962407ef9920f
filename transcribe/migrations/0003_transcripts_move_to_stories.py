"""Transcripts belong to the domain now (stories); the engine keeps its jobs."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0007_takes_transcripts_and_change_log"),
        ("transcribe", "0002_transcription_job"),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="segmentrevision",
                    name="segment",
                ),
                migrations.RemoveField(
                    model_name="segmentrevision",
                    name="edited_by",
                ),
                migrations.RemoveField(
                    model_name="transcript",
                    name="approved_by",
                ),
                migrations.RemoveField(
                    model_name="transcript",
                    name="story",
                ),
                migrations.DeleteModel(
                    name="Segment",
                ),
                migrations.DeleteModel(
                    name="SegmentRevision",
                ),
                migrations.DeleteModel(
                    name="Transcript",
                ),
            ],
        ),
    ]
