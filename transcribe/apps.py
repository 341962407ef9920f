from django.apps import AppConfig


class TranscribeConfig(AppConfig):
    name = "transcribe"
    verbose_name = "Transcription"

    def ready(self) -> None:
        from transcribe import checks  # noqa: F401  (registers the settings check)
