from django.apps import AppConfig


class StoriesConfig(AppConfig):
    name = "stories"
    verbose_name = "Stories"

    def ready(self) -> None:
        from stories import pagecache

        pagecache.connect()  # cached public pages go stale when what they show changes
