"""Delegations: a delegate holds a principal's rights for a date range (Plt/Plh).

Only these functions write ``Delegation`` rows. Processes call them from their own actions
(for example when HR appoints an acting official), inside the caller's transaction; each
write is audited on the tenant's delegation chain.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from workflow import audit
from workflow.errors import StepNotAllowed
from workflow.models import AuditCode, Delegation


def _chain(tenant_id: int) -> str:
    return f"delegation:{tenant_id}"


@transaction.atomic
def create_delegation(
    *,
    tenant_id: int,
    principal_id: int,
    delegate_id: int,
    starts_on: datetime.date,
    ends_on: datetime.date,
    capacity_label: str,
    reference: str = "",
    actor: Any = None,
) -> Delegation:
    """Let ``delegate_id`` act with ``principal_id``'s rights from ``starts_on`` to ``ends_on``.

    The caller has checked that ``actor`` may appoint; this refuses only impossible input.
    """
    if ends_on < starts_on:
        raise StepNotAllowed(_("Tanggal selesai pelimpahan tidak boleh sebelum tanggal mulai."))
    if principal_id == delegate_id:
        raise StepNotAllowed(_("Seseorang tidak dapat menjadi pelaksana bagi dirinya sendiri."))
    delegation = Delegation.objects.create(
        tenant_id=tenant_id,
        principal_id=principal_id,
        delegate_id=delegate_id,
        starts_on=starts_on,
        ends_on=ends_on,
        capacity_label=capacity_label,
        reference=reference,
    )
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=tenant_id,
        chain=_chain(tenant_id),
        actor_id=getattr(actor, "pk", None),
        capacity=capacity_label,
        payload={
            "event": "delegation_created",
            "delegation": delegation.pk,
            "principal": principal_id,
            "delegate": delegate_id,
            "starts_on": starts_on.isoformat(),
            "ends_on": ends_on.isoformat(),
            "reference": reference,
        },
    )
    return delegation


@transaction.atomic
def end_delegation(
    *, delegation_id: int, ends_on: datetime.date, reason: str, actor: Any = None
) -> Delegation:
    """End a delegation early on ``ends_on`` (a day before its start removes it in effect)."""
    delegation = Delegation.objects.select_for_update().get(pk=delegation_id)
    previous = delegation.ends_on
    delegation.ends_on = max(min(ends_on, delegation.ends_on), delegation.starts_on)
    if ends_on < delegation.starts_on:
        # A check constraint keeps ends_on >= starts_on: an unused delegation is shortened
        # to nothing by moving both ends before the first day it would have applied.
        delegation.starts_on = delegation.ends_on = ends_on
    delegation.save(update_fields=["starts_on", "ends_on"])
    audit.record(
        code=AuditCode.PROCESS_EVENT,
        tenant_id=delegation.tenant_id,
        chain=_chain(delegation.tenant_id),
        actor_id=getattr(actor, "pk", None),
        reason=reason,
        payload={
            "event": "delegation_ended",
            "delegation": delegation.pk,
            "previous_ends_on": previous.isoformat(),
            "ends_on": delegation.ends_on.isoformat(),
        },
    )
    return delegation
