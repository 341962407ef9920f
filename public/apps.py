from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = "Public site"

    def ready(self) -> None:
        from public.models import ArchiveIndexPage, HomeFeaturedCollection, HomePage
        from stories.pagecache import purge_when_changed

        purge_when_changed([HomePage, ArchiveIndexPage, HomeFeaturedCollection])
