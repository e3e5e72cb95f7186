"""Final: the HR officer fixes the result; the SKP locks and its follow-up is derived."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from processes.organisation.models import PositionKind
from processes.skp import rules
from processes.skp.actions.common import lock_skp, record, require_form
from processes.skp.models import Skp
from processes.skp.process import settings_for
from workflow import actions as engine
from workflow.models import Case


def coefficients_for(agency_id: int) -> dict[str, Decimal]:
    """Return the credit-point coefficients: the national table with the agency's overrides."""
    table = dict(rules.DEFAULT_LEVEL_COEFFICIENTS)
    for level, value in (settings_for(agency_id).credit_coefficients or {}).items():
        table[str(level)] = Decimal(str(value))
    return table


def conclude_skp(skp: Skp) -> Skp:
    """Lock the SKP and derive credit points (functional posts) and the follow-up.

    Called by the engine when the SKP's case closes, inside that transaction. Credit points
    are pro-rated by the months the SKP covers (DOMAIN.md section 6).
    """
    skp.finalised_at = timezone.now()
    fields = ["finalised_at"]
    if skp.predikat:
        predikat = rules.Predikat(skp.predikat)
        if skp.position.kind == PositionKind.FUNGSIONAL and skp.position.functional_level:
            months = rules.months_covered(skp.period_start, skp.period_end)
            skp.credit_points = rules.credit_points(
                predikat,
                skp.position.functional_level,
                months,
                coefficients_for(skp.agency_id),
            )
            fields.append("credit_points")
        choice = settings_for(skp.agency_id)
        skp.follow_up = rules.follow_up_for(
            predikat, below_expectation=rules.FollowUp(choice.below_expectation_follow_up)
        )
        fields.append("follow_up")
    skp.save(update_fields=fields)
    if skp.case is not None:
        record(
            skp,
            None,
            "skp_concluded",
            predikat=skp.predikat,
            credit_points=str(skp.credit_points) if skp.credit_points is not None else None,
            follow_up=skp.follow_up,
        )
    return skp


@transaction.atomic
def finalise_skp(*, skp_id: int, actor: Any, follow_up_note: str = "") -> Case:
    """Fix the result as the agency's performance officer (penetapan); the SKP locks.

    The HR stage is a claimable pool: an HR officer who has not claimed its task yet takes
    it here (through the engine, audited) and completes it in the same transaction.
    """
    from processes.skp.actions.assessment import claim_if_needed, held_or_claimable_task

    skp = lock_skp(skp_id)
    require_form(skp, "finalisation")
    task = claim_if_needed(held_or_claimable_task(skp, actor), actor)
    if follow_up_note.strip():
        skp.follow_up_note = follow_up_note.strip()
        skp.save(update_fields=["follow_up_note"])
    return engine.complete_task(task_id=task.pk, actor=actor, outcome="finalised")
