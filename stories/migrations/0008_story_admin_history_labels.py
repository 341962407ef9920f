"""The admin's history of stories names them by id ("Story 12"), never by title.

Log entries written before this kept the story's title as it was; they take the neutral label
too, so the site history report and its exports name no story whatever its consent is now.
"""

from django.db import migrations
from django.db.models import F, Value
from django.db.models.functions import Concat


def neutral_labels(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    ModelLogEntry = apps.get_model("wagtailcore", "ModelLogEntry")
    story = ContentType.objects.filter(app_label="stories", model="story").first()
    if story is None:
        return
    ModelLogEntry.objects.filter(content_type=story).update(
        label=Concat(Value("Story "), F("object_id"))
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("wagtailcore", "0063_modellogentry"),
        ("stories", "0007_takes_transcripts_and_change_log"),
    ]

    operations = [migrations.RunPython(neutral_labels, migrations.RunPython.noop)]
