"""The 18 co-production values (stable slugs) and the four role groups."""

from django.db import migrations

VALUES = [
    (1, "aims", "equality", "Equality (and shifts in power differentials)"),
    (2, "aims", "diversity", "Diversity"),
    (3, "aims", "challenging", "Challenging (and disruptive)"),
    (4, "aims", "building-relationships", "Building relationships and unifying communities"),
    (5, "aims", "social-justice", "Working towards social justice"),
    (6, "aims", "learning", "Learning and personal development"),
    (7, "aims", "systemic-change", "Tackles challenging questions and creating systemic change"),
    (8, "conduct", "accessibility", "Accessibility and inclusivity"),
    (9, "conduct", "reciprocity", "Reciprocity and mutually beneficial"),
    (10, "conduct", "human", "Human (and personal and bespoke)"),
    (11, "conduct", "transparent", "Transparent (and authentic)"),
    (12, "conduct", "commitment", "Commitment/consistency/longevity"),
    (13, "conduct", "flexibility", "Flexibility and adaptability"),
    (14, "conduct", "mutual-respect", "Mutual respect and trust"),
    (15, "conduct", "reflexivity", "Reflexivity"),
    (16, "conduct", "training", "Training and capacity building"),
    (17, "conduct", "action-orientated", "Action-orientated"),
    (18, "conduct", "context-based", "Context-based"),
]

ROLES = ["storyteller", "contributor", "curator", "researcher"]


def seed(apps, schema_editor):
    Value = apps.get_model("stories", "Value")
    for number, group, slug, name in VALUES:
        Value.objects.update_or_create(
            number=number,
            defaults={"group": group, "slug": slug, "name": name, "sort_order": number},
        )
    Group = apps.get_model("auth", "Group")
    for role in ROLES:
        Group.objects.get_or_create(name=role)


def unseed(apps, schema_editor):
    apps.get_model("stories", "Value").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("stories", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
