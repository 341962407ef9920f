"""Keep the Wagtail Site (its hostname and port) on the archive's own address.

Wagtail builds full page URLs (sitemaps, previews, `get_full_url`) from the default Site's
hostname and port; the archive builds its other absolute links from ARCHIVE_BASE_URL. This keeps
the two in step: the migration that creates the site, `manage.py site_address` and the demo
loader call it.
"""

from __future__ import annotations

from wagtail.models import Site

from stories.addresses import site_host_port


def site_address_sync() -> Site | None:
    """Point the default Site at ARCHIVE_BASE_URL's host and port. Returns it (None if the
    archive has no site yet: `migrate` creates one)."""
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        return None
    hostname, port = site_host_port()
    if (site.hostname, site.port) != (hostname, port):
        site.hostname, site.port = hostname, port
        site.save(update_fields=["hostname", "port"])
    return site
