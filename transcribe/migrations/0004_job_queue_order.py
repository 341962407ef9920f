"""The job table is the transcription queue: jobs keep the time their generation was queued
(the order workers take them in), and no longer point at a django-tasks row."""

import django.utils.timezone
from django.db import migrations, models


def queued_at_from_history(apps, schema_editor):
    # The best known "first queued" time of existing jobs: when the row was made.
    TranscriptionJob = apps.get_model("transcribe", "TranscriptionJob")
    TranscriptionJob.objects.update(queued_at=models.F("created_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("transcribe", "0003_transcripts_move_to_stories"),
    ]

    operations = [
        migrations.AddField(
            model_name="transcriptionjob",
            name="queued_at",
            field=models.DateTimeField(
                default=django.utils.timezone.now,
                help_text="When this generation was queued: the queue's order.",
            ),
        ),
        migrations.RemoveField(
            model_name="transcriptionjob",
            name="task_id",
        ),
        migrations.AddIndex(
            model_name="transcriptionjob",
            index=models.Index(fields=["state", "queued_at"], name="transcription_queue_order"),
        ),
        migrations.RunPython(queued_at_from_history, migrations.RunPython.noop),
    ]
