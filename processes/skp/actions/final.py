"""Final: the HR officer fixes the result; the SKP locks and its follow-up is derived."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from processes.organisation.models import PositionKind
from processes.skp import rules
from processes.skp.actions.common import lock_skp, record, require_form
from processes.skp.models import Skp
from processes.skp.process import settings_for
from workflow import actions as engine
from workflow.errors import StepNotAllowed
from workflow.models import Case
from workflow.spec import Phase, StageSpec


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


# Reopening ---------------------------------------------------------------------------------

# Where HR may send a final SKP back: a stage of these phases (the rating onwards).
_REOPEN_PHASES = (Phase.REVIEWED, Phase.DISCUSSED, Phase.FINAL)


def reopen_targets(skp: Skp) -> list[StageSpec]:
    """Return the stages a final SKP may be reopened at, in template order.

    The rating and what follows it in the SKP's own template version, except optional
    stages (a keberatan decision needs a keberatan; peers' feedback is not a correction).
    """
    case = skp.case
    if case is None:
        return []
    return [
        spec
        for spec in case.template_version.specs()
        if spec.phase in _REOPEN_PHASES and not spec.optional
    ]


@transaction.atomic
def reopen_skp(*, skp_id: int, actor: Any, reason: str, to_stage: str) -> Case:
    """Reopen a final SKP at ``to_stage`` with a written reason (HR only, audited).

    Before: the SKP is final and locked; ``actor`` administers its agency (the engine
    checks, inside its own lock); ``to_stage`` is one of ``reopen_targets``. Written: the
    engine reopens the case at that stage (audit row ``case_reopened`` with the reason) and
    the SKP unlocks; the earlier results stay in its history. Raise InvalidReopening for an
    unknown stage, ReasonRequired without a reason, ActionForbidden for anyone but HR.
    """
    skp = lock_skp(skp_id)
    allowed = {spec.key for spec in reopen_targets(skp)}
    if to_stage not in allowed:
        raise InvalidReopening({"to_stage": [_("Pilih tahap tempat SKP dibuka kembali.")]})
    assert skp.case_id is not None
    return engine.reopen_case(case_id=skp.case_id, actor=actor, reason=reason, to_stage=to_stage)


class InvalidReopening(StepNotAllowed):
    """A reopening that names no allowed stage; ``errors`` maps fields to messages."""

    code = "invalid_reopening"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors
