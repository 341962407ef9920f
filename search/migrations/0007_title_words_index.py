"""On PostgreSQL, a GIN index of each indexed title's words, for title suggestions: a prefix
that few titles have is then found through the index, not looked for in every title."""

from django.db import migrations

CREATE = (
    "CREATE INDEX IF NOT EXISTS indexedstory_title_words_tsv ON archive_search_indexedstory "
    "USING gin (array_to_tsvector(string_to_array(btrim(title_words), ' ')))"
)
DROP = "DROP INDEX IF EXISTS indexedstory_title_words_tsv"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("archive_search", "0006_visibility_and_facet_keys"),
    ]

    operations = [migrations.RunPython(create, drop)]
