"""Moments of a recording as people read them: m:ss, or h:mm:ss past an hour."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """65 seconds -> "1:05"; 3723 -> "1:02:03". Fractions are dropped, negatives count as 0."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
