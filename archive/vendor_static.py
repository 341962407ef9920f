"""Static files that come from npm (node_modules): the chart library's three browser builds.

A finder that names exactly the files the pages load, as `vendor/<name>`, so that runserver,
the tests' live server and `collectstatic` serve them without copying node_modules whole. A
file that is not installed (no `npm ci` yet) is simply not found: the charts' pages still show
their data tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.files.storage import FileSystemStorage

# static path -> the file in node_modules
VENDOR_FILES = {
    "vendor/vega.min.js": "vega/build/vega.min.js",
    "vendor/vega-lite.min.js": "vega-lite/build/vega-lite.min.js",
    "vendor/vega-embed.min.js": "vega-embed/build/vega-embed.min.js",
    # The builds name their source maps; the hashed storage of production (WhiteNoise's
    # manifest) follows every reference a file makes, so they must be found too.
    "vendor/vega-lite.min.js.map": "vega-lite/build/vega-lite.min.js.map",
    "vendor/vega-embed.min.js.map": "vega-embed/build/vega-embed.min.js.map",
}


def node_modules() -> Path:
    return Path(settings.BASE_DIR) / "node_modules"


class NodeModulesFinder(BaseFinder):
    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> Any:
        many = find_all or kwargs.get("all", False)  # `all` is Django's older name for it
        source = VENDOR_FILES.get(path)
        found = str(node_modules() / source) if source else ""
        if not found or not Path(found).is_file():
            return [] if many else None
        return [found] if many else found

    def list(self, ignore_patterns: Any) -> Any:
        for path, source in VENDOR_FILES.items():
            file = node_modules() / source
            if file.is_file():
                storage = FileSystemStorage(location=str(file.parent))
                storage.prefix = str(Path(path).parent)  # type: ignore[attr-defined]
                yield file.name, storage
