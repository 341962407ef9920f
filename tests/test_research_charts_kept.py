"""The research charts' counts are kept between visits, and no change to what they count, and no
other viewer, ever gets a kept count (research.chart_cache)."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from research import charts
from research.charts import ChartFilters
from stories import services
from stories.models import ConsentMethod, ProjectMembership
from stories.visibility import audience_for
from tests.charts_helpers import coded_archive, tag

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]

ALL = ChartFilters()


@pytest.fixture
def coded(make_story, contributor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return coded_archive(make_story, contributor)


def written_consent(story, storyteller, **choices) -> None:
    """A new written consent for `story`, the archive kept, the rest as `choices` say."""
    services.consent_record(
        story=story, actor=storyteller, method=ConsentMethod.WRITTEN, archive=True, **choices
    )


def v1_stories(coded, audience) -> int:
    """How many stories the chart counts with value 1 for `audience`."""
    return charts.frequencies(audience, ALL)[f"value:{coded.v1.pk}"].stories


def test_a_second_visit_counts_without_a_query(coded, researcher):
    audience = audience_for(researcher)
    first = charts.frequencies(audience, ALL)
    pairs = charts.cooccurrence(audience, ALL, "values")
    years = charts.over_time(audience, ALL, [f"value:{coded.v1.pk}"])
    with CaptureQueriesContext(connection) as queries:
        assert charts.frequencies(audience, ALL) == first
        assert charts.cooccurrence(audience, ALL, "values") == pairs
        assert charts.over_time(audience, ALL, [f"value:{coded.v1.pk}"]) == years
    assert len(queries) == 0
    # Other filters or other codes are other counts.
    assert charts.frequencies(audience, ChartFilters(years=(2021,))) != first
    assert charts.over_time(audience, ALL, [f"value:{coded.v2.pk}"]) != years


def test_a_withdrawal_leaves_the_kept_counts_at_once(
    coded, researcher, storyteller, django_capture_on_commit_callbacks
):
    audience = audience_for(researcher)
    assert v1_stories(coded, audience) == 2
    assert charts.languages_and_years(audience, ALL)[1] == [2021, 2023]
    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(story=coded.open, actor=storyteller)
    assert v1_stories(coded, audience) == 1
    assert charts.languages_and_years(audience, ALL)[1] == [2023]  # the open story's year


def test_a_new_tag_and_a_consent_narrowed_change_the_counts(
    coded, researcher, storyteller, django_capture_on_commit_callbacks
):
    audience = audience_for(researcher)
    assert (f"value:{coded.v3.pk}", f"value:{coded.v2.pk}") not in charts.cooccurrence(
        audience, ALL, "values"
    )
    with django_capture_on_commit_callbacks(execute=True):
        tag(coded.open, coded.v3, 6.0, 7.0)  # now v3 overlaps v1 and v2 on the open story
    assert (f"value:{coded.v3.pk}", f"value:{coded.v2.pk}") in charts.cooccurrence(
        audience, ALL, "values"
    )
    with django_capture_on_commit_callbacks(execute=True):
        written_consent(coded.unquoted, storyteller, researchers=False)
    assert v1_stories(coded, audience) == 1


def test_a_consent_that_ends_by_its_date_ends_the_kept_counts(
    coded, researcher, storyteller, monkeypatch, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        written_consent(
            coded.open,
            storyteller,
            researchers=True,
            public=True,
            expires_at=timezone.now() + datetime.timedelta(hours=1),
        )
    audience = audience_for(researcher)
    assert v1_stories(coded, audience) == 2
    later = timezone.now() + datetime.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)  # nothing is written when consent ends
    assert v1_stories(coded, audience) == 1


def test_no_viewer_gets_another_viewers_counts(coded, researcher, curator):
    assert v1_stories(coded, audience_for(researcher)) == 2
    assert v1_stories(coded, audience_for(curator)) == 3  # the closed story too
    assert v1_stories(coded, audience_for(researcher)) == 2


def test_a_membership_ended_leaves_the_contributors_counts(
    coded, contributor, django_capture_on_commit_callbacks
):
    audience = audience_for(contributor)
    before = v1_stories(coded, audience)
    assert before > 0
    with django_capture_on_commit_callbacks(execute=True):
        ProjectMembership.objects.filter(user=contributor).delete()
    assert v1_stories(coded, audience) < before


def test_the_charts_page_and_its_csv_after_a_withdrawal(
    coded, researcher, storyteller, client, django_capture_on_commit_callbacks
):
    client.force_login(researcher)
    address = reverse("charts:csv", args=["values"])

    def v1_row() -> list[str]:
        rows = list(csv.reader(io.StringIO(client.get(address).content.decode())))
        return next(row for row in rows if row[0] == coded.v1.name)

    assert v1_row()[2:] == ["2", "2"]
    assert client.get(reverse("charts:index")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        services.consent_withdraw(story=coded.open, actor=storyteller)
    assert v1_row()[2:] == ["1", "1"]
