"""Reading story media through PyAV: probe it, decode its sound, strip its metadata.

PyAV bundles FFmpeg, so wav, mp3, m4a/aac, ogg/opus/vorbis, flac, webm and mp4/mov video all
decode without a system FFmpeg. Anything that is not decodable media raises ``MediaError`` with
a message a storyteller can act on.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import av.error
import numpy as np
from av.audio.stream import AudioStream
from av.container import OutputContainer
from av.video.stream import VideoStream

from transcribe.errors import MediaError

SAMPLE_RATE = 16_000  # what Whisper listens at

_NOT_MEDIA = (
    "{name} is not an audio or video file we can read ({why}). Upload a recording saved as "
    "MP3, M4A, WAV, OGG, FLAC, WebM, MP4 or MOV; if it plays on your device, try exporting it "
    "again from the app that made it."
)
_NO_SOUND = (
    "{name} has no sound to transcribe ({why}). Upload a recording with an audio track, or "
    "import a transcript instead."
)

# Muxers by file suffix, for when the destination's name does not say.
_MUXERS = {
    ".mp3": "mp3",
    ".m4a": "ipod",
    ".aac": "adts",
    ".mp4": "mp4",
    ".m4v": "mp4",
    ".mov": "mov",
    ".ogg": "ogg",
    ".oga": "ogg",
    ".opus": "opus",
    ".flac": "flac",
    ".wav": "wav",
    ".webm": "webm",
    ".mkv": "matroska",
}


@dataclass(frozen=True)
class MediaInfo:
    duration: float  # seconds
    has_audio: bool
    has_video: bool
    container: str  # FFmpeg's demuxer name, e.g. "mp3" or "mov,mp4,m4a,3gp,3g2,mj2"
    audio_codec: str | None
    video_codec: str | None
    sample_rate: int | None
    channels: int | None


def _open(path: str | os.PathLike[str]) -> av.container.InputContainer:
    name = Path(path).name
    try:
        return av.open(os.fspath(path), metadata_errors="ignore")
    except FileNotFoundError:
        raise MediaError(f"{name} does not exist: upload the file again.") from None
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        why = "the file is empty" if _is_empty(path) else _reason(exc)
        raise MediaError(_NOT_MEDIA.format(name=name, why=why)) from exc


def _is_empty(path: str | os.PathLike[str]) -> bool:
    try:
        return os.path.getsize(path) == 0
    except OSError:
        return False


def _reason(exc: Exception) -> str:
    text = getattr(exc, "strerror", None) or str(exc)
    return text.split(":")[0].strip().rstrip(".").lower() or type(exc).__name__


def _real_video(stream: av.stream.Stream) -> bool:
    """A video stream that is not just cover art (attached picture)."""
    return stream.type == "video" and not (stream.disposition & av.stream.Disposition.attached_pic)


def probe(path: str | os.PathLike[str], *, require_audio: bool = True) -> MediaInfo:
    """Duration and streams of a media file; checks that its sound actually decodes.

    With ``require_audio`` (the default) a file without decodable sound raises ``MediaError``;
    otherwise such a file is reported with ``has_audio=False``.
    """
    name = Path(path).name
    with _open(path) as container:
        audio = container.streams.audio[0] if container.streams.audio else None
        video = next((s for s in container.streams.video if _real_video(s)), None)
        audio_ok = audio is not None and _first_frame_decodes(container, audio)
        if require_audio and not audio_ok:
            why = (
                "it has no audio track" if audio is None else "its audio track could not be decoded"
            )
            if video is not None and container.format.name.endswith(("_pipe", "image2")):
                raise MediaError(_NO_SOUND.format(name=name, why="it is a picture"))
            if audio is None and video is None:
                raise MediaError(_NOT_MEDIA.format(name=name, why="it holds no audio or video"))
            raise MediaError(_NO_SOUND.format(name=name, why=why))
        duration = _duration(container, audio if audio_ok else video)
        return MediaInfo(
            duration=duration,
            has_audio=audio_ok,
            has_video=video is not None,
            container=container.format.name,
            audio_codec=audio.codec_context.name if audio is not None else None,
            video_codec=video.codec_context.name if video is not None else None,
            sample_rate=audio.codec_context.sample_rate if audio is not None else None,
            channels=audio.codec_context.channels if audio is not None else None,
        )


def declared_duration(path: str | os.PathLike[str]) -> float | None:
    """How long the file says its sound lasts (its header), without decoding it.

    Compared with the sound actually decoded, it tells a file cut off part way (an upload
    that stopped, a copy that failed) from a whole one. None when the file does not say.
    """
    try:
        with _open(path) as container:
            stream = container.streams.audio[0] if container.streams.audio else None
            return _duration(container, stream) or None
    except MediaError:
        return None


def _first_frame_decodes(container: av.container.InputContainer, stream: av.stream.Stream) -> bool:
    try:
        for packet in container.demux(stream):
            try:
                if packet.decode():
                    return True
            except av.error.InvalidDataError:
                continue
    except av.error.FFmpegError:
        return False
    return False


def _duration(container: av.container.InputContainer, stream: av.stream.Stream | None) -> float:
    if container.duration is not None and container.duration > 0:
        return container.duration / av.time_base
    if stream is not None and stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    # No header duration (some streamed WebM/Ogg): walk the packets, without decoding.
    end = 0.0
    if stream is None:
        return end
    with av.open(container.name, metadata_errors="ignore") as again:
        s = again.streams[stream.index]
        for packet in again.demux(s):
            if packet.pts is not None and packet.time_base:
                end = max(end, float((packet.pts + (packet.duration or 0)) * packet.time_base))
    return end


def decode_audio(path: str | os.PathLike[str], *, sample_rate: int = SAMPLE_RATE) -> np.ndarray:
    """The sound of a media file as mono float32 samples at ``sample_rate``.

    Damaged packets are skipped (a partly corrupt file gives what could be decoded); a file with
    nothing decodable raises ``MediaError``.
    """
    name = Path(path).name
    chunks: list[np.ndarray] = []
    with _open(path) as container:
        if not container.streams.audio:
            if any(_real_video(s) for s in container.streams.video):
                raise MediaError(_NO_SOUND.format(name=name, why="the video has no audio track"))
            raise MediaError(_NOT_MEDIA.format(name=name, why="it holds no audio"))
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="s16", layout="mono", rate=sample_rate)
        try:
            for frame in _frames(container, stream):
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray().reshape(-1).copy())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).copy())
        except av.error.FFmpegError as exc:
            if not chunks:
                raise MediaError(_NOT_MEDIA.format(name=name, why=_reason(exc))) from exc
        finally:
            del resampler
            gc.collect()  # PyAV's resampler holds native buffers until collected
    if not chunks or sum(len(c) for c in chunks) == 0:
        raise MediaError(_NO_SOUND.format(name=name, why="no sound could be decoded from it"))
    samples = np.concatenate(chunks)
    del chunks
    return samples.astype(np.float32) / 32768.0


def _frames(
    container: av.container.InputContainer, stream: av.AudioStream
) -> Iterator[av.AudioFrame]:
    for packet in container.demux(stream):
        try:
            frames = packet.decode()
        except av.error.InvalidDataError:
            continue  # a damaged packet: skip it, keep the rest
        for frame in frames:
            frame.pts = None  # decoders of damaged files emit gaps; the resampler need not care
            yield frame


def strip_metadata(
    src: str | os.PathLike[str], dst: str | os.PathLike[str], *, format: str | None = None
) -> None:
    """Write ``dst`` rebuilt from the decoded sound and picture of ``src``, and nothing else.

    No byte of ``src`` is copied as it is: its first audio stream and first real video stream
    are decoded and encoded anew into a fresh container. So whatever rides along with the
    media (bytes before or after it, such as an appended archive, junk inside packets that the
    decoder skips), its tags (title, artist, comment, location/GPS, creation_time, encoder…),
    chapters, cover art and data/subtitle streams are all left behind. Lossless sound stays
    lossless (FLAC, WAV); lossy sound and video are encoded at a quality that keeps voices and
    faces clear (see ``_AUDIO_ENCODERS``, ``_VIDEO_ENCODERS``), video at most 1280 pixels on its
    long side; a video's rotation is kept. Encoding takes CPU time in proportion to the
    recording's length (much more for video than for sound). Frames are handled one at a time,
    so memory stays flat whatever the file's size. The muxer is chosen from ``format``, else
    ``dst``'s suffix, else ``src``'s suffix.
    """
    name = Path(src).name
    muxer = format or _MUXERS.get(Path(dst).suffix.lower()) or _MUXERS.get(Path(src).suffix.lower())
    rotation = _rotation(src)
    with _open(src) as inp:
        audio = inp.streams.audio[0] if inp.streams.audio else None
        video = next((s for s in inp.streams.video if _real_video(s)), None)
        if audio is None and video is None:
            raise MediaError(_NOT_MEDIA.format(name=name, why="it holds no audio or video"))
        try:
            out = av.open(os.fspath(dst), "w", format=muxer, options={"fflags": "+bitexact"})
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaError(
                f"Cannot write {Path(dst).name} as {muxer or 'an unknown format'} ({_reason(exc)}):"
                " give the copy a media file suffix such as .mp3 or .mp4."
            ) from exc
        try:
            with out:
                out.metadata.clear()
                sound = _AudioPipe(out, audio, out.format.name) if audio is not None else None
                picture = (
                    _VideoPipe(out, video, out.format.name, rotation)
                    if video is not None and out.format.name in _VIDEO_ENCODERS
                    else None
                )
                sources = [p.source for p in (sound, picture) if p is not None]
                # Flush packets (no data) come last per stream and empty each decoder.
                for packet in inp.demux(sources):
                    try:
                        frames = packet.decode()
                    except av.error.InvalidDataError:
                        continue  # a damaged packet: skip it, keep the rest
                    for frame in frames:
                        if isinstance(frame, av.AudioFrame) and sound is not None:
                            sound.encode(frame)
                        elif isinstance(frame, av.VideoFrame) and picture is not None:
                            picture.encode(frame)
                if sound is not None:
                    sound.flush()
                if picture is not None:
                    picture.flush()
                if not ((sound and sound.frames) or (picture and picture.frames)):
                    raise MediaError(_NOT_MEDIA.format(name=name, why="nothing in it decodes"))
        except (av.error.FFmpegError, ValueError, MediaError) as exc:
            Path(dst).unlink(missing_ok=True)
            if isinstance(exc, MediaError):
                raise
            raise MediaError(_NOT_MEDIA.format(name=name, why=_reason(exc))) from exc


# Encoders by muxer. Sound keeps a lossless codec where the container is a lossless one.
_AUDIO_ENCODERS = {
    "mp3": "libmp3lame",
    "adts": "aac",
    "ipod": "aac",
    "mp4": "aac",
    "mov": "aac",
    "ogg": "libopus",
    "opus": "libopus",
    "flac": "flac",
    "wav": "pcm_s16le",
    "webm": "libopus",
    "matroska": "libopus",
}
_VIDEO_ENCODERS: dict[str, tuple[str, dict[str, str]]] = {
    "mp4": ("libx264", {"preset": "veryfast", "crf": "23"}),
    "mov": ("libx264", {"preset": "veryfast", "crf": "23"}),
    "matroska": ("libx264", {"preset": "veryfast", "crf": "23"}),
    "webm": ("libvpx", {"deadline": "good", "cpu-used": "5", "crf": "10", "b": "2M"}),
}
_MAX_VIDEO_SIDE = 1280  # pixels: 720p keeps faces clear and the rebuild quick
_LOSSY_BIT_RATES = {"libmp3lame": (64_000, 192_000), "aac": (64_000, 192_000)}
_OPUS_BIT_RATE = (32_000, 160_000)


def _rotation(path: str | os.PathLike[str]) -> float:
    """The display rotation (degrees) of the first real video stream, 0 when none."""
    try:
        with av.open(os.fspath(path), metadata_errors="ignore") as container:
            video = next((s for s in container.streams.video if _real_video(s)), None)
            if video is None:
                return 0.0
            for frame in container.decode(video):
                return float(frame.rotation or 0)
    except (av.error.FFmpegError, UnicodeDecodeError, AttributeError):
        return 0.0
    return 0.0


class _AudioPipe:
    """Decoded sound of one source stream, encoded anew into one output stream."""

    def __init__(self, out: OutputContainer, source: AudioStream, muxer: str) -> None:
        self.out, self.source, self.frames = out, source, 0
        ctx = source.codec_context
        name = _AUDIO_ENCODERS.get(muxer, "aac")
        codec = av.Codec(name, "w")
        rates = codec.audio_rates
        rate = int(ctx.sample_rate or 48_000)
        if rates and rate not in rates:
            rate = min((r for r in rates if r >= rate), default=max(rates))
        self.rate = rate
        stream = out.add_stream(name, rate=rate)
        assert isinstance(stream, AudioStream)
        self.stream = stream
        cc = stream.codec_context
        cc.layout = "mono" if (ctx.channels or 1) == 1 else "stereo"
        if codec.audio_formats:
            cc.format = codec.audio_formats[0]
        low, high = _OPUS_BIT_RATE if name == "libopus" else _LOSSY_BIT_RATES.get(name, (0, 0))
        if high:
            cc.bit_rate = min(max(int(ctx.bit_rate or 0), low), high)
        cc.open()
        self.resampler = av.AudioResampler(
            format=cc.format, layout=cc.layout, rate=rate, frame_size=cc.frame_size or None
        )
        self.next_pts: int | None = None

    def encode(self, frame: av.AudioFrame) -> None:
        if self.next_pts is None:  # keep where the sound starts (against the picture), then
            start = float(frame.pts * frame.time_base) if frame.pts and frame.time_base else 0
            self.next_pts = max(0, round(start * self.rate))  # a gapless timeline
        frame.pts = None  # damaged files have gaps in their timestamps; the new file has none
        for out in self.resampler.resample(frame):
            self._write(out)

    def flush(self) -> None:
        for out in self.resampler.resample(None):
            self._write(out)
        for packet in self.stream.encode(None):
            self.out.mux(packet)

    def _write(self, frame: av.AudioFrame) -> None:
        pts = self.next_pts or 0
        frame.pts, frame.time_base = pts, Fraction(1, self.rate)
        self.next_pts = pts + frame.samples
        self.frames += 1
        for packet in self.stream.encode(frame):
            self.out.mux(packet)


class _VideoPipe:
    """Decoded pictures of one source stream, encoded anew into one output stream."""

    def __init__(
        self, out: OutputContainer, source: VideoStream, muxer: str, rotation: float
    ) -> None:
        self.out, self.source, self.frames = out, source, 0
        ctx = source.codec_context
        name, options = _VIDEO_ENCODERS[muxer]
        rate = source.average_rate or source.guessed_rate or Fraction(25)
        stream = out.add_stream(name, rate=rate, options=dict(options))
        assert isinstance(stream, VideoStream)
        self.stream = stream
        cc = stream.codec_context
        # At most _MAX_VIDEO_SIDE pixels on the long side, and even sizes (4:2:0 needs them).
        scale = min(1.0, _MAX_VIDEO_SIDE / max(ctx.width, ctx.height, 1))
        self.width = max(2, round(ctx.width * scale) // 2 * 2)
        self.height = max(2, round(ctx.height * scale) // 2 * 2)
        cc.width, cc.height, cc.pix_fmt = self.width, self.height, "yuv420p"
        self.time_base = source.time_base or Fraction(1, 90_000)
        cc.time_base = self.time_base
        if rotation:
            stream.set_display_rotation(rotation)
        self.last_pts: int | None = None

    def encode(self, frame: av.VideoFrame) -> None:
        pts = frame.pts
        if pts is None or (self.last_pts is not None and pts <= self.last_pts):
            pts = (self.last_pts if self.last_pts is not None else -1) + 1
        self.last_pts = pts
        picture = frame.reformat(width=self.width, height=self.height, format="yuv420p")
        picture.pts, picture.time_base = pts, self.time_base
        self.frames += 1
        for packet in self.stream.encode(picture):
            self.out.mux(packet)

    def flush(self) -> None:
        for packet in self.stream.encode(None):
            self.out.mux(packet)


def silence_spans(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    spans: Sequence[Sequence[float]],
    *,
    progress: Callable[[float], None] | None = None,
) -> None:
    """Write ``dst``: ``src`` with its sound silenced over ``spans`` ([start, end] seconds).

    The sound is decoded, the samples inside each span set to silence and encoded again in a
    container of the same kind (``dst``'s suffix), so the length is unchanged. Times count from
    the first decoded sample, as the transcript's do (``decode_audio``). A video's picture is
    copied packet by packet, untouched. ``progress`` hears the share of the sound done.
    """
    name = Path(src).name
    muxer = _MUXERS.get(Path(dst).suffix.lower()) or _MUXERS.get(Path(src).suffix.lower())
    length = probe(src).duration or 1.0
    with _open(src) as inp:
        audio = inp.streams.audio[0] if inp.streams.audio else None
        if audio is None:
            raise MediaError(_NO_SOUND.format(name=name, why="it has no audio track"))
        video = next((s for s in inp.streams.video if _real_video(s)), None)
        try:
            out = av.open(os.fspath(dst), "w", format=muxer)
        except (av.error.FFmpegError, ValueError) as exc:
            raise MediaError(f"Cannot write {Path(dst).name} ({_reason(exc)}).") from exc
        try:
            with out:
                sound = _AudioPipe(out, audio, out.format.name)
                picture = out.add_stream_from_template(video) if video is not None else None
                done = 0  # samples decoded so far, at the source's rate
                sources = [audio] if video is None else [audio, video]
                for packet in inp.demux(sources):
                    if packet.stream.type == "video":
                        if packet.dts is None or picture is None:
                            continue  # the demuxer's flush packet: nothing to copy
                        packet.stream = picture
                        out.mux(packet)
                        continue
                    try:
                        frames = packet.decode()
                    except av.error.InvalidDataError:
                        continue
                    for frame in frames:
                        assert isinstance(frame, av.AudioFrame)
                        rate = frame.sample_rate or sound.rate
                        sound.encode(_silenced(frame, done, rate, spans))
                        done += frame.samples
                        if progress is not None:
                            progress(min(1.0, done / rate / length))
                sound.flush()
                if not sound.frames:
                    raise MediaError(_NOT_MEDIA.format(name=name, why="no sound decodes"))
        except (av.error.FFmpegError, ValueError, MediaError):
            Path(dst).unlink(missing_ok=True)
            raise


def _silenced(
    frame: av.AudioFrame, first: int, rate: int, spans: Sequence[Sequence[float]]
) -> av.AudioFrame:
    """The frame (whose first sample is sample ``first`` of the sound) with the samples that
    fall inside ``spans`` set to silence; the frame itself when none do."""
    count = frame.samples
    cuts = []
    for begin, end in spans:
        a = max(0, round(float(begin) * rate) - first)
        b = min(count, round(float(end) * rate) - first)
        if a < b:
            cuts.append((a, b))
    if not cuts:
        return frame
    array = frame.to_ndarray().copy()
    silence = 128 if frame.format.name.startswith("u8") else 0
    planar = frame.format.is_planar
    channels = 1 if planar else len(frame.layout.channels)
    for a, b in cuts:
        if planar:
            array[:, a:b] = silence
        else:
            array[:, a * channels : b * channels] = silence
    quiet = av.AudioFrame.from_ndarray(array, format=frame.format.name, layout=frame.layout.name)
    quiet.sample_rate = frame.sample_rate
    quiet.pts, quiet.time_base = frame.pts, frame.time_base
    return quiet
