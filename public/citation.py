"""How to cite a story (or a moment of it): plain text, BibTeX and CSL-JSON.

The storyteller is named only as the consent allows (`StoryParts.attribution`: their name, or
"Anonymous storyteller"); the rest is the story's title, project, date and address.
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from stories.models import Story
from stories.timecode import clock
from stories.visibility import StoryParts

PUBLISHER = "Community Story Archive"


@dataclass(frozen=True)
class Citation:
    story: Story
    author: str
    url: str  # absolute, with ?t= for a moment
    at: float | None
    accessed: datetime.date

    @property
    def issued(self) -> datetime.date | None:
        if self.story.told_on:
            return self.story.told_on
        if self.story.published_at:
            return timezone.localtime(self.story.published_at).date()
        return None

    @property
    def project(self) -> str:
        return self.story.project.name if self.story.project_id and self.story.project else ""

    @property
    def kind(self) -> str:
        return {"audio": "Audio recording", "video": "Video recording"}.get(
            self.story.kind, "Written story"
        )

    @property
    def moment(self) -> str:
        return f"at {clock(self.at)}" if self.at is not None else ""

    def text(self) -> str:
        """Author (year). Title [kind, at m:ss]. Project. Publisher. URL (accessed d Month Y)."""
        year = f" ({self.issued.year})" if self.issued else ""
        kind = ", ".join(p for p in (self.kind, self.moment) if p)
        parts = [f"{self.author}{year}.", f"{self.story.title} [{kind}]."]
        if self.project:
            parts.append(f"{self.project}.")
        parts.append(f"{PUBLISHER}.")
        accessed = f"{self.accessed.day} {self.accessed:%B %Y}"
        parts.append(f"{self.url} (accessed {accessed}).")
        return " ".join(parts)

    def csl(self) -> dict[str, Any]:
        """One CSL-JSON item (the citation style language's data schema)."""
        item: dict[str, Any] = {
            "id": f"story-{self.story.pk}",
            "type": "interview" if self.story.kind in ("audio", "video") else "manuscript",
            "title": self.story.title,
            "author": [{"literal": self.author}],
            "publisher": PUBLISHER,
            "medium": self.kind,
            "URL": self.url,
            "accessed": {"date-parts": [_parts(self.accessed)]},
        }
        if self.issued:
            item["issued"] = {"date-parts": [_parts(self.issued)]}
        if self.project:
            item["collection-title"] = self.project
        if self.at is not None:
            item["note"] = f"From {clock(self.at)}"
        return item

    def csl_json(self) -> str:
        return json.dumps([self.csl()], ensure_ascii=False, indent=2)

    def bibtex(self) -> str:
        fields = {
            "title": self.story.title,
            "author": "{" + _bib(self.author) + "}",  # a name as written, never split
            "howpublished": f"{self.kind}, {PUBLISHER}",
            "url": self.url,
            "urldate": self.accessed.isoformat(),
        }
        if self.issued:
            fields["year"] = str(self.issued.year)
        if self.project:
            fields["organization"] = self.project
        if self.at is not None:
            fields["note"] = f"From {clock(self.at)}"
        body = ",\n".join(
            f"  {name} = {{{value if name in ('author', 'url') else _bib(value)}}}"
            for name, value in fields.items()
        )
        return f"@misc{{story{self.story.pk},\n{body}\n}}\n"


def _parts(day: datetime.date) -> list[int]:
    return [day.year, day.month, day.day]


_BIB_SPECIAL = re.compile(r"([{}\\&%$#_^~])")


def _bib(value: str) -> str:
    """Characters BibTeX and LaTeX read as commands, escaped."""
    return _BIB_SPECIAL.sub(lambda m: "\\" + m.group(1), " ".join(value.split()))


def citation(story: Story, parts: StoryParts, url: str, at: float | None = None) -> Citation:
    return Citation(
        story=story,
        author=parts.attribution,
        url=url,
        at=at,
        accessed=timezone.localdate(),
    )
