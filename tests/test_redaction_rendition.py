"""The redacted recording: rendered by the worker's job, checked by listening, served once it
passes; held back (and the story taken off public paths) when it does not.

The tests marked `whisper` listen with the real tiny model to synthesised speech; the others
hear through an engine that hears nothing, so they check the job's lease and generations fast.
"""

from __future__ import annotations

import dataclasses
import datetime
import shutil
import uuid
from pathlib import Path

import numpy as np
import pytest
from django.core.files import File
from django.urls import reverse
from django.utils import timezone

from stories import services as story_services
from stories.models import (
    RedactedMedia,
    RenditionState,
    Story,
    StoryEvent,
    StoryKind,
    StoryStatus,
)
from stories.publication import REDACTION_HEARD, PublicationRefused, story_publish
from stories.redactions import original_destroy, redaction_add
from stories.storage import derived_prefix, story_storage
from stories.transcripts import transcript_replace
from transcribe import renditions, services, synth
from transcribe.engines import Segment, TranscriptionResult, Word
from transcribe.media import SAMPLE_RATE, decode_audio, probe
from transcribe.models import JobState, RenditionJob
from transcribe.renditions import (
    RMS_FLOOR,
    _tokens,
    rendition_claim_next,
    rendition_progress,
    rendition_run,
    rendition_run_next,
    renditions_queue_due,
    renditions_requeue_expired,
    span_rms,
)

pytestmark = pytest.mark.django_db

NAME = "Sarah"
TEXT = synth.ENGLISH[0]  # "My name is Sarah and I have lived in this town…"


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    return synth.speak(TEXT, tmp_path_factory.mktemp("rendition") / "story.wav")


@pytest.fixture(scope="module")
def video(recording, tmp_path_factory) -> Path:
    return synth.convert(recording, tmp_path_factory.mktemp("rendition-video") / "story.mp4")


def spread_result(path: Path) -> TranscriptionResult:
    """A transcript without the model: the text's words spread over the sound by length."""
    length = probe(path).duration
    tokens = TEXT.split()
    total = sum(len(t) for t in tokens)
    words, done = [], 0
    for token in tokens:
        start = 0.3 + (length - 0.6) * done / total
        done += len(token)
        words.append(Word(start, 0.3 + (length - 0.6) * done / total, token, 0.9))
    segment = Segment(words[0].start, words[-1].end, TEXT, 0.9, tuple(words))
    return TranscriptionResult((segment,), "en", 1.0, length, "faster-whisper", "tiny.en")


@pytest.fixture(scope="module")
def heard(recording) -> TranscriptionResult:
    """What the tiny model hears in the recording (once for the module)."""
    return services.loaded_engine().transcribe(str(recording), language="en")


def published(make_story, path: Path, result: TranscriptionResult) -> Story:
    """A published audio (or video) story with this recording and transcript."""
    kind = StoryKind.VIDEO if path.suffix == ".mp4" else StoryKind.AUDIO
    story = make_story(title="The coffee morning", kind=kind, text="", status="draft")
    with path.open("rb") as handle:
        story.media.save(f"{uuid.uuid4().hex}{path.suffix}", File(handle), save=False)
    story.media_duration = probe(path).duration
    story.save(update_fields=["media", "media_duration"])
    transcript_replace(
        story=story,
        segments=[
            (s.start, s.end, s.text, s.confidence, [dataclasses.asdict(w) for w in s.words])
            for s in result.segments
        ],
        engine=result.engine,
        model_name=result.model,
        language="en",
        language_probability=1.0,
        duration=result.duration,
        note="",
    )
    for target in ("awaiting_review", "approved", "published"):
        story_services.story_transition(story=story, target=target)
    return story


def word_times(result: TranscriptionResult, word: str) -> tuple[float, float]:
    for segment in result.segments:
        for w in segment.words:
            if _tokens(w.text) == _tokens(word):
                return w.start, w.end
    raise AssertionError(f"{word!r} is not in {result.text!r}")


class DeafEngine:
    """Hears nothing: the check then rests on the sound level alone."""

    name, model_name = "faster-whisper", "tiny.en"

    def transcribe(self, audio, *, language=None, progress=None):
        return TranscriptionResult((), "en", 1.0, len(audio) / SAMPLE_RATE, self.name, "tiny.en")


@pytest.fixture
def deaf(monkeypatch):
    monkeypatch.setattr(services, "_engine", lambda config: DeafEngine())


def outside(samples: np.ndarray, spans: list[list[float]]) -> np.ndarray:
    keep = np.ones(len(samples), dtype=bool)
    for a, b in spans:
        keep[round((a - 0.05) * SAMPLE_RATE) : round((b + 0.05) * SAMPLE_RATE)] = False
    return samples[keep]


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))


def media_url(story: Story) -> str:
    return reverse("stories:media", args=[story.pk, "media"])


def body(response) -> bytes:
    return b"".join(response.streaming_content)


# ------------------------------------------------------------------------- real listening


@pytest.mark.whisper
def test_the_name_is_silenced_checked_by_listening_and_served_to_the_public(
    make_story, storyteller, recording, heard, client
):
    story = published(make_story, recording, heard)
    start, end = word_times(heard, NAME)
    redaction_add(story=story, start=start, end=end, actor=storyteller, reason="My name")
    assert client.get(media_url(story)).status_code == 503  # not yet made: never the original

    assert rendition_run_next(worker="test") == "ready"

    media = RedactedMedia.objects.get(story=story)
    assert media.state == RenditionState.READY and media.current
    assert media.rendered_generation == media.generation and media.verified_at is not None
    assert media.file.name.startswith(derived_prefix(story.pk) + "redacted-")
    assert media.file.name.endswith(".wav") and media.heard == ""
    job = RenditionJob.objects.get(story=story)
    assert job.state == JobState.DONE and job.percent == 100

    before = decode_audio(recording)
    with story_storage().open(media.file.name) as handle:
        data = handle.read()
    path = Path(story_storage().path(media.file.name))
    after = decode_audio(path)
    assert abs(len(after) - len(before)) <= 1024  # the length, within one audio frame
    for a, b in media.spans:
        assert a <= start - 0.2 and b >= end + 0.2  # the guard band each side
        assert span_rms(after, a, b) < RMS_FLOOR < span_rms(before, a, b)
    assert rms(outside(after, media.spans)) == pytest.approx(
        rms(outside(before, media.spans)), rel=0.02
    )
    again = services.loaded_engine().transcribe(str(path), language="en")
    assert "sarah" in _tokens(heard.text)
    assert "sarah" not in _tokens(again.text)
    assert "lived in this town" in again.text.lower()  # the rest is still heard

    public = client.get(media_url(story))
    assert public.status_code == 200 and body(public) == data
    client.force_login(storyteller)
    assert body(client.get(media_url(story))) == recording.read_bytes()  # their original


@pytest.mark.whisper
def test_a_video_keeps_its_picture_and_loses_only_the_sound_in_the_span(
    make_story, storyteller, video, heard, client
):
    story = published(make_story, video, heard)
    start, end = word_times(heard, NAME)
    redaction_add(story=story, start=start, end=end, actor=storyteller)
    assert rendition_run_next(worker="test") == "ready"

    media = RedactedMedia.objects.get(story=story)
    made = Path(story_storage().path(media.file.name))
    assert made.suffix == ".mp4"
    source, rendition = probe(video), probe(made)
    assert rendition.has_video and rendition.video_codec == source.video_codec == "h264"
    assert rendition.duration == pytest.approx(source.duration, abs=0.05)
    assert video_packets(made) == video_packets(video)  # the picture copied, untouched
    before, after = decode_audio(video), decode_audio(made)
    assert abs(len(after) - len(before)) <= 1024
    for a, b in media.spans:
        assert span_rms(after, a, b) < RMS_FLOOR
    assert rms(outside(after, media.spans)) == pytest.approx(  # AAC encoded again
        rms(outside(before, media.spans)), rel=0.05
    )
    assert client.get(media_url(story))["Content-Type"] == "video/mp4"


def video_packets(path: Path) -> list[bytes]:
    import av

    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        return [bytes(p) for p in container.demux(stream) if p.size]


@pytest.mark.whisper
def test_a_name_still_heard_fails_the_check_and_takes_the_story_off_public_paths(
    make_story, storyteller, curator, recording, heard, client, monkeypatch
):
    story = published(make_story, recording, heard)
    start, end = word_times(heard, NAME)
    redaction_add(story=story, start=start, end=end, actor=storyteller)
    # A broken renderer: the "rendition" is the original recording, name and all.
    monkeypatch.setattr(
        renditions, "render", lambda src, dst, spans, progress=None: shutil.copy(src, dst)
    )

    assert rendition_run_next(worker="test") == "failed"

    media = RedactedMedia.objects.get(story=story)
    assert media.state == RenditionState.FAILED and not media.current
    assert "sarah" in media.heard.split(", ") and media.verified_at is None
    story.refresh_from_db()
    assert story.status == StoryStatus.APPROVED  # unpublished
    events = StoryEvent.objects.filter(story_id=story.pk).values_list("action", flat=True)
    assert "rendition.check_failed" in events and "story.approved" in events
    assert "Sarah" not in str(StoryEvent.objects.filter(story_id=story.pk).values("data"))

    assert client.get(media_url(story)).status_code == 404  # the public: no story at all
    client.force_login(curator)
    assert client.get(media_url(story)).status_code == 503  # curators: not the original
    desk = client.get(reverse("transcribe_admin:jobs") + "?state=attention").content.decode()
    assert f'data-rendition="{story.pk}"' in desk and "The coffee morning" in desk
    home = client.get("/admin/").content.decode()
    row = home.split('data-queue="renditions"')[1].split("</tr>")[0]
    assert "<td data-count>1</td>" in row

    # Not to be published again while the name is heard…
    with pytest.raises(PublicationRefused) as refused:
        story_publish(story=story, actor=curator)
    assert REDACTION_HEARD in refused.value.codes
    # …until, the renderer mended, a curator has it made and checked again.
    monkeypatch.undo()
    again = client.post(reverse("transcribe_admin:rendition_again", args=[story.pk]))
    assert again.status_code == 302
    assert RedactedMedia.objects.get(story=story).state == RenditionState.PENDING
    assert rendition_run_next(worker="test") == "ready"
    assert story_publish(story=story, actor=curator).status == StoryStatus.PUBLISHED
    client.logout()
    assert client.get(media_url(story)).status_code == 200


# -------------------------------------------------------------------- the job's machinery


def test_the_worker_finds_pending_renditions_itself_once_per_generation(
    make_story, storyteller, recording, deaf
):
    story = published(make_story, recording, spread_result(recording))
    redaction_add(story=story, start=2.0, end=2.5, actor=storyteller)
    assert renditions_queue_due() == 1
    assert renditions_queue_due() == 0  # queued once for its generation
    job = RenditionJob.objects.get(story=story)
    assert job.state == JobState.QUEUED and job.generation == 1
    assert rendition_run_next(worker="test") == "ready"
    assert renditions_queue_due() == 0 and rendition_run_next(worker="test") is None
    assert rendition_progress(story_ids=[story.pk])[story.pk][0] is None  # ready
    redaction_add(story=story, start=6.0, end=6.5, actor=storyteller)
    assert rendition_progress(story_ids=[story.pk]) == {
        story.pk: (0, "The redacted recording is being made and checked (0% done).")
    }


def test_a_worker_killed_mid_job_is_taken_again_and_its_result_is_thrown_away(
    make_story, storyteller, recording, deaf
):
    story = published(make_story, recording, spread_result(recording))
    redaction_add(story=story, start=2.0, end=2.5, actor=storyteller)
    renditions_queue_due()
    doomed = rendition_claim_next(worker="doomed")
    assert doomed is not None
    # The worker dies: its lease runs out with nobody renewing it.
    RenditionJob.objects.filter(pk=doomed.job_id).update(
        lease_expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert renditions_requeue_expired() == 1  # the upkeep step queues it again
    job = RenditionJob.objects.get(pk=doomed.job_id)
    assert job.state == JobState.QUEUED and job.claim is None
    assert rendition_run_next(worker="survivor") == "ready"
    assert rendition_run(doomed) == "lost"  # the dead worker's late result is not written
    media = RedactedMedia.objects.get(story=story)
    assert media.current
    assert story_storage().exists(media.file.name)
    actions = StoryEvent.objects.filter(story_id=story.pk).values_list("action", flat=True)
    assert "rendition.worker_lost" in actions


def test_redactions_changed_while_rendering_are_rendered_again(
    make_story, storyteller, recording, deaf
):
    story = published(make_story, recording, spread_result(recording))
    redaction_add(story=story, start=2.0, end=2.5, actor=storyteller)
    renditions_queue_due()
    claim = rendition_claim_next(worker="test")
    assert claim is not None
    redaction_add(story=story, start=6.0, end=6.5, actor=storyteller)  # meanwhile

    assert rendition_run(claim) == "again"
    media = RedactedMedia.objects.get(story=story)
    assert media.state == RenditionState.PENDING and not media.file
    assert RenditionJob.objects.get(story=story).generation == media.generation == 2
    assert rendition_run_next(worker="test") == "ready"
    media.refresh_from_db()
    assert media.rendered_generation == 2 and len(media.spans) == 2
    after = decode_audio(story_storage().path(media.file.name))
    assert all(span_rms(after, a, b) == 0 for a, b in media.spans)


def test_once_the_original_is_destroyed_the_new_rendition_replaces_it(
    make_story, storyteller, recording, deaf, django_capture_on_commit_callbacks
):
    story = published(make_story, recording, spread_result(recording))
    redaction_add(story=story, start=2.0, end=2.5, actor=storyteller)
    assert rendition_run_next(worker="test") == "ready"
    original = story.media.name
    with django_capture_on_commit_callbacks(execute=True):
        story = original_destroy(story=story, actor=storyteller)
    first = RedactedMedia.objects.get(story=story).file.name
    assert story.media.name == first and not story_storage().exists(original)

    redaction_add(story=story, start=6.0, end=6.5, actor=storyteller)
    with django_capture_on_commit_callbacks(execute=True):
        assert rendition_run_next(worker="test") == "ready"
    story.refresh_from_db()
    media = RedactedMedia.objects.get(story=story)
    assert story.media.name == media.file.name != first
    assert not story_storage().exists(first)  # the previous copy went
    after = decode_audio(story_storage().path(story.media.name))
    assert all(span_rms(after, a, b) == 0 for a, b in media.spans)


def test_a_recording_that_does_not_decode_fails_the_job_for_curators(
    make_story, storyteller, curator, recording, deaf, client
):
    story = published(make_story, recording, spread_result(recording))
    redaction_add(story=story, start=2.0, end=2.5, actor=storyteller)
    with story_storage().open(story.media.name, "wb") as handle:
        handle.write(b"not sound at all")
    assert rendition_run_next(worker="test") == "error"
    job = RenditionJob.objects.get(story=story)
    assert job.state == JobState.FAILED and "not an audio or video file" in job.last_error
    client.force_login(curator)
    desk = client.get(reverse("transcribe_admin:jobs")).content.decode()
    assert f'data-rendition="{story.pk}"' in desk and "Making the recording failed" in desk

    with story_storage().open(story.media.name, "wb") as handle:
        handle.write(recording.read_bytes())  # the file mended
    client.post(reverse("transcribe_admin:rendition_again", args=[story.pk]))
    assert RenditionJob.objects.get(story=story).state == JobState.QUEUED
    assert rendition_run_next(worker="test") == "ready"
    desk = client.get(reverse("transcribe_admin:jobs")).content.decode()
    assert f'data-rendition="{story.pk}"' not in desk


def test_the_worker_loop_takes_renditions_first_and_its_upkeep_requeues_them(monkeypatch):
    import threading

    from archive import worker

    stop = threading.Event()
    ran: list[str] = []

    def rendition(**kwargs):
        ran.append("rendition")
        return "ready" if len(ran) == 1 else None

    def transcription(**kwargs):
        ran.append("transcription")
        stop.set()
        return None

    monkeypatch.setattr(worker, "rendition_run_next", rendition)
    monkeypatch.setattr(worker, "transcription_run_next", transcription)
    monkeypatch.setattr(worker, "close_old_connections", lambda: None)
    assert worker.run_jobs_until_stopped(stop, worker="test", interval=0) == 1
    assert ran == ["rendition", "rendition", "transcription"]
    assert "transcribe.renditions.renditions_requeue_expired" in worker.UPKEEP


def test_withdrawal_takes_the_rendition_and_a_late_result_is_not_kept(
    make_story, storyteller, recording, deaf, django_capture_on_commit_callbacks
):
    story = published(make_story, recording, spread_result(recording))
    redaction_add(story=story, start=2.0, end=2.5, actor=storyteller)
    assert rendition_run_next(worker="test") == "ready"
    made = RedactedMedia.objects.get(story=story).file.name
    redaction_add(story=story, start=6.0, end=6.5, actor=storyteller)
    renditions_queue_due()
    claim = rendition_claim_next(worker="test")
    assert claim is not None
    with django_capture_on_commit_callbacks(execute=True):
        story_services.consent_withdraw(story=story, actor=storyteller)
    assert not story_storage().exists(made)
    assert rendition_run(claim) == "cancelled"
    assert RenditionJob.objects.get(pk=claim.job_id).state == JobState.CANCELLED
    assert not story_storage().exists(derived_prefix(story.pk)) or not any(
        story_storage().listdir(derived_prefix(story.pk))[1]
    )
