"""Ready-made stage lists: the default seven-stage template and two common variants.

They use only the engine's role vocabulary; a process may register its own guards and
conditions and ship richer templates of its own.
"""

from __future__ import annotations

from dataclasses import replace

from workflow.spec import BreachAction, Phase, Quorum, Role, StageSpec


def default_stages(*, guards: dict[str, tuple[str, ...]] | None = None) -> list[StageSpec]:
    """Return the default template: one stage per lifecycle phase.

    ``guards`` maps stage keys to guard names the process registers.
    """
    named = guards or {}
    stages = [
        StageSpec("draft_plan", "Menyusun rencana", Phase.PLAN_DRAFTED, Role.EMPLOYEE, sla_days=14),
        StageSpec(
            "agree_plan",
            "Menyetujui rencana",
            Phase.AGREED,
            Role.APPRAISER,
            sla_days=7,
            on_breach=BreachAction.ESCALATE,
            return_to=("draft_plan",),
        ),
        StageSpec("monitor", "Pemantauan dan bukti dukung", Phase.MONITORED, Role.EMPLOYEE),
        StageSpec(
            "self_assess", "Penilaian mandiri", Phase.SELF_ASSESSED, Role.EMPLOYEE, sla_days=7
        ),
        StageSpec(
            "rate",
            "Penilaian oleh pejabat penilai",
            Phase.REVIEWED,
            Role.APPRAISER,
            sla_days=10,
            on_breach=BreachAction.ESCALATE,
            return_to=("self_assess",),
        ),
        StageSpec("discuss", "Dialog hasil", Phase.DISCUSSED, Role.EMPLOYEE, sla_days=14),
        StageSpec("finalise", "Penetapan", Phase.FINAL, Role.HR, sla_days=7),
    ]
    return [replace(stage, guards=named.get(stage.key, stage.guards)) for stage in stages]


def with_peer_stage(stages: list[StageSpec], *, n: int = 2) -> list[StageSpec]:
    """Insert an optional parallel N-of-M peer feedback stage before the appraiser's rating."""
    peer = StageSpec(
        "peer_feedback",
        "Umpan balik rekan kerja",
        Phase.REVIEWED,
        Role.PEERS,
        quorum=Quorum.N_OF_M,
        quorum_n=n,
        sla_days=7,
        optional=True,
    )
    index = next(i for i, stage in enumerate(stages) if stage.key == "rate")
    return [*stages[:index], peer, *stages[index:]]


def with_team_stage(stages: list[StageSpec], *, team: str) -> list[StageSpec]:
    """Insert an independent team review right after the appraiser's rating."""
    review = StageSpec(
        "team_review",
        "Reviu tim independen",
        Phase.REVIEWED,
        Role.TEAM,
        team=team,
        sla_days=10,
        return_to=("rate",),
    )
    index = next(i for i, stage in enumerate(stages) if stage.key == "rate")
    return [*stages[: index + 1], review, *stages[index + 1 :]]
