"""Create the archive index page (the home of story, value, theme and project pages)."""

from django.db import migrations

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"  # treebeard's path alphabet, 4 per level


def _next_child_path(Page, parent) -> str:
    last = (
        Page.objects.filter(path__startswith=parent.path, depth=parent.depth + 1)
        .order_by("-path")
        .values_list("path", flat=True)
        .first()
    )
    number = 1
    if last:
        number = 1 + sum(ALPHABET.index(c) * 36**i for i, c in enumerate(reversed(last[-4:])))
    digits = ""
    for _ in range(4):
        number, rest = divmod(number, 36)
        digits = ALPHABET[rest] + digits
    return parent.path + digits


def create_archive_index(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Page = apps.get_model("wagtailcore", "Page")
    HomePage = apps.get_model("archive", "HomePage")
    ArchiveIndexPage = apps.get_model("archive", "ArchiveIndexPage")
    home = HomePage.objects.order_by("path").first()
    if home is None or ArchiveIndexPage.objects.exists():
        return
    slug = "explore"
    if Page.objects.filter(path__startswith=home.path, depth=home.depth + 1, slug=slug).exists():
        slug = "explore-the-archive"
    content_type, _ = ContentType.objects.get_or_create(
        app_label="archive", model="archiveindexpage"
    )
    ArchiveIndexPage.objects.create(
        title="Explore the archive",
        draft_title="Explore the archive",
        slug=slug,
        content_type=content_type,
        path=_next_child_path(Page, home),
        depth=home.depth + 1,
        numchild=0,
        url_path=f"{home.url_path}{slug}/",
        locale_id=home.locale_id,
        live=True,
        introduction=(
            "<p>Every story here is shown because its storyteller agreed. Browse them by the "
            "values of co-production they speak to, by theme, or by the project that "
            "gathered them.</p>"
        ),
    )
    Page.objects.filter(pk=home.pk).update(numchild=home.numchild + 1)


class Migration(migrations.Migration):
    dependencies = [("archive", "0003_public_pages")]

    operations = [migrations.RunPython(create_archive_index, migrations.RunPython.noop)]
