"""Search by meaning, on both backends, with the real embedding model: a query finds passages
that say the same thing in other words or another language, fused with the word matches, and
never beyond consent."""

from __future__ import annotations

import numpy as np

from search import embeddings, fusion, vectors
from search.api import search_stories
from search.models import PassageVector
from search.services import outbox_drain
from stories import services
from stories.models import StoryChange
from stories.visibility import PUBLIC_AUDIENCE
from tests.search_support import reindex


def found(query: str) -> list[int]:
    return [h.story.pk for h in search_stories(audience=PUBLIC_AUDIENCE, query=query).hits]


def test_paraphrases_in_other_words_and_languages_are_found(search_backend, make_story):
    alone = make_story(title="Winter", text="I was on my own for weeks and nobody came to see me.")
    spanish = make_story(title="Invierno", text="Nadie vino a verme durante semanas; estaba sola.")
    german = make_story(
        title="Winter zu Hause", text="Ich war wochenlang allein und niemand besuchte mich."
    )
    garden = make_story(title="Allotment", text="We built a community garden on the old car park.")
    bus = make_story(
        title="The 12", text="The bus stopped running and I could not get to the clinic."
    )
    reindex(alone, spanish, german, garden, bus)

    hits = found("nobody visited me")
    assert set(hits) == {alone.pk, spanish.pk, german.pk}, hits
    assert found("swimming lessons") == []


def test_word_matches_stay_and_meaning_adds_to_them(search_backend, make_story):
    says_word = make_story(title="Tuesdays", text="The garden group met on Tuesdays.")
    means_it = make_story(title="Allotment", text="We grew vegetables together on a shared plot.")
    other = make_story(title="The 12", text="The bus stopped running.")
    reindex(says_word, means_it, other)

    hits = found("gardening")
    assert hits[0] == says_word.pk  # in both rankings: first
    assert other.pk not in hits
    assert means_it.pk in hits
    # Quotes ask for the words themselves: no meaning matches.
    assert found('"gardening"') == [says_word.pk]
    assert found('"garden group"') == [says_word.pk]


def test_a_moment_found_by_meaning_is_the_closest_passage(search_backend, make_story, storyteller):
    story = make_story(
        title="Two things",
        text="We repainted the hall in the spring.\n\nAfter the operation I was alone for weeks "
        "and nobody came to see me.",
    )
    reindex(story)

    hit = search_stories(audience=PUBLIC_AUDIENCE, query="nobody visited me").hits[0]
    assert hit.story.pk == story.pk
    assert "came to see me" in hit.snippets[0].html
    assert "repainted" not in hit.snippets[0].html


def test_vectors_are_kept_per_story_and_go_with_the_words(search_backend, make_story, storyteller):
    story = make_story(title="Winter", text="I was on my own for weeks and nobody came to see me.")
    reindex(story)
    rows = list(PassageVector.objects.filter(story=story))
    assert len(rows) == 1 and rows[0].model == embeddings.MODEL
    first = bytes(rows[0].vector)
    assert np.isclose(np.linalg.norm(embeddings.from_bytes(first)), 1.0, atol=1e-2)

    reindex(story)  # nothing changed: nothing embedded again
    assert [bytes(r.vector) for r in PassageVector.objects.filter(story=story)] == [first]

    services.consent_withdraw(story=story, actor=storyteller)
    reindex(story)
    assert not PassageVector.objects.filter(story=story).exists()
    assert found("nobody visited me") == []


def test_reciprocal_rank_fusion_puts_what_both_rank_high_first():
    assert [i for i, _ in fusion.rrf([1, 2, 3], [3, 4])] == [3, 1, 2, 4]
    assert fusion.keep_close([(1, 0.9), (2, 0.86), (3, 0.84), (4, 0.79)]) == [(1, 0.9), (2, 0.86)]
    assert fusion.keep_close([(1, 0.79)]) == []


def test_a_change_of_model_embeds_every_story_again_through_the_change_log(
    search_backend, make_story
):
    story = make_story(title="Winter", text="I was on my own for weeks and nobody came to see me.")
    reindex(story)
    PassageVector.objects.filter(story=story).update(model="an-older-model")
    StoryChange.objects.all().delete()

    assert vectors.reembed_stale() == 1
    assert StoryChange.objects.filter(story_id=story.pk).exists()
    assert vectors.reembed_stale() == 0  # waiting in the change log already
    outbox_drain()
    assert set(PassageVector.objects.filter(story=story).values_list("model", flat=True)) == {
        embeddings.MODEL
    }
    assert found("nobody visited me") == [story.pk]


def test_words_a_story_no_longer_says_leave_no_vector(search_backend, make_story):
    story = make_story(title="Note", text="My neighbour Mrs Jones came to see me.")
    reindex(story)
    before = set(PassageVector.objects.filter(story=story).values_list("key", flat=True))
    story.text_body = "A neighbour came to see me."
    story.save()
    reindex(story)
    after = set(PassageVector.objects.filter(story=story).values_list("key", flat=True))
    assert after and not (after & before)
    assert after == {embeddings.key("A neighbour came to see me.")}


def test_a_search_can_match_by_words_or_by_meaning_alone(search_backend, make_story):
    says_word = make_story(title="Tuesdays", text="The garden group met on Tuesdays.")
    means_it = make_story(title="Allotment", text="We grew vegetables together on a shared plot.")
    other = make_story(title="The 12", text="The bus stopped running.")
    reindex(says_word, means_it, other)

    def ids(match: str) -> list[int]:
        results = search_stories(audience=PUBLIC_AUDIENCE, query="gardening", match=match)
        assert results.total == len(results.hits)
        return [h.story.pk for h in results.hits]

    assert ids("words") == [says_word.pk]
    assert means_it.pk in ids("meaning") and other.pk not in ids("meaning")
    assert set(ids("both")) == set(ids("words")) | set(ids("meaning"))
