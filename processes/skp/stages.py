"""Stage lists for SKP templates: the default seven-phase cycle and the usual extra stages.

Agencies build their own templates from these in the designer (or the shipped agency
configurations); nothing here is agency-specific code.
"""

from __future__ import annotations

from dataclasses import replace

from workflow.spec import BreachAction, Phase, Quorum, Role, StageSpec


def default_stages(*, objection_days: int = 14) -> list[StageSpec]:
    """Return the default SKP template: one stage per phase plus the optional keberatan.

    The discussion stage's SLA is the objection window, so its due date is the last day
    the employee may file a keberatan.
    """
    return [
        StageSpec(
            "draft_plan",
            "Penyusunan rencana SKP",
            Phase.PLAN_DRAFTED,
            Role.EMPLOYEE,
            sla_days=14,
            guards=("plan_complete",),
            form="plan",
        ),
        StageSpec(
            "agree_plan",
            "Persetujuan rencana oleh pejabat penilai",
            Phase.AGREED,
            Role.APPRAISER,
            sla_days=7,
            on_breach=BreachAction.ESCALATE,
            return_to=("draft_plan",),
            guards=("plan_complete", "expectations_complete"),
            form="plan_approval",
        ),
        StageSpec(
            "monitor",
            "Pemantauan kinerja dan bukti dukung",
            Phase.MONITORED,
            Role.EMPLOYEE,
            return_to=("draft_plan",),
            guards=("realisations_complete",),
            form="monitoring",
        ),
        StageSpec(
            "self_assess",
            "Penilaian mandiri",
            Phase.SELF_ASSESSED,
            Role.EMPLOYEE,
            sla_days=7,
            guards=("self_assessment_complete",),
            form="self_assessment",
        ),
        StageSpec(
            "rate",
            "Penilaian oleh pejabat penilai",
            Phase.REVIEWED,
            Role.APPRAISER,
            sla_days=10,
            on_breach=BreachAction.ESCALATE,
            return_to=("self_assess",),
            guards=("ratings_given",),
            form="rating",
        ),
        StageSpec(
            "discuss",
            "Dialog hasil dan tanggapan pegawai",
            Phase.DISCUSSED,
            Role.EMPLOYEE,
            sla_days=objection_days,
            guards=("result_discussed",),
            form="discussion",
        ),
        StageSpec(
            "decide_objection",
            "Keputusan atas keberatan",
            Phase.DISCUSSED,
            Role.APPRAISER_SUPERVISOR,
            sla_days=14,
            on_breach=BreachAction.ESCALATE,
            guards=("objection_decided",),
            optional=True,
            condition="objection_filed",
            form="objection_decision",
        ),
        StageSpec(
            "finalise",
            "Penetapan hasil oleh pengelola kinerja",
            Phase.FINAL,
            Role.HR,
            sla_days=7,
            form="finalisation",
        ),
    ]


def peer_feedback_stage(*, n: int = 2, sla_days: int = 7) -> StageSpec:
    """Return a parallel N-of-M peer feedback stage (runs before the appraiser's rating)."""
    return StageSpec(
        "peer_feedback",
        "Umpan balik rekan kerja",
        Phase.REVIEWED,
        Role.PEERS,
        quorum=Quorum.N_OF_M,
        quorum_n=n,
        sla_days=sla_days,
        optional=True,
        form="peer_feedback",
    )


def team_review_stage(*, team: str, sla_days: int = 10) -> StageSpec:
    """Return an independent team's review after the appraiser's rating (may send it back)."""
    return StageSpec(
        "team_review",
        "Reviu tim penilai kinerja",
        Phase.REVIEWED,
        Role.TEAM,
        team=team,
        sla_days=sla_days,
        return_to=("rate",),
        form="team_review",
    )


def insert_before(stages: list[StageSpec], key: str, stage: StageSpec) -> list[StageSpec]:
    """Return ``stages`` with ``stage`` inserted before the stage ``key``."""
    index = next(i for i, spec in enumerate(stages) if spec.key == key)
    return [*stages[:index], stage, *stages[index:]]


def insert_after(stages: list[StageSpec], key: str, stage: StageSpec) -> list[StageSpec]:
    """Return ``stages`` with ``stage`` inserted after the stage ``key``."""
    index = next(i for i, spec in enumerate(stages) if spec.key == key)
    return [*stages[: index + 1], stage, *stages[index + 1 :]]


def with_guards(stages: list[StageSpec], key: str, *guards: str) -> list[StageSpec]:
    """Return ``stages`` with extra guards on the stage ``key``."""
    return [
        replace(spec, guards=(*spec.guards, *guards)) if spec.key == key else spec
        for spec in stages
    ]
