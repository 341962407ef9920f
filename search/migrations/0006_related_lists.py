"""Related stories kept per story and audience kind, best first (search.related)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('archive_search', '0005_full_text_index'),
        ('stories', '0012_transcript_edits'),
    ]

    operations = [
        migrations.CreateModel(
            name='RelatedList',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('audience', models.CharField(max_length=8)),
                ('full', models.BooleanField()),
                ('computed_at', models.DateTimeField()),
                ('story', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='stories.story')),
            ],
        ),
        migrations.CreateModel(
            name='RelatedCandidate',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rank', models.PositiveSmallIntegerField()),
                ('story', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='as_related', to='stories.story')),
                ('related_list', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='candidates', to='archive_search.relatedlist')),
            ],
            options={
                'ordering': ['rank'],
            },
        ),
        migrations.AddConstraint(
            model_name='relatedlist',
            constraint=models.UniqueConstraint(fields=('story', 'audience'), name='unique_related_list'),
        ),
        migrations.AddConstraint(
            model_name='relatedcandidate',
            constraint=models.UniqueConstraint(fields=('related_list', 'rank'), name='unique_related_rank'),
        ),
    ]
