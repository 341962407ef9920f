"""The embedded backend's full-text index, on the database's own engine.

SQLite: an FTS5 table over the stemmed text of each indexed story (external content: the text
itself stays in archive_search_indexedstory), kept in step by triggers. The tokenizer keeps
diacritics so that a stem matches exactly what the LIKE match matched.
PostgreSQL: a generated tsvector of each story's distinct stems (taken as they are, not
re-parsed) with a GIN index; it replaces the trigram index on the same words.
"""

from django.db import migrations

SQLITE_CREATE = [
    "CREATE VIRTUAL TABLE archive_search_storyfts USING fts5("
    "all_stem, content='archive_search_indexedstory', content_rowid='story_id', "
    "tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER archive_search_storyfts_insert AFTER INSERT ON archive_search_indexedstory "
    "BEGIN INSERT INTO archive_search_storyfts(rowid, all_stem) "
    "VALUES (new.story_id, new.all_stem); END",
    "CREATE TRIGGER archive_search_storyfts_delete AFTER DELETE ON archive_search_indexedstory "
    "BEGIN INSERT INTO archive_search_storyfts(archive_search_storyfts, rowid, all_stem) "
    "VALUES ('delete', old.story_id, old.all_stem); END",
    "CREATE TRIGGER archive_search_storyfts_update AFTER UPDATE OF all_stem "
    "ON archive_search_indexedstory BEGIN "
    "INSERT INTO archive_search_storyfts(archive_search_storyfts, rowid, all_stem) "
    "VALUES ('delete', old.story_id, old.all_stem); "
    "INSERT INTO archive_search_storyfts(rowid, all_stem) VALUES (new.story_id, new.all_stem); "
    "END",
    "INSERT INTO archive_search_storyfts(archive_search_storyfts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS archive_search_storyfts_insert",
    "DROP TRIGGER IF EXISTS archive_search_storyfts_delete",
    "DROP TRIGGER IF EXISTS archive_search_storyfts_update",
    "DROP TABLE IF EXISTS archive_search_storyfts",
]
POSTGRES_CREATE = [
    "DROP INDEX IF EXISTS indexedstory_terms_trgm",
    "ALTER TABLE archive_search_indexedstory ADD COLUMN terms_tsv tsvector "
    "GENERATED ALWAYS AS (array_to_tsvector(string_to_array(btrim(terms), ' '))) STORED",
    "CREATE INDEX indexedstory_terms_tsv ON archive_search_indexedstory USING gin (terms_tsv)",
]
POSTGRES_DROP = [
    "DROP INDEX IF EXISTS indexedstory_terms_tsv",
    "ALTER TABLE archive_search_indexedstory DROP COLUMN IF EXISTS terms_tsv",
]


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}.get(vendor, []):
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("archive_search", "0004_outbox_moves_to_stories"),
    ]

    operations = [migrations.RunPython(create, drop)]
