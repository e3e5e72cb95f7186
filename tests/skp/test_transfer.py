"""Mid-year transfers: the old SKP keeps its partial period, a new SKP opens for the new post."""

from __future__ import annotations

import datetime

import pytest

from processes.organisation import actions as org_actions
from processes.skp.actions import plan as plan_actions
from processes.skp.models import Skp
from tests.factories.skp import SkpWorld, agree_chain, build_skp_world
from workflow.doctor import diagnose
from workflow.spec import Phase

ON = datetime.date(2026, 7, 1)


@pytest.fixture
def world(db: None) -> SkpWorld:
    return build_skp_world()


def test_transfer_after_agreement_shortens_the_old_skp_and_opens_a_new_one(world: SkpWorld) -> None:
    agree_chain(world, "kadis", "kabid", "kasi", "staf1")
    old = world.skp("staf1")

    change = org_actions.transfer_employee(
        actor=world.org.admin,
        employee=world.org.people["staf1"],
        position=world.org.positions["GURU"],
        on=ON,
        reason="Mutasi ke jabatan fungsional",
    )

    old.refresh_from_db()
    new = Skp.objects.get(cycle=world.cycle, employee=world.org.people["staf1"], sequence=2)
    assert (old.period_start, old.period_end, old.closed_reason) == (
        datetime.date(2026, 1, 1),
        datetime.date(2026, 6, 30),
        "Mutasi ke Pengembang Kurikulum Ahli Pertama mulai 2026-07-01",
    )
    assert (new.period_start, new.period_end, new.position.code) == (
        ON,
        datetime.date(2026, 12, 31),
        "GURU",
    )
    assert new.case is not None
    assert (new.case.stage_key, new.case.title) == (
        "draft_plan",
        "SKP 2026 Andi Pratama (Pengembang Kurikulum Ahli Pertama)",
    )
    assert world.case("staf1").phase == Phase.MONITORED
    assert [(doc["case_id"], doc["what"]) for doc in change.affected] == [
        (old.case_id, "periode dipersingkat sampai 2026-06-30; dinilai oleh atasan lama"),
        (new.case_id, "SKP baru untuk jabatan Pengembang Kurikulum Ahli Pertama"),
    ]
    # The old SKP's appraiser stays the one of its own period; the new one cascades
    # under the new appraiser's plan.
    assert plan_actions.appraiser_skp(old) == world.skp("kasi")
    assert plan_actions.appraiser_skp(new) == world.skp("kabid")
    assert diagnose(world.case("staf1")) == []
    assert diagnose(new.case) == []


def test_transfer_before_the_plan_is_agreed_cancels_the_old_skp(world: SkpWorld) -> None:
    old = world.skp("staf2")

    change = org_actions.transfer_employee(
        actor=world.org.admin,
        employee=world.org.people["staf2"],
        position=world.org.positions["GURU"],
        on=datetime.date(2026, 2, 1),
        reason="Mutasi",
    )

    old.refresh_from_db()
    assert old.case is not None
    assert (old.case.phase, old.period_end) == (Phase.CANCELLED, datetime.date(2026, 1, 31))
    new = Skp.objects.get(employee=world.org.people["staf2"], sequence=2)
    assert new.period_start == datetime.date(2026, 2, 1)
    assert [doc["what"] for doc in change.affected] == [
        "dibatalkan karena rencana belum disetujui sebelum mutasi",
        "SKP baru untuk jabatan Pengembang Kurikulum Ahli Pertama",
    ]
