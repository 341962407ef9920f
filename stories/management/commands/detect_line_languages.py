"""Find the language of each transcript line again (for lines saved before lines had one).

Safe to run more than once: only lines whose language changes are written, and a language a
person set on a line is left as it is. Stories whose lines changed are queued for search, which
stems those lines again in their own language.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from stories.changes import story_changed
from stories.languages import line_language
from stories.models import Segment, Transcript

BATCH = 500


class Command(BaseCommand):
    help = __doc__

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--story",
            type=int,
            action="append",
            dest="stories",
            metavar="ID",
            help="Only this story's transcript (may be given more than once).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would change; write nothing."
        )

    def handle(self, *args: Any, stories: list[int] | None, dry_run: bool, **options: Any) -> None:
        lines = Segment.objects.filter(language_set=False)
        transcripts = Transcript.objects.select_related("story")
        if stories:
            lines = lines.filter(transcript__story_id__in=stories)
            transcripts = transcripts.filter(story_id__in=stories)
        heard = {t.pk: (t.language or t.story.language, t.story_id) for t in transcripts}
        checked = own = back = 0
        seen: set[int] = set()
        changed_stories: set[int] = set()
        after = 0
        while True:
            batch = list(
                lines.filter(pk__gt=after)
                .order_by("pk")
                .only("pk", "text", "language", "transcript_id")[:BATCH]
            )
            if not batch:
                break
            after = batch[-1].pk
            changed = []
            for line in batch:
                if line.transcript_id not in heard:  # made while the command ran
                    t = Transcript.objects.select_related("story").get(pk=line.transcript_id)
                    heard[t.pk] = (t.language or t.story.language, t.story_id)
                language, story_id = heard[line.transcript_id]
                checked += 1
                seen.add(line.transcript_id)
                found = line_language(line.text, language)
                if found != line.language:
                    line.language = found
                    changed.append(line)
                    changed_stories.add(story_id)
                    own, back = (own + 1, back) if found else (own, back + 1)
            if changed and not dry_run:
                with transaction.atomic():
                    # A person may have set one of these lines' language since it was read.
                    unset = set(
                        Segment.objects.select_for_update()
                        .filter(pk__in=[s.pk for s in changed], language_set=False)
                        .values_list("pk", flat=True)
                    )
                    changed = [s for s in changed if s.pk in unset]
                    Segment.objects.bulk_update(changed, ["language"])
                    story_changed(story_ids={heard[s.transcript_id][1] for s in changed})
        will, are, queued = (
            ("would ", "would be ", "would be queued") if dry_run else ("now ", "are ", "queued")
        )
        summary = f"Checked {checked} lines in {len(seen)} transcripts; "
        summary += f"{own} lines {will}carry their own language; "
        if back:
            summary += f"{back} lines {are}back in their transcript's language; "
        summary += f"{len(changed_stories)} stories {queued} for search."
        self.stdout.write(("Dry run, nothing written: " if dry_run else "") + summary)
