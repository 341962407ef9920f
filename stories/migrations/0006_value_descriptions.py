"""A one-sentence description of each co-production value, shown on its public page."""

from django.db import migrations

DESCRIPTIONS = {
    "equality": "Power is shared: storytellers, communities and professionals meet as equals.",
    "diversity": "Many voices and backgrounds take part, including those seldom heard.",
    "challenging": "Assumptions and the usual ways of doing things are questioned and disrupted.",
    "building-relationships": "People build lasting relationships and communities come together.",
    "social-justice": "The work aims at fairness and tackles inequality.",
    "learning": "Everyone involved learns and grows, personally and together.",
    "systemic-change": "Hard questions are asked and systems change as a result.",
    "accessibility": "Anyone can take part: barriers of place, language and cost are removed.",
    "reciprocity": "Everyone gives and everyone gains; the benefits are shared.",
    "human": "The work is personal and bespoke, treating people as people, not cases.",
    "transparent": "Aims, decisions and limits are open and honest.",
    "commitment": "Partners stay for the long run and keep their promises.",
    "flexibility": "Plans adapt to people's lives and to what is learned on the way.",
    "mutual-respect": "Partners respect and trust each other's knowledge and experience.",
    "reflexivity": "Partners reflect on their own part, power and assumptions.",
    "training": "People gain skills and capacity to carry the work on.",
    "action-orientated": "The work leads to action, not only to reports.",
    "context-based": "The work starts from the place, people and circumstances it serves.",
}


def describe(apps, schema_editor):
    Value = apps.get_model("stories", "Value")
    for slug, description in DESCRIPTIONS.items():
        Value.objects.filter(slug=slug, description="").update(description=description)


class Migration(migrations.Migration):
    dependencies = [("stories", "0005_curator_permissions")]

    operations = [migrations.RunPython(describe, migrations.RunPython.noop)]
