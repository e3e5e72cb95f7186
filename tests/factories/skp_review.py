"""Walk SKPs through self-assessment, review, discussion and finalisation with the real actions.

Builds on ``tests.factories.skp`` (plans) and ``tests.factories.skp_monitoring`` (the
monitored phase). Each helper acts as the person the step belongs to:

- ``to_self_assessment(world, who)``: agree the plans of ``who``'s chain of appraisers and
  ``who``'s own plan, then monitor the whole period; the SKP stands in self-assessment.
- ``self_assess(world, who)``: summarise every RHK and value and submit.
- ``to_rating(world, who)``: both of the above.
- ``record_result(world, unit, predikat)``: the unit's organisation predikat, by the leader
  one level up.
- ``rate(world, who, hasil, perilaku)``: rate as the appraiser and submit.
- ``discuss(world, who)``: record the result dialog as the appraiser.
- ``to_discussion(world, who, ...)``: everything up to an SKP waiting for the employee's
  answer, the dialog recorded.
- ``finalise(world, who)``: take the HR pool task and fix the result; the SKP closes.
- ``build_team_world()`` / ``team_member(world, n)``: the standard world on a template with
  the evaluation team's review after the rating, and the team's two members.
- ``events(world, who, event)`` / ``audit_rows(world, who)``: read the audit trail.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib.auth.models import Group

from processes.organisation.models import User
from processes.skp.access import today_for
from processes.skp.actions import assessment, final, monitoring, review
from processes.skp.actions import cycle as cycle_actions
from processes.skp.actions.common import current_form
from processes.skp.models import BerAkhlak, OrganisationResult, Perspective, Rhk, UnitGoal
from processes.skp.rules import Rating
from processes.skp.stages import default_stages, insert_after, team_review_stage
from tests.factories.organisation import build_org
from tests.factories.skp import (
    APPRAISER,
    YEAR,
    SkpWorld,
    add_top,
    agree_chain,
    publish_skp_template,
)
from tests.factories.skp_monitoring import monitor_fully
from workflow import actions as engine
from workflow.models import AuditCode, AuditEntry, Team

# Whose plans must be agreed, in order, before each person's (the cascade top-down).
CHAIN = {
    "kadis": ["kadis"],
    "sekdis": ["kadis", "sekdis"],
    "kabid": ["kadis", "kabid"],
    "kasi": ["kadis", "kabid", "kasi"],
    "guru": ["kadis", "kabid", "guru"],
    "staf1": ["kadis", "kabid", "kasi", "staf1"],
    "staf2": ["kadis", "kabid", "kasi", "staf2"],
    "staf3": ["kadis", "kabid", "kasi", "staf3"],
}

# Who records each unit's organisation predikat: the leader one level above the unit head.
LEADER_OF_UNIT = {"DISDIK": "sekda", "SEKRE": "kadis", "BID-SD": "kadis", "SEK-KUR": "kabid"}

# Who decides each person's keberatan: their appraiser's own appraiser.
SUPERVISOR = {who: APPRAISER[boss] for who, boss in APPRAISER.items() if boss in APPRAISER}


TEAM_CODE = "tpk"
TEAM_NAME = "Tim Penilai Kinerja"


def build_team_world(*, code: str = "uji", open_now: bool = True) -> SkpWorld:
    """Build the standard world on a template with the team's review after the rating.

    The agency's evaluation team (``TEAM_CODE``) has two members without an SKP of their
    own, ``tim1`` and ``tim2`` (reach them with ``team_member(world, n)``); the team must
    exist before a template naming it can be published.
    """
    org = build_org(code=code)
    add_top(org)
    group = Group.objects.create(name=f"{code}:{TEAM_CODE}")
    for number in (1, 2):
        group.user_set.add(
            User.objects.create_user(
                f"tim{number}-{code}",
                password="x",
                agency=org.agency,
                first_name=f"Anggota Tim {number}",
            )
        )
    Team.objects.create(tenant=org.agency, code=TEAM_CODE, name=TEAM_NAME, group=group)
    stages = insert_after(default_stages(), "rate", team_review_stage(team=TEAM_CODE))
    template = publish_skp_template(org, stages, code="skp-tim")
    cycle = cycle_actions.create_cycle(
        actor=org.admin,
        agency=org.agency,
        year=YEAR,
        name=f"SKP Tahunan {YEAR}",
        template=template,
        period_type="quarterly",
        units=[org.units["DISDIK"]],
    )
    goals = [
        UnitGoal.objects.create(
            agency=org.agency,
            unit=org.units["DISDIK"],
            year=YEAR,
            code="SS1",
            text="Meningkatnya mutu lulusan pendidikan dasar",
            perspective=Perspective.PENERIMA_LAYANAN,
        )
    ]
    if open_now:
        cycle_actions.open_cycle_now(cycle_id=cycle.pk, actor=org.admin)
    return SkpWorld(org=org, template=template, cycle=cycle, goals=goals)


def team_member(world: SkpWorld, number: int) -> User:
    """Return member ``number`` (1 or 2) of the world's evaluation team."""
    return User.objects.get(username=f"tim{number}-{world.org.agency.code}")


def agree_for(world: SkpWorld, *people: str) -> None:
    """Agree the plans of ``people`` and of everyone above them, each once, top-down."""
    done: list[str] = []
    for who in people:
        for person in CHAIN[who]:
            if person not in done and current_form(world.skp(person)) == "plan":
                agree_chain(world, person)
            done.append(person)


def monitor(
    world: SkpWorld, who: str, hasil: str = Rating.AS_EXPECTED, perilaku: str = Rating.AS_EXPECTED
) -> None:
    """Run ``who``'s monitored phase to its end with the monitoring actions.

    Each period's realisation is a quarter of the target and each period is rated
    ``hasil`` / ``perilaku`` (see ``tests.factories.skp_monitoring.monitor_fully``).
    """
    monitor_fully(world, who, hasil=hasil, perilaku=perilaku)


def summaries(world: SkpWorld, who: str) -> tuple[dict[int, str], dict[str, str]]:
    """Return complete self-assessment texts for ``who``'s RHK and the seven values."""
    rhks = {
        rhk.pk: f"Capaian {rhk.text.lower()} sesuai target."
        for rhk in Rhk.objects.filter(skp=world.skp(who))
    }
    values = {
        str(value.value): f"Menunjukkan perilaku {value.label} dalam tugas." for value in BerAkhlak
    }
    return rhks, values


def self_assess(world: SkpWorld, who: str) -> None:
    """Write every summary and submit the self-assessment as the employee."""
    skp = world.skp(who)
    rhks, values = summaries(world, who)
    assessment.save_self_assessment(
        skp_id=skp.pk, actor=world.user(who), rhk_summaries=rhks, value_summaries=values
    )
    assessment.submit_self_assessment(skp_id=skp.pk, actor=world.user(who))


def to_self_assessment(world: SkpWorld, who: str) -> None:
    """Agree the plans ``who`` needs and monitor ``who``'s whole period."""
    agree_for(world, who)
    monitor(world, who)


def to_rating(world: SkpWorld, who: str) -> None:
    """Bring ``who``'s SKP to the stage after self-assessment."""
    to_self_assessment(world, who)
    self_assess(world, who)


def record_result(
    world: SkpWorld, unit: str, predikat: str, *, period_index: int | None = None
) -> OrganisationResult:
    """Record ``unit``'s organisation predikat as the leader one level up."""
    return review.record_organisation_result(
        actor=world.user(LEADER_OF_UNIT[unit]),
        cycle=world.cycle,
        unit=world.org.units[unit],
        predikat=predikat,
        period_index=period_index,
    )


def rate(
    world: SkpWorld,
    who: str,
    hasil: str = Rating.AS_EXPECTED,
    perilaku: str = Rating.AS_EXPECTED,
    *,
    justification: str = "",
    submit: bool = True,
) -> None:
    """Rate ``who`` as the appraiser and (unless ``submit`` is False) submit the rating."""
    skp = world.skp(who)
    appraiser = world.user(APPRAISER[who])
    review.rate_skp(
        skp_id=skp.pk,
        actor=appraiser,
        rating_hasil=hasil,
        rating_perilaku=perilaku,
        justification=justification,
    )
    if submit:
        review.submit_rating(skp_id=skp.pk, actor=appraiser)


def discuss(world: SkpWorld, who: str, *, held_on: datetime.date | None = None) -> Any:
    """Record the result dialog with ``who`` as the appraiser (today unless ``held_on``)."""
    skp = world.skp(who)
    return monitoring.record_dialog(
        skp_id=skp.pk,
        actor=world.user(APPRAISER[who]),
        kind="result",
        held_on=held_on or today_for(skp),
        agenda="Pembahasan hasil penilaian kinerja tahunan",
        outcome="Pegawai memahami hasil penilaian dan catatan pengembangannya",
    )


def to_discussion(
    world: SkpWorld,
    who: str,
    hasil: str = Rating.AS_EXPECTED,
    perilaku: str = Rating.AS_EXPECTED,
    *,
    justification: str = "Unit belum lengkap dinilai.",
) -> None:
    """Bring ``who``'s SKP to the discussion stage with the result dialog recorded."""
    to_rating(world, who)
    rate(world, who, hasil, perilaku, justification=justification)
    discuss(world, who)


def finalise(world: SkpWorld, who: str, *, note: str = "") -> None:
    """Take the HR pool task and fix the result as the agency's HR admin (the SKP closes)."""
    task = world.task(who)
    if task.owner_id is None:
        engine.claim_task(task_id=task.pk, actor=world.org.admin)
    final.finalise_skp(skp_id=world.skp(who).pk, actor=world.org.admin, follow_up_note=note)


# Reading the audit trail in tests -------------------------------------------------------------


def events(world: SkpWorld, who: str, event: str) -> list[AuditEntry]:
    """Return the SKP process events named ``event`` on ``who``'s case, oldest first."""
    return list(
        AuditEntry.objects.filter(
            case=world.case(who), code=AuditCode.PROCESS_EVENT, payload__event=event
        ).order_by("sequence")
    )


def audit_rows(world: SkpWorld, who: str) -> int:
    """Return how many audit rows ``who``'s case has (to prove a refusal wrote nothing)."""
    return AuditEntry.objects.filter(case=world.case(who)).count()
