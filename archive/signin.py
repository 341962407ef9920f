"""Sign-in throttling: which address a sign-in attempt comes from (AXES_CLIENT_IP_CALLABLE).

Without a proxy it is the connection's address. Behind ARCHIVE_TRUSTED_PROXY_COUNT reverse
proxies that each append the address they saw to X-Forwarded-For, it is the entry the
outermost proxy appended: counted from the right, so a client cannot choose it by sending a
forged header of its own.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    proxies = settings.ARCHIVE_TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [part.strip() for part in forwarded.split(",") if part.strip()]
    if proxies > 0 and len(hops) >= proxies:
        return hops[-proxies]
    return str(request.META.get("REMOTE_ADDR", ""))
