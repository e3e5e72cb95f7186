"""Plan drafted and agreed: cycle opening, cascading, submission, approval, return, revision."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from processes.organisation import actions as org_actions
from processes.organisation.models import EmployeeStatus
from processes.skp.actions import cycle as cycle_actions
from processes.skp.actions import plan as plan_actions
from processes.skp.models import Indicator, IndicatorTemplate, PlanVersion, Rhk, Skp
from tests.factories.organisation import make_agency
from tests.factories.skp import EXPECTATIONS, SkpWorld, agree_chain, build_skp_world, draft_plan
from workflow.errors import ActionForbidden, GuardFailed, ReasonRequired, StepNotAllowed
from workflow.models import AuditCode, AuditEntry, WorkItem
from workflow.spec import Phase


@pytest.fixture
def world(db: None) -> SkpWorld:
    return build_skp_world()


def test_opening_enrols_every_active_employee_of_the_units_once(world: SkpWorld) -> None:
    skps = Skp.objects.filter(cycle=world.cycle).select_related("case", "employee")
    assert sorted(s.employee.name for s in skps) == sorted(
        p.name for key, p in world.org.people.items() if key != "sekda"
    )
    assert {(s.case.stage_key, s.case.phase) for s in skps if s.case} == {
        ("draft_plan", Phase.PLAN_DRAFTED)
    }
    assert {(s.period_start, s.period_end) for s in skps} == {
        (datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    }
    staff = world.skp("staf1")
    assert world.task("staf1").owner_id == world.user("staf1").pk
    assert str(staff) == "SKP 2026 Andi Pratama"

    assert cycle_actions.open_cycle_now(cycle_id=world.cycle.pk, actor=world.org.admin) == 8
    assert Skp.objects.filter(cycle=world.cycle).count() == 8


def test_excluded_statuses_stay_out_of_a_cycle(db: None) -> None:
    world = build_skp_world(open_now=False)
    org_actions.set_employee_status(
        actor=world.org.admin,
        employee=world.org.people["guru"],
        status=EmployeeStatus.STUDY_LEAVE,
        starts_on=datetime.date(2026, 1, 1),
        reference="SK 1",
    )

    cycle_actions.open_cycle_now(cycle_id=world.cycle.pk, actor=world.org.admin)

    assert Skp.objects.filter(cycle=world.cycle).count() == 7
    assert not Skp.objects.filter(employee=world.org.people["guru"]).exists()


def test_rhk_cannot_link_before_the_appraisers_plan_is_agreed(world: SkpWorld) -> None:
    skp = world.skp("staf1")
    with pytest.raises(plan_actions.InvalidPlan) as raised:
        plan_actions.save_rhk(skp_id=skp.pk, actor=world.user("staf1"), text="Dokumen kurikulum")
    assert raised.value.errors == {
        "parent": ["Rencana pejabat penilai belum disetujui; RHK belum dapat dihubungkan."]
    }
    assert Rhk.objects.filter(skp=skp).count() == 0


def test_jpt_rhk_needs_a_perspective_and_a_unit_goal(world: SkpWorld) -> None:
    skp = world.skp("kadis")
    with pytest.raises(plan_actions.InvalidPlan) as raised:
        plan_actions.save_rhk(skp_id=skp.pk, actor=world.user("kadis"), text="Mutu pendidikan")
    assert raised.value.errors == {
        "perspective": ["Pilih salah satu dari empat perspektif."],
        "unit_goal": ["Pilih sasaran unit tempat RHK ini bergantung."],
    }
    assert Rhk.objects.filter(skp=skp).count() == 0


def test_plans_cascade_top_down_and_links_are_structured(world: SkpWorld) -> None:
    agree_chain(world, "kadis", "kabid", "kasi")
    kadis_rhk = Rhk.objects.get(skp=world.skp("kadis"))
    kabid_rhk = Rhk.objects.get(skp=world.skp("kabid"))
    kasi_rhk = Rhk.objects.get(skp=world.skp("kasi"))

    assert (kabid_rhk.parent_id, kasi_rhk.parent_id) == (kadis_rhk.pk, kabid_rhk.pk)
    assert plan_actions.cascade_options(world.skp("staf1")) == [kasi_rhk]
    # A staff member cannot hang an RHK under someone else's plan.
    with pytest.raises(plan_actions.InvalidPlan) as raised:
        plan_actions.save_rhk(
            skp_id=world.skp("staf1").pk,
            actor=world.user("staf1"),
            text="Dokumen",
            parent_id=kabid_rhk.pk,
        )
    assert raised.value.errors == {"parent": ["Pilih satu RHK pejabat penilai yang diintervensi."]}


def test_submitting_an_incomplete_plan_is_refused_with_every_gap(world: SkpWorld) -> None:
    agree_chain(world, "kadis", "kabid", "kasi")
    skp = world.skp("staf1")
    parent = plan_actions.cascade_options(skp)[0]
    plan_actions.save_rhk(
        skp_id=skp.pk,
        actor=world.user("staf1"),
        text="Tambahan",
        kind="tambahan",
        parent_id=parent.pk,
    )
    task = world.task("staf1")

    with pytest.raises(GuardFailed) as raised:
        plan_actions.submit_plan(skp_id=skp.pk, actor=world.user("staf1"))

    assert raised.value.problems == [
        "Rencana belum punya RHK utama.",
        "RHK 1 belum punya indikator.",
    ]
    task.refresh_from_db()
    assert (task.status, world.case("staf1").stage_key) == ("ASSIGNED", "draft_plan")


def test_submit_return_fix_resubmit_approve(world: SkpWorld) -> None:
    agree_chain(world, "kadis", "kabid", "kasi")
    skp = world.skp("staf1")
    draft_plan(world, "staf1")
    plan_actions.submit_plan(skp_id=skp.pk, actor=world.user("staf1"), comment="Mohon diperiksa")
    assert world.case("staf1").stage_key == "agree_plan"
    assert world.task("staf1").owner_id == world.user("kasi").pk

    with pytest.raises(ReasonRequired):
        plan_actions.return_plan(skp_id=skp.pk, actor=world.user("kasi"), reason="  ")
    plan_actions.return_plan(
        skp_id=skp.pk, actor=world.user("kasi"), reason="Target terlalu rendah"
    )
    assert world.case("staf1").stage_key == "draft_plan"
    returned = AuditEntry.objects.get(case=world.case("staf1"), code=AuditCode.CASE_RETURNED)
    assert (returned.actor_id, returned.reason, returned.from_stage, returned.to_stage) == (
        world.user("kasi").pk,
        "Target terlalu rendah",
        "agree_plan",
        "draft_plan",
    )

    indicator = Rhk.objects.get(skp=skp).indicators.get()
    plan_actions.save_indicator(
        skp_id=skp.pk,
        actor=world.user("staf1"),
        rhk_id=indicator.rhk_id,
        indicator_id=indicator.pk,
        text=indicator.text,
        aspect="kuantitas",
        target_value="6",
        target_unit="dokumen",
    )
    plan_actions.submit_plan(skp_id=skp.pk, actor=world.user("staf1"))
    with pytest.raises(GuardFailed) as raised:
        plan_actions.approve_plan(skp_id=skp.pk, actor=world.user("kasi"))
    assert raised.value.problems[0] == (
        "Ekspektasi khusus untuk Berorientasi Pelayanan belum diisi."
    )
    assert len(raised.value.problems) == 7
    plan_actions.save_expectations(
        skp_id=skp.pk, actor=world.user("kasi"), expectations=dict(EXPECTATIONS)
    )
    version = plan_actions.approve_plan(skp_id=skp.pk, actor=world.user("kasi"))

    assert (version.number, version.reason, version.agreed_by) == (1, "", world.user("kasi"))
    assert version.snapshot["rhks"][0]["indicators"][0]["target_value"] == "6.00"
    assert len(version.snapshot["expectations"]) == 7
    case = world.case("staf1")
    assert (case.stage_key, case.phase) == ("monitor", Phase.MONITORED)


def test_only_the_employee_drafts_and_only_the_appraiser_approves(world: SkpWorld) -> None:
    agree_chain(world, "kadis", "kabid", "kasi")
    skp = world.skp("staf1")
    parent = plan_actions.cascade_options(skp)[0]
    for intruder in ("staf2", "kasi", "kabid"):
        with pytest.raises(ActionForbidden):
            plan_actions.save_rhk(
                skp_id=skp.pk, actor=world.user(intruder), text="x", parent_id=parent.pk
            )
    draft_plan(world, "staf1")
    with pytest.raises(ActionForbidden):
        plan_actions.submit_plan(skp_id=skp.pk, actor=world.user("staf2"))
    plan_actions.submit_plan(skp_id=skp.pk, actor=world.user("staf1"))
    for intruder in ("staf1", "staf2", "kabid"):
        with pytest.raises(ActionForbidden):
            plan_actions.approve_plan(skp_id=skp.pk, actor=world.user(intruder))
        with pytest.raises(ActionForbidden):
            plan_actions.save_expectations(
                skp_id=skp.pk, actor=world.user(intruder), expectations={"loyal": "x"}
            )
    assert PlanVersion.objects.filter(skp=skp).count() == 0
    assert world.case("staf1").stage_key == "agree_plan"


def test_plan_is_locked_after_agreement_and_a_revision_is_a_new_version(world: SkpWorld) -> None:
    agree_chain(world, "kadis", "kabid", "kasi", "staf1")
    skp = world.skp("staf1")
    rhk = Rhk.objects.get(skp=skp)
    with pytest.raises(StepNotAllowed) as raised:
        plan_actions.save_rhk(
            skp_id=skp.pk,
            actor=world.user("staf1"),
            text="Ubah",
            rhk_id=rhk.pk,
            parent_id=rhk.parent_id,
        )
    assert str(raised.value) == (
        "SKP sedang di tahap «Pemantauan kinerja dan bukti dukung»; tindakan ini tidak berlaku sekarang."
    )

    plan_actions.request_plan_revision(
        skp_id=skp.pk, actor=world.user("staf1"), reason="Refocusing anggaran triwulan III"
    )
    assert world.case("staf1").phase == Phase.PLAN_DRAFTED
    plan_actions.save_indicator(
        skp_id=skp.pk,
        actor=world.user("staf1"),
        rhk_id=rhk.pk,
        indicator_id=rhk.indicators.get().pk,
        text="Jumlah dokumen kurikulum yang disahkan",
        aspect="kuantitas",
        target_value=Decimal(3),
        target_unit="dokumen",
    )
    plan_actions.submit_plan(skp_id=skp.pk, actor=world.user("staf1"))
    second = plan_actions.approve_plan(skp_id=skp.pk, actor=world.user("kasi"))

    first = PlanVersion.objects.get(skp=skp, number=1)
    assert (second.number, second.reason) == (2, "Refocusing anggaran triwulan III")
    assert first.snapshot["rhks"][0]["indicators"][0]["target_value"] == "4.00"
    assert second.snapshot["rhks"][0]["indicators"][0]["target_value"] == "3.00"
    assert world.skp("staf1").revision_reason == ""
    assert world.case("staf1").stage_key == "monitor"


def test_a_plt_appraiser_approves_in_their_acting_capacity(world: SkpWorld) -> None:
    agree_chain(world, "kadis", "kabid", "kasi")
    org = world.org
    org_actions.appoint_acting_official(
        actor=org.admin,
        employee=org.people["staf3"],
        position=org.positions["KASI"],
        starts_on=datetime.date(2026, 1, 1),
        ends_on=datetime.date(2026, 12, 31),
        decree_number="SP 800/77/2026",
        kind="plh",
    )
    draft_plan(world, "staf1")
    skp = world.skp("staf1")
    plan_actions.submit_plan(skp_id=skp.pk, actor=world.user("staf1"))
    plan_actions.save_expectations(
        skp_id=skp.pk, actor=world.user("staf3"), expectations=dict(EXPECTATIONS)
    )
    plan_actions.approve_plan(skp_id=skp.pk, actor=world.user("staf3"))

    row = AuditEntry.objects.get(
        case=skp.case, code=AuditCode.TASK_COMPLETED, from_stage="agree_plan"
    )
    assert (row.actor_id, row.acting_for_id, row.capacity) == (
        world.user("staf3").pk,
        world.user("kasi").pk,
        "Plh. Kepala Seksi Kurikulum (SP 800/77/2026)",
    )
    assert WorkItem.objects.get(pk=row.work_item_id).owner_id == world.user("kasi").pk


# The indicator library -------------------------------------------------------------------------


def _entry(world: SkpWorld, code: str, unit: str | None, **fields: str) -> IndicatorTemplate:
    return IndicatorTemplate.objects.create(
        agency=world.org.agency,
        unit=world.org.units[unit] if unit else None,
        code=code,
        text=fields.get("text", f"Indikator {code}"),
        aspect=fields.get("aspect", "kuantitas"),
        target_unit=fields.get("target_unit", "dokumen"),
        aggregation=fields.get("aggregation", ""),
    )


def test_the_library_offers_the_units_entries_its_ancestors_and_the_agency_wide(
    world: SkpWorld,
) -> None:
    # Dinas Pendidikan > Bidang Pembinaan SD > Seksi Kurikulum (staf1); Sekretariat is a
    # sibling branch of the Bidang.
    entries = {
        code: _entry(world, code, unit)
        for code, unit in (
            ("A-UMUM", None),
            ("B-DINAS", "DISDIK"),
            ("C-BIDANG", "BID-SD"),
            ("D-SEKSI", "SEK-KUR"),
            ("E-SEKRE", "SEKRE"),
            ("Z-DINAS", "DISDIK"),
        )
    }
    other, _admin = make_agency("lain")
    IndicatorTemplate.objects.create(
        agency=other, code="X-LAIN", text="Instansi lain", aspect="kuantitas", target_unit="x"
    )

    def offered(who: str) -> list[str]:
        return [entry.code for entry in plan_actions.library_options(world.skp(who))]

    # The nearest unit first, up the tree, then the agency-wide entries.
    assert offered("staf1") == ["D-SEKSI", "C-BIDANG", "B-DINAS", "Z-DINAS", "A-UMUM"]
    assert offered("kabid") == ["C-BIDANG", "B-DINAS", "Z-DINAS", "A-UMUM"]
    assert offered("kadis") == ["B-DINAS", "Z-DINAS", "A-UMUM"]
    assert offered("sekdis") == ["E-SEKRE", "B-DINAS", "Z-DINAS", "A-UMUM"]

    # Drafting takes an entry of an ancestor unit, but not one of another branch.
    agree_chain(world, "kadis", "kabid", "kasi")
    skp = world.skp("staf1")
    rhk = plan_actions.save_rhk(
        skp_id=skp.pk,
        actor=world.user("staf1"),
        text="Tersusunnya dokumen kurikulum",
        parent_id=plan_actions.cascade_options(skp)[0].pk,
    )

    def take(code: str) -> Indicator:
        return plan_actions.save_indicator(
            skp_id=skp.pk,
            actor=world.user("staf1"),
            rhk_id=rhk.pk,
            text="",
            aspect="kuantitas",
            target_value="4",
            target_unit="dokumen",
            template_id=entries[code].pk,
        )

    indicator = take("B-DINAS")
    assert (indicator.template_id, indicator.text) == (entries["B-DINAS"].pk, "Indikator B-DINAS")
    with pytest.raises(plan_actions.InvalidPlan) as raised:
        take("E-SEKRE")
    assert raised.value.errors == {"template": ["Indikator pustaka tidak ditemukan."]}
    assert rhk.indicators.count() == 1


def test_an_indicator_keeps_how_its_periods_add_up(world: SkpWorld) -> None:
    agree_chain(world, "kadis", "kabid", "kasi")
    cumulative = _entry(
        world, "CAKUPAN", "DISDIK", aggregation="last", target_unit="%", text="Cakupan layanan"
    )
    skp = world.skp("staf1")
    staff = world.user("staf1")
    rhk = plan_actions.save_rhk(
        skp_id=skp.pk,
        actor=staff,
        text="Terlayaninya sekolah binaan",
        parent_id=plan_actions.cascade_options(skp)[0].pk,
    )

    def save(unit: str, **extra: object) -> str:
        indicator = plan_actions.save_indicator(
            skp_id=skp.pk,
            actor=staff,
            rhk_id=rhk.pk,
            text="Indikator",
            aspect="kuantitas",
            target_value="90",
            target_unit=unit,
            **extra,  # type: ignore[arg-type]
        )
        return f"{indicator.aggregation}:{indicator.aggregation_rule}"

    # From the library: the entry's aggregation; typed by hand: from the aspect and the unit.
    assert save("%", template_id=cumulative.pk) == "last:last"
    assert save("%") == ":average"
    assert save("sekolah") == ":sum"
    assert save("sekolah", aggregation="average") == "average:average"
    with pytest.raises(plan_actions.InvalidPlan) as raised:
        save("sekolah", aggregation="median")
    assert raised.value.errors == {
        "aggregation": ["Cara menghitung capaian tahunan tidak dikenal."]
    }
    snapshot = plan_actions.plan_snapshot(world.skp("staf1"))
    assert [i["aggregation"] for i in snapshot["rhks"][0]["indicators"]] == [
        "last",
        "average",
        "sum",
        "average",
    ]
