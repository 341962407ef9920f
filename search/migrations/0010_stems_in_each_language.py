"""Stories are stemmed in their own language now (search.text, search.documents), where every
story used to be stemmed as English: each story told or transcribed in another language is
queued in the change log, and the worker indexes it again as it drains it (or run
`search_reindex`). English stories keep the stems they have. The same rows serve either
backend: the drain writes to whichever one the archive uses. No table changes."""

from django.db import migrations


def _english(code):
    return (code or "").strip().lower().replace("_", "-").split("-")[0] == "en"


def queue_reindex(apps, schema_editor):
    Story = apps.get_model("stories", "Story")
    StoryChange = apps.get_model("stories", "StoryChange")
    rows = (
        Story.objects.exclude(status="withdrawn")
        .values_list("pk", "language", "transcript__language")
        .iterator(chunk_size=2000)
    )
    ids = {
        pk
        for pk, told, heard in rows
        if not _english(told) or (heard and not _english(heard))
    }
    waiting = set(StoryChange.objects.values_list("story_id", flat=True))
    StoryChange.objects.bulk_create(
        (StoryChange(story_id=i) for i in sorted(ids - waiting)), batch_size=2000
    )


class Migration(migrations.Migration):
    dependencies = [
        ("archive_search", "0009_facets_and_title_words_in_gin"),
        ("stories", "0007_takes_transcripts_and_change_log"),
    ]

    operations = [migrations.RunPython(queue_reindex, migrations.RunPython.noop)]
