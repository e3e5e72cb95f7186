"""Project-level views: health check and the home page."""

from __future__ import annotations

import time

from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from config.templatetags.ui import zone_label
from workflow import selectors


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Answer whether the database answers; nothing private is included."""
    started = time.perf_counter()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": {"status": "unavailable"}}, status=503)
    elapsed_ms = round((time.perf_counter() - started) * 1000, 2)
    return JsonResponse(
        {
            "status": "ok",
            "database": {"status": "ok", "vendor": connection.vendor, "latency_ms": elapsed_ms},
        }
    )


def home(request: HttpRequest) -> HttpResponse:
    """Show the signed-in user's start page: their task counts and where to go next."""
    user = request.user
    return render(
        request,
        "home.html",
        {
            "task_count": selectors.inbox_for(user).count(),
            "overdue_count": selectors.overdue_for(user).count(),
            "queue_count": selectors.queue_for(user).count(),
            "zone": zone_label(timezone.get_current_timezone()),
        },
    )
