"""On PostgreSQL, more of a search answered by GIN indexes.

- Each story's facet keys ("theme=3", "kind=audio") join its distinct stems in the tsvector
  `terms_tsv`, so that a facet filter is one more condition on the same index (a stem never
  holds "="). The generated column is made again with the new expression.
- A GIN index of each title's words, for title suggestions: a prefix that few titles have is
  then found through the index, not looked for in every title.
"""

from django.db import migrations

TERMS = "array_to_tsvector(string_to_array(btrim({}), ' '))"
CREATE = [
    "DROP INDEX IF EXISTS indexedstory_terms_tsv",
    "ALTER TABLE archive_search_indexedstory DROP COLUMN IF EXISTS terms_tsv",
    "ALTER TABLE archive_search_indexedstory ADD COLUMN terms_tsv tsvector GENERATED ALWAYS AS "
    f"({TERMS.format('terms || ltrim(facet_keys)')}) STORED",
    "CREATE INDEX indexedstory_terms_tsv ON archive_search_indexedstory USING gin (terms_tsv)",
    "CREATE INDEX IF NOT EXISTS indexedstory_title_words_tsv ON archive_search_indexedstory "
    f"USING gin ({TERMS.format('title_words')})",
]
DROP = [
    "DROP INDEX IF EXISTS indexedstory_title_words_tsv",
    "DROP INDEX IF EXISTS indexedstory_terms_tsv",
    "ALTER TABLE archive_search_indexedstory DROP COLUMN IF EXISTS terms_tsv",
    "ALTER TABLE archive_search_indexedstory ADD COLUMN terms_tsv tsvector GENERATED ALWAYS AS "
    f"({TERMS.format('terms')}) STORED",
    "CREATE INDEX indexedstory_terms_tsv ON archive_search_indexedstory USING gin (terms_tsv)",
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in CREATE:
            schema_editor.execute(sql)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in DROP:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("archive_search", "0008_visibility_and_facet_keys"),
    ]

    operations = [migrations.RunPython(create, drop)]
