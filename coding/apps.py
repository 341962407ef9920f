from django.apps import AppConfig


class CodingConfig(AppConfig):
    name = "coding"
    verbose_name = "Coding"

    def ready(self) -> None:
        from coding.models import Tag
        from stories.pagecache import purge_when_changed

        purge_when_changed([Tag])  # story, value and theme pages show accepted tags
