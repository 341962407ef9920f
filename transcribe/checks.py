"""System check: the TRANSCRIBE_* settings make a valid configuration."""

from __future__ import annotations

from typing import Any

from django.core.checks import Error, register

from transcribe.config import config_from_settings


@register()
def transcribe_settings_check(app_configs: Any = None, **kwargs: Any) -> list[Error]:

    try:
        config_from_settings()
    except (ValueError, TypeError) as exc:
        return [
            Error(
                str(exc), hint="Fix the TRANSCRIBE_* environment variables.", id="transcribe.E001"
            )
        ]
    return []
