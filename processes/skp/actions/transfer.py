"""Mid-year transfers (mutasi): the old SKP closes with its partial period, a new one opens.

Called by the organisation inside the transfer's transaction (``hooks.add_listener``).
DOMAIN.md section 9: the employee gets a new SKP for the new post; the year's result
combines both periods. The old SKP keeps running for its partial period with the
appraisers of that period (roles resolve on a day clamped to the SKP's period), unless its
plan was never agreed, in which case it is cancelled.
"""

from __future__ import annotations

import datetime

from django.db.models import Max
from django.utils.translation import gettext as _

from processes.organisation.hooks import AffectedDocument, OrganisationEvent
from processes.organisation.models import Employee, PositionHolding
from processes.skp.actions.cycle import start_skp
from processes.skp.models import Cycle, Skp
from workflow import actions as engine


def follow_organisation_change(event: OrganisationEvent) -> list[AffectedDocument]:
    """Close and open SKPs for each transfer in ``event``; return the documents touched."""
    affected: list[AffectedDocument] = []
    for transfer in event.transfers:
        affected.extend(
            _follow_transfer(
                employee_id=transfer.employee_id,
                new_holding_id=transfer.new_holding_id,
                on=transfer.on,
                actor=event.actor,
                reason=event.reason,
            )
        )
    return affected


def _follow_transfer(
    *, employee_id: int, new_holding_id: int, on: datetime.date, actor: object, reason: str
) -> list[AffectedDocument]:
    affected: list[AffectedDocument] = []
    employee = Employee.objects.select_related("user").get(pk=employee_id)
    new_holding = PositionHolding.objects.select_related("position__unit").get(pk=new_holding_id)
    running = (
        Skp.objects.filter(
            employee=employee,
            cycle__status=Cycle.Status.OPEN,
            period_start__lte=on,
            period_end__gte=on,
        )
        .select_related("case", "cycle", "position")
        .order_by("pk")
    )
    for skp in running:
        case = skp.case
        note = _("Mutasi ke %(position)s mulai %(day)s") % {
            "position": new_holding.position.name,
            "day": on.isoformat(),
        }
        never_agreed = not skp.plan_versions.exists()
        if on <= skp.period_start or never_agreed:
            skp.period_end = max(skp.period_start, on - datetime.timedelta(days=1))
            skp.closed_reason = note
            skp.save(update_fields=["period_end", "closed_reason"])
            if case is not None and case.is_open:
                engine.cancel_case(case_id=case.pk, actor=actor, reason=note)
            affected.append(
                {
                    "case_id": skp.case_id,
                    "document": str(skp),
                    "what": _("dibatalkan karena rencana belum disetujui sebelum mutasi"),
                }
            )
        else:
            skp.period_end = on - datetime.timedelta(days=1)
            skp.closed_reason = note
            skp.save(update_fields=["period_end", "closed_reason"])
            affected.append(
                {
                    "case_id": skp.case_id,
                    "document": str(skp),
                    "what": _("periode dipersingkat sampai %(day)s; dinilai oleh atasan lama")
                    % {"day": skp.period_end.isoformat()},
                }
            )
        sequence = (
            Skp.objects.filter(cycle=skp.cycle, employee=employee).aggregate(m=Max("sequence"))["m"]
            or 0
        ) + 1
        if on > skp.cycle.ends_on or employee.user_id is None:
            continue
        new = start_skp(
            cycle=skp.cycle,
            employee=employee,
            holding=new_holding,
            actor=actor,
            period_start=on,
            period_end=skp.cycle.ends_on,
            sequence=sequence,
        )
        affected.append(
            {
                "case_id": new.case_id,
                "document": str(new),
                "what": _("SKP baru untuk jabatan %(position)s")
                % {"position": new_holding.position.name},
            }
        )
    return affected
