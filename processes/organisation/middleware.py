"""Show times in the signed-in user's agency zone (WIB/WITA/WIT); store them in UTC."""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class AgencyTimezoneMiddleware:
    """Activate the agency's time zone for the request; fall back to the default zone."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        zone_name = settings.DEFAULT_AGENCY_TIME_ZONE
        agency = (
            getattr(user, "agency", None) if user is not None and user.is_authenticated else None
        )
        if agency is not None:
            zone_name = agency.time_zone
        timezone.activate(zoneinfo.ZoneInfo(zone_name))
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
