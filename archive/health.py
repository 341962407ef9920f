"""``/healthz``: the server answers (for load balancers and process supervisors).

A liveness check only: it reads nothing, so it also measures the cost of a plain Django
request through the archive's middleware (bench/pages.py --http uses it as the floor).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok\n", content_type="text/plain")
