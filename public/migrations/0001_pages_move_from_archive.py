"""The public site's pages move from archive (configuration only now) to public."""

import django.db.models.deletion
import modelcluster.fields
import stories.pages
import wagtail.contrib.routable_page.models
import wagtail.fields
from django.conf import settings
from django.db import migrations, models


MOVED = [
    ("archive", "homepage", "public", "homepage"),
    ("archive", "archiveindexpage", "public", "archiveindexpage"),
    ("archive", "homefeaturedcollection", "public", "homefeaturedcollection"),
]


def move_content_types(apps, schema_editor):
    """Keep the content type rows (and the permissions and pages that point at them)."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    for old_app, old_model, new_app, new_model in MOVED:
        old = ContentType.objects.filter(app_label=old_app, model=old_model)
        if ContentType.objects.filter(app_label=new_app, model=new_model).exists():
            old.delete()
        else:
            old.update(app_label=new_app, model=new_model)


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("archive", "0004_create_archive_index"),
        ("stories", "0007_takes_transcripts_and_change_log"),
        ("wagtailcore", "0098_apitoken"),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="ArchiveIndexPage",
                    fields=[
                        (
                            "page_ptr",
                            models.OneToOneField(
                                auto_created=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                parent_link=True,
                                primary_key=True,
                                serialize=False,
                                to=settings.WAGTAIL_PAGE_MODEL,
                            ),
                        ),
                        ("introduction", wagtail.fields.RichTextField(blank=True)),
                    ],
                    options={
                        "db_table": "archive_archiveindexpage",
                    },
                    bases=(
                        stories.pages.PublicCacheMixin,
                        wagtail.contrib.routable_page.models.RoutablePageMixin,
                        "wagtailcore.page",
                    ),
                ),
                migrations.CreateModel(
                    name="HomePage",
                    fields=[
                        (
                            "page_ptr",
                            models.OneToOneField(
                                auto_created=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                parent_link=True,
                                primary_key=True,
                                serialize=False,
                                to=settings.WAGTAIL_PAGE_MODEL,
                            ),
                        ),
                        ("introduction", wagtail.fields.RichTextField(blank=True)),
                    ],
                    options={
                        "db_table": "archive_homepage",
                    },
                    bases=(stories.pages.PublicCacheMixin, "wagtailcore.page"),
                ),
                migrations.CreateModel(
                    name="HomeFeaturedCollection",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("sort_order", models.IntegerField(blank=True, editable=False, null=True)),
                        (
                            "collection",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="stories.collectionpage",
                            ),
                        ),
                        (
                            "page",
                            modelcluster.fields.ParentalKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="featured_collections",
                                to="public.homepage",
                            ),
                        ),
                    ],
                    options={
                        "ordering": ["sort_order"],
                        "db_table": "archive_homefeaturedcollection",
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, migrations.RunPython.noop),
    ]
