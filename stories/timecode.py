"""Moments of a recording as people read them: m:ss, or h:mm:ss past an hour."""

from __future__ import annotations


def clock(seconds: float) -> str:
    """65 seconds -> "1:05"; 3723 -> "1:02:03". Fractions are dropped, negatives count as 0."""
    total = max(0, int(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def clock_seconds(text: str) -> float:
    """ "1:05" -> 65.0, "1:02:03.5" -> 3723.5, "42" -> 42.0; ValueError if it is not a time."""
    parts = text.strip().split(":")
    if not 1 <= len(parts) <= 3 or any(not p.strip() for p in parts):
        raise ValueError(f"Not a time: {text!r}")
    total = 0.0
    for place, part in enumerate(parts):
        value = float(part)
        if value < 0 or (place and value >= 60):
            raise ValueError(f"Not a time: {text!r}")
        total = total * 60 + value
    return total
