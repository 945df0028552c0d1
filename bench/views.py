"""The benchmark's baseline: a bare view behind the same middleware as every page.

Registered only when SCRUBHUB_BENCH_BASELINE=true (see scrubhub/urls.py), so it never exists
in a real deployment. Called signed in, it costs what every page costs before its own work:
the middleware, reading the session and the user.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def baseline(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")
