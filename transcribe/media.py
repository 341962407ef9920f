"""Reading story media through PyAV: probe it, decode its sound, strip its metadata.

PyAV bundles FFmpeg, so wav, mp3, m4a/aac, ogg/opus/vorbis, flac, webm and mp4/mov video all
decode without a system FFmpeg. Anything that is not decodable media raises ``MediaError`` with
a message a storyteller can act on.
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import av
import av.error
import numpy as np

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


def _frames(container: av.container.InputContainer, stream: av.stream.Stream) -> Iterator:
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
    """Copy ``src`` to ``dst`` without re-encoding, dropping its metadata.

    Container and stream tags (title, artist, comment, location/GPS, creation_time, encoder…),
    chapters, cover art and data/subtitle streams are left behind; audio and video packets are
    copied one at a time, so memory stays flat whatever the file's size. The muxer is chosen
    from ``format``, else ``dst``'s suffix, else ``src``'s suffix.
    """
    name = Path(src).name
    muxer = format or _MUXERS.get(Path(dst).suffix.lower()) or _MUXERS.get(Path(src).suffix.lower())
    with _open(src) as inp:
        keep = [s for s in inp.streams if s.type == "audio" or _real_video(s)]
        if not keep:
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
                mapping = {}
                for stream in keep:
                    copy = out.add_stream_from_template(stream)
                    copy.metadata.clear()
                    mapping[stream.index] = copy
                for packet in inp.demux(keep):
                    if packet.dts is None:
                        continue  # demuxer flush packets carry no data
                    packet.stream = mapping[packet.stream.index]
                    out.mux(packet)
        except av.error.FFmpegError as exc:
            Path(dst).unlink(missing_ok=True)
            raise MediaError(_NOT_MEDIA.format(name=name, why=_reason(exc))) from exc
