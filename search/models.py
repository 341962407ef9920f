"""The embedded search backend's index, and each story's related stories worked out ahead.

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
    # The mean of its passages' vectors (float16, search.embeddings), and the model that made it.
    vector = models.BinaryField(null=True)
    # Nullable so that adding it does not make SQLite remake the table (and drop the FTS5
    # triggers, see above).
    vector_model = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001

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
    vector = models.BinaryField(null=True)  # what it means (search.embeddings), float16

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


# --- Related stories, worked out when a story is drained, not on every view ------------------
# Written by the outbox drain and `search_reindex` (search.related), whichever backend runs;
# read by search.api.related_stories, always through the visibility rule.


class RelatedList(models.Model):
    """One story's most related stories for one kind of audience, best first."""

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    audience = models.CharField(max_length=8)  # search.related.KINDS
    # The backend found as many as were asked for: a shorter list once filtered may hide
    # more beyond it, so the reader asks the backend then.
    full = models.BooleanField()
    computed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "audience"], name="unique_related_list")
        ]

    def __str__(self) -> str:
        return f"related to story {self.story_id} ({self.audience})"


class RelatedCandidate(models.Model):
    related_list = models.ForeignKey(
        RelatedList, on_delete=models.CASCADE, related_name="candidates"
    )
    rank = models.PositiveSmallIntegerField()
    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="as_related")

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["related_list", "rank"], name="unique_related_rank")
        ]

    def __str__(self) -> str:
        return f"story {self.story_id}, {self.rank + 1}. in {self.related_list_id}"


class PassageVector(models.Model):
    """What one passage of a story means (search.embeddings), kept so that re-indexing a story
    whose words did not change embeds nothing. Per story, not shared: a story that is withdrawn
    or redacted loses its vectors with its words (search.vectors), and no other story keeps a
    copy of them."""

    story = models.ForeignKey("stories.Story", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=64)  # sha256 of the model and the text embedded
    model = models.CharField(max_length=100)
    vector = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["story", "key"], name="unique_passage_vector")
        ]
        # The worker asks every few seconds for vectors of another model: through this index.
        indexes = [models.Index(fields=["model"], name="passagevector_model")]

    def __str__(self) -> str:
        return f"passage vector of story {self.story_id}"
