"""Self-assessed and peer feedback: the employee's own summary, then colleagues' feedback.

Glossary: *penilaian mandiri* is the employee's summary of what each RHK achieved and how
each BerAKHLAK value was shown; *umpan balik rekan kerja* is feedback from peers (holders
of posts reporting to the same post) on the seven values, collected by an optional
parallel stage that needs N of its M peers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from viewflow.workflow.status import STATUS

from processes.skp.access import today_for
from processes.skp.actions.common import (
    case_of,
    lock_skp,
    open_task_for,
    record,
    require_employee,
    require_form,
    require_task,
)
from processes.skp.models import BerAkhlak, PeerFeedback, Rhk, SelfAssessment, Skp
from processes.skp.rules import Rating
from workflow import actions as engine
from workflow import policy
from workflow.errors import ActionForbidden, StepNotAllowed
from workflow.models import Case, WorkItem


class InvalidAssessment(StepNotAllowed):
    """Assessment input that does not validate; ``errors`` maps field names to messages."""

    code = "invalid_assessment"

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(m for messages in errors.values() for m in messages))
        self.errors = errors


@dataclass(frozen=True)
class PeerEntry:
    """One peer's rating of one BerAKHLAK value, with an optional comment."""

    value: str
    rating: str
    text: str = ""


# Tasks of parallel stages --------------------------------------------------------------


@dataclass(frozen=True)
class HeldTask:
    """The task an actor holds on the current stage, or the pool task they may claim."""

    task: WorkItem
    needs_claim: bool
    label: str
    acting_for_id: int | None


def held_or_claimable_task(skp: Skp, actor: Any) -> HeldTask:
    """Return the actor's task on the current stage, or an unclaimed pool task they may take.

    A pool task (peers, a team) may be taken by one of its candidates, by someone acting for
    a candidate today, or by a member of the team it was created for. Raise ActionForbidden
    when the actor has no share in the stage. Reads only; the caller claims.
    """
    case = case_of(skp)
    day = today_for(skp)
    held = open_task_for(skp, actor)
    if held is not None:
        capacity = policy.acting_capacity(actor, case, day, held.owner_id)
        acting_for_id = capacity.acting_for_id if capacity is not None else None
        label = capacity.label if capacity is not None and capacity.label else held.seat_label
        return HeldTask(held, needs_claim=False, label=label, acting_for_id=acting_for_id)
    already = WorkItem.objects.filter(
        process_id=case.pk, visit=case.visit, owner_id=actor.pk
    ).exclude(status=STATUS.CANCELED)
    pool = WorkItem.objects.filter(
        process_id=case.pk,
        visit=case.visit,
        stage_key=case.stage_key,
        status=STATUS.NEW,
        owner__isnull=True,
        is_pool=True,
    ).order_by("pk")
    if not already.exists():
        for task in pool:
            capacity = policy.claim_capacity(actor, case, day, task.candidate_ids)
            group_id = task.data.get("team_group_id")
            if capacity is None and group_id and actor.groups.filter(pk=int(group_id)).exists():
                capacity = policy.Capacity(user_id=actor.pk)
            if capacity is not None:
                return HeldTask(
                    task,
                    needs_claim=True,
                    label=capacity.label or task.seat_label,
                    acting_for_id=capacity.acting_for_id,
                )
    raise ActionForbidden(_("Anda tidak memegang tugas pada tahap ini."))


def claim_if_needed(held: HeldTask, actor: Any) -> WorkItem:
    """Claim the pool task through the engine when the actor does not hold it yet."""
    if held.needs_claim:
        return engine.claim_task(task_id=held.task.pk, actor=actor)
    return held.task


# Self-assessment -------------------------------------------------------------------------


@transaction.atomic
def save_self_assessment(
    *,
    skp_id: int,
    actor: Any,
    rhk_summaries: Mapping[int, str],
    value_summaries: Mapping[str, str],
) -> int:
    """Write the employee's summaries per RHK and per BerAKHLAK value (penilaian mandiri).

    Before: the SKP stands in a self-assessment stage and ``actor`` is its employee. Only
    the keys given change; a blank text removes that summary. Return how many summaries
    changed (one audit row when any did). Raise InvalidAssessment for RHK of another SKP
    or unknown values, ActionForbidden for anyone but the employee.
    """
    skp = lock_skp(skp_id)
    require_form(skp, "self_assessment")
    require_employee(actor, skp)
    errors: dict[str, list[str]] = {}
    own_rhks = set(Rhk.objects.filter(skp=skp).values_list("pk", flat=True))
    unknown_rhks = sorted(int(key) for key in rhk_summaries if int(key) not in own_rhks)
    if unknown_rhks:
        errors["rhk_summaries"] = [
            _("RHK tidak ditemukan pada SKP ini: %(ids)s.")
            % {"ids": ", ".join(str(key) for key in unknown_rhks)}
        ]
    unknown_values = sorted(set(value_summaries) - set(BerAkhlak.values))
    if unknown_values:
        errors["value_summaries"] = [
            _("Nilai tidak dikenal: %(values)s.") % {"values": ", ".join(unknown_values)}
        ]
    if errors:
        raise InvalidAssessment(errors)
    now = timezone.now()
    changed_rhks: list[int] = []
    changed_values: list[str] = []
    for rhk_id, text in sorted(rhk_summaries.items()):
        if _write_summary(skp, {"rhk_id": int(rhk_id)}, text, now):
            changed_rhks.append(int(rhk_id))
    for value, text in sorted(value_summaries.items()):
        if _write_summary(skp, {"value": value}, text, now):
            changed_values.append(value)
    changed = len(changed_rhks) + len(changed_values)
    if changed:
        record(
            skp,
            actor,
            "self_assessment_saved",
            rhks=changed_rhks,
            values=changed_values,
        )
    return changed


def _write_summary(skp: Skp, key: dict[str, Any], text: str, now: Any) -> bool:
    """Create, change or remove one summary; return True when something changed."""
    clean = (text or "").strip()
    row = SelfAssessment.objects.filter(skp=skp, **key).first()
    if row is None:
        if not clean:
            return False
        SelfAssessment.objects.create(skp=skp, text=clean, updated_at=now, **key)
        return True
    if row.text == clean:
        return False
    if clean:
        row.text, row.updated_at = clean, now
        row.save(update_fields=["text", "updated_at"])
    else:
        row.delete()
    return True


@transaction.atomic
def submit_self_assessment(*, skp_id: int, actor: Any, comment: str = "") -> Case:
    """Hand the self-assessment to the reviewers (the engine checks every summary exists).

    Raise GuardFailed listing each missing RHK or value summary.
    """
    skp = lock_skp(skp_id)
    require_form(skp, "self_assessment")
    require_employee(actor, skp)
    task = require_task(skp, actor)
    return engine.complete_task(
        task_id=task.pk, actor=actor, outcome="submitted", comment=(comment or "").strip()
    )


# Peer feedback ---------------------------------------------------------------------------


def _validate_entries(entries: Sequence[PeerEntry]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    seen: set[str] = set()
    general: list[str] = []
    for entry in entries:
        if entry.value not in BerAkhlak.values:
            general.append(_("Nilai tidak dikenal: %(value)s.") % {"value": entry.value})
            continue
        label = BerAkhlak(entry.value).label
        if entry.value in seen:
            general.append(_("Nilai %(value)s diisi lebih dari sekali.") % {"value": label})
            continue
        seen.add(entry.value)
        if entry.rating not in Rating.values:
            errors[entry.value] = [_("Pilih penilaian untuk %(value)s.") % {"value": label}]
    general += [
        _("Umpan balik untuk nilai %(value)s belum diisi.") % {"value": value.label}
        for value in BerAkhlak
        if value.value not in seen
    ]
    if general:
        errors["entries"] = general
    return errors


@transaction.atomic
def give_peer_feedback(
    *, skp_id: int, actor: Any, entries: Sequence[PeerEntry]
) -> list[PeerFeedback]:
    """Give a colleague feedback on all seven values and complete the actor's peer task.

    Before: the SKP stands in a peer feedback stage and the actor holds one of its tasks
    (a pool task they may claim is claimed here). The stage advances once N peers have
    given feedback. Raise ActionForbidden for anyone without a share in the stage,
    InvalidAssessment when a value is missing, repeated, unknown or unrated.
    """
    skp = lock_skp(skp_id)
    require_form(skp, "peer_feedback")
    held = held_or_claimable_task(skp, actor)
    errors = _validate_entries(entries)
    if errors:
        raise InvalidAssessment(errors)
    task = claim_if_needed(held, actor)
    now = timezone.now()
    order = {value: index for index, value in enumerate(BerAkhlak.values)}
    # A peer asked again (the stage was entered anew after a return) replaces their
    # earlier feedback: one row per peer and value.
    rows = [
        PeerFeedback.objects.update_or_create(
            skp=skp,
            author=actor,
            value=entry.value,
            defaults={
                "rating": entry.rating,
                "text": (entry.text or "").strip(),
                "created_at": now,
            },
        )[0]
        for entry in sorted(entries, key=lambda entry: order[entry.value])
    ]
    record(
        skp,
        actor,
        "peer_feedback_given",
        capacity=held.label,
        acting_for_id=held.acting_for_id,
        ratings={row.value: row.rating for row in rows},
    )
    engine.complete_task(task_id=task.pk, actor=actor, outcome="feedback_given")
    return rows
