"""The public pages belong to the public site app now; archive keeps only configuration."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("public", "0001_pages_move_from_archive"),
        ("archive", "0004_create_archive_index"),
    ]

    operations = [
        # The tables stay where they are: only Django's idea of which app owns them moves.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name="homefeaturedcollection",
                    name="collection",
                ),
                migrations.RemoveField(
                    model_name="homefeaturedcollection",
                    name="page",
                ),
                migrations.RemoveField(
                    model_name="homepage",
                    name="page_ptr",
                ),
                migrations.DeleteModel(
                    name="ArchiveIndexPage",
                ),
                migrations.DeleteModel(
                    name="HomeFeaturedCollection",
                ),
                migrations.DeleteModel(
                    name="HomePage",
                ),
            ],
        ),
    ]
