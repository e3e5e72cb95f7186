"""Holidays as data: national days (no tenant) plus each tenant's own days off."""

from __future__ import annotations

import datetime

from django.db.models import Q

from workflow.models import Holiday


def holidays_for(tenant_id: int | None) -> frozenset[datetime.date]:
    """Return the national holidays plus those of ``tenant_id`` (one query, never cached).

    Processes call this from their ``DeadlinePolicy`` so due dates in working days skip
    them; ``None`` returns the national days only.
    """
    condition = Q(tenant__isnull=True)
    if tenant_id is not None:
        condition |= Q(tenant_id=tenant_id)
    return frozenset(Holiday.objects.filter(condition).values_list("date", flat=True))
