"""The embedded search backend's index: tables of its own in the archive's database.

The change log it follows (`stories.models.StoryChange`) belongs to the domain.
"""

from __future__ import annotations

from django.db import models

# --- The embedded backend's index: tables of its own in the archive's database ---------------
# Written only by the outbox drain and `search_reindex` (search.backends.database); read with
# the visibility rule applied to the keys each row keeps (IndexedStory.audiences and the rest).
# Stemmed fields hold " stem stem … " with a space at each end, so that a phrase can be
# confirmed with LIKE '% stem stem %' the same way on every engine.
# The full-text index beside them (migration 0005) is the database's own: on SQLite the FTS5
# table archive_search_storyfts, kept in step with all_stem by triggers (a migration that
# remakes this table on SQLite must create them again); on PostgreSQL the generated column
# terms_tsv with its GIN index (not a model field: the database computes it).


class IndexedStory(models.Model):
    story = models.OneToOneField(
        "stories.Story", primary_key=True, on_delete=models.CASCADE, related_name="search_index"
    )
    # It keeps the story's words (stems, passages) and the keys that make it visible: a
    # withdrawal deletes it in its own transaction (stories.services), not a drain later.
    erased_on_withdrawal = True
    title = models.CharField(max_length=255)
    title_words = models.TextField()
    title_stem = models.TextField()
    summary_stem = models.TextField()
    all_stem = models.TextField()
    # The distinct stems of all_stem, sorted: what a word is looked up in (far shorter).
    terms = models.TextField(default=" ")
    date = models.DateField()
    # What the visibility rule asks of a story, copied from its document as Elasticsearch
    # keeps it (`stories.visibility.audience_markers` and `audience_grants`): a search filters,
    # orders, counts and pages the matching rows without joining each one to its story and
    # consent. The change log re-indexes a story whenever any of these changes.
    status = models.CharField(max_length=20, default="")
    audiences = models.CharField(max_length=64, default=" ")  # " archive public researchers "
    owner_id = models.IntegerField(null=True)
    project_id = models.IntegerField(null=True)
    consent_expires_at = models.DateTimeField(null=True)
    sealed_until = models.DateField(null=True)
    # " facet=key facet=key … ": what the story is counted under, read with the match. On
    # PostgreSQL they are words of terms_tsv too (migration 0007), so filters use its GIN
    # index; elsewhere filters, and related stories everywhere, use the IndexedFacet rows.
    facet_keys = models.TextField(default=" ")
    source_hash = models.CharField(max_length=64)
    indexed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["-date", "-story"], name="indexedstory_date")]

    def __str__(self) -> str:
        return f"indexed story {self.story_id}"


class IndexedPassage(models.Model):
    story = models.ForeignKey(IndexedStory, on_delete=models.CASCADE, related_name="passages")
    n = models.PositiveIntegerField()
    start = models.FloatField(null=True)
    end = models.FloatField(null=True)
    char_start = models.PositiveIntegerField(null=True)
    char_end = models.PositiveIntegerField(null=True)
    text = models.TextField()
    stem = models.TextField()

    class Meta:
        indexes = [models.Index(fields=["story", "n"], name="indexedpassage_story_n")]

    def __str__(self) -> str:
        return f"passage {self.n} of story {self.story_id}"


class IndexedFacet(models.Model):
    """One facet key a story is counted under (value, theme, project, year…)."""

    story = models.ForeignKey(IndexedStory, on_delete=models.CASCADE, related_name="facets")
    facet = models.CharField(max_length=16)
    key = models.CharField(max_length=64)

    class Meta:
        indexes = [models.Index(fields=["facet", "key"], name="indexedfacet_facet_key")]
        constraints = [
            models.UniqueConstraint(fields=["story", "facet", "key"], name="unique_indexed_facet")
        ]

    def __str__(self) -> str:
        return f"{self.facet}={self.key} for story {self.story_id}"
