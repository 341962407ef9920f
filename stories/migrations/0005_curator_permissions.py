"""Curators work in the Wagtail admin: give the curator group what that needs.

Admin access; stories (view and change; the admin never adds or deletes them), projects,
themes and values; the page tree under the home page (collections and pages: add, change,
publish); images and documents in the root collection; transcription jobs.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

MODEL_PERMISSIONS = {
    ("stories", "story"): ["view", "change"],
    ("stories", "project"): ["add", "change", "delete", "view"],
    ("stories", "projectmembership"): ["add", "change", "delete", "view"],
    ("stories", "theme"): ["add", "change", "delete", "view"],
    ("stories", "themesynonym"): ["add", "change", "delete", "view"],
    ("stories", "value"): ["change", "view"],
    ("transcribe", "transcriptionjob"): ["change", "view"],
}
PAGE_PERMISSIONS = ["add_page", "change_page", "publish_page"]
COLLECTION_PERMISSIONS = {
    "wagtailimages": ["add_image", "change_image", "choose_image"],
    "wagtaildocs": ["add_document", "change_document", "choose_document"],
}


def grant(apps, schema_editor):
    # Permissions of new models are normally made after migrations run; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    GroupPagePermission = apps.get_model("wagtailcore", "GroupPagePermission")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Page = apps.get_model("wagtailcore", "Page")
    Collection = apps.get_model("wagtailcore", "Collection")

    curators, _ = Group.objects.get_or_create(name="curator")
    curators.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    for (app_label, model), actions in MODEL_PERMISSIONS.items():
        for action in actions:
            curators.permissions.add(
                Permission.objects.get(
                    content_type__app_label=app_label, codename=f"{action}_{model}"
                )
            )
    home = Page.objects.filter(depth=2).order_by("path").first()
    if home is not None:
        for codename in PAGE_PERMISSIONS:
            GroupPagePermission.objects.get_or_create(
                group=curators,
                page=home,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=codename
                ),
            )
    root = Collection.objects.filter(depth=1).first()
    if root is not None:
        for app_label, codenames in COLLECTION_PERMISSIONS.items():
            for codename in codenames:
                GroupCollectionPermission.objects.get_or_create(
                    group=curators,
                    collection=root,
                    permission=Permission.objects.get(
                        content_type__app_label=app_label, codename=codename
                    ),
                )


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0004_tagging_review_and_merge"),
        ("transcribe", "0002_transcription_job"),
        ("archive", "0002_create_homepage"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
