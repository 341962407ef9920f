from django.apps import AppConfig


class TranscribeConfig(AppConfig):
    name = "transcribe"
    verbose_name = "Transcription"
