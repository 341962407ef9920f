"""A colour for each value and theme, shown as bands on the transcript and the player's timeline.

Values take their group's palette (cool for what co-production is meant to achieve, warm for
how it should be conducted); themes a third palette, chosen from their id so that a theme keeps
its colour. Each colour is a CSS class (the pages' content security policy allows no inline
styles) whose strong shade has at least 4.5:1 contrast on white; bands under text use a pale
tint of it. Colour is never alone: every band has its code's name, and themes are striped.
"""

from __future__ import annotations

from dataclasses import dataclass

from stories.models import Theme, Value

PALETTE_SIZE = 6  # coding.css defines .colour-<palette>-0 ... -5


@dataclass(frozen=True)
class CodeColour:
    css: str  # e.g. "colour-aims-3"
    kind: str  # "value" or "theme": themes are striped


def code_colour(code: Value | Theme) -> CodeColour:
    if isinstance(code, Value):
        return CodeColour(css=f"colour-{code.group}-{code.number % PALETTE_SIZE}", kind="value")
    return CodeColour(css=f"colour-theme-{code.pk % PALETTE_SIZE}", kind="theme")
