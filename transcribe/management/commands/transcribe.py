"""``manage.py transcribe FILE --format vtt|srt|txt|json``: print the transcript of a local file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from transcribe.config import config_from_settings
from transcribe.engines import engine_for
from transcribe.errors import TranscribeError
from transcribe.formats import FORMATS, render


class Command(BaseCommand):
    help = "Transcribe a local audio or video file and print the transcript."
    # It reads a local file and touches neither the database nor the URLs; the system
    # checks would import every view (and the search clients) for nothing.
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="audio or video file (mp3, m4a, wav, ogg, mp4, …)")
        parser.add_argument("--format", choices=sorted(FORMATS), default="txt")
        parser.add_argument("--model", help="model name or folder (default: TRANSCRIBE_MODEL)")
        parser.add_argument("--engine", choices=["faster-whisper", "openai-whisper"])
        parser.add_argument("--language", help="language code, e.g. en (default: detect)")
        parser.add_argument("--device", choices=["cpu", "cuda", "auto"])
        parser.add_argument("--compute-type", help="e.g. int8, float32, float16")
        parser.add_argument("--beam-size", type=int)
        parser.add_argument("--batch-size", type=int, help="0: sequential; >0: batched")
        parser.add_argument("--progress", action="store_true", help="show progress on stderr")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            config = config_from_settings().with_overrides(
                model=options["model"],
                engine=options["engine"],
                language=options["language"],
                device=options["device"],
                compute_type=options["compute_type"],
                beam_size=options["beam_size"],
                batch_size=options["batch_size"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

        def progress(fraction: float) -> None:
            self.stderr.write(f"\r{fraction:6.1%}", ending="")

        try:
            engine = engine_for(config)
            result = engine.transcribe(
                options["file"], progress=progress if options["progress"] else None
            )
        except TranscribeError as exc:
            raise CommandError(str(exc)) from exc
        if options["progress"]:
            self.stderr.write("")
        for note in result.notes:
            self.stderr.write(f"Note: {note}")
        self.stdout.write(render(options["format"], result), ending="")
