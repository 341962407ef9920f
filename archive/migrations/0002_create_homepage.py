"""Replace Wagtail's welcome page with the archive's home page."""

from urllib.parse import urlsplit

from django.conf import settings
from django.db import migrations


def create_homepage(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    Site = apps.get_model("wagtailcore", "Site")
    HomePage = apps.get_model("archive", "HomePage")

    Locale = apps.get_model("wagtailcore", "Locale")
    if HomePage.objects.exists():
        return
    # Wagtail's welcome page and the site that points at it make way for the home page.
    Site.objects.all().delete()
    Page.objects.filter(depth=2, slug="home").delete()
    content_type, _ = ContentType.objects.get_or_create(model="homepage", app_label="archive")
    root = Page.objects.get(depth=1)
    home = HomePage.objects.create(
        title="Community Story Archive",
        draft_title="Community Story Archive",
        slug="home",
        content_type=content_type,
        path=f"{root.path}0001",
        depth=2,
        numchild=0,
        url_path="/home/",
        locale=Locale.objects.order_by("pk").first(),
        introduction=(
            "<p>Stories of lived experience, told by the people who lived them and kept with "
            "their consent.</p>"
        ),
    )
    root.numchild = 1
    root.save()
    # On the archive's own address (ARCHIVE_BASE_URL); `manage.py site_address` follows changes.
    address = urlsplit(settings.ARCHIVE_BASE_URL)
    Site.objects.create(
        hostname=address.hostname or "localhost",
        port=address.port or (443 if address.scheme == "https" else 80),
        root_page=home, is_default_site=True,
        site_name="Community Story Archive",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("archive", "0001_initial"),
        ("wagtailcore", "0094_alter_page_locale"),
    ]

    operations = [migrations.RunPython(create_homepage, migrations.RunPython.noop)]
