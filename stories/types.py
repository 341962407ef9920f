"""The names the archive's code uses for people: a `User`, and an `Actor` who may be none.

An actor is whoever makes a change: a signed-in person, or None for the system itself (the
transcription worker, a management command).
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import User

Actor: TypeAlias = User | None

__all__ = ["Actor", "User"]
