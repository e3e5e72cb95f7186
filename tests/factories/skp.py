"""Build SKP state for tests through the real actions (organisation, designer, cycle, plan).

``build_skp_world`` extends ``build_org`` with a regional secretary above the head of the
agency (so every enrolled employee has an appraiser), an SKP template on the default stages,
unit goals, and a quarterly cycle for 2026 opened for the Dinas: eight SKPs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from processes.organisation import actions as org_actions
from processes.organisation.models import PositionKind, User
from processes.skp.actions import cycle as cycle_actions
from processes.skp.actions import plan as plan_actions
from processes.skp.models import BerAkhlak, Cycle, Perspective, Rhk, Skp, UnitGoal
from processes.skp.process import KIND
from processes.skp.stages import default_stages
from tests.factories.organisation import Org, build_org
from workflow.designer import create_template, publish_template
from workflow.models import Case, WorkflowTemplate, WorkItem
from workflow.spec import StageSpec

YEAR = 2026


@dataclass
class SkpWorld:
    """An organisation, its SKP template and an open cycle with one SKP per employee."""

    org: Org
    template: WorkflowTemplate
    cycle: Cycle
    goals: list[UnitGoal] = field(default_factory=list)

    def skp(self, who: str) -> Skp:
        return Skp.objects.select_related("case").get(
            cycle=self.cycle, employee=self.org.people[who], sequence=1
        )

    def case(self, who: str) -> Case:
        """Return the engine case of ``who``'s SKP, freshly read."""
        case = self.skp(who).case
        assert case is not None
        return case

    def user(self, who: str) -> User:
        return self.org.user(who)

    def task(self, who: str) -> WorkItem:
        """Return the open task of ``who``'s SKP's current stage (exactly one expected)."""
        skp = self.skp(who)
        assert skp.case is not None
        skp.case.refresh_from_db()
        return WorkItem.objects.get(
            process_id=skp.case_id,
            visit=skp.case.visit,
            status__in=["NEW", "ASSIGNED", "STARTED"],
        )


def add_top(org: Org) -> None:
    """Add the regional secretary above the head of the agency."""
    setda = org_actions.create_unit(
        actor=org.admin, agency=org.agency, code="SETDA", name="Sekretariat Daerah"
    )
    org.units["SETDA"] = setda
    org.positions["SEKDA"] = org_actions.create_position(
        actor=org.admin,
        agency=org.agency,
        unit=setda,
        code="SEKDA",
        name="Sekretaris Daerah",
        kind=PositionKind.JPT,
        is_unit_head=True,
    )
    org.hire("sekda", "SEKDA", "Dr. Ir. Hamka Arbie")
    org_actions.correct_reporting_line(
        actor=org.admin,
        position=org.positions["KADIS"],
        reports_to=org.positions["SEKDA"],
        reason="Kepala dinas melapor ke sekretaris daerah",
    )


def publish_skp_template(
    org: Org, stages: Sequence[StageSpec] | None = None, code: str = "skp-standar"
) -> WorkflowTemplate:
    """Create and publish an SKP template for the agency."""
    template = create_template(
        tenant_id=org.agency.pk,
        process_kind=KIND,
        code=code,
        name="SKP standar",
        actor=org.admin,
        stages=list(stages or default_stages()),
    )
    publish_template(template_id=template.pk, actor=org.admin)
    return template


def build_skp_world(
    stages: Sequence[StageSpec] | None = None, *, code: str = "uji", open_now: bool = True
) -> SkpWorld:
    """Build the world in the module docstring (optionally on other stages)."""
    org = build_org(code=code)
    add_top(org)
    template = publish_skp_template(org, stages)
    goals = [
        UnitGoal.objects.create(
            agency=org.agency,
            unit=org.units["DISDIK"],
            year=YEAR,
            code=f"SS{index}",
            text=text,
            perspective=perspective,
        )
        for index, (text, perspective) in enumerate(
            [
                ("Meningkatnya mutu lulusan pendidikan dasar", Perspective.PENERIMA_LAYANAN),
                ("Meningkatnya tata kelola layanan pendidikan", Perspective.PROSES_BISNIS),
            ],
            start=1,
        )
    ]
    cycle = cycle_actions.create_cycle(
        actor=org.admin,
        agency=org.agency,
        year=YEAR,
        name=f"SKP Tahunan {YEAR}",
        template=template,
        period_type="quarterly",
        units=[org.units["DISDIK"]],
    )
    world = SkpWorld(org=org, template=template, cycle=cycle, goals=goals)
    if open_now:
        cycle_actions.open_cycle_now(cycle_id=cycle.pk, actor=org.admin)
    return world


EXPECTATIONS = {
    str(value.value): f"Menunjukkan perilaku {value.label} dalam layanan pendidikan."
    for value in BerAkhlak
}


def draft_plan(world: SkpWorld, who: str, *, rhk_count: int = 1) -> list[Rhk]:
    """Draft a complete plan for ``who`` as the employee (linked to the appraiser's plan)."""
    skp = world.skp(who)
    actor = world.user(who)
    parents = plan_actions.cascade_options(skp)
    rhks = []
    for index in range(rhk_count):
        if skp.is_jpt:
            rhk = plan_actions.save_rhk(
                skp_id=skp.pk,
                actor=actor,
                text=f"Terwujudnya sasaran {index + 1} Dinas Pendidikan",
                unit_goal_id=world.goals[index % len(world.goals)].pk,
                perspective=world.goals[index % len(world.goals)].perspective,
            )
        else:
            rhk = plan_actions.save_rhk(
                skp_id=skp.pk,
                actor=actor,
                text=f"Tersusunnya dokumen kurikulum {index + 1}",
                parent_id=parents[index % len(parents)].pk,
            )
        plan_actions.save_indicator(
            skp_id=skp.pk,
            actor=actor,
            rhk_id=rhk.pk,
            text=f"Jumlah dokumen kurikulum {index + 1} yang disahkan",
            aspect="kuantitas",
            target_value=Decimal(4),
            target_unit="dokumen",
        )
        rhks.append(rhk)
    return rhks


def agree_plan(world: SkpWorld, who: str, appraiser: str, *, rhk_count: int = 1) -> None:
    """Draft, submit and approve ``who``'s plan (the appraiser writes expectations first)."""
    draft_plan(world, who, rhk_count=rhk_count)
    skp = world.skp(who)
    plan_actions.submit_plan(skp_id=skp.pk, actor=world.user(who))
    plan_actions.save_expectations(
        skp_id=skp.pk, actor=world.user(appraiser), expectations=dict(EXPECTATIONS)
    )
    plan_actions.approve_plan(skp_id=skp.pk, actor=world.user(appraiser))


# Who appraises whom in build_org + add_top.
APPRAISER = {
    "kadis": "sekda",
    "sekdis": "kadis",
    "kabid": "kadis",
    "kasi": "kabid",
    "guru": "kabid",
    "staf1": "kasi",
    "staf2": "kasi",
    "staf3": "kasi",
}


def agree_chain(world: SkpWorld, *people: str) -> None:
    """Agree the plans of ``people`` in the order given (appraisers' plans first)."""
    for who in people:
        agree_plan(world, who, APPRAISER[who])
