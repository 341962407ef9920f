"""The two search backends behind search.api; the SEARCH_BACKEND setting picks one."""

from __future__ import annotations

from django.conf import settings

from search.backends.database import DatabaseBackend
from search.backends.elastic import ElasticsearchBackend, Unavailable

BACKENDS = ("database", "elasticsearch")

__all__ = ["BACKENDS", "DatabaseBackend", "ElasticsearchBackend", "Unavailable", "get_backend"]


def get_backend(name: str | None = None) -> DatabaseBackend | ElasticsearchBackend:
    """The backend named (default: the SEARCH_BACKEND setting)."""
    name = name or settings.SEARCH_BACKEND
    if name == "database":
        return DatabaseBackend()
    if name == "elasticsearch":
        return ElasticsearchBackend()
    raise ValueError(
        f"SEARCH_BACKEND is {name!r}; it must be one of {', '.join(BACKENDS)}. "
        "Fix the SEARCH_BACKEND environment variable."
    )
